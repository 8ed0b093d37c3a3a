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
//! Built twice: with `box` for the search box (the sharded index, `Search`),
//! with `chat` for the chat (the whole `search.json` and the skills a
//! message is offered, `Skills`), so neither page fetches the other's code.
//!
//! Values cross as plain JS values: the user's skills as an array of
//! objects, a query's results as JSON text (`engine::Found`).

#[cfg_attr(not(feature = "box"), allow(dead_code))]
mod engine;

#[cfg(feature = "box")]
use engine::{Engine, Shards};
#[cfg(any(feature = "box", feature = "chat"))]
use std::cell::RefCell;
#[cfg(feature = "box")]
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The engine of one search box: the site's skills and docs indexes, with
/// the user's skills layered on.
#[cfg(feature = "box")]
#[wasm_bindgen]
pub struct Search(Rc<Engine>);

/// Opens the sharded indexes whose manifests are at `skills_url` and
/// `docs_url` (fetching the two manifests only); rejects with a message
/// naming what failed.
#[cfg(feature = "box")]
#[wasm_bindgen]
pub async fn open(skills_url: String, docs_url: String) -> Result<Search, String> {
    let (skills, docs) = (Shards::open(&skills_url).await?, Shards::open(&docs_url).await?);
    let language = skills.index.language;
    let user = llmos_core::SearchIndex::build_in(&[], language);
    Ok(Search(Rc::new(Engine { skills: RefCell::new(skills), docs: RefCell::new(docs), user: RefCell::new(Rc::new(user)) })))
}

#[cfg(feature = "box")]
#[wasm_bindgen]
impl Search {
    /// Layers the user's own skills over the site's: an array of objects
    /// `{slug, name, description, keywords: [string], body, category, type}`
    /// (`category` and `type` may be null). Replaces the previous ones.
    pub fn set_user(&self, skills: js_sys::Array) {
        let owned = UserSkills::read(&skills);
        self.0.set_user(&owned.inputs());
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

/// The site's whole search index (`index/search.json`) with the user's
/// skills layered on: what the chat ranks a message against to offer
/// skills (`llmos_core::llm::offer_skills`), the same ranking as the box.
#[cfg(feature = "chat")]
#[wasm_bindgen]
pub struct Skills {
    site: llmos_core::SearchIndex,
    layered: RefCell<llmos_core::SearchIndex>,
}

/// Fetches and reads the whole index at `url`; rejects with a message
/// naming what failed (the fetch, damaged JSON, another version).
#[cfg(feature = "chat")]
#[wasm_bindgen]
pub async fn open_skills(url: String) -> Result<Skills, String> {
    let bytes = engine::fetch_bytes(&url).await.map_err(|e| e.replace(&url, "the index"))?;
    let site: llmos_core::SearchIndex = serde_json::from_slice(&bytes).map_err(|e| format!("the index is damaged ({e})"))?;
    if site.version != llmos_core::SEARCH_VERSION {
        return Err(format!("the index has version {}, this page reads {}", site.version, llmos_core::SEARCH_VERSION));
    }
    let layered = RefCell::new(site.clone());
    Ok(Skills { site, layered })
}

#[cfg(feature = "chat")]
#[wasm_bindgen]
impl Skills {
    /// Layers the user's own skills over the site's (as `Search::set_user`
    /// takes them); a user skill shadows a site skill of the same name.
    pub fn set_user(&self, skills: js_sys::Array) {
        let owned = UserSkills::read(&skills);
        *self.layered.borrow_mut() = self.site.layered(&owned.inputs());
    }

    /// The `limit` skills most relevant to `message`, best first, as JSON:
    /// `[{name, slug, description, user}]`.
    pub fn offer(&self, message: &str, limit: usize) -> String {
        let offered = llmos_core::llm::offer_skills(&self.layered.borrow(), message, limit);
        let list: Vec<serde_json::Value> = offered.iter().map(|o| serde_json::json!({ "name": o.name, "slug": o.slug, "description": o.description, "user": o.user })).collect();
        serde_json::Value::Array(list).to_string()
    }

    /// Every skill, the user's included, as JSON: `[{name, slug, user, type}]`.
    pub fn docs(&self) -> String {
        let list: Vec<serde_json::Value> = self.layered.borrow().docs.iter().map(|d| serde_json::json!({ "name": d.name, "slug": d.slug, "user": d.user, "type": d.kind })).collect();
        serde_json::Value::Array(list).to_string()
    }
}

/// The user's skills as plain objects read into owned fields.
#[cfg_attr(not(any(feature = "box", feature = "chat")), allow(dead_code))]
struct UserSkills {
    fields: Vec<[Option<String>; 6]>,
    keywords: Vec<Vec<String>>,
}

#[cfg_attr(not(any(feature = "box", feature = "chat")), allow(dead_code))]
impl UserSkills {
    fn read(skills: &js_sys::Array) -> UserSkills {
        let text = |value: &JsValue, key: &str| js_sys::Reflect::get(value, &JsValue::from_str(key)).ok().and_then(|v| v.as_string());
        let fields = skills.iter().map(|s| ["slug", "name", "description", "body", "category", "type"].map(|key| text(&s, key))).collect();
        let keywords = skills
            .iter()
            .map(|s| {
                js_sys::Reflect::get(&s, &JsValue::from_str("keywords"))
                    .ok()
                    .filter(|k| k.is_array())
                    .map(|k| js_sys::Array::from(&k).iter().filter_map(|k| k.as_string()).collect())
                    .unwrap_or_default()
            })
            .collect();
        UserSkills { fields, keywords }
    }

    fn inputs(&self) -> Vec<llmos_core::SearchInput<'_>> {
        self.fields
            .iter()
            .zip(&self.keywords)
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
            .collect()
    }
}
