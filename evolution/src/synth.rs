//! Synthesis with the user's own provider, only when they turned it on:
//! the core's prompt from the pattern's traces goes to the provider and
//! model set in the chat, with the key saved there (sent only to the
//! origin it is bound to). The answer is checked with `llmos check`'s
//! rules; an invalid one is sent back with the diagnostics, up to
//! `ATTEMPTS` times, and nothing invalid is ever shown as the proposal.

use crate::model::{with_provenance, Proposal};
use llmos_core::evolution::synthesis::{check_synthesised, retry_prompt, strip_wrapping, synthesis_prompt};
use llmos_core::evolution::TraceInput;
use llmos_core::llm::{build_request, ChatRequest, Message, StreamEvent};
use llmos_islands::browser::{field, record_from_js};
use llmos_islands::provider::{base_origin, keys, stream};
use llmos_islands::records::ChatSettings;
use llmos_islands::store::schema::SETTINGS;

/// Answers asked for at most, the first included.
pub const ATTEMPTS: usize = 3;

/// What a synthesis gave: the checked SKILL.md (with provenance) and how many answers it took.
pub struct Written {
    pub skill_md: String,
    pub attempts: usize,
    pub model: String,
}

/// The chat's settings, as it stored them.
pub(crate) async fn settings() -> Result<ChatSettings, String> {
    let store = llmos_islands::store::shared().await.map_err(|e| e.message)?;
    let record = store.record(SETTINGS, "chat").await.map_err(|e| e.message)?.ok_or("Set up a provider and model in the chat first: synthesis uses the same ones.")?;
    record_from_js(&field(&record, "value")).ok_or_else(|| "The chat's settings could not be read; open the chat and save them again.".to_string())
}

/// The saved key of `config`'s provider, if it may go there: only to the
/// origin the user bound it to (the chat asks before rebinding); `None`
/// for a local server that needs none.
pub(crate) async fn key_for(config: &llmos_core::llm::ProviderConfig) -> Result<Option<String>, String> {
    let saved = keys::load_key(config.kind).await?;
    Ok(match saved {
        Some(saved) => {
            // The key goes only where the user bound it; the chat asks before rebinding.
            if base_origin(config.base()).ok().as_deref() != Some(saved.origin.as_str()) {
                return Err(format!("Your key is bound to {}, but the chat's base URL points elsewhere: send one message in the chat to confirm the new address first.", saved.origin));
            }
            Some(saved.key)
        }
        None if config.kind.requires_key() => return Err(format!("No {} key is saved: add it in the chat's settings.", config.kind.display_name())),
        None => None,
    })
}

/// Asks the user's model for `proposal`'s skill, retrying with the
/// diagnostics while the answer is invalid.
pub async fn synthesise(proposal: &Proposal, traces: &[TraceInput]) -> Result<Written, String> {
    let settings = settings().await?;
    let config = settings.config();
    let model = settings.model();
    if model.trim().is_empty() {
        return Err("Choose a model in the chat's settings first.".into());
    }
    let key = key_for(&config).await?;
    let mut messages = vec![Message::user(synthesis_prompt(&proposal.pattern, traces))];
    let mut problems = String::new();
    for attempt in 1..=ATTEMPTS {
        let request = ChatRequest { model: model.clone(), system: None, messages: messages.clone(), tools: Vec::new(), max_tokens: settings.max_tokens(), temperature: None };
        let http = build_request(&config, key.as_deref(), &request);
        let signal = web_sys::AbortController::new().map_err(llmos_islands::browser::js_error)?.signal();
        let mut answer = String::new();
        let mut failure = None;
        let streamed = stream::stream(&config, &http, &signal, |event| match event {
            StreamEvent::TextDelta(text) => answer.push_str(text),
            StreamEvent::Error { message, .. } => failure = Some(message.clone()),
            _ => {}
        })
        .await;
        match streamed {
            Err(stream::Failure::Error(error)) => return Err(format!("{} {}", error.title, error.advice)),
            Err(stream::Failure::Stopped) => return Err("Stopped.".into()),
            Ok(()) => {}
        }
        if let Some(message) = failure {
            return Err(format!("The answer broke off: {message}"));
        }
        let checked = check_synthesised(&answer, &proposal.name).and_then(|_| {
            let text = with_provenance(&strip_wrapping(&answer), &proposal.skill_md, &model);
            check_synthesised(&text, &proposal.name).map(|_| text)
        });
        match checked {
            Ok(skill_md) => return Ok(Written { skill_md, attempts: attempt, model }),
            Err(diagnostics) => {
                problems = diagnostics.iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("; ");
                messages.push(Message::assistant(answer));
                messages.push(Message::user(retry_prompt(&diagnostics)));
            }
        }
    }
    Err(format!("The model's SKILL.md was still invalid after {ATTEMPTS} answers ({problems}), so nothing was kept: the proposal stays the template."))
}
