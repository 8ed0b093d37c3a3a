//! A `200` response that is not a stream: a server that ignored
//! `"stream": true` and sent one JSON completion, or a JSON error (a local
//! server's "model not found"). Each is turned into the events its stream
//! would have carried, by feeding the wire's own event handlers, so a whole
//! answer reads exactly like a streamed one.

use super::{StreamDecoder, StreamErrorKind, StreamEvent};
use crate::llm::provider::Wire;
use serde_json::{json, Value};

impl StreamDecoder {
    /// The events of a body that arrived without any server-sent event.
    pub(super) fn whole(&mut self, body: &[u8]) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        // Through `from_str`, as every other parse of the browser bundles: a
        // second, byte-reading copy of the JSON parser would cost the chat ~11 kB.
        let Some(json) = std::str::from_utf8(body).ok().and_then(|text| serde_json::from_str::<Value>(text).ok()) else {
            let event = match self.content_type.as_deref().filter(|t| !t.starts_with("text/event-stream")) {
                // Events were promised: the connection closed before any came.
                None => StreamEvent::Error { kind: StreamErrorKind::Interrupted, message: "The connection closed before the reply was complete.".into() },
                Some(content_type) => StreamEvent::Error { kind: StreamErrorKind::Provider, message: not_a_reply(content_type, body) },
            };
            self.end(event, &mut out);
            return out;
        };
        match self.wire {
            Wire::Anthropic if json["type"] == "message" => self.anthropic_message(&json, &mut out),
            Wire::Anthropic => self.anthropic(None, &json, &mut out),
            Wire::ChatCompletions => {
                let mut completion = json.clone();
                for choice in completion["choices"].as_array_mut().into_iter().flatten() {
                    // A whole completion has `message` where a chunk has `delta`, and
                    // its tool calls have no `index`: their order is their index.
                    if let Some(mut message) = choice.get_mut("message").map(Value::take) {
                        for (index, call) in message["tool_calls"].as_array_mut().into_iter().flatten().enumerate() {
                            call["index"] = index.into();
                        }
                        choice["delta"] = message;
                    }
                }
                self.chat_completions(&completion, &mut out);
            }
            // `streamGenerateContent` without `alt=sse` sends an array of chunks.
            Wire::Gemini => match json.as_array() {
                Some(chunks) => chunks.iter().for_each(|chunk| self.gemini(chunk, &mut out)),
                None => self.gemini(&json, &mut out),
            },
        }
        if !self.ended {
            if out.is_empty() && self.finish_reason.is_none() && self.pending_usage.is_none() {
                let message = not_a_reply(self.content_type.as_deref().unwrap_or("JSON"), body);
                self.end(StreamEvent::Error { kind: StreamErrorKind::Provider, message }, &mut out);
            } else {
                // The body is all there is: it ended normally unless it said otherwise.
                self.finished(&mut out);
            }
        }
        out
    }

    /// Anthropic's whole `message`, as the events of its stream.
    fn anthropic_message(&mut self, message: &Value, out: &mut Vec<StreamEvent>) {
        self.anthropic(None, &json!({"type": "message_start", "message": {"usage": {"input_tokens": message["usage"]["input_tokens"]}}}), out);
        for (index, block) in message["content"].as_array().into_iter().flatten().enumerate() {
            let delta = match block["type"].as_str() {
                Some("text") => json!({"type": "text_delta", "text": block["text"]}),
                Some("thinking") => json!({"type": "thinking_delta", "thinking": block["thinking"]}),
                Some("tool_use") => {
                    self.anthropic(None, &json!({"type": "content_block_start", "index": index, "content_block": {"type": "tool_use", "id": block["id"], "name": block["name"]}}), out);
                    json!({"type": "input_json_delta", "partial_json": block.get("input").unwrap_or(&json!({})).to_string()})
                }
                _ => continue,
            };
            self.anthropic(None, &json!({"type": "content_block_delta", "index": index, "delta": delta}), out);
        }
        self.anthropic(None, &json!({"type": "message_delta", "delta": {"stop_reason": message["stop_reason"]}, "usage": {"output_tokens": message["usage"]["output_tokens"]}}), out);
    }
}

/// What a body that is neither events nor a known JSON shape said.
fn not_a_reply(content_type: &str, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    // An HTML page says nothing useful; short text might.
    if text.is_empty() || text.starts_with('<') {
        format!("The server answered with {content_type} instead of a reply.")
    } else {
        let shown: String = text.chars().take(200).collect();
        format!("The server answered with {content_type} instead of a reply: {shown}")
    }
}
