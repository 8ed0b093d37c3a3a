use super::*;
use crate::quantum::gates::{self, Gate};
use std::f64::consts::PI;

fn g(name: &str, params: &[f64], qubits: &[usize]) -> Gate {
    Gate::standard(name, params, qubits).unwrap_or_else(|| panic!("{name} {params:?} {qubits:?}"))
}

fn run(n: usize, circuit: &[Gate]) -> StateVector {
    let mut state = StateVector::new(n).unwrap();
    for gate in circuit {
        state.apply(gate);
    }
    state
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn bell_and_ghz_states_split_evenly_between_all_zeros_and_all_ones() {
    let bell = run(2, &[g("h", &[], &[0]), g("cx", &[], &[0, 1])]);
    let p = bell.probabilities();
    assert!(close(p[0], 0.5) && close(p[3], 0.5) && close(p[1], 0.0) && close(p[2], 0.0), "{p:?}");
    let ghz = run(5, &[g("h", &[], &[0]), g("cx", &[], &[0, 1]), g("cx", &[], &[1, 2]), g("cx", &[], &[2, 3]), g("cx", &[], &[3, 4])]);
    let p = ghz.probabilities();
    assert!(close(p[0], 0.5) && close(p[31], 0.5));
    let counts = ghz.sample_counts(10_000, &mut SplitMix64::new(42));
    assert_eq!(counts.keys().collect::<Vec<_>>(), ["00000", "11111"]);
    assert!((counts["11111"] as f64 - 5000.0).abs() < 200.0, "{counts:?}");
    // The same seed, the same counts.
    assert_eq!(counts, ghz.sample_counts(10_000, &mut SplitMix64::new(42)));
}

#[test]
fn bitstrings_put_qubit_zero_rightmost() {
    let state = run(3, &[g("x", &[], &[0])]);
    assert_eq!(state.sample_counts(5, &mut SplitMix64::new(1)), [("001".to_string(), 5)].into_iter().collect());
    assert_eq!(bitstring(6, 3), "110");
}

/// The quantum Fourier transform of basis state |j⟩ on n qubits is
/// (1/√N) Σ_k e^{2πi jk/N} |k⟩ (Nielsen and Chuang, eq. 5.2), here built
/// from H and controlled phases, with the final swaps.
fn qft(n: usize) -> Vec<Gate> {
    let mut circuit = Vec::new();
    for target in (0..n).rev() {
        circuit.push(g("h", &[], &[target]));
        for control in (0..target).rev() {
            circuit.push(g("cp", &[PI / f64::from(1u32 << (target - control))], &[control, target]));
        }
    }
    for q in 0..n / 2 {
        circuit.push(g("swap", &[], &[q, n - 1 - q]));
    }
    circuit
}

#[test]
fn the_fourier_transform_of_basis_states_matches_the_formula() {
    for n in 1..=5 {
        let size = 1usize << n;
        for j in 0..size {
            let mut circuit: Vec<Gate> = (0..n).filter(|q| j >> q & 1 == 1).map(|q| g("x", &[], &[q])).collect();
            circuit.extend(qft(n));
            let state = run(n, &circuit);
            for (k, amplitude) in state.amplitudes().iter().enumerate() {
                let expected = num_complex::Complex64::from_polar(1.0 / (size as f64).sqrt(), 2.0 * PI * (j * k) as f64 / size as f64);
                assert!((amplitude - expected).norm() < 1e-9, "n={n} j={j} k={k}: {amplitude} vs {expected}");
            }
        }
    }
}

/// Grover's search for `marked` on n qubits: the oracle flips the marked
/// state's sign, the diffusion reflects about the mean; after about
/// (π/4)√N iterations the marked state dominates.
fn grover(n: usize, marked: usize) -> StateVector {
    let all: Vec<usize> = (0..n).collect();
    let flip_zeros = |circuit: &mut Vec<Gate>, state: usize| {
        for q in 0..n {
            if state >> q & 1 == 0 {
                circuit.push(g("x", &[], &[q]));
            }
        }
    };
    // A multi-controlled Z: Z on the last qubit, controlled by the others.
    let mcz = Gate::Unitary { matrix: gates::z(), target: n - 1, controls: all[..n - 1].to_vec() };
    let mut circuit: Vec<Gate> = all.iter().map(|&q| g("h", &[], &[q])).collect();
    let iterations = (PI / 4.0 * f64::from(1u32 << n).sqrt()).floor() as usize;
    for _ in 0..iterations {
        flip_zeros(&mut circuit, marked);
        circuit.push(mcz.clone());
        flip_zeros(&mut circuit, marked);
        circuit.extend(all.iter().map(|&q| g("h", &[], &[q])));
        flip_zeros(&mut circuit, 0);
        circuit.push(mcz.clone());
        flip_zeros(&mut circuit, 0);
        circuit.extend(all.iter().map(|&q| g("h", &[], &[q])));
    }
    run(n, &circuit)
}

#[test]
fn grover_finds_the_marked_state_on_three_to_five_qubits() {
    for (n, marked, at_least) in [(3, 0b101, 0.94), (4, 0b1100, 0.96), (5, 0b10011, 0.99)] {
        let p = grover(n, marked).probabilities();
        assert!(p[marked] > at_least, "n={n}: {}", p[marked]);
    }
}

#[test]
fn teleportation_moves_a_state_with_mid_circuit_measurement_and_conditioned_gates() {
    // Qubit 0 holds ry(θ)|0⟩; after teleportation qubit 2 must hold it,
    // whatever the two measurements read (every seed takes some branch).
    let theta = 1.1;
    for seed in 0..16 {
        let mut rng = SplitMix64::new(seed);
        let mut state = run(3, &[g("ry", &[theta], &[0]), g("h", &[], &[1]), g("cx", &[], &[1, 2]), g("cx", &[], &[0, 1]), g("h", &[], &[0])]);
        let m0 = state.measure(0, &mut rng);
        let m1 = state.measure(1, &mut rng);
        if m1 == 1 {
            state.apply(&g("x", &[], &[2]));
        }
        if m0 == 1 {
            state.apply(&g("z", &[], &[2]));
        }
        assert!(close(state.probability_of_one(2), (theta / 2.0).sin().powi(2)), "seed {seed}");
        assert!(close(state.norm_sqr(), 1.0));
        state.reset(0, &mut rng);
        assert!(close(state.probability_of_one(0), 0.0));
    }
}

/// The full 2^n × 2^n matrix of a gate, built independently by columns:
/// the image of each basis state, computed bit by bit.
fn dense(n: usize, gate: &Gate) -> Vec<Vec<num_complex::Complex64>> {
    let size = 1 << n;
    let zero = num_complex::Complex64::new(0.0, 0.0);
    let mut matrix = vec![vec![zero; size]; size];
    for column in 0..size {
        match gate {
            Gate::Unitary { matrix: m, target, controls } => {
                if controls.iter().all(|c| column >> c & 1 == 1) {
                    let bit = column >> target & 1;
                    let base = column & !(1 << target);
                    matrix[base][column] += m[bit];
                    matrix[base | 1 << target][column] += m[2 + bit];
                } else {
                    matrix[column][column] = num_complex::Complex64::new(1.0, 0.0);
                }
            }
            Gate::Swap { a, b, controls } => {
                let row = if controls.iter().all(|c| column >> c & 1 == 1) && (column >> a & 1) != (column >> b & 1) { column ^ (1 << a) ^ (1 << b) } else { column };
                matrix[row][column] = num_complex::Complex64::new(1.0, 0.0);
            }
        }
    }
    matrix
}

#[test]
fn random_circuits_keep_the_norm_and_match_dense_matrix_products() {
    let mut rng = SplitMix64::new(2024);
    let names: [(&str, usize, usize); 12] = [("h", 0, 1), ("x", 0, 1), ("t", 0, 1), ("sdg", 0, 1), ("sx", 0, 1), ("rx", 1, 1), ("u3", 3, 1), ("u2", 2, 1), ("cx", 0, 2), ("crz", 1, 2), ("ccx", 0, 3), ("cswap", 0, 3)];
    for _ in 0..40 {
        let n = 3;
        let mut state = StateVector::new(n).unwrap();
        let mut reference = vec![num_complex::Complex64::new(0.0, 0.0); 1 << n];
        reference[0] = num_complex::Complex64::new(1.0, 0.0);
        for _ in 0..25 {
            let (name, params, arity) = names[(rng.next_u64() % names.len() as u64) as usize];
            let params: Vec<f64> = (0..params).map(|_| rng.next_f64() * 2.0 * PI).collect();
            let mut qubits: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                qubits.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
            }
            let gate = g(name, &params, &qubits[..arity]);
            state.apply(&gate);
            let m = dense(n, &gate);
            reference = (0..1 << n).map(|r| (0..1 << n).map(|c| m[r][c] * reference[c]).sum()).collect();
            assert!(close(state.norm_sqr(), 1.0));
        }
        for (a, b) in state.amplitudes().iter().zip(&reference) {
            assert!((a - b).norm() < 1e-9, "{a} vs {b}");
        }
    }
}

#[test]
fn too_many_qubits_are_refused_with_the_memory_they_need() {
    let error = StateVector::new(40).unwrap_err();
    assert!(error.contains("16384 GiB") && error.contains("limit is 28"), "{error}");
    assert!(Gate::standard("cx", &[], &[0]).is_none() && Gate::standard("nope", &[], &[0]).is_none());
}

fn product(a: &gates::Matrix2, b: &gates::Matrix2) -> gates::Matrix2 {
    [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3]]
}

/// Equal up to a global phase, as gates are.
fn same_gate(a: &gates::Matrix2, b: &gates::Matrix2) -> bool {
    let k = (0..4).find(|&i| b[i].norm() > 1e-9).unwrap();
    let phase = a[k] / b[k];
    (phase.norm() - 1.0).abs() < 1e-9 && (0..4).all(|i| (a[i] - phase * b[i]).norm() < 1e-9)
}

#[test]
fn the_gates_satisfy_the_identities_of_the_specification() {
    use gates::*;
    assert!(same_gate(&u3(PI / 2.0, 0.0, PI), &h()), "u2(0, π) is H");
    assert!(same_gate(&u3(PI, 0.0, PI), &x()) && same_gate(&u3(PI, PI / 2.0, PI / 2.0), &y()));
    assert!(same_gate(&rz(0.7), &phase(0.7)), "rz equals u1 up to global phase");
    assert!(same_gate(&product(&sx(), &sx()), &x()), "sx² = X");
    assert!(same_gate(&rx(PI), &x()) && same_gate(&ry(PI), &y()));
    assert!(same_gate(&product(&h(), &product(&z(), &h())), &x()), "HZH = X");
    for m in [u3(0.3, 1.2, -0.4), rx(0.9), ry(2.1), rz(-1.3), sx(), h()] {
        assert!(same_gate(&product(&m, &dagger(m)), &phase(0.0)), "unitary");
    }
}

/// Fused, blocked application (`apply_all`) against one gate at a time, on
/// states larger than a block: random circuits mixing every kind of gate,
/// with controls and targets on both sides of the block boundary, and QFT.
#[test]
fn fused_application_equals_gate_by_gate() {
    let n = crate::quantum::fused::CHUNK_BITS + 3;
    let mut rng = SplitMix64::new(99);
    let mut pick = |k: usize| (rng.next_u64() % k as u64) as usize;
    let mut circuits = vec![qft(n)];
    for _ in 0..6 {
        let mut circuit = vec![g("h", &[], &[0]), g("h", &[], &[n - 1]), g("h", &[], &[n / 2])];
        for _ in 0..120 {
            let (a, b, c) = (pick(n), pick(n), pick(n));
            let angle = pick(1000) as f64 / 100.0;
            let gate = match pick(9) {
                0 => g("h", &[], &[a]),
                1 => g("rz", &[angle], &[a]),
                2 => g("p", &[angle], &[a]),
                3 if a != b => g("cp", &[angle], &[a, b]),
                4 if a != b => g("cx", &[], &[a, b]),
                5 if a != b => g("swap", &[], &[a, b]),
                6 if a != b && b != c && a != c => g("ccx", &[], &[a, b, c]),
                7 if a != b => g("crz", &[angle], &[a, b]),
                8 => g("u3", &[angle, angle / 2.0, 1.0], &[a]),
                _ => g("t", &[], &[a]),
            };
            circuit.push(gate);
        }
        circuits.push(circuit);
    }
    for circuit in circuits {
        let one_by_one = run(n, &circuit);
        let mut fused = StateVector::new(n).unwrap();
        fused.apply_all(&circuit);
        let worst = one_by_one.amplitudes().iter().zip(fused.amplitudes()).map(|(a, b)| (a - b).norm()).fold(0.0, f64::max);
        assert!(worst < 1e-10, "largest difference {worst}");
    }
}
