//! The Run panel's results: each output shown by its declared type.
//!
//! Nothing a skill returns runs on the page: Markdown goes through the
//! core's sanitising renderer, images (SVG included) are shown through
//! `<img>` from a `blob:` URL, where an SVG's scripts never run, and HTML is
//! shown as source with a download link.

use crate::browser::blob_url;
use base64::Engine;
use leptos::prelude::*;
use llmos_core::IoSpec;
use serde_json::Value;

/// `blob:` URLs made for the current results, revoked when they are replaced.
pub type BlobUrls = StoredValue<Vec<String>, LocalStorage>;

/// The outputs of a run: the declared ones in order, then any others.
pub fn outputs_view(specs: &[IoSpec], outputs: &Value, urls: BlobUrls) -> impl IntoView {
    let Some(object) = outputs.as_object() else {
        return view! { <p class="run-note">"The skill returned " <code>{shorten(&outputs.to_string())}</code> ", not an object of named outputs."</p> }.into_any();
    };
    let mut items: Vec<(String, String, Option<String>, Option<&Value>)> =
        specs.iter().map(|s| (s.name.clone(), s.kind.clone(), s.description.clone(), object.get(&s.name))).collect();
    items.extend(object.iter().filter(|(k, _)| !specs.iter().any(|s| &s.name == *k)).map(|(k, v)| (k.clone(), "json".to_string(), None, Some(v))));
    items
        .into_iter()
        .map(|(name, kind, description, value)| {
            let body = match value {
                None => view! { <p class="run-note">"Not returned."</p> }.into_any(),
                Some(value) => value_view(&kind, &name, value, urls),
            };
            view! {
                <section class="run-output" data-output=name.clone()>
                    <h4><code>{name.clone()}</code> " " <span class="run-type">{kind.clone()}</span></h4>
                    {description.map(|d| view! { <p class="run-hint">{d}</p> })}
                    {body}
                </section>
            }
        })
        .collect_view()
        .into_any()
}

fn value_view(kind: &str, name: &str, value: &Value, urls: BlobUrls) -> AnyView {
    match (kind, value) {
        ("markdown", Value::String(text)) => view! { <div class="run-markdown prose" inner_html=llmos_core::render_safe(text)></div> }.into_any(),
        ("svg" | "image", Value::String(text)) if text.trim_start().starts_with('<') => image(text.as_bytes().to_vec(), "image/svg+xml", name, urls),
        ("png" | "image", Value::String(text)) => match decode_png(text) {
            Some(bytes) => image(bytes, "image/png", name, urls),
            None => view! { <p class="run-note">"Not a PNG image (expected base64 or a data:image/png;base64 URL)."</p> }.into_any(),
        },
        ("html", Value::String(text)) => {
            let link = download(text.as_bytes(), "text/html", &format!("{name}.html"), urls);
            view! {
                <details class="run-json"><summary>"HTML source (" {text.len()} " characters), not run here"</summary><pre><code>{text.clone()}</code></pre></details>
                {link}
            }.into_any()
        }
        ("file", Value::Object(file)) => file_view(file, name, urls),
        ("text" | "string", Value::String(text)) if text.contains('\n') => view! { <pre class="run-text">{text.clone()}</pre> }.into_any(),
        (_, Value::String(text)) => view! { <p class="run-value"><output>{text.clone()}</output></p> }.into_any(),
        (_, Value::Number(_) | Value::Bool(_) | Value::Null) => view! { <p class="run-value"><output>{value.to_string()}</output></p> }.into_any(),
        (_, Value::Array(rows)) if kind == "table" || llmos_core::run::table_columns(value).is_some() => match llmos_core::run::table_columns(value) {
            Some(columns) => table(&columns, rows, value),
            None => json(value, true),
        },
        _ => json(value, kind == "json" || value.to_string().len() < 400),
    }
}

fn image(bytes: Vec<u8>, mime: &str, name: &str, urls: BlobUrls) -> AnyView {
    let Some(url) = blob_url(&bytes, mime) else { return view! { <p class="run-note">"The image could not be shown."</p> }.into_any() };
    urls.update_value(|u| u.push(url.clone()));
    let extension = if mime == "image/png" { "png" } else { "svg" };
    view! {
        <figure class="run-image"><img src=url.clone() alt=format!("{name} (image returned by the skill)") /></figure>
        <p><a href=url download=format!("{name}.{extension}")>"Download " {extension.to_uppercase()}</a></p>
    }
    .into_any()
}

fn decode_png(text: &str) -> Option<Vec<u8>> {
    let data = text.trim().strip_prefix("data:image/png;base64,").unwrap_or(text.trim());
    let bytes = base64::engine::general_purpose::STANDARD.decode(data.as_bytes()).ok()?;
    bytes.starts_with(b"\x89PNG\r\n\x1a\n").then_some(bytes)
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
