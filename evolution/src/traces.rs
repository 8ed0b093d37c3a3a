//! `/my/traces/`: the chat's traces, one per conversation, with a filter,
//! outcome marking, "keep" (a kept trace outlives its chat), delete and a
//! JSON export.

use crate::model::{self, OutcomeFilter};
use leptos::prelude::*;
use llmos_islands::records::Trace;

/// A line under the toolbar: what the last action did (`ok`) or why it failed.
#[derive(Clone, PartialEq)]
pub(crate) struct Said {
    pub ok: bool,
    pub text: String,
}

pub(crate) fn said_view(said: RwSignal<Option<Said>>) -> impl IntoView {
    move || {
        said.get().map(|s| {
            let class = if s.ok { "notice ok" } else { "notice error" };
            view! { <p class=class role="status" id="evolution-status">{s.text}</p> }
        })
    }
}

/// `YYYY-MM-DD HH:MM` (UTC) of ms since the Unix epoch, or "undated".
pub(crate) fn when(ms: f64) -> String {
    if ms <= 0.0 {
        return "undated".into();
    }
    let minutes = (ms / 60_000.0).floor() as i64;
    format!("{} {:02}:{:02} UTC", llmos_core::evolution::synthesis::iso_date(ms), minutes.rem_euclid(1440) / 60, minutes.rem_euclid(60))
}

#[island]
pub fn TraceList() -> impl IntoView {
    let llmos_islands::island_props::PagePaths { base, index_url } = llmos_islands::island_props::props("TraceList");
    let traces = RwSignal::new(None::<Vec<Trace>>);
    let said = RwSignal::new(None::<Said>);
    let text = RwSignal::new(String::new());
    let outcome = RwSignal::new(String::from("all"));
    let base = StoredValue::new(base);

    // Proposals waiting on the evolution page: counted by the last
    // detection, which runs here too when the browser is idle and it is due.
    let pending = RwSignal::new(0usize);
    let _ = &index_url;
    #[cfg(feature = "browser")]
    {
        leptos::task::spawn_local(store::load(traces, said));
        leptos::task::spawn_local(async move { pending.set(crate::review::actions::decisions().await.pending) });
        crate::when_idle(move || {
            leptos::task::spawn_local(async move {
                if crate::review::actions::detect_if_due(index_url, false).await.is_some() {
                    pending.set(crate::review::actions::decisions().await.pending);
                }
            })
        });
    }

    let shown = Memo::new(move |_| {
        let filter = OutcomeFilter::from_value(&outcome.get());
        text.with(|needle| traces.with(|all| all.as_deref().unwrap_or_default().iter().filter(|t| model::matches(t, needle, filter)).cloned().collect::<Vec<Trace>>()))
    });
    let export = move |_| {
        #[cfg(feature = "browser")]
        {
            let json = model::export_json(&shown.get_untracked());
            if let Err(error) = llmos_islands::browser::download("llmos-traces.json", json.as_bytes(), "application/json") {
                said.set(Some(Said { ok: false, text: format!("The export failed: {error}") }));
            }
        }
    };

    view! {
        <div class="traces">
            <div class="toolbar">
                <input type="search" class="filter" id="trace-filter" placeholder="Filter by goal, model or skill…" aria-label="Filter traces" prop:value=move || text.get() on:input=move |e| text.set(event_target_value(&e)) />
                <select id="trace-outcome" aria-label="Outcome" on:change=move |e| outcome.set(event_target_value(&e))>
                    <option value="all">"All outcomes"</option>
                    <option value="solved">"Solved"</option>
                    <option value="not-solved">"Not solved"</option>
                    <option value="unmarked">"Unmarked"</option>
                </select>
                <button type="button" id="export-traces" on:click=export disabled=move || shown.with(Vec::is_empty)>"Export shown (JSON)"</button>
                <a class="button" id="to-evolution" href=move || format!("{}my/evolution/", base.get_value())>"Evolution"
                    {move || (pending.get() > 0).then(|| view! { " " <span class="badge" id="proposals-badge" title="Proposed skills waiting for your review">{format!("{} waiting", pending.get())}</span> })}
                </a>
            </div>
            {said_view(said)}
            {move || match traces.with(|t| t.as_ref().map(Vec::len)) {
                None => view! { <p class="muted" id="traces-state">"Loading your traces…"</p> }.into_any(),
                Some(0) => view! { <p class="muted" id="traces-state">"No traces yet. Every chat leaves one: its goal, the skills offered and used, the tools called, and whether you marked it solved. "
                    <a href=move || format!("{}chat/", base.get_value())>"Start a chat"</a>"."</p> }.into_any(),
                Some(n) => view! { <p class="muted" id="traces-state">{move || format!("{} of {n} trace{} shown", shown.with(Vec::len), if n == 1 { "" } else { "s" })}</p> }.into_any(),
            }}
            <ul class="trace-list" id="trace-list">
                {move || shown.get().into_iter().map(|t| row(&base.get_value(), t, traces, said)).collect_view()}
            </ul>
        </div>
    }
}

fn row(_base: &str, trace: Trace, traces: RwSignal<Option<Vec<Trace>>>, said: RwSignal<Option<Said>>) -> impl IntoView {
    let id = trace.id.clone();
    let current = trace.outcome.clone().unwrap_or_default();
    let ok_runs = trace.runs.iter().filter(|r| r.ok).count();
    let counts = format!(
        "{} tool call{}, {} skill run{} ({ok_runs} ran)",
        trace.tool_calls.len(),
        if trace.tool_calls.len() == 1 { "" } else { "s" },
        trace.runs.len(),
        if trace.runs.len() == 1 { "" } else { "s" }
    );
    let used = if trace.skills_used.is_empty() { "no skill used".to_string() } else { format!("used {}", trace.skills_used.join(", ")) };
    let (edit, keep, remove) = (trace.clone(), trace.clone(), trace.clone());
    let _ = (&edit, &keep, &remove, &traces, &said);
    let option = move |value: &'static str, label: &'static str| view! { <option value=value selected=current == value>{label}</option> };
    view! {
        <li class="trace" data-id=id>
            <div class="trace-main">
                <span class="result-name trace-goal">{llmos_core::shorten(&trace.goal, 160)}</span>
                <p class="meta">{when(model::started(&trace))} " · " {if trace.model.is_empty() { "no model".to_string() } else { trace.model.clone() }} " · " {used} " · " {counts}</p>
            </div>
            <div class="trace-actions">
                <select class="trace-outcome" aria-label="Outcome of this task" on:change=move |e| {
                    let value = event_target_value(&e);
                    let mut changed = edit.clone();
                    changed.outcome = (!value.is_empty()).then_some(value);
                    #[cfg(feature = "browser")]
                    leptos::task::spawn_local(store::put(changed, traces, said));
                }>
                    {option("", "Unmarked")}
                    {option("solved", "Solved")}
                    {option("not-solved", "Not solved")}
                </select>
                <label class="keep"><input type="checkbox" class="trace-keep" prop:checked=trace.kept on:change=move |e| {
                    let mut changed = keep.clone();
                    changed.kept = event_target_checked(&e);
                    #[cfg(feature = "browser")]
                    leptos::task::spawn_local(store::put(changed, traces, said));
                } /> " Keep when its chat is deleted"</label>
                <button type="button" class="danger trace-delete" on:click=move |_| {
                    #[cfg(feature = "browser")]
                    leptos::task::spawn_local(store::delete(remove.id.clone(), traces, said));
                }>"Delete"</button>
            </div>
        </li>
    }
}

#[cfg(feature = "browser")]
pub(crate) mod store {
    use super::Said;
    use leptos::prelude::*;
    use llmos_islands::browser::{record_from_js, record_to_js};
    use llmos_islands::records::Trace;
    use llmos_islands::store::schema::TRACES;

    /// Every stored trace, newest first.
    pub async fn all() -> Result<Vec<Trace>, String> {
        let store = llmos_islands::store::shared().await.map_err(|e| e.message)?;
        let mut traces: Vec<Trace> = store.records(TRACES).await.map_err(|e| e.message)?.iter().filter_map(record_from_js).collect();
        crate::model::newest_first(&mut traces);
        Ok(traces)
    }

    pub async fn load(traces: RwSignal<Option<Vec<Trace>>>, said: RwSignal<Option<Said>>) {
        match all().await {
            Ok(list) => traces.set(Some(list)),
            Err(error) => {
                traces.set(Some(Vec::new()));
                said.set(Some(Said { ok: false, text: error }));
            }
        }
    }

    pub async fn put(trace: Trace, traces: RwSignal<Option<Vec<Trace>>>, said: RwSignal<Option<Said>>) {
        let Ok(store) = llmos_islands::store::shared().await else { return };
        match store.put_records(TRACES, &[record_to_js(&trace)]).await {
            Ok(()) => {
                traces.update(|list| {
                    if let Some(slot) = list.iter_mut().flatten().find(|t| t.id == trace.id) {
                        *slot = trace;
                    }
                });
                said.set(None);
            }
            Err(error) => said.set(Some(Said { ok: false, text: error.message })),
        }
    }

    pub async fn delete(id: String, traces: RwSignal<Option<Vec<Trace>>>, said: RwSignal<Option<Said>>) {
        if !llmos_islands::browser::confirm("Delete this trace? Its chat stays; patterns are no longer learnt from it.") {
            return;
        }
        let Ok(store) = llmos_islands::store::shared().await else { return };
        match store.delete_records(TRACES, std::slice::from_ref(&id)).await {
            Ok(()) => {
                traces.update(|list| list.iter_mut().for_each(|l| l.retain(|t| t.id != id)));
                said.set(Some(Said { ok: true, text: "Deleted the trace.".into() }));
            }
            Err(error) => said.set(Some(Said { ok: false, text: error.message })),
        }
    }
}
