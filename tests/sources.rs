//! Many sources in one catalogue (issue 15): three collections of different
//! shapes (a flat repository, a tree nested by category, a zip as "Your
//! skills" exports it) built into one site, each skill showing where it
//! comes from on its page, in search results and in the index; category
//! and tag lists narrowed by source; a name two sources share goes to the
//! one read last, with a note on its page.

mod common;

use common::{fixture, llmos};
use std::fs;

fn read(path: &std::path::Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn three_sources_make_one_catalogue_with_provenance_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let sources = fixture("sources");
    let zip = llmos_core::zip::write_zip(&[
        ("team-standup/SKILL.md", b"---\nname: team-standup\ndescription: Run the team's daily stand-up and write its notes. Use every morning.\ncategory: writing\nkeywords: [meetings]\n---\n# Stand-up\n\nThree questions each.\n"),
        ("team-standup/references/template.md", b"# Notes\n\n- Yesterday\n- Today\n- Blocked\n"),
        ("team-retro/SKILL.md", b"---\nname: team-retro\ndescription: Run a sprint retrospective and record its actions. Use at the end of a sprint.\n---\n# Retro\n"),
    ]);
    fs::write(tmp.path().join("team.zip"), zip).unwrap();
    let config = format!(
        "title = \"Many\"\nbase_url = \"https://example.org/many/\"\n\n\
         [[source]]\nname = \"Anthropic-like\"\npath = \"{a}\"\nurl = \"https://github.com/example/skills\"\nlicense = \"Apache-2.0\"\n\n\
         [[source]]\nname = \"By category\"\npath = \"{b}\"\nlicense = \"CC-BY-4.0\"\n\n\
         [[source]]\nname = \"Team skills\"\npath = \"team.zip\"\ncategory = \"team rituals\"\n",
        a = sources.join("anthropic-like/skills").display(),
        b = sources.join("by-category").display(),
    );
    fs::write(tmp.path().join("llmos.toml"), config).unwrap();
    let run = llmos(tmp.path(), &["build", "--out", "site"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stderr.contains("the skill `pdf-merge` replaces `pdf-merge`"), "the duplicate is reported: {}", run.stderr);
    let site = tmp.path().join("site");

    // The index: the sources, and each skill's.
    let index: serde_json::Value = serde_json::from_str(&read(&site.join("index/skills.json"))).unwrap();
    let listed: Vec<(&str, &str, u64)> = index["sources"].as_array().unwrap().iter().map(|s| (s["name"].as_str().unwrap(), s["slug"].as_str().unwrap(), s["skills"].as_u64().unwrap())).collect();
    assert_eq!(listed, [("Anthropic-like", "anthropic-like", 1), ("By category", "by-category", 3), ("Team skills", "team-skills", 2)]);
    assert_eq!(index["sources"][0]["url"], "https://github.com/example/skills");
    assert_eq!(index["sources"][1]["license"], "CC-BY-4.0");
    let source_of = |name: &str| index["skills"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap_or_else(|| panic!("{name} in the index"))["source"].as_str().unwrap().to_string();
    assert_eq!(source_of("brand-voice"), "Anthropic-like");
    assert_eq!(source_of("pdf-merge"), "By category", "the source read last wins");
    assert_eq!(source_of("csv-clean"), "By category");
    assert_eq!(source_of("team-standup"), "Team skills");
    // A source's category goes to its skills that name none, and only to them.
    let category_of = |name: &str| index["skills"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()["category"].clone();
    assert_eq!(category_of("team-retro"), "team rituals");
    assert_eq!(category_of("team-standup"), "writing");
    assert!(site.join("categories/team-rituals/index.html").is_file());

    // Skill pages: the source with its origin, the licence of the source
    // when the skill names none, and the note on the winner.
    let brand = read(&site.join("skills/brand-voice/index.html"));
    assert!(brand.contains("<dt>Source</dt><dd><a href=\"/many/sources/anthropic-like/\">Anthropic-like</a> · <a href=\"https://github.com/example/skills\" rel=\"noopener\">origin</a>"), "{brand}");
    assert!(brand.contains("<dt>License</dt><dd>Apache-2.0</dd>"), "the source's licence for a skill without one");
    let merge = read(&site.join("skills/pdf-merge/index.html"));
    assert!(merge.contains("qpdf"), "the later source's pdf-merge is published");
    assert!(merge.contains("This skill replaces <code>pdf-merge/SKILL.md</code> from Anthropic-like, which has the same name"), "named inside its source, not by the build machine's path: {merge}");
    assert!(merge.contains("<dt>License</dt><dd>CC-BY-4.0</dd>"));
    let standup = read(&site.join("skills/team-standup/index.html"));
    assert!(standup.contains(">Team skills</a>"), "a zip is a source like a folder");
    // The install commands can fetch the zip: the site's address is known.
    assert!(standup.contains("curl -fsSL -o /tmp/team-standup.zip https://example.org/many/skills/team-standup.zip"), "{standup}");

    // sources/ and one source's list.
    let all = read(&site.join("sources/index.html"));
    for name in ["Anthropic-like", "By category", "Team skills"] {
        assert!(all.contains(name), "sources/ lists {name}");
    }
    let by_category = read(&site.join("sources/by-category/index.html"));
    assert!(by_category.contains("csv-clean") && by_category.contains("chart-maker") && !by_category.contains("brand-voice"));

    // A category with skills of two sources can be narrowed to each.
    let writing = read(&site.join("categories/writing/index.html"));
    assert!(writing.contains("aria-label=\"Filter by source\""), "{writing}");
    assert!(writing.contains("href=\"/many/categories/writing/from/team-skills/\""));
    let narrowed = read(&site.join("categories/writing/from/team-skills/index.html"));
    assert!(narrowed.contains("team-standup") && !narrowed.contains("skills/brand-voice/"), "only that source's skills: {narrowed}");
    assert!(narrowed.contains("aria-current=\"page\">Team skills"), "the chip of the list shown is marked");
    // A category of one source has no filter row.
    assert!(!read(&site.join("categories/data/index.html")).contains("Filter by source"));

    // Search results carry the source when there are several.
    let search: serde_json::Value = serde_json::from_str(&read(&site.join("index/search.json"))).unwrap();
    let doc = search["docs"].as_array().unwrap().iter().find(|d| d["name"] == "team-standup").unwrap();
    assert_eq!(doc["source"], "Team skills");

    // `llmos search` ranks the same and filters by source too.
    let found = llmos(tmp.path(), &["search", "--json", "writing source:team-skills"]);
    let found: serde_json::Value = serde_json::from_slice(found.stdout.as_bytes()).unwrap_or_else(|e| panic!("{e}: {}", found.stderr));
    let names: Vec<&str> = found.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["team-standup"], "{found}");
    assert_eq!(found[0]["source"], "Team skills");
    let plain = llmos(tmp.path(), &["search", "writing"]);
    assert!(plain.stdout.contains("team-standup  [Team skills]"), "{}", plain.stdout);
    // Long descriptions are cut after a whole word, with an ellipsis.
    let long = llmos(tmp.path(), &["search", "csv"]);
    let full = llmos(tmp.path(), &["search", "csv", "--json"]);
    let full: serde_json::Value = serde_json::from_str(&full.stdout).unwrap();
    let words: Vec<&str> = full.as_array().unwrap().iter().flat_map(|r| r["description"].as_str().unwrap().split([' ', ',', '.', ';', ':'])).collect();
    let cut: Vec<&str> = long.stdout.lines().filter(|l| l.ends_with('…')).collect();
    assert!(!cut.is_empty(), "a bundled description is longer than a line: {}", long.stdout);
    for line in cut {
        let last = line.trim_end_matches('…').rsplit(' ').next().unwrap();
        assert!(words.contains(&last), "`{last}` is a whole word of a description: {line}");
    }
    // No skill matches, but a docs page does: said, with its address.
    let docs = llmos(tmp.path(), &["search", "zzzunmatched"]);
    assert!(docs.stderr.contains("no skill matches \"zzzunmatched\"") && !docs.stderr.contains("docs pages"), "{}", docs.stderr);
    let docs = llmos(tmp.path(), &["search", "sync"]);
    assert!(docs.stdout.trim().is_empty() && docs.stderr.contains("docs pages that match") && docs.stderr.contains("docs/sync/"), "{}{}", docs.stdout, docs.stderr);
    let unknown = llmos(tmp.path(), &["search", "source:nosuch csv"]);
    assert_eq!(unknown.code, Some(2));
    assert!(unknown.stderr.contains("no source is named `nosuch`; the sources are: Anthropic-like (source:anthropic-like), By category (source:by-category), Team skills (source:team-skills)"), "{}", unknown.stderr);

    // The sitemap lists the new pages.
    let sitemap = read(&site.join("sitemap.xml"));
    assert!(sitemap.contains("https://example.org/many/sources/by-category/") && sitemap.contains("categories/writing/from/team-skills/"));
}

#[test]
fn repeated_skills_flags_are_sources_named_after_their_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let sources = fixture("sources");
    let (a, b) = (sources.join("anthropic-like/skills"), sources.join("by-category"));
    let run = llmos(tmp.path(), &["build", "--skills", a.to_str().unwrap(), "--skills", b.to_str().unwrap(), "--out", "site"]);
    assert!(run.ok, "{}", run.stderr);
    let index: serde_json::Value = serde_json::from_str(&read(&tmp.path().join("site/index/skills.json"))).unwrap();
    let names: Vec<&str> = index["sources"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["anthropic-like/skills", "by-category"]);
    // Two folders of the same name (both repositories are called "skills"):
    // the build says the sources cannot be told apart.
    let twin = tmp.path().join("twin/anthropic-like/skills");
    fs::create_dir_all(twin.join("solo")).unwrap();
    fs::write(twin.join("solo/SKILL.md"), "---\nname: solo\ndescription: A skill in a second collection of the same folder name.\n---\n# Solo\n").unwrap();
    let run = llmos(tmp.path(), &["build", "--skills", a.to_str().unwrap(), "--skills", twin.to_str().unwrap(), "--out", "site2"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stderr.contains("two sources are named `anthropic-like/skills`"), "{}", run.stderr);
    // One source only: pages do not clutter every skill with it.
    let single = tempfile::tempdir().unwrap();
    let run = llmos(single.path(), &["build", "--skills", b.to_str().unwrap(), "--out", "site"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(!read(&single.path().join("site/skills/csv-clean/index.html")).contains("<dt>Source</dt>"));
    let search: serde_json::Value = serde_json::from_str(&read(&single.path().join("site/index/search.json"))).unwrap();
    assert!(search["docs"][0].get("source").is_none(), "results name no source when there is one");
}

/// Public collections file skills under hidden folders (openai/skills has
/// `.system/`, `.curated/`, `.experimental/`): those are read, while tools'
/// folders (`.git`) and hidden folders inside a skill are not.
#[test]
fn skills_under_hidden_collection_folders_are_found_and_a_skills_hidden_files_stay_out() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("collection/skills");
    let skill = |rel: &str, name: &str| {
        fs::create_dir_all(root.join(rel)).unwrap();
        fs::write(root.join(rel).join("SKILL.md"), format!("---\nname: {name}\ndescription: The {name} skill, filed as a public collection files it.\n---\n# {name}\n")).unwrap();
    };
    skill(".system/skill-installer", "skill-installer");
    skill(".curated/gh-fix-ci", "gh-fix-ci");
    skill(".git/refs/not-a-skill", "not-a-skill");
    fs::create_dir_all(root.join(".curated/gh-fix-ci/.secrets")).unwrap();
    fs::write(root.join(".curated/gh-fix-ci/.secrets/token.txt"), "ghp_secret").unwrap();
    fs::write(root.join(".curated/gh-fix-ci/.env"), "KEY=1").unwrap();
    fs::create_dir_all(root.join(".curated/gh-fix-ci/scripts")).unwrap();
    fs::write(root.join(".curated/gh-fix-ci/scripts/fix.sh"), "echo fix\n").unwrap();
    let run = llmos(tmp.path(), &["build", "--skills", root.to_str().unwrap(), "--out", "site"]);
    assert!(run.ok, "{}", run.stderr);
    let index: serde_json::Value = serde_json::from_str(&read(&tmp.path().join("site/index/skills.json"))).unwrap();
    let mut names: Vec<&str> = index["skills"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["gh-fix-ci", "skill-installer"]);
    let fix = index["skills"].as_array().unwrap().iter().find(|s| s["name"] == "gh-fix-ci").unwrap();
    let files: Vec<&str> = fix["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(files, ["scripts/fix.sh"], "a skill's hidden files and folders are not published");
    assert!(!tmp.path().join("site/skills/gh-fix-ci/.secrets").exists());
}
