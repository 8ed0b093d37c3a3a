//! The documented limits that keep every step of a build, a check or an
//! import within a known cost, whatever a file holds.
//!
//! Each limit is far above what real skills use (the Agent Skills spec asks
//! for a body under 500 lines, about 5,000 tokens, and a 1 MiB SKILL.md is
//! some 200 times that) and far below what
//! makes a step slow: YAML parsers slow down with nesting, and Markdown
//! renderers and search analysis grow with the body. The table under
//! "Limits" in `content/skill-format.md` lists them for users; a change here
//! changes that table too.

/// Largest SKILL.md, in bytes (frontmatter and body). Bigger files are an
/// error: they are not instructions an agent can read, and a 50 MB body
/// made one renderer use 9.6 GB.
pub const MAX_SKILL_MD_BYTES: usize = 1024 * 1024;

/// Largest frontmatter (the YAML between the fences), in bytes.
pub const MAX_FRONTMATTER_BYTES: usize = 64 * 1024;

/// Deepest nesting of YAML collections in the frontmatter (flow `[`/`{`, or
/// block levels by indentation). LLMos's own fields nest three deep
/// (`inputs` → item → `default`); YAML parsers spend time that grows fast
/// with depth, so the depth is checked before the parser runs.
pub const MAX_FRONTMATTER_DEPTH: usize = 32;

/// Most keywords (tags) kept per skill; the rest are dropped with a
/// warning. Each keyword is a tag page, so this bounds pages per skill.
pub const MAX_KEYWORDS: usize = 32;

/// Longest keyword or category, in characters, before it is dropped with
/// a warning (it would make a page name no file system accepts).
pub const MAX_TERM_CHARS: usize = 100;

/// Largest bundled file published with a skill, in bytes. Larger files are
/// left out with a warning (GitHub Pages refuses files over 100 MB).
pub const MAX_BUNDLED_FILE_BYTES: u64 = 25 * 1024 * 1024;

/// Longest URL segment made from a skill's name, in bytes; longer slugs are
/// cut at a hyphen, with a warning. File systems allow 255 bytes per name.
pub const MAX_SLUG_BYTES: usize = 100;

/// Longest name of one published file or folder, in bytes (the common
/// file-system limit), including any `.txt` added for safety.
pub const MAX_PUBLISHED_NAME_BYTES: usize = 255;

/// Most pages one build writes. A catalogue of 100,000 skills with their
/// listing, category and tag pages stays under it.
pub const MAX_PAGES: usize = 500_000;

/// How much of a body the search index analyses, in bytes (the index keeps
/// 24 distinctive body terms per skill; 64 KiB is some 10,000 words).
pub const MAX_INDEXED_BODY_BYTES: usize = 64 * 1024;

/// Longest word the search index keeps, in characters.
pub const MAX_INDEXED_WORD_CHARS: usize = 64;

/// Longest published path of a bundled file inside its skill folder, in
/// bytes (the common `PATH_MAX` is 4,096, and the output folder's own path
/// comes in front).
pub const MAX_PUBLISHED_PATH_BYTES: usize = 1024;

/// Largest `llmos.toml`, in bytes.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// A body larger than this renders while no other large body does: the
/// Markdown renderer can use some 400 times a body's size for pathological
/// input, so large renders run one at a time and peak memory stays bounded
/// whatever the number of threads.
pub const LARGE_BODY_BYTES: usize = 128 * 1024;

/// Largest `.zip` given as a skills source or imported in the browser, in bytes.
pub const MAX_ZIP_BYTES: u64 = 512 * 1024 * 1024;

/// The error for a SKILL.md of `size` bytes, over `MAX_SKILL_MD_BYTES`.
pub fn skill_md_too_large(file: &str, size: u64) -> crate::Diagnostic {
    crate::Diagnostic::error(file, 1, 1, format!("the file is {:.1} MB; a SKILL.md may be at most {} MiB", size as f64 / 1e6, MAX_SKILL_MD_BYTES >> 20))
        .with_help("keep the instructions short and move reference material into `references/` files that the body links to")
}

/// The error for a docs page of `size` bytes: pages share the SKILL.md limit.
pub fn page_too_large(file: &str, size: u64) -> crate::Diagnostic {
    crate::Diagnostic::error(file, 1, 1, format!("the page is {:.1} MB; a docs page may be at most {} MiB", size as f64 / 1e6, MAX_SKILL_MD_BYTES >> 20))
        .with_help("split it into several pages")
}

/// The nesting depth of the YAML text, without parsing it: the deepest
/// flow nesting (`[`, `{` outside quotes and comments) on top of the block
/// indentation levels open at that point. An upper bound good enough to
/// refuse pathological input before a parser sees it; it never errs low.
pub fn yaml_depth(yaml: &str) -> usize {
    let mut deepest = 0;
    let mut flow = 0usize;
    // Indentation widths of the open block levels.
    let mut indents: Vec<usize> = Vec::new();
    for line in yaml.lines() {
        let trimmed = line.trim_start_matches(' ');
        if flow == 0 && !trimmed.is_empty() && !trimmed.starts_with('#') {
            let indent = line.len() - trimmed.len();
            while indents.last().is_some_and(|&open| open >= indent) {
                indents.pop();
            }
            indents.push(indent);
            // `- - - x` opens one level per dash.
            let dashes = trimmed.split_inclusive(' ').take_while(|part| part.trim_end() == "-").count();
            deepest = deepest.max(indents.len() + dashes);
        }
        let mut quote: Option<char> = None;
        let mut previous = ' ';
        for c in trimmed.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '#') if previous == ' ' || previous == '\t' => break,
                (None, '"' | '\'') if matches!(previous, ' ' | '[' | '{' | ',' | ':') => quote = Some(c),
                (None, '[' | '{') => {
                    flow += 1;
                    deepest = deepest.max(indents.len() + flow);
                }
                (None, ']' | '}') => flow = flow.saturating_sub(1),
                _ => {}
            }
            previous = c;
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_flow_and_block_nesting() {
        assert_eq!(yaml_depth("name: a\ndescription: b\n"), 1);
        assert_eq!(yaml_depth("inputs:\n  - name: x\n    default: [1, 2]\n"), 4);
        assert_eq!(yaml_depth("x: [[[[1]]]]\n"), 5);
        assert_eq!(yaml_depth("x: \"[[[[\"\n"), 1, "brackets in quotes do not nest");
        assert_eq!(yaml_depth("x: 1 # [[[[\n"), 1, "nor in comments");
        let nested = format!("x: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(yaml_depth(&nested), 10_001);
    }
}
