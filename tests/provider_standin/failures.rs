//! What goes wrong, as each provider says it: refused keys, rate limits,
//! overloaded or failing services, dropped streams, errors mid-stream.

use super::*;

#[test]
fn wrong_keys_get_each_providers_real_refusal() {
    let standin = standin();
    for kind in ProviderKind::ALL.into_iter().filter(|k| k.requires_key()) {
        for key in [Some("sk-wrong-key-0123"), None] {
            let response = fetch(&build_request(&standin.config(kind), key, &chat(&standin, kind, "hi")));
            let body = response.json();
            let expected_status = match (kind, key) {
                (ProviderKind::Gemini, Some(_)) => 400,
                (ProviderKind::Gemini, None) => 403,
                _ => 401,
            };
            assert_eq!(response.status, expected_status, "{kind:?} {key:?}: {body}");
            assert!(response.header("access-control-allow-origin").is_some(), "{kind:?}: errors carry CORS headers too");
            assert!(!response.body().contains("sk-wrong-key-0123"), "{kind:?}: the key is not echoed whole");
            if key.is_none() {
                continue;
            }
            match kind {
                ProviderKind::Anthropic => assert_eq!(body, json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}, "request_id": "req_011StandIn"})),
                ProviderKind::OpenAi => assert_eq!((&body["error"]["type"], &body["error"]["code"]), (&json!("invalid_request_error"), &json!("invalid_api_key"))),
                ProviderKind::Gemini => assert_eq!((&body["error"]["status"], &body["error"]["details"][0]["reason"]), (&json!("INVALID_ARGUMENT"), &json!("API_KEY_INVALID"))),
                _ => assert_eq!(body["error"]["code"], 401),
            }
            let error = describe_http_error(kind, response.status, response.header("retry-after"), &response.body());
            assert_eq!(error.title, format!("The API key was refused (HTTP {expected_status})"), "{kind:?}");
            assert!(error.advice.contains(&format!("{} API key", kind.display_name())), "{kind:?}: {}", error.advice);
        }
    }

    // A local server started with a key wants it; by default any will do.
    let compat = ProviderKind::OpenAiCompatible;
    assert_eq!(fetch(&build_request(&standin.config(compat), Some("anything"), &chat(&standin, compat, "hi"))).status, 200);
    standin.set_key(compat, Some("local-secret"));
    let refused = fetch(&build_request(&standin.config(compat), None, &chat(&standin, compat, "hi")));
    assert_eq!(refused.status, 401);
    assert!(describe_http_error(compat, 401, None, &refused.body()).advice.contains("enter the one it was started with"));
    assert_eq!(fetch(&build_request(&standin.config(compat), Some("local-secret"), &chat(&standin, compat, "hi"))).status, 200);
}

#[test]
fn rate_limits_say_when_to_retry() {
    let standin = standin();
    for kind in ProviderKind::ALL {
        standin.script(kind, Script::failure(Failure::Status(429)));
        let response = fetch(&request(&standin, kind, &chat(&standin, kind, "hi")));
        assert_eq!(response.status, 429, "{kind:?}");
        if kind == ProviderKind::Gemini {
            assert_eq!(response.header("retry-after"), None, "Google says it in the body");
            assert_eq!(response.json()["error"]["status"], "RESOURCE_EXHAUSTED");
        } else {
            assert_eq!(response.header("retry-after"), Some(RETRY_AFTER_SECONDS.to_string().as_str()), "{kind:?}");
            let exposed = response.header("access-control-expose-headers").unwrap();
            assert!(exposed == "*" || exposed.contains("retry-after"), "{kind:?}: the page can read retry-after");
        }
        let error = describe_http_error(kind, 429, response.header("retry-after"), &response.body());
        assert_eq!(error.title, "Too many requests (HTTP 429)", "{kind:?}: {}", response.body());
        assert_eq!(error.retry_after_seconds, Some(RETRY_AFTER_SECONDS), "{kind:?}");
    }
    assert_eq!(standin.pending_scripts(), 0);
}

#[test]
fn overloaded_and_failing_providers() {
    let standin = standin();
    for (kind, status, title) in [
        (ProviderKind::Anthropic, 529, "Anthropic is overloaded or unavailable (HTTP 529)"),
        (ProviderKind::Anthropic, 500, "Anthropic had an internal error (HTTP 500)"),
        (ProviderKind::OpenAi, 503, "OpenAI is overloaded or unavailable (HTTP 503)"),
        (ProviderKind::Gemini, 503, "Google Gemini is overloaded or unavailable (HTTP 503)"),
        (ProviderKind::OpenRouter, 500, "OpenRouter had an internal error (HTTP 500)"),
    ] {
        standin.script(kind, Script::failure(Failure::Status(status)));
        let response = fetch(&request(&standin, kind, &chat(&standin, kind, "hi")));
        assert_eq!(response.status, status);
        let error = describe_http_error(kind, status, None, &response.body());
        assert_eq!(error.title, title);
        assert!(error.detail.is_some(), "{kind:?}: the provider's message is kept");
    }
    let overloaded = fetch(&request(&standin, ProviderKind::Anthropic, &chat(&standin, ProviderKind::Anthropic, "hi")));
    assert_eq!(overloaded.status, 200, "a failure is used once");
}

#[test]
fn dropped_streams_end_interrupted_with_the_partial_text() {
    let standin = standin();
    for kind in ProviderKind::ALL {
        standin.script(kind, Script::failure(Failure::DropAfter(5)));
        let response = fetch(&request(&standin, kind, &chat(&standin, kind, "hi")));
        assert_eq!(response.status, 200);
        assert!(!response.complete, "{kind:?}: no final chunk");
        let events = response.events(kind);
        assert!(matches!(events.last(), Some(StreamEvent::Error { kind: StreamErrorKind::Interrupted, .. })), "{kind:?}: {events:?}");
        assert_eq!(reply(&events).text, tokens(&default_answer("hi"))[..5].concat(), "{kind:?}");
    }
}

#[test]
fn errors_in_the_middle_of_a_stream() {
    let standin = standin();
    for (kind, error_kind) in [
        (ProviderKind::Anthropic, StreamErrorKind::Overloaded),
        (ProviderKind::OpenAi, StreamErrorKind::Provider),
        (ProviderKind::Gemini, StreamErrorKind::Overloaded),
        (ProviderKind::OpenRouter, StreamErrorKind::Provider),
        (ProviderKind::OpenAiCompatible, StreamErrorKind::Provider),
    ] {
        standin.script(kind, Script { failure: Some(Failure::MidStreamError), ..Script::text("One two three four five six seven.") });
        let response = fetch(&request(&standin, kind, &chat(&standin, kind, "hi")));
        assert!(response.complete, "{kind:?}: the stream ends properly after its error");
        let events = response.events(kind);
        assert!(matches!(events.last(), Some(StreamEvent::Error { kind, .. }) if *kind == error_kind), "{kind:?}: {events:?}");
        assert_eq!(reply(&events).text, tokens("One two three four five six seven.")[..3].concat(), "{kind:?}: three tokens came first");
    }
}
