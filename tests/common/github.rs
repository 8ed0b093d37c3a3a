//! A stand-in for the GitHub REST API, for tests that cannot reach
//! api.github.com: a std-only HTTP/1.1 server on 127.0.0.1 answering the
//! calls the sync client makes (the repository, the Git database API:
//! refs, commits, trees, blobs) in the documented wire format — JSON
//! shapes, `ETag` and `If-None-Match`, `x-ratelimit-*` headers, error
//! bodies, CORS as api.github.com answers browsers — with a real bare
//! repository behind it, driven by the `git` CLI, so what a test pushes is
//! read back with `git log`, `git show` or `git clone`.
//!
//! Failures come on demand: a refused token (401), the primary rate limit
//! (403 with `x-ratelimit-remaining: 0` and the reset time) and the
//! secondary one (403 with `retry-after`), a 409, a 5xx, a connection
//! dropped before the request is handled or after it was applied but
//! before the answer, and a server that is unreachable altogether. A
//! non-fast-forward ref update is refused with 422 on its own, as on GitHub.
//!
//! Deliberate differences from the real service: one repository
//! (`OWNER/REPO`), one accepted token, no pagination, no GraphQL.
//! Split by job: `git` is the object store, `api` the routes.

mod api;
pub mod git;

use std::collections::VecDeque;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub const OWNER: &str = "octo-user";
pub const REPO: &str = "skills";
pub const BRANCH: &str = "main";
/// The fine-grained token the stand-in accepts unless changed.
pub const TOKEN: &str = "github_pat_11STANDIN0000000000_standintokenforteststhatisnotreal";
/// The primary rate limit of an authenticated user.
pub const RATE_LIMIT: u64 = 5000;

/// What goes wrong with the next matching request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Any status with GitHub's error body (401 is "Bad credentials").
    Status(u16),
    /// The primary rate limit: 403, `x-ratelimit-remaining: 0`, the reset
    /// `reset_in` seconds from now.
    RateLimited { reset_in: u64 },
    /// A secondary rate limit: 403 with `retry-after` seconds.
    SecondaryRateLimit { retry_after: u64 },
    /// The connection closes before the request is handled.
    Drop,
    /// The request is carried out, then the connection closes unanswered:
    /// the client cannot know whether it happened.
    DropAfterApply,
}

/// A request as received. Header names are lowercase; `path` keeps the query.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

struct State {
    token: String,
    /// (method, a part of the path, failure), used in order.
    failures: VecDeque<(String, String, Failure)>,
    requests: Vec<Recorded>,
    remaining: u64,
    reset: u64,
}

struct Shared {
    state: Mutex<State>,
    /// Git writes one at a time, as the real service serialises ref updates.
    repo: Mutex<git::Repo>,
    stopped: AtomicBool,
    unreachable: AtomicBool,
    connections: Mutex<Vec<TcpStream>>,
    origin: String,
}

pub struct GitHubStandIn {
    port: u16,
    shared: Arc<Shared>,
    _dir: tempfile::TempDir,
}

impl GitHubStandIn {
    /// A stand-in whose repository holds one commit (a README) on `main`.
    pub fn start() -> GitHubStandIn {
        let dir = tempfile::tempdir().unwrap();
        let repo = git::Repo::create(&dir.path().join(format!("{REPO}.git")));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = State { token: TOKEN.to_string(), failures: VecDeque::new(), requests: Vec::new(), remaining: RATE_LIMIT, reset: now() + 3600 };
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            repo: Mutex::new(repo),
            stopped: AtomicBool::new(false),
            unreachable: AtomicBool::new(false),
            connections: Mutex::new(Vec::new()),
            origin: format!("http://127.0.0.1:{port}"),
        });
        let accepting = shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if accepting.stopped.load(Ordering::SeqCst) {
                    return;
                }
                if accepting.unreachable.load(Ordering::SeqCst) {
                    let _ = stream.shutdown(Shutdown::Both);
                    continue;
                }
                if let Ok(clone) = stream.try_clone() {
                    accepting.connections.lock().unwrap().push(clone);
                }
                let shared = accepting.clone();
                std::thread::spawn(move || api::serve(stream, &shared));
            }
        });
        GitHubStandIn { port, shared, _dir: dir }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`: the API base URL, in place of https://api.github.com.
    pub fn base_url(&self) -> String {
        self.shared.origin.clone()
    }

    /// The bare repository, for `git --git-dir` and `git clone`.
    pub fn repo_dir(&self) -> PathBuf {
        self.shared.repo.lock().unwrap().dir.clone()
    }

    /// Runs git on the bare repository and returns its standard output.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.shared.repo.lock().unwrap().git(args, None, &[]).unwrap_or_else(|e| panic!("git {args:?}: {e}"));
        String::from_utf8(out).unwrap()
    }

    /// The commit `main` points at.
    pub fn head(&self) -> String {
        self.shared.repo.lock().unwrap().resolve_ref(&format!("refs/heads/{BRANCH}")).unwrap()
    }

    /// Commits `files` (path, content; `None` deletes) on `main` as another
    /// device would, and returns the new commit's sha.
    pub fn commit_files(&self, message: &str, files: &[(&str, Option<&[u8]>)]) -> String {
        let repo = self.shared.repo.lock().unwrap();
        let head = repo.resolve_ref(&format!("refs/heads/{BRANCH}")).unwrap();
        let base = repo.commit(&head).unwrap().tree;
        let changes: Vec<git::TreeChange> =
            files.iter().map(|(path, data)| git::TreeChange { path: path.to_string(), mode: "100644".into(), kind: "blob".into(), sha: data.map(|d| repo.write_blob(d).unwrap()) }).collect();
        let tree = repo.write_tree(Some(&base), &changes).unwrap();
        let who = ("other-device".to_string(), "other@example.org".to_string(), now() as i64, "+0000".to_string());
        let commit = repo.write_commit(&tree, &[head.clone()], &who, &who, message).unwrap();
        repo.update_ref(&format!("refs/heads/{BRANCH}"), &commit, Some(&head)).unwrap();
        commit
    }

    pub fn set_token(&self, token: &str) {
        self.shared.state.lock().unwrap().token = token.to_string();
    }

    /// The next request whose method is `method` and whose path contains
    /// `path_part` meets `failure`. Failures are used in order.
    pub fn fail_next(&self, method: &str, path_part: &str, failure: Failure) {
        self.shared.state.lock().unwrap().failures.push_back((method.to_string(), path_part.to_string(), failure));
    }

    pub fn pending_failures(&self) -> usize {
        self.shared.state.lock().unwrap().failures.len()
    }

    /// `true`: every connection is closed at once, as if the host could not
    /// be reached; the repository is kept.
    pub fn set_unreachable(&self, unreachable: bool) {
        self.shared.unreachable.store(unreachable, Ordering::SeqCst);
        if unreachable {
            for connection in self.shared.connections.lock().unwrap().drain(..) {
                let _ = connection.shutdown(Shutdown::Both);
            }
        }
    }

    /// Every request so far, preflights included, in order of arrival.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.state.lock().unwrap().requests.clone()
    }

    pub fn take_requests(&self) -> Vec<Recorded> {
        std::mem::take(&mut self.shared.state.lock().unwrap().requests)
    }
}

impl Drop for GitHubStandIn {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        for connection in self.shared.connections.lock().unwrap().drain(..) {
            let _ = connection.shutdown(Shutdown::Both);
        }
    }
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}
