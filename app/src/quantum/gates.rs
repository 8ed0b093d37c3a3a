//! The gates of OpenQASM 2's `qelib1.inc` as 2×2 matrices, with the
//! controls and targets each acts on. Definitions follow the OpenQASM 2
//! specification (Cross et al., arXiv:1707.03429, Fig. 5 and `qelib1.inc`):
//! `u3(θ,φ,λ) = [[cos θ/2, −e^{iλ} sin θ/2], [e^{iφ} sin θ/2, e^{i(φ+λ)} cos θ/2]]`,
//! `u1(λ) = u3(0,0,λ)`, `u2(φ,λ) = u3(π/2,φ,λ)`, and the rotations
//! `rz(λ) = diag(e^{−iλ/2}, e^{iλ/2})` (equal to `u1(λ)` up to global phase).

use num_complex::Complex64 as C;
use std::f64::consts::FRAC_1_SQRT_2;

/// A single-qubit unitary, row-major: `[[m[0], m[1]], [m[2], m[3]]]`.
pub type Matrix2 = [C; 4];

/// One gate application: a 2×2 unitary on `target`, applied where every
/// qubit in `controls` is |1⟩; or a swap of two qubits under controls.
#[derive(Debug, Clone, PartialEq)]
pub enum Gate {
    Unitary { matrix: Matrix2, target: usize, controls: Vec<usize> },
    Swap { a: usize, b: usize, controls: Vec<usize> },
}

const fn c(re: f64, im: f64) -> C {
    C::new(re, im)
}

/// `u3(θ, φ, λ)`, the general single-qubit gate.
pub fn u3(theta: f64, phi: f64, lambda: f64) -> Matrix2 {
    let (s, co) = (theta / 2.0).sin_cos();
    [c(co, 0.0), -C::from_polar(s, lambda), C::from_polar(s, phi), C::from_polar(co, phi + lambda)]
}

pub fn h() -> Matrix2 {
    [c(FRAC_1_SQRT_2, 0.0), c(FRAC_1_SQRT_2, 0.0), c(FRAC_1_SQRT_2, 0.0), c(-FRAC_1_SQRT_2, 0.0)]
}

pub fn x() -> Matrix2 {
    [c(0.0, 0.0), c(1.0, 0.0), c(1.0, 0.0), c(0.0, 0.0)]
}

pub fn y() -> Matrix2 {
    [c(0.0, 0.0), c(0.0, -1.0), c(0.0, 1.0), c(0.0, 0.0)]
}

pub fn z() -> Matrix2 {
    phase(std::f64::consts::PI)
}

/// `u1(λ)` = `p(λ)`: `diag(1, e^{iλ})`; `s` is `u1(π/2)`, `t` is `u1(π/4)`.
pub fn phase(lambda: f64) -> Matrix2 {
    [c(1.0, 0.0), c(0.0, 0.0), c(0.0, 0.0), C::from_polar(1.0, lambda)]
}

pub fn rx(theta: f64) -> Matrix2 {
    let (s, co) = (theta / 2.0).sin_cos();
    [c(co, 0.0), c(0.0, -s), c(0.0, -s), c(co, 0.0)]
}

pub fn ry(theta: f64) -> Matrix2 {
    let (s, co) = (theta / 2.0).sin_cos();
    [c(co, 0.0), c(-s, 0.0), c(s, 0.0), c(co, 0.0)]
}

pub fn rz(lambda: f64) -> Matrix2 {
    [C::from_polar(1.0, -lambda / 2.0), c(0.0, 0.0), c(0.0, 0.0), C::from_polar(1.0, lambda / 2.0)]
}

/// `sx`, the square root of X: `½[[1+i, 1−i], [1−i, 1+i]]`.
pub fn sx() -> Matrix2 {
    [c(0.5, 0.5), c(0.5, -0.5), c(0.5, -0.5), c(0.5, 0.5)]
}

/// The conjugate transpose (inverse) of a unitary.
pub fn dagger(m: Matrix2) -> Matrix2 {
    [m[0].conj(), m[2].conj(), m[1].conj(), m[3].conj()]
}

impl Gate {
    /// A gate of `qelib1.inc` by name, with its parameters (radians) and
    /// qubits; `None` for a name it does not define or a wrong count.
    pub fn standard(name: &str, params: &[f64], qubits: &[usize]) -> Option<Gate> {
        let one = |matrix: Matrix2| (qubits.len() == 1).then(|| Gate::Unitary { matrix, target: qubits[0], controls: Vec::new() });
        let controlled = |matrix: Matrix2, n: usize| {
            (qubits.len() == n + 1).then(|| Gate::Unitary { matrix, target: qubits[n], controls: qubits[..n].to_vec() })
        };
        let p = |i: usize| params.get(i).copied();
        let pi = std::f64::consts::PI;
        match (name, params.len()) {
            ("u3" | "u" | "U", 3) => one(u3(p(0)?, p(1)?, p(2)?)),
            ("u2", 2) => one(u3(pi / 2.0, p(0)?, p(1)?)),
            ("u1" | "p" | "phase", 1) => one(phase(p(0)?)),
            ("u0" | "id", _) => one(phase(0.0)),
            ("x", 0) => one(x()),
            ("y", 0) => one(y()),
            ("z", 0) => one(z()),
            ("h", 0) => one(h()),
            ("s", 0) => one(phase(pi / 2.0)),
            ("sdg", 0) => one(phase(-pi / 2.0)),
            ("t", 0) => one(phase(pi / 4.0)),
            ("tdg", 0) => one(phase(-pi / 4.0)),
            ("sx", 0) => one(sx()),
            ("sxdg", 0) => one(dagger(sx())),
            ("rx", 1) => one(rx(p(0)?)),
            ("ry", 1) => one(ry(p(0)?)),
            ("rz", 1) => one(rz(p(0)?)),
            ("cx" | "CX", 0) => controlled(x(), 1),
            ("cy", 0) => controlled(y(), 1),
            ("cz", 0) => controlled(z(), 1),
            ("ch", 0) => controlled(h(), 1),
            ("csx", 0) => controlled(sx(), 1),
            ("crx", 1) => controlled(rx(p(0)?), 1),
            ("cry", 1) => controlled(ry(p(0)?), 1),
            ("crz", 1) => controlled(rz(p(0)?), 1),
            ("cu1" | "cp" | "cphase", 1) => controlled(phase(p(0)?), 1),
            ("cu3", 3) => controlled(u3(p(0)?, p(1)?, p(2)?), 1),
            // OpenQASM 3's stdgates `cu(θ,φ,λ,γ)`: a controlled e^{iγ}·u3(θ,φ,λ).
            ("cu", 4) => controlled(u3(p(0)?, p(1)?, p(2)?).map(|m| m * C::from_polar(1.0, p(3).unwrap_or(0.0))), 1),
            ("ccx", 0) => controlled(x(), 2),
            ("c3x", 0) => controlled(x(), 3),
            ("c4x", 0) => controlled(x(), 4),
            ("c3sqrtx", 0) => controlled(sx(), 3),
            ("swap", 0) => (qubits.len() == 2).then(|| Gate::Swap { a: qubits[0], b: qubits[1], controls: Vec::new() }),
            ("cswap", 0) => (qubits.len() == 3).then(|| Gate::Swap { a: qubits[1], b: qubits[2], controls: vec![qubits[0]] }),
            _ => None,
        }
    }

    /// How many parameters and qubits the built-in gate `name` takes, for
    /// error messages; `None` when [`Gate::standard`] does not know it.
    pub fn signature(name: &str) -> Option<(usize, usize)> {
        Some(match name {
            "u3" | "u" | "U" | "cu3" => (3, 1 + usize::from(name == "cu3")),
            "u2" => (2, 1),
            "u1" | "p" | "phase" | "rx" | "ry" | "rz" | "u0" => (1, 1),
            "id" | "x" | "y" | "z" | "h" | "s" | "sdg" | "t" | "tdg" | "sx" | "sxdg" => (0, 1),
            "cx" | "CX" | "cy" | "cz" | "ch" | "csx" | "swap" => (0, 2),
            "crx" | "cry" | "crz" | "cu1" | "cp" | "cphase" => (1, 2),
            "cu" => (4, 2),
            "ccx" | "cswap" => (0, 3),
            "c3x" | "c3sqrtx" => (0, 4),
            "c4x" => (0, 5),
            _ => return None,
        })
    }
}
