//! Runs a workflow in the browser: the core's `Execution` state machine
//! decides which steps are ready; each runs in a sandbox, and independent
//! steps run at the same time where the runtimes allow: Python steps share
//! one Pyodide (one at a time), JavaScript steps another sandbox, so a
//! Python step and a JavaScript step overlap, and async JavaScript steps
//! interleave.

use crate::browser::fetch_text;
use crate::sandbox::{RunEvent, RunRequest, Sandbox};
use crate::{RunFailure, RunnableSkill, RunnerConfig};
use leptos::prelude::*;
use llmos_core::workflow::{Execution, StepState, Workflow};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// What the panel shows of one step.
#[derive(Clone, PartialEq)]
pub struct StepView {
    pub id: String,
    pub label: String,
    pub uses: String,
    /// `waiting`, `running`, `done`, `failed` or `skipped`.
    pub state: &'static str,
    pub detail: String,
    pub outputs: Option<Value>,
}

pub fn initial_views(skill: &RunnableSkill) -> Vec<StepView> {
    skill.workflow.as_ref().map_or_else(Vec::new, |w| {
        w.steps.iter().map(|s| StepView { id: s.id.clone(), label: s.name.clone().unwrap_or_else(|| s.id.clone()), uses: s.uses.clone(), state: "waiting", detail: String::new(), outputs: None }).collect()
    })
}

/// The sandboxes of one workflow panel: one per language.
#[derive(Clone)]
pub struct Sandboxes {
    python: Sandbox,
    javascript: Sandbox,
}

impl Sandboxes {
    pub fn new(config: &RunnerConfig) -> Self {
        Sandboxes { python: Sandbox::new(config.clone()), javascript: Sandbox::new(config.clone()) }
    }

    pub fn stop(&self) {
        self.python.stop();
        self.javascript.stop();
    }

    fn for_kind(&self, kind: &str) -> &Sandbox {
        if kind == "python" { &self.python } else { &self.javascript }
    }
}

struct Run {
    execution: RefCell<Execution<'static>>,
    skills: std::collections::BTreeMap<String, RunnableSkill>,
    sandboxes: Sandboxes,
    codes: RefCell<HashMap<String, String>>,
    views: RwSignal<Vec<StepView>>,
    on_event: Rc<dyn Fn(RunEvent)>,
    done: RefCell<Option<js_sys::Function>>,
}

/// Runs the workflow with its validated `inputs`; resolves to its outputs
/// as JSON text, or the first failure ("step `plot` did not run: …").
pub async fn run(skill: &RunnableSkill, inputs: Map<String, Value>, sandboxes: Sandboxes, views: RwSignal<Vec<StepView>>, on_event: impl Fn(RunEvent) + 'static) -> Result<String, RunFailure> {
    let Some(workflow) = skill.workflow.clone() else { return Err(RunFailure::Failed("this workflow has no steps".into())) };
    // One workflow per run of the panel, small: it lives as long as the page.
    let workflow: &'static Workflow = Box::leak(Box::new(workflow));
    views.set(initial_views(skill));
    let mut resolve_slot = None;
    let promise = js_sys::Promise::new(&mut |resolve, _| resolve_slot = Some(resolve));
    let run = Rc::new(Run {
        execution: RefCell::new(Execution::new(workflow, inputs)),
        skills: skill.steps.clone(),
        sandboxes,
        codes: RefCell::default(),
        views,
        on_event: Rc::new(on_event),
        done: RefCell::new(resolve_slot),
    });
    pump(run.clone());
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    let outputs = run.execution.borrow().outputs();
    match outputs {
        Ok(outputs) => Ok(Value::Object(outputs).to_string()),
        Err(message) if message.contains('\n') => Err(RunFailure::Failed(format!("{} (the step's full message is above)", first_line(&message)))),
        Err(message) => Err(RunFailure::Failed(message)),
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().trim_end_matches(':').to_string()
}

/// Starts every ready step; called again as each finishes.
fn pump(run: Rc<Run>) {
    let ready = run.execution.borrow_mut().start_ready();
    refresh(&run);
    if ready.is_empty() && run.execution.borrow().is_finished() {
        if let Some(done) = run.done.borrow_mut().take() {
            let _ = done.call0(&wasm_bindgen::JsValue::NULL);
        }
        return;
    }
    for (index, inputs) in ready {
        let run = run.clone();
        leptos::task::spawn_local(async move {
            let result = run_step(&run, index, inputs).await;
            run.execution.borrow_mut().finish_step(index, result);
            pump(run);
        });
    }
}

async fn run_step(run: &Run, index: usize, inputs: Map<String, Value>) -> Result<Value, String> {
    let (id, uses) = step_names(run, index);
    let skill = run.skills.get(&uses).ok_or_else(|| format!("this site has no skill `{uses}` to run"))?;
    let inputs = llmos_core::run::validate_inputs(&skill.inputs, &inputs)
        .map_err(|errors| errors.iter().map(|e| format!("input `{}`: {}", e.name, e.message)).collect::<Vec<_>>().join("; "))?;
    let cached = run.codes.borrow().get(&uses).cloned();
    let code = match (cached, &skill.code, &skill.code_url) {
        (Some(code), _, _) => code,
        (None, Some(code), _) => code.clone(),
        (None, None, Some(url)) => {
            let code = fetch_text(url).await?;
            run.codes.borrow_mut().insert(uses.clone(), code.clone());
            code
        }
        (None, None, None) => return Err(format!("`{uses}` has no code to run")),
    };
    let on_event = run.on_event.clone();
    let label = id.clone();
    let request = RunRequest::new(skill, code, inputs);
    let json = run.sandboxes.for_kind(&skill.kind).run(request, move |event| on_event(match event {
        RunEvent::Stdout(line) => RunEvent::Stdout(format!("[{label}] {line}")),
        RunEvent::Stderr(line) => RunEvent::Stderr(format!("[{label}] {line}")),
        RunEvent::Status(text) => RunEvent::Status(format!("{label}: {text}")),
    })).await.map_err(|failure| failure.to_string())?;
    serde_json::from_str(&json).map_err(|e| format!("its result is not JSON: {e}"))
}

fn step_names(run: &Run, index: usize) -> (String, String) {
    run.views.with_untracked(|views| views.get(index).map(|v| (v.id.clone(), v.uses.clone())).unwrap_or_default())
}

/// Copies the execution's step states into the panel's list.
fn refresh(run: &Run) {
    let execution = run.execution.borrow();
    run.views.update(|views| {
        for (view, state) in views.iter_mut().zip(execution.states()) {
            let (name, detail, outputs) = match state {
                StepState::Waiting => ("waiting", String::new(), None),
                StepState::Running => ("running", String::new(), None),
                StepState::Done(outputs) => ("done", String::new(), Some(outputs.clone())),
                StepState::Failed(error) => ("failed", error.clone(), None),
                // Its cause's first line: the failed step above shows the rest.
                StepState::Skipped(reason) => ("skipped", first_line(reason), None),
            };
            view.state = name;
            view.detail = detail;
            view.outputs = outputs;
        }
    });
}

/// The list of steps with their state, each step's outputs folded.
pub fn steps_view(views: RwSignal<Vec<StepView>>) -> impl IntoView {
    view! {
        <ol class="run-steps" aria-label="Steps">
            {move || views.get().into_iter().map(|step| {
                let outputs = step.outputs.as_ref().map(|o| serde_json::to_string_pretty(o).unwrap_or_default());
                view! {
                    <li class=format!("run-step {}", step.state) data-step=step.id.clone() data-step-state=step.state>
                        <span class="run-step-state">{step_mark(step.state)}</span>
                        " " <strong>{step.label.clone()}</strong> " " <span class="run-type">{format!("uses {}", step.uses)}</span>
                        {(!step.detail.is_empty()).then(|| view! { <p class="run-step-detail">{step.detail.clone()}</p> })}
                        {outputs.map(|text| view! { <details class="run-json"><summary>"Outputs"</summary><pre><code>{text}</code></pre></details> })}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

fn step_mark(state: &str) -> &'static str {
    match state {
        "running" => "Running…",
        "done" => "Done",
        "failed" => "Failed",
        "skipped" => "Skipped",
        _ => "Waiting",
    }
}
