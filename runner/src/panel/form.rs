//! The Run panel's form: one field per declared input, built from its type,
//! filled with its default, and read back into the JSON inputs of a run.

use crate::browser::{read_file, FileContents};
use leptos::prelude::*;
use llmos_core::IoSpec;
use serde_json::{Map, Value};
use wasm_bindgen::JsCast;

/// The state of one input's field.
#[derive(Clone)]
pub struct Field {
    pub spec: IoSpec,
    /// The field's text: what the user typed (numbers and JSON as text too).
    pub text: RwSignal<String>,
    /// A checkbox's state, for `boolean` inputs.
    pub checked: RwSignal<bool>,
    /// For `file` inputs of bytes: the file's name and contents.
    pub bytes: RwSignal<Option<(String, Vec<u8>)>>,
    pub error: RwSignal<Option<String>>,
    /// The element id, unique on the page.
    pub id: String,
}

impl Field {
    pub fn new(spec: IoSpec, panel_id: &str) -> Self {
        let text = match &spec.default {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            // Compact when it fits a line, so the box shows it whole.
            Some(value @ (Value::Array(_) | Value::Object(_))) => {
                let compact = value.to_string();
                if compact.len() <= 60 { compact } else { serde_json::to_string_pretty(value).unwrap_or_default() }
            }
            Some(value) => value.to_string(),
        };
        let checked = spec.default.as_ref().and_then(Value::as_bool).unwrap_or(false);
        let id = format!("{panel_id}-in-{}", llmos_core::slugify(&spec.name));
        Field { spec, text: RwSignal::new(text), checked: RwSignal::new(checked), bytes: RwSignal::new(None), error: RwSignal::new(None), id }
    }

    fn is_bytes_file(&self) -> bool {
        self.spec.kind == "file" && self.spec.format.as_deref() == Some("bytes")
    }

    /// The field's value, `None` when left empty (the default then applies),
    /// or the message to show under it.
    fn value(&self) -> Result<Option<Value>, String> {
        if self.spec.kind == "boolean" {
            return Ok(Some(Value::Bool(self.checked.get_untracked())));
        }
        if self.is_bytes_file() {
            return Ok(self.bytes.get_untracked().map(|(_, bytes)| Value::String(base64(&bytes))));
        }
        let text = self.text.get_untracked();
        let keeps_blank = matches!(self.spec.kind.as_str(), "string" | "text" | "file");
        if text.trim().is_empty() && !(keeps_blank && !text.is_empty()) {
            return Ok(None);
        }
        llmos_core::run::parse_input_text(&self.spec, &text).map(Some)
    }
}

/// Reads every field, then checks the whole set with the core's rules:
/// the inputs of a run, or each failing field's message set on it.
pub fn collect(fields: &[Field]) -> Result<Map<String, Value>, ()> {
    let mut given = Map::new();
    let mut failed = false;
    for field in fields {
        field.error.set(None);
        match field.value() {
            Ok(Some(value)) => {
                given.insert(field.spec.name.clone(), value);
            }
            Ok(None) => {}
            Err(message) => {
                field.error.set(Some(message));
                failed = true;
            }
        }
    }
    if failed {
        return Err(());
    }
    let specs: Vec<IoSpec> = fields.iter().map(|f| f.spec.clone()).collect();
    llmos_core::run::validate_inputs(&specs, &given).map_err(|errors| {
        for error in errors {
            if let Some(field) = fields.iter().find(|f| f.spec.name == error.name) {
                field.error.set(Some(error.message));
            }
        }
    })
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// One field's markup.
pub fn field_view(field: Field) -> impl IntoView {
    let Field { spec, text, checked, error, id, .. } = field.clone();
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || if error.get().is_some() { format!("{hint_id} {error_id}") } else { hint_id.clone() }
    };
    let invalid = move || error.get().is_some().then_some("true");
    let control = match spec.kind.as_str() {
        "boolean" => view! {
            <input type="checkbox" id=id.clone() prop:checked=move || checked.get() on:change=move |ev| checked.set(event_target_checked(&ev)) aria-describedby=described.clone() />
        }.into_any(),
        "enum" => {
            let options = spec.options.clone();
            view! {
                <select id=id.clone() on:change=move |ev| text.set(event_target_value(&ev)) aria-describedby=described.clone() aria-invalid=invalid>
                    {options.into_iter().map(|option| {
                        let selected = option == text.get_untracked();
                        view! { <option value=option.clone() selected=selected>{option.clone()}</option> }
                    }).collect_view()}
                </select>
            }.into_any()
        }
        // Text fields with a numeric keyboard: a browser's number field
        // reports "" for a half-typed value (`4.`, `1e-`, `-`), so it could
        // not be read back as typed. The core checks the number on Run.
        "integer" | "number" => {
            let mode = if spec.kind == "integer" { "numeric" } else { "decimal" };
            view! {
                <input type="text" inputmode=mode autocomplete="off" spellcheck="false" id=id.clone() value=text.get_untracked()
                    on:input=move |ev| text.set(event_target_value(&ev)) aria-describedby=described.clone() aria-invalid=invalid />
            }.into_any()
        }
        "text" | "array" | "object" => {
            let rows = if spec.kind == "text" { 6 } else { 4 };
            let code = spec.kind != "text";
            let rows = if code && !text.get_untracked().contains('\n') { 2 } else { rows };
            view! {
                <textarea id=id.clone() rows=rows class:code=code spellcheck=if code { "false" } else { "true" } prop:value=text.get_untracked()
                    on:input=move |ev| text.set(event_target_value(&ev)) aria-describedby=described.clone() aria-invalid=invalid></textarea>
            }.into_any()
        }
        "file" => file_control(field.clone(), described.clone(), invalid).into_any(),
        _ => view! {
            <input type="text" id=id.clone() value=text.get_untracked() on:input=move |ev| text.set(event_target_value(&ev))
                aria-describedby=described.clone() aria-invalid=invalid />
        }.into_any(),
    };
    let required = spec.required && spec.default.is_none();
    view! {
        <div class="run-field" data-input=spec.name.clone()>
            <label for=id.clone()>
                <code>{spec.name.clone()}</code>
                {required.then(|| view! { <span class="req" title="required">" *"</span> })}
                " " <span class="run-type">{type_label(&spec)}</span>
            </label>
            {control}
            <p class="run-hint" id=hint_id.clone()>{spec.description.clone().unwrap_or_default()}</p>
            <p class="run-field-error" id=error_id.clone() role="alert" hidden=move || error.get().is_none()>{move || error.get().unwrap_or_default().replace('`', "")}</p>
        </div>
    }
}

fn type_label(spec: &IoSpec) -> String {
    match spec.kind.as_str() {
        "array" => "list (JSON)".into(),
        "object" => "object (JSON)".into(),
        "file" if spec.format.as_deref() == Some("bytes") => "file (bytes)".into(),
        "enum" => "choice".into(),
        other => other.to_string(),
    }
}

/// A file picker; a text file also shows (and can be edited) in a text box.
fn file_control(field: Field, described: impl Fn() -> String + Clone + Send + Sync + 'static, invalid: impl Fn() -> Option<&'static str> + Copy + Send + Sync + 'static) -> impl IntoView {
    let as_bytes = field.is_bytes_file();
    let Field { text, bytes, error, id, .. } = field;
    let on_pick = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let Some(file) = input.files().and_then(|files| files.get(0)) else { return };
        leptos::task::spawn_local(async move {
            match read_file(&file, as_bytes).await {
                Ok(FileContents::Text(contents)) => text.set(contents),
                Ok(FileContents::Bytes(contents)) => bytes.set(Some((file.name(), contents))),
                Err(message) => error.set(Some(message)),
            }
        });
    };
    let picker_id = format!("{id}-file");
    view! {
        <div class="run-file">
            <input type="file" id=if as_bytes { id.clone() } else { picker_id.clone() } on:change=on_pick aria-describedby=described.clone() />
            {(!as_bytes).then(|| view! {
                <textarea id=id.clone() rows=6 class="code" spellcheck="false" aria-label="File contents" prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev)) aria-invalid=invalid></textarea>
            })}
            {as_bytes.then(|| view! { <span class="run-file-name">{move || bytes.get().map(|(name, data)| format!("{name}, {} bytes", data.len())).unwrap_or_else(|| "No file chosen".into())}</span> })}
        </div>
    }
}

