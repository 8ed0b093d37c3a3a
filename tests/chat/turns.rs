//! What each turn contributes to the conversation the model sees, and how
//! answers that ended early, arrived whole, or carried reasoning are shown.

use super::*;
use common::providers::tokens;
use llmos_core::llm::{Ending, CONTINUE_PROMPT};
use serde_json::{json, Value};

impl Chat {
    /// The messages of the last chat request, as (role, text) in the
    /// provider-neutral sense: system prompts left out.
    fn sent_messages(&self) -> Vec<(String, String)> {
        let post = self.standin.requests().into_iter().filter(|r| r.method == "POST").last().expect("a chat request");
        let body: Value = serde_json::from_str(&post.body).unwrap();
        let text = |content: &Value| content.as_str().map(str::to_string).unwrap_or_else(|| content.as_array().into_iter().flatten().filter_map(|b| b["text"].as_str()).collect());
        let list = body["messages"].as_array().or(body["contents"].as_array()).unwrap().clone();
        list.iter()
            .filter(|m| m["role"] != "system")
            .map(|m| (m["role"].as_str().unwrap().replace("model", "assistant"), if m["parts"].is_array() { text(&m["parts"]) } else { text(&m["content"]) }))
            .collect()
    }

    fn last_assistant(&self, css: &str) -> String {
        self.browser.eval(&format!("const a = [...document.querySelectorAll('.msg.assistant:not(.live)')].pop(); const e = a && a.querySelector({css:?}); return e ? e.textContent : '';")).as_str().unwrap().to_string()
    }
}

fn pair(role: &str, text: &str) -> (String, String) {
    (role.to_string(), text.to_string())
}

#[test]
fn failed_turns_are_left_out_of_the_conversation_sent() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    let kind = ProviderKind::Anthropic;
    c.configure(kind);
    c.standin.script(None, Script::failure(Failure::Status(429)));
    c.send("q1 rate limited");
    c.last_answer();
    c.standin.script(None, Script::failure(Failure::Status(500)));
    c.send("q2 server error");
    c.last_answer();
    c.standin.set_key(kind, Some("sk-another-key"));
    c.send("q3 refused key");
    c.last_answer();
    c.standin.set_key(kind, common::providers::default_key(kind));
    c.standin.script(None, Script::failure(Failure::DropAfter(4)));
    c.send("q4 dropped");
    assert!(!c.last_answer().is_empty(), "the partial answer is shown");
    c.send("q5 fine");
    let good = c.last_answer();
    c.send("q6 next");
    c.last_answer();
    // The good turn, then the new question: nothing of the four failures.
    let sent = c.sent_messages();
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert_eq!(sent[0], pair("user", "q5 fine"));
    assert_eq!(sent[1].0, "assistant");
    assert!(sent[1].1.starts_with("Echo: q5 fine") && good.starts_with("Echo: q5 fine"), "{sent:?}");
    assert_eq!(sent[2], pair("user", "q6 next"));
    assert_eq!(c.browser.eval("return document.querySelectorAll('.msg.assistant.left-out').length;"), 4, "the four failed turns are marked as left out");
    let dimmed = c.browser.eval("return [...document.querySelectorAll('.msg.user')].map(m => getComputedStyle(m).opacity < 1);");
    assert_eq!(dimmed, json!([true, true, true, true, false, false]), "their questions too");

    // Resending a failed question sends it again, as a new turn at the end.
    c.answers_before.set(c.answers());
    c.browser.click(".msg.assistant.left-out .resend");
    c.last_answer();
    let sent = c.sent_messages();
    assert_eq!(sent.last(), Some(&pair("user", "q1 rate limited")), "{sent:?}");
    assert_eq!(sent.len(), 5, "q5, its answer, q6, its answer, q1 again: {sent:?}");
}

#[test]
fn answers_that_end_early_say_why_in_every_provider() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    c.standin.set_delay_ms(1);
    for kind in ProviderKind::ALL {
        c.configure(kind);
        let endings: &[(Ending, &str)] = match kind {
            ProviderKind::Anthropic => &[(Ending::OutputLimit, "cut off"), (Ending::Refusal, "declined")],
            ProviderKind::Gemini => &[(Ending::OutputLimit, "cut off"), (Ending::Filtered, "content filter"), (Ending::PromptBlocked, "blocked this message")],
            _ => &[(Ending::OutputLimit, "cut off"), (Ending::Filtered, "content filter"), (Ending::Refusal, "declined")],
        };
        for &(ending, says) in endings {
            c.standin.script(None, Script::text("An answer that stops").ending(ending));
            c.send(&format!("{kind:?} {ending:?}"));
            c.last_answer();
            let note = c.last_assistant(".ending");
            assert!(note.contains(says), "{kind:?} {ending:?}: {note:?}");
            assert_eq!(c.last_error(), "", "{kind:?} {ending:?}: an ending is not a failure");
            let can_continue = c.browser.eval("const b = document.querySelector('#continue'); return b !== null && !b.hidden;");
            assert_eq!(can_continue, ending == Ending::OutputLimit, "{kind:?} {ending:?}: Continue where it helps");
        }
        c.send("a normal one");
        c.last_answer();
        assert_eq!(c.last_assistant(".ending"), "", "{kind:?}: a normal end says nothing");
    }
}

#[test]
fn continue_asks_for_the_rest_and_joins_it_to_the_answer() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    c.configure(ProviderKind::OpenAi);
    c.standin.script(None, Script::text("The first half, ").ending(Ending::OutputLimit));
    c.send("write a long thing");
    assert_eq!(c.last_answer().trim(), "The first half,");
    c.standin.script(None, Script::text("and the second half."));
    c.browser.click("#continue");
    c.browser.wait_for("[...document.querySelectorAll('.msg.assistant:not(.live) .answer')].some(a => a.textContent.includes('second half'))", 20);
    c.browser.wait_for(IDLE, 20);
    assert_eq!(c.answers(), 1, "one answer, continued");
    assert_eq!(c.last_answer().trim(), "The first half, and the second half.");
    assert_eq!(c.last_assistant(".ending"), "", "it ended normally this time");
    assert_eq!(c.sent_messages(), [pair("user", "write a long thing"), pair("assistant", "The first half, "), pair("user", CONTINUE_PROMPT)]);
    // The next question sees the whole answer, once.
    c.send("thanks");
    c.last_answer();
    assert_eq!(c.sent_messages()[1], pair("assistant", "The first half, and the second half."));
    c.open();
    c.browser.wait_for("document.querySelectorAll('.msg.assistant:not(.live)').length === 2", 10);
    assert_eq!(c.browser.eval("return document.querySelector('.msg.assistant .answer').textContent.trim();"), "The first half, and the second half.");
}

#[test]
fn a_reply_that_is_not_a_stream_is_read_whole() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    for kind in [ProviderKind::OpenAiCompatible, ProviderKind::Anthropic] {
        c.configure(kind);
        c.standin.script(None, Script { failure: Some(Failure::IgnoresStream), ..Script::text("The whole answer, at once.") });
        c.send("no streaming please");
        assert_eq!(c.last_answer().trim(), "The whole answer, at once.", "{kind:?}");
        assert_eq!(c.last_error(), "", "{kind:?}");
    }
    c.standin.script(None, Script::failure(Failure::JsonError));
    c.configure(ProviderKind::OpenAiCompatible);
    c.send("with a missing model");
    c.last_answer();
    let error = c.last_error();
    assert!(error.contains(&format!("model \"{}\" not found", c.standin.model(ProviderKind::OpenAiCompatible))), "the server's own message: {error}");
    assert!(!error.contains("connection dropped"), "{error}");
}

#[test]
fn reasoning_is_folded_while_it_streams_and_never_sent_back() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    c.configure(ProviderKind::OpenAiCompatible);
    let thoughts = "Let me think. ".repeat(20);
    c.standin.script(None, Script::text(format!("<think>{thoughts}</think>\n\nParis.")).delay_ms(30));
    c.send("capital of France?");
    // While the block is still open: folded, and out of the answer.
    c.browser.wait_for("document.querySelector('#live .thinking') && document.querySelector('#live .thinking').textContent.includes('Let me think. Let me think.')", 20);
    let live = c.browser.eval("const t = document.querySelector('#live .thinking'); return [t.open, document.querySelector('#live .answer').textContent];");
    assert_eq!(live[0], false, "collapsed");
    assert!(!live[1].as_str().unwrap().contains("think"), "not in the answer: {live}");
    assert_eq!(c.last_answer().trim(), "Paris.");
    let kept = c.browser.eval("const t = [...document.querySelectorAll('.msg.assistant:not(.live) .thinking')].pop(); return [t.open, t.querySelector('summary').textContent, t.textContent.includes('Let me think.')];");
    assert_eq!(kept, json!([false, "Thinking", true]));
    c.send("and of Italy?");
    c.last_answer();
    assert_eq!(c.sent_messages()[1], pair("assistant", "Paris."), "the reasoning is not sent back");
    assert!(tokens(&thoughts).len() > 10);

    // A provider's own reasoning field is folded the same way.
    c.configure(ProviderKind::Anthropic);
    c.standin.script(None, Script::text("Four.").reasoning("Two and two."));
    c.send("2+2?");
    assert_eq!(c.last_answer().trim(), "Four.");
    assert!(c.last_assistant(".thinking").contains("Two and two."));
}
