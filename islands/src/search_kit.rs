//! The search kit (crate `llmos-searchkit`): the search engine of the
//! search box (the core's ranking, the sharded index's reader, the stemmer,
//! facets, the user's skills layered in) as a WebAssembly module of its
//! own. The site bundle, which every catalogue page loads, hydrates without
//! it; the box imports it when the visitor shows intent (focus, typing, a
//! `?q=` in the address), and the service worker precaches it.
//!
//! The loader sets `globalThis.llmosSearchkit`, a function that imports the
//! kit's hashed files once (`src/islands.rs`, `kit_prelude`) and resolves
//! to its module. Values cross as plain JS values: queries and the user's
//! skills in, the results as JSON text, read here with the browser's
//! `JSON.parse` (no JSON deserialiser in the bundle).

use crate::browser::{field, js_error};
use crate::search::{Facet, Found, ResultRow};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// Set by the site loader: imports and instantiates the kit (once),
    /// resolving to its module's exports.
    #[wasm_bindgen(js_namespace = globalThis, js_name = llmosSearchkit, catch)]
    fn import_kit() -> Result<js_sys::Promise, JsValue>;
}

/// The kit's engine for one search box (its `Search` object).
#[derive(Clone)]
pub(crate) struct Engine(JsValue);

/// Imports the kit (once) and opens the indexes whose manifests are at
/// `skills_url` and `docs_url`. The error names what failed: the kit (not
/// fetched: offline before it was ever cached) or an index.
pub(crate) async fn open(skills_url: &str, docs_url: &str) -> Result<Engine, String> {
    let not_loaded = |error: JsValue| {
        let message = js_error(error);
        web_sys::console::error_1(&format!("LLMos: the search kit did not load: {message}").into());
        format!("the search code did not load ({message})")
    };
    let module = JsFuture::from(import_kit().map_err(not_loaded)?).await.map_err(not_loaded)?;
    let open: js_sys::Function = field(&module, "open").dyn_into().map_err(|_| "the search code has no `open`".to_string())?;
    let engine = open.call2(&JsValue::NULL, &skills_url.into(), &docs_url.into()).map_err(js_error)?;
    let engine = JsFuture::from(js_sys::Promise::from(engine)).await.map_err(js_error)?;
    Ok(Engine(engine))
}

impl Engine {
    fn method(&self, name: &str) -> Result<js_sys::Function, String> {
        field(&self.0, name).dyn_into().map_err(|_| format!("the search code has no `{name}`"))
    }

    /// Layers the user's own skills over the site's (replacing those
    /// layered before): each as its slug and the stored fields.
    pub(crate) fn set_user(&self, skills: &[crate::user_skills::UserSkill]) -> Result<(), String> {
        let set = |target: &js_sys::Object, key: &str, value: JsValue| {
            let _ = js_sys::Reflect::set(target, &key.into(), &value);
        };
        let list: js_sys::Array = skills
            .iter()
            .filter_map(|skill| {
                let fields = skill.fields.as_ref()?;
                let object = js_sys::Object::new();
                set(&object, "slug", skill.name.as_str().into());
                set(&object, "name", fields.name.as_str().into());
                set(&object, "description", fields.description.as_str().into());
                set(&object, "body", fields.body.as_str().into());
                set(&object, "category", fields.category.as_deref().map_or(JsValue::NULL, JsValue::from_str));
                set(&object, "type", fields.kind.as_deref().map_or(JsValue::NULL, JsValue::from_str));
                set(&object, "keywords", fields.keywords.iter().map(|k| JsValue::from_str(k)).collect::<js_sys::Array>().into());
                Some(JsValue::from(object))
            })
            .collect();
        self.method("set_user")?.call1(&self.0, &list).map_err(js_error)?;
        Ok(())
    }

    /// Runs `query`: the first `limit` skills (with the count of all), the
    /// best docs pages unless the query filters, and on the results page
    /// (`results_page`) the facet and tag chips; links start with `base`.
    pub(crate) async fn find(&self, query: &str, limit: usize, results_page: bool, base: &str) -> Result<Found, String> {
        let args = js_sys::Array::of4(&query.into(), &JsValue::from(limit as u32), &results_page.into(), &base.into());
        let promise = self.method("find")?.apply(&self.0, &args).map_err(js_error)?;
        let json = JsFuture::from(js_sys::Promise::from(promise)).await.map_err(js_error)?;
        let found = js_sys::JSON::parse(&json.as_string().unwrap_or_default()).map_err(js_error)?;
        Ok(Found {
            query: query.to_string(),
            rows: rows(&field(&found, "rows")),
            total: field(&found, "total").as_f64().unwrap_or_default() as usize,
            docs: rows(&field(&found, "docs")),
            facets: facets(&field(&found, "facets")),
            tags: facets(&field(&found, "tags")),
        })
    }
}

fn list(value: &JsValue) -> Vec<JsValue> {
    value.dyn_ref::<js_sys::Array>().map(|a| a.iter().collect()).unwrap_or_default()
}

fn rows(value: &JsValue) -> Vec<ResultRow> {
    let segments = |value: JsValue| {
        list(&value)
            .iter()
            .map(|pair| (js_sys::Reflect::get_u32(pair, 0).ok().and_then(|t| t.as_string()).unwrap_or_default(), js_sys::Reflect::get_u32(pair, 1).ok().and_then(|m| m.as_bool()).unwrap_or_default()))
            .collect()
    };
    list(value)
        .iter()
        .map(|row| ResultRow {
            url: field(row, "url").as_string().unwrap_or_default(),
            name: segments(field(row, "name")),
            description: segments(field(row, "description")),
            kind: field(row, "kind").as_string(),
            category: field(row, "category").as_string(),
            user: field(row, "user").as_bool().unwrap_or_default(),
            source: field(row, "source").as_string(),
            site_url: field(row, "site_url").as_string(),
        })
        .collect()
}

fn facets(value: &JsValue) -> Vec<Facet> {
    list(value)
        .iter()
        .map(|facet| Facet {
            filter: field(facet, "filter").as_string().unwrap_or_default(),
            label: field(facet, "label").as_string().unwrap_or_default(),
            count: field(facet, "count").as_f64().unwrap_or_default() as usize,
        })
        .collect()
}
