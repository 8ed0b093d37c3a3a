//! The HTTP side of the stand-in as a browser meets it: CORS preflights and
//! headers as each service sends them, model lists, and requests refused
//! the way the real APIs refuse them.

use super::*;

#[test]
fn cors_preflights_like_the_real_services() {
    let standin = standin();
    for kind in ProviderKind::ALL {
        let request = request(&standin, kind, &chat(&standin, kind, "hi"));
        // What Chromium asks: the non-safelisted headers, lowercase and sorted.
        let mut asked: Vec<&str> = request.headers.iter().map(|(n, _)| n.as_str()).collect();
        asked.sort();
        let asked = asked.join(",");
        let preflight = || raw("OPTIONS", &request.url, &[("origin", PAGE), ("access-control-request-method", "POST"), ("access-control-request-headers", &asked)], "");
        let response = preflight();
        assert!((200..300).contains(&response.status), "{kind:?}");
        let allowed_origin = if kind == ProviderKind::Gemini { PAGE } else { "*" };
        assert_eq!(response.header("access-control-allow-origin"), Some(allowed_origin), "{kind:?}");
        assert!(response.header("access-control-allow-methods").unwrap().contains("POST"));
        let allowed = response.header("access-control-allow-headers").unwrap();
        assert!(asked.split(',').all(|h| allowed.contains(h)), "{kind:?}: {allowed}");

        // Scripted NoCors: the preflight is refused, and that uses the script up.
        standin.script(kind, Script::failure(Failure::NoCors));
        assert_eq!(preflight().header("access-control-allow-origin"), None, "{kind:?}");
        assert!(preflight().header("access-control-allow-origin").is_some());
        // A cached preflight means no new one: the response itself lacks CORS then.
        standin.script(kind, Script::failure(Failure::NoCors));
        let response = fetch(&request);
        assert_eq!((response.status, response.header("access-control-allow-origin")), (200, None), "{kind:?}");
        assert!(fetch(&request).header("access-control-allow-origin").is_some());
    }

    // The switch turns CORS off everywhere.
    standin.set_cors(false);
    let url = format!("{}/chat/completions", standin.base_url(ProviderKind::OpenAi));
    assert_eq!(raw("OPTIONS", &url, &[("origin", PAGE), ("access-control-request-method", "POST")], "").header("access-control-allow-origin"), None);
    assert_eq!(fetch(&request(&standin, ProviderKind::OpenAi, &chat(&standin, ProviderKind::OpenAi, "hi"))).header("access-control-allow-origin"), None);
    standin.set_cors(true);

    // Anthropic refuses pages that do not acknowledge the exposed key, without CORS headers.
    let mut anthropic = request(&standin, ProviderKind::Anthropic, &chat(&standin, ProviderKind::Anthropic, "hi"));
    anthropic.headers.retain(|(n, _)| n != "anthropic-dangerous-direct-browser-access");
    let refused = fetch(&anthropic);
    assert_eq!((refused.status, refused.header("access-control-allow-origin")), (401, None));
    assert!(refused.body().contains("anthropic-dangerous-direct-browser-access"));
    // Google's preflight refuses headers it does not know.
    let gemini = format!("{}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", standin.base_url(ProviderKind::Gemini));
    let refused = raw("OPTIONS", &gemini, &[("origin", PAGE), ("access-control-request-method", "POST"), ("access-control-request-headers", "content-type,x-custom")], "");
    assert_eq!((refused.status, refused.header("access-control-allow-origin")), (403, None));
}

#[test]
fn model_lists_parse() {
    let standin = standin();
    for kind in ProviderKind::ALL {
        let request = models_request(&standin.config(kind), standin.key(kind).as_deref()).unwrap();
        let response = fetch(&request);
        assert_eq!(response.status, 200, "{kind:?}: {}", response.body());
        assert!(response.header("access-control-allow-origin").is_some());
        let models = parse_models(kind, &response.body()).unwrap();
        let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
        let expected: Vec<&str> = common::providers::models(kind).iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, expected, "{kind:?}: chat models only");
        assert_eq!(models[0].display_name, common::providers::models(kind)[0].1);
    }
    // Listing needs the key, except on OpenRouter.
    let wrong = fetch(&models_request(&standin.config(ProviderKind::OpenAi), Some("sk-nope")).unwrap());
    assert_eq!(wrong.status, 401);
    let public = fetch(&models_request(&standin.config(ProviderKind::OpenRouter), None).unwrap());
    assert_eq!(public.status, 200);
}

#[test]
fn requests_are_checked_like_the_real_apis() {
    let standin = standin();
    let anthropic = ProviderKind::Anthropic;
    let good = request(&standin, anthropic, &chat(&standin, anthropic, "hi"));
    let status = |request: &HttpRequest| fetch(request).status;

    let mut wrong_type = good.clone();
    wrong_type.headers[0].1 = "text/plain".into();
    assert_eq!(status(&wrong_type), 400);
    let mut no_version = good.clone();
    no_version.headers.retain(|(n, _)| n != "anthropic-version");
    assert_eq!(status(&no_version), 400);
    let mut not_json = good.clone();
    not_json.body = "{\"model\":".into();
    assert_eq!(status(&not_json), 400);
    let mut no_max_tokens = good.clone();
    let default = default_max_tokens(anthropic, standin.model(anthropic)).unwrap();
    no_max_tokens.body = good.body.replace(&format!("\"max_tokens\":{default},"), "");
    assert_eq!(status(&no_max_tokens), 400, "{}", no_max_tokens.body);
    let mut not_streaming = good.clone();
    not_streaming.body = good.body.replace("\"stream\":true", "\"stream\":false");
    assert_eq!(status(&not_streaming), 400);
    let mut wrong_path = good.clone();
    wrong_path.url = good.url.replace("/v1/messages", "/v1/message");
    assert_eq!(status(&wrong_path), 404);
    let mut wrong_method = good.clone();
    wrong_method.method = "GET";
    assert_eq!(status(&wrong_method), 405);

    for kind in ProviderKind::ALL {
        let mut chat = chat(&standin, kind, "hi");
        chat.model = "no-such-model".into();
        let response = fetch(&request(&standin, kind, &chat));
        let title = describe_http_error(kind, response.status, None, &response.body()).title;
        let expected = if kind == ProviderKind::OpenRouter { "OpenRouter rejected the request (HTTP 400)" } else { "Model not found (HTTP 404)" };
        assert_eq!(title, expected, "{kind:?}: {}", response.body());
    }
    // Gemini without SSE; and the model name may carry its `models/` prefix.
    let gemini = ProviderKind::Gemini;
    let mut whole = request(&standin, gemini, &chat(&standin, gemini, "hi"));
    whole.url = whole.url.replace("?alt=sse", "");
    assert_eq!(status(&whole), 400);
    let mut prefixed = chat(&standin, gemini, "hi");
    prefixed.model = format!("models/{}", prefixed.model);
    assert_eq!(status(&request(&standin, gemini, &prefixed)), 200);
    assert_eq!(standin.pending_scripts(), 0);
}
