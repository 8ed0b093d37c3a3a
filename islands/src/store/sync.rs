//! Keeps open tabs consistent: a tab that changes the user's skills says so
//! on a BroadcastChannel, and every island listing skills (in this tab or
//! another) reloads them.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

const CHANNEL: &str = "llmos-skills";

/// Tells every other listener on this origin that skills changed.
pub fn announce_skills_changed() {
    if let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) {
        let _ = channel.post_message(&JsValue::from_str("skills-changed"));
        channel.close();
    }
}

/// Calls `on_change` whenever skills change elsewhere, for the page's life.
pub fn on_skills_changed(on_change: impl Fn() + 'static) {
    let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) else { return };
    let callback = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_| on_change());
    channel.set_onmessage(Some(callback.as_ref().unchecked_ref()));
    // Both live as long as the page: the channel must stay open to hear.
    callback.forget();
    std::mem::forget(channel);
}
