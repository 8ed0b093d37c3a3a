//! Frontmatter YAML that is deep, huge, self-referential, or of the wrong
//! shape: what a YAML library is most often made to choke on, and what the
//! skill parser has to turn into a warning or an error naming the file.

use super::{frontmatter, skill, skill_md, write, Case, Expect, Input};

const F: &str = "yaml";

/// Lines that make a skill valid, to put around a hostile field.
const OK: &str = "name: bad\ndescription: d";

pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    nesting(&mut cases);
    aliases(&mut cases);
    huge(&mut cases);
    shapes(&mut cases);
    names(&mut cases);
    fields(&mut cases);
    syntax(&mut cases);
    cases
}

/// Flow and block collections nested thousands deep: a recursive parser
/// without a depth limit overflows its stack.
fn nesting(cases: &mut Vec<Case>) {
    for n in [64usize, 1_000, 20_000] {
        cases.push(frontmatter(F, format!("yaml-flow-seq-unclosed-{n}"), move || format!("{OK}\nx: {}", "[".repeat(n))));
        cases.push(frontmatter(F, format!("yaml-flow-seq-closed-{n}"), move || format!("{OK}\nx: {}{}", "[".repeat(n), "]".repeat(n))));
        cases.push(frontmatter(F, format!("yaml-flow-map-closed-{n}"), move || format!("{OK}\nx: {}1{}", "{a: ".repeat(n), "}".repeat(n))));
        cases.push(frontmatter(F, format!("yaml-block-seq-{n}"), move || format!("{OK}\nx: {}x", "- ".repeat(n))));
    }
    // The size the issue names: 200 kB of nested YAML.
    cases.push(frontmatter(F, "yaml-flow-seq-200kB", || format!("{OK}\nx: {}", "[".repeat(200_000))));
    cases.push(frontmatter(F, "yaml-flow-mixed-200kB", || format!("{OK}\nx: {}", "[{a: ".repeat(40_000))));
    cases.push(frontmatter(F, "yaml-nested-in-name-200kB", || format!("name: {}\ndescription: d", "[".repeat(200_000))));
    cases.push(frontmatter(F, "yaml-nested-in-metadata-20k", || format!("{OK}\nmetadata: {}x{}", "{a: ".repeat(20_000), "}".repeat(20_000))));
    cases.push(frontmatter(F, "yaml-nested-in-keywords-20k", || format!("{OK}\nkeywords: {}k{}", "[".repeat(20_000), "]".repeat(20_000))));
    cases.push(frontmatter(F, "yaml-nested-in-inputs-20k", || format!("{OK}\ninputs: {}{}", "[".repeat(20_000), "]".repeat(20_000))));
    // Nesting that a line-by-line depth estimate misses: a quoted scalar
    // that spans lines (the estimate resets quotes at each line end), and
    // compact `? ` keys (it counts `- ` only). Each stays under 64 KiB.
    cases.push(frontmatter(F, "yaml-depth-hidden-by-multiline-quote", || format!("{OK}\nx: [\"a\n \", {}1{}]", "[".repeat(30_000), "]".repeat(30_000))));
    cases.push(frontmatter(F, "yaml-depth-hidden-by-multiline-quote-unclosed", || format!("{OK}\nx: [\"a\n \", {}", "[".repeat(60_000))));
    cases.push(frontmatter(F, "yaml-depth-compact-keys", || format!("{OK}\nx:\n  {}a", "? ".repeat(30_000))));
    cases.push(frontmatter(F, "yaml-depth-compact-keys-and-dashes", || format!("{OK}\nx:\n  {}a", "- ? ".repeat(15_000))));
    for depth in [100usize, 1_000] {
        cases.push(frontmatter(F, format!("yaml-block-map-depth-{depth}"), move || {
            let mut yaml = format!("{OK}\nx:\n");
            for level in 1..=depth {
                yaml.push_str(&format!("{}k{level}:\n", " ".repeat(level)));
            }
            yaml
        }));
    }
}

/// Anchors and aliases: "billion laughs" expansions, aliases to themselves,
/// undefined aliases, and merge keys.
fn aliases(cases: &mut Vec<Case>) {
    // Level i is a list of `fan` aliases to level i-1: fan^levels nodes once expanded.
    fn laughs(levels: usize, fan: usize) -> String {
        let mut yaml = String::from("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for level in 1..=levels {
            let refs = vec![format!("*l{}", level - 1); fan].join(", ");
            yaml.push_str(&format!("l{level}: &l{level} [{refs}]\n"));
        }
        yaml
    }
    for (key, (levels, fan)) in [("x", (9, 10)), ("metadata", (9, 10)), ("keywords", (9, 10)), ("tags", (9, 10)), ("inputs", (9, 10)), ("allowed-tools", (9, 10)), ("x", (30, 2))] {
        cases.push(frontmatter(F, format!("yaml-billion-laughs-{key}-{levels}x{fan}"), move || format!("{}{OK}\n{key}: *l{levels}", laughs(levels, fan))));
    }
    cases.push(frontmatter(F, "yaml-billion-laughs-name", || format!("{}description: d\nname: *l9", laughs(9, 10))));
    cases.push(frontmatter(F, "yaml-billion-laughs-metadata-map", || {
        let mut yaml = String::from("m0: &m0 {a: lol, b: lol, c: lol, d: lol, e: lol, f: lol, g: lol, h: lol, i: lol, j: lol}\n");
        for level in 1..=9 {
            let fields: Vec<String> = (0..10).map(|i| format!("k{i}: *m{}", level - 1)).collect();
            yaml.push_str(&format!("m{level}: &m{level} {{{}}}\n", fields.join(", ")));
        }
        format!("{yaml}{OK}\nmetadata: *m9")
    }));
    cases.push(frontmatter(F, "yaml-billion-laughs-merge-keys", || {
        let mut yaml = String::from("m0: &m0 {name: bad, description: d}\n");
        for level in 1..=9 {
            let merges: Vec<String> = (0..10).map(|_| format!("*m{}", level - 1)).collect();
            yaml.push_str(&format!("m{level}: &m{level} {{<<: [{}]}}\n", merges.join(", ")));
        }
        format!("{yaml}<<: *m9")
    }));
    cases.push(frontmatter(F, "yaml-alias-to-itself", || format!("{OK}\nx: &a [*a]")));
    cases.push(frontmatter(F, "yaml-alias-undefined", || "name: *nope\ndescription: d".into()));
    cases.push(frontmatter(F, "yaml-anchor-on-every-line-100k", || {
        let lines: String = (0..100_000).map(|i| format!("k{i}: &a{i} v\n")).collect();
        format!("{OK}\n{lines}")
    }));
    cases.push(frontmatter(F, "yaml-alias-100k-times", || {
        let refs = vec!["*a"; 100_000].join(", ");
        format!("{OK}\nbase: &a {{x: 1}}\nkeywords: [{refs}]")
    }));
    cases.push(frontmatter(F, "yaml-merge-key-valid", || "base: &b {name: bad, description: d}\n<<: *b".into()));
}

/// Scalars of megabytes in every style, where the parser or the pages that
/// repeat a name may copy them many times.
fn huge(cases: &mut Vec<Case>) {
    const MB: usize = 1 << 20;
    cases.push(frontmatter(F, "yaml-huge-description-10MB", || format!("name: bad\ndescription: {}", "word ".repeat(2 * MB))));
    cases.push(frontmatter(F, "yaml-huge-name-10MB", || format!("name: {}\ndescription: d", "a".repeat(10 * MB))));
    cases.push(frontmatter(F, "yaml-huge-name-spaced-1MB", || format!("name: {}\ndescription: d", "a b ".repeat(MB / 4))));
    cases.push(frontmatter(F, "yaml-huge-double-quoted-escapes", || format!("name: bad\ndescription: \"{}\"", "\\u00e9\\n".repeat(MB))));
    cases.push(frontmatter(F, "yaml-huge-single-quoted", || format!("name: bad\ndescription: '{}'", "it''s ".repeat(MB))));
    cases.push(frontmatter(F, "yaml-huge-literal-block", || format!("name: bad\ndescription: |\n{}", "  line of a literal block\n".repeat(400_000))));
    cases.push(frontmatter(F, "yaml-huge-folded-block", || format!("name: bad\ndescription: >\n{}", "  folded\n".repeat(1_000_000))));
    cases.push(frontmatter(F, "yaml-huge-key", || format!("{OK}\n{}: v", "k".repeat(MB))));
    cases.push(frontmatter(F, "yaml-huge-metadata-value", || format!("{OK}\nmetadata:\n  author: {}", "x".repeat(10 * MB))));
    cases.push(frontmatter(F, "yaml-huge-category", || format!("{OK}\ncategory: {}", "Cat ".repeat(MB))));
    cases.push(frontmatter(F, "yaml-huge-keyword", || format!("{OK}\nkeywords: [{}]", "k".repeat(10 * MB))));
    cases.push(frontmatter(F, "yaml-huge-indentation", || format!("{OK}\nx:\n{}y: 1", " ".repeat(MB))));
    cases.push(frontmatter(F, "yaml-million-comment-lines", || format!("{OK}\n{}", "#\n".repeat(1_000_000))));
    cases.push(frontmatter(F, "yaml-million-blank-lines", || format!("{OK}\n{}", "\n".repeat(1_000_000))));
    cases.push(frontmatter(F, "yaml-100k-unknown-keys", || {
        let keys: String = (0..100_000).map(|i| format!("unknown{i}: v\n")).collect();
        format!("{OK}\n{keys}")
    }));
    cases.push(frontmatter(F, "yaml-huge-integer", || format!("{OK}\nx: {}", "9".repeat(MB))));
}

/// Frontmatter that parses but is not a mapping, or has keys of odd types.
fn shapes(cases: &mut Vec<Case>) {
    let roots: [(&str, &str); 14] = [
        ("list", "- name: bad\n- description: d"),
        ("scalar", "just some text"),
        ("number", "42"),
        ("null", "~"),
        ("empty-list", "[]"),
        ("empty-map", "{}"),
        ("binary", "!!binary aGVsbG8="),
        ("custom-tag", "!custom {name: bad, description: d}"),
        ("anchored-scalar", "&a name"),
        ("literal-block", "|\n  name: bad"),
        ("boolean", "true"),
        ("whitespace", "   "),
        ("comment-only", "# nothing here"),
        ("set", "!!set {name, description}"),
    ];
    for (label, yaml) in roots {
        cases.push(frontmatter(F, format!("yaml-root-{label}"), move || yaml.to_string()));
    }
    cases.push(frontmatter(F, "yaml-complex-key-sequence", || format!("{OK}\n? [a, b]\n: c")));
    cases.push(frontmatter(F, "yaml-complex-key-map", || format!("{OK}\n? {{name: x}}\n: c")));
    cases.push(frontmatter(F, "yaml-integer-keys", || format!("{OK}\n1: a\n2.5: b\ntrue: c\n~: d")));
    cases.push(frontmatter(F, "yaml-duplicate-name", || "name: bad\nname: worse\ndescription: d".into()));
    cases.push(frontmatter(F, "yaml-duplicate-description", || "name: bad\ndescription: d\ndescription: e".into()));
    cases.push(frontmatter(F, "yaml-duplicate-metadata-key", || format!("{OK}\nmetadata: {{a: 1, a: 2}}")));
    cases.push(frontmatter(F, "yaml-tagged-map-name", || "!!map {name: bad, description: d}".into()));
}

/// `name` of every type and shape: the slug, the page path and every page
/// that repeats the name come from it.
fn names(cases: &mut Vec<Case>) {
    let values: [(&str, &str); 30] = [
        ("int", "42"),
        ("bool", "true"),
        ("list", "[a, b]"),
        ("map", "{a: b}"),
        ("null", "~"),
        ("nan", ".nan"),
        ("inf", "-.inf"),
        ("date", "2024-01-01"),
        ("binary", "!!binary aGk="),
        ("hex", "0x1F"),
        ("float-overflow", "1e400"),
        ("bigint", "99999999999999999999999999999999"),
        ("tagged-str", "!!str 12"),
        ("custom-tag", "!custom x"),
        ("empty-quoted", "\"\""),
        ("blank-quoted", "\"   \""),
        ("300-chars", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
        ("unicode-cjk", "名前"),
        ("emoji", "\"🦀🦀🦀\""),
        ("rtl-override", "\"\\u202Eevil\""),
        ("zero-width", "\"a\\u200Bb\""),
        ("nul-escape", "\"a\\0b\""),
        ("newline-escape", "\"a\\nb\""),
        ("dot-dot", "\"..\""),
        ("traversal", "../../etc/passwd"),
        ("slash", "a/b"),
        ("hyphens-only", "\"----\""),
        ("template", "\"{{ site.title }}{% raw %}\""),
        ("percent-encoded", "\"%2e%2e%2f\""),
        ("bidi-and-combining", "\"e\\u0301\\u0301\\u0301\\u202Dx\""),
    ];
    for (label, value) in values {
        cases.push(frontmatter(F, format!("yaml-name-{label}"), move || format!("name: {value}\ndescription: d")));
    }
    cases.push(frontmatter(F, "yaml-name-300-unicode-chars", || format!("name: {}\ndescription: d", "é".repeat(300))));
    cases.push(frontmatter(F, "yaml-name-script-tag", || "name: \"<script>corpus-xss</script>\"\ndescription: \"<img src=x onerror=corpus>\"".into()).raw_markup("<script>corpus-xss"));
    cases.push(frontmatter(F, "yaml-keyword-script-tag", || format!("{OK}\nkeywords: [\"<script>corpus-xss</script>\"]\ncategory: \"<script>corpus-xss</script>\"")).raw_markup("<script>corpus-xss"));
    // Names that fold to one slug, in several folders: later wins, with a warning.
    cases.push(Case::new(F, "yaml-names-same-slug", |dir| {
        let skills = dir.join("skills");
        for (folder, name) in [("a", "My Skill"), ("b", "my-skill"), ("c", "MY_SKILL"), ("d", "my skill!"), ("e", "--My--Skill--")] {
            write(&skills.join(folder).join("SKILL.md"), skill_md(&format!("name: \"{name}\"\ndescription: d"), "# x\n"));
        }
        Ok(Input::skills(skills))
    }));
    cases.push(Case::new(F, "yaml-names-500-untitled", |dir| {
        let skills = dir.join("skills");
        for i in 0..500 {
            write(&skills.join(format!("s{i}/SKILL.md")), skill_md(&format!("name: \"名前{i}\"\ndescription: d"), "# x\n"));
        }
        Ok(Input::skills(skills))
    }));
}

/// The optional fields in the wrong type or in absurd numbers.
fn fields(cases: &mut Vec<Case>) {
    let values: [(&str, &str); 24] = [
        ("description-empty", "name: bad\ndescription: \"\""),
        ("description-list", "name: bad\ndescription: [a, b]"),
        ("description-map", "name: bad\ndescription: {a: b}"),
        ("no-name", "description: d"),
        ("no-description", "name: bad"),
        ("keywords-map", "keywords: {a: b}"),
        ("keywords-nested-lists", "keywords: [[a, [b]], {c: d}, ~, 1, true]"),
        ("metadata-scalar", "metadata: text"),
        ("metadata-list", "metadata: [a, b]"),
        ("metadata-nested", "metadata: {a: {b: {c: [1, 2]}}}"),
        ("inputs-number", "inputs: 5"),
        ("inputs-scalars", "inputs: [1, two, ~]"),
        ("inputs-missing-type", "inputs: [{name: a}]"),
        ("inputs-unknown-type", "inputs: [{name: a, type: quantum-foam}]"),
        ("inputs-default-nested", "inputs: [{name: a, type: object, default: {a: [1, {b: ~}]}}]"),
        ("outputs-map", "outputs: {name: a}"),
        ("type-list", "type: [python]"),
        ("type-python-no-script", "type: python"),
        ("entry-traversal", "type: python\nentry: ../../../etc/passwd"),
        ("entry-absolute", "type: python\nentry: /etc/passwd"),
        ("allowed-tools-map", "allowed-tools: {a: b}"),
        ("allowed-tools-nested", "allowed-tools: [[a], {b: c}]"),
        ("category-map", "category: {a: b}"),
        ("license-number", "license: 3.14"),
    ];
    for (label, yaml) in values {
        let yaml = if yaml.starts_with("name") || yaml.starts_with("description") { yaml.to_string() } else { format!("{OK}\n{yaml}") };
        cases.push(frontmatter(F, format!("yaml-field-{label}"), move || yaml.clone()));
    }
    // 100k keywords: each one a tag page, unless the build bounds them.
    cases.push(frontmatter(F, "yaml-100k-distinct-keywords", || {
        let keywords: Vec<String> = (0..100_000).map(|i| format!("k{i}")).collect();
        format!("{OK}\nkeywords: [{}]", keywords.join(", "))
    }));
    cases.push(frontmatter(F, "yaml-100k-same-keyword", || format!("{OK}\nkeywords: [{}]", vec!["same"; 100_000].join(", "))));
    cases.push(frontmatter(F, "yaml-100k-keywords-comma-string", || {
        let keywords: Vec<String> = (0..100_000).map(|i| format!("t{i}")).collect();
        format!("{OK}\nmetadata:\n  keywords: \"{}\"", keywords.join(","))
    }));
    cases.push(frontmatter(F, "yaml-100k-metadata-keys", || {
        let keys: String = (0..100_000).map(|i| format!("  key{i}: value\n")).collect();
        format!("{OK}\nmetadata:\n{keys}")
    }));
    cases.push(frontmatter(F, "yaml-10k-inputs", || {
        let inputs: String = (0..10_000).map(|i| format!("  - {{name: in{i}, type: string, description: an input}}\n")).collect();
        format!("{OK}\ninputs:\n{inputs}")
    }));
    // 500 skills, each with 50 keywords of its own: 25k tag pages, unless cut.
    cases.push(Case::new(F, "yaml-500-skills-50-keywords-each", |dir| {
        let skills = dir.join("skills");
        for i in 0..500 {
            let keywords: Vec<String> = (0..50).map(|k| format!("s{i}k{k}")).collect();
            write(&skills.join(format!("s{i}/SKILL.md")), skill_md(&format!("name: s{i}\ndescription: d\nkeywords: [{}]", keywords.join(", ")), "# x\n"));
        }
        Ok(Input::skills(skills))
    }));
}

/// Broken YAML syntax: each must be an error at a line of the file.
fn syntax(cases: &mut Vec<Case>) {
    let broken: [(&str, &str); 20] = [
        ("tab-indent", "name: bad\n\tdescription: d"),
        ("tab-after-colon", "name:\tbad\ndescription:\td"),
        ("tab-in-block", "name: bad\ndescription: |\n\tindented with a tab"),
        ("unclosed-double-quote", "name: bad\ndescription: \"abc"),
        ("unclosed-single-quote", "name: 'bad\ndescription: d"),
        ("unclosed-flow-map", "name: bad\ndescription: {a: b"),
        ("colon-in-value", "name: bad\ndescription: Use it: now"),
        ("bad-escape", "name: bad\ndescription: \"\\x\""),
        ("lone-surrogate-escape", "name: bad\ndescription: \"\\ud800\""),
        ("escape-out-of-range", "name: bad\ndescription: \"\\UFFFFFFFF\""),
        ("directive", "%YAML 1.1\nname: bad\ndescription: d"),
        ("tag-directive", "%TAG ! tag:example.com,2000:\nname: !x bad\ndescription: d"),
        ("at-sign", "name: @bad\ndescription: d"),
        ("backtick", "name: `bad`\ndescription: d"),
        ("bad-indentation", "name: bad\n  description: d"),
        ("document-end-marker-inside", "name: bad\n... \ndescription: d"),
        ("stray-closing-bracket", "name: bad]\ndescription: d}"),
        ("control-char", "name: bad\ndescription: a\u{7}b"),
        ("unicode-line-separator", "name: bad\ndescription: a\u{2028}b\u{85}c"),
        ("byte-order-mark-inside", "name: bad\n\u{feff}description: d"),
    ];
    for (label, yaml) in broken {
        cases.push(frontmatter(F, format!("yaml-syntax-{label}"), move || yaml.to_string()));
    }
    // A key line the file names for warnings, past the end of a short YAML.
    cases.push(skill(F, "yaml-key-lines-past-body", || b"---\nname: bad\ndescription: d\nunknown: x\n---".to_vec()));
    cases.push(frontmatter(F, "yaml-syntax-error-at-line-1M", || format!("{OK}\n{}x: [", "#\n".repeat(1_000_000))).expect(Expect::Fails));
}
