//! Search: `cargo bench --bench search_speed`
//!
//! Builds the search index for 10,000 synthetic skills with the same code as
//! the site, reports its size per 1,000 skills (raw and gzipped, as served),
//! and times queries the way a user types them (each keystroke is a query).
//! Native timings; the browser runs the same code compiled to WebAssembly.

#[path = "common/synthetic.rs"]
mod synthetic;

use llmos_core::{SearchIndex, SearchInput};
use std::io::Write;
use std::time::Instant;
use synthetic::{synthetic, word};

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n: usize = std::env::var("LLMOS_BENCH_SKILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let skills: Vec<_> = (0..n).map(synthetic).collect();
    let inputs: Vec<SearchInput> = skills
        .iter()
        .map(|s| SearchInput { name: &s.name, slug: &s.name, description: &s.description, keywords: &s.keywords, body: &s.body, category: Some(s.category), kind: None })
        .collect();
    let started = Instant::now();
    let index = SearchIndex::build(&inputs);
    let build = started.elapsed();
    let json = serde_json::to_vec(&index).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&json).unwrap();
    let gzipped = gz.finish().unwrap().len();
    let per_thousand = 1000.0 / n as f64;
    println!("search index for {n} skills: built in {:.0} ms (one thread), {:.1} kB raw, {:.1} kB gzipped", build.as_secs_f64() * 1000.0, json.len() as f64 / 1000.0, gzipped as f64 / 1000.0);
    println!("per 1,000 skills: {:.1} kB raw, {:.1} kB gzipped", json.len() as f64 / 1000.0 * per_thousand, gzipped as f64 / 1000.0 * per_thousand);

    let started = Instant::now();
    let parsed: SearchIndex = serde_json::from_slice(&json).unwrap();
    println!("parsing the index: {:.1} ms", started.elapsed().as_secs_f64() * 1000.0);

    // Queries as typed, keystroke by keystroke: common words, rare words, two-word queries.
    let targets = [word(3), word(40), word(700), format!("{} {}", word(5), word(90)), format!("{} {}", word(12), word(2500)), "skill".to_string()];
    let mut timings = Vec::new();
    for target in &targets {
        for end in 1..=target.len() {
            let query = &target[..end];
            let started = Instant::now();
            let hits = parsed.search(query, 20);
            timings.push(started.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(hits);
        }
    }
    timings.sort_by(f64::total_cmp);
    let mean = timings.iter().sum::<f64>() / timings.len() as f64;
    let p95 = timings[(timings.len() * 95 / 100).min(timings.len() - 1)];
    println!("{} keystroke queries over {n} skills: mean {mean:.3} ms, p95 {p95:.3} ms, max {:.3} ms", timings.len(), timings[timings.len() - 1]);
}
