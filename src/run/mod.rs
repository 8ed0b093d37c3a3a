//! `llmos run`: executable skills on the author's machine, with `python3`
//! or `node`, through the very harness the browser sandbox uses
//! (`llmos_core::run`), so inputs are validated the same way and the
//! result is the same JSON.
//!
//! The child reads one JSON job on stdin (harness, code, inputs: nothing
//! large goes through argv) and writes its verdict to a scratch file, so
//! whatever the skill prints on stdout and stderr stays its own.

mod cli;
mod display;
mod process;
pub mod quantum;

pub use cli::{command, RunArgs};

use crate::site::Loaded;
use llmos_core::run::{validate_inputs, InputError};
use llmos_core::Skill;
use serde_json::{Map, Value};
use std::fmt;
use std::path::Path;
use std::time::Duration;

/// The time limit of `llmos run` when `--timeout` is not given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// A finished run.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// What `execute(inputs)` returned: always a JSON object of outputs.
    pub outputs: Value,
    /// The same, as the runtime serialised it (`json.dumps` /
    /// `JSON.stringify`): one line, the skill's own key order.
    pub text: String,
    /// What the skill printed.
    pub stdout: String,
    pub stderr: String,
    /// From starting the interpreter to its exit.
    pub duration: Duration,
}

/// Why a run gave no outputs. [`RunError::exit_code`] is the exit status
/// `llmos run` uses for it.
#[derive(Debug, Clone)]
pub enum RunError {
    /// Inputs that do not validate, one message per field (exit 2).
    Input(Vec<InputError>),
    /// The skill raised, its code does not parse, or it returned something
    /// other than an object of outputs (exit 1). `message` is the traceback
    /// (Python) or the stack (JavaScript), from the skill's own frames.
    Failed { message: String, stdout: String, stderr: String, duration: Duration },
    /// Still running at the time limit: the interpreter was killed (exit 1).
    TimedOut { limit: Duration, stdout: String, stderr: String },
    /// No such skill, not an executable one, or its code cannot be read (exit 3).
    Unavailable(String),
    /// `python3` or `node` cannot be started (exit 3); the message says
    /// what to install.
    Interpreter(String),
}

impl RunError {
    /// 1 the skill failed or timed out, 2 bad inputs, 3 nothing to run.
    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::Failed { .. } | RunError::TimedOut { .. } => 1,
            RunError::Input(_) => 2,
            RunError::Unavailable(_) | RunError::Interpreter(_) => 3,
        }
    }
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Input(errors) => {
                let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
                write!(f, "{}", messages.join("\n"))
            }
            RunError::Failed { message, .. } => write!(f, "{}", message.trim_end()),
            RunError::TimedOut { limit, .. } => write!(f, "stopped after {} s, the time limit", limit.as_secs_f64()),
            RunError::Unavailable(message) | RunError::Interpreter(message) => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for RunError {}

/// How a run behaves besides its inputs.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The interpreter is killed after this long.
    pub timeout: Duration,
    /// Copy the skill's stdout and stderr to ours as they come (both to
    /// our stderr); they are captured either way.
    pub echo: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { timeout: DEFAULT_TIMEOUT, echo: false }
    }
}

/// Runs `skill`, whose folder is `dir` on disk, with `inputs` (validated
/// here with `llmos_core::run::validate_inputs`, defaults filled), under
/// `python3` (`type: python`) or `node` (`type: javascript`), killing it
/// after `timeout`. Nothing is echoed. The interpreters can be changed
/// with the `LLMOS_PYTHON` and `LLMOS_NODE` environment variables.
///
/// Errors: see [`RunError`]; a missing code file is `Unavailable`.
pub fn run_skill_native(skill: &Skill, dir: &Path, inputs: &Map<String, Value>, timeout: Duration) -> Result<RunOutcome, RunError> {
    let entry = entry_of(skill)?;
    let path = dir.join(entry);
    let code = std::fs::read_to_string(&path).map_err(|e| RunError::Unavailable(format!("cannot read {}: {e}", path.display())))?;
    run_skill_code(skill, &code, inputs, &RunOptions { timeout, echo: false })
}

/// Runs `code` as the entry of `skill`: the same as [`run_skill_native`]
/// for code that is not in a folder on disk (bundled skills, zips, or the
/// text a workflow runner already holds).
pub fn run_skill_code(skill: &Skill, code: &str, inputs: &Map<String, Value>, options: &RunOptions) -> Result<RunOutcome, RunError> {
    let entry = entry_of(skill)?;
    let inputs = validate_inputs(&skill.inputs, inputs).map_err(RunError::Input)?;
    let bytes = llmos_core::run::bytes_inputs(&skill.inputs);
    let runtime = match skill.kind.as_deref() {
        Some("python") => process::Runtime::Python,
        Some("javascript") => process::Runtime::JavaScript,
        Some("qasm") => return quantum::run_circuit(skill, code, &inputs, entry, options),
        other => return Err(not_runnable(skill, other)),
    };
    let quantum_module = llmos_core::quantum::uses_quantum("", code).then_some(match runtime {
        process::Runtime::Python => llmos_core::quantum::PYTHON_MODULE,
        process::Runtime::JavaScript => llmos_core::quantum::JS_MODULE,
    });
    process::run(runtime, &process::Job { code, inputs: &inputs, bytes: &bytes, file: entry, quantum_module }, options)
}

/// The source of `skill`'s entry file as loaded (from disk, the bundled
/// skills or a zip), for [`run_skill_code`].
///
/// Errors: `Unavailable` when the skill is not executable or its entry file
/// is not in its folder.
pub fn skill_code(loaded: &Loaded, skill: &Skill) -> Result<String, RunError> {
    let entry = entry_of(skill)?;
    let file = loaded
        .assets
        .get(&skill.slug)
        .and_then(|assets| assets.files.iter().find(|(rel, _, _)| rel == entry))
        .ok_or_else(|| RunError::Unavailable(format!("{}: the code file `{entry}` is not in the skill folder", skill.path)))?;
    let bytes = file.1.read().map_err(|e| RunError::Unavailable(format!("{}: cannot read `{entry}`: {e}", skill.path)))?;
    String::from_utf8(bytes.into_owned()).map_err(|_| RunError::Unavailable(format!("{}: `{entry}` is not UTF-8 text", skill.path)))
}

/// The catalogue's skill called `name` (or whose page slug is `name`).
pub fn find_skill<'a>(loaded: &'a Loaded, name: &str) -> Option<&'a Skill> {
    let skills = &loaded.catalogue.skills;
    skills.iter().find(|s| s.name == name).or_else(|| skills.iter().find(|s| s.slug == name))
}

fn entry_of(skill: &Skill) -> Result<&str, RunError> {
    match (&skill.kind, &skill.entry) {
        (Some(_), Some(entry)) => Ok(entry),
        (kind, _) => Err(not_runnable(skill, kind.as_deref())),
    }
}

fn not_runnable(skill: &Skill, kind: Option<&str>) -> RunError {
    RunError::Unavailable(match kind {
        None => format!("`{}` is an instructions skill: it has no code to run (executable skills declare `type: python`, `javascript` or `qasm`)", skill.name),
        Some(kind @ ("python" | "javascript" | "qasm")) => format!("the {kind} skill `{}` has no `entry` code file", skill.name),
        Some(kind) => format!("`{}` has type `{kind}`, which `llmos run` cannot run (it runs `python`, `javascript` and `qasm` skills)", skill.name),
    })
}
