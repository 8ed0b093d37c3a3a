//! The search island: type-ahead over the site's search index.
//!
//! The index is fetched only when the user shows intent (focus, typing, or
//! a `?q=` in the address), so visitors who never search download nothing
//! beyond the bundle. Ranking is `llmos_core::SearchIndex`, the same code
//! as `llmos search`.

use leptos::prelude::*;
use llmos_core::{highlight_ranges, SearchIndex};
use std::collections::HashSet;
use std::sync::Arc;

const MAX_RESULTS: usize = 20;
/// How many more results "Show more" adds on the results page.
const MORE_RESULTS: usize = 50;

#[derive(Clone, PartialEq)]
struct ResultRow {
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

/// What is searched: the site's index with the user's skills layered on,
/// and the slugs of the site's skills that the user's take the place of
/// (they are not in the index, so the results say so).
#[derive(PartialEq)]
struct Searched {
    index: SearchIndex,
    shadowed: HashSet<String>,
}

#[derive(Clone, PartialEq)]
enum IndexState {
    NotLoaded,
    Loading,
    Ready(Arc<Searched>),
    Failed(String),
}

/// A facet of the results: the filter it adds (`category:data`), its
/// label and how many results have it.
#[derive(Clone, PartialEq)]
struct Facet {
    filter: String,
    label: String,
    count: usize,
}

/// The types, categories and sources (when the site has several) of all the
/// results, most frequent first, as filters the query understands.
fn facets(index: &SearchIndex, query: &str) -> Vec<Facet> {
    let fold = |s: &str| s.trim().to_lowercase().replace([' ', '_'], "-");
    // (field order, facet); a handful of values, so a list does.
    let mut facets: Vec<(u8, Facet)> = Vec::new();
    for hit in index.search(query, usize::MAX) {
        let doc = &index.docs[hit.doc];
        let fields = [(0, "type", doc.kind.as_deref().map(|k| (fold(k), k))), (1, "category", doc.category.as_deref().map(|c| (fold(c), c))), (2, "source", doc.source.as_deref().map(|s| (llmos_core::slugify(s), s)))];
        for (order, key, value) in fields {
            let Some((value, label)) = value.filter(|(v, _)| !v.is_empty()) else { continue };
            let filter = format!("{key}:{value}");
            match facets.iter_mut().find(|(_, f)| f.filter == filter) {
                Some((_, facet)) => facet.count += 1,
                None => facets.push((order, Facet { filter, label: format!("{key}: {label}"), count: 1 })),
            }
        }
    }
    facets.sort_unstable_by_key(|(order, facet)| (*order, usize::MAX - facet.count));
    facets.into_iter().map(|(_, facet)| facet).collect()
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

fn render_segments(parts: Vec<(String, bool)>) -> impl IntoView {
    parts.into_iter().map(|(text, hit)| if hit { view! { <mark>{text}</mark> }.into_any() } else { text.into_any() }).collect_view()
}

/// `autofocus` is the results page's box (`/search/`): every result can be
/// shown there ("Show more"), and the address keeps the query.
#[island]
pub fn SearchBox(index_url: String, base: String, autofocus: bool) -> impl IntoView {
    let results_page = autofocus;
    let query = RwSignal::new(String::new());
    let shown = RwSignal::new(MAX_RESULTS);
    let state = RwSignal::new(IndexState::NotLoaded);
    let selected = RwSignal::new(0usize);
    // Moved through the results with the arrow keys: Enter opens the
    // selected one. Until then Enter searches (the results page), as in
    // common search boxes.
    let chose = RwSignal::new(false);
    // Escape closes the list, keeping the query; typing opens it again.
    let closed = RwSignal::new(false);
    let input_ref = NodeRef::<leptos::html::Input>::new();

    let results = {
        let base = base.clone();
        Memo::new(move |_| {
            let q = query.get();
            match state.get() {
                IndexState::Ready(searched) if !q.trim().is_empty() => {
                    searched
                        .index
                        .search(&q, shown.get())
                        .into_iter()
                        .map(|hit| {
                            let doc = &searched.index.docs[hit.doc];
                            let description = &doc.description;
                            ResultRow {
                                url: if doc.user { crate::skill_links::view_url(&base, &doc.slug) } else { format!("{base}skills/{}/", doc.slug) },
                                name: segments(&doc.name, &q),
                                description: segments(description, &q),
                                kind: doc.kind.clone(),
                                category: doc.category.clone(),
                                user: doc.user,
                                source: doc.source.clone(),
                                site_url: (doc.user && searched.shadowed.contains(&doc.slug)).then(|| format!("{base}skills/{}/", doc.slug)),
                            }
                        })
                        .collect::<Vec<_>>()
                }
                _ => Vec::new(),
            }
        })
    };

    let facets = Memo::new(move |_| match state.get() {
        IndexState::Ready(searched) if results_page && !query.with(|q| q.trim().is_empty()) => facets(&searched.index, &query.get()),
        _ => Vec::new(),
    });
    let set_query = move |q: String| {
        query.set(q);
        shown.set(MAX_RESULTS);
        selected.set(0);
        chose.set(false);
        closed.set(false);
        // A reload or a shared link shows the same results.
        #[cfg(feature = "hydrate")]
        if results_page {
            crate::browser::replace_query_parameter("q", &query.get_untracked());
        }
    };

    let index_url = StoredValue::new(index_url);
    let load = {
        move || {
            if state.get_untracked() == IndexState::NotLoaded {
                state.set(IndexState::Loading);
                #[cfg(feature = "hydrate")]
                {
                    let url = index_url.get_value();
                    let refresh = move || {
                        let url = url.clone();
                        leptos::task::spawn_local(async move {
                            state.set(match crate::site_index::fetch_index(&url).await {
                                Ok(site) => {
                                    let index = crate::site_index::with_user_skills(&site).await;
                                    let site_slugs: HashSet<&str> = site.docs.iter().map(|d| d.slug.as_str()).collect();
                                    let shadowed = index.docs.iter().filter(|d| d.user && site_slugs.contains(d.slug.as_str())).map(|d| d.slug.clone()).collect();
                                    IndexState::Ready(Arc::new(Searched { index, shadowed }))
                                }
                                Err(error) => IndexState::Failed(error),
                            });
                        });
                    };
                    refresh();
                    // The user's skills change in this tab or another: search them as they are now.
                    crate::store::sync::on_skills_changed(refresh);
                }
            }
        }
    };

    let open = move |index: usize| {
        if let Some(row) = results.get_untracked().get(index) {
            #[cfg(feature = "hydrate")]
            crate::browser::navigate(&row.url);
            #[cfg(not(feature = "hydrate"))]
            let _ = row;
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
    }

    let on_keydown = move |event: leptos::ev::KeyboardEvent| {
        let count = if closed.get_untracked() { 0 } else { results.get_untracked().len() };
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
            _ if q.trim().is_empty() => String::new(),
            IndexState::Failed(error) => format!("Search is unavailable: {error}"),
            IndexState::Ready(_) => match results.with(Vec::len) {
                0 => format!("No skill matches “{}”.", q.trim()),
                1 => "1 skill".to_string(),
                n if n == shown.get() => format!("{n} skills (best matches)"),
                n => format!("{n} skills"),
            },
            _ => "Loading the index…".to_string(),
        }
    };

    view! {
        <form class="search-box" role="search" action=format!("{base}search/") method="get" on:submit=move |e| { if chose.get_untracked() && !closed.get_untracked() && !results.get_untracked().is_empty() { e.prevent_default(); open(selected.get_untracked()); } }>
            <label class="visually-hidden" for="search-input">"Search skills"</label>
            <input
                id="search-input"
                node_ref=input_ref
                type="search"
                name="q"
                autocomplete="off"
                spellcheck="false"
                placeholder="Search skills…"
                aria-keyshortcuts="/"
                role="combobox"
                aria-controls="search-results"
                aria-autocomplete="list"
                aria-expanded=move || (!closed.get() && !results.with(Vec::is_empty)).to_string()
                aria-activedescendant=move || if closed.get() || !chose.get() || results.with(Vec::is_empty) { String::new() } else { format!("search-result-{}", selected.get()) }
                autofocus=autofocus
                prop:value=move || query.get()
                on:focus=move |_| load()
                on:input=move |e| { set_query(event_target_value(&e)); load(); }
                on:keydown=on_keydown
            />
            // Shown only where there is a keyboard (see the stylesheet).
            <kbd class="search-key" title="Press / to search from anywhere on the page">"/"</kbd>
            <button type="submit">"Search"</button>
        </form>
        <p class="search-status" role="status" aria-live="polite">{status}</p>
        {move || (!facets.with(Vec::is_empty)).then(|| view! {
            <div class="search-facets" role="group" aria-label="Narrow the results">
                {facets.get().into_iter().map(|facet| {
                    let on = query.with(|q| q.split_whitespace().any(|w| w.eq_ignore_ascii_case(&facet.filter)));
                    let filter = facet.filter.clone();
                    view! {
                        <button type="button" class="pill facet" aria-pressed=on.to_string() on:click=move |_| set_query(toggle_filter(&query.get_untracked(), &filter))>
                            {format!("{} ({})", facet.label, facet.count)}
                        </button>
                    }
                }).collect_view()}
            </div>
        })}
        <ul id="search-results" class="search-results" role="listbox" aria-label="Search results">
            {move || (!closed.get()).then(|| results.get()).unwrap_or_default().into_iter().enumerate().map(|(i, row)| {
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
            }).collect_view()}
        </ul>
        {move || (results_page && !closed.get() && results.with(Vec::len) == shown.get()).then(|| view! {
            <button type="button" class="search-more" on:click=move |_| shown.update(|n| *n += MORE_RESULTS)>"Show more"</button>
        })}
    }
}
