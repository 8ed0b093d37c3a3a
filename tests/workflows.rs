//! Workflows end to end: `llmos check` refuses broken ones naming file and
//! line, and `llmos run` runs every bundled workflow natively, passing
//! outputs along and stopping the dependants of a failed step.

mod common;

use common::llmos;
use serde_json::Value;
use std::fs;
use std::path::Path;

fn write(root: &Path, folder: &str, skill_md: &str, script: Option<&str>) {
    let dir = root.join(folder);
    fs::create_dir_all(dir.join("scripts")).unwrap();
    fs::write(dir.join("SKILL.md"), skill_md).unwrap();
    if let Some(script) = script {
        fs::write(dir.join("scripts/main.py"), script).unwrap();
    }
}

/// Two small python skills: `double` (x -> y = 2x) and `fail` (raises).
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let skills = dir.path().join("skills");
    write(&skills, "double", "---\nname: double\ndescription: Doubles a number.\ntype: python\ninputs:\n  - name: x\n    type: number\n    default: 1\noutputs:\n  - name: y\n    type: number\n---\n# Double\n",
        Some("def execute(inputs):\n    return {\"y\": inputs[\"x\"] * 2}\n"));
    write(&skills, "fail", "---\nname: fail\ndescription: Always fails.\ntype: python\ninputs:\n  - name: x\n    type: number\n    default: 1\noutputs:\n  - name: y\n    type: number\n---\n# Fail\n",
        Some("def execute(inputs):\n    raise ValueError(\"no luck today\")\n"));
    dir
}

fn check(dir: &Path) -> common::Run {
    llmos(dir, &["check", "--skills", "skills"])
}

const CYCLE: &str = "---
name: loop
description: Two steps waiting for each other.
type: workflow
steps:
  - id: a
    uses: double
    with:
      x: ${{ steps.b.outputs.y }}
  - id: b
    uses: double
    with:
      x: ${{ steps.a.outputs.y }}
---
# Loop
";

#[test]
fn check_rejects_a_cycle_naming_file_and_line() {
    let dir = tree();
    write(&dir.path().join("skills"), "loop", CYCLE, None);
    let run = check(dir.path());
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("skills/loop/SKILL.md:9:1: the steps `a` -> `b` -> `a` form a cycle"), "{}", run.stderr);
}

#[test]
fn renaming_a_step_skill_says_where_it_was_renamed() {
    let dir = tree();
    let skills = dir.path().join("skills");
    write(&skills, "chain", "---\nname: chain\ndescription: Doubles.\ntype: workflow\nsteps:\n  - id: first\n    uses: double\n---\n# Chain\n", None);
    let text = fs::read_to_string(skills.join("double/SKILL.md")).unwrap();
    fs::write(skills.join("double/SKILL.md"), text.replace("name: double", "name: doubler")).unwrap();
    let run = check(dir.path());
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("skills/chain/SKILL.md:7:1: step `first` uses `double`, which is not a skill of this site"), "{}", run.stderr);
    assert!(run.stderr.contains("skills/double/SKILL.md (folder `double`) is now named `doubler`: put `name: double` back there, or write `uses: doubler` here"), "{}", run.stderr);
}

#[test]
fn check_rejects_a_reference_to_a_missing_output_naming_file_and_line() {
    let dir = tree();
    let text = "---\nname: chain\ndescription: Doubles twice.\ntype: workflow\noutputs:\n  - name: result\n    type: number\n    value: ${{ steps.second.outputs.y }}\nsteps:\n  - id: first\n    uses: double\n  - id: second\n    uses: double\n    with:\n      x: ${{ steps.first.outputs.z }}\n---\n# Chain\n";
    write(&dir.path().join("skills"), "chain", text, None);
    let run = check(dir.path());
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("skills/chain/SKILL.md:15:1: `${{ steps.first.outputs.z }}`: `double` (step `first`) has no output `z`; it has `y`"), "{}", run.stderr);
    // The same tree with the reference fixed checks clean, and runs.
    fs::write(dir.path().join("skills/chain/SKILL.md"), text.replace("outputs.z", "outputs.y")).unwrap();
    let run = check(dir.path());
    assert!(run.ok, "{}", run.stderr);
    let run = llmos(dir.path(), &["run", "chain", "--skills", "skills", "--json", "--input", "x=5"]);
    assert_eq!(run.code, Some(2), "the workflow has no input x: {}", run.stderr);
    let run = llmos(dir.path(), &["run", "chain", "--skills", "skills", "--json"]);
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(serde_json::from_str::<Value>(&run.stdout).unwrap(), serde_json::json!({"result": 4}));
}

#[test]
fn a_failed_step_stops_its_dependants_with_a_readable_error() {
    let dir = tree();
    let text = "---\nname: broken\ndescription: A step fails.\ntype: workflow\noutputs:\n  - name: result\n    type: number\n    value: ${{ steps.after.outputs.y }}\nsteps:\n  - id: boom\n    uses: fail\n  - id: after\n    uses: double\n    with:\n      x: ${{ steps.boom.outputs.y }}\n  - id: aside\n    uses: double\n---\n# Broken\n";
    write(&dir.path().join("skills"), "broken", text, None);
    let run = llmos(dir.path(), &["run", "broken", "--skills", "skills", "--json"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("step `after` did not run: step `boom` failed:"), "{}", run.stderr);
    assert!(run.stderr.contains("no luck today"), "{}", run.stderr);
    assert!(run.stderr.contains("step aside done"), "an independent step still runs: {}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
}

fn run_bundled(name: &str, inputs: &[&str]) -> serde_json::Map<String, Value> {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["run", name, "--json"];
    for input in inputs {
        args.extend(["--input", input]);
    }
    let run = llmos(dir.path(), &args);
    assert!(run.ok, "{name}: {}", run.stderr);
    match serde_json::from_str(&run.stdout) {
        Ok(Value::Object(outputs)) => outputs,
        other => panic!("{name}: {other:?} from {}", run.stdout),
    }
}

fn is_svg(value: &Value) -> bool {
    value.as_str().is_some_and(|s| s.starts_with("<svg") && s.trim_end().ends_with("</svg>"))
}

#[test]
fn csv_to_chart_profiles_and_plots() {
    let out = run_bundled("csv-to-chart", &[]);
    assert!(is_svg(&out["chart"]), "{out:?}");
    assert_eq!(out["row_count"], 6);
    assert_eq!(out["columns"]["signups"]["type"], "integer");
    assert!(out["chart"].as_str().unwrap().contains("2024-03"), "the months label the bars");
    let out = run_bundled("csv-to-chart", &["csv=x,y\n1,2\n2,3\n3,5\n", "columns=[\"y\"]", "title=Mine"]);
    assert_eq!(out["row_count"], 3);
    assert!(out["chart"].as_str().unwrap().contains("Mine"));
}

#[test]
fn bell_state_histogram_draws_the_counts() {
    let out = run_bundled("bell-state-histogram", &[]);
    assert!(is_svg(&out["histogram"]), "{out:?}");
    let counts = out["counts"].as_object().unwrap();
    assert_eq!(counts["00"].as_u64().unwrap() + counts["11"].as_u64().unwrap(), 1000);
    assert_eq!(out["reduced_purity"], 0.5);
    let out = run_bundled("bell-state-histogram", &["variant=psi-", "shots=200"]);
    assert_eq!(out["counts"]["01"].as_u64().unwrap() + out["counts"]["10"].as_u64().unwrap(), 200);
    assert!(out["histogram"].as_str().unwrap().contains("psi-, 200 shots"));
}

#[test]
fn rc_filter_bode_plots_magnitude_and_phase() {
    let out = run_bundled("rc-filter-bode", &[]);
    assert!(is_svg(&out["magnitude_plot"]) && is_svg(&out["phase_plot"]), "{out:?}");
    assert!((out["cutoff_hz"].as_f64().unwrap() - 1591.55).abs() < 0.01);
    assert_eq!(out["response"].as_array().unwrap().len(), 13);
    assert!(out["phase_plot"].as_str().unwrap().contains("phase"));
    let out = run_bundled("rc-filter-bode", &["filter_type=high-pass", "resistance=4700"]);
    assert!(out["summary"].as_str().unwrap().starts_with("high-pass"), "{out:?}");
}
