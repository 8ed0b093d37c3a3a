//! OpenQASM 2 and 3 files as Qiskit 2.6 writes them (`fixtures/qasm/`):
//! each parses, and its final state's probabilities equal those Qiskit's
//! own `Statevector` computed; the OpenQASM 2 and 3 forms of a circuit
//! agree; mid-circuit measurement, conditions, reset and inputs work.

use llmos_core::quantum::{bitstring, execute, qasm};
use std::collections::BTreeMap;
use std::path::Path;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/qasm").join(name)).unwrap()
}

fn probabilities(source: &str) -> BTreeMap<String, f64> {
    let circuit = qasm::parse(source, &BTreeMap::new()).unwrap_or_else(|e| panic!("{e}\n{source}"));
    let state = execute(&circuit, 0, 1).unwrap().state.expect("measurements at the end");
    state.probabilities().iter().enumerate().filter(|(_, p)| **p > 1e-12).map(|(i, p)| (bitstring(i, circuit.qubits), *p)).collect()
}

#[test]
fn qiskit_exports_give_qiskits_probabilities() {
    let reference: BTreeMap<String, BTreeMap<String, f64>> = serde_json::from_str(&fixture("probabilities.json")).unwrap();
    for (name, expected) in &reference {
        for version in ["qasm2", "qasm3"] {
            let got = probabilities(&fixture(&format!("{name}.{version}")));
            assert_eq!(got.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>(), "{name}.{version}");
            for (state, p) in expected {
                assert!((got[state] - p).abs() < 1e-9, "{name}.{version}: {state} {} vs Qiskit {p}", got[state]);
            }
        }
    }
    assert!(reference.len() >= 5);
}

#[test]
fn qiskit_teleportation_with_conditions_and_reset_moves_the_state() {
    let circuit = qasm::parse(&fixture("teleport.qasm3"), &BTreeMap::new()).unwrap();
    assert_eq!((circuit.qubits, circuit.clbits), (3, 3));
    let counts = execute(&circuit, 4000, 7).unwrap().counts;
    // res (the leftmost bit) reads 1 with probability sin²(0.6), as ry(1.2) set it.
    let ones: usize = counts.iter().filter(|(k, _)| k.starts_with('1')).map(|(_, v)| v).sum();
    let expected = 4000.0 * 0.6f64.sin().powi(2);
    assert!((ones as f64 - expected).abs() < 4.0 * (expected * 0.7).sqrt(), "{ones} vs {expected:.0}: {counts:?}");
}

#[test]
fn qiskit_parameters_are_inputs() {
    let source = fixture("param.qasm3");
    let params = BTreeMap::from([("theta".to_string(), std::f64::consts::PI)]);
    let circuit = qasm::parse(&source, &params).unwrap();
    assert_eq!(execute(&circuit, 100, 1).unwrap().counts, BTreeMap::from([("1".to_string(), 100)]));
    let missing = qasm::parse(&source, &BTreeMap::new()).unwrap_err();
    assert_eq!((missing.line, missing.column), (3, 17));
}
