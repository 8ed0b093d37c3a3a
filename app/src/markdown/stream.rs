//! Rendering a chat answer while it streams in, token by token.
//!
//! Re-rendering the whole answer for every token costs more per token the
//! longer the answer gets. Instead the answer is cut into top-level blocks;
//! a block whose HTML can no longer change is *frozen*: rendered once,
//! handed to the UI to append, and never looked at again. Only the *tail*
//! is rendered per token, so the cost of a token follows the size of the
//! block being written, not of the answer.
//!
//! # When a block is frozen
//!
//! A top-level block is frozen when both hold:
//!
//! 1. **It is closed.** The parser, run over the open part's complete
//!    lines (a partial last line could still become anything: `-` a list,
//!    `1` an ordered list, spaces a continuation), has started another
//!    top-level block after it, *after a blank line*. CommonMark never
//!    reopens a closed block, and a block's inlines depend on its own text
//!    only, so this covers what can change a block from below: `===`/`---`
//!    turning a paragraph into a heading and a delimiter row turning it into
//!    a table (same block until something else starts), lists and quotes
//!    continuing after blank lines or lazily, fenced code running until its
//!    closing fence, HTML blocks until their end condition. The blank line
//!    is for link reference definitions: they make no events, and the lines
//!    right after one may still be its title, or turn out to be a paragraph
//!    that makes more definitions. Blocks with no blank line between them
//!    (a heading and its paragraph) freeze together.
//! 2. **No later text can resolve it.** A reference link (`[text][label]`,
//!    `[label]`) whose label has no definition yet is shown as text, but a
//!    definition anywhere later in the answer would make it a link. Such a
//!    block is *held*: it stays in the tail, re-rendered only when a new
//!    definition arrives, and frozen once all its labels are defined or the
//!    answer is finished. Blocks after a held one wait behind it, so frozen
//!    HTML stays in document order. (Any `[word]` in prose counts; LLM
//!    answers rarely have one outside code, and the tail then only grows by
//!    copying cached HTML, not by re-parsing.) A footnote reference
//!    (`[^label]`) whose note is not defined yet is held the same way.
//!
//! Footnotes are numbered in order of first reference and listed at the
//! end, so blocks render with a context (`html::Context`): the definitions
//! of every closed block, and the numbers the blocks before them gave.
//! When a definition resolves a held block, the held blocks render again
//! in order, as the number it takes can come before theirs. The footnotes
//! section is the end of the tail until the answer finishes, and then the
//! last frozen HTML.
//!
//! Blocks are rendered on their own, with the definitions of the blocks
//! before them, so after [`IncrementalMarkdown::finish`] the HTML equals
//! [`render_safe`](super::render_safe) of the whole answer; the tests check
//! this for every split point of many documents.
//!
//! Per token the work is: append the text, render the open part (and copy
//! the held blocks' cached HTML in front of it), and when the token ends a
//! line, parse the open part's complete lines to find block starts. Nothing
//! looks at frozen text again. A long list or quote stays open until it
//! ends, and so costs in proportion to its own length.

use super::html::{footnotes, lone_cr_to_lf, options, render, Context, Rendered};
use pulldown_cmark::{Event, Parser};
use std::collections::VecDeque;
use std::ops::Range;

/// What the UI does after a push: append `frozen_html_appended` once (after
/// the frozen HTML so far), then replace the live tail element's contents
/// with `tail_html`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Update {
    pub frozen_html_appended: String,
    pub tail_html: String,
}

/// A streamed Markdown answer, rendered as it grows. See the module docs
/// for when blocks freeze.
#[derive(Debug, Default)]
pub struct IncrementalMarkdown {
    text: String,
    /// HTML of every frozen block, in order.
    frozen: String,
    /// Closed blocks waiting behind an undefined reference label, in order.
    held: VecDeque<Held>,
    /// The held blocks' HTML, joined: the start of every tail.
    held_html: String,
    /// Where the open part starts (the last block, and any before it with no
    /// blank line between); all text before it is frozen or held.
    open_start: usize,
    /// HTML of the open part, as of the last push.
    open_html: String,
    /// The footnotes section of the frozen and held blocks, and of them and
    /// the open part when it numbers notes of its own (as of the last push).
    notes_html: String,
    open_notes_html: Option<String>,
    /// What the frozen blocks defined and numbered.
    frozen_context: Context,
    /// What the frozen and held blocks defined and numbered: the context
    /// the open part renders in.
    context: Context,
    finished: bool,
}

#[derive(Debug)]
struct Held {
    range: Range<usize>,
    rendered: Rendered,
}

impl IncrementalMarkdown {
    pub fn new() -> Self {
        Self::default()
    }

    /// The Markdown received so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Adds the next piece of the answer. Ignored after [`Self::finish`].
    pub fn push(&mut self, delta: &str) -> Update {
        if self.finished {
            return Update::default();
        }
        self.text.push_str(delta);
        let mut appended = String::new();
        if delta.contains(['\n', '\r']) {
            let complete = self.text.rfind(['\n', '\r']).map_or(0, |i| i + 1);
            let starts = block_starts(&self.text[self.open_start..complete]);
            if starts.len() > 1 {
                let base = self.open_start;
                for start in &starts[1..] {
                    self.close_block(base + start);
                }
                self.freeze_resolved(&mut appended);
            }
        }
        let open = render(&self.text[self.open_start..], &self.context);
        self.open_notes_html = (!open.numbered.is_empty()).then(|| footnotes(&self.context, Some(&open)));
        self.open_html = open.html;
        Update { frozen_html_appended: appended, tail_html: self.tail() }
    }

    /// Ends the answer: everything freezes, and the tail is empty.
    pub fn finish(&mut self) -> Update {
        if self.finished {
            return Update::default();
        }
        self.finished = true;
        let base = self.open_start;
        for start in block_starts(&self.text[base..]).into_iter().skip(1) {
            self.close_block(base + start);
        }
        if self.open_start < self.text.len() {
            self.close_block(self.text.len());
        }
        // No definition can come any more: held blocks are final as they
        // are, and the footnotes section ends the answer.
        let mut appended = String::new();
        for held in self.held.drain(..) {
            appended.push_str(&held.rendered.html);
            self.frozen_context.apply(&held.rendered);
        }
        appended.push_str(&footnotes(&self.frozen_context, None));
        self.frozen.push_str(&appended);
        self.held_html.clear();
        self.open_html.clear();
        self.notes_html.clear();
        self.open_notes_html = None;
        Update { frozen_html_appended: appended, tail_html: String::new() }
    }

    /// Frozen HTML followed by the tail: what the UI shows.
    pub fn html(&self) -> String {
        [self.frozen.as_str(), &self.tail()].concat()
    }

    fn tail(&self) -> String {
        [self.held_html.as_str(), &self.open_html, self.open_notes_html.as_deref().unwrap_or(&self.notes_html)].concat()
    }

    /// The open part up to `end` is closed: render it once and hold it until
    /// [`Self::freeze_resolved`] can freeze it.
    fn close_block(&mut self, end: usize) {
        let range = self.open_start..end;
        self.open_start = end;
        let rendered = render(&self.text[range.clone()], &self.context);
        let defined = self.context.apply(&rendered);
        let notes_changed = !rendered.numbered.is_empty() || !rendered.notes.is_empty();
        self.held.push_back(Held { range, rendered });
        let resolves = defined && self.held.iter().any(|held| held.rendered.undefined.iter().any(|label| self.context.defines(label)));
        if resolves {
            self.render_held_again();
        }
        if resolves || notes_changed {
            self.notes_html = footnotes(&self.context, None);
        }
        self.rebuild_held_html();
    }

    /// New definitions arrived that held blocks were waiting for: the held
    /// blocks render again, in order, with every definition known so far
    /// (references resolve forwards) and the footnote numbering going on
    /// from the frozen blocks', since a reference that resolves now can
    /// take a number before those of the blocks after it.
    fn render_held_again(&mut self) {
        let mut context = self.frozen_context.clone();
        context.links.clone_from(&self.context.links);
        context.notes.clone_from(&self.context.notes);
        context.note_index.clone_from(&self.context.note_index);
        for held in &mut self.held {
            held.rendered = render(&self.text[held.range.clone()], &context);
            context.apply(&held.rendered);
        }
        self.context = context;
    }

    /// Freezes held blocks from the front while nothing can change them.
    fn freeze_resolved(&mut self, appended: &mut String) {
        let mut changed = false;
        while self.held.front().is_some_and(|held| held.rendered.undefined.is_empty()) {
            let held = self.held.pop_front().expect("checked");
            self.frozen.push_str(&held.rendered.html);
            appended.push_str(&held.rendered.html);
            self.frozen_context.apply(&held.rendered);
            changed = true;
        }
        if changed {
            self.rebuild_held_html();
        }
    }

    fn rebuild_held_html(&mut self) {
        self.held_html.clear();
        for held in &self.held {
            self.held_html.push_str(&held.rendered.html);
        }
    }
}

/// Byte offsets in `text` of the lines where its top-level blocks start,
/// counting only starts after a blank line (and one at the very start).
///
/// The blank line is what makes a start a safe place to cut. Link
/// reference definitions make no events, and the lines after one may still
/// be its title or, being part of the same paragraph, turn into one; a
/// blank line ends them. Blocks that follow each other without one (a
/// heading and its paragraph) simply stay in one piece, which is always
/// correct, and LLMs put blank lines between most blocks.
fn block_starts(text: &str) -> Vec<usize> {
    let text = &*lone_cr_to_lf(text);
    let mut starts = Vec::new();
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        let top_level_start = match event {
            Event::Start(_) => {
                depth += 1;
                depth == 1
            }
            Event::End(_) => {
                depth -= 1;
                false
            }
            Event::Rule => depth == 0,
            _ => false,
        };
        if !top_level_start {
            continue;
        }
        let start = line_start(text, range.start);
        let after_blank_line = start == 0 || text[line_start(text, start - 1)..start].bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
        if after_blank_line && starts.last().is_none_or(|&last| start > last) {
            starts.push(start);
        }
    }
    starts
}

/// Where the line holding byte `at` starts.
fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::super::render_safe;
    use super::*;

    /// Streams `text` in the given pieces, checking on the way that frozen
    /// HTML only grows and is always a prefix of the final one-shot render.
    fn stream(pieces: &[&str]) -> String {
        let whole: String = pieces.concat();
        let expected = render_safe(&whole);
        let mut md = IncrementalMarkdown::new();
        let mut frozen = String::new();
        for piece in pieces {
            let update = md.push(piece);
            frozen.push_str(&update.frozen_html_appended);
            assert!(expected.starts_with(&frozen), "frozen HTML changed after {piece:?}:\n{frozen}\n---\n{expected}");
            assert_eq!(md.html(), [frozen.as_str(), &update.tail_html].concat());
        }
        let update = md.finish();
        assert_eq!(update.tail_html, "");
        frozen.push_str(&update.frozen_html_appended);
        assert_eq!(md.html(), frozen);
        frozen
    }

    fn split_every(text: &str, step: usize) -> Vec<&str> {
        let mut pieces = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            let cut = rest.char_indices().nth(step).map_or(rest.len(), |(i, _)| i);
            pieces.push(&rest[..cut]);
            rest = &rest[cut..];
        }
        pieces
    }

    /// Documents that exercise what can change a block after it looked done.
    const DOCUMENTS: &[&str] = &[
        "# Title\n\nA paragraph with *emphasis*, `code` and https://example.com/x.\n\n- one\n- two\n\n1. first\n\n2. second\n   continued\n\nEnd.\n",
        "Setext\n===\n\nAnother\nparagraph\n---\n\n***\n\nlast line without newline",
        "```rust\nfn main() {\n\n    println!(\"hi\");\n}\n```\n\nAfter the code.\n\n~~~\nunclosed fence\n\nstill code",
        "| a | b |\n|:--|--:|\n| 1 | 2 |\n| 3 | 4 |\n\n| not a table |\n\nText\n| x | y |\n|---|---|\n| z | w |\n",
        "> quote\nlazy line\n\n> second quote\n\n- [x] done\n- [ ] todo\n\n    indented code\n\n    more code\n\nplain\n",
        "See [the docs][docs] and [later].\n\nMiddle paragraph.\n\n[docs]: https://example.com/docs \"Docs\"\n[later]: /later\n\nAfter the definitions.\n",
        "[a]: /first\n\n[a] and [b]\n\n[a]: /second\n[b]: /b\n'title\ncontinued'\nnot a title\n\nEnd [b].\n",
        "<div>\nraw *html*\n</div>\n\n<script>\nalert(1)\n\n</script>\n\nafter <b>inline</b> html\n\n<!-- comment\n\nstill comment -->\n",
        "- a\n\n  b\n\n- c\n\n      code in item\n\nout\n\n3) three\n4) four\n\n* star\n\n+ plus\n",
        "Ünïcödé ✓ — “quotes” and emoji 🎉\n\n## Heading ##\n\nText with trailing spaces  \nhard break and \\\nbackslash break.\n",
        "![alt *text*](https://example.com/i.png \"t\") and [x](javascript:alert(1)) and <https://auto.link> and <a@b.co>\n\n> [!NOTE]\n> Alert.\n",
        "\n\n\nleading blank lines\n\n\n\n\ntrailing blank lines\n\n\n\n",
        "1. Step one:\n   ```bash\n   cargo test\n   ```\n2. Step two\n\nDone.\n",
        "Para\n- list interrupts\n\nPara\n2. no interrupt\n\nPara\n# heading interrupts\n",
        "crlf line\r\nsecond\r\n\r\n- item\r\n\r\nend\r\n",
        "```\r\r```\r\rcr only\rline\r\r- item\r",
        "Cite[^b] first.\n\nThen[^a] and [^b] again.\n\n[^a]: Note A, see [^c].\n\n    indented in A\n\n[^b]: Note B.\n\n[^c]: C\n\nLate[^c][^zz].\n",
        "[^x]: defined first\n\nused[^x] after.\n\n    code [^x]\n\n> quote[^y]\n\n[^y]: why\n",
        "Maths \\(a*b*c\\) and \\[\nx \\\\ y\n\\] and $x$, $$y$$, $5-$10.\n\n> \\(a\n> b\\)\n\n`\\(code\\)`\n",
    ];

    #[test]
    fn streamed_equals_one_shot_at_every_split_point() {
        for doc in DOCUMENTS {
            let expected = render_safe(doc);
            for (cut, _) in doc.char_indices().skip(1) {
                assert_eq!(stream(&[&doc[..cut], &doc[cut..]]), expected, "split at {cut} of {doc:?}");
            }
            for step in [1, 2, 3, 4, 7] {
                assert_eq!(stream(&split_every(doc, step)), expected, "pieces of {step} chars of {doc:?}");
            }
        }
    }

    #[test]
    fn streamed_equals_one_shot_for_all_documents_joined() {
        let all = DOCUMENTS.concat();
        for step in [1, 3, 5, 16] {
            assert_eq!(stream(&split_every(&all, step)), render_safe(&all));
        }
    }

    #[test]
    fn closed_blocks_freeze_while_the_answer_streams() {
        let mut md = IncrementalMarkdown::new();
        let update = md.push("First paragraph.\n\n");
        assert_eq!(update.frozen_html_appended, "", "the next line could still continue it");
        let update = md.push("Second");
        assert_eq!(update.frozen_html_appended, "", "a partial line decides nothing");
        let update = md.push(" paragraph.\n");
        assert_eq!(update.frozen_html_appended, "<p>First paragraph.</p>\n");
        assert_eq!(update.tail_html, "<p>Second paragraph.</p>\n");
        let update = md.push("\n```\ncode\n\n");
        assert_eq!(update.frozen_html_appended, "<p>Second paragraph.</p>\n");
        let update = md.push("more\n");
        assert_eq!(update.frozen_html_appended, "", "an open fence keeps going past blank lines");
        assert!(update.tail_html.contains("code\n\nmore\n"), "{}", update.tail_html);
        let update = md.finish();
        assert!(update.frozen_html_appended.starts_with("<div class=\"code-block\">"), "{}", update.frozen_html_appended);
        assert_eq!(md.push("ignored").tail_html, "");
    }

    #[test]
    fn undefined_labels_hold_blocks_until_defined() {
        let mut md = IncrementalMarkdown::new();
        md.push("Cite [1].\n\nMore.\n\nAnd more.\n\n");
        let update = md.push("[1]: https://example.com/source\n\nEnd.\n");
        assert!(update.frozen_html_appended.contains("<a href=\"https://example.com/source\""), "{update:?}");
        let mut md = IncrementalMarkdown::new();
        let update = md.push("Array [i] in prose.\n\nNext.\n\nThird.\n");
        assert_eq!(update.frozen_html_appended, "", "held behind [i]");
        assert!(update.tail_html.starts_with("<p>Array [i] in prose.</p>\n<p>Next.</p>\n"), "{update:?}");
        assert_eq!(md.finish().frozen_html_appended, "<p>Array [i] in prose.</p>\n<p>Next.</p>\n<p>Third.</p>\n");
    }

    #[test]
    fn blocks_start_after_blank_lines() {
        assert_eq!(block_starts("a\n\nb\n- c\n\n  d\n\n***\n"), [0, 3, 15]);
        assert_eq!(block_starts("a\n\n[x]: /u\n'title\nb\n"), [0], "a definition and the lines after it stay with the block before");
        assert_eq!(block_starts("```\na\n\nb\n```\n \t\n> q\n"), [0, 16]);
    }
}

#[cfg(test)]
mod generated {
    use super::super::render_safe;
    use super::IncrementalMarkdown;

    /// Lines and pieces that change the meaning of what is around them.
    const FRAGMENTS: &[&str] = &[
        "para text\n", "more *emph* and `code`\n", "===\n", "---\n", "- item\n", "* star\n", "+ plus\n", "1. one\n", "2) two\n", "  continued\n",
        "    indented\n", "\n", "\n", "\n", "\n", "\n", "\n", "\n", "```\n", "```py\n", "~~~\n", "> quote\n", ">\n", "[x]: /u\n", "[y]: </v> 'title'\n", "'title\n", "more'\n",
        "see [x] and [y][x] and [z]\n", "[x]\n", "| a | b |\n", "|---|:-:|\n", "| 1 | 2 |\n", "<div>\n", "</div>\n", "<!--\n", "-->\n", "<script>\n",
        "</script>\n", "* * *\n", "# head\n", "## head ##\n", "text  \n", "back\\\n", "- [ ] task\n", "- [x] done\n", "   - nested\n", "\t\ttabbed\n",
        "https://example.com/p). ", "**bold", "_under_ ", "![img](i.png)\n", "[l](javascript:x)\n", "<https://a.b>\n", "> [!TIP]\n", "10. ten\n",
        "\r\n", "x\r", "é ✓ 🎉\n", "[y]:\n", "/dest\n", "  [x]: /w\n", "[^1]: note\n", "<pre>\n", "</pre>\n", "<?php\n", "?>\n",
        "<![CDATA[\n", "]]>\n", "   ```\n", "````\n", "   > q\n", "- \n", "1.\n", "    - deep\n", "> - quoted\n", "> ```\n", "|x|\n", "  \n",
        "see[^1] ", "[^2]: two\n", "\n[^1]: one\n", "$x$ ", "$$\n", "\\(a*b", "c\\) ", "\\[", "\\]\n", "$5", "\\\\ ",
    ];

    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    #[test]
    fn streamed_equals_one_shot_on_generated_documents() {
        let mut state = std::env::var("LLMOS_MD_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x9e37_79b9_7f4a_7c15);
        let documents: usize = std::env::var("LLMOS_MD_DOCS").ok().and_then(|v| v.parse().ok()).unwrap_or(400);
        let mut froze_while_streaming = 0;
        for _ in 0..documents {
            let len = 1 + next(&mut state) % 30;
            let doc: String = (0..len).map(|_| FRAGMENTS[(next(&mut state) % FRAGMENTS.len() as u64) as usize]).collect();
            let expected = render_safe(&doc);
            let mut md = IncrementalMarkdown::new();
            let mut frozen = String::new();
            let mut rest = doc.as_str();
            while !rest.is_empty() {
                let take = 1 + (next(&mut state) % 9) as usize;
                let cut = rest.char_indices().nth(take).map_or(rest.len(), |(i, _)| i);
                frozen.push_str(&md.push(&rest[..cut]).frozen_html_appended);
                assert!(expected.starts_with(&frozen), "frozen HTML diverged in {doc:?}:\n{frozen}\n---\n{expected}");
                rest = &rest[cut..];
            }
            froze_while_streaming += usize::from(!frozen.is_empty());
            frozen.push_str(&md.finish().frozen_html_appended);
            assert_eq!(frozen, expected, "{doc:?}");
        }
        assert!(froze_while_streaming > documents / 4, "only {froze_while_streaming} of {documents} froze anything before the end");
    }
}
