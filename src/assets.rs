//! Checks on the files a skill publishes, made while loading so that
//! `llmos check` catches everything that would make `llmos build` fail:
//! names no file system accepts, two files that would be published at one
//! path (or a file where a folder must be), files too large to publish,
//! and SKILL.md files that would otherwise be published without a word.

use crate::source::SourceFile;
use llmos_core::limits::{MAX_BUNDLED_FILE_BYTES, MAX_PUBLISHED_NAME_BYTES, MAX_PUBLISHED_PATH_BYTES};
use llmos_core::{published_path, Diagnostic};
use std::collections::{HashMap, HashSet};

/// Names the skill's page takes in its folder; no bundled file may take them.
const PAGE_FILES: &[&str] = &["index.html", "SKILL.md"];

/// The outcome for one skill folder: the files to publish, warnings about
/// files left out or suspicious, and errors that stop the build.
#[derive(Default)]
pub struct Checked<'t> {
    pub files: Vec<(String, &'t SourceFile)>,
    pub warnings: Vec<Diagnostic>,
    pub errors: Vec<Diagnostic>,
}

/// Checks one skill's bundled files. `folder_display` names the skill
/// folder in messages (`skills/pdf`), so each names the file at fault.
pub fn check_files<'t>(folder_display: &str, files: Vec<(String, &'t SourceFile)>) -> Checked<'t> {
    let mut checked = Checked::default();
    let name_of = |rel: &str| format!("{folder_display}/{rel}");
    // Published path → the source file that takes it.
    let mut taken: HashMap<String, String> = PAGE_FILES.iter().map(|p| (p.to_string(), format!("the skill's own {p}"))).collect();
    let mut folders: HashSet<String> = HashSet::new();
    for (rel, file) in files {
        if file.size > MAX_BUNDLED_FILE_BYTES {
            checked.warnings.push(Diagnostic::warning(&name_of(&rel), 0, 0, format!("not published: the file is {:.1} MB, over the {} MB limit for a bundled file", file.size as f64 / 1e6, MAX_BUNDLED_FILE_BYTES >> 20))
                .with_help("link to the file where it is hosted instead, or make it smaller"));
            continue;
        }
        if rel.ends_with("/SKILL.md") {
            checked.warnings.push(Diagnostic::warning(&name_of(&rel), 1, 1, format!("this SKILL.md is inside the skill folder {folder_display}, so it is published as one of that skill's files, not as a skill"))
                .with_help("to publish it as a skill of its own, move its folder out of the other skill's folder"));
        }
        let published = published_path(&rel);
        if published.len() > MAX_PUBLISHED_PATH_BYTES {
            checked.errors.push(Diagnostic::error(&name_of(&rel), 0, 0, format!("its published path is {} bytes long; the limit is {MAX_PUBLISHED_PATH_BYTES}", published.len()))
                .with_help("flatten the folders inside the skill"));
            continue;
        }
        if let Some(long) = published.split('/').find(|part| part.len() > MAX_PUBLISHED_NAME_BYTES) {
            checked.errors.push(Diagnostic::error(&name_of(&rel), 0, 0, format!("the published name `{}…` is {} bytes; file systems allow {MAX_PUBLISHED_NAME_BYTES}", long.chars().take(24).collect::<String>(), long.len()))
                .with_help("shorten the file or folder name (names of types a browser could run get `.txt` added, 4 bytes more)"));
            continue;
        }
        let prefix = format!("{published}/");
        let other = taken.get(&published).cloned()
            .or_else(|| folders.contains(&published).then(|| taken.iter().find(|(p, _)| p.starts_with(&prefix)).map(|(_, o)| o.clone())).flatten())
            .map(|other| (published.clone(), other))
            .or_else(|| ancestors(&published).find_map(|dir| Some((dir.to_string(), taken.get(dir)?.clone()))));
        if let Some((at, other)) = other {
            checked.errors.push(clash(&name_of(&rel), &at, &other));
            continue;
        }
        folders.extend(ancestors(&published).map(str::to_string));
        taken.insert(published, name_of(&rel));
        checked.files.push((rel, file));
    }
    checked
}

fn clash(file: &str, published: &str, other: &str) -> Diagnostic {
    Diagnostic::error(file, 0, 0, format!("it would be published at `{published}`, which {other} already takes (as a file, or as the folder around it)"))
        .with_help("rename one of the two")
}

/// `a/b/c` → `a/b`, `a`.
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    let mut rest = path;
    std::iter::from_fn(move || {
        let (parent, _) = rest.rsplit_once('/')?;
        rest = parent;
        Some(parent)
    })
}

/// Files named like SKILL.md in another case (`skill.md`, `SKILL.MD`),
/// which make no skill: a warning each, so none is dropped silently.
pub fn misnamed_skill_files<'t>(label: &str, files: &'t [SourceFile]) -> impl Iterator<Item = Diagnostic> + 't {
    let label = label.trim_end_matches('/').to_string();
    files.iter().filter_map(move |file| {
        let name = file.rel.rsplit('/').next().unwrap_or(&file.rel);
        (name != "SKILL.md" && name.eq_ignore_ascii_case("SKILL.md")).then(|| {
            Diagnostic::warning(&format!("{label}/{}", file.rel), 1, 1, format!("`{name}` is not read as a skill: the file must be named `SKILL.md`, in capitals"))
                .with_help("rename it to SKILL.md")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileData;

    fn files(paths: &[(&str, u64)]) -> Vec<SourceFile> {
        paths.iter().map(|(p, size)| SourceFile { rel: p.to_string(), data: FileData::Bundled(b""), size: *size, modified: None }).collect()
    }

    fn check(paths: &[(&str, u64)]) -> (Vec<String>, Vec<String>, Vec<String>) {
        let owned = files(paths);
        let checked = check_files("s/a", owned.iter().map(|f| (f.rel.clone(), f)).collect());
        let show = |d: &[Diagnostic]| d.iter().map(|d| format!("{}: {}", d.file, d.message)).collect();
        (checked.files.iter().map(|(r, _)| r.clone()).collect(), show(&checked.warnings), show(&checked.errors))
    }

    #[test]
    fn a_file_where_a_folder_must_be_is_an_error_naming_both() {
        // `assets` has no extension, so it is published as `assets.txt`:
        // the zip that once held `good/assets` and `good/assets/x.txt` is fine.
        let (kept, _, errors) = check(&[("assets", 1), ("assets/x.txt", 1)]);
        assert_eq!((kept.len(), errors.len()), (2, 0), "{errors:?}");
        let (kept, _, errors) = check(&[("notes", 1), ("notes.txt/x.png", 1)]);
        assert_eq!(kept, ["notes"]);
        assert!(errors[0].starts_with("s/a/notes.txt/x.png: it would be published at `notes.txt`, which s/a/notes"), "{errors:?}");
        let (_, _, errors) = check(&[("notes.txt/x.png", 1), ("notes", 1)]);
        assert!(errors[0].starts_with("s/a/notes: it would be published at `notes.txt`, which s/a/notes.txt/x.png"), "{errors:?}");
    }

    #[test]
    fn renamed_files_cannot_collide_or_take_the_page() {
        let (_, _, errors) = check(&[("a.html", 1), ("a.html.txt", 1), ("index.html/x.txt", 1)]);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].contains("a.html.txt"), "{errors:?}");
        assert!(errors[1].contains("the skill's own index.html"), "{errors:?}");
    }

    #[test]
    fn long_names_large_files_and_nested_skills() {
        let long = format!("assets/{}.py", "x".repeat(253));
        let (kept, warnings, errors) = check(&[(&long, 1), ("big.bin", MAX_BUNDLED_FILE_BYTES + 1), ("examples/b/SKILL.md", 10)]);
        assert!(errors[0].contains("file systems allow 255"), "{errors:?}");
        assert!(warnings[0].contains("over the 25 MB limit"), "{warnings:?}");
        assert!(warnings[1].starts_with("s/a/examples/b/SKILL.md: this SKILL.md is inside"), "{warnings:?}");
        assert_eq!(kept, ["examples/b/SKILL.md"]);
    }

    #[test]
    fn misnamed_skill_files_are_named() {
        let tree = files(&[("a/skill.md", 1), ("b/SKILL.MD", 1), ("c/SKILL.md", 1)]);
        let found: Vec<String> = misnamed_skill_files("root", &tree).map(|d| d.file).collect();
        assert_eq!(found, ["root/a/skill.md", "root/b/SKILL.MD"]);
    }
}
