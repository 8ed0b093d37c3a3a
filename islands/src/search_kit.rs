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
#[cfg(not(feature = "chat"))]
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

/// Imports the kit (once: the loader keeps the promise) and resolves to
/// its module. The error says it did not load (offline before it was ever
/// cached, or a loader without it).
async fn load() -> Result<JsValue, String> {
    let not_loaded = |error: JsValue| {
        let message = js_error(error);
        web_sys::console::error_1(&format!("LLMos: the search kit did not load: {message}").into());
        format!("the search code did not load ({message})")
    };
    JsFuture::from(import_kit().map_err(not_loaded)?).await.map_err(not_loaded)
}

/// Calls the kit's async export `name` with `args`, awaiting its answer.
async fn call_async(module: &JsValue, name: &str, args: &js_sys::Array) -> Result<JsValue, String> {
    let function: js_sys::Function = field(module, name).dyn_into().map_err(|_| format!("the search code has no `{name}`"))?;
    let promise = function.apply(&JsValue::NULL, args).map_err(js_error)?;
    JsFuture::from(js_sys::Promise::from(promise)).await.map_err(js_error)
}

/// The user's skills as the kit takes them: plain objects of each one's
/// key (`slug`) and stored fields; skills stored without fields are left out.
fn user_skill_objects(skills: &[crate::user_skills::UserSkill]) -> js_sys::Array {
    let set = |target: &js_sys::Object, key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(target, &key.into(), &value);
    };
    skills
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
        .collect()
}

/// A method of a kit object.
fn method(target: &JsValue, name: &str) -> Result<js_sys::Function, String> {
    field(target, name).dyn_into().map_err(|_| format!("the search code has no `{name}`"))
}

/// The kit's engine for one search box (its `Search` object).
#[cfg(not(feature = "chat"))]
#[derive(Clone)]
pub(crate) struct Engine(JsValue);

/// Imports the kit (once) and opens the indexes whose manifests are at
/// `skills_url` and `docs_url`. The error names what failed: the kit (not
/// fetched: offline before it was ever cached) or an index.
#[cfg(not(feature = "chat"))]
pub(crate) async fn open(skills_url: &str, docs_url: &str) -> Result<Engine, String> {
    let module = load().await?;
    Ok(Engine(call_async(&module, "open", &js_sys::Array::of2(&skills_url.into(), &docs_url.into())).await?))
}

#[cfg(not(feature = "chat"))]
impl Engine {
    /// Layers the user's own skills over the site's (replacing those
    /// layered before).
    pub(crate) fn set_user(&self, skills: &[crate::user_skills::UserSkill]) -> Result<(), String> {
        method(&self.0, "set_user")?.call1(&self.0, &user_skill_objects(skills)).map_err(js_error)?;
        Ok(())
    }

    /// Runs `query`: the first `limit` skills (with the count of all), the
    /// best docs pages unless the query filters, and on the results page
    /// (`results_page`) the facet and tag chips; links start with `base`.
    pub(crate) async fn find(&self, query: &str, limit: usize, results_page: bool, base: &str) -> Result<Found, String> {
        let args = js_sys::Array::of4(&query.into(), &JsValue::from(limit as u32), &results_page.into(), &base.into());
        let promise = method(&self.0, "find")?.apply(&self.0, &args).map_err(js_error)?;
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

#[cfg(not(feature = "chat"))]
fn list(value: &JsValue) -> Vec<JsValue> {
    value.dyn_ref::<js_sys::Array>().map(|a| a.iter().collect()).unwrap_or_default()
}

#[cfg(not(feature = "chat"))]
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

#[cfg(not(feature = "chat"))]
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

/// The chat's view of the site's whole index (`index/search.json`) with
/// the user's skills layered on, ranked in the kit (its `Skills` object).
#[cfg(feature = "chat")]
pub(crate) struct ChatSkills {
    kit: JsValue,
    /// Every skill, the user's included: (name, slug, user, type).
    pub docs: Vec<ChatDoc>,
}

/// One skill of [`ChatSkills`].
#[cfg(feature = "chat")]
pub(crate) struct ChatDoc {
    pub name: String,
    pub slug: String,
    pub user: bool,
    pub kind: Option<String>,
}

#[cfg(feature = "chat")]
thread_local! {
    static SKILLS: std::cell::RefCell<Option<JsValue>> = const { std::cell::RefCell::new(None) };
}

/// Opens the whole index at `url` in the kit (once per page) and layers
/// the user's skills as they are now.
#[cfg(feature = "chat")]
pub(crate) async fn chat_skills(url: &str) -> Result<ChatSkills, String> {
    use crate::store::SkillStore;
    let kit = match SKILLS.with(|s| s.borrow().clone()) {
        Some(kit) => kit,
        None => {
            let module = load().await?;
            let kit = call_async(&module, "open_skills", &js_sys::Array::of1(&url.into())).await?;
            SKILLS.with(|s| *s.borrow_mut() = Some(kit.clone()));
            kit
        }
    };
    // As before the kit: the site's skills alone when the store cannot be opened.
    if let Ok(store) = crate::store::shared().await {
        let skills = store.skills().await.unwrap_or_default();
        method(&kit, "set_user")?.call1(&kit, &user_skill_objects(&skills)).map_err(js_error)?;
    }
    let docs = method(&kit, "docs")?.call0(&kit).map_err(js_error)?;
    let docs = js_sys::JSON::parse(&docs.as_string().unwrap_or_default()).map_err(js_error)?;
    let docs = js_sys::Array::from(&docs)
        .iter()
        .map(|d| ChatDoc {
            name: field(&d, "name").as_string().unwrap_or_default(),
            slug: field(&d, "slug").as_string().unwrap_or_default(),
            user: field(&d, "user").as_bool().unwrap_or_default(),
            kind: field(&d, "type").as_string(),
        })
        .collect();
    Ok(ChatSkills { kit, docs })
}

#[cfg(feature = "chat")]
impl ChatSkills {
    /// The `limit` skills most relevant to `message`, best first
    /// (`llmos_core::llm::offer_skills`, run in the kit).
    pub fn offer(&self, message: &str, limit: usize) -> Vec<llmos_core::llm::OfferedSkill> {
        let Ok(offer) = method(&self.kit, "offer") else { return Vec::new() };
        let Some(json) = offer.call2(&self.kit, &message.into(), &JsValue::from(limit as u32)).ok().and_then(|j| j.as_string()) else { return Vec::new() };
        let Ok(list) = js_sys::JSON::parse(&json) else { return Vec::new() };
        js_sys::Array::from(&list)
            .iter()
            .map(|o| llmos_core::llm::OfferedSkill {
                name: field(&o, "name").as_string().unwrap_or_default(),
                slug: field(&o, "slug").as_string().unwrap_or_default(),
                description: field(&o, "description").as_string().unwrap_or_default(),
                user: field(&o, "user").as_bool().unwrap_or_default(),
            })
            .collect()
    }
}
