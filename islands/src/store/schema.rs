//! The layout of the one IndexedDB database that holds everything the user
//! owns, version by version.
//!
//! IndexedDB can only create stores and indexes while a database is opened
//! at a higher version. rexie declares the whole layout at once and deletes
//! any store it is not told about, so the rule here is: **stores and indexes
//! are only ever added**. Each version lists what it adds; opening applies
//! every version's additions, and a test checks that no store of an earlier
//! version is missing from the current layout. Changes to the shape of
//! records are data migrations, run after opening, in one transaction each.

/// The database name, per site origin.
pub const DATABASE: &str = "llmos";

pub const SKILLS: &str = "skills";
pub const DRAFTS: &str = "drafts";
pub const SETTINGS: &str = "settings";
pub const META: &str = "meta";
pub const CONVERSATIONS: &str = "conversations";
pub const MESSAGES: &str = "messages";
pub const TRACES: &str = "traces";
pub const SECRETS: &str = "secrets";

pub struct StoreSpec {
    pub name: &'static str,
    pub key_path: &'static str,
    /// (index name, key path).
    pub indexes: &'static [(&'static str, &'static str)],
}

/// What one schema version adds.
pub struct Version {
    pub version: u32,
    pub stores: &'static [StoreSpec],
    /// Indexes added to stores of earlier versions: (store, index, key path).
    pub indexes: &'static [(&'static str, &'static str, &'static str)],
}

pub const VERSIONS: &[Version] = &[
    // 1: the user's skills, editor drafts, settings, and bookkeeping.
    Version {
        version: 1,
        stores: &[
            StoreSpec { name: SKILLS, key_path: "name", indexes: &[] },
            StoreSpec { name: DRAFTS, key_path: "id", indexes: &[] },
            StoreSpec { name: SETTINGS, key_path: "key", indexes: &[] },
            StoreSpec { name: META, key_path: "key", indexes: &[] },
        ],
        indexes: &[],
    },
    // 2: the chat's conversations, messages, traces for the evolution
    // engine, and encrypted provider keys; skills listed newest first.
    Version {
        version: 2,
        stores: &[
            StoreSpec { name: CONVERSATIONS, key_path: "id", indexes: &[("updated", "updated")] },
            StoreSpec { name: MESSAGES, key_path: "id", indexes: &[("conversation", "conversation")] },
            StoreSpec { name: TRACES, key_path: "id", indexes: &[("conversation", "conversation")] },
            StoreSpec { name: SECRETS, key_path: "provider", indexes: &[] },
        ],
        indexes: &[(SKILLS, "updated", "updated")],
    },
];

pub fn current_version() -> u32 {
    VERSIONS.last().map_or(1, |v| v.version)
}

/// A store of the current layout: name, key path, and (index, key path) pairs.
pub type StoreLayout = (&'static str, &'static str, Vec<(&'static str, &'static str)>);

/// Every store of the current layout with all its indexes.
pub fn layout() -> Vec<StoreLayout> {
    let mut stores: Vec<StoreLayout> = Vec::new();
    for version in VERSIONS {
        for spec in version.stores {
            stores.push((spec.name, spec.key_path, spec.indexes.to_vec()));
        }
        for (store, index, key_path) in version.indexes {
            if let Some(entry) = stores.iter_mut().find(|(name, _, _)| name == store) {
                entry.2.push((index, key_path));
            }
        }
    }
    stores
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_only_add_and_count_up() {
        let mut names = std::collections::HashSet::new();
        for (i, version) in VERSIONS.iter().enumerate() {
            assert_eq!(version.version, i as u32 + 1);
            for spec in version.stores {
                assert!(names.insert(spec.name), "store {} declared twice", spec.name);
            }
            for (store, _, _) in version.indexes {
                assert!(names.contains(store), "index on unknown store {store}");
            }
        }
        let layout = layout();
        assert_eq!(layout.len(), names.len(), "every store ever declared stays in the layout");
        assert!(layout.iter().any(|(name, _, indexes)| *name == SKILLS && indexes.contains(&("updated", "updated"))));
    }
}
