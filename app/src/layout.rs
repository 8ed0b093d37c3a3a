//! The Agent Skills folder layout: which folders of a tree are skills, and
//! which files belong to each. Pure over relative paths, so the generator
//! (files on disk, files in the binary) and the browser (imported folders
//! and zips) apply the very same rule.
//!
//! A folder holding `SKILL.md` is a skill, at any depth; its subfolders are
//! its files, never further skills.

use std::collections::{HashMap, HashSet};

/// One skill folder: indexes into the path list given to `skill_folders`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillFolder {
    /// The folder, relative to the tree (`""` when the tree itself is the skill).
    pub prefix: String,
    /// Index of its SKILL.md.
    pub skill_md: usize,
    /// Its other files: (path relative to the folder, index).
    pub files: Vec<(String, usize)>,
}

/// Skill folders in path order. `paths` are `/`-separated and relative.
pub fn skill_folders(paths: &[&str]) -> Vec<SkillFolder> {
    let mut prefixes: Vec<&str> = paths.iter().filter_map(|p| skill_prefix(p)).collect();
    prefixes.sort_unstable();
    prefixes.dedup();
    // A prefix is a skill unless one of its ancestors already is. Sets and
    // maps keep this linear: collections of 10,000 skills are normal.
    let mut accepted: Vec<&str> = Vec::new();
    let mut accepted_set: HashSet<&str> = HashSet::new();
    for prefix in prefixes {
        if !accepted_set.contains("") && !ancestors(prefix).any(|a| accepted_set.contains(a)) {
            accepted.push(prefix);
            accepted_set.insert(prefix);
        }
    }
    let position: HashMap<&str, usize> = paths.iter().enumerate().map(|(i, p)| (*p, i)).collect();
    let index_of: HashMap<&str, usize> = accepted.iter().enumerate().map(|(i, p)| (*p, i)).collect();
    let mut folders: Vec<SkillFolder> = accepted
        .iter()
        .map(|prefix| {
            let md = if prefix.is_empty() { "SKILL.md".to_string() } else { format!("{prefix}/SKILL.md") };
            SkillFolder { prefix: prefix.to_string(), skill_md: position[md.as_str()], files: Vec::new() }
        })
        .collect();
    let skill_mds: HashSet<usize> = folders.iter().map(|f| f.skill_md).collect();
    for (index, path) in paths.iter().enumerate() {
        if skill_mds.contains(&index) {
            continue;
        }
        // The owner is the nearest ancestor folder that is a skill.
        if let Some((i, dir)) = ancestors(path).find_map(|dir| Some((*index_of.get(dir)?, dir))) {
            let inner = if dir.is_empty() { path } else { &path[dir.len() + 1..] };
            folders[i].files.push((inner.to_string(), index));
        }
    }
    folders
}

/// `a/b/c.md` → `a/b`, `a`, `` (the root).
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    let mut current = Some(path);
    std::iter::from_fn(move || {
        let path = current.filter(|p| !p.is_empty())?;
        let parent = path.rfind('/').map_or("", |cut| &path[..cut]);
        current = Some(parent);
        Some(parent)
    })
}

fn skill_prefix(path: &str) -> Option<&str> {
    if path == "SKILL.md" {
        Some("")
    } else {
        path.strip_suffix("/SKILL.md")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(paths: &[&str]) -> Vec<(String, String, Vec<String>)> {
        skill_folders(paths).into_iter().map(|f| (f.prefix, paths[f.skill_md].to_string(), f.files.into_iter().map(|(r, _)| r).collect())).collect()
    }

    #[test]
    fn skills_at_any_depth_own_their_subfolders() {
        let paths = ["a/SKILL.md", "a/examples/inner/SKILL.md", "a/scripts/main.py", "deep/x/skills/b/SKILL.md", "deep/x/skills/b/ref.md", "README.md"];
        assert_eq!(summary(&paths), [
            ("a".to_string(), "a/SKILL.md".to_string(), vec!["examples/inner/SKILL.md".to_string(), "scripts/main.py".to_string()]),
            ("deep/x/skills/b".to_string(), "deep/x/skills/b/SKILL.md".to_string(), vec!["ref.md".to_string()]),
        ]);
    }

    #[test]
    fn a_tree_that_is_itself_one_skill() {
        assert_eq!(summary(&["SKILL.md", "scripts/run.sh", "x/SKILL.md"]), [("".to_string(), "SKILL.md".to_string(), vec!["scripts/run.sh".to_string(), "x/SKILL.md".to_string()])]);
    }

    #[test]
    fn files_outside_any_skill_belong_to_none() {
        assert_eq!(summary(&["notes.txt", "docs/readme.md"]), []);
    }
}
