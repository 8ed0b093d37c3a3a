//! Answering: a message goes to the provider (only once its key may go
//! there, see `key_origin`), and `turn` streams the answer. Besides a new
//! question: regenerate the last answer, resend a failed turn's question,
//! and continue an answer that was cut off.

use super::actions::{new_id, say, say_blocked, show_end_soon, to_js};
use super::key_origin::{self, Blocked, Then};
use super::records::{self, ChatMessage, Conversation, Role};
use super::turn::{answer, Mode};
use super::ChatState;
use crate::browser;
use crate::store::schema::{CONVERSATIONS, MESSAGES};
use crate::store::{shared, SkillStore};
use leptos::prelude::*;
use llmos_core::llm;
use std::cell::RefCell;

thread_local! {
    pub(super) static ABORT: RefCell<Option<web_sys::AbortController>> = const { RefCell::new(None) };
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
    answer(state, key, Mode::Fresh).await;
}

/// Asks again a question whose turn failed: the last answer is replaced,
/// an earlier one stays (left out) and its question is asked anew.
pub async fn resend(state: ChatState, answer_id: String) {
    if state.streaming.get_untracked() {
        return;
    }
    let messages = state.messages.get_untracked();
    let Some(at) = messages.iter().position(|m| m.id == answer_id) else { return };
    if at + 1 == messages.len() {
        return regenerate(state).await;
    }
    if let Some(question) = at.checked_sub(1).and_then(|i| messages.get(i)).filter(|m| m.role == Role::User) {
        send(state, question.text.clone()).await;
    }
}

/// Asks for the rest of the last answer, cut off at the output limit (or
/// paused): it continues in place, and the turn stays one answer.
pub async fn continue_answer(state: ChatState) {
    let Some(last) = state.messages.with_untracked(|m| m.last().cloned()).filter(|m| m.role == Role::Assistant && !state.streaming.get_untracked()) else { return };
    let key = match ready_to_answer(state, Then::Continue).await {
        Ok(key) => key,
        Err(blocked) => return say_blocked(state, blocked),
    };
    answer(state, key, Mode::Continue(Box::new(last))).await;
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
        // A question's "skills used" are those the user attached to it.
        skills_used: state.attached.get_untracked().into_iter().collect(),
        input_tokens: None,
        output_tokens: None,
        error: None,
        stopped: false,
        reasoning: String::new(),
        ending: None,
        finish_reason: None,
        runs: Vec::new(),
    };
    if let Err(error) = store.put_records(MESSAGES, &[to_js(&message)]).await {
        return say(state, error.to_string());
    }
    // Attached to this message only.
    state.attached.set(None);
    state.messages.update(|m| m.push(message));
    show_end_soon(state);
    answer(state, key, Mode::Fresh).await;
}

/// The site's index with the user's skills layered on, for choosing
/// context: ranked in the search kit, which is fetched with the index the
/// first time a message needs it.
pub(super) async fn skill_index(state: ChatState) -> Option<crate::search_kit::ChatSkills> {
    crate::search_kit::chat_skills(&state.index_url.get_value()).await.ok()
}

/// A skill's instructions: the user's from the store, the site's from its published SKILL.md.
pub(super) async fn skill_body(state: ChatState, skill: &llm::OfferedSkill) -> Result<String, String> {
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
pub(super) async fn ready_to_answer(state: ChatState, then: Then) -> Result<Option<String>, Blocked> {
    let settings = state.settings.get_untracked();
    let config = settings.config();
    if settings.model().trim().is_empty() {
        // Everything missing at once, the key first: it is what a new user lacks.
        if config.kind.requires_key() && state.key_status.get_untracked() == "none" {
            let origin = key_origin::base_origin(config.base()).unwrap_or_default();
            return Err(Blocked::Refused(format!(
                "Two things first: save your {} API key (it stays encrypted in this browser and is sent only to {origin}), then choose a model (the Model field, or List models).",
                config.kind.display_name()
            )));
        }
        return Err(Blocked::Refused("Choose a model first (the Model field, or List models).".into()));
    }
    let key = key_origin::key_for_request(state, then).await?;
    if config.kind.requires_key() && key.is_none() {
        let origin = key_origin::base_origin(config.base()).unwrap_or_default();
        return Err(Blocked::Refused(format!("Save your {} API key first. It stays encrypted in this browser and is sent only to {origin}.", config.kind.display_name())));
    }
    Ok(key)
}
