//! `llmos serve` (feature `dev`): serving under a base path, refusing paths
//! outside the site, and live reload with build errors over server-sent events.
#![cfg(feature = "dev")]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct DevServer {
    child: Child,
    port: u16,
    /// What the server printed since it started serving.
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl DevServer {
    fn start(cwd: &std::path::Path, args: &[&str]) -> DevServer {
        Self::start_with(cwd, args, &[])
    }

    /// `start`, with environment variables for the server.
    fn start_with(cwd: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> DevServer {
        let mut child = Command::new(env!("CARGO_BIN_EXE_llmos")).arg("serve").args(args).args(["--port", "0"]).envs(env.iter().copied()).current_dir(cwd).stderr(Stdio::piped()).spawn().unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let deadline = Instant::now() + Duration::from_secs(60);
        let port = loop {
            let mut line = String::new();
            assert!(stderr.read_line(&mut line).unwrap() > 0 && Instant::now() < deadline, "llmos serve did not start");
            if let Some(rest) = line.strip_prefix("serving at http://127.0.0.1:") {
                break rest.split('/').next().unwrap().parse().unwrap();
            }
        };
        // Keep draining the server's output so it never blocks on a full pipe.
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                let mut log = lines.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        DevServer { child, port, log }
    }

    /// (status, body) of a GET with the path sent exactly as given.
    fn get(&self, path: &str) -> (u16, String) {
        self.get_for_host(path, "127.0.0.1")
    }

    /// The same, with the `Host` header a browser sends for `host`.
    fn get_for_host(&self, path: &str, host: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response[9..12].parse().unwrap();
        (status, response.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default())
    }

    fn events(&self, base: &str) -> BufReader<TcpStream> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(stream, "GET {base}__llmos/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n").unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        BufReader::new(stream)
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads server-sent events until one named `name`; returns its data lines.
fn next_event(events: &mut BufReader<TcpStream>, name: &str) -> String {
    // The server's keep-alive comments reset the socket's read timeout, so a
    // reload that never comes would otherwise hang the test, not fail it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let mut seen = Vec::new();
    let mut current = String::new();
    let mut data = String::new();
    loop {
        assert!(std::time::Instant::now() < deadline, "no `{name}` event within 120 s; events seen meanwhile: {seen:?}");
        let mut line = String::new();
        assert!(events.read_line(&mut line).expect("an event in time") > 0, "the event stream closed");
        if let Some(event) = line.trim_end().strip_prefix("event: ") {
            seen.push(event.to_string());
        }
        let line = line.trim_end();
        if let Some(event) = line.strip_prefix("event: ") {
            current = event.to_string();
            data.clear();
        } else if let Some(d) = line.strip_prefix("data: ") {
            data.push_str(d);
            data.push('\n');
        } else if line.is_empty() && current == name {
            return data;
        }
    }
}

/// The name of the next event.
fn first_event(events: &mut BufReader<TcpStream>) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        assert!(std::time::Instant::now() < deadline, "no event within 120 s");
        let mut line = String::new();
        assert!(events.read_line(&mut line).expect("an event in time") > 0, "the event stream closed");
        if let Some(event) = line.trim_end().strip_prefix("event: ") {
            return event.to_string();
        }
    }
}

/// DNS rebinding: a page on another site points its own name at 127.0.0.1
/// and reads the drafts; the browser then sends that site's name as `Host`.
#[test]
fn the_dev_server_answers_only_requests_for_loopback_names() {
    let tmp = tempfile::tempdir().unwrap();
    let server = DevServer::start(tmp.path(), &[]);
    for host in ["127.0.0.1", format!("127.0.0.1:{}", server.port).as_str(), "localhost", "[::1]:8000"] {
        assert_eq!(server.get_for_host("/skills/bell-state/", host).0, 200, "{host}");
    }
    for host in ["rebound.example", "rebound.example:8000", "127.0.0.1.rebound.example", "192.168.1.5"] {
        let (status, body) = server.get_for_host("/skills/bell-state/", host);
        assert_eq!(status, 421, "{host}");
        assert!(!body.contains("bell-state"), "{host} read the site");
    }
}

#[test]
fn serves_under_the_base_path_and_refuses_everything_else() {
    let tmp = tempfile::tempdir().unwrap();
    let server = DevServer::start(tmp.path(), &["--base-path", "/docs-site/"]);
    let (status, body) = server.get("/docs-site/skills/bell-state/");
    assert_eq!(status, 200);
    assert!(body.contains("/docs-site/__llmos/reload.js"), "pages load the reload script in dev");
    assert_eq!(server.get("/docs-site/__llmos/reload.js").0, 200);
    assert_eq!(server.get("/").0, 307, "the root redirects to the base path");
    assert_eq!(server.get("/elsewhere/").0, 404);
    for sneaky in ["/docs-site/../../../../etc/passwd", "/docs-site/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/docs-site/skills/..%2f..%2f..%2fetc%2fpasswd"] {
        let (status, body) = server.get(sneaky);
        assert_ne!(status, 200, "{sneaky} must be refused");
        assert!(!body.contains("root:"), "{sneaky} leaked a file");
    }
}

#[test]
fn saving_a_skill_reloads_and_a_broken_one_reports_its_error() {
    let tmp = tempfile::tempdir().unwrap();
    let skill = tmp.path().join("skills/hello");
    std::fs::create_dir_all(&skill).unwrap();
    std::fs::write(skill.join("SKILL.md"), "---\nname: hello\ndescription: First version.\n---\n# Hello\n").unwrap();
    let server = DevServer::start(tmp.path(), &["--skills", "skills"]);
    assert!(server.get("/skills/hello/").1.contains("First version."));
    let mut events = server.events("/");

    std::fs::write(skill.join("SKILL.md"), "---\nname: hello\ndescription: \"unclosed\n---\n").unwrap();
    let error = next_event(&mut events, "build-error");
    assert!(error.contains("skills/hello/SKILL.md:"), "the error names the file: {error}");
    assert!(server.get("/skills/hello/").1.contains("First version."), "the last good site is still served");

    std::fs::write(skill.join("SKILL.md"), "---\nname: hello\ndescription: Second version.\n---\n# Hello\n").unwrap();
    next_event(&mut events, "reload");
    assert!(server.get("/skills/hello/").1.contains("Second version."));
}

#[test]
fn an_edit_rewrites_only_what_changed_and_removals_disappear() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["alpha", "beta"] {
        let dir = tmp.path().join("skills").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("SKILL.md"), format!("---\nname: {name}\ndescription: Skill {name}.\n---\n# {name}\n")).unwrap();
    }
    let server = DevServer::start(tmp.path(), &["--skills", "skills"]);
    let scratch = if std::path::Path::new("/dev/shm").is_dir() { std::path::PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
    let served = scratch.join(format!("llmos-serve-{}", server.child.id())).join("site");
    let modified = |rel: &str| std::fs::metadata(served.join(rel)).unwrap().modified().unwrap();
    let (alpha_before, beta_before) = (modified("skills/alpha/index.html"), modified("skills/beta/index.html"));
    let mut events = server.events("/");

    std::thread::sleep(Duration::from_millis(50));
    std::fs::write(tmp.path().join("skills/alpha/SKILL.md"), "---\nname: alpha\ndescription: Alpha, edited.\n---\n# alpha\n").unwrap();
    next_event(&mut events, "reload");
    assert!(server.get("/skills/alpha/").1.contains("Alpha, edited."));
    assert_ne!(modified("skills/alpha/index.html"), alpha_before, "the edited skill's page was written");
    assert_eq!(modified("skills/beta/index.html"), beta_before, "the other skill's page was left alone");

    std::fs::remove_dir_all(tmp.path().join("skills/beta")).unwrap();
    next_event(&mut events, "reload");
    assert_eq!(server.get("/skills/beta/").0, 404, "a removed skill's page is gone");
    assert!(!served.join("skills/beta/SKILL.md").exists());
}

#[test]
fn the_browser_shows_build_errors_and_reloads_once_fixed() {
    use common::webdriver::Browser;
    let tmp = tempfile::tempdir().unwrap();
    let skill = tmp.path().join("skills/hello");
    std::fs::create_dir_all(&skill).unwrap();
    std::fs::write(skill.join("SKILL.md"), "---\nname: hello\ndescription: First version.\n---\n# Hello\n").unwrap();
    let server = DevServer::start(tmp.path(), &["--skills", "skills"]);
    let browser = Browser::start();
    browser.goto(&format!("http://127.0.0.1:{}/skills/hello/", server.port));
    browser.wait_for("document.documentElement.dataset.llmosReload === 'connected'", 20);

    std::fs::write(skill.join("SKILL.md"), "---\nname: hello\ndescription: [unclosed\n---\n").unwrap();
    let overlay = browser.wait_for("document.querySelector('#llmos-error-overlay')?.textContent", 20);
    assert!(overlay.as_str().unwrap().contains("skills/hello/SKILL.md:"), "{overlay}");
    assert!(browser.eval("return document.body.textContent;").as_str().unwrap().contains("First version."), "the page stays readable under the overlay");

    std::fs::write(skill.join("SKILL.md"), "---\nname: hello\ndescription: Second version.\n---\n# Hello\n").unwrap();
    browser.wait_for("document.body.textContent.includes('Second version.')", 20);
    assert_eq!(browser.eval("return document.querySelector('#llmos-error-overlay');"), serde_json::Value::Null, "the reload cleared the overlay");
}

#[test]
fn moving_a_skill_to_another_category_updates_both_lists_and_the_indexes() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, category) in [("alpha", "Data"), ("beta", "Data"), ("gamma", "Text")] {
        let dir = tmp.path().join("skills").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("SKILL.md"), format!("---\nname: {name}\ndescription: Skill {name}.\ncategory: {category}\n---\n# {name}\n")).unwrap();
    }
    let server = DevServer::start(tmp.path(), &["--skills", "skills"]);
    assert!(server.get("/categories/data/").1.contains("/skills/alpha/"));
    assert!(!server.get("/categories/text/").1.contains("/skills/alpha/"));
    let mut events = server.events("/");

    std::thread::sleep(Duration::from_millis(50));
    std::fs::write(tmp.path().join("skills/alpha/SKILL.md"), "---\nname: alpha\ndescription: Quasar alignment.\ncategory: Text\n---\n# alpha\n").unwrap();
    next_event(&mut events, "reload");
    assert!(!server.get("/categories/data/").1.contains("/skills/alpha/"), "the old category's list lost it");
    assert!(server.get("/categories/text/").1.contains("/skills/alpha/"), "the new category's list has it");
    assert!(server.get("/skills/").1.contains("Quasar alignment."), "the catalogue's card shows the new description");
    // The indexes are written after the reload; a request for them waits until they are.
    let (status, search) = server.get("/index/search.json");
    assert_eq!(status, 200);
    assert!(search.contains("Quasar alignment."), "the search index follows the edit");
    assert!(server.get("/index/skills.json").1.contains("Quasar alignment."), "so does the skill index");
    assert!(server.get("/sitemap.xml").1.contains("/categories/text/"));
}

#[test]
fn served_files_are_checked_again_by_the_browser() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("skills/hello");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("SKILL.md"), "---\nname: hello\ndescription: Hello.\n---\n# Hello\n").unwrap();
    let server = DevServer::start(tmp.path(), &["--skills", "skills"]);
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    write!(stream, "GET /index/search.json HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let head = response.split("\r\n\r\n").next().unwrap().to_ascii_lowercase();
    // The index's URL carries no version under `serve`, so a cached copy would go stale.
    assert!(head.contains("cache-control: no-cache"), "{head}");
    let home = server.get("/").1;
    assert!(home.contains("index/search/manifest.bin") && !home.contains("manifest.bin?v="), "pages link the unversioned index");
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    write!(stream, "GET /index/search/manifest.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut manifest = Vec::new();
    stream.read_to_end(&mut manifest).unwrap();
    assert!(manifest.starts_with(b"HTTP/1.1 200") && manifest.windows(4).any(|w| w == b"LXS1"), "the sharded index is served");
    // A page reloaded after its skill was renamed away: the browser asks
    // whether its copy changed. The answer is still the whole 404 page,
    // with the reload script, not an empty 404 (Chromium's own error page).
    let mut stream = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    write!(stream, "GET /skills/gone/ HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\nIf-None-Match: \"x\"\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 404"), "{response}");
    assert!(response.contains("__llmos/reload.js") && response.contains("</html>"), "the site's whole 404 page: {response}");
}

#[test]
fn template_and_stylesheet_edits_in_the_sites_theme_reload() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("skills/hello");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("SKILL.md"), "---\nname: hello\ndescription: Hello.\n---\n# Hello\n").unwrap();
    std::fs::create_dir_all(tmp.path().join("theme/templates")).unwrap();
    std::fs::create_dir_all(tmp.path().join("theme/static")).unwrap();
    std::fs::write(tmp.path().join("llmos.toml"), "skills_dirs = [\"skills\"]\ntheme_dir = \"theme\"\n").unwrap();
    let template = tmp.path().join("theme/templates/404.html");
    let stylesheet = tmp.path().join("theme/static/style.css");
    std::fs::write(&template, "<p>Lost, first draft, on {{ site.title }}</p>").unwrap();
    std::fs::write(&stylesheet, "body { color: teal; }").unwrap();
    let server = DevServer::start(tmp.path(), &[]);
    assert!(server.get("/404.html").1.contains("Lost, first draft, on LLMos"), "the site's template replaces the bundled one");
    // Unversioned under `serve`, so that an edit of it changes no page.
    let stylesheet_of = |page: &str| page.split("href=\"/assets/style").nth(1).map(|rest| format!("/assets/style{}", rest.split('"').next().unwrap())).expect("a stylesheet link");
    assert_eq!(stylesheet_of(&server.get("/skills/hello/").1), "/assets/style.css");
    assert_eq!(server.get(&stylesheet_of(&server.get("/skills/hello/").1)).1, "body { color: teal; }");
    let mut events = server.events("/");

    std::thread::sleep(Duration::from_millis(50));
    std::fs::write(&template, "<p>Lost, second draft</p>").unwrap();
    next_event(&mut events, "reload");
    assert!(server.get("/404.html").1.contains("Lost, second draft"));

    std::fs::write(&stylesheet, "body { color: navy; }").unwrap();
    next_event(&mut events, "reload");
    let page = server.get("/skills/hello/").1;
    assert_eq!(server.get(&stylesheet_of(&page)).1, "body { color: navy; }", "the stylesheet is the new one");

    std::fs::write(&template, "<p>{% if %}</p>").unwrap();
    let error = next_event(&mut events, "build-error");
    assert!(error.contains("theme/templates/404.html:1"), "the error names the template and line: {error}");
    std::fs::write(&template, "<p>Lost, fixed</p>").unwrap();
    next_event(&mut events, "reload");
    assert!(server.get("/404.html").1.contains("Lost, fixed"));
}

/// Every file of a served site (under /dev/shm or the temporary folder), by path.
fn served_files(pid: u32) -> std::collections::BTreeMap<String, Vec<u8>> {
    let scratch = if std::path::Path::new("/dev/shm").is_dir() { std::path::PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
    let root = scratch.join(format!("llmos-serve-{pid}")).join("site");
    let mut files = std::collections::BTreeMap::new();
    let mut folders = vec![root.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if !path.to_string_lossy().ends_with(".writing") {
                files.insert(path.strip_prefix(&root).unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    files
}

/// After an edit of a skill, of a template and of the stylesheet, the
/// served site (rebuilt incrementally: pages deferred beyond an edit's
/// budget are rendered in the background) has the same files, byte for
/// byte, as a server started afresh on the same files. The template edit
/// outdates more pages than an edit renders at once: the page open in a
/// browser is rendered before the reload, and a request for a page not
/// rendered yet waits for it.
#[test]
fn incremental_rebuilds_give_the_same_files_as_a_clean_build() {
    let tmp = tempfile::tempdir().unwrap();
    for i in 0..60 {
        let dir = tmp.path().join(format!("skills/skill-{i:02}"));
        std::fs::create_dir_all(&dir).unwrap();
        let category = ["data", "writing", "code"][i % 3];
        std::fs::write(dir.join("SKILL.md"), format!("---\nname: skill-{i:02}\ndescription: Skill number {i}.\ncategory: {category}\nkeywords: [k{}, common]\n---\n# Skill {i}\n", i % 7)).unwrap();
    }
    std::fs::create_dir_all(tmp.path().join("theme/templates")).unwrap();
    std::fs::create_dir_all(tmp.path().join("theme/static")).unwrap();
    let bundled = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("theme");
    std::fs::copy(bundled.join("templates/skill.html"), tmp.path().join("theme/templates/skill.html")).unwrap();
    std::fs::copy(bundled.join("static/style.css"), tmp.path().join("theme/static/style.css")).unwrap();
    std::fs::write(tmp.path().join("llmos.toml"), "skills_dirs = [\"skills\"]\ntheme_dir = \"theme\"\n").unwrap();
    // LLMOS_TIMINGS says how each edit was loaded: "(patched)" when only the edited skill was read again.
    let server = DevServer::start_with(tmp.path(), &[], &[("LLMOS_TIMINGS", "1")]);
    let mut events = server.events("/");
    // A browser showing skill-59, whose page comes last in the catalogue.
    let mut open_page = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    write!(open_page, "GET /__llmos/events?page=%2Fskills%2Fskill-59%2F HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n").unwrap();
    let same_as_clean = |what: &str| {
        let _ = server.get("/index/skills.json");
        let clean = DevServer::start(tmp.path(), &[]);
        let _ = clean.get("/index/skills.json");
        let expected = served_files(clean.child.id());
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let served = served_files(server.child.id());
            if served == expected {
                break;
            }
            if Instant::now() > deadline {
                let differ: Vec<&String> = expected.keys().chain(served.keys()).filter(|k| served.get(*k) != expected.get(*k)).collect();
                let first = differ[0];
                let lines = |files: &std::collections::BTreeMap<String, Vec<u8>>| String::from_utf8_lossy(files.get(first).map(Vec::as_slice).unwrap_or_default()).lines().map(str::to_string).collect::<Vec<_>>();
                let (served_lines, expected_lines) = (lines(&served), lines(&expected));
                let line = served_lines.iter().zip(&expected_lines).position(|(a, b)| a != b).unwrap_or(served_lines.len().min(expected_lines.len()));
                let log = server.log.lock().unwrap().clone();
                panic!(
                    "{log}\nafter {what}, {} files differ from a clean build, e.g. {:?}; {first} line {}: served {:?}, clean {:?}",
                    differ.len(),
                    &differ[..differ.len().min(5)],
                    line + 1,
                    served_lines.get(line),
                    expected_lines.get(line)
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    };

    std::thread::sleep(Duration::from_millis(50));
    std::fs::write(tmp.path().join("skills/skill-07/SKILL.md"), "---\nname: skill-07\ndescription: Edited, now about charts.\ncategory: writing\nkeywords: [charts]\n---\n# Seven\n").unwrap();
    next_event(&mut events, "reload");
    assert!(server.get("/skills/skill-07/").1.contains("Edited, now about charts."));
    same_as_clean("a skill edit");

    let template = tmp.path().join("theme/templates/skill.html");
    let text = std::fs::read_to_string(&template).unwrap();
    std::fs::write(&template, text.replacen("</article>", "<p>template-edit-marker</p></article>", 1)).unwrap();
    next_event(&mut events, "reload");
    let on_disk = std::fs::read_to_string(std::path::Path::new("/dev/shm").join(format!("llmos-serve-{}/site/skills/skill-59/index.html", server.child.id()))).unwrap_or_default();
    assert!(on_disk.contains("template-edit-marker") || !std::path::Path::new("/dev/shm").is_dir(), "the open page was rendered before the reload");
    assert!(server.get("/skills/skill-30/").1.contains("template-edit-marker"), "a page asked for right after the reload is the new one");
    // Saved while skill pages the template edit left stale wait for a background build.
    std::fs::write(tmp.path().join("skills/skill-40/SKILL.md"), "---\nname: skill-40\ndescription: Saved while pages were stale.\ncategory: data\nkeywords: [k5, common]\n---\n# Skill 40\n").unwrap();
    same_as_clean("a template edit, then a skill edit");

    std::fs::write(tmp.path().join("theme/static/style.css"), "body { color: navy; }\n").unwrap();
    next_event(&mut events, "reload");
    same_as_clean("a stylesheet edit");

    // Edits the server patches into its last catalogue, reading only the
    // edited skill's folder, and edits that change the catalogue's shape,
    // which it loads in full: each gives the files of a clean build.
    let patched = || server.log.lock().unwrap().matches("(patched)").count();
    let skill_md = |name: &str| tmp.path().join(format!("skills/{name}/SKILL.md"));
    // An edit is loaded in full while the search index job of an earlier
    // one still holds the catalogue (it runs at a low priority): on a busy
    // machine, a few tries.
    for attempt in 0.. {
        let before = patched();
        let description = format!("A new description ({attempt}), and nothing else.");
        std::fs::write(skill_md("skill-20"), format!("---\nname: skill-20\ndescription: {description}\ncategory: code\nkeywords: [k6, common]\n---\n# Skill 20\n")).unwrap();
        next_event(&mut events, "reload");
        same_as_clean("an edited description");
        assert!(server.get("/skills/skill-20/").1.contains(&description));
        if patched() > before {
            break;
        }
        assert!(attempt < 5, "no description edit was patched in: {}", server.log.lock().unwrap());
        std::thread::sleep(Duration::from_millis(500));
    }

    std::fs::write(skill_md("skill-21"), "---\nname: skill-21\ndescription: \"unclosed\n---\n").unwrap();
    let error = next_event(&mut events, "build-error");
    assert!(error.contains("skills/skill-21/SKILL.md:"), "the error names the file: {error}");
    assert!(server.get("/skills/skill-21/").1.contains("Skill number 21."), "the last good site is still served");
    std::fs::write(skill_md("skill-21"), "---\nname: skill-21\ndescription: Fixed after a broken save.\ncategory: data\nkeywords: [k0, common]\n---\n# Skill 21\n").unwrap();
    next_event(&mut events, "reload");
    let mut reconnected = server.events("/");
    std::fs::write(tmp.path().join("skills/skill-22/notes.md"), "# Notes\n\nA file added to a skill's folder.\n").unwrap();
    // A page that connects after the good save is shown no error: the save cleared it.
    assert_eq!(first_event(&mut reconnected), "reload");
    same_as_clean("a broken save fixed, then a file added to a skill");
    assert!(server.get("/skills/skill-22/notes.md").1.contains("A file added"));

    std::fs::write(skill_md("skill-23"), "---\nname: skill-23-renamed\ndescription: Skill number 23.\ncategory: code\nkeywords: [k2, common]\n---\n# Skill 23\n").unwrap();
    // (The reload events of the last edits are still unread here: the
    // comparison waits for the server to catch up.)
    same_as_clean("a renamed skill");
    assert_eq!(server.get("/skills/skill-23/").0, 404, "the old page of a renamed skill is gone");
    assert!(server.get("/skills/skill-23-renamed/").1.contains("Skill number 23."));

    std::fs::create_dir_all(tmp.path().join("skills/skill-60")).unwrap();
    std::fs::write(skill_md("skill-60"), "---\nname: skill-60\ndescription: A new skill.\ncategory: fresh\nkeywords: [new]\n---\n# Sixty\n").unwrap();
    same_as_clean("a new skill folder");
    assert!(server.get("/categories/fresh/").1.contains("skill-60"));

    std::fs::remove_dir_all(tmp.path().join("skills/skill-05")).unwrap();
    same_as_clean("a deleted skill folder");
    assert_eq!(server.get("/skills/skill-05/").0, 404, "a deleted skill's page is gone");
    drop(open_page);
}
