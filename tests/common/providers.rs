//! A stand-in for the LLM providers, for tests that cannot reach the paid
//! APIs: one std-only HTTP/1.1 server on 127.0.0.1 that speaks each
//! provider's documented wire format (paths, auth headers, CORS, SSE
//! streams, error bodies, model lists), so the chat island runs against
//! it unchanged but for the base URL.
//!
//! Replies stream token by token, each SSE event its own HTTP chunk, and
//! events carrying multi-byte characters are cut in two chunks inside a
//! character, so clients meet what `fetch` really hands them. Tests script
//! the next replies (text, tool calls, delays, failures) and read back
//! every request received.
//!
//! Deliberate differences from the real services: requests without
//! `"stream": true` (Gemini: without `:streamGenerateContent?alt=sse`) are
//! refused rather than answered whole, and only the models listed here exist.

use llmos_core::llm::{ProviderConfig, ProviderKind};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const DEFAULT_DELAY_MS: u64 = 15;
/// The `retry-after` of a scripted 429 (Gemini: its body's `retryDelay`).
pub const RETRY_AFTER_SECONDS: u64 = 7;
/// Gemini's `thoughtSignature` on scripted function calls.
pub const GEMINI_SIGNATURE: &str = "c3RhbmQtaW4gc2lnbmF0dXJl";

/// The reply to a chat request without a script, after its `Echo:` line.
pub const FIXED_REPLY: &str = "Here is a deterministic reply from the stand-in — café, naïve, 日本語 and 🦀 included.\n\n\
It has **bold**, *emphasis*, `inline code` and a list:\n\n1. First point.\n2. Second point, with [a link](https://example.org).\n\n\
```rust\nfn main() {\n    println!(\"Hello, 🦀!\");\n}\n```\n\nThat is all.";

/// Tokens sent before the scripted `MidStreamError`, and before a `Hang`.
const TOKENS_BEFORE_ERROR: usize = 3;
const TOKENS_BEFORE_HANG: usize = 2;

/// What goes wrong with a scripted reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// An HTTP error with the provider's error body; 429 carries `retry-after`.
    Status(u16),
    /// `n` text tokens, then the connection closes without the final chunk.
    DropAfter(usize),
    /// The provider's in-stream error after a few tokens.
    MidStreamError,
    /// No CORS headers on the preflight or the response: the browser's
    /// `fetch` fails with a `TypeError`. The reply itself is normal.
    NoCors,
    /// A few tokens, then nothing until the client disconnects.
    Hang,
}

/// One scripted reply. Empty `text` without a tool call means the default
/// answer (`default_answer`); `delay_ms: None` the stand-in's delay.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    pub text: String,
    /// The tool's name and its JSON arguments.
    pub tool_call: Option<(String, String)>,
    pub delay_ms: Option<u64>,
    pub failure: Option<Failure>,
}

impl Script {
    pub fn text(text: impl Into<String>) -> Script {
        Script { text: text.into(), ..Script::default() }
    }

    pub fn tool_call(name: &str, arguments: &str) -> Script {
        Script { tool_call: Some((name.into(), arguments.into())), ..Script::default() }
    }

    pub fn failure(failure: Failure) -> Script {
        Script { failure: Some(failure), ..Script::default() }
    }

    pub fn delay_ms(mut self, delay_ms: u64) -> Script {
        self.delay_ms = Some(delay_ms);
        self
    }
}

/// A request as received. Header names are lowercase; `path` keeps the query.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub kind: Option<ProviderKind>,
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// The answer to a user message when nothing is scripted.
pub fn default_answer(user_message: &str) -> String {
    format!("Echo: {user_message}\n\n{FIXED_REPLY}")
}

/// The accepted key of each kind unless changed (`None`: none needed).
pub fn default_key(kind: ProviderKind) -> Option<&'static str> {
    match kind {
        ProviderKind::Anthropic => Some("sk-test-anthropic"),
        ProviderKind::OpenAi => Some("sk-test-openai"),
        ProviderKind::Gemini => Some("sk-test-gemini"),
        ProviderKind::OpenRouter => Some("sk-test-openrouter"),
        ProviderKind::OpenAiCompatible => None,
    }
}

/// The chat models of each kind, id and display name, as listed.
pub fn models(kind: ProviderKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        ProviderKind::Anthropic => &[("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5"), ("claude-haiku-4-5-20251001", "Claude Haiku 4.5"), ("claude-opus-4-1-20250805", "Claude Opus 4.1")],
        ProviderKind::OpenAi => &[("gpt-4o-mini", "gpt-4o-mini"), ("gpt-4.1", "gpt-4.1"), ("gpt-5-mini", "gpt-5-mini")],
        ProviderKind::Gemini => &[("gemini-2.5-flash", "Gemini 2.5 Flash"), ("gemini-2.5-pro", "Gemini 2.5 Pro")],
        ProviderKind::OpenRouter => &[("anthropic/claude-sonnet-4.5", "Anthropic: Claude Sonnet 4.5"), ("openai/gpt-4o-mini", "OpenAI: GPT-4o-mini"), ("google/gemini-2.5-flash", "Google: Gemini 2.5 Flash")],
        ProviderKind::OpenAiCompatible => &[("llama3.2:latest", "llama3.2:latest"), ("qwen2.5-coder:7b", "qwen2.5-coder:7b")],
    }
}

fn prefix(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Anthropic => "/anthropic",
        ProviderKind::OpenAi => "/openai/v1",
        ProviderKind::Gemini => "/gemini",
        ProviderKind::OpenRouter => "/openrouter/api/v1",
        ProviderKind::OpenAiCompatible => "/compat/v1",
    }
}

struct State {
    keys: Vec<(ProviderKind, Option<String>)>,
    scripts: VecDeque<(Option<ProviderKind>, Script)>,
    delay_ms: u64,
    cors: bool,
    requests: Vec<Recorded>,
}

struct Shared {
    state: Mutex<State>,
    stopped: AtomicBool,
    open_streams: AtomicUsize,
    counter: AtomicU64,
    connections: Mutex<Vec<TcpStream>>,
}

impl Shared {
    fn next_id(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Takes the next script for `kind` if `take` accepts it.
    fn take_script(&self, kind: ProviderKind, take: impl Fn(&Script) -> bool) -> Option<Script> {
        let mut state = self.state.lock().unwrap();
        let position = state.scripts.iter().position(|(k, _)| k.is_none_or(|k| k == kind))?;
        take(&state.scripts[position].1).then(|| state.scripts.remove(position).unwrap().1)
    }
}

pub struct ProviderStandIn {
    port: u16,
    shared: Arc<Shared>,
}

impl ProviderStandIn {
    pub fn start() -> ProviderStandIn {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let keys = ProviderKind::ALL.iter().map(|&k| (k, default_key(k).map(str::to_string))).collect();
        let state = State { keys, scripts: VecDeque::new(), delay_ms: DEFAULT_DELAY_MS, cors: true, requests: Vec::new() };
        let shared = Arc::new(Shared { state: Mutex::new(state), stopped: AtomicBool::new(false), open_streams: AtomicUsize::new(0), counter: AtomicU64::new(0), connections: Mutex::new(Vec::new()) });
        let accepting = shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if accepting.stopped.load(Ordering::SeqCst) {
                    return;
                }
                if let Ok(clone) = stream.try_clone() {
                    accepting.connections.lock().unwrap().push(clone);
                }
                let shared = accepting.clone();
                std::thread::spawn(move || serve(stream, &shared));
            }
        });
        ProviderStandIn { port, shared }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT`, the origin every base URL shares.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The base URL to configure for `kind`, as `ProviderConfig::base_url`.
    pub fn base_url(&self, kind: ProviderKind) -> String {
        format!("{}{}", self.origin(), prefix(kind))
    }

    pub fn config(&self, kind: ProviderKind) -> ProviderConfig {
        ProviderConfig { kind, base_url: self.base_url(kind) }
    }

    /// The key `kind` accepts (`None`: any key or none).
    pub fn key(&self, kind: ProviderKind) -> Option<String> {
        self.shared.state.lock().unwrap().keys.iter().find(|(k, _)| *k == kind).and_then(|(_, key)| key.clone())
    }

    pub fn set_key(&self, kind: ProviderKind, key: Option<&str>) {
        let mut state = self.shared.state.lock().unwrap();
        state.keys.iter_mut().filter(|(k, _)| *k == kind).for_each(|(_, v)| *v = key.map(str::to_string));
    }

    /// The first listed chat model of `kind`.
    pub fn model(&self, kind: ProviderKind) -> &'static str {
        models(kind)[0].0
    }

    /// Queues a reply for the next chat request to `kind`, or to any kind.
    /// Scripts are used in order; without one, the default answer streams.
    pub fn script(&self, kind: impl Into<Option<ProviderKind>>, script: Script) {
        self.shared.state.lock().unwrap().scripts.push_back((kind.into(), script));
    }

    pub fn pending_scripts(&self) -> usize {
        self.shared.state.lock().unwrap().scripts.len()
    }

    pub fn clear_scripts(&self) {
        self.shared.state.lock().unwrap().scripts.clear();
    }

    /// The pause before each token of replies whose script sets none.
    pub fn set_delay_ms(&self, delay_ms: u64) {
        self.shared.state.lock().unwrap().delay_ms = delay_ms;
    }

    /// `false`: no CORS headers at all, on preflights and responses alike.
    pub fn set_cors(&self, enabled: bool) {
        self.shared.state.lock().unwrap().cors = enabled;
    }

    /// Every request so far, preflights included, in order of arrival.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.state.lock().unwrap().requests.clone()
    }

    pub fn take_requests(&self) -> Vec<Recorded> {
        std::mem::take(&mut self.shared.state.lock().unwrap().requests)
    }

    /// Replies being streamed right now: 0 once a stopped client has gone.
    pub fn open_streams(&self) -> usize {
        self.shared.open_streams.load(Ordering::SeqCst)
    }
}

impl Drop for ProviderStandIn {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        for connection in self.shared.connections.lock().unwrap().drain(..) {
            let _ = connection.shutdown(Shutdown::Both);
        }
    }
}

struct Request {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
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

fn serve(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nodelay(true);
    let Ok(clone) = stream.try_clone() else { return };
    let mut reader = BufReader::new(clone);
    let mut writer = stream;
    while let Some(request) = read_request(&mut reader) {
        let kind = ProviderKind::ALL.into_iter().find(|&k| request.path.starts_with(&format!("{}/", prefix(k))));
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

type Headers = Vec<(String, String)>;

fn header(name: &str, value: impl Into<String>) -> (String, String) {
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
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        529 => "Site Overloaded",
        _ => "Error",
    }
}

fn respond(writer: &mut TcpStream, status: u16, headers: &[(String, String)], body: &str) -> io::Result<bool> {
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
fn error_body(kind: ProviderKind, status: u16, message: &str, code: Option<&str>) -> Value {
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
    let rest = &request.path[prefix(kind).len()..];
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
    if !chat_path && !models_path {
        let message = format!("Unknown path {} {}", request.method, request.path);
        return fail(writer, 404, error_body(kind, 404, &message, None));
    }
    if (chat_path && request.method != "POST") || (models_path && request.method != "GET") {
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
    let input = match chat_input(kind, request) {
        Ok(input) => input,
        Err((status, message)) => return fail(writer, status, error_body(kind, status, &message, None)),
    };
    let script = shared.take_script(kind, |_| true).unwrap_or_default();
    if let Some(Failure::Status(status)) = script.failure {
        let (body, mut headers) = failure_response(kind, status, &input.model);
        headers.extend(cors);
        return respond(writer, status, &headers, &body.to_string());
    }
    stream_reply(kind, &input, script, cors, reader, writer, shared)
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

struct ChatInput {
    model: String,
    last_user: String,
    include_usage: bool,
    input_tokens: u64,
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Text of a message's content: a string, or text parts/blocks.
fn content_text(content: &Value) -> String {
    match content {
        Value::String(text) => text.clone(),
        Value::Array(parts) => parts.iter().filter_map(|p| p["text"].as_str()).collect::<Vec<_>>().join("\n"),
        _ => String::new(),
    }
}

/// Validates a chat request's body and reads what the reply depends on.
fn chat_input(kind: ProviderKind, request: &Request) -> Result<ChatInput, (u16, String)> {
    let body: Value = serde_json::from_str(&request.body).map_err(|e| (400, format!("Invalid JSON payload received: {e}")))?;
    if !body.is_object() {
        return Err((400, "The request body must be a JSON object".into()));
    }
    let model = if kind == ProviderKind::Gemini {
        let name = request.path.rsplit_once("/models/").map_or("", |(_, m)| m).trim_end_matches(":streamGenerateContent");
        if !request.query.split('&').any(|p| p == "alt=sse") {
            return Err((400, "The stand-in streams server-sent events only: add ?alt=sse".into()));
        }
        percent_decode(name)
    } else {
        if body["stream"] != true {
            return Err((400, "The stand-in answers streaming requests only: set \"stream\": true".into()));
        }
        body["model"].as_str().unwrap_or("").to_string()
    };
    if model.is_empty() {
        return Err((400, if kind == ProviderKind::Anthropic { "model: Field required".into() } else { "you must provide a model parameter".into() }));
    }
    if !models(kind).iter().any(|(id, _)| *id == model) {
        return Err(match kind {
            ProviderKind::Anthropic => (404, format!("model: {model}")),
            ProviderKind::OpenAi => (404, format!("The model `{model}` does not exist or you do not have access to it.")),
            ProviderKind::OpenRouter => (400, format!("{model} is not a valid model ID")),
            ProviderKind::Gemini => (404, format!("models/{model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.")),
            ProviderKind::OpenAiCompatible => (404, format!("model \"{model}\" not found, try pulling it first")),
        });
    }
    if kind == ProviderKind::Anthropic && !body["max_tokens"].is_u64() {
        return Err((400, "max_tokens: Field required".into()));
    }
    let list = if kind == ProviderKind::Gemini { &body["contents"] } else { &body["messages"] };
    let messages = list.as_array().filter(|m| !m.is_empty()).ok_or((400, "messages: at least one message is required".to_string()))?;
    let last = messages.iter().rev().find(|m| matches!(m["role"].as_str(), Some("user" | "tool"))).ok_or((400, "no user message".to_string()))?;
    let last_user = match kind {
        ProviderKind::Gemini => {
            let parts = last["parts"].as_array().cloned().unwrap_or_default();
            let text = content_text(&last["parts"]);
            let results: Vec<String> = parts.iter().filter_map(|p| p.get("functionResponse")).map(|r| r["response"].to_string()).collect();
            if text.is_empty() && !results.is_empty() { format!("Tool result: {}", results.join(", ")) } else { text }
        }
        ProviderKind::Anthropic => {
            let text = content_text(&last["content"]);
            let results: Vec<String> = last["content"].as_array().into_iter().flatten().filter(|b| b["type"] == "tool_result").map(|b| content_text(&b["content"])).collect();
            if text.is_empty() && !results.is_empty() { format!("Tool result: {}", results.join(", ")) } else { text }
        }
        _ if last["role"] == "tool" => format!("Tool result: {}", content_text(&last["content"])),
        _ => content_text(&last["content"]),
    };
    let include_usage = kind == ProviderKind::OpenRouter || body["stream_options"]["include_usage"] == true;
    Ok(ChatInput { model, last_user, include_usage, input_tokens: request.body.len() as u64 / 4 + 1 })
}

/// How a reply's text is cut into tokens: ~3–5 characters each, on
/// character boundaries (the HTTP chunks, not the tokens, split characters).
pub fn tokens(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let (mut out, mut start) = (Vec::new(), 0);
    while start < chars.len() {
        let end = (start + 3 + out.len() % 3).min(chars.len());
        out.push(chars[start..end].iter().collect());
        start = end;
    }
    out
}

/// The response body: each SSE event one HTTP chunk, or two when it holds
/// a multi-byte character, cut inside it.
struct Body<'a> {
    writer: &'a mut TcpStream,
    stopped: &'a AtomicBool,
}

impl Body<'_> {
    fn chunk(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.stopped.load(Ordering::SeqCst) {
            return Err(io::Error::other("the stand-in stopped"));
        }
        self.writer.write_all(format!("{:x}\r\n", bytes.len()).as_bytes())?;
        self.writer.write_all(bytes)?;
        self.writer.write_all(b"\r\n")?;
        self.writer.flush()
    }

    fn event(&mut self, bytes: &[u8]) -> io::Result<()> {
        match bytes.iter().position(|&b| b >= 0xC0) {
            Some(lead) => {
                self.chunk(&bytes[..=lead])?;
                std::thread::sleep(Duration::from_millis(1));
                self.chunk(&bytes[lead + 1..])
            }
            None => self.chunk(bytes),
        }
    }

    fn end(&mut self) -> io::Result<()> {
        self.writer.write_all(b"0\r\n\r\n")?;
        self.writer.flush()
    }
}

fn sse(event: Option<&str>, data: &Value) -> Vec<u8> {
    match event {
        Some(event) => format!("event: {event}\ndata: {data}\n\n").into_bytes(),
        None => format!("data: {data}\n\n").into_bytes(),
    }
}

/// One reply's events in its provider's wire format.
struct Encoder {
    kind: ProviderKind,
    model: String,
    id: String,
    input_tokens: u64,
    include_usage: bool,
    has_text: bool,
}

impl Encoder {
    fn start(&self) -> Vec<Vec<u8>> {
        match self.kind {
            ProviderKind::Anthropic => {
                let start = json!({"type": "message_start", "message": {"id": self.id, "type": "message", "role": "assistant", "model": self.model, "content": [], "stop_reason": null, "stop_sequence": null,
                    "usage": {"input_tokens": self.input_tokens, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 1, "service_tier": "standard"}}});
                let mut events = vec![sse(Some("message_start"), &start)];
                if self.has_text {
                    events.push(sse(Some("content_block_start"), &json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})));
                }
                events.push(sse(Some("ping"), &json!({"type": "ping"})));
                events
            }
            ProviderKind::Gemini => vec![],
            ProviderKind::OpenRouter => vec![b": OPENROUTER PROCESSING\n\n".to_vec(), self.chunk(json!({"role": "assistant", "content": ""}), None)],
            _ => vec![self.chunk(json!({"role": "assistant", "content": "", "refusal": null}), None)],
        }
    }

    /// A Chat Completions chunk with one choice.
    fn chunk(&self, delta: Value, finish_reason: Option<&str>) -> Vec<u8> {
        let mut choice = json!({"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason});
        let mut chunk = json!({"id": self.id, "object": "chat.completion.chunk", "created": 1759104000, "model": self.model, "choices": [choice.clone()]});
        match self.kind {
            ProviderKind::OpenRouter => {
                choice["native_finish_reason"] = finish_reason.map(|r| if r == "tool_calls" { "tool_use" } else { "end_turn" }).into();
                chunk["choices"] = json!([choice]);
                chunk["provider"] = "StandIn".into();
            }
            ProviderKind::OpenAi => {
                chunk["service_tier"] = "default".into();
                chunk["system_fingerprint"] = "fp_standin01".into();
            }
            _ => chunk["system_fingerprint"] = "fp_ollama".into(),
        }
        if self.include_usage && self.kind != ProviderKind::OpenRouter {
            chunk["usage"] = Value::Null;
        }
        sse(None, &chunk)
    }

    fn gemini(&self, parts: Value, finish_reason: Option<&str>, output_tokens: u64) -> Vec<u8> {
        let mut candidate = json!({"content": {"parts": parts, "role": "model"}, "index": 0});
        if let Some(reason) = finish_reason {
            candidate["finishReason"] = reason.into();
        }
        let usage = json!({"promptTokenCount": self.input_tokens, "candidatesTokenCount": output_tokens, "totalTokenCount": self.input_tokens + output_tokens,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": self.input_tokens}]});
        format!("data: {}\r\n\r\n", json!({"candidates": [candidate], "usageMetadata": usage, "modelVersion": self.model, "responseId": self.id})).into_bytes()
    }

    fn text(&self, token: &str, output_tokens: u64) -> Vec<u8> {
        match self.kind {
            ProviderKind::Anthropic => sse(Some("content_block_delta"), &json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": token}})),
            ProviderKind::Gemini => self.gemini(json!([{"text": token}]), None, output_tokens),
            _ => self.chunk(json!({"content": token}), None),
        }
    }

    fn text_done(&self) -> Vec<Vec<u8>> {
        match self.kind {
            ProviderKind::Anthropic if self.has_text => vec![sse(Some("content_block_stop"), &json!({"type": "content_block_stop", "index": 0}))],
            _ => vec![],
        }
    }

    /// The call's events; Gemini's single chunk also ends the reply.
    fn tool(&self, call_id: &str, name: &str, arguments: &str, output_tokens: u64) -> Vec<Vec<u8>> {
        let fragments = tokens(arguments);
        match self.kind {
            ProviderKind::Anthropic => {
                let index = usize::from(self.has_text);
                let mut events = vec![sse(Some("content_block_start"), &json!({"type": "content_block_start", "index": index, "content_block": {"type": "tool_use", "id": call_id, "name": name, "input": {}}}))];
                for fragment in std::iter::once("".to_string()).chain(fragments) {
                    events.push(sse(Some("content_block_delta"), &json!({"type": "content_block_delta", "index": index, "delta": {"type": "input_json_delta", "partial_json": fragment}})));
                }
                events.push(sse(Some("content_block_stop"), &json!({"type": "content_block_stop", "index": index})));
                events
            }
            ProviderKind::Gemini => {
                let args: Value = serde_json::from_str(arguments).unwrap_or_else(|_| json!({}));
                vec![self.gemini(json!([{"functionCall": {"name": name, "args": args}, "thoughtSignature": GEMINI_SIGNATURE}]), Some("STOP"), output_tokens)]
            }
            _ => {
                let start = json!({"tool_calls": [{"index": 0, "id": call_id, "type": "function", "function": {"name": name, "arguments": ""}}]});
                let mut events = vec![self.chunk(start, None)];
                events.extend(fragments.iter().map(|f| self.chunk(json!({"tool_calls": [{"index": 0, "function": {"arguments": f}}]}), None)));
                events
            }
        }
    }

    fn finish(&self, tool: bool, output_tokens: u64) -> Vec<Vec<u8>> {
        match self.kind {
            ProviderKind::Anthropic => {
                let reason = if tool { "tool_use" } else { "end_turn" };
                vec![
                    sse(Some("message_delta"), &json!({"type": "message_delta", "delta": {"stop_reason": reason, "stop_sequence": null}, "usage": {"output_tokens": output_tokens}})),
                    sse(Some("message_stop"), &json!({"type": "message_stop"})),
                ]
            }
            ProviderKind::Gemini if tool => vec![],
            ProviderKind::Gemini => vec![self.gemini(json!([{"text": ""}]), Some("STOP"), output_tokens)],
            _ => {
                let mut events = vec![self.chunk(json!({}), Some(if tool { "tool_calls" } else { "stop" }))];
                if self.include_usage {
                    let usage = json!({"prompt_tokens": self.input_tokens, "completion_tokens": output_tokens, "total_tokens": self.input_tokens + output_tokens});
                    let mut last: Value = json!({"id": self.id, "object": "chat.completion.chunk", "created": 1759104000, "model": self.model, "choices": [], "usage": usage});
                    if self.kind == ProviderKind::OpenRouter {
                        last["provider"] = "StandIn".into();
                    }
                    events.push(sse(None, &last));
                }
                events.push(b"data: [DONE]\n\n".to_vec());
                events
            }
        }
    }

    /// The provider's error in the middle of a stream.
    fn error(&self) -> Vec<Vec<u8>> {
        match self.kind {
            ProviderKind::Anthropic => vec![sse(Some("error"), &json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}))],
            ProviderKind::Gemini => vec![format!("data: {}\r\n\r\n", json!({"error": {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}})).into_bytes()],
            ProviderKind::OpenRouter => {
                let chunk = json!({"id": self.id, "object": "chat.completion.chunk", "created": 1759104000, "model": self.model, "provider": "StandIn",
                    "error": {"code": "server_error", "message": "Provider disconnected unexpectedly"}, "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}]});
                vec![sse(None, &chunk), b"data: [DONE]\n\n".to_vec()]
            }
            _ => vec![sse(None, &json!({"error": {"message": "The server had an error while processing your request. Sorry about that!", "type": "server_error", "param": null, "code": null}}))],
        }
    }
}

/// Counts a streaming reply as open while it lives.
struct OpenStream<'a>(&'a AtomicUsize);

impl Drop for OpenStream<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Returns when the client closes the connection or the stand-in stops.
fn wait_for_disconnect(reader: &mut BufReader<TcpStream>, stopped: &AtomicBool) {
    let _ = reader.get_ref().set_read_timeout(Some(Duration::from_millis(50)));
    let mut buffer = [0; 512];
    while !stopped.load(Ordering::SeqCst) {
        match reader.get_mut().read(&mut buffer) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted) => {}
            Err(_) => return,
        }
    }
}

fn stream_reply(kind: ProviderKind, input: &ChatInput, script: Script, cors: Headers, reader: &mut BufReader<TcpStream>, writer: &mut TcpStream, shared: &Shared) -> io::Result<bool> {
    shared.open_streams.fetch_add(1, Ordering::SeqCst);
    let _open = OpenStream(&shared.open_streams);
    let delay = Duration::from_millis(script.delay_ms.unwrap_or_else(|| shared.state.lock().unwrap().delay_ms));
    let text = if script.text.is_empty() && script.tool_call.is_none() { default_answer(&input.last_user) } else { script.text.clone() };
    let tokens = tokens(&text);
    let n = shared.next_id();
    let id = match kind {
        ProviderKind::Anthropic => format!("msg_01StandIn{n:012}"),
        ProviderKind::Gemini => format!("StandIn{n:08}"),
        ProviderKind::OpenRouter => format!("gen-1759104000-StandIn{n:06}"),
        _ => format!("chatcmpl-StandIn{n:012}"),
    };
    let encoder = Encoder { kind, model: input.model.clone(), id, input_tokens: input.input_tokens, include_usage: input.include_usage, has_text: !tokens.is_empty() };

    let content_type = if kind == ProviderKind::Gemini { "text/event-stream" } else { "text/event-stream; charset=utf-8" };
    let mut head = format!("HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncache-control: no-cache\r\ntransfer-encoding: chunked\r\n");
    match kind {
        ProviderKind::Anthropic => head.push_str(&format!("request-id: req_011StandIn{n:08}\r\n")),
        ProviderKind::Gemini => {}
        _ => head.push_str(&format!("x-request-id: req_standin{n:08}\r\n")),
    }
    for (name, value) in &cors {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    writer.write_all(head.as_bytes())?;
    let mut body = Body { writer, stopped: &shared.stopped };
    for event in encoder.start() {
        body.event(&event)?;
    }
    let cut = match script.failure {
        Some(Failure::DropAfter(n)) => Some(n),
        Some(Failure::MidStreamError) => Some(TOKENS_BEFORE_ERROR),
        Some(Failure::Hang) => Some(TOKENS_BEFORE_HANG),
        _ => None,
    }
    .map(|n| n.min(tokens.len()));
    for i in 0..=tokens.len() {
        if cut == Some(i) {
            match script.failure {
                Some(Failure::DropAfter(_)) => {}
                Some(Failure::MidStreamError) => {
                    for event in encoder.error() {
                        body.event(&event)?;
                    }
                    body.end()?;
                    return Ok(true);
                }
                _ => wait_for_disconnect(reader, &shared.stopped),
            }
            // Dropped: no terminating chunk, the connection just closes.
            return Ok(false);
        }
        if let Some(token) = tokens.get(i) {
            std::thread::sleep(delay);
            body.event(&encoder.text(token, i as u64 + 1))?;
        }
    }
    for event in encoder.text_done() {
        body.event(&event)?;
    }
    let mut output_tokens = tokens.len() as u64;
    if let Some((name, arguments)) = &script.tool_call {
        output_tokens += arguments.len() as u64 / 4 + 5;
        let call_id = if kind == ProviderKind::Anthropic { format!("toolu_01StandIn{n:012}") } else { format!("call_StandIn{n:012}") };
        for event in encoder.tool(&call_id, name, arguments, output_tokens) {
            std::thread::sleep(delay);
            body.event(&event)?;
        }
    }
    for event in encoder.finish(script.tool_call.is_some(), output_tokens) {
        body.event(&event)?;
    }
    body.end()?;
    Ok(true)
}
