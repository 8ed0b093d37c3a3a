//! How long one answer may be. Anthropic requires `max_tokens` on every
//! request; the other APIs default to their model's own limit, so the chat
//! sends a limit to them only when the user sets one.
//!
//! The defaults are per Anthropic model family. Claude 3 models write at
//! most 4,096 tokens and Claude 3.5 at most 8,192; every later family
//! allows far more (32,000 to 128,000), but Anthropic counts `max_tokens`
//! against an account's output tokens per minute when a request starts,
//! and the lowest usage tier allows 8,000 a minute: a larger default would
//! turn every first request of a new account into a 429. So 8,000, and the
//! user raises it in the settings when answers get cut.

use super::provider::ProviderKind;

/// The limit used for Claude models this version does not know, and for
/// every family since Claude 3.5.
pub const DEFAULT_MAX_TOKENS: u32 = 8_000;

/// The answer limit a request to `model` gets when the user set none:
/// `None` leaves it to the model (every API but Anthropic's allows that).
pub fn default_max_tokens(kind: ProviderKind, model: &str) -> Option<u32> {
    if kind != ProviderKind::Anthropic {
        return None;
    }
    let model = model.trim().to_ascii_lowercase();
    // `claude-3-opus-20240229`, `claude-3-haiku-…`: the first generation.
    let claude_3 = ["claude-3-opus", "claude-3-sonnet", "claude-3-haiku"].iter().any(|family| model.starts_with(family));
    Some(if claude_3 { 4_096 } else { DEFAULT_MAX_TOKENS })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anthropic_gets_a_limit_its_model_family_accepts() {
        for (model, limit) in [
            ("claude-3-haiku-20240307", 4_096),
            ("claude-3-opus-latest", 4_096),
            ("claude-3-5-haiku-20241022", 8_000),
            ("claude-3-5-sonnet-20241022", 8_000),
            ("claude-3-7-sonnet-20250219", 8_000),
            ("claude-sonnet-4-5-20250929", 8_000),
            ("claude-opus-4-1-20250805", 8_000),
            ("claude-haiku-4-5", 8_000),
            ("a-future-claude", DEFAULT_MAX_TOKENS),
        ] {
            assert_eq!(default_max_tokens(ProviderKind::Anthropic, model), Some(limit), "{model}");
        }
        for kind in [ProviderKind::OpenAi, ProviderKind::Gemini, ProviderKind::OpenRouter, ProviderKind::OpenAiCompatible] {
            assert_eq!(default_max_tokens(kind, "claude-3-haiku"), None, "{kind:?}: the model's own limit");
        }
    }
}
