//! Running skills in the browser: `cargo bench --bench run_speed`
//!
//! Builds the default site with the self-hosted Pyodide, serves it with
//! GitHub Pages' caching (`max-age=600`) and measures in headless Chromium,
//! from the click on Run to the outputs shown (the panel's state `done`):
//! - bell-state (Python) on a cold cache: a new browser profile; with the
//!   bytes the server sent from opening the page to the first result;
//! - bell-state on a warm cache: the page opened again (Pyodide in the HTTP
//!   cache, a new sandbox), then a second run in the same page;
//! - ohms-law-calculator (JavaScript): first run (a new sandbox) and second.
//!
//! Anchors in the same run: `llmos run` of the same skills natively
//! (python3 and node started for each run). Rounds: LLMOS_BENCH_ROUNDS (5).

#[path = "../tests/common/mod.rs"]
mod common;

use common::server::StaticServer;
use common::webdriver::Browser;
use std::time::Instant;

fn click_to_done(browser: &Browser) -> f64 {
    let (ms, state) = common::click_run_and_time(browser);
    assert_eq!(state, "done", "the run failed: {}", browser.eval("return document.querySelector('.run-panel').innerText"));
    ms
}

fn open(browser: &Browser, url: &str) {
    browser.goto(url);
    browser.wait_for("document.querySelector('[data-runner=ready] .run-panel')", 30);
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    values[values.len() / 2]
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rounds: usize = std::env::var("LLMOS_BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let pyodide = common::repo("target/npm/pyodide-314.0.7/package");
    assert!(pyodide.join("pyodide.asm.wasm").is_file(), "run scripts/test.sh first: it fetches Pyodide");
    let tmp = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_llmos")).args(["build", "--quiet", "--out", "site"]).current_dir(tmp.path())
        .env("LLMOS_PYODIDE_DIR", &pyodide).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let server = StaticServer::start_cached(&tmp.path().join("site"), "/");
    let bell = server.url("/skills/bell-state/");
    let ohm = server.url("/skills/ohms-law-calculator/");

    let (mut cold, mut cold_bytes, mut warm_start, mut warm_run, mut js_first, mut js_warm) = (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut warm_bytes = vec![];
    for _ in 0..rounds {
        let browser = Browser::start();
        server.take_bytes();
        open(&browser, &bell);
        cold.push(click_to_done(&browser));
        cold_bytes.push(server.take_bytes());
        open(&browser, &bell);
        warm_start.push(click_to_done(&browser));
        warm_bytes.push(server.take_bytes());
        for _ in 0..5 {
            warm_run.push(click_to_done(&browser));
        }
        open(&browser, &ohm);
        js_first.push(click_to_done(&browser));
        for _ in 0..5 {
            js_warm.push(click_to_done(&browser));
        }
    }
    let native = |name: &str| {
        let mut times = Vec::new();
        for _ in 0..rounds {
            let started = Instant::now();
            let run = common::llmos(tmp.path(), &["run", name, "--json"]);
            assert!(run.ok, "{}", run.stderr);
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        median(times)
    };
    let cold_bytes = median(cold_bytes.iter().map(|b| *b as f64).collect());
    let warm_bytes = median(warm_bytes.iter().map(|b| *b as f64).collect());
    // What a host that compresses (GitHub Pages does) sends for Python.
    let gzipped: usize = ["pyodide.asm.wasm", "pyodide.asm.mjs", "python_stdlib.zip", "pyodide-lock.json", "pyodide.js"].iter().map(|f| {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&std::fs::read(pyodide.join(f)).unwrap()).unwrap();
        encoder.finish().unwrap().len()
    }).sum();
    println!("run_speed, medians of {rounds} rounds (ms, from Run to outputs shown):");
    println!("  bell-state, cold cache (new profile):          {:8.1} ms, {:.1} MB downloaded from opening the page", median(cold), cold_bytes / 1e6);
    println!("  (of which Pyodide: {:.1} MB gzipped, as a compressing host sends it)", gzipped as f64 / 1e6);
    println!("  bell-state, warm cache (page opened again):    {:8.1} ms   (target <= 2000), {:.1} kB downloaded", median(warm_start), warm_bytes / 1e3);
    println!("  bell-state, warm run (same page):              {:8.1} ms   (target <= 50)", median(warm_run));
    println!("  ohms-law-calculator (JS), first run:           {:8.1} ms", median(js_first));
    println!("  ohms-law-calculator (JS), warm run:            {:8.1} ms   (target <= 20)", median(js_warm));
    println!("  anchor: llmos run bell-state (python3):        {:8.1} ms", native("bell-state"));
    println!("  anchor: llmos run ohms-law-calculator (node):  {:8.1} ms", native("ohms-law-calculator"));
}
