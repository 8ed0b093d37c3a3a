//! The quantum runtime: a dense state-vector simulator (this module), shared
//! by the runner, `llmos run` and skills. I/O-free.
//!
//! Conventions, as Qiskit's: qubit 0 is the least significant bit of a
//! basis-state index, and bitstrings are written with qubit 0 rightmost
//! (`"01"` is qubit 0 in |1⟩). Gates are applied in place with the usual
//! pair-index loops (for a target bit `t`, amplitude pairs `i` and
//! `i | 1 << t` with bit `t` of `i` clear), so memory is one vector of
//! 2^n complex numbers (16 bytes each: 24 qubits take 256 MiB).

mod gates;
mod rng;
mod state;

pub use gates::{Gate, Matrix2};
pub use rng::SplitMix64;
pub use state::{StateVector, MAX_QUBITS};
