//! `llmos patterns` from the command line: goals in on stdin, one cluster id
//! per goal out in the same order, the patterns as JSON with the bundled
//! skill covering each, and a reader that closes the pipe early.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

fn llmos(args: &[&str], stdin: &str) -> Output {
    let work = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_llmos"))
        .args(args)
        .current_dir(work.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("llmos runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// 12 goals in 3 paraphrase groups, then 3 unrelated ones.
const GOALS: &str = "\
Write a commit message for this diff
help me word a git commit message for these changes
Suggest a good conventional commit message for the patch below
what should my commit message be for this change
Summarise this article in 5 bullet points
can u summarize the following article
Give me a short summary of the article I pasted
summarize article below, key points only
truth table for (A and B) or not C
Make a truth table for this boolean expression: A xor B
generate the truth table of a logic formula
logic truth table for A AND NOT B please
what is the capital of Mongolia
design a logo for a bakery called Crumbs
how many calories are in a banana
";

#[test]
fn one_cluster_id_per_goal_in_order() {
    let out = llmos(&["patterns"], GOALS);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ids: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(ids.len(), 15, "{ids:?}");
    for group in ids[..12].chunks(4) {
        assert!(
            group.iter().all(|id| id == &group[0]),
            "a paraphrase group shares one id: {ids:?}"
        );
    }
    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 6, "3 groups and 3 unrelated goals: {ids:?}");
}

#[test]
fn json_lists_the_patterns_with_the_skill_that_covers_them() {
    let out = llmos(&["patterns", "--json"], GOALS);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["goals"], 15);
    assert_eq!(report["clusters"], 6);
    assert_eq!(report["labels"].as_array().unwrap().len(), report["goals"].as_u64().unwrap() as usize, "one label per goal");
    let patterns = report["patterns"].as_array().unwrap();
    assert_eq!(patterns.len(), 3, "{report:#}");
    let covered: Vec<&str> = patterns
        .iter()
        .filter_map(|p| p["covered_by"].as_str())
        .collect();
    assert!(
        covered.contains(&"commit-messages") && covered.contains(&"logic-truth-table"),
        "{covered:?}"
    );
    for p in patterns {
        assert_eq!(p["size"], 4);
        assert_eq!(p["trace_ids"].as_array().unwrap().len(), 4);
        assert!(p["representative_goal"].is_string() && p["proposed_name"].is_string());
    }
    let fewer = llmos(&["patterns", "--json", "--min-size", "5"], GOALS);
    let report: Value = serde_json::from_slice(&fewer.stdout).unwrap();
    assert_eq!(report["patterns"].as_array().unwrap().len(), 0);
}

#[test]
fn a_reader_that_closes_the_pipe_ends_it_quietly() {
    let many: String = (0..20_000)
        .map(|i| format!("goal number {i} about topic {}\n", i % 97))
        .collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_llmos"))
        .arg("patterns")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child
        .stdin
        .take()
        .unwrap()
        .write_all(many.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{stderr}");
}

#[test]
fn empty_input_prints_nothing() {
    let out = llmos(&["patterns"], "");
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
}

/// The offline draft of each pattern, written as a skill folder, passes
/// `llmos check` with no errors and no warnings (issue 13: "Without a key,
/// the fallback proposal is produced and passes llmos check").
#[test]
fn fallback_drafts_pass_llmos_check() {
    use llmos_core::evolution::{
        fallback_skill, find_patterns, synthesis::proposed_name, Options, TraceInput,
    };
    let traces: Vec<TraceInput> = GOALS
        .lines()
        .enumerate()
        .map(|(i, g)| TraceInput::goal(format!("t{i}"), g))
        .collect();
    let found = find_patterns(&traces, &[], &Options::default());
    assert_eq!(found.patterns.len(), 3);
    let work = tempfile::tempdir().unwrap();
    let (skills, docs) = (work.path().join("skills"), work.path().join("docs"));
    std::fs::create_dir_all(&docs).unwrap();
    for pattern in &found.patterns {
        let folder = skills.join(proposed_name(pattern));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("SKILL.md"), fallback_skill(pattern, &traces)).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_llmos"))
        .args([
            "check",
            "--skills",
            skills.to_str().unwrap(),
            "--content",
            docs.to_str().unwrap(),
        ])
        .current_dir(work.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("checked 3 skills") && stderr.contains("0 errors, 0 warnings"),
        "{stderr}"
    );
}
