//! One sync round as a step machine without I/O: it hands out the next
//! `Call`, takes the answer back, and ends with what to store here. The
//! browser's loop is `fetch` plus this; native tests drive the very same
//! machine against the GitHub stand-in.
//!
//! Order: read the branch, its commit and tree; plan; fetch the blobs to
//! pull; settle conflicts (the local version moves to its conflict key, in
//! this same commit); upload the blobs to push; one tree, one commit; move
//! the branch without force. A 409/422 or a lost connection ends the round
//! with a `Failure`, and the queue decides when to try again: every step
//! before the ref update only adds unreachable objects, so a round cut
//! anywhere leaves the repository as it was or wholly updated.

use super::github::{blob_bytes, commit_tree, created_sha, error_message, ref_commit, tree_files, Call, Remote};
use super::paths::{classify, rename_skill_md, Entity, CONFLICT_SUFFIX};
use super::plan::{plan, Conflict, Shas};
use super::queue::{classify as classify_failure, Failure};
use super::{blob_sha, commit_message, MAX_FILE_BYTES};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// An entity's files here, by repository path (empty: deleted here).
pub type Files = BTreeMap<String, Vec<u8>>;

/// GitHub's answer to one call, as the client received it.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    /// `None`: no answer (network error, connection dropped).
    pub status: Option<u16>,
    pub body: String,
    pub ratelimit_remaining: Option<u64>,
    pub ratelimit_reset: Option<u64>,
    pub retry_after: Option<u64>,
    /// When it arrived (ms since the epoch), for waits without a reset time.
    pub now: f64,
}

/// What a round that ended well leaves to do here.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// The branch's commit now, which `base` describes.
    pub commit: String,
    pub base: Shas,
    /// Entities to write here as the repository has them (empty: delete).
    pub write: BTreeMap<Entity, Files>,
    pub conflicts: Vec<Conflict>,
    /// Entities pushed (the batch, and conflict copies).
    pub pushed: Vec<Entity>,
}

enum Phase {
    Ref,
    Commit { head: String },
    Tree { head: String, base_tree: String },
    Blobs { head: String, base_tree: String, wanted: Vec<String>, push_paths: BTreeMap<String, Option<String>> },
    Upload { head: String, base_tree: String, uploads: Vec<String>, push_paths: BTreeMap<String, Option<String>> },
    NewTree { head: String },
    NewCommit,
    MoveRef { commit: String },
    Done,
}

pub struct Round {
    remote: Remote,
    base: Shas,
    dirty: BTreeMap<Entity, Files>,
    taken: BTreeSet<Entity>,
    phase: Phase,
    /// Contents by blob id: local files to upload, fetched remote ones.
    blobs: BTreeMap<String, Vec<u8>>,
    /// Entities to rewrite here from the repository.
    pulled: BTreeSet<Entity>,
    outcome: Outcome,
    last_call: Option<Call>,
}

impl Round {
    /// A round pushing `dirty` (each entity with all its files here now),
    /// from `base`; `taken` is every entity that exists here.
    pub fn new(remote: Remote, base: Shas, dirty: BTreeMap<Entity, Files>, taken: BTreeSet<Entity>) -> Round {
        Round { remote, base, dirty, taken, phase: Phase::Ref, blobs: BTreeMap::new(), pulled: BTreeSet::new(), outcome: Outcome::default(), last_call: None }
    }

    /// The first call.
    pub fn start(&mut self) -> Result<Option<Call>, Failure> {
        for files in self.dirty.values() {
            if let Some((path, data)) = files.iter().find(|(_, d)| d.len() > MAX_FILE_BYTES) {
                return Err(Failure::Fatal(format!("{path} is {} MB, over GitHub's 100 MB limit for one file: make it smaller or remove it", data.len() / (1024 * 1024))));
            }
        }
        Ok(self.send(self.remote.get_ref()))
    }

    fn send(&mut self, call: Call) -> Option<Call> {
        self.last_call = Some(call.clone());
        Some(call)
    }

    /// Takes the answer to the last call; gives the next call, or `None`
    /// when the round is over (then `outcome`).
    pub fn answer(&mut self, answer: &Answer) -> Result<Option<Call>, Failure> {
        let expected = match self.last_call.as_ref().map(|c| c.method) {
            Some("POST") => 201,
            _ => 200,
        };
        if answer.status != Some(expected) {
            let message = error_message(&answer.body);
            return Err(classify_failure(answer.status, answer.ratelimit_remaining, answer.ratelimit_reset, answer.retry_after, &message, &self.remote.full_name(), answer.now));
        }
        let json: Value = serde_json::from_str(&answer.body).map_err(|e| Failure::Fatal(format!("GitHub's answer is not JSON: {e}")))?;
        let unexpected = Failure::Fatal;
        match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::Ref => {
                let head = ref_commit(&json).map_err(unexpected)?;
                self.phase = Phase::Commit { head: head.clone() };
                Ok(self.send(self.remote.get_commit(&head)))
            }
            Phase::Commit { head } => {
                let base_tree = commit_tree(&json).map_err(unexpected)?;
                self.phase = Phase::Tree { head, base_tree: base_tree.clone() };
                Ok(self.send(self.remote.get_tree(&base_tree)))
            }
            Phase::Tree { head, base_tree } => {
                let remote = tree_files(&json).map_err(unexpected)?;
                self.plan(head, base_tree, remote)
            }
            Phase::Blobs { head, base_tree, mut wanted, push_paths } => {
                let sha = wanted.pop().unwrap_or_default();
                self.blobs.insert(sha, blob_bytes(&json).map_err(unexpected)?);
                self.next_blob(head, base_tree, wanted, push_paths)
            }
            Phase::Upload { head, base_tree, uploads, push_paths } => {
                // Git ids are content ids: what GitHub stored is what was sent.
                let _ = created_sha(&json).map_err(unexpected)?;
                self.next_upload(head, base_tree, uploads, push_paths)
            }
            Phase::NewTree { head } => {
                let tree = created_sha(&json).map_err(unexpected)?;
                self.phase = Phase::NewCommit;
                Ok(self.send(self.remote.create_commit(&commit_message(&self.outcome.pushed), &tree, &head)))
            }
            Phase::NewCommit => {
                let commit = created_sha(&json).map_err(unexpected)?;
                self.phase = Phase::MoveRef { commit: commit.clone() };
                Ok(self.send(self.remote.update_ref(&commit)))
            }
            Phase::MoveRef { commit } => {
                self.outcome.commit = commit;
                Ok(None)
            }
            Phase::Done => Ok(None),
        }
    }

    fn plan(&mut self, head: String, base_tree: String, remote: Shas) -> Result<Option<Call>, Failure> {
        let mut dirty_shas: BTreeMap<Entity, Shas> = BTreeMap::new();
        for (entity, files) in &self.dirty {
            let shas = dirty_shas.entry(entity.clone()).or_default();
            for (path, data) in files {
                let sha = blob_sha(data);
                self.blobs.insert(sha.clone(), data.clone());
                shas.insert(path.clone(), sha);
            }
        }
        let taken = self.taken.clone();
        let planned = plan(&self.base, &remote, &dirty_shas, |e| taken.contains(e));
        let mut push_paths = planned.push.clone();
        let mut next_base = planned.next_base.clone();
        // Conflict copies: the local files under the new key, in this commit.
        for conflict in &planned.conflicts {
            let files = self.dirty.get(&conflict.entity).cloned().unwrap_or_default();
            let mut kept = Files::new();
            for (path, data) in files {
                let Some((_, file)) = classify(&path) else { continue };
                let data = rekey(&conflict.entity, &conflict.kept_as, &file, data);
                let sha = blob_sha(&data);
                let new_path = conflict.kept_as.file_path(&file);
                push_paths.insert(new_path.clone(), Some(sha.clone()));
                next_base.insert(new_path.clone(), sha.clone());
                self.blobs.insert(sha, data.clone());
                kept.insert(new_path, data);
            }
            self.outcome.write.insert(conflict.kept_as.clone(), kept);
            self.outcome.pushed.push(conflict.kept_as.clone());
        }
        self.outcome.pushed.extend(planned.push.keys().filter_map(|p| classify(p).map(|(e, _)| e)).collect::<BTreeSet<_>>());
        self.outcome.pushed.sort();
        self.outcome.pushed.dedup();
        self.outcome.conflicts = planned.conflicts.clone();
        self.outcome.base = next_base;
        self.pulled = planned.pulled.clone();
        // Pulled entities are written here whole, so every file of theirs
        // not known here by content is fetched (unchanged ones too).
        let wanted: Vec<String> = self
            .outcome
            .base
            .iter()
            .filter(|(path, sha)| classify(path).is_some_and(|(e, _)| self.pulled.contains(&e)) && !self.blobs.contains_key(*sha))
            .map(|(_, sha)| sha.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        self.next_blob(head, base_tree, wanted, push_paths)
    }

    fn next_blob(&mut self, head: String, base_tree: String, wanted: Vec<String>, push_paths: BTreeMap<String, Option<String>>) -> Result<Option<Call>, Failure> {
        if let Some(sha) = wanted.last().cloned() {
            self.phase = Phase::Blobs { head, base_tree, wanted, push_paths };
            return Ok(self.send(self.remote.get_blob(&sha)));
        }
        self.fill_writes();
        let uploads: Vec<String> = push_paths.values().flatten().cloned().collect::<BTreeSet<_>>().into_iter().collect();
        self.next_upload(head, base_tree, uploads, push_paths)
    }

    /// Each pulled entity whole: the files the repository will hold, from
    /// the fetched blobs or (unchanged here) from the local copy.
    fn fill_writes(&mut self) {
        for entity in self.pulled.clone() {
            let mut files = Files::new();
            for (path, sha) in &self.outcome.base {
                if classify(path).is_some_and(|(e, _)| e == entity) {
                    if let Some(data) = self.blobs.get(sha) {
                        files.insert(path.clone(), data.clone());
                    }
                }
            }
            self.outcome.write.insert(entity, files);
        }
    }

    fn next_upload(&mut self, head: String, base_tree: String, mut uploads: Vec<String>, push_paths: BTreeMap<String, Option<String>>) -> Result<Option<Call>, Failure> {
        if let Some(sha) = uploads.pop() {
            let data = self.blobs.get(&sha).cloned().unwrap_or_default();
            self.phase = Phase::Upload { head, base_tree, uploads, push_paths };
            return Ok(self.send(self.remote.create_blob(&data)));
        }
        if push_paths.is_empty() {
            self.outcome.commit = head;
            self.phase = Phase::Done;
            return Ok(None);
        }
        self.phase = Phase::NewTree { head };
        Ok(self.send(self.remote.create_tree(&base_tree, &push_paths)))
    }

    /// What to store here; complete once `answer` returned `Ok(None)`.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }
}

/// A file of `from` as it is kept under `to`: SKILL.md names the new
/// folder; a chat's conversation, and its messages' ids, take the new key
/// (message ids are unique across chats); a trace takes its new id.
pub fn rekey(from: &Entity, to: &Entity, file: &str, data: Vec<u8>) -> Vec<u8> {
    match to {
        Entity::Skill(name) if file == "SKILL.md" => match String::from_utf8(data) {
            Ok(text) => rename_skill_md(&text, name).into_bytes(),
            Err(e) => e.into_bytes(),
        },
        Entity::Skill(_) => data,
        Entity::Chat(id) | Entity::Trace(id) => {
            let Ok(mut json) = serde_json::from_slice::<Value>(&data) else { return data };
            let suffix = id.strip_prefix(from.key()).unwrap_or(CONFLICT_SUFFIX).to_string();
            if matches!(to, Entity::Trace(_)) {
                json["id"] = Value::from(id.as_str());
            } else {
                json["conversation"]["id"] = Value::from(id.as_str());
                if let Some(messages) = json["messages"].as_array_mut() {
                    for message in messages {
                        let old = message["id"].as_str().unwrap_or_default().to_string();
                        message["id"] = Value::from(format!("{old}{suffix}"));
                        message["conversation"] = Value::from(id.as_str());
                    }
                }
            }
            serde_json::to_vec_pretty(&json).unwrap_or(data)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_copy_takes_its_new_key_inside_too() {
        let chat = br#"{"conversation":{"id":"c1","title":"Tea"},"messages":[{"id":"m9","conversation":"c1","text":"hi"}]}"#.to_vec();
        let kept: Value = serde_json::from_slice(&rekey(&Entity::Chat("c1".into()), &Entity::Chat("c1-conflict-1".into()), "", chat)).unwrap();
        assert_eq!(kept["conversation"]["id"], "c1-conflict-1");
        assert_eq!(kept["conversation"]["title"], "Tea");
        assert_eq!(kept["messages"][0]["id"], "m9-conflict-1", "message ids stay unique across chats");
        assert_eq!(kept["messages"][0]["conversation"], "c1-conflict-1");
        let trace: Value = serde_json::from_slice(&rekey(&Entity::Trace("t".into()), &Entity::Trace("t-conflict-2".into()), "", br#"{"id":"t","goal":"g"}"#.to_vec())).unwrap();
        assert_eq!(trace["id"], "t-conflict-2");
        let skill = rekey(&Entity::Skill("a".into()), &Entity::Skill("a-conflict-1".into()), "SKILL.md", b"---\nname: a\n---\n".to_vec());
        assert_eq!(skill, b"---\nname: a-conflict-1\n---\n");
        assert_eq!(rekey(&Entity::Skill("a".into()), &Entity::Skill("a-conflict-1".into()), "data.bin", vec![0, 255]), vec![0, 255]);
    }

    #[test]
    fn files_over_githubs_limit_are_refused_before_anything_is_sent() {
        let remote = Remote::parse("o/r", super::super::github::API_ORIGIN, "main").unwrap();
        let big = Files::from([("skills/a/big.bin".to_string(), vec![0; MAX_FILE_BYTES + 1])]);
        let mut round = Round::new(remote, Shas::new(), BTreeMap::from([(Entity::Skill("a".into()), big)]), BTreeSet::new());
        match round.start() {
            Err(Failure::Fatal(reason)) => assert!(reason.contains("skills/a/big.bin") && reason.contains("100 MB"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }
}
