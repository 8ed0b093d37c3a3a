//! One Markdown dialect everywhere (issue 11).
//!
//! The site renders skill and doc pages with comrak (`llmos::markdown`);
//! the browser renders the editor preview, user skill pages and chat
//! answers with the core's pulldown-cmark renderer
//! (`llmos_core::render_safe`, and `IncrementalMarkdown`, which equals it).
//! Every file of `tests/markdown/` goes through both, and after
//! normalising what the sides do differently on purpose (listed in
//! [`normalise`]) the HTML must be the same: the corpus is the proof that
//! the two speak one dialect. A failure lists every file that differs.
//!
//! Also here: no heading of a body can take an id the page around it uses,
//! and the docs' `#fragment` links land on a heading.
//!
//! `LLMOS_DIALECT_DUMP=1` prints both sides' HTML for every file.

use llmos::markdown::{is_reserved_id, Markdown};
use llmos_core::render_safe;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The corpus: (file name, Markdown), by name.
fn corpus() -> Vec<(String, String)> {
    let mut files: Vec<_> = fs::read_dir(root().join("tests/markdown"))
        .expect("tests/markdown")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .map(|path| (path.file_name().unwrap().to_string_lossy().into_owned(), fs::read_to_string(&path).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn both_renderers_speak_one_dialect_on_the_corpus() {
    let site = Markdown::new("/", false);
    let dump = std::env::var_os("LLMOS_DIALECT_DUMP").is_some();
    let corpus = corpus();
    assert!(corpus.len() >= 40, "the corpus has {} files", corpus.len());
    let mut differ = Vec::new();
    for (name, markdown) in &corpus {
        let site_html = site.skill_html(markdown, &[]);
        let browser_html = render_safe(markdown);
        if dump {
            println!("==== {name}\n---- site\n{site_html}---- browser\n{browser_html}");
        }
        let (a, b) = (normalise(&site_html, Side::Site), normalise(&browser_html, Side::Browser));
        if a != b {
            let at = a.iter().zip(&b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
            let show = |tokens: &[Token]| tokens[at.saturating_sub(3)..(at + 4).min(tokens.len())].iter().map(Token::to_string).collect::<String>();
            differ.push(format!("{name}: first difference at token {at}\n    site:    {}\n    browser: {}", show(&a), show(&b)));
        }
    }
    assert!(differ.is_empty(), "{} of {} corpus files render differently:\n{}", differ.len(), corpus.len(), differ.join("\n"));
}

/// Every file also renders the same whether the chat streams it in pieces
/// or the preview renders it whole.
#[test]
fn streamed_answers_equal_the_preview_on_the_corpus() {
    for (name, markdown) in corpus() {
        let expected = render_safe(&markdown);
        for step in [1, 3, 7, 64] {
            let mut md = llmos_core::IncrementalMarkdown::new();
            let chars: Vec<char> = markdown.chars().collect();
            for piece in chars.chunks(step) {
                md.push(&piece.iter().collect::<String>());
            }
            md.finish();
            assert_eq!(md.html(), expected, "{name} streamed in pieces of {step} characters");
        }
    }
}

#[test]
fn the_issue_examples_render_as_maths_and_footnotes() {
    let site = Markdown::new("/", false);
    for html in [site.skill_html("\\(E=mc^2\\) and \\(a*b*c\\)\n", &[]), render_safe("\\(E=mc^2\\) and \\(a*b*c\\)\n")] {
        assert!(html.contains("<span class=\"math math-inline\">E=mc^2</span> and <span class=\"math math-inline\">a*b*c</span>"), "{html}");
    }
    for html in [site.skill_html("\\[ a \\\\ b \\]\n", &[]), render_safe("\\[ a \\\\ b \\]\n")] {
        assert!(html.contains("<span class=\"math math-display\"> a \\\\ b </span>"), "row break kept: {html}");
    }
    let preview = render_safe("text[^1]\n\n[^1]: note\n");
    assert!(preview.contains("<sup class=\"footnote-ref\">1</sup>") && preview.contains("<section class=\"footnotes\">"), "{preview}");
}

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Site,
    Browser,
}

/// A tag or a piece of text.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open(String, Vec<(String, String)>),
    Close(String),
    Text(String),
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Token::Open(name, attributes) => {
                write!(f, "<{name}")?;
                for (key, value) in attributes {
                    write!(f, " {key}=\"{value}\"")?;
                }
                write!(f, ">")
            }
            Token::Close(name) => write!(f, "</{name}>"),
            Token::Text(text) => write!(f, "{text:?}"),
        }
    }
}

/// Elements with no end tag.
const VOID: &[&str] = &["br", "hr", "img", "input"];

/// Splits the HTML the renderers write (well formed: text is escaped and
/// attribute values are double-quoted) into tags and text.
fn tokens(html: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(tag) = rest.strip_prefix('<') {
            let mut end = 0;
            let mut quoted = false;
            for (i, c) in tag.char_indices() {
                match c {
                    '"' => quoted = !quoted,
                    '>' if !quoted => {
                        end = i;
                        break;
                    }
                    _ => {}
                }
            }
            let inside = tag[..end].trim_end_matches('/').trim();
            rest = &tag[end + 1..];
            if let Some(name) = inside.strip_prefix('/') {
                out.push(Token::Close(name.trim().to_string()));
                continue;
            }
            let name_end = inside.find(char::is_whitespace).unwrap_or(inside.len());
            let mut attributes = Vec::new();
            let mut attrs = inside[name_end..].trim();
            while !attrs.is_empty() {
                let key_end = attrs.find(['=', ' ']).unwrap_or(attrs.len());
                let key = attrs[..key_end].to_string();
                attrs = &attrs[key_end..];
                let mut value = String::new();
                if let Some(quoted) = attrs.strip_prefix("=\"") {
                    let value_end = quoted.find('"').expect("closing quote");
                    value = quoted[..value_end].to_string();
                    attrs = &quoted[value_end + 1..];
                }
                attributes.push((key, value));
                attrs = attrs.trim_start();
            }
            let name = inside[..name_end].to_string();
            let void = VOID.contains(&name.as_str());
            out.push(Token::Open(name.clone(), attributes));
            if void {
                out.push(Token::Close(name));
            }
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            out.push(Token::Text(rest[..end].to_string()));
            rest = &rest[end..];
        }
    }
    out
}

fn class(attributes: &[(String, String)]) -> &str {
    attributes.iter().find(|(k, _)| k == "class").map_or("", |(_, v)| v.as_str())
}

/// The HTML as tokens, with what the two sides do differently on purpose
/// taken out. Each rule says which difference it covers; nothing else is
/// normalised, so any other difference fails the test.
fn normalise(html: &str, side: Side) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    // Open elements, and whether each one's tags were dropped.
    let mut open: Vec<(String, bool)> = Vec::new();
    let mut in_pre = 0usize;
    // Inside an element dropped with all it holds.
    let mut skip_depth = 0usize;
    let mut input = tokens(html).into_iter().peekable();
    while let Some(token) = input.next() {
        match token {
            Token::Open(name, mut attributes) => {
                let class = class(&attributes).to_string();
                let drop_all = skip_depth > 0
                    // The browser's copy button (`<button class="copy-code">`):
                    // the site's code blocks get theirs from the page.
                    || (side == Side::Browser && name == "button" && class == "copy-code")
                    // The site's heading anchors and footnote back links:
                    // the browser writes no ids, so links to them would go
                    // nowhere (app/src/markdown/mod.rs).
                    || (side == Side::Site && name == "a" && (class == "anchor" || class == "footnote-backref"));
                if drop_all {
                    skip_depth += 1;
                    open.push((name, true));
                    continue;
                }
                // Wrappers that only one side writes: the browser's
                // `<div class="code-block">` around code, for the copy
                // button; the site's link inside a footnote reference.
                let drop_tag = (side == Side::Browser && name == "div" && class == "code-block")
                    || (side == Side::Site && name == "a" && attributes.iter().any(|(k, _)| k == "data-footnote-ref"))
                    // Syntax highlighting: the site highlights at build
                    // time, with spans; the browser does not.
                    || (side == Side::Site && in_pre > 0 && name == "span");
                if drop_tag {
                    open.push((name, true));
                    continue;
                }
                // Images: the site shows same-site images; the browser
                // always writes a link to the image (nothing is fetched
                // without a click: see html::Writer::start_image).
                if side == Side::Site && name == "img" {
                    let get = |key: &str| attributes.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
                    let mut link = vec![("href".to_string(), get("src").unwrap_or_default())];
                    if let Some(title) = get("title") {
                        link.push(("title".to_string(), title));
                    }
                    out.push(Token::Open("a".into(), link));
                    out.push(Token::Text(get("alt").unwrap_or_default()));
                    out.push(Token::Close("a".into()));
                    if input.peek() == Some(&Token::Close("img".into())) {
                        input.next();
                    }
                    continue;
                }
                if name == "pre" {
                    in_pre += 1;
                    // The site's highlighter writes
                    // `<pre class="syntax-highlighting">`; the browser's
                    // classes on `<pre>` are its own (`raw-html` is kept).
                    attributes.retain(|(key, value)| key == "class" && value == "raw-html");
                }
                attributes.retain(|(key, value)| {
                    let dropped =
                        // Ids: the browser writes none. `rel`: the browser
                        // marks every link of untrusted text `noopener
                        // noreferrer nofollow`. `data-*` and `aria-*`: the
                        // site's footnote and heading markup.
                        key == "id" || key == "rel" || key.starts_with("data-") || key.starts_with("aria-")
                        // The class the browser gives links made from images.
                        || (key == "class" && value == "image-link")
                        // comrak's class on task list checkboxes.
                        || (key == "class" && value == "task-list-item-checkbox")
                        // The language of a code block: the browser names it
                        // on `<code class>`, the site's highlighter only in
                        // its spans' classes.
                        || (in_pre > 0 && name == "code" && key == "class");
                    !dropped
                });
                // Boolean attributes (`disabled=""` and `disabled`) read the
                // same already; order does not matter.
                attributes.sort();
                open.push((name.clone(), false));
                out.push(Token::Open(name, attributes));
            }
            Token::Close(name) => {
                let dropped = open.pop().map(|(_, dropped)| dropped).unwrap_or(false);
                if skip_depth > 0 && dropped {
                    skip_depth -= 1;
                    continue;
                }
                if name == "pre" {
                    in_pre = in_pre.saturating_sub(1);
                }
                if !dropped {
                    out.push(Token::Close(name));
                }
            }
            Token::Text(text) if skip_depth == 0 => {
                let text = text.replace("&quot;", "\"").replace("&#39;", "'").replace("&#x27;", "'");
                match out.last_mut() {
                    Some(Token::Text(previous)) => previous.push_str(&text),
                    _ => out.push(Token::Text(text)),
                }
            }
            Token::Text(_) => {}
        }
    }
    // Whitespace outside code: collapsed, and dropped where it only lays
    // out the HTML (next to tags).
    let mut in_pre = 0usize;
    let mut result = Vec::new();
    for token in out {
        match token {
            Token::Open(ref name, _) if name == "pre" => {
                in_pre += 1;
                result.push(token);
            }
            Token::Close(ref name) if name == "pre" => {
                in_pre -= 1;
                result.push(token);
            }
            Token::Text(text) if in_pre == 0 => {
                let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
                if !collapsed.is_empty() {
                    result.push(Token::Text(collapsed));
                }
            }
            token => result.push(token),
        }
    }
    result
}

/// Ids the templates and the islands write: `id="…"` in templates and
/// island markup, `set_id("…")`, the editor's `field(…, "id", …)`, and
/// `id=format!("…")` with its placeholder filled in.
fn page_ids() -> BTreeSet<String> {
    let mut files = Vec::new();
    for dir in ["theme/templates", "islands/src", "evolution/src", "sync/src", "runner/src"] {
        collect(&root().join(dir), &mut files);
    }
    let mut ids = BTreeSet::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        for pattern in ["id=\"", "set_id(\"", "id=format!(\""] {
            for (at, _) in text.match_indices(pattern) {
                if at > 0 && text.as_bytes()[at - 1].is_ascii_alphanumeric() || text[..at].ends_with("-") || text[..at].ends_with('_') {
                    continue;
                }
                let value = &text[at + pattern.len()..];
                let value = &value[..value.find('"').unwrap()];
                if value.contains("{{") {
                    continue;
                }
                // Placeholders: an index, or an editor field's id.
                ids.insert(value.replace("{i}", "7").replace("{n}", "7").replace("{id}", "skill-name"));
            }
        }
        for (at, _) in text.match_indices("field(\"") {
            let rest = &text[at + 7..];
            let after_label = &rest[rest.find('"').unwrap() + 1..];
            if let Some(id) = after_label.strip_prefix(", \"") {
                ids.insert(id[..id.find('"').unwrap()].to_string());
            }
        }
    }
    ids
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs" || e == "html") {
            out.push(path);
        }
    }
}

/// The `id`s of headings in `html`.
fn heading_ids(html: &str) -> Vec<String> {
    html.match_indices("<h").filter_map(|(at, _)| html[at..].split_once('>').map(|(tag, _)| tag.to_string())).filter_map(|tag| {
        let value = tag.split_once(" id=\"")?.1;
        Some(value[..value.find('"')?].to_string())
    })
    .collect()
}

#[test]
fn no_heading_takes_an_id_the_page_uses() {
    let ids = page_ids();
    for expected in ["main", "files-h", "io-h", "search-results", "search-result-7", "skill-name", "framed-notice"] {
        assert!(ids.contains(expected), "the scan missed {expected}: {ids:?}");
    }
    let missing: Vec<_> = ids.iter().filter(|id| !is_reserved_id(id)).collect();
    assert!(missing.is_empty(), "used by a template or island but not in llmos::markdown::RESERVED_IDS: {missing:?}");
    let site = Markdown::new("/", false);
    for id in &ids {
        let title = id.replace('-', " ");
        let markdown = format!("# {id}\n\n## {title}\n\n### {}\n", title.to_uppercase());
        for html in [site.skill_html(&markdown, &[]), site.doc_html(&markdown)] {
            let headings = heading_ids(&html);
            assert_eq!(headings.len(), 3, "{html}");
            assert!(!headings.contains(id), "a heading took the page's id {id}: {html}");
        }
    }
    // Footnote ids of the same document are taken too.
    let html = site.skill_html("## fn 1\n\n## fnref 1\n\nText[^1].\n\n[^1]: Note.\n", &[]);
    assert_eq!(heading_ids(&html), ["fn-1-1", "fnref-1-1"], "{html}");
    // And the issue's example: `## Main` beside `<main id="main">`.
    let html = site.skill_html("## Main\n\n[back](#main-1)\n", &[]);
    assert!(html.contains("<h2 id=\"main-1\">"), "{html}");
}

/// The docs' links to headings (`other.md#part`, `#part`) land on one.
#[test]
fn docs_fragment_links_land_on_headings() {
    let site = Markdown::new("/", false);
    let mut pages: BTreeMap<String, (String, BTreeSet<String>)> = BTreeMap::new();
    for entry in fs::read_dir(root().join("content")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let html = site.doc_html(&fs::read_to_string(&path).unwrap());
        let stem = path.file_stem().unwrap().to_string_lossy();
        let ids = heading_ids(&html).into_iter().collect();
        pages.insert(format!("/docs/{}/", llmos_core::slugify(&stem)), (html, ids));
    }
    let mut checked = 0;
    for (page, (html, own)) in &pages {
        for (at, _) in html.match_indices("href=\"") {
            let href = &html[at + 6..];
            let href = &href[..href.find('"').unwrap()];
            let Some((target, fragment)) = href.split_once('#') else { continue };
            if fragment.starts_with("fn") {
                continue;
            }
            let ids = if target.is_empty() { Some(own) } else { pages.get(target).map(|(_, ids)| ids) };
            let Some(ids) = ids else { continue };
            assert!(ids.contains(fragment), "{page}: link {href} has no heading {fragment:?}; headings: {ids:?}");
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} fragment links checked");
}
