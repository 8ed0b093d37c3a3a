//! The Run panel on the user's own skills (issue 12, item 1): a skill
//! written in the editor runs from its page, and the editor's Test run
//! runs the unsaved text, re-mounted with each press. JavaScript and, on a
//! site built with the self-hosted Pyodide, Python.

use super::*;
use serde_json::{json, Value};

const ADD_ONE: &str = "---\nname: add-one\ndescription: Adds one to a number. Use when counting.\ntype: javascript\ninputs:\n  - name: n\n    type: number\n    default: 41\noutputs:\n  - name: total\n    type: number\n---\n# Add one\n";
const DOUBLE: &str = "---\nname: double-it\ndescription: Doubles a number, in Python. Use when twice is needed.\ntype: python\ninputs:\n  - name: n\n    type: integer\n    default: 21\noutputs:\n  - name: total\n    type: integer\n---\n# Double\n";

/// A site whose Python skills run: built with the self-hosted Pyodide that
/// `scripts/test.sh` fetches from npm (as tests/runner.rs does).
fn site_with_python() -> Site {
    let pyodide = common::repo(&format!("target/npm/pyodide-{}/package", llmos::runner::PYODIDE_VERSION));
    assert!(pyodide.join("pyodide.asm.wasm").is_file(), "Pyodide is not fetched: run scripts/test.sh, which fetches it from the npm registry");
    let tmp = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_llmos")).args(["build", "--quiet", "--out", "site"]).current_dir(tmp.path()).env("LLMOS_PYODIDE_DIR", &pyodide).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let server = StaticServer::start(&tmp.path().join("site"), "/");
    Site { _tmp: tmp, server, browser: Browser::start() }
}

impl Site {
    /// Sets a field's whole text at once, as a paste would (one `input` event).
    fn paste(&self, css: &str, text: &str) {
        self.browser.eval(&format!("const e = document.querySelector({css:?}); e.value = {text:?}; e.dispatchEvent(new Event('input', {{ bubbles: true }})); return true;"));
    }

    /// Writes a new skill as SKILL.md plus its code, in the editor, unsaved.
    fn write_skill(&self, skill_md: &str, code: &str) {
        self.open("/my/edit/");
        // The editor opens its draft once the skill kit has arrived, and a
        // press of the mode before that can be overridden: press until the
        // SKILL.md text is there.
        self.browser.wait_for("document.querySelector('#skill-raw') || (document.querySelector('#mode-raw')?.click(), false)", 40);
        self.paste("#skill-raw", skill_md);
        self.browser.wait_for("!document.querySelector('.editor-code').hidden", 10);
        self.paste("#skill-code", code);
    }

    /// Presses Run in the panel inside `region` (once it is there) and
    /// returns the outputs it shows, the panel's text when it fails.
    fn run_in(&self, region: &str, seconds: u64) -> Result<Value, String> {
        let panel = format!("document.querySelector('{region} [data-runner=ready] .run-panel')");
        self.browser.wait_for(&panel, 30);
        self.browser.click(&format!("{region} .run-form button[type=submit]"));
        let state = self.browser.wait_for(&format!("{panel}.dataset.runs === '1' && ['done', 'failed'].includes({panel}.dataset.runState) && {panel}.dataset.runState"), seconds);
        if state != "done" {
            return Err(self.browser.eval(&format!("return {panel}.innerText")).to_string());
        }
        let raw = self.browser.eval(&format!("return document.querySelector('{region} [data-run-outputs]').dataset.runOutputs"));
        Ok(serde_json::from_str(raw.as_str().unwrap()).unwrap())
    }

    /// Presses Test run and runs what it mounted.
    fn test_run(&self) -> Result<Value, String> {
        // The panel before this press is gone with it: wait for a fresh one.
        self.browser.eval("document.querySelector('#test-run-panel')?.removeAttribute('data-runner'); return true;");
        self.browser.click("#test-run-skill");
        self.run_in("#test-run", 30)
    }
}

#[test]
fn a_users_skill_runs_from_its_page_and_the_editor_test_runs_unsaved_text() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let s = site_with_python();

    // A JavaScript skill, written and test-run before it was ever saved.
    s.write_skill(ADD_ONE, "function execute(inputs) { return { total: inputs.n + 1 }; }\n");
    assert_eq!(s.test_run(), Ok(json!({ "total": 42 })));
    s.browser.click("#save-skill");
    assert!(s.status_text().contains("Saved add-one"));

    // Its page runs the code that was saved with it.
    s.open("/my/skill/?name=add-one");
    assert_eq!(s.run_in("#user-skill-run", 30), Ok(json!({ "total": 42 })));

    // The editor opens the code file; Test run follows each edit, unsaved.
    s.open("/my/edit/?skill=add-one");
    s.browser.wait_for("document.querySelector('#skill-code') && document.querySelector('#skill-code').value.includes('inputs.n + 1')", 40);
    s.paste("#skill-code", "function execute(inputs) { return { total: inputs.n + 100 }; }\n");
    assert_eq!(s.test_run(), Ok(json!({ "total": 141 })));
    s.paste("#skill-code", "async function execute(inputs) { return { total: inputs.n * 3 }; }\n");
    assert_eq!(s.test_run(), Ok(json!({ "total": 123 })));
    assert_eq!(s.browser.eval("return document.querySelectorAll('#test-run .run-panel').length"), 1, "a press replaces the panel");
    // The SKILL.md's unsaved text counts too: a new default.
    s.browser.click("#mode-raw");
    s.paste("#skill-raw", &ADD_ONE.replace("default: 41", "default: 1"));
    assert_eq!(s.test_run(), Ok(json!({ "total": 3 })));
    // Nothing was saved: the page still runs the saved code.
    s.open("/my/skill/?name=add-one");
    assert_eq!(s.run_in("#user-skill-run", 30), Ok(json!({ "total": 42 })));

    // Without code, or with errors, Test run says why instead.
    s.write_skill(&ADD_ONE.replace("add-one", "no-code"), "");
    s.browser.click("#test-run-skill");
    assert!(s.status_text().contains("Write the code in scripts/main.js first"), "{}", s.status_text());
    s.paste("#skill-raw", &ADD_ONE.replace("description: Adds one to a number. Use when counting.\n", ""));
    s.paste("#skill-code", "function execute() { return { total: 0 }; }\n");
    s.browser.click("#test-run-skill");
    assert!(s.status_text().contains("Fix the problems listed above first"), "{}", s.status_text());

    // A Python skill runs on its page through the self-hosted Pyodide.
    s.write_skill(DOUBLE, "def execute(inputs):\n    return {\"total\": inputs[\"n\"] * 2}\n");
    s.browser.click("#save-skill");
    assert!(s.status_text().contains("Saved double-it"));
    s.open("/my/skill/?name=double-it");
    assert_eq!(s.run_in("#user-skill-run", 120), Ok(json!({ "total": 42 })));

    // The safety review runs on the draft before it is saved or run: code
    // that goes online without saying so is named with its file and line.
    s.write_skill(&ADD_ONE.replace("add-one", "phones-home"), "function execute(inputs) {\n  fetch('https://collector.example.net/x');\n  return { total: 1 };\n}\n");
    s.browser.wait_for("document.querySelector('.editor').innerText.includes('Undeclared network use')", 40);
    let text = s.browser.eval("return document.querySelector('.editor').innerText").as_str().unwrap().to_string();
    assert!(text.contains("scripts/main.js line 2"), "{text}");

    // An OpenQASM circuit written in the editor test-runs on the quantum runtime.
    s.write_skill(FLIP_TWO, "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nx q;\nmeasure q -> c;\n");
    assert_eq!(s.test_run(), Ok(json!({ "counts": { "11": 50 } })));

    // Choosing JavaScript in the form fills an empty code box with a starter
    // that runs as it is.
    s.open("/my/edit/");
    s.browser.wait_for("document.querySelector('#skill-raw') || (document.querySelector('#mode-raw')?.click(), false)", 40);
    s.paste("#skill-raw", "---\nname: starter\ndescription: Starts from the template. Use when testing.\n---\n# Starter\n");
    s.paste("#skill-code", "");
    s.browser.wait_for("document.querySelector('#skill-type') || (document.querySelector('#mode-form')?.click(), false)", 20);
    s.browser.eval("const t = document.querySelector('#skill-type'); t.value = 'javascript'; t.dispatchEvent(new Event('change', { bubbles: true })); return true;");
    s.browser.wait_for("document.querySelector('#skill-code').value.startsWith('function execute(inputs) {')", 10);
    assert_eq!(s.test_run(), Ok(json!({ "result": "…" })));
    s.no_console_errors();
}

const FLIP_TWO: &str = "---\nname: flip-two\ndescription: Flips two qubits. Use when testing.\ntype: qasm\ninputs:\n  - name: shots\n    type: integer\n    default: 50\noutputs:\n  - name: counts\n    type: object\n---\n# Flip two\n";

#[test]
fn a_workflow_or_a_skill_without_its_code_says_why_it_does_not_run() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let s = site();
    s.open("/my/");
    assert!(s.listed().is_empty(), "the database is open");
    // Straight into the store: a JavaScript skill whose code file is missing, and a workflow.
    let stored = s.browser.eval_async(&format!(
        "const done = arguments[arguments.length - 1]; const md = (t) => new TextEncoder().encode(t);
         const open = indexedDB.open('llmos'); open.onsuccess = () => {{ const tx = open.result.transaction('skills', 'readwrite');
           tx.objectStore('skills').put({{ name: 'add-one', files: [{{ path: 'SKILL.md', data: md({md:?}) }}], created: 1, updated: 2 }});
           tx.objectStore('skills').put({{ name: 'flow', files: [{{ path: 'SKILL.md', data: md({flow:?}) }}], created: 1, updated: 2 }});
           tx.oncomplete = () => done(true); tx.onerror = () => done(String(tx.error)); }}; open.onerror = () => done(String(open.error));",
        md = ADD_ONE,
        flow = "---\nname: flow\ndescription: Adds one, twice. Use when testing.\ntype: workflow\nsteps:\n  - id: a\n    uses: add-one\n---\n",
    ));
    assert_eq!(stored, true);
    s.open("/my/skill/?name=add-one");
    let note = s.browser.wait_for("document.querySelector('#user-skill-run .notice')?.textContent", 20);
    assert!(note.as_str().unwrap().contains("Add its code file `scripts/main.js`"), "{note}");
    s.open("/my/skill/?name=flow");
    let note = s.browser.wait_for("document.querySelector('#user-skill-run .notice')?.textContent", 20);
    assert!(note.as_str().unwrap().contains("Workflows run from the site's pages"), "{note}");
    assert_eq!(s.browser.eval("return document.querySelectorAll('.run-panel').length"), 0);
}
