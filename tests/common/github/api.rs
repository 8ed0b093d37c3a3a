//! The routes of the GitHub stand-in: the documented requests and answers
//! of the repository and Git database endpoints, with GitHub's headers,
//! conditional requests, errors and CORS.

use super::git::{is_sha, CommitObject, TreeChange};
use super::{now, Failure, Recorded, Shared, BRANCH, OWNER, RATE_LIMIT, REPO};
use crate::common::providers::http::{read_request, respond, Request};
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::io::{self, BufReader};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::Ordering;

type Headers = Vec<(String, String)>;

/// What api.github.com sends on every answer to a browser.
const EXPOSED: &str = "ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset";
/// The request headers its preflight allows; anything else is blocked by the browser.
const ALLOWED: &str = "Authorization, Content-Type, If-Match, If-Modified-Since, If-None-Match, If-Unmodified-Since, Accept-Encoding, X-GitHub-OTP, X-Requested-With, User-Agent, GraphQL-Features, X-Github-Next-Global-ID, X-GitHub-Api-Version";
const DOCS: &str = "https://docs.github.com/rest";

fn header(name: &str, value: impl Into<String>) -> (String, String) {
    (name.to_string(), value.into())
}

pub(super) fn serve(stream: TcpStream, shared: &Shared) {
    let Ok(clone) = stream.try_clone() else { return };
    let mut reader = BufReader::new(clone);
    let mut writer = stream;
    while let Some(request) = read_request(&mut reader) {
        let target = if request.query.is_empty() { request.path.clone() } else { format!("{}?{}", request.path, request.query) };
        shared.state.lock().unwrap().requests.push(Recorded { method: request.method.clone(), path: target, headers: request.headers.clone(), body: request.body.clone() });
        match handle(&request, &mut writer, shared) {
            Ok(true) if !shared.stopped.load(Ordering::SeqCst) && !shared.unreachable.load(Ordering::SeqCst) => {}
            _ => break,
        }
    }
    let _ = writer.shutdown(Shutdown::Both);
}

fn error(message: &str, status: u16) -> String {
    json!({ "message": message, "documentation_url": DOCS, "status": status.to_string() }).to_string()
}

fn handle(request: &Request, writer: &mut TcpStream, shared: &Shared) -> io::Result<bool> {
    if request.method == "OPTIONS" {
        let headers = vec![
            header("access-control-allow-origin", "*"),
            header("access-control-allow-headers", ALLOWED),
            header("access-control-allow-methods", "GET, POST, PATCH, PUT, DELETE"),
            header("access-control-expose-headers", EXPOSED),
            header("access-control-max-age", "86400"),
        ];
        return respond(writer, 204, &headers, "");
    }
    let failure = {
        let mut state = shared.state.lock().unwrap();
        let position = state.failures.iter().position(|(method, part, _)| *method == request.method && request.path.contains(part.as_str()));
        position.map(|p| state.failures.remove(p).unwrap().2)
    };
    if failure == Some(Failure::Drop) {
        return Ok(false);
    }
    let mut headers = vec![header("access-control-allow-origin", "*"), header("access-control-expose-headers", EXPOSED), header("x-github-media-type", "github.v3; format=json")];
    headers.push(header("x-github-request-id", format!("STANDIN:{}", shared.state.lock().unwrap().requests.len())));
    let token = shared.state.lock().unwrap().token.clone();
    let given = request.header("authorization").and_then(|a| a.strip_prefix("Bearer ").or_else(|| a.strip_prefix("token ")));
    if given != Some(token.as_str()) || failure == Some(Failure::Status(401)) {
        return respond(writer, 401, &headers, &error("Bad credentials", 401));
    }
    match failure {
        Some(Failure::RateLimited { reset_in }) => {
            let reset = now() + reset_in;
            headers.extend([
                header("x-ratelimit-limit", RATE_LIMIT.to_string()),
                header("x-ratelimit-remaining", "0"),
                header("x-ratelimit-used", RATE_LIMIT.to_string()),
                header("x-ratelimit-reset", reset.to_string()),
                header("x-ratelimit-resource", "core"),
            ]);
            return respond(writer, 403, &headers, &error("API rate limit exceeded for user ID 1.", 403));
        }
        Some(Failure::SecondaryRateLimit { retry_after }) => {
            headers.push(header("retry-after", retry_after.to_string()));
            return respond(writer, 403, &headers, &error("You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", 403));
        }
        Some(Failure::Status(status)) => {
            let message = match status {
                409 => "Git Repository is empty.".to_string(),
                403 => "Resource not accessible by personal access token".to_string(),
                404 => "Not Found".to_string(),
                _ => "Server Error".to_string(),
            };
            return respond(writer, status, &headers, &error(&message, status));
        }
        _ => {}
    }
    let (status, body, etag_able) = route(request, shared);
    // Every authenticated answer counts against the primary limit, but a 304.
    let mut etag = None;
    if etag_able && status == 200 {
        let tag = format!("W/\"{:x}\"", Sha256::digest(body.as_bytes()));
        if request.header("if-none-match") == Some(tag.as_str()) {
            etag = Some((tag, true));
        } else {
            etag = Some((tag, false));
        }
    }
    let not_modified = etag.as_ref().is_some_and(|(_, hit)| *hit);
    let (remaining, reset) = {
        let mut state = shared.state.lock().unwrap();
        if !not_modified {
            state.remaining = state.remaining.saturating_sub(1);
        }
        (state.remaining, state.reset)
    };
    headers.extend([
        header("x-ratelimit-limit", RATE_LIMIT.to_string()),
        header("x-ratelimit-remaining", remaining.to_string()),
        header("x-ratelimit-used", (RATE_LIMIT - remaining).to_string()),
        header("x-ratelimit-reset", reset.to_string()),
        header("x-ratelimit-resource", "core"),
    ]);
    if let Some((tag, _)) = &etag {
        // As GitHub: authenticated reads may be cached by the browser for 60 s.
        headers.extend([header("etag", tag.clone()), header("cache-control", "private, max-age=60, s-maxage=60"), header("vary", "Accept, Authorization, Cookie, X-GitHub-OTP, Accept-Encoding")]);
    }
    if failure == Some(Failure::DropAfterApply) {
        return Ok(false);
    }
    if not_modified {
        return respond(writer, 304, &headers, "");
    }
    respond(writer, status, &headers, &body)
}

/// Answers one API call: (status, JSON body, whether it is a cacheable read).
fn route(request: &Request, shared: &Shared) -> (u16, String, bool) {
    let prefix = format!("/repos/{OWNER}/{REPO}");
    let Some(rest) = request.path.strip_prefix(&prefix) else {
        return (404, error("Not Found", 404), false);
    };
    let api = format!("{}{prefix}", shared.origin);
    let repo = shared.repo.lock().unwrap();
    let body: Value = if request.body.is_empty() { Value::Null } else { serde_json::from_str(&request.body).unwrap_or(Value::Null) };
    let bad_json = !request.body.is_empty() && body.is_null();
    if bad_json {
        return (400, error("Problems parsing JSON", 400), false);
    }
    let method = request.method.as_str();
    let segments: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        ("GET", [""]) => (200, repository(&shared.origin).to_string(), true),
        ("GET", ["git", "ref" | "refs", "heads", branch @ ..]) => {
            let name = format!("refs/heads/{}", branch.join("/"));
            match repo.resolve_ref(&name) {
                Some(sha) => (200, reference(&api, &name, &sha).to_string(), true),
                None => (404, error("Not Found", 404), false),
            }
        }
        ("POST", ["git", "refs"]) => {
            let (Some(name), Some(sha)) = (body["ref"].as_str(), body["sha"].as_str()) else {
                return (422, error("Invalid request.\n\n\"ref\", \"sha\" weren't supplied.", 422), false);
            };
            if !name.starts_with("refs/") || name.matches('/').count() < 2 {
                return (422, error("Reference name must start with 'refs/' and have at least two slashes.", 422), false);
            }
            if repo.kind(sha).as_deref() != Some("commit") {
                return (422, error("Object does not exist", 422), false);
            }
            match repo.update_ref(name, sha, None) {
                Ok(()) => (201, reference(&api, name, sha).to_string(), false),
                Err(_) => (422, error("Reference already exists", 422), false),
            }
        }
        ("PATCH", ["git", "refs", "heads", branch @ ..]) => {
            let name = format!("refs/heads/{}", branch.join("/"));
            let Some(sha) = body["sha"].as_str() else {
                return (422, error("Invalid request.\n\n\"sha\" wasn't supplied.", 422), false);
            };
            let Some(old) = repo.resolve_ref(&name) else {
                return (422, error("Reference does not exist", 422), false);
            };
            if repo.kind(sha).as_deref() != Some("commit") {
                return (422, error("Object does not exist", 422), false);
            }
            let force = body["force"].as_bool().unwrap_or(false);
            if !force && !repo.is_ancestor(&old, sha) {
                return (422, error("Update is not a fast forward", 422), false);
            }
            match repo.update_ref(&name, sha, Some(&old)) {
                Ok(()) => (200, reference(&api, &name, sha).to_string(), false),
                Err(_) => (422, error("Update is not a fast forward", 422), false),
            }
        }
        ("GET", ["git", "commits", sha]) => match repo.commit(sha) {
            Some(commit) => (200, commit_json(&api, sha, &commit).to_string(), true),
            None => (404, error("Not Found", 404), false),
        },
        ("POST", ["git", "commits"]) => {
            let (Some(tree), Some(message)) = (body["tree"].as_str(), body["message"].as_str()) else {
                return (422, error("Invalid request.\n\n\"message\", \"tree\" weren't supplied.", 422), false);
            };
            if repo.kind(tree).as_deref() != Some("tree") {
                return (422, error("Tree SHA does not exist", 422), false);
            }
            let parents: Vec<String> = body["parents"].as_array().map(|p| p.iter().filter_map(|s| s.as_str().map(str::to_string)).collect()).unwrap_or_default();
            if parents.iter().any(|p| repo.kind(p).as_deref() != Some("commit")) {
                return (422, error("Parent SHA does not exist or is not a commit object", 422), false);
            }
            let person = |value: &Value| -> (String, String, i64, String) {
                let when = value["date"].as_str().and_then(parse_date).unwrap_or(now() as i64);
                (value["name"].as_str().unwrap_or(OWNER).to_string(), value["email"].as_str().unwrap_or("octo-user@users.noreply.github.com").to_string(), when, "+0000".to_string())
            };
            let author = person(&body["author"]);
            let committer = if body["committer"].is_object() { person(&body["committer"]) } else { author.clone() };
            match repo.write_commit(tree, &parents, &author, &committer, message) {
                Ok(sha) => (201, commit_json(&api, &sha, &repo.commit(&sha).unwrap()).to_string(), false),
                Err(e) => (422, error(&e, 422), false),
            }
        }
        ("GET", ["git", "trees", sha]) => {
            let recursive = request.query.split('&').any(|q| q.starts_with("recursive=") && q != "recursive=0" && q != "recursive=false" && q != "recursive=");
            // A commit sha names its tree here too, as on GitHub.
            let tree = repo.commit(sha).map(|c| c.tree).unwrap_or_else(|| sha.to_string());
            match repo.tree(&tree, recursive) {
                Some(entries) => (200, tree_json(&api, &tree, &entries).to_string(), true),
                None => (404, error("Not Found", 404), false),
            }
        }
        ("POST", ["git", "trees"]) => {
            let base = body["base_tree"].as_str();
            if let Some(base) = base {
                if repo.kind(base).as_deref() != Some("tree") {
                    return (422, error("Invalid tree info", 422), false);
                }
            }
            let Some(entries) = body["tree"].as_array() else {
                return (422, error("Invalid request.\n\n\"tree\" wasn't supplied.", 422), false);
            };
            let mut changes = Vec::new();
            for entry in entries {
                let (Some(path), Some(mode)) = (entry["path"].as_str(), entry["mode"].as_str()) else {
                    return (422, error("Invalid tree info", 422), false);
                };
                if path.starts_with('/') || path.ends_with('/') || path.split('/').any(|s| s.is_empty() || s == "." || s == ".." || s == ".git") {
                    return (422, error("tree.path contains a malformed path component", 422), false);
                }
                let kind = entry["type"].as_str().unwrap_or("blob").to_string();
                let sha = match (&entry["sha"], entry["content"].as_str()) {
                    (Value::String(sha), _) if is_sha(sha) && repo.kind(sha).is_some() => Some(sha.clone()),
                    (Value::String(_), _) => return (422, error("Invalid tree info", 422), false),
                    (_, Some(content)) => Some(repo.write_blob(content.as_bytes()).unwrap()),
                    (Value::Null, None) if entry.get("sha").is_some() => None,
                    _ => return (422, error("Must supply either tree.sha or tree.content", 422), false),
                };
                changes.push(TreeChange { path: path.to_string(), mode: mode.to_string(), kind, sha });
            }
            match repo.write_tree(base, &changes) {
                Ok(sha) => (201, tree_json(&api, &sha, &repo.tree(&sha, false).unwrap()).to_string(), false),
                Err(e) => (422, error(&e, 422), false),
            }
        }
        ("GET", ["git", "blobs", sha]) => match repo.blob(sha) {
            Some(data) => {
                let encoded = base64::engine::general_purpose::STANDARD.encode(&data);
                // GitHub wraps the base64 at 60 characters, each line ending in `\n`.
                let wrapped: String = encoded.as_bytes().chunks(60).map(|c| format!("{}\n", String::from_utf8_lossy(c))).collect();
                (200, json!({ "sha": sha, "node_id": node_id("B", sha), "size": data.len(), "url": format!("{api}/git/blobs/{sha}"), "content": wrapped, "encoding": "base64" }).to_string(), true)
            }
            None => (404, error("Not Found", 404), false),
        },
        ("POST", ["git", "blobs"]) => {
            let Some(content) = body["content"].as_str() else {
                return (422, error("Invalid request.\n\n\"content\" wasn't supplied.", 422), false);
            };
            let data = match body["encoding"].as_str().unwrap_or("utf-8") {
                "utf-8" => content.as_bytes().to_vec(),
                "base64" => match base64::engine::general_purpose::STANDARD.decode(content.replace(['\n', '\r'], "")) {
                    Ok(data) => data,
                    Err(_) => return (422, error("Invalid Base64 content", 422), false),
                },
                other => return (422, error(&format!("encoding must be one of utf-8 or base64, not {other}"), 422), false),
            };
            // GitHub refuses blobs over 100 MB.
            if data.len() > 100 * 1024 * 1024 {
                return (422, error("Blob too large", 422), false);
            }
            let sha = repo.write_blob(&data).unwrap();
            (201, json!({ "url": format!("{api}/git/blobs/{sha}"), "sha": sha }).to_string(), false)
        }
        (_, _) => (404, error("Not Found", 404), false),
    }
}

fn node_id(kind: &str, sha: &str) -> String {
    format!("{kind}_standin_{}", &sha[..sha.len().min(12)])
}

fn repository(origin: &str) -> Value {
    json!({
        "id": 1, "node_id": "R_standin", "name": REPO, "full_name": format!("{OWNER}/{REPO}"), "private": true,
        "owner": { "login": OWNER, "id": 1, "type": "User" },
        "html_url": format!("https://github.com/{OWNER}/{REPO}"), "url": format!("{origin}/repos/{OWNER}/{REPO}"),
        "default_branch": BRANCH, "visibility": "private",
        "permissions": { "admin": false, "maintain": false, "push": true, "triage": true, "pull": true }
    })
}

fn reference(api: &str, name: &str, sha: &str) -> Value {
    json!({ "ref": name, "node_id": node_id("REF", sha), "url": format!("{api}/git/{name}"), "object": { "type": "commit", "sha": sha, "url": format!("{api}/git/commits/{sha}") } })
}

fn commit_json(api: &str, sha: &str, commit: &CommitObject) -> Value {
    let person = |p: &(String, String, i64, String)| json!({ "name": p.0, "email": p.1, "date": format_date(p.2) });
    json!({
        "sha": sha, "node_id": node_id("C", sha), "url": format!("{api}/git/commits/{sha}"),
        "html_url": format!("https://github.com/{OWNER}/{REPO}/commit/{sha}"),
        "author": person(&commit.author), "committer": person(&commit.committer), "message": commit.message.trim_end_matches('\n'),
        "tree": { "sha": commit.tree, "url": format!("{api}/git/trees/{}", commit.tree) },
        "parents": commit.parents.iter().map(|p| json!({ "sha": p, "url": format!("{api}/git/commits/{p}"), "html_url": format!("https://github.com/{OWNER}/{REPO}/commit/{p}") })).collect::<Vec<_>>(),
        "verification": { "verified": false, "reason": "unsigned", "signature": null, "payload": null, "verified_at": null }
    })
}

fn tree_json(api: &str, sha: &str, entries: &[super::git::TreeEntry]) -> Value {
    let entries: Vec<Value> = entries
        .iter()
        .map(|e| {
            let mut entry = json!({ "path": e.path, "mode": e.mode, "type": e.kind, "sha": e.sha, "url": format!("{api}/git/{}s/{}", e.kind, e.sha) });
            if let Some(size) = e.size {
                entry["size"] = json!(size);
            }
            entry
        })
        .collect();
    json!({ "sha": sha, "url": format!("{api}/git/trees/{sha}"), "tree": entries, "truncated": false })
}

/// Seconds since the epoch as GitHub writes times: `2023-11-14T22:13:20Z`.
pub fn format_date(seconds: i64) -> String {
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}

/// `2023-11-14T22:13:20Z` (UTC only) → seconds since the epoch.
pub fn parse_date(text: &str) -> Option<i64> {
    let text = text.strip_suffix('Z')?;
    let (date, time) = text.split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':').map(|p| p.parse::<i64>().ok());
    let (hour, minute, second) = (t.next()??, t.next()??, t.next()??);
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}
