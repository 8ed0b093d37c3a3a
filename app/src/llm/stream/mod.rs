//! Streaming responses of the three wire formats, decoded into one event
//! vocabulary, so the chat UI has a single loop for every provider.
//!
//! The contract, for every provider:
//! - `TextDelta`s are to be appended, in order.
//! - A tool call is one `ToolCallStart` then `ToolCallDelta`s whose
//!   fragments, concatenated, are its JSON arguments. `index` counts tool
//!   calls within the reply from 0 (not the provider's content blocks).
//! - `Usage` may come several times; each `Some` replaces the earlier value.
//! - The stream ends with exactly one terminal event, always the last:
//!   `Finished`, or an `Error` other than `Malformed`. A stream that closes
//!   without its provider's end marker ends with `Error { Interrupted }`:
//!   the text so far is genuine and worth keeping.
//! - Unknown event types and fields are skipped, so new API features do
//!   not break old pages; a data line that is not JSON is reported as a
//!   non-terminal `Malformed` error and the stream goes on.

use super::provider::{ProviderKind, Wire};
use super::request::{Message, ToolCall};
use super::sse::{SseDecoder, SseEvent};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEvent {
    TextDelta(String),
    /// `signature` is Gemini's `thoughtSignature`, to be sent back with the call.
    ToolCallStart { index: usize, id: String, name: String, signature: Option<String> },
    ToolCallDelta { index: usize, arguments_json_fragment: String },
    /// Output tokens include reasoning ("thinking") tokens, as billed.
    Usage { input_tokens: Option<u64>, output_tokens: Option<u64> },
    /// The provider's own reason (`end_turn`, `stop`, `tool_calls`, `STOP`, `MAX_TOKENS`…).
    Finished { reason: Option<String> },
    Error { kind: StreamErrorKind, message: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StreamErrorKind {
    /// The provider is overloaded or unavailable: retrying later helps.
    Overloaded,
    /// Too many requests or tokens for the account right now.
    RateLimited,
    /// Any other error the provider reported in the stream.
    Provider,
    /// The connection closed before the reply was complete.
    Interrupted,
    /// A data line that could not be read. Not terminal.
    Malformed,
}

/// Tool keys for calls that came without an index.
const UNINDEXED: u64 = 1 << 32;

#[derive(Debug)]
pub struct StreamDecoder {
    wire: Wire,
    sse: SseDecoder,
    /// The provider's key of each tool call so far (Anthropic's content
    /// block index, Chat Completions' tool index), by our index.
    tool_keys: Vec<u64>,
    finish_reason: Option<String>,
    /// Gemini repeats its counts in every chunk; they are reported once, at the end.
    pending_usage: Option<StreamEvent>,
    ended: bool,
}

impl StreamDecoder {
    pub fn new(kind: ProviderKind) -> StreamDecoder {
        StreamDecoder { wire: kind.wire(), sse: SseDecoder::new(), tool_keys: Vec::new(), finish_reason: None, pending_usage: None, ended: false }
    }

    /// The events completed by the next chunk of the response body.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        for event in self.sse.push(bytes) {
            self.on_event(event, &mut out);
        }
        out
    }

    /// The response body has ended (or the reader failed): the last events,
    /// always including the terminal one if none came yet.
    pub fn finish(&mut self) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        for event in self.sse.finish() {
            self.on_event(event, &mut out);
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
        self.end(StreamEvent::Finished { reason }, out);
    }

    fn end(&mut self, event: StreamEvent, out: &mut Vec<StreamEvent>) {
        self.ended = true;
        out.push(event);
    }

    fn on_event(&mut self, event: SseEvent, out: &mut Vec<StreamEvent>) {
        let data = event.data.trim();
        if self.ended || data.is_empty() {
            return;
        }
        if self.wire == Wire::ChatCompletions && data == "[DONE]" {
            return self.finished(out);
        }
        let json: Value = match serde_json::from_str(data) {
            Ok(json) => json,
            Err(error) => {
                let shown: String = data.chars().take(120).collect();
                out.push(StreamEvent::Error { kind: StreamErrorKind::Malformed, message: format!("Unreadable data in the stream ({error}): {shown}") });
                return;
            }
        };
        match self.wire {
            Wire::Anthropic => self.anthropic(event.event.as_deref(), &json, out),
            Wire::ChatCompletions => self.chat_completions(&json, out),
            Wire::Gemini => self.gemini(&json, out),
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

    fn anthropic(&mut self, event_name: Option<&str>, json: &Value, out: &mut Vec<StreamEvent>) {
        let kind = json["type"].as_str().or(event_name).unwrap_or("");
        let block_index = json["index"].as_u64();
        match kind {
            "message_start" => {
                if let Some(input) = json["message"]["usage"]["input_tokens"].as_u64() {
                    out.push(StreamEvent::Usage { input_tokens: Some(input), output_tokens: None });
                }
            }
            "content_block_start" if json["content_block"]["type"] == "tool_use" => {
                let (index, _) = self.tool_index(block_index.unwrap_or(u64::MAX));
                let block = &json["content_block"];
                out.push(StreamEvent::ToolCallStart { index, id: text(&block["id"]), name: text(&block["name"]), signature: None });
            }
            "content_block_delta" => {
                let delta = &json["delta"];
                match delta["type"].as_str() {
                    Some("text_delta") => push_text(&delta["text"], out),
                    Some("input_json_delta") => {
                        let key = block_index.unwrap_or(u64::MAX);
                        let fragment = text(&delta["partial_json"]);
                        if let (Some(index), false) = (self.tool_keys.iter().position(|&k| k == key), fragment.is_empty()) {
                            out.push(StreamEvent::ToolCallDelta { index, arguments_json_fragment: fragment });
                        }
                    }
                    _ => {} // Thinking, citations and future delta types.
                }
            }
            "message_delta" => {
                if let Some(reason) = json["delta"]["stop_reason"].as_str() {
                    self.finish_reason = Some(reason.to_string());
                }
                let usage = &json["usage"];
                let (input, output) = (usage["input_tokens"].as_u64(), usage["output_tokens"].as_u64());
                if input.is_some() || output.is_some() {
                    out.push(StreamEvent::Usage { input_tokens: input, output_tokens: output });
                }
            }
            "message_stop" => self.finished(out),
            "error" => {
                let error = &json["error"];
                let kind = error_kind(error["type"].as_str().unwrap_or(""));
                self.end(StreamEvent::Error { kind, message: error_message(error) }, out);
            }
            _ => {} // `ping`, `content_block_stop`, and anything new.
        }
    }

    fn chat_completions(&mut self, json: &Value, out: &mut Vec<StreamEvent>) {
        // OpenAI, OpenRouter and vLLM-style servers report mid-stream errors
        // as a data line with an `error` object (or `"object": "error"`).
        let error = if json["object"] == "error" { Some(json) } else { json.get("error").filter(|e| !e.is_null()) };
        if let Some(error) = error {
            let code = ["code", "type", "status"].iter().filter_map(|f| error.get(*f)).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).collect::<Vec<_>>().join(" ");
            return self.end(StreamEvent::Error { kind: error_kind(&code), message: error_message(error) }, out);
        }
        if let Some(choice) = json["choices"].get(0) {
            let delta = &choice["delta"];
            push_text(&delta["content"], out);
            for call in delta["tool_calls"].as_array().into_iter().flatten() {
                // Some local servers leave out `index`: a call with an `id`
                // is then a new one (given a key no index uses), a call
                // without one continues the last.
                let key = match call["index"].as_u64() {
                    Some(index) => index,
                    None if call["id"].is_string() => UNINDEXED + self.tool_keys.len() as u64,
                    None => self.tool_keys.last().copied().unwrap_or(UNINDEXED),
                };
                let (index, new) = self.tool_index(key);
                let function = &call["function"];
                if new {
                    let id = call["id"].as_str().map_or_else(|| format!("call_{index}"), str::to_string);
                    out.push(StreamEvent::ToolCallStart { index, id, name: text(&function["name"]), signature: None });
                }
                let fragment = text(&function["arguments"]);
                if !fragment.is_empty() {
                    out.push(StreamEvent::ToolCallDelta { index, arguments_json_fragment: fragment });
                }
            }
            if let Some(reason) = choice["finish_reason"].as_str() {
                self.finish_reason = Some(reason.to_string());
            }
        }
        let usage = &json["usage"];
        let (input, output) = (usage["prompt_tokens"].as_u64(), usage["completion_tokens"].as_u64());
        if input.is_some() || output.is_some() {
            out.push(StreamEvent::Usage { input_tokens: input, output_tokens: output });
        }
    }

    fn gemini(&mut self, json: &Value, out: &mut Vec<StreamEvent>) {
        if let Some(error) = json.get("error") {
            let code = error["status"].as_str().map_or_else(|| error["code"].to_string(), str::to_lowercase);
            return self.end(StreamEvent::Error { kind: error_kind(&code), message: error_message(error) }, out);
        }
        if let Some(candidate) = json["candidates"].get(0) {
            for part in candidate["content"]["parts"].as_array().into_iter().flatten() {
                if part["thought"] == true {
                    continue; // Thought summaries, only sent when asked for.
                }
                push_text(&part["text"], out);
                if let Some(call) = part.get("functionCall") {
                    // Gemini sends each call whole: one start, one delta.
                    let (index, _) = self.tool_index(self.tool_keys.len() as u64);
                    let id = call["id"].as_str().map_or_else(|| format!("call_{index}"), str::to_string);
                    let signature = part["thoughtSignature"].as_str().map(str::to_string);
                    out.push(StreamEvent::ToolCallStart { index, id, name: text(&call["name"]), signature });
                    let arguments = call.get("args").filter(|a| !a.is_null()).map_or_else(|| "{}".to_string(), Value::to_string);
                    out.push(StreamEvent::ToolCallDelta { index, arguments_json_fragment: arguments });
                }
            }
            if let Some(reason) = candidate["finishReason"].as_str() {
                self.finish_reason = Some(reason.to_string());
            }
        }
        if let Some(reason) = json["promptFeedback"]["blockReason"].as_str() {
            self.finish_reason = Some(reason.to_string()); // The prompt itself was blocked.
        }
        let usage = &json["usageMetadata"];
        if usage.is_object() {
            let output = match (usage["candidatesTokenCount"].as_u64(), usage["thoughtsTokenCount"].as_u64()) {
                (None, None) => None,
                (answer, thoughts) => Some(answer.unwrap_or(0) + thoughts.unwrap_or(0)),
            };
            self.pending_usage = Some(StreamEvent::Usage { input_tokens: usage["promptTokenCount"].as_u64(), output_tokens: output });
        }
    }
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

fn push_text(value: &Value, out: &mut Vec<StreamEvent>) {
    if let Some(text) = value.as_str().filter(|t| !t.is_empty()) {
        out.push(StreamEvent::TextDelta(text.to_string()));
    }
}

/// From a provider's error type, status or code, lowercase.
fn error_kind(code: &str) -> StreamErrorKind {
    let code = code.to_ascii_lowercase();
    if code.contains("overloaded") || code.contains("unavailable") || code == "503" || code == "529" {
        StreamErrorKind::Overloaded
    } else if code.contains("rate_limit") || code.contains("resource_exhausted") || code == "429" {
        StreamErrorKind::RateLimited
    } else {
        StreamErrorKind::Provider
    }
}

fn error_message(error: &Value) -> String {
    error["message"].as_str().or_else(|| error.as_str()).unwrap_or("The provider reported an error.").to_string()
}

/// An assistant reply assembled from stream events: what the chat shows
/// while streaming, and the `Message` kept in the conversation afterwards.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reply {
    pub text: String,
    /// Arguments accumulate as JSON text; complete once the reply is finished.
    pub tool_calls: Vec<ToolCall>,
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    /// Set by `Finished`.
    pub finish_reason: Option<String>,
    pub finished: bool,
    /// The terminal error, if the stream ended with one.
    pub error: Option<(StreamErrorKind, String)>,
}

impl Reply {
    pub fn apply(&mut self, event: &StreamEvent) {
        match event {
            StreamEvent::TextDelta(text) => self.text.push_str(text),
            StreamEvent::ToolCallStart { index, id, name, signature } => {
                let call = self.call(*index);
                call.id.clone_from(id);
                call.name.clone_from(name);
                call.signature.clone_from(signature);
            }
            StreamEvent::ToolCallDelta { index, arguments_json_fragment } => self.call(*index).arguments.push_str(arguments_json_fragment),
            StreamEvent::Usage { input_tokens, output_tokens } => {
                self.input_tokens = input_tokens.or(self.input_tokens);
                self.output_tokens = output_tokens.or(self.output_tokens);
            }
            StreamEvent::Finished { reason } => {
                self.finished = true;
                self.finish_reason.clone_from(reason);
            }
            StreamEvent::Error { kind: StreamErrorKind::Malformed, .. } => {}
            StreamEvent::Error { kind, message } => self.error = Some((*kind, message.clone())),
        }
    }

    /// The reply as a conversation turn. Calls without arguments get `{}`.
    pub fn to_message(&self) -> Message {
        let mut tool_calls = self.tool_calls.clone();
        for call in &mut tool_calls {
            if call.arguments.trim().is_empty() {
                call.arguments = "{}".into();
            }
        }
        Message::Assistant { text: self.text.clone(), tool_calls }
    }

    fn call(&mut self, index: usize) -> &mut ToolCall {
        while self.tool_calls.len() <= index {
            self.tool_calls.push(ToolCall { id: String::new(), name: String::new(), arguments: String::new(), signature: None });
        }
        &mut self.tool_calls[index]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use StreamEvent::*;

    const ANTHROPIC: &[u8] = include_bytes!("../../tests/fixtures/streams/anthropic.sse");
    const ANTHROPIC_OVERLOADED: &[u8] = include_bytes!("../../tests/fixtures/streams/anthropic-overloaded.sse");
    const OPENAI: &[u8] = include_bytes!("../../tests/fixtures/streams/openai.sse");
    const OPENROUTER: &[u8] = include_bytes!("../../tests/fixtures/streams/openrouter.sse");
    const OPENROUTER_ERROR: &[u8] = include_bytes!("../../tests/fixtures/streams/openrouter-error.sse");
    const GEMINI: &[u8] = include_bytes!("../../tests/fixtures/streams/gemini.sse");

    fn decode(kind: ProviderKind, chunks: &[&[u8]]) -> Vec<StreamEvent> {
        let mut decoder = StreamDecoder::new(kind);
        let mut events: Vec<StreamEvent> = chunks.iter().flat_map(|c| decoder.push(c)).collect();
        events.extend(decoder.finish());
        events
    }

    /// The stream as recorded, with LF, CRLF and CR line ends: each decoded
    /// whole, split at every byte boundary, and one byte at a time.
    fn decode_every_way(kind: ProviderKind, recorded: &[u8]) -> Vec<StreamEvent> {
        let lf = String::from_utf8(recorded.to_vec()).unwrap().replace("\r\n", "\n");
        let whole = decode(kind, &[recorded]);
        for stream in [lf.clone(), lf.replace('\n', "\r\n"), lf.replace('\n', "\r")] {
            let stream = stream.as_bytes();
            assert_eq!(decode(kind, &[stream]), whole, "line ends changed the events");
            for split in 0..=stream.len() {
                assert_eq!(decode(kind, &[&stream[..split], &stream[split..]]), whole, "split at byte {split}");
            }
            let bytes: Vec<&[u8]> = stream.chunks(1).collect();
            assert_eq!(decode(kind, &bytes), whole, "one byte at a time");
        }
        whole
    }

    fn start(index: usize, id: &str, name: &str) -> StreamEvent {
        ToolCallStart { index, id: id.into(), name: name.into(), signature: None }
    }

    fn delta(index: usize, fragment: &str) -> StreamEvent {
        ToolCallDelta { index, arguments_json_fragment: fragment.into() }
    }

    fn usage(input: Option<u64>, output: Option<u64>) -> StreamEvent {
        Usage { input_tokens: input, output_tokens: output }
    }

    fn finished(reason: &str) -> StreamEvent {
        Finished { reason: Some(reason.into()) }
    }

    fn text(text: &str) -> StreamEvent {
        TextDelta(text.into())
    }

    fn reply(events: &[StreamEvent]) -> Reply {
        let mut reply = Reply::default();
        events.iter().for_each(|e| reply.apply(e));
        reply
    }

    #[test]
    fn anthropic_text_and_tool_use() {
        let events = decode_every_way(ProviderKind::Anthropic, ANTHROPIC);
        assert_eq!(
            events,
            [
                usage(Some(472), None),
                text("Café in 日本語"),
                text(" — let me check 🦀."),
                start(0, "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather"),
                delta(0, "{\"location\": \"Kyōto"),
                delta(0, "\"}"),
                usage(None, Some(89)),
                finished("tool_use"),
            ]
        );
        let reply = reply(&events);
        assert_eq!(reply.text, "Café in 日本語 — let me check 🦀.");
        assert_eq!(reply.tool_calls[0].arguments, r#"{"location": "Kyōto"}"#);
        assert_eq!((reply.input_tokens, reply.output_tokens, reply.finished), (Some(472), Some(89), true));
    }

    #[test]
    fn anthropic_error_mid_stream() {
        let events = decode_every_way(ProviderKind::Anthropic, ANTHROPIC_OVERLOADED);
        assert_eq!(events, [usage(Some(12), None), text("Here is"), Error { kind: StreamErrorKind::Overloaded, message: "Overloaded".into() }]);
        assert_eq!(reply(&events).text, "Here is", "the partial answer is kept");
    }

    #[test]
    fn openai_text_parallel_tool_calls_and_usage() {
        let events = decode_every_way(ProviderKind::OpenAi, OPENAI);
        assert_eq!(
            events,
            [
                text("Voilà: "),
                text("日本語 🦀"),
                start(0, "call_DdmO9pD3xa9XTPNJ32zg2hcA", "get_weather"),
                delta(0, "{\"lo"),
                delta(0, "cation\": \"Paris\"}"),
                start(1, "call_8Tf5k1Rz2qUyX0sVb3nWcE7o", "get_time"),
                delta(1, "{\"zone\": \"CET\"}"),
                usage(Some(82), Some(37)),
                finished("tool_calls"),
            ]
        );
        let message = reply(&events).to_message();
        let Message::Assistant { tool_calls, .. } = message else { panic!() };
        assert_eq!(tool_calls.iter().map(|c| c.arguments.as_str()).collect::<Vec<_>>(), [r#"{"location": "Paris"}"#, r#"{"zone": "CET"}"#]);
    }

    #[test]
    fn openrouter_comments_and_usage_chunk() {
        let events = decode_every_way(ProviderKind::OpenRouter, OPENROUTER);
        assert_eq!(events, [text("Crème"), text(" brûlée, 日本語 and 🦀"), usage(Some(14), Some(12)), finished("stop")]);
    }

    #[test]
    fn openrouter_error_mid_stream() {
        let events = decode_every_way(ProviderKind::OpenRouter, OPENROUTER_ERROR);
        assert_eq!(events, [text("Partial"), Error { kind: StreamErrorKind::Provider, message: "Provider disconnected unexpectedly".into() }]);
    }

    #[test]
    fn gemini_text_function_call_and_usage() {
        let events = decode_every_way(ProviderKind::Gemini, GEMINI);
        let signed = ToolCallStart { index: 0, id: "call_0".into(), name: "get_weather".into(), signature: Some("CiQBVKhc7oGzE5ZnPqRyTX4w".into()) };
        assert_eq!(events, [text("Bonjour, café"), text(" 日本語 🦀"), signed, delta(0, r#"{"location":"Kyōto"}"#), usage(Some(9), Some(52)), finished("STOP")]);
        assert_eq!(reply(&events).to_message(), Message::Assistant {
            text: "Bonjour, café 日本語 🦀".into(),
            tool_calls: vec![ToolCall { id: "call_0".into(), name: "get_weather".into(), arguments: r#"{"location":"Kyōto"}"#.into(), signature: Some("CiQBVKhc7oGzE5ZnPqRyTX4w".into()) }],
        });
    }

    #[test]
    fn gemini_errors_arrive_as_data() {
        let stream = b"data: {\"error\": {\"code\": 503, \"message\": \"The model is overloaded. Please try again later.\", \"status\": \"UNAVAILABLE\"}}\r\n\r\n";
        assert_eq!(decode(ProviderKind::Gemini, &[stream]), [Error { kind: StreamErrorKind::Overloaded, message: "The model is overloaded. Please try again later.".into() }]);
    }

    #[test]
    fn a_dropped_connection_is_interrupted_not_finished() {
        for (kind, recorded) in [(ProviderKind::Anthropic, ANTHROPIC), (ProviderKind::OpenAi, OPENAI), (ProviderKind::Gemini, GEMINI)] {
            let cut = &recorded[..recorded.len() / 2];
            let events = decode(kind, &[cut]);
            assert!(matches!(events.last(), Some(Error { kind: StreamErrorKind::Interrupted, .. })), "{kind:?}: {events:?}");
            assert!(!events[..events.len() - 1].iter().any(|e| matches!(e, Finished { .. } | Error { .. })), "{kind:?}: one terminal event");
        }
        assert!(matches!(decode(ProviderKind::OpenAi, &[]).as_slice(), [Error { kind: StreamErrorKind::Interrupted, .. }]));
    }

    #[test]
    fn a_finish_reason_without_the_end_marker_is_enough() {
        let stream = b"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}\n\n";
        assert_eq!(decode(ProviderKind::OpenAiCompatible, &[stream]), [text("hi"), finished("stop")]);
    }

    #[test]
    fn malformed_data_is_reported_and_skipped() {
        let stream = b"data: {\"choices\": [oops\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}\n\ndata: [DONE]\n\n";
        let events = decode(ProviderKind::OpenAi, &[stream]);
        assert!(matches!(&events[0], Error { kind: StreamErrorKind::Malformed, message } if message.contains("[oops")));
        assert_eq!(events[1..], [text("ok"), Finished { reason: None }]);
        assert!(reply(&events).error.is_none(), "a malformed line is not the end");
    }

    #[test]
    fn unknown_events_are_ignored() {
        let stream = b"event: brand_new\ndata: {\"type\": \"brand_new\", \"x\": 1}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"hmm\"}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        assert_eq!(decode(ProviderKind::Anthropic, &[stream]), [Finished { reason: None }]);
    }

    #[test]
    fn local_servers_without_tool_indexes() {
        let stream = concat!(
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"id\":\"a\",\"function\":{\"name\":\"one\",\"arguments\":\"{}\"}}]}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"id\":\"b\",\"function\":{\"name\":\"two\",\"arguments\":\"{\\\"x\\\"\"}}]}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\":1}\"}}]},\"finish_reason\":\"tool_calls\"}]}\n\n",
            "data: [DONE]\n\n",
        );
        let events = decode(ProviderKind::OpenAiCompatible, &[stream.as_bytes()]);
        assert_eq!(events, [start(0, "a", "one"), delta(0, "{}"), start(1, "b", "two"), delta(1, "{\"x\""), delta(1, ":1}"), finished("tool_calls")]);
    }

    #[test]
    fn nothing_follows_the_terminal_event() {
        let mut decoder = StreamDecoder::new(ProviderKind::OpenAi);
        assert_eq!(decoder.push(b"data: [DONE]\n\n"), [Finished { reason: None }]);
        assert_eq!(decoder.push(b"data: {\"choices\":[{\"delta\":{\"content\":\"late\"}}]}\n\n"), []);
        assert_eq!(decoder.finish(), []);
    }
}
