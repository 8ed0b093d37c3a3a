//! Where the user's data lives: a small trait, so other backends (OPFS, a
//! remote sync) can follow, and its IndexedDB implementation over rexie.

pub mod schema;
pub mod sync_files;
#[cfg(feature = "hydrate")]
pub mod idb;
#[cfg(feature = "hydrate")]
pub mod sync;
// The site bundle's read-only way in, without rexie.
#[cfg(feature = "hydrate")]
#[allow(dead_code)]
pub mod read;

use crate::user_skills::UserSkill;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The browser has no room left for this site; nothing was written.
    Quota,
    /// IndexedDB is missing or refused (private modes, blocked storage).
    Unavailable,
    /// Another tab opened a newer version of the database.
    Outdated,
    Other,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoreError {
    pub kind: ErrorKind,
    pub message: String,
}

impl StoreError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> StoreError {
        StoreError { kind, message: message.into() }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A saved editor draft: the SKILL.md text being written, and which skill
/// it edits (`None` for a new one).
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub id: String,
    pub editing: Option<String>,
    pub text: String,
    pub updated: f64,
}

/// The user's skills and drafts. Writes are all or nothing.
#[allow(async_fn_in_trait)]
pub trait SkillStore {
    async fn skills(&self) -> Result<Vec<UserSkill>, StoreError>;
    async fn skill(&self, name: &str) -> Result<Option<UserSkill>, StoreError>;
    /// Writes `put` and deletes `remove` in one transaction: a rename, an
    /// import of many skills, or a delete either happen whole or not at all.
    async fn save(&self, put: &[UserSkill], remove: &[String]) -> Result<(), StoreError>;
    async fn draft(&self, id: &str) -> Result<Option<Draft>, StoreError>;
    async fn save_draft(&self, draft: &Draft) -> Result<(), StoreError>;
    async fn discard_draft(&self, id: &str) -> Result<(), StoreError>;
}

/// The page's one connection, opened on first use.
#[cfg(feature = "hydrate")]
pub async fn shared() -> Result<std::rc::Rc<idb::IdbStore>, StoreError> {
    use std::cell::RefCell;
    use std::rc::Rc;
    thread_local! {
        static STORE: RefCell<Option<Rc<idb::IdbStore>>> = const { RefCell::new(None) };
    }
    if let Some(store) = STORE.with(|s| s.borrow().clone()) {
        return Ok(store);
    }
    // The user's skills, chats and keys are never opened under another
    // site's frame, whichever bundle asks (the chat and the workbench do
    // not even start there).
    if crate::browser::framed_by_another_origin() {
        return Err(StoreError::new(ErrorKind::Unavailable, crate::browser::FRAMED));
    }
    let store = Rc::new(idb::IdbStore::open().await?);
    STORE.with(|s| *s.borrow_mut() = Some(store.clone()));
    Ok(store)
}
