//! The measured effect of an evolved skill, without I/O: how the tasks of
//! its pattern went before and after the user accepted it, and whether it
//! earns its place (`Verdict`). The evolution page shows it under each
//! accepted (or retired) proposal.

use crate::model::{started, trace_input};
use llmos_core::evolution::{Outcome, Pattern, StepKind};
use llmos_islands::records::Trace;
use serde::{Deserialize, Serialize};

/// Traces after acceptance before the page judges a skill: fewer say too
/// little (the same three a pattern needs to exist at all).
pub const JUDGE_AFTER: usize = 3;

/// How one side (before or after acceptance) of a pattern's traces went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Side {
    /// The pattern's traces on this side.
    pub traces: usize,
    /// Of them, marked solved and marked not solved (the rest are unmarked).
    pub solved: usize,
    pub not_solved: usize,
    /// Of them, the chats where the skill was offered to the model (in the
    /// system prompt's list), and where it was used (attached by the user,
    /// loaded or run by the model).
    pub offered: usize,
    pub used: usize,
}

impl Side {
    /// `solved / (solved + not_solved)`, `None` when none is marked.
    pub fn solved_rate(&self) -> Option<f32> {
        let marked = self.solved + self.not_solved;
        (marked > 0).then(|| self.solved as f32 / marked as f32)
    }

    /// "4 traces · 75 % solved (3 of 4 marked)": the page's line for it.
    pub fn describe(&self) -> String {
        let rate = match self.solved_rate() {
            Some(rate) => format!("{:.0} % solved ({} of {} marked)", rate * 100.0, self.solved, self.solved + self.not_solved),
            None => "none marked".to_string(),
        };
        format!("{} trace{} · {rate}", self.traces, if self.traces == 1 { "" } else { "s" })
    }
}

/// What the page says of an evolved skill, by this rule (first that holds):
/// fewer than `JUDGE_AFTER` traces since acceptance: `TooEarly`; the skill
/// used in none of them: `NeverUsed`; at least `JUDGE_AFTER` of them marked
/// and their solved rate not above the rate before (unless both are
/// 100 %): `NotHelping`; otherwise `Helping`. The two flags offer Retire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    TooEarly,
    NeverUsed,
    NotHelping,
    Helping,
}

impl Verdict {
    /// Whether the page flags the skill (and suggests Retire).
    pub fn flagged(self) -> bool {
        matches!(self, Verdict::NeverUsed | Verdict::NotHelping)
    }
}

/// The effect of the skill `skill`, accepted at `accepted_at` (ms since the
/// Unix epoch) for `pattern`: its traces among `traces` split at that time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Effect {
    pub skill: String,
    pub before: Side,
    pub after: Side,
    pub verdict: Verdict,
}

/// Measures `skill` over the pattern's traces (`Pattern::trace_ids`; the
/// pattern keeps its id as later chats about the task join it). A trace is
/// "after" when its first turn started at or after `accepted_at`.
pub fn effect(pattern: &Pattern, skill: &str, accepted_at: f64, traces: &[Trace]) -> Effect {
    let (mut before, mut after) = (Side::default(), Side::default());
    for trace in traces.iter().filter(|t| pattern.trace_ids.contains(&t.id)) {
        let side = if started(trace) >= accepted_at { &mut after } else { &mut before };
        let input = trace_input(trace);
        side.traces += 1;
        match input.outcome {
            Outcome::Solved => side.solved += 1,
            Outcome::NotSolved => side.not_solved += 1,
            Outcome::Unknown => {}
        }
        side.offered += usize::from(input.skills_offered.iter().any(|s| s == skill));
        let used = input.skills_used.iter().any(|s| s == skill) || input.steps.iter().any(|s| s.kind != StepKind::Tool && s.name == skill);
        side.used += usize::from(used);
    }
    let verdict = verdict(&before, &after);
    Effect { skill: skill.to_string(), before, after, verdict }
}

fn verdict(before: &Side, after: &Side) -> Verdict {
    if after.traces < JUDGE_AFTER {
        return Verdict::TooEarly;
    }
    if after.used == 0 {
        return Verdict::NeverUsed;
    }
    if after.solved + after.not_solved >= JUDGE_AFTER {
        let (was, is) = (before.solved_rate().unwrap_or(0.0), after.solved_rate().unwrap_or(0.0));
        if is <= was && !(is >= 1.0 && was >= 1.0) {
            return Verdict::NotHelping;
        }
    }
    Verdict::Helping
}

impl Effect {
    /// The page's sentence for the verdict.
    pub fn verdict_text(&self) -> String {
        match self.verdict {
            Verdict::TooEarly => format!("Too early to judge: {} more chat{} about this task will tell.", JUDGE_AFTER - self.after.traces, if JUDGE_AFTER - self.after.traces == 1 { "" } else { "s" }),
            Verdict::NeverUsed => format!("Never used: in {} chats about this task since you accepted it, no chat used {}. Retire it?", self.after.traces, self.skill),
            Verdict::NotHelping => "Not helping: this task is solved no more often than before you accepted it. Retire it?".to_string(),
            Verdict::Helping => "Helping: used, and this task is solved more often than before.".to_string(),
        }
    }
}

/// The effect table and verdict under an accepted or retired proposal.
#[cfg(any(feature = "ssr", feature = "browser"))]
pub(crate) fn effect_view(effect: &Effect) -> impl leptos::IntoView {
    use leptos::prelude::*;
    // One row type for both sides: each view shape is code in the bundle.
    let rows = [("Before accepting", effect.before), ("Since", effect.after)].map(|(label, side)| {
        let rate = side.solved_rate().map_or("–".to_string(), |r| format!("{:.0} %", r * 100.0));
        let cells = [side.traces.to_string(), rate, format!("{} of {}", side.offered, side.traces), format!("{} of {}", side.used, side.traces)];
        view! { <tr><th scope="row">{label}</th>{cells.into_iter().map(|c| view! { <td>{c}</td> }).collect_view()}</tr> }
    });
    let verdict = match effect.verdict {
        Verdict::TooEarly => "too-early",
        Verdict::NeverUsed => "never-used",
        Verdict::NotHelping => "not-helping",
        Verdict::Helping => "helping",
    };
    view! {
        <div class="pattern-effect" data-verdict=verdict>
            <table class="effect-table">
                <thead><tr><th scope="col">"Chats about this task"</th><th scope="col">"Traces"</th><th scope="col">"Solved"</th><th scope="col">"Skill offered"</th><th scope="col">"Skill used"</th></tr></thead>
                <tbody>{rows.into_iter().collect_view()}</tbody>
            </table>
            <p class=if effect.verdict.flagged() { "effect-verdict flagged" } else { "effect-verdict" }>{effect.verdict_text()}</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{propose, Decisions};
    use llmos_islands::records::TraceTurn;

    fn trace(id: &str, goal: &str, at: f64, outcome: Option<&str>, offered: &[&str], used: &[&str]) -> Trace {
        Trace {
            id: id.into(),
            conversation: id.into(),
            goal: goal.into(),
            model: "m".into(),
            turns: vec![TraceTurn { started: at, first_token_ms: None, total_ms: 1.0, ok: true }],
            outcome: outcome.map(str::to_string),
            skills_offered: offered.iter().map(|s| s.to_string()).collect(),
            skills_used: used.iter().map(|s| s.to_string()).collect(),
            ..Trace::default()
        }
    }

    const GOALS: [&str; 4] = ["write a haiku about autumn leaves", "a haiku on autumn leaves please", "compose an autumn leaves haiku", "haiku about the leaves in autumn"];

    /// Four chats before acceptance at t=100, then `after` (outcome, offered, used).
    fn history(after: &[(Option<&str>, bool, bool)]) -> (Pattern, Vec<Trace>) {
        let mut traces: Vec<Trace> = GOALS.iter().enumerate().map(|(i, g)| trace(&format!("b{i}"), g, i as f64, Some(if i == 3 { "not-solved" } else { "solved" }), &[], &[])).collect();
        for (i, &(outcome, offered, used)) in after.iter().enumerate() {
            let offered: &[&str] = if offered { &["autumn-haiku"] } else { &[] };
            let used: &[&str] = if used { &["autumn-haiku"] } else { &[] };
            traces.push(trace(&format!("a{i}"), GOALS[i % 4], 100.0 + i as f64, outcome, offered, used));
        }
        let (proposals, _) = propose(&traces, &[], &Decisions::default());
        assert_eq!(proposals.len(), 1, "later chats about the task (offered the skill or not) join its pattern");
        assert_eq!(proposals[0].pattern.size, traces.len());
        (proposals[0].pattern.clone(), traces)
    }

    #[test]
    fn the_pattern_splits_at_acceptance_and_counts_offers_uses_and_outcomes() {
        let (pattern, traces) = history(&[(Some("solved"), true, true), (None, true, false)]);
        let e = effect(&pattern, "autumn-haiku", 100.0, &traces);
        assert_eq!(e.before, Side { traces: 4, solved: 3, not_solved: 1, offered: 0, used: 0 });
        assert_eq!(e.after, Side { traces: 2, solved: 1, not_solved: 0, offered: 2, used: 1 });
        assert_eq!((e.verdict, e.before.describe()), (Verdict::TooEarly, "4 traces · 75 % solved (3 of 4 marked)".to_string()));
    }

    #[test]
    fn a_skill_is_flagged_when_never_used_or_not_helping_and_not_when_it_helps() {
        let (pattern, traces) = history(&[(Some("solved"), true, false); 3]);
        assert_eq!(effect(&pattern, "autumn-haiku", 100.0, &traces).verdict, Verdict::NeverUsed);
        let (pattern, traces) = history(&[(Some("solved"), true, true), (Some("not-solved"), true, true), (Some("solved"), true, false)]);
        let e = effect(&pattern, "autumn-haiku", 100.0, &traces);
        assert_eq!(e.verdict, Verdict::NotHelping, "67 % after, 75 % before: {e:?}");
        assert!(e.verdict.flagged());
        let (pattern, traces) = history(&[(Some("solved"), true, true); 3]);
        assert_eq!(effect(&pattern, "autumn-haiku", 100.0, &traces).verdict, Verdict::Helping);
        // Unmarked chats that used it: helping as far as anyone can tell.
        let (pattern, traces) = history(&[(None, true, true); 3]);
        assert!(!effect(&pattern, "autumn-haiku", 100.0, &traces).verdict.flagged());
    }
}
