//! Workflows on the author's machine: `llmos run <workflow>` drives the
//! core's `llmos_core::workflow::Execution` (the same state machine the
//! browser runner drives), running each ready step with `python3`/`node`
//! through `crate::run`, the independent ones in parallel threads.

use crate::run::{find_skill, run_skill_code, skill_code, RunError, RunOptions, RunOutcome};
use crate::site::Loaded;
use llmos_core::run::validate_inputs;
use llmos_core::workflow::{Execution, StepState, WORKFLOW_KIND};
use llmos_core::Skill;
use serde_json::{Map, Value};
use std::time::{Duration, Instant};

/// How one step of a workflow run ended.
#[derive(Debug, Clone)]
pub struct StepReport {
    /// The step's `id` and the skill it `uses`.
    pub id: String,
    pub uses: String,
    /// `Done` with the step's outputs, `Failed` with the error, or
    /// `Skipped` with why it did not run ("step `plot` did not run: …").
    pub state: StepState,
    /// What the step printed (empty when it did not run).
    pub stdout: String,
    pub stderr: String,
    pub duration: Duration,
}

/// A finished workflow run: every step's report, in file order, and the
/// workflow's outputs or why there are none.
#[derive(Debug)]
pub struct WorkflowRun {
    pub steps: Vec<StepReport>,
    /// The outputs object (keys in the order of the workflow's `outputs`), or
    /// `RunError::Input` for bad workflow inputs, `RunError::Failed` whose
    /// message names the failed step ("step `stats` failed: …"),
    /// `RunError::Unavailable` when the skill is not a workflow.
    pub outputs: Result<Value, RunError>,
    pub duration: Duration,
}

impl WorkflowRun {
    /// The run as one skill run, for `llmos run`: the outputs and their JSON
    /// text, with the steps' printing joined under `== step <id> ==` lines.
    pub fn into_outcome(self) -> Result<RunOutcome, RunError> {
        let joined = |pick: fn(&StepReport) -> &str| -> String {
            self.steps.iter().filter(|s| !pick(s).is_empty()).map(|s| format!("== step {} ==\n{}", s.id, pick(s))).collect::<Vec<_>>().join("\n")
        };
        let (stdout, stderr) = (joined(|s| &s.stdout), joined(|s| &s.stderr));
        match self.outputs {
            Ok(outputs) => Ok(RunOutcome { text: outputs.to_string(), outputs, stdout, stderr, duration: self.duration }),
            Err(RunError::Failed { message, .. }) => Err(RunError::Failed { message, stdout, stderr, duration: self.duration }),
            Err(error) => Err(error),
        }
    }
}

/// Runs the workflow `skill` of `loaded` with `inputs` (validated against
/// the workflow's own inputs, defaults filled). Ready steps run in parallel;
/// each gets what is left of `options.timeout`, which bounds the whole run.
/// A failed step stops its dependants, which are reported as skipped.
/// With `options.echo`, each step's start and end are told on stderr.
pub fn run_workflow_native(loaded: &Loaded, skill: &Skill, inputs: &Map<String, Value>, options: &RunOptions) -> WorkflowRun {
    let started = Instant::now();
    let finish = |steps: Vec<StepReport>, outputs| WorkflowRun { steps, outputs, duration: started.elapsed() };
    let Some(workflow) = skill.workflow.as_ref().filter(|_| skill.kind.as_deref() == Some(WORKFLOW_KIND)) else {
        return finish(Vec::new(), Err(RunError::Unavailable(format!("`{}` is not a workflow", skill.name))));
    };
    let inputs = match validate_inputs(&skill.inputs, inputs) {
        Ok(inputs) => inputs,
        Err(errors) => return finish(Vec::new(), Err(RunError::Input(errors))),
    };
    let mut reports: Vec<StepReport> = workflow
        .steps
        .iter()
        .map(|s| StepReport { id: s.id.clone(), uses: s.uses.clone(), state: StepState::Waiting, stdout: String::new(), stderr: String::new(), duration: Duration::ZERO })
        .collect();
    let mut execution = Execution::new(workflow, inputs);
    loop {
        let ready = execution.start_ready();
        if ready.is_empty() {
            break;
        }
        let results: Vec<(usize, Result<RunOutcome, StepFailure>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = ready
                .into_iter()
                .map(|(index, step_inputs)| {
                    let step = &workflow.steps[index];
                    let remaining = options.timeout.saturating_sub(started.elapsed());
                    let step_options = RunOptions { timeout: remaining, echo: options.echo };
                    if options.echo {
                        eprintln!("step {} ({}) started", step.id, step.uses);
                    }
                    let handle = scope.spawn(move || run_step(loaded, &step.uses, &step_inputs, &step_options));
                    (index, handle)
                })
                .collect();
            handles.into_iter().map(|(index, handle)| (index, handle.join().unwrap_or_else(|_| Err(StepFailure::from("the step's thread panicked".to_string()))))).collect()
        });
        for (index, result) in results {
            let report = &mut reports[index];
            match result {
                Ok(outcome) => {
                    if options.echo {
                        eprintln!("step {} done in {:.2} s", report.id, outcome.duration.as_secs_f64());
                    }
                    (report.stdout, report.stderr, report.duration) = (outcome.stdout, outcome.stderr, outcome.duration);
                    execution.finish_step(index, Ok(outcome.outputs));
                }
                Err(failure) => {
                    if options.echo {
                        eprintln!("step {} failed", report.id);
                    }
                    (report.stdout, report.stderr, report.duration) = (failure.stdout, failure.stderr, failure.duration);
                    execution.finish_step(index, Err(failure.message));
                }
            }
        }
    }
    for (report, state) in reports.iter_mut().zip(execution.states()) {
        report.state = state.clone();
        if let (true, StepState::Skipped(reason)) = (options.echo, state) {
            // The failure's first and last lines: "Traceback … ValueError: no luck".
            let (first, last) = (reason.lines().next().unwrap_or(""), reason.lines().last().unwrap_or(""));
            eprintln!("{first}{}", if first == last { String::new() } else { format!(" … {last}") });
        }
    }
    let outputs = execution.outputs().map(Value::Object).map_err(|message| RunError::Failed { message, stdout: String::new(), stderr: String::new(), duration: started.elapsed() });
    finish(reports, outputs)
}

/// Why a step gave no outputs, with what it printed.
struct StepFailure {
    message: String,
    stdout: String,
    stderr: String,
    duration: Duration,
}

impl From<String> for StepFailure {
    fn from(message: String) -> Self {
        StepFailure { message, stdout: String::new(), stderr: String::new(), duration: Duration::ZERO }
    }
}

/// One step: the used skill, its code and the run. The failure message is
/// what the dependants' messages quote: the traceback, the time limit, or
/// the inputs that did not validate.
fn run_step(loaded: &Loaded, uses: &str, inputs: &Map<String, Value>, options: &RunOptions) -> Result<RunOutcome, StepFailure> {
    let skill = find_skill(loaded, uses).ok_or_else(|| format!("there is no skill `{uses}`"))?;
    let code = skill_code(loaded, skill).map_err(|e| e.to_string())?;
    run_skill_code(skill, &code, inputs, options).map_err(|error| match error {
        RunError::Input(_) => format!("its inputs are invalid: {}", error.to_string().replace('\n', "; ")).into(),
        RunError::Failed { message, stdout, stderr, duration } => StepFailure { message: message.trim_end().to_string(), stdout, stderr, duration },
        RunError::TimedOut { ref stdout, ref stderr, limit } => StepFailure { message: error.to_string(), stdout: stdout.clone(), stderr: stderr.clone(), duration: limit },
        other => other.to_string().into(),
    })
}
