//! The site's search index in the browser, and the user's skills layered
//! over it: what the search box ranks, and what the chat offers the model.

use crate::browser;
use llmos_core::SearchIndex;

/// The site's search index. The browser caches it, so callers may fetch
/// it again rather than share it.
pub async fn fetch_index(url: &str) -> Result<SearchIndex, String> {
    let text = browser::fetch_text(url).await.map_err(|e| e.replace(url, "the index"))?;
    let index: SearchIndex = serde_json::from_str(&text).map_err(|e| format!("the index is damaged ({e})"))?;
    if index.version != llmos_core::SEARCH_VERSION {
        return Err(format!("the index has version {}, this page reads {}", index.version, llmos_core::SEARCH_VERSION));
    }
    Ok(index)
}

/// The site's index with the user's own skills layered on top (the same
/// ranking, and a user skill shadows a site skill of the same name).
pub async fn with_user_skills(site: &SearchIndex) -> SearchIndex {
    use crate::store::SkillStore;
    let Ok(store) = crate::store::shared().await else { return site.clone() };
    let skills = store.skills().await.unwrap_or_default();
    let inputs: Vec<llmos_core::SearchInput> = skills.iter().filter_map(|s| Some(s.fields.as_ref()?.search_input(&s.name))).collect();
    site.layered(&inputs)
}

/// The slugs of the site's own skills, read from the same index without
/// the search data: the workbench only needs to know which names the site
/// uses. The browser's JSON parser reads it, so the workbench bundle
/// carries neither the index's reader nor a JSON deserialiser.
pub async fn site_skill_slugs(url: &str) -> Result<Vec<String>, String> {
    let text = browser::fetch_text(url).await.map_err(|e| e.replace(url, "the index"))?;
    let index = js_sys::JSON::parse(&text).map_err(|e| format!("the index is damaged ({})", browser::js_error(e)))?;
    let version = browser::field(&index, "version").as_f64().unwrap_or_default();
    if version != f64::from(llmos_core::SEARCH_VERSION) {
        return Err(format!("the index has version {version}, this page reads {}", llmos_core::SEARCH_VERSION));
    }
    Ok(js_sys::Array::from(&browser::field(&index, "docs")).iter().filter_map(|doc| browser::field(&doc, "slug").as_string()).collect())
}

/// A sharded search index (`llmos_core::ShardedIndex`) in the browser: its
/// manifest, and the parts fetched so far, kept for the page's lifetime.
pub struct Shards {
    pub index: llmos_core::ShardedIndex,
    /// Where its files are (`…/index/search/`).
    dir: String,
    /// The manifest URL's query (`?v=…`), carried by every part.
    version: String,
}

impl Shards {
    /// Fetches the manifest at `manifest_url`.
    pub async fn open(manifest_url: &str) -> Result<Shards, String> {
        let bytes = browser::fetch_bytes(manifest_url).await.map_err(|e| e.replace(manifest_url, "the index"))?;
        let index = llmos_core::ShardedIndex::from_manifest(&bytes)?;
        let (path, version) = manifest_url.split_once('?').map_or((manifest_url, String::new()), |(p, v)| (p, format!("?{v}")));
        let dir = path.rsplit_once('/').map_or(String::new(), |(dir, _)| format!("{dir}/"));
        Ok(Shards { index, dir, version })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}{}", self.dir, self.version)
    }
}

/// Fetches `parts` together and adds them.
async fn fetch_parts(shards: &std::cell::RefCell<Shards>, parts: &[llmos_core::search::Part]) -> Result<(), String> {
    let urls: Vec<String> = parts.iter().map(|&p| shards.borrow().url(&llmos_core::ShardedIndex::part_path(p))).collect();
    for (part, bytes) in parts.iter().zip(browser::fetch_all_bytes(&urls).await) {
        shards.borrow_mut().index.insert(*part, &bytes?)?;
    }
    Ok(())
}

/// The User Timing measure of each ranking over a sharded index, from the
/// mark of the same name plus `-start`: its duration is the time a query
/// takes once its shards are in (milliseconds, as `performance.now()`).
pub const SEARCH_MEASURE: &str = "llmos-search";
const SEARCH_MARK: &str = "llmos-search-start";

/// The best `limit` hits for `query` over a sharded index with `user`
/// skills layered on, fetching the parts it reads first (with the facets
/// when `facets`). Never holds the index borrowed across a fetch, so
/// several searches may run at once.
pub async fn search_shards(shards: &std::cell::RefCell<Shards>, query: &str, user: Option<&SearchIndex>, limit: usize, facets: bool) -> Result<Vec<llmos_core::Hit>, String> {
    let planned = shards.borrow().index.planned(query, user, facets);
    fetch_parts(shards, &planned).await?;
    // Each round adds a part, and there are finitely many.
    loop {
        // Ranking alone, its parts fetched: a User Timing measure
        // ("llmos-search", in devtools' Performance panel), which the
        // search_shards benchmark reads.
        let performance = web_sys::window().and_then(|w| w.performance());
        let marked = performance.as_ref().is_some_and(|p| p.mark(SEARCH_MARK).is_ok());
        let ranked = shards.borrow().index.search(query, user, limit);
        if let Some(performance) = performance.filter(|_| marked) {
            let _ = performance.measure_with_start_mark(SEARCH_MEASURE, SEARCH_MARK);
            performance.clear_marks_with_mark_name(SEARCH_MARK);
        }
        match ranked {
            Ok(hits) => return Ok(hits),
            Err(part) if shards.borrow().index.has_part(part) => return Err(format!("the index lacks {part:?}")),
            Err(part) => fetch_parts(shards, &[part]).await?,
        }
    }
}

/// Fetches the result metadata of the site docs `docs` (ids below the
/// index's doc count) not fetched yet.
pub async fn fetch_results(shards: &std::cell::RefCell<Shards>, docs: &[usize]) -> Result<(), String> {
    let mut fragments: Vec<usize> = docs.iter().filter(|&&d| d < shards.borrow().index.doc_count() && shards.borrow().index.doc(d).is_none()).map(|&d| llmos_core::ShardedIndex::fragment_of(d)).collect();
    fragments.sort_unstable();
    fragments.dedup();
    let urls: Vec<String> = fragments.iter().map(|&g| shards.borrow().url(&llmos_core::ShardedIndex::fragment_path(g))).collect();
    for (g, bytes) in fragments.iter().zip(browser::fetch_all_bytes(&urls).await) {
        shards.borrow_mut().index.insert_fragment(*g, &bytes?)?;
    }
    Ok(())
}

/// The user's own skills as an index of their own, in `language`, to layer
/// over a sharded site index (`ShardedIndex::search`).
pub async fn user_index(language: llmos_core::Language) -> SearchIndex {
    use crate::store::SkillStore;
    let Ok(store) = crate::store::shared().await else { return SearchIndex::build_in(&[], language) };
    let skills = store.skills().await.unwrap_or_default();
    let inputs: Vec<llmos_core::SearchInput> = skills.iter().filter_map(|s| Some(s.fields.as_ref()?.search_input(&s.name))).collect();
    SearchIndex::build_in(&inputs, language)
}
