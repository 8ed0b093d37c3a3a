//! The three-way decision of a sync: for every path, what was last synced
//! (the base), what is here (local) and what is in the repository (remote),
//! each as a Git blob id, give push, pull, nothing, or a conflict.
//!
//! The rules, per path (`None`: the file does not exist on that side):
//! - local = remote: nothing to move (the base catches up);
//! - local = base: only the remote changed: pull (a remote delete deletes here);
//! - remote = base: only this side changed: push (a local delete deletes there);
//! - both changed, one of them by deleting: the side that still has the
//!   file wins, so an edit is never lost to a delete;
//! - both changed to different contents: a conflict.
//!
//! A conflict is settled per entity, not per file (a skill's files belong
//! together): the remote version wins the name and comes in whole, and the
//! local version is kept beside it under `paths::conflict_key`, where it
//! is pushed like any new entity.

use super::paths::{classify, Entity};
use std::collections::{BTreeMap, BTreeSet};

/// Repository paths to Git blob ids (40 lowercase hex digits).
pub type Shas = BTreeMap<String, String>;

/// What to do with one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Both sides agree (maybe on its absence).
    Same,
    /// Write the local version (or delete, when it is gone here) in the repository.
    Push,
    /// Bring the remote version (or its deletion) here.
    Pull,
    /// Both sides changed it differently.
    Conflict,
}

/// The decision for one path from its base, local and remote blob ids.
pub fn decide(base: Option<&str>, local: Option<&str>, remote: Option<&str>) -> Decision {
    if local == remote {
        Decision::Same
    } else if local == base {
        Decision::Pull
    } else if remote == base {
        Decision::Push
    } else if local.is_none() {
        Decision::Pull
    } else if remote.is_none() {
        Decision::Push
    } else {
        Decision::Conflict
    }
}

/// An entity changed on both sides: the remote keeps `entity`'s key, the
/// local version moves to `kept_as`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub entity: Entity,
    pub kept_as: Entity,
}

/// What one sync round does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Paths the next commit writes (`Some`: the local blob id) or deletes (`None`).
    pub push: BTreeMap<String, Option<String>>,
    /// Paths to take from the repository (`Some`: the remote blob id) or delete here (`None`).
    pub pull: BTreeMap<String, Option<String>>,
    /// Entities to rewrite here from the repository after `pull`: every
    /// entity with a pulled path, so a skill is always written whole.
    pub pulled: BTreeSet<Entity>,
    pub conflicts: Vec<Conflict>,
    /// The base once the plan is carried out: what both sides then hold.
    pub next_base: Shas,
}

impl Plan {
    /// Nothing to push, pull or settle.
    pub fn is_empty(&self) -> bool {
        self.push.is_empty() && self.pull.is_empty() && self.conflicts.is_empty()
    }
}

/// Plans a sync. `base` is what the last sync left on both sides, `remote`
/// the repository's tree now (paths sync does not own are ignored), and
/// `dirty` the entities changed here since — each with all its files now
/// (an empty map: deleted here). Entities not in `dirty` are as in `base`.
/// `taken` tells which keys exist here, so conflict copies get free ones.
pub fn plan(base: &Shas, remote: &Shas, dirty: &BTreeMap<Entity, Shas>, taken: impl Fn(&Entity) -> bool) -> Plan {
    let mut local = base.clone();
    for (entity, files) in dirty {
        // The entity's paths sort together (`skills/<name>/…`, or its one file).
        let prefix = match entity {
            Entity::Skill(_) => format!("{}/", entity.path()),
            _ => entity.path(),
        };
        let stale: Vec<String> = local.range(prefix.clone()..).map(|(p, _)| p).take_while(|p| p.starts_with(&prefix)).filter(|p| classify(p).is_some_and(|(e, _)| e == *entity)).cloned().collect();
        for path in stale {
            local.remove(&path);
        }
        local.extend(files.iter().filter(|(p, _)| classify(p).is_some_and(|(e, _)| e == *entity)).map(|(p, s)| (p.clone(), s.clone())));
    }
    // Only entities with a path that differs on some side need deciding;
    // the others are alike everywhere and keep the remote's ids.
    let mut touched: BTreeSet<Entity> = BTreeSet::new();
    for (path, sha) in remote {
        if base.get(path) != Some(sha) || local.get(path) != Some(sha) {
            touched.extend(classify(path).map(|(e, _)| e));
        }
    }
    for path in base.keys().chain(local.keys()).filter(|p| !remote.contains_key(*p)) {
        touched.extend(classify(path).map(|(e, _)| e));
    }
    let prefix = |entity: &Entity| match entity {
        Entity::Skill(_) => format!("{}/", entity.path()),
        _ => entity.path(),
    };
    let paths_in = |shas: &Shas, entity: &Entity| -> Vec<String> {
        let prefix = prefix(entity);
        shas.range(prefix.clone()..).map(|(p, _)| p).take_while(|p| p.starts_with(&prefix)).filter(|p| classify(p).is_some_and(|(e, _)| e == *entity)).cloned().collect()
    };

    let mut plan = Plan::default();
    // A skill's paths sort together: its folder is classified once, not once a file.
    let mut folder: Option<(String, Option<Entity>)> = None;
    for (path, sha) in remote {
        let entity = match path.strip_prefix("skills/").and_then(|rest| rest.split_once('/')) {
            Some((name, file)) if super::paths::is_relative_file(file) => {
                if folder.as_ref().is_none_or(|(n, _)| n != name) {
                    folder = Some((name.to_string(), classify(path).map(|(e, _)| e)));
                }
                folder.as_ref().and_then(|(_, e)| e.clone())
            }
            _ => classify(path).map(|(e, _)| e),
        };
        if entity.is_some_and(|e| !touched.contains(&e)) {
            plan.next_base.insert(path.clone(), sha.clone());
        }
    }
    let mut claimed: BTreeSet<String> = BTreeSet::new();
    let by_entity = touched.into_iter().map(|entity| {
        let paths: BTreeSet<String> = [base, &local, remote].into_iter().flat_map(|shas| paths_in(shas, &entity)).collect();
        (entity, paths)
    });
    for (entity, paths) in by_entity {
        let get = |shas: &Shas, path: &String| shas.get(path).cloned();
        let decisions: Vec<(String, Decision)> = paths.iter().map(|p| (p.clone(), decide(get(base, p).as_deref(), get(&local, p).as_deref(), get(remote, p).as_deref()))).collect();
        if decisions.iter().any(|(_, d)| *d == Decision::Conflict) {
            let key = super::paths::conflict_key(&entity, |k| {
                let candidate = entity.with_key(k.to_string());
                taken(&candidate) || claimed.contains(k) || !paths_in(remote, &candidate).is_empty()
            });
            claimed.insert(key.clone());
            for path in &paths {
                let theirs = get(remote, path);
                if get(&local, path) != theirs {
                    plan.pull.insert(path.clone(), theirs.clone());
                }
                if let Some(sha) = theirs {
                    plan.next_base.insert(path.clone(), sha);
                }
            }
            plan.pulled.insert(entity.clone());
            plan.conflicts.push(Conflict { kept_as: entity.with_key(key), entity });
            continue;
        }
        for (path, decision) in decisions {
            let settled = match decision {
                Decision::Same => get(remote, &path),
                Decision::Push => {
                    plan.push.insert(path.clone(), get(&local, &path));
                    get(&local, &path)
                }
                Decision::Pull | Decision::Conflict => {
                    plan.pull.insert(path.clone(), get(remote, &path));
                    plan.pulled.insert(entity.clone());
                    get(remote, &path)
                }
            };
            if let Some(sha) = settled {
                plan.next_base.insert(path, sha);
            }
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shas(pairs: &[(&str, &str)]) -> Shas {
        pairs.iter().map(|(p, s)| (p.to_string(), s.to_string())).collect()
    }

    #[test]
    fn each_side_of_the_three_way_rule() {
        use Decision::*;
        let cases = [
            (Some("a"), Some("a"), Some("a"), Same),
            (None, Some("a"), Some("a"), Same),
            (Some("a"), None, None, Same),
            (Some("a"), Some("a"), Some("b"), Pull),
            (Some("a"), Some("a"), None, Pull),
            (None, None, Some("b"), Pull),
            (Some("a"), Some("b"), Some("a"), Push),
            (Some("a"), None, Some("a"), Push),
            (None, Some("b"), None, Push),
            (Some("a"), None, Some("c"), Pull),
            (Some("a"), Some("b"), None, Push),
            (Some("a"), Some("b"), Some("c"), Conflict),
            (None, Some("b"), Some("c"), Conflict),
        ];
        for (base, local, remote, expected) in cases {
            assert_eq!(decide(base, local, remote), expected, "base {base:?} local {local:?} remote {remote:?}");
        }
    }

    #[test]
    fn a_local_edit_and_a_remote_addition_move_both_ways() {
        let base = shas(&[("skills/a/SKILL.md", "1"), ("README.md", "r")]);
        let remote = shas(&[("skills/a/SKILL.md", "1"), ("skills/b/SKILL.md", "2"), ("chats/c.json", "3"), ("README.md", "r2")]);
        let dirty = BTreeMap::from([(Entity::Skill("a".into()), shas(&[("skills/a/SKILL.md", "1b"), ("skills/a/notes.md", "4")]))]);
        let plan = plan(&base, &remote, &dirty, |_| false);
        assert_eq!(plan.push, BTreeMap::from([("skills/a/SKILL.md".into(), Some("1b".into())), ("skills/a/notes.md".into(), Some("4".into()))]));
        assert_eq!(plan.pull, BTreeMap::from([("chats/c.json".into(), Some("3".into())), ("skills/b/SKILL.md".into(), Some("2".into()))]));
        assert_eq!(plan.pulled, BTreeSet::from([Entity::Chat("c".into()), Entity::Skill("b".into())]));
        assert!(plan.conflicts.is_empty());
        assert_eq!(plan.next_base, shas(&[("chats/c.json", "3"), ("skills/a/SKILL.md", "1b"), ("skills/a/notes.md", "4"), ("skills/b/SKILL.md", "2")]), "README.md is not ours");
    }

    #[test]
    fn deletes_travel_but_never_beat_an_edit() {
        let base = shas(&[("skills/a/SKILL.md", "1"), ("skills/b/SKILL.md", "2"), ("traces/t.json", "3")]);
        let remote = shas(&[("skills/a/SKILL.md", "1"), ("traces/t.json", "3b")]);
        // a deleted here, b deleted there, t deleted here but edited there.
        let dirty = BTreeMap::from([(Entity::Skill("a".into()), Shas::new()), (Entity::Trace("t".into()), Shas::new())]);
        let plan = plan(&base, &remote, &dirty, |_| false);
        assert_eq!(plan.push, BTreeMap::from([("skills/a/SKILL.md".into(), None)]));
        assert_eq!(plan.pull, BTreeMap::from([("skills/b/SKILL.md".into(), None), ("traces/t.json".into(), Some("3b".into()))]));
        assert_eq!(plan.next_base, shas(&[("traces/t.json", "3b")]));
    }

    #[test]
    fn a_conflict_keeps_both_versions_remote_under_the_name() {
        let base = shas(&[("skills/a/SKILL.md", "1"), ("skills/a/x.md", "x")]);
        let remote = shas(&[("skills/a/SKILL.md", "theirs"), ("skills/a/x.md", "x"), ("skills/a-conflict-1/SKILL.md", "old")]);
        let dirty = BTreeMap::from([(Entity::Skill("a".into()), shas(&[("skills/a/SKILL.md", "mine"), ("skills/a/x.md", "x"), ("skills/a/y.md", "y")]))]);
        let plan = plan(&base, &remote, &dirty, |e| *e == Entity::Skill("a-conflict-2".into()));
        assert_eq!(plan.conflicts, vec![Conflict { entity: Entity::Skill("a".into()), kept_as: Entity::Skill("a-conflict-3".into()) }], "1 is in the repository, 2 here");
        // The remote comes in whole (y.md, only here, goes with the local
        // copy), and so does the earlier conflict copy another device pushed.
        assert_eq!(plan.pull, BTreeMap::from([("skills/a-conflict-1/SKILL.md".into(), Some("old".into())), ("skills/a/SKILL.md".into(), Some("theirs".into())), ("skills/a/y.md".into(), None)]));
        assert!(plan.push.is_empty(), "the kept copy is pushed as a new skill next round");
        assert!(plan.pulled.contains(&Entity::Skill("a".into())));
        assert_eq!(plan.next_base.get("skills/a/SKILL.md").map(String::as_str), Some("theirs"));
        assert_eq!(plan.next_base.get("skills/a/y.md"), None);
    }

    #[test]
    fn nothing_changed_is_an_empty_plan() {
        let base = shas(&[("skills/a/SKILL.md", "1")]);
        let plan = plan(&base, &base, &BTreeMap::from([(Entity::Skill("a".into()), base.clone())]), |_| false);
        assert!(plan.is_empty());
        assert_eq!(plan.next_base, base);
    }
}
