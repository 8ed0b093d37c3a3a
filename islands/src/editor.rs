//! The skill editor: a user skill's SKILL.md as a form or as raw text,
//! checked live with the rules of `llmos check`, previewed as the page
//! will show it, and saved to the browser. Every change is kept as a draft
//! in IndexedDB, so an accidental reload or a crash loses nothing.

use crate::my_skills::{status_view, Status};
use crate::user_skills::{self, SkillForm};
use leptos::prelude::*;
use llmos_core::{Diagnostic, Severity};

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Form,
    Raw,
}

#[island]
pub fn SkillEditor(base: String, index_url: String) -> impl IntoView {
    // What is being edited: `None` for a new skill, else its stored name.
    let editing = RwSignal::new(None::<String>);
    let text = RwSignal::new(String::new());
    let form = RwSignal::new(SkillForm::default());
    let mode = RwSignal::new(Mode::Form);
    let files = RwSignal::new(Vec::<String>::new());
    let ready = RwSignal::new(false);
    let status = RwSignal::new(Status::Idle);
    let restored = RwSignal::new(None::<String>);
    let system_names = RwSignal::new(Vec::<String>::new());
    let base = StoredValue::new(base);
    let _ = &index_url;

    let source = move || if mode.get() == Mode::Form { form.with(SkillForm::to_skill_md) } else { text.get() };
    let checked = Memo::new(move |_| {
        let current = source();
        let names = files.get();
        match user_skills::check(&current, &names) {
            Ok((skill, warnings)) => (Some((skill.slug, skill.name, skill.description, skill.body)), warnings),
            Err(error) => (None, vec![error]),
        }
    });
    let has_errors = move || checked.with(|(_, d)| d.iter().any(Diagnostic::is_error));
    let slug = move || checked.with(|(s, _)| s.as_ref().map(|s| s.0.clone()));

    #[cfg(feature = "hydrate")]
    {
        leptos::task::spawn_local(actions::open(editing, text, form, mode, files, ready, status, restored));
        let url = index_url.clone();
        leptos::task::spawn_local(async move {
            if let Ok(index) = crate::site_index::fetch_index(&url).await {
                system_names.set(index.docs.into_iter().filter(|d| !d.user).map(|d| d.slug).collect());
            }
        });
    }

    // Each change is a draft at once: the last keystroke survives a reload.
    let changed = move || {
        if ready.get_untracked() {
            #[cfg(feature = "hydrate")]
            leptos::task::spawn_local(actions::keep_draft(editing.get_untracked(), source_untracked(mode, &form, &text)));
        }
    };

    let switch = move |to: Mode| {
        if to == mode.get_untracked() {
            return;
        }
        match to {
            Mode::Raw => {
                text.set(form.with_untracked(SkillForm::to_skill_md));
                mode.set(Mode::Raw);
            }
            Mode::Form => match SkillForm::from_skill_md(&text.get_untracked()) {
                Some(parsed) => {
                    form.set(parsed);
                    mode.set(Mode::Form);
                }
                None => status.set(Status::Failed("This SKILL.md has fields the form does not show, or errors; keep editing it as text so nothing is lost.".into(), vec![])),
            },
        }
    };

    let save = move || {
        if has_errors() {
            status.set(Status::Failed("Fix the errors below before saving.".into(), vec![]));
        } else {
            #[cfg(feature = "hydrate")]
            leptos::task::spawn_local(actions::save(editing, source_untracked(mode, &form, &text), status, base.get_value()));
        }
    };

    let field = move |label: &'static str, id: &'static str, get: fn(&SkillForm) -> String, set: fn(&mut SkillForm, String), hint: &'static str| {
        view! {
            <label for=id>{label}</label>
            <input id=id type="text" prop:value=move || form.with(get) on:input=move |e| { form.update(|f| set(f, event_target_value(&e))); changed(); } />
            <small class="hint">{hint}</small>
        }
    };

    let shadow_notice = move || {
        let slug = slug()?;
        system_names.with(|names| names.contains(&slug)).then(|| {
            let site_url = format!("{}skills/{slug}/", base.get_value());
            view! {
                <p class="notice" id="shadow-notice">
                    "This site has a skill named " <code>{slug.clone()}</code> ". Yours takes its place in your catalogue, your search and your chats; the site's version stays at "
                    <a href=site_url.clone()>{site_url.clone()}</a> "."
                </p>
            }
        })
    };

    view! {
        <div class="editor" on:keydown=move |e: leptos::ev::KeyboardEvent| if (e.ctrl_key() || e.meta_key()) && e.key() == "s" { e.prevent_default(); save(); }>
            <div class="toolbar">
                <div class="segmented" role="group" aria-label="Edit as">
                    <button type="button" id="mode-form" aria-pressed=move || (mode.get() == Mode::Form).to_string() on:click=move |_| switch(Mode::Form)>"Form"</button>
                    <button type="button" id="mode-raw" aria-pressed=move || (mode.get() == Mode::Raw).to_string() on:click=move |_| switch(Mode::Raw)>"SKILL.md"</button>
                </div>
                <button type="button" class="primary" id="save-skill" disabled=move || !ready.get() on:click=move |_| save()>"Save"</button>
                {move || editing.get().map(|key| view! { <a class="button" href=crate::skill_links::view_url(&base.get_value(), &key)>"View"</a> })}
                <a class="button" href=move || format!("{}my/", base.get_value())>"Your skills"</a>
            </div>
            {move || restored.get().map(|when| view! {
                <p class="notice" id="draft-restored">{format!("Restored your unsaved changes from {when}.")} " "
                    <button type="button" class="link" on:click=move |_| {
                        #[cfg(feature = "hydrate")]
                        leptos::task::spawn_local(actions::discard(editing.get_untracked(), text, form, mode, restored));
                    }>"Discard them"</button>
                </p>
            })}
            {status_view(status)}
            {shadow_notice}
            <div class="editor-panes">
                <div class="editor-input">
                    {move || if !ready.get() {
                        view! { <p class="muted">"Loading…"</p> }.into_any()
                    } else if mode.get() == Mode::Form {
                        view! {
                            <div class="form">
                                {field("Name", "skill-name", |f| f.name.clone(), |f, v| f.name = v, "Lowercase letters, digits and hyphens; it names the folder too.")}
                                {field("Description", "skill-description", |f| f.description.clone(), |f, v| f.description = v, "What the skill does and when to use it: models choose skills by this.")}
                                {field("Category", "skill-category", |f| f.category.clone(), |f, v| f.category = v, "Optional, e.g. Writing.")}
                                {field("Keywords", "skill-keywords", |f| f.keywords.clone(), |f, v| f.keywords = v, "Optional, comma-separated.")}
                                <label for="skill-type">"Type"</label>
                                <select id="skill-type" prop:value=move || form.with(|f| f.kind.clone()) on:change=move |e| { form.update(|f| f.kind = event_target_value(&e)); changed(); }>
                                    <option value="">"Instructions"</option>
                                    <option value="python">"Python (runs in the browser)"</option>
                                    <option value="javascript">"JavaScript (runs in a sandbox)"</option>
                                </select>
                                <label for="skill-body">"Instructions (Markdown)"</label>
                                <textarea id="skill-body" rows="18" spellcheck="true" prop:value=move || form.with(|f| f.body.clone()) on:input=move |e| { form.update(|f| f.body = event_target_value(&e)); changed(); }></textarea>
                            </div>
                        }.into_any()
                    } else {
                        view! {
                            <label for="skill-raw" class="visually-hidden">"SKILL.md"</label>
                            <textarea id="skill-raw" class="raw" rows="28" spellcheck="false" prop:value=move || text.get() on:input=move |e| { text.set(event_target_value(&e)); changed(); }></textarea>
                        }.into_any()
                    }}
                    <ul class="diagnostics" id="diagnostics" aria-live="polite">
                        {move || checked.get().1.into_iter().map(|d| {
                            let class = if d.severity == Severity::Error { "error" } else { "warning" };
                            view! { <li class=class><pre>{d.to_string()}</pre></li> }
                        }).collect_view()}
                    </ul>
                </div>
                <div class="editor-preview" aria-label="Preview">
                    {move || checked.get().0.map(|(_, name, description, body)| view! {
                        <h1>{name}</h1>
                        <p class="lead">{description}</p>
                        <div class="prose" id="preview-body" inner_html=llmos_core::render_safe(&body)></div>
                    })}
                </div>
            </div>
        </div>
    }
}

fn source_untracked(mode: RwSignal<Mode>, form: &RwSignal<SkillForm>, text: &RwSignal<String>) -> String {
    if mode.get_untracked() == Mode::Form {
        form.with_untracked(SkillForm::to_skill_md)
    } else {
        text.get_untracked()
    }
}

fn draft_id(editing: Option<&str>) -> String {
    editing.map_or_else(|| "new".to_string(), |name| format!("edit:{name}"))
}

#[cfg(feature = "hydrate")]
mod actions {
    use super::{draft_id, Mode};
    use crate::browser;
    use crate::my_skills::Status;
    use crate::store::{self, sync, Draft, SkillStore};
    use crate::user_skills::{self, SkillFile, SkillForm, UserSkill, SKILL_MD};
    use leptos::prelude::*;

    fn show(text_value: String, text: RwSignal<String>, form: RwSignal<SkillForm>, mode: RwSignal<Mode>) {
        match SkillForm::from_skill_md(&text_value) {
            Some(parsed) => {
                form.set(parsed);
                mode.set(Mode::Form);
            }
            None => mode.set(Mode::Raw),
        }
        text.set(text_value);
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn open(
        editing: RwSignal<Option<String>>,
        text: RwSignal<String>,
        form: RwSignal<SkillForm>,
        mode: RwSignal<Mode>,
        files: RwSignal<Vec<String>>,
        ready: RwSignal<bool>,
        status: RwSignal<Status>,
        restored: RwSignal<Option<String>>,
    ) {
        let result = async {
            let store = store::shared().await?;
            let name = browser::query_parameter("skill").filter(|n| !n.is_empty());
            let existing = match &name {
                Some(name) => store.skill(name).await?,
                None => None,
            };
            if name.is_some() && existing.is_none() {
                return Ok(Err(format!("You have no skill named {}. It may have been deleted or renamed in another tab.", name.unwrap_or_default())));
            }
            let draft = store.draft(&draft_id(name.as_deref())).await?;
            Ok::<_, store::StoreError>(Ok((name, existing, draft)))
        }
        .await;
        match result {
            Err(error) => status.set(Status::Failed(error.to_string(), vec![])),
            Ok(Err(message)) => status.set(Status::Failed(message, vec![])),
            Ok(Ok((name, existing, draft))) => {
                let saved = existing.as_ref().map(UserSkill::skill_md_text);
                files.set(existing.as_ref().map(UserSkill::other_files).unwrap_or_default());
                editing.set(name);
                match (draft, saved) {
                    (Some(draft), saved) if Some(&draft.text) != saved.as_ref() && draft.updated >= existing.as_ref().map_or(0.0, |s| s.updated) => {
                        restored.set(Some(String::from(js_sys::Date::new(&draft.updated.into()).to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED))));
                        show(draft.text, text, form, mode);
                    }
                    (_, Some(saved)) => show(saved, text, form, mode),
                    (_, None) => show(user_skills::template("my-skill"), text, form, mode),
                }
                ready.set(true);
            }
        }
    }

    thread_local! {
        static PENDING: std::cell::RefCell<Option<Draft>> = const { std::cell::RefCell::new(None) };
        static WRITING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    /// Keeps the newest text as the draft. Keystrokes come faster than
    /// writes, and concurrent writes could land out of order, so one writer
    /// at a time takes whatever is newest when it is ready.
    pub async fn keep_draft(editing: Option<String>, text: String) {
        PENDING.with(|p| *p.borrow_mut() = Some(Draft { id: draft_id(editing.as_deref()), editing, text, updated: browser::now() }));
        if WRITING.with(|w| w.replace(true)) {
            return;
        }
        while let Some(draft) = PENDING.with(|p| p.borrow_mut().take()) {
            let result = match store::shared().await {
                Ok(store) => store.save_draft(&draft).await,
                Err(error) => Err(error),
            };
            if let Err(error) = result {
                web_sys::console::warn_1(&format!("llmos: could not keep the draft: {error}").into());
            }
        }
        WRITING.with(|w| w.set(false));
    }

    pub async fn discard(editing: Option<String>, text: RwSignal<String>, form: RwSignal<SkillForm>, mode: RwSignal<Mode>, restored: RwSignal<Option<String>>) {
        let Ok(store) = store::shared().await else { return };
        let _ = store.discard_draft(&draft_id(editing.as_deref())).await;
        let saved = match &editing {
            Some(name) => store.skill(name).await.ok().flatten().map(|s| s.skill_md_text()),
            None => None,
        };
        show(saved.unwrap_or_else(|| user_skills::template("my-skill")), text, form, mode);
        restored.set(None);
    }

    pub async fn save(editing: RwSignal<Option<String>>, text: String, status: RwSignal<Status>, base: String) {
        let old_name = editing.get_untracked();
        let result = async {
            let (skill, _) = user_skills::check(&text, &[]).map_err(|e| e.to_string())?;
            let store = store::shared().await.map_err(|e| e.to_string())?;
            let new_name = skill.slug;
            if old_name.as_deref() != Some(new_name.as_str()) && store.skill(&new_name).await.map_err(|e| e.to_string())?.is_some() {
                return Err(format!("You already have a skill named {new_name}. Choose another name, or edit that skill instead."));
            }
            let previous = match &old_name {
                Some(name) => store.skill(name).await.map_err(|e| e.to_string())?,
                None => None,
            };
            let now = browser::now();
            let mut files: Vec<SkillFile> = previous.as_ref().map(|p| p.files.iter().filter(|f| f.path != SKILL_MD).cloned().collect()).unwrap_or_default();
            files.push(SkillFile { path: SKILL_MD.into(), data: text.into_bytes() });
            let mut record = UserSkill::new(new_name.clone(), files, now);
            record.created = previous.as_ref().map_or(now, |p| p.created);
            // A rename writes the new record and removes the old in one transaction.
            let remove: Vec<String> = old_name.iter().filter(|old| **old != new_name).cloned().collect();
            store.save(&[record], &remove).await.map_err(|e| e.to_string())?;
            let _ = store.discard_draft(&draft_id(old_name.as_deref())).await;
            Ok(new_name)
        }
        .await;
        match result {
            Ok(name) => {
                sync::announce_skills_changed();
                if old_name.as_deref() != Some(name.as_str()) {
                    // Reloading this page should edit what was just saved.
                    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
                        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&crate::skill_links::edit_url(&base, &name)));
                    }
                    editing.set(Some(name.clone()));
                }
                status.set(Status::Done(format!("Saved {name}."), vec![]));
            }
            Err(error) => status.set(Status::Failed(error, vec![])),
        }
    }
}
