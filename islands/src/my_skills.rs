//! "Your skills": the list of the user's own skills, with import, export,
//! duplicate and delete, and how much of the browser's storage they use.

use crate::user_skills::{ReviewNote, Summary};
use leptos::prelude::*;

/// Rows shown before "Show all": the page stays quick with 10,000 skills.
const FIRST_ROWS: usize = 200;

#[derive(Clone, PartialEq)]
pub(crate) enum Status {
    Idle,
    Working(String),
    Done(String, Vec<String>),
    Failed(String, Vec<String>),
}

pub(crate) fn status_view(status: RwSignal<Status>) -> impl IntoView {
    move || {
        let (failed, text, items) = match status.get() {
            Status::Idle => return ().into_any(),
            Status::Working(text) => return view! { <p class="notice" role="status">{text}</p> }.into_any(),
            Status::Done(text, notes) => (false, text, notes),
            Status::Failed(text, details) => (true, text, details),
        };
        // One view for both outcomes, its list written as escaped HTML
        // text: a view each cost the bundle 3.9 kB gzipped (issue 14).
        let list: String = items.iter().map(|item| if failed { format!("<li><pre>{}</pre></li>", crate::user_skills::escape(item)) } else { format!("<li>{}</li>", crate::user_skills::escape(item)) }).collect();
        view! {
            <div class=if failed { "notice error" } else { "notice ok" } role=if failed { "alert" } else { "status" }><p>{text}</p>
                {(!items.is_empty()).then(|| view! { <ul class=failed.then_some("diagnostics") inner_html=list></ul> })}
            </div>
        }
        .into_any()
    }
}

/// The safety review of skills just imported or copied (see
/// `user_skills::review_html`), in a slot that is empty without findings.
pub(crate) fn review_view(reviews: RwSignal<Vec<(String, Vec<ReviewNote>)>>) -> impl IntoView {
    view! { <div class="review-slot" inner_html=move || reviews.with(|r| crate::user_skills::review_html(r))></div> }
}

#[island]
pub fn MySkills() -> impl IntoView {
    let crate::island_props::PagePaths { base, index_url } = crate::island_props::props("MySkills");
    let skills = RwSignal::new(None::<Vec<Summary>>);
    let status = RwSignal::new(Status::Idle);
    let reviews = RwSignal::new(Vec::new());
    let filter = RwSignal::new(String::new());
    let show_all = RwSignal::new(false);
    let usage = RwSignal::new(String::new());
    let persisted = RwSignal::new(true);
    let base = StoredValue::new(base);
    let index_url = StoredValue::new(index_url);
    // The view macro has no `webkitdirectory` attribute: set it once mounted.
    let folder_input = NodeRef::<leptos::html::Input>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let Some(input) = folder_input.get() {
            input.set_webkitdirectory(true);
        }
    });

    #[cfg(feature = "hydrate")]
    let reload = move || leptos::task::spawn_local(actions::reload(skills, status, usage, persisted));
    #[cfg(feature = "hydrate")]
    {
        reload();
        crate::store::sync::on_skills_changed(reload);
    }

    let shown = Memo::new(move |_| {
        let needle = filter.get().to_lowercase();
        skills.with(|list| {
            let list = list.as_deref().unwrap_or_default();
            let matching: Vec<Summary> = list
                .iter()
                .filter(|s| needle.is_empty() || s.name.contains(&needle) || s.description.to_lowercase().contains(&needle) || s.category.as_deref().is_some_and(|c| c.to_lowercase().contains(&needle)))
                .cloned()
                .collect();
            matching
        })
    });

    let on_import = move |ev: leptos::ev::Event| {
        let _ = &ev;
        #[cfg(feature = "hydrate")]
        {
            let input: web_sys::HtmlInputElement = event_target(&ev);
            let files = crate::browser::chosen_files(&input);
            input.set_value("");
            leptos::task::spawn_local(actions::import(files, status, reviews, base.get_value(), index_url.get_value()));
        }
    };
    let export_all = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(actions::export(None, status));
    };
    let keep = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let granted = crate::store::idb::persist().await;
            persisted.set(granted);
            status.set(if granted {
                Status::Done("The browser will keep your skills even when it runs short of space.".into(), vec![])
            } else {
                Status::Failed("The browser declined to promise it. Bookmarking the site or installing it as an app usually helps; export your skills to keep a copy.".into(), vec![])
            });
        });
    };

    let rows = move || {
        let all = shown.get();
        let total = all.len();
        let limit = if show_all.get() { total } else { FIRST_ROWS.min(total) };
        let base = base.get_value();
        let rows = all.into_iter().take(limit).map(|skill| row(&base, skill, status)).collect_view();
        view! {
            {rows}
            {(limit < total).then(|| view! { <li class="more"><button type="button" on:click=move |_| show_all.set(true)>{format!("Show all {total}")}</button></li> })}
        }
    };

    view! {
        <div class="my-skills">
            <div class="toolbar">
                <a class="button primary" href=move || format!("{}my/edit/", base.get_value())>"New skill"</a>
                <label class="button">"Import files…"
                    <input type="file" id="import-files" accept=".md,.zip,text/markdown,application/zip" multiple class="visually-hidden" on:change=on_import />
                </label>
                <label class="button">"Import a folder…"
                    <input type="file" id="import-folder" node_ref=folder_input class="visually-hidden" on:change=on_import />
                </label>
                <button type="button" id="export-all" on:click=export_all disabled=move || skills.with(|s| s.as_ref().is_none_or(Vec::is_empty))>"Export all (.zip)"</button>
            </div>
            {status_view(status)}
            {review_view(reviews)}
            <p class="storage-line">
                <span id="storage-usage">{move || usage.get()}</span>
                {move || (!persisted.get()).then(|| view! { " " <button type="button" class="link" on:click=keep>"Keep my data"</button> })}
            </p>
            {move || match skills.get().map(|s| s.len()) {
                None => view! { <p class="muted" id="my-skills-state">"Loading your skills…"</p> }.into_any(),
                Some(0) => view! { <p class="muted" id="my-skills-state">"You have no skills of your own yet. Create one, or import a SKILL.md, a skill folder or a .zip of skill folders."</p> }.into_any(),
                Some(n) => view! {
                    <p class="muted" id="my-skills-state">{format!("{n} skill{} in this browser", if n == 1 { "" } else { "s" })}</p>
                    {(n > 10).then(|| view! {
                        <input type="search" class="filter" placeholder="Filter your skills…" aria-label="Filter your skills" prop:value=move || filter.get() on:input=move |e| filter.set(event_target_value(&e)) />
                    })}
                }.into_any(),
            }}
            <ul class="my-skill-list" id="my-skill-list">{rows}</ul>
        </div>
    }
}

fn row(base: &str, skill: Summary, status: RwSignal<Status>) -> impl IntoView {
    let name = skill.name.clone();
    // The record's key, never the frontmatter name: it is what the store knows.
    let view_url = crate::skill_links::view_url(base, &skill.name);
    let edit_url = crate::skill_links::edit_url(base, &skill.name);
    let (n1, n2, n3) = (name.clone(), name.clone(), name.clone());
    let _ = (&n1, &n2, &n3, &status);
    view! {
        <li class="my-skill" data-name=name.clone()>
            <div class="my-skill-main">
                <a class="result-name" href=view_url>{name.clone()}</a>
                <span class="badge yours">"yours"</span>
                {skill.kind.map(|k| view! { <span class="badge run">{k}</span> })}
                {skill.category.map(|c| view! { <span class="pill">{c}</span> })}
                {match skill.problem {
                    Some(problem) => view! { <p class="problem">{problem}</p> }.into_any(),
                    None => view! { <p class="result-description">{skill.description}</p> }.into_any(),
                }}
            </div>
            <div class="my-skill-actions">
                <a class="button" href=edit_url>"Edit"</a>
                <button type="button" on:click=move |_| {
                    #[cfg(feature = "hydrate")]
                    leptos::task::spawn_local(actions::duplicate(n1.clone(), status));
                }>"Duplicate"</button>
                <button type="button" on:click=move |_| {
                    #[cfg(feature = "hydrate")]
                    leptos::task::spawn_local(actions::export(Some(n2.clone()), status));
                }>"Export"</button>
                <button type="button" class="danger" on:click=move |_| {
                    #[cfg(feature = "hydrate")]
                    leptos::task::spawn_local(actions::delete(n3.clone(), status));
                }>"Delete"</button>
            </div>
        </li>
    }
}

#[cfg(feature = "hydrate")]
pub(crate) mod actions {
    use super::Status;
    use crate::browser;
    use crate::store::{self, sync, SkillStore};
    use crate::user_skills::{self, ReviewNote, Summary, UserSkill};
    use leptos::prelude::*;

    pub async fn reload(skills: RwSignal<Option<Vec<Summary>>>, status: RwSignal<Status>, usage: RwSignal<String>, persisted: RwSignal<bool>) {
        let started = browser::now();
        match load_summaries().await {
            Ok(list) => {
                let count = list.len();
                skills.set(Some(list));
                // The time to load and list the user's skills, for the closing benchmarks.
                web_sys::console::debug_1(&format!("llmos: listed {count} user skills in {:.0} ms", browser::now() - started).into());
            }
            Err(error) => {
                skills.set(Some(Vec::new()));
                status.set(Status::Failed(error, vec![]));
            }
        }
        if let Some((used, quota)) = store::idb::estimate().await {
            usage.set(format!("This site uses {} of the {} your browser allows it.", browser::format_bytes(used), browser::format_bytes(quota)));
        }
        persisted.set(store::idb::persisted().await);
    }

    pub async fn load_summaries() -> Result<Vec<Summary>, String> {
        let store = store::shared().await.map_err(|e| e.to_string())?;
        let mut list: Vec<Summary> = store.skills().await.map_err(|e| e.to_string())?.iter().map(|s| Summary::stored(s).unwrap_or_else(|| Summary::of(s))).collect();
        user_skills::newest_first(&mut list);
        Ok(list)
    }

    /// Imports the chosen files; `base` and the site's index say which
    /// imported skills take the place of a site skill, to tell the user.
    pub async fn import(files: Vec<web_sys::File>, status: RwSignal<Status>, reviews: RwSignal<Vec<(String, Vec<ReviewNote>)>>, base: String, index_url: String) {
        if files.is_empty() {
            return;
        }
        reviews.set(Vec::new());
        status.set(Status::Working(format!("Reading {} file{}…", files.len(), if files.len() == 1 { "" } else { "s" })));
        // The browser gives a chosen folder's files their path below it;
        // messages name the folder too, as the user knows the files.
        let folder = files.first().and_then(|f| browser::field(f, "webkitRelativePath").as_string()).and_then(|p| Some(p.split_once('/')?.0.to_string()));
        let read = match browser::read_files(&files).await {
            Ok(read) => read,
            Err(error) => return status.set(Status::Failed(format!("Could not read the files: {error}. Nothing was imported."), vec![])),
        };
        // Zips and SKILL.md files are read by the skill kit, fetched the first time.
        if let Err(error) = crate::kit::load().await {
            return status.set(Status::Failed(format!("Could not check the files: {error}. Nothing was imported."), vec![]));
        }
        let imported = match user_skills::import_files(read, folder.as_deref(), browser::now()) {
            Ok(imported) => imported,
            Err(errors) => {
                let count = errors.len();
                let details = errors.iter().map(ToString::to_string).collect();
                return status.set(Status::Failed(format!("Nothing was imported: {count} file{} {} problems to fix first.", if count == 1 { "" } else { "s" }, if count == 1 { "has" } else { "have" }), details));
            }
        };
        // Reviewed before saving, as the editor reviews drafts: the
        // findings show whether or not the user goes on to save.
        reviews.set(imported.skills.iter().map(|s| (s.name.clone(), user_skills::safety_review(s))).filter(|(_, notes)| !notes.is_empty()).collect());
        let result = async {
            let store = store::shared().await?;
            let existing: Vec<String> = store.skills().await?.into_iter().map(|s| s.name).collect();
            let replaced: Vec<&str> = imported.skills.iter().filter(|s| existing.contains(&s.name)).map(|s| s.name.as_str()).collect();
            if !replaced.is_empty() && !browser::confirm(&format!("You already have {}. Replace {} with the imported version?", replaced.join(", "), if replaced.len() == 1 { "it" } else { "them" })) {
                return Ok(None);
            }
            store.save(&imported.skills, &[]).await.map(Some)
        }
        .await;
        match result {
            Ok(Some(())) => {
                sync::announce_skills_changed();
                let count = imported.skills.len();
                let mut notes = shadow_notes(&imported.skills, &base, &index_url).await;
                notes.extend(imported.notes);
                let review = match reviews.with_untracked(Vec::len) {
                    0 => String::new(),
                    _ if count == 1 => " The safety review found something in it: read the findings below before using it.".to_string(),
                    n => format!(" The safety review found something in {n} of them: read the findings below before using {}.", if n == 1 { "it" } else { "them" }),
                };
                status.set(Status::Done(format!("Imported {count} skill{}.{review}", if count == 1 { "" } else { "s" }), notes));
            }
            Ok(None) => status.set(Status::Idle),
            Err(error) => status.set(Status::Failed(error.to_string(), vec![])),
        }
    }

    /// One note per imported skill that has the name of one of the site's
    /// skills: it takes that skill's place for the user, who should know.
    async fn shadow_notes(skills: &[UserSkill], base: &str, index_url: &str) -> Vec<String> {
        let Ok(site) = crate::site_index::site_skill_slugs(index_url).await else { return Vec::new() };
        let site: std::collections::HashSet<String> = site.into_iter().collect();
        skills
            .iter()
            .filter(|s| site.contains(&s.name))
            .map(|s| format!("{} {}.", s.name, user_skills::shadow_note(&s.name, &format!("{base}skills/{}/", s.name))))
            .collect()
    }

    pub async fn export(name: Option<String>, status: RwSignal<Status>) {
        let result = async {
            let store = store::shared().await.map_err(|e| e.to_string())?;
            let skills: Vec<UserSkill> = match &name {
                // An empty zip for a key that names nothing would look like success.
                Some(name) => vec![store.skill(name).await.map_err(|e| e.to_string())?.ok_or_else(|| format!("you have no skill named {name} in this browser"))?],
                None => store.skills().await.map_err(|e| e.to_string())?,
            };
            let entries = user_skills::export_entries(&skills);
            let refs: Vec<(&str, &[u8])> = entries.iter().map(|(p, d)| (p.as_str(), *d)).collect();
            let file_name = match &name {
                // The key may hold characters file systems refuse; the zip's folder keeps it whole.
                Some(name) => format!("{}.zip", llmos_core::slugify(name)),
                None => "llmos-skills.zip".to_string(),
            };
            // Written by the skill kit, fetched the first time a zip is exported.
            crate::kit::load().await?;
            browser::download(&file_name, &crate::kit::write_zip(&refs)?, "application/zip")?;
            Ok::<_, String>(skills.len())
        }
        .await;
        match result {
            Ok(count) => status.set(Status::Done(format!("Exported {count} skill{}. Publish them with `llmos build --skills <the zip>`.", if count == 1 { "" } else { "s" }), vec![])),
            Err(error) => status.set(Status::Failed(format!("Export failed: {error}"), vec![])),
        }
    }

    pub async fn duplicate(name: String, status: RwSignal<Status>) {
        // The copy is parsed (its fields stored): by the skill kit.
        let _ = crate::kit::load().await;
        let result = async {
            let store = store::shared().await?;
            let names: Vec<String> = store.skills().await?.into_iter().map(|s| s.name).collect();
            let Some(skill) = store.skill(&name).await? else { return Ok(None) };
            let copy = user_skills::duplicate(&skill, &user_skills::free_name(&format!("{name}-copy"), |n| names.iter().any(|x| x == n)), browser::now());
            store.save(std::slice::from_ref(&copy), &[]).await?;
            Ok::<_, store::StoreError>(Some(copy.name))
        }
        .await;
        match result {
            Ok(Some(copy)) => {
                sync::announce_skills_changed();
                status.set(Status::Done(format!("Duplicated {name} as {copy}."), vec![]));
            }
            Ok(None) => status.set(Status::Failed(format!("{name} is gone (deleted in another tab?)."), vec![])),
            Err(error) => status.set(Status::Failed(error.to_string(), vec![])),
        }
    }

    pub async fn delete(name: String, status: RwSignal<Status>) {
        if !browser::confirm(&format!("Delete your skill {name}? This cannot be undone; export it first to keep a copy.")) {
            return;
        }
        if let Err(error) = delete_now(&name).await {
            return status.set(Status::Failed(error, vec![]));
        }
        status.set(Status::Done(format!("Deleted {name}."), vec![]));
    }

    /// Deletes the skill stored under `name` (its key), and its draft.
    /// Deleting a key that names nothing is an error: IndexedDB would
    /// succeed silently, and the user would believe the skill gone.
    pub async fn delete_now(name: &str) -> Result<(), String> {
        let store = store::shared().await.map_err(|e| e.to_string())?;
        if store.skill(name).await.map_err(|e| e.to_string())?.is_none() {
            return Err(format!("You have no skill named {name} in this browser; nothing was deleted."));
        }
        store.save(&[], &[name.to_string()]).await.map_err(|e| e.to_string())?;
        let _ = store.discard_draft(&format!("edit:{name}")).await;
        let _ = store.discard_draft(&format!("edit:{name}#code")).await;
        sync::announce_skills_changed();
        Ok(())
    }
}
