//! The chat island in real headless Chromium, against the provider
//! stand-in on 127.0.0.1 (the providers' wire formats, byte for byte): the
//! chat code is the published one, only the base URL differs.

mod common;
// Keys bound to origins, and the chat refusing foreign frames (issue 10).
#[path = "chat/keys.rs"]
mod keys;
// The page: composer in view, compact settings, controls, phones (issue 11).
#[path = "chat/layout.rs"]
mod layout;
// Settings that keep what is typed, refuse broken base URLs, and the answer limit (issue 11).
#[path = "chat/settings.rs"]
mod settings;
// What a turn contributes and how answers end: failures, limits, filters,
// whole bodies, reasoning (issue 11).
#[path = "chat/turns.rs"]
mod turns;
// Executable skills as tools: asked, run in the sandbox, returned (issue 12).
#[path = "chat/runs.rs"]
mod runs;
// "Use in chat": a skill attached to the next message (issue 15, part 1).
#[path = "chat/attach.rs"]
mod attach;
// The traces and evolution pages: patterns, proposals, review (issue 13).
#[path = "chat/evolution.rs"]
mod evolution;
#[path = "chat/records.rs"]
mod records;

use common::providers::{Failure, ProviderStandIn, Script, RETRY_AFTER_SECONDS};
use common::server::StaticServer;
use common::webdriver::Browser;
use common::*;
use llmos_core::llm::ProviderKind;
use std::sync::Mutex;
use std::time::{Duration, Instant};

static BROWSER: Mutex<()> = Mutex::new(());

const HYDRATED: &str = "document.documentElement.dataset.islands === 'hydrated'";
const IDLE: &str = "document.querySelector('#live').classList.contains('hidden') && !document.querySelector('#send').disabled";

struct Chat {
    _tmp: tempfile::TempDir,
    server: StaticServer,
    standin: ProviderStandIn,
    browser: Browser,
    /// Finished answers on the page before the last send.
    answers_before: std::cell::Cell<u64>,
}

fn chat() -> Chat {
    let tmp = tempfile::tempdir().unwrap();
    let run = llmos(tmp.path(), &["build", "--out", "site"]);
    assert!(run.ok, "{}", run.stderr);
    let server = StaticServer::start(&tmp.path().join("site"), "/");
    let chat = Chat { _tmp: tmp, server, standin: ProviderStandIn::start(), browser: Browser::start(), answers_before: std::cell::Cell::new(0) };
    chat.open();
    chat
}

/// Every trace in the page's IndexedDB, as stored.
fn all_traces(browser: &common::webdriver::Browser) -> serde_json::Value {
    browser.eval_async(
        r#"const done = arguments[arguments.length - 1];
        const open = indexedDB.open("llmos");
        open.onsuccess = () => {
          const request = open.result.transaction("traces").objectStore("traces").getAll();
          request.onsuccess = () => done(request.result);
        };"#,
    )
}

fn provider_id(kind: ProviderKind) -> String {
    serde_json::to_value(kind).unwrap().as_str().unwrap().to_string()
}

impl Chat {
    fn open(&self) {
        self.browser.goto(&self.server.url("/chat/"));
        self.browser.wait_for(HYDRATED, 30);
        // Until the chat has read its settings and key, the status is blank
        // (a space, where the page holds the place of the text to come).
        self.browser.wait_for("document.querySelector('#key-status') && document.querySelector('#key-status').textContent.trim() !== ''", 20);
    }

    /// Sets a field's value as a user would (pasting it, then leaving the
    /// field), firing `input` then `change`.
    fn set(&self, css: &str, value: &str) {
        self.browser.eval(&format!(
            "const e = document.querySelector({css:?}); e.value = {value:?}; for (const t of ['input', 'change']) e.dispatchEvent(new Event(t, {{ bubbles: true }})); return true;"
        ));
    }

    fn open_settings(&self) {
        self.browser.eval("const d = document.querySelector('.chat-settings'); if (!d.open) d.querySelector('summary').click(); return true;");
        self.browser.wait_for("document.querySelector('.chat-settings').open", 5);
    }

    fn configure(&self, kind: ProviderKind) {
        self.open_settings();
        self.set("#provider", &provider_id(kind));
        self.browser.wait_for(&format!("document.querySelector('#provider').value === {:?}", provider_id(kind)), 10);
        self.set("#base-url", &self.standin.base_url(kind));
        if let Some(key) = self.standin.key(kind) {
            self.browser.type_into("#api-key", &key);
            self.browser.click("#save-key");
            self.browser.wait_for("document.querySelector('#key-status').textContent.includes('stored encrypted')", 10);
        }
        self.set("#model", self.standin.model(kind));
        self.browser.wait_for(&format!("document.querySelector('.chat-settings summary').textContent.includes({:?})", self.standin.model(kind)), 10);
    }

    fn answers(&self) -> u64 {
        self.browser.eval("return document.querySelectorAll('.msg.assistant:not(.live)').length;").as_u64().unwrap()
    }

    fn send(&self, text: &str) {
        self.browser.wait_for(IDLE, 20);
        self.answers_before.set(self.answers());
        self.browser.type_into("#chat-input", text);
        self.browser.click("#send");
    }

    /// The newest answer, once the one asked for by `send` has finished.
    fn last_answer(&self) -> String {
        self.browser.wait_for(&format!("document.querySelectorAll('.msg.assistant:not(.live)').length > {} && {IDLE}", self.answers_before.get()), 30);
        self.browser.eval("const a = [...document.querySelectorAll('.msg.assistant:not(.live) .answer')]; return a.length ? a[a.length - 1].textContent : '';").as_str().unwrap().to_string()
    }

    fn last_error(&self) -> String {
        self.browser.eval("const a = [...document.querySelectorAll('.msg.assistant:not(.live)')]; const e = a.length && a[a.length - 1].querySelector('.chat-error'); return e ? e.textContent : '';").as_str().unwrap().to_string()
    }

    /// Sets the layout viewport, as a phone or tablet would have it.
    fn viewport(&self, width: u32, height: u32) {
        self.browser.cdp("Emulation.setDeviceMetricsOverride", serde_json::json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 800 }));
    }

    /// Clears a text field as a user would (select all, delete), firing `input`.
    fn clear_field(&self, css: &str) {
        self.browser.eval(&format!("const e = document.querySelector({css:?}); e.value = ''; e.dispatchEvent(new Event('input', {{ bubbles: true }})); return true;"));
    }

    fn text_of(&self, css: &str) -> String {
        self.browser.eval(&format!("const e = document.querySelector({css:?}); return e ? e.textContent : '';")).as_str().unwrap().to_string()
    }

    fn live_length(&self) -> usize {
        self.browser.eval("return document.querySelector('#live .answer').textContent.length;").as_u64().unwrap() as usize
    }
}

#[test]
fn answers_stream_token_by_token_from_every_provider_and_history_survives_a_reload() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    c.standin.set_delay_ms(25);
    for kind in ProviderKind::ALL {
        c.configure(kind);
        c.browser.click("#new-chat");
        c.send(&format!("hello from {}", provider_id(kind)));
        // Watch the answer grow while it streams.
        let mut lengths = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline && c.answers() == c.answers_before.get() {
            let length = c.live_length();
            if lengths.last() != Some(&length) {
                lengths.push(length);
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        assert!(lengths.iter().filter(|&&l| l > 0).count() >= 5, "{kind:?}: the answer arrived in pieces, not at once: {lengths:?}");
        let answer = c.last_answer();
        assert!(answer.contains(&format!("Echo: hello from {}", provider_id(kind))) && answer.contains("日本語 and 🦀"), "{kind:?}: {answer}");
        assert_eq!(c.last_error(), "", "{kind:?}");
        let usage = c.browser.eval("const m = [...document.querySelectorAll('.msg.assistant .msg-meta')]; return m[m.length - 1].textContent;");
        assert!(usage.as_str().unwrap().contains("tokens in"), "{kind:?}: usage shown: {usage}");
    }
    // A code block in the answer has a copy button.
    assert!(c.browser.eval("return document.querySelectorAll('.msg.assistant .code-block [data-copy]').length > 0;") == true);

    c.open();
    c.browser.wait_for("document.querySelectorAll('#conversations li').length === 5", 10);
    c.browser.wait_for("document.querySelectorAll('.msg.assistant').length >= 2", 10);
    assert!(c.last_answer().contains("Echo: hello from openai-compatible"), "the latest chat reopens after a reload");
    // Another chat from the list.
    c.browser.click("#conversations li:last-child .title");
    c.browser.wait_for("[...document.querySelectorAll('.msg.user .bubble')].some(b => b.textContent === 'hello from anthropic')", 10);
    assert_eq!(c.browser.console_errors(), Vec::<String>::new());
}

#[test]
fn stop_keeps_the_partial_answer_and_failures_read_clearly() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    c.configure(ProviderKind::Anthropic);

    c.standin.script(None, Script::failure(Failure::Hang));
    c.send("tell me a long story");
    c.browser.wait_for("document.querySelector('#live .answer').textContent.length > 0", 10);
    c.browser.click("#stop");
    c.browser.wait_for("document.querySelector('.msg.assistant .stopped')", 10);
    assert!(!c.last_answer().is_empty(), "the partial answer is kept");
    let deadline = Instant::now() + Duration::from_secs(10);
    while c.standin.open_streams() > 0 {
        assert!(Instant::now() < deadline, "stopping closed the connection");
        std::thread::sleep(Duration::from_millis(50));
    }

    c.standin.script(None, Script::failure(Failure::Status(429)));
    c.send("again");
    c.last_answer();
    let error = c.last_error();
    assert!(error.to_lowercase().contains("rate") && error.contains(&RETRY_AFTER_SECONDS.to_string()), "429: {error}");

    c.standin.script(None, Script::failure(Failure::DropAfter(6)));
    c.send("and again");
    let partial = c.last_answer();
    let error = c.last_error();
    assert!(!partial.is_empty() && error.contains("connection dropped"), "dropped stream: {partial:?} / {error}");

    c.standin.set_key(ProviderKind::Anthropic, Some("sk-a-different-key"));
    c.send("with a bad key");
    c.last_answer();
    let error = c.last_error();
    assert!(error.contains("401") && error.to_lowercase().contains("key"), "401: {error}");

    c.standin.set_cors(false);
    c.send("without CORS");
    c.last_answer();
    let error = c.last_error();
    assert!(error.contains("CORS") || error.to_lowercase().contains("could not reach"), "a CORS failure has no status: {error}");
}

#[test]
fn the_key_is_encrypted_and_goes_only_to_its_provider() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    // Asking before a key is saved keeps the question and says what is missing.
    c.browser.type_into("#chat-input", "too early");
    c.browser.click("#send");
    c.browser.wait_for("document.querySelector('#chat-notice') && document.querySelector('#chat-notice').textContent.includes('first')", 10);
    assert_eq!(c.browser.eval("return [document.querySelector('#chat-input').value, document.querySelectorAll('.msg').length - 1];"), serde_json::json!(["too early", 0]));
    c.browser.eval("const e = document.querySelector('#chat-input'); e.value = ''; e.dispatchEvent(new Event('input', { bubbles: true })); return true;");
    c.configure(ProviderKind::Anthropic);
    let key = c.standin.key(ProviderKind::Anthropic).unwrap();
    c.send("hello");
    assert!(c.last_answer().contains("Echo: hello"));

    let storage = c.browser.eval("return [localStorage.length, sessionStorage.length, document.cookie];");
    assert_eq!(storage, serde_json::json!([0, 0, ""]), "no key in web storage or cookies");
    let stored = c.browser.eval_async(
        r#"const done = arguments[arguments.length - 1];
        const open = indexedDB.open("llmos");
        open.onsuccess = () => {
          const request = open.result.transaction("secrets").objectStore("secrets").getAll();
          request.onsuccess = () => done(request.result.map((r) => [r.provider, r.key ? r.key.constructor.name + ":" + r.key.extractable : new TextDecoder().decode(r.data)]));
        };"#,
    );
    let stored = stored.to_string();
    assert!(!stored.contains(&key), "the key is encrypted at rest: {stored}");
    assert!(stored.contains("CryptoKey:false"), "under a non-extractable key: {stored}");

    let requests = c.standin.requests();
    let with_key: Vec<_> = requests.iter().filter(|r| r.headers.iter().any(|(_, v)| v.contains(&key)) || r.path.contains(&key) || r.body.contains(&key)).collect();
    assert!(!with_key.is_empty());
    for request in &with_key {
        assert_eq!(request.header("x-api-key"), Some(key.as_str()), "only in the provider's key header: {} {}", request.method, request.path);
        assert!(!request.path.contains(&key) && !request.body.contains(&key));
    }
    let site_requests = c.server.take_requests();
    assert!(site_requests.iter().all(|r| !r.contains(&key)), "the site never sees the key");

    c.open_settings();
    c.browser.click("#forget-key");
    c.browser.wait_for("document.querySelector('#key-status').textContent.startsWith('Forgotten')", 10);
    c.open();
    assert!(c.browser.eval("return document.querySelector('#key-status').textContent;").as_str().unwrap().contains("No key saved"));
}

#[test]
fn a_hostile_answer_executes_nothing() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    c.configure(ProviderKind::OpenAi);
    c.standin.script(
        None,
        Script::text(
            "Here you go.\n\n<script>window.pwned = 1</script>\n\n<img src=x onerror=\"window.pwned = 2\">\n\n[click me](javascript:window.pwned=3) and \
             <a href=\"javascript:window.pwned=4\">this</a> and <div onmouseover=\"window.pwned=5\">hover</div>\n\n\
             ![pixel](https://tracker.example/p.png?secret=1)\n\n[fine](https://example.com/)\n",
        ),
    );
    c.send("say something nasty");
    let answer = c.last_answer();
    assert!(answer.contains("Here you go."));
    let report = c.browser.eval(
        "const m = document.querySelector('#messages'); return [window.pwned === undefined, m.querySelectorAll('script, img, iframe, [onerror], [onmouseover]').length, \
         [...m.querySelectorAll('a')].filter(a => /^\\s*javascript:/i.test(a.getAttribute('href') || '')).length, \
         m.querySelector('a[href=\"https://example.com/\"]') !== null];",
    );
    assert_eq!(report, serde_json::json!([true, 0, 0, true]), "nothing ran, nothing active was inserted, safe links stay");
    // Hovering and clicking everything in the answer runs nothing either.
    c.browser.eval("document.querySelectorAll('.msg.assistant .answer *').forEach(e => { e.dispatchEvent(new MouseEvent('mouseover', { bubbles: true })); }); return true;");
    assert_eq!(c.browser.eval("return window.pwned === undefined;"), true);
    assert_eq!(c.browser.console_errors(), Vec::<String>::new());
}

#[test]
fn skills_are_offered_loaded_on_request_and_shown() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    c.configure(ProviderKind::Anthropic);
    c.standin.script(None, Script::tool_call("load_skill", r#"{"name":"bell-state"}"#));
    c.standin.script(None, Script::text("Following the bell-state skill: apply a Hadamard, then a CNOT."));
    c.send("How do I prepare a Bell state of two entangled qubits?");
    let answer = c.last_answer();
    assert!(answer.contains("Following the bell-state skill"), "{answer}");
    let used = c.browser.eval("const u = [...document.querySelectorAll('.msg.assistant .skills-used a')]; return u.map(a => [a.textContent, a.getAttribute('href')]);");
    assert_eq!(used, serde_json::json!([["bell-state", "/skills/bell-state/"]]));

    let requests: Vec<_> = c.standin.requests().into_iter().filter(|r| r.method == "POST").collect();
    assert_eq!(requests.len(), 2, "the tool call, then the answer");
    let first: serde_json::Value = serde_json::from_str(&requests[0].body).unwrap();
    assert!(first["system"].as_str().unwrap().contains("- bell-state:"), "offered by name and description");
    assert!(!first["system"].as_str().unwrap().contains("hello world"), "bodies are not sent until asked for");
    assert_eq!(first["tools"][0]["name"], "load_skill");
    assert!(requests[1].body.contains("tool_result") && requests[1].body.contains("hello world"), "the skill's body went back as the tool result");

    let trace = all_traces(&c.browser);
    let trace = &trace[0];
    assert_eq!(trace["goal"], "How do I prepare a Bell state of two entangled qubits?");
    assert_eq!(trace["skills_used"], serde_json::json!(["bell-state"]));
    assert!(trace["skills_offered"].as_array().unwrap().iter().any(|s| s == "bell-state"));
    assert_eq!(trace["tool_calls"][0]["name"], "load_skill");
    assert_eq!(trace["turns"][0]["ok"], true);
    c.browser.click("#outcome-solved");
    c.browser.wait_for("document.querySelector('#outcome-solved').getAttribute('aria-pressed') === 'true'", 10);
}

#[test]
fn regenerate_edit_models_local_servers_and_export_import() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    // A local OpenAI-compatible server, no key, with the model list; skills
    // come by the text convention there.
    c.open_settings();
    c.set("#provider", &provider_id(ProviderKind::OpenAiCompatible));
    c.set("#base-url", &c.standin.base_url(ProviderKind::OpenAiCompatible));
    c.browser.click("#load-models");
    c.browser.wait_for("document.querySelectorAll('#model-list option').length > 0", 10);
    c.browser.wait_for(&format!("document.querySelector('#model').value === {:?}", c.standin.model(ProviderKind::OpenAiCompatible)), 10);
    c.standin.script(None, Script::text("LOAD_SKILL: bell-state"));
    c.standin.script(None, Script::text("Using the Bell state skill now."));
    c.send("prepare a bell state of entangled qubits");
    assert_eq!(c.last_answer().trim(), "Using the Bell state skill now.", "the convention line is not part of the answer");
    let used = c.browser.eval("return [...document.querySelectorAll('.msg.assistant .skills-used a')].map(a => a.textContent);");
    assert_eq!(used, serde_json::json!(["bell-state"]));
    let posts: Vec<_> = c.standin.requests().into_iter().filter(|r| r.method == "POST").collect();
    assert!(posts[1].body.contains("The instructions of the skill `bell-state`"), "the body followed as a message");

    // Regenerate replaces the last answer.
    c.standin.script(None, Script::text("A second answer."));
    c.answers_before.set(c.answers() - 1);
    c.browser.click("#regenerate");
    c.browser.wait_for("[...document.querySelectorAll('.msg.assistant .answer')].some(a => a.textContent.includes('A second answer.'))", 20);
    c.last_answer();
    assert_eq!(c.answers(), 1, "the old answer was replaced");

    // Edit and resend: the last question comes back to the box.
    c.browser.click(".edit-last");
    c.browser.wait_for("document.querySelector('#chat-input').value === 'prepare a bell state of entangled qubits'", 10);
    assert_eq!(c.answers(), 0);
    c.browser.eval("const e = document.querySelector('#chat-input'); e.value = 'a different question'; e.dispatchEvent(new Event('input', { bubbles: true })); return true;");
    c.answers_before.set(0);
    c.browser.click("#send");
    assert!(c.last_answer().contains("Echo: a different question"));

    // Export all as JSON, delete the chat, import it back.
    c.browser.click("#export-json");
    let exported = c.browser.downloaded("llmos-chats.json", 20);
    let export: serde_json::Value = serde_json::from_slice(&exported).unwrap();
    assert_eq!(export["format"], "llmos-chats-1");
    assert_eq!(export["messages"].as_array().unwrap().len(), 2);
    c.browser.click("#export-markdown");
    let markdown = String::from_utf8(c.browser.downloaded("chat.md", 20)).unwrap();
    assert!(markdown.contains("## You\n\na different question"), "{markdown}");
    c.browser.eval("window.confirm = () => true; return true;");
    c.browser.click("#conversations li .danger");
    c.browser.wait_for("document.querySelectorAll('#conversations li').length === 0", 10);
    let path = c.browser.downloads.path().join("llmos-chats.json");
    c.browser.choose_files("#import-chats", &[&path]);
    c.browser.wait_for("document.querySelectorAll('#conversations li').length === 1", 10);
    c.browser.click("#conversations li .title");
    c.browser.wait_for("[...document.querySelectorAll('.msg.assistant .answer')].some(a => a.textContent.includes('Echo: a different question'))", 10);
    assert_eq!(c.browser.console_errors(), Vec::<String>::new());
}
