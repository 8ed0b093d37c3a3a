//! What a search box runs: the site's sharded indexes (skills and docs),
//! fetched part by part, with the user's own skills layered on, and the
//! rows, facets and tag chips of a query's results. Moved here from the
//! site bundle (issue 14); the ranking is `llmos_core`'s, the same code as
//! `llmos search`.

use llmos_core::search::rank::{FacetField, Source};
use llmos_core::{highlight_ranges, SearchDoc, SearchIndex, SearchInput};
use serde::Serialize;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Docs shown in the dropdown, and on the results page.
const DROPDOWN_DOCS: usize = 3;
const PAGE_DOCS: usize = 8;
/// Tag chips shown on the results page, most frequent first.
const TAG_CHIPS: usize = 12;

/// One result row, as the search box shows it. `name` and `description`
/// are (text, is a match) segments.
#[derive(Serialize)]
pub struct ResultRow {
    url: String,
    name: Vec<(String, bool)>,
    description: Vec<(String, bool)>,
    kind: Option<String>,
    category: Option<String>,
    user: bool,
    /// The collection it comes from, on a site that has several.
    source: Option<String>,
    /// The page of the site's skill this user skill takes the place of.
    site_url: Option<String>,
}

/// What a query found: skills (the first rows of `total`), docs pages, and
/// on the results page the facet and tag chips.
#[derive(Serialize, Default)]
pub struct Found {
    rows: Vec<ResultRow>,
    total: usize,
    docs: Vec<ResultRow>,
    facets: Vec<Facet>,
    tags: Vec<Facet>,
}

/// A chip: the filter it adds (`category:data`), its label and how many
/// results have it.
#[derive(Serialize)]
pub struct Facet {
    filter: String,
    label: String,
    count: usize,
}

/// A sharded search index (`llmos_core::ShardedIndex`): its manifest, and
/// the parts fetched so far, kept for the page's lifetime.
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
        let bytes = fetch_bytes(manifest_url).await.map_err(|e| e.replace(manifest_url, "the index"))?;
        let index = llmos_core::ShardedIndex::from_manifest(&bytes)?;
        let (path, version) = manifest_url.split_once('?').map_or((manifest_url, String::new()), |(p, v)| (p, format!("?{v}")));
        let dir = path.rsplit_once('/').map_or(String::new(), |(dir, _)| format!("{dir}/"));
        Ok(Shards { index, dir, version })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}{}", self.dir, self.version)
    }
}

/// The indexes of one search box: skills, docs and the user's skills.
pub struct Engine {
    pub skills: RefCell<Shards>,
    pub docs: RefCell<Shards>,
    pub user: RefCell<std::rc::Rc<SearchIndex>>,
}

impl Engine {
    /// The user's skills (name, slug and fields) as the index layered over
    /// the site's, in the site index's language.
    pub fn set_user(&self, skills: &[SearchInput]) {
        let language = self.skills.borrow().index.language;
        *self.user.borrow_mut() = std::rc::Rc::new(SearchIndex::build_in(skills, language));
    }
}

/// The bytes at `url`.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    fetch_all_bytes(&[url.to_string()]).await.pop().unwrap_or_else(|| Err("no answer".into()))
}

/// The bytes at each of `urls`, fetched together: every request starts
/// before the first answer is awaited.
async fn fetch_all_bytes(urls: &[String]) -> Vec<Result<Vec<u8>, String>> {
    let Some(window) = web_sys::window() else { return urls.iter().map(|_| Err("no window".to_string())).collect() };
    let started: Vec<JsFuture> = urls.iter().map(|url| JsFuture::from(window.fetch_with_str(url))).collect();
    let mut out = Vec::with_capacity(urls.len());
    for (url, response) in urls.iter().zip(started) {
        out.push(
            async {
                let response: web_sys::Response = response.await.map_err(js_error)?.dyn_into().map_err(js_error)?;
                if !response.ok() {
                    return Err(format!("{url} answered HTTP {}", response.status()));
                }
                let buffer = JsFuture::from(response.array_buffer().map_err(js_error)?).await.map_err(js_error)?;
                Ok(js_sys::Uint8Array::new(&buffer).to_vec())
            }
            .await,
        );
    }
    out
}

/// A JavaScript error's message.
fn js_error(error: wasm_bindgen::JsValue) -> String {
    error.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| error.as_string()).unwrap_or_else(|| "unknown error".to_string())
}

/// Fetches `parts` together and adds them.
async fn fetch_parts(shards: &RefCell<Shards>, parts: &[llmos_core::search::Part]) -> Result<(), String> {
    let urls: Vec<String> = parts.iter().map(|&p| shards.borrow().url(&llmos_core::ShardedIndex::part_path(p))).collect();
    for (part, bytes) in parts.iter().zip(fetch_all_bytes(&urls).await) {
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
async fn search_shards(shards: &RefCell<Shards>, query: &str, user: Option<&SearchIndex>, limit: usize, facets: bool) -> Result<Vec<llmos_core::Hit>, String> {
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
            Err(part) if shards.borrow().index.has_part(part) => return Err(format!("the index lacks its part {}", llmos_core::ShardedIndex::part_path(part))),
            Err(part) => fetch_parts(shards, &[part]).await?,
        }
    }
}

/// Fetches the result metadata of the site docs `docs` (ids below the
/// index's doc count) not fetched yet.
async fn fetch_results(shards: &RefCell<Shards>, docs: &[usize]) -> Result<(), String> {
    let mut fragments: Vec<usize> =
        docs.iter().filter(|&&d| d < shards.borrow().index.doc_count() && shards.borrow().index.doc(d).is_none()).map(|&d| llmos_core::ShardedIndex::fragment_of(d)).collect();
    fragments.sort_unstable();
    fragments.dedup();
    let urls: Vec<String> = fragments.iter().map(|&g| shards.borrow().url(&llmos_core::ShardedIndex::fragment_path(g))).collect();
    for (g, bytes) in fragments.iter().zip(fetch_all_bytes(&urls).await) {
        shards.borrow_mut().index.insert_fragment(*g, &bytes?)?;
    }
    Ok(())
}

/// The types, categories and sources (when the site has several) of all the
/// results, most frequent first, as filters the query understands.
fn facets(values: impl Iterator<Item = [Option<String>; 3]>) -> Vec<Facet> {
    let fold = |s: &str| s.trim().to_lowercase().replace([' ', '_'], "-");
    // (field order, facet); a handful of values, so a list does.
    let mut facets: Vec<(u8, Facet)> = Vec::new();
    for [kind, category, source] in values {
        let fields = [(0, "type", kind.map(|k| (fold(&k), k))), (1, "category", category.map(|c| (fold(&c), c))), (2, "source", source.map(|s| (llmos_core::slugify(&s), s)))];
        for (order, key, value) in fields {
            let Some((value, label)) = value.filter(|(v, _)| !v.is_empty()) else { continue };
            count_chip(&mut facets, order, format!("{key}:{value}"), format!("{key}: {label}"));
        }
    }
    facets.sort_unstable_by_key(|(order, facet)| (*order, usize::MAX - facet.count));
    facets.into_iter().map(|(_, facet)| facet).collect()
}

fn count_chip(chips: &mut Vec<(u8, Facet)>, order: u8, filter: String, label: String) {
    match chips.iter_mut().find(|(_, f)| f.filter == filter) {
        Some((_, facet)) => facet.count += 1,
        None => chips.push((order, Facet { filter, label, count: 1 })),
    }
}

/// Tags of the results shown, most frequent first, as `tag:` filters (a
/// tag with a space cannot be typed as one, so it has no chip).
fn tag_chips<'a>(docs: impl Iterator<Item = &'a SearchDoc>) -> Vec<Facet> {
    let mut chips: Vec<(u8, Facet)> = Vec::new();
    for doc in docs {
        for tag in doc.tags.iter().filter(|t| !t.is_empty() && !t.contains(char::is_whitespace) && !t.contains(':')) {
            count_chip(&mut chips, 0, format!("tag:{}", tag.to_lowercase()), format!("#{tag}"));
        }
    }
    chips.sort_by_key(|(_, chip)| usize::MAX - chip.count);
    chips.into_iter().take(TAG_CHIPS).map(|(_, chip)| chip).collect()
}

/// Splits `text` into (segment, is_match) for the query's highlights.
fn segments(text: &str, query: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut last = 0;
    for (start, end) in highlight_ranges(text, query) {
        if start > last {
            out.push((text[last..start].to_string(), false));
        }
        out.push((text[start..end].to_string(), true));
        last = end;
    }
    if last < text.len() {
        out.push((text[last..].to_string(), false));
    }
    out
}

/// The page of the user's skill stored under `key` (as the islands'
/// `skill_links::view_url` writes it).
fn user_skill_url(base: &str, key: &str) -> String {
    format!("{base}my/skill/?name={}", llmos_core::slug::percent_encode(key, b"-_.~"))
}

/// One result row of `doc`; `user` for the user's own skills.
fn row(doc: &SearchDoc, user: bool, shadows: bool, query: &str, base: &str) -> ResultRow {
    ResultRow {
        url: if user { user_skill_url(base, &doc.slug) } else { format!("{base}skills/{}/", doc.slug) },
        name: segments(&doc.name, query),
        description: segments(&doc.description, query),
        kind: doc.kind.clone(),
        category: doc.category.clone(),
        user,
        source: doc.source.clone(),
        site_url: (user && shadows).then(|| format!("{base}skills/{}/", doc.slug)),
    }
}

/// Runs `query`: the first `limit` skills (with the count of all), the
/// best docs pages unless the query filters, and on the results page the
/// facet and tag chips.
pub async fn find(engine: &Engine, query: &str, limit: usize, results_page: bool, base: &str) -> Result<Found, String> {
    if query.trim().is_empty() {
        return Ok(Found::default());
    }
    let user = engine.user.borrow().clone();
    let hits = search_shards(&engine.skills, query, Some(&user), usize::MAX, results_page).await?;
    let site_docs = engine.skills.borrow().index.doc_count();
    let shown: Vec<usize> = hits.iter().take(limit).map(|h| h.doc).collect();
    fetch_results(&engine.skills, &shown).await?;
    let mut found = {
        let skills = engine.skills.borrow();
        let card = |doc: usize| if doc < site_docs { skills.index.doc(doc) } else { user.docs.get(doc - site_docs) };
        let rows = shown
            .iter()
            .filter_map(|&doc| {
                let card = card(doc)?;
                let mine = doc >= site_docs;
                let shadows = mine && skills.index.slug_doc(&card.slug).ok().flatten().is_some();
                Some(row(card, mine, shadows, query, base))
            })
            .collect();
        let (facets, tags) = if results_page {
            let values = hits.iter().map(|hit| match hit.doc.checked_sub(site_docs) {
                Some(i) => [user.docs[i].kind.clone(), user.docs[i].category.clone(), user.docs[i].source.clone()],
                None => [FacetField::Type, FacetField::Category, FacetField::Source].map(|f| skills.index.facet_of(hit.doc, f).ok().flatten().map(str::to_string)),
            });
            (facets(values), tag_chips(shown.iter().filter_map(|&doc| card(doc))))
        } else {
            (Vec::new(), Vec::new())
        };
        Found { rows, total: hits.len(), docs: Vec::new(), facets, tags }
    };
    if llmos_core::search::query::parse(query).filters.is_empty() {
        let limit = if results_page { PAGE_DOCS } else { DROPDOWN_DOCS };
        let docs: Vec<usize> = search_shards(&engine.docs, query, None, limit, false).await?.into_iter().map(|h| h.doc).collect();
        fetch_results(&engine.docs, &docs).await?;
        let pages = engine.docs.borrow();
        found.docs = docs.iter().filter_map(|&doc| pages.index.doc(doc)).map(|doc| ResultRow { url: format!("{base}docs/{}/", doc.slug), ..row(doc, false, false, query, base) }).collect();
    }
    Ok(found)
}
