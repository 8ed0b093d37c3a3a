//! Pattern detection, measured: the goals of `fixtures/evolution/goals.tsv`
//! (26 tasks phrased 4–6 ways each, 18 tasks asked once) are clustered by
//! the lexical default and by the exact-hash rule of the reference design;
//! pairwise precision, recall and F1 are printed for both, over all goals
//! and over two halves: the pairs with a goal of an odd-numbered task (the
//! tuning half) and the pairs of even-numbered tasks only (held out). Fails below issue 13's target (F1 ≥ 0.85) or below the figures
//! reached when the thresholds were chosen, minus a margin.
//!
//! `cargo test -p llmos-core --test evolution_quality -- --nocapture` shows
//! the figures and every pair the clustering got wrong.

use llmos_core::evolution::{find_patterns, normalise_goal, plain_key, Options, TraceInput};
use std::collections::HashMap;

/// Issue 13's target for the lexical default.
const TARGET_F1: f64 = 0.85;
/// What the lexical default reached on all goals when its thresholds were
/// chosen (F1 0.904), minus a margin: a regression fails here first.
const FLOOR_F1: f64 = 0.88;

struct Goal {
    label: String,
    text: String,
}

fn goals() -> Vec<Goal> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/evolution/goals.tsv"
    );
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (label, text) = l.split_once('\t').expect("label<TAB>goal");
            Goal {
                label: label.to_string(),
                text: text.to_string(),
            }
        })
        .collect()
}

/// Which half a task belongs to: its number's parity (`07-…` odd, `single-04` even).
fn odd(label: &str) -> bool {
    let digits: String = label.chars().filter(char::is_ascii_digit).collect();
    digits.parse::<u32>().unwrap() % 2 == 1
}

/// The pairs the thresholds were chosen on: those with a goal of an
/// odd-numbered task (so a merge of an odd task with an even one counts
/// against the tuning); the held-out pairs are those of two even-numbered tasks.
fn tuning_pair(a: &Goal, b: &Goal) -> bool {
    odd(&a.label) || odd(&b.label)
}

#[derive(Debug, Clone, Copy)]
struct Scores {
    precision: f64,
    recall: f64,
    f1: f64,
}

/// Pairwise scores over the pairs `keep` selects: a pair is a true positive
/// when both the truth and the prediction put it together.
fn pairwise(goals: &[Goal], predicted: &[String], keep: impl Fn(&Goal, &Goal) -> bool) -> Scores {
    let (mut tp, mut fp, mut fn_) = (0f64, 0f64, 0f64);
    for i in 0..goals.len() {
        for j in i + 1..goals.len() {
            if !keep(&goals[i], &goals[j]) {
                continue;
            }
            match (
                goals[i].label == goals[j].label,
                predicted[i] == predicted[j],
            ) {
                (true, true) => tp += 1.0,
                (false, true) => fp += 1.0,
                (true, false) => fn_ += 1.0,
                _ => {}
            }
        }
    }
    let precision = if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 };
    let recall = if tp + fn_ > 0.0 { tp / (tp + fn_) } else { 0.0 };
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    Scores {
        precision,
        recall,
        f1,
    }
}

fn report(name: &str, goals: &[Goal], predicted: &[String]) -> [Scores; 3] {
    let all = pairwise(goals, predicted, |_, _| true);
    let tuning = pairwise(goals, predicted, tuning_pair);
    let held_out = pairwise(goals, predicted, |a, b| !tuning_pair(a, b));
    for (half, s) in [
        ("all", all),
        ("tuning (odd)", tuning),
        ("held out (even)", held_out),
    ] {
        println!(
            "{name:>24} {half:>16}: precision {:.3}  recall {:.3}  F1 {:.3}",
            s.precision, s.recall, s.f1
        );
    }
    [all, tuning, held_out]
}

#[test]
fn lexical_clustering_beats_the_exact_hash_rule_on_paraphrases() {
    let goals = goals();
    let labels: std::collections::HashSet<&str> = goals.iter().map(|g| g.label.as_str()).collect();
    assert!(
        goals.len() >= 100
            && labels.iter().filter(|l| !l.starts_with("single-")).count() >= 22
            && labels.iter().filter(|l| l.starts_with("single-")).count() >= 15
    );
    let traces: Vec<TraceInput> = goals
        .iter()
        .enumerate()
        .map(|(i, g)| TraceInput::goal(i.to_string(), &g.text))
        .collect();
    let found = find_patterns(&traces, &[], &Options::default());
    let lexical: Vec<String> = found.labels.iter().map(usize::to_string).collect();
    let exact: Vec<String> = goals
        .iter()
        .map(|g| normalise_goal(&g.text).key())
        .collect();
    let plain: Vec<String> = goals.iter().map(|g| plain_key(&g.text)).collect();

    let [all, _, held_out] = report("lexical (default)", &goals, &lexical);
    report("exact hash, normalised", &goals, &exact);
    report("exact hash, plain", &goals, &plain);

    let mut by_cluster: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, l) in lexical.iter().enumerate() {
        by_cluster.entry(l).or_default().push(i);
    }
    for (i, g) in goals.iter().enumerate() {
        for (j, h) in goals.iter().enumerate().skip(i + 1) {
            if (g.label == h.label) != (lexical[i] == lexical[j]) {
                let what = if g.label == h.label {
                    "split "
                } else {
                    "merged"
                };
                println!(
                    "  {what}  {:<22} {:?}\n          {:<22} {:?}",
                    g.label, g.text, h.label, h.text
                );
            }
        }
    }
    println!(
        "  {} patterns (clusters of ≥ 3) from {} goals",
        found.patterns.len(),
        goals.len()
    );
    assert!(
        all.f1 >= TARGET_F1,
        "lexical F1 {:.3} is under the issue's target {TARGET_F1}",
        all.f1
    );
    assert!(
        all.f1 >= FLOOR_F1,
        "lexical F1 {:.3} fell under the tuned floor {FLOOR_F1}",
        all.f1
    );
    assert!(
        held_out.f1 >= TARGET_F1,
        "held-out F1 {:.3} is under {TARGET_F1}",
        held_out.f1
    );
}

/// The sweep the thresholds were chosen with: F1 on the tuning half (odd
/// tasks) only, for a grid of edge and link thresholds and goal block
/// weights. `cargo test -p llmos-core --test evolution_quality -- --ignored --nocapture`
#[test]
#[ignore]
fn sweep_thresholds_on_the_tuning_half() {
    let goals = goals();
    let traces: Vec<TraceInput> = goals
        .iter()
        .enumerate()
        .map(|(i, g)| TraceInput::goal(i.to_string(), &g.text))
        .collect();
    let mut best = (0.0, String::new());
    for chars in [0.35f32, 0.5, 0.65] {
        for edge in [0.1f32, 0.15, 0.18, 0.2, 0.22, 0.25, 0.3] {
            for link in [0.1f32, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4] {
                let mut options = Options::default();
                options.weights.chars = chars;
                options.weights.words = 0.85 - chars;
                options.lexical.edge = edge;
                options.lexical.link = link;
                let found = find_patterns(&traces, &[], &options);
                let predicted: Vec<String> = found.labels.iter().map(usize::to_string).collect();
                let tuning = pairwise(&goals, &predicted, tuning_pair);
                let line = format!("chars {chars:.2} edge {edge:.2} link {link:.2}: tuning P {:.3} R {:.3} F1 {:.3}", tuning.precision, tuning.recall, tuning.f1);
                println!("{line}");
                if tuning.f1 > best.0 {
                    best = (tuning.f1, line);
                }
            }
        }
    }
    println!("best: {}", best.1);
}

/// The bundled skill that already does each task of the quality set
/// (`None`: no bundled skill does it), for measuring coverage.
const COVERING: &[(&str, &[&str])] = &[
    ("01-csv-bar-chart", &["csv-to-chart", "plotting"]),
    ("02-commit-message", &["commit-messages"]),
    ("03-summarise-article", &["summarising"]),
    ("04-regex-email", &["regex-builder"]),
    ("05-cron-weekday", &["cron-expression"]),
    ("06-ab-test", &["ab-test-significance"]),
    ("07-bell-state", &["bell-state", "bell-state-qasm"]),
    ("08-colour-contrast", &["color-contrast-checker"]),
    ("09-unit-tests", &["writing-unit-tests"]),
    ("10-clean-csv", &["data-cleaning"]),
    ("11-translate-french", &["translation"]),
    ("12-sql-review", &["sql-query-review"]),
    ("13-ohms-law", &["ohms-law-calculator"]),
    ("14-resistor-divider", &["resistor-divider"]),
    ("15-email-decline", &["email-drafting"]),
    ("16-debug-python", &["debugging-method"]),
    ("17-grover", &["grover-search"]),
    ("18-rc-lowpass", &["rc-filter-response", "rc-filter-bode"]),
    ("19-truth-table", &["logic-truth-table"]),
    ("20-threejs-cube", &["threejs-rotating-cube"]),
    ("21-recipe-vegan", &[]),
    ("22-trip-lisbon", &[]),
    ("23-cover-letter", &[]),
    ("24-loan-payment", &[]),
    ("25-pr-review", &["code-review"]),
    ("26-prompt-improve", &["prompt-writing"]),
];

/// The bundled skills' names, descriptions and keywords.
fn bundled_skills() -> Vec<(String, String, Vec<String>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../system-skills");
    let mut skills = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let folder = entry.unwrap().path();
        let Ok(bytes) = std::fs::read(folder.join("SKILL.md")) else {
            continue;
        };
        let name = folder.file_name().unwrap().to_string_lossy().into_owned();
        let path = format!("{name}/SKILL.md");
        let (skill, _) = llmos_core::parse_skill(&llmos_core::SkillSource {
            path: &path,
            folder: &name,
            bytes: &bytes,
            files: &[],
        })
        .unwrap();
        skills.push((skill.name, skill.description, skill.keywords));
    }
    skills.sort();
    skills
}

/// Coverage, measured: each pattern of the quality set is checked against
/// the bundled skills; a pattern whose task a bundled skill does should
/// name it, and the others none. Prints every pattern's best skill.
#[test]
fn patterns_name_the_bundled_skill_that_covers_them() {
    let goals = goals();
    let traces: Vec<TraceInput> = goals
        .iter()
        .enumerate()
        .map(|(i, g)| TraceInput::goal(i.to_string(), &g.text))
        .collect();
    let bundled = bundled_skills();
    let skills: Vec<llmos_core::evolution::SkillText> = bundled
        .iter()
        .map(
            |(name, description, keywords)| llmos_core::evolution::SkillText {
                name,
                description,
                keywords,
            },
        )
        .collect();
    let found = find_patterns(&traces, &skills, &Options::default());
    let (mut right, mut wrong, mut missed) = (0, 0, 0);
    let mut shares: Vec<(f32, bool, bool)> = Vec::new();
    for pattern in &found.patterns {
        // The pattern's task: the label most of its goals carry.
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for id in &pattern.trace_ids {
            *counts
                .entry(goals[id.parse::<usize>().unwrap()].label.as_str())
                .or_default() += 1;
        }
        let label = counts
            .into_iter()
            .max_by_key(|&(l, n)| (n, std::cmp::Reverse(l)))
            .unwrap()
            .0;
        let expected = COVERING
            .iter()
            .find(|(l, _)| *l == label)
            .map_or(&[][..], |(_, s)| *s);
        let best_is_right = pattern
            .best_skill
            .as_deref()
            .is_some_and(|s| expected.contains(&s));
        shares.push((pattern.coverage, best_is_right, odd(label)));
        let verdict = match (&pattern.covered_by, expected.is_empty()) {
            (Some(skill), false) if expected.contains(&skill.as_str()) => {
                right += 1;
                "right"
            }
            (None, true) => {
                right += 1;
                "right"
            }
            (Some(_), _) => {
                wrong += 1;
                "WRONG"
            }
            (None, false) => {
                missed += 1;
                "missed"
            }
        };
        println!(
            "  {verdict:>6} {label:<22} covered by {:<24} (best {} {:.2}) {:?}",
            pattern.covered_by.as_deref().unwrap_or("-"),
            pattern.best_skill.as_deref().unwrap_or("-"),
            pattern.coverage,
            pattern.representative_goal
        );
    }
    for threshold in [0.15f32, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5] {
        let score = |keep: &dyn Fn(bool) -> bool| {
            shares
                .iter()
                .filter(|s| keep(s.2))
                .filter(|&&(share, best_right, _)| (share >= threshold) == best_right)
                .count()
        };
        let (odd_n, even_n) = (
            shares.iter().filter(|s| s.2).count(),
            shares.iter().filter(|s| !s.2).count(),
        );
        println!("  threshold {threshold:.2}: right on {}/{odd_n} odd (tuning), {}/{even_n} even patterns", score(&|o| o), score(&|o| !o));
    }
    println!(
        "coverage: {right} right, {wrong} wrong, {missed} missed of {} patterns",
        found.patterns.len()
    );
    assert!(
        wrong == 0,
        "a pattern was said to be covered by a skill that does another task"
    );
    assert!(
        right * 10 >= found.patterns.len() * 8,
        "fewer than 80 % of the patterns got their coverage right"
    );
}

/// The semantic path on the quality set, with stand-in embeddings: each
/// goal's lexical TF-IDF vector projected onto 256 random Gaussian
/// directions (Johnson–Lindenstrauss: cosines are kept within a few
/// hundredths), clustered with the lexical thresholds. It shows the
/// embeddings path (dense vectors, LSH candidates, the same merging)
/// finds the clusters the lexical path finds from vectors it has never
/// seen as sparse features; real embeddings' quality depends on the model.
#[test]
fn semantic_path_clusters_projected_vectors_like_the_lexical_path() {
    use llmos_core::evolution::{find_patterns_semantic, Features, LEXICAL};
    let goals = goals();
    let traces: Vec<TraceInput> = goals.iter().enumerate().map(|(i, g)| TraceInput::goal(i.to_string(), g.text.clone())).collect();
    let options = Options::default();
    let features = Features::build(&traces, options.weights);
    const DIM: usize = 256;
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut gaussian = move || {
        // xorshift64*, then Box–Muller: reproducible without a dependency.
        let mut next = || {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            ((state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        };
        let (u1, u2) = (next(), next());
        ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
    };
    let projection: Vec<f32> = (0..features.dimensions() * DIM).map(|_| gaussian()).collect();
    let embeddings: Vec<Vec<f32>> = features
        .vectors
        .iter()
        .map(|v| {
            let mut e = vec![0f32; DIM];
            for &(id, w) in v {
                e.iter_mut().zip(&projection[id as usize * DIM..][..DIM]).for_each(|(x, p)| *x += w * p);
            }
            e
        })
        .collect();
    let semantic = Options { semantic: LEXICAL, min_size: 1, ..options };
    let found = find_patterns_semantic(&traces, &embeddings, &[], &semantic);
    let predicted: Vec<String> = found.labels.iter().map(usize::to_string).collect();
    let [all, _, _] = report("semantic (projected)", &goals, &predicted);
    let lexical = find_patterns(&traces, &[], &Options { min_size: 1, ..Options::default() });
    let lexical: Vec<String> = lexical.labels.iter().map(usize::to_string).collect();
    let [lexical_all, _, _] = report("lexical", &goals, &lexical);
    assert!(all.f1 >= lexical_all.f1 - 0.05, "the semantic path on projected lexical vectors: F1 {:.3} vs lexical {:.3}", all.f1, lexical_all.f1);
    assert!(all.precision >= 0.8, "precision {:.3}", all.precision);
}
