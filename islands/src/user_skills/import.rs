//! Importing skills: SKILL.md files, folders and zips, all or nothing.
//! Messages name each file as the user knows it: `broken.md`, not the
//! `SKILL.md` it is read as; `picked/bad/SKILL.md` with the chosen
//! folder's name, which the browser leaves out of the paths it gives;
//! `mixed.zip/bad/SKILL.md` inside a zip.

use super::{SkillFile, UserSkill, SKILL_MD};
use llmos_core::layout::skill_folders;
use crate::kit::parse_skill;
use llmos_core::{Diagnostic, SkillSource};
use std::collections::BTreeMap;

/// What an import found: the skills to write, and notes for the user.
#[derive(Debug, Default)]
pub struct Import {
    pub skills: Vec<UserSkill>,
    /// Warnings from validation, and files left out (with the reason).
    pub notes: Vec<String>,
}

/// One file to import: its path in the tree the skills are found in, and
/// the name the user knows it by, for messages.
struct Chosen {
    path: String,
    shown: String,
    data: Vec<u8>,
}

/// Turns the chosen files into skills, all or nothing: any bad file, or a
/// damaged zip, makes the whole import fail with one diagnostic per bad
/// file, so nothing partial is written. `files` are (path, bytes) with `/`
/// separators: a folder's files relative to the chosen folder (named
/// `folder`), or chosen files by name, any `.zip` among them expanded.
pub fn import_files(files: Vec<(String, Vec<u8>)>, folder: Option<&str>, now: f64) -> Result<Import, Vec<Diagnostic>> {
    let mut chosen = Vec::new();
    let mut errors = Vec::new();
    for (path, bytes) in files {
        let shown = folder.map_or_else(|| path.clone(), |folder| format!("{folder}/{path}"));
        if path.to_ascii_lowercase().ends_with(".zip") {
            // The kit's reader: the import action loads it first.
            match crate::kit::read_zip(&bytes) {
                Ok(entries) => chosen.extend(entries.into_iter().map(|e| Chosen { shown: format!("{shown}/{}", e.path), path: e.path, data: e.data })),
                Err(error) => errors.push(error.to_diagnostic(&shown)),
            }
        } else {
            chosen.push(Chosen { path, shown, data: bytes });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    import(chosen, now)
}

fn import(mut files: Vec<Chosen>, now: f64) -> Result<Import, Vec<Diagnostic>> {
    // One loose Markdown file is a SKILL.md whatever it is called.
    if let [one] = &mut files[..] {
        if one.path.to_ascii_lowercase().ends_with(".md") && !one.path.contains('/') {
            one.path = SKILL_MD.to_string();
        }
    }
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
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
        let skill_md = &files[folder.skill_md];
        let label = skill_md.shown.as_str();
        let folder_name = folder.prefix.rsplit('/').next().unwrap_or_default();
        match parse_skill(&SkillSource { path: label, folder: folder_name, bytes: &skill_md.data, files: &inner }) {
            Err(error) => errors.push(error),
            Ok((skill, warnings)) => {
                // As in `llmos build`: the skill found last wins, and the user is told.
                if let Some(other) = by_name.insert(skill.slug.clone(), label.to_string()) {
                    import.notes.push(format!("{label} replaces {other}: both are named `{}`", skill.slug));
                    import.skills.retain(|s| s.name != skill.slug);
                }
                // A lone SKILL.md has no folder; its name is its folder.
                import.notes.extend(warnings.iter().filter(|w| !(folder_name.is_empty() && w.message.contains("folder"))).map(ToString::to_string));
                let mut skill_files = vec![SkillFile { path: SKILL_MD.into(), data: skill_md.data.clone() }];
                for (path, index) in &folder.files {
                    owned[*index] = true;
                    skill_files.push(SkillFile { path: path.clone(), data: files[*index].data.clone() });
                }
                import.skills.push(UserSkill::new(skill.slug, skill_files, now));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    import.notes.extend(files.iter().zip(&owned).filter(|(_, owned)| !**owned).map(|(f, _)| format!("left out {}: it is not inside a skill folder", f.shown)));
    Ok(import)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::user_skills::export_entries;

    fn md(name: &str) -> Vec<u8> {
        format!("---\nname: {name}\ndescription: Does {name} things.\n---\n\n# {name}\n").into_bytes()
    }

    fn import(files: Vec<(String, Vec<u8>)>, now: f64) -> Result<Import, Vec<Diagnostic>> {
        import_files(files, None, now)
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
    fn errors_name_files_as_the_user_chose_them() {
        let bad = b"---\nname: x\ndescription: [unclosed\n---\n".to_vec();
        assert_eq!(import(vec![("broken.md".into(), bad.clone())], 0.0).unwrap_err()[0].file, "broken.md");
        let folder = import_files(vec![("SKILL.md".into(), bad.clone())], Some("picked"), 0.0).unwrap_err();
        assert_eq!(folder[0].file, "picked/SKILL.md");
        let zip = llmos_core::zip::write_zip(&[("inner/SKILL.md", &bad)]);
        let zipped = import_files(vec![("sub/mixed.zip".into(), zip)], Some("picked"), 0.0).unwrap_err();
        assert_eq!(zipped[0].file, "picked/sub/mixed.zip/inner/SKILL.md");
        let left_out = import_files(vec![("a/SKILL.md".into(), md("a")), ("notes.txt".into(), vec![])], Some("picked"), 0.0).unwrap();
        assert_eq!(left_out.notes, ["left out picked/notes.txt: it is not inside a skill folder"]);
    }

    #[test]
    fn a_lone_markdown_file_is_a_skill_named_by_its_frontmatter() {
        let import = import(vec![("notes.md".into(), md("lone-wolf"))], 0.0).unwrap();
        assert_eq!(import.skills[0].name, "lone-wolf");
        assert!(import.notes.is_empty(), "{:?}", import.notes);
        assert!(super::import_files(vec![("x.txt".into(), vec![])], None, 0.0).is_err());
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
}
