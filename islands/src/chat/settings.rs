//! The settings panel: provider, key and model first, in two columns where
//! there is room; the base URL, the answer limit and the system prompt
//! under "More settings" (open by itself for a local server, whose base URL
//! matters). Every field is saved as it is typed, so nothing is lost to a
//! reload before the field is left.

use super::{key_origin, page_origin, provider_id, ChatState};
use leptos::prelude::*;
use llmos_core::llm::{default_max_tokens, ProviderKind, LOCAL_PRESETS};

/// The settings panel, open until a key is saved.
pub(super) fn settings_panel(state: ChatState) -> impl IntoView {
    let key_input = RwSignal::new(String::new());
    // The provider changes rarely; settings on every keystroke.
    let kind = Memo::new(move |_| state.settings.with(|s| s.provider));
    let limit_problem = RwSignal::new(false);
    let save = move || spawn!(super::actions::save_settings(state));
    let summary = move || {
        let model = state.settings.with(|s| s.model());
        format!("{} · {}", kind.get().display_name(), if model.trim().is_empty() { "choose a model" } else { model.as_str() })
    };
    let limit_note = move || {
        if limit_problem.get() {
            return "The answer limit must be a whole number of tokens above 0, such as 8000.".to_string();
        }
        match state.settings.with(|s| default_max_tokens(s.provider, &s.model())) {
            Some(limit) => format!("Empty: {limit} tokens for this model. Raise it when answers are cut off (a new API account may refuse large limits)."),
            None => "Empty: the model's own limit.".to_string(),
        }
    };
    view! {
        <details class="chat-settings" prop:open=move || state.settings_open.get() on:toggle=move |e| {
            let _ = &e;
            #[cfg(feature = "hydrate")]
            if let Some(open) = js_sys::Reflect::get(&event_target::<wasm_bindgen::JsValue>(&e), &"open".into()).ok().and_then(|v| v.as_bool()) {
                state.settings_open.set(open);
            }
        }>
            <summary>{summary}</summary>
            <div class="settings-grid">
                <label for="provider">"Provider"</label>
                <select id="provider" on:change=move |e| {
                    let value = event_target_value(&e);
                    if let Some(kind) = ProviderKind::ALL.into_iter().find(|k| provider_id(*k) == value) {
                        state.settings.update(|s| s.provider = kind);
                        spawn!(super::actions::provider_changed(state));
                    }
                }>
                    {ProviderKind::ALL.into_iter().map(|k| view! { <option value=provider_id(k) prop:selected=move || kind.get() == k>{k.display_name()}</option> }).collect_view()}
                </select>
                <label for="api-key">{move || if kind.get().requires_key() { "API key" } else { "API key (optional)" }}</label>
                <div class="row">
                    <input id="api-key" type="password" autocomplete="off" placeholder=move || if state.key_status.get() == "saved" { "saved, encrypted in this browser" } else { "paste your key" }
                        prop:value=move || key_input.get() on:input=move |e| key_input.set(event_target_value(&e)) />
                    <button type="button" id="save-key" on:click=move |_| {
                        let key = key_input.get_untracked();
                        key_input.set(String::new());
                        let _ = &key;
                        spawn!(super::actions::save_key(state, key));
                    }>"Save key"</button>
                    <button type="button" id="forget-key" class="danger" on:click=move |_| spawn!(super::actions::forget_key(state))>"Forget key"</button>
                </div>
                <small class="hint wide" id="key-status">{move || match state.key_status.get().as_str() {
                    "saved" => key_origin::saved_key_note(kind.get(), &state.key_origin.get(), &state.settings.with(|s| s.config().base().to_string())),
                    "none" => "No key saved for this provider.".to_string(),
                    other => other.to_string(),
                }}</small>
                <label for="model">"Model"</label>
                <div class="row">
                    <input id="model" list="model-list" autocomplete="off" prop:value=move || state.settings.with(|s| s.model()) on:input=move |e| {
                        state.settings.update(|s| s.set_model(event_target_value(&e)));
                        save();
                    } />
                    <button type="button" id="load-models" on:click=move |_| spawn!(super::actions::load_models(state))>"List models"</button>
                </div>
                <datalist id="model-list">{move || state.models.get().into_iter().map(|m| view! { <option value=m.id.clone()>{m.display_name}</option> }).collect_view()}</datalist>
            </div>
            <details id="more-settings" class="more-settings" prop:open=move || kind.get() == ProviderKind::OpenAiCompatible>
                <summary>"More settings"</summary>
                <div class="settings-grid">
                    <label for="base-url">"Base URL"</label>
                    <input id="base-url" type="url" autocomplete="off" placeholder=move || kind.get().default_base_url() prop:value=move || state.settings.with(|s| s.base_url()) on:input=move |e| {
                        state.settings.update(|s| s.set_base_url(event_target_value(&e)));
                        save();
                    } />
                    {move || (kind.get() == ProviderKind::OpenAiCompatible).then(|| view! {
                        <p class="hint wide">"Presets: "
                            {LOCAL_PRESETS.iter().map(|p| {
                                let url = p.base_url;
                                view! { <button type="button" class="link" on:click=move |_| {
                                    state.settings.update(|s| s.set_base_url(url.to_string()));
                                    save();
                                }>{p.name}</button> " " }
                            }).collect_view()}
                            "· Local servers must allow this page's origin: for Ollama, start it with "
                            <code>{format!("OLLAMA_ORIGINS={} ollama serve", page_origin())}</code> "."
                        </p>
                    })}
                    <label for="max-tokens">"Answer limit"</label>
                    // Text, not number: a number field reports "" for what it cannot read.
                    <input id="max-tokens" type="text" inputmode="numeric" autocomplete="off"
                        placeholder=move || state.settings.with(|s| default_max_tokens(s.provider, &s.model())).map_or_else(|| "model's own".to_string(), |limit| format!("{limit} tokens"))
                        prop:value=move || state.settings.with(|s| s.max_tokens().map(|m| m.to_string()).unwrap_or_default())
                        on:input=move |e| {
                            let typed = event_target_value(&e);
                            let limit = typed.trim().parse::<u32>().ok().filter(|&n| n > 0);
                            // What cannot be read is shown as typed and leaves the setting as it was.
                            limit_problem.set(!typed.trim().is_empty() && limit.is_none());
                            if (typed.trim().is_empty() || limit.is_some()) && state.settings.with_untracked(|s| s.max_tokens()) != limit {
                                state.settings.update(|s| s.set_max_tokens(limit));
                                save();
                            }
                        } />
                    <small class="hint wide" id="max-tokens-note">{limit_note}</small>
                    <label for="system-prompt">"System prompt"</label>
                    <textarea id="system-prompt" rows="2" placeholder="Instructions sent with every message, such as “Answer briefly.”" prop:value=move || state.settings.with(|s| s.system.clone()) on:input=move |e| {
                        state.settings.update(|s| s.system = event_target_value(&e));
                        save();
                    }></textarea>
                </div>
            </details>
        </details>
    }
}
