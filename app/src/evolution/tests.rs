//! Unit tests of the evolution engine: conversion, clustering, patterns, coverage and synthesis.

use super::pattern::lcs;
use super::*;

pub(super) fn trace(
    id: &str,
    goal: &str,
    used: &[&str],
    steps: &[&str],
    outcome: Outcome,
) -> TraceInput {
    TraceInput {
        id: id.into(),
        goal: goal.into(),
        skills_used: used.iter().map(|s| s.to_string()).collect(),
        skills_offered: used.iter().map(|s| s.to_string()).collect(),
        steps: steps
            .iter()
            .map(|s| Step {
                kind: StepKind::Run,
                name: s.to_string(),
                ok: true,
            })
            .collect(),
        outcome,
        timestamp_ms: 1_764_460_800_000.0 + id.len() as f64,
        model: "test-model".into(),
    }
}

/// The issue's scenario: 12 chats in 3 paraphrase groups plus 3 unrelated ones.
pub(super) fn twelve_plus_three() -> Vec<TraceInput> {
    let groups: [(&str, &[&str]); 3] = [
        (
            "chart",
            &[
                "Plot monthly sales from my CSV as a bar chart",
                "make a bar chart of sales per month from a csv file",
                "bar chart of the monthly sales in this CSV please",
                "can you chart monthly sales from the attached csv",
            ],
        ),
        (
            "commit",
            &[
                "write a commit message for this diff",
                "Help me write a good git commit message",
                "commit message for these changes?",
                "draft a commit msg for my staged diff",
            ],
        ),
        (
            "summary",
            &[
                "summarise this article in five bullet points",
                "Summarize the following article briefly",
                "give me a short summary of this article",
                "tl;dr this article please, summarised",
            ],
        ),
    ];
    let mut traces = Vec::new();
    for (label, goals) in groups {
        for (i, goal) in goals.iter().enumerate() {
            traces.push(trace(
                &format!("{label}-{i}"),
                goal,
                &[],
                &[],
                Outcome::Solved,
            ));
        }
    }
    for (i, goal) in [
        "convert 5 miles to kilometres",
        "what is the capital of Mongolia",
        "design a logo for a bakery",
    ]
    .iter()
    .enumerate()
    {
        traces.push(trace(
            &format!("other-{i}"),
            goal,
            &[],
            &[],
            Outcome::Unknown,
        ));
    }
    traces
}

#[test]
fn twelve_goals_in_three_groups_and_three_unrelated_make_exactly_three_patterns() {
    let traces = twelve_plus_three();
    let found = find_patterns(&traces, &[], &Options::default());
    assert_eq!(found.patterns.len(), 3, "{:#?}", found.patterns);
    for pattern in &found.patterns {
        assert_eq!(pattern.size, 4, "{pattern:#?}");
        let label = pattern.trace_ids[0].split('-').next().unwrap();
        assert!(
            pattern.trace_ids.iter().all(|id| id.starts_with(label)),
            "{pattern:#?}"
        );
        assert_eq!(pattern.success_rate, Some(1.0));
        assert!(pattern.id.starts_with("p-") && pattern.id.len() == 18);
    }
    let unrelated: Vec<usize> = found.labels[12..].to_vec();
    assert!(
        unrelated
            .iter()
            .all(|l| found.labels.iter().filter(|x| *x == l).count() == 1),
        "the unrelated goals stay alone: {:?}",
        found.labels
    );
}

#[test]
fn chat_traces_convert_to_steps_in_order() {
    let steps = steps_from_chat(
        &[
            ("load_skill", r#"{"name":"csv-analysis"}"#),
            ("web_search", "{}"),
            ("run_skill", r#"{"skill":"plotting"}"#),
            ("RUN_SKILL", "plotting"),
            ("LOAD_SKILL", "summarising"),
        ],
        &[("plotting", false), ("plotting", true)],
    );
    let keys: Vec<String> = steps.iter().map(Step::key).collect();
    assert_eq!(
        keys,
        [
            "load:csv-analysis",
            "tool:web_search",
            "run:plotting",
            "run:plotting",
            "load:summarising"
        ]
    );
    assert_eq!(
        steps.iter().map(|s| s.ok).collect::<Vec<_>>(),
        [true, true, false, true, true]
    );
    assert_eq!(Outcome::from_label(Some("not-solved")), Outcome::NotSolved);
    assert_eq!(Outcome::from_label(None), Outcome::Unknown);
    assert_eq!(
        serde_json::to_string(&Outcome::NotSolved).unwrap(),
        "\"not-solved\""
    );
}

#[test]
fn patterns_carry_medoid_sequence_and_success_rate() {
    let steps = ["csv-analysis", "data-cleaning", "plotting"];
    let mut traces = vec![
        trace(
            "a",
            "chart monthly sales from a csv",
            &["csv-analysis", "plotting"],
            &steps,
            Outcome::Solved,
        ),
        trace(
            "b",
            "make a chart of monthly sales from this csv",
            &["csv-analysis", "plotting"],
            &steps,
            Outcome::Solved,
        ),
        trace(
            "c",
            "monthly sales csv to a chart",
            &["plotting"],
            &["plotting"],
            Outcome::NotSolved,
        ),
        trace(
            "d",
            "chart the monthly sales csv for me",
            &["csv-analysis", "plotting"],
            &["csv-analysis", "plotting"],
            Outcome::Unknown,
        ),
    ];
    traces[2].timestamp_ms = 1.0;
    let found = find_patterns(&traces, &[], &Options::default());
    assert_eq!(found.patterns.len(), 1, "{:?}", found.labels);
    let p = &found.patterns[0];
    assert_eq!((p.size, p.solved, p.not_solved), (4, 2, 1));
    assert!((p.success_rate.unwrap() - 2.0 / 3.0).abs() < 1e-6);
    assert_eq!(
        p.common_sequence,
        ["run:csv-analysis", "run:data-cleaning", "run:plotting"]
    );
    assert_eq!(p.skills_used, ["plotting", "csv-analysis"]);
    assert_eq!(
        p.id,
        format!("p-{:016x}", fnv1a(b"c")),
        "named after the earliest trace"
    );
    assert!(
        p.example_goals.contains(&p.representative_goal)
            && p.example_goals[0] == p.representative_goal
    );
}

#[test]
fn longest_common_subsequence() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        lcs(&s(&["a", "b", "c", "d"]), &s(&["b", "x", "d"])),
        s(&["b", "d"])
    );
    assert!(lcs(&s(&["a"]), &s(&["b"])).is_empty());
}

/// The bundled skills' descriptions (system-skills/summarising, plotting).
const SUMMARISING: &str = "Summarise documents, threads, meetings, papers or transcripts faithfully and at the right length for the reader, keeping key numbers, decisions, caveats and attributions, choosing a format (TL;DR, executive summary, structured notes, action items), and checking the summary against the source for omissions and distortions. Use when asked to summarise, condense, brief someone, write a TL;DR or extract the key points of any text.";
const PLOTTING: &str = "Draw a clean line chart or grouped bar chart as a self-contained SVG string built by hand from labels and one or more numeric series, with nice axis ticks, gridlines, a zero baseline for bars, gaps for missing values, a colour-blind-safe palette, legend and hover tooltips. Use when you need a quick, dependency-free chart of a small dataset for a report, a chat answer or a web page.";
const BELL: &str = "Prepare a Bell state with two qubits and sample measurements. Use when someone wants to see entanglement.";

#[test]
fn coverage_names_the_skill_that_already_does_the_task() {
    let keywords = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let (k1, k2, k3) = (
        keywords(&["summary", "tl;dr"]),
        keywords(&["charts", "svg"]),
        keywords(&["quantum"]),
    );
    let skills = [
        SkillText {
            name: "summarising",
            description: SUMMARISING,
            keywords: &k1,
        },
        SkillText {
            name: "plotting",
            description: PLOTTING,
            keywords: &k2,
        },
        SkillText {
            name: "bell-state",
            description: BELL,
            keywords: &k3,
        },
    ];
    let found = find_patterns(&twelve_plus_three(), &skills, &Options::default());
    let pattern = |label: &str| {
        found
            .patterns
            .iter()
            .find(|p| p.trace_ids[0].starts_with(label))
            .unwrap()
    };
    // The best skill is the right one; whether it reaches the threshold is
    // measured on the quality set (`app/tests/evolution_quality.rs`).
    assert_eq!(
        pattern("summary").best_skill.as_deref(),
        Some("summarising")
    );
    assert_eq!(pattern("chart").best_skill.as_deref(), Some("plotting"));
    assert!(
        pattern("summary").coverage > 2.0 * pattern("commit").coverage,
        "{:?}",
        found.patterns
    );
    assert_eq!(
        pattern("commit").covered_by,
        None,
        "no commit skill among these"
    );
    let loose = Options {
        cover_threshold: 0.05,
        ..Options::default()
    };
    let found = find_patterns(&twelve_plus_three(), &skills, &loose);
    assert!(
        found
            .patterns
            .iter()
            .find(|p| p.trace_ids[0].starts_with("summary"))
            .unwrap()
            .covered_by
            .as_deref()
            == Some("summarising")
    );
}

#[test]
fn semantic_path_clusters_embeddings_with_the_same_pipeline() {
    let traces = twelve_plus_three();
    // Three directions for the groups, slightly perturbed; the unrelated ones orthogonal.
    let mut rng = SplitMix(7);
    let embeddings: Vec<Vec<f32>> = (0..traces.len())
        .map(|i| {
            let mut v = vec![0f32; 32];
            let axis = if i < 12 { i / 4 } else { 3 + i };
            v[axis] = 1.0;
            v.iter_mut().for_each(|x| *x += 0.05 * rng.gaussian());
            v
        })
        .collect();
    let found = find_patterns_semantic(&traces, &embeddings, &[], &Options::default());
    assert_eq!(found.patterns.len(), 3);
    assert!(found.patterns.iter().all(|p| p.size == 4));
}

#[test]
fn semantic_vectors_add_what_a_task_used_at_its_share() {
    // Two traces with the same goal embedding, one used plotting, one csv-analysis.
    let traces = vec![
        trace("a", "chart the sales", &["plotting"], &["plotting"], Outcome::Solved),
        trace("b", "chart the sales", &["csv-analysis"], &["csv-analysis"], Outcome::Solved),
        trace("c", "chart the sales", &["plotting"], &["plotting"], Outcome::Solved),
        TraceInput::goal("d", "chart the sales"),
    ];
    let same = vec![vec![3.0, 4.0]; 4];
    let cosine = |v: &[Vec<f32>], a: usize, b: usize| -> f32 { v[a].iter().zip(&v[b]).map(|(x, y)| x * y).sum() };
    assert_eq!(semantic_vectors(&traces, &same, BlockWeights::default()), same, "no usage weight: the embeddings as given");
    let weights = BlockWeights { words: 0.35, chars: 0.35, usage: 0.3 };
    let vectors = semantic_vectors(&traces, &same, weights);
    assert!((cosine(&vectors, 0, 2) - 1.0).abs() < 1e-5, "same goal, same usage");
    assert!((cosine(&vectors, 0, 1) - 0.7).abs() < 1e-5, "same goal, nothing used in common: the goal's share only, {}", cosine(&vectors, 0, 1));
    assert!((cosine(&vectors, 3, 3) - 1.0).abs() < 1e-5, "a trace that used nothing keeps a unit embedding");
    // The same rule as the lexical path then keeps them apart above 0.7.
    let strict = Options { weights, semantic: Params { edge: 0.8, link: 0.8, postings_read: 24 }, min_size: 2, ..Options::default() };
    let found = find_patterns_semantic(&traces[..3], &same[..3], &[], &strict);
    assert_eq!(found.labels, [0, 1, 0]);
}

#[test]
fn what_a_task_used_counts_only_when_weighted() {
    let traces = vec![
        trace(
            "a",
            "chart the sales",
            &["plotting"],
            &["plotting"],
            Outcome::Solved,
        ),
        trace(
            "b",
            "chart the sales",
            &["csv-analysis"],
            &["csv-analysis"],
            Outcome::Solved,
        ),
        trace(
            "c",
            "chart the sales",
            &["plotting"],
            &["plotting"],
            Outcome::Solved,
        ),
    ];
    let cosine = |f: &Features, a: usize, b: usize| -> f32 {
        f.vectors[a]
            .iter()
            .map(|&(id, w)| w * f.vectors[b].iter().find(|x| x.0 == id).map_or(0.0, |x| x.1))
            .sum()
    };
    let plain = Features::build(&traces, BlockWeights::default());
    assert!(
        (cosine(&plain, 0, 1) - 1.0).abs() < 1e-5,
        "usage has no weight by default"
    );
    let weighted = Features::build(
        &traces,
        BlockWeights {
            usage: 0.3,
            ..BlockWeights::default()
        },
    );
    assert!((cosine(&weighted, 0, 2) - 1.0).abs() < 1e-5);
    assert!(
        cosine(&weighted, 0, 1) < 0.75,
        "different skills and steps make traces less alike"
    );
}

mod synthesis;
