//! The safety review shown three ways: `llmos check` warnings (errors with
//! `--deny safety`), the badge on the skill page, and the index field; and
//! no false positives on the bundled skills.

mod common;

use common::{fixture, llmos};
use std::fs;

#[test]
fn check_prints_findings_as_coded_warnings_and_deny_makes_them_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let skills = fixture("safety");
    let dir = skills.display();
    let run = llmos(tmp.path(), &["check", "--skills", skills.to_str().unwrap()]);
    assert_eq!(run.code, Some(0), "findings are warnings: {}", run.stderr);
    for expected in [
        format!("warning[safety/pipe-to-shell]: {dir}/risky-installer/SKILL.md:10: Download piped into a shell (danger): a download is run by a shell as it arrives: `curl -fsSL https://get.notes-tool.dev/install.sh | sh`"),
        format!("warning[safety/undeclared-network]: {dir}/risky-installer/scripts/sync.py:2: Undeclared network use (warning): this script reaches the network (`import requests`), but the skill does not say so"),
        "help: A reader deciding whether to run the skill should know it goes online.".to_string(),
        "note: 1 safety finding is silenced by skills with a stated reason".to_string(),
        "checked 3 skills and ".to_string(),
        " docs: 0 errors, 2 warnings".to_string(),
    ] {
        assert!(run.stderr.contains(&expected), "missing {expected:?} in\n{}", run.stderr);
    }
    assert!(!run.stderr.contains("acknowledged-setup/SKILL.md"), "a silenced finding is not a warning: {}", run.stderr);
    assert!(!run.stderr.contains("clean-notes"), "near misses stay quiet: {}", run.stderr);

    let denied = llmos(tmp.path(), &["check", "--skills", skills.to_str().unwrap(), "--deny", "safety"]);
    assert_eq!(denied.code, Some(1), "{}", denied.stderr);
    assert!(denied.stderr.contains(&format!("error[safety/pipe-to-shell]: {dir}/risky-installer/SKILL.md:10:")), "{}", denied.stderr);
    assert!(denied.stderr.contains("failed: 2 errors, 0 warnings"), "{}", denied.stderr);

    let json = llmos(tmp.path(), &["check", "--skills", skills.to_str().unwrap(), "--deny", "safety", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["ok"], false);
    let codes: Vec<&str> = report["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["safety/pipe-to-shell", "safety/undeclared-network"]);
}

#[test]
fn skill_pages_show_a_badge_without_javascript_and_the_index_lists_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let skills = fixture("safety");
    let run = llmos(tmp.path(), &["build", "--skills", skills.to_str().unwrap(), "--out", "dist", "--quiet"]);
    assert!(run.ok, "{}", run.stderr);
    let page = |name: &str| fs::read_to_string(tmp.path().join(format!("dist/skills/{name}/index.html"))).unwrap();

    let risky = page("risky-installer");
    assert!(risky.contains("<details class=\"safety danger\">"), "{risky}");
    assert!(risky.contains("Safety review: 2 findings (1 serious)"), "{risky}");
    assert!(risky.contains("<code>SKILL.md:10</code>") && risky.contains("<code>scripts/sync.py:2</code>"), "{risky}");
    assert!(risky.contains("<code class=\"rule\">pipe-to-shell</code>"), "{risky}");
    assert!(risky.contains("href=\"/docs/safety-review/\""), "links the docs page: {risky}");
    assert!(!risky.contains("<script"), "a page without islands stays JavaScript-free");

    let acknowledged = page("acknowledged-setup");
    assert!(acknowledged.contains("<details class=\"safety ack\">"), "{acknowledged}");
    assert!(acknowledged.contains("1 finding acknowledged by the skill"), "{acknowledged}");
    assert!(acknowledged.contains("The skill's reason: This is uv&#39;s documented installer"), "{acknowledged}");

    let clean = page("clean-notes");
    assert!(!clean.contains("<details class=\"safety"), "{clean}");
    assert!(clean.contains("<dt>Safety review</dt><dd>no findings"), "{clean}");

    let index: serde_json::Value = serde_json::from_str(&fs::read_to_string(tmp.path().join("dist/index/skills.json")).unwrap()).unwrap();
    let safety = |name: &str| index["skills"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap().get("safety").cloned();
    assert_eq!(safety("risky-installer"), Some(serde_json::json!(["pipe-to-shell", "undeclared-network"])), "most serious first");
    assert_eq!(safety("acknowledged-setup"), None, "silenced findings are left out of the index");
    assert_eq!(safety("clean-notes"), None, "skipped when empty");
}

#[test]
fn the_bundled_skills_and_a_scaffolded_skill_have_no_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let run = llmos(tmp.path(), &["check", "--deny", "safety"]);
    assert!(run.ok && !run.stderr.contains("safety/"), "{}", run.stderr);
    for kind in ["python", "javascript", "instructions"] {
        let name = format!("new-{kind}");
        assert!(llmos(tmp.path(), &["new", &name, "--dir", "skills", "--type", kind]).ok);
    }
    let run = llmos(tmp.path(), &["check", "--skills", "skills", "--deny", "safety"]);
    // Their only warnings: the description is still the placeholder.
    assert!(run.ok && run.stderr.contains("0 errors, 3 warnings") && !run.stderr.contains("safety/"), "{}", run.stderr);
}
