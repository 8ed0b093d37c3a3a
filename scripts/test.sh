#!/usr/bin/env bash
# Runs every test: the domain core, the generator, whole fixture sites, the
# bundled executable skills (their Python and JavaScript run for real), and
# the islands in real headless Chromium.
source "$(dirname "$0")/lib/common.sh"
need_rust
command -v python3 >/dev/null || need_packages python3
command -v node >/dev/null || need_packages nodejs
need_packages chromium chromium-driver
"$ROOT/scripts/build-islands.sh"
say "running the tests"
cargo test --workspace --locked --features llmos/dev "$@"
