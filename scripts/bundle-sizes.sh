#!/usr/bin/env bash
# Where the bytes of the islands bundles go.
#
#   scripts/bundle-sizes.sh [--build] [--top N] [BUNDLE...]
#
# BUNDLE is site, workbench, chat, skillkit, markdown, searchkit, chatsearch or runner (all eight by default). With
# --build, each is compiled first (as scripts/build-islands.sh does);
# otherwise the copies the last build kept, function names included, in
# target/wasm/named/ are read. For each bundle it prints the gzipped size of
# what browsers download (loader + module), the module's bytes per crate and
# its largest functions, using twiggy (installed with `cargo install twiggy`
# when missing). A generic function is counted under the first crate its name
# mentions, so serde_json's line holds the JSON code monomorphised for our
# types too.
source "$(dirname "$0")/lib/common.sh"
need_rust
source "$ROOT/scripts/lib/wasm.sh"

build=0 top=20 bundles=()
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=1 ;;
    --top) top=$2; shift ;;
    site | workbench | chat | skillkit | markdown | searchkit | chatsearch | runner) bundles+=("$1") ;;
    *) echo "usage: $0 [--build] [--top N] [site|workbench|chat|skillkit|markdown|searchkit|chatsearch|runner ...]" >&2; exit 2 ;;
  esac
  shift
done
[ ${#bundles[@]} -eq 0 ] && bundles=(site workbench chat skillkit markdown searchkit chatsearch runner)

if ! command -v twiggy >/dev/null; then
  say "installing twiggy (cargo install twiggy)"
  cargo install --quiet twiggy
fi

for bundle in "${bundles[@]}"; do
  if [ $build -eq 1 ]; then
    case $bundle in
      site) build_bundle hydrate target/islands ;;
      workbench | chat) build_bundle "$bundle" "target/islands/$bundle" ;;
      runner) build_bundle browser target/islands/runner llmos-runner "runner (Run panel)" ;;
      skillkit) build_bundle skills target/islands/skillkit llmos-skillkit "skill kit (fetched on first use)" ;;
      markdown) build_bundle "" target/islands/markdown llmos-skillkit "Markdown kit (fetched on first use)" ;;
      searchkit) build_bundle box target/islands/searchkit llmos-searchkit "search kit (fetched when a visitor searches)" ;;
      chatsearch) build_bundle chat target/islands/chatsearch llmos-searchkit "chat's search kit (fetched when the chat offers skills)" ;;
    esac
  fi
  named="target/wasm/named/$bundle"
  if [ ! -f "$named/llmos_islands_bg.wasm" ]; then
    echo "$named/llmos_islands_bg.wasm is missing: run scripts/build-islands.sh or pass --build" >&2
    exit 1
  fi
  say "$bundle bundle"
  # The published files: the same module without its name section.
  published="target/islands/$bundle"
  [ "$bundle" = site ] && published=target/islands
  cargo run -q --locked -p llmos-wasm-bindgen -- --sizes "$published"
  echo
  twiggy top -n 1000000 -f json "$named/llmos_islands_bg.wasm" | python3 "$ROOT/scripts/lib/wasm_sizes.py" "$bundle" "$top"
  echo
done
