//! How answers end, in each provider's own words: every ending that is
//! not a normal one is decoded, so the page can say why and offer to continue.

use super::*;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/streams/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The terminal event of a recorded stream, decoded every way.
fn ending_of(kind: ProviderKind, name: &str) -> (Reply, StreamEvent) {
    let events = decode_every_way(kind, &fixture(name));
    let terminal = events.last().cloned().unwrap();
    assert_eq!(events.iter().filter(|e| matches!(e, Finished { .. } | Error { .. })).count(), 1, "{name}: one terminal event");
    (reply(&events), terminal)
}

#[test]
fn answers_cut_at_the_output_limit_say_so_in_every_format() {
    for (kind, name, reason, text) in [
        (ProviderKind::Anthropic, "anthropic-max-tokens.sse", "max_tokens", "Crème brûlée, step by step:\n\n1. Heat the cream with the vanilla 🍮\n2. Whisk the"),
        (ProviderKind::OpenAi, "openai-length.sse", "length", "Voilà the list: 日本語, café, and"),
        (ProviderKind::Gemini, "gemini-max-tokens.sse", "MAX_TOKENS", "Les étapes : 1. Chauffer la crème"),
        (ProviderKind::OpenRouter, "openrouter-reasoning.sse", "length", "Four."),
    ] {
        let (reply, terminal) = ending_of(kind, name);
        assert_eq!(terminal, finished(Ending::OutputLimit, reason), "{name}");
        assert_eq!((reply.text.as_str(), reply.ending), (text, Some(Ending::OutputLimit)), "{name}: the text so far is kept");
        assert!(reply.error.is_none(), "{name}: a cut answer is not a failure");
    }
    let ending = Ending::OutputLimit;
    assert!(!ending.is_normal() && ending.can_continue());
    assert!(ending.note(Some("max_tokens")).unwrap().contains("cut off"));
}

#[test]
fn refusals_and_content_filters_say_so_in_every_format() {
    for (kind, name, ending, reason, text) in [
        (ProviderKind::Anthropic, "anthropic-refusal.sse", Ending::Refusal, "refusal", "I can’t help with that."),
        (ProviderKind::OpenAi, "openai-refusal.sse", Ending::Refusal, "stop", "I’m sorry, I can’t assist with that."),
        (ProviderKind::OpenAi, "openai-content-filter.sse", Ending::Filtered, "content_filter", "Here is how"),
        (ProviderKind::Gemini, "gemini-safety.sse", Ending::Filtered, "SAFETY", "To start, you"),
        (ProviderKind::Gemini, "gemini-prompt-blocked.sse", Ending::PromptBlocked, "PROHIBITED_CONTENT", ""),
    ] {
        let (reply, terminal) = ending_of(kind, name);
        assert_eq!(terminal, finished(ending, reason), "{name}");
        assert_eq!(reply.text, text, "{name}");
        assert!(!ending.is_normal() && !ending.can_continue(), "{name}: continuing would not help");
    }
    assert_eq!(Ending::Filtered.note(Some("RECITATION")).unwrap(), "The provider's content filter stopped this answer (the provider said: RECITATION).");
    assert!(Ending::PromptBlocked.note(Some("SAFETY")).unwrap().contains("blocked this message"));
}

#[test]
fn every_reason_the_providers_document_has_an_ending() {
    use Ending::*;
    for (reason, ending) in [
        // Anthropic `stop_reason`.
        ("end_turn", Complete), ("stop_sequence", Complete), ("tool_use", ToolUse), ("max_tokens", OutputLimit), ("refusal", Refusal), ("pause_turn", Paused), ("model_context_window_exceeded", ContextFull),
        // Chat Completions `finish_reason` (OpenAI, OpenRouter, local servers).
        ("stop", Complete), ("length", OutputLimit), ("content_filter", Filtered), ("tool_calls", ToolUse), ("function_call", ToolUse),
        // Gemini `finishReason`.
        ("STOP", Complete), ("MAX_TOKENS", OutputLimit), ("SAFETY", Filtered), ("RECITATION", Filtered), ("BLOCKLIST", Filtered), ("PROHIBITED_CONTENT", Filtered), ("SPII", Filtered), ("IMAGE_SAFETY", Filtered),
        ("LANGUAGE", Other), ("OTHER", Other), ("MALFORMED_FUNCTION_CALL", Other), ("FINISH_REASON_UNSPECIFIED", Other), ("something_new", Other),
    ] {
        assert_eq!(Ending::from_reason(Some(reason)), ending, "{reason}");
        assert_eq!(ending.note(Some(reason)).is_none(), ending.is_normal(), "{reason}: every ending that is not normal is explained");
    }
    assert_eq!(Ending::from_reason(None), Complete, "an end marker without a reason is a normal end");
    assert!(Paused.can_continue() && !ContextFull.can_continue());
    assert_eq!(serde_json::to_string(&OutputLimit).unwrap(), "\"output-limit\"", "stored with the message");
}
