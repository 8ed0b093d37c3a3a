use super::{TraceRun, TraceToolCall, TraceTurn};
use serde_json::{json, Value};

/// The stored trace, when it is one (an object with an `id`).
pub fn stored(stored: Option<Value>) -> Option<Value> {
    stored.filter(|trace| trace.is_object() && trace.get("id").and_then(Value::as_str).is_some_and(|i| !i.is_empty()))
}

/// A new, empty trace of conversation `id`. Read from its text: `json!`
/// for eleven fields compiles to a kilobyte of code.
pub fn new(id: &str) -> Value {
    const EMPTY: &str = r#"{"id":"","conversation":"","goal":"","provider":"","model":"","skills_offered":[],"skills_used":[],"tool_calls":[],"turns":[],"runs":[],"outcome":null}"#;
    let mut trace: Value = serde_json::from_str(EMPTY).expect("the empty trace is JSON");
    trace["id"] = id.into();
    trace["conversation"] = id.into();
    trace
}

/// The stored trace of conversation `id`, or a new one when there is
/// none (or what is stored is not a trace).
pub fn or_new(stored: Option<Value>, id: &str) -> Value {
    self::stored(stored).unwrap_or_else(|| new(id))
}

/// The outcome the user marked (`solved`, `not-solved`), if any.
pub fn outcome(trace: &Value) -> Option<String> {
    trace.get("outcome").and_then(Value::as_str).map(str::to_string)
}

/// Kept on purpose on the traces page (it outlives its conversation).
pub fn kept(trace: &Value) -> bool {
    trace.get("kept").and_then(Value::as_bool).unwrap_or(false)
}

pub fn set_outcome(trace: &mut Value, outcome: &str) {
    trace["outcome"] = outcome.into();
}

/// The array `key` of the trace, made one when missing or not an array.
fn list<'a>(trace: &'a mut Value, key: &str) -> &'a mut Vec<Value> {
    if !trace[key].is_array() {
        trace[key] = Value::Array(Vec::new());
    }
    trace[key].as_array_mut().expect("made an array above")
}

/// Adds `slugs` missing from the list `key`.
pub fn add_slugs<'a>(trace: &mut Value, key: &str, slugs: impl IntoIterator<Item = &'a str>) {
    let list = list(trace, key);
    for slug in slugs {
        if !list.iter().any(|s| s == slug) {
            list.push(slug.into());
        }
    }
}

/// Records one turn: who answered, the tool calls and runs it made, its timings.
pub fn add_turn(trace: &mut Value, provider: String, model: String, tool_calls: &[TraceToolCall], runs: &[TraceRun], turn: &TraceTurn) {
    trace["provider"] = provider.into();
    trace["model"] = model.into();
    list(trace, "tool_calls").extend(tool_calls.iter().map(|c| json!({ "name": c.name, "arguments": c.arguments })));
    list(trace, "runs").extend(runs.iter().map(|r| serde_json::to_value(r).expect("a run serialises")));
    list(trace, "turns").push(json!({ "started": turn.started, "first_token_ms": turn.first_token_ms, "total_ms": turn.total_ms, "ok": turn.ok }));
}

/// Why an imported trace cannot be stored, if it cannot: the fields the
/// traces page needs must be there with their types.
pub fn problem(trace: &Value) -> Option<String> {
    let Some(object) = trace.as_object() else { return Some("it is not an object".into()) };
    for key in ["id", "conversation", "goal", "provider", "model"] {
        if !object.get(key).is_some_and(Value::is_string) {
            return Some(format!("its `{key}` is not a string"));
        }
    }
    for key in ["skills_offered", "skills_used", "tool_calls", "turns"] {
        if !object.get(key).is_some_and(Value::is_array) {
            return Some(format!("its `{key}` is not a list"));
        }
    }
    None
}
