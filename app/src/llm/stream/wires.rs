//! Each wire format's events: what its JSON says, as `StreamEvent`s.

use super::{reasoning, StreamDecoder, StreamErrorKind, StreamEvent, UNINDEXED};
use serde_json::Value;

impl StreamDecoder {
    pub(super) fn anthropic(&mut self, event_name: Option<&str>, json: &Value, out: &mut Vec<StreamEvent>) {
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
                    Some("text_delta") => self.text(&delta["text"], out),
                    // Only sent when thinking is enabled; shown folded if it is.
                    Some("thinking_delta") => reasoning(&delta["thinking"], out),
                    Some("input_json_delta") => {
                        let key = block_index.unwrap_or(u64::MAX);
                        let fragment = text(&delta["partial_json"]);
                        if let (Some(index), false) = (self.tool_keys.iter().position(|&k| k == key), fragment.is_empty()) {
                            out.push(StreamEvent::ToolCallDelta { index, arguments_json_fragment: fragment });
                        }
                    }
                    _ => {} // Signatures, citations and future delta types.
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

    pub(super) fn chat_completions(&mut self, json: &Value, out: &mut Vec<StreamEvent>) {
        // OpenAI, OpenRouter and vLLM-style servers report mid-stream errors
        // as a data line with an `error` object (or `"object": "error"`);
        // Ollama's error is a bare string.
        let error = if json["object"] == "error" { Some(json) } else { json.get("error").filter(|e| !e.is_null()) };
        if let Some(error) = error {
            let code = ["code", "type", "status"].iter().filter_map(|f| error.get(*f)).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).collect::<Vec<_>>().join(" ");
            return self.end(StreamEvent::Error { kind: error_kind(&code), message: error_message(error) }, out);
        }
        if let Some(choice) = json["choices"].get(0) {
            let delta = &choice["delta"];
            // DeepSeek, vLLM, llama.cpp and LM Studio name it `reasoning_content`;
            // OpenRouter and Ollama `reasoning`.
            reasoning(if delta["reasoning_content"].is_string() { &delta["reasoning_content"] } else { &delta["reasoning"] }, out);
            self.text(&delta["content"], out);
            if delta["refusal"].as_str().is_some_and(|r| !r.is_empty()) {
                // OpenAI's refusal comes in its own field: it is the answer shown.
                self.refused = true;
                self.text(&delta["refusal"], out);
            }
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

    pub(super) fn gemini(&mut self, json: &Value, out: &mut Vec<StreamEvent>) {
        if let Some(error) = json.get("error") {
            let code = error["status"].as_str().map_or_else(|| error["code"].to_string(), str::to_lowercase);
            return self.end(StreamEvent::Error { kind: error_kind(&code), message: error_message(error) }, out);
        }
        if let Some(candidate) = json["candidates"].get(0) {
            for part in candidate["content"]["parts"].as_array().into_iter().flatten() {
                if part["thought"] == true {
                    // Thought summaries, only sent when asked for.
                    reasoning(&part["text"], out);
                    continue;
                }
                self.text(&part["text"], out);
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
            // The prompt itself was blocked: no candidate comes.
            self.prompt_blocked = true;
            self.finish_reason = Some(reason.to_string());
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
