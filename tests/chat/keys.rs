//! Where the key may go: bound to the origin it was saved for, asked
//! about before it goes anywhere else, never sent under a refused base URL,
//! and never read by a chat framed by another site.

use super::*;

impl Chat {
    fn key_note(&self) -> String {
        self.browser.eval("return document.querySelector('#key-status').textContent;").as_str().unwrap().to_string()
    }

    /// Waits for the question about sending the key elsewhere and returns it.
    fn origin_question(&self) -> String {
        self.browser.wait_for("document.querySelector('#key-origin-question')", 10);
        self.browser.eval("return document.querySelector('#key-origin-question p').textContent;").as_str().unwrap().to_string()
    }

    /// The requests `standin` received that carried `key` anywhere.
    fn with_key(standin: &ProviderStandIn, key: &str) -> usize {
        standin.requests().iter().filter(|r| r.headers.iter().any(|(_, v)| v.contains(key)) || r.path.contains(key) || r.body.contains(key)).count()
    }
}

#[test]
fn a_key_goes_to_another_origin_only_once_the_user_says_so() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    let first = c.standin.origin();
    let second = ProviderStandIn::start();
    let key = c.standin.key(ProviderKind::Anthropic).unwrap();

    // Saved with a base URL the parser reads as 127.0.0.1: the note says so,
    // not the host written after the backslash.
    c.open_settings();
    c.set("#provider", &provider_id(ProviderKind::Anthropic));
    c.set("#base-url", &format!("{first}\\@api.anthropic.com"));
    c.browser.type_into("#api-key", &key);
    c.browser.click("#save-key");
    c.browser.wait_for("document.querySelector('#key-status').textContent.includes('stored encrypted')", 10);
    let note = c.key_note();
    assert!(note.contains(&format!("sent only to {first}.")) && !note.contains("anthropic.com"), "{note}");

    // The stand-in's own base URL: the same origin, so no question.
    c.configure(ProviderKind::Anthropic);
    c.send("hello first");
    assert!(c.last_answer().contains("Echo: hello first"));

    // Another origin (another port): nothing goes there until the user says so.
    c.open_settings();
    c.set("#base-url", &second.base_url(ProviderKind::Anthropic));
    c.browser.wait_for(&format!("document.querySelector('#key-status').textContent.includes('now points at {}')", second.origin()), 10);
    c.send("hello second");
    assert_eq!(c.origin_question(), format!("Your Anthropic key was saved for {first}. Send it to {}?", second.origin()));
    std::thread::sleep(Duration::from_millis(300));
    assert!(second.requests().is_empty(), "nothing reached the other origin before confirming");
    assert_eq!(c.browser.eval("return document.querySelector('#chat-input').value;"), "hello second", "the question stays in the box");
    // List models asks too; Cancel sends nothing.
    c.browser.click("#load-models");
    c.origin_question();
    c.browser.click("#key-origin-cancel");
    c.browser.wait_for("document.querySelector('#key-origin-question') === null", 10);
    std::thread::sleep(Duration::from_millis(300));
    assert!(second.requests().is_empty(), "cancelled: nothing sent");
    assert!(c.key_note().contains(&format!("sent only to {first}.")), "still bound to the first origin");

    // Confirming sends the waiting message there and binds the key to it.
    c.browser.click("#send");
    c.origin_question();
    c.browser.click("#key-origin-send");
    assert!(c.last_answer().contains("Echo: hello second"));
    assert!(Chat::with_key(&second, &key) > 0, "the key went to the second origin once confirmed");
    for request in second.requests().iter().filter(|r| r.method == "POST") {
        assert_eq!(request.header("x-api-key"), Some(key.as_str()));
    }
    c.browser.wait_for(&format!("document.querySelector('#key-status').textContent.includes('sent only to {}.')", second.origin()), 10);
    // Kept across a reload; going back to the first origin asks again.
    c.open();
    c.browser.wait_for("document.querySelector('#key-status').textContent.includes('sent only to')", 10);
    assert!(c.key_note().contains(&format!("sent only to {}.", second.origin())), "{}", c.key_note());
    let first_before = Chat::with_key(&c.standin, &key);
    c.open_settings();
    c.set("#base-url", &c.standin.base_url(ProviderKind::Anthropic));
    c.send("back to the first");
    assert!(c.origin_question().contains(&format!("Send it to {first}?")));
    assert_eq!(Chat::with_key(&c.standin, &key), first_before);
    assert_eq!(c.browser.console_errors(), Vec::<String>::new());
}

#[test]
fn invalid_base_urls_are_refused_and_old_keys_stay_with_their_provider() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    c.configure(ProviderKind::Anthropic);
    let origin = c.standin.origin();
    let base = c.standin.base_url(ProviderKind::Anthropic);
    let host = origin.trim_start_matches("http://");
    let cases = [
        ("ftp://example.com/v1".to_string(), "must start with https://"),
        ("not a url".to_string(), "not a web address"),
        (format!("http://user:pass@{host}/anthropic"), "user name or password"),
        (format!("{base}?x=1"), "query"),
        (format!("{base}#top"), "fragment"),
    ];
    c.standin.take_requests();
    for (url, says) in cases {
        c.open_settings();
        c.set("#base-url", &url);
        c.browser.wait_for(&format!("document.querySelector('#key-status').textContent.includes({says:?})"), 10);
        c.browser.type_into("#chat-input", "x");
        c.browser.click("#send");
        c.browser.wait_for(&format!("document.querySelector('#chat-notice') && document.querySelector('#chat-notice').textContent.includes({says:?})"), 10);
        let notice = c.browser.eval("return document.querySelector('#chat-notice').textContent;").to_string();
        assert!(notice.contains("https://api.anthropic.com"), "names the fix: {notice}");
        c.browser.click("#load-models");
        std::thread::sleep(Duration::from_millis(200));
        c.browser.eval("const e = document.querySelector('#chat-input'); e.value = ''; e.dispatchEvent(new Event('input', { bubbles: true })); return true;");
    }
    assert!(c.standin.take_requests().is_empty(), "nothing was sent to a refused base URL");

    // A key saved before keys were bound counts as bound to the provider's
    // default origin: kept, and not sent elsewhere without asking.
    c.set("#base-url", &base);
    let stripped = c.browser.eval_async(
        r#"const done = arguments[arguments.length - 1];
        const open = indexedDB.open("llmos");
        open.onsuccess = () => {
          const store = open.result.transaction("secrets", "readwrite").objectStore("secrets");
          const get = store.get("anthropic");
          get.onsuccess = () => { const record = get.result; const had = "origin" in record; delete record.origin; store.put(record).onsuccess = () => done(had); };
        };"#,
    );
    assert_eq!(stripped, true, "new records carry their origin");
    c.open();
    c.browser.wait_for("document.querySelector('#key-status').textContent.includes('sent only to')", 10);
    let note = c.key_note();
    assert!(note.contains("sent only to https://api.anthropic.com.") && note.contains(&format!("now points at {origin}")), "{note}");
    c.send("an old key");
    assert!(c.origin_question().contains(&format!("saved for https://api.anthropic.com. Send it to {origin}?")));
    c.browser.click("#key-origin-send");
    assert!(c.last_answer().contains("Echo: an old key"));
}

#[test]
fn the_chat_does_not_run_inside_a_frame_from_another_site() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    c.configure(ProviderKind::Anthropic);
    c.standin.take_requests();
    let port = c.server.port;
    // To the browser, localhost and 127.0.0.1 are two origins (and two sites).
    let site = c._tmp.path().join("site");
    std::fs::write(site.join("framer.html"), format!("<!doctype html><title>framer</title><iframe id=\"framed\" src=\"http://localhost:{port}/chat/\" width=\"900\" height=\"600\"></iframe>")).unwrap();
    std::fs::write(site.join("same-origin-framer.html"), "<!doctype html><title>framer</title><iframe id=\"framed\" src=\"/chat/\" width=\"900\" height=\"600\"></iframe>").unwrap();

    c.browser.goto(&c.server.url("/framer.html"));
    c.browser.wait_for("document.querySelector('#framed')", 10);
    c.browser.enter_frame("#framed");
    c.browser.wait_for(HYDRATED, 30);
    let notice = c.browser.wait_for("document.querySelector('#framed-notice') && document.querySelector('#framed-notice').textContent", 10);
    assert!(notice.as_str().unwrap().contains("LLMos's chat does not work inside a frame from another site; open it directly"), "{notice}");
    let state = c.browser.eval("return [document.querySelector('#framed-notice a').href, document.querySelector('#framed-notice a').target, document.querySelector('.chat, #chat-input, #api-key') === null];");
    assert_eq!(state, serde_json::json!([format!("http://localhost:{port}/chat/"), "_blank", true]));
    let databases = c.browser.eval_async("const done = arguments[arguments.length - 1]; indexedDB.databases().then((d) => done(d.map((x) => x.name)));");
    assert_eq!(databases, serde_json::json!([]), "the framed page never opened the store, so never read a key");
    c.browser.leave_frames();
    std::thread::sleep(Duration::from_millis(300));
    assert!(c.standin.requests().is_empty(), "nothing reached the provider");

    // A frame from the chat's own origin is the chat's business: it runs.
    c.browser.goto(&c.server.url("/same-origin-framer.html"));
    c.browser.wait_for("document.querySelector('#framed')", 10);
    c.browser.enter_frame("#framed");
    c.browser.wait_for(HYDRATED, 30);
    c.browser.wait_for("document.querySelector('#key-status') && document.querySelector('#key-status').textContent.includes('stored encrypted')", 10);
    assert_eq!(c.browser.eval("return document.querySelector('#framed-notice') === null;"), true);
    c.browser.leave_frames();
}
