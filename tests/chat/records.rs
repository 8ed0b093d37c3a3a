//! Records stored by earlier versions of the chat load as they did: the
//! chat reads them with its own readers (`records::from_json`), not serde's
//! (issue 14). An export that is not one names the record at fault and
//! imports nothing.

use super::*;
use serde_json::{json, Value};

/// Puts `records` into the store `store` of the page's IndexedDB.
fn put(browser: &Browser, store: &str, records: Value) {
    browser.eval_async(&format!(
        r#"const done = arguments[arguments.length - 1];
        const open = indexedDB.open("llmos");
        open.onsuccess = () => {{
          const tx = open.result.transaction({store:?}, "readwrite");
          for (const record of {records}) tx.objectStore({store:?}).put(record);
          tx.oncomplete = () => {{ open.result.close(); done(true); }};
        }};"#
    ));
}

#[test]
fn records_stored_by_earlier_versions_load_and_a_broken_export_imports_nothing() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    // As stored before runs, reasoning, endings and answer limits existed.
    put(&c.browser, "conversations", json!([{ "id": "old", "title": "An old chat", "created": 1.0, "updated": 2.0 }]));
    put(
        &c.browser,
        "messages",
        json!([
            { "id": "m1", "conversation": "old", "seq": 0, "role": "user", "text": "What is a Bell state?", "created": 1 },
            { "id": "m2", "conversation": "old", "seq": 1, "role": "assistant", "text": "Two **entangled** qubits.", "created": 2, "model": "claude-old",
              "skills_used": [], "input_tokens": null, "output_tokens": null, "error": null, "stopped": false },
        ]),
    );
    put(
        &c.browser,
        "traces",
        json!([{ "id": "old", "conversation": "old", "goal": "What is a Bell state?", "provider": "anthropic", "model": "claude-old",
                 "skills_offered": [], "skills_used": [], "tool_calls": [], "turns": [], "outcome": "solved" }]),
    );
    put(&c.browser, "settings", json!([{ "key": "chat", "value": { "provider": "openai", "system": "Be brief." } }]));

    // The latest chat reopens with its answer rendered, its outcome and the settings.
    c.open();
    c.browser.wait_for("[...document.querySelectorAll('.msg.assistant:not(.live) .answer strong')].some(s => s.textContent === 'entangled')", 20);
    assert!(c.text_of(".msg.user").contains("What is a Bell state?"));
    assert_eq!(c.text_of("#conversations li .title").trim(), "An old chat");
    c.browser.wait_for("document.querySelector('#outcome-solved').getAttribute('aria-pressed') === 'true'", 10);
    assert_eq!(c.browser.eval("return document.querySelector('#provider').value;"), json!("openai"));

    // An export whose second message has no text: named, and nothing is imported.
    let broken = json!({
        "format": "llmos-chats-1",
        "conversations": [{ "id": "new", "title": "A new chat", "created": 3, "updated": 4 }],
        "messages": [
            { "id": "n1", "conversation": "new", "seq": 0, "role": "user", "text": "hi", "created": 3 },
            { "id": "n2", "conversation": "new", "seq": 1, "role": "assistant", "created": 4 },
        ],
        "traces": [],
    });
    let path = c.browser.downloads.path().join("broken-chats.json");
    std::fs::write(&path, broken.to_string()).unwrap();
    c.browser.choose_files("#import-chats", &[&path]);
    c.browser.wait_for("(document.querySelector('#chat-notice') || {}).textContent?.includes('message 2 of 2 cannot be read')", 10);
    assert!(c.text_of("#chat-notice").contains("nothing was imported"), "{}", c.text_of("#chat-notice"));
    assert_eq!(c.browser.eval("return document.querySelectorAll('#conversations li').length;"), json!(1));
    assert_eq!(c.browser.console_errors(), Vec::<String>::new());
}
