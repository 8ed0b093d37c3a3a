//! "Customise" (`my/edit/?customise=<name>`): a copy of one of the site's
//! skills, its SKILL.md and every bundled file byte for byte, saved as the
//! user's own skill of the same name, which then takes the site's place in
//! their catalogue, search and chats. A skill the user already has is never
//! overwritten: the editor opens theirs.

use crate::browser;
use crate::store::{self, sync, SkillStore};
use crate::user_skills::{self, SkillFile, UserSkill, SKILL_MD};

/// What a copy needs of a skill in the site's index (`index/skills.json`).
/// The browser's JSON parser reads the index, and only these fields are
/// taken from it: a derived reader of the index would weigh on the bundle.
struct Entry {
    /// The published SKILL.md.
    source_url: String,
    /// Each bundled file: its path in the skill folder, and where the site
    /// publishes it (perhaps with `.txt` appended).
    files: Vec<(String, String)>,
}

/// The entry of `index` (the parsed skill index) whose name is `wanted`,
/// or whose page is `…/skills/<wanted>/`.
fn find_entry(index: &wasm_bindgen::JsValue, wanted: &str) -> Option<Entry> {
    use browser::field;
    let text = |value: &wasm_bindgen::JsValue, key: &str| field(value, key).as_string().unwrap_or_default();
    let page = format!("skills/{}/", llmos_core::slug::url_segment(wanted));
    let skills = js_sys::Array::from(&field(index, "skills"));
    let entry = skills.iter().find(|s| text(s, "name") == wanted || text(s, "url").ends_with(&page))?;
    let files = js_sys::Array::from(&field(&entry, "files")).iter().map(|f| (text(&f, "path"), text(&f, "url"))).collect();
    Some(Entry { source_url: text(&entry, "source_url"), files })
}

/// How a customise request ended.
pub enum Copied {
    /// Copied now, under this key.
    New(String),
    /// The user already has a skill under this key: it was left as it is.
    Existing(String),
}

/// The skill index beside the search index the page was given
/// (`…/index/search.json?v=…` → `…/index/skills.json`).
fn skills_json_url(index_url: &str) -> String {
    let path = index_url.split(['?', '#']).next().unwrap_or_default();
    match path.rfind('/') {
        Some(end) => format!("{}skills.json", &path[..=end]),
        None => "skills.json".to_string(),
    }
}

/// Copies the site's skill `wanted` (its name or its page's slug) into the
/// user's skills, with what the safety review found in it.
pub async fn copy(wanted: &str, index_url: &str) -> Result<(Copied, Vec<user_skills::ReviewNote>), String> {
    let url = skills_json_url(index_url);
    let text = browser::fetch_text(&url).await.map_err(|e| format!("Could not read the site's skill index: {}", e.replace(&url, "the index")))?;
    let index = js_sys::JSON::parse(&text).map_err(|_| "The site's skill index is damaged.".to_string())?;
    let entry = find_entry(&index, wanted).ok_or_else(|| format!("This site has no skill named {wanted} to customise."))?;
    let failed = |e: String| format!("Could not copy {wanted}: {e}. Nothing was saved.");
    let skill_md = browser::fetch_bytes(&entry.source_url).await.map_err(failed)?;
    let paths: Vec<String> = entry.files.iter().map(|(path, _)| path.clone()).collect();
    let text = String::from_utf8_lossy(&skill_md);
    let (skill, _) = user_skills::check(&text, &paths).map_err(|e| failed(user_skills::in_browser_terms(&e)))?;
    let store = store::shared().await.map_err(|e| e.to_string())?;
    let key = skill.slug;
    if store.skill(&key).await.map_err(|e| e.to_string())?.is_some() {
        return Ok((Copied::Existing(key), Vec::new()));
    }
    let mut files = vec![SkillFile { path: SKILL_MD.into(), data: skill_md }];
    for (path, url) in entry.files {
        files.push(SkillFile { path, data: browser::fetch_bytes(&url).await.map_err(failed)? });
    }
    let record = UserSkill::new(key.clone(), files, browser::now());
    let review = user_skills::safety_review(&record);
    store.save(&[record], &[]).await.map_err(|e| failed(e.to_string()))?;
    sync::announce_skills_changed();
    Ok((Copied::New(key), review))
}
