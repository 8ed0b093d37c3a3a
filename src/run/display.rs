//! The readable listing `llmos run` prints without `--json`: each output
//! by the kind the core gives it (`llmos_core::run::output_kind`), the
//! one the browser's Run panel uses.

use llmos_core::run::{output_kind, OutputKind};
use llmos_core::IoSpec;
use serde_json::Value;
use std::fmt::Write;

/// Rows of a table printed before the rest is counted.
const MAX_ROWS: usize = 40;
/// Longest JSON printed on the output's own line rather than pretty-printed.
const MAX_INLINE: usize = 100;
/// Characters of one table cell.
const MAX_CELL: usize = 32;

/// The outputs, declared ones first in their order, then any others.
pub(super) fn listing(specs: &[IoSpec], outputs: &Value) -> String {
    let Some(outputs) = outputs.as_object() else { return format!("{outputs}\n") };
    let mut names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).filter(|n| outputs.contains_key(*n)).collect();
    names.extend(outputs.keys().map(String::as_str).filter(|n| !specs.iter().any(|s| s.name == *n)));
    let mut out = String::new();
    for name in names {
        let value = &outputs[name];
        let spec = specs.iter().find(|s| s.name == name);
        match output_kind(spec, value) {
            OutputKind::Empty => writeln!(out, "{name}: (none)"),
            OutputKind::Number | OutputKind::Boolean => writeln!(out, "{name}: {value}"),
            OutputKind::Text | OutputKind::Markdown => {
                let text = value.as_str().unwrap_or_default();
                if text.contains('\n') { writeln!(out, "{name}:\n{}", indent(text)) } else { writeln!(out, "{name}: {text}") }
            }
            OutputKind::Svg => writeln!(out, "{name}: SVG image, {} bytes (--json gives the document)", text_len(value)),
            OutputKind::Image { mime } => writeln!(out, "{name}: {mime} image, {} bytes of base64 (--json gives it)", text_len(value)),
            OutputKind::Html => writeln!(out, "{name}: HTML document, {} bytes (--json gives it)", text_len(value)),
            OutputKind::File => {
                let field = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
                let size = value.get("text").or_else(|| value.get("base64")).and_then(Value::as_str).map_or(0, str::len);
                writeln!(out, "{name}: file {} ({}, {size} bytes; --json gives it)", field("name"), field("mime"))
            }
            OutputKind::Table(columns) => writeln!(out, "{name}:\n{}", indent(&table(&columns, value))),
            OutputKind::Json => {
                let compact = value.to_string();
                if compact.len() <= MAX_INLINE {
                    writeln!(out, "{name}: {compact}")
                } else {
                    writeln!(out, "{name}:\n{}", indent(&serde_json::to_string_pretty(value).unwrap_or_default()))
                }
            }
        }
        .expect("writing to a String");
    }
    out
}

fn text_len(value: &Value) -> usize {
    value.as_str().map_or(0, str::len)
}

fn indent(text: &str) -> String {
    text.trim_end_matches('\n').lines().map(|line| format!("  {line}")).collect::<Vec<_>>().join("\n")
}

/// A list of records as aligned text columns.
fn table(columns: &[String], value: &Value) -> String {
    let rows = value.as_array().map(Vec::as_slice).unwrap_or_default();
    let cell = |row: &Value, column: &str| {
        let text = match row.get(column) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.replace('\n', " "),
            Some(other) => other.to_string(),
        };
        if text.chars().count() > MAX_CELL { format!("{}…", text.chars().take(MAX_CELL - 1).collect::<String>()) } else { text }
    };
    let shown = &rows[..rows.len().min(MAX_ROWS)];
    let cells: Vec<Vec<String>> = shown.iter().map(|row| columns.iter().map(|c| cell(row, c)).collect()).collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| cells.iter().map(|r| r[i].chars().count()).chain([c.chars().count()]).max().unwrap_or(0))
        .collect();
    let line = |texts: &[String]| texts.iter().zip(&widths).map(|(t, w)| format!("{t:<w$}")).collect::<Vec<_>>().join("  ").trim_end().to_string();
    let mut lines = vec![line(columns), widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("  ")];
    lines.extend(cells.iter().map(|r| line(r)));
    if rows.len() > shown.len() {
        lines.push(format!("… {} more rows (--json gives them all)", rows.len() - shown.len()));
    }
    lines.join("\n")
}

/// Standard base64 with padding, for `--input name=@file` of a bytes file.
pub(super) fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(name: &str, kind: &str) -> IoSpec {
        IoSpec { name: name.into(), kind: kind.into(), description: None, default: None, required: false, options: Vec::new(), format: None }
    }

    #[test]
    fn base64_matches_the_standard() {
        for (raw, encoded) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy"), ("\u{ff}\u{fe}", "w7/Dvg==")] {
            assert_eq!(base64(raw.as_bytes()), encoded, "{raw:?}");
        }
    }

    #[test]
    fn outputs_are_listed_by_kind() {
        let specs = [spec("svg", "svg"), spec("count", "integer"), spec("rows", "array"), spec("note", "text")];
        let long: Vec<u32> = (0..40).collect();
        let outputs = json!({"rows": [{"f": 10, "db": -0.5}, {"f": 100}], "svg": "<svg></svg>", "count": 3, "note": "a\nb", "extra": {"k": [1]}, "long": {"k": long}});
        let shown = listing(&specs, &outputs);
        assert!(shown.starts_with("svg: SVG image, 11 bytes (--json gives the document)\ncount: 3\nrows:\n  f    db\n  ---  ----\n  10   -0.5\n  100\nnote:\n  a\n  b\nextra: {\"k\":[1]}\nlong:\n  {\n    \"k\": [\n      0,"), "{shown}");
    }
}
