//! Every ending a provider can send, reasoning in each provider's own
//! field, and `200`s that are not streams, read back through the core's
//! decoder exactly as the chat reads them.

use super::*;

/// Each provider and the endings it has words for (besides a normal end).
fn endings(kind: ProviderKind) -> Vec<Ending> {
    match kind {
        ProviderKind::Anthropic => vec![Ending::OutputLimit, Ending::Refusal, Ending::ContextFull, Ending::Paused],
        ProviderKind::Gemini => vec![Ending::OutputLimit, Ending::Filtered, Ending::PromptBlocked, Ending::Other],
        _ => vec![Ending::OutputLimit, Ending::Refusal, Ending::Filtered],
    }
}

#[test]
fn every_ending_comes_in_each_providers_own_words() {
    let standin = standin();
    for kind in ProviderKind::ALL {
        for ending in endings(kind) {
            standin.script(kind, Script::text("Part of an answer, 日本語.").ending(ending));
            let response = fetch(&request(&standin, kind, &chat(&standin, kind, "hi")));
            assert_eq!(response.status, 200, "{kind:?} {ending:?}");
            let body = response.body();
            let words = match (kind, ending) {
                (ProviderKind::Anthropic, Ending::OutputLimit) => "\"stop_reason\":\"max_tokens\"",
                (ProviderKind::Anthropic, Ending::Refusal) => "\"stop_reason\":\"refusal\"",
                (ProviderKind::Anthropic, Ending::ContextFull) => "\"stop_reason\":\"model_context_window_exceeded\"",
                (ProviderKind::Anthropic, Ending::Paused) => "\"stop_reason\":\"pause_turn\"",
                (ProviderKind::Gemini, Ending::OutputLimit) => "\"finishReason\":\"MAX_TOKENS\"",
                (ProviderKind::Gemini, Ending::Filtered) => "\"finishReason\":\"SAFETY\"",
                (ProviderKind::Gemini, Ending::PromptBlocked) => "\"blockReason\":\"PROHIBITED_CONTENT\"",
                (ProviderKind::Gemini, _) => "\"finishReason\":\"MALFORMED_FUNCTION_CALL\"",
                (_, Ending::OutputLimit) => "\"finish_reason\":\"length\"",
                (_, Ending::Filtered) => "\"finish_reason\":\"content_filter\"",
                (_, _) => "\"refusal\":\"Par\"",
            };
            assert!(body.contains(words), "{kind:?} {ending:?}: {body}");
            let reply = reply(&response.events(kind));
            assert_eq!(reply.ending, Some(ending), "{kind:?}: {body}");
            let text = if ending == Ending::PromptBlocked { "" } else { "Part of an answer, 日本語." };
            assert_eq!(reply.text, text, "{kind:?} {ending:?}");
        }
    }
    assert_eq!(standin.pending_scripts(), 0);
}

#[test]
fn reasoning_comes_in_each_providers_own_field() {
    let standin = standin();
    for kind in ProviderKind::ALL {
        standin.script(kind, Script::text("Four.").reasoning("Two and two, café."));
        let response = fetch(&request(&standin, kind, &chat(&standin, kind, "hi")));
        let field = match kind {
            ProviderKind::Anthropic => "thinking_delta",
            ProviderKind::Gemini => "\"thought\":true",
            ProviderKind::OpenRouter => "\"reasoning\":",
            _ => "\"reasoning_content\":",
        };
        assert!(response.body().contains(field), "{kind:?}");
        let reply = reply(&response.events(kind));
        assert_eq!((reply.reasoning.as_str(), reply.text.as_str(), reply.ending), ("Two and two, café.", "Four.", Some(Ending::Complete)), "{kind:?}");
    }
    // A local reasoning model writes it into the text instead.
    let compat = ProviderKind::OpenAiCompatible;
    standin.script(compat, Script::text("<think>Hmm, Paris.</think>\n\nParis."));
    let reply = reply(&fetch(&request(&standin, compat, &chat(&standin, compat, "hi"))).events(compat));
    assert_eq!((reply.reasoning.as_str(), reply.text.as_str()), ("Hmm, Paris.", "Paris."));
}

#[test]
fn servers_that_ignore_stream_answer_whole_or_with_a_json_error() {
    let standin = standin();
    for kind in ProviderKind::ALL {
        standin.script(kind, Script { failure: Some(Failure::IgnoresStream), ..Script::text("Whole, 日本語 🦀.").ending(Ending::OutputLimit) });
        let response = fetch(&request(&standin, kind, &chat(&standin, kind, "hi")));
        assert_eq!(response.status, 200);
        assert!(response.header("content-type").unwrap().starts_with("application/json"), "{kind:?}");
        let mut decoder = StreamDecoder::for_response(kind, response.header("content-type"));
        let mut events: Vec<StreamEvent> = response.chunks.iter().flat_map(|c| decoder.push(c)).collect();
        events.extend(decoder.finish());
        let reply = reply(&events);
        assert_eq!((reply.text.as_str(), reply.ending), ("Whole, 日本語 🦀.", Some(Ending::OutputLimit)), "{kind:?}: {}", response.body());
        assert!(reply.output_tokens.is_some(), "{kind:?}");
    }
    let compat = ProviderKind::OpenAiCompatible;
    standin.script(compat, Script::failure(Failure::JsonError));
    let response = fetch(&request(&standin, compat, &chat(&standin, compat, "hi")));
    assert_eq!(response.status, 200);
    let events = StreamDecoder::for_response(compat, response.header("content-type")).push(&response.chunks.concat());
    assert!(events.is_empty(), "read whole, at the end");
    let mut decoder = StreamDecoder::for_response(compat, response.header("content-type"));
    decoder.push(&response.chunks.concat());
    let message = format!("model \"{}\" not found, try pulling it first", standin.model(compat));
    assert_eq!(decoder.finish(), [StreamEvent::Error { kind: StreamErrorKind::Provider, message }]);
}
