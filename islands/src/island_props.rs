//! Island props without a JSON deserialiser in the bundle.
//!
//! Leptos's `#[island]` writes an island's props as JSON into the
//! `data-props` attribute of its `<leptos-island>` and reads them back with
//! serde_json's typed reader, which then is in the bundle for that alone
//! (about 10 kB gzipped of the site bundle: the parser, one deserialiser per
//! props type, and the float formatting its error messages keep alive).
//! LLMos's islands take no Leptos props instead. At build time
//! the props are given as a reactive context (`render::island_html_with`)
//! and written into the same `data-props` attribute; in the browser the
//! island reads that attribute with the browser's `JSON.parse` and builds
//! its props by hand ([`IslandData::from_js`]).

#[cfg(not(feature = "hydrate"))]
use leptos::prelude::*;

/// What an island without Leptos props reads at its start: from the
/// context at build time, from its `<leptos-island>`'s `data-props` in the
/// browser.
pub trait IslandData: Clone + Send + Sync + 'static {
    /// The props from the parsed `data-props` JSON (`undefined` when the
    /// attribute is missing: every field then takes its default).
    #[cfg(feature = "hydrate")]
    fn from_js(value: &wasm_bindgen::JsValue) -> Self;
}

/// The props of the island `component` (its name, e.g. `"SearchBox"`)
/// being rendered or hydrated.
///
/// In the browser, the loader hydrates the page's islands one by one in
/// document order, each synchronously: the first `<leptos-island>` of this
/// component that still carries its `data-props` is the one being hydrated,
/// and the attribute is removed once read, so the next island of the same
/// component reads its own.
pub fn props<T: IslandData>(component: &str) -> T {
    #[cfg(feature = "hydrate")]
    {
        T::from_js(&parsed_props(component))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        use_context::<T>().unwrap_or_else(|| panic!("{component} rendered without its props (render::island_html_with)"))
    }
}

/// The parsed `data-props` of the island `component` being hydrated (see
/// [`props`]), once for every props type.
#[cfg(feature = "hydrate")]
fn parsed_props(component: &str) -> wasm_bindgen::JsValue {
    let element = web_sys::window().and_then(|w| w.document()).and_then(|d| d.query_selector(&format!("leptos-island[data-component^=\"{component}_\"][data-props]")).ok().flatten());
    let json = element.as_ref().and_then(|e| e.get_attribute("data-props"));
    if let Some(element) = &element {
        let _ = element.remove_attribute("data-props");
    }
    json.and_then(|json| js_sys::JSON::parse(&json).ok()).unwrap_or(wasm_bindgen::JsValue::UNDEFINED)
}

/// A string field of parsed props (empty when missing).
#[cfg(feature = "hydrate")]
pub fn string(value: &wasm_bindgen::JsValue, key: &str) -> String {
    crate::browser::field(value, key).as_string().unwrap_or_default()
}

/// An optional string field of parsed props (`null` or missing: `None`).
#[cfg(feature = "hydrate")]
pub fn optional(value: &wasm_bindgen::JsValue, key: &str) -> Option<String> {
    crate::browser::field(value, key).as_string()
}

/// The props of the islands outside the site bundle (the workbench's, the
/// chat's, the traces, evolution and sync pages'): `base`, the site's base
/// path (`/` or `/repo/`), and `index_url`, the skills index's manifest
/// (empty for an island that reads none).
#[derive(Clone, Default, serde::Serialize)]
pub struct PagePaths {
    pub base: String,
    pub index_url: String,
}

impl PagePaths {
    pub fn new(base: &str, index_url: &str) -> Self {
        PagePaths { base: base.to_string(), index_url: index_url.to_string() }
    }
}

impl IslandData for PagePaths {
    #[cfg(feature = "hydrate")]
    fn from_js(value: &wasm_bindgen::JsValue) -> Self {
        PagePaths { base: string(value, "base"), index_url: string(value, "index_url") }
    }
}
