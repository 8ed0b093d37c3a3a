//! The quantum runtime from the command line: `llmos quantum` on OpenQASM
//! files (results, errors with file, line and column, exit codes),
//! `type: qasm` skills under `llmos run`, and the `llmos_quantum` modules of
//! Python and JavaScript skills running on the real runtime (their own unit
//! tests included).

mod common;

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn llmos(cwd: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_llmos"));
    command.args(args).current_dir(cwd).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    command.stdin(if stdin.is_some() { std::process::Stdio::piped() } else { std::process::Stdio::null() });
    let mut child = command.spawn().expect("llmos runs");
    if let Some(text) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const GHZ: &str = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\ncreg c[3];\nh q[0];\ncx q[0],q[1];\ncx q[1],q[2];\nmeasure q -> c;\n";

#[test]
fn llmos_quantum_runs_a_file_and_names_errors_by_line_and_column() {
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("ghz.qasm"), GHZ).unwrap();
    let shown = llmos(work.path(), &["quantum", "ghz.qasm", "--shots", "500", "--seed", "4"], None);
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    let out = text(&shown.stdout);
    assert!(out.contains("q[0]: ──H──●") && out.contains("3 qubits, 500 shots, seed 4"), "{out}");
    let json = llmos(work.path(), &["quantum", "ghz.qasm", "--shots", "500", "--seed", "4", "--json"], None);
    let result: Value = serde_json::from_slice(&json.stdout).unwrap();
    let counts = result["counts"].as_object().unwrap();
    assert_eq!(counts.keys().collect::<Vec<_>>(), ["000", "111"]);
    assert_eq!(counts.values().map(|v| v.as_u64().unwrap()).sum::<u64>(), 500);
    assert!(out.contains(&format!("{}", counts["000"])), "the summary lists the same counts for the same seed");
    assert!(result["histogram"].as_str().unwrap().starts_with("<svg"));

    std::fs::write(work.path().join("bad.qasm"), "OPENQASM 2.0;\nqreg q[2];\ncx q[0], q[2];\n").unwrap();
    let bad = llmos(work.path(), &["quantum", "bad.qasm"], None);
    assert_eq!(bad.status.code(), Some(1));
    assert_eq!(text(&bad.stderr).trim(), "error: bad.qasm: line 3, column 12: `q` has 2 elements, so `q[2]` is out of range (indices start at 0)");
    let missing = llmos(work.path(), &["quantum", "nowhere.qasm"], None);
    assert_eq!(missing.status.code(), Some(2));

    let param = "OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] theta;\nqubit[1] q;\nbit[1] c;\nrx(theta) q[0];\nc[0] = measure q[0];\n";
    std::fs::write(work.path().join("rx.qasm"), param).unwrap();
    let flipped = llmos(work.path(), &["quantum", "rx.qasm", "--param", "theta=3.141592653589793", "--json", "--seed", "1"], None);
    let result: Value = serde_json::from_slice(&flipped.stdout).unwrap_or_else(|_| panic!("{}", text(&flipped.stderr)));
    assert_eq!(result["counts"], serde_json::json!({ "1": 1024 }), "rx(π) flips the qubit");
    assert!(!text(&flipped.stderr).contains("warning"), "{}", text(&flipped.stderr));
    let typo = llmos(work.path(), &["quantum", "rx.qasm", "--param", "theta=0", "--param", "thetta=1", "--seed", "1"], None);
    assert!(typo.status.success());
    assert!(text(&typo.stderr).contains("warning: --param thetta: rx.qasm never mentions `thetta`"), "an unused parameter is named: {}", text(&typo.stderr));

    let request = serde_json::json!({ "qasm": GHZ, "shots": 10, "seed": 2 }).to_string();
    let answered = llmos(work.path(), &["quantum", "--request"], Some(&request));
    let result: Value = serde_json::from_slice(&answered.stdout).unwrap();
    assert_eq!(result["seed"], 2);
    let failed = llmos(work.path(), &["quantum", "--request"], Some(r#"{"qasm": "qreg q[1]; zz q[0];"}"#));
    let result: Value = serde_json::from_slice(&failed.stdout).unwrap();
    assert!(result["error"].as_str().unwrap().starts_with("line 1, column 12: unknown gate `zz`"), "{result}");
}

fn write(root: &Path, rel: &str, content: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

#[test]
fn qasm_skills_and_the_python_and_javascript_modules_run_on_the_runtime() {
    let work = tempfile::tempdir().unwrap();
    let skills = work.path().join("skills");
    write(&skills, "ghz/SKILL.md", "---\nname: ghz\ndescription: A GHZ state.\ntype: qasm\ninputs:\n  - name: shots\n    type: integer\n    default: 64\n  - name: seed\n    type: integer\n    default: 3\noutputs:\n  - name: counts\n    type: object\n  - name: histogram\n    type: svg\n---\n# GHZ\n");
    write(&skills, "ghz/scripts/circuit.qasm", GHZ);
    let broken = work.path().join("broken");
    write(&broken, "broken/SKILL.md", "---\nname: broken\ndescription: A circuit with an error.\ntype: qasm\n---\n# Broken\n");
    write(&broken, "broken/scripts/circuit.qasm", "qreg q[1];\nh q[0]\n");
    write(&broken, "needs-theta/SKILL.md", "---\nname: needs-theta\ndescription: A circuit whose parameter the skill does not give.\ntype: qasm\n---\n# Needs theta\n");
    write(&broken, "needs-theta/scripts/circuit.qasm", "OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float[64] theta;\nqubit[1] q;\nrx(theta) q[0];\n");
    write(&skills, "js-bell/SKILL.md", "---\nname: js-bell\ndescription: A Bell pair from JavaScript.\ntype: javascript\noutputs:\n  - name: counts\n    type: object\n---\n# JS Bell\n");
    write(&skills, "js-bell/scripts/main.js", "function execute(inputs) {\n  const qc = new llmos_quantum.QuantumCircuit(2, 2).h(0).cx(0, 1).measure_all();\n  return { counts: llmos_quantum.run(qc, { shots: 100, seed: 5 }).counts };\n}\n");
    write(&skills, "py-bell/SKILL.md", "---\nname: py-bell\ndescription: A Bell pair from Python.\ntype: python\noutputs:\n  - name: counts\n    type: object\n---\n# Py Bell\n");
    write(&skills, "py-bell/scripts/main.py", "import llmos_quantum\n\ndef execute(inputs):\n    qc = llmos_quantum.QuantumCircuit(2, 2)\n    qc.h(0).cx(0, 1).measure([0, 1], [0, 1])\n    return {'counts': llmos_quantum.run(qc, shots=100, seed=5)['counts']}\n");
    let run = |name: &str| llmos(work.path(), &["run", name, "--skills", "skills", "--json"], None);

    let ghz = run("ghz");
    assert!(ghz.status.success(), "{}", text(&ghz.stderr));
    let outputs: Value = serde_json::from_slice(&ghz.stdout).unwrap();
    assert_eq!(outputs.as_object().unwrap().keys().collect::<Vec<_>>(), ["counts", "histogram"], "only the declared outputs");
    assert_eq!(outputs["counts"].as_object().unwrap().keys().collect::<Vec<_>>(), ["000", "111"]);
    assert_eq!(run("ghz").stdout, ghz.stdout, "the seed input repeats the counts");

    // A circuit that cannot run is the skill's error, found by `llmos check`
    // (and the build) with its file, line and column.
    let checked = llmos(work.path(), &["check", "--skills", "broken"], None);
    assert_eq!(checked.status.code(), Some(1));
    let report = text(&checked.stderr);
    assert!(report.contains("broken/broken/scripts/circuit.qasm:3:1: expected `;` after the `h` gate"), "{report}");
    assert!(report.contains("needs-theta/scripts/circuit.qasm:3:17: the input `theta` has no value"), "{report}");

    // The same circuit and seed from JavaScript and from Python: the same counts.
    let js = run("js-bell");
    assert!(js.status.success(), "{}", text(&js.stderr));
    let py = run("py-bell");
    assert!(py.status.success(), "{}", text(&py.stderr));
    let (js, py): (Value, Value) = (serde_json::from_slice(&js.stdout).unwrap(), serde_json::from_slice(&py.stdout).unwrap());
    assert_eq!(js, py);
    // (JavaScript lists "11" first: integer-like keys come first in its objects.)
    let mut outcomes: Vec<&String> = js["counts"].as_object().unwrap().keys().collect();
    outcomes.sort();
    assert_eq!(outcomes, ["00", "11"]);
}

/// The modules' own tests (builders, OpenQASM text, error handling), with
/// the interpreters `llmos run` uses.
#[test]
fn the_python_and_javascript_modules_pass_their_own_tests() {
    let root = common::repo(".");
    let python = Command::new("python3").args(["-m", "unittest", "app/src/quantum/test_llmos_quantum.py"]).current_dir(&root).env("LLMOS_QUANTUM", env!("CARGO_BIN_EXE_llmos")).output().expect("python3 runs");
    assert!(python.status.success(), "{}{}", text(&python.stdout), text(&python.stderr));
    let node = Command::new("node").arg("app/src/quantum/test_llmos_quantum.mjs").current_dir(&root).env("LLMOS_QUANTUM", env!("CARGO_BIN_EXE_llmos")).output().expect("node runs");
    assert!(node.status.success(), "{}{}", text(&node.stdout), text(&node.stderr));
}
