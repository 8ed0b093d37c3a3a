//! Markdown to HTML with comrak: the dialect the browser's renderer speaks
//! (`llmos_core::markdown`, whose module docs write it down), heading
//! anchors, syntax highlighting at build time (CSS classes, no JavaScript),
//! and links rewritten so they work under the site's base path.
//!
//! The dialect's options are set in one place, [`options`]; what comrak
//! does differently is brought in line after parsing:
//!
//! - bare URLs are linked by the core's rule (`link_bare_urls`);
//! - `\(…\)` and `\[…\]` maths are found by the core's rule
//!   (`llmos_core::markdown::tex_maths`) and reach comrak as placeholders
//!   that become maths nodes (`tex_maths`); dollar maths is comrak's own;
//! - maths is written as the browser writes it:
//!   `<span class="math math-inline">TeX</span>` (`math-display` for
//!   `$$…$$` and `\[…\]`), the TeX escaped and otherwise unchanged.
//!
//! Raw HTML in Markdown is escaped, never passed through: skills come from
//! public collections, and a page must not run what a skill file contains.
//! comrak also blanks `javascript:` and similar URLs in this mode.
//!
//! Heading ids are GitHub's slugs, so links written for a skill's GitHub
//! page keep working, except that no heading takes an id the page around
//! it uses ([`RESERVED_IDS`], and the document's footnote ids): such a
//! heading gets the next free suffix (`## Main` is `main-1`).
//! `tests/markdown_dialect.rs` checks every id the templates and islands
//! write is reserved.

use comrak::adapters::{HeadingAdapter, HeadingMeta};
use comrak::nodes::{AstNode, NodeMath, NodeValue};
use comrak::options::Plugins;
use comrak::plugins::syntect::{SyntectAdapter, SyntectAdapterBuilder};
use comrak::{Anchorizer, Arena, Options};
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex};

/// Ids the theme's pages and islands give their own elements; no heading
/// in a skill or doc body gets one. Keep in step with `theme/templates`,
/// `islands/src`, `evolution/src`, `sync/src` and `runner/src` (the dialect test fails otherwise).
pub const RESERVED_IDS: &[&str] = &[
    // theme/templates
    "main", "io-h", "files-h", "not-found-search", "run-h", "run-panel", "llmos-runner-config",
    // where skills run: the Run panel, the editor's Test run, the chat's runs
    "live-runs", "skill-code", "test-run", "test-run-skill", "user-skill-run",
    // islands
    "api-key", "attached-skill", "base-url", "chat-filter", "continue", "chat-input", "chat-notice", "conversations", "delete-skill", "diagnostics", "draft-restored",
    "edit-skill", "export-all", "export-json", "export-markdown", "export-skill", "forget-key", "framed-notice", "import-chats", "import-files",
    "import-button", "import-folder", "key-origin-cancel", "key-origin-question", "key-origin-send", "key-status", "live", "live-frozen", "live-tail",
    "load-models", "max-tokens", "max-tokens-note", "messages", "mode-form", "mode-raw", "model", "model-list", "more-settings", "my-skill-list", "my-skills-state", "new-chat",
    "outcome-not-solved", "outcome-solved", "preview-body", "provider", "regenerate", "remove-attached", "save-key", "save-skill", "search-input",
    "search-docs", "search-docs-heading", "search-results", "send", "shadow-notice", "skill-body", "skill-category", "skill-description", "skill-keywords", "skill-name",
    "skill-raw", "skill-type", "stop", "storage-usage", "system-prompt", "use-in-chat", "user-shelf", "user-skill-body", "user-skill-state", "chat-traces",
    // evolution/src: the traces and evolution pages
    "auto-every", "evolution-intro", "evolution-status", "export-traces", "find-patterns", "pattern-list", "patterns-state", "proposals-badge", "synthesis-on", "semantic-on", "semantic-note", "embeddings-model",
    "to-evolution", "trace-filter", "trace-list", "trace-outcome", "traces-state",
    // sync/src: the sync page
    "sync-api", "sync-branch", "sync-conflicts", "sync-forget", "sync-now", "sync-problems", "sync-repository", "sync-save", "sync-status", "sync-token", "sync-token-hint",
    // the header's sync status (theme/templates/base.html), the editor's empty preview
    "sync-indicator", "preview-waiting",
];

/// Whether the page around a rendered body may use `id`: one of
/// [`RESERVED_IDS`], a search result's `search-result-N`, or the problems
/// list of an editor field, `<field id>-problems`.
pub fn is_reserved_id(id: &str) -> bool {
    RESERVED_IDS.contains(&id)
        || id.strip_prefix("search-result-").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        || id.strip_suffix("-problems").is_some_and(|field| RESERVED_IDS.contains(&field))
}

pub struct Markdown {
    skill_options: Options<'static>,
    doc_options: Options<'static>,
    /// Shared by every renderer of the process: loading syntect's syntax
    /// and theme sets takes milliseconds, and the dev server makes a
    /// renderer per edit.
    highlighter: &'static SyntectAdapter,
    remote_images: bool,
}

impl Markdown {
    /// `remote_images`: show images from other sites (`llmos.toml`
    /// `remote_images = true`). Off by default: a page that opens must make
    /// no request to another site, so such images become links.
    pub fn new(base_path: &str, remote_images: bool) -> Self {
        let base = base_path.to_string();
        let doc_base = base.clone();
        Markdown {
            skill_options: options(move |url: &str| rebase(&base, url)),
            doc_options: options(move |url: &str| rebase(&doc_base, &doc_link(url))),
            highlighter: {
                static HIGHLIGHTER: std::sync::OnceLock<SyntectAdapter> = std::sync::OnceLock::new();
                HIGHLIGHTER.get_or_init(|| SyntectAdapterBuilder::new().css().build())
            },
            remote_images,
        }
    }

    /// A skill body. Relative links stay relative: the page sits in the skill's
    /// folder, next to its copied `scripts/`, `references/` and `assets/`.
    /// Links and images naming one of `files` point at its published name
    /// (see `llmos_core::published_path`).
    pub fn skill_html(&self, markdown: &str, files: &[String]) -> String {
        self.render(markdown, &self.skill_options, files)
    }

    /// `code` as highlighted HTML (escaped, with syntect's class names, no
    /// `<pre>`), its language told by `token`: a file extension or a
    /// language name (`py`, `sh`, `json`); unknown tokens fall back to the
    /// first line (a `#!` line) and then to plain text.
    pub fn highlight(&self, token: &str, code: &str) -> String {
        use comrak::adapters::SyntaxHighlighterAdapter;
        let mut html = String::with_capacity(code.len() * 2);
        if self.highlighter.write_highlighted(&mut html, Some(token), code).is_err() {
            html.clear();
            comrak::html::escape(&mut html, code).expect("writing to a String cannot fail");
        }
        html
    }

    /// A docs page. Links to `other.md` become links to that doc's page.
    pub fn doc_html(&self, markdown: &str) -> String {
        self.render(markdown, &self.doc_options, &[])
    }

    fn render(&self, markdown: &str, options: &Options, files: &[String]) -> String {
        let tex = llmos_core::markdown::tex_maths(markdown);
        let source = with_placeholders(markdown, &tex);
        let arena = Arena::new();
        let root = comrak::parse_document(&arena, &source, options);
        alerts_as_on_github(&arena, root, &source);
        if !tex.is_empty() {
            tex_maths(&arena, root, markdown, &tex);
        }
        link_bare_urls(&arena, root);
        unlink_unsafe_urls_and_show_raw_html(root);
        for node in root.descendants() {
            let mut ast = node.data.borrow_mut();
            let (NodeValue::Link(link) | NodeValue::Image(link)) = &mut ast.value else { continue };
            if let Some(published) = published_file_url(&link.url, files) {
                link.url = published;
            }
            if let NodeValue::Image(link) = &ast.value {
                if !self.remote_images && llmos_core::markdown::is_remote_url(&link.url) {
                    let link = link.clone();
                    ast.value = NodeValue::Link(link);
                    drop(ast);
                    if node.first_child().is_none() {
                        node.append(arena.alloc(NodeValue::Text("image".into()).into()));
                    }
                }
            }
        }
        let headings = HeadingIds::new(root);
        let mut plugins = Plugins::default();
        plugins.render.codefence_syntax_highlighter = Some(self.highlighter);
        plugins.render.heading_adapter = Some(&headings);
        let mut html = String::new();
        comrak::format_html_with_plugins(root, options, &mut html, &plugins).expect("writing to a String cannot fail");
        // comrak's maths element, made the browser's. Text is escaped, so
        // only comrak can have written `<span data-math-style=`.
        if html.contains("<span data-math-style=\"") {
            html = html
                .replace("<span data-math-style=\"inline\">", "<span class=\"math math-inline\">")
                .replace("<span data-math-style=\"display\">", "<span class=\"math math-display\">");
        }
        html
    }
}

/// An alert marker followed by text on its line (`> [!NOTE] Title`) makes
/// no alert on GitHub or in the browser, only in comrak: such an alert is
/// made a plain quote again, its first line back as text.
fn alerts_as_on_github<'a>(arena: &'a Arena<'a>, root: &'a AstNode<'a>, source: &str) {
    let titled: Vec<_> = root.descendants().filter(|node| matches!(&node.data.borrow().value, NodeValue::Alert(alert) if alert.title.is_some())).collect();
    if titled.is_empty() {
        return;
    }
    let line_starts: Vec<usize> = std::iter::once(0).chain(source.match_indices('\n').map(|(i, _)| i + 1)).collect();
    for node in titled {
        let line = node.data.borrow().sourcepos.start.line;
        let start = line_starts.get(line.saturating_sub(1)).copied().unwrap_or(source.len());
        let end = source[start..].find('\n').map_or(source.len(), |i| start + i);
        let line = &source[start..end];
        let marker = line.split_once('>').map_or(line, |(_, rest)| rest.strip_prefix(' ').unwrap_or(rest)).trim();
        node.data.borrow_mut().value = NodeValue::BlockQuote;
        let text = arena.alloc(NodeValue::Text(marker.to_string().into()).into());
        let paragraph = node.first_child().filter(|child| matches!(child.data.borrow().value, NodeValue::Paragraph));
        match (paragraph, paragraph.and_then(|p| p.first_child())) {
            (Some(_), Some(first)) => {
                first.insert_before(text);
                first.insert_before(arena.alloc(NodeValue::SoftBreak.into()));
            }
            (Some(paragraph), None) => paragraph.append(text),
            (None, _) => {
                let paragraph = arena.alloc(NodeValue::Paragraph.into());
                paragraph.append(text);
                node.prepend(paragraph);
            }
        }
    }
}

/// The dialect's sanitising, as the browser does it: a link or image to a
/// URL the core refuses (`javascript:`, `data:`…; see
/// `llmos_core::markdown::is_safe_url`) keeps only its text, and an HTML
/// block is shown as text in `<pre class="raw-html">`. (comrak alone would
/// write `href=""` and run the block's lines together.)
fn unlink_unsafe_urls_and_show_raw_html<'a>(root: &'a AstNode<'a>) {
    let nodes: Vec<_> = root
        .descendants()
        .filter(|node| match &node.data.borrow().value {
            NodeValue::Link(link) | NodeValue::Image(link) => !llmos_core::markdown::is_safe_url(&link.url),
            NodeValue::HtmlBlock(_) => true,
            _ => false,
        })
        .collect();
    for node in nodes {
        let html = match &node.data.borrow().value {
            NodeValue::HtmlBlock(block) => Some(format!("<pre class=\"raw-html\">{}</pre>\n", escape(&block.literal))),
            _ => None,
        };
        if let Some(html) = html {
            node.data.borrow_mut().value = NodeValue::Raw(html);
            continue;
        }
        while let Some(child) = node.first_child() {
            node.insert_before(child);
        }
        node.detach();
    }
}

/// Placeholder for the TeX of span `i`: private-use characters, which no
/// Markdown rule treats as anything but text.
fn placeholder(i: usize) -> String {
    format!("\u{E000}{i}\u{E001}")
}

/// `markdown` with the content of each TeX span replaced by its
/// placeholder; the delimiters stay, so comrak reads `\(…\)` as the text
/// `(…)` around it, with the emphasis and escapes inside gone.
fn with_placeholders<'m>(markdown: &'m str, tex: &[llmos_core::markdown::TexMath]) -> Cow<'m, str> {
    if tex.is_empty() {
        return Cow::Borrowed(markdown);
    }
    let mut out = String::with_capacity(markdown.len());
    let mut written = 0;
    for (i, span) in tex.iter().enumerate() {
        out.push_str(&markdown[written..span.content.start]);
        out.push_str(&placeholder(i));
        written = span.content.end;
    }
    out.push_str(&markdown[written..]);
    Cow::Owned(out)
}

/// Turns `(placeholder)` and `[placeholder]` in text into maths nodes, and
/// gives any placeholder left elsewhere (where comrak parsed differently
/// than the core) its source text back.
fn tex_maths<'a>(arena: &'a Arena<'a>, root: &'a AstNode<'a>, markdown: &str, tex: &[llmos_core::markdown::TexMath]) {
    let texts: Vec<_> = root.descendants().filter(|node| matches!(&node.data.borrow().value, NodeValue::Text(t) if t.contains('\u{E000}'))).collect();
    for node in texts {
        let text = match &node.data.borrow().value {
            NodeValue::Text(text) => text.to_string(),
            _ => continue,
        };
        let mut rest = text.as_str();
        let mut before = String::new();
        while let Some(at) = rest.find('\u{E000}') {
            let parsed = rest[at + 3..].find('\u{E001}').and_then(|end| {
                let index: usize = rest[at + 3..at + 3 + end].parse().ok()?;
                let span = tex.get(index)?;
                let (open, close) = if span.display { ('[', ']') } else { ('(', ')') };
                let after = at + 3 + end + 3;
                (rest[..at].ends_with(open) && rest[after..].starts_with(close)).then_some((span, at - 1, after + 1))
            });
            match parsed {
                Some((span, start, end)) => {
                    before.push_str(&rest[..start]);
                    if !before.is_empty() {
                        node.insert_before(arena.alloc(NodeValue::Text(std::mem::take(&mut before).into()).into()));
                    }
                    let math = NodeMath { dollar_math: true, display_math: span.display, literal: span.tex.clone() };
                    node.insert_before(arena.alloc(NodeValue::Math(math).into()));
                    rest = &rest[end..];
                }
                None => {
                    before.push_str(&rest[..at + 3]);
                    rest = &rest[at + 3..];
                }
            }
        }
        before.push_str(rest);
        node.data.borrow_mut().value = NodeValue::Text(before.into());
    }
    for node in root.descendants() {
        let mut ast = node.data.borrow_mut();
        let literal = match &mut ast.value {
            NodeValue::Text(text) => text.to_mut(),
            NodeValue::Code(code) => &mut code.literal,
            NodeValue::CodeBlock(block) => &mut block.literal,
            NodeValue::HtmlInline(html) => html,
            NodeValue::HtmlBlock(block) => &mut block.literal,
            NodeValue::Math(math) => &mut math.literal,
            _ => continue,
        };
        if literal.contains('\u{E000}') {
            *literal = restore_placeholders(literal, markdown, tex);
        }
    }
}

/// `text` with each placeholder replaced by the source it stands for.
fn restore_placeholders(text: &str, markdown: &str, tex: &[llmos_core::markdown::TexMath]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\u{E000}') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 3..];
        let span = after.find('\u{E001}').and_then(|end| Some((after[..end].parse::<usize>().ok().and_then(|i| tex.get(i))?, end)));
        match span {
            Some((span, end)) => {
                out.push_str(&markdown[span.content.clone()]);
                rest = &after[end + 3..];
            }
            None => {
                out.push('\u{E000}');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Writes headings with GitHub's slugs as ids, skipping ids the page
/// already uses (see [`is_reserved_id`]) and the document's footnote ids.
struct HeadingIds {
    /// `fn-…` and `fnref-…` ids of this document's footnotes.
    footnote_ids: HashSet<String>,
    /// The slugs given so far, and the id of each open heading.
    state: Mutex<(Anchorizer, Vec<String>)>,
}

impl HeadingIds {
    fn new<'a>(root: &'a AstNode<'a>) -> Self {
        let mut footnote_ids = HashSet::new();
        for node in root.descendants() {
            match &node.data.borrow().value {
                NodeValue::FootnoteDefinition(definition) => {
                    footnote_ids.insert(format!("fn-{}", definition.name));
                }
                NodeValue::FootnoteReference(reference) if reference.ref_num > 1 => {
                    footnote_ids.insert(format!("fnref-{}-{}", reference.name, reference.ref_num));
                }
                NodeValue::FootnoteReference(reference) => {
                    footnote_ids.insert(format!("fnref-{}", reference.name));
                }
                _ => {}
            }
        }
        HeadingIds { footnote_ids, state: Mutex::new((Anchorizer::new(), Vec::new())) }
    }
}

impl HeadingAdapter for HeadingIds {
    fn enter(&self, output: &mut dyn fmt::Write, heading: &HeadingMeta, _sourcepos: Option<comrak::nodes::Sourcepos>) -> fmt::Result {
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut id = state.0.anchorize(&heading.content);
        while is_reserved_id(&id) || self.footnote_ids.contains(&id) {
            id = state.0.anchorize(&heading.content);
        }
        write!(output, "<h{} id=\"{}\">", heading.level, escape(&id))?;
        state.1.push(id);
        Ok(())
    }

    fn exit(&self, output: &mut dyn fmt::Write, heading: &HeadingMeta) -> fmt::Result {
        let id = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).1.pop().unwrap_or_default();
        let text = escape(&heading.content);
        writeln!(
            output,
            "<a href=\"#{}\" aria-label=\"Link to heading '{text}'\" data-heading-content=\"{text}\" class=\"anchor\"></a></h{}>",
            escape(&id),
            heading.level
        )
    }
}

/// Text and attribute values: `&`, `<`, `>` and `"` escaped.
fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"']) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;"))
}

/// Turns bare `http(s)://` URLs in text into links, with the core's rule
/// (`llmos_core::markdown::next_bare_url`), the one the browser's renderer
/// uses. comrak's own autolink extension is off: besides differing from the
/// browser, it scans each URL to the next space before trimming it, which
/// made a 900 kB line of `<http://a` take 18 s.
fn link_bare_urls<'a>(arena: &'a Arena<'a>, root: &'a comrak::nodes::AstNode<'a>) {
    let texts: Vec<_> = root
        .descendants()
        .filter(|node| matches!(node.data.borrow().value, NodeValue::Text(_)))
        .filter(|node| !node.ancestors().skip(1).any(|a| matches!(a.data.borrow().value, NodeValue::Link(_) | NodeValue::Image(_))))
        .collect();
    for node in texts {
        let text = match &node.data.borrow().value {
            NodeValue::Text(text) => text.to_string(),
            _ => continue,
        };
        let mut written = 0;
        while let Some(url) = llmos_core::markdown::next_bare_url(&text, written) {
            if url.start > written {
                node.insert_before(arena.alloc(NodeValue::Text(text[written..url.start].to_string().into()).into()));
            }
            let link = arena.alloc(NodeValue::Link(Box::new(comrak::nodes::NodeLink { url: text[url.clone()].to_string(), title: String::new() })).into());
            link.append(arena.alloc(NodeValue::Text(text[url.clone()].to_string().into()).into()));
            node.insert_before(link);
            written = url.end;
        }
        if written > 0 {
            node.data.borrow_mut().value = NodeValue::Text(text[written..].to_string().into());
        }
    }
}

/// `assets/d.html#x` → `assets/d.html.txt#x` when `assets/d.html` is one of
/// the skill's files and is published under another name.
fn published_file_url(url: &str, files: &[String]) -> Option<String> {
    let (path, fragment) = url.split_once('#').map_or((url, None), |(p, f)| (p, Some(f)));
    let path = path.strip_prefix("./").unwrap_or(path);
    let published = llmos_core::published_path(path);
    if published == path || !files.iter().any(|f| f == path) {
        return None;
    }
    Some(match fragment {
        Some(fragment) => format!("{}#{fragment}", crate::render::url_path(&published)),
        None => crate::render::url_path(&published),
    })
}

fn options(rewrite: impl Fn(&str) -> String + Send + Sync + std::panic::RefUnwindSafe + 'static) -> Options<'static> {
    let rewrite = Arc::new(rewrite);
    let mut options = Options::default();
    // The dialect (`llmos_core::markdown`): GitHub's tables,
    // strikethrough, task lists, footnotes and alerts, and dollar maths.
    options.extension.strikethrough = true;
    options.extension.table = true;
    options.extension.tasklist = true;
    options.extension.footnotes = true;
    options.extension.alerts = true;
    options.extension.math_dollars = true;
    // Bare URLs are linked by `link_bare_urls`, not by comrak.
    options.extension.autolink = false;
    // TeX delimiters are found by the core's rule (`tex_maths`): comrak's
    // `math_latex` rescans the block for every `\(`, which is quadratic.
    options.extension.math_latex = false;
    // Heading ids come from `HeadingIds`, which keeps the page's ids free.
    options.extension.header_id_prefix = None;
    options.extension.link_url_rewriter = Some(rewrite.clone());
    options.extension.image_url_rewriter = Some(rewrite);
    options.render.r#unsafe = false;
    options.render.escape = true;
    options.render.github_pre_lang = true;
    options.render.tasklist_classes = true;
    options
}

/// Site-absolute paths (`/skills/x/`) get the base path in front.
fn rebase(base: &str, url: &str) -> String {
    match url.strip_prefix('/') {
        Some(rest) if !rest.starts_with('/') => format!("{base}{rest}"),
        _ => url.to_string(),
    }
}

/// `other.md#part` → `/docs/other/#part`, for links between docs pages.
fn doc_link(url: &str) -> String {
    if url.contains(':') || url.starts_with('/') || url.starts_with('#') {
        return url.to_string();
    }
    let (path, fragment) = url.split_once('#').map_or((url, ""), |(p, f)| (p, f));
    match path.trim_start_matches("./").strip_suffix(".md") {
        Some(stem) if !stem.contains('/') => {
            let hash = if fragment.is_empty() { String::new() } else { format!("#{fragment}") };
            format!("/docs/{}/{hash}", llmos_core::slugify(stem))
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gfm_extensions_and_anchors() {
        let md = Markdown::new("/", false);
        let html = md.skill_html("# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ https://example.com\n\n- [x] done\n\nNote[^1].\n\n[^1]: Footnote.\n", &[]);
        for needle in ["<table>", "<del>old</del>", "<a href=\"https://example.com\">", "type=\"checkbox\"", "class=\"footnotes\"", "id=\"title\""] {
            assert!(html.contains(needle), "{needle} missing in {html}");
        }
    }

    #[test]
    fn maths_in_all_four_delimiters_is_the_browsers_element() {
        let html = Markdown::new("/", false).skill_html("\\(a*b*c\\) $x_1$ $$y$$\n\n> \\[\n> a \\\\\n> b\n> \\]\n\n`\\(code\\)` costs $5-$10\n", &[]);
        assert!(html.contains("<p><span class=\"math math-inline\">a*b*c</span> <span class=\"math math-inline\">x_1</span> <span class=\"math math-display\">y</span></p>"), "{html}");
        assert!(html.contains("<span class=\"math math-display\">\na \\\\\nb\n</span>"), "container prefixes dropped, row break kept: {html}");
        assert!(html.contains("<code>\\(code\\)</code> costs $5-$10"), "{html}");
        assert!(!html.contains('\u{E000}'), "{html}");
    }

    #[test]
    fn headings_never_take_the_pages_ids() {
        let html = Markdown::new("/", false).skill_html("## Main\n\n## Files h\n\n## Search result 2\n\n## Main\n\n## Usage\n", &[]);
        for id in ["main-1", "files-h-1", "search-result-2-1", "main-2", "usage"] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{id} in {html}");
        }
        assert!(!html.contains("id=\"main\"") && !html.contains("id=\"files-h\""), "{html}");
        assert!(is_reserved_id("search-result-12") && !is_reserved_id("search-result-") && !is_reserved_id("search-result-1-1"));
    }

    #[test]
    fn unsafe_links_keep_their_text_and_html_blocks_show_as_text() {
        let html = Markdown::new("/", false).skill_html("[x](javascript:alert(1)) ![y](data:image/png;base64,AA)\n\n<div>\n*a*\n</div>\n", &[]);
        assert_eq!(html, "<p>x y</p>\n<pre class=\"raw-html\">&lt;div&gt;\n*a*\n&lt;/div&gt;\n</pre>\n");
    }

    #[test]
    fn alerts_and_task_lists_as_in_the_browser() {
        let html = Markdown::new("/", false).skill_html("> [!TIP]\n> Hi\n\n- [x] done\n", &[]);
        assert!(html.contains("<div class=\"markdown-alert markdown-alert-tip\">\n<p class=\"markdown-alert-title\">Tip</p>"), "{html}");
        assert!(html.contains("<ul class=\"contains-task-list\">\n<li class=\"task-list-item\">"), "{html}");
        let html = Markdown::new("/", false).skill_html("> [!NOTE] A title\n> body\n", &[]);
        assert_eq!(html, "<blockquote>\n<p>[!NOTE] A title\nbody</p>\n</blockquote>\n", "as on GitHub, not an alert");
    }

    #[test]
    fn code_is_highlighted_with_classes_at_build_time() {
        let html = Markdown::new("/", false).skill_html("```python\ndef f():\n    return 1  # one\n```\n", &[]);
        assert!(html.contains("<span class=\"storage type function python\">def</span>"), "{html}");
        assert!(html.contains("class=\"comment"), "{html}");
        assert!(!html.contains("<script"), "{html}");
    }

    #[test]
    fn raw_html_and_script_urls_are_neutralised() {
        let html = Markdown::new("/", false).skill_html("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))\n", &[]);
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<img src=x"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "raw HTML is shown as text, not dropped: {html}");
    }

    #[test]
    fn links_honour_the_base_path() {
        let md = Markdown::new("/repo/", false);
        let html = md.doc_html("[a](/skills/x/) [b](skill-format.md#name) [c](https://x.org/y.md) [d](#top) [e](./other.md)\n");
        assert!(html.contains("href=\"/repo/skills/x/\""), "{html}");
        assert!(html.contains("href=\"/repo/docs/skill-format/#name\""), "{html}");
        assert!(html.contains("href=\"https://x.org/y.md\""), "{html}");
        assert!(html.contains("href=\"#top\""), "{html}");
        assert!(html.contains("href=\"/repo/docs/other/\""), "{html}");
        let html = md.skill_html("[r](references/guide.md) ![i](/img.png)\n", &[]);
        assert!(html.contains("href=\"references/guide.md\""), "{html}");
        assert!(html.contains("src=\"/repo/img.png\""), "{html}");
    }

    #[test]
    fn remote_images_become_links_unless_the_publisher_opts_in() {
        let markdown = "![chart](assets/chart.png) ![track](https://elsewhere.example/t.png) ![](//cdn.example/x.png)\n";
        let html = Markdown::new("/", false).skill_html(markdown, &[]);
        assert!(html.contains("<img src=\"assets/chart.png\" alt=\"chart\""), "{html}");
        assert!(html.contains("<a href=\"https://elsewhere.example/t.png\">track</a>"), "{html}");
        assert!(html.contains("<a href=\"//cdn.example/x.png\">image</a>"), "{html}");
        assert_eq!(html.matches("<img").count(), 1, "{html}");
        let html = Markdown::new("/", true).skill_html(markdown, &[]);
        assert_eq!(html.matches("<img").count(), 3, "{html}");
    }

    #[test]
    fn links_to_bundled_files_follow_their_published_names() {
        let files = ["assets/cube.html".to_string(), "LICENSE".to_string(), "scripts/main.py".to_string()];
        let html = Markdown::new("/", false).skill_html("[cube](assets/cube.html#top) [l](./LICENSE) [m](scripts/main.py) [o](other.html)\n", &files);
        assert!(html.contains("href=\"assets/cube.html.txt#top\""), "{html}");
        assert!(html.contains("href=\"LICENSE.txt\""), "{html}");
        assert!(html.contains("href=\"scripts/main.py\""), "{html}");
        assert!(html.contains("href=\"other.html\""), "not a file of the skill: {html}");
    }

    #[test]
    fn bare_urls_are_linked_like_in_the_browser_in_linear_time() {
        let html = Markdown::new("/", false).skill_html("See https://example.com/a_(b). and `http://code` [x](http://y) <http://z>\n", &[]);
        assert!(html.contains("<a href=\"https://example.com/a_(b)\">https://example.com/a_(b)</a>."), "{html}");
        assert!(html.contains("<code>http://code</code>"), "{html}");
        assert_eq!(html.matches("<a ").count(), 3, "{html}");
        let started = std::time::Instant::now();
        Markdown::new("/", false).skill_html(&"<http://a".repeat(100_000), &[]);
        assert!(started.elapsed().as_secs() < 5, "900 kB of `<http://a` took {:?}", started.elapsed());
    }
}
