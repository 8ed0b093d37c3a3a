//! Retire and its Undo on `/my/evolution/`: an accepted skill the page
//! measured as never used or not helping (`effect::Verdict`) goes in one
//! click, remembered in the decisions so its pattern is not proposed
//! again; Undo saves it back as it was.

use crate::review::actions::{decisions, done, failed, record, save_decisions};
use crate::review::Found;
use crate::traces::Said;
use leptos::prelude::*;
use llmos_islands::browser;
use llmos_islands::store::{self, sync, SkillStore};
use llmos_islands::user_skills::UserSkill;

/// Removes the user skill accepted for `pattern` (or puts back the version
/// it improved) and remembers it as retired, with its SKILL.md for Undo.
pub(crate) async fn retire(pattern: String, skill: String, found: RwSignal<Option<Found>>, said: RwSignal<Option<Said>>) {
    let Ok(store) = store::shared().await else { return failed(said, "Local storage is not available here.") };
    let existing = match store.skill(&skill).await {
        Ok(existing) => existing,
        Err(error) => return failed(said, error.message),
    };
    let Some(current) = existing.as_ref().map(UserSkill::skill_md_text) else { return failed(said, format!("{skill} is not one of your skills any more; find patterns again.")) };
    let mut decided = decisions().await;
    let Some(retired) = decided.retire(&pattern, current, browser::now()).cloned() else { return failed(said, format!("{skill} was not accepted here; find patterns again.")) };
    // Saved before the skill goes: a failure leaves the skill and nothing half done.
    if let Err(error) = save_decisions(decided.clone()).await {
        return failed(said, error);
    }
    let result = match &retired.accepted.previous {
        Some(text) => store.save(&[record(existing.as_ref(), &skill, text)], &[]).await,
        None => store.save(&[], std::slice::from_ref(&skill)).await,
    };
    if let Err(error) = result {
        decided.unretire(&pattern);
        let _ = save_decisions(decided).await;
        return failed(said, error.message);
    }
    sync::announce_skills_changed();
    found.update(|f| {
        if let Some(f) = f {
            f.accepted.retain(|(id, _)| *id != pattern);
            f.proposals.iter_mut().filter(|p| p.pattern.id == pattern).for_each(|p| p.retired = true);
        }
    });
    let what = if retired.accepted.previous.is_some() { "its previous version is back" } else { "it is deleted" };
    done(said, format!("Retired: {skill} is out of your catalogue, search and chats ({what}); this task is not proposed again. Undo brings it back."));
}

/// Undoes `retire`: the skill is saved again as it was when retired.
pub(crate) async fn unretire(pattern: String, found: RwSignal<Option<Found>>, said: RwSignal<Option<Said>>) {
    let Ok(store) = store::shared().await else { return failed(said, "Local storage is not available here.") };
    let mut decided = decisions().await;
    let Some(retired) = decided.unretire(&pattern) else { return failed(said, "Nothing to undo here; find patterns again.") };
    let skill = retired.accepted.skill.clone();
    let existing = store.skill(&skill).await.ok().flatten();
    if let Err(error) = store.save(&[record(existing.as_ref(), &skill, &retired.skill_md)], &[]).await {
        return failed(said, error.message);
    }
    sync::announce_skills_changed();
    if let Err(error) = save_decisions(decided).await {
        return failed(said, format!("{skill} is back, but the page could not record it: {error}"));
    }
    found.update(|f| {
        if let Some(f) = f {
            f.accepted.push((pattern.clone(), skill.clone()));
            f.proposals.iter_mut().filter(|p| p.pattern.id == pattern).for_each(|p| p.retired = false);
        }
    });
    done(said, format!("Undone: {skill} is one of your skills again."));
}
