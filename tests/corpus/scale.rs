//! Inputs that are each within the per-file limits but add up: sparse
//! gigabyte files, thousands of skills or files, and bodies just under the
//! SKILL.md size limit in the shapes that cost the most memory to render or
//! index, alone, many at once, and with more worker threads than this
//! machine has cores (as a laptop would run them).

use super::{skill_md, sparse, write, Case, Expect, Input, VALID_YAML};
use std::path::Path;

const F: &str = "scale";
const GIB: u64 = 1 << 30;
/// A body that keeps a SKILL.md just under the 1 MiB limit of the current
/// code (`llmos_core::limits::MAX_SKILL_MD_BYTES`), so it reaches the renderer.
const NEAR_LIMIT: usize = 1_000_000;

/// A tree `skills/` that `make` fills.
fn tree(name: &str, make: impl Fn(&Path) + 'static) -> Case {
    Case::new(F, format!("scale-{name}"), move |dir| {
        let skills = dir.join("skills");
        std::fs::create_dir_all(&skills).unwrap();
        make(&skills);
        Ok(Input::skills(skills))
    })
}

/// `unit` repeated to just under the SKILL.md limit.
fn near_limit(unit: &str) -> String {
    unit.repeat(NEAR_LIMIT / unit.len())
}

/// Words that never repeat, from a fixed xorshift sequence: the worst case
/// for a search index, which keeps every distinct term.
fn distinct_words(seed: u64, bytes: usize) -> String {
    let mut state = seed | 1;
    let mut text = String::with_capacity(bytes + 16);
    while text.len() < bytes {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        text.push_str(&format!("w{:x} ", state & 0xFF_FFFF_FFFF));
    }
    text
}

/// `count` skills whose bodies `body(i)` makes.
fn skills(name: &str, count: usize, body: impl Fn(usize) -> String + 'static) -> Case {
    tree(name, move |s| {
        for i in 0..count {
            write(&s.join(format!("s{i}/SKILL.md")), skill_md(&format!("name: s{i}\ndescription: d"), &body(i)));
        }
    })
}

pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    files(&mut cases);
    counts(&mut cases);
    amplification(&mut cases);
    cases
}

/// Sparse files cost no disk until someone reads them whole.
fn files(cases: &mut Vec<Case>) {
    cases.push(tree("sparse-skill-md-2GiB", |s| sparse(&s.join("bad/SKILL.md"), &skill_md(VALID_YAML, "# x\n"), 2 * GIB)));
    cases.push(tree("sparse-asset-2GiB", |s| {
        write(&s.join("bad/SKILL.md"), skill_md(VALID_YAML, "# x\n"));
        sparse(&s.join("bad/assets/big.bin"), b"", 2 * GIB);
    }));
    cases.push(tree("sparse-assets-10x200MiB", |s| {
        write(&s.join("bad/SKILL.md"), skill_md(VALID_YAML, "# x\n"));
        for i in 0..10 {
            sparse(&s.join(format!("bad/assets/part{i}.bin")), b"", 200 << 20);
        }
    }));
    cases.push(tree("sparse-assets-40x24MiB", |s| {
        // Each under the 25 MiB asset limit of the current code: all are published.
        write(&s.join("bad/SKILL.md"), skill_md(VALID_YAML, "# x\n"));
        for i in 0..40 {
            sparse(&s.join(format!("bad/assets/part{i}.bin")), b"", 24 << 20);
        }
    }));
}

fn counts(cases: &mut Vec<Case>) {
    cases.push(tree("asset-10k-files", |s| {
        write(&s.join("bad/SKILL.md"), skill_md(VALID_YAML, "# x\n"));
        for i in 0..10_000 {
            write(&s.join(format!("bad/many/f{i}.txt")), "x");
        }
    }));
    cases.push(tree("3000-small-skills", |s| {
        for i in 0..3_000 {
            write(&s.join(format!("s{i}/SKILL.md")), skill_md(&format!("name: s{i}\ndescription: Skill {i}.\ncategory: c{}", i % 300), "# x\n\nSome words.\n"));
        }
    }));
    cases.push(tree("1000-skills-same-name", |s| {
        for i in 0..1_000 {
            write(&s.join(format!("s{i}/SKILL.md")), skill_md("name: same\ndescription: d", "# x\n"));
        }
    }));
    cases.push(tree("1000-broken-skills", |s| {
        for i in 0..1_000 {
            write(&s.join(format!("s{i}/SKILL.md")), format!("---\nname: [s{i}\n---\n"));
        }
    }).expect(Expect::Fails));
    cases.push(tree("deep-folders-2000", |s| {
        let mut dir = s.to_path_buf();
        for _ in 0..2_000 {
            dir.push("d");
        }
        write(&dir.join("SKILL.md"), skill_md(VALID_YAML, "# x\n"));
    }));
    cases.push(tree("1000-skills-32-keywords-each", |s| {
        // 32,000 tag pages: many, but each one cheap.
        for i in 0..1_000 {
            let keywords: Vec<String> = (0..32).map(|k| format!("s{i}k{k}")).collect();
            write(&s.join(format!("s{i}/SKILL.md")), skill_md(&format!("name: s{i}\ndescription: d\nkeywords: [{}]", keywords.join(", ")), "# x\n"));
        }
    }));
}

/// Bodies that each pass the size limit but cost hundreds of times their
/// size in memory (measured on the current code: about 400 MB for 1 MB of
/// footnote references), alone and several at once.
fn amplification(cases: &mut Vec<Case>) {
    for (label, unit) in [("footnote-refs", "[^a]"), ("emphasis-underscore", "*_"), ("emphasis-pairs", "*a* "), ("headings", "# a\n"), ("autolinks-unclosed", "<http://a"), ("link-in-link", "[a[b")] {
        cases.push(skills(&format!("near-limit-{label}"), 1, move |_| near_limit(unit)));
    }
    cases.push(skills("near-limit-footnote-refs-defined", 1, |_| format!("{}\n\n[^a]: x\n", near_limit("[^a]"))));
    cases.push(skills("8-skills-near-limit-footnote-refs", 8, |_| near_limit("[^a]")));
    // The same tree with the worker pool of an 8-core laptop: memory follows
    // the number of skills rendered at once.
    cases.push(skills("8-skills-near-limit-footnote-refs-8-threads", 8, |_| near_limit("[^a]")).env("RAYON_NUM_THREADS", "8"));
    cases.push(skills("16-skills-near-limit-emphasis-16-threads", 16, |_| near_limit("*_")).env("RAYON_NUM_THREADS", "16"));
    // The search index keeps every distinct word of every body.
    cases.push(skills("1-skill-1MB-distinct-words", 1, |i| distinct_words(i as u64 + 1, NEAR_LIMIT)));
    cases.push(skills("100-skills-1MB-distinct-words", 100, |i| distinct_words(i as u64 + 1, NEAR_LIMIT)));
}
