//! SKILL.md and docs pages from arbitrary bytes: the frontmatter split,
//! the YAML and the field rules must return a skill or an error naming the
//! file, never panic, overflow the stack or run away.
#![no_main]

use libfuzzer_sys::fuzz_target;
use llmos_core::{parse_doc, parse_skill, SkillSource};

fuzz_target!(|data: &[u8]| {
    let files = ["scripts/main.py".to_string(), "references/guide.md".to_string()];
    let source = SkillSource { path: "skills/x/SKILL.md", folder: "x", bytes: data, files: &files };
    match parse_skill(&source) {
        Ok((skill, warnings)) => {
            assert!(!skill.slug.is_empty());
            assert!(warnings.iter().all(|w| w.file == source.path));
        }
        Err(error) => assert_eq!(error.file, source.path),
    }
    if let Err(error) = parse_doc("content/page.md", "page", data) {
        assert_eq!(error.file, "content/page.md");
    }
});
