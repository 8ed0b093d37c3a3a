//! Recorded streams of every provider, decoded whole, split at every byte
//! and one byte at a time: the same events each way.

use super::*;
use crate::llm::request::{Message, ToolCall};
use StreamEvent::*;

mod endings;
mod reasoning;
mod whole;

const ANTHROPIC: &[u8] = include_bytes!("../../../tests/fixtures/streams/anthropic.sse");
const ANTHROPIC_OVERLOADED: &[u8] = include_bytes!("../../../tests/fixtures/streams/anthropic-overloaded.sse");
const OPENAI: &[u8] = include_bytes!("../../../tests/fixtures/streams/openai.sse");
const OPENROUTER: &[u8] = include_bytes!("../../../tests/fixtures/streams/openrouter.sse");
const OPENROUTER_ERROR: &[u8] = include_bytes!("../../../tests/fixtures/streams/openrouter-error.sse");
const GEMINI: &[u8] = include_bytes!("../../../tests/fixtures/streams/gemini.sse");

pub(super) fn decode(kind: ProviderKind, chunks: &[&[u8]]) -> Vec<StreamEvent> {
    decode_as(kind, None, chunks)
}

/// Decoded as a response with `content_type`.
pub(super) fn decode_as(kind: ProviderKind, content_type: Option<&str>, chunks: &[&[u8]]) -> Vec<StreamEvent> {
    let mut decoder = StreamDecoder::for_response(kind, content_type);
    let mut events: Vec<StreamEvent> = chunks.iter().flat_map(|c| decoder.push(c)).collect();
    events.extend(decoder.finish());
    events
}

/// The stream as recorded, with LF, CRLF and CR line ends: each decoded
/// whole, split at every byte boundary, and one byte at a time.
pub(super) fn decode_every_way(kind: ProviderKind, recorded: &[u8]) -> Vec<StreamEvent> {
    decode_every_way_as(kind, None, recorded)
}

/// `decode_every_way` for a response with `content_type`.
pub(super) fn decode_every_way_as(kind: ProviderKind, content_type: Option<&str>, recorded: &[u8]) -> Vec<StreamEvent> {
    let lf = String::from_utf8(recorded.to_vec()).unwrap().replace("\r\n", "\n");
    let whole = decode_as(kind, content_type, &[recorded]);
    for stream in [lf.clone(), lf.replace('\n', "\r\n"), lf.replace('\n', "\r")] {
        let stream = stream.as_bytes();
        assert_eq!(decode_as(kind, content_type, &[stream]), whole, "line ends changed the events");
        for split in 0..=stream.len() {
            assert_eq!(decode_as(kind, content_type, &[&stream[..split], &stream[split..]]), whole, "split at byte {split}");
        }
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(decode_as(kind, content_type, &bytes), whole, "one byte at a time");
    }
    whole
}

pub(super) fn start(index: usize, id: &str, name: &str) -> StreamEvent {
    ToolCallStart { index, id: id.into(), name: name.into(), signature: None }
}

pub(super) fn delta(index: usize, fragment: &str) -> StreamEvent {
    ToolCallDelta { index, arguments_json_fragment: fragment.into() }
}

pub(super) fn usage(input: Option<u64>, output: Option<u64>) -> StreamEvent {
    Usage { input_tokens: input, output_tokens: output }
}

pub(super) fn finished(ending: Ending, reason: &str) -> StreamEvent {
    Finished { ending, reason: Some(reason.into()) }
}

pub(super) fn text(text: &str) -> StreamEvent {
    TextDelta(text.into())
}

pub(super) fn reply(events: &[StreamEvent]) -> Reply {
    let mut reply = Reply::default();
    events.iter().for_each(|e| reply.apply(e));
    reply
}

#[test]
fn anthropic_text_and_tool_use() {
    let events = decode_every_way(ProviderKind::Anthropic, ANTHROPIC);
    assert_eq!(
        events,
        [
            usage(Some(472), None),
            text("Café in 日本語"),
            text(" — let me check 🦀."),
            start(0, "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather"),
            delta(0, "{\"location\": \"Kyōto"),
            delta(0, "\"}"),
            usage(None, Some(89)),
            finished(Ending::ToolUse, "tool_use"),
        ]
    );
    let reply = reply(&events);
    assert_eq!(reply.text, "Café in 日本語 — let me check 🦀.");
    assert_eq!(reply.tool_calls[0].arguments, r#"{"location": "Kyōto"}"#);
    assert_eq!((reply.input_tokens, reply.output_tokens, reply.finished), (Some(472), Some(89), true));
}

#[test]
fn anthropic_error_mid_stream() {
    let events = decode_every_way(ProviderKind::Anthropic, ANTHROPIC_OVERLOADED);
    assert_eq!(events, [usage(Some(12), None), text("Here is"), Error { kind: StreamErrorKind::Overloaded, message: "Overloaded".into() }]);
    assert_eq!(reply(&events).text, "Here is", "the partial answer is kept");
}

#[test]
fn openai_text_parallel_tool_calls_and_usage() {
    let events = decode_every_way(ProviderKind::OpenAi, OPENAI);
    assert_eq!(
        events,
        [
            text("Voilà: "),
            text("日本語 🦀"),
            start(0, "call_DdmO9pD3xa9XTPNJ32zg2hcA", "get_weather"),
            delta(0, "{\"lo"),
            delta(0, "cation\": \"Paris\"}"),
            start(1, "call_8Tf5k1Rz2qUyX0sVb3nWcE7o", "get_time"),
            delta(1, "{\"zone\": \"CET\"}"),
            usage(Some(82), Some(37)),
            finished(Ending::ToolUse, "tool_calls"),
        ]
    );
    let message = reply(&events).to_message();
    let Message::Assistant { tool_calls, .. } = message else { panic!() };
    assert_eq!(tool_calls.iter().map(|c| c.arguments.as_str()).collect::<Vec<_>>(), [r#"{"location": "Paris"}"#, r#"{"zone": "CET"}"#]);
}

#[test]
fn openrouter_comments_and_usage_chunk() {
    let events = decode_every_way(ProviderKind::OpenRouter, OPENROUTER);
    assert_eq!(events, [text("Crème"), text(" brûlée, 日本語 and 🦀"), usage(Some(14), Some(12)), finished(Ending::Complete, "stop")]);
}

#[test]
fn openrouter_error_mid_stream() {
    let events = decode_every_way(ProviderKind::OpenRouter, OPENROUTER_ERROR);
    assert_eq!(events, [text("Partial"), Error { kind: StreamErrorKind::Provider, message: "Provider disconnected unexpectedly".into() }]);
}

#[test]
fn gemini_text_function_call_and_usage() {
    let events = decode_every_way(ProviderKind::Gemini, GEMINI);
    let signed = ToolCallStart { index: 0, id: "call_0".into(), name: "get_weather".into(), signature: Some("CiQBVKhc7oGzE5ZnPqRyTX4w".into()) };
    assert_eq!(events, [text("Bonjour, café"), text(" 日本語 🦀"), signed, delta(0, r#"{"location":"Kyōto"}"#), usage(Some(9), Some(52)), finished(Ending::ToolUse, "STOP")]);
    assert_eq!(reply(&events).to_message(), Message::Assistant {
        text: "Bonjour, café 日本語 🦀".into(),
        tool_calls: vec![ToolCall { id: "call_0".into(), name: "get_weather".into(), arguments: r#"{"location":"Kyōto"}"#.into(), signature: Some("CiQBVKhc7oGzE5ZnPqRyTX4w".into()) }],
    });
}

#[test]
fn gemini_errors_arrive_as_data() {
    let stream = b"data: {\"error\": {\"code\": 503, \"message\": \"The model is overloaded. Please try again later.\", \"status\": \"UNAVAILABLE\"}}\r\n\r\n";
    assert_eq!(decode(ProviderKind::Gemini, &[stream]), [Error { kind: StreamErrorKind::Overloaded, message: "The model is overloaded. Please try again later.".into() }]);
}

#[test]
fn a_dropped_connection_is_interrupted_not_finished() {
    for (kind, recorded) in [(ProviderKind::Anthropic, ANTHROPIC), (ProviderKind::OpenAi, OPENAI), (ProviderKind::Gemini, GEMINI)] {
        let cut = &recorded[..recorded.len() / 2];
        let events = decode(kind, &[cut]);
        assert!(matches!(events.last(), Some(Error { kind: StreamErrorKind::Interrupted, .. })), "{kind:?}: {events:?}");
        assert!(!events[..events.len() - 1].iter().any(|e| matches!(e, Finished { .. } | Error { .. })), "{kind:?}: one terminal event");
    }
    assert!(matches!(decode(ProviderKind::OpenAi, &[]).as_slice(), [Error { kind: StreamErrorKind::Interrupted, .. }]));
}

#[test]
fn a_finish_reason_without_the_end_marker_is_enough() {
    let stream = b"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}\n\n";
    assert_eq!(decode(ProviderKind::OpenAiCompatible, &[stream]), [text("hi"), finished(Ending::Complete, "stop")]);
}

#[test]
fn malformed_data_is_reported_and_skipped() {
    let stream = b"data: {\"choices\": [oops\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}\n\ndata: [DONE]\n\n";
    let events = decode(ProviderKind::OpenAi, &[stream]);
    assert!(matches!(&events[0], Error { kind: StreamErrorKind::Malformed, message } if message.contains("[oops")));
    assert_eq!(events[1..], [text("ok"), Finished { ending: Ending::Complete, reason: None }]);
    assert!(reply(&events).error.is_none(), "a malformed line is not the end");
}

#[test]
fn unknown_events_are_ignored_and_thinking_is_reasoning() {
    let stream = b"event: brand_new\ndata: {\"type\": \"brand_new\", \"x\": 1}\n\nevent: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"hmm\"}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    assert_eq!(decode(ProviderKind::Anthropic, &[stream]), [ReasoningDelta("hmm".into()), Finished { ending: Ending::Complete, reason: None }]);
}

#[test]
fn local_servers_without_tool_indexes() {
    let stream = concat!(
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"id\":\"a\",\"function\":{\"name\":\"one\",\"arguments\":\"{}\"}}]}}]}\n\n",
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"id\":\"b\",\"function\":{\"name\":\"two\",\"arguments\":\"{\\\"x\\\"\"}}]}}]}\n\n",
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\":1}\"}}]},\"finish_reason\":\"tool_calls\"}]}\n\n",
        "data: [DONE]\n\n",
    );
    let events = decode(ProviderKind::OpenAiCompatible, &[stream.as_bytes()]);
    assert_eq!(events, [start(0, "a", "one"), delta(0, "{}"), start(1, "b", "two"), delta(1, "{\"x\""), delta(1, ":1}"), finished(Ending::ToolUse, "tool_calls")]);
}

#[test]
fn nothing_follows_the_terminal_event() {
    let mut decoder = StreamDecoder::new(ProviderKind::OpenAi);
    assert_eq!(decoder.push(b"data: [DONE]\n\n"), [Finished { ending: Ending::Complete, reason: None }]);
    assert_eq!(decoder.push(b"data: {\"choices\":[{\"delta\":{\"content\":\"late\"}}]}\n\n"), []);
    assert_eq!(decoder.finish(), []);
}
