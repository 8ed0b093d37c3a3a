//! The chat island: the user's own key, straight to the provider they
//! chose, answers streamed and rendered as they arrive, the catalogue's
//! skills offered as context, and everything kept in this browser.

pub mod key_origin;
pub mod records;
#[cfg(feature = "hydrate")]
mod actions;
#[cfg(feature = "hydrate")]
mod answer;
#[cfg(feature = "hydrate")]
mod keys;
#[cfg(feature = "hydrate")]
mod stream;

use leptos::prelude::*;
use llmos_core::llm::{ModelInfo, ProviderKind, LOCAL_PRESETS};
use key_origin::OriginQuestion;
use records::{ChatMessage, ChatSettings, Conversation, Role};

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
    pub messages: RwSignal<Vec<ChatMessage>>,
    pub streaming: RwSignal<bool>,
    /// The answer being streamed: its frozen blocks and live tail are
    /// written straight into these elements, so a token costs one small
    /// DOM update whatever the length of the answer.
    pub live_frozen: NodeRef<leptos::html::Div>,
    pub live_tail: NodeRef<leptos::html::Div>,
    pub models: RwSignal<Vec<ModelInfo>>,
    pub notice: RwSignal<Option<String>>,
    pub input: RwSignal<String>,
    pub outcome: RwSignal<Option<String>>,
    /// The settings panel: open until a key is saved, then as the user leaves it.
    pub settings_open: RwSignal<bool>,
}

fn provider_id(kind: ProviderKind) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

#[island]
pub fn Chat(base: String, index_url: String) -> impl IntoView {
    let state = ChatState {
        base: StoredValue::new(base),
        index_url: StoredValue::new(index_url),
        settings: RwSignal::new(ChatSettings::default()),
        key_status: RwSignal::new(String::new()),
        key_origin: RwSignal::new(String::new()),
        origin_question: RwSignal::new(None),
        conversations: RwSignal::new(Vec::new()),
        current: RwSignal::new(None),
        messages: RwSignal::new(Vec::new()),
        streaming: RwSignal::new(false),
        live_frozen: NodeRef::new(),
        live_tail: NodeRef::new(),
        models: RwSignal::new(Vec::new()),
        notice: RwSignal::new(None),
        input: RwSignal::new(String::new()),
        outcome: RwSignal::new(None),
        settings_open: RwSignal::new(true),
    };
    let filter = RwSignal::new(String::new());
    let key_input = RwSignal::new(String::new());

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

    let settings_panel = move || {
        let settings = state.settings.get();
        let kind = settings.provider;
        let config = settings.config();
        view! {
            <details class="chat-settings" prop:open=move || state.settings_open.get() on:toggle=move |e| {
                let _ = &e;
                #[cfg(feature = "hydrate")]
                {
                    let open = js_sys::Reflect::get(&event_target::<wasm_bindgen::JsValue>(&e), &"open".into()).ok().and_then(|v| v.as_bool());
                    if let Some(open) = open {
                        state.settings_open.set(open);
                    }
                }
            }>
                <summary>{format!("{} · {}", kind.display_name(), if settings.model().is_empty() { "choose a model".to_string() } else { settings.model() })}</summary>
                <div class="form">
                    <label for="provider">"Provider"</label>
                    <select id="provider" on:change=move |e| {
                        let value = event_target_value(&e);
                        if let Some(kind) = ProviderKind::ALL.into_iter().find(|k| provider_id(*k) == value) {
                            state.settings.update(|s| s.provider = kind);
                            #[cfg(feature = "hydrate")]
                            leptos::task::spawn_local(actions::provider_changed(state));
                        }
                    }>
                        {ProviderKind::ALL.into_iter().map(|k| view! { <option value=provider_id(k) selected=k == kind>{k.display_name()}</option> }).collect_view()}
                    </select>
                    <label for="base-url">"Base URL"</label>
                    <input id="base-url" type="url" prop:value=config.base_url.clone() on:change=move |e| {
                        state.settings.update(|s| s.set_base_url(event_target_value(&e)));
                        #[cfg(feature = "hydrate")]
                        leptos::task::spawn_local(actions::save_settings(state));
                    } />
                    {(kind == ProviderKind::OpenAiCompatible).then(|| view! {
                        <p class="hint">"Presets: "
                            {LOCAL_PRESETS.iter().map(|p| {
                                let url = p.base_url;
                                view! { <button type="button" class="link" on:click=move |_| {
                                    state.settings.update(|s| s.set_base_url(url.to_string()));
                                    #[cfg(feature = "hydrate")]
                                    leptos::task::spawn_local(actions::save_settings(state));
                                }>{p.name}</button> " " }
                            }).collect_view()}
                        </p>
                        <p class="hint">"Local servers must allow this page's origin: for Ollama, start it with "
                            <code>{move || format!("OLLAMA_ORIGINS={} ollama serve", page_origin())}</code> "."</p>
                    })}
                    <label for="api-key">{if kind.requires_key() { "API key" } else { "API key (optional)" }}</label>
                    <div class="row">
                        <input id="api-key" type="password" autocomplete="off" placeholder=move || if state.key_status.get() == "saved" { "saved, encrypted in this browser" } else { "paste your key" }
                            prop:value=move || key_input.get() on:input=move |e| key_input.set(event_target_value(&e)) />
                        <button type="button" id="save-key" on:click=move |_| {
                            let key = key_input.get_untracked();
                            key_input.set(String::new());
                            let _ = &key;
                            #[cfg(feature = "hydrate")]
                            leptos::task::spawn_local(actions::save_key(state, key));
                        }>"Save key"</button>
                        <button type="button" id="forget-key" class="danger" on:click=move |_| {
                            #[cfg(feature = "hydrate")]
                            leptos::task::spawn_local(actions::forget_key(state));
                        }>"Forget key"</button>
                    </div>
                    <small class="hint" id="key-status">{move || match state.key_status.get().as_str() {
                        "saved" => key_origin::saved_key_note(kind, &state.key_origin.get(), &state.settings.with(|s| s.config().base().to_string())),
                        "none" => "No key saved for this provider.".to_string(),
                        other => other.to_string(),
                    }}</small>
                    <label for="model">"Model"</label>
                    <div class="row">
                        <input id="model" list="model-list" prop:value=settings.model() on:change=move |e| {
                            state.settings.update(|s| s.set_model(event_target_value(&e)));
                            #[cfg(feature = "hydrate")]
                            leptos::task::spawn_local(actions::save_settings(state));
                        } />
                        <button type="button" id="load-models" on:click=move |_| {
                            #[cfg(feature = "hydrate")]
                            leptos::task::spawn_local(actions::load_models(state));
                        }>"List models"</button>
                    </div>
                    <datalist id="model-list">{move || state.models.get().into_iter().map(|m| view! { <option value=m.id.clone()>{m.display_name}</option> }).collect_view()}</datalist>
                    <label for="system-prompt">"System prompt"</label>
                    <textarea id="system-prompt" rows="3" prop:value=settings.system.clone() on:change=move |e| {
                        state.settings.update(|s| s.system = event_target_value(&e));
                        #[cfg(feature = "hydrate")]
                        leptos::task::spawn_local(actions::save_settings(state));
                    }></textarea>
                </div>
            </details>
        }
    };

    let conversation_list = move || {
        let needle = filter.get().to_lowercase();
        let current = state.current.get();
        state
            .conversations
            .get()
            .into_iter()
            .filter(|c| needle.is_empty() || c.title.to_lowercase().contains(&needle))
            .map(|c| {
                let (open_id, rename_id, delete_id) = (c.id.clone(), c.id.clone(), c.id.clone());
                let _ = (&open_id, &rename_id, &delete_id);
                view! {
                    <li class:current=current.as_deref() == Some(c.id.as_str()) data-id=c.id.clone()>
                        <button type="button" class="link title" on:click=move |_| {
                            #[cfg(feature = "hydrate")]
                            leptos::task::spawn_local(actions::open(state, Some(open_id.clone())));
                        }>{c.title.clone()}</button>
                        <button type="button" class="link small" title="Rename" on:click=move |_| {
                            #[cfg(feature = "hydrate")]
                            leptos::task::spawn_local(actions::rename(state, rename_id.clone()));
                        }>"✎"</button>
                        <button type="button" class="link small danger" title="Delete" on:click=move |_| {
                            #[cfg(feature = "hydrate")]
                            leptos::task::spawn_local(actions::delete(state, delete_id.clone()));
                        }>"✕"</button>
                    </li>
                }
            })
            .collect_view()
    };

    // Keyed rows: a new message renders itself only, so long conversations
    // do not re-render (and re-parse) every earlier answer.
    let last_id = move |role: Role| state.messages.with(|ms| ms.iter().rev().find(|m| m.role == role).map(|m| m.id.clone()));
    let message_view = move |m: ChatMessage| {
        let base = state.base.get_value();
        let text = m.text.clone();
        let _ = &text;
        let id = m.id.clone();
        match m.role {
            Role::User => view! {
                <article class="msg user" data-seq=m.seq>
                    <div class="bubble">{m.text.clone()}</div>
                    {move || (last_id(Role::User).as_deref() == Some(id.as_str())).then(|| view! {
                        <button type="button" class="link small edit-last" on:click=move |_| {
                            #[cfg(feature = "hydrate")]
                            leptos::task::spawn_local(actions::edit_last(state));
                        }>"Edit and resend"</button>
                    })}
                </article>
            }
            .into_any(),
            Role::Assistant => view! {
                <article class="msg assistant" data-seq=m.seq>
                    <div class="answer prose" inner_html=llmos_core::render_safe(&m.text)></div>
                    {m.error.clone().map(|e| view! { <p class="notice error chat-error" role="alert">{e}</p> })}
                    {m.stopped.then(|| view! { <p class="muted stopped">"Stopped; the answer so far is kept."</p> })}
                    {(!m.skills_used.is_empty()).then(|| view! {
                        <p class="skills-used">"Skills used: "
                            {m.skills_used.iter().map(|s| view! { <a href=s.url(&base)>{s.name.clone()}</a> " " }).collect_view()}
                        </p>
                    })}
                    <p class="msg-meta muted">
                        {(!m.model.is_empty()).then(|| m.model.clone())}
                        {m.input_tokens.zip(m.output_tokens).map(|(i, o)| format!(" · {i} tokens in, {o} out"))}
                        " "
                        <button type="button" class="link small copy-message" on:click=move |_| {
                            #[cfg(feature = "hydrate")]
                            actions::copy(&text);
                        }>"Copy"</button>
                        {move || (last_id(Role::Assistant).as_deref() == Some(id.as_str())).then(|| view! {
                            " " <button type="button" class="link small" id="regenerate" on:click=move |_| {
                                #[cfg(feature = "hydrate")]
                                leptos::task::spawn_local(actions::regenerate(state));
                            }>"Regenerate"</button>
                        })}
                    </p>
                </article>
            }
            .into_any(),
        }
    };

    view! {
        <div class="chat">
            <aside class="chat-sidebar">
                <button type="button" class="button primary" id="new-chat" on:click=move |_| {
                    #[cfg(feature = "hydrate")]
                    leptos::task::spawn_local(actions::open(state, None));
                }>"New chat"</button>
                <input type="search" id="chat-filter" class="filter" placeholder="Search chats…" aria-label="Search chats" prop:value=move || filter.get() on:input=move |e| filter.set(event_target_value(&e)) />
                <ul id="conversations" class="conversations">{conversation_list}</ul>
                <p class="chat-export">
                    <button type="button" class="link small" id="export-json" on:click=move |_| {
                        #[cfg(feature = "hydrate")]
                        leptos::task::spawn_local(actions::export_json(state));
                    }>"Export all (JSON)"</button>
                    " · "
                    <button type="button" class="link small" id="export-markdown" on:click=move |_| {
                        #[cfg(feature = "hydrate")]
                        leptos::task::spawn_local(actions::export_markdown(state));
                    }>"This chat (Markdown)"</button>
                    " · "
                    <label class="link small">"Import (JSON)"
                        <input type="file" id="import-chats" accept=".json,application/json" class="visually-hidden" on:change=move |e| {
                            let _ = &e;
                            #[cfg(feature = "hydrate")]
                            {
                                let input: web_sys::HtmlInputElement = event_target(&e);
                                let files = crate::browser::chosen_files(&input);
                                input.set_value("");
                                leptos::task::spawn_local(actions::import_json(state, files));
                            }
                        } />
                    </label>
                </p>
            </aside>
            <section class="chat-main">
                {settings_panel}
                {move || state.notice.get().map(|n| view! { <p class="notice" id="chat-notice" role="status">{n}</p> })}
                {move || state.origin_question.get().map(|q| key_origin::question_view(state, q))}
                <div id="messages" class="messages" on:click=move |e| {
                    let _ = &e;
                    #[cfg(feature = "hydrate")]
                    actions::copy_code(&e);
                }>
                    <For each=move || state.messages.get() key=|m| m.id.clone() children=message_view />
                    <article class="msg assistant live" id="live" class:hidden=move || !state.streaming.get()>
                        <div class="answer prose"><div id="live-frozen" node_ref=state.live_frozen></div><div id="live-tail" node_ref=state.live_tail></div></div>
                    </article>
                </div>
                {move || (!state.messages.with(Vec::is_empty) && !state.streaming.get()).then(|| view! {
                    <p class="outcome muted">"Did this solve your problem? "
                        <button type="button" class="link" id="outcome-solved" aria-pressed=move || (state.outcome.get().as_deref() == Some("solved")).to_string() on:click=move |_| {
                            #[cfg(feature = "hydrate")]
                            leptos::task::spawn_local(actions::set_outcome(state, "solved"));
                        }>"Solved"</button> " · "
                        <button type="button" class="link" id="outcome-not-solved" aria-pressed=move || (state.outcome.get().as_deref() == Some("not-solved")).to_string() on:click=move |_| {
                            #[cfg(feature = "hydrate")]
                            leptos::task::spawn_local(actions::set_outcome(state, "not-solved"));
                        }>"Not solved"</button>
                    </p>
                })}
                <form class="composer" on:submit=move |e| { e.prevent_default(); send(); }>
                    <label for="chat-input" class="visually-hidden">"Message"</label>
                    <textarea id="chat-input" rows="3" placeholder="Ask anything… (Enter to send, Shift+Enter for a new line)"
                        prop:value=move || state.input.get()
                        on:input=move |e| state.input.set(event_target_value(&e))
                        on:keydown=move |e: leptos::ev::KeyboardEvent| if e.key() == "Enter" && !e.shift_key() { e.prevent_default(); send(); }></textarea>
                    <div class="row">
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
