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
# Pyodide for the Python skills the browser tests run (and their sites host).
need_pyodide >/dev/null
# mime-db: the extension-to-type table GitHub Pages and Node servers use,
# for the test that every published file is inert when a browser opens it.
LLMOS_MIME_DB="$(need_npm_package mime-db 1.54.0 'sha512-aU5EJuIN2WDemCcAp2vFBfp/m4EAhWJnUNSSw0ixs7/kXbd6Pg64EmwJkNdFhB8aWt1sH2CTXrLxo/iAGV3oPQ==')/db.json"
export LLMOS_MIME_DB
say "running the tests"
log="$(mktemp)"
if cargo test --workspace --locked "$@" 2>&1 | tee "$log"; then status=0; else status=$?; fi
# One closing line for the whole run (cargo prints one per test binary,
# the last being doc-tests, which has none).
awk '/^test result:/ { passed += $4; failed += $6 } END { print passed " passed, " failed " failed" }' "$log"
rm -f "$log"
exit "$status"
