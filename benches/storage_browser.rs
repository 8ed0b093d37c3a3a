//! IndexedDB against the Origin Private File System for what LLMos stores,
//! in headless Chromium: `cargo bench --bench storage_browser`
//!
//! Serves a bare page (no site, no CSP in the way of the worker) carrying
//! `storage_browser/bench.js`, and times in a real Chromium profile, for
//! each backend, the operations LLMos does with the user's skills: save one
//! skill (SKILL.md and two bundled files), import 1,000 skills (the writes
//! of a 1,000-skill zip once unpacked: the unpacking is the same code
//! whichever backend follows), and load 10,000 skills with all their
//! files; and a file a run is given or writes (one 16 MiB file, written,
//! then read back). Backends: IndexedDB as the app's rexie path writes it,
//! OPFS from the page (`createWritable`), and OPFS from a worker
//! (`createSyncAccessHandle`). Medians of LLMOS_BENCH_RUNS runs (default 5);
//! LLMOS_BENCH_SKILLS changes the 10,000. Needs chromium and chromium-driver
//! (scripts/test.sh installs them). The figures are in content/storage.md.

#[path = "../tests/common/mod.rs"]
mod common;

use common::server::StaticServer;
use common::webdriver::Browser;
use serde_json::Value;

fn median(values: &Value) -> (f64, Vec<f64>) {
    let mut runs: Vec<f64> = values.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let shown = runs.clone();
    runs.sort_by(f64::total_cmp);
    (runs[runs.len() / 2], shown)
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let env = |name: &str, default: usize| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let (runs, many, imported) = (env("LLMOS_BENCH_RUNS", 5), env("LLMOS_BENCH_SKILLS", 10_000), 1_000);
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("index.html"), "<!doctype html><meta charset=utf-8><title>storage bench</title><script src=bench.js></script>").unwrap();
    std::fs::write(site.path().join("bench.js"), include_str!("storage_browser/bench.js")).unwrap();
    let server = StaticServer::start(site.path(), "/");
    let browser = Browser::start();
    browser.goto(&server.url("/"));
    browser.wait_for("typeof window.storageBench === 'function'", 20);
    println!("storage_browser (headless Chromium; median of {runs} runs, ms; skills of SKILL.md + 2 files, ≈ 3 kB):");
    println!("  {:<36} {:>12} {:>16} {:>16} {:>14} {:>13}", "backend", "save 1 skill", format!("import {imported}"), format!("load {many}"), "write 16 MiB", "read 16 MiB");
    for (backend, label) in [("idb", "IndexedDB (rexie path)"), ("opfs", "OPFS, page (createWritable)"), ("sync", "OPFS, worker (createSyncAccessHandle)")] {
        browser.eval(&format!(
            "window.__bench = null; window.storageBench('{backend}', {runs}, {many}, {imported}).then((r) => window.__bench = r, (e) => window.__bench = {{ error: String(e && e.stack || e) }}); return 0;"
        ));
        let result = browser.wait_for("window.__bench", 1800);
        assert!(result.get("error").is_none(), "{backend}: {}", result["error"]);
        let (save, save_runs) = median(&result["save_one"]);
        let (import, import_runs) = median(&result["import"]);
        let (load, load_runs) = median(&result["load"]);
        let (big_write, _) = median(&result["big_write"]);
        let (big_read, _) = median(&result["big_read"]);
        println!("  {label:<36} {save:>12.1} {import:>16.0} {load:>16.0} {big_write:>14.0} {big_read:>13.0}");
        println!("    runs: save {save_runs:.1?}; import {import_runs:.0?}; load {load_runs:.0?}");
    }
}
