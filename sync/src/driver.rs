//! A sync round in the browser: the core's `Round` asks for each call,
//! `fetch` makes it (never cached: `cache: "no-store"`, so a ref read is
//! never answered from the HTTP cache), and the outcome is written to the
//! store before the queue's new base, so a page closed anywhere in between
//! repeats work at worst and loses nothing. One tab at a time runs a round
//! (Web Locks, where the browser has them).

use crate::model::{self, SyncRecord, META_KEY, TOKEN_ID};
use js_sys::{Function, Object, Reflect};
use llmos_core::sync::github::{Call, Remote};
use llmos_core::sync::{Answer, Entity, Failure, Files, Outcome, Round};
use llmos_islands::browser::{self, js_error};
use llmos_islands::provider::keys;
use llmos_islands::records::{ChatMessage, Conversation, Trace};
use llmos_islands::store::schema::{CONVERSATIONS, MESSAGES, META, TRACES};
use llmos_islands::store::sync_files::{chat_file, skill_files, store_writes, trace_file};
use llmos_islands::store::{shared, SkillStore};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::BTreeMap;
use std::future::Future;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

fn to_js<T: Serialize>(value: &T) -> JsValue {
    js_sys::JSON::parse(&serde_json::to_string(value).expect("records serialise")).unwrap_or(JsValue::NULL)
}

fn from_js<T: DeserializeOwned>(value: &JsValue) -> Option<T> {
    serde_json::from_str(&js_sys::JSON::stringify(value).ok()?.as_string()?).ok()
}

/// Sync's record (settings, queue, past conflicts); a default one before the first save.
pub async fn load_record() -> Result<SyncRecord, String> {
    let store = shared().await.map_err(|e| e.to_string())?;
    let record = store.record(META, META_KEY).await.map_err(|e| e.to_string())?;
    Ok(record.and_then(|r| browser::field(&r, "value").as_string()).and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default())
}

/// Stores sync's record (as JSON text under `value`).
pub async fn save_record(record: &SyncRecord) -> Result<(), String> {
    let store = shared().await.map_err(|e| e.to_string())?;
    let value = Object::new();
    let _ = Reflect::set(&value, &"key".into(), &META_KEY.into());
    let _ = Reflect::set(&value, &"value".into(), &serde_json::to_string(record).expect("the record serialises").into());
    store.put_records(META, &[value.into()]).await.map_err(|e| e.to_string())
}

/// Saves the settings and the token (sealed, bound to the API's origin).
/// A different repository or branch starts from an empty base.
pub async fn save_settings(repository: &str, branch: &str, api: &str, token: &str) -> Result<SyncRecord, String> {
    let remote = Remote::parse(repository, api, branch)?;
    let origin = llmos_islands::provider::base_origin(&remote.api)?;
    let mut record = load_record().await?;
    let moved = record.repository != remote.full_name() || record.branch != remote.branch || record.api != remote.api;
    record.repository = remote.full_name();
    record.branch = remote.branch.clone();
    record.api = remote.api.clone();
    if moved {
        record.queue.base.clear();
        record.queue.synced_commit = None;
        record.queue.pending.clear();
    }
    record.queue.reconfigured();
    if !token.trim().is_empty() {
        keys::save_secret(TOKEN_ID, token.trim(), &origin).await?;
    } else if let Some((saved, _)) = keys::load_secret(TOKEN_ID).await? {
        // The token stays, bound to the new origin once the user saved it.
        keys::save_secret(TOKEN_ID, &saved, &origin).await?;
    }
    save_record(&record).await?;
    Ok(record)
}

/// Every skill, chat and trace here as its repository files.
async fn local_files() -> Result<BTreeMap<Entity, Files>, String> {
    let store = shared().await.map_err(|e| e.to_string())?;
    let mut local = BTreeMap::new();
    for skill in store.skills().await.map_err(|e| e.to_string())? {
        local.insert(Entity::Skill(skill.name.clone()), skill_files(&skill));
    }
    let mut messages: BTreeMap<String, Vec<ChatMessage>> = BTreeMap::new();
    for message in store.records(MESSAGES).await.map_err(|e| e.to_string())?.iter().filter_map(from_js::<ChatMessage>) {
        messages.entry(message.conversation.clone()).or_default().push(message);
    }
    for conversation in store.records(CONVERSATIONS).await.map_err(|e| e.to_string())?.iter().filter_map(from_js::<Conversation>) {
        let mut list = messages.remove(&conversation.id).unwrap_or_default();
        list.sort_by(|a, b| a.seq.cmp(&b.seq).then_with(|| a.id.cmp(&b.id)));
        let entity = Entity::Chat(conversation.id.clone());
        local.insert(entity.clone(), Files::from([(entity.path(), chat_file(&conversation, &list))]));
    }
    for trace in store.records(TRACES).await.map_err(|e| e.to_string())?.iter().filter_map(from_js::<Trace>) {
        let entity = Entity::Trace(trace.id.clone());
        local.insert(entity.clone(), Files::from([(entity.path(), trace_file(&trace))]));
    }
    Ok(local)
}

/// Writes what the round brought; returns the files that made no record.
async fn apply(outcome: &Outcome) -> Result<Vec<String>, String> {
    let store = shared().await.map_err(|e| e.to_string())?;
    let existing = store.skills().await.map_err(|e| e.to_string())?;
    let created = |name: &str| existing.iter().find(|s| s.name == name).map(|s| s.created);
    let writes = store_writes(&outcome.write, created, browser::now());
    if !writes.skills.is_empty() || !writes.skills_removed.is_empty() {
        store.save(&writes.skills, &writes.skills_removed).await.map_err(|e| e.to_string())?;
    }
    for id in writes.chats.iter().map(|(c, _)| &c.id).chain(&writes.chats_removed) {
        let old: Vec<String> = store.records_where(MESSAGES, "conversation", id).await.map_err(|e| e.to_string())?.iter().filter_map(from_js::<ChatMessage>).map(|m| m.id).collect();
        store.delete_records(MESSAGES, &old).await.map_err(|e| e.to_string())?;
    }
    for (conversation, messages) in &writes.chats {
        let values: Vec<JsValue> = messages.iter().map(to_js).collect();
        store.put_records(MESSAGES, &values).await.map_err(|e| e.to_string())?;
        store.put_records(CONVERSATIONS, &[to_js(conversation)]).await.map_err(|e| e.to_string())?;
    }
    store.delete_records(CONVERSATIONS, &writes.chats_removed).await.map_err(|e| e.to_string())?;
    let traces: Vec<JsValue> = writes.traces.iter().map(to_js).collect();
    store.put_records(TRACES, &traces).await.map_err(|e| e.to_string())?;
    store.delete_records(TRACES, &writes.traces_removed).await.map_err(|e| e.to_string())?;
    Ok(writes.problems)
}

fn header(response: &web_sys::Response, name: &str) -> Option<u64> {
    response.headers().get(name).ok().flatten().and_then(|v| v.trim().parse().ok())
}

/// One call, as the core wrote it; the token goes only with it.
async fn send(call: &Call, token: &str) -> Answer {
    let now = browser::now();
    let init = web_sys::RequestInit::new();
    init.set_method(call.method);
    init.set_cache(web_sys::RequestCache::NoStore);
    init.set_mode(web_sys::RequestMode::Cors);
    init.set_credentials(web_sys::RequestCredentials::Omit);
    init.set_referrer_policy(web_sys::ReferrerPolicy::NoReferrer);
    let headers = web_sys::Headers::new().expect("headers");
    for (name, value) in Remote::headers(token) {
        if name != "Content-Type" || call.body.is_some() {
            let _ = headers.set(name, &value);
        }
    }
    init.set_headers(&headers);
    if let Some(body) = &call.body {
        init.set_body(&JsValue::from_str(body));
    }
    // The page's fetch or the sync worker's: the same request either way.
    let Ok(promise) = browser::global_fetch(&call.url, &init) else { return Answer { now, ..Answer::default() } };
    let Ok(response) = JsFuture::from(promise).await else { return Answer { now, ..Answer::default() } };
    let response: web_sys::Response = response.unchecked_into();
    let body = match response.text() {
        Ok(promise) => match JsFuture::from(promise).await {
            Ok(text) => text.as_string().unwrap_or_default(),
            // The connection dropped while the body came: no answer.
            Err(_) => return Answer { now, ..Answer::default() },
        },
        Err(_) => String::new(),
    };
    Answer {
        status: Some(response.status()),
        body,
        ratelimit_remaining: header(&response, "x-ratelimit-remaining"),
        ratelimit_reset: header(&response, "x-ratelimit-reset"),
        retry_after: header(&response, "retry-after"),
        now: browser::now(),
    }
}

/// What a round ended with, for the page.
pub struct Report {
    pub record: SyncRecord,
    /// Pushes waiting (the rescan's count after the round).
    pub pending: usize,
    pub changed_here: bool,
}

/// Why a round is asked for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Start {
    /// The user asked (Save settings, Sync now): run now, even when stopped.
    Now,
    /// A change here, or the tick: run if the queue's backoff says so.
    Due,
    /// The network came back: a wait for it is over.
    Online,
    /// A page opened (the sync worker starting): as `Due`, but only when
    /// something here changed or the last round is older than `tick_ms`,
    /// so browsing from page to page does not call GitHub on every one.
    Opened { tick_ms: f64 },
}

/// Runs one round now (or the queue's due one, if `force` is false), in
/// this tab only while it holds the lock. `None`: another tab is syncing,
/// or nothing is due.
pub async fn round(force: bool) -> Result<Option<Report>, String> {
    round_for(if force { Start::Now } else { Start::Due }).await
}

/// [`round`], for the reason `start`; the status goes to every page's
/// header indicator (at the start, when there is something to push, and
/// at the end).
pub async fn round_for(start: Start) -> Result<Option<Report>, String> {
    let force = start == Start::Now;
    let mut record = load_record().await?;
    if record.repository.is_empty() {
        return Err("Set the repository and the token first.".into());
    }
    let remote = Remote::parse(&record.repository, &record.api, &record.branch)?;
    let origin = llmos_islands::provider::base_origin(&remote.api)?;
    let token = match keys::load_secret(TOKEN_ID).await? {
        Some((token, Some(bound))) if bound == origin => token,
        Some(_) => return Err(format!("The saved token was meant for another address than {origin}; enter it again to send it there.")),
        None => return Err("No token is saved: paste your fine-grained personal access token and save.".into()),
    };
    // This tab holds the lock: a round marked running died with its page.
    record.queue.recover();
    if force && !matches!(record.queue.state, llmos_core::sync::State::Stopped { .. }) {
        record.queue.state = llmos_core::sync::State::Idle;
    } else if force {
        record.queue.reconfigured();
    }
    let local = local_files().await?;
    let dirty = model::dirty(&local, &record.queue.base);
    let now = browser::now();
    for entity in dirty.keys() {
        if !record.queue.pending.iter().any(|p| &p.entity == entity) {
            record.queue.enqueue(entity.clone(), now);
        }
    }
    record.queue.pending.retain(|p| dirty.contains_key(&p.entity));
    if start == Start::Online {
        if let llmos_core::sync::State::Waiting { reason: llmos_core::sync::queue::Wait::Offline | llmos_core::sync::queue::Wait::Unreachable, .. } = record.queue.state {
            record.queue.state = llmos_core::sync::State::Idle;
        }
    }
    if let Start::Opened { tick_ms } = start {
        let recent = record.queue.last_synced.is_some_and(|at| now - at < tick_ms);
        if dirty.is_empty() && recent && record.queue.state == llmos_core::sync::State::Idle {
            publish(&record);
            return Ok(None);
        }
    }
    let Some(batch) = record.queue.begin(now) else {
        save_record(&record).await?;
        publish(&record);
        return Ok(None);
    };
    save_record(&record).await?;
    if !batch.is_empty() {
        publish(&record);
    }
    let mut round = Round::new(remote, record.queue.base.clone(), dirty, model::taken(&local));
    let mut next = round.start();
    let failure = loop {
        match next {
            Ok(Some(call)) => {
                let answer = send(&call, &token).await;
                next = round.answer(&answer);
            }
            Ok(None) => break None,
            Err(failure) => break Some(failure),
        }
    };
    let now = browser::now();
    let mut changed_here = false;
    match failure {
        Some(failure) => {
            // No answer is "offline" only when the browser says so; online,
            // the API's address or this network is the problem.
            let failure = match failure {
                _ if browser_offline() => Failure::Offline,
                Failure::Offline => Failure::Unreachable,
                other => other,
            };
            record.queue.failed(failure, now, js_sys::Math::random());
        }
        None => {
            let mut outcome = round.outcome().clone();
            // Written here while the round ran (another tab, the editor):
            // the local version stays, and so does its old base, so the next
            // round sees both sides changed and keeps both.
            let after = local_files().await?;
            let touched: Vec<Entity> = outcome.write.keys().filter(|e| after.get(*e) != local.get(*e)).cloned().collect();
            for entity in &touched {
                outcome.write.remove(entity);
                let old = model::base_by_entity(&record.queue.base).remove(entity).unwrap_or_default();
                let new = model::base_by_entity(&outcome.base).remove(entity).unwrap_or_default();
                for path in new.keys() {
                    outcome.base.remove(path);
                }
                outcome.base.extend(old);
            }
            record.problems = apply(&outcome).await?;
            changed_here = !outcome.write.is_empty();
            record.add_conflicts(&outcome.conflicts);
            record.queue.succeeded(&batch, outcome.commit.clone(), outcome.base.clone(), now);
        }
    }
    save_record(&record).await?;
    publish(&record);
    if changed_here {
        llmos_islands::store::sync::announce_skills_changed();
    }
    let pending = record.queue.pending.len();
    Ok(Some(Report { record, pending, changed_here }))
}

fn browser_offline() -> bool {
    !browser::on_line()
}

/// The BroadcastChannel on which rounds (the sync worker's and the sync
/// page's) tell every page's header indicator the status: messages are
/// [`crate::model::Indicator`] objects, read by src/offline/register.js.
pub const STATUS_CHANNEL: &str = "llmos-sync-status";

/// The `localStorage` flag telling every page to start the sync worker
/// (src/offline/register.js reads it): set once sync is set up here, so
/// pages of a browser without sync fetch nothing of it.
pub const SET_UP_FLAG: &str = "llmos-sync";

/// Sets or clears [`SET_UP_FLAG`] (a page only: workers have no `localStorage`).
pub fn mark_set_up(on: bool) {
    let storage = browser::global_field("localStorage");
    let call = |name: &str, args: &[JsValue]| {
        if let Ok(f) = browser::field(&storage, name).dyn_into::<Function>() {
            let _ = f.apply(&storage, &args.iter().collect::<js_sys::Array>());
        }
    };
    if on {
        call("setItem", &[SET_UP_FLAG.into(), "on".into()]);
    } else {
        call("removeItem", &[SET_UP_FLAG.into()]);
    }
}

/// Tells every page of this origin the status of `record`.
pub fn publish(record: &SyncRecord) {
    post_status(&model::indicator(record, clock));
}

/// Tells every page that sync cannot run, and why (no token, no settings).
pub fn publish_error(reason: &str) {
    let text = format!("Sync error: {}", model::brief(reason));
    post_status(&model::Indicator { state: "error", text, title: reason.to_string(), conflicts: 0 });
}

fn post_status(indicator: &model::Indicator) {
    if let Ok(channel) = web_sys::BroadcastChannel::new(STATUS_CHANNEL) {
        let _ = channel.post_message(&to_js(indicator));
        channel.close();
    }
}

/// `14:05`, in the user's time zone.
pub(crate) fn clock(ms: f64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms));
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

/// Runs `work` holding the `llmos-sync` Web Lock if no other tab (or the
/// sync worker) holds it; `false` when another does. Browsers without Web
/// Locks just run it.
pub async fn exclusively<F: Future<Output = ()> + 'static>(work: F) -> Result<bool, String> {
    with_lock(work, false).await
}

/// Runs `work` holding the `llmos-sync` Web Lock, waiting for it while
/// another tab or the sync worker holds it: what the user asked for
/// (Sync now) runs after their round, not instead of it.
pub async fn after_others<F: Future<Output = ()> + 'static>(work: F) -> Result<bool, String> {
    with_lock(work, true).await
}

async fn with_lock<F: Future<Output = ()> + 'static>(work: F, wait: bool) -> Result<bool, String> {
    // The page's navigator or the worker's: both have the same locks.
    let locks = browser::field(&browser::global_field("navigator"), "locks");
    let request = Reflect::get(&locks, &"request".into()).ok().and_then(|f| f.dyn_into::<Function>().ok());
    let Some(request) = request.filter(|_| !locks.is_undefined()) else {
        work.await;
        return Ok(true);
    };
    let options = Object::new();
    let _ = Reflect::set(&options, &"ifAvailable".into(), &(!wait).into());
    let callback = Closure::once_into_js(move |lock: JsValue| -> js_sys::Promise {
        if lock.is_null() {
            return js_sys::Promise::resolve(&JsValue::FALSE);
        }
        wasm_bindgen_futures::future_to_promise(async move {
            work.await;
            Ok(true.into())
        })
    });
    let promise: js_sys::Promise = request.call3(&locks, &"llmos-sync".into(), &options, &callback).map_err(js_error)?.dyn_into().map_err(js_error)?;
    Ok(JsFuture::from(promise).await.map_err(js_error)?.as_bool().unwrap_or(false))
}
