//! One streaming call to a provider: `fetch` with the request the core
//! built, the body read chunk by chunk as it arrives and fed to the core's
//! decoder (chosen by the response's content type: a server that ignores
//! `"stream": true` sends one JSON body). Failures become the core's
//! readable `ChatError`s.

use crate::browser::{field, js_error};
use llmos_core::llm::{describe_http_error, describe_network_error, describe_offline, ChatError, HttpRequest, ProviderConfig, StreamDecoder, StreamEvent};

/// Turns a failed response (config, status, `retry-after`, body) into what the user reads.
pub type Describe = fn(&ProviderConfig, u16, Option<&str>, &str) -> ChatError;

/// A chat request's failure.
pub fn describe_chat(config: &ProviderConfig, status: u16, retry_after: Option<&str>, body: &str) -> ChatError {
    describe_http_error(config.kind, status, retry_after, body)
}
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

pub enum Failure {
    /// The user pressed stop.
    Stopped,
    Error(ChatError),
}

fn plain_error(title: &str, detail: String) -> Failure {
    Failure::Error(ChatError { title: title.to_string(), advice: "Try again; if it keeps happening, reload the page.".into(), detail: Some(detail), retry_after_seconds: None })
}

/// Sends `request` (never with cookies or a referrer) and returns the
/// response once it is a success; a refused connection, a CORS refusal or
/// an HTTP error becomes a readable error, by `describe` for the latter.
pub async fn send(config: &ProviderConfig, request: &HttpRequest, signal: &web_sys::AbortSignal, describe: Describe) -> Result<web_sys::Response, Failure> {
    let window = web_sys::window().ok_or_else(|| plain_error("No window", String::new()))?;
    let headers = web_sys::Headers::new().map_err(|e| plain_error("Could not build the request", js_error(e)))?;
    for (name, value) in &request.headers {
        headers.set(name, value).map_err(|e| plain_error("Could not build the request", js_error(e)))?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method(request.method);
    init.set_headers(&headers);
    if request.method != "GET" {
        init.set_body(&JsValue::from_str(&request.body));
    }
    init.set_signal(Some(signal));
    init.set_credentials(web_sys::RequestCredentials::Omit);
    init.set_referrer_policy(web_sys::ReferrerPolicy::NoReferrer);
    // The browser knows it has no network: a provider elsewhere is not
    // even asked (the site itself keeps working, from its service worker).
    if !window.navigator().on_line() {
        if let Some(offline) = describe_offline(config) {
            return Err(Failure::Error(offline));
        }
    }
    let response = match JsFuture::from(window.fetch_with_str_and_init(&request.url, &init)).await {
        Ok(response) => response.unchecked_into::<web_sys::Response>(),
        Err(_) if signal.aborted() => return Err(Failure::Stopped),
        // A refused connection and a CORS refusal look the same to a page: no status.
        Err(_) if !window.navigator().on_line() => return Err(Failure::Error(describe_offline(config).unwrap_or_else(|| describe_network_error(config, window.location().origin().ok().as_deref())))),
        Err(_) => return Err(Failure::Error(describe_network_error(config, window.location().origin().ok().as_deref()))),
    };
    if !response.ok() {
        let retry_after = response.headers().get("retry-after").ok().flatten();
        let body = text(&response).await;
        return Err(Failure::Error(describe(config, response.status(), retry_after.as_deref(), &body)));
    }
    Ok(response)
}

/// The whole body as text ("" if it cannot be read).
pub async fn text(response: &web_sys::Response) -> String {
    match response.text() {
        Ok(promise) => JsFuture::from(promise).await.ok().and_then(|t| t.as_string()).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Sends `request` and calls `on_event` for every decoded event. A stream
/// that breaks off ends with the decoder's `Interrupted` error event, so
/// the caller keeps what arrived.
pub async fn stream(config: &ProviderConfig, request: &HttpRequest, signal: &web_sys::AbortSignal, mut on_event: impl FnMut(&StreamEvent)) -> Result<(), Failure> {
    let response = send(config, request, signal, describe_chat).await?;
    let body = response.body().ok_or_else(|| plain_error("The provider sent no body", String::new()))?;
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let content_type = response.headers().get("content-type").ok().flatten();
    let mut decoder = StreamDecoder::for_response(config.kind, content_type.as_deref());
    loop {
        match JsFuture::from(reader.read()).await {
            Ok(chunk) if field(&chunk, "done").as_bool() == Some(true) => break,
            Ok(chunk) => {
                let bytes = js_sys::Uint8Array::new(&field(&chunk, "value")).to_vec();
                for event in decoder.push(&bytes) {
                    on_event(&event);
                }
            }
            Err(_) if signal.aborted() => return Err(Failure::Stopped),
            // The connection dropped: `finish` reports it, after what arrived.
            Err(_) => break,
        }
    }
    for event in decoder.finish() {
        on_event(&event);
    }
    Ok(())
}
