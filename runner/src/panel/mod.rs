//! The Run panel: the form, Run / Stop / Run again, the console, the time
//! taken and the outputs.

mod files;
mod form;
mod outputs;
mod workflow;

use crate::browser::{fetch_text, now_ms, revoke};
use crate::sandbox::{RunEvent, RunRequest, Sandbox};
use crate::{RunFailure, RunnableSkill, RunnerConfig};
use form::{collect, field_view, Field};
use leptos::prelude::*;
use outputs::{outputs_view, BlobUrls};
use serde_json::Value;

pub fn mount(element: web_sys::HtmlElement, skill: RunnableSkill, config: RunnerConfig) {
    // The server-rendered note ("Run needs JavaScript") gives way to the panel.
    element.set_inner_html("");
    let panel_id = element.id();
    let panel_id = if panel_id.is_empty() { format!("run-{}", llmos_core::slugify(&skill.name)) } else { panel_id };
    leptos::mount::mount_to(element, move || view! { <RunPanel skill config panel_id /> }).forget();
}

/// The outputs of a run made elsewhere (the chat), shown as the panel shows them.
pub fn show_outputs(element: web_sys::HtmlElement, skill: RunnableSkill, outputs: Value) {
    element.set_inner_html("");
    leptos::mount::mount_to(element, move || {
        let urls: BlobUrls = StoredValue::new_local(Vec::new());
        view! { <div class="run-results">{outputs_view(&skill.outputs, &outputs, urls)}</div> }
    })
    .forget();
}

#[derive(Clone, Copy, PartialEq)]
enum Stream {
    Out,
    Err,
}

#[derive(Clone, PartialEq)]
enum Phase {
    Idle,
    Running,
    Done,
    Failed(String),
}

impl Phase {
    fn name(&self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Running => "running",
            Phase::Done => "done",
            Phase::Failed(_) => "failed",
        }
    }
}

#[component]
fn RunPanel(skill: RunnableSkill, config: RunnerConfig, panel_id: String) -> impl IntoView {
    let is_workflow = skill.kind == "workflow";
    let sandboxes = StoredValue::new_local(workflow::Sandboxes::new(&config));
    let steps = RwSignal::new(workflow::initial_views(&skill));
    let sandbox = StoredValue::new_local(Sandbox::new(config));
    if !is_workflow {
        sandbox.with_value(|s| s.warm());
    }
    let fields: Vec<Field> = skill.inputs.iter().cloned().map(|spec| Field::new(spec, &panel_id)).collect();
    let fields = StoredValue::new_local(fields);
    let code = StoredValue::new_local(skill.code.clone());
    let skill = StoredValue::new_local(skill);
    let phase = RwSignal::new(Phase::Idle);
    let status = RwSignal::new(String::new());
    let console = RwSignal::new(Vec::<(Stream, String)>::new());
    let result = RwSignal::new(None::<(Value, String)>);
    let elapsed = RwSignal::new(None::<f64>);
    let runs = RwSignal::new(0u32);
    // Counts ended runs, for what lists a run's effects (the kept files).
    let finished = RwSignal::new(0u32);
    let urls: BlobUrls = StoredValue::new_local(Vec::new());

    let run = move || {
        if phase.get_untracked() == Phase::Running {
            return;
        }
        let Ok(inputs) = fields.with_value(|f| collect(f)) else {
            status.set("Some inputs need fixing (see above).".into());
            return;
        };
        let skill = skill.get_value();
        let packages = &skill.packages;
        let core_only = sandbox.with_value(|s| s.config().pyodide_core_only);
        if !packages.is_empty() && core_only && skill.kind == "python" {
            phase.set(Phase::Failed(format!(
                "This skill needs the Python packages {}, and this site's Python is the self-hosted core without packages. The site's publisher can set `pyodide_url` in llmos.toml to a full Pyodide distribution; or run it with `llmos run {}`.",
                packages.join(", "), skill.name
            )));
            return;
        }
        phase.set(Phase::Running);
        console.set(Vec::new());
        elapsed.set(None);
        status.set("Starting…".into());
        runs.update(|n| *n += 1);
        leptos::task::spawn_local(async move {
            let on_event = move |event: RunEvent| match event {
                RunEvent::Stdout(line) => console.update(|c| c.push((Stream::Out, line))),
                RunEvent::Stderr(line) => console.update(|c| c.push((Stream::Err, line))),
                RunEvent::Status(text) => status.set(text),
            };
            let started = now_ms();
            let outcome = if is_workflow {
                workflow::run(&skill, inputs, sandboxes.get_value(), steps, on_event).await
            } else {
                run_one(&skill, inputs, code, sandbox.get_value(), on_event).await
            };
            elapsed.set(Some(now_ms() - started));
            finished.update(|n| *n += 1);
            status.set(String::new());
            urls.update_value(|u| u.drain(..).for_each(|url| revoke(&url)));
            match outcome.and_then(|json| serde_json::from_str::<Value>(&json).map(|v| (v, json)).map_err(|e| RunFailure::Failed(format!("The skill's result is not JSON: {e}")))) {
                Ok((value, json)) => {
                    result.set(Some((value, json)));
                    phase.set(Phase::Done);
                }
                Err(failure) => {
                    result.set(None);
                    phase.set(Phase::Failed(failure.to_string()));
                }
            }
        });
    };
    let stop = move |_| {
        sandbox.with_value(|s| s.stop());
        sandboxes.with_value(|s| s.stop());
    };
    let running = move || phase.get() == Phase::Running;
    let skill_name = skill.with_value(|s| s.name.clone());
    let outputs_specs = skill.with_value(|s| s.outputs.clone());

    view! {
        <div class="run-panel" data-run-state=move || phase.get().name() data-runs=move || runs.get().to_string()>
            <form class="run-form" novalidate on:submit=move |ev| { ev.prevent_default(); run(); }>
                {fields.with_value(|f| f.iter().cloned().map(field_view).collect_view())}
                {fields.with_value(|f| f.is_empty()).then(|| view! { <p class="run-hint">"This skill takes no inputs."</p> })}
                <div class="run-actions">
                    <button type="submit" class="button primary" disabled=running>{move || match (runs.get(), phase.get()) {
                        (_, Phase::Running) => "Running…",
                        (0, _) => "Run",
                        _ => "Run again",
                    }}</button>
                    <button type="button" class="button" disabled=move || !running() on:click=stop>"Stop"</button>
                    <span class="run-status" role="status">
                        {move || status.get()}
                        {move || elapsed.get().map(|ms| match phase.get() {
                            Phase::Done => format!("Finished in {}", duration(ms)),
                            Phase::Failed(message) if message.starts_with("Stopped") => format!("Stopped after {}", duration(ms)),
                            _ => format!("Failed after {}", duration(ms)),
                        })}
                    </span>
                </div>
            </form>
            {is_workflow.then(|| workflow::steps_view(steps))}
            <div class="run-failure" role="alert" hidden=move || !matches!(phase.get(), Phase::Failed(_))>
                <pre>{move || match phase.get() { Phase::Failed(message) => message, _ => String::new() }}</pre>
            </div>
            <div class="run-results">
                {move || result.get().map(|(value, json)| view! {
                    {outputs_view(&outputs_specs, &value, urls)}
                    <details class="run-json run-raw"><summary>"Result as JSON (what " <code>{format!("llmos run {} --json", skill_name)}</code> " prints)"</summary><pre data-run-outputs=json.clone()><code>{json.clone()}</code></pre></details>
                })}
            </div>
            {(skill.with_value(|s| s.kind == "python")).then(|| view! { <files::KeptFiles skill=skill.with_value(|s| s.name.clone()) runs=finished /> })}
            <details class="run-console" open=move || !console.get().is_empty() hidden=move || console.get().is_empty()>
                <summary>"Console"</summary>
                <pre>{move || console.get().into_iter().map(|(stream, line)| view! {
                    <span class=if stream == Stream::Err { "stderr" } else { "stdout" }>{line}"\n"</span>
                }).collect_view()}</pre>
            </details>
        </div>
    }
}

/// One Python or JavaScript run: fetches the code once, then the sandbox runs it.
async fn run_one(skill: &RunnableSkill, inputs: serde_json::Map<String, Value>, code: StoredValue<Option<String>, LocalStorage>, sandbox: Sandbox, on_event: impl Fn(RunEvent) + 'static) -> Result<String, RunFailure> {
    let source = match code.get_value() {
        Some(source) => source,
        None => {
            let source = fetch_text(skill.code_url.as_deref().unwrap_or_default()).await.map_err(RunFailure::Failed)?;
            code.set_value(Some(source.clone()));
            source
        }
    };
    let request = RunRequest::new(skill, source, inputs);
    sandbox.run(request, on_event).await
}

fn duration(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}
