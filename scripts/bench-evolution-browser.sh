#!/usr/bin/env bash
# The clustering benchmark in headless Chromium (benches/evolution_browser.rs):
# builds its module — the evolution crate with its `bench` feature, compiled
# as the shipped evolution bundle is — into target/bench/evolution-bench/, then
# runs the bench. Arguments and LLMOS_BENCH_* variables pass through.
source "$(dirname "$0")/lib/common.sh"
need_rust
source "$ROOT/scripts/lib/wasm.sh"
build_bundle bench target/bench/evolution-bench llmos-evolution "evolution benchmark module"
need_packages chromium chromium-driver
cargo bench --bench evolution_browser "$@"
