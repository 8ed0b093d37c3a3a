//! Runs without a panel, for the other bundles (the chat's `run_skill`
//! tool): the same checks and the same sandbox, with the outcome as JSON.

use crate::browser::{fetch_text, now_ms};
use crate::sandbox::{RunEvent, RunRequest, Sandbox};
use crate::{RunFailure, RunnableSkill, RunnerConfig};
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::rc::Rc;

thread_local! {
    /// One sandbox per page for headless runs, started on the first.
    static SANDBOX: RefCell<Option<Sandbox>> = const { RefCell::new(None) };
}

fn sandbox(config: RunnerConfig) -> Sandbox {
    SANDBOX.with(|slot| {
        let mut slot = slot.borrow_mut();
        match &*slot {
            Some(sandbox) if *sandbox.config() == config => sandbox.clone(),
            _ => {
                let sandbox = Sandbox::new(config);
                *slot = Some(sandbox.clone());
                sandbox
            }
        }
    })
}

/// Stops the headless run in progress, if any.
pub fn stop() {
    SANDBOX.with(|slot| {
        if let Some(sandbox) = &*slot.borrow() {
            sandbox.stop();
        }
    });
}

/// Checks `inputs` against the skill's declaration (defaults filled in) and
/// runs it. The outcome, always an object:
/// - `{"ok": true, "outputs": {…}, "json": "<the runtime's text>", "ms": 12.5, "stdout": "…", "stderr": "…"}`
/// - `{"ok": false, "error": "<sentence>", "reason": "invalid_inputs" | "failed" | "stopped" | "timed_out", "ms": …, "stdout", "stderr"}`
pub async fn run(skill: RunnableSkill, inputs: Map<String, Value>, config: RunnerConfig) -> Value {
    let failure = |reason: &str, error: String| json!({ "ok": false, "reason": reason, "error": error, "ms": 0, "stdout": "", "stderr": "" });
    let inputs = match llmos_core::run::validate_inputs(&skill.inputs, &inputs) {
        Ok(inputs) => inputs,
        Err(errors) => return failure("invalid_inputs", errors.iter().map(|e| format!("`{}`: {}", e.name, e.message)).collect::<Vec<_>>().join("\n")),
    };
    if !matches!(skill.kind.as_str(), "python" | "javascript" | "qasm") {
        return failure("failed", format!("`{}` is a {} skill; only Python, JavaScript and OpenQASM skills run here", skill.name, skill.kind));
    }
    if skill.kind == "python" && !skill.packages.is_empty() && config.pyodide_core_only {
        return failure("failed", format!("`{}` needs the Python packages {}, which this site's self-hosted Python does not have", skill.name, skill.packages.join(", ")));
    }
    let code = match (&skill.code, &skill.code_url) {
        (Some(code), _) => code.clone(),
        (None, Some(url)) => match fetch_text(url).await {
            Ok(code) => code,
            Err(error) => return failure("failed", error),
        },
        (None, None) => return failure("failed", format!("`{}` has no code to run", skill.name)),
    };
    let stdout = Rc::new(RefCell::new(String::new()));
    let stderr = Rc::new(RefCell::new(String::new()));
    let (out, err) = (stdout.clone(), stderr.clone());
    let on_event = move |event: RunEvent| match event {
        RunEvent::Stdout(line) => out.borrow_mut().push_str(&format!("{line}\n")),
        RunEvent::Stderr(line) => err.borrow_mut().push_str(&format!("{line}\n")),
        RunEvent::Status(_) => {}
    };
    let request = RunRequest::new(&skill, code, inputs);
    let started = now_ms();
    let outcome = sandbox(config).run(request, on_event).await;
    let ms = now_ms() - started;
    let (stdout, stderr) = (stdout.borrow().clone(), stderr.borrow().clone());
    match outcome.and_then(|text| serde_json::from_str::<Value>(&text).map(|v| (v, text)).map_err(|e| RunFailure::Failed(format!("the result is not JSON: {e}")))) {
        Ok((outputs, text)) => json!({ "ok": true, "outputs": outputs, "json": text, "ms": ms, "stdout": stdout, "stderr": stderr }),
        Err(failure) => {
            let reason = match failure {
                RunFailure::Failed(_) => "failed",
                RunFailure::Stopped => "stopped",
                RunFailure::TimedOut(_) => "timed_out",
            };
            json!({ "ok": false, "reason": reason, "error": failure.to_string(), "ms": ms, "stdout": stdout, "stderr": stderr })
        }
    }
}
