//! The search kit: the search engine of the site's search box, compiled to
//! a WebAssembly module of its own and fetched when a visitor starts to
//! search (issue 14: the site bundle, which every catalogue page loads,
//! drops it and hydrates sooner).
//!
//! It holds the core's ranking, the sharded index's reader, the stemmer and
//! stop words, the index built over the user's own skills, and the rows,
//! facets and tag chips of a query (`engine`). The site bundle reaches it
//! through `llmos_islands::search_kit`, which imports it with `import()`
//! the first time the search box is focused or typed in, or at once on a
//! page opened with `?q=` (the site loader names the hashed files:
//! `src/islands.rs`, `kit_prelude`).
//!
//! Values cross as plain JS values: the user's skills as an array of
//! objects, a query's results as JSON text (`engine::Found`).

mod engine;

use engine::{Engine, Shards};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The engine of one search box: the site's skills and docs indexes, with
/// the user's skills layered on.
#[wasm_bindgen]
pub struct Search(Rc<Engine>);

/// Opens the sharded indexes whose manifests are at `skills_url` and
/// `docs_url` (fetching the two manifests only); rejects with a message
/// naming what failed.
#[wasm_bindgen]
pub async fn open(skills_url: String, docs_url: String) -> Result<Search, String> {
    let (skills, docs) = (Shards::open(&skills_url).await?, Shards::open(&docs_url).await?);
    let language = skills.index.language;
    let user = llmos_core::SearchIndex::build_in(&[], language);
    Ok(Search(Rc::new(Engine { skills: RefCell::new(skills), docs: RefCell::new(docs), user: RefCell::new(Rc::new(user)) })))
}

#[wasm_bindgen]
impl Search {
    /// Layers the user's own skills over the site's: an array of objects
    /// `{slug, name, description, keywords: [string], body, category, type}`
    /// (`category` and `type` may be null). Replaces the previous ones.
    pub fn set_user(&self, skills: js_sys::Array) {
        let text = |value: &JsValue, key: &str| js_sys::Reflect::get(value, &JsValue::from_str(key)).ok().and_then(|v| v.as_string());
        let owned: Vec<[Option<String>; 6]> = skills.iter().map(|s| ["slug", "name", "description", "body", "category", "type"].map(|key| text(&s, key))).collect();
        let keywords: Vec<Vec<String>> = skills
            .iter()
            .map(|s| {
                js_sys::Reflect::get(&s, &JsValue::from_str("keywords"))
                    .ok()
                    .filter(|k| k.is_array())
                    .map(|k| js_sys::Array::from(&k).iter().filter_map(|k| k.as_string()).collect())
                    .unwrap_or_default()
            })
            .collect();
        let inputs: Vec<llmos_core::SearchInput> = owned
            .iter()
            .zip(&keywords)
            .filter_map(|([slug, name, description, body, category, kind], keywords)| {
                Some(llmos_core::SearchInput {
                    slug: slug.as_deref()?,
                    name: name.as_deref()?,
                    description: description.as_deref().unwrap_or_default(),
                    keywords,
                    body: body.as_deref().unwrap_or_default(),
                    category: category.as_deref(),
                    kind: kind.as_deref(),
                })
            })
            .collect();
        self.0.set_user(&inputs);
    }

    /// Runs `query` (fetching the index parts it needs): resolves to the
    /// JSON of `engine::Found` — the first `limit` skills as rows with the
    /// count of all, the best docs pages unless the query filters, and with
    /// `results_page` the facet and tag chips; links start with `base`.
    pub fn find(&self, query: String, limit: usize, results_page: bool, base: String) -> js_sys::Promise {
        let engine = self.0.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let found = engine::find(&engine, &query, limit, results_page, &base).await?;
            Ok(JsValue::from_str(&serde_json::to_string(&found).unwrap_or_default()))
        })
    }
}
