//! The skill editor: a user skill's SKILL.md as a form or as raw text,
//! checked live with the rules of `llmos check`, previewed as the page
//! will show it, and saved to the browser. Every change is kept as a draft
//! in IndexedDB, so an accidental reload or a crash loses nothing.
//!
//! Problems are shown where the user looks: at the field they concern
//! (marked `aria-invalid`, the message under it) and in a summary beside
//! Save. A new skill starts empty, with examples as placeholders, and its
//! fields stay unmarked until the user has typed in them or tried to save.
//!
//! An executable skill (`type: python` or `javascript`) also has its code
//! file here, and a Test run that runs the unsaved text in the site's Run
//! panel.
//!
//! `?customise=<name>` first copies the site's skill of that name into the
//! user's skills (see `customise`), then edits the copy.

#[cfg(feature = "hydrate")]
mod actions;
#[cfg(feature = "hydrate")]
mod customise;
mod problems;
#[cfg(feature = "hydrate")]
pub mod run;

use crate::my_skills::{review_view, status_view, Status};
use crate::user_skills::{self, SkillForm};
use leptos::prelude::*;
use llmos_core::Diagnostic;
use problems::{Problem, FORM_FIELDS};

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Form,
    Raw,
}

/// The editor page (`/my/edit/`, `?skill=<key>` to edit one,
/// `?customise=<name>` to copy the site's skill and edit the copy).
#[island]
pub fn SkillEditor() -> impl IntoView {
    let crate::island_props::PagePaths { base, index_url } = crate::island_props::props("SkillEditor");
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
    // Fields of a new skill the user has not typed in yet: no marks there.
    let untouched = RwSignal::new(Vec::<&'static str>::new());
    // The code file's text, and what the last Test run said instead of running.
    let code = RwSignal::new(String::new());
    // The safety review of a skill just copied from the site, all its files.
    let reviews = RwSignal::new(Vec::new());
    let base = StoredValue::new(base);
    let _ = &index_url;
    // The checker (the YAML parser) and the preview's Markdown renderer are
    // fetched when the editor opens (the skill kit): nothing is checked before.
    // False in the static page too, so hydration finds what it rendered.
    let renderer = RwSignal::new(false);

    let source = Memo::new(move |_| if mode.get() == Mode::Form { form.with(SkillForm::to_skill_md) } else { text.get() });
    let has_code = move || !code.with(String::is_empty);
    let checked = Memo::new(move |_| {
        if !renderer.get() {
            return (None, Vec::new());
        }
        let names = files.get();
        source.with(|current| match code.with(|code| check_with_code(current, names, code)) {
            Ok((skill, warnings)) => (Some((skill.slug, skill.name, skill.description, skill.body, skill.entry.filter(|_| executable(skill.kind.as_deref())))), warnings),
            Err(error) => (None, vec![error]),
        })
    });
    // The code file of an executable skill. Code already written stays in
    // view (with Test run, to say why it cannot run) while the SKILL.md does not parse.
    let entry = move || checked.with(|(skill, _)| skill.as_ref().and_then(|s| s.4.clone()));
    let has_errors = move || checked.with(|(_, d)| d.iter().any(Diagnostic::is_error));
    let slug = move || checked.with(|(s, _)| s.as_ref().map(|s| s.0.clone()));
    let shown = Memo::new(move |_| {
        let placed = source.with(|text| checked.with(|(_, d)| problems::place(text, d, mode.get() == Mode::Form)));
        untouched.with(|quiet| placed.into_iter().filter(|p| p.field.is_none_or(|f| !quiet.contains(&f))).collect::<Vec<Problem>>())
    });

    #[cfg(feature = "hydrate")]
    {
        let (site, url) = (base.get_value(), index_url.clone());
        leptos::task::spawn_local(async move {
            // The checker and the preview's renderer, before the draft is
            // opened (whether the form can show it is the checker's call).
            // Failed, checks say so and the preview shows text (the console says why).
            let _ = crate::kit::load().await;
            renderer.set(true);
            actions::customise(&site, &url, status, reviews).await;
            actions::open(editing, text, form, mode, files, ready, status, restored, untouched, code).await;
        });
        let url = index_url.clone();
        leptos::task::spawn_local(async move {
            if let Ok(slugs) = crate::site_index::site_skill_slugs(&url).await {
                system_names.set(slugs);
            }
        });
    }

    // Each change is a draft at once: the last keystroke survives a reload.
    let changed = move |field: &'static str| {
        untouched.update(|quiet| quiet.retain(|f| *f != field));
        if ready.get_untracked() {
            #[cfg(feature = "hydrate")]
            leptos::task::spawn_local(actions::keep_draft(draft_id(editing.get_untracked().as_deref()), editing.get_untracked(), source.get_untracked()));
        }
    };
    let code_changed = move || {
        if ready.get_untracked() {
            #[cfg(feature = "hydrate")]
            leptos::task::spawn_local(actions::keep_draft(code_draft_id(editing.get_untracked().as_deref()), editing.get_untracked(), code.get_untracked()));
        }
    };

    // Test run: the skill as it would be saved now, in the site's Run panel.
    // What cannot run is said where Save's outcome is.
    let test_run = move || {
        #[cfg(feature = "hydrate")]
        {
            let ready_to_run = if has_errors() {
                Err("Fix the problems listed above first: Test run runs the skill as it would be saved.".to_string())
            } else if !has_code() {
                let file = entry().unwrap_or_default();
                Err(if file.ends_with(".qasm") { format!("Write the circuit in {file} first.") } else { format!("Write the code in {file} first: it defines execute(inputs).") })
            } else {
                run::site_config().ok_or_else(|| "This site was built without the Run panel, so skills cannot run here.".to_string())
            };
            let ready_to_run = ready_to_run.and_then(|config| {
                let (skill, _) = source.with_untracked(|s| check_with_code(s, files.get_untracked(), &code.get_untracked())).map_err(|e| user_skills::in_browser_terms(&e))?;
                run::cannot_run(skill.kind.as_deref(), &config).map_or(Ok(config), Err)
            });
            let ready_to_run = ready_to_run.and_then(|config| {
                let runnable = source.with_untracked(|s| code.with_untracked(|c| crate::kit::runnable_json(s, c)));
                Ok((runnable.ok_or_else(|| "The skill could not be read for its run: reload the page and try again.".to_string())?, config))
            });
            match ready_to_run {
                Ok((runnable, config)) => {
                    status.set(Status::Idle);
                    let section = run::Section::Panel(runnable, config);
                    leptos::task::spawn_local(run::show("test-run", "Test run", "test-run-panel", section));
                }
                Err(why) => status.set(Status::Failed(why, vec![])),
            }
        }
    };

    let switch = move |to: Mode| {
        if to == mode.get_untracked() {
            return;
        }
        match to {
            Mode::Raw => {
                text.set(form.with_untracked(SkillForm::to_skill_md));
                untouched.set(Vec::new());
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
        // Trying to save is when every problem should show.
        untouched.set(Vec::new());
        if has_errors() {
            let fix = if mode.get_untracked() == Mode::Form { "Fix the marked fields before saving." } else { "Fix the lines listed above before saving." };
            status.set(Status::Failed(fix.into(), vec![]));
        } else {
            #[cfg(feature = "hydrate")]
            leptos::task::spawn_local(actions::save(editing, source.get_untracked(), code.get_untracked(), status, restored, base.get_value()));
        }
    };

    // A field's marks: `aria-invalid` on an error, and its messages under
    // it, one a line (an empty paragraph, hidden, when there are none).
    let marks = move |id: &'static str| {
        shown.with(|all| {
            let mine: Vec<&Problem> = all.iter().filter(|p| p.field == Some(id)).collect();
            (mine.iter().any(|p| p.error), mine.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join("\n"))
        })
    };
    let invalid = move |id: &'static str| move || marks(id).0.then_some("true");
    let messages = move |id: &'static str| view! { <p class=move || if marks(id).0 { "field-problem error" } else { "field-problem" } id=format!("{id}-problems")>{move || marks(id).1}</p> };

    let field = move |label: &'static str, id: &'static str, get: fn(&SkillForm) -> String, set: fn(&mut SkillForm, String), example: &'static str, hint: &'static str| {
        view! {
            <label for=id>{label}</label>
            <input id=id type="text" placeholder=example aria-invalid=invalid(id) aria-describedby=format!("{id}-problems") prop:value=move || form.with(get)
                on:input=move |e| { form.update(|f| set(f, event_target_value(&e))); changed(id); } />
            {messages(id)}
            <small class="hint">{hint}</small>
        }
    };

    let shadow_notice = move || {
        let slug = slug()?;
        system_names.with(|names| names.contains(&slug)).then(|| {
            let site_url = format!("{}skills/{slug}/", base.get_value());
            let note = user_skills::shadow_note(&slug, &site_url);
            // The site's address, as a link: the note's text ends with it and a parenthesis.
            let before = note.strip_suffix(&format!("{site_url})")).unwrap_or(&note).to_string();
            view! { <p class="notice" id="shadow-notice">"This " {before} <a href=site_url.clone()>{site_url.clone()}</a> ")."</p> }
        })
    };

    // Every problem, beside Save: its place links to the field or the text.
    let summary = move || {
        shown.get().into_iter().map(|p| view! {
            <li class=p.level()>
                <a href=format!("#{}", p.field.unwrap_or("skill-raw"))>{p.place.clone()}</a>
                {format!(" ({}): {}", p.level(), p.text)}
            </li>
        }).collect_view()
    };

    view! {
        <div class="editor" on:keydown=move |e: leptos::ev::KeyboardEvent| if (e.ctrl_key() || e.meta_key()) && e.key() == "s" { e.prevent_default(); save(); }>
            <div class="toolbar">
                <div class="segmented" role="group" aria-label="Edit as">
                    <button type="button" id="mode-form" aria-pressed=move || (mode.get() == Mode::Form).to_string() disabled=move || !ready.get() on:click=move |_| switch(Mode::Form)>"Form"</button>
                    <button type="button" id="mode-raw" aria-pressed=move || (mode.get() == Mode::Raw).to_string() disabled=move || !ready.get() on:click=move |_| switch(Mode::Raw)>"SKILL.md"</button>
                </div>
                <button type="button" class="primary" id="save-skill" disabled=move || !ready.get() on:click=move |_| save()>"Save"</button>
                <button type="button" id="test-run-skill" title="Runs the skill as it is now, unsaved, in a sandbox" hidden=move || entry().is_none() && !has_code() on:click=move |_| test_run()>"Test run"</button>
                {move || editing.get().map(|key| view! { <a class="button" href=crate::skill_links::view_url(&base.get_value(), &key)>"View"</a> })}
                <a class="button" href=move || format!("{}my/", base.get_value())>"Your skills"</a>
            </div>
            <ul class="diagnostics check-summary" id="diagnostics" aria-live="polite">{summary}</ul>
            {status_view(status)}
            {review_view(reviews)}
            {move || restored.get().map(|when| view! {
                <p class="notice" id="draft-restored">{format!("Restored your unsaved changes from {when}.")} " "
                    <button type="button" class="link" on:click=move |_| {
                        #[cfg(feature = "hydrate")]
                        leptos::task::spawn_local(actions::discard(editing.get_untracked(), text, form, mode, restored, untouched, code));
                    }>"Discard them"</button>
                </p>
            })}
            {shadow_notice}
            <div class="editor-panes">
                <div class="editor-input">
                    {move || if !ready.get() {
                        view! { <p class="muted">"Loading…"</p> }.into_any()
                    } else if mode.get() == Mode::Form {
                        view! {
                            <div class="form">
                                {field("Name", "skill-name", |f| f.name.clone(), |f, v| f.name = v, "e.g. csv-to-markdown", "Lowercase letters, digits and hyphens; it is also the skill's address.")}
                                {field("Description", "skill-description", |f| f.description.clone(), |f, v| f.description = v, "e.g. Turns CSV into Markdown tables. Use when a table goes in a README.", "What the skill does and when to use it: models choose skills by this.")}
                                {field("Category", "skill-category", |f| f.category.clone(), |f, v| f.category = v, "e.g. writing", "Optional: the skill joins this category's page.")}
                                {field("Keywords", "skill-keywords", |f| f.keywords.clone(), |f, v| f.keywords = v, "e.g. csv, markdown, tables", "Optional, comma-separated.")}
                                <label for="skill-type">"Type"</label>
                                <select id="skill-type" aria-invalid=invalid("skill-type") aria-describedby="skill-type-problems" prop:value=move || form.with(|f| f.kind.clone())
                                    on:change=move |e| {
                                        let kind = event_target_value(&e);
                                        // An empty code box (or another type's untouched starter) gets this type's starter.
                                        if code.with_untracked(|c| c.trim().is_empty() || STARTERS.iter().any(|(_, s)| c == s)) {
                                            code.set(STARTERS.iter().find(|(k, _)| *k == kind).map(|(_, s)| s.to_string()).unwrap_or_default());
                                            code_changed();
                                        }
                                        form.update(|f| f.kind = kind);
                                        changed("skill-type");
                                    }>
                                    <option value="">"Instructions"</option>
                                    <option value="python">"Python (runs in the browser)"</option>
                                    <option value="javascript">"JavaScript (runs in a sandbox)"</option>
                                    <option value="qasm">"OpenQASM circuit (quantum runtime)"</option>
                                </select>
                                {messages("skill-type")}
                                <label for="skill-body">"Instructions (Markdown)"</label>
                                <textarea id="skill-body" rows="18" spellcheck="true" aria-invalid=invalid("skill-body") aria-describedby="skill-body-problems"
                                    placeholder="# CSV to Markdown\n\nSteps, examples and guidance for the model: what to do, in what order, and what a good result looks like."
                                    prop:value=move || form.with(|f| f.body.clone()) on:input=move |e| { form.update(|f| f.body = event_target_value(&e)); changed("skill-body"); }></textarea>
                                {messages("skill-body")}
                            </div>
                        }.into_any()
                    } else {
                        view! {
                            <label for="skill-raw" class="visually-hidden">"SKILL.md"</label>
                            <textarea id="skill-raw" class="raw" rows="28" spellcheck="false" aria-invalid=move || has_errors().then_some("true") aria-describedby="diagnostics"
                                prop:value=move || text.get() on:input=move |e| { text.set(event_target_value(&e)); changed("skill-raw"); }></textarea>
                        }.into_any()
                    }}
                    // The code file of an executable skill, hidden for instructions.
                    <div class="editor-code" hidden=move || entry().is_none() && !has_code()>
                        <label for="skill-code">{move || format!("Code ({})", entry().unwrap_or_else(|| "the skill's code file".into()))}</label>
                        <textarea id="skill-code" class="raw" rows="16" spellcheck="false" prop:value=move || code.get() on:input=move |e| { code.set(event_target_value(&e)); code_changed(); }></textarea>
                    </div>
                </div>
                <div class="editor-preview" aria-label="Preview">
                    {move || checked.get().0.map(|(_, name, description, body, _)| view! {
                        <h1>{name}</h1>
                        <p class="lead">{description}</p>
                        <div class="prose" id="preview-body" aria-busy=move || (!renderer.get()).then_some("true") inner_html=move || if renderer.get() { crate::kit::render_safe(&body) } else { String::new() }></div>
                    })}
                    // Said, not blank: the preview needs a SKILL.md that parses.
                    <p class="muted" id="preview-waiting" hidden=move || !ready.get() || !renderer.get() || checked.with(|c| c.0.is_some())>
                        "The preview shows here once the name and description are filled in and the SKILL.md has no errors."
                    </p>
                </div>
            </div>
            <section class="run" id="test-run"></section>
        </div>
    }
}

/// The draft's key: one per skill being edited, and one for a new skill.
fn draft_id(editing: Option<&str>) -> String {
    editing.map_or_else(|| "new".to_string(), |name| format!("edit:{name}"))
}

/// Checks the SKILL.md being edited; with `code`, the code written here
/// counts as the entry file the skill will be saved with. The safety
/// review's findings on both (as `llmos check` reports them) join the
/// warnings, before the skill is saved or test-run.
fn check_with_code(text: &str, mut names: Vec<String>, code: &str) -> Result<(llmos_core::SkillOutline, Vec<Diagnostic>), Diagnostic> {
    let has_code = !code.is_empty();
    let checked = match user_skills::check(text, &names) {
        Ok((skill, _)) if has_code && skill.entry.as_ref().is_some_and(|e| !names.contains(e)) => {
            names.extend(skill.entry);
            user_skills::check(text, &names)
        }
        checked => checked,
    };
    checked.map(|(skill, mut warnings)| {
        // The rules run in the skill kit, which the checks wait for too.
        let mut files = vec![(user_skills::SKILL_MD, text.as_bytes())];
        if let Some(entry) = skill.entry.as_deref().filter(|_| has_code) {
            files.push((entry, code.as_bytes()));
        }
        for note in crate::kit::review(&files) {
            let mut warning = note.warning;
            if note.file != user_skills::SKILL_MD {
                // Lines of the code file, not of the SKILL.md the problem list numbers.
                warning.message = format!("{} line {}: {}", note.file, note.line, warning.message);
                warning.line = 0;
            }
            warnings.push(warning);
        }
        (skill, warnings)
    })
}

/// The code a new skill of each `type:` starts from, in the form the
/// runners call (a script defining `execute(inputs)`, no `export`).
const STARTERS: &[(&str, &str)] = &[
    ("python", "def execute(inputs):\n    # `inputs`: the values of the inputs the SKILL.md declares, by name.\n    return {\"result\": \"…\"}\n"),
    ("javascript", "function execute(inputs) {\n  // `inputs`: the values of the inputs the SKILL.md declares, by name.\n  return { result: \"…\" };\n}\n"),
    ("qasm", "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[1];\ncreg c[1];\nh q[0];\nmeasure q[0] -> c[0];\n"),
];

/// Whether a skill of this `type:` runs (and so has a code file).
pub fn executable(kind: Option<&str>) -> bool {
    matches!(kind, Some("python" | "javascript" | "qasm"))
}

/// The draft of the code file, kept beside the SKILL.md's.
fn code_draft_id(editing: Option<&str>) -> String {
    format!("{}#code", draft_id(editing))
}

/// The fields a new, empty form starts with unmarked.
fn all_untouched() -> Vec<&'static str> {
    FORM_FIELDS.to_vec()
}
