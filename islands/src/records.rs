//! What the chat keeps in IndexedDB: conversations, their messages, one
//! trace per conversation for the evolution engine, and the chat settings.
//! Plain serde records (stored as JSON-shaped objects), so they export as
//! JSON unchanged and are unit-tested natively. The traces page and sync
//! read them with serde; the chat reads them with [`from_json`]'s readers
//! and keeps traces as JSON values ([`trace_json`]), which keeps serde's
//! deserializers out of its bundle.

use llmos_core::llm::{split_think, ChatRequest, Ending, Message, ProviderConfig, ProviderKind};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: String,
    pub title: String,
    pub created: f64,
    pub updated: f64,
}

/// A skill offered to, or used by, the model, with where its page is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillLink {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub user: bool,
}

impl SkillLink {
    pub fn url(&self, base: &str) -> String {
        if self.user {
            crate::skill_links::view_url(base, &self.slug)
        } else {
            format!("{base}skills/{}/", self.slug)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub id: String,
    pub conversation: String,
    /// Order within the conversation.
    pub seq: u32,
    pub role: Role,
    pub text: String,
    pub created: f64,
    /// Assistant messages: the model that wrote it.
    #[serde(default)]
    pub model: String,
    /// Assistant messages: the skills the answer loaded or ran; user
    /// messages: the skill the user attached ("Use in chat").
    #[serde(default)]
    pub skills_used: Vec<SkillLink>,
    #[serde(default)]
    pub input_tokens: Option<u64>,
    #[serde(default)]
    pub output_tokens: Option<u64>,
    /// Why the answer is incomplete, when it is (kept with the partial text).
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub stopped: bool,
    /// The model's reasoning, shown folded, never sent back.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reasoning: String,
    /// How the answer ended, when the provider said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ending: Option<Ending>,
    /// The provider's own word for it (`max_tokens`, `SAFETY`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<String>,
    /// Skills the model asked to run while answering, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs: Vec<SkillRun>,
}

/// A skill the model asked to run during an answer, as the conversation
/// shows it (outputs kept whole, to show them again as they were).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillRun {
    pub skill: String,
    pub inputs: serde_json::Value,
    /// `ran`, or why not: `declined`, `invalid_inputs`, `failed`, `stopped`, `timed_out`.
    pub status: String,
    #[serde(default)]
    pub ms: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outputs: Option<serde_json::Value>,
    /// The skill's declared outputs, which decide how they are shown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output_specs: Vec<llmos_core::IoSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl SkillRun {
    /// What the trace keeps of it: the outputs as the model saw them, cut short.
    pub fn trace(&self) -> TraceRun {
        let skill = llmos_core::llm::ToolSkill { name: self.skill.clone(), inputs: Vec::new(), outputs: self.output_specs.clone() };
        TraceRun {
            skill: self.skill.clone(),
            inputs: self.inputs.clone(),
            outputs: self.outputs.as_ref().map(|o| llmos_core::llm::outputs_summary(&skill, o, TRACE_OUTPUTS_CHARS)).unwrap_or_default(),
            ms: self.ms,
            ok: self.status == "ran",
            reason: (self.status != "ran").then(|| self.status.clone()),
        }
    }
}

/// Characters of a run's outputs a trace keeps.
pub const TRACE_OUTPUTS_CHARS: usize = 500;

impl ChatMessage {
    /// An answer that is not part of the conversation the model sees: it
    /// failed (an error, even with partial text) or is empty. Its question
    /// is left out with it, until the user resends it.
    pub fn left_out(&self) -> bool {
        self.role == Role::Assistant && (self.error.is_some() || self.text.trim().is_empty())
    }

    /// Why the answer ended early, when it did.
    pub fn ending_note(&self) -> Option<String> {
        self.ending.and_then(|ending| ending.note(self.finish_reason.as_deref()))
    }
}

/// What the evolution engine learns from: one per conversation.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Trace {
    pub id: String,
    pub conversation: String,
    /// The first user message.
    pub goal: String,
    pub provider: String,
    pub model: String,
    pub skills_offered: Vec<String>,
    pub skills_used: Vec<String>,
    pub tool_calls: Vec<TraceToolCall>,
    pub turns: Vec<TraceTurn>,
    /// Skills run (or refused) at the model's request, in order. Traces
    /// stored before runs existed have none.
    #[serde(default)]
    pub runs: Vec<TraceRun>,
    /// `solved` or `not-solved`, as the user marks it.
    pub outcome: Option<String>,
    /// Kept on purpose (on the traces page): deleting its conversation leaves it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub kept: bool,
}

/// The chat's records read from JSON values, as their derived
/// `Deserialize` reads them (the same fields required, the same defaults,
/// anything else refused), without it: serde's code for one struct is
/// 2 to 6 kB of the chat bundle, these read every record the chat shows
/// with the JSON value reader it has anyway (issue 14). The unit tests
/// hold them to the derived readers, field by field.
pub mod from_json;

/// The chat's side of a trace, kept as a JSON value rather than a [`Trace`]:
/// the chat only adds a turn to it, marks its outcome and reads whether it is
/// kept, and reading the typed record would put `Trace`'s deserializer and
/// its parts' (about 15 kB of the module, issue 14) in the chat bundle. The
/// values written are shaped as [`Trace`] serialises, so the traces page and
/// sync read them typed, and old traces (without `runs`, say) are extended in place.
pub mod trace_json;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceToolCall {
    pub name: String,
    pub arguments: String,
}

/// One skill run in a trace: what the evolution engine learns sequences from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceRun {
    pub skill: String,
    pub inputs: serde_json::Value,
    /// A summary of the outputs (images summarised, cut short); empty when it did not run.
    #[serde(default)]
    pub outputs: String,
    pub ms: f64,
    pub ok: bool,
    /// Why it did not succeed: `declined`, `invalid_inputs`, `failed`, `stopped`, `timed_out`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceTurn {
    pub started: f64,
    pub first_token_ms: Option<f64>,
    pub total_ms: f64,
    pub ok: bool,
}

/// The chat's settings (the key is not here: it is encrypted apart).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatSettings {
    pub provider: ProviderKind,
    /// Per provider, the base URL the user set ("" for the default).
    #[serde(default)]
    pub base_urls: Vec<(ProviderKind, String)>,
    #[serde(default)]
    pub models: Vec<(ProviderKind, String)>,
    #[serde(default)]
    pub system: String,
    /// Per provider, the answer limit the user set (none: the model's default).
    #[serde(default)]
    pub max_tokens: Vec<(ProviderKind, u32)>,
}

impl Default for ChatSettings {
    fn default() -> Self {
        ChatSettings { provider: ProviderKind::Anthropic, base_urls: Vec::new(), models: Vec::new(), system: String::new(), max_tokens: Vec::new() }
    }
}

impl ChatSettings {
    pub fn config(&self) -> ProviderConfig {
        let base = self.base_urls.iter().find(|(k, _)| *k == self.provider).map(|(_, b)| b.clone()).unwrap_or_default();
        ProviderConfig { kind: self.provider, base_url: if base.trim().is_empty() { self.provider.default_base_url().to_string() } else { base } }
    }

    pub fn model(&self) -> String {
        self.models.iter().find(|(k, _)| *k == self.provider).map(|(_, m)| m.clone()).unwrap_or_default()
    }

    /// The base URL as the user typed it: empty for the provider's default,
    /// which the field shows as its placeholder (a default in the field
    /// invites pasting after it, running two addresses together).
    pub fn base_url(&self) -> String {
        self.base_urls.iter().find(|(k, _)| *k == self.provider).map(|(_, b)| b.clone()).filter(|b| b.trim() != self.provider.default_base_url()).unwrap_or_default()
    }

    pub fn max_tokens(&self) -> Option<u32> {
        self.max_tokens.iter().find(|(k, _)| *k == self.provider).map(|(_, m)| *m)
    }

    pub fn set_max_tokens(&mut self, limit: Option<u32>) {
        let provider = self.provider;
        self.max_tokens.retain(|(k, _)| *k != provider);
        self.max_tokens.extend(limit.map(|limit| (provider, limit)));
    }

    pub fn set_base_url(&mut self, base: String) {
        let provider = self.provider;
        self.base_urls.retain(|(k, _)| *k != provider);
        self.base_urls.push((provider, base));
    }

    pub fn set_model(&mut self, model: String) {
        let provider = self.provider;
        self.models.retain(|(k, _)| *k != provider);
        self.models.push((provider, model));
    }
}

/// The conversation the model sees. A failed turn contributes nothing:
/// neither its question nor what arrived of its answer, which would
/// otherwise pile up as repeated questions and half answers; resending
/// the question makes a new turn. A question with no answer yet (the last
/// one, being answered) is sent. A stopped answer counts: the user chose
/// to end it there. Reasoning is never sent back.
pub fn history_messages(messages: &[ChatMessage]) -> Vec<Message> {
    let mut out = Vec::new();
    for (i, message) in messages.iter().enumerate() {
        match message.role {
            Role::User => match messages.get(i + 1) {
                Some(next) if next.role == Role::User || next.left_out() => {}
                _ => out.push(Message::user(message.text.clone())),
            },
            Role::Assistant if message.left_out() || i == 0 || messages[i - 1].role != Role::User => {}
            // Answers stored before reasoning was kept apart may carry a `<think>` block.
            Role::Assistant => out.push(Message::assistant(split_think(&message.text).1)),
        }
    }
    out
}

pub fn request(settings: &ChatSettings, system: Option<String>, messages: Vec<Message>, tools: Vec<llmos_core::llm::Tool>) -> ChatRequest {
    ChatRequest { model: settings.model(), system, messages, tools, max_tokens: settings.max_tokens(), temperature: None }
}

/// A conversation's title: its first words.
pub fn title_from(text: &str) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("New chat").trim();
    llmos_core::shorten(line, 60)
}

/// A conversation as Markdown, for export.
pub fn to_markdown(conversation: &Conversation, messages: &[ChatMessage]) -> String {
    let mut out = format!("# {}\n\n", conversation.title);
    for message in messages {
        let who = match message.role {
            Role::User => "You".to_string(),
            Role::Assistant if message.model.is_empty() => "Assistant".to_string(),
            Role::Assistant => format!("Assistant ({})", message.model),
        };
        out.push_str(&format!("## {who}\n\n{}\n\n", message.text.trim_end()));
        if !message.skills_used.is_empty() {
            let names: Vec<&str> = message.skills_used.iter().map(|s| s.name.as_str()).collect();
            let label = if message.role == Role::User { "With the skill" } else { "Skills used:" };
            out.push_str(&format!("_{label} {}_\n\n", names.join(", ")));
        }
        if let Some(error) = &message.error {
            out.push_str(&format!("_Incomplete: {error}_\n\n"));
        }
        if let Some(note) = message.ending_note() {
            out.push_str(&format!("_{note}_\n\n"));
        }
    }
    out
}

/// The JSON export of conversations, everything needed to import them
/// again: `{"format": EXPORT_FORMAT, "conversations": [Conversation…],
/// "messages": [ChatMessage…], "traces": [Trace…]}`, the records as stored.
pub const EXPORT_FORMAT: &str = "llmos-chats-1";

#[cfg(test)]
mod tests;
