//! The islands in real headless Chromium (Debian's chromium + chromedriver),
//! against the site the real binary built, served on 127.0.0.1.

mod common;

use common::server::StaticServer;
use common::webdriver::{Browser, ARROW_DOWN, ENTER, ESCAPE};
use common::*;
use std::sync::Mutex;

/// One Chromium at a time: the machines have two cores.
static BROWSER: Mutex<()> = Mutex::new(());

fn build_site(base_path: &str, out: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let run = llmos(tmp.path(), &["build", "--base-path", base_path, "--out", out]);
    assert!(run.ok, "{}", run.stderr);
    tmp
}

const HYDRATED: &str = "document.documentElement.dataset.islands === 'hydrated'";

fn result_names(browser: &Browser) -> Vec<String> {
    let names = browser.eval("return [...document.querySelectorAll('#search-results .result-name')].map(e => e.textContent);");
    names.as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string()).collect()
}

#[test]
fn search_finds_skills_and_keyboard_opens_them() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = build_site("/", "site");
    let server = StaticServer::start(&tmp.path().join("site"), "/");
    let browser = Browser::start();

    browser.goto(&server.url("/search/"));
    browser.wait_for(HYDRATED, 30);
    let hydrated_ms = browser.eval("return performance.getEntriesByName('llmos-islands-hydrated')[0].startTime;");
    println!("page load to hydrated search island: {hydrated_ms} ms");
    assert_eq!(browser.console_errors(), Vec::<String>::new(), "no console errors on load");
    assert_eq!(browser.eval("return document.activeElement.id;"), "search-input", "the search page focuses the box");

    browser.type_into("#search-input", "bell");
    browser.wait_for("document.querySelectorAll('#search-results li').length > 0", 10);
    assert_eq!(result_names(&browser)[0], "bell-state");
    // Each ranking is a User Timing measure (the search_shards bench reads them).
    let ranked = browser.eval("return performance.getEntriesByName('llmos-search', 'measure').map(m => m.duration);");
    assert!(ranked.as_array().is_some_and(|m| !m.is_empty() && m.iter().all(|d| d.as_f64().is_some_and(|d| (0.0..1000.0).contains(&d)))), "rankings are measured: {ranked}");
    let marked = browser.eval("return [...document.querySelectorAll('#search-results li:first-child mark')].map(m => m.textContent);");
    assert!(marked.as_array().unwrap().iter().any(|m| m.as_str().unwrap().eq_ignore_ascii_case("bell")), "matches are highlighted: {marked}");

    browser.type_into("#search-input", " ");
    browser.type_into("#search-input", "stat");
    browser.wait_for("document.querySelector('#search-input').value === 'bell stat'", 5);
    let names = result_names(&browser);
    assert!(names.len() >= 2, "{names:?}");
    // Nothing is selected until the arrows move; the first press selects the first result.
    assert_eq!(browser.eval("return document.querySelectorAll('#search-results li[aria-selected=true]').length"), 0);
    browser.press(ARROW_DOWN);
    browser.wait_for("document.querySelector('#search-results li:nth-child(1)').getAttribute('aria-selected') === 'true'", 5);
    browser.press(ARROW_DOWN);
    browser.wait_for("document.querySelector('#search-results li:nth-child(2)').getAttribute('aria-selected') === 'true'", 5);
    let second = browser.eval("return document.querySelector('#search-results li:nth-child(2) a').getAttribute('href');");
    // The site's service worker stores the build's files in the background
    // once (offline use): what follows is what the next page itself loads.
    browser.wait_for("navigator.serviceWorker.controller !== null && navigator.serviceWorker.controller.state === 'activated'", 60);
    server.take_requests();
    browser.press(ENTER);
    browser.wait_for(&format!("location.pathname === {second}"), 10);
    browser.wait_for("document.readyState === 'complete'", 10);
    let requests = server.take_requests();
    assert!(requests.iter().any(|r| r.starts_with("/skills/")), "{requests:?}");
    // A skill page loads no script, but the Run panel's on executable skills.
    let runs = browser.eval("return !!document.querySelector('[data-llmos-run]')").as_bool().unwrap();
    let scripts: Vec<&String> = requests.iter().filter(|r| r.ends_with(".js") || r.ends_with(".wasm")).collect();
    assert!(scripts.iter().all(|r| runs && (r.starts_with("/pkg/runner.") || r.starts_with("/pkg/llmos_runner"))), "a skill page loads no script but the runner's: {requests:?}");
    assert_eq!(browser.console_errors(), Vec::<String>::new());

    // Enter without choosing a result searches: the home page's box opens the results page.
    browser.goto(&server.url("/"));
    browser.wait_for(HYDRATED, 30);
    browser.type_into("#search-input", "csv");
    browser.wait_for("document.querySelectorAll('#search-results li').length > 0", 10);
    browser.press(ENTER);
    browser.wait_for("location.pathname === '/search/' && new URLSearchParams(location.search).get('q') === 'csv'", 10);
    browser.wait_for("document.querySelectorAll('#search-results li').length > 0", 30);
    assert_eq!(browser.eval("return document.querySelector('#search-input').value;"), "csv");
}

#[test]
fn slash_focuses_search_and_escape_closes_the_results() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = build_site("/", "site");
    let server = StaticServer::start(&tmp.path().join("site"), "/");
    let browser = Browser::start();
    browser.goto(&server.url("/skills/"));
    browser.wait_for(HYDRATED, 30);
    assert_ne!(browser.eval("return document.activeElement.id;"), "search-input");
    browser.press("/");
    browser.wait_for("document.activeElement.id === 'search-input'", 5);
    browser.type_into("#search-input", "regex");
    browser.wait_for("document.querySelectorAll('#search-results li').length > 0", 10);
    assert_eq!(result_names(&browser)[0], "regex-builder");
    assert_eq!(browser.eval("return document.querySelector('#search-input').value;"), "regex", "`/` itself was not typed");
    // Escape closes the list and keeps the query; typing opens it again; a
    // second Escape leaves the box.
    browser.press(ESCAPE);
    browser.wait_for("document.querySelectorAll('#search-results li').length === 0", 5);
    assert_eq!(browser.eval("return document.querySelector('#search-input').value;"), "regex");
    assert_eq!(browser.eval("return document.querySelector('#search-input').getAttribute('aria-expanded');"), "false");
    browser.press(ARROW_DOWN);
    browser.wait_for("document.querySelectorAll('#search-results li').length > 0", 5);
    browser.press(ESCAPE);
    browser.wait_for("document.querySelectorAll('#search-results li').length === 0", 5);
    browser.press(ESCAPE);
    browser.wait_for("document.activeElement.id !== 'search-input'", 5);
    assert_eq!(browser.eval("return document.querySelector('#search-input').value;"), "regex");

    // Pages without an island load no script at all.
    server.take_requests();
    browser.goto(&server.url("/docs/skill-format/"));
    browser.wait_for("document.readyState === 'complete'", 10);
    let requests = server.take_requests();
    assert!(requests.iter().all(|r| !r.ends_with(".js") && !r.ends_with(".wasm")), "{requests:?}");
    assert_eq!(browser.eval("return document.scripts.length;"), 0);
}

#[test]
fn search_works_under_a_base_path_and_from_the_address() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = build_site("/llmos/", "served/llmos");
    let server = StaticServer::start(&tmp.path().join("served/llmos"), "/llmos/");
    let browser = Browser::start();
    // The plain form (no JavaScript needed to submit) lands on /search/?q=…
    browser.goto(&server.url("/llmos/search/?q=quantum%20fourier"));
    browser.wait_for(HYDRATED, 30);
    browser.wait_for("document.querySelectorAll('#search-results li').length > 0", 10);
    assert_eq!(result_names(&browser)[0], "quantum-fourier-transform");
    let href = browser.eval("return document.querySelector('#search-results li a').getAttribute('href');");
    assert_eq!(href, "/llmos/skills/quantum-fourier-transform/");
    let requests = server.take_requests();
    assert!(requests.iter().any(|r| r == "/llmos/index/search/manifest.bin"), "the index is fetched under the base path: {requests:?}");
    assert!(requests.iter().all(|r| r.starts_with("/llmos/") || r == "/favicon.ico"), "{requests:?}");
    assert_eq!(browser.console_errors(), Vec::<String>::new());
}

#[test]
fn the_index_is_fetched_only_when_the_user_searches() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = build_site("/", "site");
    let server = StaticServer::start(&tmp.path().join("site"), "/");
    let browser = Browser::start();
    browser.goto(&server.url("/"));
    browser.wait_for(HYDRATED, 30);
    let requests = server.take_requests();
    assert!(requests.iter().any(|r| r.ends_with(".wasm")), "the home page has the island: {requests:?}");
    // What the page itself fetched (the service worker also stores the
    // index in the background, for offline use, without the page waiting).
    const PAGE_FETCHED_INDEX: &str = "performance.getEntriesByType('resource').some((e) => new URL(e.name).pathname === '/index/search/manifest.bin')";
    // Nor the search kit: the engine that ranks (issue 14).
    const PAGE_FETCHED_KIT: &str = "performance.getEntriesByType('resource').some((e) => /\\/pkg\\/llmos_searchkit_bg\\.[0-9a-f]+\\.wasm$/.test(new URL(e.name).pathname))";
    assert_eq!(browser.eval(&format!("return {PAGE_FETCHED_INDEX};")), false, "no index before the user searches");
    assert_eq!(browser.eval(&format!("return {PAGE_FETCHED_KIT};")), false, "no search kit before the user searches");
    browser.type_into("#search-input", "csv");
    browser.wait_for("document.querySelectorAll('#search-results li').length > 0", 10);
    assert_eq!(result_names(&browser)[0], "csv-analysis");
    assert_eq!(browser.eval(&format!("return {PAGE_FETCHED_INDEX};")), true, "the index is fetched when the user searches");
    assert_eq!(browser.eval(&format!("return {PAGE_FETCHED_KIT};")), true, "so is the search kit");
}

#[test]
fn the_results_page_shows_every_result_and_keeps_the_query_in_the_address() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    // 45 skills the query finds equally well: more than one screen of results.
    for i in 0..45 {
        let dir = tmp.path().join(format!("skills/widget-{i:02}"));
        std::fs::create_dir_all(&dir).unwrap();
        let category = if i % 3 == 0 { "Data Tools" } else { "Text" };
        let keywords = if i % 5 == 0 { "[gears, widgets]" } else { "[cogs, widgets]" };
        std::fs::write(dir.join("SKILL.md"), format!("---\nname: widget-{i:02}\ndescription: Widget maker number {i}.\ncategory: {category}\nkeywords: {keywords}\n---\n# Widget {i}\n")).unwrap();
    }
    let run = llmos(tmp.path(), &["build", "--skills", "skills", "--out", "site"]);
    assert!(run.ok, "{}", run.stderr);
    let server = StaticServer::start(&tmp.path().join("site"), "/");
    let browser = Browser::start();
    for (width, height) in [(1280, 900), (390, 844)] {
        browser.cdp("Emulation.setDeviceMetricsOverride", serde_json::json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 800 }));
        browser.goto(&server.url("/search/"));
        browser.wait_for(HYDRATED, 30);
        // An empty query says what to type.
        assert!(browser.eval("return document.querySelector('.search-status').textContent;").as_str().unwrap().contains("type:python"), "a hint at {width} px");
        browser.type_into("#search-input", "widget");
        browser.wait_for("document.querySelectorAll('#search-results li').length === 20", 10);
        // The address follows the typing, so a reload or a shared link shows the same results.
        assert_eq!(browser.eval("return new URL(location.href).searchParams.get('q');"), "widget", "at {width} px");
        assert_eq!(browser.eval("return document.querySelector('.search-status').textContent;"), "20 of 45 skills", "the total, at {width} px");
        // Tag chips, from the results shown.
        let tags = browser.eval("return [...document.querySelectorAll('.search-tags button')].map(b => b.textContent);");
        assert_eq!(tags, serde_json::json!(["#widgets (20)", "#cogs (16)", "#gears (4)"]), "at {width} px");
        // "Show more" is a button: reachable with Tab, pressed with Enter.
        browser.eval("document.querySelector('.search-more').focus();");
        browser.press(ENTER);
        browser.wait_for("document.querySelectorAll('#search-results li').length === 45", 10);
        assert_eq!(browser.eval("return document.querySelector('.search-more:not([hidden])');"), serde_json::Value::Null, "no button once everything is shown, at {width} px");
        assert_eq!(browser.eval("return document.querySelector('.search-status').textContent;"), "45 skills");
        let overflow = browser.eval("return document.documentElement.scrollWidth > document.documentElement.clientWidth;");
        assert_eq!(overflow, false, "the page fits {width} px");

        // Facet chips, built from all the results, add and remove a filter in the query.
        let chips = browser.eval("return [...document.querySelectorAll('.search-facets button')].map(b => b.textContent);");
        assert_eq!(chips, serde_json::json!(["category: Text (30)", "category: Data Tools (15)"]), "at {width} px");
        browser.eval("[...document.querySelectorAll('.search-facets button')].find(b => b.textContent.includes('Data Tools')).click();");
        browser.wait_for("document.querySelectorAll('#search-results li').length === 15", 10);
        assert_eq!(browser.eval("return document.querySelector('#search-input').value;"), "widget category:data-tools");
        assert_eq!(browser.eval("return new URL(location.href).searchParams.get('q');"), "widget category:data-tools");
        assert_eq!(browser.eval("return document.querySelector('.search-facets [aria-pressed=true]').textContent;"), "category: Data Tools (15)");
        // The chip was a step in the history: Back undoes it.
        browser.eval("history.back();");
        browser.wait_for("document.querySelector('#search-input').value === 'widget' && document.querySelectorAll('#search-results li').length === 20", 10);
        assert_eq!(browser.eval("return new URL(location.href).searchParams.get('q');"), "widget");
        browser.eval("[...document.querySelectorAll('.search-facets button')].find(b => b.textContent.includes('Data Tools')).click();");
        browser.wait_for("document.querySelectorAll('#search-results li').length === 15", 10);
        browser.eval("document.querySelector('.search-facets [aria-pressed=true]').click();");
        browser.wait_for("document.querySelector('#search-input').value === 'widget'", 10);
        // A tag chip filters by the tag.
        browser.eval("[...document.querySelectorAll('.search-tags button')].find(b => b.textContent.startsWith('#gears')).click();");
        browser.wait_for("document.querySelectorAll('#search-results li').length === 9", 10);
        assert_eq!(browser.eval("return document.querySelector('#search-input').value;"), "widget tag:gears");
        browser.eval("history.back();");
        browser.wait_for("document.querySelector('#search-input').value === 'widget'", 10);

        browser.eval("location.reload();");
        browser.wait_for(HYDRATED, 30);
        browser.wait_for("document.querySelectorAll('#search-results li').length === 20", 10);
        assert_eq!(browser.eval("return document.querySelector('#search-input').value;"), "widget", "the reload restored the query");
    }
    assert_eq!(browser.console_errors(), Vec::<String>::new());
}

/// A query fetches the index's manifest and only the shards of its words
/// (Resource Timing), the metadata of the results it shows, and the docs
/// pages come as their own group.
#[test]
fn a_query_fetches_only_its_shards_and_shows_docs_as_their_own_group() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let tmp = build_site("/", "site");
    let shards = std::fs::read_dir(tmp.path().join("site/index/search")).unwrap().filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with('s')).count();
    assert!(shards >= 2, "the bundled index spans {shards} shards");
    let server = StaticServer::start(&tmp.path().join("site"), "/");
    let browser = Browser::start();
    browser.goto(&server.url("/search/"));
    browser.wait_for(HYDRATED, 30);
    assert_eq!(browser.eval("return document.querySelector('#search-input').placeholder;"), "Search skills and docs…", "the box says the docs are searched too");
    browser.type_into("#search-input", "offline");
    browser.wait_for("document.querySelectorAll('#search-docs li').length > 0", 10);
    let docs = browser.eval("return [...document.querySelectorAll('#search-docs li a')].map(a => a.getAttribute('href'));");
    assert_eq!(docs[0], "/docs/offline/", "{docs}");
    assert_eq!(browser.eval("return document.querySelector('#search-docs-heading').textContent;"), "Docs");
    let fetched = |dir: &str| -> Vec<String> {
        let names = browser.eval(&format!("return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname).filter(p => p.startsWith('/index/{dir}/')).map(p => p.split('/').pop());"));
        names.as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string()).collect()
    };
    let skills = fetched("search");
    let term_shards = skills.iter().filter(|n| n.starts_with('s')).count();
    let fragments = skills.iter().filter(|n| n.starts_with('d')).count();
    let rows = browser.eval("return document.querySelectorAll('#search-results li').length;").as_u64().unwrap() as usize;
    println!("\"offline\": {term_shards} of {shards} shards, {fragments} result fragments for {rows} results: {skills:?}");
    assert!(skills.contains(&"manifest.bin".to_string()), "{skills:?}");
    assert!((1..=2).contains(&term_shards) && term_shards < shards, "one word reads one or two shards: {skills:?}");
    assert_eq!(fragments, rows, "metadata only for the results shown: {skills:?}");
    // The docs group is reachable with the arrow keys after the skills.
    for _ in 0..=rows {
        browser.press(ARROW_DOWN);
    }
    let active = browser.eval("return document.querySelector('#search-input').getAttribute('aria-activedescendant');");
    assert_eq!(active, format!("search-result-{rows}"));
    assert_eq!(browser.eval(&format!("return document.getElementById('search-result-{rows}').closest('ul').id;")), "search-docs");
    // The header's dropdown shows docs too.
    browser.goto(&server.url("/"));
    browser.wait_for(HYDRATED, 30);
    assert_eq!(browser.eval("return document.querySelector('#search-input').placeholder;"), "Search skills and docs…", "the box says the docs are searched too");
    browser.type_into("#search-input", "offline");
    browser.wait_for("document.querySelectorAll('#search-docs li').length > 0", 10);
    assert!(browser.eval("return document.querySelectorAll('#search-docs li').length;").as_u64().unwrap() <= 3);
    assert!(!fetched("search").contains(&"facets.bin".to_string()), "the dropdown counts no facets: {:?}", fetched("search"));
    assert_eq!(browser.console_errors(), Vec::<String>::new());
}
