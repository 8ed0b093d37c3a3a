//! The islands bundle in the published site.
//!
//! Files get content-hashed names so browsers may cache them forever; a
//! small loader module (also hashed) instantiates the bundle and hydrates
//! each `<leptos-island>` on the page. Only pages that contain an island
//! reference the loader, so every other page ships no JavaScript.

use crate::theme::fnv1a;

pub struct IslandFiles {
    /// Site-relative path of the loader, the only script a page references.
    pub loader_path: String,
    /// (site-relative path, bytes) of every file to publish.
    pub files: Vec<(String, Vec<u8>)>,
}

/// The embedded site bundle (search, shelves), if this binary has one.
pub fn bundle() -> Option<(&'static [u8], &'static [u8])> {
    crate::source::bundled::ISLANDS
}

/// The embedded workbench bundle: the user's skills, loaded only by their pages.
pub fn workbench_bundle() -> Option<(&'static [u8], &'static [u8])> {
    crate::source::bundled::WORKBENCH
}

/// The embedded chat bundle, loaded only by the chat page.
pub fn chat_bundle() -> Option<(&'static [u8], &'static [u8])> {
    crate::source::bundled::CHAT
}

/// The embedded runner bundle: the Run panel, loaded only by pages that run skills.
pub fn runner_bundle() -> Option<(&'static [u8], &'static [u8])> {
    crate::source::bundled::RUNNER
}

/// The embedded evolution bundle: the traces and evolution pages, loaded only by them.
pub fn evolution_bundle() -> Option<(&'static [u8], &'static [u8])> {
    crate::source::bundled::EVOLUTION
}

/// The embedded skill kit: the Markdown renderer, the SKILL.md parser and
/// skill zips, which the workbench imports the first time a page needs
/// them (`llmos_islands::kit`).
pub fn skillkit_bundle() -> Option<(&'static [u8], &'static [u8])> {
    crate::source::bundled::SKILLKIT
}

/// The embedded Markdown kit: the skill kit without the parser and zips,
/// which the chat imports the first time it shows an answer.
pub fn markdown_kit_bundle() -> Option<(&'static [u8], &'static [u8])> {
    crate::source::bundled::MARKDOWNKIT
}

/// A kit's files, `pkg/llmos_<name>.<hash>.js` and its module;
/// `loader_path` is the JS module, which no page references.
pub fn publish_kit(name: &str, js: &[u8], wasm: &[u8]) -> IslandFiles {
    let js_name = format!("llmos_{name}.{:016x}.js", fnv1a(js));
    let wasm_name = format!("llmos_{name}_bg.{:016x}.wasm", fnv1a(wasm));
    IslandFiles { loader_path: format!("pkg/{js_name}"), files: vec![(format!("pkg/{js_name}"), js.to_vec()), (format!("pkg/{wasm_name}"), wasm.to_vec())] }
}

/// The embedded search kit: the search box's engine (ranking, the sharded
/// index's reader, the stemmer), which the site bundle imports when a
/// visitor starts to search (`llmos_islands::search_kit`).
pub fn searchkit_bundle() -> Option<(&'static [u8], &'static [u8])> {
    crate::source::bundled::SEARCHKIT
}

/// The lines a loader starts with so its bundle can fetch the skill kit
/// published as `kit` (see [`publish_kit`]): `globalThis.llmosSkillkit()`
/// imports and instantiates it once and resolves to its exports. Nothing is
/// fetched until a page calls it; the loader and the kit sit in `pkg/`.
pub fn skillkit_prelude(kit: &IslandFiles) -> String {
    kit_prelude(kit, "llmosSkillkit", "The skill kit (the Markdown renderer, and for the workbench the SKILL.md parser and zips)")
}

/// The embedded chat's search kit: the whole index's reader and the
/// ranking that picks the skills a message is offered, which the chat
/// imports the first time it offers skills.
pub fn chat_searchkit_bundle() -> Option<(&'static [u8], &'static [u8])> {
    crate::source::bundled::CHATSEARCHKIT
}

/// [`skillkit_prelude`] for a search kit (the site bundle's or the chat's): `globalThis.llmosSearchkit()`.
pub fn searchkit_prelude(kit: &IslandFiles) -> String {
    kit_prelude(kit, "llmosSearchkit", "The search kit (the search box's engine)")
}

/// Defines `globalThis.<global>()`, which imports the kit `kit` once.
fn kit_prelude(kit: &IslandFiles, global: &str, what: &str) -> String {
    let [(js, _), (wasm, _)] = [&kit.files[0], &kit.files[1]];
    let (js, wasm) = (js.trim_start_matches("pkg/"), wasm.trim_start_matches("pkg/"));
    format!(
        r#"// {what}, fetched the first time it is needed.
let {global}Module;
globalThis.{global} = () => ({global}Module ??= import("./{js}").then(async (kit) => {{
  await kit.default({{ module_or_path: new URL("./{wasm}", import.meta.url) }});
  return kit;
}}));
"#
    )
}

/// The embedded sync bundle: the sync page, loaded only by it.
pub fn sync_bundle() -> Option<(&'static [u8], &'static [u8])> {
    crate::source::bundled::SYNC
}

/// Raw and gzipped size of the bundle (glue and module), for the build summary.
pub fn bundle_size(js: &[u8], wasm: &[u8]) -> (usize, usize) {
    use std::io::Write;
    let gzipped = |bytes: &[u8]| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).expect("writing to memory");
        encoder.finish().expect("writing to memory").len()
    };
    (js.len() + wasm.len(), gzipped(js) + gzipped(wasm))
}

/// The file names (in `pkg/`) under which [`publish`] writes the bundle
/// `name`: its wasm-bindgen module and its WebAssembly, each by its hash.
pub fn bundle_names(name: &str, js: &[u8], wasm: &[u8]) -> (String, String) {
    (format!("llmos_{name}.{:016x}.js", fnv1a(js)), format!("llmos_{name}_bg.{:016x}.wasm", fnv1a(wasm)))
}

/// The files of one islands bundle under `name` (`islands`, `workbench`,
/// `chat`); the loader starts with `prelude` (the offline module's import).
pub fn publish(name: &str, js: &[u8], wasm: &[u8], prelude: &str) -> IslandFiles {
    publish_with(name, js, wasm, prelude, islands_loader)
}

/// The files of a bundle under `name`, with the loader module that
/// `loader(js_name, wasm_name)` writes after `prelude`.
pub fn publish_with(name: &str, js: &[u8], wasm: &[u8], prelude: &str, loader: fn(&str, &str) -> String) -> IslandFiles {
    let (js_name, wasm_name) = bundle_names(name, js, wasm);
    let loader = format!("{prelude}{}", loader(&js_name, &wasm_name));
    let loader_name = format!("{name}.{:016x}.js", fnv1a(loader.as_bytes()));
    IslandFiles {
        loader_path: format!("pkg/{loader_name}"),
        files: vec![(format!("pkg/{js_name}"), js.to_vec()), (format!("pkg/{wasm_name}"), wasm.to_vec()), (format!("pkg/{loader_name}"), loader.into_bytes())],
    }
}

fn islands_loader(js_name: &str, wasm_name: &str) -> String {
    format!(
        r#"// LLMos islands loader: instantiates the WebAssembly bundle and hydrates
// each island on the page. Pages without islands never load it.
import init, * as bundle from "./{js_name}";

async function start() {{
  await init({{ module_or_path: new URL("./{wasm_name}", import.meta.url) }});
  bundle.hydrate();
  for (const island of document.querySelectorAll("leptos-island")) {{
    const hydrateIsland = bundle[island.dataset.component];
    if (hydrateIsland) {{
      await hydrateIsland(island);
    }} else {{
      console.error(`LLMos: the bundle has no island ${{island.dataset.component}}`);
    }}
  }}
  performance.mark("llmos-islands-hydrated");
  document.documentElement.dataset.islands = "hydrated";
}}

start().catch((error) => console.error("LLMos islands failed to start:", error));
"#
    )
}
