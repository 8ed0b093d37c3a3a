//! Search relevance, measured: a set of everyday queries, each with the
//! skills a person would want, over the bundled skills (`system-skills/`) and
//! a fixture collection imitating public ones (`tests/fixtures/relevance-skills/`).
//! Prints recall@1, recall@3 and the mean reciprocal rank, and fails below the
//! targets of issue 14 or below the figures reached when the ranking was tuned.
//!
//! `cargo test -p llmos-core --test relevance -- --nocapture` shows the figures
//! and every query that missed the top 3.

use llmos_core::search::{Part, ShardedIndex};
use llmos_core::{parse_skill, Hit, SearchIndex, SearchInput, Skill, SkillSource};
use std::collections::HashMap;
use std::path::Path;

/// Fail below these: what the ranking reached when it was tuned (recall@1
/// 0.961, recall@3 1.000, MRR 0.980) minus a small margin, so a regression
/// is caught; all above the targets (0.85 and 0.95). The ranking
/// before issue 14 scored 0.804, 0.931 and 0.867 on this set.
const MIN_RECALL_AT_1: f64 = 0.94;
const MIN_RECALL_AT_3: f64 = 0.98;
const MIN_MRR: f64 = 0.96;

/// The Python skills of `system-skills/`, for queries that ask for Python.
const PYTHON: &[&str] = &["ab-test-significance", "bell-state", "csv-analysis", "grover-search", "plotting", "quantum-fourier-transform", "rc-filter-response", "resistor-divider", "vqe-h2"];
const JAVASCRIPT: &[&str] = &["color-contrast-checker", "cron-expression", "logic-truth-table", "ohms-law-calculator", "regex-builder", "threejs-rotating-cube"];

/// (query, the skills that answer it). A query counts as found at the rank of
/// the first of its skills in the results.
const QUERIES: &[(&str, &[&str])] = &[
    // The examples.
    ("plot a csv", &["plotting", "csv-to-chart"]),
    ("make a graph from my spreadsheet", &["plotting", "csv-to-chart", "xlsx-spreadsheets"]),
    ("write a commit message", &["commit-messages"]),
    ("fix a bug", &["debugging-method", "systematic-debugging"]),
    ("python", &["ab-test-significance", "bell-state", "csv-analysis", "grover-search", "plotting", "quantum-fourier-transform", "rc-filter-response", "resistor-divider", "vqe-h2", "python-packaging"]),
    ("regex email", &["regex-builder"]),
    ("summarize", &["summarising"]),
    // Everyday phrasings over the bundled skills.
    ("summarize this article for me", &["summarising"]),
    ("tl;dr of a long email thread", &["summarising"]),
    ("draw a line chart", &["plotting"]),
    ("bar chart svg", &["plotting"]),
    ("statistics for each column of a csv file", &["csv-analysis"]),
    ("clean up messy data", &["data-cleaning"]),
    ("remove duplicate rows and fix dates", &["data-cleaning"]),
    ("is my a/b test significant", &["ab-test-significance"]),
    ("conversion rate experiment p-value", &["ab-test-significance"]),
    ("entangled qubits", &["bell-state", "bell-state-qasm"]),
    ("histogram of bell state measurements", &["bell-state-histogram"]),
    ("run an openqasm circuit", &["bell-state-qasm", "qft-qasm"]),
    ("quantum fourier transform", &["quantum-fourier-transform", "qft-qasm"]),
    ("grover's algorithm", &["grover-search"]),
    ("ground state energy of a hydrogen molecule", &["vqe-h2"]),
    ("review my pull request", &["code-review"]),
    ("contrast ratio between two colours", &["color-contrast-checker"]),
    ("is this text colour readable", &["color-contrast-checker", "accessibility-audit"]),
    ("run a job every monday at 9am", &["cron-expression"]),
    ("crontab schedule", &["cron-expression"]),
    ("find the root cause of a crash", &["debugging-method", "systematic-debugging"]),
    ("git bisect", &["debugging-method"]),
    ("write a polite follow-up email", &["email-drafting"]),
    ("how do skills evolve from chats", &["how-evolution-works"]),
    ("truth table of a boolean expression", &["logic-truth-table"]),
    ("which resistor for an led", &["ohms-law-calculator"]),
    ("voltage divider", &["resistor-divider"]),
    ("write a better prompt for an llm", &["prompt-writing"]),
    ("bode plot", &["rc-filter-bode", "rc-filter-response"]),
    ("low pass filter cutoff frequency", &["rc-filter-response", "rc-filter-bode"]),
    ("my sql query is slow", &["sql-query-review", "postgres-tuning"]),
    ("write a readme", &["technical-writing"]),
    ("spinning 3d cube", &["threejs-rotating-cube"]),
    ("translate this into french", &["translation"]),
    ("create a new skill", &["writing-a-skill"]),
    ("unit tests with pytest", &["writing-unit-tests"]),
    ("javascript", JAVASCRIPT),
    // One typo.
    ("sumarize", &["summarising"]),
    ("statistcs of a csv", &["csv-analysis"]),
    ("transalte a document", &["translation"]),
    ("entaglement", &["bell-state", "bell-state-qasm", "bell-state-histogram"]),
    ("resistor divdier", &["resistor-divider"]),
    ("regualr expression", &["regex-builder"]),
    ("dockerfle", &["docker-containers"]),
    ("kuberntes deployment", &["kubernetes-deploy"]),
    // Field filters.
    ("type:python", PYTHON),
    ("type:javascript regex", &["regex-builder"]),
    ("category:electronics divider", &["resistor-divider"]),
    ("tag:csv", &["csv-analysis"]),
    ("category:quantum fourier", &["quantum-fourier-transform", "qft-qasm"]),
    ("type:workflow chart", &["csv-to-chart", "rc-filter-bode"]),
    // The fixture collection.
    ("fill in a pdf form", &["pdf-editing"]),
    ("merge two pdfs", &["pdf-editing"]),
    ("edit a word document", &["docx-documents"]),
    ("tracked changes", &["docx-documents"]),
    ("excel formulas", &["xlsx-spreadsheets"]),
    ("make slides for a talk", &["pptx-presentations"]),
    ("use our brand colours and fonts", &["brand-guidelines"]),
    ("build an mcp server", &["mcp-server-builder"]),
    ("give claude tools with the model context protocol", &["mcp-server-builder"]),
    ("test my web app in a browser", &["webapp-testing"]),
    ("playwright screenshot", &["webapp-testing"]),
    ("generate release notes", &["changelog-generator"]),
    ("changelog from git history", &["changelog-generator"]),
    ("animated gif for slack", &["slack-gif-creator"]),
    ("design a poster", &["canvas-design"]),
    ("work on two branches at the same time", &["git-worktrees"]),
    ("red green refactor", &["test-driven-development"]),
    ("write the failing test first", &["test-driven-development"]),
    ("postgres vacuum", &["postgres-tuning"]),
    ("my database is slow", &["postgres-tuning", "sql-query-review"]),
    ("multi-stage dockerfile", &["docker-containers"]),
    ("containerize my app", &["docker-containers"]),
    ("deploy to kubernetes", &["kubernetes-deploy"]),
    ("helm chart", &["kubernetes-deploy"]),
    ("infrastructure as code on aws", &["terraform-infra"]),
    ("rest api versioning", &["api-design"]),
    ("design endpoints with pagination", &["api-design"]),
    ("screen reader accessibility", &["accessibility-audit"]),
    ("plurals in my app's translations", &["i18n-localization", "translation"]),
    ("security review", &["security-review"]),
    ("leaked secrets in the repo", &["security-review"]),
    ("landing page design", &["frontend-design"]),
    ("generative art", &["algorithmic-art"]),
    ("weekly status update for leadership", &["internal-comms"]),
    ("meeting minutes with action items", &["meeting-notes"]),
    ("react hooks", &["react-components"]),
    ("scrape a website", &["web-scraping"]),
    ("errors in the server logs", &["log-analysis"]),
    ("ci pipeline on github", &["ci-github-actions"]),
    ("publish my package to pypi", &["python-packaging"]),
    ("resize images", &["image-resize"]),
    ("login with jwt", &["jwt-auth"]),
    ("upgrade dependencies", &["dependency-upgrades"]),
    ("why is my program slow", &["performance-profiling"]),
];

fn files_under(dir: &Path, base: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, base, out);
        } else if path.file_name().is_some_and(|n| n != "SKILL.md") {
            out.push(path.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/"));
        }
    }
}

fn load(dir: &Path) -> Vec<Skill> {
    let mut folders: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.join("SKILL.md").is_file()).collect();
    folders.sort();
    folders
        .iter()
        .map(|folder| {
            let bytes = std::fs::read(folder.join("SKILL.md")).unwrap();
            let mut files = Vec::new();
            files_under(folder, folder, &mut files);
            let path = folder.join("SKILL.md").to_string_lossy().into_owned();
            let name = folder.file_name().unwrap().to_string_lossy().into_owned();
            parse_skill(&SkillSource { path: &path, folder: &name, bytes: &bytes, files: &files }).unwrap_or_else(|e| panic!("{path}: {e:?}")).0
        })
        .collect()
}

fn inputs(skills: &[Skill]) -> Vec<SearchInput<'_>> {
    skills
        .iter()
        .map(|s| SearchInput { name: &s.name, slug: &s.slug, description: &s.description, keywords: &s.keywords, body: &s.body, category: s.category.as_deref(), kind: s.kind.as_deref() })
        .collect()
}

/// The bundled catalogue's index as the browser downloads it (JSON, and
/// deflated at gzip's default level as a stand-in for the served size).
fn print_index_size(bundled: &[Skill]) {
    let json = serde_json::to_vec(&SearchIndex::build(&inputs(bundled))).unwrap();
    let deflated = miniz_oxide::deflate::compress_to_vec(&json, 6);
    println!("index of the {} bundled skills: {:.1} kB JSON, {:.1} kB deflated", bundled.len(), json.len() as f64 / 1000.0, deflated.len() as f64 / 1000.0);
}

#[test]
fn everyday_queries_find_the_right_skills() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut skills = load(&root.join("system-skills"));
    print_index_size(&skills);
    skills.extend(load(&root.join("tests/fixtures/relevance-skills")));
    assert!(skills.len() >= 60, "{} skills", skills.len());
    let index = SearchIndex::build(&inputs(&skills));
    for (_, expected) in QUERIES {
        for slug in *expected {
            assert!(skills.iter().any(|s| s.slug == *slug), "no skill {slug}");
        }
    }

    let (mut at1, mut at3, mut reciprocal) = (0usize, 0usize, 0f64);
    let mut misses = Vec::new();
    for (query, expected) in QUERIES {
        let hits = index.search(query, 10);
        let slugs: Vec<&str> = hits.iter().map(|h| index.docs[h.doc].slug.as_str()).collect();
        let rank = slugs.iter().position(|s| expected.contains(s)).map(|p| p + 1);
        at1 += usize::from(rank == Some(1));
        at3 += usize::from(rank.is_some_and(|r| r <= 3));
        reciprocal += rank.map_or(0.0, |r| 1.0 / r as f64);
        if rank.is_none_or(|r| r > 1) {
            misses.push(format!("  {query:?}: rank {rank:?}, got {:?}", &slugs[..slugs.len().min(4)]));
        }
    }
    let n = QUERIES.len() as f64;
    let (recall1, recall3, mrr) = (at1 as f64 / n, at3 as f64 / n, reciprocal / n);
    println!("{} queries over {} skills: recall@1 {recall1:.3}, recall@3 {recall3:.3}, MRR {mrr:.3}", QUERIES.len(), skills.len());
    println!("not first:\n{}", misses.join("\n"));
    assert!(QUERIES.len() >= 60);
    assert!(recall1 >= MIN_RECALL_AT_1 && recall3 >= MIN_RECALL_AT_3 && mrr >= MIN_MRR, "recall@1 {recall1:.3}, recall@3 {recall3:.3}, MRR {mrr:.3}");
}

/// Hits of a sharded index loaded part by part, as the browser loads it:
/// the planned parts first, then each part ranking asks for. Counts the
/// parts fetched in `fetched`.
fn lazy_search(index: &mut ShardedIndex, files: &HashMap<String, Vec<u8>>, user: Option<&SearchIndex>, query: &str, fetched: &mut usize) -> Vec<Hit> {
    for part in index.planned(query, user, false) {
        index.insert(part, &files[&ShardedIndex::part_path(part)]).unwrap();
        *fetched += 1;
    }
    loop {
        match index.search(query, user, 50) {
            Ok(hits) => return hits,
            Err(part) => {
                assert!(!index.has_part(part), "{part:?} asked for again");
                index.insert(part, &files[&ShardedIndex::part_path(part)]).unwrap();
                *fetched += 1;
            }
        }
    }
}

/// Every query of the set, keystroke by keystroke, and filter, typo and
/// stem queries: the sharded index (loaded whole, and loaded part by part)
/// gives the same hits with the same scores, to the bit, as the whole
/// index; and user skills layered over it rank as `SearchIndex::layered`.
#[test]
fn the_sharded_index_ranks_exactly_as_the_whole_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut skills = load(&root.join("system-skills"));
    skills.extend(load(&root.join("tests/fixtures/relevance-skills")));
    let index = SearchIndex::build(&inputs(&skills));
    let files = ShardedIndex::write(&index);
    let whole = ShardedIndex::from_files(&files).unwrap();
    let by_path: HashMap<String, Vec<u8>> = files.iter().cloned().collect();
    let mut lazy = ShardedIndex::from_manifest(&by_path["manifest.bin"]).unwrap();
    assert!(whole.shard_count() > 1, "the test index should span several shards");
    let mut queries: Vec<String> = Vec::new();
    for (query, _) in QUERIES {
        queries.extend((1..=query.len()).filter(|&end| query.is_char_boundary(end)).map(|end| query[..end].to_string()));
    }
    queries.extend(["type:python", "tag:csv", "category:data csv", "type:js color", "pythn", "summarise", "regx email", "plotting", "csv-analysis", "zzzz", ""].map(String::from));
    let mut fetched = 0;
    for query in &queries {
        let expected = index.search(query, 50);
        assert_eq!(whole.search(query, None, 50).unwrap(), expected, "{query:?}");
        assert_eq!(lazy_search(&mut lazy, &by_path, None, query, &mut fetched), expected, "{query:?}, loaded part by part");
    }
    assert!(fetched < queries.len(), "parts are fetched once: {fetched} fetches for {} queries", queries.len());

    // One word fetches its shard (and the one its slug sorts into), not the index.
    let mut fresh = ShardedIndex::from_manifest(&by_path["manifest.bin"]).unwrap();
    let mut one_word = 0;
    lazy_search(&mut fresh, &by_path, None, "spreadsheet", &mut one_word);
    assert!(one_word <= 2, "{one_word} parts for one word");

    // User skills layered on: as `SearchIndex::layered`, by slug and score.
    let none: &[String] = &[];
    let mine = [
        SearchInput { name: "plotting", slug: "plotting", description: "My own charts from CSV files, in ASCII.", keywords: none, body: "Bars of hashes.", category: Some("data"), kind: None },
        SearchInput { name: "haiku-writer", slug: "haiku-writer", description: "Write a haiku about a spreadsheet.", keywords: none, body: "Five seven five.", category: None, kind: Some("python") },
    ];
    let user = SearchIndex::build(&mine);
    let layered = index.layered(&mine);
    let named = |hits: Vec<Hit>, name: &dyn Fn(usize) -> String| hits.into_iter().map(|h| (name(h.doc), h.score.to_bits())).collect::<Vec<_>>();
    let mut fresh = ShardedIndex::from_manifest(&by_path["manifest.bin"]).unwrap();
    for query in ["plot", "plot a csv", "haiku", "spreadsheet", "type:python", "category:data chart", "plotting", "csv"] {
        let expected = named(layered.search(query, 50), &|d| layered.docs[d].slug.clone());
        let hits = lazy_search(&mut fresh, &by_path, Some(&user), query, &mut 0);
        let got = named(hits, &|d| if d < index.len() { index.docs[d].slug.clone() } else { user.docs[d - index.len()].slug.clone() });
        assert_eq!(got, expected, "{query:?} with user skills");
    }

    // Damaged files are errors, not panics.
    let manifest = &by_path["manifest.bin"];
    assert!(ShardedIndex::from_manifest(&manifest[..manifest.len() - 1]).is_err());
    assert!(ShardedIndex::from_manifest(b"{\"version\":2}").err().is_some_and(|e| e.contains("not an LLMos search file")));
    let shard = &by_path["s0.bin"];
    let mut fresh = ShardedIndex::from_manifest(manifest).unwrap();
    assert!(fresh.insert(Part::Shard(0), &shard[..shard.len() / 2]).is_err());
    assert!(fresh.insert(Part::Shard(999), shard).is_err());
}

/// `Q="plot a csv" cargo test -p llmos-core --test relevance show_query -- --nocapture`
/// prints that query's hits with their scores, for tuning.
#[test]
fn show_query() {
    let Ok(q) = std::env::var("Q") else { return };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut skills = load(&root.join("system-skills"));
    skills.extend(load(&root.join("tests/fixtures/relevance-skills")));
    let index = SearchIndex::build(&inputs(&skills));
    for h in index.search(&q, 10) {
        println!("{:.3} {} {:?}", h.score, index.docs[h.doc].slug, index.docs[h.doc].kind);
    }
}
