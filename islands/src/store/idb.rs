//! The IndexedDB store, through rexie. Records are plain objects with the
//! files' bytes as `Uint8Array`s, so nothing is re-encoded on the way in or
//! out and an export gives back exactly the bytes imported.

use super::schema::{self, DRAFTS, SKILLS};
use super::{Draft, ErrorKind, SkillStore, StoreError};
use crate::browser::field as get;
use crate::user_skills::{SkillFields, SkillFile, UserSkill};
use js_sys::{Array, Object, Reflect, Uint8Array};
use rexie::{Index, ObjectStore, Rexie, TransactionMode};
use wasm_bindgen::{JsCast, JsValue};

pub struct IdbStore {
    db: Rexie,
}

impl IdbStore {
    /// Opens the database, creating or upgrading it to the current layout.
    pub async fn open() -> Result<IdbStore, StoreError> {
        let mut builder = Rexie::builder(schema::DATABASE).version(schema::current_version());
        for (name, key_path, indexes) in schema::layout() {
            let mut store = ObjectStore::new(name).key_path(key_path);
            for (index, path) in indexes {
                store = store.add_index(Index::new(index, path));
            }
            builder = builder.add_object_store(store);
        }
        let db = builder.build().await.map_err(|e| {
            let text = e.to_string();
            if text.contains("VersionError") || text.contains("less than the existing version") {
                StoreError::new(ErrorKind::Outdated, "A newer version of this site is open in another tab. Reload this page to use it.")
            } else {
                StoreError::new(ErrorKind::Unavailable, format!("This browser refused to open local storage ({text}). Private windows and blocked site data stop LLMos from keeping your skills."))
            }
        })?;
        Ok(IdbStore { db })
    }

    async fn write(&self, store: &str, put: &[JsValue], remove: &[JsValue]) -> Result<(), StoreError> {
        let transaction = self.db.transaction(&[store], TransactionMode::ReadWrite).map_err(storage_error)?;
        let handle = transaction.store(store).map_err(storage_error)?;
        for value in put {
            if let Err(error) = handle.put(value, None).await {
                let _ = transaction.abort().await;
                return Err(storage_error(error));
            }
        }
        for key in remove {
            if let Err(error) = handle.delete(key.clone()).await {
                let _ = transaction.abort().await;
                return Err(storage_error(error));
            }
        }
        match transaction.done().await {
            Ok(result) if result.is_committed() => Ok(()),
            // rexie does not hand over the transaction's error; an abort while
            // writing more than the room left is the quota.
            // rexie does not hand over the transaction's error. A transaction
            // we did not abort, whose requests all succeeded, was aborted by
            // the browser at commit: in practice the quota (or a full disk).
            Ok(_) => Err(quota_error()),
            Err(error) => Err(storage_error(error)),
        }
    }

    async fn read_all(&self, store: &str) -> Result<Vec<JsValue>, StoreError> {
        let transaction = self.db.transaction(&[store], TransactionMode::ReadOnly).map_err(storage_error)?;
        transaction.store(store).map_err(storage_error)?.get_all(None, None).await.map_err(storage_error)
    }

    async fn read(&self, store: &str, key: &str) -> Result<Option<JsValue>, StoreError> {
        let transaction = self.db.transaction(&[store], TransactionMode::ReadOnly).map_err(storage_error)?;
        transaction.store(store).map_err(storage_error)?.get(JsValue::from_str(key)).await.map_err(storage_error)
    }
}

impl SkillStore for IdbStore {
    async fn skills(&self) -> Result<Vec<UserSkill>, StoreError> {
        #[allow(unused_mut)]
        let mut skills: Vec<UserSkill> = self.read_all(SKILLS).await?.iter().filter_map(skill_from_js).collect();
        #[cfg(feature = "workbench")]
        self.add_missing_fields(&mut skills).await;
        Ok(skills)
    }

    async fn skill(&self, name: &str) -> Result<Option<UserSkill>, StoreError> {
        Ok(self.read(SKILLS, name).await?.as_ref().and_then(skill_from_js))
    }

    async fn save(&self, put: &[UserSkill], remove: &[String]) -> Result<(), StoreError> {
        let values: Vec<JsValue> = put.iter().map(skill_to_js).collect();
        let keys: Vec<JsValue> = remove.iter().map(|k| JsValue::from_str(k)).collect();
        self.write(SKILLS, &values, &keys).await
    }

    async fn draft(&self, id: &str) -> Result<Option<Draft>, StoreError> {
        Ok(self.read(DRAFTS, id).await?.and_then(|value| {
            Some(Draft {
                id: get_string(&value, "id")?,
                editing: get_string(&value, "editing"),
                text: get_string(&value, "text")?,
                updated: get(&value, "updated").as_f64().unwrap_or(0.0),
            })
        }))
    }

    async fn save_draft(&self, draft: &Draft) -> Result<(), StoreError> {
        let record = Object::new();
        set(&record, "id", &draft.id.as_str().into());
        set(&record, "editing", &draft.editing.as_deref().map_or(JsValue::NULL, JsValue::from_str));
        set(&record, "text", &draft.text.as_str().into());
        set(&record, "updated", &draft.updated.into());
        self.write(DRAFTS, &[record.into()], &[]).await
    }

    async fn discard_draft(&self, id: &str) -> Result<(), StoreError> {
        self.write(DRAFTS, &[], &[JsValue::from_str(id)]).await
    }
}

/// Plain records of the other stores (conversations, messages, traces,
/// settings, secrets): any structured-cloneable value, keyed by the store's
/// key path.
impl IdbStore {
    pub async fn put_records(&self, store: &str, records: &[JsValue]) -> Result<(), StoreError> {
        self.write(store, records, &[]).await
    }

    pub async fn delete_records(&self, store: &str, keys: &[String]) -> Result<(), StoreError> {
        let keys: Vec<JsValue> = keys.iter().map(|k| JsValue::from_str(k)).collect();
        self.write(store, &[], &keys).await
    }

    pub async fn record(&self, store: &str, key: &str) -> Result<Option<JsValue>, StoreError> {
        self.read(store, key).await
    }

    pub async fn records(&self, store: &str) -> Result<Vec<JsValue>, StoreError> {
        self.read_all(store).await
    }

    /// The records whose `index` equals `key`.
    pub async fn records_where(&self, store: &str, index: &str, key: &str) -> Result<Vec<JsValue>, StoreError> {
        let transaction = self.db.transaction(&[store], TransactionMode::ReadOnly).map_err(storage_error)?;
        let handle = transaction.store(store).map_err(storage_error)?;
        let range = rexie::KeyRange::only(&JsValue::from_str(key)).map_err(|e| storage_error(e.into()))?;
        handle.index(index).map_err(storage_error)?.get_all(Some(range), None).await.map_err(storage_error)
    }
}

impl IdbStore {
    /// The one data migration so far: records from before the parsed fields
    /// were stored get them, so the search and the shelves (whose bundle
    /// has no YAML parser) see them too. Only the editor's bundle parses.
    #[cfg(feature = "workbench")]
    async fn add_missing_fields(&self, skills: &mut [UserSkill]) {
        // The parser is the skill kit's, fetched only when a record needs it.
        if skills.iter().all(|s| s.fields.is_some()) || crate::kit::load().await.is_err() {
            return;
        }
        let mut completed = Vec::new();
        for skill in skills.iter_mut().filter(|s| s.fields.is_none()) {
            if let Ok((parsed, _)) = skill.parse() {
                skill.fields = Some(SkillFields::of(&parsed));
                completed.push(skill.clone());
            }
        }
        if !completed.is_empty() && self.save(&completed, &[]).await.is_ok() {
            super::sync::announce_skills_changed();
        }
    }
}

fn set(target: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}


fn get_string(source: &JsValue, key: &str) -> Option<String> {
    get(source, key).as_string()
}

fn skill_to_js(skill: &UserSkill) -> JsValue {
    let record = Object::new();
    set(&record, "name", &skill.name.as_str().into());
    let files = Array::new();
    for file in &skill.files {
        let entry = Object::new();
        set(&entry, "path", &file.path.as_str().into());
        set(&entry, "data", &Uint8Array::from(file.data.as_slice()).into());
        files.push(&entry);
    }
    set(&record, "files", &files.into());
    set(&record, "created", &skill.created.into());
    set(&record, "updated", &skill.updated.into());
    if let Some(fields) = &skill.fields {
        let stored = Object::new();
        set(&stored, "name", &fields.name.as_str().into());
        set(&stored, "description", &fields.description.as_str().into());
        set(&stored, "category", &fields.category.as_deref().map_or(JsValue::NULL, JsValue::from_str));
        set(&stored, "type", &fields.kind.as_deref().map_or(JsValue::NULL, JsValue::from_str));
        set(&stored, "keywords", &fields.keywords.iter().map(|k| JsValue::from_str(k)).collect::<Array>().into());
        set(&stored, "body", &fields.body.as_str().into());
        set(&record, "fields", &stored.into());
    }
    record.into()
}

fn fields_from_js(value: &JsValue) -> Option<SkillFields> {
    if !value.is_object() {
        return None;
    }
    Some(SkillFields {
        name: get_string(value, "name")?,
        description: get_string(value, "description")?,
        category: get_string(value, "category"),
        kind: get_string(value, "type"),
        keywords: get(value, "keywords").dyn_into::<Array>().map(|a| a.iter().filter_map(|k| k.as_string()).collect()).unwrap_or_default(),
        body: get_string(value, "body").unwrap_or_default(),
    })
}

pub(super) fn skill_from_js(value: &JsValue) -> Option<UserSkill> {
    let files = get(value, "files").dyn_into::<Array>().ok()?;
    let files = files
        .iter()
        .filter_map(|entry| {
            let data = get(&entry, "data");
            // Text is accepted too, for records written by hand or by older tools.
            let data = match data.as_string() {
                Some(text) => text.into_bytes(),
                None => data.dyn_into::<Uint8Array>().ok()?.to_vec(),
            };
            Some(SkillFile { path: get_string(&entry, "path")?, data })
        })
        .collect();
    let created = get(value, "created").as_f64().unwrap_or(0.0);
    Some(UserSkill {
        name: get_string(value, "name")?,
        files,
        created,
        updated: get(value, "updated").as_f64().unwrap_or(created),
        fields: fields_from_js(&get(value, "fields")),
    })
}

/// A failed write or read as the user should read it.
fn storage_error(error: rexie::Error) -> StoreError {
    let text = error.to_string();
    if text.contains("Quota") {
        return quota_error();
    }
    StoreError::new(ErrorKind::Other, format!("Local storage failed ({text}); nothing was changed."))
}

fn quota_error() -> StoreError {
    StoreError::new(
        ErrorKind::Quota,
        "The browser refused to store this: its storage for this site (or the disk) is full, so nothing was saved. Export and delete skills you no longer need, or free up space in the browser's site settings, then try again.",
    )
}

/// Used and available bytes for this site, if the browser says.
pub async fn estimate() -> Option<(f64, f64)> {
    let storage = web_sys::window()?.navigator().storage();
    let estimate = wasm_bindgen_futures::JsFuture::from(storage.estimate().ok()?).await.ok()?;
    Some((get(&estimate, "usage").as_f64()?, get(&estimate, "quota").as_f64()?))
}

/// Whether the browser promised not to evict this site's data.
pub async fn persisted() -> bool {
    let Some(window) = web_sys::window() else { return false };
    match window.navigator().storage().persisted() {
        Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise).await.ok().and_then(|v| v.as_bool()).unwrap_or(false),
        Err(_) => false,
    }
}

/// Asks the browser to keep this site's data under storage pressure.
pub async fn persist() -> bool {
    let Some(window) = web_sys::window() else { return false };
    match window.navigator().storage().persist() {
        Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise).await.ok().and_then(|v| v.as_bool()).unwrap_or(false),
        Err(_) => false,
    }
}
