//! The site's whole search index (`search.json`) in the browser, and the
//! user's skills layered over it: what the chat offers the model. The
//! search box ranks the sharded index in the search kit (`search_kit`).

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
