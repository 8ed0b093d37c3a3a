//! The chat page as people use chat clients: the composer stays at the
//! bottom of the screen however long the answer, settings take little room,
//! every control looks like what it is, chats are renamed in place, the
//! outcome shows what was chosen, and nothing is wider than a phone.

use super::*;
use serde_json::json;

/// JavaScript: whether the element matching the CSS selector `css` lies
/// entirely within the viewport.
fn in_view(css: &str) -> String {
    format!("(() => {{ const r = document.querySelector({css:?}).getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight + 0.5 && r.height > 0; }})()")
}

/// The page's horizontal overflow: the elements poking out of the viewport
/// (those clipped by a scrolling or hidden-overflow ancestor do not count).
const OVERFLOW: &str = "const width = innerWidth; const out = [];
    if (document.documentElement.scrollWidth > width) out.push('scrollWidth ' + document.documentElement.scrollWidth);
    for (const e of document.querySelectorAll('body *')) {
      const r = e.getBoundingClientRect();
      if (r.width === 0 || r.right <= width + 0.5) continue;
      let clipped = false;
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') { clipped = true; break; }
      }
      if (!clipped) out.push(e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' ' + Math.round(r.right));
    }
    return out;";

fn long_answer() -> String {
    let mut text: String = (1..=120).map(|i| format!("Line {i}: a long answer keeps going, café 日本語.\n\n")).collect();
    text.push_str("The very last line.");
    text
}

#[test]
fn the_composer_stays_in_view_after_a_long_answer() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    c.configure(ProviderKind::Anthropic);
    c.standin.set_delay_ms(1);
    c.standin.script(None, Script::text(long_answer()));
    c.send("tell me everything");
    // While it streams, the answer's newest part and the Stop button stay on screen.
    c.browser.wait_for("document.querySelector('#live .answer').textContent.includes('Line 60')", 30);
    assert_eq!(c.browser.eval(&format!("return {} && {};", in_view("#chat-input"), in_view("#stop"))), true, "the composer while streaming");
    assert!(c.last_answer().trim_end().ends_with("The very last line."));
    let end_visible = "(() => { const a = [...document.querySelectorAll('.msg.assistant:not(.live) .answer')].pop(); const r = a.lastElementChild.getBoundingClientRect();
        const composer = document.querySelector('.composer').getBoundingClientRect(); return r.bottom > 0 && r.bottom <= composer.top + 1; })()";
    assert_eq!(c.browser.eval(&format!("return [{}, {end_visible}];", in_view("#chat-input"))), json!([true, true]), "the composer, and the end of the answer above it");
    // Reopened, a long conversation shows its end, with the composer.
    c.open();
    c.browser.wait_for("document.querySelectorAll('.msg.assistant').length >= 2", 10);
    c.browser.wait_for(&format!("{} && {end_visible}", in_view("#chat-input")), 10);
    // Scrolling up to read leaves the composer where it is.
    c.browser.eval("window.scrollTo(0, document.documentElement.scrollHeight / 3); return true;");
    assert_eq!(c.browser.eval(&format!("return {};", in_view("#chat-input"))), true);
}

#[test]
fn before_a_key_is_saved_the_settings_leave_room_for_the_chat() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    for (width, height, share) in [(1200, 900, 0.4), (390, 844, 0.5)] {
        c.viewport(width, height);
        c.open();
        assert_eq!(c.browser.eval("return document.querySelector('.chat-settings').open;"), true, "{width}: open until a key is saved");
        let settings = c.browser.eval("return document.querySelector('.chat-settings').getBoundingClientRect().height / innerHeight;").as_f64().unwrap();
        assert!(settings <= share, "{width}px: the settings take {:.0}% of the screen", settings * 100.0);
        assert_eq!(c.browser.eval(&format!("return {};", in_view("#chat-input"))), true, "{width}px: the composer is on the first screen");
        assert_eq!(c.browser.eval(&format!("return {};", in_view("#api-key"))), true, "{width}px: so is the key field");
    }
    // Once set, one line.
    c.viewport(1200, 900);
    c.open();
    c.configure(ProviderKind::Anthropic);
    c.open();
    let closed = c.browser.eval("const d = document.querySelector('.chat-settings'); return [d.open, d.getBoundingClientRect().height];");
    assert_eq!(closed[0], false);
    assert!(closed[1].as_f64().unwrap() < 60.0, "{closed}");
}

/// The WCAG contrast ratio of two `rgb(…)` colours.
fn contrast(a: &str, b: &str) -> f64 {
    let luminance = |css: &str| {
        let channels: Vec<f64> = css.trim_start_matches("rgba(").trim_start_matches("rgb(").trim_end_matches(')').split(',').take(3).map(|c| c.trim().parse::<f64>().unwrap() / 255.0).collect();
        let linear = |c: f64| if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) };
        0.2126 * linear(channels[0]) + 0.7152 * linear(channels[1]) + 0.0722 * linear(channels[2])
    };
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[test]
fn every_chat_control_looks_like_what_it_is() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    c.configure(ProviderKind::Anthropic);
    c.send("hello");
    c.last_answer();
    c.open_settings();
    // Buttons look like buttons (the theme's font, a border or fill, a pointer);
    // link-like actions look like links; nothing is plain text that acts.
    let odd = c.browser.eval(
        "const body = getComputedStyle(document.body).fontFamily; const odd = [];
         for (const e of document.querySelectorAll('.chat button, .chat label:has(input[type=file]), .chat summary')) {
           if (e.getClientRects().length === 0) continue;
           const s = getComputedStyle(e); const name = (e.id || e.className || e.tagName) + ' ' + e.textContent.trim().slice(0, 20);
           if (s.cursor !== 'pointer' && !e.disabled) odd.push(name + ': cursor ' + s.cursor);
           if (e.tagName !== 'BUTTON' && e.tagName !== 'SUMMARY') { odd.push(name + ': a ' + e.tagName + ' acting as a button'); continue; }
           if (e.tagName === 'SUMMARY') continue;
           if (s.fontFamily !== body) odd.push(name + ': font ' + s.fontFamily);
           if (e.classList.contains('link')) { if (!s.textDecorationLine.includes('underline')) odd.push(name + ': a link without underline'); continue; }
           if (s.borderStyle === 'outset' || s.borderStyle === 'inset') odd.push(name + ': the browser default border');
           if (s.borderRadius === '0px' && !e.closest('.segmented')) odd.push(name + ': square');
         }
         return odd;",
    );
    assert_eq!(odd, json!([]), "controls that do not look like what they are");
    // Primary buttons are readable in both colour schemes.
    for scheme in ["light", "dark"] {
        c.browser.cdp("Emulation.setEmulatedMedia", json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }));
        c.browser.eval("document.querySelector('#chat-input').value = 'x'; return true;");
        for css in ["#send", "#new-chat"] {
            let colours = c.browser.eval(&format!("const s = getComputedStyle(document.querySelector({css:?})); return [s.color, s.backgroundColor];"));
            let ratio = contrast(colours[0].as_str().unwrap(), colours[1].as_str().unwrap());
            assert!(ratio >= 4.5, "{scheme}: {css} is {colours} ({ratio:.2}:1)");
        }
    }
    c.browser.cdp("Emulation.setEmulatedMedia", json!({ "features": [] }));
}

#[test]
fn a_chat_is_renamed_in_place() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    c.configure(ProviderKind::Anthropic);
    c.send("the first title");
    c.last_answer();
    c.browser.eval("window.prompt = () => { window.prompted = true; return 'from a prompt'; }; return true;");
    c.browser.click("#conversations li .rename");
    c.browser.wait_for("document.activeElement && document.activeElement.matches('#conversations li input')", 5);
    assert_eq!(c.browser.eval("return document.activeElement.value;"), "the first title", "the title, ready to edit");
    c.clear_field("#conversations li input");
    c.browser.type_into("#conversations li input", "Renamed chat");
    c.browser.press(common::webdriver::ENTER);
    c.browser.wait_for("document.querySelector('#conversations li .title') && document.querySelector('#conversations li .title').textContent === 'Renamed chat'", 5);
    // Escape gives up an edit.
    c.browser.click("#conversations li .rename");
    c.browser.wait_for("document.activeElement && document.activeElement.matches('#conversations li input')", 5);
    c.browser.type_into("#conversations li input", " and more");
    c.browser.press(common::webdriver::ESCAPE);
    c.browser.wait_for("document.querySelector('#conversations li .title') && document.querySelector('#conversations li .title').textContent === 'Renamed chat'", 5);
    assert_eq!(c.browser.eval("return window.prompted === undefined;"), true, "no prompt() dialog");
    c.open();
    c.browser.wait_for("document.querySelector('#conversations li .title') && document.querySelector('#conversations li .title').textContent === 'Renamed chat'", 10);
}

#[test]
fn the_outcome_choice_shows_what_was_chosen() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    c.configure(ProviderKind::Anthropic);
    c.send("hello");
    c.last_answer();
    let look = "[...['#outcome-solved', '#outcome-not-solved']].map(css => { const s = getComputedStyle(document.querySelector(css)); return [s.backgroundColor, s.color, s.fontWeight, s.borderTopColor].join(' '); })";
    let before = c.browser.eval(&format!("return {look};"));
    assert_eq!(before[0], before[1], "nothing chosen yet: alike");
    c.browser.click("#outcome-solved");
    c.browser.wait_for("document.querySelector('#outcome-solved').getAttribute('aria-pressed') === 'true'", 10);
    let after = c.browser.eval(&format!("return {look};"));
    assert_ne!(after[0], after[1], "the chosen one stands out");
    assert_ne!(after[0], before[0]);
    assert!(c.text_of(".outcome [role=status]").contains("solved"), "and it is said: {:?}", c.text_of(".outcome"));
    c.browser.click("#outcome-not-solved");
    c.browser.wait_for("document.querySelector('.outcome [role=status]').textContent.includes('not solved')", 10);
    assert_eq!(c.browser.eval(&format!("return {look};"))[1], after[0], "the choice moved");
}

#[test]
fn the_chat_fits_narrow_screens() {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let c = chat();
    for width in [320, 390, 768] {
        c.viewport(width, 800);
        c.open();
        assert_eq!(c.browser.eval(OVERFLOW), json!([]), "{width}px, settings open");
        let key = c.browser.eval("return document.querySelector('#api-key').getBoundingClientRect().width;").as_f64().unwrap();
        assert!(key >= 180.0, "{width}px: the key field keeps a usable width: {key}px");
    }
    c.viewport(1200, 900);
    c.open();
    c.configure(ProviderKind::OpenAiCompatible);
    let url = format!("https://example.org/{}", "a-very-long-path-segment".repeat(8));
    let wide_code = format!("```\n{}\n```", "let x = 1; ".repeat(30));
    c.standin.script(None, Script::text(format!("See {url}\n\n{wide_code}\n\n| a | b | c | d | e | f |\n|---|---|---|---|---|---|\n| {} | 2 | 3 | 4 | 5 | 6 |", "wide ".repeat(20))));
    c.send(&format!("{} and {url}", "unbroken".repeat(12)));
    c.last_answer();
    for width in [320, 390, 768] {
        c.viewport(width, 800);
        c.open();
        c.browser.wait_for("document.querySelectorAll('.msg.assistant:not(.live)').length === 1", 10);
        assert_eq!(c.browser.eval(OVERFLOW), json!([]), "{width}px, a conversation with long words, code and a table");
    }
    c.viewport(1200, 900);
}
