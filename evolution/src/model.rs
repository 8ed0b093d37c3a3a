//! What the two pages decide, without I/O: a stored chat trace as the
//! core's `TraceInput`, the traces list's rows and filter, the export, and
//! the user's decisions on proposals (kept in the store's `meta`).

use llmos_core::evolution::{self, synthesis, Detection, Options, Outcome, Pattern, SkillText, TraceInput};
use crate::effect::{self, Effect};
use llmos_islands::records::Trace;
use serde::{Deserialize, Serialize};

/// The chat's stored trace as the core reads it (the mapping documented on `TraceInput`).
pub fn trace_input(trace: &Trace) -> TraceInput {
    let calls: Vec<(&str, &str)> = trace.tool_calls.iter().map(|c| (c.name.as_str(), c.arguments.as_str())).collect();
    let runs: Vec<(&str, bool)> = trace.runs.iter().map(|r| (r.skill.as_str(), r.ok)).collect();
    TraceInput {
        id: trace.id.clone(),
        goal: trace.goal.clone(),
        skills_offered: trace.skills_offered.clone(),
        skills_used: trace.skills_used.clone(),
        steps: evolution::steps_from_chat(&calls, &runs),
        outcome: Outcome::from_label(trace.outcome.as_deref()),
        timestamp_ms: started(trace),
        model: trace.model.clone(),
    }
}

/// When the trace's task started (its first turn), in ms since the Unix epoch; 0 without turns.
pub fn started(trace: &Trace) -> f64 {
    trace.turns.first().map_or(0.0, |t| t.started)
}

/// Which outcomes the traces list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeFilter {
    All,
    Solved,
    NotSolved,
    Unmarked,
}

impl OutcomeFilter {
    /// The `<select>` value (`all`, `solved`, `not-solved`, `unmarked`); anything else is `All`.
    pub fn from_value(value: &str) -> OutcomeFilter {
        match value {
            "solved" => OutcomeFilter::Solved,
            "not-solved" => OutcomeFilter::NotSolved,
            "unmarked" => OutcomeFilter::Unmarked,
            _ => OutcomeFilter::All,
        }
    }
}

/// Whether `trace` matches the list's filter: every word of `text` (case
/// folded) in its goal, model or skills, and its outcome.
pub fn matches(trace: &Trace, text: &str, outcome: OutcomeFilter) -> bool {
    let outcome_ok = match outcome {
        OutcomeFilter::All => true,
        OutcomeFilter::Solved => trace.outcome.as_deref() == Some("solved"),
        OutcomeFilter::NotSolved => trace.outcome.as_deref() == Some("not-solved"),
        OutcomeFilter::Unmarked => trace.outcome.is_none(),
    };
    if !outcome_ok {
        return false;
    }
    let haystack = format!("{} {} {} {}", trace.goal, trace.model, trace.skills_used.join(" "), trace.skills_offered.join(" ")).to_lowercase();
    text.to_lowercase().split_whitespace().all(|word| haystack.contains(word))
}

/// Newest first (then by id, so the order is stable).
pub fn newest_first(traces: &mut [Trace]) {
    traces.sort_by(|a, b| started(b).total_cmp(&started(a)).then_with(|| a.id.cmp(&b.id)));
}

/// The traces export: `{"format": "llmos-traces-1", "traces": [...]}`, each trace as stored.
pub fn export_json(traces: &[Trace]) -> String {
    serde_json::to_string_pretty(&serde_json::json!({ "format": EXPORT_FORMAT, "traces": traces })).expect("traces serialise")
}

pub const EXPORT_FORMAT: &str = "llmos-traces-1";

/// The key of the decisions' record in the store's `meta`.
pub const DECISIONS_KEY: &str = "evolution";

/// What the user decided about proposals, kept across visits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decisions {
    /// `DECISIONS_KEY`: the record's key in `meta`.
    #[serde(default)]
    pub key: String,
    /// Ids of patterns whose proposal was rejected: never proposed again
    /// (a pattern's id is stable while it grows, see `Pattern::id`).
    #[serde(default)]
    pub rejected: Vec<String>,
    /// Accepted proposals, oldest first.
    #[serde(default)]
    pub accepted: Vec<Accepted>,
    /// Accepted skills the user retired (after the page measured them),
    /// oldest first: their patterns are not proposed again, and Undo brings
    /// the skill back.
    #[serde(default)]
    pub retired: Vec<Retired>,
    /// The user let proposals be written by their own provider and model
    /// (the chat's): off until they turn it on.
    #[serde(default)]
    pub synthesis: bool,
    /// Automatic detection runs (when the browser is idle, on the traces
    /// and evolution pages) once this many traces were added since the
    /// last detection, or once a day; 0 turns it off. `AUTO_EVERY` by default.
    #[serde(default = "auto_every")]
    pub auto_every: usize,
    /// The user let detection group traces by the meaning of their goals,
    /// with embeddings from their provider (`crate::embed`): off until they
    /// turn it on; the lexical detection is the default.
    #[serde(default)]
    pub semantic: bool,
    /// The embeddings model the user named; empty is the provider's default
    /// (`llmos_core::llm::default_embeddings_model`).
    #[serde(default)]
    pub embeddings_model: String,
    /// When detection last ran (ms since the Unix epoch), over how many traces, and how many proposals then waited.
    #[serde(default)]
    pub last_run_ms: f64,
    #[serde(default)]
    pub last_traces: usize,
    #[serde(default)]
    pub pending: usize,
}

/// New traces after which detection runs on its own, by default.
pub const AUTO_EVERY: usize = 5;
/// And at the latest a day after the last run (ms).
pub const AUTO_INTERVAL_MS: f64 = 86_400_000.0;

fn auto_every() -> usize {
    AUTO_EVERY
}

impl Default for Decisions {
    fn default() -> Self {
        Decisions { key: String::new(), rejected: Vec::new(), accepted: Vec::new(), retired: Vec::new(), synthesis: false, auto_every: AUTO_EVERY, semantic: false, embeddings_model: String::new(), last_run_ms: 0.0, last_traces: 0, pending: 0 }
    }
}

/// One accepted proposal, with what Undo needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accepted {
    pub pattern: String,
    /// The user skill's key.
    pub skill: String,
    /// When, in ms since the Unix epoch.
    pub at: f64,
    /// The SKILL.md the skill had before, when it improved one of the
    /// user's skills: Undo puts it back. `None`: Undo deletes the skill.
    #[serde(default)]
    pub previous: Option<String>,
}

/// A retired skill: its acceptance and the SKILL.md it had when retired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Retired {
    pub accepted: Accepted,
    /// What the skill was when retired: Undo saves it again.
    pub skill_md: String,
    /// When, in ms since the Unix epoch.
    pub at: f64,
}

impl Decisions {
    /// Retires the acceptance of `pattern` (the skill as `skill_md`): it
    /// leaves `accepted`, and the pattern is not proposed again. `None`
    /// when the pattern has no acceptance.
    pub fn retire(&mut self, pattern: &str, skill_md: String, now: f64) -> Option<&Retired> {
        let accepted = self.undo(pattern)?;
        self.retired.retain(|r| r.accepted.pattern != pattern);
        self.retired.push(Retired { accepted, skill_md, at: now });
        self.retired.last()
    }

    pub fn retired(&self, pattern: &str) -> Option<&Retired> {
        self.retired.iter().find(|r| r.accepted.pattern == pattern)
    }

    /// Undoes a retirement: the acceptance comes back as it was.
    pub fn unretire(&mut self, pattern: &str) -> Option<Retired> {
        let at = self.retired.iter().position(|r| r.accepted.pattern == pattern)?;
        let retired = self.retired.remove(at);
        self.accept(retired.accepted.clone());
        Some(retired)
    }

    /// Whether automatic detection is due with `traces` stored at `now` (ms).
    pub fn detection_due(&self, traces: usize, now: f64) -> bool {
        self.auto_every > 0 && traces > 0 && (traces >= self.last_traces + self.auto_every || now - self.last_run_ms >= AUTO_INTERVAL_MS)
    }

    /// Notes a detection over `traces` at `now` that left `pending` proposals waiting.
    pub fn ran(&mut self, traces: usize, now: f64, pending: usize) {
        self.last_run_ms = now;
        self.last_traces = traces;
        self.pending = pending;
    }

    pub fn reject(&mut self, pattern: &str) {
        if !self.rejected.iter().any(|p| p == pattern) {
            self.rejected.push(pattern.to_string());
        }
    }

    pub fn is_rejected(&self, pattern: &str) -> bool {
        self.rejected.iter().any(|p| p == pattern)
    }

    /// Records an acceptance, replacing an earlier one of the same pattern.
    pub fn accept(&mut self, accepted: Accepted) {
        self.accepted.retain(|a| a.pattern != accepted.pattern);
        self.accepted.push(accepted);
    }

    pub fn accepted(&self, pattern: &str) -> Option<&Accepted> {
        self.accepted.iter().find(|a| a.pattern == pattern)
    }

    /// Forgets the acceptance of `pattern` (after Undo): it is proposed again.
    pub fn undo(&mut self, pattern: &str) -> Option<Accepted> {
        let at = self.accepted.iter().position(|a| a.pattern == pattern)?;
        Some(self.accepted.remove(at))
    }
}

/// An existing skill, owned, for coverage checks (site skills from the
/// search index, the user's from their store).
#[derive(Debug, Clone, PartialEq)]
pub struct KnownSkill {
    pub name: String,
    pub description: String,
    pub keywords: Vec<String>,
    /// One of the user's skills (an improvement replaces it; else a user skill shadows the site's).
    pub user: bool,
}

/// A pattern and its proposal, as the evolution page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub pattern: Pattern,
    /// The skill's key: the covered skill's name for an improvement, else
    /// `synthesis::proposed_name`, made free among the user's other skills.
    pub name: String,
    /// The deterministic fallback SKILL.md (valid by construction, checked again on Accept).
    pub skill_md: String,
    /// The pattern improves one of the user's own skills.
    pub improves_user_skill: bool,
    /// The model that wrote `skill_md`, once synthesis replaced the template.
    pub written_by: Option<String>,
    /// For an accepted or retired proposal: how its task went before and
    /// after acceptance (`effect::effect`).
    pub effect: Option<Effect>,
    /// Set when the user retired the skill: the page offers Undo instead of Accept.
    pub retired: bool,
    /// For an improvement: the covered skill's SKILL.md as it is now (the
    /// user's from their store, the site's from `skills/<slug>/SKILL.md`),
    /// which the page diffs the proposal against. Set by the page, not by `propose`.
    pub current_md: Option<String>,
    /// `skill_md` is a `type: workflow` skill chaining the executable skills
    /// the pattern's chats ran (`offer_workflow`), not the instructions template.
    pub workflow: bool,
}

/// Runs the core's lexical detection over the stored traces and writes a
/// proposal for every pattern not rejected before. Returns the proposals
/// and how many patterns were left out as rejected.
pub fn propose(traces: &[Trace], skills: &[KnownSkill], decisions: &Decisions) -> (Vec<Proposal>, usize) {
    propose_with(traces, None, skills, decisions)
}

/// `propose`, clustering on `embeddings` (one per trace, same order) when
/// given: the core's semantic path, with the same patterns and proposals.
pub fn propose_with(traces: &[Trace], embeddings: Option<&[Vec<f32>]>, skills: &[KnownSkill], decisions: &Decisions) -> (Vec<Proposal>, usize) {
    let inputs: Vec<TraceInput> = traces.iter().map(trace_input).collect();
    let texts: Vec<SkillText> = skills.iter().map(|s| SkillText { name: &s.name, description: &s.description, keywords: &s.keywords }).collect();
    let Detection { patterns, .. } = match embeddings {
        Some(embeddings) => evolution::find_patterns_semantic(&inputs, embeddings, &texts, &Options::default()),
        None => evolution::find_patterns(&inputs, &texts, &Options::default()),
    };
    let mut rejected = 0;
    let mut proposals = Vec::new();
    for pattern in patterns {
        if decisions.is_rejected(&pattern.id) {
            rejected += 1;
            continue;
        }
        let improves_user_skill = pattern.covered_by.as_ref().is_some_and(|c| skills.iter().any(|s| s.user && &s.name == c));
        let wanted = synthesis::proposed_name(&pattern);
        let name = if pattern.covered_by.is_some() { wanted.clone() } else { new_skill_name(&pattern, &wanted, skills, decisions) };
        let mut skill_md = synthesis::fallback_skill(&pattern, &inputs);
        if name != wanted {
            skill_md = skill_md.replacen(&format!("\nname: {wanted}\n"), &format!("\nname: {name}\n"), 1);
        }
        let retired = decisions.retired(&pattern.id);
        let effect = decisions.accepted(&pattern.id).or(retired.map(|r| &r.accepted)).map(|a| effect::effect(&pattern, &a.skill, a.at, traces));
        proposals.push(Proposal { pattern, name, skill_md, improves_user_skill, written_by: None, effect, retired: retired.is_some(), current_md: None, workflow: false });
    }
    (proposals, rejected)
}

/// The key of a new skill for `pattern` (`wanted`, its proposed name): a
/// new skill never overwrites one of the user's that it does not improve,
/// unless it is the very skill accepted for this pattern before.
fn new_skill_name(pattern: &Pattern, wanted: &str, skills: &[KnownSkill], decisions: &Decisions) -> String {
    if decisions.accepted(&pattern.id).is_some_and(|a| a.skill == wanted) {
        return wanted.to_string();
    }
    llmos_islands::user_skills::free_name(wanted, |n| skills.iter().any(|s| s.user && s.name == n))
}

/// The executable skills a proposal's workflow would chain: the `run:`
/// steps of its pattern's common sequence (`evolution::workflow::run_sequence`),
/// each once. Empty when fewer than two: no workflow then. The page reads
/// these skills' declared inputs and outputs (the user's from their store,
/// the site's from their published SKILL.md) and calls `offer_workflow`.
pub fn workflow_skills(proposal: &Proposal) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in evolution::workflow::run_sequence(&proposal.pattern) {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    if names.len() < 2 {
        names.clear();
    }
    names
}

/// A published or stored SKILL.md read as the skill `name` (for its
/// declared `type`, inputs and outputs); `None` when it cannot be parsed.
pub fn parse_skill_md(name: &str, text: &str) -> Option<llmos_core::Skill> {
    let path = format!("{name}/SKILL.md");
    llmos_core::parse_skill(&llmos_core::SkillSource { path: &path, folder: name, bytes: text.as_bytes(), files: &[] }).ok().map(|(skill, _)| skill)
}

/// Makes `proposal` a workflow when its pattern's chats ran two or more
/// executable skills in sequence, all in `catalogue` (the skills it chains,
/// parsed): `skill_md` becomes `evolution::workflow_skill`'s draft, checked
/// by the parser as `llmos check` checks it (no errors, no warnings), under
/// a new skill's name. A pattern that
/// one of the chained skills covers still proposes the workflow (the
/// workflow is new; the skill is a step of it); a pattern covered by any
/// other skill keeps proposing its improvement. Returns whether it changed
/// the proposal; an invalid draft (none is expected) leaves it as it was.
pub fn offer_workflow(proposal: &mut Proposal, inputs: &[TraceInput], catalogue: &[llmos_core::Skill], skills: &[KnownSkill], decisions: &Decisions) -> bool {
    let chained = workflow_skills(proposal);
    if chained.is_empty() || proposal.pattern.covered_by.as_ref().is_some_and(|c| !chained.contains(c)) {
        return false;
    }
    let mut pattern = proposal.pattern.clone();
    pattern.covered_by = None;
    let lookup = |name: &str| catalogue.iter().find(|s| s.name == name).map(llmos_core::workflow::Target::from);
    let Some(mut text) = evolution::workflow_skill(&pattern, inputs, lookup) else { return false };
    let wanted = synthesis::proposed_name(&pattern);
    let name = new_skill_name(&pattern, &wanted, skills, decisions);
    if name != wanted {
        text = text.replacen(&format!("\nname: {wanted}\n"), &format!("\nname: {name}\n"), 1);
    }
    // Accept checks it again; the workflow's own checks against the skills it
    // chains (`workflow::validate`, as `llmos check` runs them) hold by
    // construction and are tested natively: in the bundle they would weigh 12 kB.
    if synthesis::check_synthesised(&text, &name).is_err() {
        return false;
    }
    proposal.pattern = pattern;
    proposal.name = name;
    proposal.skill_md = text;
    proposal.improves_user_skill = false;
    proposal.current_md = None;
    proposal.workflow = true;
    true
}

/// A model's SKILL.md (already passed by `check_synthesised`, wrapping
/// removed) with the provenance of `fallback` (the pattern's template) as
/// its frontmatter `metadata`, `generated: fallback` becoming
/// `generated: <model>`. A `metadata` block the model wrote is replaced:
/// provenance is ours to state, not the model's.
pub fn with_provenance(answer: &str, fallback: &str, model: &str) -> String {
    let block: Vec<String> = frontmatter_block(fallback, "metadata")
        .into_iter()
        .map(|line| if line.trim() == "generated: fallback" { format!("  generated: {}", serde_json::to_string(model).expect("strings serialise")) } else { line })
        .collect();
    let lines: Vec<&str> = answer.lines().collect();
    let Some(close) = lines.iter().skip(1).position(|l| l.trim_end() == "---").map(|i| i + 1) else { return answer.to_string() };
    let mut out: Vec<String> = Vec::new();
    let mut skipping = false;
    for line in &lines[..close] {
        let top_level = !line.starts_with([' ', '\t']) && !line.trim().is_empty();
        if top_level {
            skipping = line.trim_end() == "metadata:" || line.starts_with("metadata:");
        }
        if !skipping {
            out.push(line.to_string());
        }
    }
    out.extend(block);
    out.extend(lines[close..].iter().map(|l| l.to_string()));
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// The lines of the top-level frontmatter key `key` and its indented block.
fn frontmatter_block(text: &str, key: &str) -> Vec<String> {
    let mut lines = text.lines().skip(1).take_while(|l| l.trim_end() != "---");
    let mut block = Vec::new();
    if let Some(first) = lines.by_ref().find(|l| l.starts_with(&format!("{key}:"))) {
        block.push(first.to_string());
        block.extend(lines.take_while(|l| l.starts_with([' ', '\t'])).map(str::to_string));
    }
    block
}

#[cfg(test)]
mod tests;
