//! What the chat does: load and save conversations, send a message and
//! stream the answer (with skills as context), and the small actions.

use super::records::{self, ChatMessage, ChatSettings, Conversation, Export, Role, SkillLink, Trace, TraceToolCall, TraceTurn};
use super::stream::{stream, Failure};
use super::{keys, ChatState};
use crate::browser;
use crate::store::schema::{CONVERSATIONS, MESSAGES, SETTINGS, TRACES};
use crate::store::{shared, SkillStore};
use leptos::prelude::*;
use llmos_core::llm::{self, build_request, models_request, parse_models, ChatError, Message, ProviderKind, Reply, StreamEvent, ToolResult, OFFERED_SKILLS};
use llmos_core::{IncrementalMarkdown, SearchIndex};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};

/// Rounds of skill loading before the model must answer.
const MAX_SKILL_LOADS: usize = 3;

thread_local! {
    static ABORT: RefCell<Option<web_sys::AbortController>> = const { RefCell::new(None) };
    static SITE_INDEX: RefCell<Option<SearchIndex>> = const { RefCell::new(None) };
}

fn to_js<T: Serialize>(value: &T) -> JsValue {
    js_sys::JSON::parse(&serde_json::to_string(value).expect("records serialise")).unwrap_or(JsValue::NULL)
}

fn from_js<T: DeserializeOwned>(value: &JsValue) -> Option<T> {
    serde_json::from_str(&js_sys::JSON::stringify(value).ok()?.as_string()?).ok()
}

fn new_id() -> String {
    format!("{:x}-{:08x}", browser::now() as u64, (js_sys::Math::random() * 4_294_967_295.0) as u32)
}

fn say(state: ChatState, text: impl Into<String>) {
    state.notice.set(Some(text.into()));
}

pub async fn start(state: ChatState) {
    let Ok(store) = shared().await else { return say(state, "This browser refused local storage; the chat cannot keep keys or history here.") };
    if let Ok(Some(record)) = store.record(SETTINGS, "chat").await {
        if let Some(settings) = from_js::<ChatSettings>(&js_sys::Reflect::get(&record, &"value".into()).unwrap_or(JsValue::NULL)) {
            state.settings.set(settings);
        }
    }
    refresh_key_status(state).await;
    let provider = state.settings.with_untracked(|s| s.provider);
    state.settings_open.set(provider.requires_key() && state.key_status.get_untracked() != "saved");
    load_conversations(state).await;
    let latest = state.conversations.with_untracked(|c| c.first().map(|c| c.id.clone()));
    open(state, latest).await;
}

async fn load_conversations(state: ChatState) {
    let Ok(store) = shared().await else { return };
    let mut list: Vec<Conversation> = store.records(CONVERSATIONS).await.unwrap_or_default().iter().filter_map(from_js).collect();
    list.sort_by(|a, b| b.updated.total_cmp(&a.updated));
    state.conversations.set(list);
}

async fn refresh_key_status(state: ChatState) {
    let kind = state.settings.with_untracked(|s| s.provider);
    state.key_status.set(match keys::load_key(kind).await {
        Ok(Some(_)) => "saved".into(),
        Ok(None) => "none".into(),
        Err(error) => error,
    });
}

pub async fn save_settings(state: ChatState) {
    let Ok(store) = shared().await else { return };
    let record = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&record, &"key".into(), &"chat".into());
    let _ = js_sys::Reflect::set(&record, &"value".into(), &to_js(&state.settings.get_untracked()));
    if let Err(error) = store.put_records(SETTINGS, &[record.into()]).await {
        say(state, error.to_string());
    }
}

pub async fn provider_changed(state: ChatState) {
    state.models.set(Vec::new());
    save_settings(state).await;
    refresh_key_status(state).await;
}

pub async fn save_key(state: ChatState, key: String) {
    if key.trim().is_empty() {
        return state.key_status.set("Paste a key first.".into());
    }
    let kind = state.settings.with_untracked(|s| s.provider);
    match keys::save_key(kind, &key).await {
        Ok(()) => refresh_key_status(state).await,
        Err(error) => state.key_status.set(format!("The key was not saved: {error}")),
    }
}

pub async fn forget_key(state: ChatState) {
    let kind = state.settings.with_untracked(|s| s.provider);
    match keys::forget_key(kind).await {
        Ok(()) => state.key_status.set("Forgotten: this browser no longer holds a key for this provider.".into()),
        Err(error) => state.key_status.set(error),
    }
}

pub async fn load_models(state: ChatState) {
    let config = state.settings.with_untracked(ChatSettings::config);
    let key = keys::load_key(config.kind).await.ok().flatten();
    let Some(request) = models_request(&config, key.as_deref()) else { return say(state, "Save your API key first: the model list needs it.") };
    let Ok(controller) = web_sys::AbortController::new() else { return };
    // The list is small JSON, not a stream: read it whole.
    let body = match super::stream::send(&config, &request, &controller.signal()).await {
        Ok(response) => super::stream::text(&response).await,
        Err(Failure::Error(error)) => return show_error(state, &error),
        Err(Failure::Stopped) => return,
    };
    match parse_models(config.kind, &body) {
        Ok(models) => {
            say(state, format!("{} models available; pick one in the Model field.", models.len()));
            if state.settings.with_untracked(|s| s.model().is_empty()) {
                if let Some(first) = models.first() {
                    state.settings.update(|s| s.set_model(first.id.clone()));
                    save_settings(state).await;
                }
            }
            state.models.set(models);
        }
        Err(error) => say(state, format!("The model list could not be read: {error}")),
    }
}

fn show_error(state: ChatState, error: &ChatError) {
    say(state, describe(error));
}

/// One line for the user: what happened, what to do, what the provider said.
fn describe(error: &ChatError) -> String {
    let mut text = format!("{} {}", error.title, error.advice);
    if let Some(detail) = &error.detail {
        text.push_str(&format!(" (The provider said: {detail})"));
    }
    text
}

pub async fn open(state: ChatState, id: Option<String>) {
    if state.streaming.get_untracked() {
        return;
    }
    state.notice.set(None);
    state.current.set(id.clone());
    let Some(id) = id else {
        state.messages.set(Vec::new());
        state.outcome.set(None);
        return;
    };
    let Ok(store) = shared().await else { return };
    let mut messages: Vec<ChatMessage> = store.records_where(MESSAGES, "conversation", &id).await.unwrap_or_default().iter().filter_map(from_js).collect();
    messages.sort_by_key(|m| m.seq);
    state.messages.set(messages);
    let trace: Option<Trace> = store.record(TRACES, &id).await.ok().flatten().as_ref().and_then(from_js);
    state.outcome.set(trace.and_then(|t| t.outcome));
}

pub async fn rename(state: ChatState, id: String) {
    let Some(mut conversation) = state.conversations.with_untracked(|c| c.iter().find(|c| c.id == id).cloned()) else { return };
    let Some(title) = web_sys::window().and_then(|w| w.prompt_with_message_and_default("Rename this chat", &conversation.title).ok().flatten()) else { return };
    if title.trim().is_empty() {
        return;
    }
    conversation.title = title.trim().to_string();
    if let Ok(store) = shared().await {
        let _ = store.put_records(CONVERSATIONS, &[to_js(&conversation)]).await;
    }
    load_conversations(state).await;
}

pub async fn delete(state: ChatState, id: String) {
    if !browser::confirm("Delete this chat and its messages? Export it first to keep a copy.") {
        return;
    }
    let Ok(store) = shared().await else { return };
    let message_ids: Vec<String> = store.records_where(MESSAGES, "conversation", &id).await.unwrap_or_default().iter().filter_map(from_js::<ChatMessage>).map(|m| m.id).collect();
    let _ = store.delete_records(MESSAGES, &message_ids).await;
    let _ = store.delete_records(TRACES, &[id.clone()]).await;
    let _ = store.delete_records(CONVERSATIONS, &[id.clone()]).await;
    load_conversations(state).await;
    if state.current.get_untracked().as_deref() == Some(id.as_str()) {
        open(state, None).await;
    }
}

pub fn stop() {
    ABORT.with(|a| {
        if let Some(controller) = a.borrow().as_ref() {
            controller.abort();
        }
    });
}

pub fn copy(text: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
}

/// The copy buttons the Markdown renderer puts on code blocks.
pub fn copy_code(event: &leptos::ev::MouseEvent) {
    let Some(target) = event.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
    let Ok(Some(button)) = target.closest("[data-copy]") else { return };
    if let Ok(Some(block)) = button.closest(".code-block") {
        if let Ok(Some(code)) = block.query_selector("code") {
            copy(&code.text_content().unwrap_or_default());
            button.set_text_content(Some("Copied"));
        }
    }
}

pub async fn set_outcome(state: ChatState, outcome: &str) {
    let Some(id) = state.current.get_untracked() else { return };
    let Ok(store) = shared().await else { return };
    let mut trace: Trace = store.record(TRACES, &id).await.ok().flatten().as_ref().and_then(from_js).unwrap_or_default();
    trace.id.clone_from(&id);
    trace.conversation = id;
    trace.outcome = Some(outcome.to_string());
    if store.put_records(TRACES, &[to_js(&trace)]).await.is_ok() {
        state.outcome.set(Some(outcome.to_string()));
    }
}

pub async fn edit_last(state: ChatState) {
    let messages = state.messages.get_untracked();
    let Some(last_user) = messages.iter().rposition(|m| m.role == Role::User) else { return };
    let removed: Vec<String> = messages[last_user..].iter().map(|m| m.id.clone()).collect();
    if let Ok(store) = shared().await {
        let _ = store.delete_records(MESSAGES, &removed).await;
    }
    state.input.set(messages[last_user].text.clone());
    state.messages.set(messages[..last_user].to_vec());
}

pub async fn regenerate(state: ChatState) {
    let messages = state.messages.get_untracked();
    let Some(last) = messages.last().filter(|m| m.role == Role::Assistant) else { return };
    if let Ok(store) = shared().await {
        let _ = store.delete_records(MESSAGES, &[last.id.clone()]).await;
    }
    state.messages.set(messages[..messages.len() - 1].to_vec());
    answer(state).await;
}

pub async fn send(state: ChatState, text: String) {
    // Nothing is kept until it can be answered: the question goes back in the box.
    if let Err(missing) = ready_to_answer(state).await {
        state.input.set(text);
        return say(state, missing);
    }
    let Ok(store) = shared().await else { return };
    let now = browser::now();
    let id = match state.current.get_untracked() {
        Some(id) => id,
        None => {
            let conversation = Conversation { id: new_id(), title: records::title_from(&text), created: now, updated: now };
            let _ = store.put_records(CONVERSATIONS, &[to_js(&conversation)]).await;
            state.current.set(Some(conversation.id.clone()));
            conversation.id
        }
    };
    let seq = state.messages.with_untracked(|m| m.last().map_or(0, |m| m.seq + 1));
    let message = ChatMessage {
        id: new_id(),
        conversation: id,
        seq,
        role: Role::User,
        text,
        created: now,
        model: String::new(),
        skills_used: vec![],
        input_tokens: None,
        output_tokens: None,
        error: None,
        stopped: false,
    };
    if let Err(error) = store.put_records(MESSAGES, &[to_js(&message)]).await {
        return say(state, error.to_string());
    }
    state.messages.update(|m| m.push(message));
    answer(state).await;
}

/// The site's index with the user's skills layered on, for choosing context.
async fn skill_index(state: ChatState) -> Option<SearchIndex> {
    if SITE_INDEX.with(|i| i.borrow().is_none()) {
        let site = crate::site_index::fetch_index(&state.index_url.get_value()).await.ok()?;
        SITE_INDEX.with(|i| *i.borrow_mut() = Some(site));
    }
    let site = SITE_INDEX.with(|i| i.borrow().clone())?;
    Some(crate::site_index::with_user_skills(&site).await)
}

/// A skill's instructions: the user's from the store, the site's from its published SKILL.md.
async fn skill_body(state: ChatState, skill: &llm::OfferedSkill) -> Result<String, String> {
    let text = if skill.user {
        let store = shared().await.map_err(|e| e.to_string())?;
        store.skill(&skill.slug).await.map_err(|e| e.to_string())?.ok_or("the skill is gone")?.skill_md_text()
    } else {
        browser::fetch_text(&format!("{}skills/{}/SKILL.md", state.base.get_value(), skill.slug)).await?
    };
    let split = llmos_core::frontmatter::split("SKILL.md", &text).map_err(|e| e.to_string())?;
    Ok(split.body)
}

/// The provider's key when everything needed to ask is set, else what is missing.
async fn ready_to_answer(state: ChatState) -> Result<Option<String>, String> {
    let settings = state.settings.get_untracked();
    let config = settings.config();
    if settings.model().trim().is_empty() {
        return Err("Choose a model first (the Model field, or List models).".into());
    }
    let key = keys::load_key(config.kind).await.ok().flatten();
    if config.kind.requires_key() && key.is_none() {
        return Err(format!("Save your {} API key first. It stays encrypted in this browser and is sent only to {}.", config.kind.display_name(), super::origin_of(config.base())));
    }
    Ok(key)
}

/// Streams the model's answer to the conversation so far, loading skills
/// when the model asks for them, and keeps whatever arrived.
async fn answer(state: ChatState) {
    let settings = state.settings.get_untracked();
    let config = settings.config();
    let key = match ready_to_answer(state).await {
        Ok(key) => key,
        Err(missing) => return say(state, missing),
    };
    let Ok(controller) = web_sys::AbortController::new() else { return };
    let signal = controller.signal();
    ABORT.with(|a| *a.borrow_mut() = Some(controller));
    state.notice.set(None);
    state.streaming.set(true);
    clear_live(state);

    let history = state.messages.get_untracked();
    let goal_text = history.iter().rev().find(|m| m.role == Role::User).map(|m| m.text.clone()).unwrap_or_default();
    let offered = match skill_index(state).await {
        Some(index) => llm::offer_skills(&index, &goal_text, OFFERED_SKILLS),
        None => Vec::new(),
    };
    // Local servers often lack tool calling: they get the text convention.
    let tools_supported = config.kind != ProviderKind::OpenAiCompatible;
    let system = llm::system_prompt(Some(&settings.system), &offered, tools_supported);
    let tools = if tools_supported && !offered.is_empty() { vec![llm::load_skill_tool(&offered)] } else { Vec::new() };
    let mut messages = records::history_messages(&history);
    let mut used: Vec<SkillLink> = Vec::new();
    let mut tool_calls: Vec<TraceToolCall> = Vec::new();
    let mut markdown = IncrementalMarkdown::new();
    let mut final_reply = Reply::default();
    let mut failure: Option<Failure> = None;
    let started = browser::now();
    let mut first_token: Option<f64> = None;

    for round in 0..=MAX_SKILL_LOADS {
        let request = build_request(&config, key.as_deref(), &records::request(&settings, system.clone(), messages.clone(), if round < MAX_SKILL_LOADS { tools.clone() } else { Vec::new() }));
        let mut reply = Reply::default();
        let result = stream(&config, &request, &signal, |event| {
            reply.apply(event);
            if let StreamEvent::TextDelta(text) = event {
                first_token.get_or_insert_with(|| browser::now() - started);
                show_update(state, markdown.push(text));
            }
        })
        .await;
        if let Err(stopped_or_failed) = result {
            final_reply.text.push_str(&reply.text);
            failure = Some(stopped_or_failed);
            break;
        }
        // A skill requested by tool call, or (without tools) by the text convention.
        let by_tool = reply.tool_calls.iter().find_map(|call| Some((call, llm::requested_by_tool(&call.name, &call.arguments, &offered)?)));
        let by_text = if tools_supported { None } else { llm::requested_by_text(&reply.text, &offered) };
        let requested = by_tool.map(|(_, skill)| skill).or(by_text).cloned();
        if let (Some(skill), true) = (requested, round < MAX_SKILL_LOADS && reply.error.is_none()) {
            let body = skill_body(state, &skill).await.unwrap_or_else(|e| format!("(The skill could not be loaded: {e})"));
            if !used.iter().any(|u| u.slug == skill.slug) {
                used.push(SkillLink { slug: skill.slug.clone(), name: skill.name.clone(), user: skill.user });
            }
            match by_tool {
                Some((call, _)) => {
                    tool_calls.push(TraceToolCall { name: call.name.clone(), arguments: call.arguments.clone() });
                    messages.push(reply.to_message());
                    messages.push(Message::User { text: String::new(), tool_results: vec![ToolResult { call_id: call.id.clone(), name: call.name.clone(), content: body, is_error: false }] });
                    // Text the model wrote before calling stays in the answer.
                    final_reply.text.push_str(&reply.text);
                }
                None => {
                    tool_calls.push(TraceToolCall { name: "LOAD_SKILL".into(), arguments: skill.slug.clone() });
                    messages.push(Message::assistant(reply.text.clone()));
                    messages.push(Message::user(format!("The instructions of the skill `{}`:\n\n{body}\n\nNow answer my previous message following them.", skill.slug)));
                    // The convention line is not part of the answer.
                    markdown = IncrementalMarkdown::new();
                    clear_live(state);
                    show_update(state, markdown.push(&final_reply.text));
                }
            }
            final_reply.input_tokens = reply.input_tokens.or(final_reply.input_tokens);
            continue;
        }
        final_reply.text.push_str(&reply.text);
        final_reply.input_tokens = reply.input_tokens.or(final_reply.input_tokens);
        final_reply.output_tokens = reply.output_tokens;
        final_reply.error = reply.error;
        break;
    }
    ABORT.with(|a| *a.borrow_mut() = None);

    let (error, stopped) = match failure {
        Some(Failure::Stopped) => (None, true),
        Some(Failure::Error(error)) => (Some(describe(&error)), false),
        None => (final_reply.error.as_ref().map(|(kind, message)| stream_error(*kind, message)), false),
    };
    let conversation = state.current.get_untracked().unwrap_or_default();
    let seq = state.messages.with_untracked(|m| m.last().map_or(0, |m| m.seq + 1));
    let reply_message = ChatMessage {
        id: new_id(),
        conversation: conversation.clone(),
        seq,
        role: Role::Assistant,
        text: final_reply.text,
        created: browser::now(),
        model: settings.model(),
        skills_used: used.clone(),
        input_tokens: final_reply.input_tokens,
        output_tokens: final_reply.output_tokens,
        error: error.clone(),
        stopped,
    };
    let Ok(store) = shared().await else { return };
    let saved = store.put_records(MESSAGES, &[to_js(&reply_message)]).await;
    state.messages.update(|m| m.push(reply_message));
    state.streaming.set(false);
    if let Err(error) = saved {
        say(state, format!("The answer could not be saved: {error}"));
    }

    // The conversation moves to the top; its trace records this turn.
    if let Some(mut conv) = state.conversations.with_untracked(|c| c.iter().find(|c| c.id == conversation).cloned()).or_else(|| {
        Some(Conversation { id: conversation.clone(), title: records::title_from(&goal_text), created: started, updated: started })
    }) {
        conv.updated = browser::now();
        let _ = store.put_records(CONVERSATIONS, &[to_js(&conv)]).await;
    }
    let mut trace: Trace = store.record(TRACES, &conversation).await.ok().flatten().as_ref().and_then(from_js).unwrap_or_default();
    if trace.id.is_empty() {
        trace.id.clone_from(&conversation);
        trace.conversation.clone_from(&conversation);
        trace.goal = history.iter().find(|m| m.role == Role::User).map(|m| m.text.clone()).unwrap_or_default();
    }
    trace.provider = super::provider_id(config.kind);
    trace.model = settings.model();
    for skill in &offered {
        if !trace.skills_offered.contains(&skill.slug) {
            trace.skills_offered.push(skill.slug.clone());
        }
    }
    for skill in &used {
        if !trace.skills_used.contains(&skill.slug) {
            trace.skills_used.push(skill.slug.clone());
        }
    }
    trace.tool_calls.extend(tool_calls);
    trace.turns.push(TraceTurn { started, first_token_ms: first_token, total_ms: browser::now() - started, ok: error.is_none() && !stopped });
    let _ = store.put_records(TRACES, &[to_js(&trace)]).await;
    load_conversations(state).await;
}

fn stream_error(kind: llm::StreamErrorKind, message: &str) -> String {
    match kind {
        llm::StreamErrorKind::Interrupted => "The connection dropped before the answer was complete; what arrived is kept. Regenerate to try again.".to_string(),
        llm::StreamErrorKind::Overloaded => format!("The provider is overloaded ({message}). What arrived is kept; regenerate in a moment."),
        llm::StreamErrorKind::RateLimited => format!("The provider's rate limit was reached ({message}). What arrived is kept; wait a little, then regenerate."),
        _ => format!("The provider stopped with an error: {message}. What arrived is kept."),
    }
}

fn clear_live(state: ChatState) {
    for node in [state.live_frozen.get_untracked(), state.live_tail.get_untracked()].into_iter().flatten() {
        node.set_inner_html("");
    }
}

fn show_update(state: ChatState, update: llmos_core::Update) {
    if !update.frozen_html_appended.is_empty() {
        if let Some(frozen) = state.live_frozen.get_untracked() {
            let _ = frozen.insert_adjacent_html("beforeend", &update.frozen_html_appended);
        }
    }
    if let Some(tail) = state.live_tail.get_untracked() {
        tail.set_inner_html(&update.tail_html);
    }
}

pub async fn export_json(state: ChatState) {
    let Ok(store) = shared().await else { return };
    let export = Export {
        format: records::EXPORT_FORMAT.into(),
        conversations: store.records(CONVERSATIONS).await.unwrap_or_default().iter().filter_map(from_js).collect(),
        messages: store.records(MESSAGES).await.unwrap_or_default().iter().filter_map(from_js).collect(),
        traces: store.records(TRACES).await.unwrap_or_default().iter().filter_map(from_js).collect(),
    };
    let json = serde_json::to_string_pretty(&export).expect("records serialise");
    if let Err(error) = browser::download("llmos-chats.json", json.as_bytes(), "application/json") {
        say(state, error);
    }
}

pub async fn export_markdown(state: ChatState) {
    let Some(id) = state.current.get_untracked() else { return say(state, "Open a chat to export it.") };
    let Some(conversation) = state.conversations.with_untracked(|c| c.iter().find(|c| c.id == id).cloned()) else { return };
    let markdown = records::to_markdown(&conversation, &state.messages.get_untracked());
    if let Err(error) = browser::download("chat.md", markdown.as_bytes(), "text/markdown") {
        say(state, error);
    }
}

pub async fn import_json(state: ChatState, files: Vec<web_sys::File>) {
    let Ok(read) = browser::read_files(&files).await else { return say(state, "The file could not be read.") };
    let Some((name, bytes)) = read.into_iter().next() else { return };
    let export: Export = match serde_json::from_slice(&bytes) {
        Ok(export) => export,
        Err(error) => return say(state, format!("{name} is not a chat export ({error}); nothing was imported.")),
    };
    if export.format != records::EXPORT_FORMAT {
        return say(state, format!("{name} has format {:?}; this version reads {:?}. Nothing was imported.", export.format, records::EXPORT_FORMAT));
    }
    let Ok(store) = shared().await else { return };
    let result = async {
        store.put_records(CONVERSATIONS, &export.conversations.iter().map(to_js).collect::<Vec<_>>()).await?;
        store.put_records(MESSAGES, &export.messages.iter().map(to_js).collect::<Vec<_>>()).await?;
        store.put_records(TRACES, &export.traces.iter().map(to_js).collect::<Vec<_>>()).await
    }
    .await;
    match result {
        Ok(()) => say(state, format!("Imported {} chats.", export.conversations.len())),
        Err(error) => say(state, error.to_string()),
    }
    load_conversations(state).await;
}
