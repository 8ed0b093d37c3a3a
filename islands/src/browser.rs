//! Small wrappers over browser APIs shared by the islands.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

pub fn js_error(value: JsValue) -> String {
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    value.as_string().or_else(|| js_sys::JSON::stringify(&value).ok().and_then(|s| s.as_string())).unwrap_or_else(|| "unknown error".into())
}

/// `value[key]`, or `undefined`.
pub fn field(value: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub fn now() -> f64 {
    js_sys::Date::now()
}

pub fn query_parameter(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search).ok()?.get(name)
}

/// Sets `name=value` in the address with a new history entry, so Back
/// returns to the previous value (an empty value removes it).
pub fn push_query_parameter(name: &str, value: &str) {
    set_query_parameter(name, value, true);
}

/// Sets `name=value` in the address without a new history entry (an empty
/// value removes it), keeping the rest of the address.
pub fn replace_query_parameter(name: &str, value: &str) {
    set_query_parameter(name, value, false);
}

fn set_query_parameter(name: &str, value: &str, push: bool) {
    let Some(window) = web_sys::window() else { return };
    let Ok(href) = window.location().href() else { return };
    let Ok(url) = web_sys::Url::new(&href) else { return };
    if value.is_empty() {
        url.search_params().delete(name);
    } else {
        url.search_params().set(name, value);
    }
    if let Ok(history) = window.history() {
        let _ = if push { history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url.href())) } else { history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url.href())) };
    }
}

pub fn navigate(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(url);
    }
}

pub fn confirm(message: &str) -> bool {
    web_sys::window().and_then(|w| w.confirm_with_message(message).ok()).unwrap_or(false)
}

pub async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url)).await.map_err(js_error)?.dyn_into().map_err(js_error)?;
    if !response.ok() {
        return Err(format!("{url} answered HTTP {}", response.status()));
    }
    let text = JsFuture::from(response.text().map_err(js_error)?).await.map_err(js_error)?;
    Ok(text.as_string().unwrap_or_default())
}

/// The bytes at `url` (a skill's bundled files may be binary).
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url)).await.map_err(js_error)?.dyn_into().map_err(js_error)?;
    if !response.ok() {
        return Err(format!("{url} answered HTTP {}", response.status()));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(js_error)?).await.map_err(js_error)?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Puts `text` on the clipboard, or says why the browser refused. The
/// browser is asked at once, so called in a click handler this counts as
/// the click's (Safari allows the clipboard only then); what it answered
/// comes with the future.
pub fn write_clipboard(text: &str) -> impl std::future::Future<Output = Result<(), String>> {
    let asked = web_sys::window().map(|w| JsFuture::from(w.navigator().clipboard().write_text(text)));
    async move {
        asked.ok_or("no window")?.await.map_err(js_error)?;
        Ok(())
    }
}

/// Replaces the page's address (no reload, no history entry), so a reload
/// does not repeat what a query parameter asked for.
pub fn replace_url(url: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(url));
    }
}

/// The page's address without the query parameter `name` (the others kept).
pub fn url_without_parameter(name: &str) -> Option<String> {
    let location = web_sys::window()?.location();
    let params = web_sys::UrlSearchParams::new_with_str(&location.search().ok()?).ok()?;
    params.delete(name);
    let query = String::from(params.to_string());
    let path = location.pathname().ok()?;
    let hash = location.hash().ok().unwrap_or_default();
    Some(if query.is_empty() { format!("{path}{hash}") } else { format!("{path}?{query}{hash}") })
}

/// Offers `bytes` as a file download named `file_name`.
pub fn download(file_name: &str, bytes: &[u8], mime: &str) -> Result<(), String> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(js_error)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js_error)?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a").map_err(js_error)?.unchecked_into();
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    // The click has started the download; the URL is not needed after this turn.
    let revoke = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let _ = web_sys::window().ok_or("no window")?.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 1000);
    Ok(())
}

/// The files chosen in a file input, taken before the input is cleared.
pub fn chosen_files(input: &web_sys::HtmlInputElement) -> Vec<web_sys::File> {
    let Some(list) = input.files() else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// The chosen files as (path, bytes): a folder's files keep their path
/// below the chosen folder (its own name dropped), single files their name.
pub async fn read_files(files: &[web_sys::File]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out = Vec::new();
    for file in files {
        let relative = js_sys::Reflect::get(file, &JsValue::from_str("webkitRelativePath")).ok().and_then(|v| v.as_string()).unwrap_or_default();
        let path = match relative.split_once('/') {
            Some((_, inner)) if !inner.is_empty() => inner.to_string(),
            _ => file.name(),
        };
        let buffer = JsFuture::from(file.array_buffer()).await.map_err(|e| format!("{}: {}", file.name(), js_error(e)))?;
        out.push((path, js_sys::Uint8Array::new(&buffer).to_vec()));
    }
    Ok(out)
}

pub fn typing_in_a_field(event: &web_sys::KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.has_attribute("contenteditable"))
        .unwrap_or(false)
}

pub fn format_bytes(bytes: f64) -> String {
    match bytes {
        b if b >= 1e9 => format!("{:.1} GB", b / 1e9),
        b if b >= 1e6 => format!("{:.1} MB", b / 1e6),
        b if b >= 1e3 => format!("{:.0} kB", b / 1e3),
        b => format!("{b:.0} bytes"),
    }
}

/// Why pages holding keys or the user's skills stop inside a foreign frame.
pub const FRAMED: &str = "This page does not work inside a frame from another site: that site could make you click its buttons without seeing them. Open it directly.";

/// Whether this page is inside a frame whose parent, or any ancestor, is
/// another origin: the clickjacking set-up that `frame-ancestors` would
/// stop, which a `<meta>` CSP cannot set. A cross-origin ancestor's
/// `location.origin` throws, so only same-origin frames pass.
pub fn framed_by_another_origin() -> bool {
    let Some(window) = web_sys::window() else { return false };
    let own = match window.location().origin() {
        Ok(origin) => origin,
        Err(_) => return true,
    };
    let mut current = window;
    loop {
        let parent = match current.parent() {
            Ok(Some(parent)) => parent,
            Ok(None) => return false,
            Err(_) => return true,
        };
        // The top window is its own parent.
        if js_sys::Object::is(&parent, &current) {
            return false;
        }
        match parent.location().origin() {
            // An opaque origin ("null") is never the same as another.
            Ok(origin) if origin == own && own != "null" => current = parent,
            _ => return true,
        }
    }
}

/// Replaces the page's islands with one notice, `what` followed by a link
/// that opens the page on its own, before any island starts: nothing
/// then opens the store or reads a key. Built node by node, so nothing
/// from the address is parsed as HTML.
pub fn refuse_to_run_framed(what: &str) {
    let Some(window) = web_sys::window() else { return };
    let Some(document) = window.document() else { return };
    let href = window.location().href().unwrap_or_default();
    let notice = (|| {
        let notice = document.create_element("div").ok()?;
        notice.set_class_name("notice error");
        notice.set_id("framed-notice");
        let _ = notice.set_attribute("role", "alert");
        let text = document.create_element("p").ok()?;
        text.set_text_content(Some(&format!("{what} does not work inside a frame from another site; open it directly: ")));
        let link: web_sys::HtmlAnchorElement = document.create_element("a").ok()?.unchecked_into();
        link.set_href(&href);
        // A new tab: the frame cannot navigate its cross-origin top.
        link.set_target("_blank");
        link.set_rel("noopener noreferrer");
        link.set_text_content(Some(&href));
        text.append_child(&link).ok()?;
        notice.append_child(&text).ok()?;
        Some(notice)
    })();
    let mut first = true;
    while let Ok(Some(island)) = document.query_selector("leptos-island") {
        match (&notice, first) {
            (Some(notice), true) => {
                if island.replace_with_with_node_1(notice).is_err() {
                    island.remove();
                }
            }
            _ => island.remove(),
        }
        first = false;
    }
}

/// A serde record as a plain object for IndexedDB (through JSON, so it
/// is stored exactly as it exports).
pub fn record_to_js<T: serde::Serialize>(value: &T) -> JsValue {
    js_sys::JSON::parse(&serde_json::to_string(value).expect("records serialise")).unwrap_or(JsValue::NULL)
}

/// A stored plain object as a serde record; `None` when it does not fit.
pub fn record_from_js<T: serde::de::DeserializeOwned>(value: &JsValue) -> Option<T> {
    serde_json::from_str(&js_sys::JSON::stringify(value).ok()?.as_string()?).ok()
}

/// A property of the global scope: the page's `window`, or a worker's
/// `self` (the sync worker runs the same code as the sync page).
pub fn global_field(name: &str) -> JsValue {
    field(&js_sys::global(), name)
}

/// `fetch(url, init)` on the global scope, in a page or a worker.
pub fn global_fetch(url: &str, init: &web_sys::RequestInit) -> Result<js_sys::Promise, String> {
    let global = js_sys::global();
    let fetch: js_sys::Function = field(&global, "fetch").dyn_into().map_err(|_| "this browser has no fetch".to_string())?;
    fetch.call2(&global, &JsValue::from_str(url), init).map_err(js_error)?.dyn_into().map_err(js_error)
}

/// `navigator.onLine` of the page or the worker: `false` only when the
/// browser knows it has no network (`true` proves nothing).
pub fn on_line() -> bool {
    field(&global_field("navigator"), "onLine").as_bool().unwrap_or(true)
}
