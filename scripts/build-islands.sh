#!/usr/bin/env bash
# Builds the islands WebAssembly bundle into target/islands/ (llmos_islands.js
# and llmos_islands_bg.wasm), which build.rs then embeds into the llmos binary.
#
# Two toolchain routes, chosen automatically:
# - the Rust toolchain has the wasm32 standard library (a laptop after
#   `rustup target add wasm32-unknown-unknown`, a GitHub runner): use it;
# - it does not (Debian machines where rustup cannot fetch the target):
#   Debian's rustc-web with the standard library built from source.
source "$(dirname "$0")/lib/common.sh"
need_rust

WASM_TARGET=wasm32-unknown-unknown

# Three bundles from the one crate: `hydrate` is the site bundle (search,
# shelves: every catalogue page), `workbench` the user's skills (their
# pages only), `chat` the chat page. Later builds reuse every dependency.
# Debug formatting and panic locations compile to nothing: they only ever
# reach the console, and they are a tenth of the bundle. These are unstable
# flags, hence RUSTC_BOOTSTRAP on both routes.
export RUSTFLAGS="-Zfmt-debug=none -Zlocation-detail=none"
export RUSTC_BOOTSTRAP=1

compile_wasm() {
  local label=$1
  shift
  local build_args=(build "$@" --lib --target "$WASM_TARGET" --target-dir target/wasm --locked)
  if [ -d "$(rustc --print sysroot)/lib/rustlib/$WASM_TARGET" ]; then
    say "compiling the $label with $(rustc --version) (wasm32 target installed)"
    cargo "${build_args[@]}"
  else
    # rustup's toolchain lacks the wasm32 std: use Debian's, building std from source.
    need_packages rustc-web cargo-web rust-web-src lld-19
    say "compiling the $label with Debian's $(/usr/bin/rustc --version) and std from source"
    RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-19 \
      /usr/bin/cargo "${build_args[@]}" -Z build-std=std,panic_abort
  fi
}

build_bundle() {
  local features=$1 out=$2 package=${3:-llmos-islands} label=${4:-$1 islands}
  compile_wasm "$label" -p "$package" --features "$features" --profile wasm-release
  say "generating the JavaScript bindings of the $label"
  cargo run -q --locked -p llmos-wasm-bindgen -- "target/wasm/$WASM_TARGET/wasm-release/${package//-/_}.wasm" "$out"
}

# Workbox, the service worker's plumbing, embedded like the bundles.
need_workbox
build_bundle hydrate target/islands
build_bundle workbench target/islands/workbench
build_bundle chat target/islands/chat
# The Run panel of executable skills, a crate of its own.
build_bundle browser target/islands/runner llmos-runner "runner (Run panel)"
# The quantum runtime: a bare module (no bindings) the sandbox's worker
# instantiates for `type: qasm` skills and `llmos_quantum` in Python and JavaScript.
compile_wasm "quantum runtime" -p llmos-quantum --profile wasm-quantum
mkdir -p target/islands/quantum
cp "target/wasm/$WASM_TARGET/wasm-quantum/llmos_quantum.wasm" target/islands/quantum/llmos_quantum.wasm
