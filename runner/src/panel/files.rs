//! The Run panel's "Files" section for Python skills: the files the skill
//! keeps between runs (`crate::files`), each with a download link and a
//! Remove button, and "Add files…" for the user to give the skill files.
//! Listed again after every run, so what a run wrote shows up at once.

use crate::files::SkillFiles;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

struct Listed {
    path: String,
    size: f64,
    url: String,
}

#[component]
pub fn KeptFiles(skill: String, runs: RwSignal<u32>) -> impl IntoView {
    let listed = RwSignal::new(Vec::<(String, f64, String)>::new());
    let problem = RwSignal::new(None::<String>);
    let changes = RwSignal::new(0u32);
    let skill = StoredValue::new(skill);
    // A fresh list after each run and each change made here.
    Effect::new(move |_| {
        let (_, _) = (runs.get(), changes.get());
        leptos::task::spawn_local(async move {
            match list(&skill.get_value()).await {
                Ok(files) => {
                    listed.update(|old| old.drain(..).for_each(|(_, _, url)| crate::browser::revoke(&url)));
                    listed.set(files.into_iter().map(|f| (f.path, f.size, f.url)).collect());
                    problem.set(None);
                }
                Err(message) => problem.set(Some(message)),
            }
        });
    });
    let add = move |event: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event.target().expect("an input").unchecked_into();
        let Some(chosen) = input.files() else { return };
        let picked: Vec<web_sys::File> = (0..chosen.length()).filter_map(|i| chosen.get(i)).collect();
        input.set_value("");
        leptos::task::spawn_local(async move {
            let folder = match SkillFiles::new(&skill.get_value()) {
                Ok(folder) => folder,
                Err(message) => return problem.set(Some(message)),
            };
            for file in picked {
                if let Err(message) = folder.write(&file.name(), &file).await {
                    problem.set(Some(message));
                    break;
                }
            }
            changes.update(|n| *n += 1);
        });
    };
    let remove = move |path: String| {
        leptos::task::spawn_local(async move {
            let outcome = match SkillFiles::new(&skill.get_value()) {
                Ok(folder) => folder.remove(&path).await,
                Err(message) => Err(message),
            };
            if let Err(message) = outcome {
                problem.set(Some(message));
            }
            changes.update(|n| *n += 1);
        });
    };
    let input_id = format!("run-files-{}", llmos_core::slugify(&skill.get_value()));
    view! {
        <details class="run-files" open=move || !listed.get().is_empty()>
            <summary>"Files " <span class="run-type">{move || format!("{} kept in this browser", listed.get().len())}</span></summary>
            <p class="run-hint">"The skill reads and writes these in its working folder; they stay in this browser between runs and reloads. Files a run writes are kept when it ends without an error."</p>
            <ul class="run-file-list">
                {move || listed.get().into_iter().map(|(path, size, url)| {
                    let name = path.rsplit('/').next().unwrap_or(&path).to_string();
                    let gone = path.clone();
                    view! {
                        <li data-kept-file=path.clone()>
                            <a href=url download=name><code>{path.clone()}</code></a>
                            " " <span class="run-type">{size_text(size)}</span> " "
                            <button type="button" class="button" on:click=move |_| remove(gone.clone())>"Remove"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <label class="run-files-add" for=input_id.clone()>"Add files: "</label>
            <input type="file" multiple id=input_id class="run-files-input" on:change=add />
            <p class="run-note" role="alert" hidden=move || problem.get().is_none()>{move || problem.get().unwrap_or_default()}</p>
        </details>
    }
}

async fn list(skill: &str) -> Result<Vec<Listed>, String> {
    let files = SkillFiles::new(skill)?.list().await?;
    Ok(files.into_iter().map(|f| Listed { size: f.file.size(), url: web_sys::Url::create_object_url_with_blob(&f.file).unwrap_or_default(), path: f.path }).collect())
}

fn size_text(bytes: f64) -> String {
    match bytes {
        b if b < 1024.0 => format!("{b} B"),
        b if b < 1048576.0 => format!("{:.1} kB", b / 1024.0),
        b => format!("{:.1} MB", b / 1048576.0),
    }
}
