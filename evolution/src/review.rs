//! `/my/evolution/`: "Find patterns now" runs the core's lexical detection
//! over the stored traces; each pattern comes with a proposed skill (the
//! core's deterministic fallback SKILL.md, no key needed) to Accept, Edit
//! then accept (in the editor) or Reject. Accepted skills are ordinary user
//! skills whose frontmatter `metadata` carries the provenance; Undo puts
//! back what was there before (or deletes the skill) in one step.

use crate::model::Proposal;
use crate::traces::{said_view, Said};
use leptos::prelude::*;

/// What the page knows after a detection.
#[derive(Clone, PartialEq, Default)]
pub(crate) struct Found {
    pub proposals: Vec<Proposal>,
    /// Patterns left out because their proposal was rejected before.
    pub rejected: usize,
    pub traces: usize,
    /// Pattern id → the user skill whose `metadata.pattern` names it.
    pub accepted: Vec<(String, String)>,
    /// The traces as the core read them (synthesis quotes them).
    pub inputs: Vec<llmos_core::evolution::TraceInput>,
    /// Whether the user turned synthesis on.
    pub synthesis: bool,
    /// The chat's provider when it has an embeddings endpoint (the switch is offered then).
    pub embeddings_provider: Option<String>,
    /// Its default embeddings model (empty: the user names one).
    pub embeddings_default: String,
    /// Whether the user turned grouping by meaning on, and the model they named.
    pub semantic: bool,
    pub embeddings_model: String,
    /// Why grouping by meaning is not offered, or why this detection fell back to words.
    pub embeddings_note: Option<String>,
    /// Whether this detection grouped by meaning (embeddings) rather than by words.
    pub by_meaning: bool,
}

#[island]
pub fn EvolutionReview() -> impl IntoView {
    let llmos_islands::island_props::PagePaths { base, index_url } = llmos_islands::island_props::props("EvolutionReview");
    let found = RwSignal::new(None::<Found>);
    let said = RwSignal::new(None::<Said>);
    let busy = RwSignal::new(false);
    let base = StoredValue::new(base);
    let index_url = StoredValue::new(index_url);
    let auto_every = RwSignal::new(crate::model::AUTO_EVERY);
    let find = move |_| {
        #[cfg(feature = "browser")]
        leptos::task::spawn_local(actions::find(index_url.get_value(), found, said, busy));
    };
    let _ = (&index_url, &busy);
    // When the browser is idle, detection runs by itself if it is due.
    #[cfg(feature = "browser")]
    {
        leptos::task::spawn_local(async move { auto_every.set(actions::decisions().await.auto_every) });
        crate::when_idle(move || {
            leptos::task::spawn_local(async move {
                if found.get_untracked().is_none() {
                    if let Some(f) = actions::detect_if_due(index_url.get_value(), true).await {
                        found.set(Some(f));
                    }
                }
            })
        });
    }

    view! {
        <div class="evolution">
            <div class="toolbar">
                <button type="button" class="primary" id="find-patterns" on:click=find disabled=move || busy.get()>"Find patterns now"</button>
                <a class="button" href=move || format!("{}my/traces/", base.get_value())>"Your traces"</a>
                <label class="auto-every">"Look by itself after "
                    <input type="number" id="auto-every" min="0" max="1000" prop:value=move || auto_every.get().to_string() on:change=move |e| {
                        let every = event_target_value(&e).trim().parse::<usize>().unwrap_or(crate::model::AUTO_EVERY);
                        auto_every.set(every);
                        #[cfg(feature = "browser")]
                        leptos::task::spawn_local(actions::set_auto_every(every));
                    } />
                    " new chats, or once a day (0: never)"</label>
            </div>
            {said_view(said)}
            {move || found.with(Option::is_none).then(|| view! {
                <p class="muted" id="evolution-intro">"Every chat leaves a trace. When three or more of your chats were about the same task, however you phrased it, "
                    "Find patterns now proposes a skill for it, here on this page and in this browser: nothing is sent anywhere. "
                    <a href=move || format!("{}chat/", base.get_value())>"Start a chat"</a>"."</p>
            })}
            {move || found.get().map(|f| {
                let summary = format!(
                    "{} pattern{} in {} trace{}{}.",
                    f.proposals.len(),
                    if f.proposals.len() == 1 { "" } else { "s" },
                    f.traces,
                    if f.traces == 1 { "" } else { "s" },
                    if f.rejected > 0 { format!(" ({} more rejected before, not proposed again)", f.rejected) } else { String::new() }
                ) + if f.proposals.is_empty() && f.rejected == 0 { " A pattern needs at least three chats about the same task." } else { "" };
                let accepted = f.accepted.clone();
                let synthesis = f.synthesis;
                let (semantic, embeddings_model, embeddings_default, note) = (f.semantic, f.embeddings_model.clone(), f.embeddings_default.clone(), f.embeddings_note.clone());
                let meaning_switch = f.embeddings_provider.clone().map(|provider| view! {
                    <label class="semantic-consent"><input type="checkbox" id="semantic-on" prop:checked=semantic on:change=move |e| {
                        let on = event_target_checked(&e);
                        let _ = on;
                        #[cfg(feature = "browser")]
                        leptos::task::spawn_local(actions::set_semantic(Some(on), None, index_url.get_value(), found, said, busy));
                    } />{format!(" Group by meaning, using {provider}'s embeddings: sends each goal once, then keeps its vector in this browser.")}</label>
                    <label class="embeddings-model">"Embeddings model "
                        <input type="text" id="embeddings-model" placeholder=embeddings_default prop:value=embeddings_model on:change=move |e| {
                            let model = event_target_value(&e);
                            let _ = &model;
                            #[cfg(feature = "browser")]
                            leptos::task::spawn_local(actions::set_semantic(None, Some(model), index_url.get_value(), found, said, busy));
                        } /></label>
                });
                view! {
                    <p class="muted" id="patterns-state" data-grouping=if f.by_meaning { "meaning" } else { "words" }>{summary}</p>
                    <label class="synthesis-consent"><input type="checkbox" id="synthesis-on" prop:checked=synthesis on:change=move |e| {
                        let on = event_target_checked(&e);
                        let _ = on;
                        #[cfg(feature = "browser")]
                        leptos::task::spawn_local(actions::set_synthesis(on, found, said));
                    } />" Write proposals with my model: sends each pattern's goals and steps to the provider and model set in the chat, with your key."</label>
                    {meaning_switch}
                    {note.map(|note| view! { <p class="muted" id="semantic-note">{note}</p> })}
                    <ol class="pattern-list" id="pattern-list">
                        {f.proposals.into_iter().map(|p| {
                            let skill = accepted.iter().find(|(id, _)| *id == p.pattern.id).map(|(_, s)| s.clone());
                            pattern_view(&base.get_value(), p, skill, synthesis, found, said)
                        }).collect_view()}
                    </ol>
                }
            })}
        </div>
    }
}

fn pattern_view(base: &str, proposal: Proposal, accepted: Option<String>, synthesis: bool, found: RwSignal<Option<Found>>, said: RwSignal<Option<Said>>) -> impl IntoView {
    let pattern = &proposal.pattern;
    let rate = pattern.success_rate.map_or("no outcome marked".to_string(), |r| format!("{:.0} % solved ({} of {} marked)", r * 100.0, pattern.solved, pattern.solved + pattern.not_solved));
    let sequence = if pattern.common_sequence.is_empty() { "no tools or skill runs".to_string() } else { pattern.common_sequence.join(" → ") };
    let skills = if pattern.skills_used.is_empty() { "none".to_string() } else { pattern.skills_used.join(", ") };
    let covers = pattern.covered_by.clone().map(|skill| {
        let whose = if proposal.improves_user_skill { "your skill" } else { "the site's skill" };
        let note = if proposal.improves_user_skill {
            "Accepting replaces its SKILL.md; Undo puts it back."
        } else {
            "Accepting makes your own version, which takes its place in your catalogue, search and chats."
        };
        view! { <p class="covers">{format!("An existing skill covers this task: the proposal improves {whose} ")}<code>{skill}</code>". " {note}</p> }
    });
    let (p1, p2, p3, p4, p5) = (proposal.clone(), proposal.clone(), proposal.clone(), proposal.clone(), proposal.clone());
    let _ = (&p1, &p2, &p3, &p4, &p5, &found, &said);
    let effect = proposal.effect.as_ref().map(crate::effect::effect_view);
    let actions = match (accepted, proposal.retired) {
        (_, true) => {
            let skill = proposal.effect.as_ref().map_or(proposal.name.clone(), |e| e.skill.clone());
            view! {
                <p class="retired">"Retired " <code>{skill}</code> ": this task is not proposed again. "
                    <button type="button" class="pattern-unretire" on:click=move |_| {
                        #[cfg(feature = "browser")]
                        leptos::task::spawn_local(crate::retire::unretire(p4.pattern.id.clone(), found, said));
                    }>"Undo"</button>
                </p>
            }
            .into_any()
        }
        (Some(skill), false) => {
            let flagged = proposal.effect.as_ref().is_some_and(|e| e.verdict.flagged());
            let (undo_skill, retire_skill) = (skill.clone(), skill.clone());
            let _ = (&undo_skill, &retire_skill);
            view! {
                <p class="accepted">"Accepted as " <a href=llmos_islands::skill_links::view_url(base, &skill)>{skill.clone()}</a> ". "
                    <button type="button" class="pattern-undo" on:click=move |_| {
                        #[cfg(feature = "browser")]
                        leptos::task::spawn_local(actions::undo(p4.pattern.id.clone(), undo_skill.clone(), found, said));
                    }>"Undo"</button>
                    " "
                    <button type="button" class=if flagged { "danger pattern-retire" } else { "pattern-retire" } on:click=move |_| {
                        #[cfg(feature = "browser")]
                        leptos::task::spawn_local(crate::retire::retire(p1.pattern.id.clone(), retire_skill.clone(), found, said));
                    }>"Retire"</button>
                </p>
            }
            .into_any()
        }
        (None, false) => {
            let base = base.to_string();
            let _ = &base;
            view! {
                <div class="pattern-actions">
                    <button type="button" class="primary pattern-accept" on:click=move |_| {
                        #[cfg(feature = "browser")]
                        leptos::task::spawn_local(actions::accept(p1.clone(), found, said));
                    }>"Accept"</button>
                    <button type="button" class="pattern-edit" on:click=move |_| {
                        #[cfg(feature = "browser")]
                        leptos::task::spawn_local(actions::edit(base.clone(), p2.clone(), said));
                    }>"Edit then accept"</button>
                    {synthesis.then(|| view! {
                        <button type="button" class="pattern-synthesise" on:click=move |_| {
                            #[cfg(feature = "browser")]
                            leptos::task::spawn_local(actions::synthesise(p5.clone(), found, said));
                        }>"Write with my model"</button>
                    })}
                    <button type="button" class="danger pattern-reject" on:click=move |_| {
                        #[cfg(feature = "browser")]
                        leptos::task::spawn_local(actions::reject(p3.pattern.id.clone(), found, said));
                    }>"Reject"</button>
                </div>
            }
            .into_any()
        }
    };
    view! {
        <li class="pattern" data-pattern=pattern.id.clone() data-name=proposal.name.clone()>
            <h2 class="pattern-goal">{pattern.representative_goal.clone()}</h2>
            <p class="meta">{format!("{} traces · {rate} · steps: {sequence} · skills used: {skills}", pattern.size)}</p>
            {covers}
            {effect}
            <details class="pattern-examples"><summary>"Examples"</summary>
                <ul>{pattern.example_goals.iter().map(|g| view! { <li>{g.clone()}</li> }).collect_view()}</ul>
            </details>
            <details class="proposal" data-kind=if proposal.workflow { "workflow" } else { "skill" }><summary>{match (&proposal.written_by, proposal.workflow) {
                (Some(model), _) => format!("Proposed skill {}, written by {model}", proposal.name),
                (None, true) => format!("Proposed workflow {}: runs {} in this order (template)", proposal.name, crate::model::workflow_skills(&proposal).join(", then ")),
                (None, false) => format!("Proposed skill {} (template)", proposal.name),
            }}</summary>
                <pre class="proposal-text">{proposal.skill_md.clone()}</pre>
            </details>
            {proposal.current_md.as_ref().map(|current| diff_view(pattern.covered_by.as_deref().unwrap_or_default(), current, &proposal.skill_md))}
            {actions}
        </li>
    }
}

/// What an improvement changes in the skill it improves, line by line
/// (`-` removed, `+` added); text nodes, so nothing in either file is markup.
fn diff_view(skill: &str, current: &str, proposed: &str) -> impl IntoView {
    use llmos_core::evolution::{line_diff, LineChange};
    let lines = line_diff(current, proposed);
    let changed = lines.iter().filter(|l| l.change != LineChange::Equal).count();
    let lines = lines.into_iter().map(|l| {
        let class = match l.change {
            LineChange::Equal => "diff-equal",
            LineChange::Delete => "diff-delete",
            LineChange::Insert => "diff-insert",
        };
        view! { <span class=class>{format!("{}{}\n", l.change.marker(), l.text)}</span> }
    });
    view! {
        <details class="proposal-changes" open=true><summary>{format!("Changes to {skill}: {changed} line{}", if changed == 1 { "" } else { "s" })}</summary>
            <pre class="proposal-diff">{lines.collect_view()}</pre>
        </details>
    }
}

#[cfg(feature = "browser")]
pub(crate) mod actions {
    use super::Found;
    use crate::model::{self, Accepted, Decisions, KnownSkill, Proposal, DECISIONS_KEY};
    use crate::traces::Said;
    use leptos::prelude::*;
    use llmos_core::evolution::synthesis::check_synthesised;
    use llmos_islands::browser::{self, record_from_js, record_to_js};
    use llmos_islands::store::schema::META;
    use llmos_islands::store::{self, sync, Draft, SkillStore};
    use llmos_islands::user_skills::{SkillFile, UserSkill, SKILL_MD};

    pub(crate) fn failed(said: RwSignal<Option<Said>>, text: impl Into<String>) {
        said.set(Some(Said { ok: false, text: text.into() }));
    }

    pub(crate) fn done(said: RwSignal<Option<Said>>, text: impl Into<String>) {
        said.set(Some(Said { ok: true, text: text.into() }));
    }

    pub async fn decisions() -> Decisions {
        let Ok(store) = store::shared().await else { return Decisions::default() };
        store.record(META, DECISIONS_KEY).await.ok().flatten().as_ref().and_then(record_from_js).unwrap_or_default()
    }

    pub(crate) async fn save_decisions(mut decisions: Decisions) -> Result<(), String> {
        decisions.key = DECISIONS_KEY.into();
        let store = store::shared().await.map_err(|e| e.message)?;
        store.put_records(META, &[record_to_js(&decisions)]).await.map_err(|e| e.message)
    }

    /// The user's skills, and which pattern each evolved one came from.
    async fn user_skills() -> Result<(Vec<UserSkill>, Vec<(String, String)>), String> {
        let store = store::shared().await.map_err(|e| e.message)?;
        let skills = store.skills().await.map_err(|e| e.message)?;
        let evolved = skills.iter().filter_map(|s| Some((s.parse_whole().ok()?.0.metadata.get("pattern")?.clone(), s.name.clone()))).collect();
        Ok((skills, evolved))
    }

    /// One detection over every stored trace, with coverage checked against
    /// the user's skills and the site's (from its search index).
    /// `may_embed`: whether grouping by meaning may ask the provider (not
    /// from the traces page, whose Content-Security-Policy allows only the
    /// site: detection there groups by words).
    pub async fn detect(index_url: &str, may_embed: bool) -> Result<Found, String> {
        let traces = crate::traces::store::all().await?;
        let (mine, accepted) = user_skills().await?;
        let mut known: Vec<KnownSkill> =
            mine.iter().filter_map(|s| s.fields.as_ref().map(|f| KnownSkill { name: s.name.clone(), description: f.description.clone(), keywords: f.keywords.clone(), user: true })).collect();
        // Without the site's index (offline, a damaged file) coverage is checked against the user's skills only.
        if let Ok(index) = llmos_islands::site_index::fetch_index(index_url).await {
            for doc in index.docs.into_iter().filter(|d| !d.user) {
                if !known.iter().any(|k| k.name == doc.slug) {
                    known.push(KnownSkill { name: doc.slug, description: doc.description, keywords: Vec::new(), user: false });
                }
            }
        }
        let decided = decisions().await;
        let offer = crate::embed::offer().await;
        let mut embeddings_note = offer.as_ref().err().cloned();
        let vectors = match (&offer, decided.semantic && may_embed) {
            (Ok(_), true) => match crate::embed::embeddings(&traces, &decided.embeddings_model).await {
                Ok(vectors) => Some(vectors),
                Err(error) => {
                    embeddings_note = Some(format!("Grouped by words this time: {error}"));
                    None
                }
            },
            _ => None,
        };
        let (mut proposals, rejected) = model::propose_with(&traces, vectors.as_deref(), &known, &decided);
        // What each improvement changes: the covered skill as it is now. The
        // site's base is the index URL's prefix (`{base}index/search.json?v=…`).
        let base = index_url.split("index/search.json").next().unwrap_or("/");
        let inputs: Vec<llmos_core::evolution::TraceInput> = traces.iter().map(model::trace_input).collect();
        // Chats that ran executable skills in sequence: a workflow chaining
        // them, from the skills' declared inputs and outputs (the user's
        // from the store, the site's from their published SKILL.md).
        let mut chained: Vec<llmos_core::Skill> = Vec::new();
        for p in &mut proposals {
            let names = model::workflow_skills(p);
            for name in &names {
                if chained.iter().any(|s| &s.name == name) {
                    continue;
                }
                let skill = match mine.iter().find(|s| &s.name == name) {
                    Some(skill) => skill.parse_whole().ok().map(|(skill, _)| skill),
                    None => browser::fetch_text(&format!("{base}skills/{name}/SKILL.md")).await.ok().and_then(|text| model::parse_skill_md(name, &text)),
                };
                chained.extend(skill);
            }
            if !names.is_empty() {
                model::offer_workflow(p, &inputs, &chained, &known, &decided);
            }
        }
        for p in &mut proposals {
            let Some(covered) = p.pattern.covered_by.clone() else { continue };
            p.current_md = match mine.iter().find(|s| s.name == covered) {
                Some(skill) => Some(skill.skill_md_text()),
                None => browser::fetch_text(&format!("{base}skills/{covered}/SKILL.md")).await.ok(),
            };
        }
        let by_meaning = vectors.is_some();
        let (embeddings_provider, embeddings_default) = offer.map(|o| (Some(o.provider), o.default_model)).unwrap_or_default();
        let found = Found {
            proposals,
            rejected,
            traces: traces.len(),
            accepted,
            inputs,
            synthesis: decided.synthesis,
            embeddings_provider,
            embeddings_default,
            semantic: decided.semantic,
            embeddings_model: decided.embeddings_model.clone(),
            embeddings_note,
            by_meaning,
        };
        // What the badge counts: proposals not accepted yet.
        let pending = found.proposals.iter().filter(|p| !p.retired && !found.accepted.iter().any(|(id, _)| *id == p.pattern.id)).count();
        let mut decided = decided;
        decided.ran(found.traces, browser::now(), pending);
        let _ = save_decisions(decided).await;
        Ok(found)
    }

    pub async fn find(index_url: String, found: RwSignal<Option<Found>>, said: RwSignal<Option<Said>>, busy: RwSignal<bool>) {
        busy.set(true);
        said.set(Some(Said { ok: true, text: "Looking for recurring tasks in your traces…".into() }));
        match detect(&index_url, true).await {
            Ok(f) => {
                said.set(None);
                found.set(Some(f));
            }
            Err(error) => failed(said, error),
        }
        busy.set(false);
    }

    /// Turns grouping by meaning on or off, or names its model, then detects again.
    pub async fn set_semantic(on: Option<bool>, model: Option<String>, index_url: String, found: RwSignal<Option<Found>>, said: RwSignal<Option<Said>>, busy: RwSignal<bool>) {
        let mut decisions = decisions().await;
        if let Some(on) = on {
            decisions.semantic = on;
        }
        if let Some(model) = model {
            decisions.embeddings_model = model.trim().to_string();
        }
        if let Err(error) = save_decisions(decisions).await {
            return failed(said, error);
        }
        find(index_url, found, said, busy).await;
    }

    /// Automatic detection: runs `detect` when it is due (`Decisions::detection_due`).
    pub async fn detect_if_due(index_url: String, may_embed: bool) -> Option<Found> {
        let count = crate::traces::store::all().await.ok()?.len();
        if !decisions().await.detection_due(count, browser::now()) {
            return None;
        }
        detect(&index_url, may_embed).await.ok()
    }

    pub async fn set_auto_every(every: usize) {
        let mut decisions = decisions().await;
        decisions.auto_every = every;
        let _ = save_decisions(decisions).await;
    }

    /// Moves the count of waiting proposals by `by` (accept and reject take one, undo gives one back).
    pub(crate) async fn adjust_pending(decisions: &mut Decisions, by: isize) {
        decisions.pending = decisions.pending.saturating_add_signed(by);
    }

    /// `skill_md` as the user skill `name`: a new record, or the existing
    /// one with its SKILL.md replaced (its other files kept).
    pub(crate) fn record(existing: Option<&UserSkill>, name: &str, skill_md: &str) -> UserSkill {
        let now = browser::now();
        let mut files: Vec<SkillFile> = existing.map(|s| s.files.iter().filter(|f| f.path != SKILL_MD).cloned().collect()).unwrap_or_default();
        files.push(SkillFile { path: SKILL_MD.into(), data: skill_md.as_bytes().to_vec() });
        let mut skill = UserSkill::new(name.to_string(), files, now);
        if let Some(existing) = existing {
            skill.created = existing.created;
        }
        skill
    }

    pub async fn accept(proposal: Proposal, found: RwSignal<Option<Found>>, said: RwSignal<Option<Said>>) {
        // Checked again as `llmos check` would: nothing invalid is saved.
        if let Err(diagnostics) = check_synthesised(&proposal.skill_md, &proposal.name) {
            let text = diagnostics.iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("; ");
            return failed(said, format!("The proposal is not a valid skill, so it was not saved: {text}"));
        }
        let Ok(store) = store::shared().await else { return failed(said, "Local storage is not available here.") };
        let existing = store.skill(&proposal.name).await.ok().flatten();
        let previous = existing.as_ref().map(UserSkill::skill_md_text);
        if let Err(error) = store.save(&[record(existing.as_ref(), &proposal.name, &proposal.skill_md)], &[]).await {
            return failed(said, error.message);
        }
        sync::announce_skills_changed();
        let mut decisions = decisions().await;
        decisions.accept(Accepted { pattern: proposal.pattern.id.clone(), skill: proposal.name.clone(), at: browser::now(), previous });
        adjust_pending(&mut decisions, -1).await;
        if let Err(error) = save_decisions(decisions).await {
            return failed(said, format!("{} is saved, but Undo could not be recorded: {error}", proposal.name));
        }
        found.update(|f| {
            if let Some(f) = f {
                f.accepted.retain(|(id, _)| *id != proposal.pattern.id);
                f.accepted.push((proposal.pattern.id.clone(), proposal.name.clone()));
            }
        });
        done(said, format!("Accepted: {} is one of your skills now, in your catalogue, search and chats.", proposal.name));
    }

    /// Opens the editor on the proposal: a draft of a new skill, or of the
    /// user's skill it improves. Saving there accepts it (the provenance is
    /// in the text); Undo here then puts back what was before.
    pub async fn edit(base: String, proposal: Proposal, said: RwSignal<Option<Said>>) {
        let Ok(store) = store::shared().await else { return failed(said, "Local storage is not available here.") };
        let existing = store.skill(&proposal.name).await.ok().flatten();
        let (id, editing, url) = match &existing {
            Some(_) => (format!("edit:{}", proposal.name), Some(proposal.name.clone()), llmos_islands::skill_links::edit_url(&base, &proposal.name)),
            None => ("new".to_string(), None, format!("{base}my/edit/")),
        };
        if let Err(error) = store.save_draft(&Draft { id, editing, text: proposal.skill_md.clone(), updated: browser::now() }).await {
            return failed(said, error.message);
        }
        let mut decisions = decisions().await;
        decisions.accept(Accepted { pattern: proposal.pattern.id.clone(), skill: proposal.name.clone(), at: browser::now(), previous: existing.as_ref().map(UserSkill::skill_md_text) });
        let _ = save_decisions(decisions).await;
        browser::navigate(&url);
    }

    pub async fn set_synthesis(on: bool, found: RwSignal<Option<Found>>, said: RwSignal<Option<Said>>) {
        let mut decisions = decisions().await;
        decisions.synthesis = on;
        if let Err(error) = save_decisions(decisions).await {
            return failed(said, error);
        }
        found.update(|f| {
            if let Some(f) = f {
                f.synthesis = on;
            }
        });
    }

    /// Replaces the template with the user's model's SKILL.md, once it is valid.
    pub async fn synthesise(proposal: Proposal, found: RwSignal<Option<Found>>, said: RwSignal<Option<Said>>) {
        said.set(Some(Said { ok: true, text: format!("Asking your model to write {}…", proposal.name) }));
        let inputs = found.with_untracked(|f| f.as_ref().map(|f| f.inputs.clone()).unwrap_or_default());
        match crate::synth::synthesise(&proposal, &inputs).await {
            Ok(written) => {
                let model = written.model.clone();
                found.update(|f| {
                    if let Some(p) = f.as_mut().and_then(|f| f.proposals.iter_mut().find(|p| p.pattern.id == proposal.pattern.id)) {
                        p.skill_md = written.skill_md;
                        p.written_by = Some(model.clone());
                        p.workflow = false;
                    }
                });
                let tries = if written.attempts == 1 { "in one answer".to_string() } else { format!("in {} answers (the invalid ones were sent back with their problems)", written.attempts) };
                done(said, format!("{model} wrote {} {tries}; it passes the checks of llmos check. Review it, then accept it.", proposal.name));
            }
            Err(error) => failed(said, error),
        }
    }

    pub async fn reject(pattern: String, found: RwSignal<Option<Found>>, said: RwSignal<Option<Said>>) {
        let mut decisions = decisions().await;
        decisions.reject(&pattern);
        adjust_pending(&mut decisions, -1).await;
        if let Err(error) = save_decisions(decisions).await {
            return failed(said, error);
        }
        found.update(|f| {
            if let Some(f) = f {
                f.proposals.retain(|p| p.pattern.id != pattern);
                f.rejected += 1;
            }
        });
        done(said, "Rejected: this task's proposal will not come back.");
    }

    pub async fn undo(pattern: String, skill: String, found: RwSignal<Option<Found>>, said: RwSignal<Option<Said>>) {
        let Ok(store) = store::shared().await else { return failed(said, "Local storage is not available here.") };
        let mut decisions = decisions().await;
        let previous = decisions.undo(&pattern).and_then(|a| a.previous);
        let existing = store.skill(&skill).await.ok().flatten();
        let result = match &previous {
            Some(text) => store.save(&[record(existing.as_ref(), &skill, text)], &[]).await,
            None => store.save(&[], std::slice::from_ref(&skill)).await,
        };
        if let Err(error) = result {
            return failed(said, error.message);
        }
        sync::announce_skills_changed();
        adjust_pending(&mut decisions, 1).await;
        let _ = save_decisions(decisions).await;
        found.update(|f| {
            if let Some(f) = f {
                f.accepted.retain(|(id, _)| *id != pattern);
                f.proposals.iter_mut().filter(|p| p.pattern.id == pattern).for_each(|p| p.effect = None);
            }
        });
        done(said, if previous.is_some() { format!("Undone: {skill} is as it was before.") } else { format!("Undone: {skill} is deleted.") });
    }
}
