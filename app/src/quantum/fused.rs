//! Many gates in few passes over memory. At 24 qubits the state is 256 MiB,
//! and applying gates one by one makes one pass over it per gate, bound by
//! memory bandwidth. Here consecutive gates that keep amplitudes within
//! blocks of 2^[`CHUNK_BITS`] neighbours (diagonal gates on any qubits,
//! others whose target is a low qubit; controls anywhere) are applied block
//! by block while the block is in cache, in one pass.
//!
//! Runs of diagonal gates with at most one control (phases, `rz`, `cp`,
//! `cz`, as the quantum Fourier transform is made of) are fused further:
//! within a block, the high qubits are fixed bits, so each such gate
//! reduces to a constant, a phase on one low qubit, or a phase on two low
//! qubits (the same for every block, tabulated once per run). A block's
//! phases are then built in O(2^[`CHUNK_BITS`]) by doubling, whatever the
//! number of gates, and applied with one multiplication per amplitude.
//!
//! A run may also hold gates that pair each block with a partner across one
//! high qubit (a Hadamard on a high qubit, a swap of a low and a high one):
//! then blocks are visited in pairs, so the quantum Fourier transform's
//! Hadamard on a high qubit and the phases after it take one pass, not two.

use super::state::{mask, swap_on, unitary_on};
use super::Gate;
use num_complex::Complex64 as C;

/// Blocks of 2^12 amplitudes (64 KiB) stay in the L2 cache.
pub const CHUNK_BITS: usize = 12;

enum Step<'a> {
    /// Diagonal gates with at most one control, fused.
    Phases(Vec<&'a Gate>),
    /// Any gate that keeps amplitudes within a block.
    Local(&'a Gate),
    /// A gate that mixes each block with its partner across the run's pair qubit.
    Pair(&'a Gate),
}

/// Applies `gates` to `amps`, a state of `qubits` qubits.
pub fn apply_all(amps: &mut [C], qubits: usize, gates: &[Gate]) {
    if qubits <= CHUNK_BITS {
        gates.iter().for_each(|g| apply_one(amps, g));
        return;
    }
    let mut i = 0;
    while i < gates.len() {
        let mut steps: Vec<Step> = Vec::new();
        let mut pair = None;
        while let Some(gate) = gates.get(i) {
            if block_local(gate) {
                match (steps.last_mut(), fusable(gate)) {
                    (Some(Step::Phases(run)), true) => run.push(gate),
                    (_, true) => steps.push(Step::Phases(vec![gate])),
                    (_, false) => steps.push(Step::Local(gate)),
                }
            } else if let Some(qubit) = pair_qubit(gate).filter(|q| pair.is_none_or(|p| p == *q)) {
                pair = Some(qubit);
                steps.push(Step::Pair(gate));
            } else {
                break;
            }
            i += 1;
        }
        match steps.len() {
            0 => {
                apply_one(amps, &gates[i]);
                i += 1;
            }
            1 if !matches!(steps[0], Step::Phases(_)) => {
                if let Step::Local(gate) | Step::Pair(gate) = steps[0] {
                    apply_one(amps, gate);
                }
            }
            _ => run_blocked(amps, &steps, pair),
        }
    }
}

/// The high qubit across which `gate` pairs blocks: a non-diagonal gate's
/// high target, or the high end of a swap with one low end.
fn pair_qubit(gate: &Gate) -> Option<usize> {
    match gate {
        Gate::Unitary { target, .. } if *target >= CHUNK_BITS && diagonal(gate).is_none() => Some(*target),
        Gate::Swap { a, b, .. } if (*a < CHUNK_BITS) != (*b < CHUNK_BITS) => Some(*a.max(b)),
        _ => None,
    }
}

fn apply_one(amps: &mut [C], gate: &Gate) {
    match gate {
        Gate::Unitary { matrix, target, controls } => unitary_on(amps, matrix, *target, mask(controls)),
        Gate::Swap { a, b, controls } => swap_on(amps, *a, *b, mask(controls)),
    }
}

fn diagonal(gate: &Gate) -> Option<(C, C)> {
    match gate {
        Gate::Unitary { matrix, .. } if matrix[1] == C::new(0.0, 0.0) && matrix[2] == C::new(0.0, 0.0) => Some((matrix[0], matrix[3])),
        _ => None,
    }
}

/// Whether `gate` keeps every amplitude within its block.
fn block_local(gate: &Gate) -> bool {
    match gate {
        Gate::Unitary { target, .. } => *target < CHUNK_BITS || diagonal(gate).is_some(),
        Gate::Swap { a, b, .. } => *a < CHUNK_BITS && *b < CHUNK_BITS,
    }
}

fn fusable(gate: &Gate) -> bool {
    matches!(gate, Gate::Unitary { controls, .. } if controls.len() <= 1) && diagonal(gate).is_some()
}

const LOW: usize = (1 << CHUNK_BITS) - 1;

/// A fused run of phase gates, ready to apply block by block.
struct Phases<'a> {
    /// The product of the gates on low qubits only (the same in every block).
    low: Option<Vec<C>>,
    /// The gates that touch a high qubit.
    mixed: Vec<(&'a Gate, C, C)>,
    /// The last block's per-qubit factors and their table (times `low`):
    /// neighbouring blocks mostly share them.
    cache: std::cell::RefCell<(Vec<(C, C)>, Vec<C>)>,
}

impl<'a> Phases<'a> {
    fn new(run: &[&'a Gate]) -> Self {
        let mut low: Option<Vec<C>> = None;
        let mut mixed = Vec::new();
        for gate in run {
            let Gate::Unitary { target, controls, .. } = gate else { continue };
            let (d0, d1) = diagonal(gate).expect("fusable gates are diagonal");
            if *target < CHUNK_BITS && controls.iter().all(|c| *c < CHUNK_BITS) {
                let table = low.get_or_insert_with(|| vec![C::new(1.0, 0.0); 1 << CHUNK_BITS]);
                unitary_on(table, &[d0, C::new(0.0, 0.0), C::new(0.0, 0.0), d1], *target, mask(controls));
            } else {
                mixed.push((*gate, d0, d1));
            }
        }
        Phases { low, mixed, cache: Default::default() }
    }

    /// Multiplies the block starting at index `base` by the run's phases.
    fn apply(&self, block: &mut [C], base: usize) {
        let one = C::new(1.0, 0.0);
        let mut scalar = one;
        // Per low qubit: the factors for its bit 0 and bit 1.
        let mut factors = [(one, one); CHUNK_BITS];
        for (gate, d0, d1) in &self.mixed {
            let Gate::Unitary { target, controls, .. } = gate else { continue };
            let control = controls.first().copied();
            match (*target < CHUNK_BITS, control) {
                // Target low, control high: a phase on the target, if the control is set.
                (true, Some(c)) => {
                    if base >> c & 1 == 1 {
                        factors[*target].0 *= d0;
                        factors[*target].1 *= d1;
                    }
                }
                (true, None) => unreachable!("gates on low qubits only are tabulated"),
                // Target high: its bit is fixed, so the factor is d0 or d1 ...
                (false, _) => {
                    let d = if base >> target & 1 == 1 { *d1 } else { *d0 };
                    match control {
                        None => scalar *= d,
                        Some(c) if c >= CHUNK_BITS => {
                            if base >> c & 1 == 1 {
                                scalar *= d;
                            }
                        }
                        // ... applied where the low control is set.
                        Some(c) => factors[c].1 *= d,
                    }
                }
            }
        }
        let identity = factors.iter().all(|(f0, f1)| *f0 == one && *f1 == one);
        if identity && self.low.is_none() {
            if scalar != one {
                block.iter_mut().for_each(|a| *a *= scalar);
            }
            return;
        }
        let mut cache = self.cache.borrow_mut();
        let (cached, table) = &mut *cache;
        if cached.as_slice() != factors.as_slice() || table.is_empty() {
            // The block's phases, by doubling: after qubit q, `table[..2^(q+1)]`
            // holds the product over low qubits 0..=q.
            table.clear();
            table.push(one);
            for (f0, f1) in factors {
                let half = table.len();
                for i in 0..half {
                    let v = table[i];
                    table.push(v * f1);
                    table[i] = v * f0;
                }
            }
            if let Some(low) = &self.low {
                table.iter_mut().zip(low).for_each(|(t, l)| *t *= l);
            }
            *cached = factors.to_vec();
        }
        if scalar == one {
            block.iter_mut().zip(table.iter()).for_each(|(a, t)| *a *= t);
        } else {
            block.iter_mut().zip(table.iter()).for_each(|(a, t)| *a *= t * scalar);
        }
    }
}

fn run_blocked(amps: &mut [C], steps: &[Step], pair: Option<usize>) {
    let fused: Vec<Option<Phases>> = steps.iter().map(|s| if let Step::Phases(run) = s { Some(Phases::new(run)) } else { None }).collect();
    let size = 1usize << CHUNK_BITS;
    let single = |block: &mut [C], base: usize, step: &Step, phases: &Option<Phases>| match (step, phases) {
        (_, Some(phases)) => phases.apply(block, base),
        (Step::Local(gate), None) => local(block, base, gate),
        _ => unreachable!("phases are fused above, pairs handled by the caller"),
    };
    let Some(pair) = pair else {
        for (index, block) in amps.chunks_exact_mut(size).enumerate() {
            for (step, phases) in steps.iter().zip(&fused) {
                single(block, index << CHUNK_BITS, step, phases);
            }
        }
        return;
    };
    let pair_bit = 1usize << pair;
    for index in (0..amps.len() / size).filter(|i| i << CHUNK_BITS & pair_bit == 0) {
        let base = index << CHUNK_BITS;
        let (left, right) = amps.split_at_mut(base | pair_bit);
        let (low, high) = (&mut left[base..base + size], &mut right[..size]);
        for (step, phases) in steps.iter().zip(&fused) {
            match step {
                Step::Pair(gate) => across(low, high, base, gate),
                _ => {
                    single(low, base, step, phases);
                    single(high, base | pair_bit, step, phases);
                }
            }
        }
    }
}

/// The mask of `gate`'s controls on low qubits, for the block at `base`;
/// `None` when a control on a high qubit (a fixed bit there) is 0, so the
/// gate does nothing to the block.
fn low_controls(gate: &Gate, base: usize) -> Option<usize> {
    let controls = match gate {
        Gate::Unitary { controls, .. } | Gate::Swap { controls, .. } => mask(controls),
    };
    let high = controls & !LOW;
    (base & high == high).then_some(controls & LOW)
}

/// A gate across the blocks `low` (at `base`, the pair qubit 0) and `high`
/// (the same with the pair qubit 1).
fn across(low: &mut [C], high: &mut [C], base: usize, gate: &Gate) {
    let Some(need) = low_controls(gate, base) else { return };
    match gate {
        Gate::Unitary { matrix: m, .. } => {
            for (i, (a, b)) in low.iter_mut().zip(high.iter_mut()).enumerate() {
                if i & need == need {
                    let (a0, a1) = (*a, *b);
                    *a = m[0] * a0 + m[1] * a1;
                    *b = m[2] * a0 + m[3] * a1;
                }
            }
        }
        Gate::Swap { a, b, .. } => {
            // |low qubit 1, pair qubit 0⟩ ↔ |low qubit 0, pair qubit 1⟩.
            let bit = 1usize << a.min(b);
            for i in (0..low.len()).filter(|i| i & bit != 0 && i & need == need) {
                std::mem::swap(&mut low[i], &mut high[i ^ bit]);
            }
        }
    }
}

/// A block-local gate on the block starting at `base`: controls on high
/// qubits are fixed bits there, and so is a diagonal gate's high target.
fn local(block: &mut [C], base: usize, gate: &Gate) {
    let Some(low) = low_controls(gate, base) else { return };
    match gate {
        Gate::Unitary { matrix, target, .. } if *target >= CHUNK_BITS => {
            let factor = if base >> target & 1 == 1 { matrix[3] } else { matrix[0] };
            if low == 0 {
                block.iter_mut().for_each(|a| *a *= factor);
            } else {
                block.iter_mut().enumerate().filter(|(i, _)| i & low == low).for_each(|(_, a)| *a *= factor);
            }
        }
        Gate::Unitary { matrix, target, .. } => unitary_on(block, matrix, *target, low),
        Gate::Swap { a, b, .. } => swap_on(block, *a, *b, low),
    }
}
