//! What skills see of the quantum runtime: `type: qasm` skills' inputs as a
//! request, and the `llmos_quantum` modules Python and JavaScript skills
//! import, shared by the browser sandbox and `llmos run`.

use serde_json::{json, Map, Value};

/// The Python module `llmos_quantum` (a `QuantumCircuit` builder and
/// `run(circuit_or_qasm, shots, seed, params)`), made importable before a
/// Python skill that names it runs.
pub const PYTHON_MODULE: &str = include_str!("llmos_quantum.py");

/// The same API for JavaScript, a classic script defining
/// `globalThis.llmos_quantum`, evaluated before a JavaScript skill that
/// names it runs.
pub const JS_MODULE: &str = include_str!("llmos_quantum.js");

/// Inputs of a `type: qasm` skill that set the run rather than the circuit.
pub const RUN_INPUTS: [&str; 2] = ["shots", "seed"];

/// Whether a skill of `kind` with `code` needs the quantum runtime: a
/// `qasm` skill, or code that names `llmos_quantum`.
pub fn uses_quantum(kind: &str, code: &str) -> bool {
    kind == "qasm" || code.contains("llmos_quantum")
}

/// The runtime request (see [`super::run_request`]) for a `type: qasm`
/// skill's circuit `qasm` and its validated `inputs`: `shots` and `seed`
/// set the run, every other number is a circuit parameter (an OpenQASM 3
/// `input float[64] name;`). Other inputs are not the circuit's.
pub fn skill_request(qasm: &str, inputs: &Map<String, Value>) -> String {
    let params: Map<String, Value> = inputs.iter().filter(|(name, value)| !RUN_INPUTS.contains(&name.as_str()) && value.is_number()).map(|(k, v)| (k.clone(), v.clone())).collect();
    json!({ "qasm": qasm, "shots": inputs.get("shots").cloned().unwrap_or(Value::Null), "seed": inputs.get("seed").cloned().unwrap_or(Value::Null), "params": params }).to_string()
}

/// A `type: qasm` skill's outputs from the runtime's response text: the
/// declared outputs, in declared order (all of the result when the skill
/// declares none), as JSON text.
///
/// Errors: the runtime's error message (a circuit error names its line and
/// column).
pub fn skill_outputs(response: &str, declared: &[crate::IoSpec]) -> Result<String, String> {
    let result: Value = serde_json::from_str(response).map_err(|e| format!("the quantum runtime answered no JSON: {e}"))?;
    if let Some(message) = result.get("error").and_then(Value::as_str) {
        return Err(message.to_string());
    }
    if declared.is_empty() {
        return Ok(result.to_string());
    }
    let outputs: Map<String, Value> = declared.iter().filter_map(|spec| Some((spec.name.clone(), result.get(&spec.name)?.clone()))).collect();
    Ok(Value::Object(outputs).to_string())
}
