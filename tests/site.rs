//! Whole sites built by the real binary, checked the way a visitor sees them.

mod common;

use common::*;
use std::fs;

/// Hard caps of the bundles, bytes gzipped (the bindings module and the
/// wasm), 2–3 % above what they measured: site 172,280 (session 7, with the
/// results page's chips and "Show more"), workbench 292,704 and chat 306,383
/// (session 8, the Markdown renderer, the SKILL.md parser and zips moved to
/// kits fetched on first use), evolution 353,325 (session 8, with the
/// measured effect, Retire and the diff view; 370,345 with grouping by
/// meaning: embeddings requests, their cache, the dense clustering path,
/// +16.7 kB; 371,875 once the sync token's sealing was shared with the
/// provider keys). The budgets (issue 14) are lower still. The site's cap rose to 187,000 with the sharded index's
/// reader (185,653 bytes: the shard loader, the docs group and tag chips,
/// +13.4 kB), which spares a visitor the whole index (0.6–1.4 MB gzipped at
/// 10,000 skills). Then (issue 14, session 9) wasm_streams's unused exported
/// classes were pruned from every bundle (site 183,081, workbench 289,477,
/// chat 305,511 bytes) and the search box's engine moved to the search kit:
/// site 146,204 bytes; then the chat's skill ranking too: chat 280,604.
/// The workbench (issue 14, session 10): the safety review and the reader
/// of whole skills moved to the skill kit, the kit's answers read with
/// `JSON.parse`, a user skill's page and the status notices partly written
/// as HTML text: 233,380.
/// The chat's records read without serde's deserializers and `retry-after`
/// without the float parser (issue 14, session 10): chat 249,870; and
/// without island props (no typed JSON reader left): chat 239,129.
/// The site bundle's islands then read their props with `JSON.parse`
/// (no serde_json) and the user's skills without rexie: 107,148 bytes; and
/// with every bundle's import names shortened (tools/wasm-bindgen): site
/// 102,407, workbench 283,819, chat 272,124 bytes; and the search results'
/// highlights as `Either`, not `AnyView`: site 100,797. Then every
/// island's props read the site bundle's way (`island_props::PagePaths`):
/// workbench 222,417, chat 230,905, evolution 366,481, sync 318,373 bytes
/// with the import names; after the new user's fixes (quoted values, the
/// user skill page's safety review, starter code): workbench 223,223, chat
/// 231,407, sync 319,242, evolution 367,196, skill kit 243,863; and
/// "Show more" hidden rather than removed: site 100,000.
const SITE_CAP: usize = 101_500;
const WORKBENCH_CAP: usize = 225_800;
const CHAT_CAP: usize = 234_400;
const EVOLUTION_CAP: usize = 372_000;
/// The kits the workbench and chat fetch on first use (crate llmos-skillkit):
/// the skill kit (Markdown renderer, SKILL.md parser, zips) measured 217,051
/// bytes and the Markdown kit 87,838 when they were split off. The skill
/// kit took the safety review and the Run panel's skill reader from the
/// workbench: 218,497 → 243,964 bytes.
const SKILLKIT_CAP: usize = 247_100;
const MARKDOWN_KIT_CAP: usize = 89_000;
/// The search kits (crate llmos-searchkit): the search box's, which the
/// site bundle fetches when a visitor starts to search (71,061 bytes when
/// it was split off), and the chat's, fetched when it first offers skills.
const SEARCHKIT_CAP: usize = 71_000;
/// The chat's measured 85,426 bytes.
const CHAT_SEARCHKIT_CAP: usize = 85_100;
/// The sync page's bundle, 2–3 % above the 318,059 bytes it measured when
/// it was first built (issue 17).
const SYNC_CAP: usize = 323_200;

fn gzipped_size(bytes: &[u8]) -> usize {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap().len()
}

fn bundled_skill_count() -> usize {
    fs::read_dir(repo("system-skills")).unwrap().filter(|e| e.as_ref().unwrap().path().join("SKILL.md").is_file()).count()
}

#[test]
fn the_default_site_is_complete_and_only_island_pages_load_javascript() {
    let tmp = tempfile::tempdir().unwrap();
    let run = llmos(tmp.path(), &["build", "--out", "site"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(!run.stderr.contains("warning:"), "the bundled content is clean: {}", run.stderr);
    let site = tmp.path().join("site");
    for file in ["index.html", "404.html", "sitemap.xml", ".nojekyll", "skills/index.html", "categories/index.html", "tags/index.html", "docs/index.html", "index/skills.json", "docs/getting-started/index.html", "docs/skill-format/index.html", "docs/hosting-github-pages/index.html", "docs/privacy-and-keys/index.html", "docs/architecture/index.html"] {
        assert!(site.join(file).is_file(), "{file} is missing");
    }
    let count = bundled_skill_count();
    assert!(count >= 24, "at least 24 bundled skills, found {count}");
    let index: serde_json::Value = serde_json::from_slice(&fs::read(site.join("index/skills.json")).unwrap()).unwrap();
    assert_eq!(index["version"], 2);
    assert_eq!(index["sources"][0]["name"], "LLMos system skills", "{}", index["sources"]);
    let skills = index["skills"].as_array().unwrap();
    assert_eq!(skills.len(), count);
    let executable = skills.iter().filter(|s| !s["type"].is_null()).count();
    assert!(executable >= 8, "at least 8 executable skills, found {executable}");
    for skill in skills {
        let url = skill["url"].as_str().unwrap();
        assert!(site.join(url.trim_start_matches('/')).join("index.html").is_file(), "{url}");
        assert!(site.join(skill["source_url"].as_str().unwrap().trim_start_matches('/')).is_file());
        // Index version 2: the source, and the zip with its content hash.
        assert_eq!(skill["source"], "LLMos system skills");
        let zip = fs::read(site.join(skill["zip_url"].as_str().unwrap().trim_start_matches('/'))).unwrap();
        use sha2::Digest;
        let hex: String = sha2::Sha256::digest(&zip).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(skill["sha256"].as_str(), Some(hex.as_str()), "{url}: the index's hash is the zip's");
        let entries = llmos_core::zip::read_zip(&zip).unwrap();
        let name = skill["name"].as_str().unwrap();
        let raw = fs::read(site.join(skill["source_url"].as_str().unwrap().trim_start_matches('/'))).unwrap();
        assert!(entries.iter().any(|e| e.path == format!("{name}/SKILL.md") && e.data == raw), "{url}: the zip holds the SKILL.md");
        assert_eq!(entries.len(), 1 + skill["files"].as_array().unwrap().len(), "{url}: and every file");
        let view = site.join(url.trim_start_matches('/')).join("SKILL.md.html");
        assert!(fs::read_to_string(&view).unwrap().contains("<span id=\"L1\">1</span>"), "{url}: SKILL.md has a page with line numbers");
    }
    // Only pages with an island (the search box) load the islands bundle;
    // every other page ships no JavaScript at all.
    let search_pages = [site.join("index.html"), site.join("skills/index.html"), site.join("search/index.html")];
    let user_pages = [site.join("my/index.html"), site.join("my/edit/index.html"), site.join("my/skill/index.html"), site.join("chat/index.html")];
    // The traces and evolution pages load a bundle of their own.
    let evolution_pages = [site.join("my/traces/index.html"), site.join("my/evolution/index.html")];
    // As does the sync page.
    let sync_pages = [site.join("my/sync/index.html")];
    // The first page of each category and tag shows the user's own skills
    // of it, and the category list counts them next to the site's.
    let is_term_page = |f: &std::path::Path| ["categories", "tags"].iter().any(|s| f.parent().and_then(|p| p.parent()) == Some(&site.join(s))) && f.ends_with("index.html");
    let island_pages: Vec<std::path::PathBuf> =
        files_under(&site).into_iter().filter(|f| search_pages.contains(f) || user_pages.contains(f) || evolution_pages.contains(f) || sync_pages.contains(f) || is_term_page(f) || *f == site.join("categories/index.html")).collect();
    assert!(island_pages.len() >= search_pages.len() + user_pages.len() + evolution_pages.len() + sync_pages.len() + 5, "{island_pages:?}");
    let runnable_pages: Vec<std::path::PathBuf> = skills.iter().filter(|s| matches!(s["type"].as_str(), Some("python" | "javascript" | "workflow" | "qasm")))
        .map(|s| site.join(s["url"].as_str().unwrap().trim_start_matches('/')).join("index.html")).collect();
    assert!(runnable_pages.len() >= 18, "{runnable_pages:?}");
    let mut loaders = std::collections::BTreeSet::new();
    for file in files_under(&site) {
        let name = file.to_string_lossy().into_owned();
        let skill_file = file.starts_with(site.join("skills"));
        // The bundles and the skill sandbox live in pkg/; Pyodide, the Python runtime, in pyodide/.
        // The service worker is at the root, whose pages it serves offline (its scope).
        let bundle_file = file.starts_with(site.join("pkg")) || file.starts_with(site.join("pyodide")) || file == site.join("sw.js");
        assert!(skill_file || bundle_file || !(name.ends_with(".js") || name.ends_with(".wasm")), "no JavaScript outside the bundle and skill files: {name}");
        // (The skill sandbox in pkg/ is a document for a frame, not a page.)
        if name.ends_with(".html") && !skill_file && !bundle_file || name.ends_with("/index.html") {
            let html = fs::read_to_string(&file).unwrap();
            let scripts = html.matches("<script").count();
            if island_pages.contains(&file) {
                // The editor, a user's skill and the chat also run skills: they
                // add the runner's loader, which starts its bundle on first use.
                let runs = [site.join("my/edit/index.html"), site.join("my/skill/index.html"), site.join("chat/index.html")].contains(&file);
                assert_eq!(scripts, 1 + usize::from(runs), "{name} has islands and one loader script");
                assert_eq!(html.contains("src=\"/pkg/runner."), runs, "{name}: the runner loader where skills run");
                assert!(html.contains("<leptos-island data-component="), "{name}");
                if search_pages.contains(&file) {
                    assert!(html.contains("<leptos-island data-component=\"SearchBox"), "{name}");
                }
                let marker = "<script type=\"module\" src=\"";
                let start = html.find(marker).unwrap() + marker.len();
                let loader = html[start..].split('"').next().unwrap().to_string();
                // The pages of the user's own skills load the workbench bundle; all others the site bundle.
                let expected = if file == site.join("chat/index.html") {
                    "/pkg/chat."
                } else if evolution_pages.contains(&file) {
                    "/pkg/evolution."
                } else if sync_pages.contains(&file) {
                    "/pkg/sync."
                } else if user_pages.contains(&file) {
                    "/pkg/workbench."
                } else {
                    "/pkg/islands."
                };
                // Every page carries a policy (tests/origin_safety.rs checks each); the
                // page that holds API keys also lists the providers it may reach.
                assert!(html.contains("http-equiv=\"Content-Security-Policy\""), "{name}");
                // So does the evolution page, whose synthesis uses the user's provider.
                assert_eq!(html.contains("https://api.anthropic.com"), expected == "/pkg/chat." || file == site.join("my/evolution/index.html"), "{name}");
                // The sync page reaches the GitHub API, and no provider.
                assert_eq!(html.contains("https://api.github.com"), sync_pages.contains(&file), "{name}");
                assert!(loader.starts_with(expected) && loader.ends_with(".js"), "{name} loads {loader}");
                loaders.insert(loader);
            } else if runnable_pages.contains(&file) {
                // Python and JavaScript skills have a Run panel: the runner's loader, only.
                assert_eq!(scripts, 1, "{name} runs its skill with one loader script");
                assert!(html.contains("<script type=\"module\" src=\"/pkg/runner.") && html.contains("data-llmos-run="), "{name}");
            } else {
                assert_eq!(scripts, 0, "{name} has no island, so no script");
            }
        }
    }
    assert_eq!(loaders.len(), 5, "one content-hashed loader per bundle: {loaders:?}");
    for (loader, bundle) in loaders.iter().zip(["llmos_chat", "llmos_evolution", "llmos_islands", "llmos_sync", "llmos_workbench"]) {
        let loader_js = fs::read_to_string(site.join(loader.trim_start_matches('/'))).unwrap();
        let mut gzipped = 0;
        for imported in [format!("{bundle}."), format!("{bundle}_bg.")] {
            let start = loader_js.find(&imported).expect("the loader names the hashed bundle files");
            let file = loader_js[start..].split('"').next().unwrap();
            assert!(site.join("pkg").join(file).is_file(), "{file} is published");
            gzipped += gzipped_size(&fs::read(site.join("pkg").join(file)).unwrap());
        }
        println!("{bundle} bundle in the site: {gzipped} bytes gzipped");
        // Each bundle's hard cap sits a little above its size when issue 14
        // measured it (scripts/bundle-sizes.sh says where the bytes go), so a
        // regression fails here. The budgets are lower still: site 120 kB,
        // workbench and chat 250 kB.
        let cap = match bundle {
            "llmos_islands" => SITE_CAP,
            "llmos_workbench" => WORKBENCH_CAP,
            "llmos_evolution" => EVOLUTION_CAP,
            "llmos_sync" => SYNC_CAP,
            _ => CHAT_CAP,
        };
        assert!(
            gzipped < cap,
            "the {bundle} bundle is {gzipped} bytes gzipped, over its {cap}-byte hard cap (built without the standard library from source? see scripts/lib/wasm.sh)"
        );
    }
    // The kits, fetched on first use: no page loads one; the workbench's
    // loader names the skill kit (renderer, parser, zips), the chat's the
    // Markdown kit and its search kit, the site's the search box's kit, the
    // others none.
    let mut kits = std::collections::BTreeSet::new();
    for loader in &loaders {
        let loader_js = fs::read_to_string(site.join(loader.trim_start_matches('/'))).unwrap();
        let named: &[(&str, usize)] = if loader.contains("/workbench.") {
            &[("llmos_skillkit", SKILLKIT_CAP)]
        } else if loader.contains("/chat.") {
            &[("llmos_markdown", MARKDOWN_KIT_CAP), ("llmos_chatsearch", CHAT_SEARCHKIT_CAP)]
        } else if loader.contains("/islands.") {
            &[("llmos_searchkit", SEARCHKIT_CAP)]
        } else {
            &[]
        };
        assert_eq!(loader_js.contains("globalThis.llmosSkillkit"), loader.contains("/workbench.") || loader.contains("/chat."), "{loader}: only the workbench and chat fetch the skill or Markdown kit");
        assert_eq!(loader_js.contains("globalThis.llmosSearchkit"), loader.contains("/islands.") || loader.contains("/chat."), "{loader}: only the site bundle and the chat fetch a search kit");
        for &(kit, cap) in named {
            let mut gzipped = 0;
            for imported in [format!("{kit}."), format!("{kit}_bg.")] {
                let start = loader_js.find(&imported).unwrap_or_else(|| panic!("{loader} names {imported}"));
                let file = loader_js[start..].split('"').next().unwrap();
                gzipped += gzipped_size(&fs::read(site.join("pkg").join(file)).unwrap_or_else(|e| panic!("{file}: {e}")));
                kits.insert(file.to_string());
            }
            println!("{kit} in the site: {gzipped} bytes gzipped");
            assert!(gzipped < cap, "{kit} is {gzipped} bytes gzipped, over its {cap}-byte hard cap");
        }
    }
    assert_eq!(kits.len(), 8, "four kits of two files each: {kits:?}");
    let checked = assert_links_resolve(&site, &site, "/");
    assert!(checked > 500, "only {checked} links checked");
    // A skill's own HTML could run script in the site's origin: it is published as text.
    assert!(site.join("skills/threejs-rotating-cube/assets/cube.html.txt").is_file());
    assert!(!site.join("skills/threejs-rotating-cube/assets/cube.html").exists());
    // Code is highlighted at build time.
    let bell = fs::read_to_string(site.join("skills/bell-state/index.html")).unwrap();
    assert!(bell.contains("<span class=\"source python\">"), "syntax highlighting classes");
}

#[test]
fn a_base_path_prefixes_every_link() {
    let tmp = tempfile::tempdir().unwrap();
    let run = llmos(tmp.path(), &["build", "--base-url", "https://someone.github.io/llmos/", "--out", "served/llmos"]);
    assert!(run.ok, "{}", run.stderr);
    let site = tmp.path().join("served/llmos");
    assert_links_resolve(&tmp.path().join("served"), &site, "/llmos/");
    let sitemap = fs::read_to_string(site.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://someone.github.io/llmos/skills/bell-state/</loc>"), "{sitemap}");
    let page = fs::read_to_string(site.join("skills/bell-state/index.html")).unwrap();
    assert!(page.contains("<link rel=\"canonical\" href=\"https://someone.github.io/llmos/skills/bell-state/\">"));
    let not_found = fs::read_to_string(site.join("404.html")).unwrap();
    assert!(not_found.contains("href=\"/llmos/skills/\""), "404 links work from any depth");
    let index: serde_json::Value = serde_json::from_slice(&fs::read(site.join("index/skills.json")).unwrap()).unwrap();
    assert_eq!(index["site"]["base_path"], "/llmos/");
    assert!(index["skills"][0]["url"].as_str().unwrap().starts_with("/llmos/skills/"));
}

#[test]
fn a_public_collection_builds_with_warnings_that_point_at_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let collection = fixture("public-collection");
    let run = llmos(tmp.path(), &["build", "--skills", collection.to_str().unwrap(), "--out", "site"]);
    assert!(run.ok, "{}", run.stderr);
    let pdf = format!("{}/skills/pdf-tools/SKILL.md", collection.display());
    for expected in [
        format!("warning: {pdf}:3:1: the description is 1355 characters; the spec allows 1024"),
        format!("warning: {pdf}:5:1: unknown key `version`"),
        format!("warning: {pdf}:6:1: unknown key `author`"),
        format!("warning: {}/skills/Mixed_Case/SKILL.md:2:1: the name `Mixed_Case` breaks the naming rule", collection.display()),
        format!("warning: {pdf}: the skill `pdf-tools` replaces `pdf-tools` from {}/other/skills/pdf-tools/SKILL.md", collection.display()),
    ] {
        assert!(run.stderr.contains(&expected), "missing {expected:?} in\n{}", run.stderr);
    }
    assert!(!run.stderr.contains("windows-line-endings"), "CRLF is fine: {}", run.stderr);
    assert!(!run.stderr.contains("with-bom"), "a BOM is fine: {}", run.stderr);
    let site = tmp.path().join("site");
    for slug in ["pdf-tools", "web-research", "mixed-case", "windows-line-endings", "with-bom", "empty-body"] {
        assert!(site.join("skills").join(slug).join("index.html").is_file(), "{slug}");
    }
    assert!(site.join("skills/pdf-tools/scripts/extract.py").is_file(), "bundled files are copied");
    let crlf = fs::read_to_string(site.join("skills/windows-line-endings/index.html")).unwrap();
    assert!(crlf.contains("<li>two</li>"), "CRLF body rendered");
    let pdf_page = fs::read_to_string(site.join("skills/pdf-tools/index.html")).unwrap();
    assert!(pdf_page.contains("<table>") && pdf_page.contains("scripts/extract.py"));
    assert!(site.join("tags/research/index.html").is_file(), "comma-separated tags become tag pages");
    assert_eq!(fs::read(site.join("skills/with-bom/SKILL.md")).unwrap()[..3], [0xEF, 0xBB, 0xBF], "the raw file is published unchanged");
    assert_links_resolve(&site, &site, "/");
}

#[test]
fn later_skills_directories_override_earlier_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let mine = tmp.path().join("mine/bell-state");
    fs::create_dir_all(&mine).unwrap();
    fs::write(mine.join("SKILL.md"), "---\nname: bell-state\ndescription: My own Bell state notes.\n---\n# Mine\n").unwrap();
    let run = llmos(tmp.path(), &["build", "--skills", repo("system-skills").to_str().unwrap(), "--skills", "mine", "--out", "site"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stderr.contains("replaces `bell-state`"), "{}", run.stderr);
    let page = fs::read_to_string(tmp.path().join("site/skills/bell-state/index.html")).unwrap();
    assert!(page.contains("My own Bell state notes."));
}

#[test]
fn broken_skills_fail_clearly_and_leave_the_old_site_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let good = llmos(tmp.path(), &["build", "--out", "site"]);
    assert!(good.ok, "{}", good.stderr);
    let before: Vec<(std::path::PathBuf, Vec<u8>)> = files_under(&tmp.path().join("site")).into_iter().map(|p| { let b = fs::read(&p).unwrap(); (p, b) }).collect();

    let broken = fixture("broken");
    let run = llmos(tmp.path(), &["build", "--skills", broken.to_str().unwrap(), "--out", "site"]);
    assert!(!run.ok);
    let b = broken.display();
    for expected in [
        format!("error: {b}/bad-yaml/SKILL.md:3:"),
        format!("error: {b}/no-frontmatter/SKILL.md:1:1: no frontmatter"),
        format!("error: {b}/not-utf8/SKILL.md:3:"),
        format!("error: {b}/no-name/SKILL.md:2:1: the frontmatter has no `name`"),
    ] {
        assert!(run.stderr.contains(&expected), "missing {expected:?} in\n{}", run.stderr);
    }
    assert!(run.stderr.contains("help:"), "every error says what to do");
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    let after: Vec<(std::path::PathBuf, Vec<u8>)> = files_under(&tmp.path().join("site")).into_iter().map(|p| { let b = fs::read(&p).unwrap(); (p, b) }).collect();
    assert!(before == after, "the previous site is byte for byte unchanged");
    let leftovers: Vec<_> = fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers, ["site"], "no staging directory left behind");
}

#[test]
fn check_reports_json_and_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let run = llmos(tmp.path(), &["check", "--skills", fixture("broken").to_str().unwrap(), "--format", "json"]);
    assert_eq!(run.code, Some(1));
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["ok"], false);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 4, "{errors:#?}");
    let yaml = errors.iter().find(|e| e["file"].as_str().unwrap().ends_with("bad-yaml/SKILL.md")).unwrap();
    assert_eq!(yaml["line"], 3);
    assert!(yaml["column"].as_u64().unwrap() > 1);
    assert!(yaml["help"].as_str().unwrap().contains("quotes"));

    let run = llmos(tmp.path(), &["check", "--skills", fixture("public-collection").to_str().unwrap(), "--format", "json"]);
    assert_eq!(run.code, Some(0), "warnings do not fail a check: {}", run.stdout);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(report["warnings"].as_array().unwrap().len() >= 5);
    assert_eq!(report["skills"], 6);
    assert!(!tmp.path().join("dist").exists(), "check writes nothing");
}

#[test]
fn new_scaffolds_skills_that_pass_check() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, kind) in [("my-notes", "instructions"), ("word-count", "python"), ("js-tool", "javascript")] {
        let run = llmos(tmp.path(), &["new", name, "--dir", "skills", "--type", kind]);
        assert!(run.ok, "{}", run.stderr);
    }
    // They pass, and each says its description is still the placeholder.
    let run = llmos(tmp.path(), &["check", "--skills", "skills"]);
    assert!(run.ok && run.stderr.contains("0 errors, 3 warnings"), "{}", run.stderr);
    assert!(run.stderr.contains("skills/my-notes/SKILL.md:3:1: the description is still the placeholder `llmos new` wrote"), "{}", run.stderr);
    for name in ["my-notes", "word-count", "js-tool"] {
        let path = tmp.path().join("skills").join(name).join("SKILL.md");
        let text = fs::read_to_string(&path).unwrap();
        let line = text.lines().find(|l| l.starts_with("description: ")).unwrap().to_string();
        fs::write(&path, text.replace(&line, "description: Counts things. Use when counting.")).unwrap();
    }
    let run = llmos(tmp.path(), &["check", "--skills", "skills"]);
    assert!(run.ok && run.stderr.contains("0 errors, 0 warnings"), "{}", run.stderr);
    assert!(run.stderr.contains("checked 3 skills"), "{}", run.stderr);
    let again = llmos(tmp.path(), &["new", "my-notes", "--dir", "skills"]);
    assert!(!again.ok && again.stderr.contains("already exists"));
    let bad = llmos(tmp.path(), &["new", "Bad Name", "--dir", "skills"]);
    assert!(!bad.ok && bad.stderr.contains("bad-name"), "suggests a valid name: {}", bad.stderr);
}

#[test]
fn refuses_to_overwrite_a_folder_it_did_not_make() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir(tmp.path().join("docs")).unwrap();
    fs::write(tmp.path().join("docs/thesis.tex"), "years of work").unwrap();
    let run = llmos(tmp.path(), &["build", "--out", "docs"]);
    assert!(!run.ok);
    assert!(run.stderr.contains("not made by llmos build"), "{}", run.stderr);
    assert_eq!(fs::read_to_string(tmp.path().join("docs/thesis.tex")).unwrap(), "years of work");
    let run = llmos(tmp.path(), &["build", "--out", "."]);
    assert!(!run.ok, "building over the current directory is refused");
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_a_skill_are_not_published() {
    let tmp = tempfile::tempdir().unwrap();
    let skill = tmp.path().join("skills/leaky");
    fs::create_dir_all(&skill).unwrap();
    fs::write(skill.join("SKILL.md"), "---\nname: leaky\ndescription: Tries to publish a secret.\n---\n").unwrap();
    fs::write(tmp.path().join("secret.txt"), "s3cret").unwrap();
    std::os::unix::fs::symlink(tmp.path().join("secret.txt"), skill.join("notes.txt")).unwrap();
    let run = llmos(tmp.path(), &["build", "--skills", "skills", "--out", "site"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stderr.contains("notes.txt: skipped: it is a symbolic link"), "{}", run.stderr);
    for file in files_under(&tmp.path().join("site")) {
        assert!(!fs::read(&file).unwrap().windows(6).any(|w| w == b"s3cret"), "{} leaks the secret", file.display());
    }
}

#[test]
fn docs_links_between_pages_are_rewritten() {
    let tmp = tempfile::tempdir().unwrap();
    let run = llmos(tmp.path(), &["build", "--skills", fixture("public-collection").to_str().unwrap(), "--content", fixture("content-min").to_str().unwrap(), "--base-path", "/x/", "--out", "root/x"]);
    assert!(run.ok, "{}", run.stderr);
    let hello = fs::read_to_string(tmp.path().join("root/x/docs/hello/index.html")).unwrap();
    assert!(hello.contains("href=\"/x/docs/other/\""), "{hello}");
    let other = fs::read_to_string(tmp.path().join("root/x/docs/other/index.html")).unwrap();
    assert!(other.contains("<h1>Other page</h1>") || other.contains("Other page"));
    assert!(other.contains("href=\"/x/skills/\""));
    assert_links_resolve(&tmp.path().join("root"), &tmp.path().join("root/x"), "/x/");
}

#[test]
fn config_file_errors_name_the_line() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("llmos.toml"), "title = \"Mine\"\noutput = \"public\"\n").unwrap();
    let run = llmos(tmp.path(), &["build"]);
    assert!(!run.ok);
    assert!(run.stderr.contains("llmos.toml:2:1: invalid configuration"), "{}", run.stderr);
}

#[test]
fn search_ranks_the_bundled_skills_natively() {
    let tmp = tempfile::tempdir().unwrap();
    for (query, expected) in [("bell openqasm", "bell-state-qasm"), ("grover", "grover-search"), ("quantum fourier", "quantum-fourier-transform"), ("commit mess", "commit-messages"), ("rc filt", "rc-filter-response"), ("csv", "csv-analysis")] {
        let run = llmos(tmp.path(), &["search", query, "--json", "--limit", "5"]);
        assert!(run.ok, "{}", run.stderr);
        let results: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(results[0]["name"], expected, "{query}: {results:#}");
        assert_eq!(results[0]["url"], format!("/skills/{expected}/"));
    }
    let run = llmos(tmp.path(), &["search", "zzzzqqq", "--json"]);
    assert_eq!(run.stdout.trim(), "[]");
    let site = llmos(tmp.path(), &["build", "--out", "site"]);
    assert!(site.ok);
    let index: llmos_core::SearchIndex = serde_json::from_slice(&fs::read(tmp.path().join("site/index/search.json")).unwrap()).unwrap();
    let hits = index.search("grover", 1);
    assert_eq!(index.docs[hits[0].doc].name, "grover-search", "the published index ranks like the CLI");
    // And so does the sharded index the search box reads.
    let dir = tmp.path().join("site/index/search");
    let files: Vec<(String, Vec<u8>)> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap()).map(|e| (e.file_name().to_string_lossy().into_owned(), fs::read(e.path()).unwrap())).collect();
    let sharded = llmos_core::ShardedIndex::from_files(&files).unwrap();
    for query in ["grover", "quantum fourier", "csv", "commit mess", "type:python"] {
        assert_eq!(sharded.search(query, None, 50).unwrap(), index.search(query, 50), "{query}");
    }
}

/// Names in any script keep their letters in page addresses, and two
/// different names never share a page without an error naming both.
#[test]
fn unicode_names_keep_their_letters_and_never_share_a_page() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["数据分析", "代码审查", "redacteur-français"] {
        let dir = tmp.path().join("skills").join(name);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("SKILL.md"), format!("---\nname: {name}\ndescription: Does {name}.\ncategory: Données\n---\nBody.\n")).unwrap();
    }
    let run = llmos(tmp.path(), &["build", "--skills", "skills", "--out", "site", "--base-url", "https://example.org/"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(!run.stderr.contains("naming rule"), "lowercase letters of any script follow the naming rule: {}", run.stderr);
    let site = tmp.path().join("site");
    for name in ["数据分析", "代码审查", "redacteur-français"] {
        assert!(site.join("skills").join(name).join("index.html").is_file(), "{name} has its own page");
    }
    assert!(site.join("categories/données/index.html").is_file());
    let sitemap = fs::read_to_string(site.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("https://example.org/skills/%E6%95%B0%E6%8D%AE%E5%88%86%E6%9E%90/"), "{sitemap}");
    let index = fs::read_to_string(site.join("index/skills.json")).unwrap();
    assert!(index.contains("/skills/redacteur-fran%C3%A7ais/"), "{index}");
    assert!(assert_links_resolve(&site, &site, "/") > 0);

    let clash = tmp.path().join("skills/pdf");
    fs::create_dir_all(&clash).unwrap();
    fs::write(clash.join("SKILL.md"), "---\nname: Redacteur Français\ndescription: d\n---\n").unwrap();
    let check = llmos(tmp.path(), &["check", "--skills", "skills"]);
    assert!(!check.ok, "{}", check.stderr);
    assert!(check.stderr.contains("`redacteur-français` and `Redacteur Français`") && check.stderr.contains("make the same page address"), "{}", check.stderr);
}

/// `llmos serve` is in the binary a user installs with the default features,
/// as `zola serve` and `hugo server` are (issue 11, item 16).
#[test]
fn the_default_binary_carries_the_dev_server() {
    let tmp = tempfile::tempdir().unwrap();
    let help = llmos(tmp.path(), &["--help"]);
    assert!(help.ok && help.stdout.contains("serve"), "{}", help.stdout);
    assert!(llmos(tmp.path(), &["serve", "--help"]).ok);
}

/// The docs' status table says what ships (issue 11, item 7): a feature is
/// "Available" exactly when what its last column names is in the built site.
#[test]
fn the_status_table_in_the_docs_matches_what_ships() {
    let tmp = tempfile::tempdir().unwrap();
    let run = llmos(tmp.path(), &["build", "--out", "site"]);
    assert!(run.ok, "{}", run.stderr);
    let doc = fs::read_to_string(repo("content/getting-started.md")).unwrap();
    let rows: Vec<Vec<String>> = doc
        .lines()
        .filter(|l| l.starts_with('|') && (l.contains("| Available |") || l.contains("| Planned |")))
        .map(|l| l.trim_matches('|').split('|').map(|c| c.trim().to_string()).collect())
        .collect();
    assert!(rows.len() >= 9, "the table was found: {rows:?}");
    for row in rows {
        let (feature, status, place) = (&row[0], &row[1], row[2].trim_matches('`'));
        if place.is_empty() {
            assert_eq!(status, "Available", "{feature}: a command-line feature without a page ships with the binary");
            continue;
        }
        let shipped = tmp.path().join("site").join(place).exists();
        assert_eq!(status == "Available", shipped, "{feature} is marked {status}, but `{place}` is {} in the built site", if shipped { "present" } else { "absent" });
    }
}
