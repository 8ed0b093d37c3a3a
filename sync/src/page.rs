//! `/my/sync/`: the repository, branch, token and API address; "Sync now";
//! the status line (synced / pending (n) / offline / error with the
//! reason, from the core's `Status`); the conflicts kept. While the page is
//! open it syncs on its own: after a change to the user's skills (the
//! store's BroadcastChannel), and on a timer that honours the queue's
//! backoff. Every other page syncs through the sync worker
//! (`background`), which this page starts for them: saving the settings
//! sets the flag that makes pages start it, removing the token clears it.
//! This page keeps its own rounds rather than the worker's: Save and
//! Sync now show their round's outcome here at once, under the same lock.

use leptos::prelude::*;

/// The status line: its text and its `data-state` (synced, pending, offline, error, idle).
#[derive(Clone, PartialEq, Default)]
pub struct Shown {
    pub state: &'static str,
    pub text: String,
}

#[island]
pub fn SyncSettings() -> impl IntoView {
    let base = llmos_islands::island_props::props::<llmos_islands::island_props::PagePaths>("SyncSettings").base;
    let repository = RwSignal::new(String::new());
    let branch = RwSignal::new(String::from("main"));
    let api = RwSignal::new(String::from(llmos_core::sync::github::API_ORIGIN));
    let token = RwSignal::new(String::new());
    let has_token = RwSignal::new(false);
    let shown = RwSignal::new(Shown { state: "idle", text: "Loading…".into() });
    let conflicts = RwSignal::new(Vec::<String>::new());
    let problems = RwSignal::new(Vec::<String>::new());
    let busy = RwSignal::new(false);
    // The fields stay disabled until the stored settings are shown: typed
    // earlier, they would be overwritten by what loads.
    let loaded = RwSignal::new(false);
    // Rounds finished since the page opened (`data-rounds`, for scripts and tests).
    let rounds = RwSignal::new(0u32);
    let _ = &base;

    #[cfg(feature = "browser")]
    let (save, sync_now, forget) = {
        use crate::driver;
        use crate::model::{conflict_text, SyncRecord};
        use llmos_core::sync::Status;

        let show = move |record: &SyncRecord, pending: Option<usize>| {
            repository.set(record.repository.clone());
            if !record.branch.is_empty() {
                branch.set(record.branch.clone());
            }
            if !record.api.is_empty() {
                api.set(record.api.clone());
            }
            conflicts.set(record.conflicts.iter().rev().map(|(e, k)| conflict_text(e, k)).collect());
            problems.set(record.problems.clone());
            let mut queue = record.queue.clone();
            if let Some(n) = pending {
                queue.pending.truncate(n);
            }
            let status = queue.status();
            let state = match (&status, record.queue.synced_commit.is_some()) {
                (Status::Error { .. }, _) => "error",
                (Status::Offline { .. }, _) => "offline",
                (Status::Synced, true) => "synced",
                (Status::Synced, false) => "idle",
                _ => "pending",
            };
            let text = if record.repository.is_empty() {
                "Not set up: give a repository and a token.".to_string()
            } else if state == "idle" {
                "Not synced yet.".to_string()
            } else {
                // The same words as the header's indicator, reasons and all.
                let mut shown = record.clone();
                shown.queue = queue.clone();
                crate::model::indicator(&shown, driver::clock).text
            };
            shown.set(Shown { state, text });
        };
        // A round that wrote skills here announces it; this page hears its
        // own announcement too, and needs no round for it.
        let quiet_until = StoredValue::new(0.0f64);
        let run = move |force: bool| {
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            leptos::task::spawn_local(async move {
                let work = async move {
                    match driver::round(force).await {
                        Ok(Some(report)) => {
                            if report.changed_here {
                                quiet_until.set_value(llmos_islands::browser::now() + 2_000.0);
                            }
                            show(&report.record, Some(report.pending))
                        }
                        Ok(None) => {
                            if let Ok(record) = driver::load_record().await {
                                show(&record, None);
                            }
                        }
                        Err(reason) => shown.set(Shown { state: "error", text: format!("Sync error: {reason}") }),
                    }
                };
                let ran = if force { driver::after_others(work).await } else { driver::exclusively(work).await };
                if let Ok(false) = ran {
                    shown.set(Shown { state: "pending", text: "Another tab is syncing…".into() });
                    // Its round's outcome, once it is over.
                    let _ = driver::after_others(async move {
                        if let Ok(record) = driver::load_record().await {
                            show(&record, None);
                        }
                    })
                    .await;
                }
                rounds.update(|n| *n += 1);
                busy.set(false);
            });
        };
        leptos::task::spawn_local(async move {
            match driver::load_record().await {
                Ok(record) => {
                    has_token.set(llmos_islands::provider::keys::load_secret(crate::model::TOKEN_ID).await.ok().flatten().is_some());
                    let set_up = !record.repository.is_empty();
                    // Set up before pages synced in the background: they do from now on.
                    crate::driver::mark_set_up(set_up && has_token.get_untracked());
                    show(&record, None);
                    loaded.set(true);
                    if set_up {
                        run(false);
                    }
                }
                Err(reason) => shown.set(Shown { state: "error", text: reason }),
            }
        });
        llmos_islands::store::sync::on_skills_changed(move || {
            if !repository.get_untracked().is_empty() && llmos_islands::browser::now() >= quiet_until.get_value() {
                run(false);
            }
        });
        // The queue decides whether a round is due (its backoff); a round
        // with nothing to push still pulls, so other devices' work arrives.
        let tick = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
            if !repository.get_untracked().is_empty() {
                run(false);
            }
        });
        if let Some(window) = web_sys::window() {
            use wasm_bindgen::JsCast;
            let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), 30_000);
        }
        tick.forget();
        let save = move || {
            busy.set(true);
            leptos::task::spawn_local(async move {
                match driver::save_settings(&repository.get_untracked(), &branch.get_untracked(), &api.get_untracked(), &token.get_untracked()).await {
                    Ok(record) => {
                        token.set(String::new());
                        has_token.set(true);
                        crate::driver::mark_set_up(true);
                        show(&record, None);
                        busy.set(false);
                        run(true);
                    }
                    Err(reason) => {
                        shown.set(Shown { state: "error", text: reason });
                        busy.set(false);
                    }
                }
            });
        };
        let forget = move || {
            leptos::task::spawn_local(async move {
                match llmos_islands::provider::keys::forget_secret(crate::model::TOKEN_ID).await {
                    Ok(()) => {
                        has_token.set(false);
                        crate::driver::mark_set_up(false);
                        shown.set(Shown {
                            state: "error",
                            text: "The token is removed from this browser; your data stays here and in the repository. Revoke it on GitHub too if you no longer use it.".into(),
                        });
                    }
                    Err(reason) => shown.set(Shown { state: "error", text: reason }),
                }
            });
        };
        (save, move || run(true), forget)
    };
    #[cfg(not(feature = "browser"))]
    let (save, sync_now, forget) = (|| (), || (), || ());

    view! {
        <div class="sync-settings">
            <form class="sync-form" on:submit=move |ev| { ev.prevent_default(); save(); }>
                <label for="sync-repository">"Repository (owner/name)"</label>
                <input id="sync-repository" name="repository" type="text" autocomplete="off" spellcheck="false" placeholder="octo-user/skills"
                    disabled=move || !loaded.get() prop:value=move || repository.get() on:input=move |ev| repository.set(event_target_value(&ev)) />
                <label for="sync-branch">"Branch"</label>
                <input id="sync-branch" name="branch" type="text" autocomplete="off" spellcheck="false" disabled=move || !loaded.get() prop:value=move || branch.get() on:input=move |ev| branch.set(event_target_value(&ev)) />
                <label for="sync-token">"Fine-grained personal access token (Contents: read and write, this repository only)"</label>
                <input id="sync-token" name="token" type="password" autocomplete="off" spellcheck="false" aria-describedby="sync-token-hint"
                    placeholder=move || if has_token.get() { "saved, encrypted in this browser (type to replace)" } else { "github_pat_…" }
                    disabled=move || !loaded.get() prop:value=move || token.get() on:input=move |ev| token.set(event_target_value(&ev)) />
                <small class="hint" id="sync-token-hint">"Make one on GitHub: " <a href="https://github.com/settings/personal-access-tokens/new" target="_blank" rel="noopener noreferrer">"Settings → Developer settings → Fine-grained tokens"</a>", with only this repository and Contents: Read and write. It is kept encrypted here and sent only to the API address below."</small>
                <label for="sync-api">"API address"</label>
                <input id="sync-api" name="api" type="url" autocomplete="off" spellcheck="false" disabled=move || !loaded.get() prop:value=move || api.get() on:input=move |ev| api.set(event_target_value(&ev)) />
                <div class="sync-actions toolbar">
                    <button id="sync-save" type="submit" class="primary" disabled=move || busy.get() || !loaded.get()>"Save settings"</button>
                    <button id="sync-now" type="button" on:click=move |_| sync_now() disabled=move || busy.get() || !loaded.get() || repository.get().trim().is_empty()>"Sync now"</button>
                    <button id="sync-forget" type="button" class="secondary" on:click=move |_| forget() disabled=move || !has_token.get()>"Remove token"</button>
                </div>
            </form>
            <p id="sync-status" class="sync-status" role="status" data-state=move || shown.get().state data-rounds=move || rounds.get().to_string()>{move || shown.get().text}</p>
            <Show when=move || !conflicts.get().is_empty()>
                <h2>"Conflicts kept"</h2>
                <ul id="sync-conflicts">{move || conflicts.get().into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
            </Show>
            <Show when=move || !problems.get().is_empty()>
                <h2>"Files in the repository that are not synced here"</h2>
                <ul id="sync-problems">{move || problems.get().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            </Show>
        </div>
    }
}
