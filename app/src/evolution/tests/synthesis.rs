//! Unit tests of skill synthesis: the prompt, the offline fallback SKILL.md and checking a model's answer.

use super::super::synthesis::{iso_date, proposed_name};
use super::super::*;
use super::twelve_plus_three;

#[test]
fn the_fallback_skill_passes_the_parser_without_a_warning() {
    let mut traces = twelve_plus_three();
    traces[0].goal =
        "Plot: \"monthly\" sales — from `my` CSV <b>now</b> # | [x](y) *bold*\n---\nname: evil"
            .into();
    traces[1].outcome = Outcome::NotSolved;
    traces[1].steps = vec![Step {
        kind: StepKind::Run,
        name: "plotting".into(),
        ok: false,
    }];
    traces[2].skills_used = vec!["plotting".into()];
    let found = find_patterns(&traces, &[], &Options::default());
    assert_eq!(found.patterns.len(), 3);
    for pattern in &found.patterns {
        let name = proposed_name(pattern);
        let text = fallback_skill(pattern, &traces);
        let skill = check_synthesised(&text, &name).unwrap_or_else(|d| panic!("{text}\n{d:#?}"));
        assert_eq!(skill.name, name);
        assert_eq!(
            skill.metadata.get("source").map(String::as_str),
            Some("evolution")
        );
        assert_eq!(skill.metadata.get("pattern"), Some(&pattern.id));
        assert_eq!(
            skill.metadata.get("traces"),
            Some(&pattern.trace_ids.join(", "))
        );
        assert_eq!(
            skill.metadata.get("date").map(String::as_str),
            Some("2025-11-30")
        );
        assert_eq!(fallback_skill(pattern, &traces), text, "deterministic");
        let prompt = synthesis_prompt(pattern, &traces);
        assert!(
            prompt.contains(&format!("name: {name}"))
                && prompt.contains(
                    &pattern
                        .representative_goal
                        .split_whitespace()
                        .next()
                        .unwrap()
                        .to_string()
                )
        );
    }
    let chart = found
        .patterns
        .iter()
        .find(|p| p.trace_ids.contains(&"chart-1".to_string()))
        .unwrap();
    assert!(synthesis_prompt(chart, &traces).contains("marked not solved"));
    assert!(fallback_skill(chart, &traces).contains("## Pitfalls"));
}

#[test]
fn a_synthesised_answer_is_unwrapped_checked_and_its_problems_become_a_retry_prompt() {
    let good = "Here is the skill:\n\n```markdown\n---\nname: csv-chart\ndescription: Chart a CSV. Use when asked for a chart of a CSV.\n---\n# CSV chart\n\n1. Read it.\n```\n";
    assert_eq!(
        check_synthesised(good, "csv-chart").unwrap().description,
        "Chart a CSV. Use when asked for a chart of a CSV."
    );
    let bare = "---\nname: csv-chart\ndescription: Chart a CSV.\n---\nBody\n";
    assert!(check_synthesised(bare, "csv-chart").is_ok());
    let wrong_name = "---\nname: Chart CSV\ndescription: Chart a CSV.\nversion: 2\n---\nBody\n";
    let problems = check_synthesised(wrong_name, "csv-chart").unwrap_err();
    assert!(problems.len() >= 2, "{problems:#?}");
    let retry = retry_prompt(&problems);
    assert!(
        retry.contains("differs from its folder") && retry.contains("unknown key `version`"),
        "{retry}"
    );
    let broken = check_synthesised("```\n---\nname: [unclosed\n---\n```", "x").unwrap_err();
    assert!(broken[0].is_error());
    assert!(check_synthesised("no frontmatter at all", "x").is_err());
}

#[test]
fn dates_and_names() {
    assert_eq!(iso_date(0.0), "1970-01-01");
    assert_eq!(iso_date(951_782_400_000.0), "2000-02-29");
    assert_eq!(iso_date(1_764_460_800_000.0), "2025-11-30");
    let found = find_patterns(&twelve_plus_three(), &[], &Options::default());
    for p in &found.patterns {
        let name = proposed_name(p);
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{name}"
        );
    }
}

#[test]
fn a_covered_pattern_drafts_an_improvement_of_its_skill() {
    let keywords = vec!["summarisation".to_string()];
    let skills = [SkillText {
        name: "summarising",
        description:
            "Summarise documents, articles and threads. Use when asked for a summary or a TL;DR.",
        keywords: &keywords,
    }];
    let traces = twelve_plus_three();
    let found = find_patterns(&traces, &skills, &Options::default());
    let summary = found
        .patterns
        .iter()
        .find(|p| p.covered_by.is_some())
        .expect("the summaries are covered");
    assert_eq!(summary.covered_by.as_deref(), Some("summarising"));
    assert_eq!(proposed_name(summary), "summarising");
    let draft = fallback_skill(summary, &traces);
    let skill =
        check_synthesised(&draft, "summarising").unwrap_or_else(|d| panic!("{draft}\n{d:#?}"));
    assert_eq!(
        skill.metadata.get("improves").map(String::as_str),
        Some("summarising")
    );
    assert!(synthesis_prompt(summary, &traces).contains("existing skill `summarising`"));
}
