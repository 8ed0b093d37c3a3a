//! How an answer ended. Every provider says it in its own words (Anthropic
//! `stop_reason`, Chat Completions `finish_reason`, Gemini `finishReason`
//! and `promptFeedback.blockReason`); an answer cut at the output limit or
//! stopped by a filter looks complete unless the chat says otherwise, so
//! the reasons are read into one vocabulary the page can always show.

use serde::{Deserialize, Serialize};

/// Why the model stopped writing. The stored names (`"output-limit"`…)
/// are part of the saved messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ending {
    /// A normal end: the model was done, or wrote a stop sequence.
    Complete,
    /// It stopped to call tools; the chat answers them and asks again.
    ToolUse,
    /// Cut at the output limit (`max_tokens`, `length`, `MAX_TOKENS`).
    OutputLimit,
    /// The answer filled the model's context window (Anthropic's
    /// `model_context_window_exceeded`).
    ContextFull,
    /// The model declined to answer (Anthropic `refusal`; OpenAI's `refusal` field).
    Refusal,
    /// The provider's filter stopped the answer (`content_filter`, `SAFETY`,
    /// `RECITATION`, `BLOCKLIST`, `PROHIBITED_CONTENT`, `SPII`…).
    Filtered,
    /// The provider blocked the question before any answer (Gemini's `blockReason`).
    PromptBlocked,
    /// The provider paused a long turn (Anthropic `pause_turn`).
    Paused,
    /// A reason this version does not know (Gemini `MALFORMED_FUNCTION_CALL`, `OTHER`…).
    Other,
}

/// The message that asks for the rest of an answer that ended early
/// (`Ending::can_continue`). A user turn rather than a prefilled assistant
/// turn: every API accepts it, including models that refuse prefills.
pub const CONTINUE_PROMPT: &str = "Continue your previous answer exactly where it stopped, without repeating anything.";

impl Ending {
    /// From a provider's own reason; `None` (an end marker without one) is a normal end.
    pub fn from_reason(reason: Option<&str>) -> Ending {
        let Some(reason) = reason else { return Ending::Complete };
        match reason.to_ascii_lowercase().as_str() {
            "end_turn" | "stop" | "stop_sequence" => Ending::Complete,
            "tool_use" | "tool_calls" | "function_call" => Ending::ToolUse,
            "max_tokens" | "length" => Ending::OutputLimit,
            "model_context_window_exceeded" => Ending::ContextFull,
            "refusal" => Ending::Refusal,
            "content_filter" | "safety" | "recitation" | "blocklist" | "prohibited_content" | "spii" | "image_safety" | "image_prohibited_content" | "image_recitation" => Ending::Filtered,
            "pause_turn" => Ending::Paused,
            _ => Ending::Other,
        }
    }

    /// The answer is all the model meant to write.
    pub fn is_normal(self) -> bool {
        matches!(self, Ending::Complete | Ending::ToolUse)
    }

    /// Asking for the rest makes sense: the model was cut off, not stopped on purpose.
    pub fn can_continue(self) -> bool {
        matches!(self, Ending::OutputLimit | Ending::Paused)
    }

    /// What the chat says under an answer that did not end normally;
    /// `reason` is the provider's own word, named where it adds something.
    pub fn note(self, reason: Option<&str>) -> Option<String> {
        let said = reason.map_or_else(String::new, |r| format!(" (the provider said: {r})"));
        Some(match self {
            Ending::Complete | Ending::ToolUse => return None,
            Ending::OutputLimit => "The answer was cut off at the length limit for one answer. Continue for the rest, or raise the answer limit in the settings.".to_string(),
            Ending::ContextFull => "The answer stopped because the conversation filled the model's context window. Start a new chat to go on.".to_string(),
            Ending::Refusal => "The model declined to answer this.".to_string(),
            Ending::Filtered => format!("The provider's content filter stopped this answer{said}."),
            Ending::PromptBlocked => format!("The provider blocked this message before the model answered{said}. Rephrase it, or pick another model."),
            Ending::Paused => "The provider paused this answer before it was done. Continue to let it finish.".to_string(),
            Ending::Other => format!("The answer ended early{said}."),
        })
    }
}
