//! The Run panel's results: each output shown by its declared type.
//!
//! Nothing a skill returns runs on the page: Markdown goes through the
//! core's sanitising renderer, images (SVG included) are shown through
//! `<img>` from a `blob:` URL, where an SVG's scripts never run, and HTML is
//! shown as source with a download link.

use crate::browser::blob_url;
use base64::Engine;
use leptos::prelude::*;
use llmos_core::run::{output_kind, OutputKind};
use llmos_core::IoSpec;
use serde_json::Value;

/// `blob:` URLs made for the current results, revoked when they are replaced.
pub type BlobUrls = StoredValue<Vec<String>, LocalStorage>;

/// The outputs of a run: the declared ones in order, then any others.
pub fn outputs_view(specs: &[IoSpec], outputs: &Value, urls: BlobUrls) -> impl IntoView {
    let Some(object) = outputs.as_object() else {
        return view! { <p class="run-note">"The skill returned " <code>{shorten(&outputs.to_string())}</code> ", not an object of named outputs."</p> }.into_any();
    };
    let mut items: Vec<(String, Option<&IoSpec>, Option<&Value>)> = specs.iter().map(|s| (s.name.clone(), Some(s), object.get(&s.name))).collect();
    items.extend(object.iter().filter(|(k, _)| !specs.iter().any(|s| &s.name == *k)).map(|(k, v)| (k.clone(), None, Some(v))));
    items
        .into_iter()
        .map(|(name, spec, value)| {
            let kind = spec.map_or_else(|| "not declared".to_string(), |s| s.kind.clone());
            let description = spec.and_then(|s| s.description.clone());
            let body = match value {
                None => view! { <p class="run-note">"Not returned."</p> }.into_any(),
                Some(value) => value_view(spec, &name, value, urls),
            };
            view! {
                <section class="run-output" data-output=name.clone()>
                    <h4><code>{name.clone()}</code> " " <span class="run-type">{kind}</span></h4>
                    {description.map(|d| view! { <p class="run-hint">{d}</p> })}
                    {body}
                </section>
            }
        })
        .collect_view()
        .into_any()
}

/// One output, shown as the core's `output_kind` says (the same rule
/// `llmos run` lists outputs by).
fn value_view(spec: Option<&IoSpec>, name: &str, value: &Value, urls: BlobUrls) -> AnyView {
    let text = value.as_str().unwrap_or_default();
    match output_kind(spec, value) {
        OutputKind::Empty => view! { <p class="run-value"><output>"null"</output></p> }.into_any(),
        OutputKind::Markdown => view! { <div class="run-markdown prose" inner_html=llmos_core::render_safe(text)></div> }.into_any(),
        OutputKind::Svg => image(text.as_bytes().to_vec(), "image/svg+xml", name, urls),
        OutputKind::Image { mime } => match decode_image(text) {
            Some(bytes) => image(bytes, &mime, name, urls),
            None => view! { <p class="run-note">"Not an image: expected base64 or a data: URL."</p> }.into_any(),
        },
        OutputKind::Html => {
            let link = download(text.as_bytes(), "text/html", &format!("{name}.html"), urls);
            view! {
                <details class="run-json"><summary>"HTML source (" {text.len()} " characters), not run here"</summary><pre><code>{text.to_string()}</code></pre></details>
                {link}
            }.into_any()
        }
        OutputKind::File => file_view(value.as_object().expect("output_kind checked it"), name, urls),
        OutputKind::Text if text.contains('\n') => view! { <pre class="run-text">{text.to_string()}</pre> }.into_any(),
        OutputKind::Text => view! { <p class="run-value"><output>{text.to_string()}</output></p> }.into_any(),
        OutputKind::Number | OutputKind::Boolean => view! { <p class="run-value"><output>{value.to_string()}</output></p> }.into_any(),
        OutputKind::Table(columns) => table(&columns, value.as_array().map(Vec::as_slice).unwrap_or_default(), value),
        OutputKind::Json => json(value, spec.is_some_and(|s| s.kind == "json") || value.to_string().len() < 400),
    }
}

fn image(bytes: Vec<u8>, mime: &str, name: &str, urls: BlobUrls) -> AnyView {
    let Some(url) = blob_url(&bytes, mime) else { return view! { <p class="run-note">"The image could not be shown."</p> }.into_any() };
    urls.update_value(|u| u.push(url.clone()));
    let extension = match mime.rsplit('/').next().unwrap_or("png") {
        "svg+xml" => "svg",
        "jpeg" => "jpg",
        other => other,
    };
    view! {
        <figure class="run-image"><img src=url.clone() alt=format!("{name} (image returned by the skill)") /></figure>
        <p><a href=url download=format!("{name}.{extension}")>"Download " {extension.to_uppercase()}</a></p>
    }
    .into_any()
}

/// The bytes of base64 text or of a `data:…;base64,` URL.
fn decode_image(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    let data = match text.strip_prefix("data:") {
        Some(rest) => rest.split_once(";base64,")?.1,
        None => text,
    };
    let compact: String = data.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(compact.as_bytes()).ok()
}

fn file_view(file: &serde_json::Map<String, Value>, name: &str, urls: BlobUrls) -> AnyView {
    let file_name = file.get("name").and_then(Value::as_str).unwrap_or(name).to_string();
    let mime = file.get("mime").and_then(Value::as_str).unwrap_or("application/octet-stream");
    let bytes = match (file.get("text").and_then(Value::as_str), file.get("base64").and_then(Value::as_str)) {
        (Some(text), _) => Some(text.as_bytes().to_vec()),
        (None, Some(data)) => base64::engine::general_purpose::STANDARD.decode(data.as_bytes()).ok(),
        _ => None,
    };
    match bytes {
        // Always a download: the type the skill claims is not trusted to display.
        Some(bytes) => download(&bytes, "application/octet-stream", &file_name, urls).into_any(),
        None => view! { <p class="run-note">"A file output needs " <code>"text"</code> " or " <code>"base64"</code> " contents (type " {mime.to_string()} ")."</p> }.into_any(),
    }
}

fn download(bytes: &[u8], mime: &str, file_name: &str, urls: BlobUrls) -> impl IntoView {
    let url = blob_url(bytes, mime);
    if let Some(url) = &url {
        urls.update_value(|u| u.push(url.clone()));
    }
    let size = bytes.len();
    url.map(|url| view! { <p><a class="button" href=url download=file_name.to_string()>"Download " {file_name.to_string()}</a> " " <span class="run-hint">{format!("{size} bytes")}</span></p> })
}

fn table(columns: &[String], rows: &[Value], value: &Value) -> AnyView {
    let shown = rows.len().min(500);
    let cell = |v: Option<&Value>| match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    view! {
        <div class="table-scroll"><table class="run-table">
            <thead><tr>{columns.iter().map(|c| view! { <th scope="col">{c.clone()}</th> }).collect_view()}</tr></thead>
            <tbody>{rows[..shown].iter().map(|row| view! {
                <tr>{columns.iter().map(|c| view! { <td>{cell(row.get(c))}</td> }).collect_view()}</tr>
            }).collect_view()}</tbody>
        </table></div>
        {(rows.len() > shown).then(|| view! { <p class="run-note">{format!("The first {shown} of {} rows.", rows.len())}</p> })}
        {json(value, false)}
    }
    .into_any()
}

fn json(value: &Value, open: bool) -> AnyView {
    // Small lists and maps read best on one line.
    let compact = value.to_string();
    if compact.len() <= 120 {
        return view! { <p class="run-value"><code>{compact}</code></p> }.into_any();
    }
    let pretty = serde_json::to_string_pretty(value).unwrap_or_default();
    let summary = match value {
        Value::Array(items) => format!("JSON list, {} items", items.len()),
        Value::Object(map) => format!("JSON object, {} keys", map.len()),
        _ => "JSON".into(),
    };
    view! { <details class="run-json" open=open><summary>{summary}</summary><pre><code>{pretty}</code></pre></details> }.into_any()
}

fn shorten(text: &str) -> String {
    llmos_core::shorten(text, 200)
}
