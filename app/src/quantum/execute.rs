//! Running a parsed [`Circuit`] for a number of shots.
//!
//! When every measurement is terminal (no gate, reset or condition acts on
//! a qubit after it is measured), the circuit's gates are simulated once
//! and all shots are sampled from the final state. Otherwise the part
//! before the first measurement, reset or condition is simulated once and
//! the rest is run per shot, collapsing the state at each measurement.

use super::qasm::{Circuit, Op};
use super::state::bitstring;
use super::{SplitMix64, StateVector};
use std::collections::{BTreeMap, HashSet};

/// What a run gives.
#[derive(Debug, Clone)]
pub struct Execution {
    /// Outcomes by bitstring, clbit 0 rightmost; when the circuit measures
    /// nothing, all qubits are sampled (qubit 0 rightmost).
    pub counts: BTreeMap<String, usize>,
    /// The state before the terminal measurements, when the shots were
    /// sampled from one simulation (`None` when each shot was run).
    pub state: Option<StateVector>,
    pub shots: usize,
    pub seed: u64,
}

/// Runs `circuit` for `shots` shots with the random stream of `seed`.
///
/// Errors: too many qubits for memory (see [`StateVector::new`]).
pub fn execute(circuit: &Circuit, shots: usize, seed: u64) -> Result<Execution, String> {
    let mut rng = SplitMix64::new(seed);
    let mut state = StateVector::new(circuit.qubits)?;
    let measures: Vec<(usize, usize)> = circuit.ops.iter().filter_map(|op| if let Op::Measure { qubit, clbit } = op { Some((*qubit, *clbit)) } else { None }).collect();
    let gates = |ops: &[Op]| ops.iter().filter_map(|op| if let Op::Gate { gate, .. } = op { Some(gate.clone()) } else { None }).collect::<Vec<_>>();
    if terminal_measurements_only(&circuit.ops) {
        state.apply_all(&gates(&circuit.ops));
        let sampled = state.sample_indices(shots, &mut rng);
        let counts = if measures.is_empty() {
            sampled.into_iter().map(|(index, count)| (bitstring(index, circuit.qubits), count)).collect()
        } else {
            let mut counts = BTreeMap::new();
            for (index, count) in sampled {
                let mut bits = vec![0u8; circuit.clbits];
                for &(qubit, clbit) in &measures {
                    bits[clbit] = (index >> qubit & 1) as u8;
                }
                *counts.entry(clbit_string(&bits)).or_insert(0) += count;
            }
            counts
        };
        return Ok(Execution { counts, state: Some(state), shots, seed });
    }
    let split = circuit.ops.iter().position(|op| !matches!(op, Op::Gate { .. } | Op::Barrier { .. })).unwrap_or(circuit.ops.len());
    state.apply_all(&gates(&circuit.ops[..split]));
    let mut counts = BTreeMap::new();
    for _ in 0..shots {
        let mut shot = state.clone();
        let mut bits = vec![0u8; circuit.clbits];
        run_ops(&circuit.ops[split..], &mut shot, &mut bits, &mut rng);
        let key = if measures.is_empty() { bitstring(shot.sample_indices(1, &mut rng).into_keys().next().unwrap_or(0), circuit.qubits) } else { clbit_string(&bits) };
        *counts.entry(key).or_insert(0) += 1;
    }
    Ok(Execution { counts, state: None, shots, seed })
}

fn run_ops(ops: &[Op], state: &mut StateVector, bits: &mut [u8], rng: &mut SplitMix64) {
    for op in ops {
        match op {
            Op::Gate { gate, .. } => state.apply(gate),
            Op::Measure { qubit, clbit } => bits[*clbit] = state.measure(*qubit, rng),
            Op::Reset { qubit } => state.reset(*qubit, rng),
            Op::Barrier { .. } => {}
            Op::If { clbits, value, then, otherwise } => {
                let read = clbits.iter().enumerate().fold(0u64, |v, (i, c)| v | u64::from(bits[*c]) << i);
                run_ops(if read == *value { then } else { otherwise }, state, bits, rng);
            }
        }
    }
}

/// Whether no operation touches a qubit after it is measured, and there is
/// no reset or condition: then the measurements commute to the end.
fn terminal_measurements_only(ops: &[Op]) -> bool {
    let mut measured = HashSet::new();
    for op in ops {
        match op {
            Op::Measure { qubit, .. } => {
                measured.insert(*qubit);
            }
            Op::Gate { qubits, .. } if qubits.iter().any(|q| measured.contains(q)) => return false,
            Op::Reset { .. } | Op::If { .. } => return false,
            _ => {}
        }
    }
    true
}

/// Classical bits as a bitstring, bit 0 rightmost.
fn clbit_string(bits: &[u8]) -> String {
    bits.iter().rev().map(|b| if *b == 1 { '1' } else { '0' }).collect()
}
