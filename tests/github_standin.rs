//! The GitHub API stand-in used by the sync tests, checked natively: what
//! the Git database calls write is read back with the `git` CLI, and its
//! headers, errors and failures are GitHub's documented ones.

mod common;
// Two simulated devices syncing through the stand-in with the core's rounds.
#[path = "github_standin/rounds.rs"]
mod rounds;

use base64::Engine;
use common::github::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// One request on its own connection; `None` when the connection closed unanswered.
fn send(standin: &GitHubStandIn, method: &str, path: &str, body: Option<Value>, extra: &[(&str, &str)]) -> Option<Response> {
    let stream = TcpStream::connect(("127.0.0.1", standin.port())).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut request = format!("{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: {}\r\nconnection: close\r\norigin: http://127.0.0.1:4000\r\n", body.len());
    for (name, value) in extra {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(&body);
    let mut reader = BufReader::new(stream);
    reader.get_mut().write_all(request.as_bytes()).ok()?;
    let mut status_line = String::new();
    if reader.read_line(&mut status_line).unwrap_or(0) == 0 {
        return None;
    }
    let status = status_line.split_whitespace().nth(1)?.parse().ok()?;
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        match line.trim_end().split_once(':') {
            Some((name, value)) => headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string())),
            None => break,
        }
    }
    let length: usize = headers.iter().find(|(n, _)| n == "content-length").map_or(0, |(_, v)| v.parse().unwrap());
    let mut data = vec![0; length];
    reader.read_exact(&mut data).ok()?;
    Some(Response { status, headers, body: String::from_utf8(data).unwrap() })
}

fn auth() -> String {
    format!("Bearer {TOKEN}")
}

fn api(standin: &GitHubStandIn, method: &str, path: &str, body: Option<Value>) -> Response {
    let path = format!("/repos/{OWNER}/{REPO}{path}");
    send(standin, method, &path, body, &[("authorization", &auth()), ("accept", "application/vnd.github+json"), ("x-github-api-version", "2022-11-28")]).expect("an answer")
}

/// Pushes `files` on top of `main` as the sync client does: blobs, a tree
/// on the base tree, a commit, then the ref moved without force.
fn push(standin: &GitHubStandIn, message: &str, files: &[(&str, Option<&[u8]>)]) -> (Response, String) {
    let head = api(standin, "GET", &format!("/git/ref/heads/{BRANCH}"), None).json()["object"]["sha"].as_str().unwrap().to_string();
    let base_tree = api(standin, "GET", &format!("/git/commits/{head}"), None).json()["tree"]["sha"].as_str().unwrap().to_string();
    let mut entries = Vec::new();
    for (path, data) in files {
        let sha = data.map(|d| {
            let blob = api(standin, "POST", "/git/blobs", Some(json!({ "content": base64::engine::general_purpose::STANDARD.encode(d), "encoding": "base64" })));
            assert_eq!(blob.status, 201, "{}", blob.body);
            blob.json()["sha"].as_str().unwrap().to_string()
        });
        entries.push(json!({ "path": path, "mode": "100644", "type": "blob", "sha": sha }));
    }
    let tree = api(standin, "POST", "/git/trees", Some(json!({ "base_tree": base_tree, "tree": entries })));
    assert_eq!(tree.status, 201, "{}", tree.body);
    let commit = api(
        standin,
        "POST",
        "/git/commits",
        Some(json!({ "message": message, "tree": tree.json()["sha"], "parents": [head], "author": { "name": "LLMos", "email": "sync@llmos.invalid", "date": "2026-01-02T03:04:05Z" } })),
    );
    assert_eq!(commit.status, 201, "{}", commit.body);
    let sha = commit.json()["sha"].as_str().unwrap().to_string();
    (api(standin, "PATCH", &format!("/git/refs/heads/{BRANCH}"), Some(json!({ "sha": sha, "force": false }))), sha)
}

const SKILL: &[u8] = b"---\nname: tea-timer\ndescription: Times a pot of tea.\n---\n\n# Tea timer\n\nSteep for three minutes.\n";

#[test]
fn a_pushed_batch_is_one_commit_that_git_reads_back() {
    let standin = GitHubStandIn::start();
    let binary: &[u8] = &[0, 159, 146, 150, 255, b'\n', 0];
    let (update, sha) = push(&standin, "LLMos sync: 2 files", &[("skills/tea-timer/SKILL.md", Some(SKILL)), ("skills/tea-timer/assets/icon.bin", Some(binary))]);
    assert_eq!(update.status, 200, "{}", update.body);
    assert_eq!(update.json()["object"]["sha"], sha.as_str());
    assert_eq!(update.json()["ref"], "refs/heads/main");

    assert_eq!(standin.head(), sha);
    assert_eq!(standin.git(&["log", "--format=%s|%an|%aI", "main"]), "LLMos sync: 2 files|LLMos|2026-01-02T03:04:05Z\nInitial commit|octo-user|2023-11-14T22:13:20Z\n");
    assert_eq!(standin.git(&["show", "main:skills/tea-timer/SKILL.md"]).as_bytes(), SKILL);
    assert_eq!(standin.git(&["ls-tree", "-r", "--name-only", "main"]), "README.md\nskills/tea-timer/SKILL.md\nskills/tea-timer/assets/icon.bin\n");
    let raw = std::process::Command::new("git").arg("--git-dir").arg(standin.repo_dir()).args(["cat-file", "blob", "main:skills/tea-timer/assets/icon.bin"]).output().unwrap();
    assert_eq!(raw.stdout, binary, "bytes survive base64 both ways");

    // Read back through the API: the recursive tree lists subtrees too, and
    // the blob comes base64 with GitHub's line breaks.
    let tree = api(&standin, "GET", &format!("/git/trees/{sha}?recursive=1"), None).json();
    let paths: Vec<&str> = tree["tree"].as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["README.md", "skills", "skills/tea-timer", "skills/tea-timer/SKILL.md", "skills/tea-timer/assets", "skills/tea-timer/assets/icon.bin"]);
    assert_eq!(tree["truncated"], false);
    let entry = tree["tree"].as_array().unwrap().iter().find(|e| e["path"] == "skills/tea-timer/SKILL.md").unwrap().clone();
    assert_eq!(entry["size"], SKILL.len());
    let blob = api(&standin, "GET", &format!("/git/blobs/{}", entry["sha"].as_str().unwrap()), None).json();
    assert_eq!(blob["encoding"], "base64");
    let decoded = base64::engine::general_purpose::STANDARD.decode(blob["content"].as_str().unwrap().replace('\n', "")).unwrap();
    assert_eq!(decoded, SKILL);
    let commit = api(&standin, "GET", &format!("/git/commits/{sha}"), None).json();
    assert_eq!(commit["message"], "LLMos sync: 2 files");
    assert_eq!(commit["author"]["date"], "2026-01-02T03:04:05Z");
    assert_eq!(commit["parents"].as_array().unwrap().len(), 1);
}

#[test]
fn a_null_sha_deletes_a_path_and_a_folder() {
    let standin = GitHubStandIn::start();
    push(&standin, "add", &[("skills/a/SKILL.md", Some(b"a")), ("skills/a/notes.md", Some(b"n")), ("chats/c1.json", Some(b"{}"))]);
    let (update, _) = push(&standin, "remove", &[("skills/a", None), ("chats/c1.json", None)]);
    assert_eq!(update.status, 200);
    assert_eq!(standin.git(&["ls-tree", "-r", "--name-only", "main"]), "README.md\n");
}

#[test]
fn a_stale_parent_is_not_a_fast_forward() {
    let standin = GitHubStandIn::start();
    let start = standin.head();
    // Another device moves main first.
    let theirs = standin.commit_files("from the phone", &[("skills/b/SKILL.md", Some(b"theirs"))]);
    let tree = api(&standin, "POST", "/git/trees", Some(json!({ "tree": [{ "path": "x.md", "mode": "100644", "type": "blob", "content": "mine" }] }))).json()["sha"].clone();
    let commit = api(&standin, "POST", "/git/commits", Some(json!({ "message": "stale", "tree": tree, "parents": [start] }))).json()["sha"].as_str().unwrap().to_string();
    let update = api(&standin, "PATCH", "/git/refs/heads/main", Some(json!({ "sha": commit, "force": false })));
    assert_eq!(update.status, 422);
    assert_eq!(update.json()["message"], "Update is not a fast forward");
    assert_eq!(update.json()["documentation_url"], "https://docs.github.com/rest");
    assert_eq!(standin.head(), theirs, "nothing moved");
    // Missing objects are refused, not written.
    let missing = api(&standin, "POST", "/git/commits", Some(json!({ "message": "m", "tree": "0".repeat(40), "parents": [] })));
    assert_eq!(missing.status, 422);
    let missing = api(&standin, "PATCH", "/git/refs/heads/main", Some(json!({ "sha": "1".repeat(40) })));
    assert_eq!(missing.status, 422);
    assert_eq!(missing.json()["message"], "Object does not exist");
    let bad_path = api(&standin, "POST", "/git/trees", Some(json!({ "tree": [{ "path": "../x", "mode": "100644", "type": "blob", "content": "x" }] })));
    assert_eq!(bad_path.status, 422);
}

#[test]
fn reads_carry_etags_rate_limits_and_cors_like_api_github_com() {
    let standin = GitHubStandIn::start();
    let first = api(&standin, "GET", "/git/ref/heads/main", None);
    assert_eq!(first.status, 200);
    assert_eq!(first.header("access-control-allow-origin"), Some("*"));
    let exposed = first.header("access-control-expose-headers").unwrap();
    for name in ["ETag", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After"] {
        assert!(exposed.contains(name), "{name} is readable by pages");
    }
    assert_eq!(first.header("x-ratelimit-limit"), Some("5000"));
    assert_eq!(first.header("x-ratelimit-remaining"), Some("4999"));
    assert!(first.header("x-ratelimit-reset").unwrap().parse::<u64>().unwrap() > now());
    assert_eq!(first.header("cache-control"), Some("private, max-age=60, s-maxage=60"));
    let etag = first.header("etag").unwrap().to_string();

    let path = format!("/repos/{OWNER}/{REPO}/git/ref/heads/main");
    let again = send(&standin, "GET", &path, None, &[("authorization", &auth()), ("if-none-match", &etag)]).unwrap();
    assert_eq!(again.status, 304);
    assert_eq!(again.body, "");
    assert_eq!(again.header("x-ratelimit-remaining"), Some("4999"), "a 304 costs nothing");
    // Once main moves, the same tag no longer matches.
    standin.commit_files("moved", &[("a.md", Some(b"a"))]);
    let moved = send(&standin, "GET", &path, None, &[("authorization", &auth()), ("if-none-match", &etag)]).unwrap();
    assert_eq!(moved.status, 200);
    assert_eq!(moved.json()["object"]["sha"], standin.head().as_str());

    let preflight =
        send(&standin, "OPTIONS", &path, None, &[("access-control-request-method", "PATCH"), ("access-control-request-headers", "authorization,content-type,x-github-api-version")]).unwrap();
    assert_eq!(preflight.status, 204);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    assert!(preflight.header("access-control-allow-methods").unwrap().contains("PATCH"));
    let allowed = preflight.header("access-control-allow-headers").unwrap().to_ascii_lowercase();
    for name in ["authorization", "content-type", "if-none-match", "x-github-api-version"] {
        assert!(allowed.contains(name), "{name} may be sent");
    }
    let repo = api(&standin, "GET", "", None).json();
    assert_eq!(repo["full_name"], format!("{OWNER}/{REPO}"));
    assert_eq!(repo["default_branch"], "main");
    assert_eq!(repo["permissions"]["push"], true);
}

#[test]
fn failures_come_on_demand_with_githubs_headers_and_bodies() {
    let standin = GitHubStandIn::start();
    let path = format!("/repos/{OWNER}/{REPO}/git/ref/heads/main");
    let wrong = send(&standin, "GET", &path, None, &[("authorization", "Bearer github_pat_wrong")]).unwrap();
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.json()["message"], "Bad credentials");
    assert_eq!(wrong.header("access-control-allow-origin"), Some("*"), "errors are readable by pages too");
    let none = send(&standin, "GET", &path, None, &[]).unwrap();
    assert_eq!(none.status, 401);

    standin.fail_next("GET", "/git/ref/", Failure::RateLimited { reset_in: 120 });
    let limited = api(&standin, "GET", "/git/ref/heads/main", None);
    assert_eq!(limited.status, 403);
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    let reset: u64 = limited.header("x-ratelimit-reset").unwrap().parse().unwrap();
    assert!((now() + 100..=now() + 121).contains(&reset), "reset {reset}");
    assert!(limited.json()["message"].as_str().unwrap().starts_with("API rate limit exceeded"));

    standin.fail_next("POST", "/git/blobs", Failure::SecondaryRateLimit { retry_after: 30 });
    let secondary = api(&standin, "POST", "/git/blobs", Some(json!({ "content": "x" })));
    assert_eq!(secondary.status, 403);
    assert_eq!(secondary.header("retry-after"), Some("30"));

    standin.fail_next("PATCH", "/git/refs/", Failure::Status(409));
    assert_eq!(api(&standin, "PATCH", "/git/refs/heads/main", Some(json!({ "sha": standin.head() }))).status, 409);
    standin.fail_next("GET", "/git/commits/", Failure::Status(502));
    assert_eq!(api(&standin, "GET", &format!("/git/commits/{}", standin.head()), None).status, 502);

    // Dropped before: nothing happens. Dropped after: the ref did move.
    let before = standin.head();
    let (_, commit) = {
        standin.fail_next("PATCH", "/git/refs/", Failure::Drop);
        let head = before.clone();
        let tree = api(
            &standin,
            "POST",
            "/git/trees",
            Some(json!({ "base_tree": standin.git(&["rev-parse", "main^{tree}"]).trim(), "tree": [{ "path": "d.md", "mode": "100644", "type": "blob", "content": "d" }] })),
        )
        .json()["sha"]
            .clone();
        let commit = api(&standin, "POST", "/git/commits", Some(json!({ "message": "d", "tree": tree, "parents": [head] }))).json()["sha"].as_str().unwrap().to_string();
        let path = format!("/repos/{OWNER}/{REPO}/git/refs/heads/main");
        let dropped = send(&standin, "PATCH", &path, Some(json!({ "sha": commit })), &[("authorization", &auth())]);
        (dropped.map(|r| r.status), commit)
    };
    assert_eq!(standin.head(), before, "a connection dropped before handling changes nothing");
    standin.fail_next("PATCH", "/git/refs/", Failure::DropAfterApply);
    let path = format!("/repos/{OWNER}/{REPO}/git/refs/heads/main");
    assert!(send(&standin, "PATCH", &path, Some(json!({ "sha": commit })), &[("authorization", &auth())]).is_none(), "no answer");
    assert_eq!(standin.head(), commit, "but the update was applied");
    assert_eq!(standin.pending_failures(), 0);

    standin.set_unreachable(true);
    assert!(send(&standin, "GET", &path.replace("refs", "ref"), None, &[("authorization", &auth())]).is_none());
    standin.set_unreachable(false);
    assert_eq!(api(&standin, "GET", "/git/ref/heads/main", None).status, 200);
    assert!(standin.requests().iter().all(|r| r.method == "OPTIONS" || r.header("authorization").is_some() || r.path.contains("/git/ref/")));
}
