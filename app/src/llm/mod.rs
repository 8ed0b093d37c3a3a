//! Talking to LLM providers straight from the browser, with the user's own
//! key: request building and response decoding, without any I/O.
//!
//! The browser side does only the `fetch`: `build_request` says what to
//! send, a `StreamDecoder` turns the response body chunks into
//! `StreamEvent`s (a `Reply` assembles them, with how the answer ended,
//! its `Ending`), and a failed response or a failed `fetch` becomes a
//! `ChatError` the user can act on. Keeping the
//! wire formats here means they are tested natively, against recorded
//! streams cut at every byte, rather than discovered in a browser.

mod context;
mod embeddings;
mod error;
mod limits;
mod models;
mod provider;
mod request;
mod run_tool;
mod sse;
mod stream;

pub use context::{load_skill_tool, offer_skills, requested_by_text, requested_by_tool, system_prompt, OfferedSkill, LOAD_SKILL_TOOL, OFFERED_SKILLS, TEXT_CONVENTION_PREFIX};
pub use embeddings::{default_embeddings_model, embeddings_request, embeddings_request_as, embeddings_wire, parse_embeddings, EmbeddingsWire, EMBEDDINGS_MAX_BATCH};
pub use error::{describe_http_error, describe_models_error, describe_network_error, describe_offline, ChatError};
pub use limits::{default_max_tokens, DEFAULT_MAX_TOKENS};
pub use models::{models_request, parse_models, ModelInfo};
pub use provider::{KeyHeader, LocalPreset, ProviderConfig, ProviderKind, LOCAL_PRESETS};
pub use run_tool::{declined_result, inputs_schema, outputs_for_model, outputs_summary, parse_run_call, run_prompt, run_requested_by_text, run_result, run_skill_tool, RunCall, ToolSkill, IMAGE_SHOWN, MAX_RESULT_CHARS, RUN_SKILL_TOOL, RUN_TEXT_PREFIX};
pub use request::{build_request, ChatRequest, HttpRequest, Message, Tool, ToolCall, ToolResult};
pub use sse::{SseDecoder, SseEvent};
pub use stream::{split_think, Ending, Reply, StreamDecoder, StreamErrorKind, StreamEvent, CONTINUE_PROMPT};
