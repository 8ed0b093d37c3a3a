//! What a round pushes, and the settings and state kept in the store,
//! without I/O.
//!
//! A round does not trust a list of changes: it compares every file here
//! with the blob ids the last sync left (`base`), so a write that was never
//! enqueued (another tab, a crash) still goes out with the next round.

use llmos_core::sync::{blob_sha, classify, Conflict, Entity, Files, Queue, Shas};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The `meta` record holding sync's settings and queue (no schema change:
/// the store keeps any record under its key).
pub const META_KEY: &str = "sync";
/// The `secrets` record of the token, sealed like a provider's key.
pub const TOKEN_ID: &str = "github";
/// How many past conflicts the page keeps listing.
pub const KEPT_CONFLICTS: usize = 50;

/// What the user set, and what the last rounds left.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncRecord {
    /// `owner/name`.
    pub repository: String,
    pub branch: String,
    /// The API's base URL (`https://api.github.com` unless the user set another).
    pub api: String,
    pub queue: Queue,
    /// Conflicts of past rounds, newest last: (entity kept remote, local copy).
    pub conflicts: Vec<(Entity, Entity)>,
    /// Files of the repository that make no record here, by the last round.
    pub problems: Vec<String>,
}

impl SyncRecord {
    /// Remembers a round's conflicts, keeping the newest `KEPT_CONFLICTS`.
    pub fn add_conflicts(&mut self, conflicts: &[Conflict]) {
        self.conflicts.extend(conflicts.iter().map(|c| (c.entity.clone(), c.kept_as.clone())));
        let over = self.conflicts.len().saturating_sub(KEPT_CONFLICTS);
        self.conflicts.drain(..over);
    }
}

/// The sentence the page shows for a conflict.
pub fn conflict_text(entity: &Entity, kept_as: &Entity) -> String {
    let what = match entity {
        Entity::Skill(_) => "skill",
        Entity::Chat(_) => "chat",
        Entity::Trace(_) => "trace",
    };
    format!("The {what} {} changed here and in the repository: the repository's version kept the name, and your version was kept as {}.", entity.key(), kept_as.key())
}

/// The base's blob ids by entity.
pub fn base_by_entity(base: &Shas) -> BTreeMap<Entity, Shas> {
    let mut by: BTreeMap<Entity, Shas> = BTreeMap::new();
    for (path, sha) in base {
        if let Some((entity, _)) = classify(path) {
            by.entry(entity).or_default().insert(path.clone(), sha.clone());
        }
    }
    by
}

/// The entities whose files here differ from `base`, each with all its
/// files here (empty: deleted here since the last sync).
pub fn dirty(local: &BTreeMap<Entity, Files>, base: &Shas) -> BTreeMap<Entity, Files> {
    let base = base_by_entity(base);
    let mut dirty = BTreeMap::new();
    for (entity, files) in local {
        let shas: Shas = files.iter().map(|(path, data)| (path.clone(), blob_sha(data))).collect();
        if base.get(entity) != Some(&shas) {
            dirty.insert(entity.clone(), files.clone());
        }
    }
    for entity in base.keys().filter(|e| !local.contains_key(*e)) {
        dirty.insert(entity.clone(), Files::new());
    }
    dirty
}

/// Every entity here.
pub fn taken(local: &BTreeMap<Entity, Files>) -> BTreeSet<Entity> {
    local.keys().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skill(name: &str, text: &str) -> (Entity, Files) {
        (Entity::Skill(name.into()), Files::from([(format!("skills/{name}/SKILL.md"), text.as_bytes().to_vec())]))
    }

    #[test]
    fn only_what_differs_from_the_base_is_dirty_and_deletions_count() {
        let local = BTreeMap::from([skill("same", "a"), skill("changed", "new"), skill("added", "x")]);
        let base = Shas::from([
            ("skills/same/SKILL.md".to_string(), blob_sha(b"a")),
            ("skills/changed/SKILL.md".to_string(), blob_sha(b"old")),
            ("skills/gone/SKILL.md".to_string(), blob_sha(b"g")),
            ("README.md".to_string(), blob_sha(b"r")),
        ]);
        let dirty = dirty(&local, &base);
        let keys: Vec<&str> = dirty.keys().map(Entity::key).collect();
        assert_eq!(keys, ["added", "changed", "gone"]);
        assert!(dirty[&Entity::Skill("gone".into())].is_empty(), "deleted here");
        // A file added to an unchanged skill makes it dirty too.
        let mut more = BTreeMap::from([skill("same", "a")]);
        more.get_mut(&Entity::Skill("same".into())).unwrap().insert("skills/same/notes.md".into(), b"n".to_vec());
        assert_eq!(super::dirty(&more, &base).len(), 3);
    }

    #[test]
    fn conflicts_are_kept_newest_last_and_bounded() {
        let mut record = SyncRecord::default();
        for i in 0..KEPT_CONFLICTS + 3 {
            record.add_conflicts(&[Conflict { entity: Entity::Skill(format!("s{i}")), kept_as: Entity::Skill(format!("s{i}-conflict-1")) }]);
        }
        assert_eq!(record.conflicts.len(), KEPT_CONFLICTS);
        assert_eq!(record.conflicts.last().unwrap().1.key(), format!("s{}-conflict-1", KEPT_CONFLICTS + 2));
        assert!(conflict_text(&Entity::Skill("tea".into()), &Entity::Skill("tea-conflict-1".into())).contains("kept as tea-conflict-1"));
    }
}
