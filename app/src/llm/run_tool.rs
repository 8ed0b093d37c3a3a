//! Executable skills as a tool: the model asks to run one, the user allows
//! it, the browser's sandbox runs it, and the outputs go back to the model.
//!
//! One tool, `run_skill`, with `{"skill": <name>, "inputs": {…}}`, rather
//! than one tool per skill: the request stays small whatever the number of
//! executable skills offered, every provider accepts the same definition
//! (tool names need no escaping, and no provider's limit on the number of
//! tools is approached), and the chat handles one call shape. The typed
//! inputs still reach the model as JSON Schema: `inputs` is the skill's
//! schema when one skill is offered, else `anyOf` the offered skills'
//! schemas (each titled with its skill). The top level stays a plain
//! object, as Anthropic requires, and only keywords all three providers'
//! schema dialects accept are used (Gemini gets it as
//! `parametersJsonSchema`, see `request.rs`). The tool description lists
//! each skill's inputs too, for models that read descriptions more than
//! schemas.
//!
//! Servers without tool calling use the text convention, as `LOAD_SKILL`
//! does: a line `RUN_SKILL: <name>` followed by the inputs as a JSON object.

use super::request::Tool;
use crate::run::{output_kind, validate_inputs, OutputKind};
use crate::IoSpec;
use serde_json::{json, Map, Value};

/// The tool's name.
pub const RUN_SKILL_TOOL: &str = "run_skill";
/// The text convention's line prefix, for servers without tool calling.
pub const RUN_TEXT_PREFIX: &str = "RUN_SKILL:";
/// Characters of outputs returned to the model before they are cut.
pub const MAX_RESULT_CHARS: usize = 8_000;
/// Characters of printed output (stdout, stderr) returned to the model.
const MAX_PRINTED_CHARS: usize = 2_000;
/// What the model reads in place of an image output.
pub const IMAGE_SHOWN: &str = "[image shown to the user]";

/// An executable skill the chat offers to run: its name and declared I/O.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSkill {
    /// The name the model uses (the skill's slug).
    pub name: String,
    pub inputs: Vec<IoSpec>,
    pub outputs: Vec<IoSpec>,
}

/// A run the model asked for, its inputs checked and defaults filled.
#[derive(Debug, Clone, PartialEq)]
pub struct RunCall {
    pub skill: String,
    pub inputs: Map<String, Value>,
}

/// The JSON Schema of one skill's inputs.
pub fn inputs_schema(inputs: &[IoSpec]) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for spec in inputs {
        let mut schema = match spec.kind.as_str() {
            "string" | "text" => json!({"type": "string"}),
            "file" if spec.is_bytes_file() => json!({"type": "string", "description": "the file's bytes as base64"}),
            "file" => json!({"type": "string", "description": "the file's text"}),
            "number" => json!({"type": "number"}),
            "integer" => json!({"type": "integer"}),
            "boolean" => json!({"type": "boolean"}),
            "enum" if !spec.options.is_empty() => json!({"type": "string", "enum": spec.options}),
            // OpenAI refuses an array schema without `items`.
            "array" => json!({"type": "array", "items": {}}),
            "object" => json!({"type": "object"}),
            _ => json!({}),
        };
        let mut description = spec.description.clone().unwrap_or_default().replace('\n', " ");
        if let Some(default) = spec.default.as_ref().filter(|d| !d.is_null()) {
            description = format!("{} (default: {default})", description.trim()).trim().to_string();
        }
        if let Some(extra) = schema.get("description").and_then(Value::as_str) {
            description = format!("{} ({extra})", description.trim()).trim().to_string();
        }
        if !description.is_empty() {
            schema["description"] = description.into();
        }
        if spec.required && spec.default.as_ref().is_none_or(Value::is_null) {
            required.push(spec.name.clone());
        }
        properties.insert(spec.name.clone(), schema);
    }
    let mut schema = json!({"type": "object", "properties": properties, "additionalProperties": false});
    if !required.is_empty() {
        schema["required"] = required.into();
    }
    schema
}

/// One line per input: `voltage (number, default 12)`.
fn inputs_line(skill: &ToolSkill) -> String {
    let inputs: Vec<String> = skill
        .inputs
        .iter()
        .map(|spec| {
            let mut kind = spec.kind.clone();
            if !spec.options.is_empty() {
                kind = format!("one of {}", spec.options.join("|"));
            }
            match spec.default.as_ref().filter(|d| !d.is_null()) {
                Some(default) => format!("{} ({kind}, default {default})", spec.name),
                None if spec.required => format!("{} ({kind}, required)", spec.name),
                None => format!("{} ({kind})", spec.name),
            }
        })
        .collect();
    let outputs: Vec<&str> = skill.outputs.iter().map(|o| o.name.as_str()).collect();
    let inputs = if inputs.is_empty() { "no inputs".to_string() } else { format!("inputs: {}", inputs.join(", ")) };
    if outputs.is_empty() {
        format!("- {}: {inputs}", skill.name)
    } else {
        format!("- {}: {inputs}; outputs: {}", skill.name, outputs.join(", "))
    }
}

/// The `run_skill` tool for these executable skills (`None` when there are none).
pub fn run_skill_tool(skills: &[ToolSkill]) -> Option<Tool> {
    let names: Vec<&str> = skills.iter().map(|s| s.name.as_str()).collect();
    let inputs = match skills {
        [] => return None,
        [one] => inputs_schema(&one.inputs),
        many => json!({"anyOf": many.iter().map(|s| {
            let mut schema = inputs_schema(&s.inputs);
            schema["title"] = format!("inputs of {}", s.name).into();
            schema
        }).collect::<Vec<_>>()}),
    };
    let mut inputs = inputs;
    inputs["description"] = "the skill's inputs by name; omitted ones take their defaults".into();
    let listing: Vec<String> = skills.iter().map(inputs_line).collect();
    Some(Tool {
        name: RUN_SKILL_TOOL.to_string(),
        description: format!(
            "Run one of the offered executable skills in the user's browser (they are asked to allow it first) and get its outputs as JSON. \
             Images it makes are shown to the user, not returned.\n{}",
            listing.join("\n")
        ),
        parameters: json!({
            "type": "object",
            "properties": {
                "skill": {"type": "string", "enum": names, "description": "the skill's name, as offered"},
                "inputs": inputs,
            },
            "required": ["skill", "inputs"]
        }),
    })
}

/// What the system prompt adds about running skills: with tools, one
/// sentence (the tool describes the rest); without, the text convention
/// and each skill's inputs.
pub fn run_prompt(skills: &[ToolSkill], tools: bool) -> Option<String> {
    if skills.is_empty() {
        return None;
    }
    let names: Vec<&str> = skills.iter().map(|s| s.name.as_str()).collect();
    if tools {
        return Some(format!(
            "These skills are executable: {}. To compute with one, call the `{RUN_SKILL_TOOL}` tool; its code runs in the user's browser once they allow it, and you get its outputs.",
            names.join(", ")
        ));
    }
    let listing: Vec<String> = skills.iter().map(inputs_line).collect();
    Some(format!(
        "These skills are executable; their code runs in the user's browser once they allow it:\n{}\n\
         To run one, reply with only the line `{RUN_TEXT_PREFIX} <name>` followed by its inputs as one JSON object on the next lines, \
         for example:\n{RUN_TEXT_PREFIX} {}\n{{}}\nIts outputs will be sent to you; then answer with them.",
        listing.join("\n"),
        names[0]
    ))
}

/// Reads a `run_skill` call's arguments (JSON text): the skill must be one
/// of `skills`, the inputs an object valid for it (defaults are filled in).
/// Errors are sentences the model can act on.
pub fn parse_run_call(arguments: &str, skills: &[ToolSkill]) -> Result<RunCall, String> {
    let arguments: Value = serde_json::from_str(arguments.trim()).map_err(|e| format!("The arguments are not valid JSON ({e}); send {{\"skill\": <name>, \"inputs\": {{…}}}}."))?;
    let name = arguments.get("skill").and_then(Value::as_str).ok_or("The arguments need `skill`, the name of an offered executable skill.")?;
    let inputs = match arguments.get("inputs") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(inputs)) => inputs.clone(),
        // Some models send the object as JSON text.
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(inputs)) => inputs,
            _ => return Err("`inputs` must be a JSON object of the skill's inputs by name.".into()),
        },
        Some(_) => return Err("`inputs` must be a JSON object of the skill's inputs by name.".into()),
    };
    check_call(name, inputs, skills)
}

fn check_call(name: &str, inputs: Map<String, Value>, skills: &[ToolSkill]) -> Result<RunCall, String> {
    let Some(skill) = skills.iter().find(|s| s.name == name) else {
        let offered: Vec<String> = skills.iter().map(|s| format!("`{}`", s.name)).collect();
        return Err(format!("`{name}` is not an executable skill offered here; the offered ones are {}.", offered.join(", ")));
    };
    match validate_inputs(&skill.inputs, &inputs) {
        Ok(inputs) => Ok(RunCall { skill: skill.name.clone(), inputs }),
        Err(errors) => {
            let problems: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
            Err(format!("The inputs of `{}` were refused, so it did not run: {}. Correct them and call it again.", skill.name, problems.join("; ")))
        }
    }
}

/// The run a model asked for under the text convention: a line
/// `RUN_SKILL: <name>`, then optionally a JSON object (fenced or not).
/// `None` when the answer has no such line; `Some(Err)` when it names a
/// skill not offered or its inputs are wrong.
pub fn run_requested_by_text(answer: &str, skills: &[ToolSkill]) -> Option<Result<RunCall, String>> {
    let (at, name) = answer.lines().scan(0usize, |offset, line| {
        let start = *offset;
        *offset += line.len() + 1;
        Some((start + line.len(), line))
    }).find_map(|(end, line)| {
        let name = line.trim().trim_matches('`').strip_prefix(RUN_TEXT_PREFIX)?.trim().trim_matches('`').trim();
        Some((end, name.to_string()))
    })?;
    let rest = answer.get(at..).unwrap_or("");
    let inputs = match rest.find('{') {
        // Only what follows on the next lines, before any other text.
        Some(open) if rest[..open].chars().all(|c| c.is_whitespace() || c == '`' || c.is_ascii_alphabetic()) => {
            let mut values = serde_json::Deserializer::from_str(&rest[open..]).into_iter::<Value>();
            match values.next() {
                Some(Ok(Value::Object(inputs))) => inputs,
                _ => return Some(Err(format!("The inputs after `{RUN_TEXT_PREFIX} {name}` are not one valid JSON object."))),
            }
        }
        _ => Map::new(),
    };
    Some(check_call(&name, inputs, skills))
}

/// A text cut to `max` characters, with a note saying so.
fn cut(text: &str, max: usize, what: &str) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max).collect();
    format!("{kept}\n[… {what} cut here: {count} characters in all; the user sees them whole]")
}

/// Outputs as the model gets them: images and files replaced by a note.
pub fn outputs_for_model(outputs: &Value, specs: &[IoSpec]) -> Value {
    let Some(map) = outputs.as_object() else { return outputs.clone() };
    let summarised = map
        .iter()
        .map(|(name, value)| {
            let spec = specs.iter().find(|s| &s.name == name);
            let value = match output_kind(spec, value) {
                OutputKind::Svg | OutputKind::Image { .. } => IMAGE_SHOWN.into(),
                OutputKind::File => {
                    let size = value.get("text").or(value.get("base64")).and_then(Value::as_str).map_or(0, str::len);
                    format!("[file {} offered to the user for download, {size} characters]", value["name"].as_str().unwrap_or("")).into()
                }
                _ => value.clone(),
            };
            (name.clone(), value)
        })
        .collect();
    Value::Object(summarised)
}

/// The tool result for a run's outcome (the runner's outcome object):
/// `(text, is_error)`. Outputs go back as JSON, images summarised, cut
/// at `MAX_RESULT_CHARS`; a failure as its message and what it printed.
pub fn run_result(skill: &ToolSkill, outcome: &Value) -> (String, bool) {
    let printed = |key: &str, label: &str| {
        let text = outcome.get(key).and_then(Value::as_str).unwrap_or("").trim();
        if text.is_empty() { String::new() } else { format!("\n\n{label}:\n{}", cut(text, MAX_PRINTED_CHARS, label)) }
    };
    // Whole milliseconds, formatted as an integer (float formatting is large in the browser bundle).
    let ms = outcome.get("ms").and_then(Value::as_f64).unwrap_or(0.0).round() as i64;
    if outcome.get("ok").and_then(Value::as_bool) == Some(true) {
        let outputs = outputs_for_model(outcome.get("outputs").unwrap_or(&Value::Null), &skill.outputs);
        let json = serde_json::to_string(&outputs).unwrap_or_default();
        let text = format!("`{}` ran in {ms} ms. Its outputs (JSON):\n{}{}", skill.name, cut(&json, MAX_RESULT_CHARS, "the outputs"), printed("stdout", "It printed"));
        return (text, false);
    }
    let error = outcome.get("error").and_then(Value::as_str).unwrap_or("no reason given");
    let text = match outcome.get("reason").and_then(Value::as_str).unwrap_or("failed") {
        "invalid_inputs" => format!("The inputs of `{}` were refused, so it did not run: {error}", skill.name),
        "stopped" => format!("The user stopped `{}` before it finished.", skill.name),
        "timed_out" => format!("`{}` did not finish: {error}", skill.name),
        _ => format!("`{}` failed: {}{}", skill.name, cut(error, MAX_PRINTED_CHARS, "the error"), printed("stderr", "Its error output")),
    };
    (text, true)
}

/// The tool result when the user chose not to run the skill.
pub fn declined_result(skill: &str) -> String {
    format!("The user declined to run `{skill}`. Do not ask to run it again in this answer; answer without it, or say what you would need.")
}

/// A short summary of a run's outputs for the conversation's trace: the
/// model's view of them, cut to `max` characters.
pub fn outputs_summary(skill: &ToolSkill, outputs: &Value, max: usize) -> String {
    let json = serde_json::to_string(&outputs_for_model(outputs, &skill.outputs)).unwrap_or_default();
    if json.chars().count() <= max { json } else { format!("{}…", json.chars().take(max).collect::<String>()) }
}

#[cfg(test)]
#[path = "run_tool_tests.rs"]
mod tests;
