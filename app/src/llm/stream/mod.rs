//! Responses of the three wire formats, decoded into one event vocabulary,
//! so the chat UI has a single loop for every provider.
//!
//! The contract, for every provider:
//! - `TextDelta`s are to be appended, in order. `ReasoningDelta`s likewise,
//!   apart: the model's reasoning is shown folded and never sent back.
//! - A tool call is one `ToolCallStart` then `ToolCallDelta`s whose
//!   fragments, concatenated, are its JSON arguments. `index` counts tool
//!   calls within the reply from 0 (not the provider's content blocks).
//! - `Usage` may come several times; each `Some` replaces the earlier value.
//! - The stream ends with exactly one terminal event, always the last:
//!   `Finished` (saying how the answer ended, see `Ending`), or an `Error`
//!   other than `Malformed`. A stream that closes without its provider's
//!   end marker ends with `Error { Interrupted }`: the text so far is
//!   genuine and worth keeping.
//! - Unknown event types and fields are skipped, so new API features do
//!   not break old pages; a data line that is not JSON is reported as a
//!   non-terminal `Malformed` error and the stream goes on.
//!
//! A server that ignores `"stream": true` answers with one JSON body (a
//! whole completion, or an error) instead of events: `for_response` reads
//! the content type, and a body that turns out to be JSON is decoded whole
//! into the same events (`whole`).

mod ending;
mod reply;
mod think;
mod whole;
mod wires;
#[cfg(test)]
mod tests;

pub use ending::{Ending, CONTINUE_PROMPT};
pub use reply::Reply;
pub use think::split_think;

use super::provider::{ProviderKind, Wire};
use super::sse::{SseDecoder, SseEvent};
use serde::{Deserialize, Serialize};
use think::ThinkTags;

/// One step of a decoded response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEvent {
    /// Answer text, to be appended.
    TextDelta(String),
    /// The model's reasoning ("thinking"): a provider's own field, or a
    /// `<think>…</think>` block at the start of the text.
    ReasoningDelta(String),
    /// `signature` is Gemini's `thoughtSignature`, to be sent back with the call.
    ToolCallStart { index: usize, id: String, name: String, signature: Option<String> },
    ToolCallDelta { index: usize, arguments_json_fragment: String },
    /// Output tokens include reasoning ("thinking") tokens, as billed.
    Usage { input_tokens: Option<u64>, output_tokens: Option<u64> },
    /// How the answer ended, and the provider's own reason (`end_turn`,
    /// `length`, `MAX_TOKENS`, `SAFETY`…) when it gave one.
    Finished { ending: Ending, reason: Option<String> },
    Error { kind: StreamErrorKind, message: String },
}

/// Why a response ended in an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StreamErrorKind {
    /// The provider is overloaded or unavailable: retrying later helps.
    Overloaded,
    /// Too many requests or tokens for the account right now.
    RateLimited,
    /// Any other error the provider reported in the stream (or as a whole body).
    Provider,
    /// The connection closed before the reply was complete.
    Interrupted,
    /// A data line that could not be read. Not terminal.
    Malformed,
}

/// Tool keys for calls that came without an index.
const UNINDEXED: u64 = 1 << 32;

/// How much of a body is kept, before any event arrived, in case the
/// whole body turns out to be one JSON document rather than a stream.
const KEPT_FOR_WHOLE: usize = 1 << 20;

/// Turns a response body, chunk by chunk, into `StreamEvent`s.
#[derive(Debug)]
pub struct StreamDecoder {
    wire: Wire,
    sse: SseDecoder,
    /// The response's content type, lowercase, when known.
    content_type: Option<String>,
    /// The body so far, while it may still be one JSON document: always
    /// for a JSON content type, otherwise until the first event.
    kept: Option<Vec<u8>>,
    /// The content type says JSON: no events are looked for.
    json_body: bool,
    /// The provider's key of each tool call so far (Anthropic's content
    /// block index, Chat Completions' tool index), by our index.
    tool_keys: Vec<u64>,
    finish_reason: Option<String>,
    /// OpenAI sent its `refusal` field: the model declined.
    refused: bool,
    /// Gemini blocked the prompt itself (`promptFeedback.blockReason`).
    prompt_blocked: bool,
    /// Gemini repeats its counts in every chunk; they are reported once, at the end.
    pending_usage: Option<StreamEvent>,
    think: ThinkTags,
    ended: bool,
}

impl StreamDecoder {
    /// A decoder for a server-sent event stream of `kind`'s format.
    pub fn new(kind: ProviderKind) -> StreamDecoder {
        StreamDecoder::for_response(kind, None)
    }

    /// A decoder for a response whose `content-type` header is
    /// `content_type`: JSON is read whole; anything else as events, still
    /// read whole if no event came and the body is JSON after all.
    pub fn for_response(kind: ProviderKind, content_type: Option<&str>) -> StreamDecoder {
        let content_type = content_type.map(|t| t.trim().to_ascii_lowercase()).filter(|t| !t.is_empty());
        let json_body = content_type.as_deref().is_some_and(|t| t.starts_with("application/json") || t.contains("+json"));
        StreamDecoder {
            wire: kind.wire(),
            sse: SseDecoder::new(),
            content_type,
            kept: Some(Vec::new()),
            json_body,
            tool_keys: Vec::new(),
            finish_reason: None,
            refused: false,
            prompt_blocked: false,
            pending_usage: None,
            think: ThinkTags::default(),
            ended: false,
        }
    }

    /// The events completed by the next chunk of the response body.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<StreamEvent> {
        if let Some(kept) = &mut self.kept {
            if self.json_body || kept.len() + bytes.len() <= KEPT_FOR_WHOLE {
                kept.extend_from_slice(bytes);
            } else {
                self.kept = None;
            }
        }
        let mut out = Vec::new();
        if self.json_body {
            return out;
        }
        for event in self.sse.push(bytes) {
            self.on_event(event, &mut out);
        }
        out
    }

    /// The response body has ended (or the reader failed): the last events,
    /// always including the terminal one if none came yet.
    pub fn finish(&mut self) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        if !self.json_body {
            for event in self.sse.finish() {
                self.on_event(event, &mut out);
            }
        }
        if let Some(body) = self.kept.take().filter(|b| !b.is_empty()) {
            // No event came: the body may be one JSON document.
            return self.whole(&body);
        }
        if !self.ended {
            // A finish reason means the reply was complete, even if the
            // end marker (`message_stop`, `[DONE]`) never came; Gemini has none.
            if self.finish_reason.is_some() {
                self.finished(&mut out);
            } else {
                out.extend(self.pending_usage.take());
                let message = "The connection closed before the reply was complete.".to_string();
                self.end(StreamEvent::Error { kind: StreamErrorKind::Interrupted, message }, &mut out);
            }
        }
        out
    }

    fn finished(&mut self, out: &mut Vec<StreamEvent>) {
        out.extend(self.pending_usage.take());
        let reason = self.finish_reason.take();
        let ending = if self.prompt_blocked {
            Ending::PromptBlocked
        } else {
            match Ending::from_reason(reason.as_deref()) {
                Ending::Complete if self.refused => Ending::Refusal,
                // Gemini ends a turn of function calls with a plain `STOP`.
                Ending::Complete if !self.tool_keys.is_empty() => Ending::ToolUse,
                ending => ending,
            }
        };
        self.end(StreamEvent::Finished { ending, reason }, out);
    }

    /// The terminal event, after any text still held back.
    fn end(&mut self, event: StreamEvent, out: &mut Vec<StreamEvent>) {
        self.think.flush(out);
        self.ended = true;
        out.push(event);
    }

    fn on_event(&mut self, event: SseEvent, out: &mut Vec<StreamEvent>) {
        // An event means a stream, not one JSON body.
        self.kept = None;
        let data = event.data.trim();
        if self.ended || data.is_empty() {
            return;
        }
        if self.wire == Wire::ChatCompletions && data == "[DONE]" {
            return self.finished(out);
        }
        let json: serde_json::Value = match serde_json::from_str(data) {
            Ok(json) => json,
            Err(error) => {
                let shown: String = data.chars().take(120).collect();
                out.push(StreamEvent::Error { kind: StreamErrorKind::Malformed, message: format!("Unreadable data in the stream ({error}): {shown}") });
                return;
            }
        };
        self.on_json(event.event.as_deref(), &json, out);
    }

    /// One decoded event (or one part of a whole body) in the wire's format.
    fn on_json(&mut self, event_name: Option<&str>, json: &serde_json::Value, out: &mut Vec<StreamEvent>) {
        match self.wire {
            Wire::Anthropic => self.anthropic(event_name, json, out),
            Wire::ChatCompletions => self.chat_completions(json, out),
            Wire::Gemini => self.gemini(json, out),
        }
    }

    /// Our index for a provider's tool key, registering it if new.
    fn tool_index(&mut self, key: u64) -> (usize, bool) {
        match self.tool_keys.iter().position(|&k| k == key) {
            Some(index) => (index, false),
            None => {
                self.tool_keys.push(key);
                (self.tool_keys.len() - 1, true)
            }
        }
    }

    /// Answer text, with a leading `<think>` block split off as reasoning.
    fn text(&mut self, value: &serde_json::Value, out: &mut Vec<StreamEvent>) {
        if let Some(text) = value.as_str().filter(|t| !t.is_empty()) {
            self.think.push(text, out);
        }
    }
}

/// Reasoning text from a provider's own field.
fn reasoning(value: &serde_json::Value, out: &mut Vec<StreamEvent>) {
    if let Some(text) = value.as_str().filter(|t| !t.is_empty()) {
        out.push(StreamEvent::ReasoningDelta(text.to_string()));
    }
}
