//! One provider-neutral chat request, turned into the exact HTTP request
//! each API documents for a streaming call.
//!
//! The browser only has to `fetch(url, {method, headers, body})` and feed
//! the response bytes to a `StreamDecoder`; everything provider-specific
//! (paths, auth headers, field names, where the system prompt and tool
//! calls go) is decided here, where it is tested natively.

use super::provider::{ProviderConfig, ProviderKind, Wire};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Anthropic requires `max_tokens`; this is used when the request sets none.
/// The other APIs are left to their model's own limit.
pub const DEFAULT_MAX_TOKENS: u32 = 4096;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    pub messages: Vec<Message>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<Tool>,
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
        "max_tokens": chat.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
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
mod tests {
    use super::*;

    const KEY: &str = "sk-SECRET-1234";

    /// A conversation with every kind of turn: a tool call, its result and
    /// a follow-up question.
    fn chat() -> ChatRequest {
        ChatRequest {
            model: "the-model".into(),
            system: Some("Be brief.".into()),
            messages: vec![
                Message::user("Weather in Kyōto?"),
                Message::Assistant {
                    text: "Checking.".into(),
                    tool_calls: vec![ToolCall { id: "call_1".into(), name: "get_weather".into(), arguments: r#"{"city":"Kyōto"}"#.into(), signature: Some("c2ln".into()) }],
                },
                Message::User { text: "And tomorrow?".into(), tool_results: vec![ToolResult { call_id: "call_1".into(), name: "get_weather".into(), content: "Sunny, 21 °C".into(), is_error: false }] },
            ],
            tools: vec![Tool { name: "get_weather".into(), description: "Current weather".into(), parameters: json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}) }],
            max_tokens: Some(1000),
            temperature: Some(0.5),
        }
    }

    fn body(request: &HttpRequest) -> Value {
        serde_json::from_str(&request.body).unwrap()
    }

    fn headers(request: &HttpRequest) -> Vec<(&str, &str)> {
        request.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect()
    }

    #[test]
    fn anthropic_messages() {
        let request = build_request(&ProviderConfig::new(ProviderKind::Anthropic), Some(KEY), &chat());
        assert_eq!((request.method, request.url.as_str()), ("POST", "https://api.anthropic.com/v1/messages"));
        assert_eq!(
            headers(&request),
            [("content-type", "application/json"), ("x-api-key", KEY), ("anthropic-version", "2023-06-01"), ("anthropic-dangerous-direct-browser-access", "true")]
        );
        assert_eq!(
            body(&request),
            json!({
                "model": "the-model", "max_tokens": 1000, "stream": true, "system": "Be brief.", "temperature": 0.5,
                "messages": [
                    {"role": "user", "content": "Weather in Kyōto?"},
                    {"role": "assistant", "content": [
                        {"type": "text", "text": "Checking."},
                        {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Kyōto"}},
                    ]},
                    {"role": "user", "content": [
                        {"type": "tool_result", "tool_use_id": "call_1", "content": "Sunny, 21 °C"},
                        {"type": "text", "text": "And tomorrow?"},
                    ]},
                ],
                "tools": [{"name": "get_weather", "description": "Current weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}],
            })
        );
    }

    #[test]
    fn anthropic_needs_max_tokens_and_marks_failed_tools() {
        let mut chat = chat();
        chat.max_tokens = None;
        chat.system = Some("  ".into());
        chat.messages = vec![Message::User { text: String::new(), tool_results: vec![ToolResult { call_id: "c".into(), name: "t".into(), content: "boom".into(), is_error: true }] }];
        let body = body(&build_request(&ProviderConfig::new(ProviderKind::Anthropic), Some(KEY), &chat));
        assert_eq!(body["max_tokens"], DEFAULT_MAX_TOKENS);
        assert_eq!(body.get("system"), None, "a blank system prompt is left out");
        assert_eq!(body["messages"], json!([{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "c", "content": "boom", "is_error": true}]}]));
    }

    #[test]
    fn openai_chat_completions() {
        let request = build_request(&ProviderConfig::new(ProviderKind::OpenAi), Some(KEY), &chat());
        assert_eq!((request.method, request.url.as_str()), ("POST", "https://api.openai.com/v1/chat/completions"));
        assert_eq!(headers(&request), [("content-type", "application/json"), ("authorization", "Bearer sk-SECRET-1234")]);
        assert_eq!(
            body(&request),
            json!({
                "model": "the-model", "stream": true, "stream_options": {"include_usage": true}, "max_completion_tokens": 1000, "temperature": 0.5,
                "messages": [
                    {"role": "system", "content": "Be brief."},
                    {"role": "user", "content": "Weather in Kyōto?"},
                    {"role": "assistant", "content": "Checking.", "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Kyōto\"}"}}]},
                    {"role": "tool", "tool_call_id": "call_1", "content": "Sunny, 21 °C"},
                    {"role": "user", "content": "And tomorrow?"},
                ],
                "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Current weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}],
            })
        );
    }

    #[test]
    fn openrouter_and_local_servers() {
        let request = build_request(&ProviderConfig::new(ProviderKind::OpenRouter), Some(KEY), &chat());
        assert_eq!(request.url, "https://openrouter.ai/api/v1/chat/completions");
        assert_eq!(body(&request)["max_tokens"], 1000);
        assert_eq!(body(&request).get("max_completion_tokens"), None);

        for preset in crate::llm::LOCAL_PRESETS {
            let config = ProviderConfig { kind: ProviderKind::OpenAiCompatible, base_url: format!("{}/", preset.base_url) };
            let request = build_request(&config, None, &chat());
            assert_eq!(request.url, format!("{}/chat/completions", preset.base_url));
            assert_eq!(headers(&request), [("content-type", "application/json")], "no key, no authorization header");
            assert_eq!(build_request(&config, Some(" \n"), &chat()).header("authorization"), None);
        }
    }

    #[test]
    fn assistant_turns_with_only_tool_calls_have_null_content() {
        let mut chat = chat();
        chat.messages = vec![Message::Assistant { text: String::new(), tool_calls: vec![ToolCall { id: "c".into(), name: "t".into(), arguments: "{}".into(), signature: None }] }];
        let body = body(&build_request(&ProviderConfig::new(ProviderKind::OpenAi), None, &chat));
        assert_eq!(body["messages"][1]["content"], Value::Null);
        let anthropic = super::anthropic_body(&chat);
        assert_eq!(anthropic["messages"][0]["content"], json!([{"type": "tool_use", "id": "c", "name": "t", "input": {}}]));
    }

    #[test]
    fn gemini_stream_generate_content() {
        let mut chat = chat();
        chat.model = "models/gemini-2.5-flash".into();
        let request = build_request(&ProviderConfig::new(ProviderKind::Gemini), Some(KEY), &chat);
        assert_eq!(request.url, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
        assert_eq!(headers(&request), [("content-type", "application/json"), ("x-goog-api-key", KEY)]);
        assert_eq!(
            body(&request),
            json!({
                "systemInstruction": {"parts": [{"text": "Be brief."}]},
                "generationConfig": {"maxOutputTokens": 1000, "temperature": 0.5},
                "contents": [
                    {"role": "user", "parts": [{"text": "Weather in Kyōto?"}]},
                    {"role": "model", "parts": [{"text": "Checking."}, {"functionCall": {"name": "get_weather", "args": {"city": "Kyōto"}}, "thoughtSignature": "c2ln"}]},
                    {"role": "user", "parts": [{"functionResponse": {"name": "get_weather", "response": {"output": "Sunny, 21 °C"}}}, {"text": "And tomorrow?"}]},
                ],
                "tools": [{"functionDeclarations": [{"name": "get_weather", "description": "Current weather", "parametersJsonSchema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]}],
            })
        );
        assert_eq!(gemini_model_path("odd model/x"), "odd%20model%2Fx");
    }

    #[test]
    fn minimal_requests_leave_optional_fields_out() {
        let chat = ChatRequest { model: "m".into(), system: None, messages: vec![Message::user("hi")], tools: vec![], max_tokens: None, temperature: None };
        let openai = body(&build_request(&ProviderConfig::new(ProviderKind::OpenAi), None, &chat));
        assert_eq!(openai, json!({"model": "m", "stream": true, "stream_options": {"include_usage": true}, "messages": [{"role": "user", "content": "hi"}]}));
        let gemini = body(&build_request(&ProviderConfig::new(ProviderKind::Gemini), None, &chat));
        assert_eq!(gemini, json!({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}));
    }

    #[test]
    fn the_key_travels_only_in_its_header() {
        for kind in ProviderKind::ALL {
            let request = build_request(&ProviderConfig::new(kind), Some(&format!(" {KEY}\n")), &chat());
            assert!(!request.url.contains(KEY) && !request.body.contains(KEY), "{kind:?}");
            let carrying: Vec<&str> = request.headers.iter().filter(|(_, v)| v.contains(KEY)).map(|(n, _)| n.as_str()).collect();
            let expected = match kind {
                ProviderKind::Anthropic => "x-api-key",
                ProviderKind::Gemini => "x-goog-api-key",
                _ => "authorization",
            };
            assert_eq!(carrying, [expected], "{kind:?}");
            assert!(request.headers.iter().all(|(_, v)| !v.contains('\n')), "the key is trimmed");
        }
    }

    #[test]
    fn conversations_round_trip_through_json() {
        let chat = chat();
        let stored = serde_json::to_value(&chat).unwrap();
        assert_eq!(stored["messages"][0], json!({"role": "user", "text": "Weather in Kyōto?"}));
        assert_eq!(serde_json::from_value::<ChatRequest>(stored).unwrap(), chat);
    }
}
