//! What the chat does besides answering (`answer`): load and save
//! conversations, settings and the key, the model list, export and import,
//! and the small actions.

pub use super::answer::{continue_answer, regenerate, resend, send, stop};
use super::key_origin::{self, Blocked, Then};
use super::records::{self, from_json, trace_json, ChatMessage, ChatSettings, Conversation, Role};
use super::stream::Failure;
use super::{keys, ChatState};
use crate::browser;
use crate::store::schema::{CONVERSATIONS, MESSAGES, SETTINGS, TRACES};
use crate::store::shared;
use leptos::prelude::*;
use llmos_core::llm::{describe_models_error, models_request, parse_models, ChatError};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};

pub(super) fn to_js<T: Serialize>(value: &T) -> JsValue {
    js_sys::JSON::parse(&serde_json::to_string(value).expect("records serialise")).unwrap_or(JsValue::NULL)
}

/// A stored record as a JSON value.
pub(super) fn from_js(value: &JsValue) -> Option<Value> {
    serde_json::from_str(&js_sys::JSON::stringify(value).ok()?.as_string()?).ok()
}

/// A stored record read by `read` (one of `records::from_json`'s readers).
pub(super) fn read_record<T>(value: &JsValue, read: fn(&Value) -> Option<T>) -> Option<T> {
    read(&from_js(value)?)
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
        if let Some(settings) = read_record(&browser::field(&record, "value"), from_json::settings) {
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
    let mut list: Vec<Conversation> = store.records(CONVERSATIONS).await.unwrap_or_default().iter().filter_map(|r| read_record(r, from_json::conversation)).collect();
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
    // Titles are headings ("Could not reach Anthropic", "… (HTTP 429)"): a
    // full stop parts them from the advice that follows.
    let stop = if error.title.ends_with(['.', '!', '?']) { "" } else { "." };
    let mut text = format!("{}{stop} {}", error.title, error.advice);
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
    let mut messages: Vec<ChatMessage> = store.records_where(MESSAGES, "conversation", &id).await.unwrap_or_default().iter().filter_map(|r| read_record(r, from_json::message)).collect();
    messages.sort_by_key(|m| m.seq);
    // Answers are Markdown: the renderer is fetched before they are shown.
    if messages.iter().any(|m| m.role == Role::Assistant) {
        let _ = crate::kit::load().await;
    }
    state.messages.set(messages);
    let trace = trace_json::stored(store.record(TRACES, &id).await.ok().flatten().as_ref().and_then(from_js));
    state.outcome.set(trace.as_ref().and_then(trace_json::outcome));
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
    let message_ids: Vec<String> = store.records_where(MESSAGES, "conversation", &id).await.unwrap_or_default().iter().filter_map(|m| browser::field(m, "id").as_string()).collect();
    let _ = store.delete_records(MESSAGES, &message_ids).await;
    // A trace the user kept on purpose (on the traces page) outlives its chat.
    let kept = store.record(TRACES, &id).await.ok().flatten().as_ref().and_then(from_js).is_some_and(|t| trace_json::kept(&t));
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
    let mut trace = trace_json::or_new(store.record(TRACES, &id).await.ok().flatten().as_ref().and_then(from_js), &id);
    trace_json::set_outcome(&mut trace, outcome);
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


/// Every conversation, message and trace as stored, in one JSON file
/// (`records::EXPORT_FORMAT`). The records are JavaScript objects already:
/// the browser writes them (`JSON.stringify`), so the bundle carries no
/// serialiser of the export of its own.
pub async fn export_json(state: ChatState) {
    let Ok(store) = shared().await else { return };
    let export = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&export, &"format".into(), &records::EXPORT_FORMAT.into());
    for (key, name) in [("conversations", CONVERSATIONS), ("messages", MESSAGES), ("traces", TRACES)] {
        let list: js_sys::Array = store.records(name).await.unwrap_or_default().into_iter().collect();
        let _ = js_sys::Reflect::set(&export, &key.into(), &list);
    }
    let json = js_sys::JSON::stringify_with_replacer_and_space(&export, &JsValue::NULL, &JsValue::from(2)).ok().and_then(|t| t.as_string()).unwrap_or_default();
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

/// The records of the export's list `key`, each read as a `T` (checked
/// whole before anything is stored), or which one is not and why.
fn export_list<T>(export: &JsValue, key: &str, what: &str, read: impl Fn(&Value) -> Result<T, String>) -> Result<Vec<(JsValue, T)>, String> {
    let list = browser::field(export, key);
    if !js_sys::Array::is_array(&list) {
        return Err(format!("its `{key}` is not a list"));
    }
    let list = js_sys::Array::from(&list);
    let count = list.length();
    list.iter()
        .enumerate()
        .map(|(i, record)| {
            let read = from_js(&record).ok_or_else(|| "it is not JSON data".to_string()).and_then(|value| read(&value));
            read.map(|typed| (record, typed)).map_err(|why| format!("{what} {} of {count} cannot be read: {why}", i + 1))
        })
        .collect()
}

pub async fn import_json(state: ChatState, files: Vec<web_sys::File>) {
    let Ok(read) = browser::read_files(&files).await else { return say(state, "The file could not be read.") };
    let Some((name, bytes)) = read.into_iter().next() else { return };
    let Ok(text) = String::from_utf8(bytes) else { return say(state, format!("{name} is not a chat export (it is not UTF-8 text); nothing was imported.")) };
    // The browser's JSON reader; each record is then checked as the chat reads it.
    let export = match js_sys::JSON::parse(&text) {
        Ok(export) if export.is_object() => export,
        Ok(_) => return say(state, format!("{name} is not a chat export (it holds no JSON object); nothing was imported.")),
        Err(error) => return say(state, format!("{name} is not a chat export ({}); nothing was imported.", browser::js_error(error))),
    };
    let format = browser::field(&export, "format").as_string().unwrap_or_default();
    if format != records::EXPORT_FORMAT {
        return say(state, format!("{name} has format {}; this version reads {}. Nothing was imported.", llmos_core::quoted(&format), llmos_core::quoted(records::EXPORT_FORMAT)));
    }
    const FIELDS: &str = "a field is missing or of the wrong type";
    let lists = export_list(&export, "conversations", "chat", |r| from_json::conversation(r).ok_or_else(|| FIELDS.to_string())).and_then(|conversations| {
        let messages = export_list(&export, "messages", "message", |r| from_json::message(r).ok_or_else(|| FIELDS.to_string()))?;
        let traces = export_list(&export, "traces", "trace", |trace| trace_json::problem(trace).map_or(Ok(()), Err))?;
        Ok((conversations, messages, traces))
    });
    let (conversations, messages, traces) = match lists {
        Ok(lists) => lists,
        Err(why) => return say(state, format!("{name} is not a chat export ({why}); nothing was imported.")),
    };
    let Ok(store) = shared().await else { return };
    let result = async {
        store.put_records(CONVERSATIONS, &conversations.iter().map(|(_, c)| to_js(c)).collect::<Vec<_>>()).await?;
        store.put_records(MESSAGES, &messages.iter().map(|(_, m)| to_js(m)).collect::<Vec<_>>()).await?;
        store.put_records(TRACES, &traces.into_iter().map(|(record, ())| record).collect::<Vec<_>>()).await
    }
    .await;
    match result {
        Ok(()) => say(state, format!("Imported {} chat{}.", conversations.len(), if conversations.len() == 1 { "" } else { "s" })),
        Err(error) => say(state, error.to_string()),
    }
    load_conversations(state).await;
}
