//! A `200` that is not an event stream: a whole JSON completion, or a JSON
//! error, read as what it is rather than as a dropped connection.

use super::*;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/streams/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Decoded every way under each content type a server might send it with:
/// the events do not depend on the header.
fn decode_whole(kind: ProviderKind, body: &[u8]) -> Vec<StreamEvent> {
    let events = decode_every_way_as(kind, Some("application/json; charset=utf-8"), body);
    for content_type in [None, Some("text/event-stream"), Some("text/plain")] {
        assert_eq!(decode_every_way_as(kind, content_type, body), events, "{content_type:?}");
    }
    events
}

#[test]
fn a_whole_completion_is_the_answer_in_every_format() {
    let openai = decode_whole(ProviderKind::OpenAiCompatible, &fixture("openai-whole.json"));
    assert_eq!(openai, [text("Bonjour ! 日本語 🦀"), start(0, "call_q1", "load_skill"), delta(0, r#"{"name":"bell-state"}"#), usage(Some(26), Some(12)), finished(Ending::ToolUse, "tool_calls")]);
    let anthropic = decode_whole(ProviderKind::Anthropic, &fixture("anthropic-whole.json"));
    assert_eq!(anthropic, [usage(Some(21), None), ReasoningDelta("Short answer.".into()), text("Bonjour, 日本語"), usage(None, Some(8)), finished(Ending::OutputLimit, "max_tokens")]);
    let gemini = reply(&decode_whole(ProviderKind::Gemini, &fixture("gemini-whole.json")));
    assert_eq!((gemini.text.as_str(), gemini.ending, gemini.output_tokens), ("Hallo, Welt 🌍", Some(Ending::Complete), Some(4)));
}

#[test]
fn a_json_error_with_status_200_is_the_servers_message() {
    let events = decode_whole(ProviderKind::OpenAiCompatible, &fixture("ollama-error.json"));
    assert_eq!(events, [Error { kind: StreamErrorKind::Provider, message: "model \"llama9\" not found, try pulling it first".into() }]);
    let anthropic = decode_as(ProviderKind::Anthropic, Some("application/json"), &[br#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#]);
    assert_eq!(anthropic, [Error { kind: StreamErrorKind::Overloaded, message: "Overloaded".into() }]);
    let gemini = decode_as(ProviderKind::Gemini, None, &[br#"[{"error": {"code": 429, "message": "Quota exceeded.", "status": "RESOURCE_EXHAUSTED"}}]"#]);
    assert_eq!(gemini, [Error { kind: StreamErrorKind::RateLimited, message: "Quota exceeded.".into() }]);
}

#[test]
fn other_bodies_say_what_came_instead_of_a_dropped_connection() {
    let detail = decode_as(ProviderKind::OpenAiCompatible, Some("application/json"), &[br#"{"detail":"Not Found"}"#]);
    assert_eq!(detail, [Error { kind: StreamErrorKind::Provider, message: "The server answered with application/json instead of a reply: {\"detail\":\"Not Found\"}".into() }]);
    let text = decode_as(ProviderKind::OpenAi, Some("text/plain; charset=utf-8"), &[b"upstream connect error"]);
    assert_eq!(text, [Error { kind: StreamErrorKind::Provider, message: "The server answered with text/plain; charset=utf-8 instead of a reply: upstream connect error".into() }]);
    let html = decode_as(ProviderKind::OpenAi, Some("text/html"), &[b"<html><body>Welcome to nginx</body></html>"]);
    assert_eq!(html, [Error { kind: StreamErrorKind::Provider, message: "The server answered with text/html instead of a reply.".into() }]);
    // An event stream that closes before any event is still a dropped connection.
    for body in [&b""[..], b": OPENROUTER PROCESSING\n\n", b"data: {\"choi"] {
        let events = decode_as(ProviderKind::OpenRouter, Some("text/event-stream"), &[body]);
        assert!(matches!(events.as_slice(), [Error { kind: StreamErrorKind::Interrupted, .. }]), "{body:?}: {events:?}");
    }
}
