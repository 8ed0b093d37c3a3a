//! One answer, streamed: the request for the conversation so far, the
//! events shown as they arrive (the answer rendered block by block, its
//! reasoning folded apart), skills loaded when the model asks for them,
//! and the turn kept with how it ended, and its trace.

use super::actions::{at_end, describe, from_js, load_conversations, new_id, say, show_end, show_end_soon, to_js};
use super::answer::{skill_body, skill_index, ABORT};
use super::records::{self, trace_json, ChatMessage, Conversation, Role, SkillLink, SkillRun, TraceToolCall, TraceTurn};
use super::runs::{self, Handled, RunTools};
use super::stream::{stream, Failure};
use super::ChatState;
use crate::browser;
use crate::store::schema::{CONVERSATIONS, MESSAGES, TRACES};
use crate::store::shared;
use leptos::prelude::*;
use llmos_core::llm::{self, build_request, Message, ProviderKind, Reply, StreamEvent, ToolResult, CONTINUE_PROMPT, OFFERED_SKILLS};
use crate::kit::MarkdownStream;

/// Rounds of tool calls (skills loaded or run) before the model must answer.
const MAX_TOOL_ROUNDS: usize = 4;

/// What a model without tool calling asked for by the text convention.
enum TextRequest {
    /// A run (checked), of the skill so named.
    Run(Result<llm::RunCall, String>, String),
    Load(llm::OfferedSkill),
}

fn text_request(answer: &str, offered: &[llm::OfferedSkill], run_skills: &[llm::ToolSkill]) -> Option<TextRequest> {
    if let Some(parsed) = llm::run_requested_by_text(answer, run_skills) {
        let name = answer.lines().find_map(|l| l.trim().trim_matches('`').strip_prefix(llm::RUN_TEXT_PREFIX).map(|n| n.trim().trim_matches('`').to_string())).unwrap_or_default();
        return Some(TextRequest::Run(parsed, name));
    }
    llm::requested_by_text(answer, offered).cloned().map(TextRequest::Load)
}

fn note_used(used: &mut Vec<SkillLink>, skill: &llm::OfferedSkill) {
    if !used.iter().any(|u| u.slug == skill.slug) {
        used.push(SkillLink { slug: skill.slug.clone(), name: skill.name.clone(), user: skill.user });
    }
}

/// A skill that ran counts as used.
fn note_run(used: &mut Vec<SkillLink>, tools: &RunTools, run: &SkillRun) {
    if run.status == "ran" {
        if let Some(skill) = tools.skills.iter().find(|s| s.tool.name == run.skill) {
            note_used(used, &skill.offered);
        }
    }
}

/// What is being answered.
pub(super) enum Mode {
    /// The last question.
    Fresh,
    /// The rest of this answer (the last message), cut off before.
    Continue(Box<ChatMessage>),
}

/// Streams the model's answer to the conversation so far, loading skills
/// when the model asks for them, and keeps whatever arrived. `key` is the
/// one `ready_to_answer` let through for this base URL.
pub(super) async fn answer(state: ChatState, key: Option<String>, mode: Mode) {
    let settings = state.settings.get_untracked();
    let config = settings.config();
    let Ok(controller) = web_sys::AbortController::new() else { return };
    let signal = controller.signal();
    ABORT.with(|a| *a.borrow_mut() = Some(controller));
    state.notice.set(None);
    // Answering means the settings are set: they fold away to one line.
    state.settings_open.set(false);
    clear_live(state);
    // The renderer is fetched the first time an answer is shown.
    if let Err(error) = crate::kit::load().await {
        state.notice.set(Some(error));
    }
    let mut markdown = MarkdownStream::new();
    let history = state.messages.get_untracked();
    let previous = match mode {
        Mode::Continue(previous) => Some(*previous),
        Mode::Fresh => None,
    };
    if let Some(previous) = &previous {
        // Shown whole in the live answer while the rest arrives.
        state.messages.update(|m| m.retain(|m| m.id != previous.id));
        show_update(state, markdown.push(&previous.text));
    }
    state.streaming.set(true);

    let goal_text = history.iter().rev().find(|m| m.role == Role::User).map(|m| m.text.clone()).unwrap_or_default();
    let index = if previous.is_none() { skill_index(state).await } else { None };
    let offered = index.as_ref().map(|index| index.offer(&goal_text, OFFERED_SKILLS)).unwrap_or_default();
    // Those of them that run in the browser, when the site has the runner.
    let run_tools = match &index {
        Some(index) => runs::runnable(state, index, &offered).await,
        None => None,
    };
    let run_skills = run_tools.as_ref().map(RunTools::tool_skills).unwrap_or_default();
    // Local servers often lack tool calling: they get the text convention.
    let tools_supported = config.kind != ProviderKind::OpenAiCompatible;
    let mut system = llm::system_prompt(Some(&settings.system), &offered, tools_supported);
    if let (Some(system), Some(run_prompt)) = (system.as_mut(), llm::run_prompt(&run_skills, tools_supported)) {
        system.push_str("\n\n");
        system.push_str(&run_prompt);
    }
    let mut tools = if tools_supported && !offered.is_empty() { vec![llm::load_skill_tool(&offered)] } else { Vec::new() };
    tools.extend(llm::run_skill_tool(&run_skills).filter(|_| tools_supported));
    let mut messages = records::history_messages(&history);
    if previous.is_some() {
        messages.push(Message::user(CONTINUE_PROMPT));
    }
    let mut used: Vec<SkillLink> = Vec::new();
    // The skills the user attached to the question: their instructions go
    // with it, whatever the model would have chosen.
    let attached = history.iter().rev().find(|m| m.role == Role::User).map(|m| m.skills_used.clone()).unwrap_or_default();
    for link in attached {
        let skill = llm::OfferedSkill { name: link.name.clone(), slug: link.slug.clone(), description: String::new(), user: link.user };
        match skill_body(state, &skill).await {
            Ok(body) => {
                let system = system.get_or_insert_with(String::new);
                if !system.is_empty() {
                    system.push_str("\n\n");
                }
                system.push_str(&format!("The user attached the skill `{}` to their message. Follow its instructions:\n\n{}", link.slug, body.trim()));
                note_used(&mut used, &skill);
            }
            Err(error) => say(state, format!("The skill {} could not be loaded ({error}); the question went without it.", link.name)),
        }
    }
    let mut tool_calls: Vec<TraceToolCall> = Vec::new();
    let mut skill_runs: Vec<SkillRun> = Vec::new();
    let mut final_reply = Reply::default();
    let mut failure: Option<Failure> = None;
    let started = browser::now();
    let mut first_token: Option<f64> = None;

    for round in 0..=MAX_TOOL_ROUNDS {
        let request = build_request(&config, key.as_deref(), &records::request(&settings, system.clone(), messages.clone(), if round < MAX_TOOL_ROUNDS { tools.clone() } else { Vec::new() }));
        let mut reply = Reply::default();
        let result = stream(&config, &request, &signal, |event| {
            reply.apply(event);
            match event {
                StreamEvent::TextDelta(text) => {
                    first_token.get_or_insert_with(|| browser::now() - started);
                    show_update(state, markdown.push(text));
                }
                StreamEvent::ReasoningDelta(text) => {
                    first_token.get_or_insert_with(|| browser::now() - started);
                    show_reasoning(state, text);
                }
                _ => {}
            }
        })
        .await;
        final_reply.reasoning.push_str(&reply.reasoning);
        if let Err(stopped_or_failed) = result {
            final_reply.text.push_str(&reply.text);
            failure = Some(stopped_or_failed);
            break;
        }
        let may_call = round < MAX_TOOL_ROUNDS && reply.error.is_none();
        // Tool calls: every call gets its result, as the APIs require.
        if may_call && tools_supported && !reply.tool_calls.is_empty() {
            let mut results = Vec::new();
            for call in &reply.tool_calls {
                tool_calls.push(TraceToolCall { name: call.name.clone(), arguments: call.arguments.clone() });
                let run_with = run_tools.as_ref().filter(|_| call.name == llm::RUN_SKILL_TOOL);
                let (content, is_error) = if let Some(tools) = run_with {
                    let parsed = llm::parse_run_call(&call.arguments, &run_skills);
                    match runs::handle(state, tools, parsed, &call.arguments, &signal).await {
                        Handled::Done { content, is_error, run } => {
                            note_run(&mut used, tools, &run);
                            skill_runs.push(run);
                            (content, is_error)
                        }
                        Handled::Stopped => {
                            failure = Some(Failure::Stopped);
                            break;
                        }
                    }
                } else if let Some(skill) = llm::requested_by_tool(&call.name, &call.arguments, &offered) {
                    note_used(&mut used, skill);
                    (skill_body(state, skill).await.unwrap_or_else(|e| format!("(The skill could not be loaded: {e})")), false)
                } else {
                    (format!("There is no tool `{}` with these arguments here; use the tools offered.", call.name), true)
                };
                results.push(ToolResult { call_id: call.id.clone(), name: call.name.clone(), content, is_error });
            }
            // Text the model wrote before calling stays in the answer.
            final_reply.text.push_str(&reply.text);
            final_reply.input_tokens = reply.input_tokens.or(final_reply.input_tokens);
            if failure.is_some() {
                break;
            }
            messages.push(reply.to_message());
            messages.push(Message::User { text: String::new(), tool_results: results });
            continue;
        }
        // Without tools: a run or a skill asked for by the text convention.
        let by_text = if tools_supported || !may_call { None } else { text_request(&reply.text, &offered, &run_skills) };
        if let Some(request) = by_text {
            let content = match request {
                TextRequest::Run(parsed, name) => {
                    let tools = run_tools.as_ref().expect("a run is only read when skills can run");
                    let arguments = serde_json::json!({ "skill": name }).to_string();
                    match runs::handle(state, tools, parsed, &arguments, &signal).await {
                        Handled::Done { content, run, .. } => {
                            note_run(&mut used, tools, &run);
                            skill_runs.push(run);
                            tool_calls.push(TraceToolCall { name: "RUN_SKILL".into(), arguments: name.clone() });
                            format!("The result of running the skill `{name}`:\n\n{content}\n\nNow answer my previous message with it.")
                        }
                        Handled::Stopped => {
                            failure = Some(Failure::Stopped);
                            break;
                        }
                    }
                }
                TextRequest::Load(skill) => {
                    let body = skill_body(state, &skill).await.unwrap_or_else(|e| format!("(The skill could not be loaded: {e})"));
                    note_used(&mut used, &skill);
                    tool_calls.push(TraceToolCall { name: "LOAD_SKILL".into(), arguments: skill.slug.clone() });
                    format!("The instructions of the skill `{}`:\n\n{body}\n\nNow answer my previous message following them.", skill.slug)
                }
            };
            messages.push(Message::assistant(reply.text.clone()));
            messages.push(Message::user(content));
            // The convention's lines are not part of the answer.
            markdown = MarkdownStream::new();
            clear_answer(state);
            show_update(state, markdown.push(&final_reply.text));
            final_reply.input_tokens = reply.input_tokens.or(final_reply.input_tokens);
            continue;
        }
        final_reply.text.push_str(&reply.text);
        final_reply.input_tokens = reply.input_tokens.or(final_reply.input_tokens);
        final_reply.output_tokens = reply.output_tokens;
        final_reply.error = reply.error;
        final_reply.finished = reply.finished;
        final_reply.ending = reply.ending;
        final_reply.finish_reason = reply.finish_reason;
        break;
    }
    ABORT.with(|a| *a.borrow_mut() = None);

    let (error, stopped) = match failure {
        Some(Failure::Stopped) => (None, true),
        Some(Failure::Error(error)) => (Some(describe(&error)), false),
        None => (final_reply.error.as_ref().map(|(kind, message)| stream_error(*kind, message, !final_reply.text.is_empty())), false),
    };
    let conversation = state.current.get_untracked().unwrap_or_default();
    let following = at_end(state);
    let kept = match previous {
        None => ChatMessage {
            id: new_id(),
            conversation: conversation.clone(),
            seq: state.messages.with_untracked(|m| m.last().map_or(0, |m| m.seq + 1)),
            role: Role::Assistant,
            text: final_reply.text,
            created: browser::now(),
            model: settings.model(),
            skills_used: used.clone(),
            input_tokens: final_reply.input_tokens,
            output_tokens: final_reply.output_tokens,
            error: error.clone(),
            stopped,
            reasoning: final_reply.reasoning,
            ending: final_reply.ending,
            finish_reason: final_reply.finish_reason,
            runs: skill_runs.clone(),
        },
        Some(previous) => continued(state, previous, final_reply, error.clone(), stopped).await,
    };
    let Ok(store) = shared().await else { return };
    let saved = store.put_records(MESSAGES, &[to_js(&kept)]).await;

    // The conversation moves to the top; its trace records this turn. Both
    // are stored before the answer settles on the page with the outcome
    // buttons: a click on them during this read-modify-write of the trace
    // could lose the outcome, or the goal.
    if let Some(mut conv) = state.conversations.with_untracked(|c| c.iter().find(|c| c.id == conversation).cloned()).or_else(|| {
        Some(Conversation { id: conversation.clone(), title: records::title_from(&goal_text), created: started, updated: started })
    }) {
        conv.updated = browser::now();
        let _ = store.put_records(CONVERSATIONS, &[to_js(&conv)]).await;
    }
    let stored = trace_json::stored(store.record(TRACES, &conversation).await.ok().flatten().as_ref().and_then(from_js));
    let mut trace = match stored {
        Some(trace) => trace,
        None => {
            let mut trace = trace_json::new(&conversation);
            trace["goal"] = history.iter().find(|m| m.role == Role::User).map(|m| m.text.clone()).unwrap_or_default().into();
            trace
        }
    };
    trace_json::add_slugs(&mut trace, "skills_offered", offered.iter().map(|s| s.slug.as_str()));
    trace_json::add_slugs(&mut trace, "skills_used", used.iter().map(|s| s.slug.as_str()));
    let runs: Vec<_> = skill_runs.iter().map(SkillRun::trace).collect();
    let turn = TraceTurn { started, first_token_ms: first_token, total_ms: browser::now() - started, ok: error.is_none() && !stopped };
    trace_json::add_turn(&mut trace, super::provider_id(config.kind), settings.model(), &tool_calls, &runs, &turn);
    let _ = store.put_records(TRACES, &[to_js(&trace)]).await;
    state.messages.update(|m| m.push(kept));
    state.streaming.set(false);
    if following {
        show_end_soon(state);
    }
    if let Err(error) = saved {
        say(state, format!("The answer could not be saved: {error}"));
    }
    load_conversations(state).await;
}

/// The continued answer: the earlier text with the rest joined on, kept
/// under a new id (rows are keyed by id, so the page draws it anew). A
/// continuation that failed keeps what arrived and the earlier ending, so
/// Continue is offered again, and says why in the notice.
async fn continued(state: ChatState, previous: ChatMessage, rest: Reply, error: Option<String>, stopped: bool) -> ChatMessage {
    if let Ok(store) = shared().await {
        let _ = store.delete_records(MESSAGES, std::slice::from_ref(&previous.id)).await;
    }
    let mut joined = ChatMessage { id: new_id(), created: browser::now(), stopped, ..previous };
    joined.text.push_str(&rest.text);
    joined.reasoning.push_str(&rest.reasoning);
    joined.input_tokens = rest.input_tokens.or(joined.input_tokens);
    joined.output_tokens = match (joined.output_tokens, rest.output_tokens) {
        (Some(before), Some(now)) => Some(before + now),
        (before, now) => now.or(before),
    };
    match error {
        Some(error) => say(state, format!("The rest of the answer did not arrive: {error}")),
        None if rest.finished => (joined.ending, joined.finish_reason) = (rest.ending, rest.finish_reason),
        None => {}
    }
    joined
}

fn stream_error(kind: llm::StreamErrorKind, message: &str, partial: bool) -> String {
    let kept = if partial { " What arrived is kept." } else { "" };
    match kind {
        llm::StreamErrorKind::Interrupted => format!("The connection dropped before the answer was complete.{kept} Resend to try again."),
        llm::StreamErrorKind::Overloaded => format!("The provider is overloaded ({message}).{kept} Resend in a moment."),
        llm::StreamErrorKind::RateLimited => format!("The provider's rate limit was reached ({message}).{kept} Wait a little, then resend."),
        _ => format!("The provider reported an error: {message}.{kept}"),
    }
}

/// Empties the live answer and its reasoning, for a new answer.
fn clear_live(state: ChatState) {
    clear_answer(state);
    state.live_thinking.set(false);
    for node in [state.live_reasoning.get_untracked(), state.live_runs.get_untracked()].into_iter().flatten() {
        node.set_inner_html("");
    }
}

fn clear_answer(state: ChatState) {
    for node in [state.live_frozen.get_untracked(), state.live_tail.get_untracked()].into_iter().flatten() {
        node.set_inner_html("");
    }
}

/// Writes what the renderer changed, keeping the end in view for a reader
/// who is following it (one who scrolled up to read is left alone).
fn show_update(state: ChatState, update: llmos_core::Update) {
    let following = at_end(state);
    if !update.frozen_html_appended.is_empty() {
        if let Some(frozen) = state.live_frozen.get_untracked() {
            let _ = frozen.insert_adjacent_html("beforeend", &update.frozen_html_appended);
        }
    }
    if let Some(tail) = state.live_tail.get_untracked() {
        tail.set_inner_html(&update.tail_html);
    }
    if following {
        show_end(state);
    }
}

/// Reasoning goes, as plain text, into the folded "Thinking" block.
fn show_reasoning(state: ChatState, text: &str) {
    let following = at_end(state);
    if !state.live_thinking.get_untracked() {
        state.live_thinking.set(true);
    }
    if let Some(node) = state.live_reasoning.get_untracked() {
        let _ = node.insert_adjacent_text("beforeend", text);
    }
    if following {
        show_end(state);
    }
}
