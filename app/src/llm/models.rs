//! Listing the models a key can use, so the settings offer a choice
//! instead of a free-text field that invites typos.

use super::provider::{ProviderConfig, ProviderKind, Wire};
use super::request::{auth_headers, HttpRequest};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// What goes in `ChatRequest::model`.
    pub id: String,
    /// The provider's human name, or the id when it has none.
    pub display_name: String,
}

/// The request listing the models, or `None` when it cannot succeed:
/// the provider needs a key and there is none (OpenRouter's list is public).
pub fn models_request(config: &ProviderConfig, key: Option<&str>) -> Option<HttpRequest> {
    let has_key = key.is_some_and(|k| !k.trim().is_empty());
    if config.kind.requires_key() && !has_key && config.kind != ProviderKind::OpenRouter {
        return None;
    }
    let base = config.base();
    // One page of the largest size each API allows: nobody has more models.
    let url = match config.kind.wire() {
        Wire::Anthropic => format!("{base}/v1/models?limit=1000"),
        Wire::ChatCompletions => format!("{base}/models"),
        Wire::Gemini => format!("{base}/v1beta/models?pageSize=1000"),
    };
    Some(HttpRequest { method: "GET", url, headers: auth_headers(config.kind, key), body: String::new() })
}

/// The models in the order the provider lists them. Gemini's are reduced
/// to those that can chat (`generateContent`) and lose their `models/` prefix.
pub fn parse_models(kind: ProviderKind, body: &str) -> Result<Vec<ModelInfo>, String> {
    let value: Value = serde_json::from_str(body).map_err(|e| format!("the model list is not JSON: {e}"))?;
    let field = if kind.wire() == Wire::Gemini { "models" } else { "data" };
    let Some(entries) = value.get(field).and_then(Value::as_array) else {
        return Err(format!("the model list has no `{field}` array"));
    };
    let models = entries
        .iter()
        .filter(|entry| match entry.get("supportedGenerationMethods").and_then(Value::as_array) {
            Some(methods) => methods.iter().any(|m| m == "generateContent"),
            None => true,
        })
        .filter_map(|entry| {
            let id = entry.get(if kind.wire() == Wire::Gemini { "name" } else { "id" })?.as_str()?;
            let id = id.strip_prefix("models/").unwrap_or(id).to_string();
            let name = ["display_name", "displayName", "name"].iter().find_map(|f| entry.get(*f)?.as_str()).filter(|n| !n.is_empty() && !n.starts_with("models/"));
            Some(ModelInfo { display_name: name.map_or_else(|| id.clone(), str::to_string), id })
        })
        .collect();
    Ok(models)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(models: &[ModelInfo]) -> Vec<(&str, &str)> {
        models.iter().map(|m| (m.id.as_str(), m.display_name.as_str())).collect()
    }

    #[test]
    fn requests_per_provider() {
        let anthropic = models_request(&ProviderConfig::new(ProviderKind::Anthropic), Some("k")).unwrap();
        assert_eq!((anthropic.method, anthropic.url.as_str()), ("GET", "https://api.anthropic.com/v1/models?limit=1000"));
        assert_eq!(anthropic.header("x-api-key"), Some("k"));
        assert_eq!(anthropic.header("anthropic-version"), Some("2023-06-01"));
        assert_eq!(anthropic.header("anthropic-dangerous-direct-browser-access"), Some("true"));
        let openai = models_request(&ProviderConfig::new(ProviderKind::OpenAi), Some("k")).unwrap();
        assert_eq!((openai.url.as_str(), openai.header("authorization")), ("https://api.openai.com/v1/models", Some("Bearer k")));
        let gemini = models_request(&ProviderConfig::new(ProviderKind::Gemini), Some("k")).unwrap();
        assert_eq!((gemini.url.as_str(), gemini.header("x-goog-api-key")), ("https://generativelanguage.googleapis.com/v1beta/models?pageSize=1000", Some("k")));
        let ollama = models_request(&crate::llm::LOCAL_PRESETS[0].config(), None).unwrap();
        assert_eq!((ollama.url.as_str(), ollama.headers.len()), ("http://localhost:11434/v1/models", 0));
        assert!(models_request(&ProviderConfig::new(ProviderKind::OpenRouter), None).is_some(), "OpenRouter's list is public");
        assert_eq!(models_request(&ProviderConfig::new(ProviderKind::Gemini), Some(" ")), None);
    }

    #[test]
    fn anthropic_models() {
        let body = r#"{"data":[{"type":"model","id":"claude-sonnet-4-5-20250929","display_name":"Claude Sonnet 4.5","created_at":"2025-09-29T00:00:00Z"},{"type":"model","id":"claude-3-5-haiku-20241022","display_name":"Claude Haiku 3.5","created_at":"2024-10-22T00:00:00Z"}],"has_more":false,"first_id":"claude-sonnet-4-5-20250929","last_id":"claude-3-5-haiku-20241022"}"#;
        assert_eq!(ids(&parse_models(ProviderKind::Anthropic, body).unwrap()), [("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5"), ("claude-3-5-haiku-20241022", "Claude Haiku 3.5")]);
    }

    #[test]
    fn openai_style_models() {
        let openai = r#"{"object":"list","data":[{"id":"gpt-4o-mini","object":"model","created":1721172741,"owned_by":"system"}]}"#;
        assert_eq!(ids(&parse_models(ProviderKind::OpenAi, openai).unwrap()), [("gpt-4o-mini", "gpt-4o-mini")]);
        let openrouter = r#"{"data":[{"id":"anthropic/claude-sonnet-4.5","canonical_slug":"anthropic/claude-4.5-sonnet-20250929","name":"Anthropic: Claude Sonnet 4.5","context_length":1000000}]}"#;
        assert_eq!(ids(&parse_models(ProviderKind::OpenRouter, openrouter).unwrap()), [("anthropic/claude-sonnet-4.5", "Anthropic: Claude Sonnet 4.5")]);
        let ollama = r#"{"object":"list","data":[{"id":"llama3.2:latest","object":"model","created":1727000000,"owned_by":"library"}]}"#;
        assert_eq!(ids(&parse_models(ProviderKind::OpenAiCompatible, ollama).unwrap()), [("llama3.2:latest", "llama3.2:latest")]);
    }

    #[test]
    fn gemini_models_that_can_chat() {
        let body = r#"{"models":[
            {"name":"models/gemini-2.5-flash","version":"001","displayName":"Gemini 2.5 Flash","supportedGenerationMethods":["generateContent","countTokens","createCachedContent","batchGenerateContent"]},
            {"name":"models/text-embedding-004","version":"004","displayName":"Text Embedding 004","supportedGenerationMethods":["embedContent"]},
            {"name":"models/gemma-3-27b-it"}
        ],"nextPageToken":"Ch9tb2RlbHMvZ2VtaW5p"}"#;
        assert_eq!(ids(&parse_models(ProviderKind::Gemini, body).unwrap()), [("gemini-2.5-flash", "Gemini 2.5 Flash"), ("gemma-3-27b-it", "gemma-3-27b-it")]);
    }

    #[test]
    fn unreadable_lists_say_why() {
        assert!(parse_models(ProviderKind::OpenAi, "<html>").unwrap_err().contains("not JSON"));
        assert_eq!(parse_models(ProviderKind::Gemini, r#"{"data":[]}"#).unwrap_err(), "the model list has no `models` array");
    }
}
