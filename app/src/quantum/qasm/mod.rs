//! OpenQASM circuits, parsed into a flat list of operations on numbered
//! qubits and classical bits that [`super::execute`] runs.
//!
//! The language is OpenQASM 2 (Cross et al., "Open Quantum Assembly
//! Language", arXiv:1707.03429) with the gates of `qelib1.inc`, and the part
//! of OpenQASM 3 (openqasm.com) that Qiskit's `qasm3.dumps` writes for such
//! circuits: `qubit[n]`/`bit[n]` declarations, `c[0] = measure q[0];`,
//! `if (c[0]) { … } else { … }`, `input float[64] θ;` parameters and the
//! gates of `stdgates.inc`. User `gate` definitions are expanded in place;
//! whole registers broadcast as the specification says. Every error names
//! its line and column.
//!
//! Written here rather than taken from a crate: the OpenQASM 3 parser
//! published by the Qiskit project (`oq3_syntax` 0.7) rejects OpenQASM 2's
//! `qreg`, `creg`, `measure a -> b` and brace-less `if`, and the OpenQASM 2
//! crates (`qasm` 1.0, `openqasm-parser` 1.0) read includes from the file
//! system, report no positions and are no longer maintained.

mod calls;
mod expr;
mod lexer;
mod parser;
#[cfg(test)]
mod tests;

use super::Gate;
use lexer::Pos;
use std::collections::BTreeMap;
use std::fmt;

/// A parse or expansion error at a position in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct QasmError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl QasmError {
    fn at(pos: Pos, message: impl Into<String>) -> Self {
        QasmError { line: pos.line, column: pos.column, message: message.into() }
    }
}

impl fmt::Display for QasmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for QasmError {}

/// A named register: bits `offset .. offset + size` of the circuit's qubits
/// (or classical bits), element 0 at `offset`.
#[derive(Debug, Clone, PartialEq)]
pub struct Register {
    pub name: String,
    pub offset: usize,
    pub size: usize,
}

/// One step of a circuit, on qubit and classical-bit numbers.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// A gate as written (built-in name, parameters in radians, qubits in
    /// argument order) and the simulator's form of it.
    Gate { name: String, params: Vec<f64>, qubits: Vec<usize>, gate: Gate },
    Measure { qubit: usize, clbit: usize },
    Reset { qubit: usize },
    Barrier { qubits: Vec<usize> },
    /// `then` runs when the classical bits `clbits` (least significant
    /// first) read as the integer `value`, `otherwise` when they do not.
    If { clbits: Vec<usize>, value: u64, then: Vec<Op>, otherwise: Vec<Op> },
}

/// A parsed circuit: registers and the operations in program order.
#[derive(Debug, Clone, PartialEq)]
pub struct Circuit {
    /// The OpenQASM major version the file declared (2 or 3).
    pub version: u8,
    pub qubits: usize,
    pub clbits: usize,
    pub qregs: Vec<Register>,
    pub cregs: Vec<Register>,
    pub ops: Vec<Op>,
}

impl Circuit {
    /// How qubit `index` is written in the source, e.g. `q[3]`.
    pub fn qubit_name(&self, index: usize) -> String {
        register_name(&self.qregs, index)
    }

    /// How classical bit `index` is written in the source, e.g. `c[0]`.
    pub fn clbit_name(&self, index: usize) -> String {
        register_name(&self.cregs, index)
    }
}

fn register_name(registers: &[Register], index: usize) -> String {
    registers
        .iter()
        .find(|r| (r.offset..r.offset + r.size).contains(&index))
        .map(|r| format!("{}[{}]", r.name, index - r.offset))
        .unwrap_or_else(|| format!("#{index}"))
}

/// Parses OpenQASM 2 or 3 `source` into a [`Circuit`].
///
/// `params` gives values (radians, or plain numbers) to OpenQASM 3
/// `input float[64] name;` declarations; in OpenQASM 2, where there are no
/// inputs, a parameter name used in an expression is looked up there too.
///
/// Errors: the first syntax error, unknown gate or register, index out of
/// range, qubit used twice in one gate, register size mismatch, missing
/// input value or unsupported construct, with its line and column.
pub fn parse(source: &str, params: &BTreeMap<String, f64>) -> Result<Circuit, QasmError> {
    parser::Parser::new(source, params)?.run()
}

/// The composite gates of `qelib1.inc` that are not single 2×2 unitaries
/// under controls, defined as the include file defines them.
pub(crate) const PRELUDE: &str = "
gate rzz(theta) a,b { cx a,b; u1(theta) b; cx a,b; }
gate rxx(theta) a,b { u3(pi/2, theta, 0) a; h b; cx a,b; u1(-theta) b; cx a,b; h b; u2(-pi, pi-theta) a; }
gate ryy(theta) a,b { rx(pi/2) a; rx(pi/2) b; cx a,b; rz(theta) b; cx a,b; rx(-pi/2) a; rx(-pi/2) b; }
gate rccx a,b,c { u2(0,pi) c; u1(pi/4) c; cx b,c; u1(-pi/4) c; cx a,c; u1(pi/4) c; cx b,c; u1(-pi/4) c; u2(0,pi) c; }
";
