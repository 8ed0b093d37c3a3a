//! Helpers shared by the integration tests: run the real `llmos` binary the
//! way a user does, and look at the site it wrote.

#![allow(dead_code)]

pub mod github;
pub mod providers;
pub mod server;
pub mod webdriver;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Run {
    pub ok: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `llmos` in `cwd` (a temporary directory, so no llmos.toml is picked up by accident).
pub fn llmos(cwd: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_llmos")).args(args).current_dir(cwd).output().expect("llmos runs");
    Run {
        ok: output.status.success(),
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() { stack.push(path) } else { files.push(path) }
        }
    }
    files.sort();
    files
}

/// Every `href="…"` and `src="…"` value in a page.
pub fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(start) = rest.find(attr) {
            rest = &rest[start + attr.len()..];
            let end = rest.find('"').unwrap();
            found.push(rest[..end].replace("&amp;", "&"));
            rest = &rest[end..];
        }
    }
    found
}

/// Checks that every site-internal link of every page resolves to a file,
/// when the site in `site_dir` is served from `server_root` (its parent
/// folders making up the base path). Returns the number of links checked.
pub fn assert_links_resolve(server_root: &Path, site_dir: &Path, base: &str) -> usize {
    let mut checked = 0;
    for page in files_under(site_dir).into_iter().filter(|p| p.extension().is_some_and(|e| e == "html")) {
        let html = fs::read_to_string(&page).unwrap();
        for link in links(&html) {
            if link.starts_with("http") || link.starts_with("data:") || link.starts_with('#') || link.starts_with("mailto:") {
                continue;
            }
            // A relative link (`../plotting/` between skills) resolves against the page, as in a browser.
            let resolved;
            let link = if link.starts_with('/') {
                link
            } else {
                let page_dir = page.parent().unwrap().strip_prefix(server_root).unwrap().to_string_lossy().replace('\\', "/");
                let mut parts: Vec<&str> = page_dir.split('/').filter(|p| !p.is_empty()).collect();
                for part in link.split('/') {
                    match part {
                        ".." => { parts.pop(); }
                        "." => {}
                        other => parts.push(other),
                    }
                }
                resolved = format!("/{}{}", parts.join("/"), if link.ends_with('/') && !parts.is_empty() { "/" } else { "" });
                resolved.clone()
            };
            assert!(link.starts_with(base), "{}: link {link:?} ignores the base path {base}", page.display());
            let path = link.split(['#', '?']).next().unwrap();
            let decoded = percent_decode(path);
            let mut target = server_root.join(decoded.trim_start_matches('/'));
            if path.ends_with('/') {
                target = target.join("index.html");
            }
            assert!(target.is_file(), "{}: link {link:?} points at nothing ({})", page.display(), target.display());
            checked += 1;
        }
    }
    checked
}

/// `%E6%95%B0` → the UTF-8 text it encodes, as static hosts decode paths.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 && i + 2 <= bytes.len() - 1 + 1 {
            if let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// Clicks the Run panel's Run button and waits, in the page, for the run to
/// end: the milliseconds from the click to the outputs shown, and the
/// panel's state (`done` or `failed`). Used by the browser benchmarks.
pub fn click_run_and_time(browser: &webdriver::Browser) -> (f64, String) {
    let result = browser.eval_async(CLICK_TO_DONE);
    (result[0].as_f64().unwrap_or(f64::NAN), result[1].as_str().unwrap_or_default().to_string())
}

const CLICK_TO_DONE: &str = r#"const done = arguments[arguments.length - 1];
const panel = document.querySelector('.run-panel');
const runs = Number(panel.dataset.runs);
const start = performance.now();
const observer = new MutationObserver(() => {
  if (Number(panel.dataset.runs) > runs && (panel.dataset.runState === 'done' || panel.dataset.runState === 'failed')) {
    observer.disconnect();
    done([performance.now() - start, panel.dataset.runState]);
  }
});
observer.observe(panel, { attributes: true, subtree: true, childList: true });
document.querySelector('.run-form button[type=submit]').click();"#;
