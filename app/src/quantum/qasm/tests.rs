use super::*;
use crate::quantum::{execute, run_request};
use serde_json::Value;

fn circuit(source: &str) -> Circuit {
    parse(source, &BTreeMap::new()).unwrap_or_else(|e| panic!("{e}"))
}

fn error(source: &str) -> QasmError {
    parse(source, &BTreeMap::new()).expect_err("should not parse")
}

fn counts(source: &str, shots: usize, seed: u64) -> BTreeMap<String, usize> {
    execute(&circuit(source), shots, seed).unwrap().counts
}

const BELL2: &str = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\nmeasure q -> c;\n";

#[test]
fn openqasm2_bell_pair_gives_only_correlated_outcomes() {
    let c = circuit(BELL2);
    assert_eq!((c.version, c.qubits, c.clbits), (2, 2, 2));
    let counts = counts(BELL2, 2000, 3);
    assert_eq!(counts.keys().collect::<Vec<_>>(), ["00", "11"]);
    assert!((counts["00"] as i64 - 1000).abs() < 120, "{counts:?}");
    assert_eq!(counts, super::super::execute(&c, 2000, 3).unwrap().counts, "a seed repeats");
}

#[test]
fn qiskit_exported_openqasm3_parses_and_runs() {
    // As qiskit.qasm3.dumps writes a circuit with a custom gate and a condition.
    let source = r#"OPENQASM 3.0;
include "stdgates.inc";
input float[64] theta;
gate mygate(_gate_p_0) _gate_q_0, _gate_q_1 {
  rz(_gate_p_0) _gate_q_1;
  cx _gate_q_0, _gate_q_1;
}
bit[2] c;
qubit[3] q;
x q[0];
mygate(theta) q[0], q[2];
c[0] = measure q[0];
if (c[0]) {
  x q[1];
}
c[1] = measure q[1];
"#;
    let params = BTreeMap::from([("theta".to_string(), 0.25)]);
    let parsed = parse(source, &params).unwrap();
    assert_eq!((parsed.version, parsed.qubits, parsed.clbits), (3, 3, 2));
    assert!(matches!(parsed.ops[1], Op::Gate { ref name, ref params, .. } if name == "rz" && params == &[0.25]));
    // q0 is 1, so c0 = 1, then the condition flips q1: c = 11 always.
    assert_eq!(execute(&parsed, 50, 1).unwrap().counts, BTreeMap::from([("11".to_string(), 50)]));
    let missing = parse(source, &BTreeMap::new()).unwrap_err();
    assert_eq!((missing.line, missing.column), (3, 17));
    assert!(missing.message.contains("input `theta` has no value"), "{missing}");
}

#[test]
fn registers_broadcast_and_sizes_must_match() {
    let c = circuit("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg a[3];\nqreg b[3];\ncx a, b;\nh a[0];\ncx a[0], b;\n");
    let pairs: Vec<Vec<usize>> = c.ops.iter().map(|op| if let Op::Gate { qubits, .. } = op { qubits.clone() } else { vec![] }).collect();
    assert_eq!(pairs, [vec![0, 3], vec![1, 4], vec![2, 5], vec![0], vec![0, 3], vec![0, 4], vec![0, 5]]);
    let e = error("qreg a[2];\nqreg b[3];\ncx a, b;\n");
    assert_eq!((e.line, e.column), (3, 4), "{e}");
    assert!(e.message.contains("same size"), "{e}");
}

#[test]
fn user_gates_expand_with_their_parameters() {
    let source = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\ngate twist(a, b) x, y { rz(a*2) x; cu1(b/2 + pi) x, y; }\nqreg q[2];\ntwist(0.5, -pi) q[1], q[0];\n";
    let c = circuit(source);
    match &c.ops[..] {
        [Op::Gate { name: n1, params: p1, qubits: q1, .. }, Op::Gate { name: n2, params: p2, qubits: q2, .. }] => {
            assert_eq!((n1.as_str(), q1.as_slice()), ("rz", &[1][..]));
            assert!((p1[0] - 1.0).abs() < 1e-12);
            assert_eq!((n2.as_str(), q2.as_slice()), ("cu1", &[1, 0][..]));
            assert!((p2[0] - std::f64::consts::FRAC_PI_2).abs() < 1e-12);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn expressions_follow_precedence_and_functions() {
    let c = circuit("qubit q;\nrz(-2^2 + 3*2/4 - sin(pi/2) + sqrt(16) % 3 + 2**3**0) q;\n");
    let Op::Gate { params, .. } = &c.ops[0] else { panic!() };
    // -(2^2) + 1.5 - 1 + (4 % 3) + 2^(3^0) = -4 + 1.5 - 1 + 1 + 2
    assert!((params[0] - (-0.5)).abs() < 1e-12, "{params:?}");
}

#[test]
fn openqasm2_conditions_compare_the_whole_register() {
    // Teleport |1⟩ from q0 to q2, with OpenQASM 2 conditions on c0 and c1.
    let source = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\ncreg c0[1];\ncreg c1[1];\ncreg out[1];\nx q[0];\nh q[1];\ncx q[1],q[2];\ncx q[0],q[1];\nh q[0];\nmeasure q[0] -> c0[0];\nmeasure q[1] -> c1[0];\nif(c1==1) x q[2];\nif(c0==1) z q[2];\nmeasure q[2] -> out[0];\n";
    let result = counts(source, 400, 9);
    assert!(result.keys().all(|k| k.starts_with('1')), "out (the leftmost bit) is always 1: {result:?}");
    assert_eq!(result.len(), 4, "c0 and c1 take all four values: {result:?}");
}

#[test]
fn reset_and_else_run_per_shot() {
    let source = "OPENQASM 3.0;\ninclude \"stdgates.inc\";\nbit[2] c;\nqubit[1] q;\nh q[0];\nc[0] = measure q[0];\nreset q[0];\nif (c[0] == 1) { x q[0]; } else { }\nc[1] = measure q[0];\n";
    let result = counts(source, 300, 5);
    assert_eq!(result.keys().collect::<Vec<_>>(), ["00", "11"], "c1 copies c0 through reset and the condition");
    let negated = "OPENQASM 3.0;\nbit[1] c;\nbit[1] d;\nqubit[1] q;\nc[0] = measure q[0];\nif (!c[0]) { x q[0]; }\nd[0] = measure q[0];\n";
    assert_eq!(counts(negated, 10, 1), BTreeMap::from([("10".to_string(), 10)]));
}

#[test]
fn errors_name_line_column_and_fix() {
    let cases: [(&str, (usize, usize), &str); 10] = [
        ("qreg q[2];\nhh q[0];\n", (2, 1), "unknown gate `hh`"),
        ("qreg q[2];\nh q[2];\n", (2, 5), "out of range"),
        ("qreg q[2];\ncx q[0], q[0];\n", (2, 1), "q[0] twice"),
        ("qreg q[2];\nh q[0]\nx q[1];\n", (3, 1), "every statement ends with `;`"),
        ("qreg q[2];\nrx q[0];\n", (2, 1), "takes 1 parameter and 1 qubit, but was given 0 parameters"),
        ("qreg q[1];\ncreg c[1];\nmeasure r[0] -> c[0];\n", (3, 9), "no quantum register is named `r`"),
        ("OPENQASM 2.0;\ninclude \"mylib.inc\";\n", (2, 9), "paste its gate definitions"),
        ("qubit[2] q;\nfor int i in [0:1] { h q[i]; }\n", (2, 1), "`for` is OpenQASM 3 this runtime does not run"),
        ("qubit[2] q;\nctrl @ x q[0], q[1];\n", (2, 1), "gate modifiers"),
        ("qreg q[29];\n", (1, 6), "at most 28"),
    ];
    for (source, (line, column), needle) in cases {
        let e = error(source);
        assert_eq!((e.line, e.column), (line, column), "{source}: {e}");
        assert!(e.message.contains(needle), "{source}: {e}");
    }
    assert!(error("qreg q[1];\n/* open\n").to_string().starts_with("line 2, column 1: this `/*` comment is never closed"));
}

#[test]
fn composite_qelib_gates_match_their_definitions() {
    // rzz(θ) is diagonal: e^{-iθ/2} on 00 and 11 up to phase; check by interference:
    // H⊗H, rzz(π), H⊗H maps |00⟩ to |11⟩ (up to a global phase).
    let result = counts("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\nh q;\nrzz(pi) q[0],q[1];\nh q;\n", 20, 1);
    assert_eq!(result, BTreeMap::from([("11".to_string(), 20)]));
    let c3x = counts("qreg q[4];\nx q[0];\nx q[1];\nx q[2];\nc3x q[0],q[1],q[2],q[3];\n", 5, 1);
    assert_eq!(c3x, BTreeMap::from([("1111".to_string(), 5)]));
}

#[test]
fn run_request_reports_counts_state_histogram_and_drawing() {
    let request = serde_json::json!({ "qasm": BELL2, "shots": 100, "seed": 11 }).to_string();
    let result: Value = serde_json::from_str(&run_request(&request, 0)).unwrap();
    assert_eq!(result["seed"], 11);
    assert_eq!(result["qubits"], 2);
    let total: u64 = result["counts"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(total, 100);
    // Amplitudes are reported rounded to 12 decimals, so not FRAC_1_SQRT_2 itself.
    #[allow(clippy::approx_constant)]
    let rounded = 0.707106781187;
    assert_eq!(result["amplitudes"]["11"][0].as_f64().unwrap(), rounded);
    assert_eq!(result["probabilities"].as_object().unwrap().len(), 2);
    assert_eq!(result["most_likely"].as_array().unwrap().len(), 2);
    let svg = result["histogram"].as_str().unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("role=\"img\"") && svg.contains("<title>11: "), "{svg}");
    let drawing = result["circuit"].as_str().unwrap();
    assert!(drawing.contains("q[0]: ") && drawing.contains('H') && drawing.contains('●') && drawing.contains("M→c[1]"), "{drawing}");
    let failed: Value = serde_json::from_str(&run_request(r#"{"qasm": "qreg q[1];\nfoo q[0];"}"#, 0)).unwrap();
    assert_eq!(failed["error"], "line 2, column 1: unknown gate `foo`; use a gate of qelib1.inc or stdgates.inc, or define it with `gate foo … { … }`");
}

#[test]
fn no_measurement_samples_every_qubit_and_angles_read_as_pi_fractions() {
    assert_eq!(counts("qubit[3] q;\nx q[1];\n", 4, 1), BTreeMap::from([("010".to_string(), 4)]));
    assert_eq!(crate::quantum::angle(-3.0 * std::f64::consts::PI / 4.0), "-3π/4");
    assert_eq!(crate::quantum::angle(0.5), "0.5");
}
