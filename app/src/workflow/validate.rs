//! Build-time checks of a workflow against the skills it uses: every
//! problem is an error naming the file and line, with the fix.

use super::reference::{references, whole_reference, Reference};
use super::{exec, Workflow, WORKFLOW_KIND};
use crate::{Diagnostic, IoSpec, Skill};
use serde_json::Value;
use std::collections::HashMap;

/// The `type:` values a step can run.
pub const RUNNABLE_KINDS: &[&str] = &["python", "javascript"];

/// What validation needs to know of a skill a step uses. Built from a
/// `Skill` natively, or from an `IndexEntry` in the browser.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The skill's `type:` (`None` for an instructions skill).
    pub kind: Option<&'a str>,
    pub inputs: &'a [IoSpec],
    pub outputs: &'a [IoSpec],
}

impl<'a> From<&'a Skill> for Target<'a> {
    fn from(skill: &'a Skill) -> Self {
        Target { kind: skill.kind.as_deref(), inputs: &skill.inputs, outputs: &skill.outputs }
    }
}

impl<'a> From<&'a crate::IndexEntry> for Target<'a> {
    fn from(entry: &'a crate::IndexEntry) -> Self {
        Target { kind: entry.kind.as_deref(), inputs: &entry.inputs, outputs: &entry.outputs }
    }
}

/// Checks a workflow skill; returns nothing for any other skill. `lookup`
/// finds a skill by name in the catalogue the workflow will run against.
///
/// Reports, each at its line: the problems of shape found by parsing;
/// duplicate or malformed step ids; a `uses` naming an unknown skill, an
/// instructions skill or another workflow (nesting is not supported);
/// `with:` entries naming inputs the skill does not have, required inputs
/// (no default) left unbound, malformed references, references to workflow
/// inputs, steps or step outputs that do not exist, values whose type cannot
/// fit the input (an `integer` fits a `number`; unknown types fit anything);
/// cycles between steps (naming them); and workflow outputs without a
/// `value:` or whose value cannot be resolved. Sorted by line.
pub fn validate<'c>(skill: &Skill, lookup: impl Fn(&str) -> Option<Target<'c>>) -> Vec<Diagnostic> {
    if skill.kind.as_deref() != Some(WORKFLOW_KIND) {
        return Vec::new();
    }
    let file = skill.path.as_str();
    let Some(workflow) = &skill.workflow else {
        return vec![Diagnostic::error(file, 0, 0, "the workflow's steps were not read").with_help("parse the skill with `parse_skill`")];
    };
    let mut out = workflow.problems.clone();
    let error = |line: usize, message: String, help: String| Diagnostic::error(file, line, 1, message).with_help(help);

    let mut first_of: HashMap<&str, usize> = HashMap::new();
    for step in &workflow.steps {
        if !super::reference::is_name(&step.id) {
            if !step.id.starts_with('#') {
                out.push(error(step.line, format!("the step id `{}` is not a plain name", step.id), "use letters, digits, `_` and `-`, e.g. `id: stats`".into()));
            }
        } else if let Some(&first) = first_of.get(step.id.as_str()) {
            out.push(error(step.line, format!("two steps have the id `{}` (the first at line {first})", step.id), "give every step its own id".into()));
        } else {
            first_of.insert(&step.id, step.line);
        }
    }

    let targets: Vec<Option<Target>> = workflow.steps.iter().map(|step| usable(file, step, &lookup, &mut out)).collect();
    let output_types = |step: &str, output: &str| -> Result<Option<&str>, String> {
        let Some(index) = workflow.step_index(step) else {
            return Err(format!("there is no step `{step}`"));
        };
        let Some(target) = targets[index] else { return Ok(None) };
        match target.outputs.iter().find(|o| o.name == output) {
            Some(spec) => Ok(Some(spec.kind.as_str())),
            None if target.outputs.is_empty() => Err(format!("`{}` (step `{step}`) declares no outputs", workflow.steps[index].uses)),
            None => Err(format!(
                "`{}` (step `{step}`) has no output `{output}`; it has {}",
                workflow.steps[index].uses,
                target.outputs.iter().map(|o| format!("`{}`", o.name)).collect::<Vec<_>>().join(", ")
            )),
        }
    };
    // The type a value has when resolved, as far as it is known; Err names a bad reference.
    let source_type = |value: &Value| -> Result<Option<String>, String> {
        for reference in references(value)? {
            match &reference {
                Reference::Input(name) if !skill.inputs.iter().any(|i| &i.name == name) => {
                    return Err(format!("`{reference}`: the workflow has no input `{name}`"));
                }
                Reference::StepOutput { step, output } => {
                    output_types(step, output).map_err(|e| format!("`{reference}`: {e}"))?;
                }
                _ => {}
            }
        }
        Ok(match value.as_str().and_then(whole_reference) {
            Some(Reference::Input(name)) => skill.inputs.iter().find(|i| i.name == name).map(|i| i.kind.clone()),
            Some(Reference::StepOutput { step, output }) => output_types(&step, &output).ok().flatten().map(str::to_string),
            None => Some(literal_type(value).to_string()),
        })
    };

    for (step, target) in workflow.steps.iter().zip(&targets) {
        for binding in &step.with {
            let spec = target.and_then(|t| t.inputs.iter().find(|i| i.name == binding.name));
            if let (Some(target), None) = (target, spec) {
                let names: Vec<String> = target.inputs.iter().map(|i| format!("`{}`", i.name)).collect();
                out.push(error(binding.line, format!("`{}` (step `{}`) has no input `{}`", step.uses, step.id, binding.name),
                    if names.is_empty() { "remove the entry; the skill takes no inputs".into() } else { format!("its inputs are {}", names.join(", ")) }));
            }
            match source_type(&binding.value) {
                Err(message) => out.push(error(binding.line, message, reference_help(workflow))),
                Ok(Some(found)) => {
                    if let Some(spec) = spec {
                        if let Some(problem) = mismatch(&found, spec, &binding.value) {
                            out.push(error(binding.line, format!("input `{}` of step `{}`: {problem}", binding.name, step.id),
                                format!("pass a value of type `{}` (`{}` declares it)", spec.kind, step.uses)));
                        }
                    }
                }
                Ok(None) => {}
            }
        }
        if let Some(target) = target {
            for input in target.inputs.iter().filter(|i| i.required && i.default.is_none()) {
                if !step.with.iter().any(|b| b.name == input.name) {
                    out.push(error(step.line, format!("step `{}` does not set the required input `{}` of `{}`", step.id, input.name, step.uses),
                        format!("add `{}: …` under the step's `with:`", input.name)));
                }
            }
        }
    }

    for cycle in exec::cycles(workflow) {
        let names: Vec<String> = cycle.iter().chain(cycle.first()).map(|&i| format!("`{}`", workflow.steps[i].id)).collect();
        let first = &workflow.steps[cycle[0]];
        let next = &workflow.steps[cycle[(1) % cycle.len()]].id;
        let line = first.with.iter().find(|b| exec::binding_needs(b, next)).map_or(first.line, |b| b.line);
        out.push(error(line, format!("the steps {} form a cycle: each waits for the next one's outputs", names.join(" -> ")),
            "a step can only use outputs of steps that do not depend on it; remove one of these references".into()));
    }

    for spec in &skill.outputs {
        let Some(output) = workflow.outputs.iter().find(|o| o.name == spec.name) else { continue };
        let Some(value) = &output.value else {
            out.push(error(output.line, format!("the workflow output `{}` has no `value:`", spec.name),
                format!("add `value: ${{{{ steps.<id>.outputs.<name> }}}}` to the `{}` entry of `outputs:`", spec.name)));
            continue;
        };
        match source_type(value) {
            Err(message) => out.push(error(output.line, format!("output `{}`: {message}", spec.name), reference_help(workflow))),
            Ok(Some(found)) => {
                if let Some(problem) = mismatch(&found, spec, value) {
                    out.push(error(output.line, format!("output `{}`: {problem}", spec.name), format!("declare the output with the type of its value, or point `value:` at a `{}`", spec.kind)));
                }
            }
            Ok(None) => {}
        }
    }
    out.sort_by_key(|d| d.line);
    out
}

/// The skill a step uses, when it can be a step; reports why not.
fn usable<'c>(file: &str, step: &super::Step, lookup: &impl Fn(&str) -> Option<Target<'c>>, out: &mut Vec<Diagnostic>) -> Option<Target<'c>> {
    if step.uses.is_empty() {
        return None;
    }
    let at = |message: String, help: &str| Diagnostic::error(file, step.uses_line, 1, message).with_help(help);
    let Some(target) = lookup(&step.uses) else {
        out.push(at(format!("step `{}` uses `{}`, which is not a skill of this site", step.id, step.uses),
            "check the name (it is the skill's `name:`, not its title); `llmos search <words>` lists matching skills"));
        return None;
    };
    match target.kind {
        Some(WORKFLOW_KIND) => {
            out.push(at(format!("step `{}` uses the workflow `{}`; a workflow cannot be a step", step.id, step.uses),
                "copy that workflow's steps into this one (workflows do not nest)"));
            None
        }
        Some(kind) if RUNNABLE_KINDS.contains(&kind) => Some(target),
        Some(kind) => {
            out.push(at(format!("step `{}` uses `{}`, whose type `{kind}` cannot run", step.id, step.uses), "use a skill of type python or javascript"));
            None
        }
        None => {
            out.push(at(format!("step `{}` uses `{}`, an instructions skill with no code to run", step.id, step.uses),
                "a step runs an executable skill (`type: python` or `javascript`)"));
            None
        }
    }
}

fn reference_help(workflow: &Workflow) -> String {
    let ids: Vec<String> = workflow.steps.iter().map(|s| format!("`{}`", s.id)).collect();
    format!("references are `${{{{ inputs.<name> }}}}` or `${{{{ steps.<id>.outputs.<name> }}}}`; the steps are {}", ids.join(", "))
}

/// The type a literal JSON value has.
fn literal_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The JSON shape of a declared type; `None` for anything-goes and unknown types.
fn shape(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "string" | "text" | "markdown" | "svg" | "html" | "png" | "image" | "enum" => "string",
        "number" => "number",
        "integer" => "integer",
        "boolean" => "boolean",
        "array" | "table" => "array",
        "object" => "object",
        _ => return None,
    })
}

/// Why a value of type `found` cannot fill `spec`, if it cannot.
fn mismatch(found: &str, spec: &IoSpec, value: &Value) -> Option<String> {
    if found == "null" {
        return None;
    }
    if spec.kind == "enum" && !spec.options.is_empty() {
        if let Some(text) = value.as_str().filter(|t| !t.contains("${{")) {
            return (!spec.options.iter().any(|o| o == text)).then(|| format!("`{text}` is not one of {}", spec.options.join(", ")));
        }
    }
    let (from, to) = (shape(found)?, shape(&spec.kind)?);
    if from == to || (from == "integer" && to == "number") {
        return None;
    }
    Some(format!("a `{found}` value cannot be a `{}`", spec.kind))
}
