//! The evolution engine's I/O-free part: traces in, patterns (clusters of recurring tasks) and skill proposals out.
//!
//! Pipeline: `normalise` folds, filters and stems each goal (with the search
//! analyser); `features` turns a trace into a unit TF-IDF vector of word
//! and character n-grams of its goal plus what it used; `cluster` groups
//! the vectors (candidate pairs from an inverted index over rare features,
//! group-average merging, see its module doc for why); `pattern` makes each
//! cluster of at least `Options::min_size` traces a `Pattern` and checks
//! whether an existing skill covers it; `synthesis` writes the prompt, the
//! offline fallback SKILL.md and validates a model's answer. The semantic
//! path (`find_patterns_semantic`) clusters given embeddings instead, with
//! the same merging and the same patterns.
//!
//! Nothing here reads a clock, a file or the network; it compiles for the
//! browser's wasm32 and runs natively in `llmos patterns` and the tests.

pub mod cluster;
pub mod diff;
pub mod features;
pub mod normalise;
pub mod pattern;
pub mod synthesis;
#[doc(hidden)]
pub mod synthetic;
pub mod workflow;
#[cfg(test)]
mod tests;
mod vocabulary;

pub use cluster::{Params, LEXICAL, SEMANTIC};
pub use diff::{line_diff, DiffLine, LineChange};
pub use features::{BlockWeights, Features};
pub use normalise::{normalise_goal, plain_key, NormalisedGoal};
pub use pattern::{Pattern, SkillText, COVER_THRESHOLD};
pub use synthesis::{check_synthesised, fallback_skill, retry_prompt, synthesis_prompt};
pub use workflow::workflow_skill;

use serde::{Deserialize, Serialize};

/// What the user said of a task's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Solved,
    NotSolved,
    /// Not marked.
    #[default]
    Unknown,
}

impl Outcome {
    /// The outcome of the chat's stored label (`Trace::outcome` in the
    /// islands: `Some("solved")`, `Some("not-solved")` or `None`).
    pub fn from_label(label: Option<&str>) -> Outcome {
        match label.map(str::trim) {
            Some("solved") => Outcome::Solved,
            Some("not-solved") => Outcome::NotSolved,
            _ => Outcome::Unknown,
        }
    }
}

/// What kind of step a trace took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    /// A skill's instructions were loaded (`load_skill`).
    Load,
    /// An executable skill was run (`run_skill`).
    Run,
    /// Any other tool call, by tool name.
    Tool,
}

impl StepKind {
    /// `load`, `run` or `tool`: the kind as `Step::key` writes it.
    pub fn label(self) -> &'static str {
        match self {
            StepKind::Load => "load",
            StepKind::Run => "run",
            StepKind::Tool => "tool",
        }
    }
}

/// One step of a trace, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Step {
    pub kind: StepKind,
    /// The skill's name for `Load` and `Run`, the tool's name for `Tool`.
    pub name: String,
    /// Whether it succeeded (a run that was declined, failed or timed out did not).
    pub ok: bool,
}

impl Step {
    /// `run:csv-analysis`, `load:plotting`, `tool:web_search`: a step as a sequence element.
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind.label(), self.name)
    }
}

/// One trace as the core sees it, built by the browser from its stored
/// chat trace (`islands/src/chat/records.rs`, `Trace`):
///
/// | `TraceInput` | from `Trace` |
/// |---|---|
/// | `id` | `id` |
/// | `goal` | `goal` (the first user message) |
/// | `skills_offered`, `skills_used` | the same fields |
/// | `steps` | `steps_from_chat(tool_calls as (name, arguments), runs as (skill, ok))` |
/// | `outcome` | `Outcome::from_label(outcome.as_deref())` |
/// | `timestamp_ms` | `turns[0].started` (ms since the Unix epoch), 0 without turns |
/// | `model` | `model` |
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TraceInput {
    pub id: String,
    pub goal: String,
    pub skills_offered: Vec<String>,
    pub skills_used: Vec<String>,
    /// Tool calls and skill runs in order.
    pub steps: Vec<Step>,
    pub outcome: Outcome,
    /// When the task started, in milliseconds since the Unix epoch.
    pub timestamp_ms: f64,
    pub model: String,
}

impl TraceInput {
    /// A trace with only a goal (what `llmos patterns` reads).
    pub fn goal(id: impl Into<String>, goal: impl Into<String>) -> TraceInput {
        TraceInput {
            id: id.into(),
            goal: goal.into(),
            ..TraceInput::default()
        }
    }
}

/// The steps of a chat trace: its tool calls in order, where each
/// `run_skill` call (`RUN_SKILL` when asked for in text) takes the next of
/// `runs` (the skill's name and whether it ran), and each `load_skill`
/// call (`LOAD_SKILL`) names the skill in its arguments (`{"name": …}` JSON,
/// or the bare name). Runs left over (none in practice) are appended.
pub fn steps_from_chat(tool_calls: &[(&str, &str)], runs: &[(&str, bool)]) -> Vec<Step> {
    let mut runs = runs.iter();
    let mut steps = Vec::new();
    for &(name, arguments) in tool_calls {
        let step = if name.eq_ignore_ascii_case(crate::llm::RUN_SKILL_TOOL) {
            match runs.next() {
                Some(&(skill, ok)) => Step {
                    kind: StepKind::Run,
                    name: skill.to_string(),
                    ok,
                },
                None => Step {
                    kind: StepKind::Run,
                    name: argument_name(arguments, "skill"),
                    ok: false,
                },
            }
        } else if name.eq_ignore_ascii_case(crate::llm::LOAD_SKILL_TOOL) {
            Step {
                kind: StepKind::Load,
                name: argument_name(arguments, "name"),
                ok: true,
            }
        } else {
            Step {
                kind: StepKind::Tool,
                name: name.to_string(),
                ok: true,
            }
        };
        steps.push(step);
    }
    steps.extend(runs.map(|&(skill, ok)| Step {
        kind: StepKind::Run,
        name: skill.to_string(),
        ok,
    }));
    steps
}

/// `field` of a JSON object of arguments, or the arguments themselves when they are a bare name.
fn argument_name(arguments: &str, field: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(arguments) {
        Ok(value) => value
            .get(field)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string(),
        Err(_) => arguments.trim().to_string(),
    }
}

/// Settings of one detection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// The fewest traces a cluster needs to be a pattern (3: a task done
    /// twice may be chance; the reference design keeps groups of three).
    pub min_size: usize,
    pub weights: BlockWeights,
    pub lexical: Params,
    pub semantic: Params,
    /// The least containment share for a skill to cover a pattern (`COVER_THRESHOLD`).
    pub cover_threshold: f32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            min_size: 3,
            weights: BlockWeights::default(),
            lexical: LEXICAL,
            semantic: SEMANTIC,
            cover_threshold: COVER_THRESHOLD,
        }
    }
}

/// The result of a detection.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// One cluster label per trace, in input order (clusters numbered by first member; singletons too).
    pub labels: Vec<usize>,
    /// Clusters of at least `Options::min_size` traces, largest first.
    pub patterns: Vec<Pattern>,
}

/// Lexical detection, the offline default: clusters `traces` by their
/// TF-IDF vectors and makes patterns, checking them against `skills`.
pub fn find_patterns(traces: &[TraceInput], skills: &[SkillText], options: &Options) -> Detection {
    let features = Features::build(traces, options.weights);
    let space = cluster::SparseSpace::new(&features);
    let labels = cluster::cluster(&space, options.lexical);
    detection(traces, labels, &features, skills, options)
}

/// The patterns of clustered traces, the same whatever clustered them.
fn detection(
    traces: &[TraceInput],
    labels: Vec<usize>,
    features: &Features,
    skills: &[SkillText],
    options: &Options,
) -> Detection {
    let patterns = pattern::patterns(
        traces,
        &labels,
        features,
        skills,
        options.min_size,
        options.cover_threshold,
    );
    Detection { labels, patterns }
}

/// Semantic detection: clusters on `embeddings` (one per trace, same
/// order; cosine; any length) with the same merging rule as `find_patterns`
/// (`cluster::cluster`, `Options::semantic` thresholds), and makes the
/// patterns and checks their coverage exactly as it does (coverage stays
/// lexical, as the skills have no embeddings). The embedding replaces the
/// goal's word and character blocks; what the task used keeps its share
/// `usage / (words + chars + usage)` of `Options::weights`, as in the lexical
/// vectors (none by default; see `semantic_vectors`). Panics if the lengths differ.
pub fn find_patterns_semantic(
    traces: &[TraceInput],
    embeddings: &[Vec<f32>],
    skills: &[SkillText],
    options: &Options,
) -> Detection {
    assert_eq!(traces.len(), embeddings.len(), "one embedding per trace");
    let vectors = semantic_vectors(traces, embeddings, options.weights);
    let space = cluster::DenseSpace::new(&vectors);
    let labels = cluster::cluster(&space, options.semantic);
    let features = Features::build(traces, options.weights);
    detection(traces, labels, &features, skills, options)
}

/// The vectors the semantic path clusters: each embedding, L2-normalised
/// and scaled by `√(1 − u)`, followed by the trace's usage block (unit
/// TF-IDF over skills offered and used, steps and their pairs, the same
/// features as the lexical path's, as dense dimensions) scaled by `√u`, so
/// that the cosine of two traces that both used something is
/// `(1 − u) · cos(embeddings) + u · cos(usage)`. A trace that used nothing
/// keeps its embedding alone at full weight, as a missing block does in
/// `Features`. With `u = 0` (the default) the embeddings are returned as given.
/// Memory: n × (embedding length + distinct usage features).
pub fn semantic_vectors(traces: &[TraceInput], embeddings: &[Vec<f32>], weights: BlockWeights) -> Vec<Vec<f32>> {
    let total = weights.words + weights.chars + weights.usage;
    let share = if total > 0.0 { (weights.usage / total).clamp(0.0, 1.0) } else { 0.0 };
    if share <= 0.0 {
        return embeddings.to_vec();
    }
    let usage = Features::build(traces, BlockWeights { words: 0.0, chars: 0.0, usage: 1.0 });
    let dim = embeddings.iter().map(Vec::len).max().unwrap_or(0);
    // The vocabulary also numbers the goals' features: usage ids are made dense.
    let mut compact: rustc_hash::FxHashMap<u32, usize> = rustc_hash::FxHashMap::default();
    for &(id, _) in usage.vectors.iter().flatten() {
        let next = compact.len();
        compact.entry(id).or_insert(next);
    }
    let usage_dim = compact.len();
    embeddings
        .iter()
        .zip(&usage.vectors)
        .map(|(embedding, used)| {
            let norm = embedding.iter().map(|x| x * x).sum::<f32>().sqrt();
            let goal_scale = if used.is_empty() { 1.0 } else { (1.0 - share).sqrt() };
            let mut v: Vec<f32> = embedding.iter().map(|x| if norm > 0.0 { x / norm * goal_scale } else { 0.0 }).collect();
            v.resize(dim + usage_dim, 0.0);
            for &(id, w) in used {
                v[dim + compact[&id]] = w * share.sqrt();
            }
            v
        })
        .collect()
}

/// SplitMix64 (Steele, Lea & Flood 2014): the deterministic generator of
/// the LSH hyperplanes.
pub(crate) struct SplitMix(pub u64);

impl SplitMix {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// An approximately standard normal sample: the sum of 12 uniforms
    /// minus 6 (Irwin–Hall; variance 1, tails cut at ±6). Random
    /// hyperplanes need only a near-rotation-invariant direction, and this
    /// keeps `ln` and `cos` (several kB of wasm) out of the browser bundle.
    pub fn gaussian(&mut self) -> f32 {
        let sum: f64 = (0..12).map(|_| (self.next() >> 11) as f64 / (1u64 << 53) as f64).sum();
        (sum - 6.0) as f32
    }
}

/// FNV-1a, 64 bits: stable ids of patterns across runs and targets.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}
