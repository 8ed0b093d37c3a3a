//! A chat reply: the request's body checked and read, then the scripted
//! (or default) answer streamed token by token in the provider's format,
//! or sent whole as a server that ignores `"stream": true` would.

use super::encoder::{tokens, Encoder};
use super::http::{respond, Headers, Request};
use super::{default_answer, models, Failure, Script, Shared};
use llmos_core::llm::{Ending, ProviderKind};
use serde_json::{json, Value};
use std::io::{self, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// Tokens sent before the scripted `MidStreamError`, and before a `Hang`.
const TOKENS_BEFORE_ERROR: usize = 3;
const TOKENS_BEFORE_HANG: usize = 2;

/// What a reply depends on in its request.
pub(super) struct ChatInput {
    pub model: String,
    pub last_user: String,
    pub include_usage: bool,
    pub input_tokens: u64,
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
pub(super) fn chat_input(kind: ProviderKind, request: &Request) -> Result<ChatInput, (u16, String)> {
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


/// The response body: each SSE event one HTTP chunk, or two when it holds
/// a multi-byte character, cut inside it.
pub(super) struct Body<'a> {
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

/// The reply's provider-specific id, and the encoder writing its events.
fn encoder(kind: ProviderKind, input: &ChatInput, script: &Script, text: &str, shared: &Shared) -> Encoder {
    let n = shared.next_id();
    let id = match kind {
        ProviderKind::Anthropic => format!("msg_01StandIn{n:012}"),
        ProviderKind::Gemini => format!("StandIn{n:08}"),
        ProviderKind::OpenRouter => format!("gen-1759104000-StandIn{n:06}"),
        _ => format!("chatcmpl-StandIn{n:012}"),
    };
    Encoder {
        kind,
        n,
        model: input.model.clone(),
        id,
        input_tokens: input.input_tokens,
        include_usage: input.include_usage,
        has_text: !text.is_empty(),
        has_reasoning: script.reasoning.is_some(),
        ending: script.ending.unwrap_or(Ending::Complete),
    }
}

fn reply_text(input: &ChatInput, script: &Script) -> String {
    let blocked = script.ending == Some(Ending::PromptBlocked);
    if blocked || !script.text.is_empty() || script.tool_call.is_some() { script.text.clone() } else { default_answer(&input.last_user) }
}

/// A `200` with one JSON body: the whole completion, or an error.
pub(super) fn whole_reply(kind: ProviderKind, input: &ChatInput, script: &Script, cors: Headers, writer: &mut TcpStream, shared: &Shared) -> io::Result<bool> {
    let body = if script.failure == Some(Failure::JsonError) {
        // Ollama's shape: the error is a bare string.
        json!({"error": format!("model \"{}\" not found, try pulling it first", input.model)})
    } else {
        let text = reply_text(input, script);
        let encoder = encoder(kind, input, script, &text, shared);
        encoder.whole(&text, script.reasoning.as_deref(), tokens(&text).len() as u64)
    };
    respond(writer, 200, &cors, &body.to_string())
}

pub(super) fn stream_reply(kind: ProviderKind, input: &ChatInput, script: Script, cors: Headers, reader: &mut BufReader<TcpStream>, writer: &mut TcpStream, shared: &Shared) -> io::Result<bool> {
    shared.open_streams.fetch_add(1, Ordering::SeqCst);
    let _open = OpenStream(&shared.open_streams);
    let delay = Duration::from_millis(script.delay_ms.unwrap_or_else(|| shared.state.lock().unwrap().delay_ms));
    let text = reply_text(input, &script);
    let reasoning = script.reasoning.as_deref().map(tokens).unwrap_or_default();
    let tokens = tokens(&text);
    let encoder = encoder(kind, input, &script, &text, shared);

    let content_type = if kind == ProviderKind::Gemini { "text/event-stream" } else { "text/event-stream; charset=utf-8" };
    let mut head = format!("HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncache-control: no-cache\r\ntransfer-encoding: chunked\r\n");
    match kind {
        ProviderKind::Anthropic => head.push_str(&format!("request-id: req_011StandIn{:08}\r\n", encoder.n)),
        ProviderKind::Gemini => {}
        _ => head.push_str(&format!("x-request-id: req_standin{:08}\r\n", encoder.n)),
    }
    for (name, value) in &cors {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    writer.write_all(head.as_bytes())?;
    let mut body = Body { writer, stopped: &shared.stopped };
    if script.ending == Some(Ending::PromptBlocked) {
        for event in encoder.prompt_blocked() {
            body.event(&event)?;
        }
        body.end()?;
        return Ok(true);
    }
    for event in encoder.start() {
        body.event(&event)?;
    }
    for token in reasoning {
        std::thread::sleep(delay);
        body.event(&encoder.reasoning(&token))?;
    }
    for event in encoder.reasoning_done() {
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
        let n = encoder.n;
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
