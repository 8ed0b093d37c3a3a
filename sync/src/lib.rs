//! The sync bundle: the page `/my/sync/`, loaded by that page only, where
//! the user's skills, chats and traces sync with their own GitHub
//! repository. Everything sync decides is decided in the core
//! (`llmos_core::sync`: the plan, the queue and its backoff, the `Round`
//! step machine); this crate is the browser's side: the settings form and
//! its status (`page`), the loop that drives a round with `fetch` and
//! writes its outcome to the store (`driver`), the sync worker's loop that
//! runs those rounds in the background from every page (`background`),
//! and what a round pushes and the header's indicator says (`model`,
//! I/O-free and tested natively).

#[cfg(feature = "browser")]
pub mod background;
#[cfg(feature = "browser")]
pub mod driver;
pub mod model;
#[cfg(any(feature = "ssr", feature = "browser"))]
pub mod page;

/// Renders the page's island at build time.
#[cfg(feature = "ssr")]
pub mod render {
    use leptos::prelude::*;
    use llmos_islands::island_props::PagePaths;
    use llmos_islands::render::island_html_with;

    /// The sync page's island.
    pub fn sync(base: &str) -> String {
        island_html_with(PagePaths::new(base, ""), || view! { <crate::page::SyncSettings /> })
    }
}
