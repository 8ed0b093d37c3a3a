//! Sync with the user's GitHub repository in real headless Chromium (issue
//! 17, item 3): two browser profiles (two sessions, each with its own
//! user-data directory, so their own IndexedDB) syncing through the GitHub
//! stand-in from the page `/my/sync/`. What reaches the repository is read
//! back with `git`.
//!
//! Skills are written with the editor and the chat and its trace arrive
//! with the chat's own JSON import (the app's store path, not the provider
//! stand-in: the chat's answers are not what is tested here).

mod common;

use common::github::{Failure, GitHubStandIn, OWNER, REPO, TOKEN};
use common::server::StaticServer;
use common::webdriver::Browser;
use common::*;
use serde_json::json;
use std::sync::Mutex;

/// One test at a time: each runs two Chromiums on a two-core machine.
static BROWSERS: Mutex<()> = Mutex::new(());

const HYDRATED: &str = "document.documentElement.dataset.islands === 'hydrated'";

struct Site {
    tmp: tempfile::TempDir,
    server: StaticServer,
    standin: GitHubStandIn,
}

fn site() -> Site {
    let tmp = tempfile::tempdir().unwrap();
    let run = llmos(tmp.path(), &["build", "--out", "site"]);
    assert!(run.ok, "{}", run.stderr);
    let server = StaticServer::start(&tmp.path().join("site"), "/");
    Site { tmp, server, standin: GitHubStandIn::start() }
}

/// One browser profile.
struct Profile<'a> {
    site: &'a Site,
    browser: Browser,
}

impl<'a> Profile<'a> {
    fn new(site: &'a Site) -> Profile<'a> {
        let browser = Browser::start();
        browser.cdp("Emulation.setDeviceMetricsOverride", json!({ "width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false }));
        Profile { site, browser }
    }

    fn open(&self, path: &str) {
        self.browser.goto(&self.site.server.url(path));
        self.browser.wait_for(HYDRATED, 30);
    }

    fn set_field(&self, css: &str, text: &str) {
        self.browser.eval(&format!("const e = document.querySelector({css:?}); e.value = ''; e.dispatchEvent(new Event('input', {{ bubbles: true }})); return true;"));
        if !text.is_empty() {
            self.browser.type_into(css, text);
        }
    }

    /// Writes a skill with the editor (a new one, or `name` again).
    fn save_skill(&self, name: &str, body: &str, existing: bool) {
        self.open_editor(name, existing);
        self.write_skill(name, body, existing);
    }

    fn open_editor(&self, name: &str, existing: bool) {
        self.open(&if existing { format!("/my/edit/?skill={name}") } else { "/my/edit/".to_string() });
    }

    /// Writes and saves the skill in the open editor.
    fn write_skill(&self, name: &str, body: &str, existing: bool) {
        self.browser.wait_for("document.querySelector('#skill-name') && document.querySelector('#skill-body')", 20);
        if existing {
            self.browser.wait_for(&format!("document.querySelector('#skill-name').value === {name:?}"), 20);
        } else {
            self.set_field("#skill-name", name);
            self.set_field("#skill-description", "Brews tea with a timer. Use when making tea.");
        }
        self.set_field("#skill-body", body);
        self.browser.wait_for("document.querySelectorAll('#diagnostics .error').length === 0", 10);
        self.browser.click("#save-skill");
        self.browser.wait_for(&format!("[...document.querySelectorAll('.notice.ok')].some(e => e.textContent.includes('Saved {name}'))"), 20);
    }

    /// Names on "Your skills".
    fn listed(&self) -> Vec<String> {
        self.open("/my/");
        self.browser.wait_for("document.querySelector('#my-skills-state') && !document.querySelector('#my-skills-state').textContent.startsWith('Loading')", 20);
        let names = self.browser.eval("return [...document.querySelectorAll('#my-skill-list .my-skill')].map(e => e.dataset.name);");
        let mut names: Vec<String> = names.as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string()).collect();
        names.sort();
        names
    }

    fn rounds(&self) -> i64 {
        self.browser.eval("return Number(document.querySelector('#sync-status').dataset.rounds);").as_i64().unwrap()
    }

    /// Waits for the round after `before` rounds, then gives the status line's (state, text).
    fn round_after(&self, before: i64) -> (String, String) {
        self.browser.wait_for(&format!("Number(document.querySelector('#sync-status').dataset.rounds) > {before} && !document.querySelector('#sync-now').disabled"), 60);
        let shown = self.browser.eval("const s = document.querySelector('#sync-status'); return [s.dataset.state, s.textContent];");
        (shown[0].as_str().unwrap().to_string(), shown[1].as_str().unwrap().to_string())
    }

    /// Sets sync up on this profile: the first round runs on saving.
    fn set_up_sync(&self) -> (String, String) {
        self.open("/my/sync/");
        self.browser.wait_for("document.querySelector('#sync-status').dataset.rounds === '0' && !document.querySelector('#sync-status').textContent.startsWith('Loading')", 20);
        assert_eq!(self.browser.eval("return ['#sync-repository', '#sync-token', '#sync-save'].map(s => document.querySelector(s).disabled)"), json!([false, false, false]), "the form opens once the stored settings are shown");
        self.set_field("#sync-repository", &format!("{OWNER}/{REPO}"));
        self.set_field("#sync-api", &self.site.standin.base_url());
        self.set_field("#sync-token", TOKEN);
        self.browser.click("#sync-save");
        self.round_after(0)
    }

    /// Opens the sync page (its own round runs on opening) and presses Sync now.
    fn sync_now(&self) -> (String, String) {
        self.open("/my/sync/");
        let before = self.rounds();
        self.browser.wait_for("!document.querySelector('#sync-now').disabled", 60);
        let before = before.max(self.rounds());
        self.browser.click("#sync-now");
        self.round_after(before)
    }

    /// Starts keeping every text the header's sync indicator shows on this page (`window.seenSync`).
    fn watch_indicator(&self) {
        self.browser.eval(
            "const i = document.querySelector('#sync-indicator'); window.seenSync = []; \
             const note = () => { const t = i.hidden ? '(hidden)' : i.textContent; if (window.seenSync.at(-1) !== t) window.seenSync.push(t); }; \
             note(); new MutationObserver(note).observe(i, { subtree: true, childList: true, characterData: true, attributes: true }); return true;",
        );
    }

    /// Waits for the indicator to read `text`; gives its `data-state`.
    fn indicator_reads(&self, text: &str, seconds: u64) -> String {
        let script = "const i = document.querySelector('#sync-indicator'); return [i.hidden ? '(hidden)' : i.textContent, i.dataset.state || '', i.querySelector('a').title];";
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        loop {
            let shown = self.browser.eval(script);
            if shown[0] == text {
                return shown[1].as_str().unwrap().to_string();
            }
            assert!(std::time::Instant::now() < deadline, "the sync indicator still reads {shown} after {seconds} s, not {text:?}");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    /// Waits for the indicator (watched since `watch_indicator`) to have
    /// read `texts` in this order, the last one last; gives all it read.
    fn indicator_went(&self, texts: &[&str], seconds: u64) -> serde_json::Value {
        let wanted = serde_json::to_string(texts).unwrap();
        let script = format!(
            "return ((seen, wanted) => {{ let at = 0; for (const t of seen) if (t === wanted[at]) at++; return at === wanted.length && seen.at(-1) === wanted.at(-1); }})(window.seenSync, {wanted});"
        );
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        while self.browser.eval(&script) != json!(true) {
            assert!(std::time::Instant::now() < deadline, "the sync indicator read {} in {seconds} s, not {wanted}", self.browser.eval("return window.seenSync;"));
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        self.browser.eval("return window.seenSync;")
    }

    /// Whether this profile's store holds the skill `name` (read from the page, as any script of the site could).
    fn has_skill(&self, name: &str) -> bool {
        let script = format!(
            "const done = arguments[arguments.length - 1]; const open = indexedDB.open('llmos'); \
             open.onerror = () => done(false); \
             open.onsuccess = () => {{ const db = open.result; const get = db.transaction('skills').objectStore('skills').get({name:?}); \
               get.onsuccess = () => {{ done(get.result !== undefined); db.close(); }}; get.onerror = () => done(false); }};"
        );
        self.browser.eval_async(&script).as_bool().unwrap_or(false)
    }

    fn conflicts(&self) -> Vec<String> {
        let shown = self.browser.eval("return [...document.querySelectorAll('#sync-conflicts li')].map(li => li.textContent);");
        shown.as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect()
    }

    fn no_overflow(&self, page: &str) {
        for width in [1280, 390] {
            self.browser.cdp("Emulation.setDeviceMetricsOverride", json!({ "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 800 }));
            let wide = self.browser.eval("return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
            assert!(wide.as_i64().unwrap() <= 0, "{page} at {width} px scrolls sideways by {wide} px");
        }
        self.browser.cdp("Emulation.setDeviceMetricsOverride", json!({ "width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false }));
    }
}

impl Site {
    /// What the status says of one change while the stand-in cannot be
    /// reached and the browser is online.
    fn unreachable_text(&self) -> String {
        let base = self.standin.base_url();
        let host = base.split_once("://").map_or(base.as_str(), |(_, rest)| rest).split('/').next().unwrap().to_string();
        format!("Pending (1) — can't reach {host}")
    }

    fn file(&self, path: &str) -> String {
        self.standin.git(&["show", &format!("{}:{path}", self.standin.head())])
    }

    fn commits(&self) -> usize {
        self.standin.git(&["rev-list", "--count", "main"]).trim().parse().unwrap()
    }
}

/// A chat export (the chat's own format) with one conversation, its two messages and its trace.
fn chat_export() -> serde_json::Value {
    json!({
        "format": "llmos-chats-1",
        "conversations": [{ "id": "c-tea", "title": "Green tea", "created": 1_760_000_000_000.0, "updated": 1_760_000_060_000.0 }],
        "messages": [
            { "id": "m-1", "conversation": "c-tea", "seq": 0, "role": "user", "text": "How long should green tea steep? 🍵", "created": 1_760_000_000_000.0 },
            { "id": "m-2", "conversation": "c-tea", "seq": 1, "role": "assistant", "text": "Two to three minutes at 80 °C.", "created": 1_760_000_060_000.0, "model": "stand-in" }
        ],
        "traces": [{
            "id": "c-tea", "conversation": "c-tea", "goal": "How long should green tea steep?", "provider": "anthropic", "model": "stand-in",
            "skills_offered": [], "skills_used": [], "tool_calls": [], "turns": [], "outcome": "solved"
        }]
    })
}

#[test]
fn two_profiles_share_skills_chats_and_traces_and_a_conflict_keeps_both_versions() {
    let _one = BROWSERS.lock().unwrap_or_else(|e| e.into_inner());
    let site = site();
    // Until the stored settings are shown the form takes no typing: what
    // loads would overwrite it (a new user lost a repository and a token so).
    let html = std::fs::read_to_string(site.tmp.path().join("site/my/sync/index.html")).unwrap();
    for id in ["sync-repository", "sync-token", "sync-save", "sync-now"] {
        let tag = &html[..html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("{id} in the page"))];
        let tag = &html[tag.rfind('<').unwrap()..];
        assert!(tag[..tag.find('>').unwrap()].contains("disabled"), "{id} is disabled until the page has loaded: {}", &tag[..tag.find('>').unwrap()]);
    }
    let a = Profile::new(&site);
    let b = Profile::new(&site);

    // A: a skill and a chat with its trace, then sync.
    a.save_skill("tea-timer", "# Tea\n\nSteep for three minutes.", false);
    let export = site.tmp.path().join("chats.json");
    std::fs::write(&export, serde_json::to_vec(&chat_export()).unwrap()).unwrap();
    a.open("/chat/");
    a.browser.wait_for("document.querySelector('#import-chats')", 20);
    a.browser.choose_files("#import-chats", &[&export]);
    a.browser.wait_for("document.body.textContent.includes('Imported 1 chat.')", 20);
    let before = site.commits();
    let (state, text) = a.set_up_sync();
    assert_eq!((state.as_str(), text.as_str()), ("synced", "Synced"));
    assert_eq!(site.commits(), before + 1, "one commit for the batch");
    assert!(site.file("skills/tea-timer/SKILL.md").contains("Steep for three minutes."));
    assert!(site.file("chats/c-tea.json").contains("How long should green tea steep? 🍵"));
    assert!(site.file("traces/c-tea.json").contains("\"goal\": \"How long should green tea steep?\""));
    assert!(site.standin.requests().iter().filter(|r| r.method != "OPTIONS").all(|r| r.header("authorization") == Some(&format!("Bearer {TOKEN}"))), "every call carries the token");

    // B: sync brings all three.
    let (state, _) = b.set_up_sync();
    assert_eq!(state, "synced");
    assert_eq!(b.listed(), ["tea-timer"]);
    b.open("/my/skill/?name=tea-timer");
    b.browser.wait_for("document.querySelector('.user-skill') && document.querySelector('.user-skill').textContent.includes('Steep for three minutes.')", 20);
    b.open("/my/traces/");
    b.browser.wait_for("[...document.querySelectorAll('#trace-list .trace-goal')].some(e => e.textContent.includes('How long should green tea steep?'))", 20);
    b.open("/chat/");
    b.browser.wait_for("document.querySelector('#conversations') && document.querySelector('#conversations').textContent.includes('Green tea')", 20);
    // Nothing changed on B: its next round pushes nothing.
    let commits = site.commits();
    assert_eq!(b.sync_now().0, "synced");
    assert_eq!(site.commits(), commits, "an unchanged profile makes no commit");

    // Both edit the skill; B cannot reach GitHub when it syncs (nor when
    // its pages' background sync tries as the editor saves).
    a.save_skill("tea-timer", "# Tea\n\nA's version: four minutes.", true);
    site.standin.set_unreachable(true);
    b.save_skill("tea-timer", "# Tea\n\nB's version: two minutes.", true);
    let (state, text) = b.sync_now();
    // The browser is online: no answer is the API's address or the network, not "Offline".
    assert_eq!(state, "pending", "{text}");
    assert_eq!(text, site.unreachable_text(), "the page says what the header says");
    site.standin.set_unreachable(false);
    assert_eq!(a.sync_now().0, "synced");
    let (state, _) = b.sync_now();
    assert_eq!(state, "synced");
    let conflicts = b.conflicts();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert!(conflicts[0].contains("tea-timer") && conflicts[0].contains("kept as tea-timer-conflict-1"), "the page names the conflict: {conflicts:?}");
    b.no_overflow("/my/sync/ with a conflict");
    assert!(site.file("skills/tea-timer/SKILL.md").contains("A's version"), "the repository's version keeps the name");
    let kept = site.file("skills/tea-timer-conflict-1/SKILL.md");
    assert!(kept.contains("B's version") && kept.contains("name: tea-timer-conflict-1"), "{kept}");
    assert_eq!(b.listed(), ["tea-timer", "tea-timer-conflict-1"]);
    assert_eq!(a.sync_now().0, "synced");
    assert_eq!(a.listed(), ["tea-timer", "tea-timer-conflict-1"]);
    // Both versions on both profiles, and a reload changes nothing.
    for profile in [&a, &b] {
        profile.open("/my/skill/?name=tea-timer-conflict-1");
        profile.browser.wait_for("document.querySelector('.user-skill') && document.querySelector('.user-skill').textContent.includes(\"B's version\")", 20);
        profile.open("/my/skill/?name=tea-timer");
        profile.browser.wait_for("document.querySelector('.user-skill') && document.querySelector('.user-skill').textContent.includes(\"A's version\")", 20);
    }
    assert_eq!(a.browser.console_errors(), Vec::<String>::new());

    // The repository is a skills collection: its clone builds into a site with both versions.
    let clone = site.tmp.path().join("clone");
    let status = std::process::Command::new("git").arg("clone").arg("--quiet").arg(site.standin.repo_dir()).arg(&clone).status().unwrap();
    assert!(status.success());
    let run = llmos(site.tmp.path(), &["build", "--skills", "clone", "--out", "published"]);
    assert!(run.ok, "{}", run.stderr);
    let page = std::fs::read_to_string(site.tmp.path().join("published/skills/tea-timer/index.html")).unwrap();
    assert!(page.contains("A&#39;s version") || page.contains("A's version") || page.contains("A’s version"), "the published skill is the repository's version");
    assert!(site.tmp.path().join("published/skills/tea-timer-conflict-1/index.html").is_file());
}

#[test]
fn a_round_cut_after_github_applied_it_loses_nothing_after_a_reload() {
    let _one = BROWSERS.lock().unwrap_or_else(|e| e.into_inner());
    let site = site();
    let a = Profile::new(&site);
    assert_eq!(a.set_up_sync().0, "synced");
    // The branch moves, then the connection drops before the answer: the
    // round (the editor page's background sync) cannot know the push happened.
    // Chromium sends a request again once when a kept-alive connection
    // closes unanswered: the repeat is cut the same way.
    site.standin.fail_next("PATCH", "/git/refs/heads/", Failure::DropAfterApply);
    site.standin.fail_next("PATCH", "/git/refs/heads/", Failure::DropAfterApply);
    let before = site.commits();
    a.open_editor("kettle", false);
    a.watch_indicator();
    a.write_skill("kettle", "# Kettle\n\nBoil once.", false);
    // No answer: the backoff's retry finds the push in place.
    a.indicator_went(&["Pending (1)", &site.unreachable_text(), "Synced"], 60);
    assert_eq!(site.standin.pending_failures(), 0);
    assert_eq!(site.commits(), before + 1, "GitHub applied it, once");
    assert!(site.file("skills/kettle/SKILL.md").contains("Boil once."));
    // Reload: the page's own round finds everything in place and makes no second commit.
    a.open("/my/sync/");
    a.browser.wait_for("document.querySelector('#sync-status').dataset.state === 'synced'", 60);
    assert_eq!(site.commits(), before + 1, "no duplicate commit");
    assert_eq!(a.listed(), ["kettle"]);
    a.open("/my/skill/?name=kettle");
    a.browser.wait_for("document.querySelector('.user-skill') && document.querySelector('.user-skill').textContent.includes('Boil once.')", 20);
    // And a second profile gets it whole.
    let b = Profile::new(&site);
    assert_eq!(b.set_up_sync().0, "synced");
    assert_eq!(b.listed(), ["kettle"]);

    // A revoked token stops sync with the fix said; the change waits.
    site.standin.set_token("github_pat_another");
    a.save_skill("kettle", "# Kettle\n\nBoil twice.", true);
    let (state, text) = a.sync_now();
    assert_eq!(state, "error", "{text}");
    assert!(text.starts_with("Sync error: GitHub refused the token (401 Bad credentials)"), "{text}");
    site.standin.set_token(TOKEN);
    assert_eq!(a.sync_now().0, "synced", "Sync now tries again");
    assert!(site.file("skills/kettle/SKILL.md").contains("Boil twice."));
}

/// Issue 17's last piece: once sync is set up, every page with an island
/// syncs in the background (the sync worker) and says how it went in the
/// header; `/my/sync/` is never opened after the set-up.
#[test]
fn every_page_syncs_in_the_background_and_the_header_says_how_it_went() {
    let _one = BROWSERS.lock().unwrap_or_else(|e| e.into_inner());
    let site = site();
    let a = Profile::new(&site);

    // Without sync set up, island pages fetch nothing of sync and show no indicator.
    a.open("/");
    a.open("/my/");
    let loaded = a.browser.eval("return performance.getEntriesByType('resource').map(e => e.name);");
    assert!(loaded.as_array().unwrap().iter().all(|u| !u.as_str().unwrap().contains("sync")), "{loaded}");
    let requested = site.server.take_requests();
    assert!(requested.iter().all(|path| !path.contains("llmos_sync") && !path.contains("sync-worker")), "a page without sync fetched it: {requested:?}");
    assert_eq!(a.browser.eval("return document.querySelector('#sync-indicator').hidden;"), json!(true));

    let b = Profile::new(&site);
    assert_eq!(a.set_up_sync().0, "synced");
    assert_eq!(b.set_up_sync().0, "synced");
    // B, like Chrome for Android, has no SharedWorker: its pages start a dedicated worker each.
    b.browser.cdp("Page.addScriptToEvaluateOnNewDocument", json!({ "source": "delete window.SharedWorker;" }));
    b.open("/skills/");
    assert_eq!(b.browser.eval("return typeof SharedWorker;"), json!("undefined"));
    assert_eq!(b.indicator_reads("Synced", 20), "synced", "the last status shows at once");

    // A writes a skill in the editor; its worker pushes it.
    site.server.take_requests();
    let before = site.commits();
    a.open_editor("bg-tea", false);
    a.indicator_reads("Synced", 20);
    a.watch_indicator();
    a.write_skill("bg-tea", "# Tea\n\nPushed from the editor.", false);
    a.indicator_went(&["Pending (1)", "Synced"], 60);
    assert_eq!(site.commits(), before + 1);
    assert!(site.file("skills/bg-tea/SKILL.md").contains("Pushed from the editor."));
    let requested = site.server.take_requests();
    assert!(requested.iter().any(|path| path.contains("sync-worker.")) && requested.iter().any(|path| path.contains("llmos_sync_bg.")), "{requested:?}");

    // B, still on the catalogue page, gets it within a tick.
    let arrived = (0..50).any(|_| b.has_skill("bg-tea") || {
        std::thread::sleep(std::time::Duration::from_secs(1));
        false
    });
    assert!(arrived, "the skill reached B's store in the background");
    assert_eq!(b.indicator_reads("Synced", 10), "synced");
    assert!(b.listed().contains(&"bg-tea".to_string()));

    // GitHub cannot be reached: the change waits, said so. Meanwhile another device
    // changes the same skill: when the network returns, the backoff's next
    // try keeps both, and the header says so until the sync page is seen.
    site.standin.set_unreachable(true);
    a.save_skill("bg-tea", "# Tea\n\nWritten offline.", true);
    assert_eq!(a.indicator_reads(&site.unreachable_text(), 60), "pending");
    site.standin.commit_files("Another device", &[("skills/bg-tea/SKILL.md", Some("---\nname: bg-tea\ndescription: Brews tea with a timer. Use when making tea.\n---\n# Tea\n\nWritten on another device.\n".as_bytes()))]);
    site.standin.set_unreachable(false);
    assert_eq!(a.indicator_reads("1 conflict kept — see Sync", 60), "conflict");
    assert!(site.file("skills/bg-tea/SKILL.md").contains("Written on another device."));
    assert!(site.file("skills/bg-tea-conflict-1/SKILL.md").contains("Written offline."));
    a.open("/my/sync/");
    a.browser.wait_for("document.querySelectorAll('#sync-conflicts li').length === 1", 30);
    a.open("/");
    assert_eq!(a.indicator_reads("Synced", 20), "synced", "seen on the sync page");

    // A revoked token: every page says so, with the reason; the change stays queued.
    site.standin.set_token("github_pat_revoked");
    a.save_skill("bg-tea", "# Tea\n\nAfter the token was revoked.", true);
    assert_eq!(a.indicator_reads("Sync error: GitHub refused the token (401 Bad credentials)", 60), "error");
    let title = a.browser.eval("return document.querySelector('#sync-indicator a').title;");
    assert!(title.as_str().unwrap().contains("Give a new token"), "the fix: {title}");
    a.open("/");
    assert_eq!(a.indicator_reads("Sync error: GitHub refused the token (401 Bad credentials)", 20), "error", "a new page shows it at once");
    assert_eq!(a.browser.eval("return document.querySelector('#sync-indicator').getAttribute('role');"), json!("status"));
    assert_eq!(a.browser.eval("return new URL(document.querySelector('#sync-indicator a').href).pathname;"), json!("/my/sync/"));
    a.no_overflow("the home page with a sync error in the header");
    // The service worker keeps the site's files, never an API answer (the worker's calls carry the token).
    let cached = a.browser.eval_async(
        "const done = arguments[arguments.length - 1]; (async () => { const urls = []; \
         for (const name of await caches.keys()) for (const r of await (await caches.open(name)).keys()) urls.push(r.url); \
         return urls; })().then(done, () => done([]));",
    );
    let cached: Vec<&str> = cached.as_array().unwrap().iter().map(|u| u.as_str().unwrap()).collect();
    assert!(cached.iter().any(|u| u.contains("/pkg/")), "the service worker is at work: {cached:?}");
    assert!(cached.iter().all(|u| !u.starts_with(&site.standin.base_url())), "{cached:?}");
    if let Some(dir) = std::env::var_os("LLMOS_SCREENSHOTS") {
        for width in [1280, 390] {
            a.browser.cdp("Emulation.setDeviceMetricsOverride", json!({ "width": width, "height": 700, "deviceScaleFactor": 1, "mobile": width < 800 }));
            let shot = a.browser.cdp("Page.captureScreenshot", json!({ "format": "png" }));
            // Looked at by eye (LLMOS_SCREENSHOTS=DIR): the PNG, decoded by coreutils' base64.
            let encoded = std::path::Path::new(&dir).join(format!("sync-indicator-{width}.b64"));
            std::fs::write(&encoded, shot["data"].as_str().unwrap()).unwrap();
            let png = std::process::Command::new("base64").arg("-d").arg(&encoded).output().unwrap().stdout;
            std::fs::write(encoded.with_extension("png"), png).unwrap();
        }
    }
    assert_eq!(a.browser.console_errors(), Vec::<String>::new());
}
