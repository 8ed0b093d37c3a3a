//! `\(…\)` and `\[…\]`: TeX's own maths delimiters, which LLMs use as often
//! as dollars.
//!
//! CommonMark reads `\(` as an escaped `(`, so without this `\(a*b*c\)`
//! becomes `(a<em>b</em>c)` and `\\` row breaks lose a backslash. Neither
//! parser is asked to do it (pulldown-cmark cannot, and comrak's
//! `math_latex` rescans the rest of the block for every opener, which is
//! quadratic on a line of `\(`). Instead both renderers call [`find`] on
//! pulldown-cmark's events for the text, so the rule is written once:
//!
//! - An opener is a `\(` or `\[` that CommonMark reads as an escape (an odd
//!   run of backslashes), in text: never in code spans, code blocks, raw
//!   HTML, autolinks, link destinations or dollar maths.
//! - It is closed by the first `\)` (or `\]`) after it in the source, read
//!   raw as TeX reads it (so `\\)` closes, like MathJax and comrak do).
//! - Opener and closer must be in text of the same block and the same
//!   inline element (`*\(a* b\)` stays text), the closer must be in text,
//!   not in code, and there must be something between them; otherwise
//!   there is no maths and `\(` stays `(`.
//! - The TeX is the source between the delimiters, unchanged (emphasis
//!   marks, escapes and `\\` kept), less the container prefixes (`> `,
//!   list indentation) of its continuation lines.
//!
//! Work is linear in the text: closers are looked up by binary search, and
//! each event is looked at a bounded number of times.

use pulldown_cmark::Event;
use std::ops::Range;

/// A TeX maths span: events `events` (inclusive) of the list given to
/// [`find`] hold it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Span {
    /// First and last event (inclusive) that the maths covers.
    pub events: Range<usize>,
    /// `\[…\]` rather than `\(…\)`.
    pub display: bool,
    /// From the opener's backslash to just after the closer.
    pub source: Range<usize>,
    /// The TeX between the delimiters.
    pub tex: String,
    /// Text of the last event after the closer, kept as text.
    pub rest: String,
}

/// Whether `source` may hold TeX delimiters at all: the cheap test that
/// keeps [`find`] off the common path.
pub(super) fn may_contain(source: &str) -> bool {
    followed_by(source, '\\', b"([")
}

/// Whether `first` occurs in `text` followed by one of the bytes `next`.
/// (A search for one character uses `memchr`; `str::contains` with a
/// two-byte pattern is several times slower, which shows on every token.)
pub(super) fn followed_by(text: &str, first: char, next: &[u8]) -> bool {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(i) = text[from..].find(first) {
        from += i + first.len_utf8();
        if bytes.get(from).is_some_and(|b| next.contains(b)) {
            return true;
        }
    }
    false
}

/// The TeX maths spans in `events` (pulldown-cmark's events for `source`
/// with their offsets), in order. See the module docs for the rule.
pub(super) fn find(events: &[(Event, Range<usize>)], source: &str) -> Vec<Span> {
    let bytes = source.as_bytes();
    let closers = |closer: u8| -> Vec<usize> { (1..bytes.len()).filter(|&i| bytes[i] == closer && bytes[i - 1] == b'\\').map(|i| i - 1).collect() };
    let (parens, brackets) = (closers(b')'), closers(b']'));
    // The innermost element around each event: two events are in text of
    // the same block and inline element exactly when these are equal.
    let mut parent = Vec::with_capacity(events.len());
    let mut stack: Vec<usize> = Vec::new();
    for (i, (event, _)) in events.iter().enumerate() {
        if matches!(event, Event::End(_)) {
            stack.pop();
        }
        parent.push(stack.last().copied().unwrap_or(usize::MAX));
        if matches!(event, Event::Start(_)) {
            stack.push(i);
        }
    }
    let texts: Vec<usize> = (0..events.len()).filter(|&k| matches!(events[k].0, Event::Text(_))).collect();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let (Event::Text(_), range) = &events[i] else {
            i += 1;
            continue;
        };
        let at = range.start;
        let display = match bytes.get(at) {
            Some(b'(') => false,
            Some(b'[') => true,
            _ => {
                i += 1;
                continue;
            }
        };
        let backslashes = bytes[..at].iter().rev().take_while(|&&b| b == b'\\').count();
        if backslashes % 2 == 0 {
            i += 1;
            continue;
        }
        let candidates = if display { &brackets } else { &parens };
        let next = candidates.partition_point(|&c| c <= at);
        let found = candidates.get(next).and_then(|&close| closing_event(events, &texts, i, close + 1).map(|j| (close, j)));
        let Some((close, j)) = found.filter(|&(close, j)| parent[j] == parent[i] && close > at + 1) else {
            i += 1;
            continue;
        };
        let (_, last_range) = &events[j];
        let Event::Text(last_text) = &events[j].0 else { unreachable!("closing_event returns text events") };
        let rest = if last_range.start == close + 1 {
            last_text[1..].to_string()
        } else if last_text.as_ref() == &source[last_range.clone()] {
            source[close + 2..last_range.end].to_string()
        } else {
            i += 1;
            continue;
        };
        spans.push(Span { events: i..j, display, source: at - 1..close + 2, tex: tex_between(events, i, j, at + 1, close, source), rest });
        i = j + 1;
    }
    spans
}

/// The text event holding byte `at` (a closing `)` or `]`), at or after
/// event `from`; `None` when that byte is not in text. `texts` are the
/// indices of the text events, which are in source order.
fn closing_event(events: &[(Event, Range<usize>)], texts: &[usize], from: usize, at: usize) -> Option<usize> {
    let after = texts.partition_point(|&k| events[k].1.start <= at);
    let k = *texts[..after].last()?;
    (k >= from && at < events[k].1.end).then_some(k)
}

/// The source from `start` to `end`, less what lies between a line break
/// and the next event (container prefixes and indentation).
fn tex_between(events: &[(Event, Range<usize>)], first: usize, last: usize, start: usize, end: usize, source: &str) -> String {
    let mut tex = String::new();
    let mut at = start;
    for k in first + 1..last {
        if let (Event::SoftBreak | Event::HardBreak, range) = &events[k] {
            tex.push_str(&source[at..range.end]);
            at = events[k + 1].1.start;
        }
    }
    if at < end {
        tex.push_str(&source[at..end]);
    }
    tex
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::Parser;

    fn spans(source: &str) -> Vec<(bool, String, String)> {
        let events: Vec<_> = Parser::new_ext(source, super::super::html::options()).into_offset_iter().collect();
        find(&events, source).into_iter().map(|s| (s.display, s.tex, s.rest)).collect()
    }

    #[test]
    fn delimiters_and_tex_kept_raw() {
        assert_eq!(spans("a \\(E=mc^2\\) and \\(a*b*c\\)!"), [(false, "E=mc^2".into(), " and ".into()), (false, "a*b*c".into(), "!".into())]);
        assert_eq!(spans("\\[ a \\\\ b \\]"), [(true, " a \\\\ b ".into(), String::new())]);
        assert_eq!(spans("> \\[a \\\\\n> b\\]\n"), [(true, "a \\\\\nb".into(), String::new())], "container prefixes dropped");
        assert_eq!(spans("\\(\\{x\\}\\)"), [(false, "\\{x\\}".into(), String::new())]);
    }

    #[test]
    fn code_escapes_and_other_blocks_are_not_maths() {
        assert!(spans("`\\(x\\)` and\n\n```\n\\(x\\)\n```\n").is_empty());
        assert!(spans("\\\\(x\\\\)").is_empty(), "an escaped backslash is no opener");
        assert!(spans("\\(a\n\nb\\)").is_empty(), "two paragraphs");
        assert!(spans("*\\(a* b\\)").is_empty(), "crosses an inline element");
        assert!(spans("\\(a `b\\)` c\\)").is_empty(), "the first closer is in code");
        assert!(spans("\\(a").is_empty());
        assert!(spans("\\(\\) and \\[\\]").is_empty(), "empty");
        assert_eq!(spans("[\\(x\\)](/u)"), [(false, "x".into(), String::new())], "inside link text");
    }

    #[test]
    fn linear_on_many_openers() {
        let text = "\\(".repeat(100_000) + "\n\n\\)";
        let started = std::time::Instant::now();
        assert!(spans(&text).is_empty());
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    }
}
