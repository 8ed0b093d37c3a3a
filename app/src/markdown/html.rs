//! Markdown events to HTML that is safe to insert with `innerHTML`.
//!
//! pulldown-cmark only parses (its `html` feature is off); every byte of
//! output is written here, so the sanitising rules live in one place:
//! raw HTML is escaped and shown as text, link URLs must pass
//! [`url::is_safe`](super::url::is_safe), images become links, all text and
//! attribute values are escaped and attributes are always double-quoted.
//!
//! The output of each top-level block depends on that block alone (no
//! "fresh line" state carried between blocks, every block's HTML ends with a
//! newline), which is what lets the streaming renderer render blocks one by
//! one and still match a one-shot render byte for byte.

use super::tex;
use super::url::{is_safe, next_bare_url};
use pulldown_cmark::{Alignment, BlockQuoteKind, BrokenLink, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;
use std::ops::Range;
use unicase::UniCase;

/// The dialect's parser options: CommonMark plus GitHub's tables,
/// strikethrough, task lists, alert quotes (`> [!NOTE]`) and footnotes, and
/// dollar maths (`$…$`, `$$…$$`). The site's comrak options in
/// `src/markdown.rs` are the same set; `tests/markdown_dialect.rs` holds
/// the two to it.
pub(super) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_MATH
}

const LINK_REL: &str = "noopener noreferrer nofollow";

/// A link reference definition (`[label]: dest "title"`).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Definition {
    pub dest: String,
    pub title: String,
}

/// What the text before a piece of a document defined and numbered: the
/// streaming renderer renders an answer block by block, each with the
/// context the blocks before it left. Labels are compared as
/// pulldown-cmark compares them (Unicode case folding); the first
/// definition of a label wins, as in CommonMark.
#[derive(Debug, Clone, Default)]
pub(super) struct Context {
    pub links: HashMap<UniCase<String>, Definition>,
    /// Footnote definitions, in order: the label as written and the note's
    /// HTML; `note_index` finds them by label.
    pub notes: Vec<(String, String)>,
    pub note_index: HashMap<UniCase<String>, usize>,
    /// Footnote labels in number order (the first is 1): order of first
    /// reference. `numbers` finds a label's number.
    pub numbered: Vec<String>,
    pub numbers: HashMap<UniCase<String>, usize>,
}

impl Context {
    /// Adds what `rendered` defined and numbered; whether it defined
    /// anything new.
    pub fn apply(&mut self, rendered: &Rendered) -> bool {
        let mut defined = false;
        for (label, definition) in &rendered.definitions {
            self.links.entry(UniCase::new(label.clone())).or_insert_with(|| {
                defined = true;
                definition.clone()
            });
        }
        for note in &rendered.notes {
            let next = self.notes.len();
            self.note_index.entry(UniCase::new(note.0.clone())).or_insert_with(|| {
                defined = true;
                next
            });
            if self.notes.len() < self.note_index.len() {
                self.notes.push(note.clone());
            }
        }
        for label in &rendered.numbered {
            let next = self.numbered.len() + 1;
            self.numbers.entry(UniCase::new(label.clone())).or_insert(next);
            if self.numbered.len() < self.numbers.len() {
                self.numbered.push(label.clone());
            }
        }
        defined
    }

    /// Whether `label` (a link label, or a footnote label after `^`) is
    /// defined.
    pub fn defines(&self, label: &str) -> bool {
        match label.strip_prefix('^') {
            Some(note) => self.note_index.contains_key(&UniCase::new(note.to_string())),
            None => self.links.contains_key(&UniCase::new(label.to_string())),
        }
    }

    /// The HTML of footnote `label`.
    fn note(&self, label: &UniCase<String>) -> Option<&str> {
        self.note_index.get(label).map(|&i| self.notes[i].1.as_str())
    }
}

#[derive(Debug)]
pub(super) struct Rendered {
    pub html: String,
    /// Labels of references that neither the text nor the context defines,
    /// shown as text: link labels (`[text][label]`, `[label]`) and, after a
    /// `^`, footnote labels (`[^label]`; any such text counts, even in
    /// code, since one definition later would change it).
    pub undefined: Vec<String>,
    /// The link definitions the text makes.
    pub definitions: Vec<(String, Definition)>,
    /// The footnotes the text defines (label, HTML of the note), in order.
    pub notes: Vec<(String, String)>,
    /// Footnote labels the text numbers, in order of first reference.
    pub numbered: Vec<String>,
}

/// `markdown` to HTML. `context` is what the text before it (the earlier
/// blocks of a streamed answer) defined: its link definitions resolve
/// references the text leaves undefined and, being earlier, win over the
/// text's own ones; its footnotes can be referenced; numbering goes on
/// from its numbers. Footnotes are not written here: see [`footnotes`].
pub(super) fn render(markdown: &str, context: &Context) -> Rendered {
    let markdown = &*lone_cr_to_lf(markdown);
    // Footnotes defined earlier: pulldown-cmark makes `[^label]` a
    // reference only when the label is defined in the text it parses, so
    // their definitions go in front, closed by a comment so that indented
    // lines of `markdown` cannot continue them, and their events are
    // skipped.
    let mut source = std::borrow::Cow::Borrowed(markdown);
    if !context.notes.is_empty() && tex::followed_by(markdown, '[', b"^") {
        let mut prefixed = String::new();
        for (label, _) in &context.notes {
            prefixed.push_str("[^");
            prefixed.push_str(label);
            prefixed.push_str("]: x\n\n");
        }
        prefixed.push_str("<!-- -->\n\n");
        prefixed.push_str(markdown);
        source = std::borrow::Cow::Owned(prefixed);
    }
    let skip = source.len() - markdown.len();
    let known = &context.links;
    let mut undefined = Vec::new();
    let resolve = |link: BrokenLink| {
        let found = known.get(&UniCase::new(link.reference.to_string()));
        if found.is_none() {
            undefined.push(link.reference.to_string());
        }
        found.map(|d| (CowStr::from(d.dest.clone()), CowStr::from(d.title.clone())))
    };
    let parser = Parser::new_with_broken_link_callback(&source, options(), Some(resolve));
    let to_definitions = |definitions: &pulldown_cmark::RefDefs| -> Vec<(String, Definition)> {
        definitions
            .iter()
            .map(|(label, def)| (label.to_string(), Definition { dest: def.dest.to_string(), title: def.title.as_deref().unwrap_or("").to_string() }))
            .collect()
    };
    // Offsets are only needed for the maths fixes and to skip the
    // footnotes put in front; without them the parse is faster.
    let (events, definitions) = if skip == 0 && !source.contains('$') && !tex::may_contain(&source) {
        let mut parser = parser;
        let events: Vec<Event> = parser.by_ref().collect();
        let definitions = to_definitions(parser.reference_definitions());
        (events, definitions)
    } else {
        let mut parser = parser.into_offset_iter();
        let mut events: Vec<(Event, Range<usize>)> = parser.by_ref().skip_while(|(_, range)| range.start < skip).collect();
        let definitions = to_definitions(parser.reference_definitions());
        drop(parser);
        tex_maths(&mut events, &source);
        (events.into_iter().map(|(event, _)| event).collect(), definitions)
    };
    let mut writer = Writer::new(context, markdown.len() * 3 / 2);
    writer.write(&events);
    if tex::followed_by(markdown, '[', b"^") {
        // Labels defined here (0) or seen undefined (1). One map type for
        // all label sets keeps the bundle small.
        let mut labels: HashMap<UniCase<String>, usize> = writer.notes.iter().map(|(label, _)| (UniCase::new(label.clone()), 0)).collect();
        for label in note_labels(markdown) {
            let folded = UniCase::new(label.to_string());
            if !context.note_index.contains_key(&folded) && !labels.contains_key(&folded) {
                labels.insert(folded, 1);
                undefined.push(format!("^{label}"));
            }
        }
    }
    Rendered { html: writer.out, undefined, definitions, notes: writer.notes, numbered: writer.numbered }
}

/// The footnotes section that ends a document: the notes `context`
/// numbered, then those `last` (the text rendered after it) numbered, in
/// number order. Empty when nothing was referenced.
pub(super) fn footnotes(context: &Context, last: Option<&Rendered>) -> String {
    let last_numbered = last.map_or(&[][..], |r| &r.numbered[..]);
    if context.numbered.is_empty() && last_numbered.is_empty() {
        return String::new();
    }
    // The first definition of each label in `last`, by index.
    let last_notes = last.map_or(&[][..], |r| &r.notes[..]);
    let mut first: HashMap<UniCase<String>, usize> = HashMap::new();
    for (i, (label, _)) in last_notes.iter().enumerate() {
        first.entry(UniCase::new(label.clone())).or_insert(i);
    }
    let mut out = String::from("<section class=\"footnotes\">\n<ol>\n");
    for label in context.numbered.iter().chain(last_numbered) {
        let folded = UniCase::new(label.clone());
        let note = context.note(&folded).or_else(|| first.get(&folded).map(|&i| last_notes[i].1.as_str()));
        out.push_str("<li>\n");
        out.push_str(note.unwrap_or(""));
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n</section>\n");
    out
}

/// `text` with each carriage return that is not followed by a line feed
/// made a line feed (same length, same line structure): pulldown-cmark
/// does not read `"```\r\r```"` alike whole and in pieces, so the
/// streaming renderer could not match the one-shot one.
pub(super) fn lone_cr_to_lf(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    if !text.contains('\r') || !bytes.iter().enumerate().any(|(i, &b)| b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(if c == '\r' && chars.peek() != Some(&'\n') { '\n' } else { c });
    }
    std::borrow::Cow::Owned(out)
}

/// Dollar maths whose closing `$` is followed by a digit is text.
pub(super) fn money_is_not_maths(events: &mut [(Event, Range<usize>)], source: &str) {
    let bytes = source.as_bytes();
    for (event, range) in events.iter_mut() {
        if matches!(event, Event::InlineMath(_)) && bytes.get(range.end).is_some_and(u8::is_ascii_digit) {
            *event = Event::Text(CowStr::from(source[range.clone()].to_string()));
        }
    }
}

/// Labels of everything in `markdown` that looks like a footnote
/// reference, `[^label]`, wherever it is.
fn note_labels(markdown: &str) -> impl Iterator<Item = &str> {
    markdown.match_indices("[^").filter_map(move |(at, _)| {
        let rest = &markdown[at + 2..];
        let end = rest.find([']', '[', '\n', '\r'])?;
        (end > 0 && rest.as_bytes()[end] == b']').then(|| &rest[..end])
    })
}

/// The dialect's maths fixes, on the events: TeX delimiters (`\(…\)`,
/// `\[…\]`, see [`tex`]) become maths, and dollar maths whose closing `$`
/// is followed by a digit is text, as in pandoc and comrak (`$5-$10` is
/// money, not maths).
fn tex_maths(events: &mut Vec<(Event, Range<usize>)>, source: &str) {
    money_is_not_maths(events, source);
    if !tex::may_contain(source) {
        return;
    }
    let spans = tex::find(events, source);
    if spans.is_empty() {
        return;
    }
    let mut fixed = Vec::with_capacity(events.len());
    let mut spans = spans.into_iter().peekable();
    for (i, item) in std::mem::take(events).into_iter().enumerate() {
        match spans.peek() {
            Some(span) if span.events.contains(&i) => {}
            Some(span) if span.events.end == i => {
                let span = spans.next().expect("peeked");
                let range = span.source.clone();
                let tex = CowStr::from(span.tex);
                fixed.push((if span.display { Event::DisplayMath(tex) } else { Event::InlineMath(tex) }, range.clone()));
                if !span.rest.is_empty() {
                    fixed.push((Event::Text(CowStr::from(span.rest)), range.end..item.1.end));
                }
            }
            _ => fixed.push(item),
        }
    }
    *events = fixed;
}

struct Writer<'k> {
    out: String,
    context: &'k Context,
    /// Plain text not written yet: consecutive text events are joined so a
    /// bare URL split across them is still found.
    text: String,
    /// One per open link: whether its `<a>` was written (an unsafe URL keeps
    /// only the link's text).
    links: Vec<bool>,
    /// Inside an image: its alt text is written flat, as a link's text.
    image: Option<Image>,
    in_code_block: bool,
    table: Table,
    /// Footnotes being written: the label, and the HTML around the note.
    open_notes: Vec<(String, String)>,
    notes: Vec<(String, String)>,
    numbered: Vec<String>,
    /// Numbers given by this text, by label.
    local_numbers: HashMap<UniCase<String>, usize>,
}

struct Image {
    /// Images nested in this one's alt text.
    depth: usize,
    url: String,
    linked: bool,
    alt_start: usize,
}

#[derive(Default)]
struct Table {
    alignments: Vec<Alignment>,
    in_head: bool,
    cell: usize,
    body_open: bool,
}

impl<'k> Writer<'k> {
    fn new(context: &'k Context, capacity: usize) -> Self {
        Writer {
            out: String::with_capacity(capacity),
            context,
            text: String::new(),
            links: Vec::new(),
            image: None,
            in_code_block: false,
            table: Table::default(),
            open_notes: Vec::new(),
            notes: Vec::new(),
            numbered: Vec::new(),
            local_numbers: HashMap::new(),
        }
    }

    fn write(&mut self, events: &[Event]) {
        for (i, event) in events.iter().enumerate() {
            if self.image.is_some() {
                self.alt_text(event);
                continue;
            }
            match event {
                Event::Text(text) if self.in_code_block || !self.links.is_empty() => escape_into(&mut self.out, text),
                Event::Text(text) => self.text.push_str(text),
                event => {
                    self.flush_text();
                    self.event(event, &events[i + 1..]);
                }
            }
        }
        self.flush_text();
    }

    fn event(&mut self, event: &Event, next: &[Event]) {
        match event {
            Event::Start(tag) => self.start(tag, next),
            Event::End(tag) => self.end(*tag),
            Event::Text(text) => escape_into(&mut self.out, text),
            Event::Code(code) => {
                self.out.push_str("<code>");
                escape_into(&mut self.out, code);
                self.out.push_str("</code>");
            }
            // The TeX as written, escaped, in an element the theme styles
            // (and a maths renderer could pick up).
            Event::InlineMath(tex) | Event::DisplayMath(tex) => {
                self.out.push_str(if matches!(event, Event::InlineMath(_)) { "<span class=\"math math-inline\">" } else { "<span class=\"math math-display\">" });
                escape_into(&mut self.out, tex);
                self.out.push_str("</span>");
            }
            // Raw HTML, block or inline, comments included: shown, never run.
            Event::Html(html) | Event::InlineHtml(html) => escape_into(&mut self.out, html),
            // Numbered, unlinked: the browser writes no ids (see the module
            // docs), so there is nothing to link to.
            Event::FootnoteReference(label) => {
                let number = self.note_number(label);
                self.out.push_str("<sup class=\"footnote-ref\">");
                self.out.push_str(&number.to_string());
                self.out.push_str("</sup>");
            }
            Event::SoftBreak => self.out.push('\n'),
            Event::HardBreak => self.out.push_str("<br>\n"),
            Event::Rule => self.out.push_str("<hr>\n"),
            Event::TaskListMarker(checked) => {
                self.out.push_str(if *checked { "<input type=\"checkbox\" disabled checked> " } else { "<input type=\"checkbox\" disabled> " });
            }
        }
    }

    fn start(&mut self, tag: &Tag, next: &[Event]) {
        let out = &mut self.out;
        match tag {
            Tag::Paragraph => out.push_str("<p>"),
            // No ids: user content must not clobber ids of the page around it.
            Tag::Heading { level, .. } => {
                out.push_str("<h");
                out.push(heading_digit(*level));
                out.push('>');
            }
            Tag::BlockQuote(None) => out.push_str("<blockquote>\n"),
            // As GitHub and comrak write alerts.
            Tag::BlockQuote(Some(kind)) => {
                let (name, title) = alert_name(*kind);
                out.push_str("<div class=\"markdown-alert markdown-alert-");
                out.push_str(name);
                out.push_str("\">\n<p class=\"markdown-alert-title\">");
                out.push_str(title);
                out.push_str("</p>\n");
            }
            Tag::CodeBlock(kind) => {
                let language = match kind {
                    CodeBlockKind::Fenced(info) => code_language(info),
                    CodeBlockKind::Indented => String::new(),
                };
                out.push_str("<div class=\"code-block\"><button type=\"button\" class=\"copy-code\" data-copy>Copy</button><pre><code");
                if !language.is_empty() {
                    out.push_str(" class=\"language-");
                    out.push_str(&language);
                    out.push('"');
                }
                out.push('>');
                self.in_code_block = true;
            }
            Tag::HtmlBlock => out.push_str("<pre class=\"raw-html\">"),
            Tag::List(start) => {
                let tasks = task_item_follows(next.get(1..).unwrap_or_default());
                match (start, tasks) {
                    (None, false) => out.push_str("<ul>\n"),
                    (None, true) => out.push_str("<ul class=\"contains-task-list\">\n"),
                    (Some(1), false) => out.push_str("<ol>\n"),
                    (Some(1), true) => out.push_str("<ol class=\"contains-task-list\">\n"),
                    (Some(n), tasks) => {
                        out.push_str("<ol start=\"");
                        out.push_str(&n.to_string());
                        out.push_str(if tasks { "\" class=\"contains-task-list\">\n" } else { "\">\n" });
                    }
                }
            }
            Tag::Item => out.push_str(if task_item_follows(next) { "<li class=\"task-list-item\">" } else { "<li>" }),
            Tag::Table(alignments) => {
                self.table = Table { alignments: alignments.clone(), ..Table::default() };
                out.push_str("<table>\n");
            }
            Tag::TableHead => {
                self.table.in_head = true;
                self.table.cell = 0;
                out.push_str("<thead>\n<tr>");
            }
            Tag::TableRow => {
                if !self.table.body_open {
                    self.table.body_open = true;
                    out.push_str("<tbody>\n");
                }
                self.table.cell = 0;
                out.push_str("<tr>");
            }
            Tag::TableCell => {
                out.push_str(if self.table.in_head { "<th" } else { "<td" });
                match self.table.alignments.get(self.table.cell) {
                    Some(Alignment::Left) => out.push_str(" align=\"left\">"),
                    Some(Alignment::Center) => out.push_str(" align=\"center\">"),
                    Some(Alignment::Right) => out.push_str(" align=\"right\">"),
                    _ => out.push('>'),
                }
            }
            Tag::Emphasis => out.push_str("<em>"),
            Tag::Strong => out.push_str("<strong>"),
            Tag::Strikethrough => out.push_str("<del>"),
            Tag::Superscript => out.push_str("<sup>"),
            Tag::Subscript => out.push_str("<sub>"),
            Tag::Link { link_type, dest_url, title, id } => {
                let (url, title) = self.destination(*link_type, dest_url, title, id);
                let linked = is_safe(&url);
                if linked {
                    open_link(&mut self.out, &url, &title, "");
                }
                self.links.push(linked);
            }
            Tag::Image { link_type, dest_url, title, id } => self.start_image(*link_type, dest_url, title, id),
            // The note is written aside, for the footnotes section.
            Tag::FootnoteDefinition(label) => {
                let around = std::mem::take(&mut self.out);
                self.open_notes.push((label.to_string(), around));
            }
            // Not enabled in `options`.
            Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        let out = &mut self.out;
        match tag {
            TagEnd::Paragraph => out.push_str("</p>\n"),
            TagEnd::Heading(level) => {
                out.push_str("</h");
                out.push(heading_digit(level));
                out.push_str(">\n");
            }
            TagEnd::BlockQuote(None) => out.push_str("</blockquote>\n"),
            TagEnd::BlockQuote(Some(_)) => out.push_str("</div>\n"),
            TagEnd::CodeBlock => {
                out.push_str("</code></pre></div>\n");
                self.in_code_block = false;
            }
            TagEnd::HtmlBlock => out.push_str("</pre>\n"),
            TagEnd::List(true) => out.push_str("</ol>\n"),
            TagEnd::List(false) => out.push_str("</ul>\n"),
            TagEnd::Item => out.push_str("</li>\n"),
            TagEnd::Table => {
                if self.table.body_open {
                    out.push_str("</tbody>\n");
                }
                out.push_str("</table>\n");
            }
            TagEnd::TableHead => {
                self.table.in_head = false;
                out.push_str("</tr>\n</thead>\n");
            }
            TagEnd::TableRow => out.push_str("</tr>\n"),
            TagEnd::TableCell => {
                out.push_str(if self.table.in_head { "</th>" } else { "</td>" });
                self.table.cell += 1;
            }
            TagEnd::Emphasis => out.push_str("</em>"),
            TagEnd::Strong => out.push_str("</strong>"),
            TagEnd::Strikethrough => out.push_str("</del>"),
            TagEnd::Superscript => out.push_str("</sup>"),
            TagEnd::Subscript => out.push_str("</sub>"),
            TagEnd::Link => {
                if self.links.pop() == Some(true) {
                    out.push_str("</a>");
                }
            }
            TagEnd::FootnoteDefinition => {
                if let Some((label, around)) = self.open_notes.pop() {
                    // All of them: `Context::apply` keeps the first.
                    let note = std::mem::replace(&mut self.out, around);
                    self.notes.push((label, note));
                }
            }
            TagEnd::Image
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::MetadataBlock(_) => {}
        }
    }

    /// The URL and title a link or image points to. Reference links take the
    /// earliest definition of their label: the context's come before the text.
    fn destination(&self, link_type: LinkType, dest: &str, title: &str, label: &str) -> (String, String) {
        let by_reference = matches!(
            link_type,
            LinkType::Reference | LinkType::ReferenceUnknown | LinkType::Collapsed | LinkType::CollapsedUnknown | LinkType::Shortcut | LinkType::ShortcutUnknown
        );
        let earlier = Some(&self.context.links).filter(|known| by_reference && !known.is_empty()).and_then(|known| known.get(&UniCase::new(label.to_string())));
        match earlier {
            Some(definition) => (definition.dest.clone(), definition.title.clone()),
            None if link_type == LinkType::Email => (format!("mailto:{dest}"), title.to_string()),
            None => (dest.to_string(), title.to_string()),
        }
    }

    /// Images are written as links to the image, their alt text as the link
    /// text, never as `<img>`. An `<img>` is fetched the moment the HTML is
    /// inserted, without a click: in a chat answer that is a beacon. A
    /// prompt-injected answer can put the conversation into an image URL's
    /// query string and have the browser send it to any host (the usual
    /// Markdown-image exfiltration), and every image tells its host the
    /// reader's address. A link fetches nothing until it is followed.
    fn start_image(&mut self, link_type: LinkType, dest: &str, title: &str, label: &str) {
        let (url, title) = self.destination(link_type, dest, title, label);
        // An image inside a link shows its alt text only: links do not nest.
        let linked = is_safe(&url) && self.links.is_empty();
        if linked {
            open_link(&mut self.out, &url, &title, " class=\"image-link\"");
        }
        self.image = Some(Image { depth: 0, url, linked, alt_start: self.out.len() });
    }

    /// Events inside an image: its alt text, flattened to plain text.
    fn alt_text(&mut self, event: &Event) {
        let Some(image) = &mut self.image else { return };
        match event {
            Event::Text(text) | Event::Code(text) | Event::InlineMath(text) | Event::DisplayMath(text) | Event::Html(text) | Event::InlineHtml(text) => {
                escape_into(&mut self.out, text)
            }
            Event::SoftBreak | Event::HardBreak => self.out.push(' '),
            Event::Start(Tag::Image { .. }) => image.depth += 1,
            Event::End(TagEnd::Image) if image.depth > 0 => image.depth -= 1,
            Event::End(TagEnd::Image) => {
                if image.linked {
                    if self.out.len() == image.alt_start {
                        escape_into(&mut self.out, &image.url);
                    }
                    self.out.push_str("</a>");
                }
                self.image = None;
            }
            _ => {}
        }
    }

    /// The number of footnote `label`: the context's, or the next one.
    fn note_number(&mut self, label: &str) -> usize {
        if let Some(&number) = self.context.numbers.get(&UniCase::new(label.to_string())) {
            return number;
        }
        let next = self.context.numbers.len() + self.numbered.len() + 1;
        *self.local_numbers.entry(UniCase::new(label.to_string())).or_insert_with(|| {
            self.numbered.push(label.to_string());
            next
        })
    }

    /// Writes pending plain text, with bare URLs made links.
    fn flush_text(&mut self) {
        if self.text.is_empty() {
            return;
        }
        let text = std::mem::take(&mut self.text);
        let mut written = 0;
        while let Some(url) = next_bare_url(&text, written) {
            escape_into(&mut self.out, &text[written..url.start]);
            open_link(&mut self.out, &text[url.clone()], "", "");
            escape_into(&mut self.out, &text[url.clone()]);
            self.out.push_str("</a>");
            written = url.end;
        }
        escape_into(&mut self.out, &text[written..]);
        self.text = text;
        self.text.clear();
    }
}

fn open_link(out: &mut String, url: &str, title: &str, extra: &str) {
    out.push_str("<a href=\"");
    escape_href_into(out, url);
    out.push_str("\" rel=\"");
    out.push_str(LINK_REL);
    out.push('"');
    if !title.is_empty() {
        out.push_str(" title=\"");
        escape_into(out, title);
        out.push('"');
    }
    out.push_str(extra);
    out.push('>');
}

/// Whether a list item (the events after its start) begins with a task box.
fn task_item_follows(events: &[Event]) -> bool {
    matches!(events, [Event::TaskListMarker(_), ..] | [Event::Start(Tag::Paragraph), Event::TaskListMarker(_), ..])
}

/// The language class of a fenced block: the info string's first word
/// (`rust,ignore` gives `rust`), keeping only `[A-Za-z0-9_+-]`, so it can
/// neither leave the attribute nor add classes.
fn code_language(info: &str) -> String {
    let word = info.split(|c: char| c.is_whitespace() || c == ',').find(|w| !w.is_empty()).unwrap_or("");
    word.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-')).take(40).collect()
}

fn heading_digit(level: HeadingLevel) -> char {
    char::from(b'0' + level as u8)
}

/// The alert's class name and title, as comrak and GitHub write them.
fn alert_name(kind: BlockQuoteKind) -> (&'static str, &'static str) {
    match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    }
}

/// A URL for an `href`, as comrak and cmark write it: bytes outside a safe
/// set percent-encoded (valid `%XX` escapes kept), `&` and `'` as
/// entities. The result has no `"`, `<` or `>`.
fn escape_href_into(out: &mut String, url: &str) {
    const SAFE: &[u8] = b"-_.+!*(),#@?=;:/$~";
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = url.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        match byte {
            _ if byte.is_ascii_alphanumeric() || SAFE.contains(&byte) => out.push(char::from(byte)),
            b'&' => out.push_str("&amp;"),
            b'\'' => out.push_str("&#x27;"),
            b'%' if bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit) && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit) => {
                out.push_str(&url[i..i + 3]);
                i += 2;
            }
            b'%' => out.push_str("%25"),
            0 => out.push_str("%EF%BF%BD"),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 15)]));
            }
        }
        i += 1;
    }
}

/// Text and attribute values alike: `&`, `<`, `>` and `"` escaped.
pub(super) fn escape_into(out: &mut String, text: &str) {
    let mut written = 0;
    for (i, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => continue,
        };
        out.push_str(&text[written..i]);
        out.push_str(entity);
        written = i + 1;
    }
    out.push_str(&text[written..]);
}
