//! The user's own skills: the record kept in the browser, and the rules
//! for making one (the editor's form), importing many (files, folders,
//! zips) and exporting them (a zip `llmos build --skills` reads as is).
//!
//! Everything here is plain Rust over bytes, so it is unit-tested natively;
//! the IndexedDB store and the islands only move these records around.
//! Validation is the core's `parse_skill`, the same rules as `llmos check`.

use llmos_core::layout::skill_folders;
use llmos_core::{parse_skill, Diagnostic, Skill, SkillSource};
use std::collections::BTreeMap;

pub const SKILL_MD: &str = "SKILL.md";

/// One file of a user skill, its path relative to the skill folder.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillFile {
    pub path: String,
    pub data: Vec<u8>,
}

/// A skill as stored in the browser: the files of its folder, byte for
/// byte, so an export gives back exactly what was imported.
#[derive(Debug, Clone, PartialEq)]
pub struct UserSkill {
    /// The store key and the exported folder name: the skill's slug.
    pub name: String,
    /// SKILL.md first, then the other files by path.
    pub files: Vec<SkillFile>,
    /// Milliseconds since the epoch.
    pub created: f64,
    pub updated: f64,
    /// What search and lists need, parsed when the skill is written, so
    /// pages that only list or search skills need no YAML parser (it is a
    /// large part of the editor's bundle). `None` in records written before
    /// it existed, or when the SKILL.md does not parse.
    pub fields: Option<SkillFields>,
}

/// The parsed fields of a user skill that search and lists show.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SkillFields {
    pub name: String,
    pub description: String,
    pub category: Option<String>,
    pub kind: Option<String>,
    pub keywords: Vec<String>,
    pub body: String,
}

impl SkillFields {
    pub fn of(skill: &Skill) -> SkillFields {
        SkillFields {
            name: skill.name.clone(),
            description: skill.description.clone(),
            category: skill.category.clone(),
            kind: skill.kind.clone(),
            keywords: skill.keywords.clone(),
            body: skill.body.clone(),
        }
    }

    pub fn search_input<'a>(&'a self, slug: &'a str) -> llmos_core::SearchInput<'a> {
        llmos_core::SearchInput {
            name: &self.name,
            slug,
            description: &self.description,
            keywords: &self.keywords,
            body: &self.body,
            category: self.category.as_deref(),
            kind: self.kind.as_deref(),
        }
    }
}

impl UserSkill {
    pub fn new(name: String, mut files: Vec<SkillFile>, now: f64) -> UserSkill {
        files.sort_by(|a, b| (a.path != SKILL_MD, &a.path).cmp(&(b.path != SKILL_MD, &b.path)));
        let mut skill = UserSkill { name, files, created: now, updated: now, fields: None };
        skill.fields = skill.parse().ok().map(|(parsed, _)| SkillFields::of(&parsed));
        skill
    }

    pub fn skill_md(&self) -> &[u8] {
        self.files.iter().find(|f| f.path == SKILL_MD).map_or(&[], |f| &f.data)
    }

    /// The SKILL.md as text, for the editor (invalid UTF-8 shows replaced).
    pub fn skill_md_text(&self) -> String {
        String::from_utf8_lossy(self.skill_md()).into_owned()
    }

    pub fn other_files(&self) -> Vec<String> {
        self.files.iter().filter(|f| f.path != SKILL_MD).map(|f| f.path.clone()).collect()
    }

    /// Parses with the core's rules; diagnostics name `<name>/SKILL.md`.
    pub fn parse(&self) -> Result<(Skill, Vec<Diagnostic>), Diagnostic> {
        parse_named(&self.name, self.skill_md(), &self.other_files())
    }

    pub fn size(&self) -> usize {
        self.files.iter().map(|f| f.data.len()).sum()
    }
}

fn parse_named(folder: &str, bytes: &[u8], files: &[String]) -> Result<(Skill, Vec<Diagnostic>), Diagnostic> {
    let path = format!("{folder}/{SKILL_MD}");
    parse_skill(&SkillSource { path: &path, folder, bytes, files })
}

/// Checks a SKILL.md being edited. The folder is the name the skill will
/// be saved under, so the name rules apply as they will on export.
pub fn check(text: &str, files: &[String]) -> Result<(Skill, Vec<Diagnostic>), Diagnostic> {
    let unnamed = parse_skill(&SkillSource { path: SKILL_MD, folder: "", bytes: text.as_bytes(), files })?;
    parse_named(&unnamed.0.slug, text.as_bytes(), files)
}

/// The editor's form: the fields most skills use. Skills with other
/// frontmatter keys are edited as raw SKILL.md, so nothing is dropped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SkillForm {
    pub name: String,
    pub description: String,
    pub category: String,
    /// Comma-separated.
    pub keywords: String,
    /// "" for instructions, or `python` / `javascript`.
    pub kind: String,
    pub body: String,
}

const FORM_KEYS: &[&str] = &["name", "description", "category", "keywords", "tags", "type"];

impl SkillForm {
    /// The form for `text`, or `None` when the file has keys the form does
    /// not show (they would be lost) or does not parse.
    pub fn from_skill_md(text: &str) -> Option<SkillForm> {
        let (skill, _) = check(text, &[]).ok()?;
        let split = llmos_core::frontmatter::split("SKILL.md", text).ok()?;
        let map = llmos_core::frontmatter::parse_mapping("SKILL.md", &split).ok()?;
        if map.keys().any(|k| !k.as_str().is_some_and(|k| FORM_KEYS.contains(&k))) {
            return None;
        }
        Some(SkillForm {
            name: skill.name,
            description: skill.description,
            category: skill.category.unwrap_or_default(),
            keywords: skill.keywords.join(", "),
            kind: skill.kind.unwrap_or_default(),
            body: skill.body.trim_start_matches('\n').to_string(),
        })
    }

    pub fn to_skill_md(&self) -> String {
        let mut out = String::from("---\n");
        out.push_str(&format!("name: {}\n", yaml_scalar(self.name.trim())));
        out.push_str(&format!("description: {}\n", yaml_scalar(self.description.trim())));
        if !self.category.trim().is_empty() {
            out.push_str(&format!("category: {}\n", yaml_scalar(self.category.trim())));
        }
        let keywords: Vec<String> = self.keywords.split(',').map(str::trim).filter(|k| !k.is_empty()).map(yaml_scalar).collect();
        if !keywords.is_empty() {
            out.push_str(&format!("keywords: [{}]\n", keywords.join(", ")));
        }
        if !self.kind.trim().is_empty() {
            out.push_str(&format!("type: {}\n", yaml_scalar(self.kind.trim())));
        }
        out.push_str("---\n\n");
        out.push_str(self.body.trim_start_matches('\n'));
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out
    }
}

/// A YAML scalar for `value`: plain when that reads back unchanged, else
/// double-quoted (a JSON string is a valid YAML double-quoted scalar).
fn yaml_scalar(value: &str) -> String {
    let plain = !value.is_empty()
        && value.chars().all(|c| c.is_alphanumeric() || " -_.()/'".contains(c))
        && !value.starts_with(['-', ' ', '\'', '.'])
        && !value.ends_with(' ')
        && !matches!(value.to_ascii_lowercase().as_str(), "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~")
        && value.parse::<f64>().is_err();
    if plain {
        value.to_string()
    } else {
        serde_json::to_string(value).expect("strings serialise")
    }
}

/// A new SKILL.md to start from.
pub fn template(name: &str) -> String {
    SkillForm {
        name: name.to_string(),
        description: "Say what the skill does and when to use it.".into(),
        body: format!("# {name}\n\nSteps, examples and guidance for the model go here.\n"),
        ..SkillForm::default()
    }
    .to_skill_md()
}

/// `name` if free, else `name-2`, `name-3`… (for duplicates).
pub fn free_name(name: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(name) {
        return name.to_string();
    }
    (2..).map(|n| format!("{name}-{n}")).find(|candidate| !taken(candidate)).expect("some number is free")
}

/// A copy of `skill` under a new name: the SKILL.md's `name:` line is
/// rewritten, every other byte kept.
pub fn duplicate(skill: &UserSkill, new_name: &str, now: f64) -> UserSkill {
    let text = skill.skill_md_text();
    let mut done = false;
    let renamed: String = text
        .split_inclusive('\n')
        .map(|line| {
            if !done && line.trim_start().starts_with("name:") && !line.starts_with([' ', '\t']) {
                done = true;
                let ending = if line.ends_with("\r\n") { "\r\n" } else if line.ends_with('\n') { "\n" } else { "" };
                format!("name: {new_name}{ending}")
            } else {
                line.to_string()
            }
        })
        .collect();
    let mut files = skill.files.clone();
    for file in &mut files {
        if file.path == SKILL_MD {
            file.data = renamed.clone().into_bytes();
        }
    }
    UserSkill::new(new_name.to_string(), files, now)
}

/// What an import found: the skills to write, and notes for the user.
#[derive(Debug, Default)]
pub struct Import {
    pub skills: Vec<UserSkill>,
    /// Warnings from validation, and files left out (with the reason).
    pub notes: Vec<String>,
}

/// Turns imported files into skills, all or nothing: any bad file makes the
/// whole import fail, with one diagnostic per bad file, so nothing partial is
/// written. `files` are (path, bytes) with `/` separators: a folder's files
/// relative to the chosen folder, a zip's entries, or one dropped SKILL.md.
pub fn import(files: Vec<(String, Vec<u8>)>, now: f64) -> Result<Import, Vec<Diagnostic>> {
    // One loose Markdown file is a SKILL.md whatever it is called.
    let files = match &files[..] {
        [(path, bytes)] if path.to_ascii_lowercase().ends_with(".md") && !path.contains('/') => vec![(SKILL_MD.to_string(), bytes.clone())],
        _ => files,
    };
    let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    let folders = skill_folders(&paths);
    if folders.is_empty() {
        return Err(vec![Diagnostic::error("import", 0, 0, "no SKILL.md found")
            .with_help("choose a SKILL.md, a skill folder, or a .zip of skill folders (each with a SKILL.md)")]);
    }
    let mut owned = vec![false; files.len()];
    let mut errors = Vec::new();
    let mut import = Import::default();
    let mut by_name: BTreeMap<String, String> = BTreeMap::new();
    for folder in &folders {
        owned[folder.skill_md] = true;
        let inner: Vec<String> = folder.files.iter().map(|(p, _)| p.clone()).collect();
        let label = if folder.prefix.is_empty() { SKILL_MD.to_string() } else { format!("{}/{SKILL_MD}", folder.prefix) };
        let bytes = &files[folder.skill_md].1;
        let folder_name = folder.prefix.rsplit('/').next().unwrap_or_default();
        let parsed = parse_skill(&SkillSource { path: &label, folder: if folder_name.is_empty() { "" } else { folder_name }, bytes, files: &inner });
        match parsed {
            Err(error) => errors.push(error),
            Ok((skill, warnings)) => {
                // As in `llmos build`: the skill found last wins, and the user is told.
                if let Some(other) = by_name.insert(skill.slug.clone(), label.clone()) {
                    import.notes.push(format!("{label} replaces {other}: both are named `{}`", skill.slug));
                    import.skills.retain(|s| s.name != skill.slug);
                }
                // A lone SKILL.md has no folder; its name is its folder.
                import.notes.extend(warnings.iter().filter(|w| !(folder_name.is_empty() && w.message.contains("folder"))).map(ToString::to_string));
                let mut skill_files = vec![SkillFile { path: SKILL_MD.into(), data: bytes.clone() }];
                for (path, index) in &folder.files {
                    owned[*index] = true;
                    skill_files.push(SkillFile { path: path.clone(), data: files[*index].1.clone() });
                }
                import.skills.push(UserSkill::new(skill.slug, skill_files, now));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    import.notes.extend(files.iter().zip(&owned).filter(|(_, owned)| !**owned).map(|((path, _), _)| format!("left out {path}: it is not inside a skill folder")));
    Ok(import)
}

/// Expands any `.zip` among the chosen files into its entries, then
/// imports. A damaged zip fails the whole import, naming the zip.
pub fn import_files(files: Vec<(String, Vec<u8>)>, now: f64) -> Result<Import, Vec<Diagnostic>> {
    let mut expanded = Vec::new();
    let mut errors = Vec::new();
    for (path, bytes) in files {
        if path.to_ascii_lowercase().ends_with(".zip") {
            match llmos_core::zip::read_zip(&bytes) {
                Ok(entries) => expanded.extend(entries.into_iter().map(|e| (e.path, e.data))),
                Err(error) => errors.push(error.to_diagnostic(&path)),
            }
        } else {
            expanded.push((path, bytes));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    import(expanded, now)
}

/// What lists and cards show of a user skill.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub name: String,
    pub description: String,
    pub category: Option<String>,
    pub kind: Option<String>,
    pub keywords: Vec<String>,
    pub updated: f64,
    pub size: usize,
    /// Set when the stored SKILL.md no longer parses (edited elsewhere).
    pub problem: Option<String>,
}

impl Summary {
    fn from_fields(skill: &UserSkill, fields: &SkillFields) -> Summary {
        Summary {
            name: skill.name.clone(),
            description: fields.description.clone(),
            category: fields.category.clone(),
            kind: fields.kind.clone(),
            keywords: fields.keywords.clone(),
            updated: skill.updated,
            size: skill.size(),
            problem: None,
        }
    }

    /// From the fields stored with the skill: no parsing.
    pub fn stored(skill: &UserSkill) -> Option<Summary> {
        Some(Summary::from_fields(skill, skill.fields.as_ref()?))
    }

    /// Parses the SKILL.md, so a skill that no longer parses says why.
    pub fn of(skill: &UserSkill) -> Summary {
        match skill.parse() {
            Ok((parsed, _)) => Summary::from_fields(skill, &SkillFields::of(&parsed)),
            Err(error) => Summary { problem: Some(error.to_string()), ..Summary::from_fields(skill, &SkillFields::default()) },
        }
    }
}

/// Newest first, then by name: how every list of the user's skills is ordered.
pub fn newest_first(list: &mut [Summary]) {
    list.sort_by(|a, b| b.updated.total_cmp(&a.updated).then_with(|| a.name.cmp(&b.name)));
}

/// The entries of an export zip: `<name>/<path>` for every file of every
/// skill, in name order, SKILL.md first; the layout `llmos build --skills` reads.
pub fn export_entries(skills: &[UserSkill]) -> Vec<(String, &[u8])> {
    let mut sorted: Vec<&UserSkill> = skills.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    sorted.iter().flat_map(|skill| skill.files.iter().map(|f| (format!("{}/{}", skill.name, f.path), f.data.as_slice()))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(name: &str) -> Vec<u8> {
        format!("---\nname: {name}\ndescription: Does {name} things.\n---\n\n# {name}\n").into_bytes()
    }

    #[test]
    fn form_round_trips_through_skill_md() {
        let form = SkillForm {
            name: "tea-timer".into(),
            description: "Times tea: steep, then pour. Use when brewing.".into(),
            category: "Kitchen".into(),
            keywords: "tea, timer, yes".into(),
            kind: String::new(),
            body: "# Tea\n\nWait 3 minutes.\n".into(),
        };
        let text = form.to_skill_md();
        let (skill, warnings) = check(&text, &[]).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(skill.keywords, ["tea", "timer", "yes"], "`yes` must stay a string");
        assert_eq!(SkillForm::from_skill_md(&text).unwrap(), form);
    }

    #[test]
    fn skills_with_other_keys_are_edited_raw() {
        let text = "---\nname: x\ndescription: y\nlicense: MIT\n---\nbody\n";
        assert!(SkillForm::from_skill_md(text).is_none());
        assert!(SkillForm::from_skill_md("no frontmatter").is_none());
    }

    #[test]
    fn import_keeps_every_byte_and_groups_files_by_folder() {
        let script = b"def execute(inputs):\r\n    return {}\r\n".to_vec();
        let files = vec![
            ("a-skill/SKILL.md".to_string(), md("a-skill")),
            ("a-skill/scripts/main.py".to_string(), script.clone()),
            ("b-skill/SKILL.md".to_string(), md("b-skill")),
            ("README.txt".to_string(), b"hi".to_vec()),
        ];
        let import = import(files, 5.0).unwrap();
        assert_eq!(import.skills.len(), 2);
        assert_eq!(import.skills[0].name, "a-skill");
        assert_eq!(import.skills[0].files[1], SkillFile { path: "scripts/main.py".into(), data: script });
        assert!(import.notes.iter().any(|n| n.contains("README.txt")), "{:?}", import.notes);
        let entries = export_entries(&import.skills);
        let paths: Vec<&str> = entries.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["a-skill/SKILL.md", "a-skill/scripts/main.py", "b-skill/SKILL.md"]);
    }

    #[test]
    fn a_bad_file_fails_the_whole_import_naming_each_file() {
        let files = vec![
            ("good/SKILL.md".to_string(), md("good")),
            ("bad/SKILL.md".to_string(), b"---\nname: [unclosed\n---\n".to_vec()),
            ("worse/SKILL.md".to_string(), b"no frontmatter at all".to_vec()),
        ];
        let errors = import(files, 0.0).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(errors[0].file == "bad/SKILL.md" && errors[0].line > 0, "{errors:?}");
        assert_eq!(errors[1].file, "worse/SKILL.md");
    }

    #[test]
    fn a_lone_markdown_file_is_a_skill_named_by_its_frontmatter() {
        let import = import(vec![("notes.md".into(), md("lone-wolf"))], 0.0).unwrap();
        assert_eq!(import.skills[0].name, "lone-wolf");
        assert!(import.notes.is_empty(), "{:?}", import.notes);
        assert!(super::import(vec![("x.txt".into(), vec![])], 0.0).is_err());
    }

    #[test]
    fn the_last_of_two_skills_with_one_name_wins_as_in_llmos_build() {
        let mut second = md("same");
        second.extend_from_slice(b"second\n");
        let files = vec![("one/SKILL.md".to_string(), md("same")), ("two/SKILL.md".to_string(), second.clone())];
        let import = import(files, 0.0).unwrap();
        assert_eq!(import.skills.len(), 1);
        assert_eq!(import.skills[0].skill_md(), second.as_slice());
        assert!(import.notes.iter().any(|n| n.contains("two/SKILL.md replaces one/SKILL.md")), "{:?}", import.notes);
    }

    #[test]
    fn duplicating_renames_only_the_name_line() {
        let skill = UserSkill::new("orig".into(), vec![SkillFile { path: SKILL_MD.into(), data: b"---\r\nname: orig\r\ndescription: d\r\n---\r\nname: in body\r\n".to_vec() }], 0.0);
        let copy = duplicate(&skill, "orig-2", 1.0);
        assert_eq!(copy.skill_md(), b"---\r\nname: orig-2\r\ndescription: d\r\n---\r\nname: in body\r\n");
        assert_eq!(copy.parse().unwrap().0.name, "orig-2");
        assert_eq!(copy.fields.as_ref().unwrap().name, "orig-2", "fields follow the file");
        assert_eq!(Summary::stored(&copy), Some(Summary::of(&copy)));
        assert_eq!(free_name("orig", |n| n == "orig" || n == "orig-2"), "orig-3");
    }
}
