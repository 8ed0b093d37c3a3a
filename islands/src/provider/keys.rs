//! API keys at rest. Each provider's key is encrypted with AES-GCM under
//! one key that WebCrypto generates as non-extractable: IndexedDB keeps it
//! as a `CryptoKey`, which this site's scripts can use but never read out,
//! so a copy of the database (a backup, a synced profile) holds no usable
//! key. Keys never touch localStorage, sessionStorage, cookies or URLs.
//!
//! Each record also names the origin its key was saved for (`origin`,
//! not secret, so stored in the clear): the chat sends the key nowhere
//! else without asking (see `key_origin`). Records from before the binding
//! have none and count as bound to their provider's default origin.

use super::provider_id;
use crate::browser::{field, js_error};
use crate::store::schema::SECRETS;
use crate::store::shared;
use js_sys::{Array, Object, Reflect, Uint8Array};
use llmos_core::llm::ProviderKind;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The record holding the wrapping key (provider names never start with `_`).
const WRAPPING_KEY: &str = "_aes-gcm-key";

fn object(pairs: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object
}

/// The page's or the worker's WebCrypto (the sync worker reads the token too).
fn crypto() -> Result<web_sys::Crypto, String> {
    crate::browser::global_field("crypto").dyn_into::<web_sys::Crypto>().map_err(|_| "this browser has no WebCrypto".to_string())
}

async fn wrapping_key() -> Result<web_sys::CryptoKey, String> {
    let store = shared().await.map_err(|e| e.to_string())?;
    if let Some(record) = store.record(SECRETS, WRAPPING_KEY).await.map_err(|e| e.to_string())? {
        if let Ok(key) = field(&record, "key").dyn_into::<web_sys::CryptoKey>() {
            return Ok(key);
        }
    }
    let algorithm = object(&[("name", "AES-GCM".into()), ("length", 256.into())]);
    let usages = Array::of2(&"encrypt".into(), &"decrypt".into());
    let promise = crypto()?.subtle().generate_key_with_object(&algorithm, false, &usages).map_err(js_error)?;
    let key: web_sys::CryptoKey = JsFuture::from(promise).await.map_err(js_error)?.dyn_into().map_err(js_error)?;
    store.put_records(SECRETS, &[object(&[("provider", WRAPPING_KEY.into()), ("key", key.clone().into())]).into()]).await.map_err(|e| e.to_string())?;
    Ok(key)
}

/// A decrypted key and the origin it may be sent to.
pub struct SavedKey {
    pub key: String,
    pub origin: String,
}

/// Encrypts and stores `key`, bound to `origin` (a parsed origin).
pub async fn save_key(kind: ProviderKind, key: &str, origin: &str) -> Result<(), String> {
    save_secret(&provider_id(kind), key, origin).await
}

/// Encrypts and stores the secret `id` (a provider's id, or `github` for
/// sync's token) the way provider keys are, bound to `origin`.
pub async fn save_secret(id: &str, key: &str, origin: &str) -> Result<(), String> {
    let wrapping = wrapping_key().await?;
    let mut iv = [0u8; 12];
    crypto()?.get_random_values_with_u8_array(&mut iv).map_err(js_error)?;
    let params = object(&[("name", "AES-GCM".into()), ("iv", Uint8Array::from(&iv[..]).into())]);
    let promise = crypto()?.subtle().encrypt_with_object_and_u8_array(&params, &wrapping, key.trim().as_bytes()).map_err(js_error)?;
    let sealed = Uint8Array::new(&JsFuture::from(promise).await.map_err(js_error)?);
    let record = object(&[("provider", id.into()), ("iv", Uint8Array::from(&iv[..]).into()), ("data", sealed.into()), ("origin", origin.into())]);
    shared().await.map_err(|e| e.to_string())?.put_records(SECRETS, &[record.into()]).await.map_err(|e| e.to_string())
}

/// The key saved for `kind` and where it may go, if one is saved. A page
/// framed by another site never decrypts it (the bundle does not start
/// there either; this is the second lock).
pub async fn load_key(kind: ProviderKind) -> Result<Option<SavedKey>, String> {
    Ok(load_secret(&provider_id(kind)).await?.map(|(key, origin)| SavedKey { key, origin: origin.unwrap_or_else(|| super::default_origin(kind)) }))
}

/// The secret `id` and the origin it was bound to (`None`: saved before
/// the binding), if one is saved; never under another site's frame.
pub async fn load_secret(id: &str) -> Result<Option<(String, Option<String>)>, String> {
    if crate::browser::framed_by_another_origin() {
        return Err(crate::browser::FRAMED.to_string());
    }
    let store = shared().await.map_err(|e| e.to_string())?;
    let Some(record) = store.record(SECRETS, id).await.map_err(|e| e.to_string())? else { return Ok(None) };
    let wrapping = wrapping_key().await?;
    let iv = field(&record, "iv");
    let data = field(&record, "data").dyn_into::<Uint8Array>().map_err(|_| "the stored key is damaged; enter it again".to_string())?.to_vec();
    let params = object(&[("name", "AES-GCM".into()), ("iv", iv)]);
    let promise = crypto()?.subtle().decrypt_with_object_and_u8_array(&params, &wrapping, &data).map_err(js_error)?;
    let plain = JsFuture::from(promise).await.map_err(|_| "the stored key could not be decrypted; enter it again".to_string())?;
    let key = String::from_utf8_lossy(&Uint8Array::new(&plain).to_vec()).into_owned();
    Ok(Some((key, field(&record, "origin").as_string())))
}

/// Binds the saved key of `kind` to `origin`, once the user said so.
pub async fn rebind(kind: ProviderKind, origin: &str) -> Result<(), String> {
    let store = shared().await.map_err(|e| e.to_string())?;
    let record = store.record(SECRETS, &provider_id(kind)).await.map_err(|e| e.to_string())?.ok_or("no key is saved for this provider any more")?;
    Reflect::set(&record, &"origin".into(), &origin.into()).map_err(js_error)?;
    store.put_records(SECRETS, &[record]).await.map_err(|e| e.to_string())
}

pub async fn forget_key(kind: ProviderKind) -> Result<(), String> {
    forget_secret(&provider_id(kind)).await
}

/// Deletes the secret `id`.
pub async fn forget_secret(id: &str) -> Result<(), String> {
    shared().await.map_err(|e| e.to_string())?.delete_records(SECRETS, &[id.to_string()]).await.map_err(|e| e.to_string())
}
