//! A run's result: checked against the declared `outputs`, and how each
//! value is shown (the browser's Run panel and `llmos run` agree on it).

use crate::IoSpec;
use serde_json::Value;

/// The columns of a value shown as a table: for a non-empty list whose
/// items are all objects (records), the union of their keys in first-seen
/// order; `None` for anything else.
pub fn table_columns(value: &Value) -> Option<Vec<String>> {
    let rows = value.as_array().filter(|rows| !rows.is_empty())?;
    let mut columns: Vec<String> = Vec::new();
    for row in rows {
        for key in row.as_object()?.keys() {
            if !columns.contains(key) {
                columns.push(key.clone());
            }
        }
    }
    Some(columns)
}

/// Warnings about a result against the declared outputs, as sentences: the
/// result is not an object; a declared output is missing; a name is not
/// declared (only when the skill declares outputs at all); a value does not
/// have its declared type (`null` is accepted for any type). Empty when the
/// result matches its declaration.
pub fn check_outputs(specs: &[IoSpec], result: &Value) -> Vec<String> {
    let Some(outputs) = result.as_object() else {
        return vec![format!("execute(inputs) returned {}, not an object of named outputs", shape(result))];
    };
    let mut warnings = Vec::new();
    for spec in specs {
        match outputs.get(&spec.name) {
            None => warnings.push(format!("the declared output `{}` is missing", spec.name)),
            Some(value) if !value.is_null() && !fits(&spec.kind, value) => {
                warnings.push(format!("the output `{}` is declared `{}` but is {}", spec.name, spec.kind, shape(value)))
            }
            Some(_) => {}
        }
    }
    if !specs.is_empty() {
        for name in outputs.keys().filter(|name| !specs.iter().any(|s| &s.name == *name)) {
            warnings.push(format!("`{name}` is not a declared output"));
        }
    }
    warnings
}

fn fits(kind: &str, value: &Value) -> bool {
    match kind {
        "string" | "text" | "markdown" | "svg" | "png" | "image" | "html" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.as_f64().is_some_and(|n| n.fract() == 0.0),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "table" => table_columns(value).is_some() || value.as_array().is_some_and(Vec::is_empty),
        "object" => value.is_object(),
        "file" => is_file(value),
        _ => true,
    }
}

fn is_file(value: &Value) -> bool {
    let text = |key: &str| value.get(key).is_some_and(Value::is_string);
    text("name") && (text("text") || text("base64"))
}

fn shape(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// How one output value is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputKind {
    /// `null`, or the output is missing.
    Empty,
    /// Plain text (`string`, `text`), shown as is, never as HTML.
    Text,
    /// Markdown, shown through the core's sanitising renderer.
    Markdown,
    Number,
    Boolean,
    /// A list of records, shown as a table with these columns.
    Table(Vec<String>),
    /// Any other JSON, shown collapsible / pretty-printed.
    Json,
    /// An SVG document (string), shown through `<img>` from a blob URL.
    Svg,
    /// A raster image: base64 text or a `data:` URL, of this MIME type.
    Image { mime: String },
    /// HTML, shown as source, never rendered.
    Html,
    /// `{"name", "mime", "text" | "base64"}`, offered as a download.
    File,
}

/// How to show `value`, given its declaration (`None` for an undeclared
/// output): the declared type when the value fits it, otherwise by the
/// value's own shape (a list of records is a table, other lists and
/// objects JSON, an SVG document an image, another string text).
pub fn output_kind(spec: Option<&IoSpec>, value: &Value) -> OutputKind {
    if value.is_null() {
        return OutputKind::Empty;
    }
    let declared = spec.map_or("", |s| s.kind.as_str());
    if let Some(text) = value.as_str() {
        return match declared {
            "markdown" => OutputKind::Markdown,
            "html" => OutputKind::Html,
            "svg" => OutputKind::Svg,
            "png" | "image" => image_kind(text, declared == "png"),
            // Undeclared, an SVG document (a chart) still shows as a picture:
            // an <img> from a blob: URL runs none of its scripts.
            "" if text.trim_start().starts_with("<svg") && text.trim_end().ends_with("</svg>") => OutputKind::Svg,
            _ => OutputKind::Text,
        };
    }
    match value {
        Value::Number(_) => OutputKind::Number,
        Value::Bool(_) => OutputKind::Boolean,
        Value::Object(_) if declared == "file" && is_file(value) => OutputKind::File,
        Value::Array(_) if !matches!(declared, "json" | "object") => table_columns(value).map_or(OutputKind::Json, OutputKind::Table),
        _ => OutputKind::Json,
    }
}

fn image_kind(text: &str, png: bool) -> OutputKind {
    let head = text.trim_start();
    if !png && (head.starts_with("<svg") || head.starts_with("<?xml")) {
        return OutputKind::Svg;
    }
    if let Some(rest) = head.strip_prefix("data:") {
        let mime = rest.split([';', ',']).next().unwrap_or_default();
        if mime.starts_with("image/") && mime != "image/svg+xml" {
            return OutputKind::Image { mime: mime.to_string() };
        }
        return if mime == "image/svg+xml" { OutputKind::Svg } else { OutputKind::Text };
    }
    let mime = match () {
        _ if head.starts_with("/9j/") => "image/jpeg",
        _ if head.starts_with("R0lGOD") => "image/gif",
        _ if head.starts_with("UklGR") => "image/webp",
        _ => "image/png",
    };
    OutputKind::Image { mime: mime.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(name: &str, kind: &str) -> IoSpec {
        IoSpec { name: name.into(), kind: kind.into(), description: None, default: None, required: false, options: Vec::new(), format: None }
    }

    #[test]
    fn tables_are_lists_of_records() {
        assert_eq!(table_columns(&json!([{"f": 1}, {"db": 0, "f": 2}, {"phase": 3}])).unwrap(), ["f", "db", "phase"]);
        assert_eq!(table_columns(&json!([])), None);
        assert_eq!(table_columns(&json!([{"a": 1}, 2])), None);
        assert_eq!(table_columns(&json!({"a": 1})), None);
    }

    #[test]
    fn outputs_are_checked_against_the_declaration() {
        let specs = [spec("svg", "svg"), spec("n", "integer"), spec("rows", "table"), spec("gone", "string"), spec("maybe", "number")];
        let result = json!({"svg": "<svg/>", "n": 2.5, "rows": [1], "maybe": null, "extra": true});
        assert_eq!(check_outputs(&specs, &result), [
            "the output `n` is declared `integer` but is a number",
            "the output `rows` is declared `table` but is a list",
            "the declared output `gone` is missing",
            "`extra` is not a declared output",
        ]);
        assert_eq!(check_outputs(&specs, &json!([1])), ["execute(inputs) returned a list, not an object of named outputs"]);
        assert!(check_outputs(&[], &json!({"anything": 1})).is_empty());
        let file = spec("report", "file");
        assert!(check_outputs(std::slice::from_ref(&file), &json!({"report": {"name": "a.csv", "mime": "text/csv", "text": "a"}})).is_empty());
        assert_eq!(check_outputs(&[file], &json!({"report": {"name": "a.csv"}})).len(), 1);
    }

    #[test]
    fn values_are_shown_by_declared_type_then_by_shape() {
        assert_eq!(output_kind(Some(&spec("m", "markdown")), &json!("# Hi")), OutputKind::Markdown);
        assert_eq!(output_kind(Some(&spec("h", "html")), &json!("<b>")), OutputKind::Html);
        assert_eq!(output_kind(Some(&spec("s", "svg")), &json!("<svg/>")), OutputKind::Svg);
        assert_eq!(output_kind(Some(&spec("i", "image")), &json!(" <svg/>")), OutputKind::Svg);
        assert_eq!(output_kind(Some(&spec("i", "png")), &json!("iVBORw0KGgo=")), OutputKind::Image { mime: "image/png".into() });
        assert_eq!(output_kind(Some(&spec("i", "image")), &json!("data:image/jpeg;base64,/9j/")), OutputKind::Image { mime: "image/jpeg".into() });
        assert_eq!(output_kind(Some(&spec("s", "svg")), &json!(3)), OutputKind::Number);
        assert_eq!(output_kind(None, &json!("x")), OutputKind::Text);
        assert_eq!(output_kind(None, &json!("<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>")), OutputKind::Svg, "an undeclared chart is a picture");
        assert_eq!(output_kind(None, &json!("<svg> is a tag")), OutputKind::Text);
        assert_eq!(output_kind(None, &json!(null)), OutputKind::Empty);
        assert_eq!(output_kind(Some(&spec("r", "array")), &json!([{"a": 1}])), OutputKind::Table(vec!["a".into()]));
        assert_eq!(output_kind(Some(&spec("r", "json")), &json!([{"a": 1}])), OutputKind::Json);
        assert_eq!(output_kind(None, &json!([1, 2])), OutputKind::Json);
        assert_eq!(output_kind(Some(&spec("f", "file")), &json!({"name": "a", "mime": "text/plain", "text": ""})), OutputKind::File);
        assert_eq!(output_kind(Some(&spec("b", "boolean")), &json!(true)), OutputKind::Boolean);
    }
}
