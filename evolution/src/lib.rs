//! The evolution bundle: the traces page (`/my/traces/`) and the evolution
//! page (`/my/evolution/`), loaded by those two pages only, so the site,
//! workbench and chat bundles carry none of it.
//!
//! The chat records one trace per conversation (`llmos_islands::records::Trace`).
//! The traces page lists, filters, marks, keeps, deletes and exports them.
//! The evolution page runs the core's detection (`llmos_core::evolution`)
//! over them and proposes a skill for each recurring task; accepted
//! proposals become ordinary user skills, with their provenance in the
//! frontmatter's `metadata`. `model` is the I/O-free part, tested natively;
//! the islands are compiled with `ssr` (their markup, by the generator) or
//! `browser` (the WebAssembly bundle, whose `hydrate` entry point is
//! `llmos_islands`' with its feature `evolution`).

#[cfg(all(feature = "bench", target_arch = "wasm32"))]
pub mod bench;
#[cfg(feature = "browser")]
pub mod embed;
pub mod effect;
pub mod model;
#[cfg(any(feature = "ssr", feature = "browser"))]
pub mod review;
#[cfg(feature = "browser")]
pub mod retire;
#[cfg(feature = "browser")]
pub mod synth;
#[cfg(any(feature = "ssr", feature = "browser"))]
pub mod traces;

/// Calls `f` once the browser is idle (`requestIdleCallback`), or after
/// two seconds where it has none (Safari).
#[cfg(feature = "browser")]
pub(crate) fn when_idle(f: impl FnOnce() + 'static) {
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else { return };
    let callback = wasm_bindgen::closure::Closure::once_into_js(f);
    if window.request_idle_callback(callback.unchecked_ref()).is_err() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), 2000);
    }
}

/// Renders the islands' markup at build time.
#[cfg(feature = "ssr")]
pub mod render {
    use leptos::prelude::*;
    use llmos_islands::island_props::PagePaths;
    use llmos_islands::render::island_html_with;

    /// The traces page's island; `index_url` is the site's search index (for automatic detection).
    pub fn traces(base: &str, index_url: &str) -> String {
        island_html_with(PagePaths::new(base, index_url), || view! { <crate::traces::TraceList /> })
    }

    /// The evolution page's island; `index_url` is the site's search index (its skills, for coverage).
    pub fn evolution(base: &str, index_url: &str) -> String {
        island_html_with(PagePaths::new(base, index_url), || view! { <crate::review::EvolutionReview /> })
    }
}
