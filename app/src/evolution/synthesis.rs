//! Skill synthesis without I/O: the prompt for the user's model, the offline fallback SKILL.md, and validation of an answer.

use super::normalise::normalise_goal;
use super::{Outcome, Pattern, TraceInput};
use crate::{parse_skill, Diagnostic, Skill, SkillSource};

/// Longest example goal quoted in a prompt or a skill, in characters.
const GOAL_CHARS: usize = 200;
/// Traces of each kind quoted in a prompt.
const PROMPT_TRACES: usize = 6;

/// The name a proposal for `pattern` takes: the covering skill's name for
/// an improvement, else up to four words of the representative goal
/// (normalised, unstemmed, ASCII letters and digits) joined by hyphens,
/// else `pattern-` and the id's first hex digits. Always a valid skill name.
pub fn proposed_name(pattern: &Pattern) -> String {
    if let Some(skill) = &pattern.covered_by {
        return skill.clone();
    }
    let words: Vec<String> = normalise_goal(&pattern.representative_goal)
        .words
        .iter()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .take(4)
        .collect();
    let name = words.join("-");
    if name.is_empty() || name.len() > 48 {
        format!("pattern-{}", &pattern.id.trim_start_matches("p-")[..8])
    } else {
        name
    }
}

/// The pattern's traces among `traces`, in `pattern.trace_ids` order.
fn members<'t>(pattern: &Pattern, traces: &'t [TraceInput]) -> Vec<&'t TraceInput> {
    pattern
        .trace_ids
        .iter()
        .filter_map(|id| traces.iter().find(|t| &t.id == id))
        .collect()
}

/// One line of text, whitespace collapsed, cut to `GOAL_CHARS`.
fn one_line(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::shorten(&line, GOAL_CHARS)
}

fn steps_line(trace: &TraceInput) -> String {
    if trace.steps.is_empty() {
        return "no tools or skill runs".into();
    }
    trace
        .steps
        .iter()
        .map(|s| {
            if s.ok {
                s.key()
            } else {
                format!("{} (failed)", s.key())
            }
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

/// The prompt asking the user's model for a SKILL.md: the task (the
/// pattern's representative and example goals), how successful traces went
/// (goal, skills used, steps), what went wrong in failed ones, the skill to
/// improve when one covers the pattern, and the format (Agent Skills
/// frontmatter with `name` and `description`, the name given). `traces`
/// may hold more than the pattern's; the others are ignored.
pub fn synthesis_prompt(pattern: &Pattern, traces: &[TraceInput]) -> String {
    let members = members(pattern, traces);
    let name = proposed_name(pattern);
    let mut prompt = String::new();
    match &pattern.covered_by {
        Some(skill) => prompt.push_str(&format!(
            "The user's existing skill `{skill}` covers a task they keep doing. Improve that skill with what these chats show, keeping its name.\n\n"
        )),
        None => prompt.push_str("A user keeps asking for the same task. Write a reusable skill for it, so the next chat about it goes right the first time.\n\n"),
    }
    prompt.push_str(&format!(
        "The task, as the user usually puts it: \"{}\"\n",
        one_line(&pattern.representative_goal)
    ));
    prompt.push_str(&format!(
        "It came up in {} chats ({} marked solved, {} not solved).\n",
        pattern.size, pattern.solved, pattern.not_solved
    ));
    prompt.push_str("\nOther ways the user asked:\n");
    for goal in pattern.example_goals.iter().skip(1) {
        prompt.push_str(&format!("- \"{}\"\n", one_line(goal)));
    }
    let good: Vec<&&TraceInput> = members
        .iter()
        .filter(|t| t.outcome != Outcome::NotSolved)
        .take(PROMPT_TRACES)
        .collect();
    if !good.is_empty() {
        prompt.push_str(
            "\nChats that went well (or were not marked), with the skills and steps they used:\n",
        );
        for t in good {
            let used = if t.skills_used.is_empty() {
                "none".to_string()
            } else {
                t.skills_used.join(", ")
            };
            prompt.push_str(&format!(
                "- \"{}\" — skills used: {used}; steps: {}\n",
                one_line(&t.goal),
                steps_line(t)
            ));
        }
    }
    let bad: Vec<&&TraceInput> = members
        .iter()
        .filter(|t| t.outcome == Outcome::NotSolved)
        .take(PROMPT_TRACES)
        .collect();
    if !bad.is_empty() {
        prompt.push_str(
            "\nChats the user marked not solved; the skill should prevent what went wrong:\n",
        );
        for t in bad {
            prompt.push_str(&format!(
                "- \"{}\" — steps: {}\n",
                one_line(&t.goal),
                steps_line(t)
            ));
        }
    }
    if !pattern.common_sequence.is_empty() {
        prompt.push_str(&format!(
            "\nThe steps the successful chats had in common: {}\n",
            pattern.common_sequence.join(" → ")
        ));
    }
    prompt.push_str(&format!(
        "\nAnswer with the SKILL.md file only, in the Agent Skills format:\n\
         - YAML frontmatter between `---` lines with `name: {name}` and a `description:` (at most 1024 characters) that says what the skill does and when to use it, in the words the user uses;\n\
         - then Markdown instructions: the goal, numbered steps, which skills to use at which step, pitfalls from the failed chats, and one or two short examples;\n\
         - general: leave out names, data and anything private from these chats; under 500 lines.\n"
    ));
    prompt
}

/// The prompt to retry with when an answer was invalid: the diagnostics,
/// one per line, and the request to answer with the corrected file only.
pub fn retry_prompt(diagnostics: &[Diagnostic]) -> String {
    let mut prompt = String::from("That SKILL.md is not valid yet. Fix these problems and answer with the whole corrected SKILL.md only:\n");
    for d in diagnostics {
        prompt.push_str(&format!("- {}", d.message));
        if d.line > 0 {
            prompt.push_str(&format!(" (line {})", d.line));
        }
        if let Some(help) = &d.help {
            prompt.push_str(&format!(": {help}"));
        }
        prompt.push('\n');
    }
    prompt
}

/// Checks a model's answer as `llmos check` would check the file
/// `<name>/SKILL.md`: a surrounding Markdown code fence (```` ```markdown ````,
/// ```` ```md ````, ```` ``` ````) and any prose before the frontmatter are
/// removed first. A proposal is held to a stricter bar than a published
/// collection: warnings (a name that differs from `name`, unknown keys, an
/// over-long description) fail it too, as a retry fixes them cheaply.
/// `Ok` is the parsed skill; `Err` every diagnostic (render them with
/// `retry_prompt`).
pub fn check_synthesised(text: &str, name: &str) -> Result<Skill, Vec<Diagnostic>> {
    let body = strip_wrapping(text);
    let path = format!("{name}/SKILL.md");
    match parse_skill(&SkillSource {
        path: &path,
        folder: name,
        bytes: body.as_bytes(),
        files: &[],
    }) {
        Ok((skill, warnings)) if warnings.is_empty() => Ok(skill),
        Ok((_, warnings)) => Err(warnings),
        Err(error) => Err(vec![error]),
    }
}

/// The SKILL.md inside a fenced answer, from its first `---` line: the
/// text `check_synthesised` checks, and what is saved once it passes.
pub fn strip_wrapping(text: &str) -> String {
    let text = text.trim();
    let mut lines: Vec<&str> = text.lines().collect();
    if let Some(open) = lines.iter().position(|l| l.trim_start().starts_with("```")) {
        let before_frontmatter = lines
            .iter()
            .position(|l| l.trim() == "---")
            .is_none_or(|f| open < f);
        if let Some(close) = lines
            .iter()
            .rposition(|l| l.trim() == "```")
            .filter(|&c| c > open && before_frontmatter)
        {
            lines = lines[open + 1..close].to_vec();
        }
    }
    let start = lines
        .iter()
        .position(|l| l.trim_end() == "---")
        .unwrap_or(0);
    let mut out = lines[start..].join("\n");
    out.push('\n');
    out
}

/// A YAML double-quoted scalar (a JSON string is one).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("strings serialise")
}

/// The civil date `YYYY-MM-DD` (UTC) of milliseconds since the Unix epoch
/// (Hinnant's `civil_from_days`, http://howardhinnant.github.io/date_algorithms.html).
pub fn iso_date(ms: f64) -> String {
    let days = (ms / 86_400_000.0).floor() as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// A template SKILL.md written from the pattern alone, for when there is no
/// key or no network: the goal, the common steps, the skills used, example
/// goals and the pitfalls of failed traces, with the provenance in
/// `metadata` (`source: evolution`, `pattern`, `traces`, `date` of the
/// newest trace, `model` most used, `success-rate`). Deterministic; it
/// passes `check_synthesised` (no errors, no warnings) for any pattern.
pub fn fallback_skill(pattern: &Pattern, traces: &[TraceInput]) -> String {
    let members = members(pattern, traces);
    let name = proposed_name(pattern);
    let goal = one_line(&pattern.representative_goal);
    let mut examples: Vec<String> = pattern.example_goals.iter().map(|g| one_line(g)).collect();
    examples.truncate(3);
    let description = format!(
        "Carries out a task the user asked for {} times, such as \"{goal}\". Use when a request is like: {}.",
        pattern.size,
        examples.iter().map(|e| format!("\"{e}\"")).collect::<Vec<_>>().join("; ")
    );
    let description = crate::shorten(&description, crate::skill::MAX_DESCRIPTION_CHARS - 4);
    let newest = members.iter().map(|t| t.timestamp_ms).fold(0.0, f64::max);
    let mut models: Vec<(&str, usize)> = Vec::new();
    for t in &members {
        match models.iter_mut().find(|(m, _)| *m == t.model) {
            Some((_, n)) => *n += 1,
            None if !t.model.is_empty() => models.push((&t.model, 1)),
            None => {}
        }
    }
    models.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut md = String::new();
    md.push_str(&format!(
        "---\nname: {name}\ndescription: {}\nmetadata:\n",
        quoted(&description)
    ));
    md.push_str("  source: evolution\n  generated: fallback\n");
    md.push_str(&format!("  pattern: {}\n", quoted(&pattern.id)));
    md.push_str(&format!(
        "  traces: {}\n",
        quoted(&pattern.trace_ids.join(", "))
    ));
    md.push_str(&format!("  date: {}\n", quoted(&iso_date(newest))));
    if let Some((model, _)) = models.first() {
        md.push_str(&format!("  model: {}\n", quoted(model)));
    }
    if let Some(rate) = pattern.success_rate {
        md.push_str(&format!("  success-rate: \"{rate:.2}\"\n"));
    }
    if let Some(skill) = &pattern.covered_by {
        md.push_str(&format!("  improves: {}\n", quoted(skill)));
    }
    md.push_str("---\n");
    md.push_str(&format!("# {}\n\n", title(&name)));
    md.push_str(&format!(
        "A draft written from {} chats about the same task, without a model: finish the steps in the editor before accepting it.\n\n",
        pattern.size
    ));
    md.push_str(&format!(
        "## Goal\n\n{}\n\n## Steps\n\n",
        markdown_text(&goal)
    ));
    if pattern.common_sequence.is_empty() {
        md.push_str("1. Restate the request and ask for any missing input.\n2. Carry out the task (describe the method here).\n3. Check the result against the request before answering.\n\n");
    } else {
        for (i, step) in pattern.common_sequence.iter().enumerate() {
            md.push_str(&format!("{}. {}\n", i + 1, describe_step(step)));
        }
        md.push_str(&format!(
            "{}. Check the result against the request before answering.\n\n",
            pattern.common_sequence.len() + 1
        ));
    }
    if !pattern.skills_used.is_empty() {
        md.push_str("## Skills used\n\n");
        for skill in &pattern.skills_used {
            md.push_str(&format!("- `{}`\n", skill.replace('`', "")));
        }
        md.push('\n');
    }
    md.push_str("## Examples\n\n");
    for example in pattern.example_goals.iter().map(|g| one_line(g)) {
        md.push_str(&format!("- \"{}\"\n", markdown_text(&example)));
    }
    let failed: Vec<String> = members
        .iter()
        .filter(|t| t.outcome == Outcome::NotSolved)
        .take(PROMPT_TRACES)
        .map(|t| markdown_text(&one_line(&t.goal)))
        .collect();
    if !failed.is_empty() {
        md.push_str("\n## Pitfalls\n\nThese requests were marked not solved; find out why before relying on this skill:\n\n");
        for goal in failed {
            md.push_str(&format!("- \"{goal}\"\n"));
        }
    }
    md
}

/// `run:csv-analysis` as an instruction.
fn describe_step(key: &str) -> String {
    let (kind, name) = key.split_once(':').unwrap_or(("tool", key));
    let name = name.replace('`', "");
    match kind {
        "run" => format!("Run the skill `{name}`."),
        "load" => format!("Follow the skill `{name}`."),
        _ => format!("Call the tool `{name}`."),
    }
}

/// `csv-to-chart` → `Csv to chart`.
fn title(name: &str) -> String {
    let words = name.replace('-', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// User text made inert in Markdown: characters that would start markup escaped.
fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '~' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
