//! The skill kit: what the first paint of the workbench and chat pages does
//! not need, compiled to a WebAssembly module of its own and fetched on first
//! use (issue 14: the page bundles drop it).
//!
//! It holds the core's sanitising Markdown renderer (pulldown-cmark, its
//! HTML entity table and `llmos_core::markdown`); with the feature `skills`
//! also the SKILL.md parser (the YAML parser and the core's checks), which
//! the workbench needs to check, save and import skills but not to list them
//! (their fields are stored), the safety review (its rules and their texts),
//! the Run panel's skill JSON (the reader of a skill's inputs and outputs),
//! and the skill zips' reader and writer (rawzip, miniz_oxide), which only
//! import and export use.
//!
//! Built twice: without features it is the **Markdown kit**, which the chat
//! fetches; with `skills` the **skill kit**, which the workbench fetches.
//! The page bundles reach either through `llmos_islands::kit`, which imports
//! the module with `import()` the first time it is asked for (their loaders
//! name the hashed files: `src/islands.rs`, `skillkit_prelude`).
//!
//! Every function takes and returns strings, bytes or plain JS values, so the
//! page bundles share no memory or types with this module; what it returns is
//! the core's result, byte for byte (these are the core's functions).

use wasm_bindgen::prelude::*;

/// The sanitised HTML of `markdown`: [`llmos_core::render_safe`].
#[wasm_bindgen]
pub fn render_safe(markdown: &str) -> String {
    llmos_core::render_safe(markdown)
}

#[cfg(feature = "skills")]
/// The core's `parse_skill` of a SKILL.md (`path` as diagnostics name it,
/// `folder` the name to compare with, `files` the folder's other files), as
/// JSON: `{"Ok": [outline, warnings]}` or `{"Err": diagnostic}`, the core's
/// `SkillOutline` (what the workbench shows of a skill, not the whole
/// `Skill`: its reader would weigh on the workbench) and `Diagnostic`
/// serialised. It holds the YAML parser, which the workbench's pages need
/// only when they check, save or import.
#[wasm_bindgen]
pub fn parse_skill(path: &str, folder: &str, bytes: &[u8], files: Vec<String>) -> String {
    let parsed = llmos_core::parse_skill(&llmos_core::SkillSource { path, folder, bytes, files: &files });
    serde_json::to_string(&parsed.map(|(skill, warnings)| (llmos_core::SkillOutline::from(&skill), warnings))).unwrap_or_default()
}

#[cfg(feature = "skills")]
/// The safety review of a skill folder, `paths[i]` holding `data[i]`
/// (Uint8Arrays, the SKILL.md among them): its active findings as a JSON
/// array of the core's `safety::Note` ([`llmos_core::safety::review_notes`];
/// empty when the SKILL.md does not parse). The rules and their texts stay
/// here, out of the workbench's bundle.
#[wasm_bindgen]
pub fn review(paths: Vec<String>, data: js_sys::Array) -> String {
    let bytes: Vec<Vec<u8>> = data.iter().map(|d| js_sys::Uint8Array::new(&d).to_vec()).collect();
    let files: Vec<llmos_core::safety::ReviewFile> = paths.iter().zip(&bytes).map(|(path, bytes)| llmos_core::safety::ReviewFile { path, bytes }).collect();
    serde_json::to_string(&llmos_core::safety::review_notes(&files)).unwrap_or_default()
}

#[cfg(feature = "skills")]
/// What the Run panel needs of a skill: `llmos_runner::RunnableSkill`, whose
/// code the page has (so no `code_url`), with the Python packages it declares.
#[derive(serde::Serialize)]
struct Runnable<'a> {
    name: &'a str,
    kind: &'a str,
    code: &'a str,
    entry: Option<&'a str>,
    inputs: &'a [llmos_core::IoSpec],
    outputs: &'a [llmos_core::IoSpec],
    packages: &'a [String],
}

#[cfg(feature = "skills")]
/// The Run panel's `RunnableSkill` JSON of the SKILL.md `skill_md` whose
/// entry file holds `code`; empty when the SKILL.md does not parse.
#[wasm_bindgen]
pub fn runnable(skill_md: &str, code: &str) -> String {
    let Ok((skill, _)) = llmos_core::parse_skill(&llmos_core::SkillSource { path: "SKILL.md", folder: "", bytes: skill_md.as_bytes(), files: &[] }) else { return String::new() };
    let runnable = Runnable { name: &skill.name, kind: skill.kind.as_deref().unwrap_or_default(), code, entry: skill.entry.as_deref(), inputs: &skill.inputs, outputs: &skill.outputs, packages: &skill.packages };
    serde_json::to_string(&runnable).unwrap_or_default()
}

#[cfg(feature = "skills")]
/// The top-level frontmatter keys of a SKILL.md, JSON (`null` when it does
/// not parse): [`llmos_core::frontmatter::mapping_keys`].
#[wasm_bindgen]
pub fn frontmatter_keys(text: &str) -> String {
    serde_json::to_string(&llmos_core::frontmatter::mapping_keys("SKILL.md", text)).unwrap_or_default()
}

/// A chat answer rendered as it streams in: [`llmos_core::IncrementalMarkdown`].
#[wasm_bindgen]
#[derive(Default)]
pub struct MarkdownStream(llmos_core::IncrementalMarkdown);

#[wasm_bindgen]
impl MarkdownStream {
    #[wasm_bindgen(constructor)]
    pub fn new() -> MarkdownStream {
        MarkdownStream::default()
    }

    /// Adds the next piece of the answer; returns `[frozen_html_appended,
    /// tail_html]` (see [`llmos_core::Update`]).
    pub fn push(&mut self, delta: &str) -> js_sys::Array {
        let update = self.0.push(delta);
        js_sys::Array::of2(&update.frozen_html_appended.into(), &update.tail_html.into())
    }
}

#[cfg(feature = "skills")]
/// Every file of a skill zip ([`llmos_core::zip::read_zip`]): `{entries:
/// [[path, Uint8Array], …]}`, or `{error: {entry, message, help}}` (`entry`
/// null when the archive as a whole is at fault).
#[wasm_bindgen]
pub fn read_zip(bytes: &[u8]) -> js_sys::Object {
    let result = js_sys::Object::new();
    let set = |target: &js_sys::Object, key: &str, value: &JsValue| {
        let _ = js_sys::Reflect::set(target, &key.into(), value);
    };
    match llmos_core::zip::read_zip(bytes) {
        Ok(entries) => {
            let list = js_sys::Array::new();
            for entry in entries {
                list.push(&js_sys::Array::of2(&entry.path.into(), &js_sys::Uint8Array::from(&entry.data[..]).into()));
            }
            set(&result, "entries", &list);
        }
        Err(error) => {
            let detail = js_sys::Object::new();
            set(&detail, "entry", &error.entry.map_or(JsValue::NULL, JsValue::from));
            set(&detail, "message", &error.message.into());
            set(&detail, "help", &error.help.into());
            set(&result, "error", &detail);
        }
    }
    result
}

#[cfg(feature = "skills")]
/// A zip of `paths[i]` holding `data[i]` (Uint8Arrays), as
/// [`llmos_core::zip::write_zip`] writes it.
#[wasm_bindgen]
pub fn write_zip(paths: Vec<String>, data: js_sys::Array) -> Vec<u8> {
    let bytes: Vec<Vec<u8>> = data.iter().map(|d| js_sys::Uint8Array::new(&d).to_vec()).collect();
    let entries: Vec<(&str, &[u8])> = paths.iter().map(String::as_str).zip(bytes.iter().map(Vec::as_slice)).collect();
    llmos_core::zip::write_zip(&entries)
}
