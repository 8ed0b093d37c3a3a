//! A run's inputs: checked against the skill's declared `inputs`, defaults
//! filled, and a form field's text read by its declared type.

use crate::IoSpec;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};
use std::fmt;

/// What is wrong with one input, in words for the person who gave it.
///
/// `name` is the input's name (for a form: the field to mark); `message` is
/// a whole sentence that names it too, e.g.
/// ``"`top_n` must be a whole number, got 2.5"``.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputError {
    pub name: String,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl InputError {
    fn new(name: &str, message: String) -> Self {
        InputError { name: name.to_string(), message }
    }
}

/// The inputs `execute(inputs)` receives: `given` checked against `specs`.
///
/// Returns one object with, in the order of `specs`, every input that was
/// given or has a default; an optional input with neither is left out. A
/// JSON `null` counts as not given (a form's blank field). Values are
/// checked by declared type: `string`/`text`/`file` text, `number` any
/// number, `integer` a whole number (`3.0` becomes `3`), `boolean`, `enum`
/// one of `options`, `array` a list, `object` a map; a `file` with `format:
/// bytes` is base64 text (or a `data:` URL). Unknown types take any value.
///
/// Errors: one [`InputError`] per bad input, all of them, in the order of
/// `specs` and then the given names that are not inputs of the skill:
/// required and missing, of the wrong type, not one of the options, unknown.
pub fn validate_inputs(specs: &[IoSpec], given: &Map<String, Value>) -> Result<Map<String, Value>, Vec<InputError>> {
    let mut values = Map::new();
    let mut errors = Vec::new();
    for spec in specs {
        let value = match given.get(&spec.name).filter(|v| !v.is_null()) {
            Some(value) => value,
            None => match spec.default.as_ref().filter(|v| !v.is_null()) {
                Some(default) => default,
                None if spec.required => {
                    errors.push(InputError::new(&spec.name, format!("`{}` is required", spec.name)));
                    continue;
                }
                None => continue,
            },
        };
        match check_value(spec, value) {
            Ok(value) => {
                values.insert(spec.name.clone(), value);
            }
            Err(message) => errors.push(InputError::new(&spec.name, message)),
        }
    }
    for name in given.keys().filter(|name| !specs.iter().any(|s| &s.name == *name)) {
        let known = if specs.is_empty() {
            "this skill takes no inputs".to_string()
        } else {
            format!("its inputs are {}", specs.iter().map(|s| format!("`{}`", s.name)).collect::<Vec<_>>().join(", "))
        };
        errors.push(InputError::new(name, format!("`{name}` is not an input of this skill; {known}")));
    }
    if errors.is_empty() { Ok(values) } else { Err(errors) }
}

/// One value against its declared type, normalised (whole floats to integers).
fn check_value(spec: &IoSpec, value: &Value) -> Result<Value, String> {
    let name = &spec.name;
    let ok = |good: bool, wanted: &str| if good { Ok(value.clone()) } else { Err(format!("`{name}` must be {wanted}, got {}", describe(value))) };
    match spec.kind.as_str() {
        "string" | "text" => ok(value.is_string(), "text"),
        "file" if spec.is_bytes_file() => match value.as_str() {
            Some(text) if is_base64(text) => Ok(value.clone()),
            Some(_) => Err(format!("`{name}` must be a file's bytes as base64 text")),
            None => Err(format!("`{name}` must be a file's bytes as base64 text, got {}", describe(value))),
        },
        "file" => ok(value.is_string(), "the text of a file"),
        "number" => ok(value.is_number(), "a number"),
        "integer" => whole_number(value).ok_or_else(|| format!("`{name}` must be a whole number, got {}", describe(value))),
        "boolean" => ok(value.is_boolean(), "true or false"),
        "enum" if spec.options.is_empty() => Ok(value.clone()),
        "enum" => {
            let text = value.as_str().map(str::to_string).unwrap_or_else(|| value.to_string());
            if spec.options.contains(&text) {
                Ok(value.clone())
            } else {
                Err(format!("`{name}` must be one of {}; got {}", spec.options.join(", "), describe(value)))
            }
        }
        "array" => ok(value.is_array(), "a list"),
        "object" => ok(value.is_object(), "an object (a JSON map)"),
        _ => Ok(value.clone()),
    }
}

fn whole_number(value: &Value) -> Option<Value> {
    let number = value.as_number()?;
    if number.is_i64() || number.is_u64() {
        return Some(value.clone());
    }
    let float = number.as_f64()?;
    (float.fract() == 0.0 && float.abs() < 9.0e15).then(|| Value::from(float as i64))
}

fn is_base64(text: &str) -> bool {
    let data = if text.starts_with("data:") { text.split_once(',').map_or("", |(_, d)| d) } else { text };
    data.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_') || b.is_ascii_whitespace())
}

/// How a message shows the value it refuses: `2.5`, `the text "abc"`, `a list`.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.chars().count() > 40 => format!("the text {}…", crate::quoted(&s.chars().take(40).collect::<String>())),
        Value::String(s) => format!("the text {}", crate::quoted(s)),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// The JSON value of a form field's text or of `--input name=TEXT`, read by
/// the input's declared type.
///
/// `string`, `text` and `file` (and unknown types) keep the text as it is;
/// `number` reads a decimal or `1e-7` form (`12` stays an integer);
/// `integer` a whole number; `boolean` `true`/`false`/`yes`/`no`/`1`/`0`
/// (any case); `enum` must be one of `options`; `array` and `object` are
/// JSON. Blank text for a number, integer, boolean, enum, array or object
/// gives `null`, which [`validate_inputs`] treats as not given (so the
/// default applies).
///
/// Errors: a sentence naming the input, e.g. ``"`top_n` must be a whole
/// number, got 2.5"`` or ``"`marked` is not valid JSON: expected value at
/// line 1 column 5"``.
pub fn parse_input_text(spec: &IoSpec, text: &str) -> Result<Value, String> {
    let name = &spec.name;
    let trimmed = text.trim();
    let typed = matches!(spec.kind.as_str(), "number" | "integer" | "boolean" | "enum" | "array" | "object");
    if typed && trimmed.is_empty() {
        return Ok(Value::Null);
    }
    match spec.kind.as_str() {
        "number" => parse_number(trimmed).ok_or_else(|| format!("`{name}` must be a number, got {}", crate::quoted(trimmed))),
        "integer" => match parse_number(trimmed) {
            Some(number) => whole_number(&number).ok_or_else(|| format!("`{name}` must be a whole number, got {trimmed}")),
            None => Err(format!("`{name}` must be a whole number, got {}", crate::quoted(trimmed))),
        },
        "boolean" => match trimmed.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(Value::Bool(true)),
            "false" | "no" | "0" => Ok(Value::Bool(false)),
            _ => Err(format!("`{name}` must be true or false, got {}", crate::quoted(trimmed))),
        },
        "enum" if spec.options.is_empty() => Ok(Value::String(text.to_string())),
        "enum" => [text, trimmed]
            .into_iter()
            .find(|t| spec.options.iter().any(|o| o == t))
            .map(|t| Value::String(t.to_string()))
            .ok_or_else(|| format!("`{name}` must be one of {}; got {}", spec.options.join(", "), crate::quoted(trimmed))),
        "array" | "object" => {
            let value: Value = serde_json::from_str(text).map_err(|e| format!("`{name}` is not valid JSON: {e}"))?;
            let (good, wanted) = if spec.kind == "array" { (value.is_array(), "a JSON list, like [1, 2]") } else { (value.is_object(), "a JSON object, like {\"a\": 1}") };
            if good { Ok(value) } else { Err(format!("`{name}` must be {wanted}, got {}", describe(&value))) }
        }
        _ => Ok(Value::String(text.to_string())),
    }
}

fn parse_number(text: &str) -> Option<Value> {
    if let Ok(int) = text.parse::<i64>() {
        return Some(Value::from(int));
    }
    let float: f64 = text.parse().ok()?;
    Number::from_f64(float).map(Value::Number)
}

/// The names of the `file` inputs with `format: bytes`, in declared order:
/// the harnesses decode these from base64 to Python `bytes` / a JS `Uint8Array`.
pub fn bytes_inputs(specs: &[IoSpec]) -> Vec<String> {
    specs.iter().filter(|s| s.is_bytes_file()).map(|s| s.name.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(name: &str, kind: &str) -> IoSpec {
        IoSpec { name: name.into(), kind: kind.into(), description: None, default: None, required: false, options: Vec::new(), format: None }
    }

    fn with_default(mut spec: IoSpec, default: Value) -> IoSpec {
        spec.default = Some(default);
        spec
    }

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    fn messages(result: Result<Map<String, Value>, Vec<InputError>>) -> Vec<String> {
        result.unwrap_err().into_iter().map(|e| format!("{}: {}", e.name, e.message)).collect()
    }

    #[test]
    fn defaults_fill_in_and_given_values_win() {
        let specs = [with_default(spec("top_n", "integer"), json!(3)), with_default(spec("csv", "text"), json!("a,b")), spec("note", "string")];
        let values = validate_inputs(&specs, &map(json!({"csv": "x,y"}))).unwrap();
        assert_eq!(Value::Object(values), json!({"top_n": 3, "csv": "x,y"}));
        let values = validate_inputs(&specs, &map(json!({"top_n": null, "note": "hi"}))).unwrap();
        assert_eq!(Value::Object(values), json!({"top_n": 3, "csv": "a,b", "note": "hi"}));
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let mut required = spec("data", "array");
        required.required = true;
        let mut kind = spec("kind", "enum");
        kind.options = vec!["line".into(), "bar".into()];
        let specs = [spec("top_n", "integer"), spec("ratio", "number"), spec("on", "boolean"), kind, required, spec("series", "object"), spec("csv", "file")];
        let given = json!({"top_n": 2.5, "ratio": "1", "on": "yes", "kind": "pie", "series": [1], "csv": 3, "extra": 1});
        assert_eq!(messages(validate_inputs(&specs, &map(given))), [
            "top_n: `top_n` must be a whole number, got 2.5",
            "ratio: `ratio` must be a number, got the text \"1\"",
            "on: `on` must be true or false, got the text \"yes\"",
            "kind: `kind` must be one of line, bar; got the text \"pie\"",
            "data: `data` is required",
            "series: `series` must be an object (a JSON map), got a list",
            "csv: `csv` must be the text of a file, got 3",
            "extra: `extra` is not an input of this skill; its inputs are `top_n`, `ratio`, `on`, `kind`, `data`, `series`, `csv`",
        ]);
        assert_eq!(messages(validate_inputs(&[], &map(json!({"x": 1})))), ["x: `x` is not an input of this skill; this skill takes no inputs"]);
    }

    #[test]
    fn whole_floats_become_integers_and_unknown_types_pass() {
        let specs = [spec("n", "integer"), spec("any", "colour")];
        let values = validate_inputs(&specs, &map(json!({"n": 4.0, "any": [1]}))).unwrap();
        assert_eq!(Value::Object(values), json!({"n": 4, "any": [1]}));
    }

    #[test]
    fn bytes_files_are_base64_text() {
        let mut file = spec("image", "file");
        file.format = Some("bytes".into());
        let specs = [file.clone(), spec("text", "file")];
        assert_eq!(bytes_inputs(&specs), ["image"]);
        assert!(validate_inputs(&specs, &map(json!({"image": "iVBORw0KGgo=", "text": "hello"}))).is_ok());
        assert!(validate_inputs(&specs, &map(json!({"image": "data:image/png;base64,iVBORw0KGgo="}))).is_ok());
        assert_eq!(messages(validate_inputs(&specs, &map(json!({"image": "not base64!"})))), ["image: `image` must be a file's bytes as base64 text"]);
    }

    #[test]
    fn field_text_is_read_by_declared_type() {
        assert_eq!(parse_input_text(&spec("s", "string"), " a b ").unwrap(), json!(" a b "));
        assert_eq!(parse_input_text(&spec("t", "text"), "1\n2").unwrap(), json!("1\n2"));
        assert_eq!(parse_input_text(&spec("n", "number"), "12").unwrap(), json!(12));
        assert_eq!(parse_input_text(&spec("n", "number"), " 1e-7 ").unwrap(), json!(1e-7));
        assert_eq!(parse_input_text(&spec("n", "number"), "").unwrap(), Value::Null);
        assert_eq!(parse_input_text(&spec("n", "number"), "abc").unwrap_err(), "`n` must be a number, got \"abc\"");
        assert_eq!(parse_input_text(&spec("n", "number"), "NaN").unwrap_err(), "`n` must be a number, got \"NaN\"");
        assert_eq!(parse_input_text(&spec("top_n", "integer"), "2.5").unwrap_err(), "`top_n` must be a whole number, got 2.5");
        assert_eq!(parse_input_text(&spec("top_n", "integer"), "7.0").unwrap(), json!(7));
        for (text, value) in [("true", true), ("Yes", true), ("1", true), ("false", false), ("NO", false), ("0", false)] {
            assert_eq!(parse_input_text(&spec("b", "boolean"), text).unwrap(), json!(value), "{text}");
        }
        assert_eq!(parse_input_text(&spec("b", "boolean"), "maybe").unwrap_err(), "`b` must be true or false, got \"maybe\"");
    }

    #[test]
    fn enums_and_json_fields() {
        let mut kind = spec("kind", "enum");
        kind.options = vec!["line".into(), "bar".into()];
        assert_eq!(parse_input_text(&kind, "bar ").unwrap(), json!("bar"));
        assert_eq!(parse_input_text(&kind, "pie").unwrap_err(), "`kind` must be one of line, bar; got \"pie\"");
        assert_eq!(parse_input_text(&spec("marked", "array"), "[5, 6]").unwrap(), json!([5, 6]));
        assert_eq!(parse_input_text(&spec("marked", "array"), "[5,\n  ]").unwrap_err(), "`marked` is not valid JSON: trailing comma at line 2 column 3");
        assert_eq!(parse_input_text(&spec("marked", "array"), "{}").unwrap_err(), "`marked` must be a JSON list, like [1, 2], got an object");
        assert_eq!(parse_input_text(&spec("series", "object"), "{\"a\": [1]}").unwrap(), json!({"a": [1]}));
        assert_eq!(parse_input_text(&spec("series", "object"), "3").unwrap_err(), "`series` must be a JSON object, like {\"a\": 1}, got 3");
        assert_eq!(parse_input_text(&spec("f", "file"), "a,b\n").unwrap(), json!("a,b\n"));
    }
}
