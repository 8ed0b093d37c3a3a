use super::*;
use llmos_islands::records::{TraceRun, TraceToolCall, TraceTurn};

fn trace(id: &str, goal: &str, at: f64, outcome: Option<&str>) -> Trace {
    Trace {
        id: id.into(),
        conversation: id.into(),
        goal: goal.into(),
        provider: "openai".into(),
        model: "gpt-test".into(),
        turns: vec![TraceTurn { started: at, first_token_ms: Some(5.0), total_ms: 20.0, ok: true }],
        outcome: outcome.map(str::to_string),
        ..Trace::default()
    }
}

/// The acceptance test's chats, one goal per line: 3 paraphrase groups of 4,
/// then 3 unrelated goals (tests/chat/evolution.rs sends them as real chats).
pub(crate) const GOALS: &str = include_str!("../../../tests/fixtures/evolution/acceptance-chats.txt");

fn traces() -> Vec<Trace> {
    GOALS.lines().enumerate().map(|(i, g)| trace(&format!("t{i:02}"), g, 1_764_547_200_000.0 + i as f64 * 60_000.0, Some(if i % 4 == 3 { "not-solved" } else { "solved" }))).collect()
}

#[test]
fn a_chat_trace_maps_to_the_cores_input_with_its_runs_in_order() {
    let mut t = trace("c1", "plot my data", 1_000.0, Some("solved"));
    t.tool_calls =
        vec![TraceToolCall { name: "load_skill".into(), arguments: r#"{"name":"plotting"}"#.into() }, TraceToolCall { name: "run_skill".into(), arguments: r#"{"skill":"csv-stats"}"#.into() }];
    t.runs = vec![TraceRun { skill: "csv-stats".into(), inputs: serde_json::json!({}), outputs: String::new(), ms: 3.0, ok: false, reason: Some("declined".into()) }];
    let input = trace_input(&t);
    assert_eq!(input.steps.iter().map(|s| (s.key(), s.ok)).collect::<Vec<_>>(), [("load:plotting".to_string(), true), ("run:csv-stats".to_string(), false)]);
    assert_eq!((input.outcome, input.timestamp_ms, input.model.as_str()), (Outcome::Solved, 1_000.0, "gpt-test"));
    assert_eq!(trace_input(&Trace::default()).timestamp_ms, 0.0, "a trace without turns has no time");
}

#[test]
fn the_list_filters_by_words_and_outcome_newest_first() {
    let mut list = traces();
    newest_first(&mut list);
    assert_eq!(list[0].id, "t14");
    let shown: Vec<&str> = list.iter().filter(|t| matches(t, "HAIKU autumn", OutcomeFilter::from_value("solved"))).map(|t| t.id.as_str()).collect();
    assert_eq!(shown, ["t06", "t05", "t04"]);
    assert!(list.iter().filter(|t| matches(t, "", OutcomeFilter::Unmarked)).count() == 0);
    assert!(matches(&trace("x", "anything", 0.0, None), "gpt-test", OutcomeFilter::Unmarked), "the model is searched too");
    let exported: serde_json::Value = serde_json::from_str(&export_json(&list[..2])).unwrap();
    assert_eq!((exported["format"].as_str(), exported["traces"][1]["id"].as_str()), (Some(EXPORT_FORMAT), Some("t13")));
}

#[test]
fn three_paraphrase_groups_make_three_valid_proposals_and_a_rejected_one_stays_away() {
    let traces = traces();
    let (proposals, rejected) = propose(&traces, &[], &Decisions::default());
    assert_eq!((proposals.len(), rejected), (3, 0), "{:#?}", proposals.iter().map(|p| &p.pattern.example_goals).collect::<Vec<_>>());
    for proposal in &proposals {
        assert_eq!(proposal.pattern.size, 4);
        assert_eq!(proposal.pattern.success_rate, Some(0.75));
        let skill = synthesis::check_synthesised(&proposal.skill_md, &proposal.name).unwrap_or_else(|d| panic!("{d:?}\n{}", proposal.skill_md));
        assert_eq!(skill.metadata.get("pattern"), Some(&proposal.pattern.id), "provenance names the pattern");
        assert!(skill.metadata["traces"].contains("t0"), "{:?}", skill.metadata);
    }
    let mut decisions = Decisions::default();
    decisions.reject(&proposals[1].pattern.id);
    decisions.reject(&proposals[1].pattern.id);
    assert_eq!(decisions.rejected.len(), 1);
    // A fourth chat joins a rejected pattern: its id stays, so it stays rejected.
    let mut more = traces.clone();
    more.push(trace("t99", &proposals[1].pattern.example_goals[0].to_uppercase(), 1_764_600_000_000.0, Some("solved")));
    let (again, rejected) = propose(&more, &[], &decisions);
    assert_eq!((again.len(), rejected), (2, 1));
    assert!(again.iter().all(|p| p.pattern.id != proposals[1].pattern.id));
}

#[test]
fn a_pattern_a_user_skill_covers_proposes_improving_it() {
    let traces = traces();
    let (proposals, _) = propose(&traces, &[], &Decisions::default());
    let csv = proposals.iter().find(|p| p.pattern.representative_goal.to_lowercase().contains("csv")).unwrap();
    // A user skill named as the proposal covers it by its name's words:
    // the proposal improves that skill rather than taking its name twice.
    let mine = KnownSkill { name: csv.name.clone(), description: "Bakes sourdough bread at home".into(), keywords: vec![], user: true };
    let (same, _) = propose(&traces, &[mine], &Decisions::default());
    let same = same.iter().find(|p| p.pattern.id == csv.pattern.id).unwrap();
    assert_eq!((same.name.as_str(), same.improves_user_skill), (csv.name.as_str(), true));
    let converter = KnownSkill { name: "csv-to-json".into(), description: "Convert CSV files to JSON".into(), keywords: vec!["csv".into(), "json".into()], user: true };
    let (improved, _) = propose(&traces, &[converter], &Decisions::default());
    let improved = improved.iter().find(|p| p.pattern.id == csv.pattern.id).unwrap();
    assert_eq!((improved.name.as_str(), improved.improves_user_skill), ("csv-to-json", true));
}

#[test]
fn decisions_round_trip_and_undo_forgets_the_acceptance() {
    let mut decisions = Decisions { key: DECISIONS_KEY.into(), ..Decisions::default() };
    decisions.accept(Accepted { pattern: "p-1".into(), skill: "a".into(), at: 1.0, previous: None });
    decisions.accept(Accepted { pattern: "p-1".into(), skill: "a".into(), at: 2.0, previous: Some("---\nname: a\n---\n".into()) });
    assert_eq!(decisions.accepted.len(), 1);
    let json = serde_json::to_string(&decisions).unwrap();
    let mut back: Decisions = serde_json::from_str(&json).unwrap();
    assert_eq!(back, decisions);
    assert_eq!(back.undo("p-1").and_then(|a| a.previous).as_deref(), Some("---\nname: a\n---\n"));
    assert!(back.accepted("p-1").is_none() && back.undo("p-1").is_none());
}

#[test]
fn a_models_skill_gets_the_patterns_provenance_in_place_of_its_own_metadata() {
    let traces = traces();
    let (proposals, _) = propose(&traces, &[], &Decisions::default());
    let p = &proposals[0];
    let answer = format!("---\nname: {}\ndescription: Does the task well.\nmetadata:\n  author: the model\n  pattern: made-up\nlicense: MIT\n---\n# Steps\n\n1. Do it.\n", p.name);
    let text = with_provenance(&answer, &p.skill_md, "gpt-test");
    let skill = synthesis::check_synthesised(&text, &p.name).unwrap_or_else(|d| panic!("{d:?}\n{text}"));
    assert_eq!(skill.metadata.get("pattern"), Some(&p.pattern.id), "{text}");
    assert_eq!(skill.metadata.get("generated").map(String::as_str), Some("gpt-test"));
    assert!(!skill.metadata.contains_key("author") && text.contains("license: MIT\n") && text.ends_with("1. Do it.\n"), "{text}");
}

#[test]
fn detection_is_due_after_enough_new_traces_or_a_day() {
    let mut decisions: Decisions = serde_json::from_str(r#"{"key":"evolution","rejected":["p-1"]}"#).unwrap();
    assert_eq!((decisions.auto_every, decisions.synthesis), (AUTO_EVERY, false), "records from before these fields get the defaults");
    let day = AUTO_INTERVAL_MS;
    assert!(!decisions.detection_due(0, 10.0 * day), "nothing to look at");
    assert!(decisions.detection_due(1, 10.0 * day), "never ran: a day has passed");
    decisions.ran(7, 10.0 * day, 2);
    assert!(!decisions.detection_due(11, 10.5 * day));
    assert!(decisions.detection_due(12, 10.5 * day), "five new traces");
    assert!(decisions.detection_due(8, 11.0 * day), "a day later");
    decisions.auto_every = 0;
    assert!(!decisions.detection_due(100, 20.0 * day), "turned off");
}

#[test]
fn a_retired_skill_is_remembered_shown_as_retired_and_undo_brings_its_acceptance_back() {
    let traces = traces();
    let (proposals, _) = propose(&traces, &[], &Decisions::default());
    let p = &proposals[0];
    let mut decisions = Decisions::default();
    assert!(decisions.retire(&p.pattern.id, "x".into(), 5.0).is_none(), "only an accepted skill retires");
    decisions.accept(Accepted { pattern: p.pattern.id.clone(), skill: p.name.clone(), at: 1.0, previous: None });
    let (shown, _) = propose(&traces, &[], &decisions);
    let accepted = shown.iter().find(|s| s.pattern.id == p.pattern.id).unwrap();
    assert_eq!((accepted.retired, accepted.effect.as_ref().map(|e| e.skill.as_str())), (false, Some(p.name.as_str())));
    decisions.retire(&p.pattern.id, p.skill_md.clone(), 5.0);
    assert!(decisions.accepted(&p.pattern.id).is_none());
    let back: Decisions = serde_json::from_str(&serde_json::to_string(&decisions).unwrap()).unwrap();
    assert_eq!(back, decisions, "kept across visits");
    let (shown, _) = propose(&traces, &[], &decisions);
    assert!(shown.iter().find(|s| s.pattern.id == p.pattern.id).unwrap().retired, "shown as retired, not proposed for acceptance");
    let undone = decisions.unretire(&p.pattern.id).unwrap();
    assert_eq!((undone.skill_md.as_str(), decisions.accepted(&p.pattern.id).map(|a| a.at)), (p.skill_md.as_str(), Some(1.0)));
    assert!(decisions.retired.is_empty());
}

/// A chat that ran `skills` one after another, each run asked for by the model.
fn ran(id: &str, goal: &str, at: f64, skills: &[&str]) -> Trace {
    let mut t = trace(id, goal, at, Some("solved"));
    t.tool_calls = skills.iter().map(|s| TraceToolCall { name: "run_skill".into(), arguments: format!(r#"{{"skill":"{s}"}}"#) }).collect();
    t.runs = skills.iter().map(|s| TraceRun { skill: s.to_string(), inputs: serde_json::json!({}), outputs: String::new(), ms: 3.0, ok: true, reason: None }).collect();
    t
}

fn system_skill(name: &str) -> llmos_core::Skill {
    let text = std::fs::read_to_string(format!("{}/../system-skills/{name}/SKILL.md", env!("CARGO_MANIFEST_DIR"))).unwrap();
    parse_skill_md(name, &text).unwrap()
}

#[test]
fn chats_that_ran_skills_in_sequence_are_offered_a_workflow_that_passes_the_checks() {
    let goals = ["profile this csv and chart it", "chart my csv after profiling it", "profile and plot this csv file", "csv profile then a chart please"];
    let traces: Vec<Trace> = goals.iter().enumerate().map(|(i, g)| ran(&format!("w{i}"), g, 1_764_547_200_000.0 + i as f64, &["csv-analysis", "plotting"])).collect();
    // The site's skills, as coverage sees them: one of the chained skills may cover the task.
    let known: Vec<KnownSkill> = ["csv-analysis", "plotting"]
        .iter()
        .map(|n| {
            let s = system_skill(n);
            KnownSkill { name: s.name.clone(), description: s.description.clone(), keywords: s.keywords.clone(), user: false }
        })
        .collect();
    let decisions = Decisions::default();
    let (mut proposals, _) = propose(&traces, &known, &decisions);
    assert_eq!(proposals.len(), 1);
    let p = &mut proposals[0];
    assert_eq!(workflow_skills(p), ["csv-analysis", "plotting"]);
    let inputs: Vec<TraceInput> = traces.iter().map(trace_input).collect();
    // Without the skills' declarations there is no workflow: the template stays.
    assert!(!offer_workflow(p, &inputs, &[system_skill("csv-analysis")], &known, &decisions));
    assert!(!p.workflow && !p.skill_md.contains("type: workflow"));
    let catalogue = [system_skill("csv-analysis"), system_skill("plotting")];
    assert!(offer_workflow(p, &inputs, &catalogue, &known, &decisions));
    assert!(p.workflow && p.pattern.covered_by.is_none() && !p.improves_user_skill && p.current_md.is_none(), "a new skill, not an improvement of a step");
    // What Accept checks (`llmos check`'s parser, no warnings), then the workflow against the skills it chains.
    let skill = synthesis::check_synthesised(&p.skill_md, &p.name).unwrap_or_else(|d| panic!("{d:?}\n{}", p.skill_md));
    let lookup = |name: &str| catalogue.iter().find(|s| s.name == name).map(llmos_core::workflow::Target::from);
    assert!(llmos_core::workflow::validate(&skill, lookup).is_empty());
    assert_eq!(skill.kind.as_deref(), Some("workflow"));
    assert!(p.skill_md.contains("uses: csv-analysis") && p.skill_md.contains("uses: plotting") && p.skill_md.contains("${{ steps.step1.outputs."), "{}", p.skill_md);
    assert_eq!(skill.metadata.get("pattern"), Some(&p.pattern.id), "the provenance stays");
    // A pattern that another skill covers (here a skill of the user's with the same words) keeps proposing its improvement.
    let mut mine = known.clone();
    mine.push(KnownSkill { name: p.name.clone(), description: "mine".into(), keywords: Vec::new(), user: true });
    let (mut again, _) = propose(&traces, &mine, &decisions);
    assert_eq!(again[0].pattern.covered_by.as_deref(), Some(p.name.as_str()));
    assert!(!offer_workflow(&mut again[0], &inputs, &catalogue, &mine, &decisions));
    assert!(again[0].improves_user_skill && !again[0].workflow);
}

#[test]
fn one_skill_run_gives_no_workflow() {
    let goals = ["profile this csv", "profile my csv file", "csv profile please"];
    let traces: Vec<Trace> = goals.iter().enumerate().map(|(i, g)| ran(&format!("o{i}"), g, 1_764_547_200_000.0 + i as f64, &["csv-analysis", "csv-analysis"])).collect();
    let (mut proposals, _) = propose(&traces, &[], &Decisions::default());
    assert!(workflow_skills(&proposals[0]).is_empty());
    let inputs: Vec<TraceInput> = traces.iter().map(trace_input).collect();
    assert!(!offer_workflow(&mut proposals[0], &inputs, &[system_skill("csv-analysis")], &[], &Decisions::default()));
}
