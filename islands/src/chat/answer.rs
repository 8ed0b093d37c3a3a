//! Answering: a message goes to the provider (only once its key may go
//! there, see `key_origin`), the answer streams into the page with the
//! catalogue's skills loaded as the model asks for them, and the turn is
//! kept with its trace.

use super::actions::{describe, from_js, load_conversations, new_id, say, say_blocked, to_js};
use super::key_origin::{self, Blocked, Then};
use super::records::{self, ChatMessage, Conversation, Role, SkillLink, Trace, TraceToolCall, TraceTurn};
use super::stream::{stream, Failure};
use super::ChatState;
use crate::browser;
use crate::store::schema::{CONVERSATIONS, MESSAGES, TRACES};
use crate::store::{shared, SkillStore};
use leptos::prelude::*;
use llmos_core::llm::{self, build_request, Message, ProviderKind, Reply, StreamEvent, ToolResult, OFFERED_SKILLS};
use llmos_core::{IncrementalMarkdown, SearchIndex};
use std::cell::RefCell;

/// Rounds of skill loading before the model must answer.
const MAX_SKILL_LOADS: usize = 3;

thread_local! {
    static ABORT: RefCell<Option<web_sys::AbortController>> = const { RefCell::new(None) };
    static SITE_INDEX: RefCell<Option<SearchIndex>> = const { RefCell::new(None) };
}

pub fn stop() {
    ABORT.with(|a| {
        if let Some(controller) = a.borrow().as_ref() {
            controller.abort();
        }
    });
}

pub async fn regenerate(state: ChatState) {
    let messages = state.messages.get_untracked();
    let Some(last) = messages.last().filter(|m| m.role == Role::Assistant) else { return };
    // Asked before the old answer goes, so a refusal keeps it.
    let key = match ready_to_answer(state, Then::Regenerate).await {
        Ok(key) => key,
        Err(blocked) => return say_blocked(state, blocked),
    };
    if let Ok(store) = shared().await {
        let _ = store.delete_records(MESSAGES, std::slice::from_ref(&last.id)).await;
    }
    state.messages.set(messages[..messages.len() - 1].to_vec());
    answer(state, key).await;
}

pub async fn send(state: ChatState, text: String) {
    // Nothing is kept until it can be answered: the question goes back in the box.
    let key = match ready_to_answer(state, Then::Send).await {
        Ok(key) => key,
        Err(blocked) => {
            state.input.set(text);
            return say_blocked(state, blocked);
        }
    };
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
    answer(state, key).await;
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

/// The provider's key when everything needed to ask is set and the key may
/// go where the base URL points, else why not.
async fn ready_to_answer(state: ChatState, then: Then) -> Result<Option<String>, Blocked> {
    let settings = state.settings.get_untracked();
    let config = settings.config();
    if settings.model().trim().is_empty() {
        return Err(Blocked::Refused("Choose a model first (the Model field, or List models).".into()));
    }
    let key = key_origin::key_for_request(state, then).await?;
    if config.kind.requires_key() && key.is_none() {
        let origin = key_origin::base_origin(config.base()).unwrap_or_default();
        return Err(Blocked::Refused(format!("Save your {} API key first. It stays encrypted in this browser and is sent only to {origin}.", config.kind.display_name())));
    }
    Ok(key)
}

/// Streams the model's answer to the conversation so far, loading skills
/// when the model asks for them, and keeps whatever arrived. `key` is the
/// one `ready_to_answer` let through for this base URL.
async fn answer(state: ChatState, key: Option<String>) {
    let settings = state.settings.get_untracked();
    let config = settings.config();
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
