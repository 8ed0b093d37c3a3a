//! The bundled layouts and stylesheet. Templates are compiled into the
//! binary, so a site builds the same wherever `llmos` runs; a site may
//! replace any of them with its own (`theme_dir`).

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
    pub stylesheet: std::borrow::Cow<'static, str>,
    /// The site's own templates: (name, hash of the text, the names of the
    /// other templates its text mentions).
    own: Vec<(&'static str, u64, Vec<&'static str>)>,
}

impl Theme {
    pub fn new() -> Theme {
        Self::load(None, true).expect("bundled templates are valid; a test renders each")
    }

    /// The bundled theme, with the files of the site's theme directory
    /// `dir` (`theme_dir` in llmos.toml) in place of the bundled ones of the
    /// same name: `templates/<name>.html` and `static/style.css`, each
    /// optional. A template that does not parse is an error naming its file
    /// and line. Unless `versioned`, the stylesheet's name carries no hash
    /// (the dev server: an edit of it then changes no page).
    pub fn load(dir: Option<&std::path::Path>, versioned: bool) -> Result<Theme, llmos_core::Diagnostic> {
        use llmos_core::Diagnostic;
        let mut env = Environment::new();
        env.add_filter("truncate", |text: &str, chars: usize| llmos_core::shorten(text, chars));
        env.add_filter("count", |n: usize, noun: &str| counted(n, noun));
        env.set_formatter(html_formatter);
        if let Some(dir) = dir.filter(|d| !d.is_dir()) {
            return Err(Diagnostic::error(&dir.display().to_string(), 0, 0, "the theme directory does not exist").with_help("create it with templates/ and static/style.css to replace, or remove theme_dir from llmos.toml"));
        }
        let own = |rel: &str| dir.map(|d| d.join(rel)).filter(|p| p.is_file());
        let read = |path: &std::path::Path| std::fs::read_to_string(path).map_err(|e| Diagnostic::error(&path.display().to_string(), 0, 0, format!("cannot read the theme file: {e}")));
        let mut own_templates = Vec::new();
        for (name, source) in TEMPLATES {
            match own(&format!("templates/{name}")) {
                Some(path) => {
                    let text = read(&path)?;
                    let mentions = TEMPLATES.iter().map(|(other, _)| *other).filter(|other| other != name && text.contains(other)).collect();
                    own_templates.push((*name, fnv1a(text.as_bytes()), mentions));
                    env.add_template_owned(*name, text).map_err(|e| {
                        Diagnostic::error(&path.display().to_string(), e.line().unwrap_or(0), 0, format!("the template does not parse: {e}")).with_help("fix the template, or delete it to use the bundled one")
                    })?;
                }
                None => env.add_template(name, source).expect("bundled templates are valid; a test renders each"),
            }
        }
        let stylesheet: std::borrow::Cow<'static, str> = match own("static/style.css") {
            Some(path) => read(&path)?.into(),
            None => STYLESHEET.into(),
        };
        let stylesheet_path = if versioned { format!("assets/style.{:016x}.css", fnv1a(stylesheet.as_bytes())) } else { "assets/style.css".to_string() };
        Ok(Theme { env, stylesheet_path, stylesheet, own: own_templates })
    }

    /// A hash of the site's own templates that a page made with `template`
    /// depends on (0 with none): that template, the layout and macros every
    /// page uses, and any template the site's templates name. The dev
    /// server renders a page again when it changes.
    pub fn key_for(&self, template: &str) -> u64 {
        let mut used = vec![template, "base.html", "macros.html"];
        let mut key = 0u64;
        let mut i = 0;
        while let Some(name) = used.get(i).copied() {
            if let Some((_, hash, mentions)) = self.own.iter().find(|(own, _, _)| *own == name) {
                key ^= hash.rotate_left(i as u32 % 64);
                used.extend(mentions.iter().filter(|m| !used.contains(m)).collect::<Vec<_>>());
            }
            i += 1;
        }
        key
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
