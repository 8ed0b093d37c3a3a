//! The dev server's quick load: an edit inside skill folders the site
//! already publishes re-reads only those folders and patches them into
//! the last catalogue, instead of loading every skill again (most of an
//! edit's time at 10,000 skills). Anything it cannot patch exactly as a
//! full load would give (a new, deleted or renamed skill, a skill sharing
//! its page with another, a workflow involved, a file outside the skills)
//! goes the full way: `patch` then answers `None`.

use super::{page_count, parse_skills, Failure, Loaded, Reuse};
use crate::config::{ContentRoot, Settings, SkillsRoot};
use crate::source::SourceTree;
use llmos_core::limits::MAX_PAGES;
use std::path::{Path, PathBuf};

/// Patches `loaded` (the last good load) for the paths of `reuse.changed`.
/// `Some(Ok(slugs))`: patched, and the slugs of the skills re-read (their
/// pages are out of date, no other skill's is); `Some(Err(..))`: an edited
/// skill has errors (`loaded` is left as it was); `None`: load in full.
pub(crate) fn patch(settings: &Settings, loaded: &mut Loaded, reuse: &Reuse) -> Option<Result<Vec<String>, Failure>> {
    let changed = reuse.changed.filter(|c| !c.is_empty())?;
    if !changed.iter().all(|path| !inside_other_inputs(settings, path)) {
        return None;
    }
    // The same walks a full load makes, refreshed for an edit in place.
    let mut trees = Vec::with_capacity(settings.skills.len());
    for source in &settings.skills {
        trees.push(source.root.load_reusing(Some((reuse.trees, reuse.changed))).ok()?);
    }
    let mut folders: Vec<(usize, String)> = Vec::new();
    for path in changed {
        let (source, rel) = settings.skills.iter().enumerate().find_map(|(i, s)| match &s.root {
            SkillsRoot::Disk(dir) => Some((i, below(dir, path)?)),
            SkillsRoot::Bundled => None,
        })?;
        let tree = &trees[source];
        // A file the walk does not list (deleted, or a folder) changes the layout.
        tree.files.iter().find(|f| f.rel == rel)?;
        let prefix = skill_prefix(tree, &rel)?;
        if !folders.contains(&(source, prefix.clone())) {
            folders.push((source, prefix));
        }
    }
    let mut patched = Vec::with_capacity(folders.len());
    let mut failure = Failure::default();
    // Each edited folder's SKILL.md and folder, as diagnostics name them.
    let mut edited: Vec<(String, String)> = Vec::with_capacity(folders.len());
    for (source, prefix) in folders {
        let tree = &trees[source];
        let display = tree.display(&format!("{prefix}/SKILL.md"));
        let index = loaded.catalogue.skills.iter().position(|s| s.path == display)?;
        let old = &loaded.catalogue.skills[index];
        if loaded.assets[&old.slug].source != source || loaded.shadowed.contains_key(&old.slug) || in_a_workflow(loaded, index) {
            return None;
        }
        let folder_display = tree.display(&prefix);
        let sub = SourceTree {
            label: tree.label.clone(),
            dir: tree.dir.clone(),
            files: tree.files.iter().filter(|f| f.rel.strip_prefix(prefix.as_str()).is_some_and(|rest| rest.starts_with('/'))).cloned().collect(),
            refused: tree.refused.iter().filter(|d| inside(&d.file, &display, &folder_display)).cloned().collect(),
        };
        edited.push((display, folder_display));
        let mut skipped = Vec::new();
        let mut found = Failure::default();
        let mut parsed = parse_skills(std::slice::from_ref(&sub), &mut found, None, settings.keep_going.then_some(&mut skipped));
        if !skipped.is_empty() {
            // Left out under --keep-going: the catalogue changes shape.
            return None;
        }
        failure.errors.extend(found.errors);
        failure.warnings.extend(found.warnings.iter().cloned());
        if parsed.len() != 1 {
            if failure.errors.is_empty() {
                return None;
            }
            continue;
        }
        let (mut skill, mut assets) = parsed.pop().expect("one skill");
        if skill.category.is_none() {
            skill.category = settings.skills[source].category.clone();
        }
        assets.source = source;
        // A new name is a new page, and maybe a broken workflow step.
        if skill.slug != old.slug || skill.name != old.name || skill.workflow.is_some() {
            return None;
        }
        patched.push((index, skill, assets, found.warnings));
    }
    let is_edited = |file: &str| edited.iter().any(|(display, folder)| inside(file, display, folder));
    if !failure.errors.is_empty() {
        let mut warnings: Vec<_> = loaded.warnings.iter().filter(|w| !is_edited(&w.file)).cloned().collect();
        warnings.append(&mut failure.warnings);
        failure.warnings = warnings;
        return Some(Err(failure));
    }
    // The folders' warnings, where the last load had them.
    let at = loaded.warnings.iter().position(|w| is_edited(&w.file)).unwrap_or(loaded.warnings.len());
    loaded.warnings.retain(|w| !is_edited(&w.file));
    let at = at.min(loaded.warnings.len());
    loaded.warnings.splice(at..at, patched.iter().flat_map(|p| p.3.iter().cloned()));
    let mut slugs = Vec::with_capacity(patched.len());
    for (index, skill, assets, _) in patched {
        let old = &loaded.catalogue.skills[index];
        if old.category != skill.category || old.keywords != skill.keywords {
            loaded.taxonomies = Default::default();
        }
        slugs.push(skill.slug.clone());
        loaded.assets.insert(skill.slug.clone(), assets);
        loaded.catalogue.skills[index] = skill;
    }
    if page_count(&loaded.catalogue, loaded.docs.len(), &loaded.assets, settings.skills.len()) > MAX_PAGES {
        // The full load says so, with the whole picture. `loaded` is
        // dropped by the caller either way.
        return None;
    }
    Some(Ok(slugs))
}

/// Whether a diagnostic's `file` is a skill's SKILL.md (`display`) or in its folder.
fn inside(file: &str, display: &str, folder: &str) -> bool {
    file == display || file.strip_prefix(folder).is_some_and(|rest| rest.starts_with('/'))
}

/// Whether `path` is in the docs, the theme or the config: an edit there
/// is not a skill's alone.
fn inside_other_inputs(settings: &Settings, path: &Path) -> bool {
    let content = match &settings.content {
        ContentRoot::Disk(dir) => below(dir, path).is_some(),
        ContentRoot::Bundled => false,
    };
    content || settings.theme_dir.as_deref().is_some_and(|theme| below(theme, path).is_some()) || settings.config_file.as_deref().is_some_and(|config| below(config, path).is_some() || path == config)
}

/// `path` relative to `dir`, `/`-separated, as the walk names files; the
/// watcher may name paths absolute, or through resolved links.
fn below(dir: &Path, path: &Path) -> Option<String> {
    let forms: Vec<PathBuf> = [Some(dir.to_path_buf()), std::path::absolute(dir).ok(), std::fs::canonicalize(dir).ok()].into_iter().flatten().collect();
    let rel = forms.iter().find_map(|form| path.strip_prefix(form).ok())?;
    let rel = rel.to_str()?.replace(std::path::MAIN_SEPARATOR, "/");
    (!rel.is_empty()).then_some(rel)
}

/// The skill folder `rel` belongs to: its shallowest ancestor with a
/// SKILL.md (`llmos_core::layout`'s rule); `None` outside every skill, or
/// when the tree's root is itself the skill (its warnings are the tree's).
fn skill_prefix(tree: &SourceTree, rel: &str) -> Option<String> {
    let mut prefix = String::new();
    for part in rel.split('/').collect::<Vec<_>>().split_last()?.1 {
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(part);
        let skill_md = format!("{prefix}/SKILL.md");
        if tree.files.iter().any(|f| f.rel == skill_md) {
            return Some(prefix);
        }
    }
    None
}

/// Whether the skill at `index` is a workflow or a step of one (by name
/// or by folder, which a workflow's diagnostics name): workflows are
/// checked against the whole catalogue, which the full load does.
fn in_a_workflow(loaded: &Loaded, index: usize) -> bool {
    let skill = &loaded.catalogue.skills[index];
    let folder = skill.folder.rsplit(['/', '\\']).next().unwrap_or_default();
    skill.workflow.is_some() || loaded.catalogue.skills.iter().flat_map(|s| s.workflow.iter().flat_map(|w| &w.steps)).any(|step| step.uses == skill.name || step.uses == folder)
}
