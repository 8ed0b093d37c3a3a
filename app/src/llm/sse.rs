//! Server-sent events, parsed as the WHATWG HTML standard's EventSource
//! does, from byte chunks cut anywhere.
//!
//! `fetch` hands over the body in chunks that split lines, CRLF pairs and
//! multi-byte UTF-8 characters at arbitrary points. So bytes are buffered
//! until a line is complete, and only whole lines are decoded: CR and LF
//! never occur inside a UTF-8 sequence, so a line never splits a character.
//!
//! One deliberate difference from the standard: at the end of the stream,
//! an event whose lines are all complete but lacks the final blank line is
//! still dispatched (some servers close right after their last `data:`
//! line). An unterminated last line is dropped: it cannot be told apart
//! from a cut connection.

const BOM: &[u8] = b"\xEF\xBB\xBF";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field; `None` for the default type ("message").
    pub event: Option<String>,
    /// The `data:` lines, joined with `\n`.
    pub data: String,
}

#[derive(Debug, Default)]
pub struct SseDecoder {
    /// The bytes of the line being read.
    line: Vec<u8>,
    /// The last line ended with CR: an LF right after it is part of that
    /// line end, even when it arrives in the next chunk.
    after_cr: bool,
    /// Whether a line was completed yet: only the first may start with a BOM.
    seen_line: bool,
    event_type: String,
    /// Data lines, each followed by `\n`, as the standard builds it.
    data: String,
}

impl SseDecoder {
    pub fn new() -> SseDecoder {
        SseDecoder::default()
    }

    /// The events completed by `bytes`.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        let mut events = Vec::new();
        let mut rest = bytes;
        while !rest.is_empty() {
            if std::mem::take(&mut self.after_cr) && rest[0] == b'\n' {
                rest = &rest[1..];
                continue;
            }
            match rest.iter().position(|&b| b == b'\n' || b == b'\r') {
                Some(end) => {
                    self.line.extend_from_slice(&rest[..end]);
                    self.after_cr = rest[end] == b'\r';
                    rest = &rest[end + 1..];
                    self.end_line(&mut events);
                }
                None => {
                    self.line.extend_from_slice(rest);
                    break;
                }
            }
        }
        events
    }

    /// The stream has ended: the last event, if it was complete but for
    /// its closing blank line.
    pub fn finish(&mut self) -> Vec<SseEvent> {
        self.line.clear();
        self.after_cr = false;
        let mut events = Vec::new();
        self.dispatch(&mut events);
        events
    }

    fn end_line(&mut self, events: &mut Vec<SseEvent>) {
        let line = std::mem::take(&mut self.line);
        let mut bytes = line.as_slice();
        if !std::mem::replace(&mut self.seen_line, true) {
            bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
        }
        self.interpret(&String::from_utf8_lossy(bytes), events);
        self.line = line;
        self.line.clear();
    }

    fn interpret(&mut self, line: &str, events: &mut Vec<SseEvent>) {
        if line.is_empty() {
            return self.dispatch(events);
        }
        if line.starts_with(':') {
            return; // A comment, e.g. OpenRouter's `: OPENROUTER PROCESSING`.
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => self.event_type = value.to_string(),
            "data" => {
                self.data.push_str(value);
                self.data.push('\n');
            }
            _ => {} // `id`, `retry` and unknown fields mean nothing to a fetch stream.
        }
    }

    fn dispatch(&mut self, events: &mut Vec<SseEvent>) {
        let event_type = std::mem::take(&mut self.event_type);
        if self.data.is_empty() {
            return;
        }
        let mut data = std::mem::take(&mut self.data);
        data.pop();
        events.push(SseEvent { event: (!event_type.is_empty()).then_some(event_type), data });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(event: Option<&str>, data: &str) -> SseEvent {
        SseEvent { event: event.map(Into::into), data: data.into() }
    }

    fn decode_chunks(chunks: &[&[u8]]) -> Vec<SseEvent> {
        let mut decoder = SseDecoder::new();
        let mut events: Vec<SseEvent> = chunks.iter().flat_map(|c| decoder.push(c)).collect();
        events.extend(decoder.finish());
        events
    }

    /// Decoding `stream` whole, split at each byte boundary, and one byte at
    /// a time gives the same events.
    fn decode_every_way(stream: &[u8]) -> Vec<SseEvent> {
        let whole = decode_chunks(&[stream]);
        for split in 0..=stream.len() {
            assert_eq!(decode_chunks(&[&stream[..split], &stream[split..]]), whole, "split at byte {split}");
        }
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(decode_chunks(&bytes), whole, "one byte at a time");
        whole
    }

    #[test]
    fn fields_comments_and_multi_line_data() {
        let stream = b": a comment\nevent: update\ndata: first\ndata:second\ndata:  two spaces\nid: 7\nretry: 10\n\ndata\n\n";
        assert_eq!(decode_every_way(stream), [event(Some("update"), "first\nsecond\n two spaces"), event(None, "")]);
    }

    #[test]
    fn every_line_ending_works_including_a_cr_lf_pair_cut_in_two() {
        let expected = [event(Some("a"), "1"), event(None, "2")];
        for stream in ["event: a\ndata: 1\n\ndata: 2\n\n", "event: a\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n", "event: a\rdata: 1\r\rdata: 2\r\r", "event: a\rdata: 1\n\r\ndata: 2\r\n\n"] {
            assert_eq!(decode_every_way(stream.as_bytes()), expected, "{stream:?}");
        }
        // `\r` ends a line; the `\n` in the next chunk must not end another.
        assert_eq!(decode_chunks(&[b"data: x\r", b"\ndata: y\r", b"\n\r", b"\n"]), [event(None, "x\ny")]);
    }

    #[test]
    fn characters_split_across_chunks_survive() {
        let stream = "data: é 日本語 🦀\n\n".as_bytes();
        assert_eq!(decode_every_way(stream), [event(None, "é 日本語 🦀")]);
    }

    #[test]
    fn a_bom_is_ignored_only_at_the_very_start() {
        let stream = b"\xEF\xBB\xBFdata: a\n\n\xEF\xBB\xBFdata: b\n\n";
        assert_eq!(decode_every_way(stream), [event(None, "a")], "a BOM later makes an unknown field");
        assert_eq!(decode_every_way(b"\xEF\xBB\xBF\n\ndata: c\n\n"), [event(None, "c")]);
    }

    #[test]
    fn the_event_type_does_not_outlive_its_event() {
        assert_eq!(decode_every_way(b"event: ping\n\ndata: x\n\n"), [event(None, "x")]);
    }

    #[test]
    fn the_end_of_the_stream_keeps_complete_lines_only() {
        assert_eq!(decode_chunks(&[b"data: done\n"]), [event(None, "done")]);
        assert_eq!(decode_chunks(&[b"data: done\ndata: {\"cut"]), [event(None, "done")]);
        assert_eq!(decode_chunks(&[b"data: {\"cut"]), []);
    }

    #[test]
    fn invalid_utf8_is_replaced_not_fatal() {
        assert_eq!(decode_every_way(b"data: \xFF ok\n\n"), [event(None, "\u{FFFD} ok")]);
    }
}
