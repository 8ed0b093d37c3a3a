//! Skill bodies that are valid UTF-8 but pathological Markdown: inputs
//! known to make CommonMark parsers quadratic (unclosed autolinks, brackets,
//! emphasis runs, deep quotes and lists), huge tables, and raw HTML that
//! must reach the page escaped.

use super::{body, Case};

const F: &str = "markdown";

/// `unit` repeated to about `bytes` bytes.
fn fill(unit: &str, bytes: usize) -> String {
    unit.repeat(bytes / unit.len().max(1))
}

pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    // The size the issue names: 900 kB of `<http://a`.
    cases.push(body(F, "md-unclosed-autolinks-900kB", || fill("<http://a", 900_000)));
    // Repeated units on one line, 200 kB each: the classic quadratic inputs.
    let one_line: [(&str, &str); 34] = [
        ("open-brackets", "["),
        ("close-brackets", "]"),
        ("bracket-paren", "[a]("),
        ("image-openers", "!["),
        ("link-in-link", "[a[b"),
        ("emphasis-mixed", "*a**a***"),
        ("underscores", "_"),
        ("stars", "*"),
        ("star-space", "* "),
        ("underscore-words", "a_b_"),
        ("tildes", "~~a"),
        ("backticks", "`"),
        ("backtick-runs", "``a`"),
        ("angle", "<"),
        ("html-comment-openers", "<!--"),
        ("html-tag-openers", "<a "),
        ("cdata-openers", "<![CDATA["),
        ("processing-openers", "<?"),
        ("entities", "&#"),
        ("named-entities", "&amp;&lt;&#x1F600;"),
        ("backslashes", "\\"),
        ("escaped-brackets", "\\[a\\]"),
        ("bare-urls", "http://a.b/ "),
        ("www-autolinks", "www.a.b "),
        ("email-autolinks", "a@b.c "),
        ("footnote-refs", "[^a]"),
        ("pipes", "|"),
        ("hashes", "#"),
        ("quotes-inline", "> "),
        ("list-markers-inline", "- "),
        ("ordered-markers-inline", "1. "),
        ("link-titles", "[a](b \"c"),
        ("nested-parens", "[a](("),
        ("emphasis-link-mix", "*[a*](b)"),
    ];
    for (label, unit) in one_line {
        cases.push(body(F, format!("md-{label}-200kB"), move || fill(unit, 200_000)));
    }
    // Nesting over many lines.
    cases.push(body(F, "md-quote-depth-10k", || {
        (1..=10_000).map(|depth| format!("{}a\n", "> ".repeat(depth))).take(2_000).collect()
    }));
    cases.push(body(F, "md-quote-one-line-100k", || format!("{}a\n", ">".repeat(100_000))));
    cases.push(body(F, "md-list-depth-1000", || (0..1_000).map(|depth| format!("{}- item\n", "  ".repeat(depth))).collect()));
    cases.push(body(F, "md-ordered-list-depth-1000", || (0..1_000).map(|depth| format!("{}1. item\n", "   ".repeat(depth))).collect()));
    cases.push(body(F, "md-mixed-container-depth", || fill("> - 1. > * ", 100_000)));
    cases.push(body(F, "md-100k-list-items", || "- item\n".repeat(100_000)));
    cases.push(body(F, "md-100k-headings", || "# heading\n".repeat(100_000)));
    cases.push(body(F, "md-100k-same-heading-ids", || "## Same\n\n".repeat(100_000)));
    cases.push(body(F, "md-100k-link-definitions", || {
        let definitions: String = (0..100_000).map(|i| format!("[l{i}]: /u{i}\n")).collect();
        let uses: String = (0..100_000).map(|i| format!("[l{i}] ")).collect();
        format!("{uses}\n\n{definitions}")
    }));
    cases.push(body(F, "md-100k-footnotes", || {
        let refs: String = (0..100_000).map(|i| format!("x[^f{i}] ")).collect();
        let notes: String = (0..100_000).map(|i| format!("[^f{i}]: note\n")).collect();
        format!("{refs}\n\n{notes}")
    }));
    cases.push(body(F, "md-footnote-cycle", || "a[^a]\n\n[^a]: b[^b]\n\n[^b]: c[^a]\n".repeat(1_000)));
    // Tables: very wide, very long, and unbalanced rows.
    cases.push(body(F, "md-table-10k-columns", || {
        let header = "|a".repeat(10_000) + "|\n";
        let rule = "|-".repeat(10_000) + "|\n";
        let row = "|1".repeat(10_000) + "|\n";
        format!("{header}{rule}{}", row.repeat(20))
    }));
    cases.push(body(F, "md-table-100k-rows", || format!("| a | b |\n|---|---|\n{}", "| 1 | 2 |\n".repeat(100_000))));
    cases.push(body(F, "md-table-short-header-long-rows", || format!("| a |\n|---|\n{}", format!("{}\n", "|x".repeat(2_000)).repeat(500))));
    cases.push(body(F, "md-table-pipes-1M", || format!("{}\n{}\n", "|".repeat(1 << 20), "|-".repeat(1 << 19))));
    // Code: unclosed fences, huge highlighted blocks, odd info strings.
    cases.push(body(F, "md-unclosed-fence", || format!("```rust\n{}", "fn main() {}\n".repeat(100_000))));
    cases.push(body(F, "md-highlighted-5MB", || format!("```python\n{}```\n", "def f(x):\n    return [x for x in range(10)]  # comment\n".repeat(100_000))));
    cases.push(body(F, "md-highlighted-one-line-5MB", || format!("```javascript\n{}\n```\n", "a(".repeat(2_500_000))));
    cases.push(body(F, "md-10k-fences", || "```\ncode\n```\n".repeat(10_000)));
    cases.push(body(F, "md-fence-info-huge", || format!("```{}\nx\n```\n", "lang".repeat(250_000))));
    cases.push(body(F, "md-indented-code-depth", || (0..5_000).map(|i| format!("{}x\n", " ".repeat(4 + i))).collect()));
    // Raw HTML and URL schemes: rendered, but escaped and unlinked.
    cases.push(body(F, "md-raw-html-script", || "<script>corpus-xss()</script>\n\n<img src=x onerror=corpus-xss()>\n\n[x](javascript:corpus-xss)\n\n<a href=\"javascript:corpus-xss\">a</a>\n".to_string()).raw_markup("<script>corpus-xss"));
    cases.push(body(F, "md-javascript-links", || "[x](javascript:corpus-xss) ![i](javascript:corpus-xss) <javascript:corpus-xss> [y](JaVaScRiPt:corpus-xss) [z](java\tscript:corpus-xss)\n".repeat(100)).raw_markup("href=\"javascript:corpus-xss"));
    cases.push(body(F, "md-setext-100k", || "a\n=\n".repeat(100_000)));
    cases.push(body(F, "md-task-list-100k", || "- [x] done\n- [ ] todo\n".repeat(50_000)));
    cases.push(body(F, "md-long-line-no-break-10MB", || "a".repeat(10 << 20)));
    cases.push(body(F, "md-hard-breaks-1M", || "a  \n".repeat(1 << 20)));
    cases.push(body(F, "md-zero-width-and-rtl", || "\u{200B}\u{202E}\u{FEFF}\u{2028}".repeat(100_000)));
    cases.push(body(F, "md-combining-marks", || format!("e{}", "\u{301}".repeat(500_000))));
    cases
}
