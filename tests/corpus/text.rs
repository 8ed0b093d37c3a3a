//! SKILL.md files broken below the YAML: fences, encodings, byte order
//! marks, line endings, NUL bytes, invalid UTF-8 at every place, and bodies
//! of tens of megabytes (the size the issue names: 50 MB).

use super::{skill, skill_md, Case, Expect, VALID_YAML};

const F: &str = "text";
const MB: usize = 1 << 20;

pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    fences(&mut cases);
    encodings(&mut cases);
    sizes(&mut cases);
    cases
}

fn bytes(cases: &mut Vec<Case>, name: &str, contents: &'static [u8]) {
    cases.push(skill(F, format!("text-{name}"), move || contents.to_vec()));
}

fn fences(cases: &mut Vec<Case>) {
    bytes(cases, "empty-file", b"");
    bytes(cases, "only-fence", b"---");
    bytes(cases, "only-fence-newline", b"---\n");
    bytes(cases, "empty-frontmatter", b"---\n---\n# Body\n");
    bytes(cases, "four-dashes", b"----\nname: bad\ndescription: d\n----\n");
    bytes(cases, "fence-trailing-spaces", b"---   \nname: bad\ndescription: d\n---  \t\n# x\n");
    bytes(cases, "dots-close", b"---\nname: bad\ndescription: d\n...\n# x\n");
    bytes(cases, "leading-blank-line", b"\n---\nname: bad\ndescription: d\n---\n");
    bytes(cases, "leading-space-fence", b" ---\nname: bad\ndescription: d\n---\n");
    bytes(cases, "toml-frontmatter", b"+++\nname = \"bad\"\n+++\n");
    bytes(cases, "no-frontmatter", b"# Just Markdown\n\nNo fences at all.\n");
    bytes(cases, "unclosed-frontmatter", b"---\nname: bad\ndescription: d\n# Body\n");
    bytes(cases, "fence-then-eof-no-newline", b"---\nname: bad\ndescription: d\n---");
    bytes(cases, "three-fences", b"---\nname: bad\ndescription: d\n---\n---\nname: other\n---\n");
    cases.push(skill(F, "text-unclosed-frontmatter-50MB", || format!("---\n{VALID_YAML}\n{}", "k: v\n".repeat(10 * MB)).into_bytes()).expect(Expect::Fails));
}

fn encodings(cases: &mut Vec<Case>) {
    bytes(cases, "bom-valid", b"\xEF\xBB\xBF---\nname: bad\ndescription: d\n---\n# x\n");
    bytes(cases, "double-bom", b"\xEF\xBB\xBF\xEF\xBB\xBF---\nname: bad\ndescription: d\n---\n");
    bytes(cases, "bom-in-body", b"---\nname: bad\ndescription: d\n---\n\xEF\xBB\xBF# x\n");
    bytes(cases, "utf16le-bom", b"\xFF\xFE-\0-\0-\0\n\0n\0a\0m\0e\0:\0 \0b\0\n\0-\0-\0-\0\n\0");
    bytes(cases, "utf16be-bom", b"\xFE\xFF\0-\0-\0-\0\n\0n\0a\0m\0e\0:\0 \0b\0\n\0-\0-\0-\0\n");
    bytes(cases, "utf32le-bom", b"\xFF\xFE\0\0-\0\0\0-\0\0\0-\0\0\0\n\0\0\0");
    bytes(cases, "crlf", b"---\r\nname: bad\r\ndescription: d\r\n---\r\n# x\r\n");
    bytes(cases, "cr-only", b"---\rname: bad\rdescription: d\r---\r# x\r");
    bytes(cases, "mixed-line-endings", b"---\r\nname: bad\ndescription: d\r\r\n---\n\r# x\r\n\n\r");
    bytes(cases, "nul-at-start", b"\0---\nname: bad\ndescription: d\n---\n");
    bytes(cases, "nul-in-name", b"---\nname: ba\0d\ndescription: d\n---\n");
    bytes(cases, "nul-in-body", b"---\nname: bad\ndescription: d\n---\n# x\0y\n\0\0\0\n");
    bytes(cases, "nul-after-fence", b"---\0\nname: bad\ndescription: d\n---\n");
    bytes(cases, "invalid-utf8-first-byte", b"\xFF---\nname: bad\ndescription: d\n---\n");
    bytes(cases, "invalid-utf8-in-yaml", b"---\nname: b\xE9d\ndescription: d\n---\n");
    bytes(cases, "invalid-utf8-in-body", b"---\nname: bad\ndescription: d\n---\n# caf\xE9\n");
    bytes(cases, "truncated-multibyte-at-eof", b"---\nname: bad\ndescription: d\n---\n# x \xE2\x82");
    bytes(cases, "overlong-encoding", b"---\nname: bad\ndescription: \xC0\xAF\n---\n");
    bytes(cases, "encoded-surrogate", b"---\nname: bad\ndescription: \xED\xA0\x80\n---\n");
    bytes(cases, "five-byte-sequence", b"---\nname: bad\ndescription: d\n---\n\xF8\x88\x80\x80\x80\n");
    bytes(cases, "latin1-file", b"---\nname: caf\xE9\ndescription: \xC0 la carte\n---\n");
    bytes(cases, "c1-controls", "---\nname: bad\ndescription: a\u{85}b\u{9b}c\n---\n# \u{1b}[31mred\u{1b}[0m\n".as_bytes());
    cases.push(skill(F, "text-invalid-utf8-after-40MB", || {
        let mut bytes = skill_md(VALID_YAML, &"text line\n".repeat(4 * MB));
        bytes.extend_from_slice(b"\xFF\n");
        bytes
    }));
}

/// Bodies at the sizes the issue names, in the shapes that stress line
/// counting, word counting, search indexing and Markdown rendering.
fn sizes(cases: &mut Vec<Case>) {
    cases.push(skill(F, "text-body-50MB-paragraphs", || skill_md(VALID_YAML, &"A sentence of a long body that goes on.\n\n".repeat(50 * MB / 42))));
    cases.push(skill(F, "text-body-50MB-one-line", || skill_md(VALID_YAML, &"word ".repeat(10 * MB))));
    cases.push(skill(F, "text-body-10M-empty-lines", || skill_md(VALID_YAML, &"\n".repeat(10_000_000))));
    cases.push(skill(F, "text-body-1M-distinct-words", || {
        let words: String = (0..1_000_000).map(|i| format!("w{i:x}q ")).collect();
        skill_md(VALID_YAML, &words)
    }));
    cases.push(skill(F, "text-body-1M-lines-crlf", || skill_md(VALID_YAML, &"a line\r\n".repeat(MB))));
    cases.push(skill(F, "text-body-50MB-no-whitespace", || skill_md(VALID_YAML, &"x".repeat(50 * MB))));
}
