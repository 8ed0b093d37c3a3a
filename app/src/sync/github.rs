//! The GitHub REST calls of a sync round, built and read without I/O: the
//! browser sends each `Call` with `fetch` and hands the answer back here.
//!
//! A round: read the branch (`GET git/ref/heads/B`), its commit and
//! recursive tree; plan; fetch the blobs to pull; upload the blobs to push
//! (`POST git/blobs`); write one tree on the old one (`POST git/trees`
//! with `base_tree`; a `null` sha deletes a path); one commit with the old
//! head as parent (`POST git/commits`); move the branch without force
//! (`PATCH git/refs/heads/B`, `force: false`), which GitHub refuses with
//! 422 when the branch moved meanwhile, so nothing on it is ever lost.
//! Reads are sent with `cache: no-store` by the browser: GitHub allows
//! caching them for 60 s, and a cached ref would make every push lose its
//! race. Sources: docs.github.com/rest/git (blobs, trees, commits, refs).

use super::plan::Shas;
use base64::Engine;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The one origin the token is ever sent to, unless the user sets another
/// (GitHub Enterprise Server's `https://HOST/api/v3`, or a test's stand-in).
pub const API_ORIGIN: &str = "https://api.github.com";
/// The REST API version the calls are written for.
pub const API_VERSION: &str = "2022-11-28";

/// A repository and branch on a GitHub API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    /// The API's base URL without a trailing slash.
    pub api: String,
    pub owner: String,
    pub name: String,
    pub branch: String,
}

/// One request: method, full URL, JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub method: &'static str,
    pub url: String,
    pub body: Option<String>,
}

impl Remote {
    /// `owner/name` (or a `https://github.com/owner/name` address) on the
    /// API at `api`. Errors say what to type instead.
    pub fn parse(repository: &str, api: &str, branch: &str) -> Result<Remote, String> {
        let trimmed = repository.trim().trim_end_matches('/').trim_end_matches(".git");
        let path = trimmed.strip_prefix("https://github.com/").unwrap_or(trimmed);
        let valid = |s: &str| !s.is_empty() && s.len() <= 100 && s != "." && s != ".." && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        let (owner, name) =
            path.split_once('/').filter(|(o, n)| valid(o) && valid(n)).ok_or_else(|| format!("`{repository}` is not a repository: write it as owner/name, for example octo-user/skills"))?;
        let api = api.trim().trim_end_matches('/');
        let secure = api.starts_with("https://") || api.starts_with("http://127.0.0.1:") || api.starts_with("http://localhost:");
        if !secure || api.contains(['?', '#', ' ']) {
            return Err(format!("`{api}` is not an API address: use {API_ORIGIN} (or your GitHub Enterprise Server's https://HOST/api/v3)"));
        }
        let branch = branch.trim();
        if branch.is_empty() || branch.contains("..") || branch.starts_with('/') || branch.ends_with('/') || branch.contains([' ', '~', '^', ':', '?', '*', '[', '\\']) {
            return Err(format!("`{branch}` is not a branch name"));
        }
        Ok(Remote { api: api.to_string(), owner: owner.to_string(), name: name.to_string(), branch: branch.to_string() })
    }

    /// `owner/name`.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    fn url(&self, rest: &str) -> String {
        format!("{}/repos/{}/{}{rest}", self.api, self.owner, self.name)
    }

    fn call(&self, method: &'static str, rest: &str, body: Option<Value>) -> Call {
        Call { method, url: self.url(rest), body: body.map(|b| b.to_string()) }
    }

    /// The headers of every call (`Content-Type` only matters with a body).
    pub fn headers(token: &str) -> [(&'static str, String); 4] {
        [
            ("Accept", "application/vnd.github+json".to_string()),
            ("Authorization", format!("Bearer {token}")),
            ("X-GitHub-Api-Version", API_VERSION.to_string()),
            ("Content-Type", "application/json".to_string()),
        ]
    }

    pub fn get_repository(&self) -> Call {
        self.call("GET", "", None)
    }

    pub fn get_ref(&self) -> Call {
        self.call("GET", &format!("/git/ref/heads/{}", self.branch), None)
    }

    pub fn get_commit(&self, sha: &str) -> Call {
        self.call("GET", &format!("/git/commits/{sha}"), None)
    }

    pub fn get_tree(&self, sha: &str) -> Call {
        self.call("GET", &format!("/git/trees/{sha}?recursive=1"), None)
    }

    pub fn get_blob(&self, sha: &str) -> Call {
        self.call("GET", &format!("/git/blobs/{sha}"), None)
    }

    /// Uploads `data` as base64, so any bytes survive.
    pub fn create_blob(&self, data: &[u8]) -> Call {
        self.call("POST", "/git/blobs", Some(json!({ "content": base64::engine::general_purpose::STANDARD.encode(data), "encoding": "base64" })))
    }

    /// A tree on `base_tree` writing each path's blob (`None`: deleting it).
    pub fn create_tree(&self, base_tree: &str, changes: &BTreeMap<String, Option<String>>) -> Call {
        let tree: Vec<Value> = changes.iter().map(|(path, sha)| json!({ "path": path, "mode": "100644", "type": "blob", "sha": sha })).collect();
        self.call("POST", "/git/trees", Some(json!({ "base_tree": base_tree, "tree": tree })))
    }

    /// A commit of `tree` on `parent`; the author is the token's user.
    pub fn create_commit(&self, message: &str, tree: &str, parent: &str) -> Call {
        self.call("POST", "/git/commits", Some(json!({ "message": message, "tree": tree, "parents": [parent] })))
    }

    /// Moves the branch to `sha`, only as a fast-forward.
    pub fn update_ref(&self, sha: &str) -> Call {
        self.call("PATCH", &format!("/git/refs/heads/{}", self.branch), Some(json!({ "sha": sha, "force": false })))
    }
}

fn field<'a>(answer: &'a Value, pointer: &str, what: &str) -> Result<&'a str, String> {
    answer.pointer(pointer).and_then(Value::as_str).ok_or_else(|| format!("GitHub's answer has no {what} (`{pointer}`)"))
}

/// The commit a ref answer points at.
pub fn ref_commit(answer: &Value) -> Result<String, String> {
    field(answer, "/object/sha", "commit").map(str::to_string)
}

/// The tree of a commit answer.
pub fn commit_tree(answer: &Value) -> Result<String, String> {
    field(answer, "/tree/sha", "tree").map(str::to_string)
}

/// The `sha` of a created blob, tree or commit.
pub fn created_sha(answer: &Value) -> Result<String, String> {
    field(answer, "/sha", "sha").map(str::to_string)
}

/// Every regular file of a recursive tree answer, path to blob id.
/// Symbolic links and submodules are not files sync owns. A truncated
/// listing (over GitHub's 100,000 entries or 7 MB) is an error, not a
/// partial view that would read as mass deletion.
pub fn tree_files(answer: &Value) -> Result<Shas, String> {
    if answer["truncated"].as_bool() == Some(true) {
        return Err("the repository's tree is too large for GitHub to list in one answer (over 100,000 entries): sync a smaller repository".to_string());
    }
    let entries = answer["tree"].as_array().ok_or("GitHub's tree answer has no `tree` list")?;
    let mut files = Shas::new();
    for entry in entries {
        if entry["type"] == "blob" && matches!(entry["mode"].as_str(), Some("100644" | "100755")) {
            files.insert(field(entry, "/path", "path")?.to_string(), field(entry, "/sha", "sha")?.to_string());
        }
    }
    Ok(files)
}

/// The bytes of a blob answer (base64 with GitHub's line breaks).
pub fn blob_bytes(answer: &Value) -> Result<Vec<u8>, String> {
    let content = field(answer, "/content", "content")?;
    match answer["encoding"].as_str() {
        Some("base64") => base64::engine::general_purpose::STANDARD.decode(content.replace(['\n', '\r'], "")).map_err(|e| format!("GitHub's blob is not valid base64: {e}")),
        Some("utf-8") => Ok(content.as_bytes().to_vec()),
        other => Err(format!("GitHub's blob has an unknown encoding {}", other.map_or_else(|| "(none)".to_string(), crate::quoted))),
    }
}

/// The `message` of an error answer, or an empty string.
pub fn error_message(body: &str) -> String {
    serde_json::from_str::<Value>(body).ok().and_then(|v| v["message"].as_str().map(str::to_string)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_are_named_or_refused_with_the_fix() {
        let remote = Remote::parse(" https://github.com/octo-user/skills.git ", API_ORIGIN, "main").unwrap();
        assert_eq!(remote.full_name(), "octo-user/skills");
        assert_eq!(remote.get_ref().url, "https://api.github.com/repos/octo-user/skills/git/ref/heads/main");
        assert!(Remote::parse("skills", API_ORIGIN, "main").unwrap_err().contains("owner/name"));
        assert!(Remote::parse("a/../b", API_ORIGIN, "main").is_err());
        assert!(Remote::parse("a/b", "http://evil.example", "main").unwrap_err().contains(API_ORIGIN), "the token never goes over plain HTTP");
        assert!(Remote::parse("a/b", "http://127.0.0.1:9999/", "main").is_ok(), "a local stand-in");
        assert!(Remote::parse("a/b", API_ORIGIN, "a..b").is_err());
    }

    #[test]
    fn a_push_is_blobs_a_tree_a_commit_and_a_fast_forward() {
        let remote = Remote::parse("o/r", "https://ghe.example/api/v3", "main").unwrap();
        let blob = remote.create_blob(&[0, 255]);
        assert_eq!((blob.method, blob.url.as_str()), ("POST", "https://ghe.example/api/v3/repos/o/r/git/blobs"));
        assert_eq!(blob.body.unwrap(), r#"{"content":"AP8=","encoding":"base64"}"#);
        let tree = remote.create_tree("t0", &BTreeMap::from([("a.md".to_string(), Some("s1".to_string())), ("b.md".to_string(), None)]));
        let body: Value = serde_json::from_str(&tree.body.unwrap()).unwrap();
        assert_eq!(body, json!({ "base_tree": "t0", "tree": [{ "path": "a.md", "mode": "100644", "type": "blob", "sha": "s1" }, { "path": "b.md", "mode": "100644", "type": "blob", "sha": null }] }));
        let update = remote.update_ref("c1");
        assert_eq!((update.method, update.body.as_deref()), ("PATCH", Some(r#"{"sha":"c1","force":false}"#)));
    }

    #[test]
    fn answers_are_read_or_refused() {
        let tree = json!({ "sha": "t", "truncated": false, "tree": [
            { "path": "skills", "mode": "040000", "type": "tree", "sha": "d" },
            { "path": "skills/a/SKILL.md", "mode": "100644", "type": "blob", "sha": "s1", "size": 3 },
            { "path": "skills/a/run.sh", "mode": "100755", "type": "blob", "sha": "s2" },
            { "path": "skills/a/link", "mode": "120000", "type": "blob", "sha": "s3" },
            { "path": "vendor", "mode": "160000", "type": "commit", "sha": "s4" } ] });
        assert_eq!(tree_files(&tree).unwrap(), Shas::from([("skills/a/SKILL.md".into(), "s1".into()), ("skills/a/run.sh".into(), "s2".into())]));
        assert!(tree_files(&json!({ "truncated": true, "tree": [] })).unwrap_err().contains("too large"));
        assert_eq!(blob_bytes(&json!({ "content": "AP8=\n", "encoding": "base64" })).unwrap(), vec![0, 255]);
        assert_eq!(ref_commit(&json!({ "object": { "sha": "c" } })).unwrap(), "c");
        assert!(commit_tree(&json!({})).unwrap_err().contains("tree"));
        assert_eq!(error_message(r#"{"message":"Bad credentials"}"#), "Bad credentials");
    }
}
