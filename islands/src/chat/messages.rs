//! The conversation: each message, the answer streaming in, what can be
//! done with the last turn, and the outcome. An answer shows its reasoning
//! folded, why it ended when that was not a normal end, and whether its
//! turn was left out of what the model sees (failed, with Resend).
//!
//! A message never changes once kept (a continued answer is kept anew), so
//! each row is written once as HTML, its buttons handled by one listener
//! on the list (`actions::message_click`); what depends on which message
//! is last (Regenerate, Edit and resend, Continue) lives once, after the
//! rows. One view per row instead of one per part keeps the bundle small.

use super::records::{ChatMessage, Role};
use super::ChatState;
use leptos::prelude::*;

/// The messages, the live answer, the last turn's actions and the outcome.
pub(super) fn messages(state: ChatState) -> impl IntoView {
    let idle = move || !state.streaming.get() && !state.messages.with(Vec::is_empty);
    let last = move |test: fn(&ChatMessage) -> bool| state.messages.with(|ms| ms.last().is_some_and(test));
    let outcome_is = move |value: &str| state.outcome.get().as_deref() == Some(value);
    // Kept runs' outputs are drawn by the runner once their rows exist.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        state.messages.track();
        request_animation_frame(move || super::runs::show_kept_outputs(state));
    });
    view! {
        <div id="messages" class="messages" on:click=move |e| {
            let _ = &e;
            #[cfg(feature = "hydrate")]
            super::actions::message_click(state, &e);
        }>
            <For each=move || state.messages.get() key=|m| m.id.clone() children=move |m| {
                let class = match (m.role.clone(), m.left_out()) {
                    (Role::User, _) => "msg user",
                    (Role::Assistant, false) => "msg assistant",
                    (Role::Assistant, true) => "msg assistant left-out",
                };
                view! { <article class=class data-seq=m.seq data-id=m.id.clone() inner_html=row_html(&m, &state.base.get_value())></article> }
            } />
            <article class="msg assistant live" id="live" class:hidden=move || !state.streaming.get()>
                <details class="thinking" class:hidden=move || !state.live_thinking.get()>
                    <summary>"Thinking…"</summary>
                    <div class="thinking-text" node_ref=state.live_reasoning></div>
                </details>
                <div class="skill-runs" id="live-runs" node_ref=state.live_runs></div>
                <div class="answer prose"><div id="live-frozen" node_ref=state.live_frozen></div><div id="live-tail" node_ref=state.live_tail></div></div>
            </article>
        </div>
        <div class="turn-actions" class:hidden=move || !idle()>
            <button type="button" class="link small edit-last" prop:hidden=move || !state.messages.with(|ms| ms.iter().any(|m| m.role == Role::User))
                on:click=move |_| super::spawn!(super::actions::edit_last(state))>"Edit and resend"</button>
            <button type="button" class="link small" id="regenerate" prop:hidden=move || !last(|m| m.role == Role::Assistant)
                on:click=move |_| super::spawn!(super::actions::regenerate(state))>"Regenerate"</button>
            <button type="button" class="primary" id="continue" prop:hidden=move || !last(|m| m.role == Role::Assistant && m.ending.is_some_and(|e| e.can_continue()))
                on:click=move |_| super::spawn!(super::actions::continue_answer(state))>"Continue the answer"</button>
        </div>
        // Not asked under a turn that failed (its answer is an error, left out of the conversation).
        <div class="outcome" class:hidden=move || !idle() || last(ChatMessage::left_out)>
            <span class="muted">"Did this solve your problem?"</span>
            <span class="segmented">
                <button type="button" id="outcome-solved" aria-pressed=move || outcome_is("solved").to_string() on:click=move |_| super::spawn!(super::actions::set_outcome(state, "solved"))>"Solved"</button>
                <button type="button" id="outcome-not-solved" aria-pressed=move || outcome_is("not-solved").to_string() on:click=move |_| super::spawn!(super::actions::set_outcome(state, "not-solved"))>"Not solved"</button>
            </span>
            <span class="muted" role="status">{move || if outcome_is("solved") { "Marked as solved." } else if outcome_is("not-solved") { "Marked as not solved." } else { "" }}</span>
        </div>
    }
}

/// Text made safe inside HTML elements and attribute values.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A message as HTML. The answer goes through the sanitising renderer;
/// everything else is escaped text. Buttons carry `data-action`.
fn row_html(m: &ChatMessage, base: &str) -> String {
    if m.role == Role::User {
        let attached: String = m.skills_used.iter().map(|s| format!(" <a class=\"pill\" href=\"{}\">{}</a>", escape(&s.url(base)), escape(&s.name))).collect();
        let attached = if attached.is_empty() { attached } else { format!("<p class=\"skills-attached muted\">With the skill{attached}</p>") };
        return format!("<div class=\"bubble\">{}</div>{attached}", escape(&m.text));
    }
    let mut html = String::new();
    if !m.reasoning.is_empty() {
        html.push_str(&format!("<details class=\"thinking\"><summary>Thinking</summary><div class=\"thinking-text\">{}</div></details>", escape(&m.reasoning)));
    }
    if !m.runs.is_empty() {
        let cards: String = m.runs.iter().enumerate().map(|(i, run)| super::run_card::card_html(run, i, false)).collect();
        html.push_str(&format!("<div class=\"skill-runs\">{cards}</div>"));
    }
    html.push_str(&format!("<div class=\"answer prose\">{}</div>", crate::kit::render_safe(&m.text)));
    if let Some(error) = &m.error {
        html.push_str(&format!("<p class=\"notice error chat-error\" role=\"alert\">{}</p>", escape(error)));
    }
    if m.stopped {
        html.push_str("<p class=\"muted stopped\">Stopped; the answer so far is kept.</p>");
    }
    if let Some(note) = m.ending_note() {
        html.push_str(&format!("<p class=\"notice ending\">{}</p>", escape(&note)));
    }
    if m.left_out() {
        html.push_str("<p class=\"muted left-out-note\">Left out of what the model sees. <button type=\"button\" class=\"link small resend\" data-action=\"resend\">Resend</button></p>");
    }
    if !m.skills_used.is_empty() {
        let links: Vec<String> = m.skills_used.iter().map(|s| format!("<a href=\"{}\">{}</a>", escape(&s.url(base)), escape(&s.name))).collect();
        html.push_str(&format!("<p class=\"skills-used\">Skills used: {}</p>", links.join(" ")));
    }
    let tokens = m.input_tokens.zip(m.output_tokens).map(|(i, o)| format!(" · {i} tokens in, {o} out")).unwrap_or_default();
    html.push_str(&format!("<p class=\"msg-meta muted\">{}{tokens} <button type=\"button\" class=\"link small copy-message\" data-action=\"copy\">Copy</button></p>", escape(&m.model)));
    html
}
