//! Where skills and docs come from: a directory on disk or the copy embedded
//! in the binary. Both become a `SourceTree`, so everything after loading is
//! the same code whichever the origin.

use crate::walk;
use llmos_core::Diagnostic;
use std::borrow::Cow;
use std::path::{Path, PathBuf};

pub(crate) mod bundled {
    include!(concat!(env!("OUT_DIR"), "/bundled.rs"));
}

#[derive(Clone)]
pub enum FileData {
    Disk(PathBuf),
    Bundled(&'static [u8]),
    /// An entry of a zip given as `--skills skills.zip`, read once.
    Memory(std::sync::Arc<[u8]>),
}

#[derive(Clone)]
pub struct SourceFile {
    /// Relative to the tree's root, `/`-separated.
    pub rel: String,
    pub data: FileData,
    pub size: u64,
    /// Nanoseconds since the epoch; `None` for bundled files, which never change.
    pub modified: Option<u64>,
}

impl SourceFile {
    pub fn read(&self) -> std::io::Result<Cow<'static, [u8]>> {
        self.data.read()
    }
}

impl FileData {
    pub fn read(&self) -> std::io::Result<Cow<'static, [u8]>> {
        match self {
            FileData::Disk(path) => std::fs::read(path).map(Cow::Owned),
            FileData::Bundled(bytes) => Ok(Cow::Borrowed(bytes)),
            FileData::Memory(bytes) => Ok(Cow::Owned(bytes.to_vec())),
        }
    }
}

/// The dev server's last walk of each directory (`SourceTree::disk_reusing`).
#[derive(Default)]
pub struct TreeCache {
    trees: std::sync::Mutex<std::collections::HashMap<PathBuf, SourceTree>>,
}

#[derive(Clone)]
pub struct SourceTree {
    /// How diagnostics name the root: the directory as given, or `<bundled>/…`.
    pub label: String,
    /// The directory on disk, when there is one (the dev server watches it).
    pub dir: Option<PathBuf>,
    pub files: Vec<SourceFile>,
    /// Entries that were not read, as warnings.
    pub refused: Vec<Diagnostic>,
}

/// One skill folder in a tree: its SKILL.md and the other files in it.
pub struct SkillFolder<'t> {
    pub skill_md: &'t SourceFile,
    /// `label/rel` of the SKILL.md, for diagnostics.
    pub display_path: String,
    pub folder: String,
    /// Paths relative to the skill folder, with their files.
    pub files: Vec<(String, &'t SourceFile)>,
}

impl SourceTree {
    pub fn disk(dir: &Path, what: &str) -> Result<SourceTree, Diagnostic> {
        let label = dir.display().to_string();
        if dir.is_file() && dir.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip")) {
            return Self::zip(dir);
        }
        if !dir.is_dir() {
            return Err(Diagnostic::error(&label, 0, 0, format!("the {what} directory does not exist"))
                .with_help("check the path given on the command line or in llmos.toml (paths there are relative to the file)"));
        }
        let walked = walk::walk(dir).map_err(|e| {
            Diagnostic::error(&e.path.display().to_string(), 0, 0, format!("cannot read this folder of the {what}: {}", e.error))
                .with_help("make it readable (for example `chmod u+rx` on the folder), or move it out of the folder given")
        })?;
        Ok(SourceTree {
            refused: walked.refused.iter().map(|(path, reason)| Diagnostic::warning(&path.display().to_string(), 0, 0, format!("skipped: {reason}"))).collect(),
            files: walked.files.into_iter().map(|f| SourceFile { rel: f.rel, data: FileData::Disk(f.path), size: f.size, modified: f.modified }).collect(),
            dir: Some(dir.to_path_buf()),
            label,
        })
    }

    /// `disk`, reusing the last walk of `dir` kept in `cache` when every
    /// path of `changed` below `dir` is a regular file that walk listed
    /// (an edit in place, the common case while editing): only those files
    /// are looked at again. Anything else (a file or folder created,
    /// removed or renamed, or `changed` unknown) walks the whole directory.
    pub fn disk_reusing(dir: &Path, what: &str, cache: &TreeCache, changed: Option<&[PathBuf]>) -> Result<SourceTree, Diagnostic> {
        let mut trees = cache.trees.lock().unwrap_or_else(|e| e.into_inner());
        if let (Some(changed), Some(mut tree)) = (changed, trees.remove(dir)) {
            // The watcher may name paths absolute, or through resolved links.
            let forms: Vec<PathBuf> = [Some(dir.to_path_buf()), std::path::absolute(dir).ok(), std::fs::canonicalize(dir).ok()].into_iter().flatten().collect();
            let below = |path: &Path| forms.iter().find_map(|form| path.strip_prefix(form).ok().map(Path::to_path_buf));
            if changed.iter().filter_map(|path| below(path)).all(|rel| tree.refresh(dir, &rel)) {
                trees.insert(dir.to_path_buf(), tree.clone());
                return Ok(tree);
            }
        }
        let tree = Self::disk(dir, what)?;
        trees.insert(dir.to_path_buf(), tree.clone());
        Ok(tree)
    }

    /// Takes the size and time of the file at `rel` (below `dir`) again;
    /// false when the walk did not list it or it is no longer a regular file.
    fn refresh(&mut self, dir: &Path, rel: &Path) -> bool {
        let Some(rel) = rel.to_str().map(|r| r.replace(std::path::MAIN_SEPARATOR, "/")) else { return false };
        let Some(file) = self.files.iter_mut().find(|f| f.rel == rel) else { return false };
        match std::fs::symlink_metadata(dir.join(&rel)) {
            Ok(meta) if meta.is_file() => {
                file.size = meta.len();
                file.modified = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map(|d| d.as_nanos() as u64);
                true
            }
            _ => false,
        }
    }

    /// A `.zip` of skill folders, as the browser exports them: read whole,
    /// checked whole (a damaged zip is an error, not a partial catalogue).
    fn zip(path: &Path) -> Result<SourceTree, Diagnostic> {
        let label = path.display().to_string();
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if size > llmos_core::limits::MAX_ZIP_BYTES {
            return Err(Diagnostic::error(&label, 0, 0, format!("the zip is {} MB; the limit is {} MB", size / 1_000_000, llmos_core::limits::MAX_ZIP_BYTES / 1_000_000))
                .with_help("unpack it and give the folder instead, or split it into smaller zips"));
        }
        let bytes = std::fs::read(path).map_err(|e| Diagnostic::error(&label, 0, 0, format!("cannot read the zip: {e}")))?;
        let modified = std::fs::metadata(path).ok().and_then(|m| m.modified().ok()).and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map(|d| d.as_nanos() as u64);
        let entries = llmos_core::zip::read_zip(&bytes).map_err(|e| e.to_diagnostic(&label))?;
        let files = entries
            .into_iter()
            .map(|entry| SourceFile { rel: entry.path, size: entry.data.len() as u64, data: FileData::Memory(entry.data.into()), modified })
            .collect();
        Ok(SourceTree { label, dir: None, files, refused: Vec::new() })
    }

    pub fn bundled_skills() -> SourceTree {
        Self::bundled("<bundled>/system-skills", bundled::SYSTEM_SKILLS)
    }

    pub fn bundled_content() -> SourceTree {
        Self::bundled("<bundled>/content", bundled::CONTENT)
    }

    fn bundled(label: &str, files: &'static [(&'static str, &'static [u8])]) -> SourceTree {
        SourceTree {
            label: label.to_string(),
            dir: None,
            files: files.iter().map(|(rel, bytes)| SourceFile { rel: rel.to_string(), data: FileData::Bundled(bytes), size: bytes.len() as u64, modified: None }).collect(),
            refused: Vec::new(),
        }
    }

    pub fn display(&self, rel: &str) -> String {
        format!("{}/{rel}", self.label.trim_end_matches('/'))
    }

    /// Every folder that holds a SKILL.md, at any depth (the rule lives in
    /// `llmos_core::layout`, shared with the browser's imports).
    pub fn skill_folders(&self) -> Vec<SkillFolder<'_>> {
        let paths: Vec<&str> = self.files.iter().map(|f| f.rel.as_str()).collect();
        let root_name = self.dir.as_deref().and_then(Path::file_name).and_then(|n| n.to_str()).unwrap_or("skill");
        llmos_core::layout::skill_folders(&paths)
            .into_iter()
            .map(|group| {
                let skill_md = &self.files[group.skill_md];
                SkillFolder {
                    display_path: self.display(&skill_md.rel),
                    folder: group.prefix.rsplit('/').next().filter(|s| !s.is_empty()).unwrap_or(root_name).to_string(),
                    files: group.files.into_iter().map(|(rel, i)| (rel, &self.files[i])).collect(),
                    skill_md,
                }
            })
            .collect()
    }

    /// Docs pages: the `.md` files at the top of the tree.
    pub fn doc_files(&self) -> impl Iterator<Item = (&SourceFile, &str)> {
        self.files.iter().filter(|f| !f.rel.contains('/')).filter_map(|f| Some((f, f.rel.strip_suffix(".md")?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(paths: &[&str]) -> SourceTree {
        SourceTree {
            label: "t".into(),
            dir: None,
            files: paths.iter().map(|p| SourceFile { rel: p.to_string(), data: FileData::Bundled(b""), size: 0, modified: None }).collect(),
            refused: Vec::new(),
        }
    }

    #[test]
    fn finds_skills_at_any_depth_and_gives_each_its_files() {
        let tree = tree(&["a/SKILL.md", "a/examples/inner/SKILL.md", "a/scripts/main.py", "deep/x/skills/b/SKILL.md", "deep/x/skills/b/ref.md", "README.md"]);
        let folders = tree.skill_folders();
        let summary: Vec<(String, Vec<String>)> = folders.iter().map(|f| (f.display_path.clone(), f.files.iter().map(|(r, _)| r.clone()).collect())).collect();
        assert_eq!(summary, [
            ("t/a/SKILL.md".to_string(), vec!["examples/inner/SKILL.md".to_string(), "scripts/main.py".to_string()]),
            ("t/deep/x/skills/b/SKILL.md".to_string(), vec!["ref.md".to_string()]),
        ]);
        assert_eq!(folders[1].folder, "b");
    }

    #[test]
    fn a_tree_that_is_itself_one_skill() {
        let tree = tree(&["SKILL.md", "scripts/run.sh"]);
        let folders = tree.skill_folders();
        assert_eq!(folders.len(), 1);
        assert_eq!(folders[0].files[0].0, "scripts/run.sh");
    }
}
