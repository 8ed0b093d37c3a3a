//! The Run panel on the user's own skills (their page, and the editor's
//! Test run): thin interop with the runner's loader, which the page loads
//! as a second module and which exposes `window.llmosRunner`. The runner
//! bundle itself, and the sandbox, stay out of the workbench bundle.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub use super::executable;

/// The site's runner configuration (JSON) that the page carries, or `None`
/// when the site was built without the runner.
pub fn site_config() -> Option<String> {
    web_sys::window()?.document()?.get_element_by_id("llmos-runner-config")?.get_attribute("data-llmos-runner")
}

/// Why a skill of this `type:` cannot run with the site's runner `config`:
/// Python on a site built without a Python runtime.
pub fn cannot_run(kind: Option<&str>, config: &str) -> Option<String> {
    // The configuration is the generator's compact JSON: no spaces.
    let python_missing = kind == Some("python") && (config.contains("\"pyodide_url\":null") || !config.contains("\"pyodide_url\""));
    python_missing.then(|| "Python skills cannot run on this site: it was built without a Python runtime. Run it on your computer with llmos run.".to_string())
}

/// What a Run section shows.
pub enum Section {
    /// The panel, for a `RunnableSkill` JSON and the site's runner configuration.
    Panel(String, String),
    /// Why there is no panel.
    Note(String),
}

/// Fills the element `region_id` (waiting for it to be on the page) with
/// `heading` and `section`, replacing what was there: pressing Test run
/// again replaces the panel, never stacks one. The panel is mounted once
/// the runner's loader has run; a failure is said in its place.
pub async fn show(region_id: &str, heading: &str, panel_id: &str, section: Section) {
    let mut region = None;
    for _ in 0..100 {
        region = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(region_id));
        if region.is_some() {
            break;
        }
        sleep().await;
    }
    let Some(region) = region else { return };
    let (tag, text) = match &section {
        Section::Panel(..) => ("div", None),
        Section::Note(note) => ("p", Some(note.as_str())),
    };
    let Some(content) = fill(&region, heading, tag) else { return };
    let failed = match &section {
        Section::Panel(skill, config) => {
            content.set_id(panel_id);
            mount(&content, skill, config).await.err().map(|e| format!("The Run panel could not start: {e}"))
        }
        Section::Note(_) => None,
    };
    if let Some(text) = failed.as_deref().or(text) {
        content.set_text_content(Some(text));
        let _ = content.set_attribute("class", if failed.is_some() { "notice error" } else { "notice" });
    }
}

/// Replaces `region`'s children with a heading and an empty `tag`, returned.
fn fill(region: &web_sys::Element, heading: &str, tag: &str) -> Option<web_sys::Element> {
    let document = region.owner_document()?;
    let (h2, content) = (document.create_element("h2").ok()?, document.create_element(tag).ok()?);
    h2.set_text_content(Some(heading));
    region.replace_children_with_node_2(&h2, &content);
    Some(content)
}

/// Fifty milliseconds.
async fn sleep() {
    let wait = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 50);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(wait).await;
}

async fn mount(element: &web_sys::Element, skill: &str, config: &str) -> Result<(), String> {
    let error = |e: JsValue| crate::browser::js_error(e);
    let runner = loader().await?;
    let mount: js_sys::Function = crate::browser::field(&runner, "mount").dyn_into().map_err(|_| "the runner has no mount".to_string())?;
    let promise = mount.call3(&runner, element, &js_sys::JSON::parse(skill).map_err(error)?, &js_sys::JSON::parse(config).map_err(error)?).map_err(error)?;
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&promise)).await.map_err(error)?;
    Ok(())
}

/// `window.llmosRunner`, waiting up to ten seconds for the loader module
/// (it may still be on its way when the workbench starts).
async fn loader() -> Result<JsValue, String> {
    let window = web_sys::window().ok_or("no window")?;
    for _ in 0..200 {
        let runner = crate::browser::field(&window, "llmosRunner");
        if runner.is_object() {
            return Ok(runner);
        }
        sleep().await;
    }
    Err("the runner's script did not load; reload the page".into())
}
