//! References in workflow values, `${{ inputs.<name> }}` and
//! `${{ steps.<id>.outputs.<name> }}`, and how values holding them resolve.
//!
//! Rules (the same natively and in the browser):
//! - a string that is exactly one reference (surrounding spaces aside)
//!   becomes the referenced JSON value unchanged (a number stays a number,
//!   a list a list);
//! - references inside longer text are interpolated as text: strings as they
//!   are, `null` as nothing, other values as compact JSON;
//! - strings inside lists and maps are resolved the same way, so
//!   `{"Counts": "${{ steps.bell.outputs.count_values }}"}` builds a map;
//! - names are letters, digits, `_` and `-`; spaces inside `${{ }}` are free;
//!   anything else inside `${{ }}`, or a `${{` never closed, is an error.

use serde_json::Value;
use std::fmt;

/// What a `${{ … }}` names.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reference {
    /// `${{ inputs.<name> }}`: one of the workflow's inputs.
    Input(String),
    /// `${{ steps.<step>.outputs.<output> }}`: an output of an earlier step.
    StepOutput { step: String, output: String },
}

impl fmt::Display for Reference {
    /// The canonical spelling, e.g. `${{ steps.a.outputs.b }}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reference::Input(name) => write!(f, "${{{{ inputs.{name} }}}}"),
            Reference::StepOutput { step, output } => write!(f, "${{{{ steps.{step}.outputs.{output} }}}}"),
        }
    }
}

/// A piece of a string value: plain text or a reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Text(String),
    Ref(Reference),
}

/// True for names a reference can spell: letters, digits, `_`, `-`.
pub fn is_name(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Parses the inside of `${{ … }}` (without the braces).
pub fn parse_reference(inner: &str) -> Result<Reference, String> {
    let parts: Vec<&str> = inner.trim().split('.').map(str::trim).collect();
    let bad = || {
        format!("`${{{{ {} }}}}` is not a reference; write `${{{{ inputs.<name> }}}}` or `${{{{ steps.<id>.outputs.<name> }}}}`", inner.trim())
    };
    match parts.as_slice() {
        ["inputs", name] if is_name(name) => Ok(Reference::Input(name.to_string())),
        ["steps", step, "outputs", output] if is_name(step) && is_name(output) => {
            Ok(Reference::StepOutput { step: step.to_string(), output: output.to_string() })
        }
        _ => Err(bad()),
    }
}

/// Splits a string into text and references. Text without `${{` is one
/// `Text` segment (or none when empty).
pub fn parse_template(text: &str) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        if start > 0 {
            segments.push(Segment::Text(rest[..start].to_string()));
        }
        let after = &rest[start + 3..];
        let Some(end) = after.find("}}") else {
            return Err(format!("`${{{{` without its closing `}}}}` in {}", crate::quoted(text)));
        };
        segments.push(Segment::Ref(parse_reference(&after[..end])?));
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        segments.push(Segment::Text(rest.to_string()));
    }
    Ok(segments)
}

/// The reference a string is made of when it is exactly one (surrounding
/// spaces aside); such a value passes the referenced JSON value unchanged.
pub fn whole_reference(text: &str) -> Option<Reference> {
    match parse_template(text.trim()).ok()?.as_slice() {
        [Segment::Ref(reference)] => Some(reference.clone()),
        _ => None,
    }
}

/// Every reference in a value (strings in lists and maps included), in order.
pub fn references(value: &Value) -> Result<Vec<Reference>, String> {
    let mut found = Vec::new();
    collect(value, &mut found)?;
    Ok(found)
}

fn collect(value: &Value, found: &mut Vec<Reference>) -> Result<(), String> {
    match value {
        Value::String(text) => {
            for segment in parse_template(text)? {
                if let Segment::Ref(reference) = segment {
                    found.push(reference);
                }
            }
        }
        Value::Array(items) => items.iter().try_for_each(|item| collect(item, found))?,
        Value::Object(map) => map.values().try_for_each(|item| collect(item, found))?,
        _ => {}
    }
    Ok(())
}

/// Resolves every reference in `value` with `lookup`, which returns the
/// referenced value or an error message (a missing step output, say).
pub fn resolve(value: &Value, lookup: &dyn Fn(&Reference) -> Result<Value, String>) -> Result<Value, String> {
    match value {
        Value::String(text) => {
            if !text.contains("${{") {
                return Ok(value.clone());
            }
            if let Some(reference) = whole_reference(text) {
                return lookup(&reference);
            }
            let mut out = String::new();
            for segment in parse_template(text)? {
                match segment {
                    Segment::Text(t) => out.push_str(&t),
                    Segment::Ref(reference) => match lookup(&reference)? {
                        Value::String(s) => out.push_str(&s),
                        Value::Null => {}
                        other => out.push_str(&other.to_string()),
                    },
                }
            }
            Ok(Value::String(out))
        }
        Value::Array(items) => items.iter().map(|item| resolve(item, lookup)).collect::<Result<Vec<_>, _>>().map(Value::Array),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| Ok((k.clone(), resolve(v, lookup)?)))
            .collect::<Result<serde_json::Map<_, _>, String>>()
            .map(Value::Object),
        _ => Ok(value.clone()),
    }
}
