//! Small text helpers shared by the pages, the index and the islands.

/// At most `chars` characters, cut at a word boundary, with an ellipsis.
pub fn shorten(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(chars).collect();
    let cut = cut.rfind(' ').map_or(cut.as_str(), |i| &cut[..i]);
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':', ' ']))
}

/// `text` in double quotes, with quotes, backslashes and control characters
/// escaped as in Rust and JSON strings: `abc` → `"abc"`, `a"b` → `"a\"b"`,
/// a tab → `\t`, U+0007 → `\u{7}`; other characters as they are.
///
/// For messages that show a value the user gave. Not `{:?}`: the browser
/// bundles are built with `-Zfmt-debug=none` (scripts/lib/wasm.sh), which
/// prints every `Debug` value as nothing, so a message shown in the browser
/// would lose the value it names. Not `str::escape_debug` either: it links
/// Unicode's printable-character tables into every bundle (+3 kB gzipped).
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::{quoted, shorten};

    #[test]
    fn quoted_text_escapes_what_would_break_the_quotes() {
        assert_eq!(quoted("abc"), "\"abc\"");
        assert_eq!(quoted("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
        assert_eq!(quoted("naïve"), "\"naïve\"");
        assert_eq!(quoted("a\tb\u{7}"), r#""a\tb\u{7}""#);
    }

    #[test]
    fn cuts_at_a_word_with_an_ellipsis() {
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(shorten("one two, three four", 12), "one two…");
        assert_eq!(shorten("naïve café au lait", 11), "naïve café…");
    }
}
