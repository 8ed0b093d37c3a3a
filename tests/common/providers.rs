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
//! Scripts also choose how a reply ends (`Script::ending`: each provider's
//! own stop reason, refusal field or block), whether it carries reasoning
//! (`Script::reasoning`, in the provider's own field), and replies that
//! are not streams at all (`Failure::IgnoresStream`, `Failure::JsonError`).
//!
//! Deliberate differences from the real services: requests without
//! `"stream": true` (Gemini: without `:streamGenerateContent?alt=sse`) are
//! refused rather than answered whole, and only the models listed here exist.
//!
//! Embeddings (`embed`): OpenAI's `/embeddings`, Ollama's `/api/embed`
//! (at `OLLAMA_EMBED_PATH`) and Gemini's `batchEmbedContents`, with
//! deterministic vectors (`standin_vector`), keys and CORS as for chats.
//!
//! Split by job: `http` reads requests and answers everything but chat
//! replies, `reply` streams (or sends whole) a chat reply, `encoder` writes
//! a reply's events in each provider's format.

mod embed;
mod encoder;
// The GitHub stand-in reads requests and writes answers with the same code.
pub(crate) mod http;
mod reply;

#[allow(unused_imports)]
pub use embed::{embedding_models, standin_vector, OLLAMA_EMBED_PATH, SHARED};
#[allow(unused_imports)]
pub use encoder::tokens;

use llmos_core::llm::{Ending, ProviderConfig, ProviderKind};
use std::collections::VecDeque;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

pub const DEFAULT_DELAY_MS: u64 = 15;
/// The `retry-after` of a scripted 429 (Gemini: its body's `retryDelay`).
pub const RETRY_AFTER_SECONDS: u64 = 7;
/// Gemini's `thoughtSignature` on scripted function calls.
pub const GEMINI_SIGNATURE: &str = "c3RhbmQtaW4gc2lnbmF0dXJl";

/// The reply to a chat request without a script, after its `Echo:` line.
pub const FIXED_REPLY: &str = "Here is a deterministic reply from the stand-in — café, naïve, 日本語 and 🦀 included.\n\n\
It has **bold**, *emphasis*, `inline code` and a list:\n\n1. First point.\n2. Second point, with [a link](https://example.org).\n\n\
```rust\nfn main() {\n    println!(\"Hello, 🦀!\");\n}\n```\n\nThat is all.";


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
    /// A `200` with one JSON completion, as a server that ignores
    /// `"stream": true` sends it (Gemini: the array of chunks).
    IgnoresStream,
    /// A `200` whose JSON body is an error (a local server's "model not found").
    JsonError,
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
    /// How the reply ends; `None` is a normal end (or a tool call).
    pub ending: Option<Ending>,
    /// Reasoning sent before the text, in the provider's own field.
    pub reasoning: Option<String>,
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

    /// Ends the reply as `ending`, in the provider's words. Panics when the
    /// provider has no such ending (Anthropic filters nothing; only Gemini
    /// blocks prompts), so a test cannot claim what no provider sends.
    pub fn ending(mut self, ending: Ending) -> Script {
        self.ending = Some(ending);
        self
    }

    pub fn reasoning(mut self, reasoning: impl Into<String>) -> Script {
        self.reasoning = Some(reasoning.into());
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

/// The path every base URL of `kind` starts with.
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
                std::thread::spawn(move || http::serve(stream, &shared));
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
