//! Time to load and list the user's skills on "Your skills", in headless
//! Chromium: `cargo bench --bench user_skills_list`
//!
//! Writes N user skills (default 10,000; LLMOS_BENCH_SKILLS) into the
//! site's IndexedDB the way the editor stores them, then opens the page and
//! measures, five times, from navigation start to the list shown (the
//! island's count line naming all N skills), and the island's own figure
//! for reading and summarising the records. Needs chromium and
//! chromium-driver (scripts/test.sh installs them) and the islands bundle.

#[path = "../tests/common/mod.rs"]
mod common;

use common::server::StaticServer;
use common::webdriver::Browser;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n: usize = std::env::var("LLMOS_BENCH_SKILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let tmp = tempfile::tempdir().unwrap();
    let run = common::llmos(tmp.path(), &["build", "--out", "site"]);
    assert!(run.ok, "{}", run.stderr);
    let server = StaticServer::start(&tmp.path().join("site"), "/");
    let browser = Browser::start();
    browser.goto(&server.url("/my/"));
    browser.wait_for("document.documentElement.dataset.islands === 'hydrated'", 30);
    browser.wait_for("document.querySelector('#my-skills-state') && !document.querySelector('#my-skills-state').textContent.startsWith('Loading')", 30);
    // The records the editor writes: the files' bytes and the parsed fields.
    let written = browser.eval_async(&format!(
        r#"const done = arguments[arguments.length - 1];
        const open = indexedDB.open("llmos");
        open.onsuccess = () => {{
          const db = open.result;
          const tx = db.transaction("skills", "readwrite");
          const store = tx.objectStore("skills");
          const words = ["data", "chart", "tea", "quantum", "regex", "review", "letter", "circuit", "python", "table"];
          for (let i = 0; i < {n}; i++) {{
            const name = `skill-${{i}}`;
            const description = `Does ${{words[i % 10]}} work number ${{i}}. Use when you need ${{words[(i * 7) % 10]}}.`;
            const body = `# ${{name}}\n\n` + Array.from({{ length: 40 }}, (_, j) => words[(i + j) % 10]).join(" ") + "\n";
            const md = `---\nname: ${{name}}\ndescription: ${{description}}\ncategory: ${{words[i % 10]}}\n---\n\n${{body}}`;
            store.put({{ name, files: [{{ path: "SKILL.md", data: new TextEncoder().encode(md) }}], created: i, updated: i,
              fields: {{ name, description, category: words[i % 10], type: null, keywords: [], body }} }});
          }}
          tx.oncomplete = () => {{ db.close(); done({n}); }};
        }};"#
    ));
    assert_eq!(written, n);
    let mut shown = Vec::new();
    let mut summarised = Vec::new();
    for _ in 0..5 {
        browser.console();
        browser.goto(&server.url("/my/"));
        browser.wait_for(&format!("document.querySelector('#my-skills-state') && document.querySelector('#my-skills-state').textContent.startsWith('{n} skill')"), 60);
        browser.wait_for("document.querySelectorAll('#my-skill-list .my-skill').length > 0", 10);
        shown.push(browser.eval("return performance.now();").as_f64().unwrap());
        let line = browser.console().into_iter().find(|l| l.contains("user skills in")).unwrap_or_default();
        if let Some(ms) = line.split(" in ").nth(1).and_then(|t| t.split(" ms").next()).and_then(|t| t.parse::<f64>().ok()) {
            summarised.push(ms);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    println!("user skills: {n}");
    println!("navigation start to the list shown: median {:.0} ms (runs: {shown:.0?})", median(&mut shown.clone()));
    println!("reading and summarising the records: median {:.0} ms (runs: {summarised:.0?})", median(&mut summarised.clone()));
}
