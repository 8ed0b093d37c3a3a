//! The `Skill` model and the SKILL.md parser with its validation rules.
//!
//! Rules come in two strengths. Errors make a file unusable (no frontmatter,
//! invalid YAML, no name or description). Warnings are the spec violations
//! that public collections commit every day (long descriptions, names that
//! differ from the folder, unknown keys): the skill is still published.

use crate::frontmatter::{self, Split};
use crate::limits::{MAX_KEYWORDS, MAX_SKILL_MD_BYTES, MAX_SLUG_BYTES, MAX_TERM_CHARS};
use crate::{slugify, Diagnostic};
use serde::{Deserialize, Serialize};
use serde_yaml_ng::{Mapping, Value};
use std::collections::{BTreeMap, HashMap};

pub const MAX_NAME_CHARS: usize = 64;
pub const MAX_DESCRIPTION_CHARS: usize = 1024;

/// The description `llmos new` writes, around the skill's title: a skill
/// still carrying it gets a warning, since models choose skills by it.
pub const TEMPLATE_DESCRIPTION: (&str, &str) = ("Describe what ", " does and when to use it, in one or two sentences.");
pub const MAX_COMPATIBILITY_CHARS: usize = 500;
pub const MAX_BODY_LINES: usize = 500;

/// Keys of the Agent Skills specification.
pub const SPEC_KEYS: &[&str] = &["name", "description", "license", "compatibility", "metadata", "allowed-tools"];
/// Keys LLMos adds at the top level (the spec's validator would call them
/// unknown; LLMos does not). `tags` is read as an alias of `keywords`.
/// `network` says whether the skill's scripts reach the network and
/// `safety` silences safety-review rules with a reason (see `crate::safety`).
pub const LLMOS_KEYS: &[&str] = &["category", "keywords", "tags", "type", "entry", "inputs", "outputs", "steps", "packages", "network", "safety"];
/// Value types an input may declare: `text` is a multi-line string, `enum`
/// one of the entry's `options`, `array`/`object` JSON, `file` the text of a
/// file (or, with `format: bytes`, its bytes as base64 in the JSON).
pub const INPUT_TYPES: &[&str] = &["string", "text", "number", "integer", "boolean", "enum", "array", "object", "file"];
/// Value types an output may declare, which decide how a run shows it:
/// `table` a list of records, `svg` an SVG document string, `png` base64 or a
/// `data:image/png;base64,` URL, `image` either, `html` shown as source,
/// `file` `{"name", "mime", "text" | "base64"}`.
pub const OUTPUT_TYPES: &[&str] = &[
    "string", "text", "markdown", "number", "integer", "boolean", "array", "object", "json", "table", "svg", "png", "image", "html", "file",
];
/// Every type an input or an output may declare (the union of the two lists).
pub const IO_TYPES: &[&str] = &[
    "string", "text", "markdown", "number", "integer", "boolean", "enum", "array", "object", "json", "table", "file", "svg", "png", "image", "html",
];
/// Formats of a `file` input: its text as a string, or its bytes.
pub const FILE_FORMATS: &[&str] = &["text", "bytes"];

/// One SKILL.md as handed to the parser: its bytes and where it sits.
#[derive(Debug, Clone)]
pub struct SkillSource<'a> {
    /// How diagnostics name the file, e.g. `skills/pdf/SKILL.md`.
    pub path: &'a str,
    /// The folder holding SKILL.md; the spec wants it equal to `name`.
    pub folder: &'a str,
    pub bytes: &'a [u8],
    /// Other files of the skill folder, relative to it with `/` separators.
    pub files: &'a [String],
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IoSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    #[serde(default)]
    pub required: bool,
    /// The choices of an `enum` input (YAML `options:`), in their order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// How a `file` input reaches the code: `text` (the default) or `bytes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

impl IoSpec {
    /// True for a `file` input whose bytes, not text, reach the code.
    pub fn is_bytes_file(&self) -> bool {
        self.kind == "file" && self.format.as_deref() == Some("bytes")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skill {
    pub name: String,
    /// The URL segment of the skill's page, derived from `name`.
    pub slug: String,
    pub description: String,
    pub license: Option<String>,
    pub compatibility: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub allowed_tools: Option<String>,
    pub category: Option<String>,
    pub keywords: Vec<String>,
    /// `python`, `javascript`, … for executable skills; `None` for instructions.
    pub kind: Option<String>,
    /// The code file of an executable skill, relative to its folder.
    pub entry: Option<String>,
    pub inputs: Vec<IoSpec>,
    pub outputs: Vec<IoSpec>,
    /// Markdown after the frontmatter, LF line endings.
    pub body: String,
    /// File line where the body starts, so rendering errors can point into it.
    pub body_line: usize,
    pub path: String,
    pub folder: String,
    pub files: Vec<String>,
    /// The steps of a `type: workflow` skill; `None` for every other skill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<crate::workflow::Workflow>,
    /// Python packages a `type: python` skill imports beyond the standard
    /// library (`packages: [numpy]`), as Pyodide's package loader names them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<String>,
    /// `network: true` says the skill's scripts reach the network (the
    /// safety review's `undeclared-network`); `false` promises they do not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<bool>,
    /// Safety-review rules the skill silences, each with its reason
    /// (`safety: {allow: [{rule, reason}]}`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub safety_allow: Vec<crate::safety::Allow>,
}

/// What the browser's workbench shows and acts on of a parsed skill. It
/// crosses from the skill kit (which parses) as JSON, so the workbench's
/// bundle carries no reader of the whole [`Skill`] (inputs, workflows, the
/// safety settings).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SkillOutline {
    pub name: String,
    pub slug: String,
    pub description: String,
    pub category: Option<String>,
    pub keywords: Vec<String>,
    pub kind: Option<String>,
    pub entry: Option<String>,
    pub body: String,
    /// Whether it has workflow steps (`type: workflow`).
    pub workflow: bool,
}

impl From<&Skill> for SkillOutline {
    fn from(skill: &Skill) -> SkillOutline {
        SkillOutline {
            name: skill.name.clone(),
            slug: skill.slug.clone(),
            description: skill.description.clone(),
            category: skill.category.clone(),
            keywords: skill.keywords.clone(),
            kind: skill.kind.clone(),
            entry: skill.entry.clone(),
            body: skill.body.clone(),
            workflow: skill.workflow.is_some(),
        }
    }
}

impl Skill {
    pub fn is_executable(&self) -> bool {
        self.kind.is_some()
    }

    pub fn word_count(&self) -> usize {
        self.body.split_whitespace().count()
    }
}

/// Parses and validates one SKILL.md. `Err` holds the one error that makes
/// the file unusable; `Ok` holds the skill and every warning about it.
pub fn parse_skill(source: &SkillSource) -> Result<(Skill, Vec<Diagnostic>), Diagnostic> {
    let file = source.path;
    if source.bytes.len() > MAX_SKILL_MD_BYTES {
        return Err(crate::limits::skill_md_too_large(file, source.bytes.len() as u64));
    }
    let text = frontmatter::decode(file, source.bytes)?;
    let split = frontmatter::split(file, &text)?;
    let map = frontmatter::parse_mapping(file, &split)?;
    let mut fields = Fields { file, split: &split, lines: frontmatter::key_lines(&split), map: &map, warnings: Vec::new() };

    let name = fields.required_text("name", "the skill's name, e.g. `name: my-skill` (lowercase letters, digits, hyphens)")?;
    let description = fields.required_text("description", "say what the skill does and when to use it, e.g. `description: Drafts … Use when …`")?;
    fields.check_name(&name, source.folder);
    if description.starts_with(TEMPLATE_DESCRIPTION.0) && description.ends_with(TEMPLATE_DESCRIPTION.1) {
        fields.warn("description", "the description is still the placeholder `llmos new` wrote".to_string(),
            "say what the skill does and when to use it: models choose skills by their description");
    }
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        fields.warn("description", format!("the description is {} characters; the spec allows {MAX_DESCRIPTION_CHARS}", description.chars().count()),
            "shorten it to what the skill does and when to use it; move details into the body");
    }
    let compatibility = fields.optional_text("compatibility");
    if compatibility.as_ref().is_some_and(|c| c.chars().count() > MAX_COMPATIBILITY_CHARS) {
        fields.warn("compatibility", format!("compatibility is over {MAX_COMPATIBILITY_CHARS} characters"), "keep it to the environment the skill needs");
    }
    let metadata = fields.metadata();
    let category = fields.optional_text("category").or_else(|| metadata.get("category").cloned()).filter(|c| !c.trim().is_empty());
    let mut keywords = fields.keywords("keywords");
    if keywords.is_empty() {
        keywords = fields.keywords("tags");
    }
    if keywords.is_empty() {
        keywords = metadata.get("keywords").map(|k| split_keywords(k)).unwrap_or_default();
    }
    let keywords = fields.bounded_terms(if fields.lines.contains_key("keywords") { "keywords" } else { "tags" }, keywords);
    let category = category.and_then(|c| fields.bounded_terms("category", vec![c]).pop());
    let kind = fields.optional_text("type").map(|t| t.trim().to_ascii_lowercase()).filter(|t| !t.is_empty());
    let inputs = fields.io_list("inputs");
    let outputs = fields.io_list("outputs");
    let workflow = (kind.as_deref() == Some(crate::workflow::WORKFLOW_KIND)).then(|| crate::workflow::parse_workflow(file, &split, &map));
    let entry = fields.optional_text("entry").or_else(|| default_entry(kind.as_deref()));
    if let (Some(kind), Some(entry)) = (&kind, &entry) {
        if !source.files.iter().any(|f| f == entry) {
            let at = if map.contains_key("entry") { "entry" } else { "type" };
            let fix = if kind == "qasm" { "add the file, or point `entry:` at the skill's OpenQASM circuit" } else { "add the file, or point `entry:` at the file that defines `execute(inputs)`" };
            fields.warn(at, format!("the {kind} skill's code file `{entry}` is not in the skill folder"), fix);
        }
    }
    let packages = fields.packages(kind.as_deref());
    let (network, safety_allow) = fields.safety();
    fields.check_unknown_keys();
    let body_lines = split.body.lines().count();
    if body_lines > MAX_BODY_LINES {
        fields.warnings.push(Diagnostic::warning(file, split.body_line + MAX_BODY_LINES, 1,
            format!("the body is {body_lines} lines; the spec recommends at most {MAX_BODY_LINES}"))
            .with_help("move reference material into `references/` files and link to them"));
    }
    let slug = fields.bounded_slug(&name);
    let skill = Skill {
        slug,
        name,
        description,
        license: fields.optional_text("license"),
        compatibility,
        metadata,
        allowed_tools: fields.text_or_list("allowed-tools"),
        category,
        keywords,
        kind,
        entry,
        inputs,
        outputs,
        body: split.body.clone(),
        body_line: split.body_line,
        path: file.to_string(),
        folder: source.folder.to_string(),
        files: source.files.to_vec(),
        workflow,
        packages,
        network,
        safety_allow,
    };
    Ok((skill, fields.warnings))
}

fn default_entry(kind: Option<&str>) -> Option<String> {
    match kind? {
        "python" => Some("scripts/main.py".into()),
        "javascript" => Some("scripts/main.js".into()),
        "qasm" => Some("scripts/circuit.qasm".into()),
        _ => None,
    }
}

fn split_keywords(text: &str) -> Vec<String> {
    text.split(',').map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect()
}

/// Reads typed fields out of the frontmatter mapping, collecting warnings
/// that point at the line of each key.
struct Fields<'a> {
    file: &'a str,
    split: &'a Split,
    lines: HashMap<String, usize>,
    map: &'a Mapping,
    warnings: Vec<Diagnostic>,
}

impl<'a> Fields<'a> {
    fn line_of(&self, key: &str) -> usize {
        self.lines.get(key).copied().unwrap_or(self.split.yaml_line)
    }

    fn warn(&mut self, key: &str, message: String, help: &str) {
        let line = self.line_of(key);
        self.warnings.push(Diagnostic::warning(self.file, line, 1, message).with_help(help));
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        let map: &'a Mapping = self.map;
        map.get(key).filter(|v| !v.is_null())
    }

    fn required_text(&self, key: &str, help: &str) -> Result<String, Diagnostic> {
        match self.get(key) {
            Some(value) => match scalar_text(value) {
                Some(text) if !text.trim().is_empty() => Ok(text.trim().to_string()),
                Some(_) => Err(Diagnostic::error(self.file, self.line_of(key), 1, format!("`{key}` is empty")).with_help(help)),
                None => Err(Diagnostic::error(self.file, self.line_of(key), 1, format!("`{key}` must be text, not a list or a map")).with_help(help)),
            },
            None => Err(match self.misspelt(key) {
                // `descriptio:` — point at the line with the slip, not at the frontmatter's start.
                Some(typo) => Diagnostic::error(self.file, self.line_of(&typo), 1, format!("the frontmatter has no `{key}`; this line has `{typo}`"))
                    .with_help(format!("rename `{typo}` to `{key}`")),
                None => Diagnostic::error(self.file, self.split.yaml_line, 1, format!("the frontmatter has no `{key}`")).with_help(help),
            }),
        }
    }

    /// A key of the frontmatter one typo away from `key` (`descriptio`,
    /// `desciption`, `Name`), when `key` itself is missing.
    fn misspelt(&self, key: &str) -> Option<String> {
        let wanted: Vec<char> = key.chars().collect();
        self.map.keys().filter_map(|k| k.as_str()).find(|k| *k != key && crate::search::fuzzy::within_one_edit(&k.to_ascii_lowercase().chars().collect::<Vec<_>>(), &wanted)).map(str::to_string)
    }

    fn optional_text(&mut self, key: &str) -> Option<String> {
        let value = self.get(key)?;
        match scalar_text(value) {
            Some(text) => Some(text.trim().to_string()),
            None => {
                self.warn(key, format!("`{key}` should be text; it was ignored"), "write it as a single value, e.g. `key: value`");
                None
            }
        }
    }

    fn text_or_list(&mut self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::Sequence(items) => Some(items.iter().filter_map(scalar_text).collect::<Vec<_>>().join(" ")),
            _ => self.optional_text(key),
        }
    }

    fn keywords(&mut self, key: &str) -> Vec<String> {
        match self.get(key) {
            None => Vec::new(),
            Some(Value::Sequence(items)) => items.iter().filter_map(scalar_text).map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect(),
            Some(value) => match scalar_text(value) {
                Some(text) => split_keywords(&text),
                None => {
                    self.warn(key, format!("`{key}` should be a list; it was ignored"), "write `keywords: [csv, statistics]`");
                    Vec::new()
                }
            },
        }
    }

    fn metadata(&mut self) -> BTreeMap<String, String> {
        match self.get("metadata") {
            None => BTreeMap::new(),
            Some(Value::Mapping(map)) => map
                .iter()
                .filter_map(|(k, v)| Some((scalar_text(k)?, scalar_text(v).unwrap_or_else(|| compact_yaml(v)))))
                .collect(),
            Some(_) => {
                self.warn("metadata", "`metadata` should be a map of keys to values; it was ignored".into(), "write it as `metadata:` followed by indented `key: value` lines");
                BTreeMap::new()
            }
        }
    }

    fn io_list(&mut self, key: &str) -> Vec<IoSpec> {
        let Some(value) = self.get(key) else { return Vec::new() };
        let Value::Sequence(items) = value else {
            self.warn(key, format!("`{key}` should be a list of `- name: …` entries; it was ignored"), "see the skill format reference for inputs and outputs");
            return Vec::new();
        };
        let mut specs = Vec::new();
        for (position, item) in items.iter().enumerate() {
            let Some(spec) = io_spec(item) else {
                self.warn(key, format!("entry {} of `{key}` has no `name`; it was ignored", position + 1), "give every entry `name:` and `type:`");
                continue;
            };
            let types = if key == "inputs" { INPUT_TYPES } else { OUTPUT_TYPES };
            if !types.contains(&spec.kind.as_str()) {
                self.warn(key, format!("`{}` in `{key}` has type `{}`", spec.name, spec.kind), &format!("use one of: {}", types.join(", ")));
            }
            self.check_choices(key, &spec);
            specs.push(spec);
        }
        specs
    }

    /// `enum` needs `options` that hold its default; a `file` is text or bytes.
    fn check_choices(&mut self, key: &str, spec: &IoSpec) {
        if key != "inputs" {
            return;
        }
        let name = &spec.name;
        if spec.kind == "enum" && spec.options.is_empty() {
            self.warn(key, format!("the enum `{name}` in `{key}` has no `options`"), "list the choices, e.g. `options: [line, bar]`");
        }
        if !spec.options.is_empty() {
            if let Some(default) = &spec.default {
                let text = default.as_str().map(str::to_string).unwrap_or_else(|| default.to_string());
                if !spec.options.contains(&text) {
                    self.warn(key, format!("the default `{text}` of `{name}` in `{key}` is not one of its options ({})", spec.options.join(", ")),
                        "make the default one of the options, or add it to them");
                }
            }
        }
        if let Some(format) = &spec.format {
            if spec.kind != "file" {
                self.warn(key, format!("`{name}` in `{key}` has a `format` but is not a file"), "`format:` (text or bytes) applies to `type: file`; remove it");
            } else if !FILE_FORMATS.contains(&format.as_str()) {
                self.warn(key, format!("the file `{name}` in `{key}` has format `{format}`"), "use `format: text` (the file's text as a string) or `format: bytes`");
            }
        }
    }

    fn check_name(&mut self, name: &str, folder: &str) {
        // The spec's rule, as its reference validator reads it: lowercase or
        // caseless letters of any script, digits and hyphens.
        let valid_chars = name.chars().all(|c| (c.is_alphanumeric() && !c.is_uppercase()) || c == '-');
        let valid_hyphens = !name.starts_with('-') && !name.ends_with('-') && !name.contains("--");
        if !valid_chars || !valid_hyphens {
            self.warn("name", format!("the name `{name}` breaks the naming rule; its page will be `{}`", slugify(name)),
                "use lowercase letters, digits and single hyphens, e.g. `my-skill`");
        }
        if name.chars().count() > MAX_NAME_CHARS {
            self.warn("name", format!("the name is {} characters; the spec allows {MAX_NAME_CHARS}", name.chars().count()), "shorten the name");
        }
        if name != folder {
            self.warn("name", format!("the name `{name}` differs from its folder `{folder}`"), "rename the folder or the name so they match; the page URL follows the name");
        }
    }

    /// Keeps at most `MAX_KEYWORDS` terms of at most `MAX_TERM_CHARS`
    /// characters each: every term becomes a page, so their number and
    /// length are bounded, with a warning for what was dropped.
    fn bounded_terms(&mut self, key: &str, terms: Vec<String>) -> Vec<String> {
        let (fitting, long): (Vec<String>, Vec<String>) = terms.into_iter().partition(|t| t.chars().count() <= MAX_TERM_CHARS);
        if let Some(first) = long.first() {
            self.warn(key, format!("{} keyword or category of over {MAX_TERM_CHARS} characters was ignored (`{}…`)", long.len(), first.chars().take(20).collect::<String>()),
                "keywords are short labels such as `csv` or `data analysis`");
        }
        let total = fitting.len();
        if total > MAX_KEYWORDS {
            self.warn(key, format!("the skill has {total} keywords; only the first {MAX_KEYWORDS} are kept"), "keep the keywords a reader would search for");
        }
        fitting.into_iter().take(MAX_KEYWORDS).collect()
    }

    /// The name's slug, cut at a hyphen to `MAX_SLUG_BYTES` with a warning,
    /// so every name makes a page name that file systems accept.
    fn bounded_slug(&mut self, name: &str) -> String {
        let slug = slugify(name);
        if slug.len() <= MAX_SLUG_BYTES {
            return slug;
        }
        let mut cut = MAX_SLUG_BYTES;
        while !slug.is_char_boundary(cut) {
            cut -= 1;
        }
        let short = slug[..cut].rsplit_once('-').map_or(&slug[..cut], |(head, _)| head).to_string();
        self.warn("name", format!("the name makes a {}-byte page address; it is cut to `{short}`", slug.len()), "shorten the name (the spec allows 64 characters)");
        short
    }

    /// `packages:` as package names, with a warning for what is not one
    /// and for packages on a skill that is not Python.
    fn packages(&mut self, kind: Option<&str>) -> Vec<String> {
        let listed = self.keywords("packages");
        if listed.is_empty() {
            return listed;
        }
        if kind != Some("python") {
            self.warn("packages", "`packages` applies to Python skills only; it was ignored".into(), "remove it, or make the skill `type: python`");
            return Vec::new();
        }
        let (good, bad): (Vec<String>, Vec<String>) = listed.into_iter().partition(|p| p.len() <= MAX_TERM_CHARS && p.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')));
        if let Some(first) = bad.first() {
            self.warn("packages", format!("`{first}` is not a package name; it was ignored"), "list names as Pyodide's package loader knows them, e.g. `packages: [numpy, pandas]`");
        }
        good
    }

    /// `network:` (true or false) and the allows of `safety:`, with a
    /// warning for each entry that silences nothing.
    fn safety(&mut self) -> (Option<bool>, Vec<crate::safety::Allow>) {
        let network = match self.get("network") {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.warn("network", "`network` should be true or false; it was ignored".into(), "write `network: true` when the skill's scripts reach the network, `network: false` to promise they do not");
                None
            }
        };
        let (allows, problems) = crate::safety::parse_allow(self.get("safety"));
        for (message, help) in problems {
            self.warn("safety", message, &help);
        }
        (network, allows)
    }

    fn check_unknown_keys(&mut self) {
        let unknown: Vec<String> = self.map.keys()
            .filter_map(scalar_text)
            .filter(|k| !SPEC_KEYS.contains(&k.as_str()) && !LLMOS_KEYS.contains(&k.as_str()))
            .collect();
        for key in unknown {
            self.warn(&key, format!("unknown key `{key}`"), "move it under `metadata:` or remove it; see the skill format reference for the keys LLMos reads");
        }
    }
}

fn io_spec(item: &Value) -> Option<IoSpec> {
    let map = item.as_mapping()?;
    let text = |key: &str| map.get(key).and_then(scalar_text);
    Some(IoSpec {
        name: text("name")?,
        kind: text("type").unwrap_or_else(|| "string".into()).to_ascii_lowercase(),
        description: text("description"),
        default: map.get("default").and_then(|v| serde_json::to_value(v).ok()),
        required: map.get("required").and_then(Value::as_bool).unwrap_or(false),
        options: match map.get("options") {
            Some(Value::Sequence(items)) => items.iter().filter_map(scalar_text).collect(),
            Some(value) => scalar_text(value).map(|t| split_keywords(&t)).unwrap_or_default(),
            None => Vec::new(),
        },
        format: text("format").map(|f| f.trim().to_ascii_lowercase()),
    })
}

/// Text of a scalar; numbers and booleans count, since `name: 2048` is common.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn compact_yaml(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod packages_tests {
    use super::*;

    fn parse(text: &str) -> (Skill, Vec<Diagnostic>) {
        let files = vec!["scripts/main.py".to_string()];
        parse_skill(&SkillSource { path: "s/SKILL.md", folder: "s", bytes: text.as_bytes(), files: &files }).unwrap()
    }

    #[test]
    fn a_misspelt_required_key_is_named_at_its_line() {
        let files = vec![];
        let source = |text: &'static str| SkillSource { path: "s/SKILL.md", folder: "s", bytes: text.as_bytes(), files: &files };
        let error = parse_skill(&source("---\nname: s\ndescriptio: Reads CSV files.\n---\n")).unwrap_err();
        assert_eq!((error.line, error.message.as_str()), (3, "the frontmatter has no `description`; this line has `descriptio`"));
        assert_eq!(error.help.as_deref(), Some("rename `descriptio` to `description`"));
        let error = parse_skill(&source("---\nNmae: s\ndescription: d\n---\n")).unwrap_err();
        assert_eq!((error.line, error.help.as_deref()), (2, Some("rename `Nmae` to `name`")));
        // Nothing near: the plain message, at the frontmatter's start.
        let error = parse_skill(&source("---\nname: s\nsummary: d\n---\n")).unwrap_err();
        assert_eq!((error.line, error.message.as_str()), (2, "the frontmatter has no `description`"));
    }

    #[test]
    fn python_skills_declare_packages_by_name() {
        let (skill, warnings) = parse("---\nname: s\ndescription: d\ntype: python\npackages: [numpy, scikit-learn, \"rm -rf\"]\n---\n");
        assert_eq!(skill.packages, ["numpy", "scikit-learn"]);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].message.contains("`rm -rf` is not a package name"), "{}", warnings[0].message);
        assert_eq!(warnings[0].line, 5);
        let (skill, warnings) = parse("---\nname: s\ndescription: d\ntype: javascript\npackages: [numpy]\n---\n");
        assert!(skill.packages.is_empty());
        assert!(warnings.iter().any(|w| w.message.contains("Python skills only")), "{warnings:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(folder: &str, text: &str) -> Result<(Skill, Vec<Diagnostic>), Diagnostic> {
        parse_with_files(folder, text, &[])
    }

    fn parse_with_files(folder: &str, text: &str, files: &[String]) -> Result<(Skill, Vec<Diagnostic>), Diagnostic> {
        let path = format!("skills/{folder}/SKILL.md");
        parse_skill(&SkillSource { path: &path, folder, bytes: text.as_bytes(), files })
    }

    fn messages(warnings: &[Diagnostic]) -> Vec<String> {
        warnings.iter().map(|w| format!("{}: {}", w.location(), w.message)).collect()
    }

    #[test]
    fn parses_a_clean_skill_without_warnings() {
        let (skill, warnings) = parse("csv", "---\nname: csv\ndescription: Reads CSV.\nlicense: MIT\ncategory: data\nkeywords: [csv, tables]\n---\n# CSV\n\nBody.\n").unwrap();
        assert!(warnings.is_empty(), "{:?}", messages(&warnings));
        assert_eq!(skill.name, "csv");
        assert_eq!(skill.category.as_deref(), Some("data"));
        assert_eq!(skill.keywords, ["csv", "tables"]);
        assert_eq!(skill.body, "# CSV\n\nBody.\n");
        assert_eq!(skill.body_line, 8);
        assert!(!skill.is_executable());
    }

    #[test]
    fn public_collection_quirks_are_warnings_at_their_lines() {
        let long = "x".repeat(1100);
        let text = format!("---\nname: PDF_Tools\ndescription: {long}\nversion: 1.0\nauthor: someone\n---\nbody\n");
        let (skill, warnings) = parse("pdf", &text).unwrap();
        assert_eq!(skill.slug, "pdf-tools");
        let found = messages(&warnings);
        let expect = [
            "skills/pdf/SKILL.md:2:1: the name `PDF_Tools` breaks the naming rule",
            "skills/pdf/SKILL.md:2:1: the name `PDF_Tools` differs from its folder `pdf`",
            "skills/pdf/SKILL.md:3:1: the description is 1100 characters",
            "skills/pdf/SKILL.md:4:1: unknown key `version`",
            "skills/pdf/SKILL.md:5:1: unknown key `author`",
        ];
        for e in expect {
            assert!(found.iter().any(|f| f.starts_with(e)), "missing {e:?} in {found:#?}");
        }
        assert_eq!(found.len(), expect.len(), "{found:#?}");
    }

    #[test]
    fn long_bodies_warn() {
        let body = "line\n".repeat(MAX_BODY_LINES + 1);
        let (_, warnings) = parse("a", &format!("---\nname: a\ndescription: d\n---\n{body}")).unwrap();
        assert_eq!(messages(&warnings), ["skills/a/SKILL.md:505:1: the body is 501 lines; the spec recommends at most 500".to_string()]);
    }

    #[test]
    fn missing_required_fields_are_errors() {
        let err = parse("a", "---\nname: a\n---\n").unwrap_err();
        assert!(err.message.contains("no `description`"), "{err}");
        let err = parse("a", "---\nname: \"\"\ndescription: d\n---\n").unwrap_err();
        assert_eq!(err.location(), "skills/a/SKILL.md:2:1");
        let err = parse("a", "---\nname: [a, b]\ndescription: d\n---\n").unwrap_err();
        assert!(err.message.contains("must be text"), "{err}");
        let err = parse("a", "---\n- a\n- b\n---\n").unwrap_err();
        assert!(err.message.contains("key: value"), "{err}");
    }

    #[test]
    fn llmos_fields_and_metadata_fallbacks() {
        let text = "---\nname: rc\ndescription: d\nmetadata:\n  category: electronics\n  keywords: rc, filter\n  author: me\ntype: Python\ninputs:\n  - name: r\n    type: number\n    default: 1000\n    required: true\noutputs:\n  - name: cutoff\n    type: number\n---\n";
        let files = vec!["scripts/main.py".to_string()];
        let (skill, warnings) = parse_with_files("rc", text, &files).unwrap();
        assert!(warnings.is_empty(), "{:?}", messages(&warnings));
        assert_eq!(skill.category.as_deref(), Some("electronics"));
        assert_eq!(skill.keywords, ["rc", "filter"]);
        assert_eq!(skill.kind.as_deref(), Some("python"));
        assert_eq!(skill.entry.as_deref(), Some("scripts/main.py"));
        assert_eq!(skill.inputs[0].default, Some(serde_json::json!(1000)));
        assert!(skill.inputs[0].required);
        assert_eq!(skill.metadata["author"], "me");
    }

    #[test]
    fn executable_skill_without_its_code_warns() {
        let (_, warnings) = parse("js", "---\nname: js\ndescription: d\ntype: javascript\n---\n").unwrap();
        assert_eq!(messages(&warnings), ["skills/js/SKILL.md:4:1: the javascript skill's code file `scripts/main.js` is not in the skill folder"]);
    }

    #[test]
    fn wrong_types_of_optional_fields_are_ignored_with_a_warning() {
        let (skill, warnings) = parse("a", "---\nname: a\ndescription: d\ncategory: [x]\nkeywords: {a: b}\ninputs: 3\n---\n").unwrap();
        assert_eq!(skill.category, None);
        assert!(skill.keywords.is_empty());
        assert_eq!(warnings.len(), 3, "{:?}", messages(&warnings));
    }

    #[test]
    fn unbounded_inputs_are_cut_with_warnings_or_refused() {
        let many: Vec<String> = (0..5_000).map(|i| format!("k{i}")).collect();
        let (skill, warnings) = parse("a", &format!("---\nname: a\ndescription: d\nkeywords: [{}]\n---\n", many.join(", "))).unwrap();
        assert_eq!(skill.keywords.len(), MAX_KEYWORDS);
        assert!(messages(&warnings)[0].contains("5000 keywords; only the first 32"), "{:?}", messages(&warnings));
        let name = "word-".repeat(60);
        let (skill, warnings) = parse("a", &format!("---\nname: {name}\ndescription: d\n---\n")).unwrap();
        assert!(skill.slug.len() <= MAX_SLUG_BYTES && !skill.slug.ends_with('-'), "{}", skill.slug);
        assert!(messages(&warnings).iter().any(|w| w.contains("page address")), "{:?}", messages(&warnings));
        let huge = format!("---\nname: a\ndescription: d\n---\n{}", "x".repeat(MAX_SKILL_MD_BYTES));
        let err = parse("a", &huge).unwrap_err();
        assert!(err.message.contains("at most 1 MiB"), "{err}");
    }

    #[test]
    fn enum_options_and_file_formats_parse_with_warnings() {
        let text = "---\nname: a\ndescription: d\ninputs:\n  - name: kind\n    type: enum\n    options: [line, bar]\n    default: line\n  - name: data\n    type: file\n    format: Bytes\n  - name: notes\n    type: text\noutputs:\n  - name: chart\n    type: svg\n  - name: rows\n    type: table\n---\n";
        let (skill, warnings) = parse("a", text).unwrap();
        assert!(warnings.is_empty(), "{:?}", messages(&warnings));
        assert_eq!(skill.inputs[0].options, ["line", "bar"]);
        assert_eq!(skill.inputs[1].format.as_deref(), Some("bytes"));
        assert!(skill.inputs[1].is_bytes_file() && !skill.inputs[0].is_bytes_file());
        let json = serde_json::to_value(&skill.inputs).unwrap();
        assert_eq!(json[0]["options"], serde_json::json!(["line", "bar"]));
        assert!(json[2].get("options").is_none() && json[2].get("format").is_none(), "{json}");

        let text = "---\nname: a\ndescription: d\ninputs:\n  - name: kind\n    type: enum\n  - name: shape\n    type: enum\n    options: [square, round]\n    default: oval\n  - name: data\n    type: file\n    format: utf16\n  - name: n\n    type: number\n    format: text\n  - name: picture\n    type: svg\noutputs:\n  - name: x\n    type: enum\n---\n";
        let (_, warnings) = parse("a", text).unwrap();
        assert_eq!(messages(&warnings), [
            "skills/a/SKILL.md:4:1: the enum `kind` in `inputs` has no `options`",
            "skills/a/SKILL.md:4:1: the default `oval` of `shape` in `inputs` is not one of its options (square, round)",
            "skills/a/SKILL.md:4:1: the file `data` in `inputs` has format `utf16`",
            "skills/a/SKILL.md:4:1: `n` in `inputs` has a `format` but is not a file",
            "skills/a/SKILL.md:4:1: `picture` in `inputs` has type `svg`",
            "skills/a/SKILL.md:19:1: `x` in `outputs` has type `enum`",
        ]);
    }

    #[test]
    fn keywords_from_a_comma_string_or_tags() {
        let (skill, _) = parse("a", "---\nname: a\ndescription: d\ntags: one, two\n---\n").unwrap();
        assert_eq!(skill.keywords, ["one", "two"]);
    }
}
