//! `llmos build --keep-going`: an aggregated collection with broken skills
//! publishes every valid one and lists the files it left out with their
//! errors; `--fail-on-skipped` makes that a distinct exit status; without
//! the flag the build still fails whole (see `site.rs`).

mod common;

use common::{fixture, llmos};
use std::fs;

#[test]
fn keep_going_publishes_the_valid_skills_and_lists_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    // A workflow whose step is one of the broken skills goes with it.
    let extra = tmp.path().join("extra");
    fs::create_dir_all(extra.join("chain")).unwrap();
    fs::write(extra.join("chain/SKILL.md"), "---\nname: chain\ndescription: Uses a skill that does not build.\ntype: workflow\nsteps:\n  - id: one\n    uses: no-such-skill\n---\n# Chain\n").unwrap();
    fs::create_dir_all(extra.join("fine")).unwrap();
    fs::write(extra.join("fine/SKILL.md"), "---\nname: fine\ndescription: A valid skill beside broken ones.\n---\n# Fine\n").unwrap();
    let (public, broken) = (fixture("public-collection"), fixture("broken"));
    let args = ["build", "--keep-going", "--skills", public.to_str().unwrap(), "--skills", broken.to_str().unwrap(), "--skills", extra.to_str().unwrap(), "--out", "site"];
    let run = llmos(tmp.path(), &args);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let b = broken.display();
    for expected in [
        format!("error: {b}/bad-yaml/SKILL.md:3:"),
        format!("error: {b}/no-frontmatter/SKILL.md:1:1: no frontmatter"),
        format!("error: {b}/no-name/SKILL.md:2:1: the frontmatter has no `name`"),
        "left out 5 skills with errors (--keep-going); the site has the other 8 skills:".to_string(),
        format!("  {b}/not-utf8/SKILL.md"),
    ] {
        assert!(run.stderr.contains(&expected), "missing {expected:?} in\n{}", run.stderr);
    }
    assert!(run.stderr.contains("chain/SKILL.md"), "the workflow is listed: {}", run.stderr);
    let site = tmp.path().join("site");
    assert!(site.join("skills/fine/index.html").is_file());
    assert!(!site.join("skills/chain").exists(), "the workflow without its step is left out");
    let index: serde_json::Value = serde_json::from_str(&fs::read_to_string(site.join("index/skills.json")).unwrap()).unwrap();
    let names: Vec<&str> = index["skills"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 8, "{names:?}");
    assert!(names.contains(&"fine") && !names.contains(&"chain"));

    let mut strict = args.to_vec();
    strict.insert(2, "--fail-on-skipped");
    let run = llmos(tmp.path(), &strict);
    assert_eq!(run.code, Some(4), "a distinct status when asked: {}", run.stderr);
    assert!(site.join("skills/fine/index.html").is_file(), "the site is still written");

    // Nothing left out: status 0 and no listing, even when asked.
    let run = llmos(tmp.path(), &["build", "--keep-going", "--fail-on-skipped", "--skills", public.to_str().unwrap(), "--out", "site"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(!run.stderr.contains("left out"));
}
