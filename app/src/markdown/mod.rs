//! Markdown: the one dialect LLMos speaks, and the browser's renderer of it
//! (the skill editor's live preview, user-skill pages, and chat answers
//! from an LLM as they stream in).
//!
//! # The dialect
//!
//! Written down here once; the site's renderer (comrak, `src/markdown.rs`,
//! native only, with build-time highlighting) and this one (pulldown-cmark,
//! small enough for the browser bundle) both speak it, and
//! `tests/markdown_dialect.rs` renders every file of `tests/markdown/`
//! through both and requires the same HTML, less the deliberate
//! differences listed there.
//!
//! - **CommonMark**, plus GitHub's **tables**, **strikethrough** (`~~x~~`),
//!   **task lists** (`- [x]`), **alerts** (`> [!NOTE]`, `[!TIP]`,
//!   `[!IMPORTANT]`, `[!WARNING]`, `[!CAUTION]`, written
//!   `<div class="markdown-alert markdown-alert-note">` with a
//!   `<p class="markdown-alert-title">`) and **footnotes** (`text[^1]`,
//!   `[^1]: note`: numbered in order of first reference, listed in a
//!   `<section class="footnotes">` at the end; references to undefined
//!   labels stay text).
//! - **Bare URLs**: `http(s)://` in text becomes a link, by
//!   [`next_bare_url`] on both sides.
//! - **Maths**, in all four delimiters LLMs write: `$…$` and `\(…\)`
//!   inline, `$$…$$` and `\[…\]` display. The TeX is kept away from
//!   Markdown (no emphasis, no escapes: `\\` row breaks survive) and is
//!   written escaped and unchanged in `<span class="math math-inline">` or
//!   `<span class="math math-display">` (a span, since display maths sits
//!   inside a paragraph; the theme makes it a block). Dollar maths follows
//!   pandoc's rules (no space inside the dollars; a closing `$` before a
//!   digit is not one, so `$5-$10` is money); TeX delimiters follow the rule
//!   in `tex`, shared with the site. Code spans and blocks are never maths.
//! - **Sanitising**: raw HTML, block and inline, is escaped and shown as
//!   text (blocks in `<pre class="raw-html">`); links and images go only to
//!   `http:`, `https:`, `mailto:` or relative URLs ([`is_safe_url`]),
//!   others keep their text, unlinked; `href`s are percent-encoded as
//!   comrak and cmark do.
//!
//! # This renderer
//!
//! pulldown-cmark parses (without its `html` feature) and `html` writes the
//! HTML, which keeps sanitising under our control. The text is untrusted
//! (a user's SKILL.md, an LLM that may have read a hostile page), and the
//! output is meant for `innerHTML`, so on top of the dialect:
//!
//! - every link gets `rel="noopener noreferrer nofollow"`;
//! - images are links to the image, not `<img>`, so nothing is fetched
//!   without a click (see `html::Writer::start_image`); the site shows
//!   same-site images;
//! - no element gets an id, so user content cannot clobber the page's ids:
//!   headings have none, and footnote references are numbers
//!   (`<sup class="footnote-ref">1</sup>`) without links or back links.
//!
//! Code blocks, for the UI's copy button (one listener on the container,
//! matching `[data-copy]`, copies the `code` element's text):
//!
//! ```html
//! <div class="code-block"><button type="button" class="copy-code" data-copy>Copy</button><pre><code class="language-rust">…</code></pre></div>
//! ```
//!
//! The language class is the info string's first word reduced to
//! `[A-Za-z0-9_+-]`, absent when empty. Other classes: `contains-task-list`
//! (list) and `task-list-item` (item) around disabled checkboxes,
//! `image-link` on links made from images.
//!
//! [`IncrementalMarkdown`] renders a streamed answer with work per token
//! that does not grow with the answer; its HTML after `finish` equals
//! [`render_safe`] of the whole text, footnotes included.

mod html;
mod stream;
mod tex;
mod url;

pub use stream::{IncrementalMarkdown, Update};
pub use url::{is_remote_url, is_safe as is_safe_url, next_bare_url};

use std::ops::Range;

/// A `\(…\)` or `\[…\]` maths span of a Markdown text, found by the
/// dialect's rule (see `tex`).
#[derive(Debug, Clone, PartialEq)]
pub struct TexMath {
    /// The bytes between the delimiters.
    pub content: Range<usize>,
    /// `\[…\]` rather than `\(…\)`.
    pub display: bool,
    /// The TeX: the content, less container prefixes of continuation lines.
    pub tex: String,
}

/// The TeX-delimited maths in `markdown`, for the site's renderer (comrak
/// has no such rule that is linear; see `tex`). The browser's renderer
/// applies the same rule to its own events.
pub fn tex_maths(markdown: &str) -> Vec<TexMath> {
    if !tex::may_contain(markdown) {
        return Vec::new();
    }
    let mut events: Vec<_> = pulldown_cmark::Parser::new_ext(markdown, html::options()).into_offset_iter().collect();
    html::money_is_not_maths(&mut events, markdown);
    tex::find(&events, markdown)
        .into_iter()
        .map(|span| TexMath { content: span.source.start + 2..span.source.end - 2, display: span.display, tex: span.tex })
        .collect()
}

/// Markdown in the dialect (see the module docs) to HTML that is safe to
/// insert with `innerHTML`.
pub fn render_safe(markdown: &str) -> String {
    let context = html::Context::default();
    let rendered = html::render(markdown, &context);
    if rendered.numbered.is_empty() {
        return rendered.html;
    }
    let notes = html::footnotes(&context, Some(&rendered));
    rendered.html + &notes
}

#[cfg(test)]
mod tests {
    use super::render_safe;

    /// Every tag and attribute in `html` is one the renderer writes, and
    /// every `href` is an allowed one. Text is escaped, so each `<` opens a
    /// tag we wrote, and attribute values hold no `"`.
    pub(super) fn assert_inert(html: &str) {
        const TAGS: &[&str] = &[
            "a", "blockquote", "br", "button", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "input", "li", "ol", "p", "pre",
            "section", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
        ];
        const ATTRIBUTES: &[&str] = &["align", "checked", "class", "data-copy", "disabled", "href", "rel", "start", "title", "type"];
        for tag in html.split('<').skip(1) {
            let tag = &tag[..tag.find('>').unwrap_or_else(|| panic!("unclosed tag in {html}"))];
            let mut parts = tag.trim_start_matches('/').splitn(2, ' ');
            let name = parts.next().unwrap_or("");
            assert!(TAGS.contains(&name), "<{name}> in {html}");
            let mut rest = parts.next().unwrap_or("").trim_start();
            while !rest.is_empty() {
                let name_end = rest.find(['=', ' ']).unwrap_or(rest.len());
                let attribute = &rest[..name_end];
                assert!(ATTRIBUTES.contains(&attribute), "{attribute} in {html}");
                rest = &rest[name_end..];
                if let Some(quoted) = rest.strip_prefix("=\"") {
                    let value_end = quoted.find('"').unwrap_or_else(|| panic!("unquoted attribute in {html}"));
                    let value = quoted[..value_end].replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
                    if attribute == "href" {
                        let value: String = value.chars().filter(|c| !c.is_ascii_control() && *c != ' ').collect::<String>().to_ascii_lowercase();
                        let scheme: String = value.chars().take_while(|c| !matches!(c, ':' | '/' | '?' | '#')).collect();
                        let schemed = value.len() > scheme.len() && value[scheme.len()..].starts_with(':');
                        assert!(!schemed || ["http", "https", "mailto"].contains(&scheme.as_str()), "href {value:?} in {html}");
                    }
                    rest = &quoted[value_end + 1..];
                }
                rest = rest.trim_start();
            }
        }
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let cases = [
            ("<script>alert(1)</script>\n", "<pre class=\"raw-html\">&lt;script&gt;alert(1)&lt;/script&gt;\n</pre>\n"),
            ("a <img src=x onerror=alert(1)> b\n", "<p>a &lt;img src=x onerror=alert(1)&gt; b</p>\n"),
            ("<svg onload=alert(1)>\n", "<pre class=\"raw-html\">&lt;svg onload=alert(1)&gt;\n</pre>\n"),
            ("x <iframe src=\"https://evil.example\"></iframe>\n", "<p>x &lt;iframe src=&quot;https://evil.example&quot;&gt;&lt;/iframe&gt;</p>\n"),
            ("<!-- hidden -->\n", "<pre class=\"raw-html\">&lt;!-- hidden --&gt;\n</pre>\n"),
            ("<a href=\"javascript:alert(1)\">x</a>\n", "<p>&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;</p>\n"),
            ("<div onclick=\"alert(1)\">\n*md*\n</div>\n", "<pre class=\"raw-html\">&lt;div onclick=&quot;alert(1)&quot;&gt;\n*md*\n&lt;/div&gt;\n</pre>\n"),
            ("text <b onclick=\"alert(1)\">bold</b>\n", "<p>text &lt;b onclick=&quot;alert(1)&quot;&gt;bold&lt;/b&gt;</p>\n"),
        ];
        for (markdown, expected) in cases {
            assert_eq!(render_safe(markdown), expected, "{markdown}");
            assert_inert(expected);
        }
    }

    #[test]
    fn script_urls_are_never_linked() {
        for markdown in [
            "[x](javascript:alert(1))",
            "[x](JAVASCRIPT:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x](jav&#x09;ascript:alert(1))",
            "[x](&#106;avascript:alert(1))",
            "[x](javascript&colon;alert(1))",
            "[x](<java\tscript:alert(1)>)",
            "[x](java\\\nscript:alert(1))",
            "<javascript:alert(1)>",
            "<JAVASCRIPT:alert(1)>",
            "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "<data:text/html,<script>alert(1)</script>>",
            "[x](vbscript:msgbox(1))",
            "[x](file:///etc/passwd)",
            "[x][r]\n\n[r]: javascript:alert(1)",
            "![x](javascript:alert(1))",
            "![x](data:image/svg+xml,<svg onload=alert(1)>)",
        ] {
            let html = render_safe(markdown);
            assert!(!html.contains("<a "), "{markdown} gave a link: {html}");
            assert_inert(&html);
        }
        assert_eq!(render_safe("[click](javascript:alert(1))"), "<p>click</p>\n", "the text stays, unlinked");
    }

    #[test]
    fn links_get_rel_and_escaped_attributes() {
        assert_eq!(
            render_safe("[a](https://x.org/?q=\"><script> \"t\\\"itle\") [b](/p) [c](#f) <mailto:a@b.c> <a@b.c>"),
            concat!(
                "<p><a href=\"https://x.org/?q=%22%3E%3Cscript%3E\" rel=\"noopener noreferrer nofollow\" title=\"t&quot;itle\">a</a> ",
                "<a href=\"/p\" rel=\"noopener noreferrer nofollow\">b</a> ",
                "<a href=\"#f\" rel=\"noopener noreferrer nofollow\">c</a> ",
                "<a href=\"mailto:a@b.c\" rel=\"noopener noreferrer nofollow\">mailto:a@b.c</a> ",
                "<a href=\"mailto:a@b.c\" rel=\"noopener noreferrer nofollow\">a@b.c</a></p>\n"
            )
        );
        let html = render_safe("[a](<https://x.org/\" onmouseover=\"alert(1)>)");
        assert!(html.contains("href=\"https://x.org/%22%20onmouseover=%22alert(1)\""), "percent-encoded as comrak does: {html}");
        assert_eq!(render_safe("[a](<a b.md>) [c](x?a=1&b='2'%41%zz)"), "<p><a href=\"a%20b.md\" rel=\"noopener noreferrer nofollow\">a</a> <a href=\"x?a=1&amp;b=&#x27;2&#x27;%41%25zz\" rel=\"noopener noreferrer nofollow\">c</a></p>\n");
        assert_inert(&html);
    }

    #[test]
    fn images_are_links_never_fetched() {
        assert_eq!(
            render_safe("![a *chart*](https://x.org/c.png?leak=secret \"T\") ![](/i.png)"),
            concat!(
                "<p><a href=\"https://x.org/c.png?leak=secret\" rel=\"noopener noreferrer nofollow\" title=\"T\" class=\"image-link\">a chart</a> ",
                "<a href=\"/i.png\" rel=\"noopener noreferrer nofollow\" class=\"image-link\">/i.png</a></p>\n"
            )
        );
        assert_eq!(
            render_safe("[![logo](/l.png)](https://x.org)"),
            "<p><a href=\"https://x.org\" rel=\"noopener noreferrer nofollow\">logo</a></p>\n",
            "links do not nest"
        );
    }

    #[test]
    fn bare_urls_become_links_outside_code_and_links() {
        assert_eq!(
            render_safe("Go to https://example.com/a?b=1&c=2. `https://in.code` [https://in.link](/x)"),
            concat!(
                "<p>Go to <a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"noopener noreferrer nofollow\">https://example.com/a?b=1&amp;c=2</a>. ",
                "<code>https://in.code</code> <a href=\"/x\" rel=\"noopener noreferrer nofollow\">https://in.link</a></p>\n"
            )
        );
    }

    #[test]
    fn code_blocks_carry_a_copy_button_and_a_clean_language() {
        assert_eq!(
            render_safe("```rust,ignore\nlet a = \"<b>\" && b;\n```\n"),
            "<div class=\"code-block\"><button type=\"button\" class=\"copy-code\" data-copy>Copy</button><pre><code class=\"language-rust\">let a = &quot;&lt;b&gt;&quot; &amp;&amp; b;\n</code></pre></div>\n"
        );
        let html = render_safe("```\"><script>alert(1)</script>\nx\n```\n");
        assert!(html.contains("<code class=\"language-scriptalert1script\">"), "{html}");
        assert_inert(&html);
        assert!(render_safe("    indented\n").contains("<pre><code>indented\n</code></pre>"));
        assert!(render_safe("```c++ {.numberLines}\n```\n").contains("class=\"language-c++\""));
    }

    #[test]
    fn gfm_tables_task_lists_and_strikethrough() {
        assert_eq!(
            render_safe("| a | b | c |\n|:--|:-:|--:|\n| 1 | **2** | 3 |\n"),
            "<table>\n<thead>\n<tr><th align=\"left\">a</th><th align=\"center\">b</th><th align=\"right\">c</th></tr>\n</thead>\n<tbody>\n<tr><td align=\"left\">1</td><td align=\"center\"><strong>2</strong></td><td align=\"right\">3</td></tr>\n</tbody>\n</table>\n"
        );
        assert_eq!(render_safe("| a |\n|---|\n"), "<table>\n<thead>\n<tr><th>a</th></tr>\n</thead>\n</table>\n");
        assert_eq!(
            render_safe("- [x] done\n- [ ] ~~todo~~\n"),
            "<ul class=\"contains-task-list\">\n<li class=\"task-list-item\"><input type=\"checkbox\" disabled checked> done</li>\n<li class=\"task-list-item\"><input type=\"checkbox\" disabled> <del>todo</del></li>\n</ul>\n"
        );
        assert!(render_safe("3. three\n\n   [ ] four\n").starts_with("<ol start=\"3\">\n<li><p>three</p>"));
    }

    #[test]
    fn footnotes_are_numbered_by_first_reference_and_listed_at_the_end() {
        let html = render_safe("a[^b] c[^A] d[^b] e[^none]\n\n[^a]: A with [^c]\n[^b]: B\n[^c]: C\n[^d]: unused\n");
        assert_eq!(
            html,
            concat!(
                "<p>a<sup class=\"footnote-ref\">1</sup> c<sup class=\"footnote-ref\">2</sup> d<sup class=\"footnote-ref\">1</sup> e[^none]</p>\n",
                "<section class=\"footnotes\">\n<ol>\n<li>\n<p>B</p>\n</li>\n<li>\n<p>A with <sup class=\"footnote-ref\">3</sup></p>\n</li>\n<li>\n<p>C</p>\n</li>\n</ol>\n</section>\n"
            )
        );
        assert_inert(&html);
        assert_eq!(render_safe("[^a]: never referenced\n"), "");
    }

    #[test]
    fn maths_in_all_four_delimiters_keeps_its_tex() {
        assert_eq!(
            render_safe("\\(E=mc^2\\) and \\(a*b*c\\), $x_1 < y$ and $$\\sum_i a_i$$\n"),
            concat!(
                "<p><span class=\"math math-inline\">E=mc^2</span> and <span class=\"math math-inline\">a*b*c</span>, ",
                "<span class=\"math math-inline\">x_1 &lt; y</span> and <span class=\"math math-display\">\\sum_i a_i</span></p>\n"
            )
        );
        assert_eq!(
            render_safe("\\[\na & b \\\\\nc & d\n\\]\n"),
            "<p><span class=\"math math-display\">\na &amp; b \\\\\nc &amp; d\n</span></p>\n",
            "row breaks kept"
        );
        assert_eq!(render_safe("`\\(x\\)` $5-$10\n"), "<p><code>\\(x\\)</code> $5-$10</p>\n", "code stays code; money is not maths");
        assert_inert(&render_safe("\\(</span><script>\\) $<b>$"));
    }

    #[test]
    fn maths_and_footnotes_take_linear_time_on_hostile_input() {
        let inputs = [
            "\\(".repeat(100_000) + "\n\n\\)",
            "\\(a\\)".repeat(50_000),
            "\\[a *b* \\]".repeat(30_000),
            "$a$5".repeat(50_000),
            "x[^a] ".repeat(50_000),
            (0..50_000).map(|i| format!("x[^f{i}] ")).collect::<String>() + "\n\n" + &(0..50_000).map(|i| format!("[^f{i}]: note\n")).collect::<String>(),
        ];
        for input in inputs {
            let started = std::time::Instant::now();
            assert_inert(&render_safe(&input));
            assert!(started.elapsed().as_secs() < 5, "{:?} on {:?}…", started.elapsed(), &input[..40]);
        }
    }

    #[test]
    fn headings_have_no_ids_and_blocks_render() {
        assert_eq!(render_safe("# Title {#main}\n"), "<h1>Title {#main}</h1>\n");
        assert_eq!(
            render_safe("> quote  \n> two\n\n***\n\n> [!WARNING]\n> Careful\n"),
            "<blockquote>\n<p>quote<br>\ntwo</p>\n</blockquote>\n<hr>\n<div class=\"markdown-alert markdown-alert-warning\">\n<p class=\"markdown-alert-title\">Warning</p>\n<p>Careful</p>\n</div>\n"
        );
    }
}
