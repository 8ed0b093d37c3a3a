//! Reading `steps:` and the outputs' `value:` out of a parsed frontmatter,
//! with the file line of every step, `uses:` and `with:` entry.
//!
//! The YAML library gives values without positions, so the lines come from
//! a scan of the block-style YAML text (`- id: …` items and their indented
//! keys). The scan only locates what the library parsed; when it cannot
//! (flow style such as `steps: [{…}]`), diagnostics fall back to the line
//! of the enclosing key.

use super::{Binding, OutputValue, Step, Workflow};
use crate::frontmatter::Split;
use crate::Diagnostic;
use serde_yaml_ng::{Mapping, Value};
use std::collections::HashMap;

/// Keys a step may have.
const STEP_KEYS: &[&str] = &["id", "uses", "with", "name"];

/// Reads the workflow part of a skill's frontmatter. Never fails: problems
/// of shape are kept in `Workflow::problems` (errors, except unknown step
/// keys, which are warnings) and reported by `validate`.
pub fn parse_workflow(file: &str, split: &Split, map: &Mapping) -> Workflow {
    let top = crate::frontmatter::key_lines(split);
    let lines: Vec<Line> = split
        .yaml
        .lines()
        .enumerate()
        .map(|(i, text)| Line { no: split.yaml_line + i, indent: text.len() - text.trim_start_matches(' ').len(), text: text.trim_start_matches(' ') })
        .collect();
    let steps_line = top.get("steps").copied().unwrap_or(split.yaml_line);
    let mut problems = Vec::new();

    let step_items = items(block(&lines, top.get("steps").copied()));
    let mut steps = Vec::new();
    match map.get("steps").filter(|v| !v.is_null()) {
        None => problems.push(error(file, steps_line, "the workflow has no `steps:`".into(), "add `steps:` with entries `- id: …`, `uses: <skill>`, `with: {…}`")),
        Some(Value::Sequence(entries)) => {
            if entries.is_empty() {
                problems.push(error(file, steps_line, "the workflow's `steps:` list is empty".into(), "add at least one step: `- id: …` with `uses: <skill>`"));
            }
            let located = step_items.len() == entries.len();
            for (index, entry) in entries.iter().enumerate() {
                let item = if located { Some(step_items[index]) } else { None };
                let keys = item.map(keys_of_item).unwrap_or_default();
                let step_line = item.map_or(steps_line, |lines| lines[0].no);
                let at = |key: &str| keys.get(key).map_or(step_line, |(line, _)| *line);
                let Some(fields) = entry.as_mapping() else {
                    problems.push(error(file, step_line, format!("step {} is not a map of `id`, `uses` and `with`", index + 1), "write each step as `- id: name` with `uses:` and `with:` below it"));
                    continue;
                };
                for key in fields.keys().filter_map(text) {
                    if !STEP_KEYS.contains(&key.as_str()) {
                        problems.push(Diagnostic::warning(file, at(&key), 1, format!("unknown key `{key}` in step {}; it was ignored", index + 1))
                            .with_help("a step has `id`, `uses`, `with` and an optional `name`"));
                    }
                }
                let id = match fields.get("id").and_then(text) {
                    Some(id) if !id.trim().is_empty() => id.trim().to_string(),
                    _ => {
                        problems.push(error(file, step_line, format!("step {} has no `id`", index + 1), "give the step an id such as `id: stats`; references name it as `${{ steps.stats.outputs.… }}`"));
                        format!("#{}", index + 1)
                    }
                };
                let uses = match fields.get("uses").and_then(text) {
                    Some(uses) if !uses.trim().is_empty() => uses.trim().to_string(),
                    _ => {
                        problems.push(error(file, step_line, format!("step `{id}` has no `uses`"), "name the executable skill the step runs, e.g. `uses: csv-analysis`"));
                        String::new()
                    }
                };
                let with_lines = keys.get("with").map(|(_, position)| keys_under(item.unwrap_or_default(), *position)).unwrap_or_default();
                let with_line = at("with");
                let with = match fields.get("with") {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Mapping(entries)) => entries
                        .iter()
                        .filter_map(|(k, v)| {
                            let name = text(k)?;
                            let line = with_lines.get(&name).copied().unwrap_or(with_line);
                            Some(Binding { value: json(v), line, name })
                        })
                        .collect(),
                    Some(_) => {
                        problems.push(error(file, with_line, format!("`with:` of step `{id}` is not a map"), "write one `input: value` per line under `with:`"));
                        Vec::new()
                    }
                };
                let name = fields.get("name").and_then(text);
                steps.push(Step { id, uses, name, with, line: step_line, uses_line: at("uses") });
            }
        }
        Some(_) => problems.push(error(file, steps_line, "`steps:` is not a list".into(), "write each step as an entry `- id: …` under `steps:`")),
    }

    let output_items = items(block(&lines, top.get("outputs").copied()));
    let outputs_line = top.get("outputs").copied().unwrap_or(split.yaml_line);
    let mut outputs = Vec::new();
    if let Some(Value::Sequence(entries)) = map.get("outputs") {
        let located = output_items.len() == entries.len();
        for (index, entry) in entries.iter().enumerate() {
            let Some(fields) = entry.as_mapping() else { continue };
            let Some(name) = fields.get("name").and_then(text) else { continue };
            let item = if located { Some(output_items[index]) } else { None };
            let keys = item.map(keys_of_item).unwrap_or_default();
            let entry_line = item.map_or(outputs_line, |lines| lines[0].no);
            let line = keys.get("value").map_or(entry_line, |(line, _)| *line);
            let value = fields.get("value").filter(|v| !v.is_null()).map(json);
            outputs.push(OutputValue { name, value, line });
        }
    }
    Workflow { steps, outputs, line: steps_line, problems }
}

/// A YAML value as JSON (YAML-only forms such as tags are dropped to null).
fn json(value: &Value) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

fn error(file: &str, line: usize, message: String, help: &str) -> Diagnostic {
    Diagnostic::error(file, line, 1, message).with_help(help)
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// One line of the frontmatter: file line, spaces before it, the rest.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    no: usize,
    indent: usize,
    text: &'a str,
}

impl Line<'_> {
    fn is_blank(&self) -> bool {
        self.text.is_empty() || self.text.starts_with('#')
    }
}

/// The lines of a top-level key's block: after its line, up to the next
/// top-level key (a sequence may sit at column 1 under its key).
fn block<'l, 'a>(lines: &'l [Line<'a>], key_line: Option<usize>) -> &'l [Line<'a>] {
    let Some(key_line) = key_line else { return &[] };
    let Some(start) = lines.iter().position(|l| l.no == key_line) else { return &[] };
    let start = start + 1;
    let end = lines[start..]
        .iter()
        .position(|l| !l.is_blank() && l.indent == 0 && !l.text.starts_with('-'))
        .map_or(lines.len(), |p| start + p);
    &lines[start..end]
}

/// Splits a block holding a block-style sequence into its items, each
/// starting at its `-` line.
fn items<'l, 'a>(block: &'l [Line<'a>]) -> Vec<&'l [Line<'a>]> {
    let Some(first) = block.iter().find(|l| !l.is_blank()) else { return Vec::new() };
    if !is_item(first) {
        return Vec::new();
    }
    let indent = first.indent;
    let starts: Vec<usize> = block.iter().enumerate().filter(|(_, l)| l.indent == indent && is_item(l)).map(|(i, _)| i).collect();
    starts.iter().enumerate().map(|(n, &s)| &block[s..starts.get(n + 1).copied().unwrap_or(block.len())]).collect()
}

fn is_item(line: &Line) -> bool {
    line.text == "-" || line.text.starts_with("- ")
}

/// The key of a `key: value` or `key:` line, unquoted.
fn key_of(text: &str) -> Option<String> {
    let (key, _) = text.split_once(": ").or_else(|| text.strip_suffix(':').map(|k| (k, "")))?;
    let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
    (!key.is_empty() && !key.starts_with(['{', '[', '-'])).then(|| key.to_string())
}

/// The keys of one sequence item's map, with their file line and position
/// in `item`: the key on the `- ` line and those aligned with it.
fn keys_of_item(item: &[Line]) -> HashMap<String, (usize, usize)> {
    let mut keys = HashMap::new();
    let head = item[0];
    let after_dash = &head.text[1..];
    let content = after_dash.trim_start_matches(' ');
    let column = head.indent + 1 + (after_dash.len() - content.len());
    if let Some(key) = key_of(content) {
        keys.insert(key, (head.no, 0));
    }
    for (position, line) in item.iter().enumerate().skip(1) {
        if !line.is_blank() && line.indent == column {
            if let Some(key) = key_of(line.text) {
                keys.entry(key).or_insert((line.no, position));
            }
        }
    }
    keys
}

/// The keys of the map nested under the key at `position` in `item`.
fn keys_under(item: &[Line], position: usize) -> HashMap<String, usize> {
    let parent = item[position].indent.max(if position == 0 { item[0].indent + 2 } else { 0 });
    let children: Vec<&Line> = item[position + 1..].iter().filter(|l| !l.is_blank()).take_while(|l| l.indent > parent).collect();
    let Some(indent) = children.iter().map(|l| l.indent).min() else { return HashMap::new() };
    let mut keys = HashMap::new();
    for line in children.into_iter().filter(|l| l.indent == indent) {
        if let Some(key) = key_of(line.text) {
            keys.entry(key).or_insert(line.no);
        }
    }
    keys
}
