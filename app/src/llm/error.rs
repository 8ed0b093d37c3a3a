//! Failed requests explained: what happened and what the user can do,
//! instead of a status code. The provider's own message is kept as detail,
//! since it is often the most precise part ("model: claude-x not found").

use super::provider::{ProviderConfig, ProviderKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatError {
    /// One line: what happened.
    pub title: String,
    /// What to do about it.
    pub advice: String,
    /// What the provider said, when it said anything readable.
    pub detail: Option<String>,
    /// When to try again, if the provider said.
    pub retry_after_seconds: Option<u64>,
}

/// A response with a non-2xx `status`. `retry_after` is the `retry-after`
/// header when the browser may read it; the body is the response text.
pub fn describe_http_error(kind: ProviderKind, status: u16, retry_after: Option<&str>, body: &str) -> ChatError {
    let said = ProviderSaid::parse(body);
    let name = kind.display_name();
    let clues = format!("{} {}", said.code, said.message.as_deref().unwrap_or("")).to_lowercase();
    let mentions = |words: &[&str]| words.iter().any(|w| clues.contains(w));
    let local = kind == ProviderKind::OpenAiCompatible;
    let retry_after_seconds = retry_after.and_then(parse_seconds).or(said.retry_delay);

    let (title, advice) = match status {
        // Gemini answers a bad key with 400 rather than 401.
        400 | 401 | 403 if mentions(&["api_key_invalid", "api key not valid", "invalid x-api-key", "incorrect api key", "invalid_api_key"]) => key_refused(kind),
        401 => key_refused(kind),
        400 | 413 | 422 if mentions(&["context", "too long", "too many tokens", "maximum prompt", "token limit"]) => (
            "The conversation is too long for this model".to_string(),
            "Start a new conversation, remove large attachments, or pick a model with a larger context window.".to_string(),
        ),
        400 | 422 => (
            format!("{name} rejected the request"),
            "The chosen model may not support a setting in use (tools, temperature, maximum length). Try another model or the default settings; the provider's message below says more.".to_string(),
        ),
        402 => ("Out of credits".to_string(), format!("Your {name} account has no credit left: add some on the provider's billing page, then try again.")),
        403 if kind == ProviderKind::OpenRouter && mentions(&["moderation", "flagged"]) => {
            ("The message was flagged by moderation".to_string(), "The model's provider refused this input. Rephrase it or pick another model.".to_string())
        }
        403 => (
            format!("{name} refused access"),
            "The key may not be allowed to use this model, the API may not be enabled for its project, or the service may not be available in your region. Check the key's permissions in the provider's console.".to_string(),
        ),
        404 => (
            "Model not found".to_string(),
            if local {
                "The server does not have this model: pick one from the list (for Ollama, download it first with `ollama pull <model>`). If every request fails this way, check that the base URL ends in `/v1`.".to_string()
            } else {
                format!("{name} has no model by this name, or it was retired: pick one from the model list in the settings. If every request fails this way, check the base URL.")
            },
        ),
        408 => ("The request timed out".to_string(), "Try again; if it keeps happening, pick a faster model.".to_string()),
        413 => ("The request is too large".to_string(), "Remove large attachments or start a new conversation.".to_string()),
        429 if mentions(&["quota", "billing", "credit", "insufficient"]) => (
            "Quota exhausted".to_string(),
            format!("Your {name} account has used up its quota or credit; waiting a minute will not help. Check your plan and billing on the provider's website."),
        ),
        429 => (
            "Too many requests".to_string(),
            match retry_after_seconds {
                Some(seconds) => format!("{name} limits how much you can send per minute. Try again in {seconds} seconds."),
                None => format!("{name} limits how much you can send per minute. Wait a minute and try again; free tiers have low limits."),
            },
        ),
        500 => (format!("{name} had an internal error"), "The problem is on the provider's side. Try again in a moment.".to_string()),
        502..=504 | 529 => (format!("{name} is overloaded or unavailable"), "Try again in a few moments, or pick another model.".to_string()),
        400..=499 => (format!("{name} refused the request"), "The provider's message below says why.".to_string()),
        _ => (format!("{name} failed to answer"), "The problem is on the provider's side. Try again in a moment.".to_string()),
    };
    ChatError { title: format!("{title} (HTTP {status})"), advice, detail: said.message, retry_after_seconds }
}

/// A failed request for the model list (`models_request`). Its 404 means
/// the address is wrong, not the model: there is no list to pick from.
pub fn describe_models_error(config: &ProviderConfig, status: u16, retry_after: Option<&str>, body: &str) -> ChatError {
    let mut error = describe_http_error(config.kind, status, retry_after, body);
    if status == 404 || status == 405 {
        let url = super::models::models_request(config, Some("key")).map_or_else(|| config.base().to_string(), |r| r.url);
        let url = url.split('?').next().unwrap_or_default().to_string();
        error.title = format!("No model list at this address (HTTP {status})");
        error.advice = if config.kind == ProviderKind::OpenAiCompatible {
            format!("{url} does not exist on this server: check the base URL, which usually ends in /v1 (http://localhost:11434/v1 for Ollama). You can still type a model name.")
        } else {
            format!("{url} does not exist: check the base URL in the settings (the default is {}). You can still type a model name.", config.kind.default_base_url())
        };
    }
    error
}

/// A request that got no response at all: `fetch` rejected with
/// `TypeError: Failed to fetch` (or `NetworkError…`). Browsers give the
/// same error for a server that is down, a wrong address, and a server
/// that does not allow this page (CORS), so the advice covers all three.
/// `page_origin` is `location.origin`, for the exact setting to use.
pub fn describe_network_error(config: &ProviderConfig, page_origin: Option<&str>) -> ChatError {
    let base = config.base();
    let origin = page_origin.unwrap_or("this site's address");
    let name = config.local_preset().map_or(config.kind.display_name(), |p| p.name);
    let mut advice = if config.kind == ProviderKind::OpenAiCompatible {
        let cors = config.local_preset().map_or("Allow this site's origin ({origin}) in the server's CORS settings.", |p| p.cors_help);
        format!("Check that the server is running and listening at {base}. The browser also needs the server to accept requests from this page (CORS): {}", cors.replace("{origin}", origin))
    } else {
        format!(
            "Check your internet connection and the base URL ({base}). A browser extension (ad or privacy blocker), a firewall or a company proxy can also block the request; the browser reports all of these the same way."
        )
    };
    if base.starts_with("http://") && page_origin.is_some_and(|o| o.starts_with("https://")) {
        if is_loopback(base) {
            advice.push_str(" If the browser asks whether this site may access devices on your local network, allow it.");
        } else {
            advice.push_str(" This page is served over HTTPS, and browsers block its requests to plain-HTTP addresses other than localhost: use https, or localhost.");
        }
    }
    ChatError { title: format!("Could not reach {name}"), advice, detail: None, retry_after_seconds: None }
}

/// What the chat says when the browser reports no network (`navigator.onLine`
/// false) and `config`'s provider is not on this computer: the request is
/// not sent at all. `None` for a server on localhost (Ollama, LM Studio,
/// llama.cpp), which answers offline too.
pub fn describe_offline(config: &ProviderConfig) -> Option<ChatError> {
    if is_loopback(config.base()) {
        return None;
    }
    let name = config.local_preset().map_or(config.kind.display_name(), |p| p.name);
    Some(ChatError {
        title: "You are offline".to_string(),
        advice: format!(
            "{name} cannot be reached without a network connection: send again when you are back online. \
Offline, the catalogue, search, your skills and skill runs keep working, and a model served on this computer (Ollama, LM Studio or llama.cpp on localhost) still answers."
        ),
        detail: None,
        retry_after_seconds: None,
    })
}

fn key_refused(kind: ProviderKind) -> (String, String) {
    let advice = if kind == ProviderKind::OpenAiCompatible {
        "This server asks for an API key: enter the one it was started with in the settings.".to_string()
    } else {
        format!("Check the {} API key in the settings: paste it again (without spaces), and make sure it has not been revoked or expired.", kind.display_name())
    };
    ("The API key was refused".to_string(), advice)
}

fn is_loopback(url: &str) -> bool {
    let authority = url.split_once("://").map_or(url, |(_, rest)| rest).split('/').next().unwrap_or("");
    let host = if authority.starts_with('[') { authority.split(']').next().unwrap_or("").trim_start_matches('[') } else { authority.split(':').next().unwrap_or("") };
    matches!(host, "localhost" | "127.0.0.1" | "::1") || host.ends_with(".localhost")
}

/// `retry-after` in seconds (`20`), or Gemini's `retryDelay` (`37s`,
/// `1.5s`), rounded up. The HTTP-date form needs a clock, which this crate
/// has not: it yields `None`. Read digit by digit rather than as an `f64`:
/// the standard library's float parser brings a 10 kB table of powers of
/// five into every WebAssembly bundle that reports provider errors (issue 14).
fn parse_seconds(value: &str) -> Option<u64> {
    let value = value.trim().trim_end_matches('s');
    let value = value.strip_prefix('+').unwrap_or(value);
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + fraction.len() == 0 || !digits(whole) || !digits(fraction) {
        return None;
    }
    let seconds = whole.bytes().fold(0u64, |n, b| n.saturating_mul(10).saturating_add(u64::from(b - b'0')));
    Some(seconds.saturating_add(u64::from(fraction.bytes().any(|b| b != b'0'))))
}

/// The parts of an error body that help, in any provider's shape:
/// Anthropic `{"type":"error","error":{"type","message"}}`, OpenAI and
/// OpenRouter `{"error":{"message","type"|"code"}}`, Gemini
/// `{"error":{"code","message","status","details"}}` (sometimes inside an
/// array), Ollama `{"error":"…"}`, and plain text.
#[derive(Debug, Default)]
struct ProviderSaid {
    code: String,
    message: Option<String>,
    retry_delay: Option<u64>,
}

impl ProviderSaid {
    fn parse(body: &str) -> ProviderSaid {
        let body = body.trim();
        let Ok(mut value) = serde_json::from_str::<Value>(body) else {
            // A proxy's HTML page says nothing useful; short text might.
            let readable = !body.is_empty() && !body.starts_with('<') && body.chars().count() <= 300;
            return ProviderSaid { message: readable.then(|| body.to_string()), ..ProviderSaid::default() };
        };
        if let Some(first) = value.as_array().and_then(|a| a.first()) {
            value = first.clone();
        }
        let error = value.get("error").unwrap_or(&value);
        let message = error.get("message").and_then(Value::as_str).or_else(|| error.as_str()).filter(|m| !m.trim().is_empty()).map(str::to_string);
        let code = ["type", "status", "code"].iter().filter_map(|f| error.get(*f)).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).collect::<Vec<_>>().join(" ");
        let retry_delay = error["details"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["@type"].as_str().is_some_and(|t| t.ends_with("RetryInfo")))
            .find_map(|d| parse_seconds(d["retryDelay"].as_str()?));
        ProviderSaid { code, message, retry_delay }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anthropic_errors() {
        let body = r#"{"type":"error","error":{"type":"not_found_error","message":"model: claude-nonexistent"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}"#;
        let error = describe_http_error(ProviderKind::Anthropic, 404, None, body);
        assert_eq!(error.title, "Model not found (HTTP 404)");
        assert_eq!(error.detail.as_deref(), Some("model: claude-nonexistent"));
        let overloaded = describe_http_error(ProviderKind::Anthropic, 529, None, r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#);
        assert_eq!(overloaded.title, "Anthropic is overloaded or unavailable (HTTP 529)");
        let key = describe_http_error(ProviderKind::Anthropic, 401, None, r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#);
        assert_eq!(key.title, "The API key was refused (HTTP 401)");
        assert!(key.advice.contains("Anthropic API key"));
    }

    #[test]
    fn openai_errors() {
        let quota = r#"{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"#;
        let error = describe_http_error(ProviderKind::OpenAi, 429, Some("20"), quota);
        assert_eq!(error.title, "Quota exhausted (HTTP 429)");
        let limited = r#"{"error":{"message":"Rate limit reached for gpt-4o","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#;
        let error = describe_http_error(ProviderKind::OpenAi, 429, Some("20"), limited);
        assert_eq!((error.title.as_str(), error.retry_after_seconds), ("Too many requests (HTTP 429)", Some(20)));
        assert!(error.advice.contains("Try again in 20 seconds"));
        let long = r#"{"error":{"message":"This model's maximum context length is 128000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#;
        assert_eq!(describe_http_error(ProviderKind::OpenAi, 400, None, long).title, "The conversation is too long for this model (HTTP 400)");
        let other = describe_http_error(ProviderKind::OpenAi, 400, None, r#"{"error":{"message":"Unsupported parameter: 'temperature'","type":"invalid_request_error"}}"#);
        assert_eq!(other.title, "OpenAI rejected the request (HTTP 400)");
    }

    #[test]
    fn gemini_errors() {
        let bad_key = r#"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}"#;
        assert_eq!(describe_http_error(ProviderKind::Gemini, 400, None, bad_key).title, "The API key was refused (HTTP 400)");
        let exhausted = r#"[{"error":{"code":429,"message":"You exceeded your current rate limit.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"37s"}]}}]"#;
        let error = describe_http_error(ProviderKind::Gemini, 429, None, exhausted);
        assert_eq!((error.retry_after_seconds, error.detail.as_deref()), (Some(37), Some("You exceeded your current rate limit.")));
        let missing = r#"{"error":{"code":404,"message":"models/gemini-9 is not found for API version v1beta","status":"NOT_FOUND"}}"#;
        assert_eq!(describe_http_error(ProviderKind::Gemini, 404, None, missing).title, "Model not found (HTTP 404)");
    }

    #[test]
    fn openrouter_and_local_errors() {
        let credits = describe_http_error(ProviderKind::OpenRouter, 402, None, r#"{"error":{"code":402,"message":"Insufficient credits"}}"#);
        assert_eq!(credits.title, "Out of credits (HTTP 402)");
        let ollama = describe_http_error(ProviderKind::OpenAiCompatible, 404, None, r#"{"error":"model \"llama9\" not found, try pulling it first"}"#);
        assert!(ollama.advice.contains("ollama pull"));
        assert_eq!(ollama.detail.as_deref(), Some("model \"llama9\" not found, try pulling it first"));
    }

    #[test]
    fn bodies_that_are_not_json() {
        assert_eq!(describe_http_error(ProviderKind::OpenAi, 502, Some("1.5"), "<html><body>Bad gateway</body></html>"), ChatError {
            title: "OpenAI is overloaded or unavailable (HTTP 502)".into(),
            advice: "Try again in a few moments, or pick another model.".into(),
            detail: None,
            retry_after_seconds: Some(2),
        });
        assert_eq!(describe_http_error(ProviderKind::OpenAi, 500, Some("Wed, 21 Oct 2015 07:28:00 GMT"), "upstream error").detail.as_deref(), Some("upstream error"));
        assert_eq!(describe_http_error(ProviderKind::OpenAi, 500, Some("Wed, 21 Oct 2015 07:28:00 GMT"), "").retry_after_seconds, None);
    }

    #[test]
    fn retry_delays_are_whole_seconds_rounded_up() {
        let cases = [("20", Some(20)), ("1.5", Some(2)), ("37s", Some(37)), (" 0.000s ", Some(0)), ("+3", Some(3)), (".5", Some(1)), ("5.", Some(5)), ("0", Some(0))];
        for (text, seconds) in cases {
            assert_eq!(parse_seconds(text), seconds, "{text}");
        }
        for text in ["", "s", ".", "-1", "1e3", "inf", "NaN", "1.2.3", "Wed, 21 Oct 2015 07:28:00 GMT", "2 s"] {
            assert_eq!(parse_seconds(text), None, "{text}");
        }
        assert_eq!(parse_seconds("99999999999999999999999"), Some(u64::MAX));
    }

    #[test]
    fn a_missing_model_list_blames_the_address_not_the_model() {
        let local = ProviderConfig { kind: ProviderKind::OpenAiCompatible, base_url: "http://localhost:11434".into() };
        let error = describe_models_error(&local, 404, None, "404 page not found");
        assert_eq!(error.title, "No model list at this address (HTTP 404)");
        assert!(error.advice.contains("http://localhost:11434/models does not exist") && error.advice.contains("/v1"), "{}", error.advice);
        assert!(!error.advice.contains("pick one"), "the list it would pick from is the one that failed: {}", error.advice);
        let anthropic = describe_models_error(&ProviderConfig::new(ProviderKind::Anthropic), 404, None, r#"{"type":"error","error":{"type":"not_found_error","message":"Not found"}}"#);
        assert!(anthropic.advice.contains("https://api.anthropic.com/v1/models does not exist"), "{}", anthropic.advice);
        assert_eq!(describe_models_error(&local, 401, None, "").title, "The API key was refused (HTTP 401)", "other failures read as for any request");
    }

    #[test]
    fn network_failures_explain_cors() {
        let ollama = describe_network_error(&crate::llm::LOCAL_PRESETS[0].config(), Some("https://skills.example.org"));
        assert_eq!(ollama.title, "Could not reach Ollama");
        assert!(ollama.advice.contains("OLLAMA_ORIGINS=https://skills.example.org ollama serve"), "{}", ollama.advice);
        assert!(ollama.advice.contains("local network"));
        let lan = ProviderConfig { kind: ProviderKind::OpenAiCompatible, base_url: "http://192.168.1.20:9000/v1".into() };
        let error = describe_network_error(&lan, Some("https://skills.example.org"));
        assert!(error.advice.contains("CORS") && error.advice.contains("plain-HTTP"), "{}", error.advice);
        let hosted = describe_network_error(&ProviderConfig::new(ProviderKind::Anthropic), None);
        assert_eq!(hosted.title, "Could not reach Anthropic");
        assert!(hosted.advice.contains("https://api.anthropic.com"));
    }

    #[test]
    fn offline_a_hosted_provider_is_named_unreachable_and_a_local_server_is_not() {
        let anthropic = describe_offline(&ProviderConfig::new(ProviderKind::Anthropic)).expect("a hosted provider needs the network");
        assert_eq!(anthropic.title, "You are offline");
        assert!(anthropic.advice.starts_with("Anthropic cannot be reached without a network connection"), "{}", anthropic.advice);
        assert!(anthropic.advice.contains("localhost"), "{}", anthropic.advice);
        assert!(describe_offline(&crate::llm::LOCAL_PRESETS[0].config()).is_none(), "Ollama on localhost answers offline");
        let loopback = ProviderConfig { kind: ProviderKind::OpenAiCompatible, base_url: "http://127.0.0.1:8080/v1".into() };
        assert!(describe_offline(&loopback).is_none());
        let lan = ProviderConfig { kind: ProviderKind::OpenAiCompatible, base_url: "http://192.168.1.20:9000/v1".into() };
        assert!(describe_offline(&lan).is_some(), "another machine needs the network");
    }
}
