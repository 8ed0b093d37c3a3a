//! Reasoning, in a provider's own field or as `<think>…</think>` at the
//! start of the text, arrives apart from the answer and stays out of the
//! conversation sent back.

use super::*;

fn reasoning(text: &str) -> StreamEvent {
    ReasoningDelta(text.into())
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/streams/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn think_tags_at_the_start_are_reasoning_even_split_inside_a_tag() {
    // Ollama (deepseek-r1), its `<` escaped as \u003c, `</think>` cut across two deltas.
    let events = decode_every_way(ProviderKind::OpenAiCompatible, &fixture("ollama-think.sse"));
    assert_eq!(
        events,
        [reasoning("\nThe user asks for"), reasoning(" the capital of France. Café…"), reasoning("\n"), text("The capital"), text(" is **Paris**."), finished(Ending::Complete, "stop")]
    );
    let reply = reply(&events);
    assert_eq!(reply.text, "The capital is **Paris**.");
    assert_eq!(reply.to_message(), Message::assistant("The capital is **Paris**."), "the reasoning is never sent back");
}

#[test]
fn an_open_think_block_is_reasoning_while_it_streams_and_after() {
    let chunk = |content: &str| format!("data: {}\n\n", serde_json::json!({"choices": [{"index": 0, "delta": {"content": content}}]}));
    let mut decoder = StreamDecoder::new(ProviderKind::OpenAiCompatible);
    assert_eq!(decoder.push(chunk("  <thi").as_bytes()), [], "held until it is clear");
    assert_eq!(decoder.push(chunk("nk>Step one").as_bytes()), [reasoning("Step one")]);
    assert_eq!(decoder.push(chunk(", step two </").as_bytes()), [reasoning(", step two ")], "a possible closing tag is held back");
    assert_eq!(decoder.push(chunk("and three").as_bytes()), [reasoning("</and three")]);
    // Cut at the output limit while still thinking: all of it is reasoning.
    assert_eq!(decoder.push(b"data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\ndata: [DONE]\n\n"), [finished(Ending::OutputLimit, "length")]);

    let plain = decode(ProviderKind::OpenAiCompatible, &[chunk("<b>not thinking</b> ").as_bytes(), chunk("<think>later</think>").as_bytes()]);
    assert_eq!(reply(&plain).text, "<b>not thinking</b> <think>later</think>", "only a block at the very start is reasoning");
    assert_eq!(split_think("\n<think>why</think>\n\nBecause."), ("why".to_string(), "Because.".to_string()));
    assert_eq!(split_think("No thinking."), (String::new(), "No thinking.".to_string()));
}

#[test]
fn reasoning_fields_of_every_provider_are_reasoning() {
    let deepseek = decode_every_way(ProviderKind::OpenAiCompatible, &fixture("deepseek-reasoning.sse"));
    assert_eq!(deepseek, [reasoning("Okay, 2+2"), reasoning(" is 4."), text("4"), usage(Some(10), Some(20)), finished(Ending::Complete, "stop")]);
    let openrouter = reply(&decode_every_way(ProviderKind::OpenRouter, &fixture("openrouter-reasoning.sse")));
    assert_eq!((openrouter.reasoning.as_str(), openrouter.text.as_str()), ("Counting: two and two.", "Four."));
    let anthropic = reply(&decode_every_way(ProviderKind::Anthropic, &fixture("anthropic-thinking.sse")));
    assert_eq!((anthropic.reasoning.as_str(), anthropic.text.as_str(), anthropic.ending), ("The user wants 2+2. That is 4 — sûr.", "2 + 2 = 4.", Some(Ending::Complete)));
    let gemini = reply(&decode_every_way(ProviderKind::Gemini, &fixture("gemini-thought.sse")));
    assert_eq!((gemini.reasoning.as_str(), gemini.text.as_str()), ("**Adding numbers**\n\nTwo plus two…", "2 + 2 = 4."));
    for reply in [openrouter, anthropic, gemini] {
        let Message::Assistant { text, .. } = reply.to_message() else { panic!() };
        assert!(!text.is_empty() && !reply.reasoning.contains(&text), "the message carries the answer only");
    }
}
