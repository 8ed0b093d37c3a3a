//! Unit tests of workflow parsing, references, validation and execution.

use super::reference::{parse_template, resolve, whole_reference};
use super::*;
use crate::{parse_skill, Skill, SkillSource};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

fn skill(folder: &str, text: &str) -> Skill {
    let path = format!("skills/{folder}/SKILL.md");
    let files = vec!["scripts/main.py".to_string()];
    parse_skill(&SkillSource { path: &path, folder, bytes: text.as_bytes(), files: &files }).unwrap().0
}

/// A small catalogue: `stats` (python: csv -> labels, series, count),
/// `plot` (python: labels, series, title -> svg), `notes` (instructions)
/// and `flow` (a workflow).
fn catalogue() -> Vec<Skill> {
    vec![
        skill("stats", "---\nname: stats\ndescription: d\ntype: python\ninputs:\n  - name: csv\n    type: text\n    required: true\n  - name: top\n    type: integer\n    default: 3\noutputs:\n  - name: labels\n    type: array\n  - name: series\n    type: object\n  - name: count\n    type: integer\n---\n"),
        skill("plot", "---\nname: plot\ndescription: d\ntype: python\ninputs:\n  - name: labels\n    type: array\n  - name: series\n    type: object\n  - name: title\n    type: string\n    default: t\n  - name: width\n    type: number\n    default: 640\n  - name: kind\n    type: enum\n    options: [line, bar]\n    default: line\noutputs:\n  - name: svg\n    type: svg\n---\n"),
        skill("notes", "---\nname: notes\ndescription: d\n---\n"),
        skill("flow", "---\nname: flow\ndescription: d\ntype: workflow\nsteps:\n  - id: a\n    uses: stats\n    with:\n      csv: x\n---\n"),
    ]
}

fn check(text: &str) -> Vec<String> {
    let mut all = catalogue();
    all.push(skill("wf", text));
    validate(&all[4], |name| all.iter().find(|s| s.name == name).map(Target::from))
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.line, d.message))
        .collect()
}

const GOOD: &str = "---
name: wf
description: d
type: workflow
inputs:
  - name: csv
    type: text
    default: \"a,b\\n1,2\\n\"
  - name: title
    type: string
outputs:
  - name: chart
    type: svg
    value: ${{ steps.draw.outputs.svg }}
  - name: rows
    type: number
    value: \"${{steps.profile.outputs.count}}\"
steps:
  - id: draw
    uses: plot
    with:
      labels: ${{ steps.profile.outputs.labels }}
      series: { \"Units\": \"${{ steps.profile.outputs.series }}\" }
      title: \"Chart of ${{ inputs.title }} (${{ steps.profile.outputs.count }} rows)\"
      width: 300
  - id: profile
    uses: stats
    with:
      csv: ${{ inputs.csv }}
---
body
";

#[test]
fn parses_steps_with_their_lines() {
    let wf = skill("wf", GOOD).workflow.unwrap();
    assert!(wf.problems.is_empty(), "{:?}", wf.problems);
    assert_eq!(wf.line, 18);
    let ids: Vec<&str> = wf.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["draw", "profile"]);
    let draw = &wf.steps[0];
    assert_eq!((draw.line, draw.uses_line), (19, 20));
    let lines: Vec<(&str, usize)> = draw.with.iter().map(|b| (b.name.as_str(), b.line)).collect();
    assert_eq!(lines, [("labels", 22), ("series", 23), ("title", 24), ("width", 25)]);
    assert_eq!(draw.with[3].value, json!(300));
    assert_eq!(wf.steps[1].with[0].line, 29);
    let outputs: Vec<(&str, usize)> = wf.outputs.iter().map(|o| (o.name.as_str(), o.line)).collect();
    assert_eq!(outputs, [("chart", 14), ("rows", 17)]);
    assert!(skill("notes", "---\nname: notes\ndescription: d\n---\n").workflow.is_none());
}

#[test]
fn lines_survive_other_layouts() {
    let text = "---\nname: wf\ndescription: d\ntype: workflow\nsteps:\n-   uses: plot\n    id: p\n    with:\n        title: x\n        width: 3\n- {id: q, uses: plot}\n---\n";
    let wf = skill("wf", text).workflow.unwrap();
    assert_eq!((wf.steps[0].line, wf.steps[0].uses_line), (6, 6));
    assert_eq!(wf.steps[0].with.iter().map(|b| b.line).collect::<Vec<_>>(), [9, 10]);
    assert_eq!((wf.steps[1].id.as_str(), wf.steps[1].line), ("q", 11));
    // Flow style throughout: every line falls back to the `steps:` key.
    let wf = skill("wf", "---\nname: wf\ndescription: d\ntype: workflow\nsteps: [{id: a, uses: plot, with: {title: x}}]\n---\n").workflow.unwrap();
    assert_eq!((wf.steps[0].line, wf.steps[0].with[0].line), (5, 5));
}

#[test]
fn a_good_workflow_validates_and_has_no_unknown_key_warning() {
    assert_eq!(check(GOOD), Vec::<String>::new());
    let path = "skills/wf/SKILL.md";
    let (_, warnings) = parse_skill(&SkillSource { path, folder: "wf", bytes: GOOD.as_bytes(), files: &[] }).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn shape_problems_are_errors_at_their_lines() {
    let text = "---\nname: wf\ndescription: d\ntype: workflow\nsteps:\n  - uses: plot\n  - id: b\n    needs: a\n  - id: c\n    uses: plot\n    with: [1]\n  - 3\n---\n";
    let wf = skill("wf", text).workflow.unwrap();
    let found: Vec<String> = wf.problems.iter().map(|d| format!("{}:{:?}: {}", d.line, d.severity, d.message)).collect();
    assert_eq!(found, [
        "6:Error: step 1 has no `id`",
        "8:Warning: unknown key `needs` in step 2; it was ignored",
        "7:Error: step `b` has no `uses`",
        "11:Error: `with:` of step `c` is not a map",
        "12:Error: step 4 is not a map of `id`, `uses` and `with`",
    ]);
    assert_eq!(check("---\nname: wf\ndescription: d\ntype: workflow\n---\n"), ["2: the workflow has no `steps:`"]);
    assert_eq!(check("---\nname: wf\ndescription: d\ntype: workflow\nsteps: []\n---\n"), ["5: the workflow's `steps:` list is empty"]);
}

#[test]
fn unknown_unrunnable_and_nested_skills_are_refused() {
    let text = "---\nname: wf\ndescription: d\ntype: workflow\nsteps:\n  - id: a\n    uses: nope\n  - id: b\n    uses: notes\n  - id: c\n    uses: flow\n  - id: c\n    uses: wf\n  - id: bad id\n    uses: plot\n---\n";
    let errors = check(text);
    assert_eq!(errors, [
        "7: step `a` uses `nope`, which is not a skill of this site",
        "9: step `b` uses `notes`, an instructions skill with no code to run",
        "11: step `c` uses the workflow `flow`; a workflow cannot be a step",
        "12: two steps have the id `c` (the first at line 10)",
        "13: step `c` uses the workflow `wf`; a workflow cannot be a step",
        "14: the step id `bad id` is not a plain name",
    ]);
}

#[test]
fn inputs_are_checked_against_the_used_skill() {
    let text = "---\nname: wf\ndescription: d\ntype: workflow\ninputs:\n  - name: n\n    type: integer\n  - name: words\n    type: string\nsteps:\n  - id: a\n    uses: stats\n    with:\n      top: 2.5\n      colour: red\n  - id: b\n    uses: plot\n    with:\n      labels: \"${{ steps.a.outputs.count }}\"\n      width: ${{ inputs.n }}\n      title: ${{ inputs.n }}\n      kind: pie\n      series: \"${{ inputs.words }} and more\"\n---\n";
    assert_eq!(check(text), [
        "11: step `a` does not set the required input `csv` of `stats`",
        "14: input `top` of step `a`: a `number` value cannot be a `integer`",
        "15: `stats` (step `a`) has no input `colour`",
        "19: input `labels` of step `b`: a `integer` value cannot be a `array`",
        "21: input `title` of step `b`: a `integer` value cannot be a `string`",
        "22: input `kind` of step `b`: `pie` is not one of line, bar",
        "23: input `series` of step `b`: a `string` value cannot be a `object`",
    ]);
}

#[test]
fn references_to_missing_things_name_what_exists() {
    let text = "---\nname: wf\ndescription: d\ntype: workflow\noutputs:\n  - name: chart\n    type: svg\n    value: ${{ steps.b.outputs.png }}\n  - name: none\n    type: string\nsteps:\n  - id: a\n    uses: stats\n    with:\n      csv: ${{ inputs.missing }}\n  - id: b\n    uses: plot\n    with:\n      labels: ${{ steps.zz.outputs.labels }}\n      title: ${{ step.a.outputs.x }}\n      series: \"${{ inputs.x\"\n---\n";
    assert_eq!(check(text), [
        "8: output `chart`: `${{ steps.b.outputs.png }}`: `plot` (step `b`) has no output `png`; it has `svg`",
        "9: the workflow output `none` has no `value:`",
        "15: `${{ inputs.missing }}`: the workflow has no input `missing`",
        "19: `${{ steps.zz.outputs.labels }}`: there is no step `zz`",
        "20: `${{ step.a.outputs.x }}` is not a reference; write `${{ inputs.<name> }}` or `${{ steps.<id>.outputs.<name> }}`",
        "21: `${{` without its closing `}}` in \"${{ inputs.x\"",
    ]);
}

#[test]
fn cycles_are_named_at_the_reference_that_closes_them() {
    let text = "---\nname: wf\ndescription: d\ntype: workflow\nsteps:\n  - id: first\n    uses: plot\n  - id: a\n    uses: plot\n    with:\n      title: ${{ steps.b.outputs.svg }}\n  - id: b\n    uses: plot\n    with:\n      title: ${{ steps.c.outputs.svg }}\n  - id: c\n    uses: plot\n    with:\n      title: ${{ steps.a.outputs.svg }}\n  - id: after\n    uses: plot\n    with:\n      title: ${{ steps.c.outputs.svg }}\n  - id: self\n    uses: plot\n    with:\n      title: ${{ steps.self.outputs.svg }}\n---\n";
    assert_eq!(check(text), [
        "11: the steps `a` -> `b` -> `c` -> `a` form a cycle: each waits for the next one's outputs",
        "27: the steps `self` -> `self` form a cycle: each waits for the next one's outputs",
    ]);
    let wf = skill("wf", text).workflow.unwrap();
    assert_eq!(levels(&wf), [vec![0]]);
}

#[test]
fn levels_group_independent_steps() {
    let wf = skill("wf", GOOD).workflow.unwrap();
    assert_eq!(dependencies(&wf), [vec![1], vec![]]);
    assert_eq!(levels(&wf), [vec![1], vec![0]]);
    let diamond = "---\nname: wf\ndescription: d\ntype: workflow\nsteps:\n  - id: top\n    uses: plot\n  - id: left\n    uses: plot\n    with: {title: \"${{ steps.top.outputs.svg }}\"}\n  - id: right\n    uses: plot\n    with: {title: \"${{ steps.top.outputs.svg }}\"}\n  - id: alone\n    uses: plot\n  - id: bottom\n    uses: plot\n    with: {title: \"${{ steps.left.outputs.svg }}${{ steps.right.outputs.svg }}\"}\n---\n";
    assert_eq!(check(diamond), Vec::<String>::new());
    assert_eq!(levels(&skill("wf", diamond).workflow.unwrap()), [vec![0, 3], vec![1, 2], vec![4]]);
}

#[test]
fn templates_parse_with_free_spacing() {
    assert_eq!(whole_reference("  ${{inputs.a}} "), Some(Reference::Input("a".into())));
    assert_eq!(whole_reference("${{ steps . s-1 . outputs . out_2 }}"), Some(Reference::StepOutput { step: "s-1".into(), output: "out_2".into() }));
    assert_eq!(whole_reference("x ${{ inputs.a }}"), None);
    assert_eq!(parse_template("plain").unwrap(), [Segment::Text("plain".into())]);
    assert!(parse_template("${{ inputs.a.b }}").is_err());
    assert!(parse_template("${{ env.HOME }}").is_err());
    assert!(parse_template("${{ }}").is_err());
    assert_eq!(Reference::StepOutput { step: "a".into(), output: "b".into() }.to_string(), "${{ steps.a.outputs.b }}");
}

#[test]
fn resolution_keeps_whole_values_and_interpolates_text() {
    let values = json!({"n": 3, "s": "hi", "l": [1, 2], "z": null});
    let lookup = |r: &Reference| match r {
        Reference::Input(name) => values.get(name).cloned().ok_or_else(|| format!("no {name}")),
        _ => Err("no steps".to_string()),
    };
    assert_eq!(resolve(&json!("${{ inputs.n }}"), &lookup).unwrap(), json!(3));
    assert_eq!(resolve(&json!(" ${{ inputs.l }}"), &lookup).unwrap(), json!([1, 2]));
    assert_eq!(resolve(&json!("${{ inputs.s }}: ${{ inputs.n }} ${{ inputs.l }}${{ inputs.z }}!"), &lookup).unwrap(), json!("hi: 3 [1,2]!"));
    assert_eq!(resolve(&json!({"k": ["${{ inputs.n }}", "x"]}), &lookup).unwrap(), json!({"k": [3, "x"]}));
    assert_eq!(resolve(&json!(true), &lookup).unwrap(), json!(true));
    assert_eq!(resolve(&json!("${{ inputs.q }}"), &lookup).unwrap_err(), "no q");
}

fn map(value: Value) -> Map<String, Value> {
    value.as_object().unwrap().clone()
}

#[test]
fn step_inputs_and_outputs_resolve_from_what_ran() {
    let wf = skill("wf", GOOD).workflow.unwrap();
    let mut ran = HashMap::new();
    let inputs = map(json!({"csv": "a\n1\n", "title": "sales"}));
    assert_eq!(resolve_step_inputs(&wf.steps[1], &inputs, &ran).unwrap(), map(json!({"csv": "a\n1\n"})));
    assert_eq!(resolve_step_inputs(&wf.steps[0], &inputs, &ran).unwrap_err(), "input `labels`: step `profile` has not run");
    ran.insert("profile".to_string(), json!({"labels": ["x"], "series": [1], "count": 1}));
    let draw = resolve_step_inputs(&wf.steps[0], &inputs, &ran).unwrap();
    assert_eq!(Value::Object(draw), json!({"labels": ["x"], "series": {"Units": [1]}, "title": "Chart of sales (1 rows)", "width": 300}));
    // An optional workflow input that was not given leaves the step's default in place.
    let none = resolve_step_inputs(&wf.steps[1], &Map::new(), &ran).unwrap();
    assert!(none.is_empty(), "{none:?}");
    assert_eq!(resolve_outputs(&wf, &inputs, &ran).unwrap_err(), "output `chart`: step `draw` has not run");
    ran.insert("draw".to_string(), json!({"svg": "<svg/>"}));
    assert_eq!(Value::Object(resolve_outputs(&wf, &inputs, &ran).unwrap()), json!({"chart": "<svg/>", "rows": 1}));
    ran.insert("draw".to_string(), json!({}));
    assert_eq!(resolve_outputs(&wf, &inputs, &ran).unwrap_err(), "output `chart`: step `draw` returned no output `svg`");
}

#[test]
fn an_execution_runs_levels_and_stops_dependants_of_a_failure() {
    let text = "---\nname: wf\ndescription: d\ntype: workflow\noutputs:\n  - name: out\n    type: string\n    value: ${{ steps.c.outputs.svg }}\nsteps:\n  - id: a\n    uses: plot\n  - id: b\n    uses: plot\n    with: {title: \"${{ steps.a.outputs.svg }}\"}\n  - id: c\n    uses: plot\n    with: {title: \"${{ steps.b.outputs.svg }}\"}\n  - id: d\n    uses: plot\n---\n";
    let wf = skill("wf", text).workflow.unwrap();
    let mut run = Execution::new(&wf, Map::new());
    let first: Vec<usize> = run.start_ready().into_iter().map(|(i, _)| i).collect();
    assert_eq!(first, [0, 3]);
    assert!(run.start_ready().is_empty(), "nothing new while a and d run");
    run.finish_step(3, Ok(json!({"svg": "d"})));
    run.finish_step(0, Ok(json!({"svg": "A"})));
    let second = run.start_ready();
    assert_eq!(second, [(1, map(json!({"title": "A"})))]);
    run.finish_step(1, Err("ValueError: boom".into()));
    assert!(run.start_ready().is_empty());
    assert!(run.is_finished());
    assert_eq!(run.states()[1], StepState::Failed("ValueError: boom".into()));
    assert_eq!(run.states()[2], StepState::Skipped("step `c` did not run: step `b` failed: ValueError: boom".into()));
    assert_eq!(run.outputs().unwrap_err(), "step `b` failed: ValueError: boom");

    let mut run = Execution::new(&wf, Map::new());
    while !run.is_finished() {
        for (i, inputs) in run.start_ready() {
            let title = inputs.get("title").and_then(Value::as_str).unwrap_or("");
            run.finish_step(i, Ok(json!({"svg": format!("{title}+")})));
        }
    }
    assert_eq!(Value::Object(run.outputs().unwrap()), json!({"out": "+++"}));
}

#[test]
fn an_execution_of_a_cycle_ends_with_a_reason() {
    let text = "---\nname: wf\ndescription: d\ntype: workflow\nsteps:\n  - id: a\n    uses: plot\n    with: {title: \"${{ steps.a.outputs.svg }}\"}\n---\n";
    let wf = skill("wf", text).workflow.unwrap();
    let mut run = Execution::new(&wf, Map::new());
    assert!(run.start_ready().is_empty());
    assert!(run.is_finished());
    assert!(run.outputs().unwrap_err().contains("through a cycle"));
}
