//! What a round pushes, and the settings and state kept in the store,
//! without I/O.
//!
//! A round does not trust a list of changes: it compares every file here
//! with the blob ids the last sync left (`base`), so a write that was never
//! enqueued (another tab, a crash) still goes out with the next round.

use llmos_core::sync::queue::Wait;
use llmos_core::sync::{blob_sha, classify, Conflict, Entity, Files, Queue, Shas, State, Status};
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
    /// Conflicts kept since sync was first set up (the list above keeps
    /// only the newest): the header's indicator counts those not yet seen
    /// on the sync page. Records from before it count none.
    #[serde(default)]
    pub conflicts_total: u64,
}

impl SyncRecord {
    /// Remembers a round's conflicts, keeping the newest `KEPT_CONFLICTS`.
    pub fn add_conflicts(&mut self, conflicts: &[Conflict]) {
        self.conflicts.extend(conflicts.iter().map(|c| (c.entity.clone(), c.kept_as.clone())));
        self.conflicts_total += conflicts.len() as u64;
        let over = self.conflicts.len().saturating_sub(KEPT_CONFLICTS);
        self.conflicts.drain(..over);
    }
}

/// What the site header's indicator shows (theme/templates/base.html,
/// kept up to date by src/offline/register.js): `state` is its
/// `data-state` (synced, pending, offline, error), `text` the short line,
/// `title` the whole story (an error's fix), `conflicts` the running count
/// of conflicts kept ([`SyncRecord::conflicts_total`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    pub state: &'static str,
    pub text: String,
    pub title: String,
    pub conflicts: u64,
}

/// The indicator for `record`; `clock` writes a time (ms since the epoch)
/// as the user reads it (`14:05`), for waits on the rate limit or a retry.
pub fn indicator(record: &SyncRecord, clock: impl Fn(f64) -> String) -> Indicator {
    let queue = &record.queue;
    let plural = |n: usize| if n == 1 { "1 change".to_string() } else { format!("{n} changes") };
    let (state, text, title) = match queue.status() {
        Status::Error { reason } => ("error", format!("Sync error: {}", brief(&reason)), reason),
        Status::Offline { count: 0 } => ("offline", "Offline".to_string(), "No network: sync carries on when it returns.".to_string()),
        Status::Offline { count } => ("offline", format!("Offline — {} waiting", plural(count)), format!("No network: {} kept here, sent when it returns.", plural(count))),
        Status::Pending { count, retry_at: Some(at) } if matches!(queue.state, State::Waiting { reason: Wait::Unreachable, .. }) => {
            let host = api_host(&record.api);
            let title = format!(
                "{} waiting: no answer from {} although this browser is online. Check the API address in the sync settings, or whether this network blocks {host}. Next try at {}.",
                plural(count),
                record.api,
                clock(at)
            );
            ("pending", format!("Pending ({count}) — can't reach {host}"), title)
        }
        Status::Pending { count, retry_at: Some(at) } => {
            let why = match &queue.state {
                State::Waiting { reason: Wait::RateLimited, .. } => format!("rate limited until {}", clock(at)),
                State::Waiting { reason: Wait::Server(status), .. } => format!("GitHub answered {status}, retrying at {}", clock(at)),
                _ => format!("retrying at {}", clock(at)),
            };
            ("pending", format!("Pending ({count}) — {why}"), format!("{} waiting: {why}.", plural(count)))
        }
        Status::Pending { count, retry_at: None } => ("pending", format!("Pending ({count})"), format!("{} waiting for the next round.", plural(count))),
        Status::Synced if queue.synced_commit.is_none() => ("pending", "Not synced yet".to_string(), "The first round has not run yet.".to_string()),
        Status::Synced => ("synced", "Synced".to_string(), format!("Everything here is in {}.", record.repository)),
    };
    Indicator { state, text, title, conflicts: record.conflicts_total }
}

/// The host (and port) of the API's address, as a user reads it.
fn api_host(api: &str) -> &str {
    let rest = api.split_once("://").map_or(api, |(_, rest)| rest);
    rest.split('/').next().filter(|h| !h.is_empty()).unwrap_or("GitHub")
}

/// An error's reason up to its fix (`GitHub refused the token (401 Bad
/// credentials)`), for a line in the header; the whole is in its title.
pub fn brief(reason: &str) -> &str {
    let mut depth = 0i32;
    for (i, c) in reason.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ':' | '.' | ';' if depth <= 0 && reason[i + 1..].starts_with(' ') => return &reason[..i],
            _ => {}
        }
    }
    reason.trim_end_matches('.')
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
    fn the_header_indicator_says_each_state_briefly_with_the_reason() {
        let clock = |ms: f64| format!("t{}", ms as u64);
        let mut record = SyncRecord { repository: "octo/skills".into(), ..SyncRecord::default() };
        assert_eq!(indicator(&record, clock).text, "Not synced yet");
        record.queue.succeeded(&[], "c1".into(), Shas::new(), 1.0);
        assert_eq!((indicator(&record, clock).state, indicator(&record, clock).text.as_str()), ("synced", "Synced"));
        record.queue.enqueue(Entity::Skill("a".into()), 2.0);
        record.queue.enqueue(Entity::Skill("b".into()), 2.0);
        assert_eq!(indicator(&record, clock).text, "Pending (2)");
        record.queue.failed(llmos_core::sync::Failure::Offline, 3.0, 0.0);
        assert_eq!((indicator(&record, clock).state, indicator(&record, clock).text.as_str()), ("offline", "Offline — 2 changes waiting"));
        // No answer while online: the address or this network, said so, not "Offline".
        record.api = "https://api.github.com".into();
        record.queue.failed(llmos_core::sync::Failure::Unreachable, 3.5, 0.0);
        let shown = indicator(&record, clock);
        assert_eq!((shown.state, shown.text.as_str()), ("pending", "Pending (2) — can't reach api.github.com"));
        assert!(shown.title.contains("Check the API address") && shown.title.contains("Next try at t"), "{}", shown.title);
        assert_eq!(api_host("http://127.0.0.1:4000/api"), "127.0.0.1:4000");
        record.queue.failed(llmos_core::sync::Failure::RateLimited { reset_ms: 60_000.0 }, 4.0, 0.0);
        assert_eq!(indicator(&record, clock).text, "Pending (2) — rate limited until t61000");
        let refused = llmos_core::sync::queue::classify(Some(401), None, None, None, "Bad credentials", "octo/skills", 5.0);
        record.queue.failed(refused, 5.0, 0.0);
        let shown = indicator(&record, clock);
        assert_eq!((shown.state, shown.text.as_str()), ("error", "Sync error: GitHub refused the token (401 Bad credentials)"));
        assert!(shown.title.contains("Give a new token"), "the fix is in the title: {}", shown.title);
        assert_eq!(brief("The token may not write to o/r (403 Resource not accessible by personal access token). Give it Contents."), "The token may not write to o/r (403 Resource not accessible by personal access token)");
        assert_eq!(brief("No token is saved: paste your token and save."), "No token is saved");
        record.add_conflicts(&[Conflict { entity: Entity::Skill("a".into()), kept_as: Entity::Skill("a-conflict-1".into()) }]);
        assert_eq!(indicator(&record, clock).conflicts, 1);
        // A record saved before the count existed still loads, settings and all.
        let old: SyncRecord = serde_json::from_str(r#"{"repository":"o/r","branch":"main","api":"https://api.github.com","queue":{"pending":[],"state":{"state":"idle"},"attempts":0,"synced_commit":null,"base":{},"last_synced":null},"conflicts":[],"problems":[]}"#).unwrap();
        assert_eq!((old.repository.as_str(), old.conflicts_total), ("o/r", 0));
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
