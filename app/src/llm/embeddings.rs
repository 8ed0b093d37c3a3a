//! Embeddings of short texts (the goals of traces), for clustering by
//! meaning: request building and response decoding, without any I/O.
//!
//! Three documented wire formats:
//!
//! - **OpenAI** `POST {base}/embeddings` with `{"model", "input": [texts],
//!   "encoding_format": "float"}` → `{"data": [{"index", "embedding": [f32]}]}`
//!   (<https://platform.openai.com/docs/api-reference/embeddings/create>).
//!   OpenRouter (`/api/v1/embeddings`,
//!   <https://openrouter.ai/docs/api_reference/embeddings>) and the local
//!   OpenAI-compatible servers (LM Studio, llama.cpp's `--embeddings`) speak it too.
//! - **Ollama** `POST {host}/api/embed` with `{"model", "input": [texts]}` →
//!   `{"embeddings": [[f32]]}` (<https://github.com/ollama/ollama/blob/main/docs/api.md>),
//!   used when the configured server is Ollama's port: its `/v1` base loses
//!   the `/v1`.
//! - **Gemini** `POST {base}/v1beta/models/{model}:batchEmbedContents` with
//!   `{"requests": [{"model": "models/{model}", "content": {"parts": [{"text"}]}}]}`
//!   → `{"embeddings": [{"values": [f32]}]}`
//!   (<https://ai.google.dev/api/embeddings#method:-models.batchembedcontents>).
//!
//! Anthropic has no embeddings endpoint (its documentation points to
//! Voyage AI, another service and key): `embeddings_wire` says `None`.
//! Errors of a failed response are described with `describe_http_error`,
//! as for a chat.

use super::provider::{ProviderConfig, ProviderKind};
use super::request::{auth_headers, gemini_model_path, HttpRequest};
use serde_json::{json, Value};

/// How embeddings are asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbeddingsWire {
    /// OpenAI's `/embeddings` (OpenAI, OpenRouter, OpenAI-compatible servers).
    OpenAi,
    /// Ollama's native `/api/embed`.
    Ollama,
    /// Gemini's `batchEmbedContents`.
    Gemini,
}

/// At most this many texts go in one request: Gemini's documented limit
/// for `batchEmbedContents` (OpenAI allows 2,048); larger batches are split
/// by the caller with `chunks(EMBEDDINGS_MAX_BATCH)`.
pub const EMBEDDINGS_MAX_BATCH: usize = 100;

/// The embeddings format of a configured provider, or `None` when it has
/// none (Anthropic).
pub fn embeddings_wire(config: &ProviderConfig) -> Option<EmbeddingsWire> {
    match config.kind {
        ProviderKind::Anthropic => None,
        ProviderKind::Gemini => Some(EmbeddingsWire::Gemini),
        ProviderKind::OpenAi | ProviderKind::OpenRouter => Some(EmbeddingsWire::OpenAi),
        ProviderKind::OpenAiCompatible => Some(if config.local_preset().is_some_and(|p| p.name == "Ollama") { EmbeddingsWire::Ollama } else { EmbeddingsWire::OpenAi }),
    }
}

/// The model asked for when the user names none: each provider's documented
/// general-purpose text embedding model. OpenRouter routes OpenAI's under
/// its vendor prefix; an OpenAI-compatible server other than Ollama has no
/// common name, so the user has to give one (`None`).
pub fn default_embeddings_model(config: &ProviderConfig) -> Option<&'static str> {
    match (config.kind, embeddings_wire(config)?) {
        (ProviderKind::OpenAi, _) => Some("text-embedding-3-small"),
        (ProviderKind::OpenRouter, _) => Some("openai/text-embedding-3-small"),
        (ProviderKind::Gemini, _) => Some("gemini-embedding-001"),
        (_, EmbeddingsWire::Ollama) => Some("nomic-embed-text"),
        _ => None,
    }
}

/// The request embedding `texts` (at most `EMBEDDINGS_MAX_BATCH`, in order) with
/// `model`, or `None` when the provider has no embeddings endpoint. `key`
/// is handled as for a chat (trimmed; blank sends no auth header).
pub fn embeddings_request(config: &ProviderConfig, key: Option<&str>, model: &str, texts: &[String]) -> Option<HttpRequest> {
    Some(embeddings_request_as(embeddings_wire(config)?, config, key, model, texts))
}

/// `embeddings_request` in a given format, whatever `embeddings_wire` would
/// choose (Ollama's native `/api/embed` on a server not on Ollama's port).
pub fn embeddings_request_as(wire: EmbeddingsWire, config: &ProviderConfig, key: Option<&str>, model: &str, texts: &[String]) -> HttpRequest {
    let base = config.base();
    let model = model.trim();
    let (url, body) = match wire {
        EmbeddingsWire::OpenAi => (format!("{base}/embeddings"), json!({"model": model, "input": texts, "encoding_format": "float"})),
        EmbeddingsWire::Ollama => {
            let host = base.strip_suffix("/v1").unwrap_or(base);
            (format!("{host}/api/embed"), json!({"model": model, "input": texts}))
        }
        EmbeddingsWire::Gemini => {
            let path = gemini_model_path(model);
            let requests: Vec<Value> = texts.iter().map(|t| json!({"model": format!("models/{path}"), "content": {"parts": [{"text": t}]}})).collect();
            (format!("{base}/v1beta/models/{path}:batchEmbedContents"), json!({"requests": requests}))
        }
    };
    let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
    headers.extend(auth_headers(config.kind, key));
    HttpRequest { method: "POST", url, headers, body: body.to_string() }
}

/// The vectors of a successful response, one per text sent (`expected`),
/// in the order sent. OpenAI's entries are placed by their `index`. An
/// error names what is missing or malformed: a body that is not JSON, a
/// missing array, a count or index that does not match, a non-number, a
/// vector of another length than the first.
pub fn parse_embeddings(wire: EmbeddingsWire, body: &str, expected: usize) -> Result<Vec<Vec<f32>>, String> {
    let value: Value = serde_json::from_str(body).map_err(|e| format!("the embeddings answer is not JSON: {e}"))?;
    let vectors: Vec<Vec<f32>> = match wire {
        EmbeddingsWire::OpenAi => {
            let data = value.get("data").and_then(Value::as_array).ok_or("the embeddings answer has no `data` array")?;
            let mut slots: Vec<Option<Vec<f32>>> = vec![None; data.len()];
            for (position, entry) in data.iter().enumerate() {
                let index = entry.get("index").and_then(Value::as_u64).map_or(position, |i| i as usize);
                let slot = slots.get_mut(index).ok_or_else(|| format!("`data[{position}].index` is {index}, past the {} entries", data.len()))?;
                if slot.is_some() {
                    return Err(format!("`data[{position}].index` {index} appears twice"));
                }
                *slot = Some(numbers(entry.get("embedding"), &format!("data[{position}].embedding"))?);
            }
            slots.into_iter().map(|s| s.unwrap_or_default()).collect()
        }
        EmbeddingsWire::Ollama => {
            let list = value.get("embeddings").and_then(Value::as_array).ok_or("the embeddings answer has no `embeddings` array")?;
            list.iter().enumerate().map(|(i, v)| numbers(Some(v), &format!("embeddings[{i}]"))).collect::<Result<_, _>>()?
        }
        EmbeddingsWire::Gemini => {
            let list = value.get("embeddings").and_then(Value::as_array).ok_or("the embeddings answer has no `embeddings` array")?;
            list.iter().enumerate().map(|(i, e)| numbers(e.get("values"), &format!("embeddings[{i}].values"))).collect::<Result<_, _>>()?
        }
    };
    if vectors.len() != expected {
        return Err(format!("the embeddings answer has {} vectors for {expected} texts", vectors.len()));
    }
    if let Some(first) = vectors.first() {
        if let Some(i) = vectors.iter().position(|v| v.len() != first.len()) {
            return Err(format!("vector {i} has {} numbers, vector 0 has {}", vectors[i].len(), first.len()));
        }
        if first.is_empty() {
            return Err("the embeddings answer has empty vectors".into());
        }
    }
    Ok(vectors)
}

fn numbers(value: Option<&Value>, what: &str) -> Result<Vec<f32>, String> {
    let list = value.and_then(Value::as_array).ok_or_else(|| format!("`{what}` is not an array of numbers"))?;
    list.iter().map(|x| x.as_f64().map(|x| x as f32).ok_or_else(|| format!("`{what}` holds something other than a number"))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn openai_and_openrouter_use_the_embeddings_path_with_a_bearer_key() {
        let request = embeddings_request(&ProviderConfig::new(ProviderKind::OpenAi), Some(" sk-1\n"), "text-embedding-3-small", &texts(&["plot a csv", "chart my data"])).unwrap();
        assert_eq!(request.url, "https://api.openai.com/v1/embeddings");
        assert_eq!(request.header("authorization"), Some("Bearer sk-1"));
        let body: Value = serde_json::from_str(&request.body).unwrap();
        assert_eq!(body, json!({"model": "text-embedding-3-small", "input": ["plot a csv", "chart my data"], "encoding_format": "float"}));
        let router = ProviderConfig::new(ProviderKind::OpenRouter);
        assert_eq!(embeddings_request(&router, Some("k"), "m", &texts(&["a"])).unwrap().url, "https://openrouter.ai/api/v1/embeddings");
        assert_eq!(default_embeddings_model(&router), Some("openai/text-embedding-3-small"));
    }

    #[test]
    fn ollama_is_asked_natively_and_other_local_servers_in_openai_format() {
        let ollama = LOCAL_OLLAMA.config();
        assert_eq!(embeddings_wire(&ollama), Some(EmbeddingsWire::Ollama));
        let request = embeddings_request(&ollama, None, "nomic-embed-text", &texts(&["a"])).unwrap();
        assert_eq!(request.url, "http://localhost:11434/api/embed");
        assert_eq!(request.header("authorization"), None, "no key, no header");
        assert_eq!(serde_json::from_str::<Value>(&request.body).unwrap(), json!({"model": "nomic-embed-text", "input": ["a"]}));
        assert_eq!(default_embeddings_model(&ollama), Some("nomic-embed-text"));
        let studio = ProviderConfig { kind: ProviderKind::OpenAiCompatible, base_url: "http://localhost:1234/v1".into() };
        assert_eq!(embeddings_request(&studio, None, "m", &texts(&["a"])).unwrap().url, "http://localhost:1234/v1/embeddings");
        assert_eq!(default_embeddings_model(&studio), None);
    }

    const LOCAL_OLLAMA: crate::llm::LocalPreset = crate::llm::LOCAL_PRESETS[0];

    #[test]
    fn gemini_batches_one_request_per_text_under_the_model() {
        let request = embeddings_request(&ProviderConfig::new(ProviderKind::Gemini), Some("g"), "models/gemini-embedding-001", &texts(&["a", "b"])).unwrap();
        assert_eq!(request.url, "https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:batchEmbedContents");
        assert_eq!(request.header("x-goog-api-key"), Some("g"));
        let body: Value = serde_json::from_str(&request.body).unwrap();
        assert_eq!(body["requests"][1], json!({"model": "models/gemini-embedding-001", "content": {"parts": [{"text": "b"}]}}));
        assert_eq!(body["requests"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn anthropic_has_no_embeddings() {
        let config = ProviderConfig::new(ProviderKind::Anthropic);
        assert_eq!(embeddings_wire(&config), None);
        assert_eq!(default_embeddings_model(&config), None);
        assert!(embeddings_request(&config, Some("k"), "m", &texts(&["a"])).is_none());
    }

    #[test]
    fn answers_decode_in_the_order_sent() {
        let openai = r#"{"object":"list","data":[{"object":"embedding","index":1,"embedding":[0.5,-1]},{"object":"embedding","index":0,"embedding":[1,2e-3]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":4,"total_tokens":4}}"#;
        assert_eq!(parse_embeddings(EmbeddingsWire::OpenAi, openai, 2).unwrap(), vec![vec![1.0, 0.002], vec![0.5, -1.0]]);
        let ollama = r#"{"model":"nomic-embed-text","embeddings":[[0.1,0.2],[0.3,0.4]],"total_duration":1}"#;
        assert_eq!(parse_embeddings(EmbeddingsWire::Ollama, ollama, 2).unwrap()[1], vec![0.3, 0.4]);
        let gemini = r#"{"embeddings":[{"values":[1,0,0]}]}"#;
        assert_eq!(parse_embeddings(EmbeddingsWire::Gemini, gemini, 1).unwrap(), vec![vec![1.0, 0.0, 0.0]]);
    }

    #[test]
    fn malformed_answers_say_what_is_wrong() {
        let err = |wire, body: &str, n| parse_embeddings(wire, body, n).unwrap_err();
        assert!(err(EmbeddingsWire::OpenAi, "<html>", 1).contains("not JSON"));
        assert!(err(EmbeddingsWire::OpenAi, r#"{"error":{}}"#, 1).contains("no `data` array"));
        assert!(err(EmbeddingsWire::OpenAi, r#"{"data":[{"index":0,"embedding":[1]},{"index":0,"embedding":[1]}]}"#, 2).contains("appears twice"));
        assert!(err(EmbeddingsWire::OpenAi, r#"{"data":[{"index":5,"embedding":[1]}]}"#, 1).contains("past the 1 entries"));
        assert!(err(EmbeddingsWire::Ollama, r#"{"embeddings":[[1,"x"]]}"#, 1).contains("embeddings[0]"));
        assert!(err(EmbeddingsWire::Ollama, r#"{"embeddings":[[1,2],[1]]}"#, 2).contains("vector 1 has 1 numbers"));
        assert!(err(EmbeddingsWire::Gemini, r#"{"embeddings":[{"values":[1]}]}"#, 2).contains("1 vectors for 2 texts"));
        assert!(err(EmbeddingsWire::Gemini, r#"{"embeddings":[{"values":[]}]}"#, 1).contains("empty"));
    }
}
