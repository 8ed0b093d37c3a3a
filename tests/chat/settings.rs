//! Settings keep what is typed, refuse a base URL that runs two addresses
//! together, say where a missing model list was looked for, and make the
//! answer limit a setting with a default per model family.

use super::*;
use llmos_core::llm::default_max_tokens;

impl Chat {
    /// Opens the less used settings (base URL, answer limit, system prompt).
    fn open_more_settings(&self) {
        self.open_settings();
        self.browser.eval("const d = document.querySelector('#more-settings'); if (!d.open) d.querySelector('summary').click(); return true;");
        self.browser.wait_for("document.querySelector('#more-settings').open", 5);
    }

    fn value(&self, css: &str) -> String {
        self.browser.eval(&format!("return document.querySelector({css:?}).value;")).as_str().unwrap().to_string()
    }

    /// The JSON body of the last chat request the stand-in received.
    fn last_post(&self) -> serde_json::Value {
        let post = self.standin.requests().into_iter().filter(|r| r.method == "POST").last().expect("a chat request");
        serde_json::from_str(&post.body).unwrap()
    }
}

#[test]
fn typed_settings_survive_a_reload_without_leaving_the_field() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    c.open_settings();
    // A new user without key or model is told both at once, the key first.
    c.set("#provider", &provider_id(ProviderKind::OpenAi));
    c.browser.wait_for(&format!("document.querySelector('#provider').value === {:?}", provider_id(ProviderKind::OpenAi)), 10);
    c.set("#model", "");
    c.browser.wait_for("document.querySelector('#key-status').textContent.includes('No key saved')", 10);
    c.browser.type_into("#chat-input", "hello");
    c.browser.click("#send");
    c.browser.wait_for("document.querySelector('#chat-notice') && document.querySelector('#chat-notice').textContent.includes('Two things first')", 10);
    let notice = c.browser.eval("return document.querySelector('#chat-notice').textContent;").to_string();
    assert!(notice.contains("save your OpenAI API key") && notice.contains("choose a model"), "{notice}");
    c.browser.eval("const e = document.querySelector('#chat-input'); e.value = ''; e.dispatchEvent(new Event('input', { bubbles: true })); return true;");
    c.set("#provider", &provider_id(ProviderKind::OpenAiCompatible));
    c.browser.wait_for(&format!("document.querySelector('#provider').value === {:?}", provider_id(ProviderKind::OpenAiCompatible)), 10);
    // Typed, never blurred: no `change` event ever fires.
    c.browser.type_into("#model", "my-local-model");
    c.open_more_settings();
    c.browser.type_into("#system-prompt", "Answer in French.");
    assert_eq!(c.value("#model"), "my-local-model", "typing is not interrupted");
    c.browser.wait_for("document.querySelector('.chat-settings summary').textContent.includes('my-local-model')", 5);
    std::thread::sleep(Duration::from_millis(300));
    c.open();
    c.open_more_settings();
    assert_eq!([c.value("#model"), c.value("#system-prompt")], ["my-local-model", "Answer in French."]);
}

#[test]
fn a_base_url_pasted_after_the_default_is_refused() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    c.open_more_settings();
    // The default is a placeholder: pasting into the field gives the pasted address only.
    assert_eq!(c.browser.eval("const e = document.querySelector('#base-url'); return [e.value, e.placeholder];"), serde_json::json!(["", "https://api.anthropic.com"]));
    let base = c.standin.base_url(ProviderKind::Anthropic);
    c.browser.type_into("#base-url", &base);
    assert_eq!(c.value("#base-url"), base);
    let key = c.standin.key(ProviderKind::Anthropic).unwrap();
    c.browser.type_into("#api-key", &key);
    c.browser.click("#save-key");
    c.browser.wait_for(&format!("document.querySelector('#key-status').textContent.includes('sent only to {}.')", c.standin.origin()), 10);

    // What appending to the default gave before: two addresses run together.
    c.set("#base-url", &format!("https://api.anthropic.com{base}"));
    c.browser.wait_for("document.querySelector('#key-status').textContent.includes('two addresses')", 10);
    let note = c.text_of("#key-status");
    assert!(!note.contains("comhttp"), "the note never names the run-together host: {note}");
    c.set("#model", c.standin.model(ProviderKind::Anthropic));
    c.standin.take_requests();
    c.browser.type_into("#chat-input", "hello");
    c.browser.click("#send");
    c.browser.wait_for("document.querySelector('#chat-notice') && document.querySelector('#chat-notice').textContent.includes('two addresses')", 10);
    std::thread::sleep(Duration::from_millis(300));
    assert!(c.standin.requests().is_empty(), "nothing was sent");
}

#[test]
fn a_missing_model_list_names_the_address_not_the_list() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    c.open_settings();
    c.set("#provider", &provider_id(ProviderKind::OpenAiCompatible));
    c.set("#base-url", &format!("{}/nope", c.standin.base_url(ProviderKind::OpenAiCompatible)));
    c.browser.click("#load-models");
    c.browser.wait_for("document.querySelector('#chat-notice') && document.querySelector('#chat-notice').textContent.includes('HTTP 404')", 10);
    let notice = c.text_of("#chat-notice");
    assert!(notice.contains("No model list at this address") && notice.contains("/nope/models") && notice.contains("base URL"), "{notice}");
    assert!(!notice.contains("from the list") && !notice.contains("model list in the settings"), "it does not send the user to the list that failed: {notice}");
}

#[test]
fn the_answer_limit_is_a_setting_with_a_default_per_model() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    let anthropic = ProviderKind::Anthropic;
    c.configure(anthropic);
    c.send("one");
    c.last_answer();
    let default = default_max_tokens(anthropic, c.standin.model(anthropic)).unwrap();
    assert_eq!(c.last_post()["max_tokens"], default, "the model family's default, not 4096");
    c.open_more_settings();
    assert!(c.browser.eval("return document.querySelector('#max-tokens').placeholder;").as_str().unwrap().contains(&default.to_string()));
    c.browser.type_into("#max-tokens", "1234");
    c.send("two");
    c.last_answer();
    assert_eq!(c.last_post()["max_tokens"], 1234);

    // Other providers get none unless it is set, and each keeps its own.
    let openai = ProviderKind::OpenAi;
    c.configure(openai);
    c.send("three");
    c.last_answer();
    assert_eq!(c.last_post().get("max_completion_tokens"), None, "the model's own limit");
    c.open_more_settings();
    assert_eq!(c.value("#max-tokens"), "", "Anthropic's limit stays Anthropic's");
    c.browser.type_into("#max-tokens", "500");
    c.send("four");
    c.last_answer();
    assert_eq!(c.last_post()["max_completion_tokens"], 500);
    c.open();
    c.open_more_settings();
    assert_eq!(c.value("#max-tokens"), "500");
    // Not a number: refused, and said.
    c.clear_field("#max-tokens");
    c.browser.type_into("#max-tokens", "-3");
    c.browser.wait_for("document.querySelector('#max-tokens-note') && document.querySelector('#max-tokens-note').textContent.includes('whole number')", 5);
}
