//! What the chat does besides answering (`answer`): load and save
//! conversations, settings and the key, the model list, export and import,
//! and the small actions.

pub use super::answer::{continue_answer, regenerate, resend, send, stop};
use super::key_origin::{self, Blocked, Then};
use super::records::{self, ChatMessage, ChatSettings, Conversation, Export, Role, Trace};
use super::stream::Failure;
use super::{keys, ChatState};
use crate::browser;
use crate::store::schema::{CONVERSATIONS, MESSAGES, SETTINGS, TRACES};
use crate::store::shared;
use leptos::prelude::*;
use llmos_core::llm::{describe_models_error, models_request, parse_models, ChatError};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

pub(super) fn to_js<T: Serialize>(value: &T) -> JsValue {
    js_sys::JSON::parse(&serde_json::to_string(value).expect("records serialise")).unwrap_or(JsValue::NULL)
}

pub(super) fn from_js<T: DeserializeOwned>(value: &JsValue) -> Option<T> {
    serde_json::from_str(&js_sys::JSON::stringify(value).ok()?.as_string()?).ok()
}

pub(super) fn new_id() -> String {
    format!("{:x}-{:08x}", browser::now() as u64, (js_sys::Math::random() * 4_294_967_295.0) as u32)
}

pub(super) fn say(state: ChatState, text: impl Into<String>) {
    state.notice.set(Some(text.into()));
}

/// Where the conversation column ends on the page, and where the screen ends.
fn ends(state: ChatState) -> Option<(f64, f64)> {
    let window = web_sys::window()?;
    let main = state.main.get_untracked()?;
    let screen = window.scroll_y().ok()? + window.inner_height().ok()?.as_f64()?;
    Some((f64::from(main.offset_top() + main.offset_height()), screen))
}

/// Whether the reader is at the end of the conversation (following it),
/// rather than scrolled up to read.
pub(super) fn at_end(state: ChatState) -> bool {
    ends(state).is_none_or(|(end, screen)| end <= screen + 160.0)
}

/// Brings the end of the conversation, and the composer under it, to the
/// bottom of the screen (only ever down: a short chat stays where it is).
pub(super) fn show_end(state: ChatState) {
    if let (Some((end, screen)), Some(main)) = (ends(state), state.main.get_untracked()) {
        if end > screen {
            main.scroll_into_view_with_bool(false);
        }
    }
}

/// `show_end` once the page has drawn what just changed.
pub(super) fn show_end_soon(state: ChatState) {
    request_animation_frame(move || show_end(state));
}

pub async fn start(state: ChatState) {
    // Fetched alongside the settings and history, which usually need it.
    leptos::task::spawn_local(async {
        let _ = crate::kit::load().await;
    });
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
    // "Use in chat" starts a new chat with the skill; otherwise the latest chat reopens.
    let wanted = browser::query_parameter("skill").filter(|n| !n.trim().is_empty());
    let latest = if wanted.is_some() { None } else { state.conversations.with_untracked(|c| c.first().map(|c| c.id.clone())) };
    open(state, latest).await;
    if let Some(wanted) = wanted {
        attach(state, &wanted).await;
    }
}

/// Attaches the skill named `wanted` (its slug or name; the user's own
/// when they have one of that name) to the next message, and takes it out
/// of the address, so a reload does not attach it again.
async fn attach(state: ChatState, wanted: &str) {
    if let Some(url) = browser::url_without_parameter("skill") {
        browser::replace_url(&url);
    }
    let Some(index) = super::answer::skill_index(state).await else { return say(state, format!("The skill {wanted} could not be attached: the site's skill list did not load.")) };
    match index.docs.iter().find(|d| d.slug == wanted).or_else(|| index.docs.iter().find(|d| d.name == wanted)) {
        Some(doc) => state.attached.set(Some(records::SkillLink { slug: doc.slug.clone(), name: doc.name.clone(), user: doc.user })),
        None => say(state, format!("There is no skill named {wanted} on this site or among yours, so no skill is attached.")),
    }
}

pub(super) async fn load_conversations(state: ChatState) {
    let Ok(store) = shared().await else { return };
    let mut list: Vec<Conversation> = store.records(CONVERSATIONS).await.unwrap_or_default().iter().filter_map(from_js).collect();
    list.sort_by(|a, b| b.updated.total_cmp(&a.updated));
    state.conversations.set(list);
}

pub(super) async fn refresh_key_status(state: ChatState) {
    let kind = state.settings.with_untracked(|s| s.provider);
    state.key_status.set(match keys::load_key(kind).await {
        Ok(Some(saved)) => {
            state.key_origin.set(saved.origin);
            "saved".into()
        }
        Ok(None) => "none".into(),
        Err(error) => error,
    });
}

/// Says why a request was not sent (a question on the page says itself).
pub(super) fn say_blocked(state: ChatState, blocked: Blocked) {
    if let Blocked::Refused(reason) = blocked {
        say(state, reason);
    }
}

pub async fn save_settings(state: ChatState) {
    // A question about another base URL or provider is moot now.
    state.origin_question.set(None);
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
    let config = state.settings.with_untracked(ChatSettings::config);
    // The key is bound to where the base URL points as it is saved.
    let origin = match key_origin::base_origin(config.base()) {
        Ok(origin) => origin,
        Err(problem) => return state.key_status.set(format!("The key was not saved. {problem}")),
    };
    match keys::save_key(config.kind, &key, &origin).await {
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
    let key = match key_origin::key_for_request(state, Then::ListModels).await {
        Ok(key) => key,
        Err(blocked) => return say_blocked(state, blocked),
    };
    let Some(request) = models_request(&config, key.as_deref()) else { return say(state, "Save your API key first: the model list needs it.") };
    let Ok(controller) = web_sys::AbortController::new() else { return };
    // The list is small JSON, not a stream: read it whole.
    let body = match super::stream::send(&config, &request, &controller.signal(), describe_models_error).await {
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
pub(super) fn describe(error: &ChatError) -> String {
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
    // Answers are Markdown: the renderer is fetched before they are shown.
    if messages.iter().any(|m| m.role == Role::Assistant) {
        let _ = crate::kit::load().await;
    }
    state.messages.set(messages);
    let trace: Option<Trace> = store.record(TRACES, &id).await.ok().flatten().as_ref().and_then(from_js);
    state.outcome.set(trace.and_then(|t| t.outcome));
    show_end_soon(state);
}

/// Keeps `title` as the conversation's title (a blank one changes nothing).
pub async fn rename(state: ChatState, id: String, title: String) {
    let Some(mut conversation) = state.conversations.with_untracked(|c| c.iter().find(|c| c.id == id).cloned()) else { return };
    if title.trim().is_empty() || title.trim() == conversation.title {
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
    // A trace the user kept on purpose (on the traces page) outlives its chat.
    let kept = store.record(TRACES, &id).await.ok().flatten().as_ref().and_then(from_js::<Trace>).is_some_and(|t| t.kept);
    if !kept {
        let _ = store.delete_records(TRACES, std::slice::from_ref(&id)).await;
    }
    let _ = store.delete_records(CONVERSATIONS, std::slice::from_ref(&id)).await;
    load_conversations(state).await;
    if state.current.get_untracked().as_deref() == Some(id.as_str()) {
        open(state, None).await;
    }
}


pub fn copy(text: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
}

/// The buttons of the messages: in a message (`data-action` on a row
/// marked with `data-id`), and the copy buttons the Markdown renderer puts
/// on code blocks.
pub fn message_click(state: ChatState, event: &leptos::ev::MouseEvent) {
    let Some(target) = event.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
    if let Ok(Some(button)) = target.closest("[data-action]") {
        let id = button.closest("[data-id]").ok().flatten().and_then(|row| row.get_attribute("data-id")).unwrap_or_default();
        match button.get_attribute("data-action").as_deref() {
            Some("copy") => copy(&state.messages.with_untracked(|ms| ms.iter().find(|m| m.id == id).map(|m| m.text.clone()).unwrap_or_default())),
            Some("resend") => leptos::task::spawn_local(resend(state, id)),
            _ => {}
        }
        return;
    }
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
    // From text rather than bytes: `from_slice` would compile a second copy
    // of every record's deserializer into the bundle (the stores use `from_str`).
    let Ok(text) = String::from_utf8(bytes) else { return say(state, format!("{name} is not a chat export (it is not UTF-8 text); nothing was imported.")) };
    let export: Export = match serde_json::from_str(&text) {
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
