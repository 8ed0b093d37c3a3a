//! Markdown to HTML with comrak: GitHub-flavoured extensions, heading
//! anchors, syntax highlighting at build time (CSS classes, no JavaScript),
//! and links rewritten so they work under the site's base path.
//!
//! Raw HTML in Markdown is escaped, never passed through: skills come from
//! public collections, and a page must not run what a skill file contains.
//! comrak also blanks `javascript:` and similar URLs in this mode.

use comrak::options::Plugins;
use comrak::plugins::syntect::{SyntectAdapter, SyntectAdapterBuilder};
use comrak::Options;
use std::sync::Arc;

pub struct Markdown {
    skill_options: Options<'static>,
    doc_options: Options<'static>,
    highlighter: SyntectAdapter,
}

impl Markdown {
    pub fn new(base_path: &str) -> Self {
        let base = base_path.to_string();
        let doc_base = base.clone();
        Markdown {
            skill_options: options(move |url: &str| rebase(&base, url)),
            doc_options: options(move |url: &str| rebase(&doc_base, &doc_link(url))),
            highlighter: SyntectAdapterBuilder::new().css().build(),
        }
    }

    /// A skill body. Relative links stay relative: the page sits in the skill's
    /// folder, next to its copied `scripts/`, `references/` and `assets/`.
    pub fn skill_html(&self, markdown: &str) -> String {
        self.render(markdown, &self.skill_options)
    }

    /// A docs page. Links to `other.md` become links to that doc's page.
    pub fn doc_html(&self, markdown: &str) -> String {
        self.render(markdown, &self.doc_options)
    }

    fn render(&self, markdown: &str, options: &Options) -> String {
        let mut plugins = Plugins::default();
        plugins.render.codefence_syntax_highlighter = Some(&self.highlighter);
        comrak::markdown_to_html_with_plugins(markdown, options, &plugins)
    }
}

fn options(rewrite: impl Fn(&str) -> String + Send + Sync + std::panic::RefUnwindSafe + 'static) -> Options<'static> {
    let rewrite = Arc::new(rewrite);
    let mut options = Options::default();
    options.extension.strikethrough = true;
    options.extension.table = true;
    options.extension.autolink = true;
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
        let md = Markdown::new("/");
        let html = md.skill_html("# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ https://example.com\n\n- [x] done\n\nNote[^1].\n\n[^1]: Footnote.\n");
        for needle in ["<table>", "<del>old</del>", "<a href=\"https://example.com\">", "type=\"checkbox\"", "class=\"footnotes\"", "id=\"title\""] {
            assert!(html.contains(needle), "{needle} missing in {html}");
        }
    }

    #[test]
    fn code_is_highlighted_with_classes_at_build_time() {
        let html = Markdown::new("/").skill_html("```python\ndef f():\n    return 1  # one\n```\n");
        assert!(html.contains("<span class=\"storage type function python\">def</span>"), "{html}");
        assert!(html.contains("class=\"comment"), "{html}");
        assert!(!html.contains("<script"), "{html}");
    }

    #[test]
    fn raw_html_and_script_urls_are_neutralised() {
        let html = Markdown::new("/").skill_html("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))\n");
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<img src=x"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "raw HTML is shown as text, not dropped: {html}");
    }

    #[test]
    fn links_honour_the_base_path() {
        let md = Markdown::new("/repo/");
        let html = md.doc_html("[a](/skills/x/) [b](skill-format.md#name) [c](https://x.org/y.md) [d](#top) [e](./other.md)\n");
        assert!(html.contains("href=\"/repo/skills/x/\""), "{html}");
        assert!(html.contains("href=\"/repo/docs/skill-format/#name\""), "{html}");
        assert!(html.contains("href=\"https://x.org/y.md\""), "{html}");
        assert!(html.contains("href=\"#top\""), "{html}");
        assert!(html.contains("href=\"/repo/docs/other/\""), "{html}");
        let html = md.skill_html("[r](references/guide.md) ![i](/img.png)\n");
        assert!(html.contains("href=\"references/guide.md\""), "{html}");
        assert!(html.contains("src=\"/repo/img.png\""), "{html}");
    }
}
