//! The search island: type-ahead over the site's search index.
//!
//! The index is fetched only when the user shows intent (focus, typing, or
//! a `?q=` in the address), so visitors who never search download nothing
//! beyond the bundle. Ranking is `llmos_core::SearchIndex`, the same code
//! as `llmos search`.

use leptos::prelude::*;
use llmos_core::{highlight_ranges, SearchIndex};
use std::sync::Arc;

const MAX_RESULTS: usize = 20;

#[derive(Clone, PartialEq)]
struct ResultRow {
    url: String,
    name: Vec<(String, bool)>,
    description: Vec<(String, bool)>,
    kind: Option<String>,
    category: Option<String>,
}

#[derive(Clone, PartialEq)]
enum IndexState {
    NotLoaded,
    Loading,
    Ready(Arc<SearchIndex>),
    Failed(String),
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

#[island]
pub fn SearchBox(index_url: String, base: String, autofocus: bool) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let state = RwSignal::new(IndexState::NotLoaded);
    let selected = RwSignal::new(0usize);
    let input_ref = NodeRef::<leptos::html::Input>::new();

    let results = {
        let base = base.clone();
        Memo::new(move |_| {
            let q = query.get();
            match state.get() {
                IndexState::Ready(index) if !q.trim().is_empty() => index
                    .search(&q, MAX_RESULTS)
                    .into_iter()
                    .map(|hit| {
                        let doc = &index.docs[hit.doc];
                        let description = &doc.description;
                        ResultRow {
                            url: format!("{base}skills/{}/", doc.slug),
                            name: segments(&doc.name, &q),
                            description: segments(description, &q),
                            kind: doc.kind.clone(),
                            category: doc.category.clone(),
                        }
                    })
                    .collect::<Vec<_>>(),
                _ => Vec::new(),
            }
        })
    };

    let index_url = StoredValue::new(index_url);
    let load = {
        move || {
            if state.get_untracked() == IndexState::NotLoaded {
                state.set(IndexState::Loading);
                #[cfg(feature = "hydrate")]
                {
                    let url = index_url.get_value();
                    leptos::task::spawn_local(async move {
                        state.set(match browser::fetch_index(&url).await {
                            Ok(index) => IndexState::Ready(Arc::new(index)),
                            Err(error) => IndexState::Failed(error),
                        });
                    });
                }
            }
        }
    };

    let open = move |index: usize| {
        if let Some(row) = results.get_untracked().get(index) {
            #[cfg(feature = "hydrate")]
            browser::navigate(&row.url);
            #[cfg(not(feature = "hydrate"))]
            let _ = row;
        }
    };

    // A `?q=` in the address (the form without JavaScript, or a shared link) runs at once.
    #[cfg(feature = "hydrate")]
    {
        if let Some(q) = browser::query_parameter("q").filter(|q| !q.trim().is_empty()) {
            query.set(q);
            load();
        }
        // `/` focuses the search box from anywhere on the page, as on most sites.
        let handle = window_event_listener(leptos::ev::keydown, move |event| {
            if event.key() == "/" && !browser::typing_in_a_field(&event) {
                if let Some(input) = input_ref.get_untracked() {
                    event.prevent_default();
                    let _ = input.focus();
                }
            }
        });
        on_cleanup(move || handle.remove());
    }

    let on_keydown = move |event: leptos::ev::KeyboardEvent| {
        let count = results.get_untracked().len();
        match event.key().as_str() {
            "ArrowDown" if count > 0 => {
                event.prevent_default();
                selected.update(|s| *s = (*s + 1) % count);
            }
            "ArrowUp" if count > 0 => {
                event.prevent_default();
                selected.update(|s| *s = (*s + count - 1) % count);
            }
            "Enter" if count > 0 => {
                event.prevent_default();
                open(selected.get_untracked());
            }
            "Escape" => {
                query.set(String::new());
                selected.set(0);
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
                n => format!("{n} skills{}", if n == MAX_RESULTS { " (best matches)" } else { "" }),
            },
            _ => "Loading the index…".to_string(),
        }
    };

    view! {
        <form class="search-box" role="search" action=format!("{base}search/") method="get" on:submit=move |e| { if !results.get_untracked().is_empty() { e.prevent_default(); open(selected.get_untracked()); } }>
            <label class="visually-hidden" for="search-input">"Search skills"</label>
            <input
                id="search-input"
                node_ref=input_ref
                type="search"
                name="q"
                autocomplete="off"
                spellcheck="false"
                placeholder="Search skills…  (press / to focus)"
                role="combobox"
                aria-controls="search-results"
                aria-autocomplete="list"
                aria-expanded=move || (!results.with(Vec::is_empty)).to_string()
                aria-activedescendant=move || if results.with(Vec::is_empty) { String::new() } else { format!("search-result-{}", selected.get()) }
                autofocus=autofocus
                prop:value=move || query.get()
                on:focus=move |_| load()
                on:input=move |e| { query.set(event_target_value(&e)); selected.set(0); load(); }
                on:keydown=on_keydown
            />
            <button type="submit">"Search"</button>
        </form>
        <p class="search-status" role="status" aria-live="polite">{status}</p>
        <ul id="search-results" class="search-results" role="listbox" aria-label="Search results">
            {move || results.get().into_iter().enumerate().map(|(i, row)| {
                let is_selected = move || selected.get() == i;
                view! {
                    <li id=format!("search-result-{i}") role="option" aria-selected=move || is_selected().to_string() class:selected=is_selected on:mouseenter=move |_| selected.set(i)>
                        <a href=row.url.clone()>
                            <span class="result-name">{render_segments(row.name)}</span>
                            {row.kind.map(|k| view! { <span class="badge run">{k}</span> })}
                            {row.category.map(|c| view! { <span class="pill">{c}</span> })}
                            <span class="result-description">{render_segments(row.description)}</span>
                        </a>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use llmos_core::SearchIndex;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    fn js_error(value: wasm_bindgen::JsValue) -> String {
        value.as_string().or_else(|| js_sys::JSON::stringify(&value).ok().and_then(|s| s.as_string())).unwrap_or_else(|| "network error".into())
    }

    pub async fn fetch_index(url: &str) -> Result<SearchIndex, String> {
        let window = web_sys::window().ok_or("no window")?;
        let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url)).await.map_err(js_error)?.dyn_into().map_err(js_error)?;
        if !response.ok() {
            return Err(format!("the index answered HTTP {}", response.status()));
        }
        let text = JsFuture::from(response.text().map_err(js_error)?).await.map_err(js_error)?;
        let index: SearchIndex = serde_json::from_str(&text.as_string().unwrap_or_default()).map_err(|e| format!("the index is damaged ({e})"))?;
        if index.version != llmos_core::SEARCH_VERSION {
            return Err(format!("the index has version {}, this page reads {}", index.version, llmos_core::SEARCH_VERSION));
        }
        Ok(index)
    }

    pub fn query_parameter(name: &str) -> Option<String> {
        let search = web_sys::window()?.location().search().ok()?;
        web_sys::UrlSearchParams::new_with_str(&search).ok()?.get(name)
    }

    pub fn navigate(url: &str) {
        if let Some(window) = web_sys::window() {
            let _ = window.location().set_href(url);
        }
    }

    pub fn typing_in_a_field(event: &web_sys::KeyboardEvent) -> bool {
        event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .map(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.has_attribute("contenteditable"))
            .unwrap_or(false)
    }
}
