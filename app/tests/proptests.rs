//! Property tests of the parsers that take input from anyone: the SKILL.md
//! frontmatter parser, the browser's Markdown renderer (one-shot and
//! streamed) and the zip reader.
//!
//! Inputs come in two kinds: arbitrary bytes or strings, and strings built
//! from the tokens each format is made of (`[`, `&a`, `*a`, `---`, `<`,
//! `](`, `javascript:` …), which reach the deep paths that random bytes
//! almost never do. Every property runs with a per-case timeout (proptest
//! runs the cases in a forked child and kills it when a case overruns), so
//! a hang is a failure with a minimal input, not a stuck test run; the case
//! counts keep all of them to a few seconds in a debug build.
//!
//! `PROPTEST_CASES=20000 cargo test -p llmos-core --test proptests` runs longer.

use llmos_core::frontmatter;
use llmos_core::{parse_skill, read_zip, read_zip_with_limits, render_safe, write_zip, IncrementalMarkdown, SkillSource, ZipLimits};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use std::collections::BTreeMap;

/// Cases per property (`PROPTEST_CASES` overrides it for longer runs), and
/// the longest one case may take (milliseconds). Each input is a few
/// kilobytes at most; a case that takes seconds on it is as much a fault as
/// a crash. Failing inputs are kept in `proptests.proptest-regressions`
/// beside this file and replayed first on every later run.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(cases);
    ProptestConfig {
        cases,
        timeout: 5_000,
        max_shrink_iters: 2_000,
        max_shrink_time: 30_000,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    }
}

/// Strings made of `tokens`, up to `max` of them.
fn from_tokens(tokens: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(tokens), 0..max).prop_map(|parts| parts.concat())
}

const YAML_TOKENS: &[&str] = &[
    "name: ", "description: ", "keywords: ", "metadata:", "inputs:", "type: python", "entry: ", "category: ", "tags: ", "\n", "\n  ", "\r\n", " ", "\t",
    "- ", "[", "]", "{", "}", ", ", ": ", "&a ", "*a", "&b ", "*b", "<<: ", "? ", "!!str ", "!!binary ", "!x ", "|", ">", "\"", "'", "\\", "#", "%YAML 1.2",
    "---", "...", "~", "null", "true", "0x1F", "1e400", ".nan", "é", "名", "\u{feff}", "\u{0}", "\u{85}", "\u{2028}", "x", "a-b", "name", "description",
];

const MARKDOWN_TOKENS: &[&str] = &[
    "\n", "\n\n", " ", "  \n", "\t", "    ", "# ", "## ", "> ", "- ", "* ", "+ ", "1. ", "2) ", "- [ ] ", "- [x] ", "```", "~~~", "`", "``", "*", "**", "_", "__",
    "~~", "[", "]", "(", ")", "](", "]: ", "[^1]", "![", "<", ">", "<http://a", "<script>", "</script>", "<img src=x onerror=alert(1)>", "onerror=", " onclick=\"x\"",
    "javascript:", "JaVaScRiPt:", "java\tscript:", "&#106;avascript:", "vbscript:", "data:text/html,", "http://a.b/", "https://x.y/z?q=1", "www.a.b", "a@b.c", "mailto:a@b.c",
    "&amp;", "&#x3C;", "&lt;", "\\", "|", "|---|", ":--", "---", "===", "> [!NOTE]", "<!--", "-->", "<?", "<!x", "<![CDATA[", "\"", "'", "a", "word", "é", "\u{0}", "\r",
];

proptest! {
    #![proptest_config(config(2048))]

    /// Any bytes at all: an error or a skill, never a panic, and every
    /// diagnostic names the file it is about.
    #[test]
    fn parse_skill_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        check_parse(&bytes);
    }

    /// Frontmatter built from YAML's own tokens, to reach the parser's depths.
    #[test]
    fn parse_skill_never_panics_on_yaml_like(yaml in from_tokens(YAML_TOKENS, 200), body in from_tokens(MARKDOWN_TOKENS, 40)) {
        check_parse(format!("---\n{yaml}\n---\n{body}").as_bytes());
    }

    /// The steps one by one: decode, split and parse_mapping never panic,
    /// and what they return points inside the file.
    #[test]
    fn frontmatter_steps_stay_inside_the_file(text in from_tokens(YAML_TOKENS, 200)) {
        let text = format!("---\n{text}");
        let decoded = frontmatter::decode("f.md", text.as_bytes()).expect("valid UTF-8 decodes");
        let lines = decoded.lines().count().max(1);
        if let Ok(split) = frontmatter::split("f.md", &decoded) {
            prop_assert!(split.body_line >= split.yaml_line && split.body_line <= lines + 2, "body line {} of {lines}", split.body_line);
            match frontmatter::parse_mapping("f.md", &split) {
                Ok(_) => {}
                Err(error) => {
                    prop_assert_eq!(&error.file, "f.md");
                    prop_assert!(error.line >= 1 && error.line <= lines + 1, "error at line {} of {lines}: {error}", error.line);
                }
            }
            let _ = frontmatter::key_lines(&split);
        }
    }

    /// Arbitrary text renders, and the HTML is inert: no script element, no
    /// event handler attribute, no link to a script URL.
    #[test]
    fn render_safe_output_is_inert(text in any::<String>()) {
        assert_inert(&render_safe(&text))?;
    }

    #[test]
    fn render_safe_output_is_inert_on_markdown_like(text in from_tokens(MARKDOWN_TOKENS, 300)) {
        assert_inert(&render_safe(&text))?;
    }
}

proptest! {
    #![proptest_config(config(1024))]

    /// Streamed in any pieces, the answer renders to what `render_safe`
    /// makes of the whole, and the frozen HTML handed out on the way adds
    /// up to exactly that.
    #[test]
    fn incremental_markdown_equals_render_safe(text in from_tokens(MARKDOWN_TOKENS, 150), cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12)) {
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        let mut cuts: Vec<usize> = cuts.iter().map(|c| boundaries[c.index(boundaries.len())]).collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut md = IncrementalMarkdown::new();
        let mut appended = String::new();
        let mut at = 0;
        for cut in cuts.into_iter().chain([text.len()]) {
            let update = md.push(&text[at..cut]);
            appended.push_str(&update.frozen_html_appended);
            at = cut;
        }
        let update = md.finish();
        appended.push_str(&update.frozen_html_appended);
        prop_assert_eq!(&update.tail_html, "");
        let expected = render_safe(&text);
        prop_assert_eq!(md.html(), expected.clone(), "streamed HTML differs for {:?}", text);
        prop_assert_eq!(appended, expected);
    }

    /// Arbitrary bytes and bytes that start like a zip: an error, never a panic.
    #[test]
    fn read_zip_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = read_zip(&bytes);
        let mut with_end = bytes.clone();
        with_end.extend_from_slice(b"PK\x05\x06");
        with_end.extend_from_slice(&bytes[..bytes.len().min(18)]);
        let _ = read_zip(&with_end);
    }

    /// A valid zip with bytes overwritten anywhere: an error or entries that
    /// keep the reader's promises (safe relative paths, within the limits).
    #[test]
    fn damaged_zips_are_refused_or_safe(files in files(), damage in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8), max_entry in 1usize..4096, max_total in 1usize..16384) {
        let entries: Vec<(&str, &[u8])> = files.iter().map(|(p, d)| (p.as_str(), d.as_slice())).collect();
        let mut bytes = write_zip(&entries);
        for (at, value) in damage {
            let at = at.index(bytes.len());
            bytes[at] = value;
        }
        if let Ok(read) = read_zip_with_limits(&bytes, ZipLimits { max_entry_bytes: max_entry, max_total_bytes: max_total }) {
            let total: usize = read.iter().map(|e| e.data.len()).sum();
            prop_assert!(total <= max_total, "{total} bytes over the limit of {max_total}");
            for entry in &read {
                prop_assert!(entry.data.len() <= max_entry);
                prop_assert!(!entry.path.is_empty() && !entry.path.starts_with('/') && !entry.path.contains('\\'), "unsafe path {:?}", entry.path);
                prop_assert!(entry.path.split('/').all(|c| !c.is_empty() && c != "." && c != ".."), "unsafe path {:?}", entry.path);
                prop_assert!(!entry.path.chars().any(char::is_control), "control character in {:?}", entry.path);
            }
        }
    }

    /// write_zip then read_zip gives back the same files, in order.
    #[test]
    fn zip_round_trip_is_identity(files in files()) {
        let entries: Vec<(&str, &[u8])> = files.iter().map(|(p, d)| (p.as_str(), d.as_slice())).collect();
        let read = read_zip(&write_zip(&entries)).expect("a zip we wrote reads back");
        let got: Vec<(String, Vec<u8>)> = read.into_iter().map(|e| (e.path, e.data)).collect();
        prop_assert_eq!(got, files);
    }
}

/// Files with distinct, valid relative paths (Unicode components included)
/// and arbitrary contents.
fn files() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    let component = "[a-zA-Z0-9_\\-é名 ]{1,8}(\\.[a-z]{1,3})?".prop_filter("not . or ..", |c| c != "." && c != "..");
    let path = prop::collection::vec(component, 1..4).prop_map(|parts| parts.join("/"));
    prop::collection::btree_map(path, prop::collection::vec(any::<u8>(), 0..512), 0..8).prop_map(|map: BTreeMap<String, Vec<u8>>| {
        // A path that is a prefix folder of another ("a" and "a/b") is fine in a zip: both are files.
        map.into_iter().collect()
    })
}

fn check_parse(bytes: &[u8]) {
    let files = vec!["scripts/main.py".to_string()];
    let source = SkillSource { path: "skills/x/SKILL.md", folder: "x", bytes, files: &files };
    match parse_skill(&source) {
        Ok((skill, warnings)) => {
            assert!(!skill.slug.is_empty());
            assert!(warnings.iter().all(|w| w.file == "skills/x/SKILL.md"), "a warning names another file: {warnings:?}");
        }
        Err(error) => assert_eq!(error.file, "skills/x/SKILL.md", "the error names another file: {error}"),
    }
}

/// The renderer escapes all text, so every `<` in its output opens a tag it
/// wrote: look at each tag's name and attributes.
fn assert_inert(html: &str) -> Result<(), TestCaseError> {
    for tag in html.split('<').skip(1) {
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        let lower = tag.to_ascii_lowercase();
        prop_assert!(!lower.starts_with("script") && !lower.starts_with("/script"), "a script tag in {html}");
        prop_assert!(!lower.starts_with("img") && !lower.starts_with("iframe"), "an element that loads on its own in {html}");
        // Attribute names come after a space; values are double-quoted without `"`.
        let mut rest = lower.as_str();
        while let Some(space) = rest.find(' ') {
            rest = &rest[space + 1..];
            let name_len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).unwrap_or(rest.len());
            let name = &rest[..name_len];
            prop_assert!(!name.starts_with("on"), "event handler attribute {name} in {html}");
            rest = &rest[name_len..];
            if let Some(quoted) = rest.strip_prefix("=\"") {
                let end = quoted.find('"').unwrap_or(quoted.len());
                let value = &quoted[..end];
                if name == "href" || name == "src" {
                    let url: String = decode_entities(value).chars().filter(|c| !c.is_ascii_control() && *c != ' ').collect::<String>().to_ascii_lowercase();
                    for scheme in ["javascript:", "vbscript:", "data:", "file:"] {
                        prop_assert!(!url.starts_with(scheme), "{name}={value:?} in {html}");
                    }
                }
                rest = &quoted[end..];
            }
        }
    }
    Ok(())
}

/// An attribute value as a browser reads it: named entities the renderer
/// writes, and numeric ones (`&#106;`, `&#x6A;`), which a browser decodes
/// too, so `&#106;avascript:` cannot slip through as text.
fn decode_entities(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|end| {
            let entity = &rest[1..end];
            let named = match entity {
                "quot" => Some('"'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "apos" => Some('\''),
                _ => None,
            };
            let numeric = || {
                let digits = entity.strip_prefix('#')?;
                let code = match digits.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => digits.parse().ok()?,
                };
                char::from_u32(code)
            };
            Some((named.or_else(numeric)?, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}
