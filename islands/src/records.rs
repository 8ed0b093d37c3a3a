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
pub mod from_json {
    use super::{ChatMessage, ChatSettings, Conversation, Role, SkillLink, SkillRun};
    use llmos_core::llm::{Ending, ProviderKind};
    use llmos_core::IoSpec;
    use serde_json::{Map, Value};

    type Object = Map<String, Value>;

    fn text(value: &Value) -> Option<String> {
        value.as_str().map(str::to_string)
    }

    fn number(value: &Value) -> Option<f64> {
        value.as_f64()
    }

    fn flag(value: &Value) -> Option<bool> {
        value.as_bool()
    }

    fn list<T>(value: &Value, item: fn(&Value) -> Option<T>) -> Option<Vec<T>> {
        value.as_array()?.iter().map(item).collect()
    }

    /// A field without a default: it must be there.
    fn required<T>(object: &Object, key: &str, read: impl Fn(&Value) -> Option<T>) -> Option<T> {
        read(object.get(key)?)
    }

    /// A `#[serde(default)]` field: the default when it is missing.
    fn or_default<T: Default>(object: &Object, key: &str, read: impl Fn(&Value) -> Option<T>) -> Option<T> {
        object.get(key).map_or(Some(T::default()), read)
    }

    /// An `Option` field: `None` when missing or null.
    fn optional<T>(object: &Object, key: &str, read: impl Fn(&Value) -> Option<T>) -> Option<Option<T>> {
        match object.get(key) {
            None | Some(Value::Null) => Some(None),
            Some(value) => read(value).map(Some),
        }
    }

    /// A unit enum by its serialised name.
    fn variant<T: Copy + serde::Serialize>(value: &Value, all: &[T]) -> Option<T> {
        let name = value.as_str()?;
        all.iter().copied().find(|v| serde_json::to_value(v).ok().as_ref().and_then(Value::as_str) == Some(name))
    }

    /// Every [`Ending`] (the unit test checks none is missing).
    pub const ENDINGS: [Ending; 9] =
        [Ending::Complete, Ending::ToolUse, Ending::OutputLimit, Ending::ContextFull, Ending::Refusal, Ending::Filtered, Ending::PromptBlocked, Ending::Paused, Ending::Other];

    pub fn conversation(value: &Value) -> Option<Conversation> {
        let o = value.as_object()?;
        Some(Conversation { id: required(o, "id", text)?, title: required(o, "title", text)?, created: required(o, "created", number)?, updated: required(o, "updated", number)? })
    }

    fn skill_link(value: &Value) -> Option<SkillLink> {
        let o = value.as_object()?;
        Some(SkillLink { slug: required(o, "slug", text)?, name: required(o, "name", text)?, user: or_default(o, "user", flag)? })
    }

    /// An input's or output's declaration ([`IoSpec`]).
    pub fn io_spec(value: &Value) -> Option<IoSpec> {
        let o = value.as_object()?;
        Some(IoSpec {
            name: required(o, "name", text)?,
            kind: required(o, "type", text)?,
            description: optional(o, "description", text)?,
            default: optional(o, "default", |v| Some(v.clone()))?,
            required: or_default(o, "required", flag)?,
            options: or_default(o, "options", |v| list(v, text))?,
            format: optional(o, "format", text)?,
        })
    }

    /// A list of [`IoSpec`]s.
    pub fn io_specs(value: &Value) -> Option<Vec<IoSpec>> {
        list(value, io_spec)
    }

    fn skill_run(value: &Value) -> Option<SkillRun> {
        let o = value.as_object()?;
        Some(SkillRun {
            skill: required(o, "skill", text)?,
            inputs: required(o, "inputs", |v| Some(v.clone()))?,
            status: required(o, "status", text)?,
            ms: or_default(o, "ms", number)?,
            outputs: optional(o, "outputs", |v| Some(v.clone()))?,
            output_specs: or_default(o, "output_specs", io_specs)?,
            error: optional(o, "error", text)?,
        })
    }

    pub fn message(value: &Value) -> Option<ChatMessage> {
        let o = value.as_object()?;
        Some(ChatMessage {
            id: required(o, "id", text)?,
            conversation: required(o, "conversation", text)?,
            seq: required(o, "seq", |v| v.as_u64().and_then(|n| u32::try_from(n).ok()))?,
            role: required(o, "role", |v| match v.as_str()? {
                "user" => Some(Role::User),
                "assistant" => Some(Role::Assistant),
                _ => None,
            })?,
            text: required(o, "text", text)?,
            created: required(o, "created", number)?,
            model: or_default(o, "model", text)?,
            skills_used: or_default(o, "skills_used", |v| list(v, skill_link))?,
            input_tokens: optional(o, "input_tokens", Value::as_u64)?,
            output_tokens: optional(o, "output_tokens", Value::as_u64)?,
            error: optional(o, "error", text)?,
            stopped: or_default(o, "stopped", flag)?,
            reasoning: or_default(o, "reasoning", text)?,
            ending: optional(o, "ending", |v| variant(v, &ENDINGS))?,
            finish_reason: optional(o, "finish_reason", text)?,
            runs: or_default(o, "runs", |v| list(v, skill_run))?,
        })
    }

    /// The chat's settings (`[provider, value]` pairs per provider).
    pub fn settings(value: &Value) -> Option<ChatSettings> {
        let o = value.as_object()?;
        fn per_provider<T>(value: &Value, read: fn(&Value) -> Option<T>) -> Option<Vec<(ProviderKind, T)>> {
            value
                .as_array()?
                .iter()
                .map(|pair| match pair.as_array()?.as_slice() {
                    [kind, value] => Some((variant(kind, &ProviderKind::ALL)?, read(value)?)),
                    _ => None,
                })
                .collect()
        }
        Some(ChatSettings {
            provider: required(o, "provider", |v| variant(v, &ProviderKind::ALL))?,
            base_urls: or_default(o, "base_urls", |v| per_provider(v, text))?,
            models: or_default(o, "models", |v| per_provider(v, text))?,
            system: or_default(o, "system", text)?,
            max_tokens: or_default(o, "max_tokens", |v| per_provider(v, |n| n.as_u64().and_then(|n| u32::try_from(n).ok())))?,
        })
    }
}

/// The chat's side of a trace, kept as a JSON value rather than a [`Trace`]:
/// the chat only adds a turn to it, marks its outcome and reads whether it is
/// kept, and reading the typed record would put `Trace`'s deserializer and
/// its parts' (about 15 kB of the module, issue 14) in the chat bundle. The
/// values written are shaped as [`Trace`] serialises, so the traces page and
/// sync read them typed, and old traces (without `runs`, say) are extended in place.
pub mod trace_json {
    use super::{TraceRun, TraceToolCall, TraceTurn};
    use serde_json::{json, Value};

    /// The stored trace, when it is one (an object with an `id`).
    pub fn stored(stored: Option<Value>) -> Option<Value> {
        stored.filter(|trace| trace.is_object() && trace.get("id").and_then(Value::as_str).is_some_and(|i| !i.is_empty()))
    }

    /// A new, empty trace of conversation `id`. Read from its text: `json!`
    /// for eleven fields compiles to a kilobyte of code.
    pub fn new(id: &str) -> Value {
        const EMPTY: &str = r#"{"id":"","conversation":"","goal":"","provider":"","model":"","skills_offered":[],"skills_used":[],"tool_calls":[],"turns":[],"runs":[],"outcome":null}"#;
        let mut trace: Value = serde_json::from_str(EMPTY).expect("the empty trace is JSON");
        trace["id"] = id.into();
        trace["conversation"] = id.into();
        trace
    }

    /// The stored trace of conversation `id`, or a new one when there is
    /// none (or what is stored is not a trace).
    pub fn or_new(stored: Option<Value>, id: &str) -> Value {
        self::stored(stored).unwrap_or_else(|| new(id))
    }

    /// The outcome the user marked (`solved`, `not-solved`), if any.
    pub fn outcome(trace: &Value) -> Option<String> {
        trace.get("outcome").and_then(Value::as_str).map(str::to_string)
    }

    /// Kept on purpose on the traces page (it outlives its conversation).
    pub fn kept(trace: &Value) -> bool {
        trace.get("kept").and_then(Value::as_bool).unwrap_or(false)
    }

    pub fn set_outcome(trace: &mut Value, outcome: &str) {
        trace["outcome"] = outcome.into();
    }

    /// The array `key` of the trace, made one when missing or not an array.
    fn list<'a>(trace: &'a mut Value, key: &str) -> &'a mut Vec<Value> {
        if !trace[key].is_array() {
            trace[key] = Value::Array(Vec::new());
        }
        trace[key].as_array_mut().expect("made an array above")
    }

    /// Adds `slugs` missing from the list `key`.
    pub fn add_slugs<'a>(trace: &mut Value, key: &str, slugs: impl IntoIterator<Item = &'a str>) {
        let list = list(trace, key);
        for slug in slugs {
            if !list.iter().any(|s| s == slug) {
                list.push(slug.into());
            }
        }
    }

    /// Records one turn: who answered, the tool calls and runs it made, its timings.
    pub fn add_turn(trace: &mut Value, provider: String, model: String, tool_calls: &[TraceToolCall], runs: &[TraceRun], turn: &TraceTurn) {
        trace["provider"] = provider.into();
        trace["model"] = model.into();
        list(trace, "tool_calls").extend(tool_calls.iter().map(|c| json!({ "name": c.name, "arguments": c.arguments })));
        list(trace, "runs").extend(runs.iter().map(|r| serde_json::to_value(r).expect("a run serialises")));
        list(trace, "turns").push(json!({ "started": turn.started, "first_token_ms": turn.first_token_ms, "total_ms": turn.total_ms, "ok": turn.ok }));
    }

    /// Why an imported trace cannot be stored, if it cannot: the fields the
    /// traces page needs must be there with their types.
    pub fn problem(trace: &Value) -> Option<String> {
        let Some(object) = trace.as_object() else { return Some("it is not an object".into()) };
        for key in ["id", "conversation", "goal", "provider", "model"] {
            if !object.get(key).is_some_and(Value::is_string) {
                return Some(format!("its `{key}` is not a string"));
            }
        }
        for key in ["skills_offered", "skills_used", "tool_calls", "turns"] {
            if !object.get(key).is_some_and(Value::is_array) {
                return Some(format!("its `{key}` is not a list"));
            }
        }
        None
    }
}

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
mod tests {
    use super::*;

    fn message(seq: u32, role: Role, text: &str) -> ChatMessage {
        ChatMessage {
            id: format!("m{seq}"),
            conversation: "c".into(),
            seq,
            role,
            text: text.into(),
            created: 0.0,
            model: "m".into(),
            skills_used: vec![],
            input_tokens: None,
            output_tokens: None,
            error: None,
            stopped: false,
            reasoning: String::new(),
            ending: None,
            finish_reason: None,
            runs: vec![],
        }
    }

    #[test]
    fn traces_and_messages_stored_before_runs_still_load_and_runs_are_summarised() {
        let old: Trace = serde_json::from_str(r#"{"id":"c","conversation":"c","goal":"g","provider":"anthropic","model":"m","skills_offered":[],"skills_used":[],"tool_calls":[],"turns":[],"outcome":null}"#).unwrap();
        assert!(old.runs.is_empty());
        let old: ChatMessage = serde_json::from_str(r#"{"id":"m","conversation":"c","seq":1,"role":"assistant","text":"hi","created":0}"#).unwrap();
        assert!(old.runs.is_empty());
        let chart = llmos_core::IoSpec { name: "chart".into(), kind: "svg".into(), description: None, default: None, required: false, options: vec![], format: None };
        let run = SkillRun { skill: "plot".into(), inputs: serde_json::json!({"n": 3}), status: "ran".into(), ms: 4.5, outputs: Some(serde_json::json!({"chart": "<svg/>", "n": 3})), output_specs: vec![chart], error: None };
        let trace = run.trace();
        assert!(trace.ok && trace.reason.is_none());
        assert_eq!(trace.outputs, r#"{"chart":"[image shown to the user]","n":3}"#);
        let declined = SkillRun { status: "declined".into(), outputs: None, ..run }.trace();
        assert_eq!((declined.ok, declined.reason.as_deref(), declined.outputs.as_str()), (false, Some("declined"), ""));
    }

    /// Every variation of `record`: each field left out, made null, or
    /// given a value of each JSON type, recursively into objects and lists.
    fn variations(record: &serde_json::Value) -> Vec<serde_json::Value> {
        use serde_json::{json, Value};
        let odd = [json!(null), json!(true), json!(-1), json!(7), json!(2.5), json!(4294967296u64), json!("user"), json!("output-limit"), json!([]), json!({})];
        let mut out = vec![record.clone()];
        match record {
            Value::Object(map) => {
                for key in map.keys() {
                    let mut without = map.clone();
                    without.shift_remove(key);
                    out.push(Value::Object(without));
                    for value in odd.iter().cloned().chain(variations(&map[key]).into_iter().skip(1)) {
                        let mut changed = map.clone();
                        changed.insert(key.clone(), value);
                        out.push(Value::Object(changed));
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    for value in odd.iter().cloned().chain(variations(item).into_iter().skip(1)) {
                        let mut changed = items.clone();
                        changed[i] = value;
                        out.push(Value::Array(changed));
                    }
                }
            }
            _ => {}
        }
        out
    }

    #[track_caller]
    fn reads_as_serde<T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(record: serde_json::Value, read: fn(&serde_json::Value) -> Option<T>) {
        let all = variations(&record);
        assert!(all.len() > 20);
        let mut read_some = 0;
        for value in all {
            let by_serde = serde_json::from_value::<T>(value.clone()).ok();
            read_some += usize::from(by_serde.is_some());
            assert_eq!(read(&value), by_serde, "{value}");
        }
        assert!(read_some > 1);
    }

    #[test]
    fn the_chats_record_readers_read_what_serde_reads_and_refuse_what_it_refuses() {
        use serde_json::json;
        let spec = json!({"name": "chart", "type": "svg", "description": "d", "default": {"a": 1}, "required": true, "options": ["x", "y"], "format": "text"});
        let run = json!({"skill": "plot", "inputs": {"n": 3}, "status": "ran", "ms": 4.5, "outputs": {"chart": "<svg/>"}, "output_specs": [spec], "error": "e"});
        let message = json!({
            "id": "m", "conversation": "c", "seq": 3, "role": "assistant", "text": "hi", "created": 1.5, "model": "m1",
            "skills_used": [{"slug": "s", "name": "n", "user": true}], "input_tokens": 10, "output_tokens": 20, "error": "x",
            "stopped": true, "reasoning": "r", "ending": "context-full", "finish_reason": "length", "runs": [run]
        });
        reads_as_serde(message, from_json::message);
        // As stored before runs, reasoning and endings existed.
        reads_as_serde(json!({"id": "m", "conversation": "c", "seq": 0, "role": "user", "text": "q", "created": 0}), from_json::message);
        reads_as_serde(json!({"id": "c", "title": "t", "created": 1, "updated": 2.5}), from_json::conversation);
        reads_as_serde(
            json!({"provider": "openai-compatible", "base_urls": [["anthropic", "https://x"]], "models": [["gemini", "g"], ["openrouter", "o"]], "system": "s", "max_tokens": [["openai", 1000]]}),
            from_json::settings,
        );
        reads_as_serde(json!([spec, {"name": "n", "type": "number"}]), from_json::io_specs);
        for ending in from_json::ENDINGS {
            // Fails to compile when a variant is added: add it to ENDINGS too.
            match ending {
                Ending::Complete | Ending::ToolUse | Ending::OutputLimit | Ending::ContextFull | Ending::Refusal | Ending::Filtered | Ending::PromptBlocked | Ending::Paused | Ending::Other => {}
            }
            let name = serde_json::to_value(ending).unwrap();
            assert_eq!(from_json::message(&json!({"id": "m", "conversation": "c", "seq": 0, "role": "assistant", "text": "", "created": 0, "ending": name})).unwrap().ending, Some(ending));
        }
    }

    #[test]
    fn traces_the_chat_writes_as_json_read_back_typed_and_old_ones_are_extended() {
        use serde_json::json;
        let call = TraceToolCall { name: "load_skill".into(), arguments: r#"{"name":"plot"}"#.into() };
        let run = TraceRun { skill: "plot".into(), inputs: json!({"n": 3}), outputs: "{}".into(), ms: 4.5, ok: false, reason: Some("declined".into()) };
        let turn = TraceTurn { started: 10.0, first_token_ms: Some(1.5), total_ms: 20.0, ok: true };
        let mut trace = trace_json::or_new(None, "c1");
        trace["goal"] = "plot it".into();
        trace_json::add_slugs(&mut trace, "skills_offered", ["plot", "csv", "plot"]);
        trace_json::add_slugs(&mut trace, "skills_used", ["plot"]);
        trace_json::add_turn(&mut trace, "anthropic".into(), "m".into(), std::slice::from_ref(&call), std::slice::from_ref(&run), &turn);
        trace_json::set_outcome(&mut trace, "solved");
        let typed: Trace = serde_json::from_value(trace.clone()).unwrap();
        let expected = Trace {
            id: "c1".into(),
            conversation: "c1".into(),
            goal: "plot it".into(),
            provider: "anthropic".into(),
            model: "m".into(),
            skills_offered: vec!["plot".into(), "csv".into()],
            skills_used: vec!["plot".into()],
            tool_calls: vec![call.clone()],
            turns: vec![turn.clone()],
            runs: vec![run.clone()],
            outcome: Some("solved".into()),
            kept: false,
        };
        assert_eq!(typed, expected);
        assert_eq!(trace, serde_json::to_value(&expected).unwrap(), "the same JSON as the typed trace writes");
        assert!(trace_json::problem(&trace).is_none() && !trace_json::kept(&trace));
        assert_eq!(trace_json::outcome(&trace).as_deref(), Some("solved"));

        // A trace stored before runs existed, kept on the traces page: extended, not replaced.
        let old = json!({"id":"c","conversation":"c","goal":"g","provider":"openai","model":"m","skills_offered":["a"],"skills_used":[],"tool_calls":[],"turns":[],"outcome":null,"kept":true});
        let mut trace = trace_json::or_new(Some(old), "c");
        assert!(trace_json::kept(&trace) && trace_json::outcome(&trace).is_none());
        trace_json::add_turn(&mut trace, "anthropic".into(), "m2".into(), &[], std::slice::from_ref(&run), &turn);
        let typed: Trace = serde_json::from_value(trace).unwrap();
        assert_eq!((typed.goal.as_str(), typed.runs.len(), typed.turns.len(), typed.kept, typed.skills_offered.len()), ("g", 1, 1, true, 1));
        // What is not a trace is replaced by a new one; imports name what is wrong.
        assert_eq!(trace_json::or_new(Some(json!("x")), "d")["id"], "d");
        assert_eq!(trace_json::problem(&json!({"id": "c"})).as_deref(), Some("its `conversation` is not a string"));
        assert_eq!(trace_json::problem(&json!([])).as_deref(), Some("it is not an object"));
    }

    #[test]
    fn settings_keep_a_base_url_and_model_per_provider() {
        let mut settings = ChatSettings::default();
        settings.set_model("claude-x".into());
        settings.provider = ProviderKind::OpenAiCompatible;
        settings.set_base_url("http://localhost:11434/v1".into());
        settings.set_model("llama3".into());
        assert_eq!(settings.config().base(), "http://localhost:11434/v1");
        assert_eq!(settings.model(), "llama3");
        settings.provider = ProviderKind::Anthropic;
        assert_eq!(settings.model(), "claude-x");
        assert_eq!(settings.config().base(), "https://api.anthropic.com");
        let json = serde_json::to_string(&settings).unwrap();
        assert_eq!(serde_json::from_str::<ChatSettings>(&json).unwrap(), settings);
    }

    fn failed(seq: u32, text: &str) -> ChatMessage {
        ChatMessage { error: Some("The provider failed.".into()), ..message(seq, Role::Assistant, text) }
    }

    #[test]
    fn failed_turns_contribute_nothing_to_the_history() {
        let messages = [
            message(0, Role::User, "q1"),
            failed(1, ""),
            message(2, Role::User, "q2"),
            failed(3, "a partial answer"),
            message(4, Role::User, "q3"),
            message(5, Role::Assistant, ""),
            // Never answered (the page closed while it was asked).
            message(6, Role::User, "q4"),
            message(7, Role::User, "q5"),
            message(8, Role::Assistant, "<think>hmm</think>\n\na5"),
            message(9, Role::User, "q6"),
            ChatMessage { stopped: true, ..message(10, Role::Assistant, "a stopped answer") },
            message(11, Role::User, "q7"),
        ];
        assert_eq!(
            history_messages(&messages),
            [Message::user("q5"), Message::assistant("a5"), Message::user("q6"), Message::assistant("a stopped answer"), Message::user("q7")]
        );
        assert!(messages[3].left_out() && !messages[10].left_out());
    }

    #[test]
    fn settings_keep_the_answer_limit_per_provider_and_the_default_base_url_out_of_the_field() {
        let mut settings = ChatSettings::default();
        settings.set_max_tokens(Some(1234));
        settings.set_base_url("https://api.anthropic.com".into());
        assert_eq!((settings.max_tokens(), settings.base_url()), (Some(1234), String::new()));
        settings.provider = ProviderKind::OpenAi;
        assert_eq!(settings.max_tokens(), None);
        settings.provider = ProviderKind::Anthropic;
        settings.set_max_tokens(None);
        assert_eq!(settings.max_tokens(), None);
        let old: ChatSettings = serde_json::from_str(r#"{"provider":"anthropic","system":"x"}"#).unwrap();
        assert_eq!(old.max_tokens(), None, "settings saved before the limit existed still load");
    }

    #[test]
    fn history_skips_empty_answers_and_markdown_export_names_the_model() {
        let messages = [message(0, Role::User, "hi"), message(1, Role::Assistant, ""), message(2, Role::User, "hi again"), message(3, Role::Assistant, "hello")];
        assert_eq!(history_messages(&messages).len(), 2);
        let conversation = Conversation { id: "c".into(), title: "Greeting".into(), created: 0.0, updated: 0.0 };
        let md = to_markdown(&conversation, &messages);
        assert!(md.starts_with("# Greeting\n\n## You\n\nhi\n\n") && md.contains("## Assistant (m)\n\nhello"), "{md}");
        let cut = ChatMessage { ending: Some(Ending::OutputLimit), finish_reason: Some("max_tokens".into()), ..message(4, Role::Assistant, "half") };
        assert!(to_markdown(&conversation, &[cut]).contains("_The answer was cut off"), "an early end is exported too");
        let bell = SkillLink { slug: "bell-state".into(), name: "bell-state".into(), user: false };
        let asked = ChatMessage { skills_used: vec![bell.clone()], ..message(5, Role::User, "first?") };
        let answered = ChatMessage { skills_used: vec![bell], ..message(6, Role::Assistant, "H, then CNOT") };
        let md = to_markdown(&conversation, &[asked, answered]);
        assert!(md.contains("first?\n\n_With the skill bell-state_") && md.contains("CNOT\n\n_Skills used: bell-state_"), "{md}");
        assert_eq!(title_from("\n  What is a Bell state?\nmore"), "What is a Bell state?");
    }
}
