//! The Run panel in headless Chromium: every bundled executable skill and
//! workflow runs from its page with its defaults and returns what `llmos
//! run` returns natively; runaway code is stopped by Stop and by the time limit while
//! the page keeps responding; and skill code, in Python and in
//! JavaScript, reaches none of the site's storage, cookies, frames or the
//! network. One site build and one browser per test.

mod common;

use common::server::StaticServer;
use common::webdriver::Browser;
use llmos_core::{parse_skill, SkillSource};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// Browser tests run one at a time: two Chromiums and Pyodide on 2 cores
/// would only slow each other down.
static BROWSER: Mutex<()> = Mutex::new(());

fn pyodide_dir() -> PathBuf {
    let dir = common::repo(&format!("target/npm/pyodide-{}/package", llmos::runner::PYODIDE_VERSION));
    assert!(dir.join("pyodide.asm.wasm").is_file(), "Pyodide is not fetched: run scripts/test.sh, which fetches it from the npm registry");
    dir
}

/// Runs `llmos` with the self-hosted Pyodide available.
fn llmos(cwd: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_llmos")).args(args).current_dir(cwd).env("LLMOS_PYODIDE_DIR", pyodide_dir()).output().expect("llmos runs")
}

fn build(cwd: &Path, args: &[&str]) -> PathBuf {
    let out = cwd.join("site");
    let mut all = vec!["build", "--quiet", "--out", out.to_str().unwrap()];
    all.extend_from_slice(args);
    let output = llmos(cwd, &all);
    assert!(output.status.success(), "build failed: {}", String::from_utf8_lossy(&output.stderr));
    out
}

/// Opens a skill page, waits for the panel, presses Run and waits for the
/// run to end; returns the panel's state (`done` or `failed`).
fn run_on_page(browser: &Browser, url: &str, seconds: u64) -> String {
    browser.goto(url);
    browser.wait_for("document.querySelector('[data-runner=ready] .run-panel')", 30);
    browser.click(".run-form button[type=submit]");
    browser.wait_for("document.querySelector('.run-panel').dataset.runs === '1' && ['done', 'failed'].includes(document.querySelector('.run-panel').dataset.runState) && document.querySelector('.run-panel').dataset.runState", seconds)
        .as_str().unwrap().to_string()
}

fn outputs_on_page(browser: &Browser) -> Value {
    let raw = browser.eval("return document.querySelector('[data-run-outputs]')?.dataset.runOutputs ?? null");
    serde_json::from_str(raw.as_str().unwrap_or_else(|| panic!("no outputs shown: {}", browser.eval("return document.querySelector('.run-panel').innerText")))).unwrap()
}

#[test]
fn every_bundled_executable_skill_runs_in_the_browser_as_it_does_natively() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let work = tempfile::tempdir().unwrap();
    let site = build(work.path(), &[]);
    let server = StaticServer::start(&site, "/");
    let browser = Browser::start();

    // A page without a runnable skill still loads no script.
    browser.goto(&server.url("/skills/code-review/"));
    browser.wait_for("document.readyState === 'complete'", 10);
    assert_eq!(browser.eval("return document.scripts.length"), 0, "an instruction-only skill page loads no JavaScript");

    let root = common::repo("system-skills");
    let mut ran = Vec::new();
    for dir in common::files_under(&root).into_iter().filter(|p| p.file_name().is_some_and(|n| n == "SKILL.md")).map(|p| p.parent().unwrap().to_path_buf()) {
        let folder = dir.file_name().unwrap().to_str().unwrap().to_string();
        let bytes = std::fs::read(dir.join("SKILL.md")).unwrap();
        let files: Vec<String> = common::files_under(&dir).iter().map(|p| p.strip_prefix(&dir).unwrap().to_string_lossy().into_owned()).collect();
        let (skill, _) = parse_skill(&SkillSource { path: "SKILL.md", folder: &folder, bytes: &bytes, files: &files }).unwrap();
        if !matches!(skill.kind.as_deref(), Some("python" | "javascript" | "workflow" | "qasm")) {
            continue;
        }
        server.take_requests();
        let state = run_on_page(&browser, &server.url(&format!("/skills/{}/", skill.slug)), 90);
        assert_eq!(state, "done", "{} failed in the browser: {}", skill.name, browser.eval("return document.querySelector('.run-panel').innerText"));
        let in_browser = outputs_on_page(&browser);
        let native = llmos(work.path(), &["run", &skill.name, "--json"]);
        assert!(native.status.success(), "{}: llmos run failed: {}", skill.name, String::from_utf8_lossy(&native.stderr));
        let native: Value = serde_json::from_slice(&native.stdout).unwrap();
        assert_eq!(without_timings(in_browser), without_timings(native), "{}: the browser and `llmos run` disagree", skill.name);
        // Each output is shown, not only the raw JSON.
        for output in &skill.outputs {
            assert!(browser.eval(&format!("return !!document.querySelector('.run-output[data-output=\"{}\"]')", output.name)).as_bool().unwrap(), "{}: output {} not shown", skill.name, output.name);
        }
        // The Python runtime is loaded on Run, never with the page.
        if skill.kind.as_deref() == Some("javascript") {
            assert!(!server.take_requests().iter().any(|p| p.contains("/pyodide/")), "{}: a JavaScript run loaded Python", skill.name);
        }
        // A workflow shows each step done.
        if skill.kind.as_deref() == Some("workflow") {
            let states = browser.eval("return [...document.querySelectorAll('.run-step')].map(s => s.dataset.stepState)");
            assert!(states.as_array().is_some_and(|s| s.len() >= 2 && s.iter().all(|s| s == "done")), "{}: steps {states}", skill.name);
        }
        ran.push(skill.name);
    }
    assert!(ran.len() >= 20, "ran only {ran:?}");
    assert!(["bell-state-qasm", "qft-qasm", "bell-state", "grover-search"].iter().all(|n| ran.iter().any(|r| r == n)), "the quantum skills ran: {ran:?}");
    // A circuit's counts histogram is an accessible SVG image, its drawing text.
    assert_eq!(run_on_page(&browser, &server.url("/skills/bell-state-qasm/"), 60), "done");
    let histogram = browser.eval("const img = document.querySelector('.run-output[data-output=histogram] img'); return img && img.complete ? img.naturalWidth : 0");
    assert!(histogram.as_u64().unwrap_or(0) > 50, "the histogram renders: {histogram}");
    let drawing = browser.eval("return document.querySelector('.run-output[data-output=circuit]').innerText");
    assert!(drawing.as_str().unwrap().contains("q[0]: ──H──●"), "the circuit drawing: {drawing}");
    // SVG outputs are shown as images from blob: URLs.
    browser.goto(&server.url("/skills/plotting/"));
    assert_eq!(run_on_page(&browser, &server.url("/skills/plotting/"), 60), "done");
    let src = browser.eval("return document.querySelector('.run-output[data-output=svg] img').src");
    assert!(src.as_str().unwrap().starts_with("blob:"), "the chart is an <img> from a blob: URL, got {src}");
    assert!(browser.eval("return document.querySelector('.run-output[data-output=svg] img').naturalWidth").as_u64().unwrap() > 100, "the chart renders");
    assert!(browser.console_errors().iter().all(|e| !e.contains("Content Security Policy")), "no policy violations: {:?}", browser.console_errors());
}

/// The outputs without the one documented non-determinism of the bundled
/// skills: regex-builder's `ms`, how long each match took. Sampled counts
/// agree exactly, since both sides seed the same generator.
fn without_timings(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.into_iter().filter(|(k, _)| k != "ms").map(|(k, v)| (k, without_timings(v))).collect()),
        Value::Array(items) => Value::Array(items.into_iter().map(without_timings).collect()),
        other => other,
    }
}

/// A skills folder of test skills, with one `execute` each.
fn write_skill(root: &Path, name: &str, kind: &str, code: &str, inputs: &str) {
    let dir = root.join(name);
    std::fs::create_dir_all(dir.join("scripts")).unwrap();
    let file = if kind == "python" { "main.py" } else { "main.js" };
    std::fs::write(dir.join("scripts").join(file), code).unwrap();
    let md = format!("---\nname: {name}\ndescription: Test skill {name}.\ntype: {kind}\nentry: scripts/{file}\n{inputs}outputs:\n  - name: result\n    type: object\n---\n# {name}\n");
    std::fs::write(dir.join("SKILL.md"), md).unwrap();
}

#[test]
fn runaway_code_is_stopped_by_stop_and_by_the_time_limit() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let work = tempfile::tempdir().unwrap();
    let skills = work.path().join("skills");
    write_skill(&skills, "spin-js", "javascript", "function execute(inputs) { for (;;) {} }\n", "inputs:\n  - name: note\n    type: string\n    default: \"x\"\n");
    write_skill(&skills, "spin-py", "python", "def execute(inputs):\n    while True:\n        pass\n", "");
    write_skill(&skills, "quick-js", "javascript", "function execute(inputs) { console.log('hi'); return { result: { n: inputs.n * 2 } }; }\n", "inputs:\n  - name: n\n    type: integer\n    default: 21\n");
    write_skill(&skills, "fail-js", "javascript", "function execute(inputs) { throw new Error('no data today'); }\n", "");
    let fail_md = skills.join("fail-js/SKILL.md");
    std::fs::write(&fail_md, std::fs::read_to_string(&fail_md).unwrap().replace("type: object", "type: integer")).unwrap();
    // A workflow whose first step fails: the second never runs.
    std::fs::create_dir_all(skills.join("broken-chain")).unwrap();
    std::fs::write(skills.join("broken-chain/SKILL.md"), "---\nname: broken-chain\ndescription: Fails at its first step.\ntype: workflow\noutputs:\n  - name: result\n    type: object\n    value: ${{ steps.second.outputs.result }}\nsteps:\n  - id: first\n    uses: fail-js\n  - id: second\n    uses: quick-js\n    with:\n      n: ${{ steps.first.outputs.result }}\n---\n# Broken chain\n").unwrap();
    std::fs::write(work.path().join("llmos.toml"), "skills_dirs = [\"skills\"]\n[run]\ntime_limit = 4\n").unwrap();
    let site = build(work.path(), &[]);
    let server = StaticServer::start(&site, "/");
    let browser = Browser::start();

    for name in ["spin-js", "spin-py"] {
        // Stop.
        browser.goto(&server.url(&format!("/skills/{name}/")));
        browser.wait_for("document.querySelector('[data-runner=ready] .run-panel')", 30);
        browser.click(".run-form button[type=submit]");
        browser.wait_for("document.querySelector('.run-status').textContent.includes('Running')", 60);
        // The page answers while the skill spins: script runs, a field takes typing.
        if name == "spin-js" {
            browser.clear("#run-panel-in-note");
            browser.type_into("#run-panel-in-note", "typed while running");
            assert_eq!(browser.eval("return document.querySelector('#run-panel-in-note').value"), "typed while running");
        }
        assert_eq!(browser.eval("return document.querySelector('.run-panel').dataset.runState"), "running");
        browser.click(".run-actions button[type=button]");
        browser.wait_for("document.querySelector('.run-panel').dataset.runState === 'failed'", 5);
        assert!(browser.eval("return document.querySelector('.run-failure').innerText").as_str().unwrap().contains("Stopped"));
        assert_eq!(browser.eval("return document.querySelectorAll('iframe[data-llmos-sandbox]').length"), 0, "Stop removes the sandbox and its worker");

        // The time limit (4 s in llmos.toml), with nobody pressing Stop.
        browser.click(".run-form button[type=submit]");
        browser.wait_for("document.querySelector('.run-panel').dataset.runState === 'failed'", 30);
        let message = browser.eval("return document.querySelector('.run-failure').innerText");
        assert!(message.as_str().unwrap().contains("time limit"), "{name}: {message}");
    }
    // A fresh sandbox runs the next skill, and its console shows what it printed.
    assert_eq!(run_on_page(&browser, &server.url("/skills/quick-js/"), 30), "done");
    assert_eq!(outputs_on_page(&browser), serde_json::json!({ "result": { "n": 42 } }));
    assert!(browser.eval("return document.querySelector('.run-console').innerText").as_str().unwrap().contains("hi"));

    // A failed step stops its dependants, with a readable message.
    assert_eq!(run_on_page(&browser, &server.url("/skills/broken-chain/"), 30), "failed");
    let states = browser.eval("return [...document.querySelectorAll('.run-step')].map(s => s.dataset.stepState)");
    assert_eq!(states, serde_json::json!(["failed", "skipped"]));
    let message = browser.eval("return document.querySelector('.run-failure').innerText").as_str().unwrap().to_string();
    assert!(message.contains("step `first` failed") && message.contains("no data today"), "{message}");
}

/// What skill code tries, in JavaScript and in Python. Each attempt records
/// what it got; none may get anything.
const ESCAPE_JS: &str = r#"
async function attempt(f) { try { const v = await f(); return "got " + String(v); } catch (e) { return "refused: " + e.name; } }
async function execute(inputs) {
  const out = {};
  out.indexedDB = await attempt(() => new Promise((ok, fail) => { const r = indexedDB.open("llmos"); r.onsuccess = () => ok("opened " + r.result.objectStoreNames.length); r.onerror = () => fail(r.error); }));
  out.localStorage = await attempt(() => localStorage.getItem("llmos-secret"));
  out.cookie = await attempt(() => document.cookie);
  out.parentDocument = await attempt(() => parent.document.body.innerHTML);
  out.caches = await attempt(() => caches.keys());
  out.opfs = await attempt(() => navigator.storage.getDirectory().then((d) => d.name));
  out.outside = await attempt(() => fetch(inputs.outside).then(r => r.text()));
  out.outsideNoCors = await attempt(() => fetch(inputs.outside, { mode: "no-cors" }).then(r => r.type));
  out.outsideImport = await attempt(() => importScripts(inputs.outside + "x.js"));
  out.sitePage = await attempt(() => fetch(inputs.site + "my/").then(r => r.text()).then(t => t.includes("llmos-secret")));
  return { result: out };
}
"#;

const ESCAPE_PY: &str = r#"
import js

def attempt(f):
    try:
        return "got " + str(f())
    except Exception as e:
        return "refused: " + type(e).__name__

def execute(inputs):
    out = {}
    out["indexedDB"] = attempt(lambda: js.indexedDB.open("llmos"))
    out["localStorage"] = attempt(lambda: js.localStorage.getItem("llmos-secret"))
    out["cookie"] = attempt(lambda: js.document.cookie)
    out["parentDocument"] = attempt(lambda: js.parent.document.body.innerHTML)
    def xhr():
        request = js.XMLHttpRequest.new()
        request.open("GET", inputs["outside"], False)
        request.send()
        return request.responseText
    out["outside"] = attempt(xhr)
    return {"result": out}
"#;

#[test]
fn skill_code_reaches_no_storage_cookies_frames_or_network() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let work = tempfile::tempdir().unwrap();
    let skills = work.path().join("skills");
    let outside_site = tempfile::tempdir().unwrap();
    std::fs::write(outside_site.path().join("index.html"), "outside").unwrap();
    let outside = StaticServer::start(outside_site.path(), "/");
    let inputs = "inputs:\n  - name: outside\n    type: string\n  - name: site\n    type: string\n";
    write_skill(&skills, "escape-js", "javascript", ESCAPE_JS, inputs);
    write_skill(&skills, "escape-py", "python", ESCAPE_PY, inputs);
    write_skill(&skills, "keeps-files", "python", KEEPS_FILES_PY, "");
    std::fs::write(work.path().join("llmos.toml"), "skills_dirs = [\"skills\"]\n").unwrap();
    let site = build(work.path(), &[]);
    let server = StaticServer::start(&site, "/");
    let browser = Browser::start();

    for name in ["escape-js", "escape-py"] {
        browser.goto(&server.url(&format!("/skills/{name}/")));
        browser.wait_for("document.querySelector('[data-runner=ready] .run-panel')", 30);
        // The page's origin holds secrets: a key store, storage, a cookie.
        browser.eval_async(r#"const done = arguments[arguments.length - 1];
            localStorage.setItem("llmos-secret", "sk-secret"); document.cookie = "llmos=sk-secret";
            const r = indexedDB.open("llmos"); r.onupgradeneeded = () => r.result.createObjectStore("secrets"); r.onsuccess = () => done(true);"#);
        browser.type_into(&format!("#run-panel-in-outside"), &outside.url("/"));
        browser.type_into(&format!("#run-panel-in-site"), &server.url("/"));
        outside.take_requests();
        browser.click(".run-form button[type=submit]");
        browser.wait_for("['done', 'failed'].includes(document.querySelector('.run-panel').dataset.runState)", 90);
        let result = outputs_on_page(&browser);
        let attempts = result["result"].as_object().unwrap_or_else(|| panic!("{name}: {result}"));
        for (what, got) in attempts {
            let got = got.as_str().unwrap();
            // Reading the site's public pages is allowed (any visitor can);
            // they hold no user data, so the secret is not there.
            if what == "sitePage" {
                assert!(got == "got false" || got.starts_with("refused"), "{name}: {what}: {got}");
                continue;
            }
            assert!(got.starts_with("refused"), "{name}: {what} was not refused: {got}");
        }
        assert!(!result.to_string().contains("sk-secret"), "{name}: a secret leaked: {result}");
        assert!(outside.take_requests().is_empty(), "{name}: a request reached the outside server");
    }

    // The files a Python skill keeps live in the page's OPFS, which the
    // skill cannot reach (above): the page copies them in as bytes and
    // copies back what the run wrote. They outlive runs and reloads.
    let url = server.url("/skills/keeps-files/");
    let kept = "[...document.querySelectorAll('[data-kept-file]')].map((li) => li.dataset.keptFile).join(',')";
    browser.goto(&url);
    browser.wait_for("document.querySelector('[data-runner=ready] .run-panel .run-files')", 30);
    let given = tempfile::tempdir().unwrap();
    std::fs::write(given.path().join("input.txt"), "hello from the user").unwrap();
    std::fs::write(given.path().join("scratch.tmp"), "the run deletes this").unwrap();
    browser.eval("document.querySelector('.run-files').open = true");
    browser.choose_files(".run-files-input", &[&given.path().join("input.txt"), &given.path().join("scratch.tmp")]);
    browser.wait_for(&format!("{kept} === 'input.txt,scratch.tmp'"), 10);
    browser.click(".run-form button[type=submit]");
    browser.wait_for("['done', 'failed'].includes(document.querySelector('.run-panel').dataset.runState)", 120);
    assert_eq!(outputs_on_page(&browser), serde_json::json!({ "result": { "runs": 1, "given": "hello from the user", "cwd": "/llmos/files" } }));
    browser.wait_for(&format!("{kept} === 'input.txt,notes.txt,out/last.txt'"), 10);
    browser.goto(&url);
    browser.wait_for(&format!("document.querySelector('[data-runner=ready] .run-panel') && {kept} === 'input.txt,notes.txt,out/last.txt'"), 30);
    let stored = browser.eval_async(r#"const done = arguments[arguments.length - 1];
        navigator.storage.getDirectory().then(async (root) => {
          const dir = await (await (await root.getDirectoryHandle("runs")).getDirectoryHandle("keeps-files")).getDirectoryHandle("files");
          done(await (await (await dir.getFileHandle("notes.txt")).getFile()).text());
        }, (e) => done(String(e)));"#);
    assert_eq!(stored, "run 1\n", "the file the run wrote, in OPFS after a reload");
    browser.click(".run-form button[type=submit]");
    browser.wait_for("['done', 'failed'].includes(document.querySelector('.run-panel').dataset.runState)", 120);
    assert_eq!(outputs_on_page(&browser)["result"]["runs"], 2, "the second run read what the first wrote");
    // A file can be downloaded from the list, byte for byte.
    let href = browser.eval("return document.querySelector('[data-kept-file=\"out/last.txt\"] a').href");
    assert!(href.as_str().unwrap().starts_with("blob:"), "{href}");
}

/// Counts its runs in a file it keeps, reads a file the user gave, and
/// deletes one.
const KEEPS_FILES_PY: &str = r#"
import os

def execute(inputs):
    given = open("input.txt").read() if os.path.exists("input.txt") else ""
    lines = open("notes.txt").read().splitlines() if os.path.exists("notes.txt") else []
    lines.append("run %d" % (len(lines) + 1))
    with open("notes.txt", "w") as f:
        f.write("\n".join(lines) + "\n")
    os.makedirs("out", exist_ok=True)
    with open("out/last.txt", "w") as f:
        f.write(lines[-1])
    if os.path.exists("scratch.tmp"):
        os.remove("scratch.tmp")
    return {"result": {"runs": len(lines), "given": given, "cwd": os.getcwd()}}
"#;
