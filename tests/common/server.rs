//! A static file server for browser tests: serves a built site under a base
//! path on 127.0.0.1 and records every path requested, so a test can assert
//! what a page loaded (for example, that a skill page fetched no script).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub struct StaticServer {
    pub port: u16,
    requests: Arc<Mutex<Vec<String>>>,
    served: Arc<Mutex<u64>>,
    /// While set, every connection is closed unanswered: the network is cut.
    down: Arc<AtomicBool>,
}

impl StaticServer {
    /// Serves `site` at `base` (`/` or `/repo/`); other paths answer 404.
    pub fn start(site: &Path, base: &str) -> StaticServer {
        Self::start_with(site, base, "no-store")
    }

    /// As `start`, with GitHub Pages' caching (`max-age=600`), so a second
    /// visit reads from the browser's cache (for benchmarks).
    pub fn start_cached(site: &Path, base: &str) -> StaticServer {
        Self::start_with(site, base, "max-age=600")
    }

    fn start_with(site: &Path, base: &str, cache: &'static str) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let served = Arc::new(Mutex::new(0));
        let down = Arc::new(AtomicBool::new(false));
        let (site, base, log, bytes, cut) = (site.to_path_buf(), base.to_string(), requests.clone(), served.clone(), down.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if cut.load(Ordering::SeqCst) {
                    let _ = stream.shutdown(std::net::Shutdown::Both);
                    continue;
                }
                let (site, base, log, bytes, cut) = (site.clone(), base.clone(), log.clone(), bytes.clone(), cut.clone());
                std::thread::spawn(move || serve(stream, &site, &base, &log, &bytes, cache, &cut));
            }
        });
        StaticServer { port, requests, served, down }
    }

    /// Cuts the network (`true`): from now on every request fails as if
    /// the server were gone, including those on open connections; `false`
    /// serves again (a new build deployed to the same folder).
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Bytes of response bodies sent since the last call.
    pub fn take_bytes(&self) -> u64 {
        std::mem::take(&mut *self.served.lock().unwrap())
    }

    /// Paths requested since the last call.
    pub fn take_requests(&self) -> Vec<String> {
        std::mem::take(&mut *self.requests.lock().unwrap())
    }
}

fn serve(stream: TcpStream, site: &Path, base: &str, log: &Mutex<Vec<String>>, served: &Mutex<u64>, cache: &str, down: &AtomicBool) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut stream = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                break;
            }
        }
        if down.load(Ordering::SeqCst) {
            let _ = stream.shutdown(std::net::Shutdown::Both);
            return;
        }
        let target = request_line.split_whitespace().nth(1).unwrap_or("/").to_string();
        let path = target.split(['?', '#']).next().unwrap().to_string();
        log.lock().unwrap().push(path.clone());
        let file = path.strip_prefix(base).map(|rest| resolve(site, rest));
        let (status, body, mime) = match file.and_then(|f| std::fs::read(&f).ok().map(|b| (b, f))) {
            Some((body, file)) => ("200 OK", body, mime(&file)),
            None => ("404 Not Found", std::fs::read(site.join("404.html")).unwrap_or_default(), "text/html; charset=utf-8"),
        };
        // As GitHub Pages does: every file may be read from any origin, which
        // the skill sandbox (an opaque origin) needs for the Python runtime.
        let head = format!("HTTP/1.1 {status}\r\nContent-Type: {mime}\r\nContent-Length: {}\r\nCache-Control: {cache}\r\nAccess-Control-Allow-Origin: *\r\n\r\n", body.len());
        *served.lock().unwrap() += body.len() as u64;
        if stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(&body)).is_err() {
            return;
        }
    }
}

/// The file for a request path, percent-decoded as static hosts do (a page
/// of `数据分析` is requested as `%E6%95%B0…`).
fn resolve(site: &Path, rest: &str) -> PathBuf {
    let mut path = site.to_path_buf();
    for part in rest.split('/').map(super::percent_decode).filter(|p| !p.is_empty() && p != "..") {
        path.push(part);
    }
    if rest.is_empty() || rest.ends_with('/') {
        path.push("index.html");
    }
    path
}

fn mime(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css",
        Some("js" | "mjs") => "text/javascript",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}
