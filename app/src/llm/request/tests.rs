//! Each API's request, field by field, for one conversation with every kind of turn.

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
    assert_eq!(body["max_tokens"], crate::llm::DEFAULT_MAX_TOKENS, "the model family's default");
    chat.model = "claude-3-haiku-20240307".into();
    assert_eq!(super::anthropic_body(&chat)["max_tokens"], 4096);
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
