//! Listing the files under a directory, the same way for `llmos build` and
//! for `build.rs` (which embeds the bundled skills and includes this file).
//!
//! Hidden entries (`.git`, `.DS_Store`, `.env`), `__pycache__` and
//! `node_modules` are never part of a skill. Hidden *folders* above the skill
//! folders are walked, because public collections file skills under them
//! (openai/skills keeps `.system/`, `.curated/` and `.experimental/`), except
//! the well-known folders of tools (`TOOL_FOLDERS`); inside a skill folder
//! (one holding a SKILL.md, and everything below it) hidden folders stay out,
//! so a skill's `.secrets/` or `.venv/` is never published. A symbolic link is followed only when it points to
//! a file inside the walked directory: a link out of it (say, to `~/.ssh`)
//! would otherwise publish whatever it points at.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub struct WalkedFile {
    /// Relative to the walked root, `/`-separated.
    pub rel: String,
    pub path: PathBuf,
    pub size: u64,
    /// Modification time in nanoseconds since the epoch, when the system has it.
    pub modified: Option<u64>,
}

pub struct Walked {
    pub files: Vec<WalkedFile>,
    /// Entries that were not followed, with the reason.
    pub refused: Vec<(PathBuf, String)>,
}

/// A directory that could not be listed, with the directory's own path
/// (not the walked root's), so the message names what to fix.
#[derive(Debug)]
pub struct WalkError {
    pub path: PathBuf,
    pub error: io::Error,
}

impl std::fmt::Display for WalkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.error)
    }
}

pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.') || name == "__pycache__" || name == "node_modules"
}

/// Hidden folders of version control, editors, package managers and caches:
/// never walked, wherever they are.
pub const TOOL_FOLDERS: &[&str] = &[
    ".git", ".hg", ".svn", ".github", ".gitlab", ".venv", ".tox", ".nox", ".cache", ".idea", ".vscode", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".next", ".nuxt", ".yarn", ".npm", ".pnpm-store", ".cargo", ".terraform", ".ipynb_checkpoints", ".Trash", ".Spotlight-V100",
];

/// Whether a hidden folder named `name` is walked: only above the skill
/// folders (`in_skill` false), and never a tool's.
fn walks_hidden_folder(name: &str, in_skill: bool) -> bool {
    !in_skill && name.len() > 1 && name != ".." && !TOOL_FOLDERS.iter().any(|t| t.eq_ignore_ascii_case(name)) && !name.ends_with("_cache")
}

/// Files below `root` in path order (each directory's entries sorted by name).
/// Only regular files are listed: FIFOs, devices and sockets (which would
/// block or never end when read) are refused by their type, before any
/// of them is opened, and so are links to them.
pub fn walk(root: &Path) -> Result<Walked, WalkError> {
    let canonical_root = fs::canonicalize(root).map_err(|error| WalkError { path: root.to_path_buf(), error })?;
    let mut walked = Walked { files: Vec::new(), refused: Vec::new() };
    visit(&canonical_root, root, "", false, &mut walked)?;
    Ok(walked)
}

/// `in_skill`: `dir` is a skill folder or inside one.
fn visit(canonical_root: &Path, dir: &Path, prefix: &str, in_skill: bool, walked: &mut Walked) -> Result<(), WalkError> {
    let at = |error: io::Error| WalkError { path: dir.to_path_buf(), error };
    let mut entries: Vec<fs::DirEntry> = fs::read_dir(dir).and_then(|list| list.collect::<io::Result<_>>()).map_err(at)?;
    entries.sort_by_key(|e| e.file_name());
    let in_skill = in_skill || entries.iter().any(|e| e.file_name() == "SKILL.md");
    for entry in entries {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            walked.refused.push((entry.path(), "the file name is not valid UTF-8; rename it".into()));
            continue;
        };
        if is_ignored(name) {
            let hidden_folder = name.starts_with('.') && entry.file_type().is_ok_and(|t| t.is_dir());
            if !(hidden_folder && walks_hidden_folder(name, in_skill)) {
                continue;
            }
        }
        let path = entry.path();
        let rel = if prefix.is_empty() { name.to_string() } else { format!("{prefix}/{name}") };
        let kind = entry.file_type().map_err(|error| WalkError { path: path.clone(), error })?;
        if kind.is_symlink() {
            match fs::canonicalize(&path) {
                Ok(target) if !target.starts_with(canonical_root) => {
                    walked.refused.push((path, format!("it is a symbolic link to {}, outside {}; it was not published", target.display(), canonical_root.display())));
                }
                Ok(target) if target.is_dir() => {
                    walked.refused.push((path, "it is a symbolic link to a directory, which is not followed; copy the directory instead".into()));
                }
                Ok(target) => match fs::metadata(&target) {
                    Ok(meta) if meta.is_file() => walked.files.push(WalkedFile { rel, path, size: meta.len(), modified: nanos(&meta) }),
                    Ok(_) => walked.refused.push((path, format!("it is a symbolic link to {}, which is not a regular file (a FIFO, device or socket); remove it", target.display()))),
                    Err(error) => return Err(WalkError { path, error }),
                },
                Err(_) => walked.refused.push((path, "it is a broken symbolic link".into())),
            }
        } else if kind.is_dir() {
            visit(canonical_root, &path, &rel, in_skill, walked)?;
        } else if kind.is_file() {
            let meta = entry.metadata().map_err(|error| WalkError { path: path.clone(), error })?;
            walked.files.push(WalkedFile { rel, path, size: meta.len(), modified: nanos(&meta) });
        } else {
            walked.refused.push((path, "it is not a regular file (a FIFO, device or socket), so it was not read; remove it from the skills folder".into()));
        }
    }
    Ok(())
}

fn nanos(meta: &fs::Metadata) -> Option<u64> {
    let since_epoch = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(since_epoch.as_nanos() as u64)
}
