#!/usr/bin/env bash
# Builds the llmos binary and the default site (bundled skills and docs) into dist/.
# Extra arguments go to `llmos build`, e.g. --base-path /llmos/ or --out DIR.
source "$(dirname "$0")/lib/common.sh"
need_rust
"$ROOT/scripts/build-islands.sh"
# Python skills run in the browser on Pyodide, self-hosted by the site.
need_pyodide >/dev/null
say "compiling llmos (release)"
cargo build --release --locked --bin llmos
say "building the site"
./target/release/llmos build "$@"
