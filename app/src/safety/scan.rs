//! Text helpers the rules share: what kind a file is, its lines with their
//! numbers (and whether each is code, a comment or prose), word matching,
//! URLs and Shannon entropy. Hand-written scanning, no regex engine, so
//! the core stays small in the browser bundle.

/// The language of a code file, which decides the patterns looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Python,
    JavaScript,
    Shell,
    PowerShell,
    /// Ruby, Perl, PHP, batch files, …: every language's patterns apply.
    Other,
}

/// What a file is to the review: prose an agent reads, or code it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// Markdown, plain text and HTML: instructions.
    Markdown,
    Code(Lang),
}

impl FileKind {
    /// The kind by extension, else by shebang for files under `scripts/`;
    /// `None` for data (JSON, CSV, images, …), which the review skips.
    pub(crate) fn of(path: &str, bytes: &[u8]) -> Option<FileKind> {
        let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        let lang = match ext {
            "md" | "markdown" | "mdx" | "txt" | "html" | "htm" => return Some(FileKind::Markdown),
            "py" | "pyw" => Lang::Python,
            "js" | "mjs" | "cjs" | "ts" | "mts" | "cts" | "jsx" | "tsx" => Lang::JavaScript,
            "sh" | "bash" | "zsh" | "ksh" | "fish" => Lang::Shell,
            "ps1" | "psm1" | "psd1" => Lang::PowerShell,
            "rb" | "pl" | "pm" | "php" | "bat" | "cmd" | "lua" | "r" => Lang::Other,
            _ => {
                let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
                let shebang = String::from_utf8_lossy(first).to_ascii_lowercase();
                if !shebang.starts_with("#!") {
                    return None;
                }
                if shebang.contains("python") {
                    Lang::Python
                } else if shebang.contains("node") || shebang.contains("deno") || shebang.contains("bun") {
                    Lang::JavaScript
                } else if shebang.contains("pwsh") || shebang.contains("powershell") {
                    Lang::PowerShell
                } else if shebang.contains("sh") {
                    Lang::Shell
                } else {
                    Lang::Other
                }
            }
        };
        Some(FileKind::Code(lang))
    }
}

/// The part of a line the rules read; longer lines are read up to here
/// (at a character boundary), so every rule's work per line is bounded.
/// Only `obfuscated-script` reads whole lines (it is linear).
pub(crate) const MAX_LINE_BYTES: usize = 4096;

/// One line of a file.
pub(crate) struct Line<'a> {
    /// 1-based.
    pub(crate) number: usize,
    /// The line, cut to `MAX_LINE_BYTES`.
    pub(crate) text: &'a str,
    /// The whole line.
    pub(crate) full: &'a str,
    /// `text` with ASCII letters lowercased (byte offsets unchanged).
    pub(crate) lower: String,
    /// Markdown: inside a fenced code block (fences included).
    pub(crate) in_fence: bool,
    /// Code: a whole-line comment (`#`, `//`, `/*`, `*`, `REM`).
    pub(crate) comment: bool,
}

/// A file the review reads, split into lines.
pub(crate) struct Source<'a> {
    pub(crate) path: &'a str,
    pub(crate) kind: FileKind,
    pub(crate) lines: Vec<Line<'a>>,
}

impl<'a> Source<'a> {
    pub(crate) fn new(path: &'a str, text: &'a str, kind: FileKind) -> Source<'a> {
        let mut fence: Option<String> = None;
        let mut lines = Vec::new();
        for (i, raw) in text.split('\n').enumerate() {
            let full = raw.strip_suffix('\r').unwrap_or(raw);
            let mut cut = full.len().min(MAX_LINE_BYTES);
            while !full.is_char_boundary(cut) {
                cut -= 1;
            }
            let text = &full[..cut];
            let trimmed = text.trim_start();
            let mut in_fence = fence.is_some();
            if kind == FileKind::Markdown {
                let marker: String = trimmed.chars().take_while(|c| *c == '`' || *c == '~').collect();
                if marker.len() >= 3 && marker.chars().all(|c| c == marker.chars().next().unwrap_or('`')) {
                    match &fence {
                        Some(open) if marker.starts_with(open.as_str()) && trimmed[marker.len()..].trim().is_empty() => fence = None,
                        Some(_) => {}
                        None => fence = Some(marker),
                    }
                    in_fence = true;
                }
            }
            let comment = matches!(kind, FileKind::Code(_))
                && ((trimmed.starts_with('#') && !trimmed.starts_with("#!")) || trimmed.starts_with("//") || trimmed.starts_with("/*") || trimmed.starts_with("* ") || trimmed == "*" || trimmed.to_ascii_lowercase().starts_with("rem "));
            lines.push(Line { number: i + 1, text, full, lower: text.to_ascii_lowercase(), in_fence, comment });
        }
        Source { path, kind, lines }
    }

    pub(crate) fn is_code(&self) -> bool {
        matches!(self.kind, FileKind::Code(_))
    }

    pub(crate) fn lang(&self) -> Option<Lang> {
        match self.kind {
            FileKind::Code(lang) => Some(lang),
            FileKind::Markdown => None,
        }
    }

    /// Lines that can act: in code, every line but comments; in Markdown, every line.
    pub(crate) fn live_lines(&self) -> impl Iterator<Item = &Line<'a>> {
        self.lines.iter().filter(|l| !l.comment)
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Byte offsets where `word` occurs in `hay` with no letter, digit or `_`
/// on either side (so `curl` matches in `curl -s` but not in `libcurl`).
pub(crate) fn word_positions<'h>(hay: &'h str, word: &'h str) -> impl Iterator<Item = usize> + 'h {
    let bytes = hay.as_bytes();
    hay.match_indices(word).map(|(i, _)| i).filter(move |&i| {
        let before = i == 0 || !is_word_byte(bytes[i - 1]) || !is_word_byte(word.as_bytes()[0]);
        let end = i + word.len();
        let after = end >= bytes.len() || !is_word_byte(bytes[end]) || !is_word_byte(word.as_bytes()[word.len() - 1]);
        before && after
    })
}

/// Whether `word` occurs in `hay` as a whole word.
pub(crate) fn has_word(hay: &str, word: &str) -> bool {
    word_positions(hay, word).next().is_some()
}

/// The first of `words` found in `hay` as a whole word.
pub(crate) fn first_word<'w>(hay: &str, words: &[&'w str]) -> Option<&'w str> {
    words.iter().copied().find(|w| has_word(hay, w))
}

/// The first of `needles` found in `hay` as a plain substring.
pub(crate) fn first_of<'w>(hay: &str, needles: &[&'w str]) -> Option<&'w str> {
    needles.iter().copied().find(|n| hay.contains(n))
}

/// A line shortened for a message, whitespace collapsed, in backticks.
pub(crate) fn snippet(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ").replace('`', "");
    let short: String = collapsed.chars().take(90).collect();
    if short.len() < collapsed.len() { format!("`{short}…`") } else { format!("`{short}`") }
}

/// Shannon entropy of the bytes of `s`, in bits per byte.
pub(crate) fn entropy(s: &str) -> f64 {
    let mut counts = [0usize; 256];
    for b in s.bytes() {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts.iter().filter(|c| **c > 0).map(|&c| {
        let p = c as f64 / n;
        -p * p.log2()
    }).sum()
}

/// The `http(s)://` URLs in a line, each up to the first space, quote or
/// bracket (one pass: the search goes on after each URL).
pub(crate) fn urls(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let lower = text.to_ascii_lowercase();
    let mut cursor = 0;
    while let Some(found) = lower[cursor..].find("http") {
        let start = cursor + found;
        let rest = &lower[start..];
        if !(rest.starts_with("http://") || rest.starts_with("https://")) {
            cursor = start + 4;
            continue;
        }
        let end = text[start..].find(|c: char| c.is_whitespace() || "\"'`<>()[]{}|\\,".contains(c)).map_or(text.len(), |e| start + e);
        out.push(&text[start..end]);
        cursor = end.max(start + 4);
    }
    out
}

/// Where `part`, a slice of `whole`, starts in it.
pub(crate) fn offset_in(whole: &str, part: &str) -> usize {
    part.as_ptr() as usize - whole.as_ptr() as usize
}

/// The host of an `http(s)://` URL, lowercased.
pub(crate) fn host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let host = if authority.starts_with('[') { authority.split(']').next().unwrap_or("").trim_start_matches('[') } else { authority.split(':').next().unwrap_or("") };
    host.to_ascii_lowercase()
}

/// Hosts that stay on the reader's machine or are reserved for examples.
pub(crate) fn is_local_or_example(host: &str) -> bool {
    host.is_empty()
        || host == "localhost"
        || host.ends_with(".localhost")
        || host.starts_with("127.")
        || host == "0.0.0.0"
        || host == "::1"
        || host.contains('$')
        || host.contains('{')
        || ["example.com", "example.org", "example.net"].iter().any(|e| host == *e || host.ends_with(&format!(".{e}")))
        || host.ends_with(".example")
        || host.ends_with(".test")
        || host.ends_with(".invalid")
}

/// The line with the text of inline code spans (`` `…` ``) blanked out, for
/// checks that only concern what Markdown renders as markup.
pub(crate) fn without_inline_code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut inside = false;
    for c in text.chars() {
        if c == '`' {
            inside = !inside;
            out.push(' ');
        } else {
            out.push(if inside { ' ' } else { c });
        }
    }
    out
}

/// The text of the inline code spans of a line.
pub(crate) fn inline_code(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// Words that turn an instruction around ("never", "do not", …).
pub(crate) fn is_negated(lower: &str) -> bool {
    ["not", "never", "don't", "dont", "avoid", "shouldn't", "won't", "doesn't", "isn't"].iter().any(|w| has_word(lower, w))
}
