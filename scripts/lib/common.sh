# Shared set-up for the project's scripts: find or install what they need.
# Sourced, not run. Everything here must work on a fresh machine.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs Debian packages when missing (as root), or says exactly what to run.
need_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    say "installing ${missing[*]} (apt-get)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "missing packages: ${missing[*]}" >&2
    echo "run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
}

need_rust() {
  if ! command -v cargo >/dev/null; then
    [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if ! command -v cargo >/dev/null; then
    echo "cargo is not installed: install Rust from https://rustup.rs (or: apt-get install cargo rustc)" >&2
    exit 1
  fi
}

# Fetches an npm package once into target/npm/NAME-VERSION/package, checked
# against the sha512 integrity its registry entry publishes (`npm view
# NAME@VERSION dist.integrity`), and prints that folder. Only the npm client
# talks to the registry; nothing is installed globally.
need_npm_package() {
  local name="$1" version="$2" integrity="$3"
  local dir="$ROOT/target/npm/$name-$version"
  if [ ! -f "$dir/.verified" ]; then
    command -v npm >/dev/null || need_packages npm
    rm -rf "$dir" && mkdir -p "$dir"
    say "fetching $name@$version from the npm registry"
    local tarball
    tarball="$(cd "$dir" && npm pack --silent "$name@$version" | tail -n 1)"
    local actual
    actual="sha512-$(python3 -c 'import base64, hashlib, sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$dir/$tarball")"
    if [ "$actual" != "$integrity" ]; then
      echo "$name@$version: checksum mismatch (got $actual, expected $integrity)" >&2
      rm -rf "$dir"
      exit 1
    fi
    tar -xzf "$dir/$tarball" -C "$dir"
    touch "$dir/.verified"
  fi
  printf '%s\n' "$dir/package"
}

# Pyodide, the Python runtime of Python skills in the browser: the npm
# package, pinned with its registry checksum, which `llmos build` copies into
# the site (pyodide/<version>/). Keep the version equal to PYODIDE_VERSION in
# src/runner.rs, which is where `llmos build` looks for it.
need_pyodide() {
  need_npm_package pyodide 314.0.7 'sha512-0YvXxEhfEdpLfb/XkM2BFAeMROq0iMUX2bzzH9pOttyMcWkwq+HbE5uyuGD82LN7y2q+SNvi/6V5JEsOlD2R1A=='
}

# Pagefind, the static search engine `cargo bench --bench search_shards`
# compares the sharded index with: the npm package and its native binary
# for this platform (an optional dependency package), pinned with their
# registry checksums. Prints the binary's path.
PAGEFIND_VERSION=1.6.0
need_pagefind() {
  need_npm_package pagefind "$PAGEFIND_VERSION" 'sha512-yeOd9EA0TUE1PUfbQIluBxzPadBG5/0BV48FAxwMVLkhZcOvwCz6TX4/a/Ofz97pF9/FwwT7CVbTC97BfmI+LQ==' >/dev/null
  case "$(uname -sm)" in
    "Linux x86_64") ;;
    *) echo "need_pagefind: no pinned Pagefind binary for $(uname -sm); add its @pagefind/* package and checksum here" >&2; exit 1 ;;
  esac
  local dir
  dir="$(need_npm_package @pagefind/linux-x64 "$PAGEFIND_VERSION" 'sha512-IbMSx/+Vr/Xk0TTBlLkjgK+rvnbOXGmmb2/MKxQu99AR5DsqQoV3NKEA9PQz2tAhuCZjeD5xJBp4w5N5DHIC7Q==')"
  # The package ships the extended build (with CJK segmentation) only.
  printf '%s\n' "$dir/bin/pagefind_extended"
}

# Workbox, the service worker's plumbing (precaching, routing, caching
# strategies): the npm packages' production builds, pinned with their
# registry checksums, copied into target/islands/workbox/ for build.rs to
# embed, so `llmos build` writes them into the site next to its sw.js.
WORKBOX_VERSION=7.4.1
need_workbox() {
  local out="$ROOT/target/islands/workbox" dir
  mkdir -p "$out"
  while read -r name integrity; do
    dir="$(need_npm_package "$name" "$WORKBOX_VERSION" "$integrity")"
    cp "$dir/build/$name.prod.js" "$out/$name.prod.js"
  done <<'LIST'
workbox-core sha512-DT+vu46eh/2vRsSHTY4Xmc32Z1rr9PRlQUXr1Dx30ZuXRWwOsvZgGgcwxcasubQLQmbTNYZjv44LkBAQ4tT5tQ==
workbox-routing sha512-yubJGErZOusuidAenaL5ypfhQOa7urxP/f8E0ws7FPb4039RiWXUWBAyUkmUoOL/BcQGen3h0J8872d51IYxtA==
workbox-strategies sha512-GZxpaw9NbmOelj7667uZ2kpk5BFpOGbO4X0qjwh5ls8XQ8C+Lha5LQchTiUzsTFSS+NlUpftYAyOVXvQUrcqOQ==
workbox-precaching sha512-cdr/9qByww7yzEp7zg/qI4ukUrrNjQLgN+ONQRpjy/VqGQXwkgHwr00KksGJK8v0VifwDXBb8a4cWNZH71jn3Q==
LIST
  printf '%s\n' "$WORKBOX_VERSION" >"$out/VERSION"
}
