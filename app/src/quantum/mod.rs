//! The quantum runtime: OpenQASM 2/3 circuits ([`qasm`]) run on a dense
//! state-vector simulator ([`StateVector`]), with counts, amplitudes, an
//! SVG histogram and a text drawing ([`run_request`]). Shared by the
//! browser sandbox, `llmos run`, `llmos quantum` and skills. I/O-free.
//!
//! Conventions, as Qiskit's: qubit 0 is the least significant bit of a
//! basis-state index, and bitstrings are written with qubit 0 rightmost
//! (`"01"` is qubit 0 in |1⟩). Gates are applied in place with the usual
//! pair-index loops (for a target bit `t`, amplitude pairs `i` and
//! `i | 1 << t` with bit `t` of `i` clear), so memory is one vector of
//! 2^n complex numbers (16 bytes each: 24 qubits take 256 MiB).

mod diagram;
mod execute;
pub(crate) mod fused;
mod gates;
mod histogram;
pub mod qasm;
mod report;
mod rng;
mod skill;
mod state;

pub use diagram::{angle, draw};
pub use execute::{execute, Execution};
pub use gates::{Gate, Matrix2};
pub use histogram::histogram_svg;
pub use report::{report, run_request, MAX_SHOTS, MAX_STATE_QUBITS};
pub use rng::SplitMix64;
pub use skill::{skill_outputs, skill_request, uses_quantum, JS_MODULE, PYTHON_MODULE, RUN_INPUTS};
pub use state::{bitstring, StateVector, MAX_QUBITS};
