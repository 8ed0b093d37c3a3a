//! The state-vector simulator natively: `cargo bench -p llmos-core --bench quantum_speed`
//!
//! Times an H layer plus a CX chain, and the quantum Fourier transform
//! (H and controlled phases, then swaps), at 16, 20, 22 and 24 qubits
//! (LLMOS_BENCH_QUBITS), and sampling 1,024 shots from the result; prints
//! the amplitude memory (16 bytes per amplitude). Issue 16's targets:
//! 20 qubits ≤ 100 ms, 24 qubits ≤ 1.5 s natively.

use llmos_core::quantum::{Gate, SplitMix64, StateVector};
use std::f64::consts::PI;
use std::time::Instant;

fn g(name: &str, params: &[f64], qubits: &[usize]) -> Gate {
    Gate::standard(name, params, qubits).unwrap()
}

fn h_layer_cx_chain(n: usize) -> Vec<Gate> {
    let mut circuit: Vec<Gate> = (0..n).map(|q| g("h", &[], &[q])).collect();
    circuit.extend((0..n - 1).map(|q| g("cx", &[], &[q, q + 1])));
    circuit
}

fn qft(n: usize) -> Vec<Gate> {
    let mut circuit = Vec::new();
    for target in (0..n).rev() {
        circuit.push(g("h", &[], &[target]));
        for control in (0..target).rev() {
            circuit.push(g("cp", &[PI / 2f64.powi((target - control) as i32)], &[control, target]));
        }
    }
    circuit.extend((0..n / 2).map(|q| g("swap", &[], &[q, n - 1 - q])));
    circuit
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let sizes: Vec<usize> = std::env::var("LLMOS_BENCH_QUBITS").ok().map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect()).unwrap_or_else(|| vec![16, 20, 22, 24]);
    println!("quantum_speed (native, one run each):");
    for n in sizes {
        for (name, circuit) in [("H layer + CX chain", h_layer_cx_chain(n)), ("QFT", qft(n))] {
            let started = Instant::now();
            let mut state = StateVector::new(n).unwrap();
            state.apply_all(&circuit);
            let simulated = started.elapsed();
            let sampled = Instant::now();
            let counts = state.sample_counts(1024, &mut SplitMix64::new(1));
            let sampling = sampled.elapsed();
            println!(
                "  {n:2} qubits, {name:18} {:5} gates: {:9.1} ms, 1,024 shots {:7.1} ms, {} MiB of amplitudes, {} outcomes seen",
                circuit.len(), simulated.as_secs_f64() * 1e3, sampling.as_secs_f64() * 1e3, (16usize << n) >> 20, counts.len()
            );
        }
    }
}
