//! Every bundled executable skill runs for real through `llmos run`: its
//! `execute(inputs)` is called with the defaults its SKILL.md declares,
//! under CPython and Node, through the harness the browser uses, and must
//! return exactly the outputs it declares. Then the command's contract:
//! bad inputs exit 2 naming the field, a raising skill exits 1 with its
//! traceback, `--inputs FILE` is read, and the time limit kills a loop.

mod common;

use llmos_core::run::{check_outputs, validate_inputs};
use llmos_core::{parse_skill, Skill, SkillSource};
use serde_json::{Map, Value};
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

fn bundled_skills() -> Vec<Skill> {
    let root = common::repo("system-skills");
    let mut skills = Vec::new();
    for entry in fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(bytes) = fs::read(dir.join("SKILL.md")) else { continue };
        let folder = dir.file_name().unwrap().to_str().unwrap().to_string();
        let files: Vec<String> = common::files_under(&dir).iter().map(|p| p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned()).collect();
        let path = dir.join("SKILL.md").display().to_string();
        let (skill, _) = parse_skill(&SkillSource { path: &path, folder: &folder, bytes: &bytes, files: &files }).unwrap();
        skills.push(skill);
    }
    skills.sort_by(|a, b| a.name.cmp(&b.name));
    skills
}

/// Skills `llmos run` runs with an interpreter (workflows are run step by step).
fn runnable(skill: &Skill) -> bool {
    matches!(skill.kind.as_deref(), Some("python" | "javascript"))
}

/// `llmos run <name> --json --skills system-skills`, which must succeed.
fn run_json(name: &str, extra: &[&str]) -> Value {
    let cwd = tempfile::tempdir().unwrap();
    let skills = common::repo("system-skills");
    let mut args = vec!["run", name, "--json", "--skills", skills.to_str().unwrap()];
    args.extend_from_slice(extra);
    let run = common::llmos(cwd.path(), &args);
    assert!(run.ok, "{name} failed (exit {:?}):\n{}", run.code, run.stderr);
    assert_eq!(run.stdout.lines().count(), 1, "{name}: --json prints one line: {}", run.stdout);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{name}: output is not JSON ({e}): {}", run.stdout))
}

#[test]
fn every_bundled_skills_defaults_validate() {
    for skill in bundled_skills().iter().filter(|s| runnable(s)) {
        for input in &skill.inputs {
            assert!(input.default.is_some() || !input.required, "{}: required input `{}` has no default", skill.name, input.name);
        }
        if let Err(errors) = validate_inputs(&skill.inputs, &Map::new()) {
            panic!("{}: its defaults do not validate: {errors:?}", skill.name);
        }
    }
}

#[test]
fn every_executable_skill_returns_its_declared_outputs() {
    let executable: Vec<Skill> = bundled_skills().into_iter().filter(runnable).collect();
    assert!(executable.len() >= 8, "at least 8 executable skills, found {}", executable.len());
    for skill in &executable {
        let result = run_json(&skill.name, &[]);
        let mut got: Vec<&str> = result.as_object().unwrap_or_else(|| panic!("{}: returned {result}", skill.name)).keys().map(String::as_str).collect();
        let mut declared: Vec<&str> = skill.outputs.iter().map(|o| o.name.as_str()).collect();
        got.sort_unstable();
        declared.sort_unstable();
        assert_eq!(got, declared, "{}: outputs differ from the declaration", skill.name);
        assert_eq!(check_outputs(&skill.outputs, &result), Vec::<String>::new(), "{}: outputs of the wrong type", skill.name);
    }
}

#[test]
fn the_quantum_skills_compute_the_right_physics() {
    let result = run_json("vqe-h2", &[]);
    let energy = result.as_object().unwrap().values().find_map(|v| v.as_f64().filter(|e| *e < -1.0 && *e > -1.2)).unwrap_or_else(|| panic!("no ground energy in {result}"));
    assert!((energy + 1.137).abs() < 0.002, "H2 ground state energy {energy}");
    let text = run_json("bell-state", &[]).to_string();
    assert!(text.contains("0.5"), "Bell state probabilities: {text}");
    let psi = run_json("bell-state", &["--input", "variant=psi-", "--input", "shots=10"]);
    assert_eq!(psi["probabilities"]["01"], 0.5, "{psi}");
    assert_eq!(psi["counts"].as_object().unwrap().values().filter_map(Value::as_u64).sum::<u64>(), 10, "{psi}");
}

/// A folder of test skills: `boom` raises, `spin` never returns, `echo` gives its inputs back.
fn test_skills() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let skill = |name: &str, kind: &str, meta: &str, file: &str, code: &str| {
        let folder = dir.path().join(name);
        fs::create_dir_all(folder.join("scripts")).unwrap();
        fs::write(folder.join("SKILL.md"), format!("---\nname: {name}\ndescription: A test skill.\ntype: {kind}\n{meta}---\nTest.\n")).unwrap();
        fs::write(folder.join("scripts").join(file), code).unwrap();
    };
    skill("boom", "python", "inputs:\n  - name: n\n    type: integer\n    default: 0\n", "main.py",
        "def helper(n):\n    return 1 / n\n\ndef execute(inputs):\n    print('dividing')\n    return {'x': helper(inputs['n'])}\n");
    skill("spin", "python", "", "main.py", "def execute(inputs):\n    while True:\n        pass\n");
    skill("spin-js", "javascript", "", "main.js", "function execute(inputs) {\n  for (;;) {}\n}\n");
    skill("echo", "javascript", "inputs:\n  - name: top_n\n    type: integer\n    default: 3\n  - name: kind\n    type: enum\n    options: [line, bar]\n    default: line\n  - name: data\n    type: array\n    default: []\n", "main.js",
        "async function execute(inputs) {\n  return { inputs };\n}\n");
    // Files of bytes reach execute() as bytes in both languages.
    let bytes_input = "inputs:\n  - name: blob\n    type: file\n    format: bytes\n";
    skill("size-py", "python", bytes_input, "main.py", "def execute(inputs):\n    b = inputs['blob']\n    return {'kind': type(b).__name__, 'size': len(b), 'first': b[0]}\n");
    skill("size-js", "javascript", bytes_input, "main.js", "function execute(inputs) {\n  const b = inputs.blob;\n  return { kind: b.constructor.name, size: b.length, first: b[0] };\n}\n");
    skill("exported", "javascript", "", "main.js", "export function execute(inputs) {\n  return { ok: true };\n}\n");
    dir
}

fn run_in(skills: &Path, args: &[&str]) -> common::Run {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--skills", skills.to_str().unwrap()]);
    common::llmos(skills, &all)
}

#[test]
fn bad_inputs_exit_2_naming_every_field() {
    let skills = test_skills();
    let run = run_in(skills.path(), &["run", "echo", "--input", "top_n=2.5", "--input", "kind=pie", "--input", "data=[1,", "--input", "colour=red"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    for expected in ["`top_n` must be a whole number, got 2.5", "`kind` must be one of line, bar; got \"pie\"", "`data` is not valid JSON", "`colour` is not an input of this skill"] {
        assert!(run.stderr.contains(expected), "missing {expected:?} in:\n{}", run.stderr);
    }
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

#[test]
fn inputs_come_from_a_file_and_flags_override_it() {
    let skills = test_skills();
    fs::write(skills.path().join("inputs.json"), r#"{"top_n": 7, "kind": "bar", "data": [1, {"a": 2}]}"#).unwrap();
    let run = run_in(skills.path(), &["run", "echo", "--json", "--inputs", "inputs.json", "--input", "top_n=9"]);
    assert!(run.ok, "{}", run.stderr);
    let result: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(result, serde_json::json!({"inputs": {"top_n": 9, "kind": "bar", "data": [1, {"a": 2}]}}));
    fs::write(skills.path().join("bad.json"), "[1, 2]").unwrap();
    let run = run_in(skills.path(), &["run", "echo", "--inputs", "bad.json"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("bad.json must hold a JSON object of inputs"), "{}", run.stderr);
}

#[test]
fn a_skill_that_raises_exits_1_with_its_traceback() {
    let skills = test_skills();
    let run = run_in(skills.path(), &["run", "boom"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    for expected in ["boom failed", "Traceback (most recent call last):", "File \"scripts/main.py\", line 2, in helper", "return 1 / n", "ZeroDivisionError: division by zero", "dividing"] {
        assert!(run.stderr.contains(expected), "missing {expected:?} in:\n{}", run.stderr);
    }
    assert!(!run.stderr.contains("<llmos>"), "the harness's frames are cut:\n{}", run.stderr);
    let run = run_in(skills.path(), &["run", "boom", "--input", "n=4", "--json"]);
    assert_eq!(run.stdout.trim(), r#"{"x": 0.25}"#, "{}", run.stderr);
}

#[test]
fn the_time_limit_kills_an_endless_loop() {
    let skills = test_skills();
    for name in ["spin", "spin-js"] {
        let started = Instant::now();
        let run = run_in(skills.path(), &["run", name, "--timeout", "1"]);
        assert_eq!(run.code, Some(1), "{name}: {}", run.stderr);
        assert!(run.stderr.contains("was stopped after 1 s"), "{name}: {}", run.stderr);
        assert!(started.elapsed() < Duration::from_secs(5), "{name} took {:?}", started.elapsed());
    }
}

#[test]
fn files_of_bytes_reach_execute_as_bytes_in_python_and_javascript() {
    let skills = test_skills();
    let file = skills.path().join("data.bin");
    fs::write(&file, [200u8, 1, 2, 3, 4]).unwrap();
    for (name, kind) in [("size-py", "bytes"), ("size-js", "Uint8Array")] {
        let run = run_in(skills.path(), &["run", name, "--json", "--input", &format!("blob=@{}", file.display())]);
        assert!(run.ok, "{name}: {}", run.stderr);
        let out: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(out, serde_json::json!({ "kind": kind, "size": 5, "first": 200 }), "{name}");
    }
}

#[test]
fn code_written_as_a_module_says_to_drop_export() {
    let skills = test_skills();
    let run = run_in(skills.path(), &["run", "exported"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("runs as a script, not a module: remove `export` and `import`"), "{}", run.stderr);
}

#[test]
fn nothing_to_run_exits_3() {
    let skills = test_skills();
    let run = run_in(skills.path(), &["run", "no-such-skill"]);
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(run.stderr.contains("there is no skill named `no-such-skill`"), "{}", run.stderr);
    let cwd = tempfile::tempdir().unwrap();
    let run = common::llmos(cwd.path(), &["run", "code-review"]);
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(run.stderr.contains("instructions skill"), "{}", run.stderr);
}
