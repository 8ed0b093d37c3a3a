//! The user's skills read straight from IndexedDB, without rexie: what the
//! site bundle needs (the shelves, the user's skills in the search box),
//! which never writes and never upgrades the database.
//!
//! rexie (with idb, indexmap and tokio's channel) only opens the database
//! at the current version, creating or upgrading its layout; the site's
//! pages need none of that, and leaving it to the workbench, the chat and
//! the other bundles saves the site bundle about 6 kB gzipped. Here the
//! database is opened at whatever version it has, read in one read-only
//! transaction, and closed at once, so it never holds up another tab's
//! upgrade. A visitor who never saved a skill has no database: opening it
//! would create an empty one, so that upgrade is aborted and nothing is
//! created.

use super::schema::{DATABASE, SKILLS};
use super::{idb::skill_from_js, ErrorKind, StoreError};
use crate::browser::field;
use crate::user_skills::UserSkill;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Every skill the user saved (none when they never saved one), as
/// `SkillStore::skills` reads them but without adding fields to records
/// stored without them (the workbench does that).
pub async fn skills() -> Result<Vec<UserSkill>, StoreError> {
    if crate::browser::framed_by_another_origin() {
        return Err(StoreError::new(ErrorKind::Unavailable, crate::browser::FRAMED));
    }
    let unavailable = |error: JsValue| StoreError::new(ErrorKind::Unavailable, format!("This browser refused to open local storage ({}).", request_error(&error)));
    let factory = web_sys::window().map(|w| field(&w, "indexedDB")).filter(|f| f.is_object()).ok_or_else(|| unavailable(JsValue::from_str("no IndexedDB")))?;
    let request = call(&factory, "open", &[DATABASE.into()]).map_err(unavailable)?;
    // Only a database that does not exist yet needs an upgrade when opened
    // without a version: the user has no skills, and none is created.
    let abort = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
        let _ = call(&field(&field(&event, "target"), "transaction"), "abort", &[]);
    });
    let _ = js_sys::Reflect::set(&request, &"onupgradeneeded".into(), abort.as_ref());
    let opened = settle(&request).await;
    // The request has settled: the handler is never called again.
    drop(abort);
    let db = match opened {
        Ok(db) => db,
        Err(error) if error_name(&error) == "AbortError" => return Ok(Vec::new()),
        Err(error) => return Err(unavailable(error)),
    };
    let records = async {
        let transaction = call(&db, "transaction", &[SKILLS.into(), "readonly".into()])?;
        let all = call(&call(&transaction, "objectStore", &[SKILLS.into()])?, "getAll", &[])?;
        settle(&all).await
    }
    .await;
    let _ = call(&db, "close", &[]);
    let records = records.map_err(|error| StoreError::new(ErrorKind::Other, format!("Local storage failed ({}).", request_error(&error))))?;
    Ok(records.dyn_into::<js_sys::Array>().map(|a| a.iter().filter_map(|r| skill_from_js(&r)).collect()).unwrap_or_default())
}

/// Calls `target.name(args…)`.
fn call(target: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let function: js_sys::Function = field(target, name).dyn_into()?;
    function.apply(target, &args.iter().collect())
}

/// Waits for an IDBRequest: its result, or the request itself on error.
async fn settle(request: &JsValue) -> Result<JsValue, JsValue> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let _ = js_sys::Reflect::set(request, &"onsuccess".into(), &resolve);
        let _ = js_sys::Reflect::set(request, &"onerror".into(), &reject);
    });
    JsFuture::from(promise).await.map_err(|_| request.clone())?;
    Ok(field(request, "result"))
}

/// The name of a failed request's error (`AbortError`, `QuotaExceededError`…).
fn error_name(request: &JsValue) -> String {
    field(&field(request, "error"), "name").as_string().unwrap_or_default()
}

/// A failed request's or a thrown exception's message.
fn request_error(error: &JsValue) -> String {
    let request_error = field(error, "error");
    crate::browser::js_error(if request_error.is_object() { request_error } else { error.clone() })
}
