//! The HTTP side of the stand-in: requests read off the socket, CORS as
//! each service does it, key checks, error bodies, model lists, and the
//! dispatch of chat requests to `reply`.

use super::embed::{self, OLLAMA_EMBED_PATH};
use super::reply::{chat_input, stream_reply, whole_reply};
use super::{models, prefix, Failure, Recorded, Shared, RETRY_AFTER_SECONDS};
use llmos_core::llm::ProviderKind;
use serde_json::{json, Value};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::Ordering;

pub(crate) struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

pub(crate) fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let length = headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let (path, query) = target.split_once('?').map_or((target.clone(), String::new()), |(p, q)| (p.to_string(), q.to_string()));
    Some(Request { method, path, query, headers, body: String::from_utf8_lossy(&body).into_owned() })
}

pub(super) fn serve(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nodelay(true);
    let Ok(clone) = stream.try_clone() else { return };
    let mut reader = BufReader::new(clone);
    let mut writer = stream;
    while let Some(request) = read_request(&mut reader) {
        let kind = ProviderKind::ALL
            .into_iter()
            .find(|&k| request.path.starts_with(&format!("{}/", prefix(k))))
            .or_else(|| (request.path == OLLAMA_EMBED_PATH).then_some(ProviderKind::OpenAiCompatible));
        let target = if request.query.is_empty() { request.path.clone() } else { format!("{}?{}", request.path, request.query) };
        let recorded = Recorded { kind, method: request.method.clone(), path: target, headers: request.headers.clone(), body: request.body.clone() };
        shared.state.lock().unwrap().requests.push(recorded);
        let close = request.header("connection").is_some_and(|c| c.eq_ignore_ascii_case("close"));
        match handle(&request, kind, &mut reader, &mut writer, shared) {
            Ok(true) if !close && !shared.stopped.load(Ordering::SeqCst) => {}
            _ => break,
        }
    }
    let _ = writer.shutdown(Shutdown::Both);
}

pub(super) type Headers = Vec<(String, String)>;

pub(super) fn header(name: &str, value: impl Into<String>) -> (String, String) {
    (name.to_string(), value.into())
}

/// The CORS headers of a real (non-preflight) response, as each service sends them.
fn cors_headers(kind: ProviderKind, request: &Request, enabled: bool) -> Headers {
    let origin = request.header("origin");
    match kind {
        _ if !enabled => vec![],
        // Anthropic allows browsers only when the page acknowledges the key is exposed.
        ProviderKind::Anthropic if request.header("anthropic-dangerous-direct-browser-access") == Some("true") => {
            vec![header("access-control-allow-origin", "*"), header("access-control-expose-headers", "*")]
        }
        ProviderKind::Anthropic => vec![],
        // Google echoes the origin.
        ProviderKind::Gemini => origin.map_or_else(Vec::new, |o| vec![header("access-control-allow-origin", o), header("vary", "Origin"), header("access-control-expose-headers", "retry-after, x-goog-request-id")]),
        _ => vec![header("access-control-allow-origin", "*"), header("access-control-expose-headers", "retry-after, request-id, x-request-id")],
    }
}

/// Request headers Google's API front end accepts from browsers.
const GEMINI_ALLOWED_HEADERS: [&str; 6] = ["content-type", "x-goog-api-key", "x-goog-api-client", "authorization", "x-goog-user-project", "x-server-timeout"];

fn preflight(kind: ProviderKind, request: &Request, enabled: bool) -> (u16, Headers) {
    if !enabled {
        return (204, vec![]);
    }
    let asked = request.header("access-control-request-headers").unwrap_or("");
    let names = asked.split(',').map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty());
    let origin = request.header("origin").unwrap_or("*");
    let mut headers = match kind {
        ProviderKind::Gemini if names.clone().any(|h| !GEMINI_ALLOWED_HEADERS.contains(&h.as_str())) => return (403, vec![]),
        ProviderKind::Gemini => vec![header("access-control-allow-origin", origin), header("vary", "Origin")],
        _ => vec![header("access-control-allow-origin", "*")],
    };
    headers.push(header("access-control-allow-methods", "POST, GET, OPTIONS"));
    if !asked.is_empty() {
        headers.push(header("access-control-allow-headers", asked));
    }
    (204, headers)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        529 => "Site Overloaded",
        _ => "Error",
    }
}

pub(crate) fn respond(writer: &mut TcpStream, status: u16, headers: &[(String, String)], body: &str) -> io::Result<bool> {
    let mut head = format!("HTTP/1.1 {status} {}\r\ncontent-length: {}\r\n", reason(status), body.len());
    if !body.is_empty() {
        head.push_str("content-type: application/json; charset=utf-8\r\n");
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    writer.write_all(head.as_bytes())?;
    writer.write_all(body.as_bytes())?;
    writer.flush()?;
    Ok(true)
}

/// The provider's error body for `status`.
pub(super) fn error_body(kind: ProviderKind, status: u16, message: &str, code: Option<&str>) -> Value {
    match kind {
        ProviderKind::Anthropic => {
            let kind = match status {
                400 => "invalid_request_error",
                401 => "authentication_error",
                402 => "billing_error",
                403 => "permission_error",
                404 => "not_found_error",
                413 => "request_too_large",
                429 => "rate_limit_error",
                503 | 529 => "overloaded_error",
                504 => "timeout_error",
                _ => "api_error",
            };
            json!({"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_011StandIn"})
        }
        ProviderKind::OpenAi | ProviderKind::OpenAiCompatible => {
            let kind = match status {
                429 => "requests",
                500.. => "server_error",
                401 if kind == ProviderKind::OpenAiCompatible => "authentication_error",
                _ => "invalid_request_error",
            };
            json!({"error": {"message": message, "type": kind, "param": null, "code": code}})
        }
        ProviderKind::OpenRouter => json!({"error": {"message": message, "code": status}}),
        ProviderKind::Gemini => {
            let grpc = match status {
                400 => "INVALID_ARGUMENT",
                401 => "UNAUTHENTICATED",
                403 => "PERMISSION_DENIED",
                404 => "NOT_FOUND",
                429 => "RESOURCE_EXHAUSTED",
                500 => "INTERNAL",
                503 => "UNAVAILABLE",
                504 => "DEADLINE_EXCEEDED",
                _ => "UNKNOWN",
            };
            json!({"error": {"code": status, "message": message, "status": grpc}})
        }
    }
}

/// A scripted `Failure::Status`: body and headers as the provider sends them.
fn failure_response(kind: ProviderKind, status: u16, model: &str) -> (Value, Headers) {
    use ProviderKind::*;
    let message = match (kind, status) {
        (Anthropic, 429) => "This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.".to_string(),
        (OpenAi | OpenAiCompatible, 429) => format!("Rate limit reached for {model} in organization org-standin on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in {RETRY_AFTER_SECONDS}s."),
        (OpenRouter, 429) => format!("{model} is temporarily rate-limited upstream. Please retry shortly."),
        (Gemini, 429) => format!("You exceeded your current rate limit. Please retry in {RETRY_AFTER_SECONDS}s."),
        (Anthropic, 500) => "Internal server error".into(),
        (Anthropic, 529 | 503) => "Overloaded".into(),
        (OpenAi | OpenAiCompatible, 500) => "The server had an error while processing your request. Sorry about that!".into(),
        (OpenAi | OpenAiCompatible, 503 | 529) => "The engine is currently overloaded, please try again later".into(),
        (Gemini, 500) => "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting".into(),
        (Gemini, 503 | 529) => "The model is overloaded. Please try again later.".into(),
        (_, 500) => "Internal Server Error".into(),
        (_, 503 | 529) => "Provider returned error: overloaded".into(),
        _ => format!("Scripted failure with status {status}"),
    };
    let code = (status == 429 && matches!(kind, OpenAi | OpenAiCompatible)).then_some("rate_limit_exceeded");
    let mut body = error_body(kind, status, &message, code);
    let mut headers = Vec::new();
    if status == 429 && kind == Gemini {
        // Google says when to retry in the body, not in a header.
        body["error"]["details"] = json!([{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": format!("{RETRY_AFTER_SECONDS}s")}]);
    } else if status == 429 {
        headers.push(header("retry-after", RETRY_AFTER_SECONDS.to_string()));
    }
    (body, headers)
}

/// The key check: `Some((status, body))` when the request is refused.
fn refuse_key(kind: ProviderKind, request: &Request, accepted: Option<&str>) -> Option<(u16, Value)> {
    let accepted = accepted?;
    let bearer = request.header("authorization").and_then(|v| v.get(..7).filter(|s| s.eq_ignore_ascii_case("bearer ")).map(|_| v[7..].trim()));
    let (given, header_name) = match kind {
        ProviderKind::Anthropic => (request.header("x-api-key"), "x-api-key"),
        ProviderKind::Gemini => (request.header("x-goog-api-key"), "x-goog-api-key"),
        _ => (bearer, "authorization"),
    };
    if given == Some(accepted) {
        return None;
    }
    let masked = given.map(|k| format!("{}***{}", k.get(..4).unwrap_or(""), k.get(k.len().saturating_sub(4)..).unwrap_or("")));
    Some(match (kind, given) {
        (ProviderKind::Anthropic, None) => (401, error_body(kind, 401, &format!("{header_name} header is required"), None)),
        (ProviderKind::Anthropic, Some(_)) => (401, error_body(kind, 401, "invalid x-api-key", None)),
        (ProviderKind::OpenAi, None) => (401, error_body(kind, 401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain an API key from https://platform.openai.com/account/api-keys.", None)),
        (ProviderKind::OpenAi, Some(_)) => (401, error_body(kind, 401, &format!("Incorrect API key provided: {}. You can find your API key at https://platform.openai.com/account/api-keys.", masked.unwrap()), Some("invalid_api_key"))),
        (ProviderKind::OpenRouter, None) => (401, error_body(kind, 401, "No auth credentials found", None)),
        (ProviderKind::OpenRouter, Some(_)) => (401, error_body(kind, 401, "User not found.", None)),
        (ProviderKind::Gemini, None) => (403, error_body(kind, 403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.", None)),
        (ProviderKind::Gemini, Some(_)) => {
            let mut body = error_body(kind, 400, "API key not valid. Please pass a valid API key.", None);
            body["error"]["details"] = json!([
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com", "metadata": {"service": "generativelanguage.googleapis.com"}},
                {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US", "message": "API key not valid. Please pass a valid API key."}
            ]);
            (400, body)
        }
        (ProviderKind::OpenAiCompatible, _) => (401, error_body(kind, 401, "Invalid API Key", None)),
    })
}

fn handle(request: &Request, kind: Option<ProviderKind>, reader: &mut BufReader<TcpStream>, writer: &mut TcpStream, shared: &Shared) -> io::Result<bool> {
    let Some(kind) = kind else { return respond(writer, 404, &[], "") };
    let rest = request.path.strip_prefix(prefix(kind)).unwrap_or("");
    let ollama = request.path == OLLAMA_EMBED_PATH;
    let embed_path = ollama
        || match kind {
            ProviderKind::Anthropic => false,
            ProviderKind::Gemini => rest.starts_with("/v1beta/models/") && rest.ends_with(":batchEmbedContents"),
            _ => rest == "/embeddings",
        };
    let (chat_path, models_path) = match kind {
        ProviderKind::Anthropic => (rest == "/v1/messages", rest == "/v1/models"),
        ProviderKind::Gemini => (rest.starts_with("/v1beta/models/") && rest.ends_with(":streamGenerateContent"), rest == "/v1beta/models"),
        _ => (rest == "/chat/completions", rest == "/models"),
    };
    let (cors_enabled, accepted_key) = {
        let state = shared.state.lock().unwrap();
        (state.cors, state.keys.iter().find(|(k, _)| *k == kind).and_then(|(_, key)| key.clone()))
    };
    if request.method == "OPTIONS" {
        // A browser that is refused here never sends the request itself.
        let no_cors = chat_path && shared.take_script(kind, |s| s.failure == Some(Failure::NoCors)).is_some();
        let (status, headers) = preflight(kind, request, cors_enabled && !no_cors);
        return respond(writer, status, &headers, "");
    }
    let no_cors = chat_path && shared.take_script(kind, |s| s.failure == Some(Failure::NoCors)).is_some();
    let cors = cors_headers(kind, request, cors_enabled && !no_cors);
    let fail = |writer: &mut TcpStream, status: u16, body: Value| respond(writer, status, &cors, &body.to_string());
    if !chat_path && !models_path && !embed_path {
        let message = format!("Unknown path {} {}", request.method, request.path);
        return fail(writer, 404, error_body(kind, 404, &message, None));
    }
    if ((chat_path || embed_path) && request.method != "POST") || (models_path && request.method != "GET") {
        return fail(writer, 405, error_body(kind, 405, &format!("Method {} not allowed here", request.method), None));
    }
    if kind == ProviderKind::Anthropic && request.header("origin").is_some() && request.header("anthropic-dangerous-direct-browser-access") != Some("true") {
        return fail(writer, 401, error_body(kind, 401, "CORS requests must set 'anthropic-dangerous-direct-browser-access' header", None));
    }
    // OpenRouter's model list is public.
    let key_needed = !(models_path && kind == ProviderKind::OpenRouter);
    if let Some((status, body)) = refuse_key(kind, request, accepted_key.as_deref().filter(|_| key_needed)) {
        return fail(writer, status, body);
    }
    if kind == ProviderKind::Anthropic && request.header("anthropic-version").is_none() {
        return fail(writer, 400, error_body(kind, 400, "anthropic-version: header is required", None));
    }
    if models_path {
        return respond(writer, 200, &cors, &model_list(kind).to_string());
    }
    if !request.header("content-type").is_some_and(|t| t.to_ascii_lowercase().starts_with("application/json")) {
        return fail(writer, 400, error_body(kind, 400, "Content-Type must be application/json", None));
    }
    if embed_path {
        return match embed::answer(kind, ollama, request) {
            Ok(body) => respond(writer, 200, &cors, &body.to_string()),
            Err((status, message)) => fail(writer, status, error_body(kind, status, &message, None)),
        };
    }
    let input = match chat_input(kind, request) {
        Ok(input) => input,
        Err((status, message)) => return fail(writer, status, error_body(kind, status, &message, None)),
    };
    let script = shared.take_script(kind, |_| true).unwrap_or_default();
    match script.failure {
        Some(Failure::Status(status)) => {
            let (body, mut headers) = failure_response(kind, status, &input.model);
            headers.extend(cors);
            respond(writer, status, &headers, &body.to_string())
        }
        Some(Failure::IgnoresStream | Failure::JsonError) => whole_reply(kind, &input, &script, cors, writer, shared),
        _ => stream_reply(kind, &input, script, cors, reader, writer, shared),
    }
}

fn model_list(kind: ProviderKind) -> Value {
    let list = models(kind);
    match kind {
        ProviderKind::Anthropic => json!({
            "data": list.iter().map(|(id, name)| json!({"type": "model", "id": id, "display_name": name, "created_at": "2025-09-29T00:00:00Z"})).collect::<Vec<_>>(),
            "has_more": false, "first_id": list[0].0, "last_id": list[list.len() - 1].0,
        }),
        ProviderKind::Gemini => {
            let mut entries: Vec<Value> = list.iter().map(|(id, name)| json!({
                "name": format!("models/{id}"), "version": "001", "displayName": name, "description": format!("Stand-in for {name}"),
                "inputTokenLimit": 1048576, "outputTokenLimit": 65536, "supportedGenerationMethods": ["generateContent", "countTokens", "createCachedContent", "batchGenerateContent"],
                "temperature": 1, "topP": 0.95, "topK": 64, "maxTemperature": 2, "thinking": true,
            })).collect();
            entries.push(json!({"name": "models/text-embedding-004", "version": "004", "displayName": "Text Embedding 004", "inputTokenLimit": 2048, "outputTokenLimit": 1, "supportedGenerationMethods": ["embedContent"]}));
            json!({"models": entries})
        }
        ProviderKind::OpenRouter => json!({"data": list.iter().map(|(id, name)| json!({
            "id": id, "canonical_slug": id, "name": name, "created": 1759104000, "description": format!("Stand-in for {name}"), "context_length": 200000,
            "pricing": {"prompt": "0.000003", "completion": "0.000015"}, "supported_parameters": ["max_tokens", "temperature", "tools", "tool_choice"],
        })).collect::<Vec<_>>()}),
        ProviderKind::OpenAi | ProviderKind::OpenAiCompatible => {
            let owner = if kind == ProviderKind::OpenAi { "system" } else { "library" };
            json!({"object": "list", "data": list.iter().map(|(id, _)| json!({"id": id, "object": "model", "created": 1721172741, "owned_by": owner})).collect::<Vec<_>>()})
        }
    }
}

