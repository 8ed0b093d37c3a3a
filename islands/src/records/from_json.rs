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
