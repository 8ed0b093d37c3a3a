//! The chat's `run_skill` tool in the browser: which offered skills can
//! run, the card that asks the user, the run in the runner's sandbox
//! (`window.llmosRunner`, the runner bundle's loader on this page), and
//! what goes back to the model.
//!
//! "Always allow" lasts for the conversation while the page is open: it is
//! kept in memory, not stored, so a reload asks again. A permission to run
//! code is better asked once too often than found granted later.

use super::records::SkillRun;
use super::run_card::{card_html, status_text};
use super::ChatState;
use super::actions::read_record;
use super::records::from_json;
use crate::browser::{fetch_text, field};
use leptos::prelude::*;
use llmos_core::llm::{self, OfferedSkill, RunCall, ToolSkill};
use serde_json::{json, Value};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

thread_local! {
    /// The site's skill index's `skills` list, read once with the browser's `JSON.parse`.
    static SITE_SKILLS: RefCell<Option<js_sys::Array>> = const { RefCell::new(None) };
    /// (conversation, skill) pairs the user allowed to run without asking.
    static ALWAYS: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

/// An offered skill that can run, with what the runner needs of it.
pub(super) struct Runnable {
    pub tool: ToolSkill,
    /// The runner's `RunnableSkill`, as a JavaScript object.
    pub skill_json: JsValue,
    pub offered: OfferedSkill,
}

/// The executable skills of this turn and the site's runner configuration.
pub(super) struct RunTools {
    pub skills: Vec<Runnable>,
    config: String,
}

impl RunTools {
    pub fn tool_skills(&self) -> Vec<ToolSkill> {
        self.skills.iter().map(|s| s.tool.clone()).collect()
    }
}

/// The site's runner configuration (absent: the site has no runner).
fn runner_config() -> Option<String> {
    web_sys::window()?.document()?.get_element_by_id("llmos-runner-config")?.get_attribute("data-llmos-runner").filter(|c| !c.trim().is_empty())
}

/// The Python, JavaScript and OpenQASM skills among `offered`, when this page can run skills.
pub(super) async fn runnable(state: ChatState, index: &crate::search_kit::ChatSkills, offered: &[OfferedSkill]) -> Option<RunTools> {
    let config = runner_config()?;
    let kind_of = |o: &OfferedSkill| index.docs.iter().find(|d| d.slug == o.slug && d.user == o.user).and_then(|d| d.kind.clone());
    let executable: Vec<&OfferedSkill> = offered.iter().filter(|o| matches!(kind_of(o).as_deref(), Some("python" | "javascript" | "qasm"))).collect();
    if executable.is_empty() {
        return None;
    }
    let mut skills = Vec::new();
    for offered in executable {
        let found = if offered.user { user_skill(offered).await } else { site_skill(state, offered).await };
        if let Some((skill_json, tool)) = found {
            skills.push(Runnable { tool, skill_json, offered: offered.clone() });
        }
    }
    (!skills.is_empty()).then_some(RunTools { skills, config })
}

/// What running `offered` needs from the site's skill index
/// (`index/skills.json`, the core's `SkillIndex`): its entry file's URL
/// and its declared inputs and outputs. The index is read with the
/// browser's `JSON.parse` and only the entry found is read into Rust, so
/// the bundle carries no deserializer of the index's entries (issue 14).
async fn site_skill(state: ChatState, offered: &OfferedSkill) -> Option<(JsValue, ToolSkill)> {
    if SITE_SKILLS.with(|s| s.borrow().is_none()) {
        let text = fetch_text(&format!("{}index/skills.json", state.base.get_value())).await.ok()?;
        let skills = field(&js_sys::JSON::parse(&text).ok()?, "skills");
        let skills: js_sys::Array = js_sys::Array::is_array(&skills).then(|| skills.unchecked_into())?;
        SITE_SKILLS.with(|s| *s.borrow_mut() = Some(skills));
    }
    let skills = SITE_SKILLS.with(|s| s.borrow().clone())?;
    let page = format!("/skills/{}/", offered.slug);
    let text = |value: &JsValue, key: &str| field(value, key).as_string();
    let entry = skills.iter().find(|e| text(e, "name").as_deref() == Some(offered.name.as_str()) || text(e, "url").is_some_and(|u| u.ends_with(&page)))?;
    let entry_path = text(&entry, "entry")?;
    let files = field(&entry, "files");
    let files: js_sys::Array = js_sys::Array::is_array(&files).then(|| files.unchecked_into())?;
    let code_url = files.iter().find(|f| text(f, "path").as_deref() == Some(entry_path.as_str())).and_then(|f| text(&f, "url"))?;
    let (inputs, outputs) = (field(&entry, "inputs"), field(&entry, "outputs"));
    let tool = ToolSkill { name: offered.slug.clone(), inputs: read_record(&inputs, from_json::io_specs)?, outputs: read_record(&outputs, from_json::io_specs)? };
    let packages = field(&entry, "packages");
    let skill = js_sys::Object::new();
    for (key, value) in [
        ("name", field(&entry, "name")),
        ("kind", Some(field(&entry, "type")).filter(|k| k.is_string()).unwrap_or(JsValue::NULL)),
        ("code_url", code_url.into()),
        ("inputs", inputs),
        ("outputs", outputs),
        ("packages", if js_sys::Array::is_array(&packages) { packages } else { js_sys::Array::new().into() }),
    ] {
        let _ = js_sys::Reflect::set(&skill, &key.into(), &value);
    }
    Some((skill.into(), tool))
}

/// The user's own executable skills are not offered to run yet: reading
/// their declared inputs needs the YAML parser, which would bring the chat
/// bundle over its size cap. (Storing `inputs`/`outputs`/`entry` in the
/// skill record's `fields`, as search's fields are, would lift this.)
async fn user_skill(_offered: &OfferedSkill) -> Option<(JsValue, ToolSkill)> {
    None
}

/// What became of one call: the tool result for the model and the run
/// for the conversation, or the user stopped the whole answer.
pub(super) enum Handled {
    Done { content: String, is_error: bool, run: SkillRun },
    Stopped,
}

/// Handles a call the model made: refused at once when its inputs are
/// wrong, else shown, asked about (unless always allowed) and run.
pub(super) async fn handle(state: ChatState, tools: &RunTools, call: Result<RunCall, String>, arguments: &str, signal: &web_sys::AbortSignal) -> Handled {
    let call = match call {
        Ok(call) => call,
        Err(message) => {
            let given: Value = serde_json::from_str(arguments).unwrap_or(Value::Null);
            let skill = given.get("skill").and_then(Value::as_str).unwrap_or("?").to_string();
            let inputs = given.get("inputs").cloned().unwrap_or(given.clone());
            let run = SkillRun { skill, inputs, status: "invalid_inputs".into(), ms: 0.0, outputs: None, output_specs: Vec::new(), error: Some(message.clone()) };
            add_card(state, &run, false);
            return Handled::Done { content: message, is_error: true, run };
        }
    };
    let Some(skill) = tools.skills.iter().find(|s| s.tool.name == call.skill) else {
        return Handled::Done { content: format!("`{}` cannot run here.", call.skill), is_error: true, run: refused(&call) };
    };
    let mut run = SkillRun { skill: call.skill.clone(), inputs: Value::Object(call.inputs.clone()), status: "asking".into(), ms: 0.0, outputs: None, output_specs: skill.tool.outputs.clone(), error: None };
    let conversation = state.current.get_untracked().unwrap_or_default();
    let allowed = ALWAYS.with(|a| a.borrow().iter().any(|(c, s)| *c == conversation && *s == call.skill));
    let card = add_card(state, &run, !allowed);
    let Some(card) = card else { return Handled::Stopped };
    if !allowed {
        match ask(&card, signal).await.as_str() {
            "run" => {}
            "always" => ALWAYS.with(|a| a.borrow_mut().push((conversation, call.skill.clone()))),
            "decline" => {
                run.status = "declined".into();
                set_status(&card, &run);
                return Handled::Done { content: llm::declined_result(&call.skill), is_error: true, run };
            }
            _ => {
                run.status = "stopped".into();
                set_status(&card, &run);
                return Handled::Stopped;
            }
        }
    }
    run.status = "running".into();
    set_status(&card, &run);
    set_actions(&card, "<button type=\"button\" class=\"run-stop\">Stop</button>");
    let outcome = execute(&card, &skill.skill_json, &run.inputs, &tools.config, signal).await;
    set_actions(&card, "");
    run.ms = outcome.get("ms").and_then(Value::as_f64).unwrap_or(0.0);
    run.status = if outcome["ok"] == true { "ran".into() } else { outcome["reason"].as_str().unwrap_or("failed").to_string() };
    run.error = outcome.get("error").and_then(Value::as_str).map(str::to_string);
    run.outputs = outcome.get("outputs").filter(|o| !o.is_null()).cloned();
    set_status(&card, &run);
    if signal.aborted() {
        return Handled::Stopped;
    }
    if let Some(outputs) = &run.outputs {
        show_outputs(&card, &run.skill, &run.output_specs, outputs).await;
    } else if let Some(error) = &run.error {
        let _ = card.insert_adjacent_html("beforeend", &format!("<pre class=\"notice error skill-run-error\">{}</pre>", super::messages::escape(error)));
    }
    let (content, is_error) = llm::run_result(&skill.tool, &outcome);
    Handled::Done { content, is_error, run }
}

fn refused(call: &RunCall) -> SkillRun {
    SkillRun { skill: call.skill.clone(), inputs: Value::Object(call.inputs.clone()), status: "failed".into(), ms: 0.0, outputs: None, output_specs: Vec::new(), error: None }
}

/// Appends the run's card to the live answer.
fn add_card(state: ChatState, run: &SkillRun, asking: bool) -> Option<web_sys::Element> {
    let list = state.live_runs.get_untracked()?;
    let index = list.child_element_count() as usize;
    let _ = list.insert_adjacent_html("beforeend", &card_html(run, index, asking));
    let card = list.last_element_child();
    super::actions::show_end_soon(state);
    card
}

fn set_status(card: &web_sys::Element, run: &SkillRun) {
    let _ = card.set_attribute("data-status", &run.status);
    if let Ok(Some(status)) = card.query_selector(".skill-run-status") {
        status.set_text_content(Some(&status_text(&run.status, run.ms, run.error.as_deref())));
    }
}

fn set_actions(card: &web_sys::Element, html: &str) {
    if let Ok(Some(actions)) = card.query_selector(".skill-run-actions") {
        actions.set_inner_html(html);
    }
}

/// Waits for the user's choice: `run`, `always`, `decline`, or `stop`
/// when the answer is stopped meanwhile.
async fn ask(card: &web_sys::Element, signal: &web_sys::AbortSignal) -> String {
    if signal.aborted() {
        return "stop".into();
    }
    let mut resolver = None;
    let promise = js_sys::Promise::new(&mut |resolve, _| resolver = Some(resolve));
    let Some(resolve) = resolver else { return "stop".into() };
    let mut handlers = Vec::new();
    for (css, choice) in [(".run-allow", "run"), (".run-always", "always"), (".run-decline", "decline")] {
        if let Some(button) = card.query_selector(css).ok().flatten().and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok()) {
            let resolve = resolve.clone();
            let handler = Closure::<dyn FnMut()>::new(move || drop(resolve.call1(&JsValue::NULL, &JsValue::from_str(choice))));
            button.set_onclick(Some(handler.as_ref().unchecked_ref()));
            handlers.push((button, handler));
        }
    }
    let on_abort = Closure::<dyn FnMut()>::new(move || drop(resolve.call1(&JsValue::NULL, &JsValue::from_str("stop"))));
    signal.set_onabort(Some(on_abort.as_ref().unchecked_ref()));
    let choice = JsFuture::from(promise).await.ok().and_then(|c| c.as_string()).unwrap_or_default();
    signal.set_onabort(None);
    for (button, _) in &handlers {
        button.set_onclick(None);
    }
    choice
}

/// `window.llmosRunner`, once its loader has run (it is a module script of
/// its own, so it may come after the chat starts).
async fn runner() -> Result<JsValue, String> {
    let window = web_sys::window().ok_or("no window")?;
    for _ in 0..200 {
        let runner = js_sys::Reflect::get(&window, &JsValue::from_str("llmosRunner")).unwrap_or(JsValue::UNDEFINED);
        if runner.is_object() {
            return Ok(runner);
        }
        let wait = js_sys::Promise::new(&mut |resolve, _| drop(window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 50)));
        let _ = JsFuture::from(wait).await;
    }
    Err("The skill runner did not load on this page; reload it to try again.".into())
}

/// Calls `llmosRunner[method](...args)`, awaiting the promise it returns.
async fn call(method: &str, args: &[JsValue]) -> Result<JsValue, String> {
    let runner = runner().await?;
    let function: js_sys::Function = js_sys::Reflect::get(&runner, &JsValue::from_str(method)).ok().and_then(|f| f.dyn_into().ok()).ok_or("the runner has no such method")?;
    let array: js_sys::Array = args.iter().collect();
    let result = function.apply(&runner, &array).map_err(crate::browser::js_error)?;
    JsFuture::from(js_sys::Promise::resolve(&result)).await.map_err(crate::browser::js_error)
}

fn to_js(value: &Value) -> JsValue {
    super::actions::to_js(value)
}

/// Runs the skill, with the card's Stop (and the answer's) stopping it.
async fn execute(card: &web_sys::Element, skill: &JsValue, inputs: &Value, config: &str, signal: &web_sys::AbortSignal) -> Value {
    let stop = Closure::<dyn FnMut()>::new(|| wasm_bindgen_futures::spawn_local(async { let _ = call("stop", &[]).await; }));
    let button = card.query_selector(".run-stop").ok().flatten().and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(button) = &button {
        button.set_onclick(Some(stop.as_ref().unchecked_ref()));
    }
    signal.set_onabort(Some(stop.as_ref().unchecked_ref()));
    let config = js_sys::JSON::parse(config).unwrap_or(JsValue::NULL);
    let outcome = call("run", &[skill.clone(), to_js(inputs), config]).await;
    signal.set_onabort(None);
    if let Some(button) = &button {
        button.set_onclick(None);
    }
    match outcome {
        Ok(outcome) => js_sys::JSON::stringify(&outcome).ok().and_then(|t| t.as_string()).and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null),
        Err(error) => json!({ "ok": false, "reason": "failed", "error": error, "ms": 0 }),
    }
}

/// Shows outputs in a card's outputs element, as the Run panel would.
async fn show_outputs(card: &web_sys::Element, skill: &str, specs: &[llmos_core::IoSpec], outputs: &Value) {
    let Ok(Some(element)) = card.query_selector(".skill-run-outputs") else { return };
    let _ = element.remove_attribute("data-pending");
    let skill = json!({ "name": skill, "kind": "javascript", "inputs": [], "outputs": specs, "packages": [] });
    if let Err(error) = call("showOutputs", &[element.clone().into(), to_js(&skill), to_js(outputs)]).await {
        element.set_text_content(Some(&format!("The outputs could not be shown: {error}")));
    }
}

/// Draws the outputs of the runs kept in the conversation's answers.
pub(super) fn show_kept_outputs(state: ChatState) {
    let Some(list) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("messages")) else { return };
    // Each is marked done before it is drawn, so the loop ends.
    while let Ok(Some(element)) = list.query_selector(".msg[data-id] .skill-run-outputs[data-pending]") {
        let _ = element.remove_attribute("data-pending");
        let card = element.closest(".skill-run").ok().flatten();
        let id = element.closest("[data-id]").ok().flatten().and_then(|row| row.get_attribute("data-id"));
        let index: Option<usize> = card.as_ref().and_then(|c| c.get_attribute("data-run")).and_then(|i| i.parse().ok());
        let run = state.messages.with_untracked(|ms| ms.iter().find(|m| Some(&m.id) == id.as_ref()).and_then(|m| m.runs.get(index?).cloned()));
        if let (Some(card), Some(run)) = (card, run) {
            if let Some(outputs) = run.outputs {
                wasm_bindgen_futures::spawn_local(async move { show_outputs(&card, &run.skill, &run.output_specs, &outputs).await });
            }
        }
    }
}
