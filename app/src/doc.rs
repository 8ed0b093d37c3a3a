//! Docs pages (`content/*.md`): optional frontmatter with title, description, order.

use crate::frontmatter;
use crate::{slugify, Diagnostic};
use serde_yaml_ng::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub slug: String,
    pub title: String,
    pub description: Option<String>,
    /// Position in the docs navigation; lower first, then by title.
    pub order: i64,
    pub body: String,
    pub body_line: usize,
    pub path: String,
}

const DOC_KEYS: &[&str] = &["title", "description", "order"];

/// `stem` is the file name without `.md`; it becomes the page's URL segment.
pub fn parse_doc(path: &str, stem: &str, bytes: &[u8]) -> Result<(Doc, Vec<Diagnostic>), Diagnostic> {
    let text = frontmatter::decode(path, bytes)?;
    let mut warnings = Vec::new();
    let (map, body, body_line) = if text.starts_with("---") {
        let split = frontmatter::split(path, &text)?;
        let map = frontmatter::parse_mapping(path, &split)?;
        let lines = frontmatter::key_lines(&split);
        for key in map.keys().filter_map(Value::as_str).filter(|k| !DOC_KEYS.contains(k)) {
            let line = lines.get(key).copied().unwrap_or(split.yaml_line);
            warnings.push(Diagnostic::warning(path, line, 1, format!("unknown key `{key}` in a docs page")).with_help("docs pages read `title`, `description` and `order`"));
        }
        (map, split.body, split.body_line)
    } else {
        (Default::default(), text, 1)
    };
    let text_of = |key: &str| map.get(key).and_then(Value::as_str).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let title = text_of("title").or_else(|| first_heading(&body)).unwrap_or_else(|| stem.to_string());
    let doc = Doc {
        slug: slugify(stem),
        title,
        description: text_of("description"),
        order: map.get("order").and_then(Value::as_i64).unwrap_or(1000),
        body,
        body_line,
        path: path.to_string(),
    };
    Ok((doc, warnings))
}

fn first_heading(body: &str) -> Option<String> {
    body.lines().find_map(|l| l.strip_prefix("# ")).map(|h| h.trim().to_string())
}

/// Docs in navigation order.
pub fn sort_docs(docs: &mut [Doc]) {
    docs.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.title.cmp(&b.title)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frontmatter_is_optional() {
        let (doc, warnings) = parse_doc("c/intro.md", "intro", b"# Hello there\n\ntext").unwrap();
        assert_eq!(doc.title, "Hello there");
        assert_eq!(doc.order, 1000);
        assert!(warnings.is_empty());
        let (doc, warnings) = parse_doc("c/a.md", "A b", b"---\ntitle: T\norder: 2\nlayout: x\n---\nbody").unwrap();
        assert_eq!((doc.title.as_str(), doc.order, doc.slug.as_str()), ("T", 2, "a-b"));
        assert_eq!(warnings[0].location(), "c/a.md:4:1");
    }
}
