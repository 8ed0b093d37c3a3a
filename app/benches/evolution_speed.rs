//! Pattern detection natively: `cargo bench -p llmos-core --bench evolution_speed`
//!
//! Clusters 1k, 10k and 100k synthetic traces (LLMOS_BENCH_TRACES=1000,…)
//! with the lexical default, LLMOS_BENCH_RUNS times each (default 3), and
//! prints for the fastest run the time of each stage (features,
//! clustering, patterns), the peak heap bytes during detection (a counting
//! global allocator), the bytes per trace, and the pairwise precision,
//! recall and F1 against the tasks the traces were generated from.
//!
//! The traces are `llmos_core::evolution::synthetic`'s (shared with the
//! browser benchmark, `cargo bench --bench evolution_browser`).
//! Issue 13's target: 100k traces in ≤ 1 s natively, cost no worse than n log n.

use llmos_core::evolution::cluster::{cluster, SparseSpace};
use llmos_core::evolution::pattern::patterns;
use llmos_core::evolution::synthetic::{self, CountingAllocator};
use llmos_core::evolution::{Features, Options};
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// The time this thread has spent on a CPU, in ns (Linux's
/// `/proc/thread-self/schedstat`): on a shared machine the wall clock also
/// counts the time other processes held the cores.
fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat").ok()?.split_whitespace().next()?.parse().ok()
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let sizes: Vec<usize> = std::env::var("LLMOS_BENCH_TRACES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000, 100_000]);
    let mut options = Options::default();
    // LLMOS_BENCH_EDGE / LLMOS_BENCH_LINK try other thresholds.
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<f32>().ok());
    options.lexical.edge = env("LLMOS_BENCH_EDGE").unwrap_or(options.lexical.edge);
    options.lexical.link = env("LLMOS_BENCH_LINK").unwrap_or(options.lexical.link);
    options.weights.usage = env("LLMOS_BENCH_USAGE").unwrap_or(options.weights.usage);
    let runs = std::env::var("LLMOS_BENCH_RUNS").ok().and_then(|v| v.parse::<usize>().ok()).unwrap_or(3).max(1);
    println!(
        "evolution_speed (native, fastest of {runs} runs, lexical, edge {} link {}, usage weight {}):",
        options.lexical.edge, options.lexical.link, options.weights.usage
    );
    for n in sizes {
        let (traces, truth) = synthetic::traces(n);
        // The fastest of `runs` runs: on a shared machine the others measure its load.
        let mut best = None;
        for _ in 0..runs {
            let base = CountingAllocator::start();
            let started = Instant::now();
            let cpu_started = cpu_ns();
            let features = Features::build(&traces, options.weights);
            let featured = started.elapsed();
            let space = SparseSpace::new(&features);
            let labels = cluster(&space, options.lexical);
            let clustered = started.elapsed();
            let found = patterns(&traces, &labels, &features, &[], options.min_size, options.cover_threshold);
            let total = started.elapsed();
            let cpu = cpu_ns().zip(cpu_started).map(|(end, start)| (end - start) as f64 / 1e6);
            let peak = CountingAllocator::peak_since(base);
            drop(space);
            if best.as_ref().is_none_or(|b: &(std::time::Duration, _, _, _, _, _, _, Option<f64>)| total < b.0) {
                best = Some((total, featured, clustered, peak, features, labels, found, cpu));
            }
        }
        let (total, featured, clustered, peak, features, labels, found, cpu) = best.expect("at least one run");
        let (precision, recall, f1) = synthetic::pairwise(&truth, &labels);
        if std::env::var_os("LLMOS_BENCH_SHOW").is_some() {
            // The largest clusters: how many tasks each mixes, and some of its goals.
            for pattern in found.iter().take(3) {
                let mut tasks: Vec<usize> = pattern
                    .trace_ids
                    .iter()
                    .map(|id| truth[id[1..].parse::<usize>().unwrap()])
                    .collect();
                tasks.sort_unstable();
                tasks.dedup();
                println!(
                    "    cluster of {} traces over {} tasks, e.g. {:?}",
                    pattern.size,
                    tasks.len(),
                    pattern
                        .trace_ids
                        .iter()
                        .take(8)
                        .map(|id| &traces[id[1..].parse::<usize>().unwrap()].goal)
                        .collect::<Vec<_>>()
                );
            }
        }
        println!(
            "  {n:>7} traces: {:8.1} ms, on the CPU {} (features {:.1}, clustering {:.1}, patterns {:.1}); peak heap {:.1} MiB ({} B/trace; vectors and vocabulary {:.1} MiB); {} patterns; pairwise P {precision:.3} R {recall:.3} F1 {f1:.3}",
            total.as_secs_f64() * 1e3,
            cpu.map_or("unknown".to_string(), |ms| format!("{ms:.1} ms")),
            featured.as_secs_f64() * 1e3,
            (clustered - featured).as_secs_f64() * 1e3,
            (total - clustered).as_secs_f64() * 1e3,
            peak as f64 / (1 << 20) as f64,
            peak / n,
            features.heap_bytes() as f64 / (1 << 20) as f64,
            found.len(),
        );
    }
}
