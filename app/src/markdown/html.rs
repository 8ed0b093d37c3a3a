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

use super::url::{is_safe, next_bare_url};
use pulldown_cmark::{Alignment, BlockQuoteKind, BrokenLink, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;
use unicase::UniCase;

/// What the chat and the skill preview understand: CommonMark plus GitHub's
/// tables, strikethrough, task lists and alert quotes (`> [!NOTE]`).
/// Footnotes are left out: their numbering is document-wide, which would
/// keep every answer that uses one from freezing while it streams.
pub(super) fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS | Options::ENABLE_GFM
}

const LINK_REL: &str = "noopener noreferrer nofollow";

/// A link reference definition (`[label]: dest "title"`).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Definition {
    pub dest: String,
    pub title: String,
}

/// Definitions by label, compared as pulldown-cmark compares labels (Unicode
/// case folding, whitespace already collapsed). Filled in document order,
/// keeping the first definition of a label, as CommonMark does.
pub(super) type Definitions = HashMap<UniCase<String>, Definition>;

pub(super) struct Rendered {
    pub html: String,
    /// Labels of reference links (`[text][label]`, `[label]`) that neither
    /// the text nor `known` defines; they are shown as text.
    pub undefined: Vec<String>,
    /// The definitions the text makes.
    pub definitions: Vec<(String, Definition)>,
}

/// `markdown` to HTML. `known` are definitions made before this text (the
/// earlier blocks of a streamed answer): they resolve references the text
/// leaves undefined and, being earlier, win over the text's own ones.
pub(super) fn render(markdown: &str, known: &Definitions) -> Rendered {
    let mut undefined = Vec::new();
    let resolve = |link: BrokenLink| {
        let found = known.get(&UniCase::new(link.reference.to_string()));
        if found.is_none() {
            undefined.push(link.reference.to_string());
        }
        found.map(|d| (CowStr::from(d.dest.clone()), CowStr::from(d.title.clone())))
    };
    let mut parser = Parser::new_with_broken_link_callback(markdown, options(), Some(resolve));
    let events: Vec<Event> = parser.by_ref().collect();
    let definitions = parser
        .reference_definitions()
        .iter()
        .map(|(label, def)| (label.to_string(), Definition { dest: def.dest.to_string(), title: def.title.as_deref().unwrap_or("").to_string() }))
        .collect();
    drop(parser);
    let mut writer = Writer { out: String::with_capacity(markdown.len() * 3 / 2), known: Some(known).filter(|k| !k.is_empty()), ..Writer::default() };
    writer.write(&events);
    Rendered { html: writer.out, undefined, definitions }
}

#[derive(Default)]
struct Writer<'k> {
    out: String,
    known: Option<&'k Definitions>,
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
            Event::Code(code) | Event::InlineMath(code) | Event::DisplayMath(code) => {
                self.out.push_str("<code>");
                escape_into(&mut self.out, code);
                self.out.push_str("</code>");
            }
            // Raw HTML, block or inline, comments included: shown, never run.
            Event::Html(html) | Event::InlineHtml(html) => escape_into(&mut self.out, html),
            Event::FootnoteReference(label) => {
                self.out.push_str("[^");
                escape_into(&mut self.out, label);
                self.out.push(']');
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
            Tag::BlockQuote(Some(kind)) => {
                out.push_str("<blockquote class=\"alert-");
                out.push_str(alert_name(*kind));
                out.push_str("\">\n");
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
            // Not enabled in `options`.
            Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
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
            TagEnd::BlockQuote(_) => out.push_str("</blockquote>\n"),
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
            TagEnd::Image
            | TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::MetadataBlock(_) => {}
        }
    }

    /// The URL and title a link or image points to. Reference links take the
    /// earliest definition of their label: `known` ones come before the text.
    fn destination(&self, link_type: LinkType, dest: &str, title: &str, label: &str) -> (String, String) {
        let by_reference = matches!(
            link_type,
            LinkType::Reference | LinkType::ReferenceUnknown | LinkType::Collapsed | LinkType::CollapsedUnknown | LinkType::Shortcut | LinkType::ShortcutUnknown
        );
        let earlier = self.known.filter(|_| by_reference).and_then(|known| known.get(&UniCase::new(label.to_string())));
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
    escape_into(out, url);
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

fn alert_name(kind: BlockQuoteKind) -> &'static str {
    match kind {
        BlockQuoteKind::Note => "note",
        BlockQuoteKind::Tip => "tip",
        BlockQuoteKind::Important => "important",
        BlockQuoteKind::Warning => "warning",
        BlockQuoteKind::Caution => "caution",
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
