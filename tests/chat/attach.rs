//! "Use in chat" (issue 15, part 1): `chat/?skill=<name>` opens the chat
//! with that skill attached to the next message, as a chip the user can
//! remove; the skill's instructions go with that message only.

use super::*;
use serde_json::Value;

const ATTACHED: &str = "The user attached the skill `bell-state`";

impl Chat {
    /// Opens the chat at `path` (a query string may follow `/chat/`).
    fn open_at(&self, path: &str) {
        self.browser.goto(&self.server.url(path));
        self.browser.wait_for(HYDRATED, 30);
        self.browser.wait_for("document.querySelector('#key-status') && document.querySelector('#key-status').textContent.trim() !== ''", 20);
    }

    /// The system prompt of each chat request since the last call.
    fn systems(&self) -> Vec<String> {
        let posts: Vec<_> = self.standin.take_requests().into_iter().filter(|r| r.method == "POST").collect();
        posts.iter().map(|r| serde_json::from_str::<Value>(&r.body).unwrap()["system"].as_str().unwrap_or_default().to_string()).collect()
    }
}

#[test]
fn use_in_chat_attaches_the_skill_to_the_next_message_only() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    c.configure(ProviderKind::Anthropic);
    c.standin.script(None, Script::text("An earlier answer."));
    c.send("An earlier question.");
    c.last_answer();
    c.standin.take_requests();

    c.open_at("/chat/?skill=bell-state");
    c.browser.wait_for("document.querySelector('#attached-skill')", 20);
    let chip = c.browser.eval("const e = document.querySelector('#attached-skill'); return [e.dataset.slug, e.querySelector('a').getAttribute('href'), e.textContent];");
    assert_eq!((&chip[0], &chip[1]), (&serde_json::json!("bell-state"), &serde_json::json!("/skills/bell-state/")), "{chip}");
    assert_eq!(c.browser.eval("return location.search;"), "", "the parameter is used once: a reload attaches nothing");
    assert_eq!(c.browser.eval("return document.querySelectorAll('#messages .msg:not(.live)').length;"), 0, "a new chat, not the earlier one");

    c.standin.script(None, Script::text("Hadamard, then CNOT."));
    c.send("What do I do first?");
    assert!(c.last_answer().contains("Hadamard, then CNOT."));
    let systems = c.systems();
    assert_eq!(systems.len(), 1, "{systems:?}");
    assert!(systems[0].contains(ATTACHED) && systems[0].contains("hello world"), "the skill's instructions went with the message: {}", systems[0]);
    assert_eq!(c.browser.eval("return document.querySelector('#attached-skill') === null;"), true, "attached to that message only");
    let shown = c.browser.eval("const u = [...document.querySelectorAll('.msg.user .skills-attached a')]; return u.map(a => [a.textContent, a.getAttribute('href')]);");
    assert_eq!(shown, serde_json::json!([["bell-state", "/skills/bell-state/"]]), "the question shows its skill");
    let traces = all_traces(&c.browser);
    assert!(traces.as_array().unwrap().iter().any(|t| t["goal"] == "What do I do first?" && t["skills_used"] == serde_json::json!(["bell-state"])), "{traces}");

    // The next message goes without it.
    c.standin.script(None, Script::text("Sure."));
    c.send("And then?");
    c.last_answer();
    assert!(!c.systems()[0].contains("The user attached the skill"), "the next message carries no attached skill");

    // Removed before sending: nothing attached.
    c.open_at("/chat/?skill=bell-state");
    c.browser.wait_for("document.querySelector('#attached-skill')", 20);
    c.browser.click("#remove-attached");
    c.browser.wait_for("document.querySelector('#attached-skill') === null", 5);
    c.standin.script(None, Script::text("Without a skill."));
    c.send("Hello there.");
    c.last_answer();
    assert!(!c.systems()[0].contains("The user attached the skill"), "a removed skill is not sent");

    // A name that is no skill: a plain notice, nothing attached.
    c.open_at("/chat/?skill=no-such-skill");
    c.browser.wait_for("document.querySelector('#chat-notice')", 20);
    let notice = c.text_of("#chat-notice");
    assert!(notice.contains("no skill named no-such-skill"), "{notice}");
    assert_eq!(c.browser.eval("return [document.querySelector('#attached-skill') === null, location.search];"), serde_json::json!([true, ""]));
    assert_eq!(c.browser.console_errors(), Vec::<String>::new());
}
