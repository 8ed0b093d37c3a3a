//! The clustering benchmark's entry points in the browser (feature `bench`,
//! never in the shipped bundle): `benches/evolution_browser.rs` builds this
//! crate with it and calls them from a bare page in headless Chromium.
//!
//! `bench_traces(n)` generates the native benchmark's synthetic traces
//! (`llmos_core::evolution::synthetic`) and keeps them; `bench_cluster()`
//! then runs the lexical detection over them, stage by stage, and returns
//! the figures as JSON: `{"traces", "features_ms", "clustering_ms",
//! "patterns_ms", "total_ms", "peak_heap_bytes", "patterns", "precision",
//! "recall", "f1"}`. Times are `performance.now()` differences (ms; the
//! browser may coarsen them to 0.1 ms); the peak heap is counted by a global
//! allocator over the detection alone, the traces excluded, as natively.

use llmos_core::evolution::cluster::{cluster, SparseSpace};
use llmos_core::evolution::pattern::patterns;
use llmos_core::evolution::synthetic::{self, CountingAllocator};
use llmos_core::evolution::{Features, Options, TraceInput};
use std::cell::RefCell;
use wasm_bindgen::prelude::wasm_bindgen;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

thread_local! {
    static TRACES: RefCell<(Vec<TraceInput>, Vec<usize>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// Generates and keeps `n` synthetic traces (and the task of each) for `bench_cluster`.
#[wasm_bindgen]
pub fn bench_traces(n: usize) {
    TRACES.with(|t| *t.borrow_mut() = synthetic::traces(n));
}

fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Runs the lexical detection over the kept traces; the figures as JSON (see the module doc).
#[wasm_bindgen]
pub fn bench_cluster() -> String {
    TRACES.with(|t| {
        let (traces, truth) = &*t.borrow();
        let options = Options::default();
        let base = CountingAllocator::start();
        let started = now();
        let features = Features::build(traces, options.weights);
        let featured = now();
        let space = SparseSpace::new(&features);
        let labels = cluster(&space, options.lexical);
        let clustered = now();
        let found = patterns(traces, &labels, &features, &[], options.min_size, options.cover_threshold);
        let done = now();
        let peak = CountingAllocator::peak_since(base);
        let (precision, recall, f1) = synthetic::pairwise(truth, &labels);
        serde_json::json!({
            "traces": traces.len(),
            "features_ms": featured - started,
            "clustering_ms": clustered - featured,
            "patterns_ms": done - clustered,
            "total_ms": done - started,
            "peak_heap_bytes": peak,
            "patterns": found.len(),
            "precision": precision,
            "recall": recall,
            "f1": f1,
        })
        .to_string()
    })
}
