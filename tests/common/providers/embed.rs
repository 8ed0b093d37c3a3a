//! The stand-in's embeddings endpoints: OpenAI's `/embeddings` (also
//! OpenRouter's and OpenAI-compatible servers'), Ollama's `/api/embed` and
//! Gemini's `batchEmbedContents`, answering in each one's documented shape
//! (see `llmos_core::llm::embeddings`) with deterministic vectors.

use super::http::Request;
use llmos_core::evolution::normalise_goal;
use llmos_core::llm::ProviderKind;
use serde_json::{json, Value};

/// The path of Ollama's native endpoint, beside the compat server's `/compat/v1`.
pub const OLLAMA_EMBED_PATH: &str = "/compat/api/embed";

/// Length of the stand-in's vectors.
pub const DIMENSIONS: usize = 256;

/// The embedding models each kind knows (the core's defaults among them);
/// any other is refused as the real services refuse an unknown model.
pub fn embedding_models(kind: ProviderKind) -> &'static [&'static str] {
    match kind {
        ProviderKind::Anthropic => &[],
        ProviderKind::OpenAi => &["text-embedding-3-small", "text-embedding-3-large"],
        ProviderKind::OpenRouter => &["openai/text-embedding-3-small"],
        ProviderKind::Gemini => &["gemini-embedding-001", "text-embedding-004"],
        ProviderKind::OpenAiCompatible => &["nomic-embed-text"],
    }
}

/// How much of every vector is one shared direction. Real sentence
/// embeddings sit in a narrow cone (Ethayarajh, "How contextual are
/// contextualized word representations?", EMNLP 2019): unrelated texts
/// have cosines well above 0 and paraphrases 0.8 and more, which is what
/// the core's `SEMANTIC` thresholds expect. With this share the cosine of
/// two stand-in vectors is `SHARED + (1 − SHARED) · cos(bags)`.
pub const SHARED: f32 = 0.5;

/// The stand-in's vector of `text`: a signed hashed bag of its normalised,
/// stemmed goal terms (FNV-1a into `DIMENSIONS - 1` buckets), L2-normalised,
/// scaled by `√(1 − SHARED)`, with `√SHARED` in the last dimension (see
/// `SHARED`), so paraphrases sharing most terms land close (0.8 and more)
/// and unrelated goals at `SHARED`. A text without terms puts its bag in
/// a fixed bucket, as a real model never answers zeros.
pub fn standin_vector(text: &str) -> Vec<f32> {
    let buckets = DIMENSIONS - 1;
    let mut vector = vec![0f32; DIMENSIONS];
    for term in normalise_goal(text).terms {
        let hash = term.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3));
        let sign = if hash >> 63 == 0 { 1.0 } else { -1.0 };
        vector[(hash % buckets as u64) as usize] += sign;
    }
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm == 0.0 {
        vector[0] = 1.0;
    }
    let scale = if norm == 0.0 { 1.0 } else { 1.0 / norm } * (1.0 - SHARED).sqrt();
    vector.iter_mut().for_each(|x| *x *= scale);
    vector[buckets] = SHARED.sqrt();
    vector
}

/// The answer to an embeddings request, or the status and message of its refusal.
pub(super) fn answer(kind: ProviderKind, ollama: bool, request: &Request) -> Result<Value, (u16, String)> {
    let body: Value = serde_json::from_str(&request.body).map_err(|e| (400, format!("Invalid JSON payload received: {e}")))?;
    let (model, texts) = if kind == ProviderKind::Gemini {
        let model = request.path.rsplit_once("/models/").map_or("", |(_, m)| m).trim_end_matches(":batchEmbedContents").to_string();
        let requests = body["requests"].as_array().ok_or((400, "Invalid JSON payload received. Unknown name \"requests\": required".to_string()))?;
        if requests.len() > 100 {
            return Err((400, "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch".into()));
        }
        let mut texts = Vec::new();
        for (i, entry) in requests.iter().enumerate() {
            if entry["model"].as_str() != Some(format!("models/{model}").as_str()) {
                return Err((400, format!("* BatchEmbedContentsRequest.requests[{i}].model: the model of each request must be the model in the URL, models/{model}")));
            }
            let text: String = entry["content"]["parts"].as_array().into_iter().flatten().filter_map(|p| p["text"].as_str()).collect::<Vec<_>>().join(" ");
            texts.push(text);
        }
        (model, texts)
    } else {
        let model = body["model"].as_str().unwrap_or("").to_string();
        let texts: Vec<String> = match &body["input"] {
            Value::String(text) => vec![text.clone()],
            Value::Array(list) if list.iter().all(Value::is_string) => list.iter().map(|t| t.as_str().unwrap().to_string()).collect(),
            _ => return Err((400, "'input' must be a string or an array of strings".into())),
        };
        if texts.len() > 2048 || texts.iter().any(String::is_empty) {
            return Err((400, "'input' must hold 1 to 2048 non-empty strings".into()));
        }
        (model, texts)
    };
    if !embedding_models(kind).contains(&model.as_str()) {
        return Err(match kind {
            ProviderKind::Gemini => (404, format!("models/{model} is not found for API version v1beta, or is not supported for embedContent.")),
            _ if ollama => (404, format!("model \"{model}\" not found, try pulling it first")),
            _ => (404, format!("The model `{model}` does not exist or you do not have access to it.")),
        });
    }
    let vectors: Vec<Vec<f32>> = texts.iter().map(|t| standin_vector(t)).collect();
    let tokens: usize = texts.iter().map(|t| t.split_whitespace().count()).sum();
    Ok(if kind == ProviderKind::Gemini {
        json!({"embeddings": vectors.iter().map(|v| json!({"values": v})).collect::<Vec<_>>()})
    } else if ollama {
        json!({"model": model, "embeddings": vectors, "total_duration": 14_143_917, "load_duration": 1_019_500, "prompt_eval_count": tokens})
    } else {
        json!({
            "object": "list",
            "data": vectors.iter().enumerate().map(|(i, v)| json!({"object": "embedding", "index": i, "embedding": v})).collect::<Vec<_>>(),
            "model": model,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        })
    })
}
