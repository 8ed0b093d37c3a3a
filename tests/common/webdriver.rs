//! Just enough of the W3C WebDriver protocol to drive headless Chromium
//! through chromedriver: no client crate, plain HTTP/1.1 over a TcpStream.

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
pub const ARROW_DOWN: &str = "\u{E015}";
pub const ENTER: &str = "\u{E007}";
pub const ESCAPE: &str = "\u{E00C}";

pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
    /// Where downloads land (`Browser::downloaded`).
    pub downloads: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session. Fails loudly when
    /// they are missing: `scripts/test.sh` installs them.
    pub fn start() -> Browser {
        let driver_path = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].into_iter().find(|p| std::path::Path::new(p).exists())
            .expect("chromedriver is not installed: run scripts/test.sh, which installs chromium and chromium-driver");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(driver_path).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("chromedriver starts");
        let profile = tempfile::tempdir().unwrap();
        let mut browser = Browser { driver, port, session: String::new(), _profile: profile, downloads: tempfile::tempdir().unwrap() };
        let deadline = Instant::now() + Duration::from_secs(20);
        while browser.raw("GET", "/status", None).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let args = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-quic", "--window-size=1200,900",
        ];
        let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        args.push(format!("--user-data-dir={}", browser._profile.path().display()));
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args, "prefs": {
                "download.default_directory": browser.downloads.path(), "download.prompt_for_download": false
            }},
            "goog:loggingPrefs": { "browser": "ALL" }
        }}});
        let session = browser.raw("POST", "/session", Some(&capabilities)).expect("a browser session");
        browser.session = session["sessionId"].as_str().expect("session id").to_string();
        // Headless Chromium ignores the download preference unless told again.
        browser.cdp("Browser.setDownloadBehavior", json!({ "behavior": "allow", "downloadPath": browser.downloads.path() }));
        browser
    }

    fn raw(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| e.to_string())?;
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
        stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
        // chromedriver keeps connections open whatever we ask, so read the
        // head, then exactly Content-Length bytes.
        let mut reader = std::io::BufReader::new(stream);
        let mut head = String::new();
        loop {
            let mut line = String::new();
            if std::io::BufRead::read_line(&mut reader, &mut line).map_err(|e| e.to_string())? == 0 || line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let length = head
            .lines()
            .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-length")).and_then(|(_, v)| v.trim().parse::<usize>().ok()))
            .ok_or_else(|| format!("no Content-Length in {head:?}"))?;
        let mut body = vec![0; length];
        reader.read_exact(&mut body).map_err(|e| e.to_string())?;
        let payload = String::from_utf8_lossy(&body).into_owned();
        let value: Value = serde_json::from_str(&payload).map_err(|e| format!("{e}: {payload}"))?;
        if !head.starts_with("HTTP/1.1 200") {
            return Err(format!("{method} {path}: {}", value["value"]));
        }
        Ok(value["value"].clone())
    }

    fn command(&self, method: &str, path: &str, body: Value) -> Value {
        let path = format!("/session/{}{path}", self.session);
        self.raw(method, &path, if method == "GET" { None } else { Some(&body) }).unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn goto(&self, url: &str) {
        self.command("POST", "/url", json!({ "url": url }));
    }

    pub fn current_url(&self) -> String {
        self.command("GET", "/url", json!({})).as_str().unwrap().to_string()
    }

    pub fn eval(&self, script: &str) -> Value {
        self.command("POST", "/execute/sync", json!({ "script": script, "args": [] }))
    }

    /// Runs `script`, which calls `arguments[arguments.length - 1](value)` when done.
    pub fn eval_async(&self, script: &str) -> Value {
        self.command("POST", "/execute/async", json!({ "script": script, "args": [] }))
    }

    /// Polls `script` (a JS expression) until it is truthy; panics after `seconds`.
    pub fn wait_for(&self, script: &str, seconds: u64) -> Value {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            let value = self.eval(&format!("return ({script});"));
            if !(value.is_null() || value == json!(false) || value == json!("") || value == json!(0)) {
                return value;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {script}; console: {:?}", self.console());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn find(&self, css: &str) -> String {
        let found = self.command("POST", "/element", json!({ "using": "css selector", "value": css }));
        found[ELEMENT_KEY].as_str().unwrap().to_string()
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css);
        self.command("POST", &format!("/element/{element}/value"), json!({ "text": text }));
    }

    /// A Chrome DevTools Protocol command (chromedriver's extension).
    pub fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.command("POST", "/goog/cdp/execute", json!({ "cmd": cmd, "params": params }))
    }

    pub fn click(&self, css: &str) {
        let element = self.find(css);
        self.command("POST", &format!("/element/{element}/click"), json!({}));
    }

    pub fn clear(&self, css: &str) {
        let element = self.find(css);
        self.command("POST", &format!("/element/{element}/clear"), json!({}));
    }

    /// Chooses files in an `<input type=file>` (hidden ones too).
    pub fn choose_files(&self, css: &str, paths: &[&std::path::Path]) {
        let joined: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        self.type_into(css, &joined.join("\n"));
    }

    /// Opens a new tab and returns the (first, new) window handles; the
    /// session stays on the first until `switch_to`.
    pub fn open_tab(&self) -> (String, String) {
        let first = self.command("GET", "/window", json!({})).as_str().unwrap().to_string();
        let new = self.command("POST", "/window/new", json!({ "type": "tab" }))["handle"].as_str().unwrap().to_string();
        (first, new)
    }

    pub fn switch_to(&self, handle: &str) {
        self.command("POST", "/window", json!({ "handle": handle }));
    }

    /// Moves the session into the `<iframe>` matching `css`: scripts and
    /// finds then run in the framed page, whatever its origin.
    pub fn enter_frame(&self, css: &str) {
        let element = self.find(css);
        self.command("POST", "/frame", json!({ "id": { ELEMENT_KEY: element } }));
    }

    /// Back to the top-level page after `enter_frame`.
    pub fn leave_frames(&self) {
        self.command("POST", "/frame", json!({ "id": null }));
    }

    /// The bytes of a finished download named `name`, waiting up to `seconds`.
    pub fn downloaded(&self, name: &str, seconds: u64) -> Vec<u8> {
        let path = self.downloads.path().join(name);
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            let partial = std::fs::read_dir(self.downloads.path()).map(|d| d.flatten().any(|e| e.file_name().to_string_lossy().ends_with(".crdownload"))).unwrap_or(false);
            if path.is_file() && !partial {
                return std::fs::read(&path).unwrap();
            }
            assert!(Instant::now() < deadline, "no download {name}; found {:?}", std::fs::read_dir(self.downloads.path()).map(|d| d.flatten().map(|e| e.file_name()).collect::<Vec<_>>()));
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Keys sent to whatever has focus.
    pub fn press(&self, key: &str) {
        let actions = json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": [
            { "type": "keyDown", "value": key }, { "type": "keyUp", "value": key }
        ]}]});
        self.command("POST", "/actions", actions);
    }

    /// Browser console messages since the last call, as "LEVEL message".
    pub fn console(&self) -> Vec<String> {
        let path = format!("/session/{}/se/log", self.session);
        match self.raw("POST", &path, Some(&json!({ "type": "browser" }))) {
            Ok(Value::Array(entries)) => entries.iter().map(|e| format!("{} {}", e["level"].as_str().unwrap_or(""), e["message"].as_str().unwrap_or(""))).collect(),
            _ => Vec::new(),
        }
    }

    pub fn console_errors(&self) -> Vec<String> {
        self.console().into_iter().filter(|m| m.starts_with("SEVERE")).collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.raw("DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
