//! The site's origin holds the visitor's keys and skills, so nothing a skill
//! bundles may run script there, and every page says which scripts it may run.
//!
//! Kinds guarded (issue 10, items 1 and 2): a bundled file that a static host
//! serves as a renderable type (HTML, XHTML, SVG, any XML) runs its script in
//! the origin; a page without a Content-Security-Policy.

mod common;

use common::webdriver::Browser;
use common::*;
use llmos_core::published::INERT_EXTENSIONS;
use llmos_core::published_path;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

static BROWSER: Mutex<()> = Mutex::new(());

/// A document that runs script when a browser renders it as HTML or as any
/// XML type (its elements are in the XHTML namespace), and reports back.
const PAYLOAD: &str = "<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><head><title>x</title></head>\
<body><script>fetch('/ran-script')</script><img src=\"/no-such.png\" onerror=\"fetch('/ran-onerror')\"/></body></html>\n";

/// Extension (lowercase, no dot) → the types one host's table gives it.
type Table = BTreeMap<String, BTreeSet<String>>;

/// Types a browser renders as a document that can hold script.
fn renderable(mime: &str) -> bool {
    let mime = mime.to_ascii_lowercase();
    mime.contains("html") || mime.ends_with("+xml") || mime.ends_with("/xml") || mime.contains("xml-") || mime.contains("xsl")
        || mime == "message/rfc822" || mime.starts_with("multipart/") || mime.contains("mimearchive")
}

/// Python's `mimetypes` (what `python3 -m http.server` serves), read from
/// the real interpreter with the system's `/etc/mime.types`.
fn python_table() -> Table {
    let out = std::process::Command::new("python3")
        .args(["-c", "import json, mimetypes; mimetypes.init(); print(json.dumps(mimetypes.types_map))"])
        .output()
        .expect("python3 runs (scripts/test.sh installs it)");
    let map: BTreeMap<String, String> = serde_json::from_slice(&out.stdout).expect("a JSON table");
    map.into_iter().map(|(ext, mime)| (ext.trim_start_matches('.').to_ascii_lowercase(), BTreeSet::from([mime]))).collect()
}

/// mime-db (GitHub Pages, Node servers). `scripts/test.sh` fetches it from
/// the npm registry and sets `LLMOS_MIME_DB`.
fn mime_db_table() -> Table {
    let path = std::env::var_os("LLMOS_MIME_DB").map(PathBuf::from).or_else(|| {
        let npm = repo("target/npm");
        std::fs::read_dir(npm).ok()?.flatten().map(|e| e.path().join("package/db.json")).find(|p| p.is_file() && p.to_string_lossy().contains("mime-db"))
    });
    let path = path.expect("mime-db is missing: run scripts/test.sh, which fetches it from the npm registry (or set LLMOS_MIME_DB to its db.json)");
    let db: BTreeMap<String, serde_json::Value> = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let mut table = Table::new();
    for (mime, entry) in db {
        for ext in entry["extensions"].as_array().into_iter().flatten().filter_map(|e| e.as_str()) {
            table.entry(ext.to_ascii_lowercase()).or_default().insert(mime.clone());
        }
    }
    table
}

/// mime_guess (what `llmos serve`'s file service uses), for the given
/// extensions.
fn mime_guess_table<'a>(extensions: impl Iterator<Item = &'a String>) -> Table {
    extensions
        .map(|ext| (ext.clone(), mime_guess::from_ext(ext).iter_raw().map(str::to_string).collect::<BTreeSet<_>>()))
        .filter(|(_, types)| !types.is_empty())
        .collect()
}

fn all_tables() -> Vec<(&'static str, Table)> {
    let python = python_table();
    let mime_db = mime_db_table();
    let mut extensions: BTreeSet<String> = python.keys().chain(mime_db.keys()).cloned().collect();
    extensions.extend(INERT_EXTENSIONS.iter().map(|e| e.to_string()));
    let guess = mime_guess_table(extensions.iter());
    vec![("python", python), ("mime-db", mime_db), ("mime_guess", guess)]
}

#[test]
fn allowlisted_extensions_are_inert_in_every_hosts_table() {
    for (name, table) in all_tables() {
        for ext in INERT_EXTENSIONS {
            for mime in table.get(*ext).into_iter().flatten() {
                assert!(!renderable(mime), "{name} serves .{ext} as {mime}, which a browser renders: take it off INERT_EXTENSIONS");
            }
        }
    }
    assert!(!renderable("text/plain"), "the safe suffix .txt is served as text/plain");
}

/// Serves `site` with the type given per request (`?type=<mime>`, the one
/// some host's table gives the file's extension), and records what the
/// pages requested.
struct TypedServer {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
}

impl TypedServer {
    fn start(site: PathBuf) -> TypedServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (site, log) = (site.clone(), log.clone());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut line = String::new();
                    if reader.read_line(&mut line).is_err() {
                        return;
                    }
                    while let Ok(n) = reader.read_line(&mut String::new()) {
                        if n <= 2 {
                            break;
                        }
                    }
                    let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
                    log.lock().unwrap().push(path.to_string());
                    let file = site.join(path.trim_start_matches('/'));
                    let mime = query.strip_prefix("type=").map(|t| t.replace("%2B", "+")).unwrap_or_else(|| "application/octet-stream".into());
                    let (status, body) = match std::fs::read(&file) {
                        Ok(body) if file.is_file() => ("200 OK", body),
                        _ => ("404 Not Found", Vec::new()),
                    };
                    let mut stream = stream;
                    let _ = stream.write_all(format!("HTTP/1.1 {status}\r\nContent-Type: {mime}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).as_bytes());
                    let _ = stream.write_all(&body);
                });
            }
        });
        TypedServer { port, requests }
    }

    fn ran(&self) -> Vec<String> {
        std::mem::take(&mut *self.requests.lock().unwrap()).into_iter().filter(|p| p.starts_with("/ran")).collect()
    }
}

/// Opens `url` and waits until the document has loaded (or the navigation
/// became a download), plus a moment for its script to report.
fn open(browser: &Browser, url: &str) {
    browser.goto(url);
    std::thread::sleep(std::time::Duration::from_millis(30));
}

#[test]
fn no_bundled_file_runs_script_when_opened() {
    let tables = Arc::new(all_tables());
    let mut dangerous: BTreeSet<String> = BTreeSet::new();
    for (_, table) in tables.iter() {
        dangerous.extend(table.iter().filter(|(_, types)| types.iter().any(|m| renderable(m))).map(|(ext, _)| ext.clone()));
    }
    assert!(["html", "xht", "xhtm", "svg", "xml", "rs"].iter().all(|e| dangerous.contains(*e)), "the tables list the known renderable extensions: {dangerous:?}");
    println!("{} extensions that some host serves as a renderable type", dangerous.len());

    let tmp = tempfile::tempdir().unwrap();
    let skill = tmp.path().join("skills/hostile");
    std::fs::create_dir_all(skill.join("files")).unwrap();
    std::fs::write(skill.join("SKILL.md"), "---\nname: hostile\ndescription: Bundles one file of every type.\n---\nBody.\n").unwrap();
    let extensions: Vec<String> = dangerous.iter().cloned().chain(INERT_EXTENSIONS.iter().map(|e| e.to_string())).collect::<BTreeSet<_>>().into_iter().collect();
    for ext in &extensions {
        std::fs::write(skill.join(format!("files/x.{ext}")), PAYLOAD).unwrap();
    }
    std::fs::write(skill.join("files/NOEXTENSION"), PAYLOAD).unwrap();
    let run = llmos(tmp.path(), &["build", "--skills", "skills", "--out", "site"]);
    assert!(run.ok, "{}", run.stderr);
    let site = tmp.path().join("site");
    let published_dir = site.join("skills/hostile");
    // The control: the raw payload, served as XHTML, does run.
    std::fs::write(site.join("control.xht"), PAYLOAD).unwrap();

    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let server = TypedServer::start(site.clone());
    let browser = Browser::start();
    let base = format!("http://127.0.0.1:{}", server.port);
    open(&browser, &format!("{base}/control.xht?type=application/xhtml%2Bxml"));
    browser.wait_for("true", 1);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(!server.ran().is_empty(), "the control payload runs when served as XHTML, so the check below can see script run");

    let mut opened = 0;
    for name in extensions.iter().map(|e| format!("files/x.{e}")).chain(["files/NOEXTENSION".to_string()]) {
        let published = published_path(&name);
        assert!(published_dir.join(&published).is_file(), "{name} is published as {published}");
        let ext = name.rsplit_once('.').map(|(_, e)| e.to_string()).unwrap_or_default();
        if dangerous.contains(&ext) || name.ends_with("NOEXTENSION") {
            assert!(published.ends_with(".txt"), "{name} keeps a name a host may serve as a document");
        }
        // Every type some host serves the published name as (a name no
        // table knows is served as application/octet-stream).
        let published_ext = published.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
        let mut types: BTreeSet<String> = tables.iter().filter_map(|(_, t)| t.get(&published_ext)).flatten().cloned().collect();
        if types.is_empty() {
            types.insert("application/octet-stream".into());
        }
        for mime in types {
            open(&browser, &format!("{base}/skills/hostile/{published}?type={}", mime.replace('+', "%2B")));
            opened += 1;
        }
        let ran = server.ran();
        assert!(ran.is_empty(), "opening the published {name} ran script: {ran:?}");
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(server.ran().is_empty());
    println!("opened {opened} published files with every type the {} host tables give them; none ran script", tables.len());
}

/// Every page type, the policy it must carry, and whether it runs scripts.
fn page_types() -> Vec<(&'static str, bool)> {
    vec![
        ("", true), ("skills/", true), ("skills/bell-state/", false), ("categories/", false), ("categories/quantum/", true),
        ("tags/", false), ("tags/csv/", false), ("docs/", false), ("docs/getting-started/", false), ("search/", true),
        ("my/", true), ("my/edit/", true), ("my/skill/?name=x", true), ("chat/", true), ("404.html", false),
    ]
}

#[test]
fn every_page_carries_a_content_security_policy() {
    let tmp = tempfile::tempdir().unwrap();
    let run = llmos(tmp.path(), &["build", "--out", "site"]);
    assert!(run.ok, "{}", run.stderr);
    let site = tmp.path().join("site");
    for path in files_under(&site).into_iter().filter(|p| p.extension().is_some_and(|e| e == "html")) {
        let html = std::fs::read_to_string(&path).unwrap();
        let csp = csp_of(&html).unwrap_or_else(|| panic!("{} has no Content-Security-Policy", path.display()));
        // The skill sandbox: nothing by default; its own (inline, hashed)
        // script and Python, eval for JavaScript skills, no network beyond the site's files.
        if path.parent() == Some(&site.join("pkg")) {
            assert!(csp.starts_with("default-src 'none'; script-src 'self' 'sha256-") && csp.contains("' 'unsafe-eval' 'wasm-unsafe-eval' blob:;"), "{}: {csp}", path.display());
            assert_eq!(html.matches("<script").count(), 1, "{}: one script, inline", path.display());
            assert!(!html.contains("<script src"), "{}: the sandbox loads no script file (offline, nothing could serve it)", path.display());
            assert!(csp.contains("connect-src 'self' blob:;") && !csp.contains("http") && !csp.contains("img-src") && !csp.contains("frame-src"), "{}: {csp}", path.display());
            continue;
        }
        let runs_scripts = html.contains("<script");
        if runs_scripts {
            assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"), "{}: {csp}", path.display());
        } else {
            assert!(csp.contains("script-src 'none'"), "a page without islands allows no script: {}: {csp}", path.display());
        }
        let img_src = csp.split(';').map(str::trim).find(|d| d.starts_with("img-src")).unwrap_or_default();
        assert!(img_src.starts_with("img-src 'self' data:") && !img_src.contains("http"), "images only from the site: {}: {csp}", path.display());
    }

    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let server = common::server::StaticServer::start(&site, "/");
    let browser = Browser::start();
    for (page, with_islands) in page_types() {
        browser.goto(&server.url(&format!("/{page}")));
        browser.wait_for("document.readyState === 'complete'", 10);
        if with_islands {
            browser.wait_for("document.documentElement.dataset.islands === 'hydrated'", 30);
        }
        let meta = browser.eval("const m = document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]'); return m && m.content;");
        assert!(meta.as_str().is_some_and(|c| c.contains("script-src")), "/{page}: {meta}");
        assert_eq!(browser.console_errors(), Vec::<String>::new(), "/{page} breaks its own policy (a violation is a console error)");
    }
}

fn csp_of(html: &str) -> Option<String> {
    let start = html.find("http-equiv=\"Content-Security-Policy\" content=\"")? + "http-equiv=\"Content-Security-Policy\" content=\"".len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].replace("&#x27;", "'").replace("&#39;", "'"))
}
