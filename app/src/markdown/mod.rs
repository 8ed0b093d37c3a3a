//! Markdown in the browser: the skill editor's live preview, user-skill
//! pages, and chat answers from an LLM as they stream in.
//!
//! The static generator renders skill pages with comrak (native only, with
//! build-time highlighting); the browser bundle has a size budget, so here
//! pulldown-cmark parses (without its `html` feature) and `html` writes
//! the HTML, which keeps sanitising under our control. The text is untrusted
//! (a user's SKILL.md, an LLM that may have read a hostile page), and the
//! output is meant for `innerHTML`, so:
//!
//! - raw HTML, block and inline, is escaped and shown as text;
//! - links and images go only to `http:`, `https:`, `mailto:` or relative
//!   URLs (see `url::is_safe`); other links keep their text, unlinked;
//! - every link gets `rel="noopener noreferrer nofollow"`;
//! - images are links to the image, not `<img>`, so nothing is fetched
//!   without a click (see `html::Writer::start_image`);
//! - headings get no ids, so user content cannot clobber the page's ids;
//! - bare `http(s)://` URLs in text become links, as on GitHub.
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
//! `image-link` on links made from images, `raw-html` on the `<pre>` showing
//! an HTML block as text, `alert-note` (`-tip`, `-important`, `-warning`,
//! `-caution`) on GitHub alert quotes.
//!
//! [`IncrementalMarkdown`] renders a streamed answer with work per token
//! that does not grow with the answer; its HTML after `finish` equals
//! [`render_safe`] of the whole text.

mod html;
mod stream;
mod url;

pub use stream::{IncrementalMarkdown, Update};
pub use url::{is_remote_url, next_bare_url};

/// Markdown (CommonMark with GitHub tables, strikethrough, task lists,
/// alerts and bare URL links) to HTML that is safe to insert with `innerHTML`.
pub fn render_safe(markdown: &str) -> String {
    html::render(markdown, &html::Definitions::new()).html
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
            "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
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
                "<p><a href=\"https://x.org/?q=&quot;&gt;&lt;script&gt;\" rel=\"noopener noreferrer nofollow\" title=\"t&quot;itle\">a</a> ",
                "<a href=\"/p\" rel=\"noopener noreferrer nofollow\">b</a> ",
                "<a href=\"#f\" rel=\"noopener noreferrer nofollow\">c</a> ",
                "<a href=\"mailto:a@b.c\" rel=\"noopener noreferrer nofollow\">mailto:a@b.c</a> ",
                "<a href=\"mailto:a@b.c\" rel=\"noopener noreferrer nofollow\">a@b.c</a></p>\n"
            )
        );
        let html = render_safe("[a](<https://x.org/\" onmouseover=\"alert(1)>)");
        assert!(html.contains("href=\"https://x.org/&quot; onmouseover=&quot;alert(1)\""), "{html}");
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
    fn headings_have_no_ids_and_blocks_render() {
        assert_eq!(render_safe("# Title {#main}\n"), "<h1>Title {#main}</h1>\n");
        assert_eq!(
            render_safe("> quote  \n> two\n\n***\n\n> [!WARNING]\n> Careful\n"),
            "<blockquote>\n<p>quote<br>\ntwo</p>\n</blockquote>\n<hr>\n<blockquote class=\"alert-warning\">\n<p>Careful</p>\n</blockquote>\n"
        );
    }
}
