//! Splitting a Markdown file into its YAML frontmatter and body.
//!
//! Files from public collections arrive with CRLF line endings, a UTF-8 byte
//! order mark, or no body at all; all of these are fine. What is not fine is
//! a file that is not UTF-8 or has no frontmatter: those are errors that name
//! the file and say what to do.

use crate::Diagnostic;
use serde_yaml_ng::{Mapping, Value};
use std::collections::HashMap;

/// A file split at its frontmatter fences. Line numbers are 1-based and
/// refer to the original file.
#[derive(Debug, Clone)]
pub struct Split {
    /// The YAML between the fences, with LF line endings.
    pub yaml: String,
    /// File line of the first YAML line.
    pub yaml_line: usize,
    /// The Markdown after the closing fence, with LF line endings.
    pub body: String,
    /// File line of the first body line.
    pub body_line: usize,
}

/// Decodes UTF-8 (dropping a byte order mark) and normalises line endings to LF.
pub fn decode(file: &str, bytes: &[u8]) -> Result<String, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = valid.len() - valid.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
        Diagnostic::error(file, line, column, format!("the file is not valid UTF-8 (bad byte at offset {})", e.valid_up_to()))
            .with_help("re-save the file with UTF-8 encoding")
    })?;
    Ok(if text.contains('\r') { text.replace("\r\n", "\n") } else { text.to_string() })
}

/// Splits decoded text at `---` fences. The opening fence must be the first line.
pub fn split(file: &str, text: &str) -> Result<Split, Diagnostic> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        return Err(Diagnostic::error(file, 1, 1, "no frontmatter: the file must start with a line `---`")
            .with_help("add YAML frontmatter at the top: `---`, then `name: …` and `description: …`, then `---`"));
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    for (index, line) in lines.enumerate() {
        let fence = line.trim_end();
        if fence == "---" || fence == "..." {
            let body_start = offset + line.len();
            return Ok(Split {
                yaml: text[yaml_start..offset].to_string(),
                yaml_line: 2,
                body: text[body_start..].to_string(),
                body_line: index + 3,
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::error(file, 1, 1, "the frontmatter is never closed")
        .with_help("add a line `---` after the last frontmatter field"))
}

/// Parses the frontmatter YAML into a mapping, with errors at file positions.
/// Refuses frontmatter over `limits::MAX_FRONTMATTER_BYTES` or nested
/// deeper than `limits::MAX_FRONTMATTER_DEPTH` before the YAML parser sees
/// it, so parsing time stays bounded whatever the file holds.
pub fn parse_mapping(file: &str, split: &Split) -> Result<Mapping, Diagnostic> {
    use crate::limits::{yaml_depth, MAX_FRONTMATTER_BYTES, MAX_FRONTMATTER_DEPTH};
    if split.yaml.len() > MAX_FRONTMATTER_BYTES {
        return Err(Diagnostic::error(file, split.yaml_line, 1, format!("the frontmatter is {} bytes; the limit is {} KiB", split.yaml.len(), MAX_FRONTMATTER_BYTES / 1024))
            .with_help("keep the frontmatter to the skill's fields; move long text into the body or into `references/` files"));
    }
    let depth = yaml_depth(&split.yaml);
    if depth > MAX_FRONTMATTER_DEPTH {
        return Err(Diagnostic::error(file, split.yaml_line, 1, format!("the frontmatter nests {depth} levels deep; the limit is {MAX_FRONTMATTER_DEPTH}"))
            .with_help("flatten the nested lists and maps; skill fields need only a few levels"));
    }
    let value: Value = serde_yaml_ng::from_str(&split.yaml).map_err(|e| {
        let (mut line, mut column) = e.location().map_or((split.yaml_line, 1), |l| (split.yaml_line + l.line() - 1, l.column()));
        let message = e.to_string();
        // libyaml's message is "PROBLEM at line X column Y[, while CONTEXT at
        // line L column C]", counted from the fence, not the file. For an
        // unclosed bracket or quote the problem is found where the text ends
        // (often the closing `---`); the context marks where it was opened,
        // which is the line the user has to fix.
        let (problem, context) = match message.split_once(", while ") {
            Some((problem, context)) => (problem, Some(context)),
            None => (message.as_str(), None),
        };
        let mut reason = problem.split(" at line ").next().unwrap_or(problem).to_string();
        if let Some((what, (context_line, context_column))) = context.and_then(context_mark).filter(|(what, _)| !what.contains("block")) {
            line = split.yaml_line + context_line - 1;
            column = context_column;
            reason = format!("{reason} while {what} that starts here");
        } else if let Some((quote_line, quote_column)) = unclosed_quote(&split.yaml).filter(|(l, _)| split.yaml_line + l - 1 <= line) {
            // A quote left open runs on to the next quote, lines later,
            // where libyaml finally fails: the line to fix is where it opened.
            line = split.yaml_line + quote_line - 1;
            column = quote_column;
            reason = format!("{reason}: the quote that starts here is not closed on its line");
        }
        Diagnostic::error(file, line, column, format!("the frontmatter is not valid YAML: {reason}"))
            .with_help(yaml_help(&reason))
    })?;
    match value {
        Value::Mapping(map) => Ok(map),
        Value::Null => Err(Diagnostic::error(file, split.yaml_line, 1, "the frontmatter is empty")
            .with_help("add at least `name: …` and `description: …` between the `---` lines")),
        _ => Err(Diagnostic::error(file, split.yaml_line, 1, "the frontmatter is not a set of `key: value` fields")
            .with_help("write one field per line, such as `name: my-skill`")),
    }
}

/// The first line (1-based, with the quote's column) whose value opens a
/// `"` or `'` quote that does not close on that line. Quoted values may span
/// lines in YAML, so this is only asked once the YAML has failed.
fn unclosed_quote(yaml: &str) -> Option<(usize, usize)> {
    yaml.lines().enumerate().find_map(|(i, text)| {
        let item = text.trim_start().trim_start_matches("- ");
        let value = match item.split_once(": ") {
            Some((key, value)) if !key.starts_with(['"', '\'']) => value,
            _ => item,
        };
        let value = value.trim_start();
        let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let rest = &value[1..];
        let closed = if quote == '"' {
            let mut escaped = false;
            rest.chars().any(|c| {
                let closes = !escaped && c == '"';
                escaped = !escaped && c == '\\';
                closes
            })
        } else {
            // In single quotes `''` is an escaped quote.
            rest.replace("''", "").contains('\'')
        };
        (!closed).then(|| (i + 1, text.len() - value.len() + 1))
    })
}

/// Splits libyaml's "parsing a flow sequence at line 2 column 11" into what
/// it was parsing and the (1-based) mark.
fn context_mark(context: &str) -> Option<(&str, (usize, usize))> {
    let (what, mark) = context.rsplit_once(" at line ")?;
    let (line, column) = mark.split_once(" column ")?;
    Some((what, (line.trim().parse().ok()?, column.trim().parse().ok()?)))
}

/// The top-level keys of `text`'s frontmatter, in file order (a key that is
/// not a string is `""`); `None` when it does not split or parse. The
/// browser's editor asks this of the skill kit to tell whether its form can
/// show a SKILL.md whole.
pub fn mapping_keys(file: &str, text: &str) -> Option<Vec<String>> {
    let map = parse_mapping(file, &split(file, text).ok()?).ok()?;
    Some(map.keys().map(|k| k.as_str().unwrap_or_default().to_string()).collect())
}

fn yaml_help(reason: &str) -> &'static str {
    if reason.contains("mapping values are not allowed") {
        "a value contains `: `; put the whole value in quotes, e.g. description: \"Does X: then Y\""
    } else if reason.contains("found character that cannot start any token") || reason.contains("tab") {
        "YAML does not allow tabs for indentation and some characters (`@`, `` ` ``) at the start of a value; use spaces, or quote the value"
    } else if reason.contains("did not find expected") || reason.contains("end of stream") {
        "check the quotes and brackets on this line: every opening `\"`, `[` or `{` needs its closing pair"
    } else {
        "fix the YAML on this line; quoting the value usually helps"
    }
}

/// File lines of the top-level keys, for diagnostics about a field. This only
/// locates keys that the YAML library already parsed; it never decides meaning.
pub fn key_lines(split: &Split) -> HashMap<String, usize> {
    let mut lines = HashMap::new();
    for (index, line) in split.yaml.lines().enumerate() {
        if line.starts_with([' ', '\t', '#', '-']) {
            continue;
        }
        if let Some((key, _)) = line.split_once(':') {
            let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
            lines.entry(key.to_string()).or_insert(split.yaml_line + index);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_keys_lists_top_level_keys_in_order_and_marks_other_keys() {
        let keys = mapping_keys("SKILL.md", "---\nname: a\ndescription: b\nmetadata:\n  x: y\n---\nbody\n");
        assert_eq!(keys, Some(vec!["name".to_string(), "description".to_string(), "metadata".to_string()]));
        assert_eq!(mapping_keys("SKILL.md", "---\n1: a\n---\n"), Some(vec![String::new()]), "a key that is not a string");
        assert_eq!(mapping_keys("SKILL.md", "---\nname: [\n---\n"), None);
        assert_eq!(mapping_keys("SKILL.md", "no frontmatter"), None);
    }

    #[test]
    fn splits_with_crlf_and_bom() {
        let text = decode("f", b"\xEF\xBB\xBF---\r\nname: a\r\n---\r\n# Body\r\n").unwrap();
        let split = split("f", &text).unwrap();
        assert_eq!(split.yaml, "name: a\n");
        assert_eq!(split.body, "# Body\n");
        assert_eq!(split.body_line, 4);
    }

    #[test]
    fn empty_body_is_fine() {
        let split = split("f", "---\nname: a\n---").unwrap();
        assert_eq!(split.body, "");
    }

    #[test]
    fn missing_fences_are_errors() {
        let err = split("x/SKILL.md", "# Just markdown\n").unwrap_err();
        assert!(err.message.contains("no frontmatter"), "{err}");
        assert_eq!(err.location(), "x/SKILL.md:1:1");
        let err = split("x/SKILL.md", "---\nname: a\n").unwrap_err();
        assert!(err.message.contains("never closed"), "{err}");
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let err = decode("f", b"---\nname: a\n\xff\n").unwrap_err();
        assert_eq!((err.line, err.column), (3, 1));
        assert!(err.message.contains("UTF-8"));
    }

    #[test]
    fn yaml_errors_point_into_the_file() {
        let text = "---\nname: a\ndescription: Use it: now\n---\n";
        let split = split("f", text).unwrap();
        let err = parse_mapping("f", &split).unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        assert!(err.column > 1, "{err}");
        assert!(err.help.unwrap().contains("quotes"));
    }

    #[test]
    fn an_unclosed_bracket_or_quote_points_where_it_was_opened() {
        // Found at the end of the frontmatter, reported where the user must fix it.
        for (text, line, column) in [
            ("---\nname: a\nkeywords: [a, b\ndescription: x\n---\n", 3, 11),
            ("---\nname: a\ndescription: \"open\nother: x\n---\n", 3, 14),
            ("---\nname: a\nmetadata: {a: 1\nx: 2\n---\n", 3, 11),
            // Closed by a later line's quote, failing there.
            ("---\nname: a\ndescription: \"open\ninputs:\n  - name: x\n    default: \"line\"\n---\n", 3, 14),
            ("---\nname: a\ndescription: 'it''s open\nother: 'x'\n---\n", 3, 14),
        ] {
            let err = parse_mapping("f", &split("f", text).unwrap()).unwrap_err();
            assert_eq!((err.line, err.column), (line, column), "{text:?}: {err}");
            assert!(err.message.contains("starts here"), "{err}");
            assert!(err.help.as_deref().unwrap().contains("closing"), "{err}");
        }
    }

    #[test]
    fn deep_or_huge_frontmatter_is_refused_before_parsing() {
        let nested = format!("---\nname: a\nx: {}{}\n---\n", "[".repeat(20_000), "]".repeat(20_000));
        let started = std::time::Instant::now();
        let err = parse_mapping("f", &split("f", &nested).unwrap()).unwrap_err();
        assert!(err.message.contains("nests"), "{err}");
        assert!(started.elapsed().as_secs() < 5);
        let huge = format!("---\nname: a\ndescription: {}\n---\n", "x".repeat(100_000));
        let err = parse_mapping("f", &split("f", &huge).unwrap()).unwrap_err();
        assert!(err.message.contains("the limit is 64 KiB"), "{err}");
    }

    #[test]
    fn finds_top_level_key_lines() {
        let split = split("f", "---\nname: a\nmetadata:\n  author: b\ndescription: c\n---\n").unwrap();
        let lines = key_lines(&split);
        assert_eq!(lines["name"], 2);
        assert_eq!(lines["description"], 5);
        assert!(!lines.contains_key("author"));
    }
}

