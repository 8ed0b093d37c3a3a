use super::*;

fn message(seq: u32, role: Role, text: &str) -> ChatMessage {
    ChatMessage {
        id: format!("m{seq}"),
        conversation: "c".into(),
        seq,
        role,
        text: text.into(),
        created: 0.0,
        model: "m".into(),
        skills_used: vec![],
        input_tokens: None,
        output_tokens: None,
        error: None,
        stopped: false,
        reasoning: String::new(),
        ending: None,
        finish_reason: None,
        runs: vec![],
    }
}

#[test]
fn traces_and_messages_stored_before_runs_still_load_and_runs_are_summarised() {
    let old: Trace = serde_json::from_str(r#"{"id":"c","conversation":"c","goal":"g","provider":"anthropic","model":"m","skills_offered":[],"skills_used":[],"tool_calls":[],"turns":[],"outcome":null}"#).unwrap();
    assert!(old.runs.is_empty());
    let old: ChatMessage = serde_json::from_str(r#"{"id":"m","conversation":"c","seq":1,"role":"assistant","text":"hi","created":0}"#).unwrap();
    assert!(old.runs.is_empty());
    let chart = llmos_core::IoSpec { name: "chart".into(), kind: "svg".into(), description: None, default: None, required: false, options: vec![], format: None };
    let run = SkillRun { skill: "plot".into(), inputs: serde_json::json!({"n": 3}), status: "ran".into(), ms: 4.5, outputs: Some(serde_json::json!({"chart": "<svg/>", "n": 3})), output_specs: vec![chart], error: None };
    let trace = run.trace();
    assert!(trace.ok && trace.reason.is_none());
    assert_eq!(trace.outputs, r#"{"chart":"[image shown to the user]","n":3}"#);
    let declined = SkillRun { status: "declined".into(), outputs: None, ..run }.trace();
    assert_eq!((declined.ok, declined.reason.as_deref(), declined.outputs.as_str()), (false, Some("declined"), ""));
}

/// Every variation of `record`: each field left out, made null, or
/// given a value of each JSON type, recursively into objects and lists.
fn variations(record: &serde_json::Value) -> Vec<serde_json::Value> {
    use serde_json::{json, Value};
    let odd = [json!(null), json!(true), json!(-1), json!(7), json!(2.5), json!(4294967296u64), json!("user"), json!("output-limit"), json!([]), json!({})];
    let mut out = vec![record.clone()];
    match record {
        Value::Object(map) => {
            for key in map.keys() {
                let mut without = map.clone();
                without.shift_remove(key);
                out.push(Value::Object(without));
                for value in odd.iter().cloned().chain(variations(&map[key]).into_iter().skip(1)) {
                    let mut changed = map.clone();
                    changed.insert(key.clone(), value);
                    out.push(Value::Object(changed));
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                for value in odd.iter().cloned().chain(variations(item).into_iter().skip(1)) {
                    let mut changed = items.clone();
                    changed[i] = value;
                    out.push(Value::Array(changed));
                }
            }
        }
        _ => {}
    }
    out
}

#[track_caller]
fn reads_as_serde<T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(record: serde_json::Value, read: fn(&serde_json::Value) -> Option<T>) {
    let all = variations(&record);
    assert!(all.len() > 20);
    let mut read_some = 0;
    for value in all {
        let by_serde = serde_json::from_value::<T>(value.clone()).ok();
        read_some += usize::from(by_serde.is_some());
        assert_eq!(read(&value), by_serde, "{value}");
    }
    assert!(read_some > 1);
}

#[test]
fn the_chats_record_readers_read_what_serde_reads_and_refuse_what_it_refuses() {
    use serde_json::json;
    let spec = json!({"name": "chart", "type": "svg", "description": "d", "default": {"a": 1}, "required": true, "options": ["x", "y"], "format": "text"});
    let run = json!({"skill": "plot", "inputs": {"n": 3}, "status": "ran", "ms": 4.5, "outputs": {"chart": "<svg/>"}, "output_specs": [spec], "error": "e"});
    let message = json!({
        "id": "m", "conversation": "c", "seq": 3, "role": "assistant", "text": "hi", "created": 1.5, "model": "m1",
        "skills_used": [{"slug": "s", "name": "n", "user": true}], "input_tokens": 10, "output_tokens": 20, "error": "x",
        "stopped": true, "reasoning": "r", "ending": "context-full", "finish_reason": "length", "runs": [run]
    });
    reads_as_serde(message, from_json::message);
    // As stored before runs, reasoning and endings existed.
    reads_as_serde(json!({"id": "m", "conversation": "c", "seq": 0, "role": "user", "text": "q", "created": 0}), from_json::message);
    reads_as_serde(json!({"id": "c", "title": "t", "created": 1, "updated": 2.5}), from_json::conversation);
    reads_as_serde(
        json!({"provider": "openai-compatible", "base_urls": [["anthropic", "https://x"]], "models": [["gemini", "g"], ["openrouter", "o"]], "system": "s", "max_tokens": [["openai", 1000]]}),
        from_json::settings,
    );
    reads_as_serde(json!([spec, {"name": "n", "type": "number"}]), from_json::io_specs);
    for ending in from_json::ENDINGS {
        // Fails to compile when a variant is added: add it to ENDINGS too.
        match ending {
            Ending::Complete | Ending::ToolUse | Ending::OutputLimit | Ending::ContextFull | Ending::Refusal | Ending::Filtered | Ending::PromptBlocked | Ending::Paused | Ending::Other => {}
        }
        let name = serde_json::to_value(ending).unwrap();
        assert_eq!(from_json::message(&json!({"id": "m", "conversation": "c", "seq": 0, "role": "assistant", "text": "", "created": 0, "ending": name})).unwrap().ending, Some(ending));
    }
}

#[test]
fn traces_the_chat_writes_as_json_read_back_typed_and_old_ones_are_extended() {
    use serde_json::json;
    let call = TraceToolCall { name: "load_skill".into(), arguments: r#"{"name":"plot"}"#.into() };
    let run = TraceRun { skill: "plot".into(), inputs: json!({"n": 3}), outputs: "{}".into(), ms: 4.5, ok: false, reason: Some("declined".into()) };
    let turn = TraceTurn { started: 10.0, first_token_ms: Some(1.5), total_ms: 20.0, ok: true };
    let mut trace = trace_json::or_new(None, "c1");
    trace["goal"] = "plot it".into();
    trace_json::add_slugs(&mut trace, "skills_offered", ["plot", "csv", "plot"]);
    trace_json::add_slugs(&mut trace, "skills_used", ["plot"]);
    trace_json::add_turn(&mut trace, "anthropic".into(), "m".into(), std::slice::from_ref(&call), std::slice::from_ref(&run), &turn);
    trace_json::set_outcome(&mut trace, "solved");
    let typed: Trace = serde_json::from_value(trace.clone()).unwrap();
    let expected = Trace {
        id: "c1".into(),
        conversation: "c1".into(),
        goal: "plot it".into(),
        provider: "anthropic".into(),
        model: "m".into(),
        skills_offered: vec!["plot".into(), "csv".into()],
        skills_used: vec!["plot".into()],
        tool_calls: vec![call.clone()],
        turns: vec![turn.clone()],
        runs: vec![run.clone()],
        outcome: Some("solved".into()),
        kept: false,
    };
    assert_eq!(typed, expected);
    assert_eq!(trace, serde_json::to_value(&expected).unwrap(), "the same JSON as the typed trace writes");
    assert!(trace_json::problem(&trace).is_none() && !trace_json::kept(&trace));
    assert_eq!(trace_json::outcome(&trace).as_deref(), Some("solved"));

    // A trace stored before runs existed, kept on the traces page: extended, not replaced.
    let old = json!({"id":"c","conversation":"c","goal":"g","provider":"openai","model":"m","skills_offered":["a"],"skills_used":[],"tool_calls":[],"turns":[],"outcome":null,"kept":true});
    let mut trace = trace_json::or_new(Some(old), "c");
    assert!(trace_json::kept(&trace) && trace_json::outcome(&trace).is_none());
    trace_json::add_turn(&mut trace, "anthropic".into(), "m2".into(), &[], std::slice::from_ref(&run), &turn);
    let typed: Trace = serde_json::from_value(trace).unwrap();
    assert_eq!((typed.goal.as_str(), typed.runs.len(), typed.turns.len(), typed.kept, typed.skills_offered.len()), ("g", 1, 1, true, 1));
    // What is not a trace is replaced by a new one; imports name what is wrong.
    assert_eq!(trace_json::or_new(Some(json!("x")), "d")["id"], "d");
    assert_eq!(trace_json::problem(&json!({"id": "c"})).as_deref(), Some("its `conversation` is not a string"));
    assert_eq!(trace_json::problem(&json!([])).as_deref(), Some("it is not an object"));
}

#[test]
fn settings_keep_a_base_url_and_model_per_provider() {
    let mut settings = ChatSettings::default();
    settings.set_model("claude-x".into());
    settings.provider = ProviderKind::OpenAiCompatible;
    settings.set_base_url("http://localhost:11434/v1".into());
    settings.set_model("llama3".into());
    assert_eq!(settings.config().base(), "http://localhost:11434/v1");
    assert_eq!(settings.model(), "llama3");
    settings.provider = ProviderKind::Anthropic;
    assert_eq!(settings.model(), "claude-x");
    assert_eq!(settings.config().base(), "https://api.anthropic.com");
    let json = serde_json::to_string(&settings).unwrap();
    assert_eq!(serde_json::from_str::<ChatSettings>(&json).unwrap(), settings);
}

fn failed(seq: u32, text: &str) -> ChatMessage {
    ChatMessage { error: Some("The provider failed.".into()), ..message(seq, Role::Assistant, text) }
}

#[test]
fn failed_turns_contribute_nothing_to_the_history() {
    let messages = [
        message(0, Role::User, "q1"),
        failed(1, ""),
        message(2, Role::User, "q2"),
        failed(3, "a partial answer"),
        message(4, Role::User, "q3"),
        message(5, Role::Assistant, ""),
        // Never answered (the page closed while it was asked).
        message(6, Role::User, "q4"),
        message(7, Role::User, "q5"),
        message(8, Role::Assistant, "<think>hmm</think>\n\na5"),
        message(9, Role::User, "q6"),
        ChatMessage { stopped: true, ..message(10, Role::Assistant, "a stopped answer") },
        message(11, Role::User, "q7"),
    ];
    assert_eq!(
        history_messages(&messages),
        [Message::user("q5"), Message::assistant("a5"), Message::user("q6"), Message::assistant("a stopped answer"), Message::user("q7")]
    );
    assert!(messages[3].left_out() && !messages[10].left_out());
}

#[test]
fn settings_keep_the_answer_limit_per_provider_and_the_default_base_url_out_of_the_field() {
    let mut settings = ChatSettings::default();
    settings.set_max_tokens(Some(1234));
    settings.set_base_url("https://api.anthropic.com".into());
    assert_eq!((settings.max_tokens(), settings.base_url()), (Some(1234), String::new()));
    settings.provider = ProviderKind::OpenAi;
    assert_eq!(settings.max_tokens(), None);
    settings.provider = ProviderKind::Anthropic;
    settings.set_max_tokens(None);
    assert_eq!(settings.max_tokens(), None);
    let old: ChatSettings = serde_json::from_str(r#"{"provider":"anthropic","system":"x"}"#).unwrap();
    assert_eq!(old.max_tokens(), None, "settings saved before the limit existed still load");
}

#[test]
fn history_skips_empty_answers_and_markdown_export_names_the_model() {
    let messages = [message(0, Role::User, "hi"), message(1, Role::Assistant, ""), message(2, Role::User, "hi again"), message(3, Role::Assistant, "hello")];
    assert_eq!(history_messages(&messages).len(), 2);
    let conversation = Conversation { id: "c".into(), title: "Greeting".into(), created: 0.0, updated: 0.0 };
    let md = to_markdown(&conversation, &messages);
    assert!(md.starts_with("# Greeting\n\n## You\n\nhi\n\n") && md.contains("## Assistant (m)\n\nhello"), "{md}");
    let cut = ChatMessage { ending: Some(Ending::OutputLimit), finish_reason: Some("max_tokens".into()), ..message(4, Role::Assistant, "half") };
    assert!(to_markdown(&conversation, &[cut]).contains("_The answer was cut off"), "an early end is exported too");
    let bell = SkillLink { slug: "bell-state".into(), name: "bell-state".into(), user: false };
    let asked = ChatMessage { skills_used: vec![bell.clone()], ..message(5, Role::User, "first?") };
    let answered = ChatMessage { skills_used: vec![bell], ..message(6, Role::Assistant, "H, then CNOT") };
    let md = to_markdown(&conversation, &[asked, answered]);
    assert!(md.contains("first?\n\n_With the skill bell-state_") && md.contains("CNOT\n\n_Skills used: bell-state_"), "{md}");
    assert_eq!(title_from("\n  What is a Bell state?\nmore"), "What is a Bell state?");
}
