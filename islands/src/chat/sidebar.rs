//! The conversations: a new one, a filter, the list (renamed in place:
//! Enter keeps the new title, Escape gives it up), and export and import.

use super::ChatState;
use leptos::prelude::*;

/// The sidebar of conversations.
pub(super) fn sidebar(state: ChatState) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let import: NodeRef<leptos::html::Input> = NodeRef::new();
    let list = move || {
        let needle = filter.get().to_lowercase();
        let current = state.current.get();
        let renaming = state.renaming.get();
        state
            .conversations
            .get()
            .into_iter()
            .filter(|c| needle.is_empty() || c.title.to_lowercase().contains(&needle))
            .map(|c| {
                let id = StoredValue::new(c.id.clone());
                let title = if renaming.as_deref() == Some(c.id.as_str()) {
                    rename_field(state, c.id.clone(), c.title.clone()).into_any()
                } else {
                    view! { <button type="button" class="link title" on:click=move |_| spawn!(super::actions::open(state, Some(id.get_value())))>{c.title.clone()}</button> }.into_any()
                };
                view! {
                    <li class:current=current.as_deref() == Some(c.id.as_str()) data-id=c.id.clone()>
                        {title}
                        <button type="button" class="link small rename" title="Rename" aria-label="Rename" on:click=move |_| state.renaming.set(Some(id.get_value()))>"✎"</button>
                        <button type="button" class="link small danger" title="Delete" aria-label="Delete" on:click=move |_| spawn!(super::actions::delete(state, id.get_value()))>"✕"</button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <aside class="chat-sidebar">
            <div class="chat-sidebar-top">
                <button type="button" class="primary" id="new-chat" on:click=move |_| spawn!(super::actions::open(state, None))>"New chat"</button>
                <input type="search" id="chat-filter" class="filter" placeholder="Search chats…" aria-label="Search chats" prop:value=move || filter.get() on:input=move |e| filter.set(event_target_value(&e)) />
            </div>
            <ul id="conversations" class="conversations">{list}</ul>
            <p class="chat-export">
                <button type="button" class="link small" id="export-json" on:click=move |_| spawn!(super::actions::export_json(state))>"Export all (JSON)"</button>
                " · "
                <button type="button" class="link small" id="export-markdown" on:click=move |_| spawn!(super::actions::export_markdown(state))>"This chat (Markdown)"</button>
                " · "
                <button type="button" class="link small" id="import-button" on:click=move |_| {
                    if let Some(input) = import.get_untracked() {
                        input.click();
                    }
                }>"Import (JSON)"</button>
                " · "
                <a class="small" id="chat-traces" href=format!("{}my/traces/", state.base.get_value())>"Traces"</a>
                <input type="file" id="import-chats" node_ref=import accept=".json,application/json" class="visually-hidden" tabindex="-1" aria-hidden="true" on:change=move |e| {
                    let _ = &e;
                    #[cfg(feature = "hydrate")]
                    {
                        let input: web_sys::HtmlInputElement = event_target(&e);
                        let files = crate::browser::chosen_files(&input);
                        input.set_value("");
                        leptos::task::spawn_local(super::actions::import_json(state, files));
                    }
                } />
            </p>
        </aside>
    }
}

/// A conversation's title as a field: Enter or leaving it keeps the
/// title, Escape gives up. Either way the field goes.
fn rename_field(state: ChatState, id: String, title: String) -> impl IntoView {
    let field: NodeRef<leptos::html::Input> = NodeRef::new();
    field.on_load(|input| {
        let _ = input.focus();
        input.select();
    });
    let id = StoredValue::new(id);
    let done = move |keep: bool| {
        // Once only: Enter removes the field, which may blur it too.
        if state.renaming.get_untracked().as_deref() != Some(id.get_value().as_str()) {
            return;
        }
        state.renaming.set(None);
        let title = field.get_untracked().map(|input| input.value()).unwrap_or_default();
        let _ = &title;
        if keep {
            spawn!(super::actions::rename(state, id.get_value(), title));
        }
    };
    view! {
        <input class="title rename-field" aria-label="Chat title" value=title node_ref=field
            on:keydown=move |e: leptos::ev::KeyboardEvent| match e.key().as_str() {
                "Enter" => { e.prevent_default(); done(true) }
                "Escape" => { e.prevent_default(); done(false) }
                _ => {}
            }
            on:blur=move |_| done(true) />
    }
}
