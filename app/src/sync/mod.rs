//! Sync of the user's skills, chats and traces with their own GitHub
//! repository, without I/O: where each thing lives in the repository
//! (`paths`), the three-way decision of what to push, pull or keep twice
//! (`plan`), the persistent queue and its backoff (`queue`), and the Git
//! database API's requests and answers (`github`). The browser does the
//! fetching and the storing; everything it decides is decided here and
//! tested natively; the browser's side is the crate `llmos-sync`
//! (the page `/my/sync/`), and the user's guide content/sync.md.

pub mod github;
pub mod paths;
pub mod plan;
pub mod queue;
pub mod round;

pub use paths::{classify, Entity};
pub use plan::{decide, plan, Conflict, Decision, Plan, Shas};
pub use queue::{Failure, Pending, Queue, State, Status};
pub use round::{Answer, Files, Outcome, Round};

use sha1::{Digest, Sha1};

/// The largest file GitHub stores (100 MiB); larger ones are refused
/// before anything is sent.
pub const MAX_FILE_BYTES: usize = 100 * 1024 * 1024;

/// Git's id of a blob holding `data`: the SHA-1 of `blob <len>\0` and the
/// bytes, in lowercase hex, as `git hash-object` prints it. Equal ids mean
/// equal contents, so unchanged files are neither uploaded nor compared.
pub fn blob_sha(data: &[u8]) -> String {
    let mut hasher = Sha1::new();
    hasher.update(format!("blob {}\0", data.len()).as_bytes());
    hasher.update(data);
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The commit message of a batch: `LLMos sync: 2 skills, 1 chat, 1 trace`.
pub fn commit_message(pushed: &[Entity]) -> String {
    let count = |f: fn(&Entity) -> bool| pushed.iter().filter(|e| f(e)).count();
    let parts: Vec<String> = [(count(|e| matches!(e, Entity::Skill(_))), "skill"), (count(|e| matches!(e, Entity::Chat(_))), "chat"), (count(|e| matches!(e, Entity::Trace(_))), "trace")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}{}", if n == 1 { "" } else { "s" }))
        .collect();
    if parts.is_empty() {
        "LLMos sync".to_string()
    } else {
        format!("LLMos sync: {}", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_ids_are_gits() {
        // `printf '' | git hash-object --stdin` and `echo hello | git hash-object --stdin`.
        assert_eq!(blob_sha(b""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
        assert_eq!(blob_sha(b"hello\n"), "ce013625030ba8dba906f756967f9e9ca394464a");
    }

    #[test]
    fn commit_messages_count_what_they_carry() {
        assert_eq!(commit_message(&[Entity::Skill("a".into()), Entity::Skill("b".into()), Entity::Chat("c".into())]), "LLMos sync: 2 skills, 1 chat");
        assert_eq!(commit_message(&[]), "LLMos sync");
    }
}
