//! The sharded search index against Pagefind: `cargo bench --bench search_shards`
//!
//! For 1,000, 10,000 and 50,000 synthetic skills (or LLMOS_BENCH_SIZES,
//! e.g. `1000,10000`), builds the site with `llmos build`, then indexes the
//! same skill pages with Pagefind (the `pagefind` npm package's binary,
//! fetched by `scripts/lib/common.sh`'s `need_pagefind` with its registry
//! checksum), and reports for both engines the bytes a one-word and a
//! three-word query transfer (the first query of a visit, code included,
//! then a second query), and the query time.
//!
//! Bytes are those of the files each engine fetches, gzipped at the default
//! level as a static host serves them (Pagefind's index files are gzipped
//! on disk already and count as they are).
//! - Ours: the files the search box fetches, found by running its own code
//!   (`ShardedIndex::planned`, then what ranking asks for) over the files on
//!   disk: the skills' and the docs' manifests and shards, and the
//!   metadata of the results the dropdown shows (20 skills, 3 docs). Code:
//!   the site bundle (its loader, glue and wasm), which every catalogue page loads
//!   anyway, and the search kit it fetches when a visitor starts to search. Query time: native, ranking over the loaded shards, median of
//!   25 runs; and in Chromium, the search box of the built `/search/` page
//!   timed by its own User Timing measures (`llmos-search`, ranking only,
//!   once the shards are in), median of 24 typed queries.
//! - Pagefind: its JavaScript API (`pagefind.js`) in headless Chromium,
//!   `search(query)` and then `data()` of the first 20 results; the files
//!   are those the server was asked for (Pagefind 1.6 fetches its index in
//!   a worker, whose requests the page's Resource Timing does not list). Query time: `search()` again once its
//!   chunks are loaded, median of 25, in Chromium.

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "common/synthetic.rs"]
mod synthetic;

use common::server::StaticServer;
use common::webdriver::Browser;
use llmos_core::search::Part;
use llmos_core::{SearchIndex, ShardedIndex};
use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;
use synthetic::{synthetic, word};

/// Results the dropdown shows.
const SHOWN: usize = 20;
const SHOWN_DOCS: usize = 3;

fn gzipped(bytes: &[u8]) -> usize {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap().len()
}

/// What a file costs to transfer: gzipped, or as it is if that is smaller
/// (already compressed).
fn served(path: &Path) -> usize {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    gzipped(&bytes).min(bytes.len())
}

#[derive(Default, Clone, Copy)]
struct Transfer {
    code: usize,
    index: usize,
    files: usize,
}

/// One of our sharded indexes, loaded from disk as the browser loads it.
struct Loaded {
    dir: PathBuf,
    index: ShardedIndex,
    fetched: HashSet<String>,
}

impl Loaded {
    fn open(dir: PathBuf, transfer: &mut Transfer) -> Loaded {
        let mut loaded = Loaded { index: ShardedIndex::from_manifest(&std::fs::read(dir.join("manifest.bin")).unwrap()).unwrap(), dir, fetched: HashSet::new() };
        loaded.fetch("manifest.bin", transfer);
        loaded
    }

    fn fetch(&mut self, file: &str, transfer: &mut Transfer) -> Vec<u8> {
        let path = self.dir.join(file);
        if self.fetched.insert(file.to_string()) {
            transfer.index += served(&path);
            transfer.files += 1;
        }
        std::fs::read(path).unwrap()
    }

    fn insert(&mut self, part: Part, transfer: &mut Transfer) {
        let bytes = self.fetch(&ShardedIndex::part_path(part), transfer);
        self.index.insert(part, &bytes).unwrap();
    }

    /// What `site_index::search_shards` and `fetch_results` do for a query.
    fn query(&mut self, query: &str, user: &SearchIndex, shown: usize, transfer: &mut Transfer) -> Vec<usize> {
        for part in self.index.planned(query, Some(user), false) {
            self.insert(part, transfer);
        }
        let hits = loop {
            match self.index.search(query, Some(user), usize::MAX) {
                Ok(hits) => break hits,
                Err(part) => self.insert(part, transfer),
            }
        };
        let docs: Vec<usize> = hits.iter().take(shown).map(|h| h.doc).collect();
        for &doc in &docs {
            let g = ShardedIndex::fragment_of(doc);
            let bytes = self.fetch(&ShardedIndex::fragment_path(g), transfer);
            self.index.insert_fragment(g, &bytes).unwrap();
        }
        docs
    }
}

/// Ours: (first query's transfer, second query's transfer, query time in ms).
fn ours(site: &Path, queries: [&str; 2]) -> (Transfer, Transfer, f64) {
    let mut first = Transfer::default();
    // The site bundle (its loader and wasm) and the search box's kit.
    for entry in walk(site) {
        let name = entry.file_name().unwrap().to_string_lossy().into_owned();
        let code = name.starts_with("llmos_islands") || name.starts_with("islands.") || name.starts_with("llmos_searchkit");
        if code && (name.ends_with(".js") || name.ends_with(".wasm")) && !entry.to_string_lossy().contains("/workbench") && !entry.to_string_lossy().contains("/chat") {
            first.code += served(&entry);
        }
    }
    let mut skills = Loaded::open(site.join("index/search"), &mut first);
    let mut docs = Loaded::open(site.join("index/docs"), &mut first);
    let user = SearchIndex::build_in(&[], skills.index.language);
    assert!(!skills.query(queries[0], &user, SHOWN, &mut first).is_empty(), "ours found nothing for {:?}", queries[0]);
    docs.query(queries[0], &user, SHOWN_DOCS, &mut first);
    let mut second = Transfer::default();
    assert!(!skills.query(queries[1], &user, SHOWN, &mut second).is_empty(), "ours found nothing for {:?}", queries[1]);
    docs.query(queries[1], &user, SHOWN_DOCS, &mut second);
    let mut times: Vec<f64> = (0..25)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(skills.index.search(queries[1], Some(&user), usize::MAX).unwrap());
            std::hint::black_box(docs.index.search(queries[1], None, SHOWN_DOCS).unwrap());
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (first, second, times[times.len() / 2])
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Ours in Chromium: the search box of the built site's `/search/` page,
/// timed by its own User Timing measures (`llmos-search`, one per ranking,
/// taken once the shards it needs are in: the skills' and the docs'
/// rankings of a query, summed). The first query arrives in the address
/// (`?q=`) and fetches its shards; the second is typed into the box 25
/// times (with and without a trailing space, so each is a new query), the
/// first of which fetches its shards; the median of the other 24.
fn ours_in_chromium(server: &StaticServer, queries: [&str; 2]) -> f64 {
    let browser = Browser::start();
    browser.goto(&server.url(&format!("/search/?q={}", queries[0].replace(' ', "%20"))));
    browser.wait_for("document.querySelectorAll('#search-results .result-name').length > 0", 60);
    let mut times: Vec<f64> = (0..25)
        .map(|round| {
            let query = if round % 2 == 0 { queries[1].to_string() } else { format!("{} ", queries[1]) };
            let ms = browser.eval_async(&format!(
                r#"const done = arguments[arguments.length - 1];
performance.clearMeasures("llmos-search");
const input = document.getElementById("search-input");
input.value = {query:?};
input.dispatchEvent(new Event("input", {{ bubbles: true }}));
const started = performance.now();
const poll = () => {{
  const measures = performance.getEntriesByName("llmos-search", "measure");
  if (measures.length >= 2) done(measures.reduce((sum, m) => sum + m.duration, 0));
  else if (performance.now() - started > 30000) done("no llmos-search measures after 30 s");
  else setTimeout(poll, 1);
}};
poll();"#
            ));
            ms.as_f64().unwrap_or_else(|| panic!("the search box's measure: {ms}"))
        })
        .skip(1)
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

const PAGEFIND_PAGE: &str = r#"<!doctype html><meta charset="utf-8"><title>Pagefind bench</title>
<script type="module">
window.pagefindQuery = async (query, shown) => {
  window.pf = window.pf || await import("/pagefind/pagefind.js");
  const search = await window.pf.search(query);
  await Promise.all(search.results.slice(0, shown).map((r) => r.data()));
  return search.results.length;
};
window.pagefindTime = async (query) => {
  const started = performance.now();
  await window.pf.search(query);
  return performance.now() - started;
};
window.benchReady = true;
</script>"#;

/// Pagefind in Chromium: (first query's transfer, second query's, query time in ms).
fn pagefind(server: &StaticServer, site: &Path, queries: [&str; 2]) -> (Transfer, Transfer, f64) {
    // A fresh browser: nothing cached from an earlier measurement.
    let browser = Browser::start();
    browser.goto(&server.url("/pagefind-bench.html"));
    browser.wait_for("window.benchReady === true", 30);
    let mut transfers = [Transfer::default(); 2];
    for (query, transfer) in queries.iter().zip(&mut transfers) {
        server.take_requests();
        let found = browser.eval_async(&format!("const done = arguments[arguments.length - 1]; window.pagefindQuery({query:?}, {SHOWN}).then(done, (e) => done(String(e)));"));
        assert!(found.as_u64().is_some_and(|n| n > 0), "Pagefind found nothing for {query:?}: {found}");
        // Pagefind loads its index in a worker, out of the page's Resource
        // Timing: the server's log has every file.
        for url in server.take_requests() {
            let size = served(&site.join(url.trim_start_matches('/')));
            if url.ends_with(".js") || url.contains("wasm") {
                transfer.code += size;
            } else {
                transfer.index += size;
            }
            transfer.files += 1;
        }
    }
    let mut times: Vec<f64> = (0..25)
        .map(|_| {
            let ms = browser.eval_async(&format!("const done = arguments[arguments.length - 1]; window.pagefindTime({:?}).then(done);", queries[1]));
            ms.as_f64().unwrap()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (transfers[0], transfers[1], times[times.len() / 2])
}

fn kb(bytes: usize) -> String {
    format!("{:.1}", bytes as f64 / 1000.0)
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let sizes: Vec<usize> = std::env::var("LLMOS_BENCH_SIZES").ok().map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect()).unwrap_or_else(|| vec![1_000, 10_000, 50_000]);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let need = std::process::Command::new("bash").arg("-c").arg("source scripts/lib/common.sh && need_pagefind").current_dir(root).output().expect("bash runs");
    assert!(need.status.success(), "need_pagefind: {}", String::from_utf8_lossy(&need.stderr));
    let pagefind_bin = String::from_utf8_lossy(&need.stdout).lines().last().expect("a path").trim().to_string();
    let mut table = Vec::new();
    for n in sizes {
        let tmp = tempfile::tempdir_in(root.join("target")).unwrap();
        for i in 0..n {
            let s = synthetic(i);
            let dir = tmp.path().join("skills").join(&s.name);
            std::fs::create_dir_all(&dir).unwrap();
            let text = format!("---\nname: {}\ndescription: {}\ncategory: {}\nkeywords: [{}]\n---\n{}", s.name, s.description, s.category, s.keywords.join(", "), s.body);
            std::fs::write(dir.join("SKILL.md"), text).unwrap();
        }
        let started = Instant::now();
        let built = common::llmos(tmp.path(), &["build", "--quiet", "--skills", "skills", "--out", "site"]);
        assert!(built.ok, "{}", built.stderr);
        let ours_build = started.elapsed().as_secs_f64();
        let site = tmp.path().join("site");
        let started = Instant::now();
        let indexed = std::process::Command::new(&pagefind_bin)
            .args(["--site", "site", "--glob", "skills/*/index.html", "--output-subdir", "pagefind", "--quiet"])
            .current_dir(tmp.path())
            .output()
            .expect("pagefind runs");
        assert!(indexed.status.success(), "pagefind: {}", String::from_utf8_lossy(&indexed.stderr));
        let pagefind_build = started.elapsed().as_secs_f64();
        std::fs::write(site.join("pagefind-bench.html"), PAGEFIND_PAGE).unwrap();
        println!("{n} skills: llmos build {ours_build:.1} s, Pagefind indexing {pagefind_build:.1} s");
        let server = StaticServer::start(&site, "/");
        let one = [word(40), word(41)];
        let three = [format!("{} {} {}", word(5), word(90), word(700)), format!("{} {} {}", word(6), word(91), word(701))];
        for (label, queries) in [("one word", [one[0].as_str(), one[1].as_str()]), ("three words", [three[0].as_str(), three[1].as_str()])] {
            let (o1, o2, o_ms) = ours(&site, queries);
            let (p1, p2, p_ms) = pagefind(&server, &site, queries);
            let o_browser_ms = ours_in_chromium(&server, queries);
            table.push(format!(
                "| {n} | {label} | {} + {} = {} ({} files) | {} ({} files) | {o_ms:.2} | {o_browser_ms:.2} | {} + {} = {} ({} files) | {} ({} files) | {p_ms:.2} |",
                kb(o1.code),
                kb(o1.index),
                kb(o1.code + o1.index),
                o1.files,
                kb(o2.index),
                o2.files,
                kb(p1.code),
                kb(p1.index),
                kb(p1.code + p1.index),
                p1.files,
                kb(p2.index + p2.code),
                p2.files
            ));
        }
        drop(server);
    }
    println!("\nkB gzipped; first query: code + index; second query: what it adds; query time in ms once the shards are in (ours native and in Chromium, Pagefind in Chromium)");
    println!("| skills | query | ours, first | ours, second | ours, ms native | ours, ms Chromium | Pagefind, first | Pagefind, second | Pagefind, ms |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for row in table {
        println!("{row}");
    }
}
