//! Embeds the bundled system skills and docs into the `llmos` binary, so
//! `llmos build` works from any directory, and fails compilation when a
//! bundled skill is invalid: we never ship a catalogue we could not build.

#[path = "src/walk.rs"]
#[allow(dead_code)]
mod walk;

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut code = String::new();
    for (name, dir) in [("SYSTEM_SKILLS", "system-skills"), ("CONTENT", "content")] {
        let dir = root.join(dir);
        println!("cargo:rerun-if-changed={}", dir.display());
        let walked = walk::walk(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        if let Some((path, reason)) = walked.refused.first() {
            panic!("bundled file {}: {reason}", path.display());
        }
        if name == "SYSTEM_SKILLS" {
            validate_skills(&walked);
        }
        writeln!(code, "pub static {name}: &[(&str, &[u8])] = &[").unwrap();
        for file in &walked.files {
            writeln!(code, "    ({:?}, include_bytes!({:?})),", file.rel, file.path.display().to_string()).unwrap();
        }
        writeln!(code, "];").unwrap();
    }
    embed_islands(root, &mut code);
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("bundled.rs");
    std::fs::write(out, code).unwrap();
}

fn validate_skills(walked: &walk::Walked) {
    let rels: Vec<&str> = walked.files.iter().map(|f| f.rel.as_str()).collect();
    for group in llmos_core::layout::skill_folders(&rels) {
        let skill_md = &walked.files[group.skill_md];
        let folder = group.prefix.rsplit('/').next().unwrap_or("");
        let files: Vec<String> = group.files.into_iter().map(|(rel, _)| rel).collect();
        let bytes = std::fs::read(&skill_md.path).unwrap();
        let display = format!("system-skills/{}", skill_md.rel);
        match llmos_core::parse_skill(&llmos_core::SkillSource { path: &display, folder, bytes: &bytes, files: &files }) {
            Ok((_, warnings)) => {
                for warning in warnings {
                    println!("cargo:warning={}", warning.to_string().replace('\n', " "));
                }
            }
            Err(error) => panic!("a bundled skill is invalid:\n{error}"),
        }
    }
}

/// The islands bundle made by scripts/build-islands.sh. Embedding it means a
/// site author needs no wasm toolchain: `cargo install` of a checkout where
/// the bundle was built carries it. Without it, pages keep their island
/// markup (plain HTML forms that work without JavaScript) and load no script.
fn embed_islands(root: &Path, code: &mut String) {
    println!("cargo:rerun-if-env-changed=LLMOS_ISLANDS_DIR");
    let dir = std::env::var_os("LLMOS_ISLANDS_DIR").map(std::path::PathBuf::from).unwrap_or_else(|| root.join("target/islands"));
    // The site bundle (search, shelves), the workbench (the user's skills) and the chat.
    // The runner (executable skills' Run panel), the evolution pages and the sync page are crates of their own.
    // The skill kit (renderer, parser, zips) and the Markdown kit, fetched on first use by the workbench and the chat;
    // the search kits: the search box's engine, by the site bundle; the chat's skill ranking, by the chat.
    // The quantum runtime: one bare WebAssembly module, no bindings.
    let quantum = dir.join("quantum/llmos_quantum.wasm");
    println!("cargo:rerun-if-changed={}", quantum.display());
    if quantum.is_file() {
        writeln!(code, "pub static QUANTUM: Option<&[u8]> = Some(include_bytes!({:?}));", quantum.display().to_string()).unwrap();
    } else {
        println!("cargo:warning=built without the quantum runtime (no {}): run scripts/build-islands.sh first", quantum.display());
        writeln!(code, "pub static QUANTUM: Option<&[u8]> = None;").unwrap();
    }
    embed_workbox(&dir.join("workbox"), code);
    for (name, dir) in [("ISLANDS", dir.clone()), ("WORKBENCH", dir.join("workbench")), ("CHAT", dir.join("chat")), ("RUNNER", dir.join("runner")), ("EVOLUTION", dir.join("evolution")), ("SKILLKIT", dir.join("skillkit")), ("MARKDOWNKIT", dir.join("markdown")), ("SEARCHKIT", dir.join("searchkit")), ("CHATSEARCHKIT", dir.join("chatsearch")), ("SYNC", dir.join("sync"))] {
        let js = dir.join("llmos_islands.js");
        let wasm = dir.join("llmos_islands_bg.wasm");
        println!("cargo:rerun-if-changed={}", js.display());
        println!("cargo:rerun-if-changed={}", wasm.display());
        if js.is_file() && wasm.is_file() {
            writeln!(code, "pub static {name}: Option<(&[u8], &[u8])> = Some((include_bytes!({:?}), include_bytes!({:?})));", js.display().to_string(), wasm.display().to_string()).unwrap();
        } else {
            println!("cargo:warning=built without the {} bundle (no {}): run scripts/build-islands.sh first", name.to_lowercase(), dir.display());
            writeln!(code, "pub static {name}: Option<(&[u8], &[u8])> = None;").unwrap();
        }
    }
}

/// Workbox's runtime files (scripts/lib/common.sh `need_workbox`), in the
/// order the service worker imports them (each needs the ones before).
fn embed_workbox(dir: &Path, code: &mut String) {
    const FILES: [&str; 4] = ["workbox-core.prod.js", "workbox-routing.prod.js", "workbox-strategies.prod.js", "workbox-precaching.prod.js"];
    let version = dir.join("VERSION");
    println!("cargo:rerun-if-changed={}", version.display());
    for file in FILES {
        println!("cargo:rerun-if-changed={}", dir.join(file).display());
    }
    match std::fs::read_to_string(&version) {
        Ok(version) if FILES.iter().all(|f| dir.join(f).is_file()) => {
            writeln!(code, "pub static WORKBOX_VERSION: &str = {:?};", version.trim()).unwrap();
            writeln!(code, "pub static WORKBOX: Option<&[(&str, &[u8])]> = Some(&[").unwrap();
            for file in FILES {
                writeln!(code, "    ({file:?}, include_bytes!({:?})),", dir.join(file).display().to_string()).unwrap();
            }
            writeln!(code, "]);").unwrap();
        }
        _ => {
            println!("cargo:warning=built without Workbox (no {}): sites will not work offline; run scripts/build-islands.sh first", dir.display());
            writeln!(code, "pub static WORKBOX_VERSION: &str = \"\";").unwrap();
            writeln!(code, "pub static WORKBOX: Option<&[(&str, &[u8])]> = None;").unwrap();
        }
    }
}
