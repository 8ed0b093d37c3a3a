//! The runner bundle: the Run panel that executable skills and workflows get
//! on their pages, and the client of the sandbox where their code runs.
//!
//! The page (or another bundle, through `window.llmosRunner.mount`) hands
//! the panel a [`RunnableSkill`] and a [`RunnerConfig`] as JSON. The panel
//! builds a form from the skill's typed inputs, checks it with the core's
//! rules (`llmos_core::run`), and sends the code to a sandbox: a Web Worker
//! inside an iframe with an opaque origin (`sandbox="allow-scripts"`), with
//! its own Content-Security-Policy, reached only by `postMessage`. Code there
//! cannot read the site's storage, the user's keys or cookies, nor reach the
//! network beyond the runtime's files. Outputs come back as the JSON the
//! skill's runtime wrote, the same bytes `llmos run` prints natively.
//!
//! Without the `browser` feature only the shared types compile: the
//! generator uses them to write what the page hands over.

#[cfg(feature = "browser")]
mod browser;
pub mod files;
#[cfg(feature = "browser")]
mod headless;
#[cfg(feature = "browser")]
mod panel;
#[cfg(feature = "browser")]
pub mod sandbox;

use llmos_core::IoSpec;
use serde::{Deserialize, Serialize};

/// What the Run panel needs of one skill, as the page hands it over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunnableSkill {
    pub name: String,
    /// `python`, `javascript` or `workflow`.
    pub kind: String,
    /// The code, when the page has it (the user's own skills, the editor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Where to fetch the code otherwise: a URL on the site (absolute, or
    /// relative to the page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_url: Option<String>,
    /// The code's path in the skill folder (`scripts/main.py`), as
    /// tracebacks name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    pub inputs: Vec<IoSpec>,
    pub outputs: Vec<IoSpec>,
    /// Python packages to load before running (Pyodide's package names).
    #[serde(default)]
    pub packages: Vec<String>,
    /// A workflow's steps (`kind` is `workflow`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<llmos_core::workflow::Workflow>,
    /// The skills a workflow's steps use, by name, with code URLs from the site's root.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub steps: std::collections::BTreeMap<String, RunnableSkill>,
}

impl RunnableSkill {
    /// The name tracebacks give the code: its entry path, else the last
    /// part of its URL.
    pub fn file_name(&self) -> String {
        let fallback = match self.kind.as_str() {
            "python" => "main.py",
            "qasm" => "circuit.qasm",
            _ => "main.js",
        };
        let from_url = self.code_url.as_deref().and_then(|u| u.rsplit('/').next()).filter(|n| !n.is_empty());
        self.entry.as_deref().or(from_url).unwrap_or(fallback).to_string()
    }
}

/// How a site runs skills; written by `llmos build` from `llmos.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunnerConfig {
    /// URL of the sandbox document (absolute, or relative to the page).
    pub sandbox_url: String,
    /// Base URL of the Pyodide distribution, ending in `/` (absolute, or
    /// relative to the page); `None` when the site has no Python runtime.
    #[serde(default)]
    pub pyodide_url: Option<String>,
    /// Whether that distribution is the self-hosted core (the npm package),
    /// which carries no optional packages.
    #[serde(default)]
    pub pyodide_core_only: bool,
    /// Seconds a run may take before it is stopped.
    pub time_limit_secs: u32,
    /// URL of the quantum runtime's WebAssembly module (absolute, or
    /// relative to the page); `None` when this build carries none.
    #[serde(default)]
    pub quantum_url: Option<String>,
}

/// Why a run ended without outputs, as the panel and the chat report it.
#[derive(Debug, Clone, PartialEq)]
pub enum RunFailure {
    /// The skill raised or rejected: its message (Python's traceback included).
    Failed(String),
    /// The user pressed Stop.
    Stopped,
    /// The time limit, in seconds, ran out.
    TimedOut(u32),
}

impl std::fmt::Display for RunFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunFailure::Failed(message) => f.write_str(message),
            RunFailure::Stopped => f.write_str("Stopped."),
            RunFailure::TimedOut(secs) => write!(f, "Stopped after {secs} s, the time limit. A skill that needs longer can be run with `llmos run`."),
        }
    }
}

/// Entry point of the bundle: mounts a Run panel into `element`.
/// `skill` and `config` are the JSON of [`RunnableSkill`] and [`RunnerConfig`].
#[cfg(feature = "browser")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn mount(element: web_sys::HtmlElement, skill: String, config: String) -> Result<(), wasm_bindgen::JsValue> {
    console_error_panic_hook::set_once();
    let skill: RunnableSkill = serde_json::from_str(&skill).map_err(|e| wasm_bindgen::JsValue::from_str(&format!("LLMos runner: bad skill: {e}")))?;
    let config: RunnerConfig = serde_json::from_str(&config).map_err(|e| wasm_bindgen::JsValue::from_str(&format!("LLMos runner: bad config: {e}")))?;
    panel::mount(element, skill, config);
    Ok(())
}

/// Runs a skill without a panel (the chat's `run_skill` tool): `skill`,
/// `inputs` (an object) and `config` as JSON; resolves to the outcome's
/// JSON text, whose shape `headless::run` documents. Never rejects.
#[cfg(feature = "browser")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn run_skill(skill: String, inputs: String, config: String) -> String {
    console_error_panic_hook::set_once();
    let parsed = (serde_json::from_str::<RunnableSkill>(&skill), serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&inputs), serde_json::from_str::<RunnerConfig>(&config));
    let outcome = match parsed {
        (Ok(skill), Ok(inputs), Ok(config)) => headless::run(skill, inputs, config).await,
        (skill, inputs, config) => {
            let problem = [skill.err().map(|e| format!("skill: {e}")), inputs.err().map(|e| format!("inputs must be a JSON object: {e}")), config.err().map(|e| format!("config: {e}"))];
            serde_json::json!({ "ok": false, "reason": "invalid_inputs", "error": problem.into_iter().flatten().collect::<Vec<_>>().join("; "), "ms": 0, "stdout": "", "stderr": "" })
        }
    };
    outcome.to_string()
}

/// Stops the run `run_skill` has in progress.
#[cfg(feature = "browser")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn stop_run() {
    headless::stop();
}

/// Shows `outputs` (the JSON text of a run's result) as the Run panel
/// does, inside `element`: for runs the chat made.
#[cfg(feature = "browser")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn show_outputs(element: web_sys::HtmlElement, skill: String, outputs: String) -> Result<(), wasm_bindgen::JsValue> {
    console_error_panic_hook::set_once();
    let skill: RunnableSkill = serde_json::from_str(&skill).map_err(|e| wasm_bindgen::JsValue::from_str(&format!("LLMos runner: bad skill: {e}")))?;
    let outputs: serde_json::Value = serde_json::from_str(&outputs).map_err(|e| wasm_bindgen::JsValue::from_str(&format!("LLMos runner: outputs are not JSON: {e}")))?;
    panel::show_outputs(element, skill, outputs);
    Ok(())
}
