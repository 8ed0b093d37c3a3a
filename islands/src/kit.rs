//! The kits (crate `llmos-skillkit`): the core's Markdown renderer, and for
//! the workbench its SKILL.md parser, safety review and skill zips (skills
//! cross as the core's `SkillOutline`, not whole), as WebAssembly modules
//! of their own, fetched the first time a page needs them, so the workbench
//! and chat bundles do not carry them (issue 14).
//!
//! In the browser, [`load`] asks the bundle's loader for its kit: the loader
//! sets `globalThis.llmosSkillkit`, a function that imports the kit's hashed
//! files once (`src/islands.rs`, `skillkit_prelude`) and resolves to its
//! module. After that the functions here are synchronous calls into it.
//! Elsewhere (natively: `ssr`, the unit tests; the other bundles, which do
//! not call them) they are the core's own functions.
//!
//! Who waits for it: the editor (its checks and preview) and a user skill's
//! page, as they open; `/my/` when it imports, exports or duplicates, or
//! meets a record stored without its fields; the chat before it shows a
//! conversation with answers or streams one. The list on `/my/` and the
//! site's pages never load it.

#[cfg(any(feature = "workbench", feature = "chat"))]
pub use browser::{frontmatter_keys, is_loaded, load, parse_skill, read_zip, render_safe, review, runnable_json, write_zip, MarkdownStream};
#[cfg(not(any(feature = "workbench", feature = "chat")))]
pub use native::{frontmatter_keys, is_loaded, load, parse_skill, read_zip, render_safe, review, write_zip, MarkdownStream};

#[cfg(not(any(feature = "workbench", feature = "chat")))]
mod native {
    /// Nothing to load natively.
    pub async fn load() -> Result<(), String> {
        Ok(())
    }

    pub fn is_loaded() -> bool {
        true
    }

    /// The sanitised HTML of `markdown` (the core's renderer).
    pub fn render_safe(markdown: &str) -> String {
        llmos_core::render_safe(markdown)
    }

    /// [`llmos_core::parse_skill`], the skill as its outline (what crosses from the kit).
    pub fn parse_skill(source: &llmos_core::SkillSource) -> Result<(llmos_core::SkillOutline, Vec<llmos_core::Diagnostic>), llmos_core::Diagnostic> {
        llmos_core::parse_skill(source).map(|(skill, warnings)| (llmos_core::SkillOutline::from(&skill), warnings))
    }

    /// The safety review's active findings on a skill folder's files:
    /// [`llmos_core::safety::review_notes`].
    pub fn review(files: &[(&str, &[u8])]) -> Vec<llmos_core::safety::Note> {
        let files: Vec<llmos_core::safety::ReviewFile> = files.iter().map(|(path, bytes)| llmos_core::safety::ReviewFile { path, bytes }).collect();
        llmos_core::safety::review_notes(&files)
    }

    /// [`llmos_core::frontmatter::mapping_keys`] of a SKILL.md.
    pub fn frontmatter_keys(text: &str) -> Option<Vec<String>> {
        llmos_core::frontmatter::mapping_keys("SKILL.md", text)
    }

    /// Every file of a skill zip: [`llmos_core::zip::read_zip`].
    pub fn read_zip(bytes: &[u8]) -> Result<Vec<llmos_core::zip::ZipEntry>, llmos_core::zip::ZipError> {
        llmos_core::zip::read_zip(bytes)
    }

    /// A zip of `entries`: [`llmos_core::zip::write_zip`].
    pub fn write_zip(entries: &[(&str, &[u8])]) -> Result<Vec<u8>, String> {
        Ok(llmos_core::zip::write_zip(entries))
    }

    /// A streamed answer rendered as it grows: [`llmos_core::IncrementalMarkdown`].
    #[derive(Default)]
    pub struct MarkdownStream(llmos_core::IncrementalMarkdown);

    impl MarkdownStream {
        /// A new stream; natively it cannot fail.
        pub fn new() -> MarkdownStream {
            MarkdownStream::default()
        }

        pub fn push(&mut self, delta: &str) -> llmos_core::Update {
            self.0.push(delta)
        }
    }
}

#[cfg(any(feature = "workbench", feature = "chat"))]
mod browser {
    use std::cell::RefCell;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    #[wasm_bindgen]
    extern "C" {
        /// Set by the bundle's loader: imports and instantiates the kit
        /// (once), resolving to its module's exports.
        #[wasm_bindgen(js_namespace = globalThis, js_name = llmosSkillkit, catch)]
        fn import_kit() -> Result<js_sys::Promise, JsValue>;
    }

    thread_local! {
        static KIT: RefCell<Option<JsValue>> = const { RefCell::new(None) };
    }

    /// Fetches and starts the kit unless it runs already. The error says
    /// why it could not be loaded (offline before it was ever cached, or a
    /// loader without it); the functions below then show text unrendered.
    pub async fn load() -> Result<(), String> {
        if is_loaded() {
            return Ok(());
        }
        let promise = import_kit().map_err(describe)?;
        let module = wasm_bindgen_futures::JsFuture::from(promise).await.map_err(describe)?;
        KIT.with(|kit| *kit.borrow_mut() = Some(module));
        Ok(())
    }

    pub fn is_loaded() -> bool {
        KIT.with(|kit| kit.borrow().is_some())
    }

    fn describe(error: JsValue) -> String {
        let message = error.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| error.as_string()).unwrap_or_else(|| "unknown error".into());
        web_sys::console::error_1(&format!("LLMos: the skill kit (the Markdown renderer) did not load: {message}").into());
        format!("the Markdown renderer did not load: {message}")
    }

    /// The kit's export `name`, when the kit is loaded.
    fn export(name: &str) -> Option<JsValue> {
        KIT.with(|kit| kit.borrow().as_ref().and_then(|module| js_sys::Reflect::get(module, &name.into()).ok()))
    }

    /// The sanitised HTML of `markdown` (the core's renderer, in the kit).
    /// Before [`load`] has succeeded, the text escaped in a `<pre>`: never
    /// raw HTML.
    pub fn render_safe(markdown: &str) -> String {
        let rendered = export("render_safe").and_then(|f| f.dyn_into::<js_sys::Function>().ok()).and_then(|f| f.call1(&JsValue::NULL, &markdown.into()).ok()).and_then(|html| html.as_string());
        rendered.unwrap_or_else(|| unrendered(markdown))
    }

    /// [`llmos_core::parse_skill`], run by the kit, the skill as its
    /// outline; load the kit first (without it, an error saying so).
    pub fn parse_skill(source: &llmos_core::SkillSource) -> Result<(llmos_core::SkillOutline, Vec<llmos_core::Diagnostic>), llmos_core::Diagnostic> {
        use llmos_core::Diagnostic;
        let missing = || Diagnostic::error(source.path, 0, 0, "the SKILL.md checker did not load").with_help("reload the page (the first visit needs the network)");
        let parse = export("parse_skill").and_then(|f| f.dyn_into::<js_sys::Function>().ok()).ok_or_else(missing)?;
        let files: js_sys::Array = source.files.iter().map(|f| JsValue::from_str(f)).collect();
        let args = js_sys::Array::of4(&source.path.into(), &source.folder.into(), &js_sys::Uint8Array::from(source.bytes), &files);
        let json = parse.apply(&JsValue::NULL, &args).ok().and_then(|v| v.as_string()).ok_or_else(missing)?;
        let answer = js_sys::JSON::parse(&json).map_err(|_| missing())?;
        let failed = field(&answer, "Err");
        if failed.is_object() {
            return Err(read_diagnostic(&failed));
        }
        let ok = field(&answer, "Ok");
        let (outline, warnings) = (js_sys::Reflect::get_u32(&ok, 0).map_err(|_| missing())?, js_sys::Reflect::get_u32(&ok, 1).map_err(|_| missing())?);
        if !outline.is_object() {
            return Err(missing());
        }
        Ok((read_outline(&outline), js_sys::Array::from(&warnings).iter().map(|w| read_diagnostic(&w)).collect()))
    }

    // The kit's answers are read with the browser's JSON parser and these
    // field by field readers: serde's readers of these types cost the
    // bundle more than the reading itself (issue 14).

    fn field(target: &JsValue, key: &str) -> JsValue {
        js_sys::Reflect::get(target, &key.into()).unwrap_or(JsValue::UNDEFINED)
    }

    fn text(target: &JsValue, key: &str) -> String {
        field(target, key).as_string().unwrap_or_default()
    }

    fn number(target: &JsValue, key: &str) -> usize {
        field(target, key).as_f64().unwrap_or_default() as usize
    }

    /// A `SkillOutline` as the kit serialises it.
    fn read_outline(value: &JsValue) -> llmos_core::SkillOutline {
        llmos_core::SkillOutline {
            name: text(value, "name"),
            slug: text(value, "slug"),
            description: text(value, "description"),
            category: field(value, "category").as_string(),
            keywords: js_sys::Array::from(&field(value, "keywords")).iter().filter_map(|k| k.as_string()).collect(),
            kind: field(value, "kind").as_string(),
            entry: field(value, "entry").as_string(),
            body: text(value, "body"),
            workflow: field(value, "workflow").is_truthy(),
        }
    }

    /// A `Diagnostic` as the kit serialises it.
    fn read_diagnostic(value: &JsValue) -> llmos_core::Diagnostic {
        let (file, line, column, message) = (text(value, "file"), number(value, "line"), number(value, "column"), text(value, "message"));
        let mut diagnostic = if text(value, "severity") == "error" { llmos_core::Diagnostic::error(&file, line, column, message) } else { llmos_core::Diagnostic::warning(&file, line, column, message) };
        diagnostic.help = field(value, "help").as_string();
        diagnostic.code = field(value, "code").as_string();
        diagnostic
    }

    /// A `safety::Note` as the kit serialises it.
    fn read_note(value: &JsValue) -> llmos_core::safety::Note {
        llmos_core::safety::Note {
            rule: text(value, "rule"),
            title: text(value, "title"),
            danger: field(value, "danger").is_truthy(),
            file: text(value, "file"),
            line: number(value, "line"),
            message: text(value, "message"),
            help: text(value, "help"),
            warning: read_diagnostic(&field(value, "warning")),
        }
    }

    /// The safety review's active findings on a skill folder's files (the
    /// SKILL.md among them), by the kit
    /// ([`llmos_core::safety::review_notes`]); none without it (the
    /// editor's checks and imports wait for it).
    pub fn review(files: &[(&str, &[u8])]) -> Vec<llmos_core::safety::Note> {
        let Some(review) = export("review").and_then(|f| f.dyn_into::<js_sys::Function>().ok()) else { return Vec::new() };
        let paths: js_sys::Array = files.iter().map(|(path, _)| JsValue::from_str(path)).collect();
        let data: js_sys::Array = files.iter().map(|(_, bytes)| JsValue::from(js_sys::Uint8Array::from(*bytes))).collect();
        let notes = review.call2(&JsValue::NULL, &paths, &data).ok().and_then(|v| v.as_string()).and_then(|json| js_sys::JSON::parse(&json).ok());
        notes.map(|notes| js_sys::Array::from(&notes).iter().map(|n| read_note(&n)).collect()).unwrap_or_default()
    }

    /// The Run panel's `RunnableSkill` JSON of a SKILL.md whose entry file
    /// holds `code`, by the kit (which has the reader of the skill's inputs
    /// and outputs); `None` without the kit or when the SKILL.md does not parse.
    pub fn runnable_json(skill_md: &str, code: &str) -> Option<String> {
        let runnable = export("runnable").and_then(|f| f.dyn_into::<js_sys::Function>().ok())?;
        runnable.call2(&JsValue::NULL, &skill_md.into(), &code.into()).ok()?.as_string().filter(|json| !json.is_empty())
    }

    /// [`llmos_core::frontmatter::mapping_keys`] of a SKILL.md, by the kit
    /// (`None` without it).
    pub fn frontmatter_keys(text: &str) -> Option<Vec<String>> {
        let keys = export("frontmatter_keys").and_then(|f| f.dyn_into::<js_sys::Function>().ok())?;
        let keys = js_sys::JSON::parse(&keys.call1(&JsValue::NULL, &text.into()).ok()?.as_string()?).ok()?;
        keys.is_object().then(|| js_sys::Array::from(&keys).iter().filter_map(|k| k.as_string()).collect())
    }

    /// Every file of a skill zip, read by the kit
    /// ([`llmos_core::zip::read_zip`]); load the kit first.
    pub fn read_zip(bytes: &[u8]) -> Result<Vec<llmos_core::zip::ZipEntry>, llmos_core::zip::ZipError> {
        use llmos_core::zip::{ZipEntry, ZipError};
        let missing = || ZipError { entry: None, message: "the zip reader did not load".into(), help: "reload the page and try again (the first import needs the network)".into() };
        let read = export("read_zip").and_then(|f| f.dyn_into::<js_sys::Function>().ok()).ok_or_else(missing)?;
        let result = read.call1(&JsValue::NULL, &js_sys::Uint8Array::from(bytes)).map_err(|_| missing())?;
        let field = |target: &JsValue, key: &str| js_sys::Reflect::get(target, &key.into()).unwrap_or(JsValue::UNDEFINED);
        let error = field(&result, "error");
        if !error.is_undefined() {
            return Err(ZipError {
                entry: field(&error, "entry").as_string(),
                message: field(&error, "message").as_string().unwrap_or_default(),
                help: field(&error, "help").as_string().unwrap_or_default(),
            });
        }
        let entries: js_sys::Array = field(&result, "entries").dyn_into().map_err(|_| missing())?;
        Ok(entries
            .iter()
            .map(|pair| {
                let pair = js_sys::Array::from(&pair);
                ZipEntry { path: pair.get(0).as_string().unwrap_or_default(), data: js_sys::Uint8Array::new(&pair.get(1)).to_vec() }
            })
            .collect())
    }

    /// A zip of `entries`, written by the kit ([`llmos_core::zip::write_zip`]);
    /// load the kit first.
    pub fn write_zip(entries: &[(&str, &[u8])]) -> Result<Vec<u8>, String> {
        let write = export("write_zip").and_then(|f| f.dyn_into::<js_sys::Function>().ok()).ok_or("the zip writer did not load; reload the page and try again")?;
        let paths: js_sys::Array = entries.iter().map(|(path, _)| JsValue::from_str(path)).collect();
        let data: js_sys::Array = entries.iter().map(|(_, bytes)| JsValue::from(js_sys::Uint8Array::from(*bytes))).collect();
        let zip = write.call2(&JsValue::NULL, &paths, &data).map_err(|_| "the zip could not be written".to_string())?;
        Ok(js_sys::Uint8Array::new(&zip).to_vec())
    }

    fn unrendered(text: &str) -> String {
        format!("<pre class=\"unrendered\">{}</pre>", text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;"))
    }

    /// A streamed answer rendered as it grows, by the kit's
    /// `MarkdownStream` (the core's `IncrementalMarkdown`). Without the kit
    /// the whole text so far is the tail, escaped.
    pub struct MarkdownStream {
        stream: Option<JsValue>,
        text: String,
    }

    impl MarkdownStream {
        pub fn new() -> MarkdownStream {
            let stream = export("MarkdownStream").and_then(|c| c.dyn_into::<js_sys::Function>().ok()).and_then(|c| js_sys::Reflect::construct(&c, &js_sys::Array::new()).ok());
            MarkdownStream { stream, text: String::new() }
        }

        pub fn push(&mut self, delta: &str) -> llmos_core::Update {
            self.text.push_str(delta);
            let update = self.stream.as_ref().and_then(|stream| {
                let push = js_sys::Reflect::get(stream, &"push".into()).ok()?.dyn_into::<js_sys::Function>().ok()?;
                let parts: js_sys::Array = push.call1(stream, &delta.into()).ok()?.dyn_into().ok()?;
                Some(llmos_core::Update { frozen_html_appended: parts.get(0).as_string()?, tail_html: parts.get(1).as_string()? })
            });
            update.unwrap_or_else(|| llmos_core::Update { frozen_html_appended: String::new(), tail_html: unrendered(&self.text) })
        }
    }
}
