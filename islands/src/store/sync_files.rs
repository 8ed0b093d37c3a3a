//! The user's records as the files sync keeps in their repository, and
//! back: a skill as its folder (`skills/<name>/SKILL.md` and its other
//! files, byte for byte), a chat as `chats/<id>.json` (the conversation
//! and its messages), a trace as `traces/<id>.json`. JSON is pretty-printed
//! with a final newline, so the repository's history reads as diffs.
//!
//! Files from the repository are untrusted: a record is only made when it
//! parses, its key matches its path (a file cannot overwrite another
//! chat), and every message belongs to its chat. Errors name the file and
//! what to fix. Plain Rust over bytes, unit-tested natively.

use crate::records::{ChatMessage, Conversation, Trace};
use crate::user_skills::{SkillFile, UserSkill, SKILL_MD};
use llmos_core::sync::paths::is_relative_file;
use llmos_core::sync::{Entity, Files};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The `format` of a chat file.
pub const CHAT_FORMAT: &str = "llmos-chat-1";

#[derive(Serialize, Deserialize)]
struct ChatFile {
    format: String,
    conversation: Conversation,
    messages: Vec<ChatMessage>,
}

fn pretty(value: &impl Serialize) -> Vec<u8> {
    let mut data = serde_json::to_vec_pretty(value).expect("records serialise");
    data.push(b'\n');
    data
}

/// A skill's files by repository path.
pub fn skill_files(skill: &UserSkill) -> Files {
    let entity = Entity::Skill(skill.name.clone());
    skill.files.iter().map(|f| (entity.file_path(&f.path), f.data.clone())).collect()
}

/// The skill `name` from its files in the repository (`created`: when the
/// record here was made, kept across updates).
pub fn skill_from_files(name: &str, files: &Files, created: Option<f64>, now: f64) -> Result<UserSkill, String> {
    let prefix = format!("{}/", Entity::Skill(name.to_string()).path());
    let mut records = Vec::new();
    for (path, data) in files {
        let file = path.strip_prefix(&prefix).filter(|f| is_relative_file(f)).ok_or_else(|| format!("{path}: not a file of the skill {name}; sync leaves it in the repository"))?;
        records.push(SkillFile { path: file.to_string(), data: data.clone() });
    }
    if !records.iter().any(|f| f.path == SKILL_MD) {
        return Err(format!("{prefix}{SKILL_MD}: missing; a skill folder needs its SKILL.md (add it in the repository, or delete the folder)"));
    }
    let mut skill = UserSkill::new(name.to_string(), records, now);
    skill.created = created.unwrap_or(now);
    Ok(skill)
}

/// `chats/<id>.json` for a conversation and its messages.
pub fn chat_file(conversation: &Conversation, messages: &[ChatMessage]) -> Vec<u8> {
    pretty(&ChatFile { format: CHAT_FORMAT.to_string(), conversation: conversation.clone(), messages: messages.to_vec() })
}

/// A conversation and its messages from `chats/<id>.json`.
pub fn chat_from_file(id: &str, data: &[u8]) -> Result<(Conversation, Vec<ChatMessage>), String> {
    let path = Entity::Chat(id.to_string()).path();
    let file: ChatFile = serde_json::from_slice(data).map_err(|e| format!("{path}:{}: {e}; fix the JSON in the repository or delete the file", e.line()))?;
    if file.format != CHAT_FORMAT {
        return Err(format!("{path}: format `{}` is not `{CHAT_FORMAT}`; a newer LLMos wrote it, update this site", file.format));
    }
    if file.conversation.id != id {
        return Err(format!("{path}: holds the conversation `{}`; its id must match the file name", file.conversation.id));
    }
    if let Some(stray) = file.messages.iter().find(|m| m.conversation != id) {
        return Err(format!("{path}: the message `{}` belongs to `{}`, not to this conversation", stray.id, stray.conversation));
    }
    Ok((file.conversation, file.messages))
}

/// `traces/<id>.json`.
pub fn trace_file(trace: &Trace) -> Vec<u8> {
    pretty(trace)
}

pub fn trace_from_file(id: &str, data: &[u8]) -> Result<Trace, String> {
    let path = Entity::Trace(id.to_string()).path();
    let trace: Trace = serde_json::from_slice(data).map_err(|e| format!("{path}:{}: {e}; fix the JSON in the repository or delete the file", e.line()))?;
    if trace.id != id {
        return Err(format!("{path}: holds the trace `{}`; its id must match the file name", trace.id));
    }
    Ok(trace)
}

/// What a sync round's `Outcome::write` does to the store, record by
/// record. Files that do not make a record are not written and are told
/// in `problems`; they stay in the repository as they are.
#[derive(Debug, Default, PartialEq)]
pub struct StoreWrites {
    pub skills: Vec<UserSkill>,
    pub skills_removed: Vec<String>,
    pub chats: Vec<(Conversation, Vec<ChatMessage>)>,
    pub chats_removed: Vec<String>,
    pub traces: Vec<Trace>,
    pub traces_removed: Vec<String>,
    pub problems: Vec<String>,
}

/// The store writes for `write` (an empty `Files`: the entity is gone).
/// `created` gives the creation time of a skill kept here, so an update
/// keeps it.
pub fn store_writes(write: &BTreeMap<Entity, Files>, created: impl Fn(&str) -> Option<f64>, now: f64) -> StoreWrites {
    let mut writes = StoreWrites::default();
    for (entity, files) in write {
        let one = || files.values().next().map(Vec::as_slice).unwrap_or_default();
        match entity {
            Entity::Skill(name) if files.is_empty() => writes.skills_removed.push(name.clone()),
            Entity::Chat(id) if files.is_empty() => writes.chats_removed.push(id.clone()),
            Entity::Trace(id) if files.is_empty() => writes.traces_removed.push(id.clone()),
            Entity::Skill(name) => match skill_from_files(name, files, created(name), now) {
                Ok(skill) => writes.skills.push(skill),
                Err(problem) => writes.problems.push(problem),
            },
            Entity::Chat(id) => match chat_from_file(id, one()) {
                Ok(chat) => writes.chats.push(chat),
                Err(problem) => writes.problems.push(problem),
            },
            Entity::Trace(id) => match trace_from_file(id, one()) {
                Ok(trace) => writes.traces.push(trace),
                Err(problem) => writes.problems.push(problem),
            },
        }
    }
    writes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Role;

    fn message(id: &str, conversation: &str) -> ChatMessage {
        ChatMessage {
            id: id.into(),
            conversation: conversation.into(),
            seq: 0,
            role: Role::User,
            text: "How long should green tea steep? 🍵".into(),
            created: 1.0,
            model: String::new(),
            skills_used: vec![],
            input_tokens: None,
            output_tokens: None,
            error: None,
            stopped: false,
            reasoning: String::new(),
            ending: None,
            finish_reason: None,
            runs: vec![],
        }
    }

    #[test]
    fn a_skill_round_trips_byte_for_byte() {
        let files = vec![SkillFile { path: SKILL_MD.into(), data: b"---\nname: tea\ndescription: Tea.\n---\n".to_vec() }, SkillFile { path: "assets/logo.bin".into(), data: vec![0, 255, 10] }];
        let skill = UserSkill::new("tea".into(), files, 5.0);
        let repo = skill_files(&skill);
        assert_eq!(repo.keys().collect::<Vec<_>>(), ["skills/tea/SKILL.md", "skills/tea/assets/logo.bin"]);
        let back = skill_from_files("tea", &repo, Some(5.0), 9.0).unwrap();
        assert_eq!(back.files, skill.files);
        assert_eq!((back.created, back.updated), (5.0, 9.0));
        assert_eq!(back.fields, skill.fields);
    }

    #[test]
    fn skill_folders_from_the_repository_are_checked() {
        let only_notes = Files::from([("skills/tea/notes.md".to_string(), b"n".to_vec())]);
        assert!(skill_from_files("tea", &only_notes, None, 0.0).unwrap_err().starts_with("skills/tea/SKILL.md: missing"));
        let stray = Files::from([("skills/other/SKILL.md".to_string(), b"x".to_vec())]);
        assert!(skill_from_files("tea", &stray, None, 0.0).unwrap_err().contains("not a file of the skill tea"));
    }

    #[test]
    fn a_chat_round_trips_and_cannot_claim_another_id() {
        let conversation = Conversation { id: "c1".into(), title: "Tea".into(), created: 1.0, updated: 2.0 };
        let messages = vec![message("m1", "c1")];
        let data = chat_file(&conversation, &messages);
        assert!(data.ends_with(b"}\n") && std::str::from_utf8(&data).unwrap().contains("\n  \"conversation\""), "pretty, for diffs");
        assert_eq!(chat_from_file("c1", &data).unwrap(), (conversation.clone(), messages.clone()));
        assert!(chat_from_file("c2", &data).unwrap_err().contains("must match the file name"));
        let stray = chat_file(&conversation, &[message("m2", "other")]);
        assert!(chat_from_file("c1", &stray).unwrap_err().contains("belongs to `other`"));
        let broken = chat_from_file("c1", b"{\n  \"format\": ").unwrap_err();
        assert!(broken.starts_with("chats/c1.json:2: "), "{broken}");
    }

    #[test]
    fn a_rounds_writes_become_records_or_reported_problems() {
        let trace = Trace { id: "t1".into(), ..Trace::default() };
        let write = BTreeMap::from([
            (Entity::Skill("tea".into()), Files::from([("skills/tea/SKILL.md".to_string(), b"---\nname: tea\ndescription: Tea.\n---\n".to_vec())])),
            (Entity::Skill("gone".into()), Files::new()),
            (Entity::Chat("c1".into()), Files::from([("chats/c1.json".to_string(), b"not json".to_vec())])),
            (Entity::Trace("t1".into()), Files::from([("traces/t1.json".to_string(), trace_file(&trace))])),
        ]);
        let writes = store_writes(&write, |name| (name == "tea").then_some(3.0), 7.0);
        assert_eq!(writes.skills.len(), 1);
        assert_eq!((writes.skills[0].created, writes.skills[0].updated), (3.0, 7.0));
        assert_eq!(writes.skills_removed, ["gone"]);
        assert_eq!(writes.traces, [trace]);
        assert!(writes.chats.is_empty());
        assert_eq!(writes.problems.len(), 1);
        assert!(writes.problems[0].starts_with("chats/c1.json:1: "), "{:?}", writes.problems);
    }

    #[test]
    fn a_trace_round_trips() {
        let trace = Trace { id: "t1".into(), conversation: "c1".into(), goal: "Tea".into(), ..Trace::default() };
        assert_eq!(trace_from_file("t1", &trace_file(&trace)).unwrap(), trace);
        assert!(trace_from_file("t2", &trace_file(&trace)).is_err());
    }
}
