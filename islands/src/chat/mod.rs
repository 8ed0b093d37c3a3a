//! The chat island: the user's own key, straight to the provider they
//! chose, answers streamed and rendered as they arrive, the catalogue's
//! skills offered as context, and everything kept in this browser.
//!
//! Laid out as chat clients are: conversations in a sidebar (`sidebar`),
//! compact settings on top (`settings`), the messages (`messages`), and
//! the composer, which stays at the bottom of the screen.

/// Runs an action of `actions` (the browser bundle only; the page is
/// rendered at build time without them).
macro_rules! spawn {
    ($action:expr) => {{
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local($action);
    }};
}
pub(crate) use spawn;

pub mod key_origin;
pub use crate::records;
#[cfg(feature = "hydrate")]
mod actions;
#[cfg(feature = "hydrate")]
mod answer;
#[cfg(feature = "hydrate")]
use crate::provider::{keys, stream};
mod messages;
mod run_card;
#[cfg(feature = "hydrate")]
mod runs;
mod settings;
mod sidebar;
#[cfg(feature = "hydrate")]
mod turn;

use key_origin::OriginQuestion;
use leptos::prelude::*;
use llmos_core::llm::ModelInfo;
use records::{ChatMessage, ChatSettings, Conversation, SkillLink};

/// Everything the chat's views and actions share.
#[derive(Clone, Copy)]
pub(crate) struct ChatState {
    pub base: StoredValue<String>,
    pub index_url: StoredValue<String>,
    pub settings: RwSignal<ChatSettings>,
    /// "saved", "none", or a message about the key.
    pub key_status: RwSignal<String>,
    /// The origin the saved key is bound to (when `key_status` is "saved").
    pub key_origin: RwSignal<String>,
    /// A request waiting for the user to let the key go to a new origin.
    pub origin_question: RwSignal<Option<OriginQuestion>>,
    pub conversations: RwSignal<Vec<Conversation>>,
    pub current: RwSignal<Option<String>>,
    /// The conversation whose title is being edited in the list.
    pub renaming: RwSignal<Option<String>>,
    pub messages: RwSignal<Vec<ChatMessage>>,
    pub streaming: RwSignal<bool>,
    /// The answer being streamed: its frozen blocks and live tail are
    /// written straight into these elements, so a token costs one small
    /// DOM update whatever the length of the answer.
    pub live_frozen: NodeRef<leptos::html::Div>,
    pub live_tail: NodeRef<leptos::html::Div>,
    /// The streamed answer's reasoning, appended as plain text.
    pub live_reasoning: NodeRef<leptos::html::Div>,
    pub live_thinking: RwSignal<bool>,
    /// The cards of the skills the answer being written runs.
    pub live_runs: NodeRef<leptos::html::Div>,
    /// The conversation column, scrolled to its end as answers grow.
    pub main: NodeRef<leptos::html::Section>,
    pub models: RwSignal<Vec<ModelInfo>>,
    pub notice: RwSignal<Option<String>>,
    pub input: RwSignal<String>,
    pub outcome: RwSignal<Option<String>>,
    /// The settings panel: open until a key is saved, closed once answering.
    pub settings_open: RwSignal<bool>,
    /// The skill the user attached to their next message (`?skill=<name>`,
    /// a skill page's "Use in chat"): its instructions go with the message.
    pub attached: RwSignal<Option<SkillLink>>,
}

use crate::provider::provider_id;

#[island]
pub fn Chat() -> impl IntoView {
    let crate::island_props::PagePaths { base, index_url } = crate::island_props::props("Chat");
    let state = ChatState {
        base: StoredValue::new(base),
        index_url: StoredValue::new(index_url),
        settings: RwSignal::new(ChatSettings::default()),
        key_status: RwSignal::new(String::new()),
        key_origin: RwSignal::new(String::new()),
        origin_question: RwSignal::new(None),
        conversations: RwSignal::new(Vec::new()),
        current: RwSignal::new(None),
        renaming: RwSignal::new(None),
        messages: RwSignal::new(Vec::new()),
        streaming: RwSignal::new(false),
        live_frozen: NodeRef::new(),
        live_tail: NodeRef::new(),
        live_reasoning: NodeRef::new(),
        live_thinking: RwSignal::new(false),
        live_runs: NodeRef::new(),
        main: NodeRef::new(),
        models: RwSignal::new(Vec::new()),
        notice: RwSignal::new(None),
        input: RwSignal::new(String::new()),
        outcome: RwSignal::new(None),
        settings_open: RwSignal::new(true),
        attached: RwSignal::new(None),
    };

    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(actions::start(state));

    let send = move || {
        let text = state.input.get_untracked();
        if text.trim().is_empty() || state.streaming.get_untracked() {
            return;
        }
        state.input.set(String::new());
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(actions::send(state, text));
    };
    let stop = move |_| {
        #[cfg(feature = "hydrate")]
        actions::stop();
    };

    view! {
        <div class="chat">
            {sidebar::sidebar(state)}
            <section class="chat-main" node_ref=state.main>
                {settings::settings_panel(state)}
                {move || state.notice.get().map(|n| view! { <p class="notice" id="chat-notice" role="status">{n}</p> })}
                {move || state.origin_question.get().map(|q| key_origin::question_view(state, q))}
                {messages::messages(state)}
                <form class="composer" on:submit=move |e| { e.prevent_default(); send(); }>
                    <div class="composer-input">
                    {move || state.attached.get().map(|skill| {
                        let label = format!("Remove the skill {} from the next message", skill.name);
                        view! {
                            <p class="attached-skill" id="attached-skill" data-slug=skill.slug.clone()>
                                "With the skill " <a class="pill" href=skill.url(&state.base.get_value())>{skill.name.clone()}</a> " "
                                <button type="button" class="link small" id="remove-attached" aria-label=label title="Send the next message without this skill" on:click=move |_| state.attached.set(None)>"Remove"</button>
                            </p>
                        }
                    })}
                    <label for="chat-input" class="visually-hidden">"Message"</label>
                    <textarea id="chat-input" rows="2" placeholder="Ask anything… (Enter to send, Shift+Enter for a new line)"
                        prop:value=move || state.input.get()
                        on:input=move |e| state.input.set(event_target_value(&e))
                        on:keydown=move |e: leptos::ev::KeyboardEvent| if e.key() == "Enter" && !e.shift_key() { e.prevent_default(); send(); }></textarea>
                    </div>
                    <div class="composer-actions">
                        <button type="submit" class="primary" id="send" disabled=move || state.streaming.get()>"Send"</button>
                        <button type="button" id="stop" disabled=move || !state.streaming.get() on:click=stop>"Stop"</button>
                    </div>
                </form>
            </section>
        </div>
    }
}

fn page_origin() -> String {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}
