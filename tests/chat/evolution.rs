//! The evolution engine in the browser (issue 13): real chats through the
//! provider stand-in leave traces; `/my/traces/` lists, filters, marks,
//! keeps and exports them; `/my/evolution/` finds the recurring tasks and
//! proposes skills that become user skills with their provenance, undone
//! in one step, and a rejected proposal does not come back.

use super::*;
use serde_json::Value;

/// The acceptance test's chats, one goal per line: 3 paraphrase groups of 4,
/// then 3 unrelated goals (shared with the evolution crate's unit tests).
const GOALS: &str = include_str!("../fixtures/evolution/acceptance-chats.txt");

/// Every record of a store of the page's IndexedDB.
fn all_records(browser: &common::webdriver::Browser, store: &str) -> Value {
    browser.eval_async(&format!(
        r#"const done = arguments[arguments.length - 1];
        const open = indexedDB.open("llmos");
        open.onsuccess = () => {{
          const request = open.result.transaction({store:?}).objectStore({store:?}).getAll();
          request.onsuccess = () => done(request.result);
        }};"#
    ))
}

/// The user's skills as stored: (key, SKILL.md text).
fn user_skills(browser: &common::webdriver::Browser) -> Vec<(String, String)> {
    let skills = browser.eval_async(
        r#"const done = arguments[arguments.length - 1];
        const open = indexedDB.open("llmos");
        open.onsuccess = () => {
          const request = open.result.transaction("skills").objectStore("skills").getAll();
          request.onsuccess = () => done(request.result.map(s => [s.name, new TextDecoder().decode(s.files.find(f => f.path === "SKILL.md").data)]));
        };"#,
    );
    serde_json::from_value(skills).unwrap()
}

impl Chat {
    fn open_page(&self, path: &str) {
        self.browser.goto(&self.server.url(path));
        self.browser.wait_for(HYDRATED, 30);
    }

    fn find_patterns(&self) -> Value {
        self.open_page("/my/evolution/");
        self.browser.click("#find-patterns");
        self.browser.wait_for("document.querySelector('#patterns-state')", 20);
        self.browser.eval("return [...document.querySelectorAll('#pattern-list > li')].map(li => [li.dataset.pattern, li.dataset.name, li.querySelector('.pattern-goal').textContent, li.querySelector('.proposal-text').textContent]);")
    }

    fn pattern_of(&self, patterns: &Value, word: &str) -> (String, String, String) {
        let p = patterns.as_array().unwrap().iter().find(|p| p[2].as_str().unwrap().to_lowercase().contains(word)).unwrap_or_else(|| panic!("no pattern about {word}: {patterns}"));
        (p[0].as_str().unwrap().to_string(), p[1].as_str().unwrap().to_string(), p[3].as_str().unwrap().to_string())
    }

    fn no_overflow(&self, page: &str) {
        for width in [1280, 390] {
            self.viewport(width, 900);
            let wide = self.browser.eval("return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
            assert!(wide.as_i64().unwrap() <= 0, "{page} at {width} px scrolls sideways by {wide} px");
        }
        self.viewport(1280, 900);
    }
}

#[test]
fn recurring_chats_become_reviewed_skills_with_provenance_undo_and_rejection() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    c.configure(ProviderKind::Anthropic);
    // Fifteen real chats; the last of each group of four marked not solved, the rest solved.
    for (i, goal) in GOALS.lines().enumerate() {
        c.browser.click("#new-chat");
        c.send(goal);
        c.last_answer();
        c.browser.click(if i % 4 == 3 && i < 12 { "#outcome-not-solved" } else { "#outcome-solved" });
        c.browser.wait_for("document.querySelector('[aria-pressed=\"true\"][id^=\"outcome-\"]')", 10);
    }
    assert_eq!(c.browser.eval("return document.querySelector('#chat-traces').getAttribute('href');"), "/my/traces/", "the chat links to its traces");

    // The traces page: all fifteen, filtered by words and outcome.
    c.open_page("/my/traces/");
    c.browser.wait_for("document.querySelectorAll('#trace-list > li').length === 15", 20);
    // Detection ran by itself when the browser was idle (15 new traces): the badge says what waits.
    c.browser.wait_for("document.querySelector('#proposals-badge') && document.querySelector('#proposals-badge').textContent === '3 waiting'", 20);
    c.set("#trace-filter", "haiku autumn");
    c.browser.wait_for("document.querySelectorAll('#trace-list > li').length === 4", 10);
    c.set("#trace-outcome", "not-solved");
    c.browser.wait_for("document.querySelectorAll('#trace-list > li').length === 1", 10);
    assert!(c.text_of("#trace-list > li").contains("haiku on autumn leaves"), "{}", c.text_of("#trace-list"));
    // Export what is shown.
    c.browser.click("#export-traces");
    let exported: Value = serde_json::from_slice(&c.browser.downloaded("llmos-traces.json", 20)).unwrap();
    assert_eq!(exported["format"], "llmos-traces-1");
    assert_eq!(exported["traces"].as_array().unwrap().len(), 1);
    assert_eq!(exported["traces"][0]["outcome"], "not-solved");
    // Outcome editing, stored.
    c.set("#trace-list > li .trace-outcome", "solved");
    c.browser.wait_for("document.querySelectorAll('#trace-list > li').length === 0", 10);
    let marked = all_records(&c.browser, "traces");
    assert!(marked.as_array().unwrap().iter().any(|t| t["goal"] == "a haiku on autumn leaves, please write one" && t["outcome"] == "solved"), "{marked}");
    // Keep one unrelated trace, then delete both unrelated chats in the chat: the kept trace stays.
    c.set("#trace-outcome", "all");
    c.set("#trace-filter", "Mongolia");
    c.browser.wait_for("document.querySelectorAll('#trace-list > li').length === 1", 10);
    c.browser.eval("const box = document.querySelector('#trace-list > li .trace-keep'); box.checked = true; box.dispatchEvent(new Event('change', { bubbles: true })); return true;");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !all_records(&c.browser, "traces").as_array().unwrap().iter().any(|t| t["kept"] == true) {
        assert!(Instant::now() < deadline, "the keep mark is stored");
        std::thread::sleep(Duration::from_millis(100));
    }
    c.no_overflow("/my/traces/");
    c.open();
    c.browser.eval("window.confirm = () => true; return true;");
    for title in ["What is the capital of Mongolia?", "Recommend a good sci-fi novel"] {
        let before = c.browser.eval("return document.querySelectorAll('#conversations li').length;").as_u64().unwrap();
        c.browser.eval(&format!("[...document.querySelectorAll('#conversations li')].find(li => li.textContent.includes({title:?})).querySelector('.danger').click(); return true;"));
        c.browser.wait_for(&format!("document.querySelectorAll('#conversations li').length === {}", before - 1), 10);
    }
    let traces = all_records(&c.browser, "traces");
    let goals: Vec<&str> = traces.as_array().unwrap().iter().map(|t| t["goal"].as_str().unwrap()).collect();
    assert!(goals.contains(&"What is the capital of Mongolia?"), "the kept trace outlives its chat: {goals:?}");
    assert!(!goals.contains(&"Recommend a good sci-fi novel"), "a trace goes with its chat: {goals:?}");
    assert_eq!(goals.len(), 14);
    // Delete on the traces page asks first: declined, the trace stays; confirmed, it leaves the list and the store.
    c.open_page("/my/traces/");
    c.set("#trace-filter", "Mongolia");
    c.browser.wait_for("document.querySelectorAll('#trace-list > li').length === 1", 10);
    c.browser.eval("window.confirm = () => false; return true;");
    c.browser.click("#trace-list > li .trace-delete");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(all_records(&c.browser, "traces").as_array().unwrap().len(), 14, "declining the question deletes nothing");
    assert_eq!(c.browser.eval("return document.querySelectorAll('#trace-list > li').length;"), 1);
    c.browser.eval("window.confirm = () => true; return true;");
    c.browser.click("#trace-list > li .trace-delete");
    c.browser.wait_for("document.querySelectorAll('#trace-list > li').length === 0", 10);
    let deadline = Instant::now() + Duration::from_secs(10);
    while all_records(&c.browser, "traces").as_array().unwrap().iter().any(|t| t["goal"] == "What is the capital of Mongolia?") {
        assert!(Instant::now() < deadline, "the deleted trace leaves the store");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(all_records(&c.browser, "traces").as_array().unwrap().len(), 13);

    // Three patterns, each with a fallback proposal (no key was used for it) that `llmos check` passes.
    c.standin.take_requests();
    let patterns = c.find_patterns();
    assert_eq!(patterns.as_array().unwrap().len(), 3, "{patterns}");
    assert_eq!(c.standin.take_requests().iter().filter(|r| r.method == "POST").count(), 0, "detection and the fallback call no provider");
    let tmp = tempfile::tempdir().unwrap();
    for p in patterns.as_array().unwrap() {
        let (name, text) = (p[1].as_str().unwrap(), p[3].as_str().unwrap());
        std::fs::create_dir_all(tmp.path().join("skills").join(name)).unwrap();
        std::fs::write(tmp.path().join("skills").join(name).join("SKILL.md"), text).unwrap();
    }
    let check = llmos(tmp.path(), &["check", "--skills", "skills"]);
    assert!(check.ok && { let said = format!("{}{}", check.stdout, check.stderr); said.contains("checked 3 skills and ") && said.contains(" docs: 0 errors, 0 warnings") }, "{}\n{}", check.stdout, check.stderr);
    c.no_overflow("/my/evolution/");

    // Grouping by meaning: not offered with Anthropic, which has no embeddings endpoint.
    assert_eq!(c.browser.eval("return document.querySelectorAll('#semantic-on').length;"), 0);
    assert!(c.text_of("#semantic-note").contains("Anthropic has no embeddings endpoint"), "{}", c.text_of("#semantic-note"));
    // With OpenAI's it is offered, off until turned on; on, the stand-in's
    // vectors give the same three patterns, each goal sent once, then cached.
    c.open();
    c.configure(ProviderKind::OpenAi);
    let by_words = c.find_patterns();
    assert_eq!(c.browser.eval("return document.querySelector('#semantic-on').checked;"), false, "off by default");
    assert_eq!(c.browser.eval("return document.querySelector('#embeddings-model').placeholder;"), "text-embedding-3-small");
    c.standin.take_requests();
    c.browser.click("#semantic-on");
    c.browser.wait_for("document.querySelector('#patterns-state[data-grouping=\"meaning\"]') && document.querySelectorAll('#pattern-list > li').length === 3", 20);
    let by_meaning = c.browser.eval("return [...document.querySelectorAll('#pattern-list > li')].map(li => li.dataset.pattern).sort();");
    let mut ids: Vec<&str> = by_words.as_array().unwrap().iter().map(|p| p[0].as_str().unwrap()).collect();
    ids.sort();
    assert_eq!(by_meaning, serde_json::json!(ids), "the same three patterns as by words");
    let posts: Vec<_> = c.standin.take_requests().into_iter().filter(|r| r.method == "POST").collect();
    assert!(posts.iter().all(|r| r.path == "/openai/v1/embeddings" && r.header("authorization") == Some("Bearer sk-test-openai")), "{posts:?}");
    let mut sent: Vec<String> = posts.iter().flat_map(|r| serde_json::from_str::<Value>(&r.body).unwrap()["input"].as_array().unwrap().iter().map(|g| g.as_str().unwrap().to_string()).collect::<Vec<_>>()).collect();
    sent.sort();
    let mut stored: Vec<String> = all_records(&c.browser, "traces").as_array().unwrap().iter().map(|t| t["goal"].as_str().unwrap().to_string()).collect();
    stored.sort();
    assert_eq!(sent, stored, "each goal sent exactly once");
    let cached = all_records(&c.browser, "meta").as_array().unwrap().iter().filter(|r| r["key"].as_str().unwrap().starts_with("embedding:text-embedding-3-small:")).count();
    assert_eq!(cached, 13, "one vector per trace, kept");
    // A second run sends nothing: every goal's vector is cached.
    c.find_patterns();
    c.browser.wait_for("document.querySelector('#patterns-state[data-grouping=\"meaning\"]') && document.querySelectorAll('#pattern-list > li').length === 3", 20);
    assert_eq!(c.standin.take_requests().iter().filter(|r| r.method == "POST").count(), 0, "cached vectors are not asked for again");
    c.no_overflow("/my/evolution/ with the embeddings switch");
    // Off again, and back to the chat's Anthropic for the rest.
    c.browser.click("#semantic-on");
    c.browser.wait_for("document.querySelector('#patterns-state[data-grouping=\"words\"]') !== null && document.querySelector('#semantic-on') && !document.querySelector('#semantic-on').checked", 20);
    c.open();
    c.configure(ProviderKind::Anthropic);
    assert_eq!(c.find_patterns(), by_words, "by words again, as before");

    // Reject one: it does not come back.
    let (rejected, _, _) = c.pattern_of(&patterns, "meeting");
    c.browser.click(&format!("li[data-pattern='{rejected}'] .pattern-reject"));
    c.browser.wait_for("document.querySelector('#evolution-status') && document.querySelector('#evolution-status').textContent.includes('Rejected')", 10);
    let again = c.find_patterns();
    assert_eq!(again.as_array().unwrap().len(), 2, "{again}");
    assert!(c.text_of("#patterns-state").contains("1 more rejected"), "{}", c.text_of("#patterns-state"));

    // Synthesis, once turned on: an invalid answer goes back with its
    // problems; the valid one replaces the template, with our provenance.
    let (pattern, name, template) = c.pattern_of(&again, "haiku");
    assert_eq!(c.browser.eval("return document.querySelectorAll('.pattern-synthesise').length;"), 0, "off until the user turns it on");
    c.browser.click("#synthesis-on");
    c.browser.wait_for("document.querySelectorAll('.pattern-synthesise').length === 2", 10);
    c.standin.take_requests();
    c.standin.script(None, Script::text("Here it is:\n\n```markdown\n---\nname: Autumn Haiku!\n---\nWrite it.\n```"));
    c.standin.script(None, Script::text(format!("---\nname: {name}\ndescription: Writes a haiku about autumn leaves, five, seven and five syllables.\nmetadata:\n  author: the model\n---\n# Autumn haiku\n\n1. Count five, seven, five syllables.\n")));
    c.browser.click(&format!("li[data-pattern='{pattern}'] .pattern-synthesise"));
    c.browser.wait_for("document.querySelector('#evolution-status') && document.querySelector('#evolution-status').textContent.includes('in 2 answers')", 20);
    let posts: Vec<_> = c.standin.take_requests().into_iter().filter(|r| r.method == "POST").collect();
    assert_eq!(posts.len(), 2, "one retry");
    assert!(posts[0].body.contains("autumn") && posts[0].body.contains("Answer with the SKILL.md file only"), "{}", posts[0].body);
    assert!(posts[1].body.contains("not valid yet") && posts[1].body.contains("description"), "the retry carries the diagnostics: {}", posts[1].body);
    let written = c.text_of(&format!("li[data-pattern='{pattern}'] .proposal-text"));
    assert!(written.contains("Count five, seven, five") && written.contains(&format!("pattern: \"{pattern}\"")) && !written.contains("author: the model") && written != template, "{written}");
    assert!(user_skills(&c.browser).is_empty(), "nothing is saved before Accept");
    // An answer that stays invalid is never shown as the proposal, nor saved.
    let (csv, _, csv_template) = c.pattern_of(&again, "csv");
    for _ in 0..3 {
        c.standin.script(None, Script::text("I would rather not write files."));
    }
    c.browser.click(&format!("li[data-pattern='{csv}'] .pattern-synthesise"));
    c.browser.wait_for("document.querySelector('#evolution-status') && document.querySelector('#evolution-status').textContent.includes('still invalid after 3')", 20);
    assert_eq!(c.standin.take_requests().iter().filter(|r| r.method == "POST").count(), 3);
    assert_eq!(c.text_of(&format!("li[data-pattern='{csv}'] .proposal-text")), csv_template);
    assert!(user_skills(&c.browser).is_empty(), "nothing invalid is saved");

    // Accept it: a user skill with its provenance, in /my/, search and the next chat's offered skills.
    c.browser.click(&format!("li[data-pattern='{pattern}'] .pattern-accept"));
    c.browser.wait_for(&format!("document.querySelector(\"li[data-pattern='{pattern}'] .accepted\")"), 10);
    let skills = user_skills(&c.browser);
    let (_, md) = skills.iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("{name} stored: {skills:?}"));
    assert!(md.contains("Count five, seven, five"), "the model's version is what was accepted: {md}");
    for field in [format!("pattern: \"{pattern}\""), "source: evolution".into(), "traces: \"".into(), "date: \"".into(), format!("model: \"{}\"", c.standin.model(ProviderKind::Anthropic))] {
        assert!(md.contains(&field), "provenance {field} in {md}");
    }
    c.open_page("/my/");
    c.browser.wait_for(&format!("document.querySelector(\"#my-skill-list li[data-name='{name}']\")"), 20);
    c.open_page("/search/?q=haiku%20autumn%20leaves");
    c.browser.wait_for(&format!("[...document.querySelectorAll('#search-results li a')].some(a => a.getAttribute('href') === '/my/skill/?name={name}')"), 20);
    c.open();
    c.browser.click("#new-chat");
    c.standin.take_requests();
    c.send("write a haiku about falling autumn leaves");
    c.last_answer();
    let posts: Vec<_> = c.standin.take_requests().into_iter().filter(|r| r.method == "POST").collect();
    let system = serde_json::from_str::<Value>(&posts[0].body).unwrap()["system"].as_str().unwrap_or_default().to_string();
    assert!(system.contains(&format!("- {name}:")), "the accepted skill is offered in the next chat about its task: {system}");

    // Undo removes it; the pattern is proposed again.
    let after = c.find_patterns();
    assert!(c.browser.eval(&format!("return !!document.querySelector(\"li[data-pattern='{pattern}'] .accepted\");")) == true, "{after}");
    c.browser.click(&format!("li[data-pattern='{pattern}'] .pattern-undo"));
    c.browser.wait_for(&format!("document.querySelector(\"li[data-pattern='{pattern}'] .pattern-accept\")"), 10);
    assert!(user_skills(&c.browser).iter().all(|(n, _)| *n != name), "undo deleted the skill");

    // Edit then accept: the editor opens on the proposal as a draft; saving there accepts it.
    c.browser.click(&format!("li[data-pattern='{pattern}'] .pattern-edit"));
    c.browser.wait_for("location.pathname === '/my/edit/' && document.documentElement.dataset.islands === 'hydrated'", 20);
    c.browser.wait_for("document.querySelector('#draft-restored')", 20);
    c.browser.wait_for("!document.querySelector('#save-skill').disabled", 20);
    c.browser.click("#save-skill");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !user_skills(&c.browser).iter().any(|(n, md)| *n == name && md.contains(&format!("pattern: \"{pattern}\""))) {
        assert!(Instant::now() < deadline, "saved from the editor with its provenance: {:?}", user_skills(&c.browser));
        std::thread::sleep(Duration::from_millis(100));
    }
    c.find_patterns();
    c.browser.wait_for(&format!("document.querySelector(\"li[data-pattern='{pattern}'] .accepted\")"), 10);

    // The measured effect: three more real chats about the task after
    // acceptance, the skill offered in each but used in none, two marked
    // not solved: the page shows before against since and flags it.
    c.open();
    for (i, goal) in ["write me a haiku about autumn leaves", "an autumn leaves haiku, please", "compose one more haiku about autumn leaves"].iter().enumerate() {
        c.browser.click("#new-chat");
        c.send(goal);
        c.last_answer();
        let outcome = if i < 2 { "not-solved" } else { "solved" };
        c.browser.click(&format!("#outcome-{outcome}"));
        // Stored before the next chat starts (a click on a stale button would be lost).
        let deadline = Instant::now() + Duration::from_secs(10);
        while !all_records(&c.browser, "traces").as_array().unwrap().iter().any(|t| t["goal"] == *goal && t["outcome"] == outcome) {
            assert!(Instant::now() < deadline, "the outcome of {goal:?} is stored");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    c.find_patterns();
    let effect = format!("li[data-pattern='{pattern}'] .pattern-effect");
    c.browser.wait_for(&format!("document.querySelector(\"{effect}\")"), 10);
    // The task is covered by the accepted skill now: its proposal is an improvement, shown as a line diff against it.
    let diff = |class: &str| c.browser.eval(&format!("return [...document.querySelectorAll(\"li[data-pattern='{pattern}'] .proposal-diff .{class}\")].map(s => s.textContent).join('');"));
    let (deleted, inserted) = (diff("diff-delete"), diff("diff-insert"));
    assert!(deleted.as_str().unwrap().contains("-description: \"Carries out a task the user asked for 5 times"), "{deleted}");
    assert!(inserted.as_str().unwrap().contains("+description: \"Carries out a task the user asked for 8 times"), "{inserted}");
    assert!(diff("diff-equal").as_str().unwrap().contains(&format!(" name: {name}\n")), "unchanged lines are shown as they are");
    let since: Vec<String> = serde_json::from_value(c.browser.eval(&format!("return [...document.querySelectorAll(\"{effect} tbody tr:last-child td\")].map(td => td.textContent);"))).unwrap();
    assert_eq!(since, ["3", "33 %", "3 of 3", "0 of 3"], "since acceptance: traces, solved, offered, used");
    let before: Vec<String> = serde_json::from_value(c.browser.eval(&format!("return [...document.querySelectorAll(\"{effect} tbody tr:first-child td\")].map(td => td.textContent);"))).unwrap();
    assert!(before[0].parse::<usize>().unwrap() >= 4 && before[1] == "100 %" && before[3] == "0 of 5", "before: the group's chats (all marked solved by now) and the unmarked one after the first acceptance, none used it: {before:?}");
    assert_eq!(c.browser.eval(&format!("return document.querySelector(\"{effect}\").dataset.verdict;")), "never-used");
    assert!(c.text_of(&format!("{effect} .effect-verdict.flagged")).contains("Never used"), "{}", c.text_of(&effect));
    c.no_overflow("/my/evolution/");
    // Retire, in one click: the skill goes, the pattern stays retired across detections, Undo brings it back.
    c.browser.click(&format!("li[data-pattern='{pattern}'] .pattern-retire"));
    c.browser.wait_for(&format!("document.querySelector(\"li[data-pattern='{pattern}'] .retired\")"), 10);
    assert!(user_skills(&c.browser).iter().all(|(n, _)| *n != name), "retire removed the skill");
    c.find_patterns();
    c.browser.wait_for(&format!("document.querySelector(\"li[data-pattern='{pattern}'] .retired\")"), 10);
    assert_eq!(c.browser.eval(&format!("return document.querySelectorAll(\"li[data-pattern='{pattern}'] .pattern-accept\").length;")), 0, "a retired skill's task is not proposed again");
    c.browser.click(&format!("li[data-pattern='{pattern}'] .pattern-unretire"));
    c.browser.wait_for(&format!("document.querySelector(\"li[data-pattern='{pattern}'] .accepted\")"), 10);
    assert!(user_skills(&c.browser).iter().any(|(n, md)| *n == name && md.contains(&format!("pattern: \"{pattern}\""))), "undo restored the retired skill");

    // Chats that ran executable skills one after another propose a workflow
    // chaining them. Their traces are put into the store as the chat writes
    // them (a chat running two skills in the sandbox is the runs test's part).
    let seeded = c.browser.eval_async(
        r#"const done = arguments[arguments.length - 1];
        const goals = ["profile the monthly rainfall readings and chart them", "chart the monthly rainfall readings after profiling them", "profile and plot the monthly rainfall readings", "monthly rainfall readings: profile, then a chart"];
        const run = (skill) => ({ skill, inputs: {}, outputs: "", ms: 40, ok: true });
        const open = indexedDB.open("llmos");
        open.onsuccess = () => {
          const tx = open.result.transaction("traces", "readwrite");
          goals.forEach((goal, i) => tx.objectStore("traces").put({
            id: "seeded-" + i, conversation: "seeded-" + i, goal, provider: "anthropic", model: "claude-test",
            skills_offered: ["csv-analysis", "plotting"], skills_used: ["csv-analysis", "plotting"],
            tool_calls: [{ name: "run_skill", arguments: '{"skill":"csv-analysis"}' }, { name: "run_skill", arguments: '{"skill":"plotting"}' }],
            turns: [{ started: Date.now() + i, first_token_ms: 5, total_ms: 20, ok: true }],
            runs: [run("csv-analysis"), run("plotting")], outcome: "solved", kept: true,
          }));
          tx.oncomplete = () => done(true);
        };"#,
    );
    assert_eq!(seeded, true);
    c.find_patterns();
    let workflow = "#pattern-list > li:has(.proposal[data-kind='workflow'])";
    c.browser.wait_for(&format!("document.querySelector(\"{workflow}\")"), 10);
    let (flow_name, flow_md) = (c.browser.eval(&format!("return document.querySelector(\"{workflow}\").dataset.name;")), c.text_of(&format!("{workflow} .proposal-text")));
    let flow_name = flow_name.as_str().unwrap().to_string();
    assert!(flow_md.contains("type: workflow") && flow_md.contains("uses: csv-analysis") && flow_md.contains("uses: plotting") && flow_md.contains("${{ steps.step1.outputs."), "{flow_md}");
    // `llmos check` passes it against the skills it chains.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("skills").join(&flow_name)).unwrap();
    std::fs::write(tmp.path().join("skills").join(&flow_name).join("SKILL.md"), &flow_md).unwrap();
    for chained in ["csv-analysis", "plotting"] {
        let copied = std::process::Command::new("cp").arg("-r").arg(format!("{}/system-skills/{chained}", env!("CARGO_MANIFEST_DIR"))).arg(tmp.path().join("skills")).status().unwrap();
        assert!(copied.success());
    }
    let check = llmos(tmp.path(), &["check", "--skills", "skills"]);
    assert!(check.ok && format!("{}{}", check.stdout, check.stderr).contains("0 errors, 0 warnings"), "{}\n{}", check.stdout, check.stderr);
    c.browser.click(&format!("{workflow} .pattern-accept"));
    c.browser.wait_for(&format!("document.querySelector(\"#pattern-list > li[data-name='{flow_name}'] .accepted\")"), 10);
    assert!(user_skills(&c.browser).iter().any(|(n, md)| *n == flow_name && md.contains("type: workflow")), "the workflow is one of the user's skills");
    assert_eq!(c.browser.console_errors(), Vec::<String>::new());
}
