#!/usr/bin/env bash
# Builds the islands WebAssembly bundle into target/islands/ (llmos_islands.js
# and llmos_islands_bg.wasm), which build.rs then embeds into the llmos binary.
# Each bundle's gzipped size is printed as it is built; scripts/bundle-sizes.sh
# says where the bytes go.
source "$(dirname "$0")/lib/common.sh"
need_rust

# The toolchain route, the flags and build_bundle: lib/wasm.sh.
source "$ROOT/scripts/lib/wasm.sh"

# Three bundles from the one crate: `hydrate` is the site bundle (search,
# shelves: every catalogue page), `workbench` the user's skills (their
# pages only), `chat` the chat page. Later builds reuse every dependency.
# Workbox, the service worker's plumbing, embedded like the bundles.
need_workbox
build_bundle hydrate target/islands
build_bundle workbench target/islands/workbench
build_bundle chat target/islands/chat
# The kits, fetched on first use (crate llmos-skillkit): the skill kit
# (Markdown renderer, SKILL.md parser, zips) by the workbench, the Markdown
# kit (the renderer alone) by the chat.
build_bundle skills target/islands/skillkit llmos-skillkit "skill kit (fetched on first use)"
build_bundle "" target/islands/markdown llmos-skillkit "Markdown kit (fetched on first use)"
# The search box's engine (crate llmos-searchkit: ranking, the sharded
# index's reader, the stemmer), fetched by the site bundle when a visitor
# starts to search.
build_bundle box target/islands/searchkit llmos-searchkit "search kit (fetched when a visitor searches)"
# The same crate with the chat's skill ranking over the whole index, fetched
# by the chat the first time it offers skills.
build_bundle chat target/islands/chatsearch llmos-searchkit "chat's search kit (fetched when the chat offers skills)"
# The Run panel of executable skills, a crate of its own.
build_bundle browser target/islands/runner llmos-runner "runner (Run panel)"
# The traces and evolution pages (/my/traces/, /my/evolution/), a crate of its own.
build_bundle browser target/islands/evolution llmos-evolution "evolution bundle (traces and evolution pages)"
# The sync page (/my/sync/), a crate of its own.
build_bundle browser target/islands/sync llmos-sync "sync bundle (the sync page)"
# The quantum runtime: a bare module (no bindings) the sandbox's worker
# instantiates for `type: qasm` skills and `llmos_quantum` in Python and JavaScript.
compile_wasm "quantum runtime" -p llmos-quantum --profile wasm-quantum
mkdir -p target/islands/quantum
cp "target/wasm/$WASM_TARGET/wasm-quantum/llmos_quantum.wasm" target/islands/quantum/llmos_quantum.wasm
