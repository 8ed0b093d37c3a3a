//! A search box's text, split into free words and field filters:
//! `type:python`, `category:data`, `tag:csv` (tags are the skills'
//! keywords; `tags:`, `keyword:`, `keywords:` and `cat:` are accepted too).
//! A `key:` that is no filter stays part of the text, so "http://…" or
//! "re:match" are searched as words.

/// One field filter of a query; the value is as typed, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// The skill's `type` (python, javascript, qasm, workflow …).
    Type(String),
    /// The skill's `category`.
    Category(String),
    /// A keyword (tag) of the skill.
    Tag(String),
    /// The collection the skill comes from (`SearchDoc::source`), by name
    /// or by slug.
    Source(String),
}

/// A parsed query: the free text (filters removed) and the filters, all of
/// which a result must satisfy.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub text: String,
    pub filters: Vec<Filter>,
}

/// Splits `query` on whitespace into filters and free text. A filter being
/// typed (`type:` with no value yet) is left out of both.
pub fn parse(query: &str) -> Query {
    let mut parsed = Query::default();
    for chunk in query.split_whitespace() {
        let Some((key, value)) = chunk.split_once(':') else {
            push_text(&mut parsed.text, chunk);
            continue;
        };
        let value = value.trim_matches(|c: char| c == '"' || c == '\'').to_string();
        let filter = match key.to_lowercase().as_str() {
            "type" => Filter::Type(value),
            "category" | "cat" => Filter::Category(value),
            "tag" | "tags" | "keyword" | "keywords" => Filter::Tag(value),
            "source" | "from" => Filter::Source(value),
            _ => {
                push_text(&mut parsed.text, chunk);
                continue;
            }
        };
        let typed = match &filter {
            Filter::Type(v) | Filter::Category(v) | Filter::Tag(v) | Filter::Source(v) => !v.is_empty(),
        };
        if typed {
            parsed.filters.push(filter);
        }
    }
    // A trailing space ends the last word: keep it, so it is not taken as a prefix.
    if query.ends_with(char::is_whitespace) && !parsed.text.is_empty() {
        parsed.text.push(' ');
    }
    parsed
}

fn push_text(text: &mut String, chunk: &str) {
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(chunk);
}

/// `value` names `field` (a type or category): compared case-insensitively,
/// with spaces and underscores as hyphens, and the usual short names of the
/// executable types (`py`, `js`).
pub fn names(field: &str, value: &str) -> bool {
    let fold = |s: &str| s.trim().to_lowercase().replace([' ', '_'], "-");
    let value = match fold(value).as_str() {
        "py" => "python".to_string(),
        "js" => "javascript".to_string(),
        "quantum" if fold(field) == "qasm" => "qasm".to_string(),
        other => other.to_string(),
    };
    fold(field) == value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_and_words() {
        let q = parse("type:python  csv Category:Data tag:charts");
        assert_eq!(q.text, "csv");
        assert_eq!(q.filters, [Filter::Type("python".into()), Filter::Category("Data".into()), Filter::Tag("charts".into())]);
        assert_eq!(parse("re:match http://x").text, "re:match http://x");
        assert_eq!(parse("type: csv").filters, []);
        assert_eq!(parse("type: csv").text, "csv");
        assert_eq!(parse("plot ").text, "plot ");
        assert_eq!(parse("csv source:\"Team\" from:acme").filters, [Filter::Source("Team".into()), Filter::Source("acme".into())]);
    }

    #[test]
    fn names_fold_case_and_aliases() {
        assert!(names("Python", "python") && names("javascript", "JS") && names("data science", "data-science"));
        assert!(!names("python", "javascript"));
    }
}
