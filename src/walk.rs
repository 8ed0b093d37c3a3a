//! Listing the files under a directory, the same way for `llmos build` and
//! for `build.rs` (which embeds the bundled skills and includes this file).
//!
//! Hidden entries (`.git`, `.DS_Store`), `__pycache__` and `node_modules` are
//! never part of a skill. A symbolic link is followed only when it points to
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

pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.') || name == "__pycache__" || name == "node_modules"
}

/// Files below `root` in path order (each directory's entries sorted by name).
pub fn walk(root: &Path) -> io::Result<Walked> {
    let canonical_root = fs::canonicalize(root)?;
    let mut walked = Walked { files: Vec::new(), refused: Vec::new() };
    visit(&canonical_root, root, "", &mut walked)?;
    Ok(walked)
}

fn visit(canonical_root: &Path, dir: &Path, prefix: &str, walked: &mut Walked) -> io::Result<()> {
    let mut entries: Vec<fs::DirEntry> = fs::read_dir(dir)?.collect::<io::Result<_>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            walked.refused.push((entry.path(), "the file name is not valid UTF-8; rename it".into()));
            continue;
        };
        if is_ignored(name) {
            continue;
        }
        let path = entry.path();
        let rel = if prefix.is_empty() { name.to_string() } else { format!("{prefix}/{name}") };
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            match fs::canonicalize(&path) {
                Ok(target) if !target.starts_with(canonical_root) => {
                    walked.refused.push((path, format!("it is a symbolic link to {}, outside {}; it was not published", target.display(), canonical_root.display())));
                }
                Ok(target) if target.is_dir() => {
                    walked.refused.push((path, "it is a symbolic link to a directory, which is not followed; copy the directory instead".into()));
                }
                Ok(target) => {
                    let meta = fs::metadata(&target)?;
                    walked.files.push(WalkedFile { rel, path, size: meta.len(), modified: nanos(&meta) });
                }
                Err(_) => walked.refused.push((path, "it is a broken symbolic link".into())),
            }
        } else if kind.is_dir() {
            visit(canonical_root, &path, &rel, walked)?;
        } else if kind.is_file() {
            let meta = entry.metadata()?;
            walked.files.push(WalkedFile { rel, path, size: meta.len(), modified: nanos(&meta) });
        }
    }
    Ok(())
}

fn nanos(meta: &fs::Metadata) -> Option<u64> {
    let since_epoch = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(since_epoch.as_nanos() as u64)
}
