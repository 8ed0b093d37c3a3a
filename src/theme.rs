//! The bundled layouts and stylesheet. Templates are compiled into the
//! binary, so a site builds the same wherever `llmos` runs.

use minijinja::value::{Value, ValueKind};
use minijinja::{AutoEscape, Environment, Error, Output, State};
use serde::Serialize;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../theme/templates/base.html")),
    ("macros.html", include_str!("../theme/templates/macros.html")),
    ("home.html", include_str!("../theme/templates/home.html")),
    ("list.html", include_str!("../theme/templates/list.html")),
    ("terms.html", include_str!("../theme/templates/terms.html")),
    ("skill.html", include_str!("../theme/templates/skill.html")),
    ("doc.html", include_str!("../theme/templates/doc.html")),
    ("docs.html", include_str!("../theme/templates/docs.html")),
    ("404.html", include_str!("../theme/templates/404.html")),
    ("search.html", include_str!("../theme/templates/search.html")),
    ("my.html", include_str!("../theme/templates/my.html")),
    ("file.html", include_str!("../theme/templates/file.html")),
    ("sources.html", include_str!("../theme/templates/sources.html")),
];

pub const STYLESHEET: &str = include_str!("../theme/static/style.css");

pub struct Theme {
    env: Environment<'static>,
    /// Site-relative path of the stylesheet; the name carries a content
    /// hash, so browsers may cache it forever.
    pub stylesheet_path: String,
}

impl Theme {
    pub fn new() -> Theme {
        let mut env = Environment::new();
        env.add_filter("truncate", |text: &str, chars: usize| llmos_core::shorten(text, chars));
        env.add_filter("count", |n: usize, noun: &str| counted(n, noun));
        env.set_formatter(html_formatter);
        for (name, source) in TEMPLATES {
            env.add_template(name, source).expect("bundled templates are valid; a test renders each");
        }
        Theme { env, stylesheet_path: format!("assets/style.{:016x}.css", fnv1a(STYLESHEET.as_bytes())) }
    }

    pub fn render(&self, template: &str, context: impl Serialize) -> Result<String, minijinja::Error> {
        self.env.get_template(template)?.render(context)
    }
}

impl Default for Theme {
    fn default() -> Self {
        Self::new()
    }
}

/// HTML escaping that leaves `/` alone: minijinja's default writes it as
/// `&#x2f;`, which is valid but makes every URL in the page unreadable.
fn html_formatter(out: &mut Output, state: &State, value: &Value) -> Result<(), Error> {
    let plain = matches!(value.kind(), ValueKind::String | ValueKind::Number) && !value.is_safe();
    if !plain || state.auto_escape() == AutoEscape::None {
        return minijinja::escape_formatter(out, state, value);
    }
    let text = value.to_string();
    let mut last = 0;
    for (i, c) in text.char_indices() {
        let entity = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            _ => continue,
        };
        out.write_str(&text[last..i])?;
        out.write_str(entity)?;
        last = i + 1;
    }
    out.write_str(&text[last..])?;
    Ok(())
}

/// A stable 64-bit hash for cache-busting names (std's hasher may change between releases).
/// `1 skill`, `2 skills`, `1 category`, `7 categories`: a number and its
/// noun, in the plural when the number is not one.
pub fn counted(n: usize, noun: &str) -> String {
    if n == 1 {
        return format!("1 {noun}");
    }
    let plural = match noun.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'i', 'o', 'u']) => format!("{stem}ies"),
        _ if noun.ends_with('s') || noun.ends_with("sh") || noun.ends_with("ch") || noun.ends_with('x') => format!("{noun}es"),
        _ => format!("{noun}s"),
    };
    format!("{n} {plural}")
}

pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod count_tests {
    use super::counted;

    #[test]
    fn numbers_take_the_right_form_of_their_noun() {
        assert_eq!(counted(1, "tag"), "1 tag");
        assert_eq!(counted(0, "tag"), "0 tags");
        assert_eq!(counted(7, "category"), "7 categories");
        assert_eq!(counted(1, "category"), "1 category");
        assert_eq!(counted(2, "key"), "2 keys");
        assert_eq!(counted(3, "match"), "3 matches");
    }
}
