//! The runner in the published site: the Run panel's bundle and loader, the
//! sandbox document, and the Python runtime (Pyodide), self-hosted or not.
//!
//! Only pages of executable skills reference the runner's loader; a site
//! without executable skills publishes none of this.

use crate::config::{RunSettings, Settings};
use crate::output::{OutputError, SiteWriter};
use crate::source::FileData;
use crate::theme::fnv1a;
use llmos_core::Skill;
use llmos_runner::{RunnableSkill, RunnerConfig};
use std::path::{Path, PathBuf};

/// The Pyodide release the project's scripts fetch from the npm registry
/// (`scripts/lib/common.sh` pins it with its checksum).
pub const PYODIDE_VERSION: &str = "314.0.7";

/// The files of Pyodide's npm package a browser needs to start Python with
/// its standard library; the package's other files are types and demos.
pub const PYODIDE_FILES: &[&str] = &["pyodide.js", "pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"];

const SANDBOX_HTML: &str = include_str!("../runner/sandbox/sandbox.html");
const SANDBOX_JS: &str = include_str!("../runner/sandbox/sandbox.js");

/// Where the site's Python comes from.
pub enum Pyodide {
    /// Copied from this folder (the npm package) into `pyodide/<version>/`.
    SelfHosted { dir: PathBuf, version: String },
    /// Loaded from another base URL (a CDN with the full package set).
    Remote(String),
    /// Not available: Python skills say so when run.
    Missing,
}

impl Pyodide {
    /// The configured URL, else the folder named in the settings, else the
    /// one the project's scripts fetch (`target/npm/pyodide-<version>/package`,
    /// from the current directory), else `$LLMOS_PYODIDE_DIR`.
    pub fn find(run: &RunSettings) -> Pyodide {
        if let Some(url) = &run.pyodide_url {
            return Pyodide::Remote(url.clone());
        }
        let candidates = run.pyodide_dir.clone().into_iter()
            .chain(std::env::var_os("LLMOS_PYODIDE_DIR").map(PathBuf::from))
            .chain(std::iter::once(PathBuf::from(format!("target/npm/pyodide-{PYODIDE_VERSION}/package"))));
        for dir in candidates {
            if PYODIDE_FILES.iter().all(|f| dir.join(f).is_file()) {
                let version = package_version(&dir).unwrap_or_else(|| PYODIDE_VERSION.to_string());
                return Pyodide::SelfHosted { dir, version };
            }
        }
        Pyodide::Missing
    }
}

fn package_version(dir: &Path) -> Option<String> {
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("package.json")).ok()?).ok()?;
    let version = json.get("version")?.as_str()?;
    // It becomes a folder name.
    version.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-')).then(|| version.to_string())
}

/// What the build's summary says about Python.
pub enum PythonSummary {
    /// Pyodide copied into the site: its version and size in bytes.
    SelfHosted(String, u64),
    Remote(String),
    /// The site has Python skills and no runtime for them.
    Missing,
}

/// The runner's part of one site build.
pub struct RunnerSite {
    /// Site-relative path of the loader module that executable skill pages load.
    pub loader_path: String,
    config: RunnerConfig,
    files: Vec<(String, Vec<u8>)>,
    pyodide: Pyodide,
    has_python_skills: bool,
}

impl RunnerSite {
    /// `None` when this binary was built without the runner bundle.
    /// `prelude` starts its loader (the offline module's import).
    pub fn new(settings: &Settings, skills: &[Skill], prelude: &str) -> Option<RunnerSite> {
        let (js, wasm) = crate::source::bundled::RUNNER?;
        // Named and hashed once per process and prelude: the dev server makes a RunnerSite per edit.
        static PUBLISHED: std::sync::Mutex<Vec<(String, &'static crate::islands::IslandFiles)>> = std::sync::Mutex::new(Vec::new());
        let bundle: &'static crate::islands::IslandFiles = {
            let mut known = PUBLISHED.lock().unwrap_or_else(|e| e.into_inner());
            match known.iter().find(|(p, _)| p == prelude) {
                Some((_, bundle)) => bundle,
                None => {
                    let bundle: &'static _ = Box::leak(Box::new(crate::islands::publish_with("runner", js, wasm, prelude, runner_loader)));
                    known.push((prelude.to_string(), bundle));
                    bundle
                }
            }
        };
        let has_python = skills.iter().any(|s| s.kind.as_deref() == Some("python"));
        // Found or configured, Python is published even without Python
        // skills on the site: visitors write and import their own.
        let pyodide = Pyodide::find(&settings.run);
        let (pyodide_url, remote_origin) = match &pyodide {
            Pyodide::SelfHosted { version, .. } => (Some(format!("{}pyodide/{version}/", settings.base_path)), None),
            Pyodide::Remote(url) => (Some(url.clone()), origin_of(url)),
            Pyodide::Missing => (None, None),
        };
        // The script is inline (allowed by its hash): the document loads
        // nothing, so the service worker can hand it over whole offline.
        let csp = sandbox_csp(remote_origin.as_deref(), &script_hash(SANDBOX_JS));
        debug_assert!(!SANDBOX_JS.contains("</script"), "the sandbox's script must not end its own element");
        let html = SANDBOX_HTML.replace("{{CSP}}", &csp).replace("{{SCRIPT}}", SANDBOX_JS);
        // Next to the bundles, named by its contents like them.
        let html_name = format!("pkg/sandbox.{:016x}.html", fnv1a(html.as_bytes()));
        let mut files = bundle.files.clone();
        // The quantum runtime's module, fetched by pages that run circuits.
        let quantum_url = crate::source::bundled::QUANTUM.map(|wasm| {
            static HASH: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
            let name = format!("pkg/quantum.{:016x}.wasm", HASH.get_or_init(|| fnv1a(wasm)));
            files.push((name.clone(), wasm.to_vec()));
            format!("{}{name}", settings.base_path)
        });
        files.push((html_name.clone(), html.into_bytes()));
        let config = RunnerConfig {
            sandbox_url: format!("{}{html_name}", settings.base_path),
            pyodide_url,
            pyodide_core_only: matches!(pyodide, Pyodide::SelfHosted { .. }),
            time_limit_secs: settings.run.time_limit_secs,
            quantum_url,
        };
        Some(RunnerSite { loader_path: bundle.loader_path.clone(), config, files, pyodide, has_python_skills: has_python })
    }

    /// `policy` (a page's) allowing runs: see [`allow_runs`].
    pub fn page_csp(&self, policy: &str) -> String {
        let remote = match &self.pyodide {
            Pyodide::Remote(url) => origin_of(url),
            _ => None,
        };
        allow_runs(policy, remote.as_deref())
    }

    /// Where the site's Python skills run from; `None` without Python skills.
    pub fn python_summary(&self) -> Option<PythonSummary> {
        match &self.pyodide {
            Pyodide::SelfHosted { dir, version } => Some(PythonSummary::SelfHosted(version.clone(), PYODIDE_FILES.iter().filter_map(|f| std::fs::metadata(dir.join(f)).ok()).map(|m| m.len()).sum())),
            Pyodide::Remote(url) => Some(PythonSummary::Remote(url.clone())),
            Pyodide::Missing if self.has_python_skills => Some(PythonSummary::Missing),
            Pyodide::Missing => None,
        }
    }

    /// Site-relative paths of the files it publishes besides Python (the
    /// bundle, the sandbox, the quantum runtime), all named by their hashes.
    pub fn hashed_files(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|(path, _)| path.as_str())
    }

    /// The self-hosted Python runtime's folder (`pyodide/<version>/`).
    pub fn pyodide_dir(&self) -> Option<String> {
        match &self.pyodide {
            Pyodide::SelfHosted { version, .. } => Some(format!("pyodide/{version}/")),
            _ => None,
        }
    }

    /// Whether Python skills can run on this site.
    pub fn has_python(&self) -> bool {
        !matches!(self.pyodide, Pyodide::Missing)
    }

    /// The JSON a page hands the panel: the site's runner configuration.
    pub fn config_json(&self) -> String {
        serde_json::to_string(&self.config).expect("plain data")
    }

    /// The JSON a skill page hands the panel about `skill`, whose page is
    /// the directory its code URL is relative to. A workflow carries the
    /// skills its steps use, with code URLs from the site's root; `find`
    /// looks a skill up by name in the catalogue.
    pub fn skill_json<'s>(skill: &Skill, base_path: &str, find: impl Fn(&str) -> Option<&'s Skill>) -> String {
        let mut runnable = runnable(skill, None);
        if let Some(workflow) = &skill.workflow {
            for step in &workflow.steps {
                if let Some(used) = find(&step.uses) {
                    runnable.steps.insert(used.name.clone(), runnable_at(used, &format!("{base_path}skills/{}/", used.slug)));
                }
            }
        }
        serde_json::to_string(&runnable).expect("plain data")
    }

    /// Whether `skill` gets a Run panel: a Python, JavaScript or OpenQASM
    /// skill with its code, or a workflow.
    pub fn runs(skill: &Skill, has_code: bool) -> bool {
        match skill.kind.as_deref() {
            Some("python" | "javascript" | "qasm") => has_code,
            Some("workflow") => skill.workflow.is_some(),
            _ => false,
        }
    }

    /// Whether running `skill` needs Python (a workflow: any of its steps).
    pub fn needs_python<'s>(skill: &Skill, find: impl Fn(&str) -> Option<&'s Skill>) -> bool {
        match (&skill.kind.as_deref(), &skill.workflow) {
            (Some("python"), _) => true,
            (Some("workflow"), Some(workflow)) => workflow.steps.iter().any(|s| find(&s.uses).is_some_and(|u| u.kind.as_deref() == Some("python"))),
            _ => false,
        }
    }

    /// Writes the bundle, the sandbox and the self-hosted Python runtime.
    pub fn write(&self, out: &dyn SiteWriter) -> Result<(), OutputError> {
        for (path, bytes) in &self.files {
            // Their names carry a hash of their bytes: one of the last build is the same file.
            if !out.keep(path) {
                out.write(path, bytes)?;
            }
        }
        if let Pyodide::SelfHosted { dir, version } = &self.pyodide {
            for file in PYODIDE_FILES {
                let rel = format!("pyodide/{version}/{file}");
                // The folder is versioned, so a file kept from the last build is current.
                if !out.keep(&rel) {
                    out.copy(&rel, &FileData::Disk(dir.join(file)))?;
                }
            }
        }
        Ok(())
    }
}

fn runnable(skill: &Skill, page: Option<&str>) -> RunnableSkill {
    RunnableSkill {
        name: skill.name.clone(),
        kind: skill.kind.clone().unwrap_or_default(),
        code: None,
        code_url: skill.entry.as_deref().map(|e| format!("{}{}", page.unwrap_or(""), crate::render::url_path(&llmos_core::published_path(e)))),
        entry: skill.entry.clone(),
        inputs: skill.inputs.clone(),
        outputs: skill.outputs.clone(),
        packages: skill.packages.clone(),
        workflow: skill.workflow.clone(),
        steps: Default::default(),
    }
}

/// `skill` with its code URL under `page` (its page's path from the root).
fn runnable_at(skill: &Skill, page: &str) -> RunnableSkill {
    runnable(skill, Some(page))
}

/// The runner's loader: mounts a Run panel into every `[data-llmos-run]`
/// element of the page, and gives the other bundles `window.llmosRunner`
/// (starting the bundle on first use):
/// - `mount(element, skill, config)`: a Run panel where they show a skill;
/// - `run(skill, inputs, config)`: a run without a panel, resolving to the
///   outcome object `llmos_runner::run_skill` documents;
/// - `stop()`: stops that run;
/// - `showOutputs(element, skill, outputs)`: a run's outputs as the panel shows them.
/// `skill` and `config` are objects of `RunnableSkill` and `RunnerConfig`.
fn runner_loader(js_name: &str, wasm_name: &str) -> String {
    format!(
        r#"// LLMos runner loader: the Run panel of executable skills.
import init, {{ mount as mountPanel, run_skill, stop_run, show_outputs }} from "./{js_name}";

let started;
const start = () => (started ??= init({{ module_or_path: new URL("./{wasm_name}", import.meta.url) }}));

async function mount(element, skill, config) {{
  await start();
  mountPanel(element, JSON.stringify(skill), JSON.stringify(config));
  element.dataset.runner = "ready";
}}

// For the other bundles: run a skill without a panel (the chat's tool),
// stop that run, and show a run's outputs as the panel does.
async function run(skill, inputs, config) {{
  await start();
  return JSON.parse(await run_skill(JSON.stringify(skill), JSON.stringify(inputs), JSON.stringify(config)));
}}
function stop() {{
  if (started) stop_run();
}}
async function showOutputs(element, skill, outputs) {{
  await start();
  show_outputs(element, JSON.stringify(skill), JSON.stringify(outputs));
}}

window.llmosRunner = Object.freeze({{ mount, run, stop, showOutputs }});
for (const element of document.querySelectorAll("[data-llmos-run]")) {{
  mount(element, JSON.parse(element.dataset.llmosRun), JSON.parse(element.dataset.llmosRunner))
    .catch((error) => console.error("LLMos runner failed to start:", error));
}}
"#
    )
}

/// `'sha256-…'`: a CSP source allowing the inline script `script`.
fn script_hash(script: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script.as_bytes())))
}

/// The sandbox document's policy: scripts from the site (its own inline
/// script, by `script_hash`; Pyodide) and from a remote Pyodide, `eval` for JavaScript skills,
/// WebAssembly for Python, workers from `blob:` (the sandbox's own), and
/// network only to the site and the remote Pyodide. No images, styles,
/// frames, forms or base URL. (`blob:` is how the worker reads the
/// runtime files the page hands over.) Under its opaque origin, `'self'` still
/// names the site's own URLs.
pub fn sandbox_csp(remote_origin: Option<&str>, script_hash: &str) -> String {
    let extra = remote_origin.map(|o| format!(" {o}")).unwrap_or_default();
    format!("default-src 'none'; script-src 'self'{extra} {script_hash} 'unsafe-eval' 'wasm-unsafe-eval' blob:; worker-src blob:; connect-src 'self'{extra} blob:; base-uri 'none'; form-action 'none'")
}

/// `policy` (a page's) allowing what running skills needs: frames from the
/// site (the sandbox, whose origin is opaque once loaded, so it reaches
/// nothing of the page's) and, for a remote Pyodide, fetching its files
/// (the page reads them through its HTTP cache for the sandbox).
pub fn allow_runs(policy: &str, remote_origin: Option<&str>) -> String {
    let policy = policy.replace("frame-src 'none'", "frame-src 'self'");
    match remote_origin {
        Some(origin) => policy.replacen("connect-src 'self'", &format!("connect-src 'self' {origin}"), 1),
        None => policy,
    }
}

/// `https://cdn.example/pyodide/` → `https://cdn.example`.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then(|| format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remote_pyodide_is_allowed_by_its_origin_only() {
        assert_eq!(origin_of("https://cdn.jsdelivr.net/pyodide/v0.28.3/full/").as_deref(), Some("https://cdn.jsdelivr.net"));
        let csp = sandbox_csp(Some("https://cdn.jsdelivr.net"), "'sha256-x'");
        assert!(csp.contains("connect-src 'self' https://cdn.jsdelivr.net blob:;"), "{csp}");
        assert!(allow_runs(crate::csp::CHAT_CSP, Some("https://cdn.jsdelivr.net")).contains("connect-src 'self' https://cdn.jsdelivr.net https://api.anthropic.com"));
        assert!(!sandbox_csp(None, "'sha256-x'").contains("https:"));
    }
}
