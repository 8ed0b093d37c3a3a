//! The provider stand-in used by browser tests, checked natively against
//! the core's own request building and stream decoding: what the chat
//! island does in the browser, minus the browser.

mod common;
// How scripted replies end, what reasoning they carry, and replies that
// are not streams: each in every provider's own bytes.
#[path = "provider_standin/endings.rs"]
mod endings;
// Embeddings in each provider's format, with keys, CORS and refusals.
#[path = "provider_standin/embeddings.rs"]
mod embeddings;
// Refused keys, rate limits, failing providers, dropped and broken streams.
#[path = "provider_standin/failures.rs"]
mod failures;
// CORS as each service answers browsers, model lists, and requests checked like the real APIs.
#[path = "provider_standin/requests.rs"]
mod requests;

use common::providers::*;
use llmos_core::llm::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Where the page would be served from: browsers send it as `Origin`.
const PAGE: &str = "http://127.0.0.1:4000";

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    /// The body as it came: one entry per HTTP chunk (or the whole body).
    chunks: Vec<Vec<u8>>,
    /// The body ended as announced (final chunk, or all of Content-Length).
    complete: bool,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn body(&self) -> String {
        String::from_utf8(self.chunks.concat()).unwrap()
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body()).unwrap()
    }

    /// The body through a `StreamDecoder`, fed chunk by chunk as a browser would.
    fn events(&self, kind: ProviderKind) -> Vec<StreamEvent> {
        let mut decoder = StreamDecoder::new(kind);
        let mut events: Vec<StreamEvent> = self.chunks.iter().flat_map(|c| decoder.push(c)).collect();
        events.extend(decoder.finish());
        events
    }
}

fn reply(events: &[StreamEvent]) -> Reply {
    let mut reply = Reply::default();
    events.iter().for_each(|e| reply.apply(e));
    reply
}

/// One HTTP/1.1 connection, kept alive across requests like a browser's.
struct Connection {
    reader: BufReader<TcpStream>,
}

impl Connection {
    fn open(url: &str) -> Connection {
        let authority = url.strip_prefix("http://").unwrap().split('/').next().unwrap();
        let stream = TcpStream::connect(authority).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        Connection { reader: BufReader::new(stream) }
    }

    fn send(&mut self, method: &str, url: &str, headers: &[(String, String)], body: &str, close: bool) -> Response {
        let target = &url["http://".len()..];
        let path = &target[target.find('/').unwrap()..];
        let mut request = format!("{method} {path} HTTP/1.1\r\nhost: {}\r\ncontent-length: {}\r\n", &target[..target.find('/').unwrap()], body.len());
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        if close {
            request.push_str("connection: close\r\n");
        }
        request.push_str("\r\n");
        request.push_str(body);
        self.reader.get_mut().write_all(request.as_bytes()).unwrap();

        let mut status_line = String::new();
        self.reader.read_line(&mut status_line).unwrap();
        let status = status_line.split_whitespace().nth(1).unwrap().parse().unwrap();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).unwrap();
            match line.trim_end().split_once(':') {
                Some((name, value)) => headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string())),
                None => break,
            }
        }
        let mut response = Response { status, headers, chunks: Vec::new(), complete: false };
        if response.header("transfer-encoding") == Some("chunked") {
            loop {
                let mut size = String::new();
                if self.reader.read_line(&mut size).unwrap_or(0) == 0 {
                    break; // Closed without the final chunk.
                }
                let size = usize::from_str_radix(size.trim(), 16).unwrap();
                let mut chunk = vec![0; size + 2];
                if self.reader.read_exact(&mut chunk).is_err() {
                    break;
                }
                if size == 0 {
                    response.complete = true;
                    break;
                }
                chunk.truncate(size);
                response.chunks.push(chunk);
            }
        } else {
            let length: usize = response.header("content-length").unwrap().parse().unwrap();
            let mut body = vec![0; length];
            response.complete = self.reader.read_exact(&mut body).is_ok();
            response.chunks.push(body);
        }
        response
    }
}

/// Sends `request` as the page would (with its `Origin`), on a new connection.
fn fetch(request: &HttpRequest) -> Response {
    let mut headers = request.headers.clone();
    headers.push(("origin".into(), PAGE.into()));
    Connection::open(&request.url).send(request.method, &request.url, &headers, &request.body, true)
}

fn raw(method: &str, url: &str, headers: &[(&str, &str)], body: &str) -> Response {
    let headers: Vec<(String, String)> = headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
    Connection::open(url).send(method, url, &headers, body, true)
}

fn standin() -> ProviderStandIn {
    let standin = ProviderStandIn::start();
    standin.set_delay_ms(1);
    standin
}

fn chat(standin: &ProviderStandIn, kind: ProviderKind, message: &str) -> ChatRequest {
    ChatRequest { model: standin.model(kind).into(), system: Some("Be brief.".into()), messages: vec![Message::user(message)], tools: vec![], max_tokens: None, temperature: None }
}

fn request(standin: &ProviderStandIn, kind: ProviderKind, chat: &ChatRequest) -> HttpRequest {
    build_request(&standin.config(kind), standin.key(kind).as_deref(), chat)
}

fn weather_tool() -> Tool {
    Tool { name: "get_weather".into(), description: "Current weather".into(), parameters: json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}) }
}

fn is_terminal(event: &StreamEvent) -> bool {
    matches!(event, StreamEvent::Finished { .. } | StreamEvent::Error { kind: StreamErrorKind::Overloaded | StreamErrorKind::RateLimited | StreamErrorKind::Provider | StreamErrorKind::Interrupted, .. })
}

#[test]
fn every_provider_streams_the_default_answer() {
    let standin = standin();
    let message = "Bonjour, 日本語 🦀?";
    for kind in ProviderKind::ALL {
        let response = fetch(&request(&standin, kind, &chat(&standin, kind, message)));
        assert_eq!(response.status, 200, "{kind:?}: {}", response.body());
        assert!(response.complete, "{kind:?}");
        assert!(response.header("content-type").unwrap().starts_with("text/event-stream"), "{kind:?}");
        assert_eq!(response.header("cache-control"), Some("no-cache"));
        assert!(response.header("access-control-allow-origin").is_some(), "{kind:?}");
        let expected = default_answer(message);
        assert!(response.chunks.len() > tokens(&expected).len(), "{kind:?}: one chunk per token at least");
        assert!(response.chunks.iter().any(|c| std::str::from_utf8(c).is_err()), "{kind:?}: some chunk ends inside a character");

        let events = response.events(kind);
        assert!(events.iter().filter(|e| matches!(e, StreamEvent::TextDelta(_))).count() >= tokens(&expected).len(), "{kind:?}: token by token");
        assert_eq!(events.iter().filter(|e| is_terminal(e)).count(), 1, "{kind:?}: {events:?}");
        let reason = match kind {
            ProviderKind::Anthropic => "end_turn",
            ProviderKind::Gemini => "STOP",
            _ => "stop",
        };
        assert_eq!(events.last(), Some(&StreamEvent::Finished { ending: Ending::Complete, reason: Some(reason.into()) }), "{kind:?}");
        let reply = reply(&events);
        assert_eq!(reply.text, expected, "{kind:?}");
        assert!(reply.input_tokens.is_some() && reply.output_tokens.is_some(), "{kind:?}: usage");
        assert!(reply.tool_calls.is_empty() && reply.error.is_none());
    }

    // The key went to this origin only, in its provider's header and nowhere else.
    let requests = standin.requests();
    assert_eq!(requests.len(), 5);
    for recorded in requests {
        let kind = recorded.kind.unwrap();
        assert_eq!(recorded.method, "POST");
        let Some(key) = standin.key(kind) else {
            assert_eq!(recorded.header("authorization"), None, "no key, no authorization header");
            continue;
        };
        let carrying: Vec<&str> = recorded.headers.iter().filter(|(_, v)| v.contains(&key)).map(|(n, _)| n.as_str()).collect();
        let expected = match kind {
            ProviderKind::Anthropic => "x-api-key",
            ProviderKind::Gemini => "x-goog-api-key",
            _ => "authorization",
        };
        assert_eq!(carrying, [expected], "{kind:?}");
        assert!(!recorded.path.contains(&key) && !recorded.body.contains(&key), "{kind:?}");
    }
}

#[test]
fn tool_calls_come_back_in_every_format_and_results_are_answered() {
    let standin = standin();
    for kind in ProviderKind::ALL {
        for text in ["Let me check.", ""] {
            standin.script(kind, Script { text: text.into(), ..Script::tool_call("get_weather", r#"{"city":"Kyōto","days":[1,2]}"#) });
            let mut chat = chat(&standin, kind, "Weather in Kyōto?");
            chat.tools = vec![weather_tool()];
            let events = fetch(&request(&standin, kind, &chat)).events(kind);
            let reason = match kind {
                ProviderKind::Anthropic => "tool_use",
                ProviderKind::Gemini => "STOP",
                _ => "tool_calls",
            };
            assert_eq!(events.last(), Some(&StreamEvent::Finished { ending: Ending::ToolUse, reason: Some(reason.into()) }), "{kind:?}: {events:?}");
            let reply = reply(&events);
            assert_eq!(reply.text, text, "{kind:?}");
            let [call] = reply.tool_calls.as_slice() else { panic!("{kind:?}: {:?}", reply.tool_calls) };
            assert_eq!(call.name, "get_weather");
            assert_eq!(serde_json::from_str::<Value>(&call.arguments).unwrap(), json!({"city": "Kyōto", "days": [1, 2]}), "{kind:?}");
            assert!(!call.id.is_empty());
            assert_eq!(call.signature.as_deref(), (kind == ProviderKind::Gemini).then_some(GEMINI_SIGNATURE));

            // The result goes back; unscripted, the answer echoes it.
            chat.messages.push(reply.to_message());
            chat.messages.push(Message::User { text: String::new(), tool_results: vec![ToolResult { call_id: call.id.clone(), name: call.name.clone(), content: "Sunny".into(), is_error: false }] });
            let answer = reply_text(&standin, kind, &chat);
            assert!(answer.starts_with("Echo: Tool result: ") && answer.contains("Sunny"), "{kind:?}: {answer}");
        }
    }
}

fn reply_text(standin: &ProviderStandIn, kind: ProviderKind, chat: &ChatRequest) -> String {
    let response = fetch(&request(standin, kind, chat));
    assert_eq!(response.status, 200, "{kind:?}: {}", response.body());
    reply(&response.events(kind)).text
}

#[test]
fn scripts_queue_in_order_and_by_provider() {
    let standin = standin();
    let (openai, anthropic) = (ProviderKind::OpenAi, ProviderKind::Anthropic);
    standin.script(openai, Script::text("one"));
    standin.script(None, Script::text("two"));
    standin.script(anthropic, Script::text("three"));
    assert_eq!(reply_text(&standin, anthropic, &chat(&standin, anthropic, "a")), "two");
    assert_eq!(reply_text(&standin, openai, &chat(&standin, openai, "b")), "one");
    assert_eq!(reply_text(&standin, anthropic, &chat(&standin, anthropic, "c")), "three");
    assert_eq!(reply_text(&standin, openai, &chat(&standin, openai, "d")), default_answer("d"));
    assert_eq!(standin.pending_scripts(), 0);

    // Tokens are paced by the script's delay.
    standin.script(openai, Script::text("0123456789abcdefghij").delay_ms(40));
    let started = Instant::now();
    assert_eq!(reply_text(&standin, openai, &chat(&standin, openai, "e")), "0123456789abcdefghij");
    assert!(started.elapsed() >= Duration::from_millis(40 * tokens("0123456789abcdefghij").len() as u64));
}

#[test]
fn connections_are_kept_alive_like_a_browsers() {
    let standin = standin();
    let kind = ProviderKind::OpenAi;
    let list = models_request(&standin.config(kind), standin.key(kind).as_deref()).unwrap();
    let stream = request(&standin, kind, &chat(&standin, kind, "hi"));
    let mut connection = Connection::open(&list.url);
    for _ in 0..2 {
        assert_eq!(connection.send(list.method, &list.url, &list.headers, "", false).status, 200);
        let response = connection.send(stream.method, &stream.url, &stream.headers, &stream.body, false);
        assert_eq!(reply(&response.events(kind)).text, default_answer("hi"));
    }
}

#[test]
fn a_hanging_reply_ends_when_the_client_goes() {
    let standin = standin();
    let kind = ProviderKind::Anthropic;
    standin.script(kind, Script::failure(Failure::Hang));
    let request = request(&standin, kind, &chat(&standin, kind, "hi"));
    let mut stream = TcpStream::connect(request.url["http://".len()..].split('/').next().unwrap()).unwrap();
    let path = &request.url[request.url[7..].find('/').unwrap() + 7..];
    let mut head = format!("POST {path} HTTP/1.1\r\nhost: x\r\ncontent-length: {}\r\n", request.body.len());
    for (name, value) in &request.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    stream.write_all(format!("{head}\r\n{}", request.body).as_bytes()).unwrap();
    stream.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    let mut received = Vec::new();
    let mut buffer = [0; 4096];
    while let Ok(n) = stream.read(&mut buffer) {
        assert!(n > 0, "the stand-in closed a hanging reply");
        received.extend_from_slice(&buffer[..n]);
    }
    let received = String::from_utf8_lossy(&received);
    assert!(received.starts_with("HTTP/1.1 200") && received.contains("text_delta"), "{received}");
    assert!(!received.contains("message_stop"));
    assert_eq!(standin.open_streams(), 1);

    drop(stream); // The stop button.
    let deadline = Instant::now() + Duration::from_secs(5);
    while standin.open_streams() > 0 {
        assert!(Instant::now() < deadline, "the stand-in did not notice the client left");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn stopping_the_stand_in_closes_its_port() {
    let standin = standin();
    let origin = standin.origin();
    standin.script(None, Script::failure(Failure::Hang));
    let kind = ProviderKind::OpenAi;
    let request = request(&standin, kind, &chat(&standin, kind, "hi"));
    let hanging = std::thread::spawn(move || fetch(&request).complete);
    let deadline = Instant::now() + Duration::from_secs(5);
    while standin.open_streams() == 0 {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(standin);
    assert!(!hanging.join().unwrap(), "the hanging reply was cut");
    std::thread::sleep(Duration::from_millis(50));
    let refused = TcpStream::connect(origin.trim_start_matches("http://")).map(|mut s| {
        let _ = s.write_all(b"GET /openai/v1/models HTTP/1.1\r\n\r\n");
        let mut buffer = [0; 16];
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        s.read(&mut buffer).unwrap_or(0)
    });
    assert!(matches!(refused, Err(_) | Ok(0)), "nothing answers after drop");
}

