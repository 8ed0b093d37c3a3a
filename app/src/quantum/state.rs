//! The state vector and what can be done to it: gates in place,
//! measurement with collapse, reset, probabilities and sampled counts.

use super::gates::{Gate, Matrix2};
use super::rng::SplitMix64;
use num_complex::Complex64 as C;
use std::collections::BTreeMap;

/// The most qubits a state may have: natively 28 (2^28 amplitudes are
/// 4 GiB); in WebAssembly, whose whole memory is at most 4 GiB, 26 (1 GiB).
#[cfg(target_pointer_width = "64")]
pub const MAX_QUBITS: usize = 28;
/// The most qubits a state may have: natively 28 (2^28 amplitudes are
/// 4 GiB); in WebAssembly, whose whole memory is at most 4 GiB, 26 (1 GiB).
#[cfg(not(target_pointer_width = "64"))]
pub const MAX_QUBITS: usize = 26;

/// A pure state of `n` qubits: `2^n` amplitudes, basis state `i` holding
/// qubit `q` in bit `q` of `i`.
#[derive(Debug, Clone, PartialEq)]
pub struct StateVector {
    qubits: usize,
    amplitudes: Vec<C>,
}

impl StateVector {
    /// |0…0⟩ on `qubits` qubits. Errors past [`MAX_QUBITS`], naming the memory it would take,
    /// and when that memory cannot be allocated (a browser may refuse it).
    pub fn new(qubits: usize) -> Result<Self, String> {
        if qubits > MAX_QUBITS {
            return Err(format!("{qubits} qubits need {} GiB of amplitudes; the limit is {MAX_QUBITS} qubits", (16u128 << qubits) >> 30));
        }
        // Asked for, not assumed: a browser may refuse a worker the memory.
        let mut amplitudes = Vec::new();
        amplitudes
            .try_reserve_exact(1 << qubits)
            .map_err(|_| format!("{qubits} qubits need {} MiB of memory for their amplitudes, and it could not be allocated here", (16usize << qubits) >> 20))?;
        amplitudes.resize(1 << qubits, C::new(0.0, 0.0));
        amplitudes[0] = C::new(1.0, 0.0);
        Ok(StateVector { qubits, amplitudes })
    }

    pub fn qubits(&self) -> usize {
        self.qubits
    }

    pub fn amplitudes(&self) -> &[C] {
        &self.amplitudes
    }

    /// Applies `gate`. Qubit indices must be below [`Self::qubits`] and
    /// distinct (the parser checks both).
    pub fn apply(&mut self, gate: &Gate) {
        match gate {
            Gate::Unitary { matrix, target, controls } => unitary_on(&mut self.amplitudes, matrix, *target, mask(controls)),
            Gate::Swap { a, b, controls } => swap_on(&mut self.amplitudes, *a, *b, mask(controls)),
        }
    }

    /// Applies `gates` in order, as [`Self::apply`] each would, in fewer
    /// passes over memory (see `fused.rs`).
    pub fn apply_all(&mut self, gates: &[Gate]) {
        super::fused::apply_all(&mut self.amplitudes, self.qubits, gates);
    }

    /// Probability that `qubit` reads 1.
    pub fn probability_of_one(&self, qubit: usize) -> f64 {
        let bit = 1usize << qubit;
        self.amplitudes.iter().enumerate().filter(|(i, _)| i & bit != 0).map(|(_, a)| a.norm_sqr()).sum()
    }

    /// Measures `qubit` in the computational basis, drawing from `rng`, and
    /// collapses the state onto the outcome (renormalised). Returns 0 or 1.
    pub fn measure(&mut self, qubit: usize, rng: &mut SplitMix64) -> u8 {
        let one = self.probability_of_one(qubit);
        let outcome = u8::from(rng.next_f64() < one);
        let keep = if outcome == 1 { one } else { 1.0 - one };
        let scale = if keep > 0.0 { 1.0 / keep.sqrt() } else { 0.0 };
        let bit = 1usize << qubit;
        for (i, a) in self.amplitudes.iter_mut().enumerate() {
            if (i & bit != 0) == (outcome == 1) {
                *a *= scale;
            } else {
                *a = C::new(0.0, 0.0);
            }
        }
        outcome
    }

    /// Resets `qubit` to |0⟩: measures it and flips it back if it read 1.
    pub fn reset(&mut self, qubit: usize, rng: &mut SplitMix64) {
        if self.measure(qubit, rng) == 1 {
            self.apply(&Gate::Unitary { matrix: super::gates::x(), target: qubit, controls: Vec::new() });
        }
    }

    /// The probability of each basis state, by index.
    pub fn probabilities(&self) -> Vec<f64> {
        self.amplitudes.iter().map(|a| a.norm_sqr()).collect()
    }

    /// The squared norm, 1 for a valid state (up to rounding).
    pub fn norm_sqr(&self) -> f64 {
        self.amplitudes.iter().map(|a| a.norm_sqr()).sum()
    }

    /// `shots` measurements of all qubits sampled from the final state at
    /// once (the state is not re-simulated per shot), keyed by bitstring
    /// with qubit 0 rightmost.
    pub fn sample_counts(&self, shots: usize, rng: &mut SplitMix64) -> BTreeMap<String, usize> {
        self.sample_indices(shots, rng).into_iter().map(|(index, count)| (bitstring(index, self.qubits), count)).collect()
    }

    /// `shots` draws of a basis-state index from the state's distribution,
    /// counted by index. Sampling walks the cumulative distribution with
    /// sorted uniform draws: O(2^n + shots log shots).
    pub fn sample_indices(&self, shots: usize, rng: &mut SplitMix64) -> BTreeMap<usize, usize> {
        let mut draws: Vec<f64> = (0..shots).map(|_| rng.next_f64()).collect();
        draws.sort_by(|a, b| a.total_cmp(b));
        let mut counts = BTreeMap::new();
        let mut cumulative = 0.0;
        let mut next = 0;
        let last = self.amplitudes.len() - 1;
        for (index, amplitude) in self.amplitudes.iter().enumerate() {
            if next == draws.len() {
                break;
            }
            cumulative += amplitude.norm_sqr();
            let start = next;
            // Rounding may leave the total a hair under 1: the last state takes the rest.
            while next < draws.len() && (draws[next] < cumulative || index == last) {
                next += 1;
            }
            if next > start {
                counts.insert(index, next - start);
            }
        }
        counts
    }
}

/// Basis state `index` of `qubits` qubits as a bitstring, qubit 0 rightmost.
pub fn bitstring(index: usize, qubits: usize) -> String {
    (0..qubits).rev().map(|q| if index >> q & 1 == 1 { '1' } else { '0' }).collect()
}

/// `k` with a 0 inserted at each bit position set in `fixed` (from the
/// lowest up): the `k`-th index whose `fixed` bits are all 0.
fn spread(mut k: usize, fixed: usize) -> usize {
    let mut bits = fixed;
    while bits != 0 {
        let low = (bits & bits.wrapping_neg()) - 1;
        k = (k & !low) << 1 | (k & low);
        bits &= bits - 1;
    }
    k
}

/// A 2×2 unitary `m` on qubit `target` of the state `amps` (2^k
/// amplitudes), where every qubit in the mask `controls` is |1⟩.
pub(super) fn unitary_on(amps: &mut [C], m: &Matrix2, target: usize, controls: usize) {
    let bit = 1usize << target;
    let zero = C::new(0.0, 0.0);
    let one = C::new(1.0, 0.0);
    let free = amps.len().trailing_zeros() as usize - 1 - controls.count_ones() as usize;
    // Diagonal gates (phases, rz, z, s, t and their controlled forms)
    // only scale amplitudes: visit just the ones they change.
    if m[1] == zero && m[2] == zero {
        for (value, factor) in [(bit, m[3]), (0, m[0])] {
            if factor != one {
                for k in 0..1usize << free {
                    amps[spread(k, controls | bit) | controls | value] *= factor;
                }
            }
        }
        return;
    }
    if controls == 0 {
        // Blocks of `bit` amplitudes with the target 0, each followed by its partners.
        for block in amps.chunks_exact_mut(2 * bit) {
            let (low, high) = block.split_at_mut(bit);
            for (a, b) in low.iter_mut().zip(high.iter_mut()) {
                let (a0, a1) = (*a, *b);
                *a = m[0] * a0 + m[1] * a1;
                *b = m[2] * a0 + m[3] * a1;
            }
        }
        return;
    }
    // Each pair (i, i | bit) once, among the indices whose controls are all 1.
    for k in 0..1usize << free {
        let i = spread(k, controls | bit) | controls;
        let (a0, a1) = (amps[i], amps[i | bit]);
        amps[i] = m[0] * a0 + m[1] * a1;
        amps[i | bit] = m[2] * a0 + m[3] * a1;
    }
}

/// Swaps qubits `a` and `b` of `amps` where every qubit in `controls` is |1⟩.
pub(super) fn swap_on(amps: &mut [C], a: usize, b: usize, controls: usize) {
    let (bit_a, bit_b) = (1usize << a, 1usize << b);
    let free = amps.len().trailing_zeros() as usize - 2 - controls.count_ones() as usize;
    // Each pair once: qubit a is |1⟩ and b is |0⟩ at `i`.
    for k in 0..1usize << free {
        let i = spread(k, controls | bit_a | bit_b) | controls | bit_a;
        amps.swap(i, i ^ bit_a ^ bit_b);
    }
}

pub(super) fn mask(qubits: &[usize]) -> usize {
    qubits.iter().fold(0, |m, q| m | 1 << q)
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
