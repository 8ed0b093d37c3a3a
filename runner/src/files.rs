//! The files a skill keeps between runs, in the Origin Private File System.
//!
//! Layout (OPFS, per site origin): `/runs/<skill>/files/<path>`, one folder
//! per skill name: the files the user gives the skill (the Run panel's
//! "Add files") and the files its runs write. A Python run sees that folder
//! as its working directory, `/llmos/files`, but never the folder itself:
//! the page copies the files into the sandbox before the run (as
//! transferred `ArrayBuffer`s) and copies back, after a run that ends
//! without an error, what the run wrote, changed or deleted there. The
//! sandbox gets bytes, never a handle (its opaque origin could not use one,
//! and skill code must not reach the site's storage).
//!
//! Why OPFS for these and IndexedDB for the skills themselves:
//! `cargo bench --bench storage_browser` (figures in content/storage.md).
//! IndexedDB saves, imports and loads skills 5 to 40 times faster; a file a
//! run reads or writes is one large blob, which OPFS streams to disk and
//! back and the user downloads as it is.
//!
//! Paths from the sandbox are untrusted: [`check_path`] accepts only
//! relative `/`-separated paths of plain names, and [`MAX_FILES`] and
//! [`MAX_BYTES`] bound what one run may keep.

/// Most files one skill's folder may hold after a run.
pub const MAX_FILES: usize = 1_000;
/// Most bytes one run may write back (256 MiB).
pub const MAX_BYTES: f64 = 256.0 * 1024.0 * 1024.0;
/// Where a Python run sees the skill's files.
pub const MOUNT: &str = "/llmos/files";

/// The parts of `path`, a relative `/`-separated path of plain names (no
/// `.`, `..`, empty parts, backslashes or control characters, at most 16
/// deep and 255 bytes a part), or a sentence naming what is wrong.
pub fn check_path(path: &str) -> Result<Vec<&str>, String> {
    let parts: Vec<&str> = path.split('/').collect();
    let bad = |why: &str| Err(format!("the file name {} {why}; files a run keeps must be plain relative paths such as `out/report.csv`", llmos_core::quoted(path)));
    if path.is_empty() || parts.len() > 16 {
        return bad(if path.is_empty() { "is empty" } else { "is more than 16 folders deep" });
    }
    for part in &parts {
        if part.is_empty() || *part == "." || *part == ".." {
            return bad("has an empty, `.` or `..` part");
        }
        if part.len() > 255 || part.chars().any(|c| c == '\\' || c.is_control()) {
            return bad("has a part longer than 255 bytes, a backslash or a control character");
        }
    }
    Ok(parts)
}

#[cfg(feature = "browser")]
pub use opfs::{KeptFile, SkillFiles};

#[cfg(feature = "browser")]
mod opfs {
    use super::check_path;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{
        FileSystemDirectoryHandle as Dir, FileSystemFileHandle, FileSystemGetDirectoryOptions, FileSystemGetFileOptions, FileSystemHandle, FileSystemHandleKind, FileSystemWritableFileStream,
    };

    /// One file of a skill's folder: its path in the folder and its bytes
    /// (a `File`, which is a `Blob`, as OPFS hands it out).
    pub struct KeptFile {
        pub path: String,
        pub file: web_sys::File,
    }

    /// The folder `/runs/<skill>/files/` of one skill.
    pub struct SkillFiles {
        skill: String,
    }

    fn failed(what: &str) -> impl Fn(JsValue) -> String + '_ {
        move |e| {
            let message = js_sys::Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or_else(|| e.as_string().unwrap_or_else(|| "the browser gave no reason".into()));
            if message.contains("Quota") || js_sys::Reflect::get(&e, &"name".into()).ok().and_then(|n| n.as_string()).is_some_and(|n| n == "QuotaExceededError") {
                format!("{what}: the browser's storage for this site (or the disk) is full. Remove files you no longer need, then run again.")
            } else {
                format!("{what}: {message}")
            }
        }
    }

    async fn child(dir: &Dir, name: &str, create: bool) -> Result<Option<Dir>, String> {
        let options = FileSystemGetDirectoryOptions::new();
        options.set_create(create);
        match JsFuture::from(dir.get_directory_handle_with_options(name, &options)).await {
            Ok(handle) => Ok(Some(handle.unchecked_into())),
            Err(e) if !create && js_sys::Reflect::get(&e, &"name".into()).ok().and_then(|n| n.as_string()).is_some_and(|n| n == "NotFoundError") => Ok(None),
            Err(e) => Err(failed(&format!("could not open the folder {name}"))(e)),
        }
    }

    impl SkillFiles {
        /// The folder of `skill` (a skill's name: one plain path part).
        pub fn new(skill: &str) -> Result<SkillFiles, String> {
            match check_path(skill) {
                Ok(parts) if parts.len() == 1 => Ok(SkillFiles { skill: skill.to_string() }),
                _ => Err(format!("the skill name {} cannot name a folder", llmos_core::quoted(skill))),
            }
        }

        /// The folder's handle, created when `create`; `None` when it does
        /// not exist yet. Fails when the browser has no OPFS.
        async fn folder(&self, create: bool) -> Result<Option<Dir>, String> {
            let storage = web_sys::window().ok_or("no window")?.navigator().storage();
            let root: Dir = JsFuture::from(storage.get_directory()).await.map_err(failed("this browser gives the site no private file system (OPFS)"))?.unchecked_into();
            let mut dir = root;
            for name in ["runs", &self.skill, "files"] {
                match child(&dir, name, create).await? {
                    Some(next) => dir = next,
                    None => return Ok(None),
                }
            }
            Ok(Some(dir))
        }

        /// Every file of the folder, sorted by path; none when it does not exist.
        pub async fn list(&self) -> Result<Vec<KeptFile>, String> {
            let mut out = Vec::new();
            if let Some(dir) = self.folder(false).await? {
                let mut pending = vec![(String::new(), dir)];
                while let Some((prefix, dir)) = pending.pop() {
                    let entries = dir.values();
                    loop {
                        let next = JsFuture::from(entries.next().map_err(failed("could not list the skill's files"))?).await.map_err(failed("could not list the skill's files"))?;
                        if js_sys::Reflect::get(&next, &"done".into()).ok().and_then(|d| d.as_bool()).unwrap_or(true) {
                            break;
                        }
                        let handle: FileSystemHandle = js_sys::Reflect::get(&next, &"value".into()).map_err(failed("could not list the skill's files"))?.unchecked_into();
                        let path = format!("{prefix}{}", handle.name());
                        if handle.kind() == FileSystemHandleKind::Directory {
                            pending.push((format!("{path}/"), handle.unchecked_into()));
                        } else {
                            let file_handle: FileSystemFileHandle = handle.unchecked_into();
                            let file = JsFuture::from(file_handle.get_file()).await.map_err(failed(&format!("could not read {path}")))?;
                            out.push(KeptFile { path, file: file.unchecked_into() });
                        }
                    }
                }
            }
            out.sort_by(|a, b| a.path.cmp(&b.path));
            Ok(out)
        }

        /// Writes `data` (a `Blob`, `ArrayBuffer` or typed array) to `path`,
        /// creating its folders. The write goes to a swap file that replaces
        /// the old one on close: a crash or a full disk leaves the old file.
        pub async fn write(&self, path: &str, data: &JsValue) -> Result<(), String> {
            let parts = check_path(path)?;
            let mut dir = self.folder(true).await?.ok_or("the skill's folder could not be created")?;
            for name in &parts[..parts.len() - 1] {
                dir = child(&dir, name, true).await?.ok_or("a folder could not be created")?;
            }
            let options = FileSystemGetFileOptions::new();
            options.set_create(true);
            let what = format!("could not keep {path}");
            let handle: FileSystemFileHandle = JsFuture::from(dir.get_file_handle_with_options(parts[parts.len() - 1], &options)).await.map_err(failed(&what))?.unchecked_into();
            let stream: FileSystemWritableFileStream = JsFuture::from(handle.create_writable()).await.map_err(failed(&what))?.unchecked_into();
            let written = match data.dyn_ref::<web_sys::Blob>() {
                Some(blob) => stream.write_with_blob(blob),
                None => stream.write_with_buffer_source(data.unchecked_ref()),
            };
            let outcome = match written {
                Ok(promise) => JsFuture::from(promise).await.map(|_| ()),
                Err(e) => Err(e),
            };
            if let Err(e) = outcome {
                let _ = JsFuture::from(stream.abort()).await;
                return Err(failed(&what)(e));
            }
            JsFuture::from(stream.close()).await.map_err(failed(&what))?;
            Ok(())
        }

        /// Removes the file at `path`; a file already gone is no error.
        pub async fn remove(&self, path: &str) -> Result<(), String> {
            let parts = check_path(path)?;
            let Some(mut dir) = self.folder(false).await? else { return Ok(()) };
            for name in &parts[..parts.len() - 1] {
                match child(&dir, name, false).await? {
                    Some(next) => dir = next,
                    None => return Ok(()),
                }
            }
            match JsFuture::from(dir.remove_entry(parts[parts.len() - 1])).await {
                Ok(_) => Ok(()),
                Err(e) if js_sys::Reflect::get(&e, &"name".into()).ok().and_then(|n| n.as_string()).is_some_and(|n| n == "NotFoundError") => Ok(()),
                Err(e) => Err(failed(&format!("could not remove {path}"))(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check_path;

    #[test]
    fn only_plain_relative_paths_are_kept() {
        assert_eq!(check_path("notes.txt").unwrap(), ["notes.txt"]);
        assert_eq!(check_path("out/report.csv").unwrap(), ["out", "report.csv"]);
        for bad in ["", "/etc/passwd", "../up", "a/../b", "a//b", "./a", "a/", "a\\b", "a\u{0}b", &"x/".repeat(17)] {
            let error = check_path(bad).unwrap_err();
            assert!(error.contains("plain relative paths"), "{bad:?}: {error}");
        }
        assert!(check_path(&"a".repeat(256)).is_err());
    }
}
