//! What the editor does in the browser: open a skill or its draft, keep
//! drafts, discard them, and save.

use super::{all_untouched, code_draft_id, draft_id, Mode};
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

/// A new skill: an empty form, its examples in placeholders.
fn show_new(text: RwSignal<String>, form: RwSignal<SkillForm>, mode: RwSignal<Mode>, untouched: RwSignal<Vec<&'static str>>) {
    form.set(SkillForm::default());
    text.set(SkillForm::default().to_skill_md());
    mode.set(Mode::Form);
    untouched.set(all_untouched());
}

/// `?customise=<name>`: copies the site's skill into the user's (unless
/// they have one of that name), and points the address at editing it,
/// so a reload edits the copy rather than copying again. A failure is
/// said, and leaves the address as it was (a reload tries again).
pub async fn customise(base: &str, index_url: &str, status: RwSignal<Status>, reviews: RwSignal<Vec<(String, Vec<user_skills::ReviewNote>)>>) {
    let Some(wanted) = browser::query_parameter("customise").filter(|n| !n.trim().is_empty()) else { return };
    status.set(Status::Working(format!("Copying {wanted} into your skills…")));
    match super::customise::copy(&wanted, index_url).await {
        Ok((copied, review)) => {
            let (key, message) = match copied {
                super::customise::Copied::New(key) => {
                    let message = format!("Copied the site's skill {wanted} into your skills as {key}: edit it here. Your copy {}.", user_skills::shadow_note(&key, &format!("{base}skills/{key}/")));
                    (key, message)
                }
                super::customise::Copied::Existing(key) => (key.clone(), format!("You already have a skill named {key}, so nothing was copied: this is yours, as you left it.")),
            };
            browser::replace_url(&crate::skill_links::edit_url(base, &key));
            if !review.is_empty() {
                reviews.set(vec![(key, review)]);
            }
            status.set(Status::Done(message, vec![]));
        }
        Err(error) => status.set(Status::Failed(error, vec![])),
    }
}

/// Opens the skill the address names (or a new one): its draft when that
/// is newer than what was saved, and its code file's text (or that draft).
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
    untouched: RwSignal<Vec<&'static str>>,
    code: RwSignal<String>,
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
        let code_draft = store.draft(&code_draft_id(name.as_deref())).await?;
        Ok::<_, store::StoreError>(Ok((name, existing, draft, code_draft)))
    }
    .await;
    match result {
        Err(error) => status.set(Status::Failed(error.to_string(), vec![])),
        Ok(Err(message)) => status.set(Status::Failed(message, vec![])),
        Ok(Ok((name, existing, draft, code_draft))) => {
            let saved = existing.as_ref().map(UserSkill::skill_md_text);
            files.set(existing.as_ref().map(UserSkill::other_files).unwrap_or_default());
            editing.set(name);
            match (draft, saved) {
                (Some(draft), saved) if Some(&draft.text) != saved.as_ref() && draft.updated >= existing.as_ref().map_or(0.0, |s| s.updated) => {
                    restored.set(Some(String::from(js_sys::Date::new(&draft.updated.into()).to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED))));
                    show(draft.text, text, form, mode);
                }
                (_, Some(saved)) => show(saved, text, form, mode),
                (_, None) => show_new(text, form, mode, untouched),
            }
            let saved_at = existing.as_ref().map_or(0.0, |s| s.updated);
            let saved = saved_code(existing.as_ref(), &text.get_untracked());
            match code_draft.filter(|d| d.updated >= saved_at && d.text != saved) {
                Some(draft) => {
                    if restored.get_untracked().is_none() {
                        restored.set(Some(String::from(js_sys::Date::new(&draft.updated.into()).to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED))));
                    }
                    code.set(draft.text);
                }
                None => code.set(saved),
            }
            ready.set(true);
        }
    }
}

/// The text of the skill's code file, as saved: the entry `skill_md` names.
fn saved_code(skill: Option<&UserSkill>, skill_md: &str) -> String {
    let Some(skill) = skill else { return String::new() };
    let entry = user_skills::check(skill_md, &skill.other_files()).ok().and_then(|(s, _)| s.entry);
    let file = skill.files.iter().find(|f| Some(&f.path) == entry.as_ref());
    file.map(|f| String::from_utf8_lossy(&f.data).into_owned()).unwrap_or_default()
}

thread_local! {
    static PENDING: std::cell::RefCell<Vec<Draft>> = const { std::cell::RefCell::new(Vec::new()) };
    static WRITING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Keeps the newest text as the draft `id` (the SKILL.md's or the code's).
/// Keystrokes come faster than writes, and concurrent writes could land
/// out of order, so one writer at a time takes whatever is newest when it
/// is ready.
pub async fn keep_draft(id: String, editing: Option<String>, text: String) {
    PENDING.with(|p| {
        let mut pending = p.borrow_mut();
        pending.retain(|d| d.id != id);
        pending.push(Draft { id, editing, text, updated: browser::now() });
    });
    if WRITING.with(|w| w.replace(true)) {
        return;
    }
    while let Some(draft) = PENDING.with(|p| p.borrow_mut().pop()) {
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

/// Drops the drafts (SKILL.md and code) and shows what was saved.
#[allow(clippy::too_many_arguments)]
pub async fn discard(editing: Option<String>, text: RwSignal<String>, form: RwSignal<SkillForm>, mode: RwSignal<Mode>, restored: RwSignal<Option<String>>, untouched: RwSignal<Vec<&'static str>>, code: RwSignal<String>) {
    let Ok(store) = store::shared().await else { return };
    let _ = store.discard_draft(&draft_id(editing.as_deref())).await;
    let _ = store.discard_draft(&code_draft_id(editing.as_deref())).await;
    let skill = match &editing {
        Some(name) => store.skill(name).await.ok().flatten(),
        None => None,
    };
    let saved = skill.as_ref().map(|s| s.skill_md_text());
    code.set(saved_code(skill.as_ref(), saved.as_deref().unwrap_or_default()));
    match saved {
        Some(saved) => show(saved, text, form, mode),
        None => show_new(text, form, mode, untouched),
    }
    restored.set(None);
}

/// Saves the SKILL.md `text` and, for an executable skill, `code` as its
/// entry file (left as it was when `code` is empty).
pub async fn save(editing: RwSignal<Option<String>>, text: String, code: String, status: RwSignal<Status>, restored: RwSignal<Option<String>>, base: String) {
    let old_name = editing.get_untracked();
    let result = async {
        let (skill, _) = user_skills::check(&text, &[]).map_err(|e| user_skills::in_browser_terms(&e))?;
        let store = store::shared().await.map_err(|e| e.to_string())?;
        let new_name = skill.slug;
        let code_file = skill.entry.filter(|_| super::run::executable(skill.kind.as_deref()) && !code.is_empty());
        if old_name.as_deref() != Some(new_name.as_str()) && store.skill(&new_name).await.map_err(|e| e.to_string())?.is_some() {
            return Err(format!("You already have a skill named {new_name}. Choose another name, or edit that skill instead."));
        }
        let previous = match &old_name {
            Some(name) => store.skill(name).await.map_err(|e| e.to_string())?,
            None => None,
        };
        let now = browser::now();
        let mut files: Vec<SkillFile> = previous.as_ref().map(|p| p.files.iter().filter(|f| f.path != SKILL_MD && Some(&f.path) != code_file.as_ref()).cloned().collect()).unwrap_or_default();
        files.push(SkillFile { path: SKILL_MD.into(), data: text.into_bytes() });
        files.extend(code_file.map(|path| SkillFile { path, data: code.into_bytes() }));
        let mut record = UserSkill::new(new_name.clone(), files, now);
        record.created = previous.as_ref().map_or(now, |p| p.created);
        // A rename writes the new record and removes the old in one transaction.
        let remove: Vec<String> = old_name.iter().filter(|old| **old != new_name).cloned().collect();
        store.save(&[record], &remove).await.map_err(|e| e.to_string())?;
        let _ = store.discard_draft(&draft_id(old_name.as_deref())).await;
        let _ = store.discard_draft(&code_draft_id(old_name.as_deref())).await;
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
            // The draft is saved: nothing restored is left to discard.
            restored.set(None);
            status.set(Status::Done(format!("Saved {name}."), vec![]));
        }
        Err(error) => status.set(Status::Failed(error, vec![])),
    }
}
