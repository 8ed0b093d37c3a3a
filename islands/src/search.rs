//! The search island: type-ahead over the site's sharded search index.
//!
//! Nothing is fetched until the user shows intent (focus, typing, or a
//! `?q=` in the address); then the index's small manifest, and for each
//! query only the shards of its words and the metadata of the results
//! shown. Parts stay for the page. Ranking is `llmos_core`'s, the same code
//! as `llmos search`, and runs in the search kit (`search_kit`), which the
//! box imports with the manifest: the site bundle carries only the box.
//! Docs pages have an index of their own, shown as their own group.

#[cfg(feature = "hydrate")]
use crate::search_kit;
use leptos::prelude::*;
#[cfg(feature = "hydrate")]
use std::cell::RefCell;

const MAX_RESULTS: usize = 20;
/// How many more results "Show more" adds on the results page.
const MORE_RESULTS: usize = 50;

/// One result row, as the search kit answers it: `name` and `description`
/// as (text, is a match) segments.
#[derive(Clone, PartialEq)]
pub(crate) struct ResultRow {
    pub url: String,
    pub name: Vec<(String, bool)>,
    pub description: Vec<(String, bool)>,
    pub kind: Option<String>,
    pub category: Option<String>,
    pub user: bool,
    /// The collection it comes from, on a site that has several.
    pub source: Option<String>,
    /// The page of the site's skill this user skill takes the place of.
    pub site_url: Option<String>,
}

/// What a query found: skills (the first `shown` of `total`), docs pages,
/// and on the results page the facet and tag chips.
#[derive(Clone, PartialEq, Default)]
pub(crate) struct Found {
    pub query: String,
    pub rows: Vec<ResultRow>,
    pub total: usize,
    pub docs: Vec<ResultRow>,
    pub facets: Vec<Facet>,
    pub tags: Vec<Facet>,
}

#[derive(Clone, PartialEq)]
enum IndexState {
    NotLoaded,
    Loading,
    Ready,
    Failed(String),
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// The search kit's engine per manifest URL: a page's boxes share what
    /// they fetched.
    static ENGINES: RefCell<Vec<(String, search_kit::Engine)>> = const { RefCell::new(Vec::new()) };
}

#[cfg(feature = "hydrate")]
fn engine(url: &str) -> Option<search_kit::Engine> {
    ENGINES.with(|e| e.borrow().iter().find(|(u, _)| u == url).map(|(_, e)| e.clone()))
}

#[cfg(feature = "hydrate")]
/// Layers the user's skills, as they are now, over the site's in `engine`.
async fn layer_user_skills(engine: &search_kit::Engine) -> Result<(), String> {
    let skills = crate::store::read::skills().await.unwrap_or_default();
    engine.set_user(&skills)
}

/// A facet of the results: the filter it adds (`category:data`), its
/// label and how many results have it.
#[derive(Clone, PartialEq)]
pub(crate) struct Facet {
    pub filter: String,
    pub label: String,
    pub count: usize,
}

/// `query` with `filter` added, or removed when it is there.
fn toggle_filter(query: &str, filter: &str) -> String {
    let words: Vec<&str> = query.split_whitespace().collect();
    if words.iter().any(|w| w.eq_ignore_ascii_case(filter)) {
        words.into_iter().filter(|w| !w.eq_ignore_ascii_case(filter)).collect::<Vec<_>>().join(" ")
    } else {
        words.into_iter().chain([filter]).collect::<Vec<_>>().join(" ")
    }
}

fn render_segments(parts: Vec<(String, bool)>) -> impl IntoView {
    parts.into_iter().map(|(text, hit)| if hit { leptos::either::Either::Left(view! { <mark>{text}</mark> }) } else { leptos::either::Either::Right(text) }).collect_view()
}

/// The search box's props (`island_props`): `index_url` and `docs_url`
/// are the manifests of the sharded skills and docs indexes, links start
/// with `base`.
#[derive(Clone, serde::Serialize)]
pub struct SearchBoxData {
    pub index_url: String,
    pub docs_url: String,
    pub base: String,
    pub autofocus: bool,
}

impl crate::island_props::IslandData for SearchBoxData {
    #[cfg(feature = "hydrate")]
    fn from_js(value: &wasm_bindgen::JsValue) -> Self {
        use crate::island_props::string;
        let autofocus = crate::browser::field(value, "autofocus").as_bool().unwrap_or_default();
        SearchBoxData { index_url: string(value, "index_url"), docs_url: string(value, "docs_url"), base: string(value, "base"), autofocus }
    }
}

/// `autofocus` is the results page's box (`/search/`): every result can be
/// shown there ("Show more"), with the docs, facet and tag chips, and the
/// address keeps the query (a chip is a new history entry).
#[island]
pub fn SearchBox() -> impl IntoView {
    let SearchBoxData { index_url, docs_url, base, autofocus } = crate::island_props::props("SearchBox");
    let results_page = autofocus;
    let query = RwSignal::new(String::new());
    let shown = RwSignal::new(MAX_RESULTS);
    let state = RwSignal::new(IndexState::NotLoaded);
    let found = RwSignal::new(Found::default());
    // Bumped when the user's skills change, to search them as they are now.
    let user_version = RwSignal::new(0u32);
    let selected = RwSignal::new(0usize);
    // Moved through the results with the arrow keys: Enter opens the
    // selected one. Until then Enter searches (the results page), as in
    // common search boxes.
    let chose = RwSignal::new(false);
    // Escape closes the list, keeping the query; typing opens it again.
    let closed = RwSignal::new(false);
    let input_ref = NodeRef::<leptos::html::Input>::new();

    // Skills, then docs: what the arrow keys move through.
    let options = Memo::new(move |_| found.with(|f| f.rows.iter().chain(&f.docs).map(|r| r.url.clone()).collect::<Vec<_>>()));
    let set_query = move |q: String, push: bool| {
        query.set(q);
        shown.set(MAX_RESULTS);
        selected.set(0);
        chose.set(false);
        closed.set(false);
        // A reload or a shared link shows the same results; a chip is a step Back undoes.
        #[cfg(feature = "hydrate")]
        if results_page {
            if push {
                crate::browser::push_query_parameter("q", &query.get_untracked());
            } else {
                crate::browser::replace_query_parameter("q", &query.get_untracked());
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = push;
    };

    let index_url = StoredValue::new(index_url);
    let docs_url = StoredValue::new(docs_url);
    let base = StoredValue::new(base);
    let load = move || {
        if state.get_untracked() == IndexState::NotLoaded {
            state.set(IndexState::Loading);
            #[cfg(feature = "hydrate")]
            {
                let (url, docs_url) = (index_url.get_value(), docs_url.get_value());
                leptos::task::spawn_local(async move {
                    if engine(&url).is_none() {
                        let opened = match search_kit::open(&url, &docs_url).await {
                            Ok(opened) => opened,
                            Err(error) => return state.set(IndexState::Failed(error)),
                        };
                        if let Err(error) = layer_user_skills(&opened).await {
                            return state.set(IndexState::Failed(error));
                        }
                        ENGINES.with(|e| e.borrow_mut().push((url.clone(), opened)));
                    }
                    state.set(IndexState::Ready);
                    // The user's skills change in this tab or another.
                    crate::store::sync::on_skills_changed(move || {
                        let url = url.clone();
                        leptos::task::spawn_local(async move {
                            let Some(engine) = engine(&url) else { return };
                            if layer_user_skills(&engine).await.is_ok() {
                                user_version.update(|v| *v += 1);
                            }
                        });
                    });
                });
            }
        }
    };

    // Each query runs when typed; a newer one makes an older one's answer stale.
    #[cfg(feature = "hydrate")]
    {
        let generation = StoredValue::new(0u64);
        Effect::new(move |_| {
            let (q, limit) = (query.get(), shown.get());
            user_version.track();
            if state.get() != IndexState::Ready {
                return;
            }
            generation.update_value(|g| *g += 1);
            let mine = generation.get_value();
            let url = index_url.get_value();
            let base = base.get_value();
            leptos::task::spawn_local(async move {
                let Some(engine) = engine(&url) else { return };
                let result = if q.trim().is_empty() { Ok(Found { query: q.clone(), ..Found::default() }) } else { engine.find(&q, limit, results_page, &base).await };
                if generation.get_value() == mine {
                    match result {
                        Ok(result) => found.set(result),
                        Err(error) => state.set(IndexState::Failed(error)),
                    }
                }
            });
        });
    }

    let open = move |index: usize| {
        if let Some(url) = options.get_untracked().get(index) {
            #[cfg(feature = "hydrate")]
            crate::browser::navigate(url);
            #[cfg(not(feature = "hydrate"))]
            let _ = url;
        }
    };

    // A `?q=` in the address (the form without JavaScript, or a shared link) runs at once.
    #[cfg(feature = "hydrate")]
    {
        if let Some(q) = crate::browser::query_parameter("q").filter(|q| !q.trim().is_empty()) {
            query.set(q);
            load();
        }
        // `/` focuses the search box from anywhere on the page, as on most sites.
        let handle = window_event_listener(leptos::ev::keydown, move |event| {
            if event.key() == "/" && !crate::browser::typing_in_a_field(&event) {
                if let Some(input) = input_ref.get_untracked() {
                    event.prevent_default();
                    let _ = input.focus();
                }
            }
        });
        on_cleanup(move || handle.remove());
        // Back and Forward between chips restore that query.
        if results_page {
            let handle = window_event_listener(leptos::ev::popstate, move |_| {
                let q = crate::browser::query_parameter("q").unwrap_or_default();
                if q != query.get_untracked() {
                    set_query(q, false);
                    load();
                }
            });
            on_cleanup(move || handle.remove());
        }
    }

    let on_keydown = move |event: leptos::ev::KeyboardEvent| {
        let count = if closed.get_untracked() { 0 } else { options.with_untracked(Vec::len) };
        match event.key().as_str() {
            "ArrowDown" | "ArrowUp" if closed.get_untracked() => {
                event.prevent_default();
                closed.set(false);
            }
            "ArrowDown" if count > 0 => {
                event.prevent_default();
                // The first press selects the first result.
                selected.update(|s| *s = if chose.get_untracked() { (*s + 1) % count } else { 0 });
                chose.set(true);
            }
            "ArrowUp" if count > 0 => {
                event.prevent_default();
                selected.update(|s| *s = (*s + count - 1) % count);
                chose.set(true);
            }
            "Enter" if count > 0 && chose.get_untracked() => {
                event.prevent_default();
                open(selected.get_untracked());
            }
            // Otherwise Enter submits the form: the results page for the query.
            "Escape" => {
                // A search field's own Escape would clear the text.
                event.prevent_default();
                if count > 0 {
                    closed.set(true);
                    chose.set(false);
                } else if let Some(input) = input_ref.get_untracked() {
                    let _ = input.blur();
                }
            }
            _ => {}
        }
    };

    let status = move || {
        let q = query.get();
        match state.get() {
            _ if q.trim().is_empty() && results_page => "Type what you want to do. Narrow with type:python, category:data or tag:csv.".to_string(),
            _ if q.trim().is_empty() => String::new(),
            IndexState::Failed(error) => format!("Search is unavailable: {error}"),
            // Results of an earlier query are still shown, but not counted as this one's.
            IndexState::Ready if found.with(|f| f.query != q) => "Loading results…".to_string(),
            IndexState::Ready => found.with(|f| match (f.rows.len(), f.total) {
                (_, 0) if f.docs.is_empty() => format!("No skill matches “{}”.", q.trim()),
                (_, 0) => "No skill matches; see the docs below.".to_string(),
                (_, 1) => "1 skill".to_string(),
                (n, total) if n < total => format!("{n} of {total} skills"),
                (n, _) => format!("{n} skills"),
            }),
            _ => "Loading the index…".to_string(),
        }
    };

    let chips = move |list: Vec<Facet>, class: &'static str, label: &'static str| {
        (!list.is_empty()).then(|| {
            view! {
                <div class=class role="group" aria-label=label>
                    {list.into_iter().map(|facet| {
                        let on = query.with(|q| q.split_whitespace().any(|w| w.eq_ignore_ascii_case(&facet.filter)));
                        let filter = facet.filter.clone();
                        view! {
                            <button type="button" class="pill facet" aria-pressed=on.to_string() on:click=move |_| set_query(toggle_filter(&query.get_untracked(), &filter), true)>
                                {format!("{} ({})", facet.label, facet.count)}
                            </button>
                        }
                    }).collect_view()}
                </div>
            }
        })
    };
    // Skills and docs are options of one list box: ids run on from the skills into the docs.
    let row_view = move |i: usize, row: ResultRow| {
        let is_selected = move || chose.get() && selected.get() == i;
        view! {
            <li id=format!("search-result-{i}") role="option" aria-selected=move || is_selected().to_string() class:selected=is_selected on:mouseenter=move |_| { selected.set(i); chose.set(true); }>
                <a href=row.url.clone()>
                    <span class="result-name">{render_segments(row.name)}</span>
                    {row.user.then(|| view! { <span class="badge yours">"yours"</span> })}
                    {row.kind.map(|k| view! { <span class="badge run">{k}</span> })}
                    {row.category.map(|c| view! { <span class="pill">{c}</span> })}
                    <span class="result-description">{render_segments(row.description)}</span>
                    {row.source.map(|source| view! { <span class="result-source muted">"from " {source}</span> })}
                </a>
                {row.site_url.map(|url| view! {
                    <p class="shadow-note">"Replaces the site's skill of this name for you: " <a href=url>"see the site's version"</a></p>
                })}
            </li>
        }
    };

    // The docs pages are searched too, shown as their own group.
    let what = "Search skills and docs";
    view! {
        <form class="search-box" role="search" action=format!("{}search/", base.get_value()) method="get" on:submit=move |e| { if chose.get_untracked() && !closed.get_untracked() && !options.with_untracked(Vec::is_empty) { e.prevent_default(); open(selected.get_untracked()); } }>
            <label class="visually-hidden" for="search-input">{what}</label>
            <input
                id="search-input"
                node_ref=input_ref
                type="search"
                name="q"
                autocomplete="off"
                spellcheck="false"
                placeholder=format!("{what}…")
                aria-keyshortcuts="/"
                role="combobox"
                aria-controls="search-results"
                aria-autocomplete="list"
                aria-expanded=move || (!closed.get() && !options.with(Vec::is_empty)).to_string()
                aria-activedescendant=move || if closed.get() || !chose.get() || options.with(Vec::is_empty) { String::new() } else { format!("search-result-{}", selected.get()) }
                autofocus=autofocus
                prop:value=move || query.get()
                on:focus=move |_| load()
                on:input=move |e| { set_query(event_target_value(&e), false); load(); }
                on:keydown=on_keydown
            />
            // Shown only where there is a keyboard (see the stylesheet).
            <kbd class="search-key" title="Press / to search from anywhere on the page">"/"</kbd>
            <button type="submit">"Search"</button>
        </form>
        <p class="search-status" role="status" aria-live="polite">{status}</p>
        {move || results_page.then(|| chips(found.with(|f| f.facets.clone()), "search-facets", "Narrow the results"))}
        {move || results_page.then(|| chips(found.with(|f| f.tags.clone()), "search-tags", "Tags of these results"))}
        <ul id="search-results" class="search-results" role="listbox" aria-label="Skills">
            {move || (!closed.get()).then(|| found.with(|f| f.rows.clone())).unwrap_or_default().into_iter().enumerate().map(|(i, row)| row_view(i, row)).collect_view()}
        </ul>
        // Hidden rather than removed while there is nothing more, so the button
        // keeps the keyboard's focus as each press adds results.
        <button type="button" class="search-more" hidden=move || !(results_page && found.with(|f| f.rows.len() < f.total) && !closed.get())
            on:click=move |_| shown.update(|n| *n += MORE_RESULTS)>"Show more"</button>
        {move || {
            let (skills, docs) = found.with(|f| (f.rows.len(), f.docs.clone()));
            (!closed.get() && !docs.is_empty()).then(|| view! {
                <p class="search-group" id="search-docs-heading">"Docs"</p>
                <ul id="search-docs" class="search-results search-docs" role="listbox" aria-labelledby="search-docs-heading">
                    {docs.into_iter().enumerate().map(|(j, row)| row_view(skills + j, row)).collect_view()}
                </ul>
            })
        }}
    }
}
