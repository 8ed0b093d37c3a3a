//! Every bundled executable skill runs for real: its `execute(inputs)` is
//! called with the defaults its SKILL.md declares, under CPython and Node,
//! and must return exactly the outputs it declares.

mod common;

use llmos_core::{parse_skill, Skill, SkillSource};
use std::fs;
use std::path::Path;
use std::process::Command;

const PYTHON_RUNNER: &str = r#"
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("skill", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(json.dumps(module.execute(json.loads(sys.argv[2]))))
"#;

const NODE_RUNNER: &str = r#"
const code = require("fs").readFileSync(process.argv[1], "utf8");
// A plain script, as the browser sandbox will run it: no modules, no require.
const execute = new Function(code + "\nreturn execute;")();
Promise.resolve(execute(JSON.parse(process.argv[2]))).then(r => console.log(JSON.stringify(r)));
"#;

fn bundled_skills() -> Vec<(Skill, std::path::PathBuf)> {
    let root = common::repo("system-skills");
    let mut skills = Vec::new();
    for entry in fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(bytes) = fs::read(dir.join("SKILL.md")) else { continue };
        let folder = dir.file_name().unwrap().to_str().unwrap().to_string();
        let files: Vec<String> = common::files_under(&dir).iter().map(|p| p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned()).collect();
        let path = dir.join("SKILL.md").display().to_string();
        let (skill, _) = parse_skill(&SkillSource { path: &path, folder: &folder, bytes: &bytes, files: &files }).unwrap();
        skills.push((skill, dir));
    }
    skills
}

fn run(skill: &Skill, dir: &Path) -> serde_json::Value {
    let inputs: serde_json::Map<String, serde_json::Value> = skill.inputs.iter().filter_map(|i| Some((i.name.clone(), i.default.clone()?))).collect();
    let inputs = serde_json::Value::Object(inputs).to_string();
    let entry = dir.join(skill.entry.as_ref().expect("executable skills have an entry"));
    let output = match skill.kind.as_deref() {
        Some("python") => Command::new("python3").arg("-c").arg(PYTHON_RUNNER).arg(&entry).arg(&inputs).output(),
        Some("javascript") => Command::new("node").arg("-e").arg(NODE_RUNNER).arg(&entry).arg(&inputs).output(),
        other => panic!("{}: no runner for type {other:?}", skill.name),
    }
    .expect("python3 and node are installed (scripts/test.sh installs them)");
    assert!(output.status.success(), "{} failed:\n{}", skill.name, String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{}: output is not JSON ({e}): {}", skill.name, String::from_utf8_lossy(&output.stdout)))
}

#[test]
fn every_executable_skill_returns_its_declared_outputs() {
    let executable: Vec<_> = bundled_skills().into_iter().filter(|(s, _)| s.is_executable()).collect();
    assert!(executable.len() >= 8, "at least 8 executable skills, found {}", executable.len());
    for (skill, dir) in &executable {
        for input in &skill.inputs {
            assert!(input.default.is_some() || !input.required, "{}: required input `{}` has no default", skill.name, input.name);
        }
        let result = run(skill, dir);
        let mut got: Vec<&str> = result.as_object().unwrap_or_else(|| panic!("{}: returned {result}", skill.name)).keys().map(String::as_str).collect();
        let mut declared: Vec<&str> = skill.outputs.iter().map(|o| o.name.as_str()).collect();
        got.sort_unstable();
        declared.sort_unstable();
        assert_eq!(got, declared, "{}: outputs differ from the declaration", skill.name);
    }
}

#[test]
fn the_quantum_skills_compute_the_right_physics() {
    let skills = bundled_skills();
    let find = |name: &str| skills.iter().find(|(s, _)| s.name == name).unwrap_or_else(|| panic!("{name} is bundled"));
    let (vqe, dir) = find("vqe-h2");
    let result = run(vqe, dir);
    let energy = result.as_object().unwrap().values().find_map(|v| v.as_f64().filter(|e| *e < -1.0 && *e > -1.2)).unwrap_or_else(|| panic!("no ground energy in {result}"));
    assert!((energy + 1.137).abs() < 0.002, "H2 ground state energy {energy}");
    let (bell, dir) = find("bell-state");
    let text = run(bell, dir).to_string();
    assert!(text.contains("0.5"), "Bell state probabilities: {text}");
}
