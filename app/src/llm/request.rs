//! One provider-neutral chat request, turned into the exact HTTP request
//! each API documents for a streaming call.
//!
//! The browser only has to `fetch(url, {method, headers, body})` and feed
//! the response bytes to a `StreamDecoder`; everything provider-specific
//! (paths, auth headers, field names, where the system prompt and tool
//! calls go) is decided here, where it is tested natively.

use super::limits::default_max_tokens;
use super::provider::{ProviderConfig, ProviderKind, Wire};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    pub messages: Vec<Message>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<Tool>,
    /// The answer limit; `None` is the model's default (`default_max_tokens`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
}

/// One turn of the conversation. Tool calls are made by the assistant; their
/// results go back in the next user turn, before any text the user adds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "lowercase")]
pub enum Message {
    User {
        #[serde(default)]
        text: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tool_results: Vec<ToolResult>,
    },
    Assistant {
        #[serde(default)]
        text: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<ToolCall>,
    },
}

impl Message {
    pub fn user(text: impl Into<String>) -> Message {
        Message::User { text: text.into(), tool_results: Vec::new() }
    }

    pub fn assistant(text: impl Into<String>) -> Message {
        Message::Assistant { text: text.into(), tool_calls: Vec::new() }
    }
}

/// A function the model may call. `parameters` is a JSON Schema object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub description: String,
    pub parameters: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    /// The provider's id (made up for Gemini, which has none).
    pub id: String,
    pub name: String,
    /// The arguments as the model wrote them: JSON text, normally an object.
    pub arguments: String,
    /// Gemini's opaque `thoughtSignature`: Gemini 3 models reject a
    /// conversation whose function calls come back without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolResult {
    /// The `ToolCall::id` this answers.
    pub call_id: String,
    /// The tool's name (Gemini matches results by name).
    pub name: String,
    pub content: String,
    #[serde(default)]
    pub is_error: bool,
}

/// What the browser passes to `fetch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: &'static str,
    pub url: String,
    /// Names are lowercase.
    pub headers: Vec<(String, String)>,
    /// Empty for GET.
    pub body: String,
}

impl HttpRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// The streaming request for `chat` to the configured provider. `key` is
/// trimmed (pasted keys often carry a newline); blank counts as none, and
/// then no auth header is sent at all, which local servers expect.
pub fn build_request(config: &ProviderConfig, key: Option<&str>, chat: &ChatRequest) -> HttpRequest {
    let base = config.base();
    let (url, body) = match config.kind.wire() {
        Wire::Anthropic => (format!("{base}/v1/messages"), anthropic_body(chat)),
        Wire::ChatCompletions => (format!("{base}/chat/completions"), chat_completions_body(config.kind, chat)),
        Wire::Gemini => (format!("{base}/v1beta/models/{}:streamGenerateContent?alt=sse", gemini_model_path(&chat.model)), gemini_body(chat)),
    };
    let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
    headers.extend(auth_headers(config.kind, key));
    HttpRequest { method: "POST", url, headers, body: body.to_string() }
}

/// The key header, plus what Anthropic needs on every call from a browser.
pub(crate) fn auth_headers(kind: ProviderKind, key: Option<&str>) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = key.map(str::trim).filter(|k| !k.is_empty()).map(|k| kind.key_header().header(k)).into_iter().collect();
    if kind == ProviderKind::Anthropic {
        headers.push(("anthropic-version".into(), "2023-06-01".into()));
        // Anthropic refuses CORS requests unless the caller acknowledges
        // that the key is visible to the page (it is the user's own key).
        headers.push(("anthropic-dangerous-direct-browser-access".into(), "true".into()));
    }
    headers
}

/// `models/gemini-2.5-flash` and `gemini-2.5-flash` both name the model;
/// anything outside URL-safe characters is percent-encoded.
pub(crate) fn gemini_model_path(model: &str) -> String {
    let model = model.trim();
    let model = model.strip_prefix("models/").unwrap_or(model);
    let mut encoded = String::with_capacity(model.len());
    for byte in model.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Tool arguments as a JSON object, for the APIs that want one rather than
/// text. A model may leave them empty or broken; `{}` keeps the
/// conversation valid, and the tool result already told it what went wrong.
fn arguments_object(arguments: &str) -> Value {
    serde_json::from_str::<Value>(arguments).ok().filter(Value::is_object).unwrap_or_else(|| json!({}))
}

fn system_prompt(chat: &ChatRequest) -> Option<&str> {
    chat.system.as_deref().filter(|s| !s.trim().is_empty())
}

fn anthropic_body(chat: &ChatRequest) -> Value {
    let messages: Vec<Value> = chat.messages.iter().map(anthropic_message).collect();
    let mut body = json!({
        "model": chat.model,
        // Required by Anthropic: every model there has a default.
        "max_tokens": chat.max_tokens.or_else(|| default_max_tokens(ProviderKind::Anthropic, &chat.model)).unwrap_or(super::limits::DEFAULT_MAX_TOKENS),
        "stream": true,
        "messages": messages,
    });
    if let Some(system) = system_prompt(chat) {
        body["system"] = system.into();
    }
    if let Some(temperature) = chat.temperature {
        body["temperature"] = temperature.into();
    }
    if !chat.tools.is_empty() {
        body["tools"] = chat.tools.iter().map(|t| json!({"name": t.name, "description": t.description, "input_schema": t.parameters})).collect();
    }
    body
}

fn anthropic_message(message: &Message) -> Value {
    match message {
        Message::User { text, tool_results } if tool_results.is_empty() => json!({"role": "user", "content": text}),
        Message::User { text, tool_results } => {
            // Tool results must come first in the turn that answers the calls.
            let mut blocks: Vec<Value> = tool_results
                .iter()
                .map(|r| {
                    let mut block = json!({"type": "tool_result", "tool_use_id": r.call_id, "content": r.content});
                    if r.is_error {
                        block["is_error"] = true.into();
                    }
                    block
                })
                .collect();
            if !text.is_empty() {
                blocks.push(json!({"type": "text", "text": text}));
            }
            json!({"role": "user", "content": blocks})
        }
        Message::Assistant { text, tool_calls } if tool_calls.is_empty() => json!({"role": "assistant", "content": text}),
        Message::Assistant { text, tool_calls } => {
            // Empty text blocks are rejected, so a silent call has none.
            let mut blocks: Vec<Value> = Vec::new();
            if !text.is_empty() {
                blocks.push(json!({"type": "text", "text": text}));
            }
            blocks.extend(tool_calls.iter().map(|c| json!({"type": "tool_use", "id": c.id, "name": c.name, "input": arguments_object(&c.arguments)})));
            json!({"role": "assistant", "content": blocks})
        }
    }
}

fn chat_completions_body(kind: ProviderKind, chat: &ChatRequest) -> Value {
    let mut messages: Vec<Value> = Vec::new();
    if let Some(system) = system_prompt(chat) {
        messages.push(json!({"role": "system", "content": system}));
    }
    for message in &chat.messages {
        match message {
            Message::User { text, tool_results } => {
                messages.extend(tool_results.iter().map(|r| json!({"role": "tool", "tool_call_id": r.call_id, "content": r.content})));
                if tool_results.is_empty() || !text.is_empty() {
                    messages.push(json!({"role": "user", "content": text}));
                }
            }
            Message::Assistant { text, tool_calls } if tool_calls.is_empty() => messages.push(json!({"role": "assistant", "content": text})),
            Message::Assistant { text, tool_calls } => {
                let calls: Vec<Value> = tool_calls.iter().map(|c| json!({"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}})).collect();
                let content = if text.is_empty() { Value::Null } else { text.as_str().into() };
                messages.push(json!({"role": "assistant", "content": content, "tool_calls": calls}));
            }
        }
    }
    let mut body = json!({
        "model": chat.model,
        "messages": messages,
        "stream": true,
        // Without this the stream carries no token counts.
        "stream_options": {"include_usage": true},
    });
    if let Some(max_tokens) = chat.max_tokens {
        // OpenAI's reasoning models refuse the older `max_tokens`; OpenRouter
        // and local servers document only `max_tokens`.
        let field = if kind == ProviderKind::OpenAi { "max_completion_tokens" } else { "max_tokens" };
        body[field] = max_tokens.into();
    }
    if let Some(temperature) = chat.temperature {
        body["temperature"] = temperature.into();
    }
    if !chat.tools.is_empty() {
        body["tools"] = chat.tools.iter().map(|t| json!({"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}})).collect();
    }
    body
}

fn gemini_body(chat: &ChatRequest) -> Value {
    let contents: Vec<Value> = chat.messages.iter().map(gemini_content).collect();
    let mut body = json!({"contents": contents});
    if let Some(system) = system_prompt(chat) {
        body["systemInstruction"] = json!({"parts": [{"text": system}]});
    }
    let mut generation = serde_json::Map::new();
    if let Some(max_tokens) = chat.max_tokens {
        generation.insert("maxOutputTokens".into(), max_tokens.into());
    }
    if let Some(temperature) = chat.temperature {
        generation.insert("temperature".into(), temperature.into());
    }
    if !generation.is_empty() {
        body["generationConfig"] = generation.into();
    }
    if !chat.tools.is_empty() {
        // `parametersJsonSchema` takes JSON Schema as is; the older
        // `parameters` takes an OpenAPI subset that rejects common keywords.
        let declarations: Vec<Value> = chat.tools.iter().map(|t| json!({"name": t.name, "description": t.description, "parametersJsonSchema": t.parameters})).collect();
        body["tools"] = json!([{"functionDeclarations": declarations}]);
    }
    body
}

fn gemini_content(message: &Message) -> Value {
    let (role, mut parts) = match message {
        Message::User { text, tool_results } => {
            let mut parts: Vec<Value> = tool_results
                .iter()
                .map(|r| {
                    let key = if r.is_error { "error" } else { "output" };
                    json!({"functionResponse": {"name": r.name, "response": {key: r.content}}})
                })
                .collect();
            if !text.is_empty() {
                parts.push(json!({"text": text}));
            }
            ("user", parts)
        }
        Message::Assistant { text, tool_calls } => {
            let mut parts: Vec<Value> = Vec::new();
            if !text.is_empty() {
                parts.push(json!({"text": text}));
            }
            for call in tool_calls {
                let mut part = json!({"functionCall": {"name": call.name, "args": arguments_object(&call.arguments)}});
                if let Some(signature) = &call.signature {
                    part["thoughtSignature"] = signature.as_str().into();
                }
                parts.push(part);
            }
            ("model", parts)
        }
    };
    if parts.is_empty() {
        parts.push(json!({"text": ""}));
    }
    json!({"role": role, "parts": parts})
}

#[cfg(test)]
mod tests;
