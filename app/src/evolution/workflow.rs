//! Workflow proposals: a pattern whose successful chats ran executable
//! skills one after another becomes a `type: workflow` skill (see
//! `crate::workflow`) that runs them in that order, deterministically,
//! without a model.

use super::synthesis::fallback_skill;
use super::{Pattern, TraceInput};
use crate::workflow::{Target, RUNNABLE_KINDS};
use crate::IoSpec;

/// The executable skills the pattern's common sequence ran, in order
/// (`run:<skill>` steps, a skill run twice in a row counted once).
pub fn run_sequence(pattern: &Pattern) -> Vec<&str> {
    let mut runs: Vec<&str> = pattern.common_sequence.iter().filter_map(|s| s.strip_prefix("run:")).collect();
    runs.dedup();
    runs
}

/// A workflow SKILL.md for `pattern` when its common sequence ran at least
/// two executable skills (each found by `lookup` with a runnable `type`),
/// else `None`. It is `fallback_skill`'s text (name, description,
/// provenance, steps in prose) with `type: workflow` and:
/// - `steps`: one per run, ids `step1`, `step2`, …, `uses` the skill;
/// - `with`: each input of a step that an earlier step outputs under the
///   same name and type is bound to the latest such output; the first
///   step's other inputs, and later steps' inputs without a default, become
///   workflow inputs (`<step>_<input>` when two steps share the name),
///   declared (type, default, options) as the skill declares them; later
///   steps' other inputs keep their defaults;
/// - `outputs`: the last step's outputs.
///
/// The result passes `llmos check` against a catalogue holding those skills.
pub fn workflow_skill<'c>(pattern: &Pattern, traces: &[TraceInput], lookup: impl Fn(&str) -> Option<Target<'c>>) -> Option<String> {
    let runs = run_sequence(pattern);
    let targets: Vec<(&str, Target)> = runs.iter().map(|&name| Some((name, lookup(name).filter(|t| t.kind.is_some_and(|k| RUNNABLE_KINDS.contains(&k)))?))).collect::<Option<_>>()?;
    if targets.len() < 2 {
        return None;
    }
    let mut inputs: Vec<(String, &IoSpec)> = Vec::new();
    let mut steps = String::from("steps:\n");
    for (i, (name, target)) in targets.iter().enumerate() {
        let id = format!("step{}", i + 1);
        steps.push_str(&format!("  - id: {id}\n    uses: {name}\n"));
        let mut with = String::new();
        for input in target.inputs {
            let earlier = (0..i).rev().find(|&j| targets[j].1.outputs.iter().any(|o| o.name == input.name && o.kind == input.kind));
            let value = match earlier {
                Some(j) => format!("${{{{ steps.step{}.outputs.{} }}}}", j + 1, input.name),
                None if i == 0 || input.default.is_none() => {
                    let shared = targets.iter().enumerate().any(|(k, (_, t))| k != i && t.inputs.iter().any(|o| o.name == input.name));
                    let key = if shared { format!("{id}_{}", input.name) } else { input.name.clone() };
                    let value = format!("${{{{ inputs.{key} }}}}");
                    inputs.push((key, input));
                    value
                }
                None => continue,
            };
            with.push_str(&format!("      {}: {value}\n", input.name));
        }
        if !with.is_empty() {
            steps.push_str("    with:\n");
            steps.push_str(&with);
        }
    }
    let json = |v: &str| serde_json::to_string(v).expect("strings serialise");
    let spec = |name: &str, io: &IoSpec| {
        let mut out = format!("  - name: {name}\n    type: {}\n", io.kind);
        if let Some(d) = &io.description {
            out.push_str(&format!("    description: {}\n", json(d)));
        }
        if let Some(d) = &io.default {
            out.push_str(&format!("    default: {}\n", serde_json::to_string(d).expect("values serialise")));
        }
        if !io.options.is_empty() {
            out.push_str(&format!("    options: {}\n", serde_json::to_string(&io.options).expect("strings serialise")));
        }
        if let Some(f) = &io.format {
            out.push_str(&format!("    format: {}\n", json(f)));
        }
        out
    };
    let mut keys = String::from("type: workflow\n");
    if !inputs.is_empty() {
        keys.push_str("inputs:\n");
        for (key, io) in &inputs {
            keys.push_str(&spec(key, io));
        }
    }
    let last = targets.len();
    let (_, last_target) = &targets[last - 1];
    if !last_target.outputs.is_empty() {
        keys.push_str("outputs:\n");
        for io in last_target.outputs {
            keys.push_str(&spec(&io.name, io));
            keys.push_str(&format!("    value: ${{{{ steps.step{last}.outputs.{} }}}}\n", io.name));
        }
    }
    keys.push_str(&steps);
    // The keys go last in the frontmatter, before its closing line.
    let text = fallback_skill(pattern, traces);
    let close = text[4..].find("\n---\n").map(|at| at + 5)?;
    Some(format!("{}{keys}{}", &text[..close], &text[close..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evolution::{find_patterns, Options, Outcome, Step, StepKind};
    use crate::{parse_skill, Skill, SkillSource};

    fn system_skill(name: &str) -> Skill {
        let path = format!("{}/../system-skills/{name}/SKILL.md", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).unwrap();
        parse_skill(&SkillSource { path: &path, folder: name, bytes: &bytes, files: &[] }).unwrap().0
    }

    fn trace(i: usize, goal: &str, runs: &[&str]) -> TraceInput {
        TraceInput {
            id: format!("t{i}"),
            goal: goal.into(),
            steps: runs.iter().map(|r| Step { kind: StepKind::Run, name: r.to_string(), ok: true }).collect(),
            outcome: Outcome::Solved,
            timestamp_ms: 1_764_547_200_000.0 + i as f64,
            model: "m".into(),
            ..TraceInput::default()
        }
    }

    #[test]
    fn chats_that_ran_skills_in_sequence_propose_a_workflow_that_passes_the_check() {
        let goals = ["profile this csv and chart it", "chart my csv after profiling it", "profile and plot this csv file", "csv profile then a chart please"];
        let traces: Vec<TraceInput> = goals.iter().enumerate().map(|(i, g)| trace(i, g, &["csv-analysis", "plotting"])).collect();
        let detection = find_patterns(&traces, &[], &Options::default());
        assert_eq!(detection.patterns.len(), 1);
        let pattern = &detection.patterns[0];
        assert_eq!(run_sequence(pattern), ["csv-analysis", "plotting"]);
        let catalogue = [system_skill("csv-analysis"), system_skill("plotting")];
        let lookup = |name: &str| catalogue.iter().find(|s| s.name == name).map(Target::from);
        let text = workflow_skill(pattern, &traces, lookup).expect("a workflow");
        let name = super::super::synthesis::proposed_name(pattern);
        // The same checks as `llmos check`: the parser (no warnings), then the workflow against the catalogue.
        let skill = super::super::check_synthesised(&text, &name).unwrap_or_else(|d| panic!("{d:?}\n{text}"));
        let problems = crate::workflow::validate(&skill, lookup);
        assert!(problems.is_empty(), "{problems:?}\n{text}");
        assert_eq!(skill.kind.as_deref(), Some("workflow"));
        // Chained where the names and types meet; the rest are the workflow's inputs.
        assert!(text.contains("      labels: ${{ steps.step1.outputs.labels }}\n") && text.contains("      series: ${{ steps.step1.outputs.series }}\n"), "{text}");
        assert!(text.contains("      csv: ${{ inputs.csv }}\n") && text.contains("value: ${{ steps.step2.outputs.svg }}"), "{text}");
        assert_eq!(skill.metadata.get("pattern"), Some(&pattern.id), "the provenance stays");
    }

    #[test]
    fn one_run_or_an_unknown_or_instructions_skill_gives_no_workflow() {
        let goals = ["profile this csv", "profile my csv file", "csv profile please"];
        let one: Vec<TraceInput> = goals.iter().enumerate().map(|(i, g)| trace(i, g, &["csv-analysis"])).collect();
        let catalogue = [system_skill("csv-analysis"), system_skill("plotting")];
        let lookup = |name: &str| catalogue.iter().find(|s| s.name == name).map(Target::from);
        let pattern = &find_patterns(&one, &[], &Options::default()).patterns[0];
        assert!(workflow_skill(pattern, &one, lookup).is_none(), "one skill is not a workflow");
        let unknown: Vec<TraceInput> = goals.iter().enumerate().map(|(i, g)| trace(i, g, &["csv-analysis", "no-such-skill"])).collect();
        let pattern = &find_patterns(&unknown, &[], &Options::default()).patterns[0];
        assert!(workflow_skill(pattern, &unknown, lookup).is_none(), "every step must be runnable");
    }
}
