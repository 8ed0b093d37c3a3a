//! Which service a chat goes to, and how it is reached.
//!
//! Five kinds of provider, but only three wire formats: OpenAI's Chat
//! Completions is spoken by OpenAI itself, by OpenRouter and by local
//! servers (Ollama, LM Studio, llama.cpp), which differ only in base URL,
//! in whether a key is needed, and in a few request fields.

use serde::{Deserialize, Serialize};

/// The stored names (`"anthropic"`, `"openai"`, …) are part of the
/// settings format in IndexedDB: renaming a variant needs a migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProviderKind {
    /// Anthropic's Messages API.
    #[serde(rename = "anthropic")]
    Anthropic,
    /// OpenAI's Chat Completions API.
    #[serde(rename = "openai")]
    OpenAi,
    /// Google's Gemini API (`streamGenerateContent`).
    #[serde(rename = "gemini")]
    Gemini,
    /// OpenRouter: Chat Completions in front of many vendors' models.
    #[serde(rename = "openrouter")]
    OpenRouter,
    /// Any server speaking Chat Completions, usually a local one.
    #[serde(rename = "openai-compatible")]
    OpenAiCompatible,
}

/// How a request is shaped and a stream is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wire {
    Anthropic,
    ChatCompletions,
    Gemini,
}

/// How the API key travels. Always in a header: a key in a URL ends up in
/// server logs, browser history and `Referer` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyHeader {
    /// `x-api-key: <key>` (Anthropic).
    XApiKey,
    /// `authorization: Bearer <key>` (Chat Completions).
    Bearer,
    /// `x-goog-api-key: <key>` (Gemini).
    XGoogApiKey,
}

impl KeyHeader {
    pub fn header(self, key: &str) -> (String, String) {
        match self {
            KeyHeader::XApiKey => ("x-api-key".into(), key.into()),
            KeyHeader::Bearer => ("authorization".into(), format!("Bearer {key}")),
            KeyHeader::XGoogApiKey => ("x-goog-api-key".into(), key.into()),
        }
    }
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 5] = [ProviderKind::Anthropic, ProviderKind::OpenAi, ProviderKind::Gemini, ProviderKind::OpenRouter, ProviderKind::OpenAiCompatible];

    pub fn display_name(self) -> &'static str {
        match self {
            ProviderKind::Anthropic => "Anthropic",
            ProviderKind::OpenAi => "OpenAI",
            ProviderKind::Gemini => "Google Gemini",
            ProviderKind::OpenRouter => "OpenRouter",
            ProviderKind::OpenAiCompatible => "OpenAI-compatible server",
        }
    }

    /// Without the API version: request paths add `/v1`, `/v1beta`, or
    /// nothing when the version is part of the base (Chat Completions).
    pub fn default_base_url(self) -> &'static str {
        match self {
            ProviderKind::Anthropic => "https://api.anthropic.com",
            ProviderKind::OpenAi => "https://api.openai.com/v1",
            ProviderKind::Gemini => "https://generativelanguage.googleapis.com",
            ProviderKind::OpenRouter => "https://openrouter.ai/api/v1",
            ProviderKind::OpenAiCompatible => LOCAL_PRESETS[0].base_url,
        }
    }

    /// Local servers usually accept any key, or none.
    pub fn requires_key(self) -> bool {
        self != ProviderKind::OpenAiCompatible
    }

    pub fn key_header(self) -> KeyHeader {
        match self.wire() {
            Wire::Anthropic => KeyHeader::XApiKey,
            Wire::ChatCompletions => KeyHeader::Bearer,
            Wire::Gemini => KeyHeader::XGoogApiKey,
        }
    }

    pub(crate) fn wire(self) -> Wire {
        match self {
            ProviderKind::Anthropic => Wire::Anthropic,
            ProviderKind::Gemini => Wire::Gemini,
            ProviderKind::OpenAi | ProviderKind::OpenRouter | ProviderKind::OpenAiCompatible => Wire::ChatCompletions,
        }
    }
}

/// A configured provider, as stored in the settings. The key is not part
/// of it: it is kept apart so that settings can be shown and exported
/// without it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderConfig {
    pub kind: ProviderKind,
    /// Empty means the kind's default.
    #[serde(default)]
    pub base_url: String,
}

impl ProviderConfig {
    pub fn new(kind: ProviderKind) -> ProviderConfig {
        ProviderConfig { kind, base_url: kind.default_base_url().into() }
    }

    /// The base URL without trailing slashes, ready for a path.
    pub fn base(&self) -> &str {
        let base = self.base_url.trim().trim_end_matches('/');
        if base.is_empty() {
            self.kind.default_base_url()
        } else {
            base
        }
    }

    /// The local server preset this configuration points at, if any: the
    /// one on the same port, so that `127.0.0.1` or a LAN address match too.
    pub fn local_preset(&self) -> Option<&'static LocalPreset> {
        if self.kind != ProviderKind::OpenAiCompatible {
            return None;
        }
        let wanted = port(self.base())?;
        LOCAL_PRESETS.iter().find(|preset| port(preset.base_url) == Some(wanted))
    }
}

/// `http://host:1234/v1` → `1234`.
fn port(url: &str) -> Option<&str> {
    let authority = url.split_once("://").map_or(url, |(_, rest)| rest).split('/').next()?;
    authority.rsplit_once(':').map(|(_, port)| port)
}

/// A well-known local server speaking Chat Completions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalPreset {
    pub name: &'static str,
    pub base_url: &'static str,
    /// How to let a web page talk to it (browsers need the server's CORS
    /// consent); `{origin}` stands for the page's origin.
    pub cors_help: &'static str,
}

impl LocalPreset {
    pub fn config(&self) -> ProviderConfig {
        ProviderConfig { kind: ProviderKind::OpenAiCompatible, base_url: self.base_url.into() }
    }
}

pub const LOCAL_PRESETS: [LocalPreset; 3] = [
    LocalPreset {
        name: "Ollama",
        base_url: "http://localhost:11434/v1",
        cors_help: "Ollama only answers web pages it was told to trust: quit it, then start it with this site's origin allowed, e.g. `OLLAMA_ORIGINS={origin} ollama serve` (on macOS: `launchctl setenv OLLAMA_ORIGINS \"{origin}\"` and restart the Ollama app).",
    },
    LocalPreset {
        name: "LM Studio",
        base_url: "http://localhost:1234/v1",
        cors_help: "In LM Studio, open the Developer tab, start the server and turn on “Enable CORS”.",
    },
    LocalPreset {
        name: "llama.cpp server",
        base_url: "http://localhost:8080/v1",
        cors_help: "Start `llama-server` (it accepts web pages by default) and check the port it prints (`--port`).",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_stable_stored_names() {
        let names: Vec<String> = ProviderKind::ALL.iter().map(|k| serde_json::to_string(k).unwrap()).collect();
        assert_eq!(names, ["\"anthropic\"", "\"openai\"", "\"gemini\"", "\"openrouter\"", "\"openai-compatible\""]);
        let config: ProviderConfig = serde_json::from_str(r#"{"kind":"gemini"}"#).unwrap();
        assert_eq!(config.base(), "https://generativelanguage.googleapis.com");
    }

    #[test]
    fn base_urls_lose_trailing_slashes() {
        let config = ProviderConfig { kind: ProviderKind::OpenAiCompatible, base_url: " http://localhost:11434/v1/ ".into() };
        assert_eq!(config.base(), "http://localhost:11434/v1");
        assert_eq!(config.local_preset().map(|p| p.name), Some("Ollama"));
        let lan = ProviderConfig { kind: ProviderKind::OpenAiCompatible, base_url: "http://192.168.1.9:1234/v1".into() };
        assert_eq!(lan.local_preset().map(|p| p.name), Some("LM Studio"));
        assert_eq!(ProviderConfig::new(ProviderKind::OpenAi).local_preset(), None);
    }

    #[test]
    fn only_local_servers_go_without_a_key() {
        let keyless: Vec<ProviderKind> = ProviderKind::ALL.into_iter().filter(|k| !k.requires_key()).collect();
        assert_eq!(keyless, [ProviderKind::OpenAiCompatible]);
        assert_eq!(KeyHeader::Bearer.header("k"), ("authorization".to_string(), "Bearer k".to_string()));
    }
}
