use super::*;

/// Each provider's embeddings request, as the evolution page sends it.
fn embed(standin: &ProviderStandIn, kind: ProviderKind, wire: EmbeddingsWire, model: &str, texts: &[&str]) -> HttpRequest {
    let texts: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
    embeddings_request_as(wire, &standin.config(kind), standin.key(kind).as_deref(), model, &texts)
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn embeddings_come_back_in_each_providers_shape() {
    let standin = standin();
    let goals = ["Plot monthly sales from my CSV as a bar chart", "bar chart of the monthly sales in this CSV please", "Translate this letter into German"];
    let cases = [
        (ProviderKind::OpenAi, EmbeddingsWire::OpenAi),
        (ProviderKind::OpenRouter, EmbeddingsWire::OpenAi),
        (ProviderKind::Gemini, EmbeddingsWire::Gemini),
        (ProviderKind::OpenAiCompatible, EmbeddingsWire::Ollama),
    ];
    for (kind, wire) in cases {
        let config = standin.config(kind);
        let model = default_embeddings_model(&config).unwrap_or("nomic-embed-text");
        let request = embed(&standin, kind, wire, model, &goals);
        // The browser asks first: the preflight allows the request's headers.
        let mut asked: Vec<&str> = request.headers.iter().map(|(n, _)| n.as_str()).collect();
        asked.sort();
        let preflight = raw("OPTIONS", &request.url, &[("origin", PAGE), ("access-control-request-method", "POST"), ("access-control-request-headers", &asked.join(","))], "");
        assert!((200..300).contains(&preflight.status), "{kind:?}");
        assert!(preflight.header("access-control-allow-origin").is_some(), "{kind:?}");
        let response = fetch(&request);
        assert_eq!(response.status, 200, "{kind:?}: {}", response.body());
        assert!(response.header("access-control-allow-origin").is_some(), "{kind:?}");
        let vectors = parse_embeddings(wire, &response.body(), goals.len()).unwrap();
        for (vector, goal) in vectors.iter().zip(goals) {
            assert_eq!(vector, &standin_vector(goal), "{kind:?}: the deterministic vector");
            assert!((cosine(vector, vector) - 1.0).abs() < 1e-4, "{kind:?}: unit length");
        }
        assert!(cosine(&vectors[0], &vectors[1]) > 0.85, "{kind:?}: paraphrases land close: {}", cosine(&vectors[0], &vectors[1]));
        assert!((cosine(&vectors[0], &vectors[2]) - SHARED).abs() < 0.1, "{kind:?}: different tasks do not");
    }
    let recorded: Vec<String> = standin.requests().into_iter().filter(|r| r.method == "POST").map(|r| r.path).collect();
    let port = standin.port();
    assert_eq!(recorded, ["/openai/v1/embeddings", "/openrouter/api/v1/embeddings", "/gemini/v1beta/models/gemini-embedding-001:batchEmbedContents", OLLAMA_EMBED_PATH], "port {port}");
    // OpenAI-compatible servers other than Ollama get OpenAI's format.
    let compat = embed(&standin, ProviderKind::OpenAiCompatible, EmbeddingsWire::OpenAi, "nomic-embed-text", &goals[..1]);
    assert_eq!(parse_embeddings(EmbeddingsWire::OpenAi, &fetch(&compat).body(), 1).unwrap()[0], standin_vector(goals[0]));
    assert!(embeddings_request(&standin.config(ProviderKind::Anthropic), Some("k"), "m", &[]).is_none(), "Anthropic has no embeddings");
}

#[test]
fn embeddings_refuse_bad_keys_and_unknown_models() {
    let standin = standin();
    let texts = vec!["hello".to_string()];
    let wrong = embeddings_request(&standin.config(ProviderKind::OpenAi), Some("sk-nope"), "text-embedding-3-small", &texts).unwrap();
    let response = fetch(&wrong);
    assert_eq!(response.status, 401);
    assert!(response.header("access-control-allow-origin").is_some(), "errors carry CORS too, so the page can read them");
    let error = describe_http_error(ProviderKind::OpenAi, 401, None, &response.body());
    assert!(error.title.to_lowercase().contains("key"), "{error:?}");
    let gemini = embeddings_request(&standin.config(ProviderKind::Gemini), Some("nope"), "gemini-embedding-001", &texts).unwrap();
    assert_eq!(fetch(&gemini).status, 400, "Gemini says API_KEY_INVALID with a 400");

    let unknown = embeddings_request(&standin.config(ProviderKind::OpenAi), standin.key(ProviderKind::OpenAi).as_deref(), "gpt-4o-mini", &texts).unwrap();
    let response = fetch(&unknown);
    assert_eq!(response.status, 404);
    assert!(response.body().contains("gpt-4o-mini"));
    let mismatched = r#"{"requests":[{"model":"models/other","content":{"parts":[{"text":"a"}]}}]}"#;
    let url = format!("{}/v1beta/models/gemini-embedding-001:batchEmbedContents", standin.base_url(ProviderKind::Gemini));
    let key = standin.key(ProviderKind::Gemini).unwrap();
    let response = raw("POST", &url, &[("content-type", "application/json"), ("x-goog-api-key", &key)], mismatched);
    assert_eq!(response.status, 400, "{}", response.body());
}

/// The browser test's 15 chats (3 paraphrase groups of 4, then 3 unrelated
/// goals), embedded by the stand-in, make exactly its 3 patterns on the
/// core's semantic path with its default thresholds.
#[test]
fn the_standins_vectors_of_the_acceptance_chats_make_three_patterns() {
    use llmos_core::evolution::{find_patterns_semantic, Options, TraceInput};
    let goals: Vec<&str> = include_str!("../fixtures/evolution/acceptance-chats.txt").lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).collect();
    let traces: Vec<TraceInput> = goals.iter().enumerate().map(|(i, g)| TraceInput::goal(i.to_string(), *g)).collect();
    let vectors: Vec<Vec<f32>> = goals.iter().map(|g| standin_vector(g)).collect();
    let found = find_patterns_semantic(&traces, &vectors, &[], &Options::default());
    let groups: Vec<Vec<usize>> = found.patterns.iter().map(|p| p.trace_ids.iter().map(|id| id.parse().unwrap()).collect()).collect();
    assert_eq!(groups.len(), 3, "{groups:?} from {:?}", found.labels);
    for group in groups {
        assert_eq!(group.len(), 4, "{group:?}");
        assert!(group.iter().all(|&i| i / 4 == group[0] / 4 && i < 12), "{group:?}");
    }
}
