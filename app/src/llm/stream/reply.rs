//! An assistant reply assembled from stream events.

use super::{Ending, StreamErrorKind, StreamEvent};
use crate::llm::request::{Message, ToolCall};

/// An assistant reply assembled from stream events: what the chat shows
/// while streaming, and the `Message` kept in the conversation afterwards.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reply {
    pub text: String,
    /// The model's reasoning, kept apart from the answer.
    pub reasoning: String,
    /// Arguments accumulate as JSON text; complete once the reply is finished.
    pub tool_calls: Vec<ToolCall>,
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    /// The provider's own reason, set by `Finished`.
    pub finish_reason: Option<String>,
    /// How the answer ended, set by `Finished`.
    pub ending: Option<Ending>,
    pub finished: bool,
    /// The terminal error, if the stream ended with one.
    pub error: Option<(StreamErrorKind, String)>,
}

impl Reply {
    /// Takes one event into the reply.
    pub fn apply(&mut self, event: &StreamEvent) {
        match event {
            StreamEvent::TextDelta(text) => self.text.push_str(text),
            StreamEvent::ReasoningDelta(text) => self.reasoning.push_str(text),
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
            StreamEvent::Finished { ending, reason } => {
                self.finished = true;
                self.ending = Some(*ending);
                self.finish_reason.clone_from(reason);
            }
            StreamEvent::Error { kind: StreamErrorKind::Malformed, .. } => {}
            StreamEvent::Error { kind, message } => self.error = Some((*kind, message.clone())),
        }
    }

    /// The reply as a conversation turn: the answer and its calls, never
    /// the reasoning. Calls without arguments get `{}`.
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
