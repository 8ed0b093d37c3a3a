//! Markdown to HTML with comrak: GitHub-flavoured extensions, heading
//! anchors, syntax highlighting at build time (CSS classes, no JavaScript),
//! and links rewritten so they work under the site's base path.
//!
//! Raw HTML in Markdown is escaped, never passed through: skills come from
//! public collections, and a page must not run what a skill file contains.
//! comrak also blanks `javascript:` and similar URLs in this mode.

use comrak::options::Plugins;
use comrak::plugins::syntect::{SyntectAdapter, SyntectAdapterBuilder};
use comrak::nodes::NodeValue;
use comrak::{Arena, Options};
use std::sync::Arc;

pub struct Markdown {
    skill_options: Options<'static>,
    doc_options: Options<'static>,
    highlighter: SyntectAdapter,
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
            highlighter: SyntectAdapterBuilder::new().css().build(),
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

    /// A docs page. Links to `other.md` become links to that doc's page.
    pub fn doc_html(&self, markdown: &str) -> String {
        self.render(markdown, &self.doc_options, &[])
    }

    fn render(&self, markdown: &str, options: &Options, files: &[String]) -> String {
        let mut plugins = Plugins::default();
        plugins.render.codefence_syntax_highlighter = Some(&self.highlighter);
        let arena = Arena::new();
        let root = comrak::parse_document(&arena, markdown, options);
        link_bare_urls(&arena, root);
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
        let mut html = String::new();
        comrak::format_html_with_plugins(root, options, &mut html, &plugins).expect("writing to a String cannot fail");
        html
    }
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
    options.extension.strikethrough = true;
    options.extension.table = true;
    // Bare URLs are linked by `link_bare_urls`, not by comrak.
    options.extension.autolink = false;
    options.extension.tasklist = true;
    options.extension.footnotes = true;
    options.extension.header_id_prefix = Some(String::new());
    options.extension.link_url_rewriter = Some(rewrite.clone());
    options.extension.image_url_rewriter = Some(rewrite);
    options.render.r#unsafe = false;
    options.render.escape = true;
    options.render.github_pre_lang = true;
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
