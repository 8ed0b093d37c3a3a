//! Offline use in real headless Chromium (issue 17, item 1): after one
//! visit, with the test's server cut off, the catalogue, a skill page,
//! search, "Your skills", the editor and a Python skill run all work; no
//! provider response is ever cached; a new build deployed to the same
//! folder is offered ("A new version is available — Reload") and, once
//! accepted, is what the site shows, online and off.

mod common;

use common::providers::ProviderStandIn;
use common::server::StaticServer;
use common::webdriver::Browser;
use llmos_core::llm::ProviderKind;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A project site's base path: the worker's scope and every URL it stores honour it.
const BASE: &str = "/repo/";
const HYDRATED: &str = "document.documentElement.dataset.islands === 'hydrated'";
/// The page is controlled by the site's worker, whose install (the precache) is done.
const CONTROLLED: &str = "navigator.serviceWorker.controller !== null && navigator.serviceWorker.controller.state === 'activated'";
const BANNER_SHOWN: &str = "document.querySelector('.update-banner') !== null && !document.querySelector('.update-banner').hidden";

fn pyodide_dir() -> PathBuf {
    let dir = common::repo(&format!("target/npm/pyodide-{}/package", llmos::runner::PYODIDE_VERSION));
    assert!(dir.join("pyodide.asm.wasm").is_file(), "Pyodide is not fetched: run scripts/test.sh, which fetches it from the npm registry");
    dir
}

/// Builds the bundled site titled `title` into `cwd/site` (over the last build, as a deploy does).
fn build(cwd: &Path, title: &str) -> PathBuf {
    std::fs::write(cwd.join("llmos.toml"), format!("title = {title:?}\nbase_path = {BASE:?}\n")).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_llmos")).args(["build", "--quiet", "--out", "site"]).current_dir(cwd).env("LLMOS_PYODIDE_DIR", pyodide_dir()).output().expect("llmos runs");
    assert!(output.status.success(), "build failed: {}", String::from_utf8_lossy(&output.stderr));
    let site = cwd.join("site");
    assert!(site.join("sw.js").is_file(), "the build wrote no service worker: run scripts/build-islands.sh, which embeds Workbox");
    site
}

/// Every entry of the page's Cache Storage: [cache name, URL, bytes].
fn cached(browser: &Browser) -> Vec<(String, String, u64)> {
    let entries = browser.eval_async(
        r#"const done = arguments[arguments.length - 1];
        (async () => {
          const all = [];
          for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            for (const request of await cache.keys()) {
              const response = await cache.match(request);
              all.push([name, request.url, (await response.arrayBuffer()).byteLength]);
            }
          }
          return all;
        })().then(done, (error) => done(String(error)));"#,
    );
    let entries = entries.as_array().unwrap_or_else(|| panic!("reading Cache Storage failed: {entries}"));
    entries.iter().map(|e| (e[0].as_str().unwrap().to_string(), e[1].as_str().unwrap().to_string(), e[2].as_u64().unwrap())).collect()
}

/// Opens the Python skill's page, runs it with its defaults, and returns its outputs.
fn run_python(browser: &Browser, url: &str) -> Value {
    browser.goto(url);
    browser.wait_for("document.querySelector('[data-runner=ready] .run-panel')", 30);
    browser.click(".run-form button[type=submit]");
    let state = browser.wait_for(
        "['done', 'failed'].includes(document.querySelector('.run-panel').dataset.runState) && document.querySelector('.run-panel').dataset.runs === '1' && document.querySelector('.run-panel').dataset.runState",
        120,
    );
    assert_eq!(state, "done", "the run failed: {}", browser.eval("return document.querySelector('.run-panel').innerText"));
    let raw = browser.eval("return document.querySelector('[data-run-outputs]')?.dataset.runOutputs ?? null");
    serde_json::from_str(raw.as_str().expect("outputs shown")).unwrap()
}

#[test]
fn after_one_visit_the_site_works_offline_and_a_new_build_is_offered() {
    let work = tempfile::tempdir().unwrap();
    let site = build(work.path(), "LLMos");
    let server = StaticServer::start(&site, BASE);
    let at = |path: &str| server.url(&format!("{BASE}{path}"));
    let browser = Browser::start();
    let standin = ProviderStandIn::start();

    // One visit: the home page installs the worker, which precaches the build.
    browser.goto(&at(""));
    browser.wait_for(HYDRATED, 30);
    browser.wait_for(CONTROLLED, 60);
    assert_eq!(browser.eval("return document.querySelector('link[rel=manifest]').getAttribute('href');"), "/repo/manifest.webmanifest");
    let scope = browser.eval_async("const done = arguments[arguments.length - 1]; navigator.serviceWorker.getRegistration().then((r) => done(r.scope));");
    assert_eq!(scope, at(""), "the worker's scope is the base path");
    // Pages without islands still ship no script, and register nothing.
    browser.goto(&at("skills/code-review/"));
    browser.wait_for("document.readyState === 'complete'", 10);
    assert_eq!(browser.eval("return document.scripts.length"), 0);

    // The catalogue, read once.
    browser.goto(&at("skills/"));
    browser.wait_for(HYDRATED, 30);
    // A Python run online: the page reads the runtime, which the worker keeps.
    let online = run_python(&browser, &at("skills/resistor-divider/"));

    // A chat answer from a provider (the stand-in, with a key): never cached.
    browser.goto(&at("chat/"));
    browser.wait_for(HYDRATED, 30);
    browser.wait_for("document.querySelector('#key-status') && document.querySelector('#key-status').textContent.trim() !== ''", 20);
    let set = |css: &str, value: &str| {
        browser.eval(&format!("const e = document.querySelector({css:?}); e.value = {value:?}; for (const t of ['input', 'change']) e.dispatchEvent(new Event(t, {{ bubbles: true }})); return true;"));
    };
    browser.eval("const d = document.querySelector('.chat-settings'); if (!d.open) d.querySelector('summary').click(); return true;");
    set("#provider", "anthropic");
    browser.wait_for("document.querySelector('#provider').value === 'anthropic'", 10);
    set("#base-url", &standin.base_url(ProviderKind::Anthropic));
    browser.type_into("#api-key", &standin.key(ProviderKind::Anthropic).unwrap());
    browser.click("#save-key");
    browser.wait_for("document.querySelector('#key-status').textContent.includes('stored encrypted')", 10);
    set("#model", standin.model(ProviderKind::Anthropic));
    browser.type_into("#chat-input", "Hello from before the network went away");
    browser.click("#send");
    browser.wait_for("document.querySelectorAll('.msg.assistant:not(.live)').length > 0 && document.querySelector('#live').classList.contains('hidden')", 30);
    assert!(standin.requests().iter().any(|r| r.method == "POST"), "the provider was asked");

    let entries = cached(&browser);
    let foreign: Vec<_> = entries.iter().filter(|(_, url, _)| !url.starts_with(&at(""))).collect();
    assert!(foreign.is_empty(), "only the site's own files are cached, never a provider's answer: {foreign:?}");
    assert!(entries.iter().any(|(_, url, _)| url.contains("/pyodide/")), "the Python runtime is cached once read");
    // The figures of the closing note: what the worker precached, by kind.
    let mut kinds: std::collections::BTreeMap<String, (usize, u64)> = Default::default();
    for (name, url, bytes) in entries.iter().filter(|(name, _, _)| name.starts_with("llmos-precache")) {
        let _ = name;
        let path = url.split('?').next().unwrap();
        let kind = if path.ends_with('/') || path.ends_with(".html") { "page".to_string() } else { path.rsplit('.').next().unwrap().to_string() };
        let entry = kinds.entry(kind).or_default();
        entry.0 += 1;
        entry.1 += bytes;
    }
    let total: u64 = kinds.values().map(|(_, b)| b).sum();
    println!("precached: {total} bytes in {} files; by kind: {kinds:?}", kinds.values().map(|(n, _)| n).sum::<usize>());
    let python: u64 = entries.iter().filter(|(name, _, _)| name == "llmos-python").map(|(_, _, b)| b).sum();
    println!("cached once used: Python runtime {python} bytes");

    // The network goes away.
    server.set_down(true);
    let refused = browser.eval_async("const done = arguments[arguments.length - 1]; fetch('/repo/sw.js?probe').then(() => done('answered'), () => done('failed'));");
    assert_eq!(refused, "failed", "the server is really cut off");

    // The catalogue, a skill page, search, your skills, the editor: from the cache.
    browser.goto(&at("skills/"));
    browser.wait_for(HYDRATED, 30);
    assert!(browser.eval("return document.querySelectorAll('main a[href^=\"/repo/skills/\"]').length").as_u64().unwrap() > 10, "the catalogue lists skills offline");
    browser.goto(&at("skills/resistor-divider/"));
    browser.wait_for("document.querySelector('main h1')", 10);
    assert!(browser.eval("return document.querySelector('main h1').textContent").as_str().unwrap().contains("resistor-divider"));
    // A page never opened says the device is offline, not that the page does not exist.
    browser.goto(&at("skills/bell-state/"));
    browser.wait_for("document.querySelector('main h1')", 10);
    assert_eq!(browser.eval("return document.querySelector('main h1').textContent").as_str().unwrap(), "You are offline");
    browser.goto(&at("search/"));
    browser.wait_for(HYDRATED, 30);
    browser.type_into("#search-input", "bell");
    browser.wait_for("document.querySelectorAll('#search-results li').length > 0", 10);
    browser.goto(&at("my/edit/"));
    browser.wait_for(HYDRATED, 30);
    browser.wait_for("document.querySelector('#skill-name')", 20);
    for (css, text) in [("#skill-name", "offline-notes"), ("#skill-description", "Notes written on a train. Use when offline.")] {
        browser.type_into(css, text);
    }
    browser.click("#save-skill");
    browser.wait_for("document.querySelector('.notice.ok') && document.querySelector('.notice.ok').textContent.includes('Saved offline-notes')", 20);
    browser.goto(&at("my/"));
    browser.wait_for(HYDRATED, 30);
    browser.wait_for("document.querySelector('#my-skill-list .my-skill[data-name=\"offline-notes\"]')", 20);
    // A Python run, offline: the same outputs as online, in a frame the
    // worker sandboxed by header, whose origin is opaque all the same.
    assert_eq!(run_python(&browser, &at("skills/resistor-divider/")), online);
    let frame = browser.eval("const f = document.querySelector('iframe[data-llmos-sandbox]'); return [f.hasAttribute('sandbox'), f.contentDocument === null];");
    assert_eq!(frame, json!([false, true]), "the sandbox's origin is opaque (its document unreadable from the page)");

    // The chat, offline: a model on this computer (the stand-in, on
    // 127.0.0.1) still answers; a provider elsewhere is named unreachable,
    // and not even asked, once the browser reports no network.
    browser.goto(&at("chat/"));
    browser.wait_for(HYDRATED, 30);
    let answers = |b: &Browser| b.eval("return document.querySelectorAll('.msg.assistant:not(.live)').length;").as_u64().unwrap();
    let idle = "document.querySelector('#live').classList.contains('hidden') && !document.querySelector('#send').disabled";
    browser.wait_for(idle, 20);
    let before = answers(&browser);
    browser.type_into("#chat-input", "Still there, local model?");
    browser.click("#send");
    browser.wait_for(&format!("document.querySelectorAll('.msg.assistant:not(.live)').length > {before} && {idle}"), 30);
    assert!(
        browser.eval("const a = [...document.querySelectorAll('.msg.assistant:not(.live)')]; return a[a.length - 1].querySelector('.chat-error') === null;").as_bool().unwrap(),
        "a local server answers while the site is offline"
    );
    let posts = standin.requests().iter().filter(|r| r.method == "POST").count();
    browser.eval("const d = document.querySelector('.chat-settings'); if (!d.open) d.querySelector('summary').click(); return true;");
    set("#base-url", "https://api.anthropic.com");
    browser.cdp("Network.enable", json!({}));
    browser.cdp("Network.emulateNetworkConditions", json!({ "offline": true, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 }));
    browser.wait_for("navigator.onLine === false", 10);
    let before = answers(&browser);
    browser.type_into("#chat-input", "And the hosted one?");
    browser.click("#send");
    // The key was saved for the stand-in's address: the chat asks before sending it elsewhere.
    browser.wait_for("[...document.querySelectorAll('.notice button')].some(b => b.textContent === 'Send it there')", 10);
    browser.eval("[...document.querySelectorAll('.notice button')].find(b => b.textContent === 'Send it there').click(); return true;");
    browser.wait_for(&format!("document.querySelectorAll('.msg.assistant:not(.live)').length > {before} && {idle}"), 30);
    let error = browser.eval("const a = [...document.querySelectorAll('.msg.assistant:not(.live)')]; const e = a[a.length - 1].querySelector('.chat-error'); return e ? e.textContent : '';");
    let error = error.as_str().unwrap();
    assert!(error.contains("You are offline") && error.contains("Anthropic cannot be reached without a network connection"), "{error}");
    assert_eq!(standin.requests().iter().filter(|r| r.method == "POST").count(), posts, "nothing was sent");
    browser.cdp("Network.emulateNetworkConditions", json!({ "offline": false, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 }));

    // A new build deployed to the same folder, the network back.
    let _ = build(work.path(), "LLMos Next");
    server.set_down(false);
    browser.goto(&at("my/"));
    browser.wait_for(HYDRATED, 30);
    browser.wait_for(BANNER_SHOWN, 60);
    assert_eq!(browser.eval("return document.querySelector('.update-banner').textContent"), "A new version is available — Reload");
    // At a phone's width, the offer fits the screen.
    browser.cdp("Emulation.setDeviceMetricsOverride", json!({ "width": 390, "height": 800, "deviceScaleFactor": 1, "mobile": true }));
    let fits = browser.eval("const r = document.querySelector('.update-banner').getBoundingClientRect(); return r.left >= 0 && r.right <= innerWidth && r.bottom <= innerHeight;");
    assert_eq!(fits, true, "the offer fits a 390 px screen");
    // Never offered while a skill runs: accepting would reload the page.
    browser.eval("const p = document.createElement('div'); p.className = 'run-panel'; p.id = 'busy-probe'; p.dataset.runState = 'running'; document.body.append(p); return true;");
    browser.wait_for("document.querySelector('.update-banner').hidden", 5);
    browser.eval("document.querySelector('#busy-probe').remove(); return true;");
    browser.wait_for(BANNER_SHOWN, 5);
    browser.eval("window.beforeTheUpdate = true; document.querySelector('.update-banner button').click(); return true;");
    // Accepting activates the new worker and reloads the page.
    browser.wait_for("window.beforeTheUpdate === undefined && document.readyState === 'complete' && navigator.serviceWorker.controller !== null", 30);
    browser.wait_for(HYDRATED, 30);
    assert_eq!(browser.eval("return document.querySelector('.update-banner') === null;"), true, "the new version is the one running");

    // Offline again: the new build is what the site shows, and the old build's caches are gone.
    server.set_down(true);
    browser.goto(&at(""));
    browser.wait_for("document.readyState === 'complete'", 10);
    assert!(browser.eval("return document.title").as_str().unwrap().contains("LLMos Next"), "offline, the site is the new build");
    let names: Vec<String> = cached(&browser).into_iter().map(|(name, _, _)| name).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    assert_eq!(names.iter().filter(|n| n.starts_with("llmos-pages-")).count(), 1, "one build's pages: {names:?}");
    let home = cached(&browser).into_iter().filter(|(name, url, _)| name.starts_with("llmos-precache") && url.starts_with(&at("?"))).count();
    assert_eq!(home, 1, "the old build's precached pages are removed on activation");
}
