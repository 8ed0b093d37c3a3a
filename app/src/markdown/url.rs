//! Which URLs user content may link to, and bare URLs in text.
//!
//! A link in a chat answer or a skill preview is written by someone we do
//! not trust (a skill author, or an LLM steered by whatever it read), so an
//! `href` may only take the reader somewhere: the web, a mail client, or
//! another place in this site. Anything else (`javascript:`, `vbscript:`,
//! `data:`, `file:`, unknown schemes) could run code or read local data.

use std::ops::Range;

const ALLOWED_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// Whether a link destination may be written into an `href`: an allowed
/// scheme, or no scheme at all (relative URLs, `//host/…`, `#fragment`).
///
/// The URL is looked at the way a browser will read it: pulldown-cmark has
/// already decoded entities and backslash escapes (`&#106;avascript:` is
/// `javascript:` here), and browsers drop ASCII tabs and newlines anywhere
/// in a URL and trim controls and spaces at its ends, so `java\tscript:`
/// is `javascript:` to them. Control characters and spaces are therefore
/// skipped before the scheme is read. Anything with a colon before the
/// first `/`, `?` or `#` has a scheme, and only the allowed ones pass, in
/// any letter case; that also refuses things browsers would take as
/// relative (`a b:`), which costs nothing.
pub fn is_safe(url: &str) -> bool {
    let mut scheme = String::new();
    for c in url.chars() {
        match c {
            ':' => return ALLOWED_SCHEMES.iter().any(|allowed| scheme.eq_ignore_ascii_case(allowed)),
            '/' | '?' | '#' => return true,
            c if c.is_ascii_control() || c == ' ' => {}
            c => scheme.push(c),
        }
    }
    true
}

/// Whether an image or link URL points at another site: it has a scheme
/// (`https:`, `data:`…) or starts with `//`. Relative and site-absolute
/// URLs (`assets/x.png`, `/img/x.png`) stay on the site that serves the page.
/// The site generator shows images only when this is false (unless the
/// publisher opts in); see `content/privacy-and-keys.md`.
pub fn is_remote_url(url: &str) -> bool {
    let url = url.trim_start_matches(|c: char| c.is_ascii_control() || c == ' ');
    if url.starts_with("//") || url.starts_with("\\\\") || url.starts_with("/\\") || url.starts_with("\\/") {
        return true;
    }
    let end = url.find(['/', '?', '#']).unwrap_or(url.len());
    url[..end].contains(':')
}

/// The first bare `http://` or `https://` URL in `text` at or after `from`,
/// as a byte range: GitHub's extended autolinks, URL form only (LLMs write
/// URLs without angle brackets). Like GitHub: the URL starts a word (or
/// follows `(`, `*`, `_`, `~`, a quote), runs to whitespace or `<`, and
/// sentence punctuation and unbalanced closing parentheses at its end are
/// left out. Both schemes are allowed ones, so the result is always safe.
pub fn next_bare_url(text: &str, from: usize) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let mut at = from;
    while let Some(offset) = bytes[at..].iter().position(|b| b.eq_ignore_ascii_case(&b'h')) {
        let start = at + offset;
        at = start + 1;
        let rest = &bytes[start..];
        let scheme = if starts_with_ignore_case(rest, b"https://") {
            8
        } else if starts_with_ignore_case(rest, b"http://") {
            7
        } else {
            continue;
        };
        let starts_word = start == 0 || matches!(bytes[start - 1], b' ' | b'\t' | b'\n' | b'\r' | b'(' | b'*' | b'_' | b'~' | b'"' | b'\'');
        if !starts_word {
            continue;
        }
        let run = text[start..].find(|c: char| c.is_whitespace() || c == '<').map_or(text.len(), |i| start + i);
        let end = trim_url_end(&text[start..run]) + start;
        let host = text[start + scheme..end].split(['/', '?', '#', ':']).next().unwrap_or("");
        if host.bytes().any(|b| b.is_ascii_alphanumeric()) && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')) {
            return Some(start..end);
        }
    }
    None
}

fn starts_with_ignore_case(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes.len() >= prefix.len() && bytes[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// Length of `url` without trailing punctuation that belongs to the sentence.
fn trim_url_end(url: &str) -> usize {
    let mut end = url.len();
    loop {
        let kept = &url[..end];
        match kept.as_bytes().last() {
            Some(b'?' | b'!' | b'.' | b',' | b':' | b';' | b'*' | b'_' | b'~' | b'\'' | b'"') => end -= 1,
            Some(b')') if kept.matches(')').count() > kept.matches('(').count() => end -= 1,
            _ => return end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_urls_are_those_that_leave_the_site() {
        for url in ["https://x.example/a.png", "//x.example/a.png", "data:image/png;base64,AA", "HTTP://x", " https://x", "/\\x.example/a.png"] {
            assert!(is_remote_url(url), "{url}");
        }
        for url in ["assets/a.png", "/img/a.png", "../a.png", "#x", "a.png?x=1:2"] {
            assert!(!is_remote_url(url), "{url}");
        }
    }

    #[test]
    fn allowed_schemes_and_relative_urls_pass() {
        for url in ["https://example.com/a?b#c", "HTTP://x.org", "mailto:a@b.c", "/skills/x/", "guide.md", "../up", "#part", "?q=a:b", "//cdn.example/x", "dir/file:name", ""] {
            assert!(is_safe(url), "{url}");
        }
    }

    #[test]
    fn script_and_local_schemes_are_refused_however_written() {
        for url in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            " \u{1}javascript:alert(1)",
            "jav\u{0}ascript:x",
            "vbscript:msgbox(1)",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
            "tel:123",
            "a b:c",
        ] {
            assert!(!is_safe(url), "{url:?}");
        }
    }

    fn bare_urls(text: &str) -> Vec<&str> {
        let mut found = Vec::new();
        let mut from = 0;
        while let Some(range) = next_bare_url(text, from) {
            from = range.end;
            found.push(&text[range]);
        }
        found
    }

    #[test]
    fn bare_urls_leave_sentence_punctuation_out() {
        assert_eq!(bare_urls("See https://example.com/a_b?x=1. Or (http://x.org/wiki/A_(b)), then HTTPS://Y.io!"), [
            "https://example.com/a_b?x=1",
            "http://x.org/wiki/A_(b)",
            "HTTPS://Y.io"
        ]);
        assert!(bare_urls("xhttps://example.com https:// http://<x> https://a..b/").len() == 1, "only words, hosts required");
        assert_eq!(bare_urls("http://localhost:8080/path"), ["http://localhost:8080/path"]);
    }
}
