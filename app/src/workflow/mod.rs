//! Workflows: skills of `type: workflow` that chain executable skills as a DAG.
//!
//! A workflow declares `inputs` and `outputs` like any executable skill, and
//! `steps`, each running one executable skill with inputs bound by `with:`:
//!
//! ```yaml
//! type: workflow
//! inputs:
//!   - name: csv
//!     type: text
//!     default: "a,b\n1,2\n"
//! outputs:
//!   - name: chart
//!     type: svg
//!     value: ${{ steps.plot.outputs.svg }}
//! steps:
//!   - id: stats
//!     uses: csv-analysis
//!     with:
//!       csv: ${{ inputs.csv }}
//!   - id: plot
//!     uses: plotting
//!     with:
//!       labels: ${{ steps.stats.outputs.labels }}
//!       series: ${{ steps.stats.outputs.series }}
//!       title: Units sold
//! ```
//!
//! A `with:` value (and an output's `value:`) is a literal, or text holding
//! references `${{ inputs.<name> }}` / `${{ steps.<id>.outputs.<name> }}`
//! (see [`reference`]). Steps run in dependency order, not file order; steps
//! that do not depend on each other may run in parallel ([`levels`],
//! [`Execution`]). A step cannot use another workflow: nesting is refused by
//! [`validate`], so a cycle can only be between the steps of one workflow.
//!
//! Everything here is I/O-free; the native runner (`llmos run`) and the
//! browser runner share the parsing, validation and the run-time resolution.

mod exec;
mod parse;
pub mod reference;
mod validate;

#[cfg(test)]
mod tests;

pub use exec::{dependencies, levels, resolve_outputs, resolve_step_inputs, Execution, StepState};
pub use parse::parse_workflow;
pub use reference::{Reference, Segment};
pub use validate::{validate, Target, RUNNABLE_KINDS};

use crate::Diagnostic;
use serde::{Deserialize, Serialize};

/// The `type:` value that makes a skill a workflow.
pub const WORKFLOW_KIND: &str = "workflow";

/// The steps and output values of a workflow skill, with the file lines that
/// diagnostics point at. The workflow's typed `inputs` and `outputs` are the
/// skill's own (`Skill::inputs`, `Skill::outputs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workflow {
    pub steps: Vec<Step>,
    /// The `value:` of each entry of the skill's `outputs`, in their order.
    pub outputs: Vec<OutputValue>,
    /// File line of the `steps:` key (the frontmatter's first line without one).
    pub line: usize,
    /// Problems of shape found while parsing (a step without `uses`, a
    /// `with:` that is not a map…). [`validate`] reports them with the rest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Diagnostic>,
}

/// One entry of `steps:`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Unique within the workflow; references name it (`steps.<id>.outputs.…`).
    pub id: String,
    /// The name of the executable skill it runs.
    pub uses: String,
    /// An optional human label for status displays (`name:`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The `with:` entries in file order.
    pub with: Vec<Binding>,
    /// File line of the step (its `- id:` line).
    pub line: usize,
    /// File line of its `uses:` key.
    pub uses_line: usize,
}

/// One `with:` entry: the used skill's input `name` gets `value`, a JSON
/// value in which strings may hold references.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Binding {
    pub name: String,
    pub value: serde_json::Value,
    pub line: usize,
}

/// The `value:` of one workflow output; `None` when the entry has none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputValue {
    pub name: String,
    pub value: Option<serde_json::Value>,
    /// File line of `value:` (of the entry when it has none).
    pub line: usize,
}

impl Workflow {
    /// The index of the step with this id.
    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.id == id)
    }
}
