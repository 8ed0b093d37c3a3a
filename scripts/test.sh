#!/usr/bin/env bash
# Runs every test: the domain core, the generator, whole fixture sites, and
# the bundled executable skills (their Python and JavaScript run for real).
source "$(dirname "$0")/lib/common.sh"
need_rust
command -v python3 >/dev/null || need_packages python3
command -v node >/dev/null || need_packages nodejs
say "running the tests"
cargo test --workspace --locked "$@"
