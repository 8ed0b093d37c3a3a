//! The interactive parts of LLMos pages, as Leptos islands.
//!
//! Pages are static HTML; an island is a small component whose markup is
//! rendered at build time (feature `ssr`, called by the `llmos` generator)
//! and brought to life in the browser by the WebAssembly bundle (feature
//! `hydrate`). Pages without an island load no JavaScript at all.

// Without `hydrate` the browser-only halves of the islands compile away,
// leaving some state and arguments unused on the native side.
#![cfg_attr(not(feature = "hydrate"), allow(dead_code, unused_variables))]

// Shared by both bundles, each using a part.
#[cfg(feature = "hydrate")]
#[allow(dead_code)]
pub mod browser;
// Every island's props, read without serde_json.
pub mod island_props;
// The workbench islands (the user's skills) and the chat form bundles of
// their own, so catalogue and search pages do not download the editor, the
// YAML parser, the Markdown renderer or the provider code. `ssr` renders
// them all.
#[cfg(any(feature = "ssr", feature = "chat"))]
pub mod chat;
#[cfg(any(feature = "ssr", feature = "workbench"))]
pub mod editor;
#[cfg(any(feature = "ssr", feature = "workbench"))]
pub mod my_skills;
#[cfg(any(feature = "ssr", feature = "workbench"))]
pub mod user_pages;
// The search box lives in the site bundle only.
#[cfg(any(feature = "ssr", not(any(feature = "workbench", feature = "chat", feature = "evolution"))))]
pub mod search;
// And the copy buttons of the skills' file pages.
#[cfg(any(feature = "ssr", not(any(feature = "workbench", feature = "chat", feature = "evolution"))))]
pub mod copy_file;
// As is what the site's pages show of the user's skills.
#[cfg(any(feature = "ssr", not(any(feature = "workbench", feature = "chat", feature = "evolution"))))]
pub mod shelves;
#[cfg(feature = "hydrate")]
#[allow(dead_code)]
pub mod site_index;
// The search engine, fetched when a visitor starts to search or the chat
// first offers skills (crate llmos-searchkit).
#[cfg(all(feature = "hydrate", not(any(feature = "workbench", feature = "evolution"))))]
pub mod search_kit;
// What the chat keeps (conversations, messages, traces): read by the chat
// and by the evolution bundle's traces and evolution pages.
pub mod records;
// The provider's keys and streaming call: the chat's, and the evolution page's synthesis.
#[cfg(any(feature = "ssr", feature = "chat", feature = "evolution"))]
pub mod provider;
// The Markdown renderer, the SKILL.md parser and zips, fetched on first
// use (crate llmos-skillkit).
#[allow(dead_code)]
pub mod kit;
pub mod skill_links;
pub mod store;
pub mod user_skills;

/// Entry point called by the loader script once the bundle is instantiated.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // The chat holds the user's keys and the workbench their skills: inside
    // another site's frame they show a notice instead of starting. The
    // loader calls this before hydrating each `<leptos-island>`, and the
    // islands are gone by then, so none of their code runs.
    #[cfg(any(feature = "chat", feature = "workbench", feature = "evolution"))]
    if browser::framed_by_another_origin() {
        browser::refuse_to_run_framed(if cfg!(feature = "chat") { "LLMos's chat" } else if cfg!(feature = "sync") { "LLMos's sync settings" } else if cfg!(feature = "evolution") { "Your LLMos traces and evolution pages" } else { "Your LLMos skills page" });
        return;
    }
    leptos::mount::hydrate_islands();
}

/// Renders island markup to HTML at build time.
#[cfg(feature = "ssr")]
pub mod render {
    use crate::island_props::PagePaths;
    use leptos::prelude::*;
    use std::sync::Arc;

    /// The HTML of one island, ready to paste into a static page; its
    /// `props` are read with `island_props::props` (no Leptos props): given
    /// as context while it renders, and written as JSON into its
    /// `<leptos-island>`'s `data-props`, where the browser reads them. Each
    /// call gets its own reactive owner, so pages can be rendered in parallel.
    pub fn island_html_with<P: Clone + Send + Sync + serde::Serialize + 'static, V: IntoView + 'static>(props: P, view: impl FnOnce() -> V) -> String {
        let json = serde_json::to_string(&props).expect("island props serialise");
        let owner = Owner::new_root(Some(Arc::new(hydration_context::SsrSharedContext::new_islands())));
        let html = owner.with(|| {
            provide_context(props);
            view().to_html()
        });
        let attribute = format!(" data-props=\"{}\"", crate::user_skills::escape(&json));
        // The island's own tag comes first; its attribute values hold no `>`.
        match html.find('>') {
            Some(end) if html.starts_with("<leptos-island") => format!("{}{attribute}{}", &html[..end], &html[end..]),
            _ => html,
        }
    }

    /// `index_url` and `docs_url`: the manifests of the sharded skills and
    /// docs indexes (`llmos_core::ShardedIndex`).
    pub fn search_box(index_url: &str, docs_url: &str, base: &str, autofocus: bool) -> String {
        let (index_url, docs_url, base) = (index_url.to_string(), docs_url.to_string(), base.to_string());
        island_html_with(crate::search::SearchBoxData { index_url, docs_url, base, autofocus }, || view! { <crate::search::SearchBox /> })
    }

    /// A button that copies the text of the published file at `raw_url`
    /// to the clipboard (the site bundle): `label` is its text, e.g.
    /// "Copy SKILL.md". Put a plain link to `raw_url` beside it for pages
    /// read without JavaScript.
    pub fn copy_button(raw_url: &str, label: &str) -> String {
        let (url, label) = (raw_url.to_string(), label.to_string());
        island_html_with(crate::copy_file::CopyFileData { url, label }, || view! { <crate::copy_file::CopyFile /> })
    }

    pub fn my_skills(base: &str, index_url: &str) -> String {
        island_html_with(PagePaths::new(base, index_url), || view! { <crate::my_skills::MySkills /> })
    }

    pub fn skill_editor(base: &str, index_url: &str) -> String {
        island_html_with(PagePaths::new(base, index_url), || view! { <crate::editor::SkillEditor /> })
    }

    pub fn user_skill_view(base: &str) -> String {
        island_html_with(PagePaths::new(base, ""), || view! { <crate::user_pages::UserSkillView /> })
    }

    pub fn chat(base: &str, index_url: &str) -> String {
        island_html_with(PagePaths::new(base, index_url), || view! { <crate::chat::Chat /> })
    }

    /// The user's own skills on the catalogue (`None`) or a category page.
    pub fn user_skills_shelf(base: &str, category: Option<&str>) -> String {
        let (base, category) = (base.to_string(), category.map(str::to_string));
        island_html_with(crate::shelves::ShelfData { base, category, tag: None }, || view! { <crate::shelves::UserSkillsShelf /> })
    }

    /// The user's own skills with the keyword `tag`, on that tag's page.
    pub fn user_skills_tag_shelf(base: &str, tag: &str) -> String {
        let (base, tag) = (base.to_string(), tag.to_string());
        island_html_with(crate::shelves::ShelfData { base, category: None, tag: Some(tag) }, || view! { <crate::shelves::UserSkillsShelf /> })
    }

    /// The site's categories, (slug, label, skills), with the user's counts
    /// next to them once in the browser.
    pub fn category_counts(base: &str, categories: &[(&str, &str, usize)]) -> String {
        let base = base.to_string();
        let terms: Vec<crate::shelves::SiteTerm> =
            categories.iter().map(|(slug, label, count)| crate::shelves::SiteTerm { slug: slug.to_string(), label: label.to_string(), count: *count }).collect();
        island_html_with(crate::shelves::CategoryCountsData { base, terms }, || view! { <crate::shelves::CategoryCounts /> })
    }
}

