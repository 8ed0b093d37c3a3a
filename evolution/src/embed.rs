//! Grouping by meaning, only when the user turned it on: each trace's goal
//! is embedded once by the provider set in the chat (with the key saved
//! there, sent only to the origin it is bound to), and the vector is kept
//! in this browser's store, keyed by the model and the trace's id, so a
//! goal is never sent twice for one model. The core's wire code
//! (`llmos_core::llm::embeddings`) builds the requests and reads the answers.

use llmos_core::llm::{default_embeddings_model, embeddings_request, embeddings_wire, parse_embeddings, ProviderConfig, EMBEDDINGS_MAX_BATCH};
use llmos_islands::browser::{record_from_js, record_to_js};
use llmos_islands::provider::stream;
use llmos_islands::records::Trace;
use llmos_islands::store::schema::META;
use serde::{Deserialize, Serialize};

/// What the evolution page may offer: the chat's provider, when it has an
/// embeddings endpoint, and its default model (empty: the user names one).
#[derive(Clone, PartialEq, Debug)]
pub struct Offer {
    pub provider: String,
    pub default_model: String,
}

/// The offer for the chat's provider, or why there is none (no provider
/// set up, or one without embeddings, as Anthropic).
pub async fn offer() -> Result<Offer, String> {
    let settings = crate::synth::settings().await.map_err(|_| "Grouping by meaning needs a provider: choose one and save its key in the Chat page first.".to_string())?;
    let config = settings.config();
    match embeddings_wire(&config) {
        Some(_) => Ok(Offer { provider: config.kind.display_name().to_string(), default_model: default_embeddings_model(&config).unwrap_or_default().to_string() }),
        None => Err(format!("{} has no embeddings endpoint, so grouping by meaning needs another provider (OpenAI, Gemini, OpenRouter or a local server such as Ollama).", config.kind.display_name())),
    }
}

/// One cached vector in `meta`.
#[derive(Serialize, Deserialize)]
struct Cached {
    key: String,
    vector: Vec<f32>,
}

/// The cache key of `trace`'s goal embedded by `model`. Trace ids hold no
/// `:` (they are generated), so the id is what follows the last one.
pub fn cache_key(model: &str, trace: &str) -> String {
    format!("embedding:{model}:{trace}")
}

/// The embeddings of `traces`' goals (same order) by `model` (empty: the
/// provider's default), from the cache where there, else asked for in
/// batches of `EMBEDDINGS_MAX_BATCH` and cached. Fails with what the user
/// can act on (no model, no key, the provider's refusal); nothing is cached then.
pub async fn embeddings(traces: &[Trace], model: &str) -> Result<Vec<Vec<f32>>, String> {
    let settings = crate::synth::settings().await?;
    let config: ProviderConfig = settings.config();
    let wire = embeddings_wire(&config).ok_or_else(|| format!("{} has no embeddings endpoint.", config.kind.display_name()))?;
    let model = match model.trim() {
        "" => default_embeddings_model(&config).ok_or("Name the embeddings model your server serves (e.g. nomic-embed-text).")?.to_string(),
        named => named.to_string(),
    };
    let store = llmos_islands::store::shared().await.map_err(|e| e.message)?;
    // One read of `meta`: the cache, and the vectors of traces deleted since,
    // which go too. Sorted vectors, not hash maps: less code in the bundle.
    let mut live: Vec<&str> = traces.iter().map(|t| t.id.as_str()).collect();
    live.sort_unstable();
    let mut cached: Vec<(String, Vec<f32>)> = Vec::new();
    let mut stale = Vec::new();
    for record in store.records(META).await.map_err(|e| e.message)? {
        let Some(entry) = record_from_js::<Cached>(&record) else { continue };
        let Some(rest) = entry.key.strip_prefix("embedding:") else { continue };
        match rest.rsplit_once(':') {
            Some((_, trace)) if live.binary_search(&trace).is_err() => stale.push(entry.key),
            _ => cached.push((entry.key, entry.vector)),
        }
    }
    if !stale.is_empty() {
        let _ = store.delete_records(META, &stale).await;
    }
    cached.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut vectors: Vec<Option<Vec<f32>>> = traces
        .iter()
        .map(|t| cached.binary_search_by(|c| c.0.as_str().cmp(cache_key(&model, &t.id).as_str())).ok().map(|i| std::mem::take(&mut cached[i].1)).filter(|v| !v.is_empty()))
        .collect();
    let missing: Vec<usize> = (0..traces.len()).filter(|&i| vectors[i].is_none()).collect();
    if !missing.is_empty() {
        let key = crate::synth::key_for(&config).await?;
        let signal = web_sys::AbortController::new().map_err(llmos_islands::browser::js_error)?.signal();
        for batch in missing.chunks(EMBEDDINGS_MAX_BATCH) {
            let texts: Vec<String> = batch.iter().map(|&i| traces[i].goal.clone()).collect();
            let request = embeddings_request(&config, key.as_deref(), &model, &texts).ok_or("no embeddings endpoint")?;
            let response = match stream::send(&config, &request, &signal, stream::describe_chat).await {
                Ok(response) => response,
                Err(stream::Failure::Error(error)) => return Err(format!("{} {}", error.title, error.advice)),
                Err(stream::Failure::Stopped) => return Err("Stopped.".into()),
            };
            let got = parse_embeddings(wire, &stream::text(&response).await, texts.len()).map_err(|e| format!("{}'s embeddings could not be read: {e}.", config.kind.display_name()))?;
            let records: Vec<_> = batch.iter().zip(&got).map(|(&i, v)| record_to_js(&Cached { key: cache_key(&model, &traces[i].id), vector: v.clone() })).collect();
            store.put_records(META, &records).await.map_err(|e| e.message)?;
            for (&i, vector) in batch.iter().zip(got) {
                vectors[i] = Some(vector);
            }
        }
    }
    Ok(vectors.into_iter().map(Option::unwrap_or_default).collect())
}
