//! The interpreter as a child process: a small driver given with `-c`/`-e`
//! reads the job on stdin, runs the shared harness, and writes `ok` and
//! the result JSON, or `error` and the traceback, to a scratch file.

use super::{RunError, RunOptions, RunOutcome};
use serde_json::{json, Map, Value};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// What each runtime needs besides the harness.
#[derive(Clone, Copy)]
pub(super) enum Runtime {
    Python,
    JavaScript,
}

pub(super) struct Job<'a> {
    pub code: &'a str,
    pub inputs: &'a Map<String, Value>,
    pub bytes: &'a [String],
    /// The entry path, as tracebacks name the code.
    pub file: &'a str,
    /// The `llmos_quantum` module's source, when the code names it.
    pub quantum_module: Option<&'static str>,
}

/// Isolated (`-I`: no user site, no current folder on the path) and
/// unbuffered (`-u`), so output streams as it is printed.
const PYTHON_DRIVER: &str = r#"
import json, os, sys, traceback
for stream in (sys.stdout, sys.stderr):
    stream.reconfigure(encoding="utf-8", errors="backslashreplace")
job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
if job.get("quantum"):
    import types
    module = types.ModuleType("llmos_quantum")
    exec(compile(job["quantum"], "llmos_quantum.py", "exec"), module.__dict__)
    sys.modules["llmos_quantum"] = module
space = {"__name__": "__llmos__", "__llmos_code": job["code"], "__llmos_inputs": job["inputs"], "__llmos_bytes": job["bytes"], "__llmos_file": job["file"]}
try:
    exec(compile(job["harness"], "<llmos>", "exec"), space)
    status, text = "ok", space["__llmos_result"]
except BaseException as error:
    frames = error.__traceback__
    while frames is not None and frames.tb_frame.f_code.co_filename != job["file"]:
        frames = frames.tb_next
    status, text = "error", "".join(traceback.format_exception(type(error), error, frames))
sys.stdout.flush()
sys.stderr.flush()
with open(job["result"], "w", encoding="utf-8") as out:
    out.write(status + "\n" + text)
os._exit(0 if status == "ok" else 1)
"#;

/// `require` and the CommonJS globals are removed before the skill runs,
/// as the browser has none of them. Stack lines are cut to the skill's
/// frames, numbered as in its file (`new Function` adds two lines).
const NODE_DRIVER: &str = r#"
const fs = require("fs");
const job = JSON.parse(fs.readFileSync(0, "utf8"));
if (job.quantum) {
  // The runtime is this very llmos, answering one JSON request per call.
  const { execFileSync } = require("child_process");
  globalThis.__llmos_quantum_run = (request) => execFileSync(process.env.LLMOS_QUANTUM, ["quantum", "--request"], { input: request, maxBuffer: 1 << 30 }).toString("utf8");
  (0, eval)(job.quantum);
}
for (const name of ["require", "module", "exports", "__filename", "__dirname"]) delete globalThis[name];
const finish = (status, text) => { fs.writeFileSync(job.result, status + "\n" + text); process.exit(status === "ok" ? 0 : 1); };
const describe = (error) => {
  if (!(error instanceof Error) || typeof error.stack !== "string") return "Uncaught " + String(error);
  const lines = error.stack.split("\n");
  const head = lines.filter(line => !/^\s+at /.test(line));
  const frames = lines.filter(line => /^\s+at /.test(line) && line.includes("eval at __llmosRun"))
    .map(line => line.replace(/eval at __llmosRun \(.*\), <anonymous>:(\d+):(\d+)/, (_, l, c) => job.file + ":" + (l - 2) + ":" + c));
  return head.concat(frames).join("\n");
};
const run = (0, eval)(job.harness + "\n;__llmosRun");
run(job.code, job.inputs, JSON.parse(job.bytes)).then(text => finish("ok", text), error => finish("error", describe(error)));
"#;

impl Runtime {
    fn command(self) -> (String, Vec<&'static str>, &'static str, &'static str) {
        match self {
            Runtime::Python => (std::env::var("LLMOS_PYTHON").unwrap_or_else(|_| "python3".into()), vec!["-I", "-u", "-c", PYTHON_DRIVER], llmos_core::run::PYTHON_HARNESS, "Python 3"),
            Runtime::JavaScript => (std::env::var("LLMOS_NODE").unwrap_or_else(|_| "node".into()), vec!["-e", NODE_DRIVER], llmos_core::run::JS_HARNESS, "Node.js"),
        }
    }
}

/// Removes the scratch file however the run ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        static COUNT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let name = format!("llmos-run-{}-{}-{nanos}.out", std::process::id(), COUNT.fetch_add(1, Ordering::Relaxed));
        Scratch(std::env::temp_dir().join(name))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Most of a skill's output kept in memory; the rest is still echoed.
const CAPTURE_LIMIT: usize = 8 << 20;

/// Reads a pipe to its end, keeping what it can and echoing it to our stderr.
fn drain(mut pipe: impl Read + Send + 'static, echo: bool) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buffer = [0u8; 8192];
        loop {
            match pipe.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if echo {
                        let mut err = std::io::stderr().lock();
                        let _ = err.write_all(&buffer[..n]);
                        let _ = err.flush();
                    }
                    if kept.len() < CAPTURE_LIMIT {
                        kept.extend_from_slice(&buffer[..n]);
                    }
                }
            }
        }
        String::from_utf8_lossy(&kept).into_owned()
    })
}

pub(super) fn run(runtime: Runtime, job: &Job, options: &RunOptions) -> Result<RunOutcome, RunError> {
    let (program, args, harness, language) = runtime.command();
    let scratch = Scratch::new();
    let payload = json!({
        "harness": harness,
        "code": job.code,
        "inputs": Value::Object(job.inputs.clone()).to_string(),
        "bytes": serde_json::to_string(job.bytes).expect("names serialise"),
        "file": job.file,
        "result": scratch.0.to_string_lossy(),
        "quantum": job.quantum_module,
    })
    .to_string();
    let started = Instant::now();
    let mut child = Command::new(&program);
    if job.quantum_module.is_some() && std::env::var_os("LLMOS_QUANTUM").is_none() {
        // The module's runtime is `llmos quantum --request`: this executable,
        // when it is llmos (a test harness names its own with LLMOS_QUANTUM).
        if let Some(exe) = std::env::current_exe().ok().filter(|e| e.file_stem().is_some_and(|s| s == "llmos")) {
            child.env("LLMOS_QUANTUM", exe);
        }
    }
    let mut child = child
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            RunError::Interpreter(if e.kind() == std::io::ErrorKind::NotFound {
                format!("`{program}` was not found: install {language} (and put `{program}` on the PATH) to run this skill")
            } else {
                format!("cannot start `{program}` ({e}); {language} is needed to run this skill")
            })
        })?;
    let stdout = drain(child.stdout.take().expect("piped"), options.echo);
    let stderr = drain(child.stderr.take().expect("piped"), options.echo);
    let mut stdin = child.stdin.take().expect("piped");
    // A child that exits early closes the pipe; what it says comes below.
    let writer = thread::spawn(move || {
        let _ = stdin.write_all(payload.as_bytes());
    });
    let mut pause = Duration::from_millis(1);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= options.timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => {
                thread::sleep(pause.min(options.timeout.saturating_sub(started.elapsed())));
                pause = (pause * 2).min(Duration::from_millis(20));
            }
            Err(e) => return Err(RunError::Interpreter(format!("lost track of `{program}`: {e}"))),
        }
    };
    let duration = started.elapsed();
    let _ = writer.join();
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let Some(status) = status else {
        return Err(RunError::TimedOut { limit: options.timeout, stdout, stderr });
    };
    let verdict = std::fs::read_to_string(&scratch.0).unwrap_or_default();
    let failed = |message: String, stdout: String, stderr: String| Err(RunError::Failed { message, stdout, stderr, duration });
    match verdict.split_once('\n') {
        Some(("ok", text)) if status.success() => match serde_json::from_str::<Value>(text) {
            Ok(outputs) if outputs.is_object() => Ok(RunOutcome { outputs, text: text.to_string(), stdout, stderr, duration }),
            Ok(other) => failed(format!("execute(inputs) must return an object of named outputs, like {{\"total\": 3}}; it returned {}", shape(&other)), stdout, stderr),
            Err(e) => failed(format!("the result is not JSON ({e})"), stdout, stderr),
        },
        Some(("error", traceback)) => failed(traceback.to_string(), stdout, stderr),
        _ => failed(format!("`{program}` stopped ({status}) before the skill finished"), stdout, stderr),
    }
}

fn shape(value: &Value) -> &'static str {
    match value {
        Value::Array(_) => "a list",
        Value::String(_) => "text",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Null => "null (None)",
        Value::Object(_) => "an object",
    }
}
