//! Acting on a skill from the site bundle's pages (issue 15, part 1), in
//! real headless Chromium: the copy button of a published file, and the
//! source a search result comes from (with the `source:` filter).
//!
//! The build does not put these on pages of its own yet, so each test
//! takes a page the build writes and changes what the new parts need: the
//! copy button's markup (`llmos_islands::render::copy_button`, as the
//! generator will render it) goes into the search page, which loads the
//! site bundle; and sources go into the search index, as a build of
//! several sources writes them.

mod common;

use common::server::StaticServer;
use common::webdriver::Browser;
use common::*;
use serde_json::{json, Value};
use std::sync::Mutex;

static BROWSER: Mutex<()> = Mutex::new(());

const HYDRATED: &str = "document.documentElement.dataset.islands === 'hydrated'";

struct Site {
    tmp: tempfile::TempDir,
    server: StaticServer,
    browser: Browser,
}

impl Site {
    fn dir(&self) -> std::path::PathBuf {
        self.tmp.path().join("site")
    }

    fn open(&self, path: &str) {
        self.browser.goto(&self.server.url(path));
        self.browser.wait_for(HYDRATED, 30);
    }
}

/// A site built by `llmos build`, changed by `change` before it is served.
fn site(change: impl FnOnce(&std::path::Path)) -> Site {
    let tmp = tempfile::tempdir().unwrap();
    let run = llmos(tmp.path(), &["build", "--out", "site"]);
    assert!(run.ok, "{}", run.stderr);
    change(&tmp.path().join("site"));
    let server = StaticServer::start(&tmp.path().join("site"), "/");
    Site { tmp, server, browser: Browser::start() }
}

#[test]
fn the_copy_button_puts_the_files_text_on_the_clipboard() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    // The real file page of SKILL.md, built with its Copy button, plus a
    // second button for a file that is not there.
    let s = site(|dir| {
        let page = dir.join("skills/bell-state/SKILL.md.html");
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(html.contains("<leptos-island data-component=\"CopyFile") && html.contains("<script type=\"module\" src=\"/pkg/islands."), "the file page has a Copy button and loads the site bundle");
        let buttons = format!("<p id=\"copy-missing\">{}</p></main>", llmos_islands::render::copy_button("/skills/bell-state/no-such-file.md", "Copy the missing file"));
        std::fs::write(&page, html.replacen("</main>", &buttons, 1)).unwrap();
    });
    let origin = s.server.url("/").trim_end_matches('/').to_string();
    s.browser.cdp("Browser.grantPermissions", json!({ "origin": origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"] }));
    s.browser.cdp("Emulation.setFocusEmulationEnabled", json!({ "enabled": true }));
    s.open("/skills/bell-state/SKILL.md.html");

    let skill_md = std::fs::read_to_string(s.dir().join("skills/bell-state/SKILL.md")).unwrap();
    assert_eq!(s.browser.eval("return document.querySelector('.file-view header .copy-file button').textContent;"), "Copy SKILL.md");
    s.browser.click(".file-view header .copy-file button");
    s.browser.wait_for("document.querySelector('.file-view header .copy-file [role=status]').textContent === 'Copied'", 10);
    assert_eq!(s.browser.eval("return document.querySelector('.file-view header .copy-file [role=status]').getAttribute('aria-live');"), "polite");
    let clipboard = || s.browser.eval_async("const done = arguments[arguments.length - 1]; navigator.clipboard.readText().then(done, (e) => done('read failed: ' + e));").as_str().unwrap().to_string();
    assert_eq!(clipboard(), skill_md, "the clipboard holds the published SKILL.md");
    // Again, once something else was copied: the text fetched before is
    // written by the click itself (the way Safari allows).
    s.browser.eval_async("const done = arguments[arguments.length - 1]; navigator.clipboard.writeText('something else').then(() => done(true));");
    assert_eq!(clipboard(), "something else");
    s.browser.click(".file-view header .copy-file button");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while clipboard() != skill_md {
        assert!(std::time::Instant::now() < deadline, "copied again: {:?}", clipboard());
        std::thread::sleep(std::time::Duration::from_millis(50));
    }

    // A file that cannot be fetched: said, and the clipboard is left alone.
    s.browser.click("#copy-missing button");
    s.browser.wait_for("document.querySelector('#copy-missing [role=status]').textContent.startsWith('Could not fetch the file')", 10);
    assert_eq!(clipboard(), skill_md);
}

#[test]
fn search_results_say_which_source_they_come_from_and_filter_by_it() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let s = site(|dir| {
        let path = dir.join("index/search.json");
        let mut index: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for doc in index["docs"].as_array_mut().unwrap() {
            let source = if doc["slug"] == "bell-state" { "Team Skills" } else { "Anthropic's Skills" };
            doc["source"] = json!(source);
        }
        std::fs::write(&path, index.to_string()).unwrap();
        // The search box reads the sharded index: written again from the edited one.
        let edited: llmos_core::SearchIndex = serde_json::from_value(index).unwrap();
        for (file, bytes) in llmos_core::ShardedIndex::write(&edited) {
            std::fs::write(dir.join("index/search").join(file), bytes).unwrap();
        }
    });
    s.open("/search/");
    let results = |query: &str| -> Value {
        s.browser.eval(&format!("const e = document.querySelector('#search-input'); e.value = {query:?}; e.dispatchEvent(new Event('input', {{ bubbles: true }})); return true;"));
        s.browser.wait_for("document.querySelector('.search-status').textContent !== '' && !document.querySelector('.search-status').textContent.startsWith('Loading')", 20);
        s.browser.eval(
            "return [...document.querySelectorAll('#search-results li')].map(li => [li.querySelector('a').getAttribute('href'), (li.querySelector('.result-source') || {}).textContent || null]);",
        )
    };

    let bell = results("bell state");
    assert_eq!(bell[0], json!(["/skills/bell-state/", "from Team Skills"]), "{bell}");
    let csv = results("csv");
    assert!(csv.as_array().unwrap().len() > 1, "{csv}");
    assert!(csv.as_array().unwrap().iter().all(|r| r[1] == "from Anthropic's Skills"), "{csv}");

    // `source:` takes the source's name or slug, alone or with words.
    assert_eq!(results("source:team-skills"), json!([["/skills/bell-state/", "from Team Skills"]]));
    assert_eq!(results("source:Team_Skills qubits"), json!([["/skills/bell-state/", "from Team Skills"]]));
    assert_eq!(results("source:team-skills csv"), json!([]));
    let filtered = results("csv source:anthropic-s-skills");
    assert_eq!(filtered, csv, "every csv result is from that source");
    assert_eq!(s.browser.console_errors(), Vec::<String>::new());
}
