//! A reply's events in each provider's wire format, byte for byte as the
//! services document and send them: Anthropic's named events, Chat
//! Completions chunks (OpenAI, OpenRouter, local servers), Gemini's
//! `GenerateContentResponse` chunks. Also the whole, non-streamed bodies
//! of a server that ignores `"stream": true`.

use super::GEMINI_SIGNATURE;
use llmos_core::llm::{Ending, ProviderKind};
use serde_json::{json, Value};

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

pub(super) fn sse(event: Option<&str>, data: &Value) -> Vec<u8> {
    match event {
        Some(event) => format!("event: {event}\ndata: {data}\n\n").into_bytes(),
        None => format!("data: {data}\n\n").into_bytes(),
    }
}

/// The provider's own word for `ending`; panics where the provider has none.
fn reason(kind: ProviderKind, ending: Ending) -> &'static str {
    use Ending::*;
    match (kind, ending) {
        (ProviderKind::Anthropic, Complete) => "end_turn",
        (ProviderKind::Anthropic, ToolUse) => "tool_use",
        (ProviderKind::Anthropic, OutputLimit) => "max_tokens",
        (ProviderKind::Anthropic, ContextFull) => "model_context_window_exceeded",
        (ProviderKind::Anthropic, Refusal) => "refusal",
        (ProviderKind::Anthropic, Paused) => "pause_turn",
        (ProviderKind::Gemini, Complete | ToolUse) => "STOP",
        (ProviderKind::Gemini, OutputLimit) => "MAX_TOKENS",
        (ProviderKind::Gemini, Filtered) => "SAFETY",
        (ProviderKind::Gemini, PromptBlocked) => "PROHIBITED_CONTENT",
        (ProviderKind::Gemini, Other) => "MALFORMED_FUNCTION_CALL",
        (ProviderKind::Anthropic | ProviderKind::Gemini, _) => panic!("{kind:?} has no {ending:?} ending"),
        // OpenAI's refusal is its own field, ending with a plain `stop`.
        (_, Complete | Refusal) => "stop",
        (_, ToolUse) => "tool_calls",
        (_, OutputLimit) => "length",
        (_, Filtered) => "content_filter",
        (_, _) => panic!("{kind:?} has no {ending:?} ending"),
    }
}

/// One reply's events in its provider's wire format.
pub(super) struct Encoder {
    pub kind: ProviderKind,
    /// The reply's number, in its ids.
    pub n: u64,
    pub model: String,
    pub id: String,
    pub input_tokens: u64,
    pub include_usage: bool,
    pub has_text: bool,
    pub has_reasoning: bool,
    pub ending: Ending,
}

impl Encoder {
    /// Anthropic's content block of the text: after the thinking block.
    fn text_block(&self) -> usize {
        usize::from(self.has_reasoning)
    }

    pub fn start(&self) -> Vec<Vec<u8>> {
        match self.kind {
            ProviderKind::Anthropic => {
                let start = json!({"type": "message_start", "message": {"id": self.id, "type": "message", "role": "assistant", "model": self.model, "content": [], "stop_reason": null, "stop_sequence": null,
                    "usage": {"input_tokens": self.input_tokens, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 1, "service_tier": "standard"}}});
                let mut events = vec![sse(Some("message_start"), &start)];
                if self.has_reasoning {
                    events.push(sse(Some("content_block_start"), &json!({"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": "", "signature": ""}})));
                }
                events.push(sse(Some("ping"), &json!({"type": "ping"})));
                events
            }
            ProviderKind::Gemini => vec![],
            ProviderKind::OpenRouter => vec![b": OPENROUTER PROCESSING\n\n".to_vec(), self.chunk(json!({"role": "assistant", "content": ""}), None)],
            _ => vec![self.chunk(json!({"role": "assistant", "content": "", "refusal": null}), None)],
        }
    }

    /// Reasoning, in the provider's own field (Chat Completions: OpenRouter's
    /// `reasoning`, the local servers' `reasoning_content`).
    pub fn reasoning(&self, token: &str) -> Vec<u8> {
        match self.kind {
            ProviderKind::Anthropic => sse(Some("content_block_delta"), &json!({"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": token}})),
            ProviderKind::Gemini => self.gemini(json!([{"text": token, "thought": true}]), None, 0),
            ProviderKind::OpenRouter => self.chunk(json!({"role": "assistant", "content": "", "reasoning": token}), None),
            _ => self.chunk(json!({"content": null, "reasoning_content": token}), None),
        }
    }

    /// The end of the reasoning, and the start of the text after it.
    pub fn reasoning_done(&self) -> Vec<Vec<u8>> {
        let mut events = Vec::new();
        if self.kind == ProviderKind::Anthropic {
            if self.has_reasoning {
                events.push(sse(Some("content_block_delta"), &json!({"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "RXN0YW5kLWlu"}})));
                events.push(sse(Some("content_block_stop"), &json!({"type": "content_block_stop", "index": 0})));
            }
            if self.has_text {
                events.push(sse(Some("content_block_start"), &json!({"type": "content_block_start", "index": self.text_block(), "content_block": {"type": "text", "text": ""}})));
            }
        }
        events
    }

    /// A Chat Completions chunk with one choice.
    pub fn chunk(&self, delta: Value, finish_reason: Option<&str>) -> Vec<u8> {
        let mut choice = json!({"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason});
        let mut chunk = json!({"id": self.id, "object": "chat.completion.chunk", "created": 1759104000, "model": self.model, "choices": [choice.clone()]});
        match self.kind {
            ProviderKind::OpenRouter => {
                choice["native_finish_reason"] = finish_reason.map(|r| match r {
                    "tool_calls" => "tool_use",
                    "length" => "max_tokens",
                    _ => "end_turn",
                }).into();
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

    fn gemini_chunk(&self, candidate: Option<Value>, output_tokens: u64) -> Value {
        let usage = json!({"promptTokenCount": self.input_tokens, "candidatesTokenCount": output_tokens, "totalTokenCount": self.input_tokens + output_tokens,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": self.input_tokens}]});
        let mut chunk = json!({"usageMetadata": usage, "modelVersion": self.model, "responseId": self.id});
        if let Some(candidate) = candidate {
            chunk["candidates"] = json!([candidate]);
        }
        chunk
    }

    fn gemini(&self, parts: Value, finish_reason: Option<&str>, output_tokens: u64) -> Vec<u8> {
        let mut candidate = json!({"content": {"parts": parts, "role": "model"}, "index": 0});
        if let Some(reason) = finish_reason {
            candidate["finishReason"] = reason.into();
        }
        format!("data: {}\r\n\r\n", self.gemini_chunk(Some(candidate), output_tokens)).into_bytes()
    }

    pub fn text(&self, token: &str, output_tokens: u64) -> Vec<u8> {
        match self.kind {
            ProviderKind::Anthropic => sse(Some("content_block_delta"), &json!({"type": "content_block_delta", "index": self.text_block(), "delta": {"type": "text_delta", "text": token}})),
            ProviderKind::Gemini => self.gemini(json!([{"text": token}]), None, output_tokens),
            _ if self.ending == Ending::Refusal => self.chunk(json!({"refusal": token}), None),
            _ => self.chunk(json!({"content": token}), None),
        }
    }

    pub fn text_done(&self) -> Vec<Vec<u8>> {
        match self.kind {
            ProviderKind::Anthropic if self.has_text => vec![sse(Some("content_block_stop"), &json!({"type": "content_block_stop", "index": self.text_block()}))],
            _ => vec![],
        }
    }

    /// The call's events; Gemini's single chunk also ends the reply.
    pub fn tool(&self, call_id: &str, name: &str, arguments: &str, output_tokens: u64) -> Vec<Vec<u8>> {
        let fragments = tokens(arguments);
        match self.kind {
            ProviderKind::Anthropic => {
                let index = self.text_block() + usize::from(self.has_text);
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

    /// Gemini's answer to a blocked prompt: feedback, no candidate, nothing else.
    pub fn prompt_blocked(&self) -> Vec<Vec<u8>> {
        let mut chunk = self.gemini_chunk(None, 0);
        chunk["promptFeedback"] = json!({"blockReason": reason(self.kind, Ending::PromptBlocked)});
        vec![format!("data: {chunk}\r\n\r\n").into_bytes()]
    }

    pub fn finish(&self, tool: bool, output_tokens: u64) -> Vec<Vec<u8>> {
        let ending = if tool { Ending::ToolUse } else { self.ending };
        let reason = reason(self.kind, ending);
        match self.kind {
            ProviderKind::Anthropic => vec![
                sse(Some("message_delta"), &json!({"type": "message_delta", "delta": {"stop_reason": reason, "stop_sequence": null}, "usage": {"output_tokens": output_tokens}})),
                sse(Some("message_stop"), &json!({"type": "message_stop"})),
            ],
            ProviderKind::Gemini if tool => vec![],
            // A filtered Gemini candidate comes back empty, with its ratings.
            ProviderKind::Gemini if ending == Ending::Filtered => {
                let candidate = json!({"finishReason": reason, "index": 0, "safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": true}]});
                vec![format!("data: {}\r\n\r\n", self.gemini_chunk(Some(candidate), output_tokens)).into_bytes()]
            }
            ProviderKind::Gemini => vec![self.gemini(json!([{"text": ""}]), Some(reason), output_tokens)],
            _ => {
                let mut events = vec![self.chunk(json!({}), Some(reason))];
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
    pub fn error(&self) -> Vec<Vec<u8>> {
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

    /// The whole reply in one JSON body, as the non-streaming API returns it.
    pub fn whole(&self, text: &str, reasoning: Option<&str>, output_tokens: u64) -> Value {
        let reason = reason(self.kind, self.ending);
        match self.kind {
            ProviderKind::Anthropic => {
                let mut content: Vec<Value> = reasoning.map(|r| json!({"type": "thinking", "thinking": r, "signature": "RXN0YW5kLWlu"})).into_iter().collect();
                content.push(json!({"type": "text", "text": text}));
                json!({"id": self.id, "type": "message", "role": "assistant", "model": self.model, "content": content, "stop_reason": reason, "stop_sequence": null,
                    "usage": {"input_tokens": self.input_tokens, "output_tokens": output_tokens}})
            }
            ProviderKind::Gemini => {
                let mut parts: Vec<Value> = reasoning.map(|r| json!({"text": r, "thought": true})).into_iter().collect();
                parts.push(json!({"text": text}));
                // Without `alt=sse`, `streamGenerateContent` answers with an array of chunks.
                json!([self.gemini_chunk(Some(json!({"content": {"parts": parts, "role": "model"}, "finishReason": reason, "index": 0})), output_tokens)])
            }
            _ => {
                let mut message = json!({"role": "assistant", "content": text});
                if let Some(reasoning) = reasoning {
                    message["reasoning_content"] = reasoning.into();
                }
                json!({"id": self.id, "object": "chat.completion", "created": 1759104000, "model": self.model, "system_fingerprint": "fp_ollama",
                    "choices": [{"index": 0, "message": message, "finish_reason": reason}],
                    "usage": {"prompt_tokens": self.input_tokens, "completion_tokens": output_tokens, "total_tokens": self.input_tokens + output_tokens}})
            }
        }
    }
}
