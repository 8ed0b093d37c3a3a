//! Executable skills as the chat's tools (issue 12): the model asks for a
//! run, the user allows, declines or always allows it, the skill runs in
//! the sandbox, its outputs show in the conversation and go back to the
//! model in the next request, and the trace records every run.

use super::*;
use serde_json::{json, Value};

const OHMS: &str = "ohms-law-calculator";
const QUESTION: &str = "Ohm's law: what current flows through a resistor with this voltage?";

impl Chat {
    /// The body of the chat request made after `before` others.
    fn post_after(&self, before: usize) -> Value {
        let posts: Vec<_> = self.standin.requests().into_iter().filter(|r| r.method == "POST").collect();
        assert!(posts.len() > before, "{} requests, expected more than {before}", posts.len());
        serde_json::from_str(&posts[before].body).unwrap()
    }

    fn posts(&self) -> usize {
        self.standin.requests().into_iter().filter(|r| r.method == "POST").count()
    }

    /// Waits for the live answer's card asking to run, then clicks `button`.
    fn answer_card(&self, button: &str) {
        self.browser.wait_for("document.querySelector('#live .skill-run[data-status=asking]') !== null", 20);
        self.browser.click(&format!("#live .skill-run[data-status=asking] {button}"));
    }

    fn kept_runs(&self) -> Value {
        self.browser.eval(
            "const a = [...document.querySelectorAll('.msg.assistant:not(.live)')].pop(); \
             return [...a.querySelectorAll('.skill-run')].map(r => [r.dataset.status, r.querySelector('.skill-run-outputs').textContent]);",
        )
    }

    fn trace_runs(&self) -> Value {
        let traces = super::all_traces(&self.browser);
        let current = self.browser.eval("const c = document.querySelector('#conversations li[aria-current], #conversations li.current'); return c ? c.dataset.id || '' : '';");
        let traces = traces.as_array().unwrap().clone();
        let trace = traces.iter().find(|t| current.as_str().is_some_and(|c| !c.is_empty() && t["id"] == c)).or(traces.last()).unwrap().clone();
        trace["runs"].clone()
    }
}

/// The tool result the request carries, whatever the provider's format.
fn tool_result_text(body: &Value) -> String {
    let mut texts = Vec::new();
    for message in body["messages"].as_array().or(body["contents"].as_array()).unwrap() {
        if message["role"] == "tool" {
            texts.push(message["content"].as_str().unwrap_or("").to_string());
        }
        for block in message["content"].as_array().into_iter().flatten() {
            if block["type"] == "tool_result" {
                texts.push(format!("{}{}", block["content"].as_str().unwrap_or(""), if block["is_error"] == true { " [is_error]" } else { "" }));
            }
        }
    }
    texts.join("\n")
}

#[test]
fn the_model_runs_skills_once_the_user_allows_and_gets_their_outputs() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    let policy = c.browser.eval("return document.querySelector('meta[http-equiv=Content-Security-Policy]').content;");
    assert!(policy.as_str().unwrap().contains("frame-src 'self'"), "the sandbox frame may load: {policy}");
    c.configure(ProviderKind::Anthropic);

    // Allowed: it runs, the outputs show, the next request carries them.
    let before = c.posts();
    c.standin.script(None, Script::tool_call("run_skill", &json!({"skill": OHMS, "inputs": {"voltage": 5, "resistance": 1000}}).to_string()));
    c.standin.script(None, Script::text("The current is 5 mA."));
    c.send(QUESTION);
    c.browser.wait_for("document.querySelector('#live .skill-run[data-status=asking]') !== null", 20);
    let inputs = c.text_of("#live .skill-run .skill-run-inputs");
    assert!(inputs.contains("\"voltage\": 5") && inputs.contains("\"resistance\": 1000") && inputs.contains("\"power\": 0"), "the inputs, defaults filled: {inputs}");
    c.answer_card(".run-allow");
    assert!(c.last_answer().contains("The current is 5 mA."));
    let runs = c.kept_runs();
    assert_eq!(runs[0][0], "ran", "{runs}");
    assert!(runs[0][1].as_str().unwrap().contains("5 mA"), "the outputs show in the conversation: {runs}");
    let first = c.post_after(before);
    let tool = first["tools"].as_array().unwrap().iter().find(|t| t["name"] == "run_skill").expect("run_skill offered");
    assert_eq!(tool["input_schema"]["properties"]["skill"]["enum"][0], OHMS);
    let inputs = &tool["input_schema"]["properties"]["inputs"];
    let schemas: Vec<&Value> = inputs["anyOf"].as_array().map_or_else(|| vec![inputs], |all| all.iter().collect());
    assert!(schemas.iter().any(|s| s["properties"]["voltage"]["type"] == "number"), "typed inputs: {inputs}");
    let result = tool_result_text(&c.post_after(before + 1));
    assert!(result.contains("\"current\":0.005") && result.contains("5 mA") && !result.contains("[is_error]"), "the outputs went back: {result}");

    // Declined: nothing runs, the model hears so.
    let before = c.posts();
    c.standin.script(None, Script::tool_call("run_skill", &json!({"skill": OHMS, "inputs": {"voltage": 9}}).to_string()));
    c.standin.script(None, Script::text("Fine, by hand then."));
    c.send(QUESTION);
    c.answer_card(".run-decline");
    c.last_answer();
    assert_eq!(c.kept_runs()[0][0], "declined");
    let result = tool_result_text(&c.post_after(before + 1));
    assert!(result.contains("declined to run") && result.contains("[is_error]"), "{result}");

    // Invalid inputs: refused without asking or running.
    let before = c.posts();
    c.standin.script(None, Script::tool_call("run_skill", &json!({"skill": OHMS, "inputs": {"voltage": "lots"}}).to_string()));
    c.standin.script(None, Script::text("Sorry, a number then."));
    c.send(QUESTION);
    c.last_answer();
    assert_eq!(c.kept_runs()[0][0], "invalid_inputs");
    let result = tool_result_text(&c.post_after(before + 1));
    assert!(result.contains("`voltage` must be a number") && result.contains("[is_error]"), "{result}");

    // Always allowed: the next call in this conversation runs without asking.
    c.standin.script(None, Script::tool_call("run_skill", &json!({"skill": OHMS, "inputs": {"voltage": 4.4, "resistance": 220}}).to_string()));
    c.standin.script(None, Script::text("Allowed for good."));
    c.send(QUESTION);
    c.answer_card(".run-always");
    c.last_answer();
    let before = c.posts();
    c.standin.script(None, Script::tool_call("run_skill", &json!({"skill": OHMS, "inputs": {"voltage": 3.3, "resistance": 330}}).to_string()));
    c.standin.script(None, Script::text("10 mA."));
    c.send(QUESTION);
    assert!(c.last_answer().contains("10 mA."));
    assert_eq!(c.kept_runs()[0][0], "ran", "ran without asking");
    assert!(tool_result_text(&c.post_after(before + 1)).contains("\"current\":0.01"));

    let runs = c.trace_runs();
    let summary: Vec<(Value, Value, Value)> = runs.as_array().unwrap().iter().map(|r| (r["skill"].clone(), r["ok"].clone(), r["reason"].clone())).collect();
    assert_eq!(
        summary,
        [(json!(OHMS), json!(true), Value::Null), (json!(OHMS), json!(false), json!("declined")), (json!(OHMS), json!(false), json!("invalid_inputs")), (json!(OHMS), json!(true), Value::Null), (json!(OHMS), json!(true), Value::Null)],
        "{runs}"
    );
    assert_eq!(runs[0]["inputs"]["voltage"], 5);
    assert!(runs[0]["outputs"].as_str().unwrap().contains("\"current\":0.005") && runs[0]["ms"].as_f64().unwrap() > 0.0, "{}", runs[0]);

    // After a reload, the kept runs show their outputs again.
    c.open();
    c.browser.wait_for("[...document.querySelectorAll('.msg.assistant .skill-run-outputs')].some(o => o.textContent.includes('5 mA'))", 20);

    // A local server without tool calling: the text convention.
    c.configure(ProviderKind::OpenAiCompatible);
    c.browser.click("#new-chat");
    let before = c.posts();
    c.standin.script(None, Script::text(format!("RUN_SKILL: {OHMS}\n{{\"voltage\": 10, \"resistance\": 100}}")));
    c.standin.script(None, Script::text("It is 100 mA."));
    c.send(QUESTION);
    c.answer_card(".run-allow");
    assert_eq!(c.last_answer().trim(), "It is 100 mA.", "the convention's lines are not part of the answer");
    assert_eq!(c.kept_runs()[0][0], "ran");
    let first = c.post_after(before);
    assert!(first["tools"].is_null(), "no tools for a local server");
    assert!(first["messages"][0]["content"].as_str().unwrap().contains("RUN_SKILL: <name>"));
    let next = c.post_after(before + 1);
    let last = next["messages"].as_array().unwrap().last().unwrap()["content"].as_str().unwrap().to_string();
    assert!(last.contains(&format!("The result of running the skill `{OHMS}`")) && last.contains("\"current\":0.1"), "{last}");

    // An OpenQASM circuit runs on the quantum runtime as a tool too.
    c.browser.click("#new-chat");
    let before = c.posts();
    c.standin.script(None, Script::text("RUN_SKILL: bell-state-qasm\n{\"shots\": 100, \"seed\": 3}"));
    c.standin.script(None, Script::text("Only 00 and 11."));
    c.send("Run the OpenQASM Bell state circuit and show me the measured counts.");
    c.answer_card(".run-allow");
    assert_eq!(c.last_answer().trim(), "Only 00 and 11.");
    assert_eq!(c.kept_runs()[0][0], "ran", "{}", c.kept_runs());
    let next = c.post_after(before + 1);
    let last = next["messages"].as_array().unwrap().last().unwrap()["content"].as_str().unwrap().to_string();
    assert!(last.contains("The result of running the skill `bell-state-qasm`") && last.contains("\"counts\":{") && last.contains("\"00\":"), "{last}");
    assert!(last.contains("\"histogram\":\"[image shown to the user]\""), "the SVG is shown, not sent: {last}");
    assert_eq!(c.browser.console_errors(), Vec::<String>::new());
}
