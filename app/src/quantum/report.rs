//! The quantum runtime's one entry point for every caller (`llmos quantum`,
//! `llmos run`, the browser sandbox, Python's and JavaScript's
//! `llmos_quantum`): a JSON request in, a JSON result out.
//!
//! Request: `{"qasm": "…", "shots": 1024, "seed": 7, "params": {"theta": 0.5}}`
//! (`shots` 0 to [`MAX_SHOTS`], default 1,024; `seed` optional; `params`
//! numbers for the circuit's inputs). Result: `{"counts", "shots", "seed",
//! "qubits", "clbits", "most_likely", "probabilities"?, "amplitudes"?,
//! "histogram", "circuit"}` (see [`run_request`]), or `{"error": "…"}`.

use super::diagram::draw;
use super::execute::{execute, Execution};
use super::histogram::histogram_svg;
use super::qasm::{self, Circuit};
use super::state::bitstring;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The most shots one request may ask for.
pub const MAX_SHOTS: usize = 1_000_000;
/// States of up to this many qubits report their amplitudes and probabilities.
pub const MAX_STATE_QUBITS: usize = 10;
/// How many outcomes `most_likely` lists.
pub const MOST_LIKELY: usize = 8;

/// Runs the circuit a JSON request describes and returns the result as
/// JSON text; any problem (bad JSON, a QASM error with its line and column,
/// too many qubits) comes back as `{"error": "…"}`. `default_seed` is used
/// when the request gives none, and is reported in `seed`.
pub fn run_request(request: &str, default_seed: u64) -> String {
    match run_value(request, default_seed) {
        Ok(result) => Value::Object(result).to_string(),
        Err(message) => json!({ "error": message }).to_string(),
    }
}

fn run_value(request: &str, default_seed: u64) -> Result<Map<String, Value>, String> {
    let request: Value = serde_json::from_str(request).map_err(|e| format!("the request is not JSON: {e}"))?;
    let qasm = request.get("qasm").and_then(Value::as_str).ok_or("the request has no `qasm` text")?;
    let shots = match request.get("shots") {
        None | Some(Value::Null) => 1024,
        Some(v) => v.as_u64().filter(|s| *s as usize <= MAX_SHOTS).ok_or(format!("`shots` must be a whole number from 0 to {MAX_SHOTS}"))? as usize,
    };
    let seed = match request.get("seed") {
        None | Some(Value::Null) => default_seed,
        Some(v) => v.as_u64().or_else(|| v.as_i64().map(|s| s as u64)).ok_or("`seed` must be a whole number")?,
    };
    let mut params = BTreeMap::new();
    if let Some(given) = request.get("params").and_then(Value::as_object) {
        for (name, value) in given {
            params.insert(name.clone(), value.as_f64().ok_or(format!("the parameter `{name}` must be a number"))?);
        }
    }
    let circuit = qasm::parse(qasm, &params).map_err(|e| e.to_string())?;
    let execution = execute(&circuit, shots, seed)?;
    Ok(report(&circuit, &execution))
}

/// The result object of a run (the keys listed in the module docs).
pub fn report(circuit: &Circuit, execution: &Execution) -> Map<String, Value> {
    let mut result = Map::new();
    result.insert("counts".into(), json!(execution.counts));
    result.insert("shots".into(), json!(execution.shots));
    result.insert("seed".into(), json!(execution.seed));
    result.insert("qubits".into(), json!(circuit.qubits));
    result.insert("clbits".into(), json!(circuit.clbits));
    let mut ranked: Vec<(&String, &usize)> = execution.counts.iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let most_likely: Vec<Value> = ranked
        .iter()
        .take(MOST_LIKELY)
        .map(|(outcome, count)| json!({ "outcome": outcome, "count": count, "probability": round(**count as f64 / execution.shots.max(1) as f64) }))
        .collect();
    result.insert("most_likely".into(), Value::Array(most_likely));
    if let Some(state) = execution.state.as_ref().filter(|s| s.qubits() <= MAX_STATE_QUBITS) {
        let mut probabilities = Map::new();
        let mut amplitudes = Map::new();
        for (index, amplitude) in state.amplitudes().iter().enumerate() {
            let p = amplitude.norm_sqr();
            if p > 1e-12 {
                let key = bitstring(index, state.qubits());
                probabilities.insert(key.clone(), json!(round(p)));
                amplitudes.insert(key, json!([round(amplitude.re), round(amplitude.im)]));
            }
        }
        result.insert("probabilities".into(), Value::Object(probabilities));
        result.insert("amplitudes".into(), Value::Object(amplitudes));
    }
    result.insert("histogram".into(), json!(histogram_svg(&execution.counts, execution.shots)));
    result.insert("circuit".into(), json!(draw(circuit)));
    result
}

/// Rounds to 12 significant decimals, so `0.7071067811865476` stays exact
/// enough and rounding noise such as `1e-17` reads as 0.
fn round(x: f64) -> f64 {
    let r = (x * 1e12).round() / 1e12;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}
