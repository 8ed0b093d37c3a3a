//! The Content-Security-Policy of each kind of page, written into a
//! `<meta>` tag (static hosts such as GitHub Pages cannot send headers).
//! A `<meta>` policy cannot set `frame-ancestors`; the islands that hold
//! keys and user data refuse foreign frames themselves.

use crate::config::Settings;

/// The chat page holds the user's keys, so it runs only this site's
/// scripts (plus WebAssembly) and connects only to the providers and to
/// servers on this computer (Ollama, LM Studio, llama.cpp). The evolution
/// page has the same policy: its synthesis calls the same provider.
pub const CHAT_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; \
connect-src 'self' https://api.anthropic.com https://api.openai.com https://generativelanguage.googleapis.com https://openrouter.ai \
http://localhost:* http://127.0.0.1:*; worker-src 'self'; manifest-src 'self'; object-src 'none'; frame-src 'none'; base-uri 'self'; form-action 'self'";

/// Pages without islands run no script at all (`llmos serve` adds its
/// live-reload script and its event stream), load only the site's own
/// stylesheet, images and web app manifest, and submit forms only to the site.
pub fn static_csp(settings: &Settings) -> String {
    let (script, connect) = if settings.dev_reload { ("'self'", "'self'") } else { ("'none'", "'none'") };
    format!("default-src 'none'; script-src {script}; connect-src {connect}; style-src 'self'; img-src 'self' data:{}; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'", remote_images(settings))
}

/// Pages with islands run the site's own scripts and WebAssembly, fetch only
/// from the site (the search index, skill files), register the site's
/// service worker (offline use), and embed no frames.
pub fn island_csp(settings: &Settings) -> String {
    format!("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:{}; connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; frame-src 'none'; base-uri 'self'; form-action 'self'", remote_images(settings))
}

/// The sync page sends the user's token and data to the GitHub API only
/// (a stand-in or a server on this computer for tests and local use).
pub fn sync_csp(settings: &Settings) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:{}; connect-src 'self' {} http://localhost:* http://127.0.0.1:*; worker-src 'self'; manifest-src 'self'; object-src 'none'; frame-src 'none'; base-uri 'self'; form-action 'self'",
        remote_images(settings),
        llmos_core::sync::github::API_ORIGIN
    )
}

fn remote_images(settings: &Settings) -> &'static str {
    if settings.remote_images { " https:" } else { "" }
}

