//! Small browser helpers of the runner bundle.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

pub fn window() -> web_sys::Window {
    web_sys::window().expect("the runner runs in a window")
}

/// Milliseconds since the page started, with sub-millisecond precision.
pub fn now_ms() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or_default()
}

/// `relative` resolved against the page's address.
pub fn absolute_url(relative: &str) -> String {
    let base = window().document().and_then(|d| d.base_uri().ok().flatten()).unwrap_or_default();
    web_sys::Url::new_with_base(relative, &base).map(|u| u.href()).unwrap_or_else(|_| relative.to_string())
}

/// The text at a URL of the site, or a sentence saying why not.
pub async fn fetch_text(url: &str) -> Result<String, String> {
    let failed = |e: JsValue| format!("could not load {url}: {}", js_sys::Error::from(e).message());
    let response: web_sys::Response = JsFuture::from(window().fetch_with_str(url)).await.map_err(failed)?.unchecked_into();
    if !response.ok() {
        return Err(format!("could not load {url}: the server answered {}", response.status()));
    }
    let text = JsFuture::from(response.text().map_err(failed)?).await.map_err(failed)?;
    text.as_string().ok_or_else(|| format!("could not load {url}: not text"))
}

/// A `blob:` URL for `bytes` of type `mime`; revoke it when done.
pub fn blob_url(bytes: &[u8], mime: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

pub fn revoke(url: &str) {
    let _ = web_sys::Url::revoke_object_url(url);
}

/// The contents of a file the user picked: text, or bytes.
pub async fn read_file(file: &web_sys::File, as_bytes: bool) -> Result<FileContents, String> {
    let failed = |e: JsValue| format!("could not read {}: {}", file.name(), js_sys::Error::from(e).message());
    if as_bytes {
        let buffer = JsFuture::from(file.array_buffer()).await.map_err(failed)?;
        Ok(FileContents::Bytes(js_sys::Uint8Array::new(&buffer).to_vec()))
    } else {
        let text = JsFuture::from(file.text()).await.map_err(failed)?;
        Ok(FileContents::Text(text.as_string().unwrap_or_default()))
    }
}

pub enum FileContents {
    Text(String),
    Bytes(Vec<u8>),
}
