//! Running a workflow, without running anything: the dependency order, the
//! inputs of each step from the values at hand, the workflow's outputs, and
//! [`Execution`], the state machine both runners (native threads, browser
//! workers) drive so they agree on what runs when and what a failure stops.

use super::reference::{references, resolve, whole_reference, Reference};
use super::{Binding, Step, Workflow};
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};

/// For each step, the indexes of the steps whose outputs it references
/// (sorted, without duplicates; references to unknown steps are left out).
pub fn dependencies(workflow: &Workflow) -> Vec<Vec<usize>> {
    workflow
        .steps
        .iter()
        .map(|step| {
            let mut needs = BTreeSet::new();
            for binding in &step.with {
                for reference in references(&binding.value).unwrap_or_default() {
                    if let Reference::StepOutput { step, .. } = reference {
                        needs.extend(workflow.step_index(&step));
                    }
                }
            }
            needs.into_iter().collect()
        })
        .collect()
}

/// True when `binding` references an output of the step `id`.
pub(super) fn binding_needs(binding: &Binding, id: &str) -> bool {
    references(&binding.value).unwrap_or_default().iter().any(|r| matches!(r, Reference::StepOutput { step, .. } if step == id))
}

/// The steps in dependency order, grouped into levels: every step of a level
/// depends only on steps of earlier levels, so a level's steps may run in
/// parallel. Within a level, steps keep their file order. Steps in a cycle
/// (and those after one) are left out; `validate` reports the cycle.
pub fn levels(workflow: &Workflow) -> Vec<Vec<usize>> {
    let needs = dependencies(workflow);
    let mut placed = vec![false; needs.len()];
    let mut out = Vec::new();
    loop {
        let level: Vec<usize> = (0..needs.len()).filter(|&i| !placed[i] && needs[i].iter().all(|&d| placed[d])).collect();
        if level.is_empty() {
            return out;
        }
        for &i in &level {
            placed[i] = true;
        }
        out.push(level);
    }
}

/// Each cycle between steps once, as step indexes starting at its first
/// step in file order and following the references.
pub(super) fn cycles(workflow: &Workflow) -> Vec<Vec<usize>> {
    let needs = dependencies(workflow);
    let mut removed = vec![false; needs.len()];
    let mut found = Vec::new();
    loop {
        // Peel off every step that can run once its dependencies have.
        let mut done = removed.clone();
        let mut changed = true;
        while changed {
            changed = false;
            for i in 0..needs.len() {
                if !done[i] && needs[i].iter().all(|&d| done[d]) {
                    done[i] = true;
                    changed = true;
                }
            }
        }
        let Some(start) = (0..needs.len()).find(|&i| !done[i]) else { return found };
        // Every remaining step waits on a remaining step: walk until a repeat.
        let mut path = vec![start];
        let cycle = loop {
            let last = *path.last().expect("the path starts with one step");
            let next = *needs[last].iter().find(|&&d| !done[d]).expect("a stuck step waits on a stuck step");
            if let Some(at) = path.iter().position(|&p| p == next) {
                break path[at..].to_vec();
            }
            path.push(next);
        };
        let first = cycle.iter().enumerate().min_by_key(|(_, &i)| i).map(|(p, _)| p).unwrap_or(0);
        let cycle: Vec<usize> = cycle[first..].iter().chain(&cycle[..first]).copied().collect();
        for &i in &cycle {
            removed[i] = true;
        }
        // Steps that only wait on the removed ones are no longer stuck.
        for i in 0..needs.len() {
            if !removed[i] && needs[i].iter().any(|&d| removed[d]) && needs[i].iter().all(|&d| removed[d] || done[d]) {
                removed[i] = true;
            }
        }
        found.push(cycle);
    }
}

/// The inputs of `step`, from the workflow's inputs (after defaults were
/// filled in) and the outputs object of each finished step by id. A `with:`
/// entry that is exactly a reference to a workflow input that was not given
/// is left out, so the step's own default applies. Defaults of the step's
/// skill are not filled here: the runner validates the result like any
/// run's inputs. Errors name the reference that cannot be resolved.
pub fn resolve_step_inputs(step: &Step, workflow_inputs: &Map<String, Value>, step_outputs: &HashMap<String, Value>) -> Result<Map<String, Value>, String> {
    step_inputs(step, workflow_inputs, &|id| step_outputs.get(id))
}

fn step_inputs<'v>(step: &Step, workflow_inputs: &Map<String, Value>, step_outputs: &dyn Fn(&str) -> Option<&'v Value>) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for binding in &step.with {
        if let Some(Reference::Input(name)) = binding.value.as_str().and_then(whole_reference) {
            if !workflow_inputs.contains_key(&name) {
                continue;
            }
        }
        let value = resolve(&binding.value, &|r| lookup(r, workflow_inputs, step_outputs)).map_err(|e| format!("input `{}`: {e}", binding.name))?;
        out.insert(binding.name.clone(), value);
    }
    Ok(out)
}

/// The workflow's outputs, by declared name in their order, resolved like
/// step inputs. Outputs without a `value:` are left out.
pub fn resolve_outputs(workflow: &Workflow, workflow_inputs: &Map<String, Value>, step_outputs: &HashMap<String, Value>) -> Result<Map<String, Value>, String> {
    outputs(workflow, workflow_inputs, &|id| step_outputs.get(id))
}

fn outputs<'v>(workflow: &Workflow, workflow_inputs: &Map<String, Value>, step_outputs: &dyn Fn(&str) -> Option<&'v Value>) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for output in &workflow.outputs {
        let Some(value) = &output.value else { continue };
        let value = resolve(value, &|r| lookup(r, workflow_inputs, step_outputs)).map_err(|e| format!("output `{}`: {e}", output.name))?;
        out.insert(output.name.clone(), value);
    }
    Ok(out)
}

fn lookup<'v>(reference: &Reference, inputs: &Map<String, Value>, step_outputs: &dyn Fn(&str) -> Option<&'v Value>) -> Result<Value, String> {
    match reference {
        Reference::Input(name) => Ok(inputs.get(name).cloned().unwrap_or(Value::Null)),
        Reference::StepOutput { step, output } => {
            let outputs = step_outputs(step).ok_or_else(|| format!("step `{step}` has not run"))?;
            outputs.get(output).cloned().ok_or_else(|| format!("step `{step}` returned no output `{output}`"))
        }
    }
}

/// Where one step of an [`Execution`] stands.
#[derive(Debug, Clone, PartialEq)]
pub enum StepState {
    /// Waiting for the steps it depends on.
    Waiting,
    /// Handed to the runner by `start_ready`.
    Running,
    /// Finished; its outputs object.
    Done(Value),
    /// Raised an error, or its inputs could not be resolved.
    Failed(String),
    /// Never ran, with the readable reason:
    /// "step `plot` did not run: step `stats` failed: …".
    Skipped(String),
}

/// One run of a workflow as a state machine. The runner loops: take the
/// steps `start_ready` returns (with their resolved inputs), run them (in
/// parallel if it can), report each with `finish_step`, until `start_ready`
/// returns nothing and nothing is running; then `outputs`.
#[derive(Debug, Clone)]
pub struct Execution<'w> {
    workflow: &'w Workflow,
    inputs: Map<String, Value>,
    needs: Vec<Vec<usize>>,
    states: Vec<StepState>,
    /// The failure that stopped a step from running: "step `x` failed: …".
    causes: Vec<Option<String>>,
}

impl<'w> Execution<'w> {
    /// `inputs` are the workflow's inputs, validated and with defaults filled.
    pub fn new(workflow: &'w Workflow, inputs: Map<String, Value>) -> Self {
        let n = workflow.steps.len();
        Execution { workflow, inputs, needs: dependencies(workflow), states: vec![StepState::Waiting; n], causes: vec![None; n] }
    }

    /// Marks the steps whose dependencies are all done as running and returns
    /// them, in file order, with their inputs. Steps after a failure are
    /// marked skipped; a step whose inputs cannot be resolved is marked failed.
    pub fn start_ready(&mut self) -> Vec<(usize, Map<String, Value>)> {
        let mut started = Vec::new();
        let mut changed = true;
        while changed {
            changed = false;
            for i in 0..self.states.len() {
                if self.states[i] != StepState::Waiting {
                    continue;
                }
                if let Some(cause) = self.needs[i].iter().find_map(|&d| self.causes[d].clone()) {
                    self.skip(i, cause);
                    changed = true;
                } else if self.needs[i].iter().all(|&d| matches!(self.states[d], StepState::Done(_))) {
                    let states = &self.states;
                    let by_id = |id: &str| self.workflow.step_index(id).and_then(|d| match &states[d] { StepState::Done(v) => Some(v), _ => None });
                    match step_inputs(&self.workflow.steps[i], &self.inputs, &by_id) {
                        Ok(inputs) => {
                            self.states[i] = StepState::Running;
                            started.push((i, inputs));
                        }
                        Err(error) => self.fail(i, format!("its inputs could not be resolved: {error}")),
                    }
                    changed = true;
                }
            }
        }
        if started.is_empty() && !self.states.contains(&StepState::Running) {
            for i in 0..self.states.len() {
                if self.states[i] == StepState::Waiting {
                    let id = &self.workflow.steps[i].id;
                    self.states[i] = StepState::Skipped(format!("step `{id}` did not run: it waits for its own outputs through a cycle"));
                }
            }
        }
        started
    }

    /// Records the result of a step `start_ready` returned: its outputs
    /// object, or the error message it failed with.
    pub fn finish_step(&mut self, index: usize, result: Result<Value, String>) {
        match result {
            Ok(outputs) => self.states[index] = StepState::Done(outputs),
            Err(error) => self.fail(index, error),
        }
    }

    fn fail(&mut self, index: usize, error: String) {
        self.causes[index] = Some(format!("step `{}` failed: {error}", self.workflow.steps[index].id));
        self.states[index] = StepState::Failed(error);
    }

    fn skip(&mut self, index: usize, cause: String) {
        self.states[index] = StepState::Skipped(format!("step `{}` did not run: {cause}", self.workflow.steps[index].id));
        self.causes[index] = Some(cause);
    }

    /// True when no step is waiting or running.
    pub fn is_finished(&self) -> bool {
        !self.states.iter().any(|s| matches!(s, StepState::Waiting | StepState::Running))
    }

    /// The state of each step, by index.
    pub fn states(&self) -> &[StepState] {
        &self.states
    }

    /// The workflow's outputs once every step is done; otherwise the first
    /// failure ("step `stats` failed: …") or reason a step did not run.
    pub fn outputs(&self) -> Result<Map<String, Value>, String> {
        if let Some(cause) = self.causes.iter().flatten().next() {
            return Err(cause.clone());
        }
        for state in &self.states {
            match state {
                StepState::Done(_) => {}
                StepState::Skipped(reason) => return Err(reason.clone()),
                _ => return Err("the workflow has not finished".into()),
            }
        }
        let states = &self.states;
        let by_id = |id: &str| self.workflow.step_index(id).and_then(|d| match &states[d] { StepState::Done(v) => Some(v), _ => None });
        outputs(self.workflow, &self.inputs, &by_id)
    }
}
