//! The quantum runtime natively: `type: qasm` skills under `llmos run`, the
//! `llmos quantum` command, and the backend the `llmos_quantum` modules of
//! Python and JavaScript skills call (`llmos quantum --request`, found
//! through the `LLMOS_QUANTUM` variable `llmos run` sets).

use super::{RunError, RunOptions, RunOutcome};
use llmos_core::quantum::{run_request, skill_outputs, skill_request};
use llmos_core::Skill;
use serde_json::{Map, Value};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A seed from the clock, for runs that name none (the result reports it).
pub fn clock_seed() -> u64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    now.as_secs().wrapping_mul(1_000_000_007) ^ u64::from(now.subsec_nanos()) ^ u64::from(std::process::id()) << 32
}

/// Runs a `type: qasm` skill's circuit `code` (from `file`) with validated
/// `inputs`, in this process, on a thread abandoned at the time limit.
///
/// Errors: `Failed` with the file, line and column of a circuit error;
/// `TimedOut` past `options.timeout`.
pub(super) fn run_circuit(skill: &Skill, code: &str, inputs: &Map<String, Value>, file: &str, options: &RunOptions) -> Result<RunOutcome, RunError> {
    let request = skill_request(code, inputs);
    let started = Instant::now();
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(run_request(&request, clock_seed()));
    });
    let text = receive.recv_timeout(options.timeout).map_err(|_| RunError::TimedOut { limit: options.timeout, stdout: String::new(), stderr: String::new() })?;
    let duration = started.elapsed();
    match skill_outputs(&text, &skill.outputs) {
        Ok(text) => Ok(RunOutcome { outputs: serde_json::from_str(&text).expect("JSON from JSON"), text, stdout: String::new(), stderr: String::new(), duration }),
        Err(message) => Err(RunError::Failed { message: format!("{file}: {message}"), stdout: String::new(), stderr: String::new(), duration }),
    }
}

/// What `llmos quantum` was asked.
pub struct QuantumArgs {
    /// The OpenQASM file; `None` with `request`.
    pub file: Option<PathBuf>,
    pub shots: usize,
    pub seed: Option<u64>,
    /// `NAME=NUMBER` values of the circuit's inputs.
    pub params: Vec<String>,
    /// Print the whole result as JSON.
    pub json: bool,
    /// Read a JSON request on stdin, write the JSON result on stdout.
    pub request: bool,
}

/// `llmos quantum`: exit 0 on success, 1 when the circuit has an error, 2
/// on bad arguments or an unreadable file.
pub fn command(args: &QuantumArgs) -> ExitCode {
    if args.request {
        let mut request = String::new();
        if std::io::stdin().read_to_string(&mut request).is_err() {
            eprintln!("error: the request on stdin is not UTF-8 text");
            return ExitCode::from(2);
        }
        let response = run_request(&request, clock_seed());
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(response.as_bytes());
        let _ = out.flush();
        return ExitCode::SUCCESS;
    }
    let Some(file) = &args.file else {
        eprintln!("error: give an OpenQASM file (or --request to read a JSON request on stdin)");
        return ExitCode::from(2);
    };
    let qasm = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let mut params = Map::new();
    for pair in &args.params {
        let parsed = pair.split_once('=').and_then(|(name, value)| Some((name.trim(), value.trim().parse::<f64>().ok()?)));
        match parsed {
            Some((name, value)) => {
                // A name the circuit never mentions would change nothing:
                // most likely a typo, so say so rather than run as if it were used.
                let mentioned = qasm.split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|word| word == name);
                if !mentioned {
                    eprintln!("warning: --param {name}: {} never mentions `{name}`, so this value changes nothing; check the name against the circuit's `input` declarations or gate parameters", file.display());
                }
                params.insert(name.to_string(), Value::from(value));
            }
            None => {
                eprintln!("error: --param {pair}: write NAME=NUMBER, as in --param theta=0.5");
                return ExitCode::from(2);
            }
        }
    }
    let request = serde_json::json!({ "qasm": qasm, "shots": args.shots, "seed": args.seed, "params": params }).to_string();
    let started = Instant::now();
    let result: Value = serde_json::from_str(&run_request(&request, clock_seed())).expect("the runtime writes JSON");
    let elapsed = started.elapsed();
    if let Some(message) = result.get("error").and_then(Value::as_str) {
        eprintln!("error: {}: {message}", file.display());
        return ExitCode::from(1);
    }
    if args.json {
        let _ = writeln!(std::io::stdout().lock(), "{result}");
    } else {
        print_summary(&result, elapsed);
    }
    ExitCode::SUCCESS
}

/// The drawing, a line of figures and the most likely outcomes. Written
/// without panicking: a reader that closes the pipe early (`| head`) just
/// gets less.
fn print_summary(result: &Value, elapsed: Duration) {
    let mut out = std::io::stdout().lock();
    let plural = |n: &Value, word: &str| format!("{n} {word}{}", if n.as_u64() == Some(1) { "" } else { "s" });
    let _ = writeln!(out, "{}\n", result["circuit"].as_str().unwrap_or(""));
    let _ = writeln!(out, "{}, {}, seed {}, {:.1} ms", plural(&result["qubits"], "qubit"), plural(&result["shots"], "shot"), result["seed"], elapsed.as_secs_f64() * 1e3);
    if let Some(probabilities) = result["probabilities"].as_object().filter(|_| result["shots"] == 0) {
        // No shots: the exact state is the result.
        let _ = writeln!(out, "probabilities (exact):");
        for (state, p) in probabilities {
            let _ = writeln!(out, "  {state:>10}  {:9.6}", p.as_f64().unwrap_or(0.0));
        }
        return;
    }
    let _ = writeln!(out, "most likely:");
    for row in result["most_likely"].as_array().into_iter().flatten() {
        let p = row["probability"].as_f64().unwrap_or(0.0);
        let bar = "█".repeat((p * 40.0).round() as usize);
        let _ = writeln!(out, "  {:>10}  {:>7}  {:5.1}%  {bar}", row["outcome"].as_str().unwrap_or(""), row["count"], p * 100.0);
    }
    let outcomes = result["counts"].as_object().map_or(0, |c| c.len());
    let _ = writeln!(out, "{outcomes} distinct outcome{}; --json prints counts, amplitudes and the histogram SVG", if outcomes == 1 { "" } else { "s" });
}
