use super::*;

fn spec(name: &str, kind: &str, default: Option<Value>) -> IoSpec {
    IoSpec { name: name.into(), kind: kind.into(), description: Some(format!("the {name}")), default, required: false, options: vec![], format: None }
}

fn ohms() -> ToolSkill {
    ToolSkill {
        name: "ohms-law-calculator".into(),
        inputs: vec![spec("voltage", "number", Some(json!(12))), spec("resistance", "number", Some(json!(220)))],
        outputs: vec![spec("current", "number", None), spec("readable", "string", None)],
    }
}

fn plot() -> ToolSkill {
    let mut mode = spec("mode", "enum", Some(json!("bar")));
    mode.options = vec!["bar".into(), "line".into()];
    let data = IoSpec { required: true, ..spec("data", "array", None) };
    ToolSkill { name: "csv-to-chart".into(), inputs: vec![data, mode, spec("steps", "integer", None)], outputs: vec![spec("chart", "svg", None), spec("rows", "integer", None)] }
}

#[test]
fn one_tool_types_every_offered_skills_inputs() {
    assert_eq!(run_skill_tool(&[]), None);
    let one = run_skill_tool(&[ohms()]).unwrap();
    assert_eq!(one.name, "run_skill");
    assert_eq!(one.parameters["type"], "object");
    assert_eq!(one.parameters["properties"]["skill"]["enum"], json!(["ohms-law-calculator"]));
    let inputs = &one.parameters["properties"]["inputs"];
    assert_eq!(inputs["properties"]["voltage"]["type"], "number");
    assert!(inputs["properties"]["voltage"]["description"].as_str().unwrap().contains("default: 12"));
    assert_eq!(inputs["additionalProperties"], false);
    assert!(one.description.contains("- ohms-law-calculator: inputs: voltage (number, default 12), resistance (number, default 220); outputs: current, readable"), "{}", one.description);

    let two = run_skill_tool(&[ohms(), plot()]).unwrap();
    let any = two.parameters["properties"]["inputs"]["anyOf"].as_array().unwrap();
    assert_eq!(any.len(), 2);
    assert_eq!(any[1]["title"], "inputs of csv-to-chart");
    assert_eq!(any[1]["properties"]["mode"]["enum"], json!(["bar", "line"]));
    assert_eq!(any[1]["properties"]["data"], json!({"type": "array", "items": {}, "description": "the data"}));
    assert_eq!(any[1]["required"], json!(["data"]));
    assert_eq!(any[1]["properties"]["steps"]["type"], "integer");
    // Nothing at the top level that Anthropic refuses there.
    for key in ["anyOf", "oneOf", "allOf"] {
        assert!(two.parameters.get(key).is_none());
    }
}

#[test]
fn a_call_is_read_checked_and_filled_with_defaults() {
    let skills = [ohms(), plot()];
    let call = parse_run_call(r#"{"skill":"ohms-law-calculator","inputs":{"voltage":5}}"#, &skills).unwrap();
    assert_eq!(call.skill, "ohms-law-calculator");
    assert_eq!(Value::Object(call.inputs), json!({"voltage": 5, "resistance": 220}));
    let as_text = parse_run_call(r#"{"skill":"ohms-law-calculator","inputs":"{\"voltage\":3}"}"#, &skills).unwrap();
    assert_eq!(as_text.inputs["voltage"], 3);
    assert!(parse_run_call(r#"{"skill":"ohms-law-calculator"}"#, &skills).is_ok(), "no inputs: all defaults");

    let bad = parse_run_call(r#"{"skill":"ohms-law-calculator","inputs":{"voltage":"lots"}}"#, &skills).unwrap_err();
    assert!(bad.contains("`voltage` must be a number") && bad.contains("did not run"), "{bad}");
    let unknown = parse_run_call(r#"{"skill":"rm-rf","inputs":{}}"#, &skills).unwrap_err();
    assert!(unknown.contains("`rm-rf` is not an executable skill") && unknown.contains("`csv-to-chart`"), "{unknown}");
    assert!(parse_run_call("{oops", &skills).unwrap_err().contains("not valid JSON"));
    assert!(parse_run_call(r#"{"inputs":{}}"#, &skills).unwrap_err().contains("need `skill`"));
    assert!(parse_run_call(r#"{"skill":"csv-to-chart","inputs":[1]}"#, &skills).unwrap_err().contains("must be a JSON object"));
    let missing = parse_run_call(r#"{"skill":"csv-to-chart","inputs":{"extra":1}}"#, &skills).unwrap_err();
    assert!(missing.contains("`data` is required") && missing.contains("`extra` is not an input"), "{missing}");
}

#[test]
fn the_text_convention_names_the_skill_then_its_inputs() {
    let skills = [ohms()];
    let plain = run_requested_by_text("RUN_SKILL: ohms-law-calculator\n{\"voltage\": 9}", &skills).unwrap().unwrap();
    assert_eq!(plain.inputs["voltage"], 9);
    let fenced = run_requested_by_text("Let me compute.\n`RUN_SKILL: ohms-law-calculator`\n```json\n{\"resistance\": 1000}\n```\nthen more", &skills).unwrap().unwrap();
    assert_eq!(Value::Object(fenced.inputs), json!({"voltage": 12, "resistance": 1000}));
    let bare = run_requested_by_text("RUN_SKILL: ohms-law-calculator", &skills).unwrap().unwrap();
    assert_eq!(bare.inputs["voltage"], 12, "no JSON: the defaults");
    assert!(run_requested_by_text("I could run ohms-law-calculator.", &skills).is_none());
    assert!(run_requested_by_text("RUN_SKILL: other\n{}", &skills).unwrap().is_err());
    assert!(run_requested_by_text("RUN_SKILL: ohms-law-calculator\n{\"voltage\": }", &skills).unwrap().unwrap_err().contains("not one valid JSON object"));
    let prompt = run_prompt(&skills, false).unwrap();
    assert!(prompt.contains("RUN_SKILL: <name>") && prompt.contains("voltage (number, default 12)"), "{prompt}");
    assert!(run_prompt(&skills, true).unwrap().contains("`run_skill`"));
    assert_eq!(run_prompt(&[], true), None);
}

#[test]
fn results_carry_outputs_without_images_and_failures_with_their_message() {
    let ok = json!({"ok": true, "outputs": {"current": 0.0545, "readable": "12 V"}, "json": "{}", "ms": 3.2, "stdout": "hi\n", "stderr": ""});
    let (text, error) = run_result(&ohms(), &ok);
    assert!(!error);
    assert!(text.contains(r#"{"current":0.0545,"readable":"12 V"}"#) && text.contains("ran in 3 ms") && text.contains("It printed:\nhi"), "{text}");

    let svg = format!("<svg xmlns=\"http://www.w3.org/2000/svg\">{}</svg>", "<rect/>".repeat(5000));
    let chart = json!({"ok": true, "outputs": {"chart": svg, "rows": 3}, "ms": 10, "stdout": "", "stderr": ""});
    let (text, _) = run_result(&plot(), &chart);
    assert!(text.contains(r#""chart":"[image shown to the user]""#) && text.len() < 300, "{text}");

    let big = json!({"ok": true, "outputs": {"readable": "x".repeat(20_000)}, "ms": 1});
    let (text, _) = run_result(&ohms(), &big);
    assert!(text.contains("cut here") && text.chars().count() < MAX_RESULT_CHARS + 300, "cut to a sane size");

    let failed = json!({"ok": false, "reason": "failed", "error": "ZeroDivisionError: division by zero", "ms": 2, "stdout": "", "stderr": "Traceback…"});
    let (text, error) = run_result(&ohms(), &failed);
    assert!(error && text.contains("failed: ZeroDivisionError") && text.contains("Traceback"), "{text}");
    let stopped = json!({"ok": false, "reason": "stopped", "error": "Stopped.", "ms": 2});
    assert!(run_result(&ohms(), &stopped).0.contains("The user stopped"));
    assert!(declined_result("ohms-law-calculator").contains("declined to run `ohms-law-calculator`"));
    assert_eq!(outputs_summary(&plot(), &json!({"chart": "<svg/>", "rows": 3}), 200), r#"{"chart":"[image shown to the user]","rows":3}"#);
    assert!(outputs_summary(&ohms(), &json!({"readable": "y".repeat(500)}), 40).ends_with('…'));
}
