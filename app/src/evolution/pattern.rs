//! Patterns: clusters of recurring tasks with their representative goal, common sequence, success rate and covering skill.

use super::features::{Features, SparseVec};
use super::normalise::plain_key;
use super::{fnv1a, Outcome, Step, StepKind, TraceInput};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// The least share of a pattern's goal word weight that a skill's name,
/// keywords and description must contain for the skill to cover the
/// pattern (see `coverage`); the default of `Options::cover_threshold`.
/// Chosen on the quality set's patterns against the bundled skills
/// (`app/tests/evolution_quality.rs` prints them).
pub const COVER_THRESHOLD: f32 = 0.3;

/// How many distinct example goals a pattern lists.
pub const EXAMPLES: usize = 5;

/// An existing skill, as coverage sees it.
#[derive(Debug, Clone, Copy)]
pub struct SkillText<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub keywords: &'a [String],
}

/// A recurring task: a cluster of at least `Options::min_size` traces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pattern {
    /// `p-` and 16 hex digits of the FNV-1a hash of the cluster's first
    /// trace (earliest `timestamp_ms`, then smallest id): stable while the
    /// pattern grows, so a rejected proposal can be recognised later.
    pub id: String,
    /// How many traces it has.
    pub size: usize,
    /// Traces marked solved and not solved (the rest are unmarked).
    pub solved: usize,
    pub not_solved: usize,
    /// `solved / (solved + not_solved)`, `None` when no trace is marked.
    pub success_rate: Option<f32>,
    /// The medoid's goal: the member closest to the cluster's centroid.
    pub representative_goal: String,
    /// Up to `EXAMPLES` distinct goals, closest to the centroid first (the representative first).
    pub example_goals: Vec<String>,
    /// The steps most of its successful traces took (`Step::key`: `run:csv-analysis`, …):
    /// the most frequent exact sequence when at least two traces share one,
    /// else the longest common subsequence of them all. Failed traces are
    /// used only when no trace succeeded or is unmarked.
    pub common_sequence: Vec<String>,
    /// Skills used in its traces, most used first.
    pub skills_used: Vec<String>,
    /// Its traces' ids, in input order.
    pub trace_ids: Vec<String>,
    /// The existing skill that already covers it (`best_skill` when its
    /// share reaches `Options::cover_threshold`): the pattern then proposes
    /// improving that skill.
    pub covered_by: Option<String>,
    /// The skill with the largest containment share, covering or not.
    pub best_skill: Option<String>,
    /// That share, 0 to 1 (0 without skills).
    pub coverage: f32,
}

/// The patterns of a clustering: every cluster of at least `min_size`
/// traces, largest first (then by id). `labels` has one cluster label per trace.
pub fn patterns(
    traces: &[TraceInput],
    labels: &[usize],
    features: &Features,
    skills: &[SkillText],
    min_size: usize,
    cover_threshold: f32,
) -> Vec<Pattern> {
    let mut members: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
    for (i, &label) in labels.iter().enumerate() {
        members.entry(label).or_default().push(i);
    }
    let skill_vectors: Vec<SparseVec> = skills
        .iter()
        .map(|s| features.text_vector(&skill_text(s)))
        .collect();
    let mut dense = vec![0f32; features.dimensions()];
    let mut found: Vec<Pattern> = members
        .into_values()
        .filter(|m| m.len() >= min_size.max(1))
        .map(|m| {
            pattern(
                traces,
                &m,
                features,
                skills,
                &skill_vectors,
                cover_threshold,
                &mut dense,
            )
        })
        .collect();
    found.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.id.cmp(&b.id)));
    found
}

/// A skill's name (twice: names are chosen words), keywords and description as one text.
fn skill_text(skill: &SkillText) -> String {
    let name = skill.name.replace(['-', '_'], " ");
    format!(
        "{name}. {name}. {}. {}",
        skill.keywords.join(", "),
        skill.description
    )
}

fn pattern(
    traces: &[TraceInput],
    members: &[usize],
    features: &Features,
    skills: &[SkillText],
    skill_vectors: &[SparseVec],
    cover_threshold: f32,
    dense: &mut [f32],
) -> Pattern {
    // The centroid (sum of member vectors), accumulated densely.
    let mut touched: Vec<u32> = Vec::new();
    for &m in members {
        for &(id, w) in &features.vectors[m] {
            if dense[id as usize] == 0.0 {
                touched.push(id);
            }
            dense[id as usize] += w;
        }
    }
    let closeness = |m: usize| {
        features.vectors[m]
            .iter()
            .map(|&(id, w)| w * dense[id as usize])
            .sum::<f32>()
    };
    let mut by_closeness: Vec<(f32, usize)> = members.iter().map(|&m| (closeness(m), m)).collect();
    let centroid: Vec<(u32, f32)> = touched
        .iter()
        .map(|&id| (id, std::mem::take(&mut dense[id as usize])))
        .collect();
    by_closeness.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut example_goals: Vec<String> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    for &(_, m) in &by_closeness {
        if example_goals.len() == EXAMPLES {
            break;
        }
        let key = plain_key(&traces[m].goal);
        if !keys.contains(&key) {
            keys.push(key);
            example_goals.push(traces[m].goal.trim().to_string());
        }
    }
    let first = *members
        .iter()
        .min_by(|&&a, &&b| {
            traces[a]
                .timestamp_ms
                .total_cmp(&traces[b].timestamp_ms)
                .then_with(|| traces[a].id.cmp(&traces[b].id))
        })
        .expect("a pattern has members");
    let solved = members
        .iter()
        .filter(|&&m| traces[m].outcome == Outcome::Solved)
        .count();
    let not_solved = members
        .iter()
        .filter(|&&m| traces[m].outcome == Outcome::NotSolved)
        .count();
    let (best_skill, coverage) = coverage(features, &centroid, skills, skill_vectors);
    Pattern {
        id: format!("p-{:016x}", fnv1a(traces[first].id.as_bytes())),
        size: members.len(),
        solved,
        not_solved,
        success_rate: (solved + not_solved > 0)
            .then(|| solved as f32 / (solved + not_solved) as f32),
        representative_goal: traces[by_closeness[0].1].goal.trim().to_string(),
        example_goals,
        common_sequence: common_sequence(traces, members),
        skills_used: skills_used(traces, members),
        trace_ids: members.iter().map(|&m| traces[m].id.clone()).collect(),
        covered_by: best_skill.clone().filter(|_| coverage >= cover_threshold),
        best_skill,
        coverage,
    }
}

/// The best skill by containment: the share of the pattern's goal word
/// weight (the squared TF-IDF weights of the word unigrams and bigrams in
/// the centroid of its goals) that the skill's name, keywords and
/// description contain. Coverage is asymmetric (a skill's text covers many
/// tasks), so a cosine would penalise a long description; containment does
/// not. Character n-grams are left out here: a long description contains
/// most short n-grams of any goal.
fn coverage(
    features: &Features,
    centroid: &[(u32, f32)],
    skills: &[SkillText],
    skill_vectors: &[SparseVec],
) -> (Option<String>, f32) {
    let words: Vec<(u32, f32)> = centroid
        .iter()
        .filter(|&&(id, _)| features.is_word_feature(id))
        .map(|&(id, w)| (id, w * w))
        .collect();
    let total: f32 = words.iter().map(|(_, w)| w).sum();
    if total <= 0.0 {
        return (None, 0.0);
    }
    let contained = |skill: &SparseVec| {
        words
            .iter()
            .filter(|(id, _)| skill.binary_search_by_key(id, |&(f, _)| f).is_ok())
            .map(|(_, w)| w)
            .sum::<f32>()
            / total
    };
    let best = skill_vectors
        .iter()
        .enumerate()
        .map(|(i, v)| (contained(v), i))
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    match best {
        Some((share, i)) if share > 0.0 => (Some(skills[i].name.to_string()), share),
        Some(_) => (None, 0.0),
        None => (None, 0.0),
    }
}

fn skills_used(traces: &[TraceInput], members: &[usize]) -> Vec<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for &m in members {
        for skill in &traces[m].skills_used {
            match counts.iter_mut().find(|(s, _)| s == skill) {
                Some((_, n)) => *n += 1,
                None => counts.push((skill.clone(), 1)),
            }
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts.into_iter().map(|(s, _)| s).collect()
}

fn common_sequence(traces: &[TraceInput], members: &[usize]) -> Vec<String> {
    // A sequence as (kind, name) pairs: it compares and orders as its `Step::key`
    // strings do (kinds sort as "load" < "run" < "tool"), without writing them.
    type Sequence<'t> = Vec<(StepKind, &'t str)>;
    let pick = |outcomes: &[Outcome]| -> Vec<Sequence> {
        members
            .iter()
            .filter(|&&m| outcomes.contains(&traces[m].outcome) && !traces[m].steps.is_empty())
            .map(|&m| traces[m].steps.iter().map(|s| (s.kind, s.name.as_str())).collect())
            .collect()
    };
    let mut sequences = pick(&[Outcome::Solved]);
    if sequences.is_empty() {
        sequences = pick(&[Outcome::Unknown]);
    }
    if sequences.is_empty() {
        sequences = pick(&[Outcome::NotSolved]);
    }
    if sequences.is_empty() {
        return Vec::new();
    }
    let keys = |sequence: &Sequence| -> Vec<String> { sequence.iter().map(|&(kind, name)| Step { kind, name: name.to_string(), ok: true }.key()).collect() };
    let mut tally: FxHashMap<&Sequence, usize> = FxHashMap::default();
    for s in &sequences {
        *tally.entry(s).or_insert(0) += 1;
    }
    let best = tally
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(a.0.len().cmp(&b.0.len())).then_with(|| b.0.cmp(a.0)))
        .expect("sequences is not empty");
    if best.1 >= 2 || sequences.len() == 1 {
        return keys(best.0);
    }
    let sequences: Vec<Vec<String>> = sequences.iter().map(keys).collect();
    sequences
        .iter()
        .skip(1)
        .fold(sequences[0].clone(), |common, s| lcs(&common, s))
}

/// The longest common subsequence of two sequences (the textbook dynamic
/// programme, O(|a|·|b|)); among equally long ones, the one `a` orders first.
pub fn lcs(a: &[String], b: &[String]) -> Vec<String> {
    let (n, m) = (a.len(), b.len());
    let mut table = vec![0u16; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[at(i, j)] = if a[i] == b[j] {
                table[at(i + 1, j + 1)] + 1
            } else {
                table[at(i + 1, j)].max(table[at(i, j + 1)])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n && j < m {
        if a[i] == b[j] {
            out.push(a[i].clone());
            i += 1;
            j += 1;
        } else if table[at(i + 1, j)] >= table[at(i, j + 1)] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}
