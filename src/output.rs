//! Writing the site so that a failed build never leaves half a site.
//!
//! Pages go into a staging directory beside the output directory (same file
//! system, so the final move is a rename). Only a complete build is swapped
//! in; a failed one is removed with its staging directory, and the previous
//! site stays as it was. Every path written is checked to stay inside the
//! staging directory.

use crate::source::FileData;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

/// Marks a directory as made by `llmos build`, so it may be replaced.
pub const MARKER: &str = ".llmos-site";

/// Where a build writes its files.
pub trait SiteWriter: Sync {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError>;
    /// Publishes a source file at `rel`, streaming it from disk in pieces
    /// so a large asset never sits in memory whole. A read error names the
    /// source file; a write error names the output.
    fn copy(&self, rel: &str, data: &FileData) -> Result<(), OutputError>;
    /// Keeps a file from the previous build as it is, when the writer can
    /// (the dev server's live folder). Returns false when the file must be
    /// written again.
    fn keep(&self, _rel: &str) -> bool {
        false
    }
    /// `keep` for several files: all of them, or false.
    fn keep_all(&self, rels: &[String]) -> bool {
        rels.iter().all(|rel| self.keep(rel))
    }
}

pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    committed: bool,
}

#[derive(Debug)]
pub struct OutputError {
    pub path: PathBuf,
    pub message: String,
}

impl OutputError {
    pub(crate) fn io(path: &Path, error: io::Error) -> Self {
        OutputError { path: path.to_path_buf(), message: error.to_string() }
    }
}

impl Staging {
    /// Checks that `target` may be replaced, and makes a fresh staging directory.
    /// `sources` are the input directories, which the output must not contain.
    pub fn create(target: &Path, sources: &[PathBuf]) -> Result<Staging, OutputError> {
        let refuse = |message: String| Err(OutputError { path: target.to_path_buf(), message });
        let absolute_target = absolute(target);
        if absolute_target.parent().is_none() {
            return refuse("the output directory cannot be the file system root".into());
        }
        for source in sources {
            let source = absolute(source);
            if source.starts_with(&absolute_target) {
                return refuse(format!("the output directory contains the input {}; choose another --out", source.display()));
            }
        }
        if let Ok(cwd) = std::env::current_dir() {
            if cwd.starts_with(&absolute_target) {
                return refuse("the output directory contains the current directory; choose another --out".into());
            }
        }
        match fs::symlink_metadata(target) {
            Ok(meta) if meta.file_type().is_symlink() || !meta.is_dir() => {
                return refuse("it exists and is not a directory; remove it or choose another --out".into());
            }
            Ok(_) => {
                let empty = fs::read_dir(target).map_err(|e| OutputError::io(target, e))?.next().is_none();
                if !empty && !target.join(MARKER).is_file() {
                    return refuse(format!("it is not empty and was not made by llmos build (no {MARKER} file); remove it or choose another --out"));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(OutputError::io(target, e)),
        }
        let parent = absolute_target.parent().expect("checked above").to_path_buf();
        fs::create_dir_all(&parent).map_err(|e| OutputError::io(&parent, e))?;
        let name = absolute_target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "site".into());
        // Leftovers of earlier runs that were killed before they could clean up.
        crate::cleanup::sweep_stale(&parent, &format!(".{name}.llmos-staging-"));
        crate::cleanup::sweep_stale(&parent, &format!(".{name}.llmos-old-"));
        let dir = parent.join(format!(".{name}.llmos-staging-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| OutputError::io(&dir, e))?;
        }
        fs::create_dir(&dir).map_err(|e| OutputError::io(&dir, e))?;
        crate::cleanup::remove_on_interrupt(&dir);
        Ok(Staging { dir, target: absolute_target, committed: false })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The on-disk path for a site-relative path, refusing anything that
    /// could leave the staging directory.
    pub fn path_for(&self, rel: &str) -> Result<PathBuf, OutputError> {
        inside(&self.dir, rel)
    }

    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let path = self.path_for(rel)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| OutputError::io(parent, e))?;
        }
        fs::write(&path, bytes).map_err(|e| OutputError::io(&path, e))
    }

    /// Swaps the finished site in for the old one.
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        self.write(MARKER, b"This directory was written by `llmos build`; the next build replaces it whole.\n")?;
        let old = self.dir.with_file_name(format!(".{}.llmos-old-{}", self.target.file_name().unwrap().to_string_lossy(), std::process::id()));
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &old).map_err(|e| OutputError::io(&self.target, e))?;
        }
        if let Err(e) = fs::rename(&self.dir, &self.target) {
            if had_old {
                let _ = fs::rename(&old, &self.target);
            }
            return Err(OutputError::io(&self.target, e));
        }
        self.committed = true;
        crate::cleanup::forget(&self.dir);
        if had_old {
            // The new site is in place; a leftover old copy is only clutter.
            let _ = fs::remove_dir_all(&old);
        }
        Ok(self.target.clone())
    }
}

impl SiteWriter for Staging {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        Staging::write(self, rel, bytes)
    }

    fn copy(&self, rel: &str, data: &FileData) -> Result<(), OutputError> {
        let FileData::Disk(source) = data else {
            return self.write(rel, &data.read().map_err(|e| OutputError::io(Path::new(rel), e))?);
        };
        let path = self.path_for(rel)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| OutputError::io(parent, e))?;
        }
        stream_copy(source, &path)
    }
}

/// Copies `source` to `target` through a fixed-size buffer.
fn stream_copy(source: &Path, target: &Path) -> Result<(), OutputError> {
    let mut reader = fs::File::open(source).map_err(|e| OutputError::io(source, e))?;
    let mut writer = io::BufWriter::new(fs::File::create(target).map_err(|e| OutputError::io(target, e))?);
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = io::Read::read(&mut reader, &mut buffer).map_err(|e| OutputError::io(source, e))?;
        if read == 0 {
            break;
        }
        io::Write::write_all(&mut writer, &buffer[..read]).map_err(|e| OutputError::io(target, e))?;
    }
    io::Write::flush(&mut writer).map_err(|e| OutputError::io(target, e))
}

/// The FNV-1a hash of a file's bytes, read in pieces (as `theme::fnv1a`).
fn stream_hash(source: &Path) -> Result<u64, OutputError> {
    let mut reader = fs::File::open(source).map_err(|e| OutputError::io(source, e))?;
    let mut buffer = vec![0u8; 64 * 1024];
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    loop {
        let read = io::Read::read(&mut reader, &mut buffer).map_err(|e| OutputError::io(source, e))?;
        if read == 0 {
            return Ok(hash);
        }
        hash = buffer[..read].iter().fold(hash, |hash, &b| (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    }
}

/// The dev server's output: the served folder, updated in place. Files whose
/// bytes did not change are not written again, and files the build no
/// longer makes are removed, so one edit in a large catalogue touches few
/// files. (Production builds use `Staging`, which is atomic.)
/// A map by site path with a fast hasher (FxHash): the dev server looks
/// up every file of a large site on each edit.
pub type FastMap<V> = rustc_hash::FxHashMap<String, V>;

pub struct LiveDir {
    dir: PathBuf,
    previous: FastMap<u64>,
    current: Mutex<FastMap<u64>>,
    /// `patch`: the files of the last build this one may drop; any other
    /// is carried over as it is, and keeping it costs a look-up.
    candidates: Option<rustc_hash::FxHashSet<String>>,
}

impl LiveDir {
    /// `previous` maps each file of the last build to the hash of its bytes.
    pub fn new(dir: &Path, previous: FastMap<u64>) -> Result<LiveDir, OutputError> {
        fs::create_dir_all(dir).map_err(|e| OutputError::io(dir, e))?;
        let current = Mutex::new(FastMap::with_capacity_and_hasher(previous.len(), Default::default()));
        Ok(LiveDir { dir: dir.to_path_buf(), previous, current, candidates: None })
    }

    /// `new`, for a build that writes or keeps only some of the last
    /// build's files, and carries the others over untouched: `finish`
    /// removes those of `candidates` this build neither wrote nor kept,
    /// and no other. Most of a large site is then never looked at.
    pub fn patch(dir: &Path, previous: FastMap<u64>, candidates: rustc_hash::FxHashSet<String>) -> Result<LiveDir, OutputError> {
        fs::create_dir_all(dir).map_err(|e| OutputError::io(dir, e))?;
        Ok(LiveDir { dir: dir.to_path_buf(), previous, current: Mutex::new(FastMap::default()), candidates: Some(candidates) })
    }

    /// Removes what the last build made and this one did not; returns this
    /// build's file hashes for the next.
    pub fn finish(self) -> Result<FastMap<u64>, OutputError> {
        let current = self.current.into_inner().expect("no writer panicked");
        if let Some(candidates) = self.candidates {
            let mut all = self.previous;
            for rel in candidates.iter().filter(|rel| !current.contains_key(*rel)) {
                let path = self.dir.join(rel);
                if let Err(e) = fs::remove_file(&path) {
                    if e.kind() != io::ErrorKind::NotFound {
                        return Err(OutputError::io(&path, e));
                    }
                }
                all.remove(rel);
            }
            all.extend(current);
            return Ok(all);
        }
        for rel in self.previous.keys().filter(|rel| !current.contains_key(*rel)) {
            let path = self.dir.join(rel);
            if let Err(e) = fs::remove_file(&path) {
                if e.kind() != io::ErrorKind::NotFound {
                    return Err(OutputError::io(&path, e));
                }
            }
        }
        Ok(current)
    }

    /// Like `finish`, but removes nothing: the files of the last build this
    /// one did not write stay, with their hashes.
    pub fn finish_adding(self) -> FastMap<u64> {
        let mut all = self.previous;
        all.extend(self.current.into_inner().expect("no writer panicked"));
        all
    }
}

impl SiteWriter for LiveDir {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let path = inside(&self.dir, rel)?;
        let hash = crate::theme::fnv1a(bytes);
        if self.previous.get(rel) != Some(&hash) || !path.exists() {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| OutputError::io(parent, e))?;
            }
            fs::write(&path, bytes).map_err(|e| OutputError::io(&path, e))?;
        }
        self.current.lock().expect("no writer panicked").insert(rel.to_string(), hash);
        Ok(())
    }

    fn copy(&self, rel: &str, data: &FileData) -> Result<(), OutputError> {
        let FileData::Disk(source) = data else {
            return self.write(rel, &data.read().map_err(|e| OutputError::io(Path::new(rel), e))?);
        };
        let path = inside(&self.dir, rel)?;
        let hash = stream_hash(source)?;
        if self.previous.get(rel) != Some(&hash) || !path.exists() {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| OutputError::io(parent, e))?;
            }
            stream_copy(source, &path)?;
        }
        self.current.lock().expect("no writer panicked").insert(rel.to_string(), hash);
        Ok(())
    }

    /// The folder is the dev server's own, so a file the last build wrote
    /// is taken to be there still without asking the file system.
    fn keep_all(&self, rels: &[String]) -> bool {
        let Some(hashes) = rels.iter().map(|rel| self.previous.get(rel).copied()).collect::<Option<Vec<u64>>>() else { return false };
        // A patch carries what it may not drop without being told.
        if let Some(candidates) = &self.candidates {
            if !rels.iter().any(|rel| candidates.contains(rel)) {
                return true;
            }
        }
        let mut current = self.current.lock().expect("no writer panicked");
        for (rel, hash) in rels.iter().zip(hashes) {
            current.insert(rel.clone(), hash);
        }
        true
    }

    fn keep(&self, rel: &str) -> bool {
        match self.previous.get(rel) {
            Some(&hash) if self.dir.join(rel).exists() => {
                self.current.lock().expect("no writer panicked").insert(rel.to_string(), hash);
                true
            }
            _ => false,
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
            crate::cleanup::forget(&self.dir);
        }
    }
}

/// `dir/rel`, provided `rel` is a plain relative path: no `..`, no root,
/// no `.`, nothing empty. Every file a build writes goes through here.
fn inside(dir: &Path, rel: &str) -> Result<PathBuf, OutputError> {
    let candidate = Path::new(rel);
    if rel.is_empty() || !candidate.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(OutputError { path: PathBuf::from(rel), message: "refused to write outside the output directory".into() });
    }
    Ok(dir.join(candidate))
}

fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(path) };
    // Resolve `.` and `..` lexically, then symlinks where the path exists.
    let mut clean = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    fs::canonicalize(&clean).unwrap_or(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_leave_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let staging = Staging::create(&dir.path().join("out"), &[]).unwrap();
        for bad in ["../x", "/etc/passwd", "a/../../x", "", "./a"] {
            assert!(staging.path_for(bad).is_err(), "{bad}");
        }
        assert!(staging.path_for("skills/a/index.html").is_ok());
    }

    #[test]
    fn refuses_to_replace_a_directory_it_did_not_make() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("precious.txt"), "keep").unwrap();
        let err = Staging::create(&out, &[]).err().unwrap();
        assert!(err.message.contains("not made by llmos build"), "{err:?}");
        let err = Staging::create(dir.path(), &[dir.path().join("skills")]).err().unwrap();
        assert!(err.message.contains("contains the input"), "{err:?}");
    }

    #[test]
    fn an_unfinished_build_leaves_the_old_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let staging = Staging::create(&out, &[]).unwrap();
        staging.write("index.html", b"v1").unwrap();
        staging.commit().unwrap();
        let staging = Staging::create(&out, &[]).unwrap();
        staging.write("index.html", b"v2").unwrap();
        drop(staging);
        assert_eq!(fs::read(out.join("index.html")).unwrap(), b"v1");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "staging removed");
    }
}
