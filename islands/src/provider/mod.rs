//! The user's provider, reached from the browser: the API keys at rest
//! (`keys`), one streaming call (`stream`), and where a base URL sends
//! requests (`base_origin`). Shared by the chat and by the evolution page's
//! synthesis (crate llmos-evolution), which both send the user's key only
//! to the origin it is bound to.

#[cfg(feature = "hydrate")]
pub mod keys;
#[cfg(feature = "hydrate")]
pub mod stream;

use llmos_core::llm::ProviderKind;

/// The provider's id as stored (`anthropic`, `openai-compatible`…): its serde name.
pub fn provider_id(kind: ProviderKind) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

const FIX: &str = "Use the provider's address, such as https://api.anthropic.com or http://localhost:11434/v1 for a server on this machine.";

/// The origin requests under `base` go to, as the browser parses it, or
/// why the base URL is refused: not http(s), not a URL, two addresses run
/// together (`https://api.anthropic.comhttp://127.0.0.1:…`, from pasting
/// after the default: the parser reads a host `api.anthropic.comhttp`),
/// credentials in it (they would be sent along), or a query or fragment
/// (paths are appended to the base, so they would end up inside it).
#[cfg(feature = "hydrate")]
pub fn base_origin(base: &str) -> Result<String, String> {
    let base = base.trim();
    if base.split_once("://").is_some_and(|(_, rest)| rest.contains("://")) {
        return Err(format!("The base URL holds two addresses run together; keep only one. {FIX}"));
    }
    let url = web_sys::Url::new(base).map_err(|_| format!("The base URL {base} is not a web address. {FIX}"))?;
    if !matches!(url.protocol().as_str(), "http:" | "https:") {
        return Err(format!("The base URL {base} must start with https:// (or http:// for a server on this machine). {FIX}"));
    }
    if !url.username().is_empty() || !url.password().is_empty() {
        return Err(format!("The base URL holds a user name or password (user:pass@); remove them: keys go in the API key field, never in the address. {FIX}"));
    }
    if base.contains(['?', '#']) {
        return Err(format!("The base URL {base} has a query (?…) or a fragment (#…); remove it: request paths are added to the base URL. {FIX}"));
    }
    Ok(url.origin())
}

/// Pages are rendered without a key; only the browser checks origins.
#[cfg(not(feature = "hydrate"))]
pub fn base_origin(_base: &str) -> Result<String, String> {
    Err(String::new())
}

/// The origin a key saved before keys were bound was meant for: its
/// provider's default, so an upgrade neither loses the key nor lets it go
/// to a base URL set since without asking.
pub fn default_origin(kind: ProviderKind) -> String {
    base_origin(kind.default_base_url()).unwrap_or_else(|_| kind.default_base_url().to_string())
}
