# Compiling the islands' WebAssembly bundles: sourced by build-islands.sh and
# bundle-sizes.sh (after lib/common.sh), so both build the very same bytes.
#
# Two toolchain routes, chosen automatically:
# - the Rust toolchain has the wasm32 standard library (a laptop after
#   `rustup target add wasm32-unknown-unknown`, a GitHub runner): use it;
# - it does not (Debian machines where rustup cannot fetch the target):
#   Debian's rustc-web with the standard library built from source.

WASM_TARGET=wasm32-unknown-unknown

# Debug formatting and panic locations compile to nothing: they are a tenth
# of the bundle. So no message a user sees may use `{:?}` (it would print
# nothing): values are shown with llmos_core::quoted or `{}`, which
# tests/wasm_messages.rs checks. These are unstable flags, hence
# RUSTC_BOOTSTRAP on both routes.
export RUSTFLAGS="-Zfmt-debug=none -Zlocation-detail=none"
export RUSTC_BOOTSTRAP=1
# Where the standard library is compiled from source (always on the Debian
# route; on the other when rust-src is installed), it is compiled for size
# too: panics abort on the spot, without formatting a message (the panic hook
# never runs, the console shows `unreachable`), and core/alloc pick their
# small variants (`optimize_for_size`). Measured in issue 14 (gzipped): site
# 179.3 → 165.2 kB, workbench 449.0 → 427.8 kB, chat 395.7 → 375.4 kB; the
# table in content/architecture.md has each step.
SIZE_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort"
SIZE_BUILD_STD=(-Z build-std=std,panic_abort -Z build-std-features=optimize_for_size)

# size_rustflags RUSTC: the size flags when that compiler knows them (the
# immediate-abort strategy is from 2025), else none.
size_rustflags() {
  if RUSTC_BOOTSTRAP=1 "$1" $SIZE_RUSTFLAGS --print cfg --target "$WASM_TARGET" >/dev/null 2>&1; then
    echo "$SIZE_RUSTFLAGS"
  fi
}

compile_wasm() {
  local label=$1
  shift
  local build_args=(build "$@" --lib --target "$WASM_TARGET" --target-dir target/wasm --locked)
  local sysroot
  sysroot="$(rustc --print sysroot)"
  if [ -d "$sysroot/lib/rustlib/$WASM_TARGET" ]; then
    if [ -d "$sysroot/lib/rustlib/src/rust/library" ]; then
      say "compiling the $label with $(rustc --version) (wasm32 target installed), std from source for size"
      RUSTFLAGS="$RUSTFLAGS $(size_rustflags rustc)" cargo "${build_args[@]}" "${SIZE_BUILD_STD[@]}"
    else
      say "compiling the $label with $(rustc --version) (wasm32 target installed; \`rustup component add rust-src\` makes the bundles 5-8 % smaller)"
      cargo "${build_args[@]}"
    fi
  else
    # rustup's toolchain lacks the wasm32 std: use Debian's, building std from source.
    need_packages rustc-web cargo-web rust-web-src lld-19
    say "compiling the $label with Debian's $(/usr/bin/rustc --version) and std from source"
    RUSTFLAGS="$RUSTFLAGS $(size_rustflags /usr/bin/rustc)" RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-19 \
      /usr/bin/cargo "${build_args[@]}" "${SIZE_BUILD_STD[@]}"
  fi
}

# build_bundle FEATURES OUT_DIR [PACKAGE] [LABEL]: compiles one bundle and
# writes what browsers load into OUT_DIR (wasm-bindgen prints its gzipped
# size). The same module with its function names is kept in
# target/wasm/named/NAME/ for scripts/bundle-sizes.sh, NAME being OUT_DIR's
# last part (`site` for target/islands).
build_bundle() {
  local features=$1 out=$2 package=${3:-llmos-islands} label=${4:-$1 islands}
  compile_wasm "$label" -p "$package" --features "$features" --profile wasm-release
  local module="target/wasm/$WASM_TARGET/wasm-release/${package//-/_}.wasm"
  local name
  name=$(basename "$out")
  [ "$name" = islands ] && name=site
  say "generating the JavaScript bindings of the $label"
  cargo run -q --locked -p llmos-wasm-bindgen -- "$module" "$out" "target/wasm/named/$name"
}
