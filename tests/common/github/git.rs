//! The stand-in's object store: a bare repository driven by the `git` CLI,
//! so what the API writes is exactly what `git log` and `git clone` read.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A bare repository and the author the stand-in commits as.
pub struct Repo {
    pub dir: PathBuf,
}

/// One entry of a tree listing, as `git ls-tree -r -t -l` gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeEntry {
    pub path: String,
    pub mode: String,
    pub kind: String,
    pub sha: String,
    pub size: Option<u64>,
}

/// A commit object, parsed from `git cat-file commit`.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitObject {
    pub tree: String,
    pub parents: Vec<String>,
    /// (name, email, seconds since the epoch, timezone as `+0000`).
    pub author: (String, String, i64, String),
    pub committer: (String, String, i64, String),
    pub message: String,
}

/// A change to a tree: a blob at a path (`sha: None` deletes the path).
#[derive(Debug, Clone)]
pub struct TreeChange {
    pub path: String,
    pub mode: String,
    pub kind: String,
    pub sha: Option<String>,
}

impl Repo {
    /// `git init --bare` with `main` as its default branch and one first
    /// commit (a README), as GitHub creates a repository with a README.
    pub fn create(dir: &Path) -> Repo {
        let repo = Repo { dir: dir.to_path_buf() };
        repo.git(&["init", "--quiet", "--bare", "--initial-branch=main"], None, &[]).expect("git init");
        let blob = repo.write_blob(b"# skills\n\nSynced by LLMos.\n").unwrap();
        let tree = repo.write_tree(None, &[TreeChange { path: "README.md".into(), mode: "100644".into(), kind: "blob".into(), sha: Some(blob) }]).unwrap();
        let author = ("octo-user".to_string(), "octo-user@users.noreply.github.com".to_string(), 1_700_000_000, "+0000".to_string());
        let commit = repo.write_commit(&tree, &[], &author, &author, "Initial commit").unwrap();
        repo.git(&["update-ref", "refs/heads/main", &commit], None, &[]).unwrap();
        repo
    }

    /// Runs git on the repository; `Err` carries git's own message.
    pub fn git(&self, args: &[&str], stdin: Option<&[u8]>, env: &[(&str, String)]) -> Result<Vec<u8>, String> {
        let mut command = Command::new("git");
        command.arg("--git-dir").arg(&self.dir).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        // The machine's git configuration must not change what is written.
        command.env("GIT_CONFIG_NOSYSTEM", "1").env("GIT_CONFIG_GLOBAL", "/dev/null");
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().map_err(|e| format!("git: {e}"))?;
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.unwrap_or_default()).map_err(|e| format!("git stdin: {e}"))?;
        drop(input);
        let output = child.wait_with_output().map_err(|e| format!("git: {e}"))?;
        if output.status.success() {
            Ok(output.stdout)
        } else {
            Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
        }
    }

    fn text(&self, args: &[&str]) -> Result<String, String> {
        self.git(args, None, &[]).map(|out| String::from_utf8_lossy(&out).trim().to_string())
    }

    pub fn write_blob(&self, data: &[u8]) -> Result<String, String> {
        self.git(&["hash-object", "-w", "--stdin"], Some(data), &[]).map(|out| String::from_utf8_lossy(&out).trim().to_string())
    }

    /// The type of object `sha` names (`blob`, `tree`, `commit`), if it exists.
    pub fn kind(&self, sha: &str) -> Option<String> {
        if !is_sha(sha) {
            return None;
        }
        self.text(&["cat-file", "-t", sha]).ok()
    }

    pub fn blob(&self, sha: &str) -> Option<Vec<u8>> {
        (self.kind(sha)? == "blob").then(|| self.git(&["cat-file", "blob", sha], None, &[]).ok()).flatten()
    }

    pub fn commit(&self, sha: &str) -> Option<CommitObject> {
        if self.kind(sha)? != "commit" {
            return None;
        }
        let raw = String::from_utf8(self.git(&["cat-file", "commit", sha], None, &[]).ok()?).ok()?;
        let (head, message) = raw.split_once("\n\n").unwrap_or((&raw, ""));
        let mut commit = CommitObject { tree: String::new(), parents: vec![], author: Default::default(), committer: Default::default(), message: message.to_string() };
        for line in head.lines() {
            let (key, value) = line.split_once(' ').unwrap_or((line, ""));
            match key {
                "tree" => commit.tree = value.to_string(),
                "parent" => commit.parents.push(value.to_string()),
                "author" => commit.author = person(value),
                "committer" => commit.committer = person(value),
                _ => {}
            }
        }
        Some(commit)
    }

    /// Every entry under tree `sha` (subtrees too when `recursive`).
    pub fn tree(&self, sha: &str, recursive: bool) -> Option<Vec<TreeEntry>> {
        if self.kind(sha)? != "tree" {
            return None;
        }
        let args: &[&str] = if recursive { &["ls-tree", "-r", "-t", "-l", "-z", sha] } else { &["ls-tree", "-l", "-z", sha] };
        let out = self.git(args, None, &[]).ok()?;
        let mut entries = Vec::new();
        for record in out.split(|&b| b == 0).filter(|r| !r.is_empty()) {
            let record = String::from_utf8_lossy(record);
            let (meta, path) = record.split_once('\t')?;
            let mut parts = meta.split_whitespace();
            let (mode, kind, sha, size) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
            entries.push(TreeEntry { path: path.to_string(), mode: mode.to_string(), kind: kind.to_string(), sha: sha.to_string(), size: size.parse().ok() });
        }
        Some(entries)
    }

    /// A new tree: `base` (or nothing) with `changes` applied, built in a
    /// scratch index so nested paths and deletions work as on GitHub.
    pub fn write_tree(&self, base: Option<&str>, changes: &[TreeChange]) -> Result<String, String> {
        let index = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
        let index_path = index.path().to_string_lossy().into_owned();
        // git wants to create the index itself: an empty file is not an index.
        std::fs::remove_file(&index_path).ok();
        // `ls-files` wants a work tree: an empty one, never read or written.
        let work = tempfile::tempdir().map_err(|e| e.to_string())?;
        let env = [("GIT_INDEX_FILE", index_path.clone()), ("GIT_WORK_TREE", work.path().to_string_lossy().into_owned())];
        match base {
            Some(base) => self.git(&["read-tree", base], None, &env)?,
            None => self.git(&["read-tree", "--empty"], None, &env)?,
        };
        for change in changes {
            match (&change.sha, change.kind.as_str()) {
                (None, _) => {
                    self.git(&["update-index", "--force-remove", "--", &change.path], None, &env)?;
                    // A deleted folder: every path under it goes too.
                    let under = self.git(&["ls-files", "-z", "--", &format!("{}/", change.path)], None, &env)?;
                    for path in under.split(|&b| b == 0).filter(|p| !p.is_empty()) {
                        self.git(&["update-index", "--force-remove", "--", &String::from_utf8_lossy(path)], None, &env)?;
                    }
                }
                (Some(sha), "tree") => {
                    self.git(&["read-tree", &format!("--prefix={}/", change.path), sha], None, &env)?;
                }
                (Some(sha), _) => {
                    self.git(&["update-index", "--add", "--cacheinfo", &format!("{},{},{}", change.mode, sha, change.path)], None, &env)?;
                }
            }
        }
        let tree = self.git(&["write-tree"], None, &env)?;
        let _ = std::fs::remove_file(&index_path);
        Ok(String::from_utf8_lossy(&tree).trim().to_string())
    }

    pub fn write_commit(&self, tree: &str, parents: &[String], author: &(String, String, i64, String), committer: &(String, String, i64, String), message: &str) -> Result<String, String> {
        let mut args = vec!["commit-tree".to_string(), tree.to_string()];
        for parent in parents {
            args.extend(["-p".to_string(), parent.clone()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env = [
            ("GIT_AUTHOR_NAME", author.0.clone()),
            ("GIT_AUTHOR_EMAIL", author.1.clone()),
            ("GIT_AUTHOR_DATE", format!("{} {}", author.2, author.3)),
            ("GIT_COMMITTER_NAME", committer.0.clone()),
            ("GIT_COMMITTER_EMAIL", committer.1.clone()),
            ("GIT_COMMITTER_DATE", format!("{} {}", committer.2, committer.3)),
        ];
        self.git(&args, Some(message.as_bytes()), &env).map(|out| String::from_utf8_lossy(&out).trim().to_string())
    }

    /// The commit `name` (`refs/heads/main`) points at.
    pub fn resolve_ref(&self, name: &str) -> Option<String> {
        self.text(&["rev-parse", "--verify", "--quiet", &format!("{name}^{{commit}}")]).ok()
    }

    pub fn is_ancestor(&self, old: &str, new: &str) -> bool {
        self.git(&["merge-base", "--is-ancestor", old, new], None, &[]).is_ok()
    }

    /// Moves `name` from `old` to `new` atomically (`old: None` creates it).
    pub fn update_ref(&self, name: &str, new: &str, old: Option<&str>) -> Result<(), String> {
        let zero = "0".repeat(40);
        self.git(&["update-ref", name, new, old.unwrap_or(&zero)], None, &[]).map(|_| ())
    }
}

pub fn is_sha(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `Name <email> 1700000000 +0000` → its parts.
fn person(value: &str) -> (String, String, i64, String) {
    let (name, rest) = value.split_once(" <").unwrap_or((value, ""));
    let (email, rest) = rest.split_once("> ").unwrap_or((rest, ""));
    let mut when = rest.split_whitespace();
    let seconds = when.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    (name.to_string(), email.to_string(), seconds, when.next().unwrap_or("+0000").to_string())
}
