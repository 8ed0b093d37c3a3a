//! Where each kind of user data lives in the synced repository, so the
//! repository is itself a skills collection (`skills/<name>/SKILL.md` and
//! the skill's other files, which `llmos build --skills <clone>` publishes)
//! with the chats and traces beside it as JSON.

use crate::slug::slugify;

/// The folder of skills in the repository, as `llmos build --skills` reads it.
pub const SKILLS_DIR: &str = "skills";
pub const CHATS_DIR: &str = "chats";
pub const TRACES_DIR: &str = "traces";
/// What is added to a name (then a number) for the local side of a conflict.
pub const CONFLICT_SUFFIX: &str = "-conflict-";
/// The longest skill name the Agent Skills specification allows.
pub const MAX_NAME_CHARS: usize = 64;
/// The longest chat or trace id accepted from the repository.
pub const MAX_ID_CHARS: usize = 100;

/// One thing the user owns that syncs as a unit: a skill (a folder of
/// files), a chat (its conversation and messages), a trace.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "key", rename_all = "lowercase")]
pub enum Entity {
    /// A user skill by its name (the store key and folder name).
    Skill(String),
    /// A conversation by id.
    Chat(String),
    /// A trace by id.
    Trace(String),
}

impl Entity {
    /// The path of the entity's one file (`chats/<id>.json`), or of its
    /// folder for a skill (`skills/<name>`).
    pub fn path(&self) -> String {
        match self {
            Entity::Skill(name) => format!("{SKILLS_DIR}/{name}"),
            Entity::Chat(id) => format!("{CHATS_DIR}/{id}.json"),
            Entity::Trace(id) => format!("{TRACES_DIR}/{id}.json"),
        }
    }

    /// The repository path of `file` (relative to the skill folder; ignored
    /// for chats and traces, which are one file).
    pub fn file_path(&self, file: &str) -> String {
        match self {
            Entity::Skill(_) => format!("{}/{file}", self.path()),
            _ => self.path(),
        }
    }

    pub fn key(&self) -> &str {
        match self {
            Entity::Skill(key) | Entity::Chat(key) | Entity::Trace(key) => key,
        }
    }

    /// The same kind of entity under another key.
    pub fn with_key(&self, key: String) -> Entity {
        match self {
            Entity::Skill(_) => Entity::Skill(key),
            Entity::Chat(_) => Entity::Chat(key),
            Entity::Trace(_) => Entity::Trace(key),
        }
    }
}

/// Which entity a repository path belongs to, and the file's path inside a
/// skill folder (`SKILL.md`, `scripts/main.py`; empty for chats and
/// traces). `None` for paths sync leaves alone — a README, a workflow in
/// `.github/`, names that are not slugs, `..` — so a repository the user
/// also edits by hand keeps working and nothing outside the three folders
/// is ever read into the browser.
pub fn classify(path: &str) -> Option<(Entity, String)> {
    let (top, rest) = path.split_once('/')?;
    match top {
        SKILLS_DIR => {
            let (name, file) = rest.split_once('/')?;
            (is_skill_name(name) && is_relative_file(file)).then(|| (Entity::Skill(name.to_string()), file.to_string()))
        }
        CHATS_DIR | TRACES_DIR => {
            let id = rest.strip_suffix(".json")?;
            if !is_record_id(id) {
                return None;
            }
            Some((if top == CHATS_DIR { Entity::Chat(id.to_string()) } else { Entity::Trace(id.to_string()) }, String::new()))
        }
        _ => None,
    }
}

/// A skill name that is its own slug (as the store keys skills) and no
/// longer than the specification allows.
pub fn is_skill_name(name: &str) -> bool {
    !name.is_empty() && name.chars().count() <= MAX_NAME_CHARS && slugify(name) == name
}

/// Ids of chats and traces as the chat writes them (`18c…-0a1b2c3d`):
/// ASCII letters, digits, `-` and `_`.
pub fn is_record_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_ID_CHARS && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A path inside a skill folder: `/`-separated, no empty, `.`, `..` or
/// `.git` segment, no backslash or control character.
pub fn is_relative_file(file: &str) -> bool {
    !file.is_empty() && file.split('/').all(|s| !s.is_empty() && s != "." && s != ".." && !s.eq_ignore_ascii_case(".git")) && !file.chars().any(|c| c == '\\' || c.is_control())
}

/// The key the local side of a conflict is kept under: `key-conflict-N`
/// with the smallest N from 1 that `taken` does not report. Skill names
/// stay valid skill names (the base is shortened so the whole fits in 64
/// characters), so the kept copy is still a skill the site publishes.
pub fn conflict_key(entity: &Entity, taken: impl Fn(&str) -> bool) -> String {
    let key = entity.key();
    for n in 1.. {
        let suffix = format!("{CONFLICT_SUFFIX}{n}");
        let limit = match entity {
            Entity::Skill(_) => MAX_NAME_CHARS,
            _ => MAX_ID_CHARS,
        };
        let room = limit.saturating_sub(suffix.chars().count());
        let base: String = key.chars().take(room).collect();
        let candidate = format!("{}{suffix}", base.trim_end_matches('-'));
        if !taken(&candidate) {
            return candidate;
        }
    }
    unreachable!("some number is free")
}

/// SKILL.md with its front matter's `name:` set to `name`, so a skill
/// kept under a conflict name still has its name equal to its folder.
/// Text without front matter or without a `name:` line comes back as it was.
pub fn rename_skill_md(text: &str, name: &str) -> String {
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    if lines.first().map(|l| l.trim_end()) != Some("---") {
        return text.to_string();
    }
    let replacement = format!("name: {name}{newline}");
    for line in lines.iter_mut().skip(1) {
        let bare = line.trim_end();
        if bare == "---" || bare == "..." {
            break;
        }
        if line.starts_with("name:") {
            *line = &replacement;
            return lines.concat();
        }
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_both_ways() {
        let skill = Entity::Skill("tea-timer".into());
        assert_eq!(skill.file_path("SKILL.md"), "skills/tea-timer/SKILL.md");
        assert_eq!(classify("skills/tea-timer/scripts/main.py"), Some((skill, "scripts/main.py".into())));
        assert_eq!(classify("skills/数据分析/SKILL.md").unwrap().0, Entity::Skill("数据分析".into()));
        let chat = Entity::Chat("18c2f-0a1b2c3d".into());
        assert_eq!(chat.path(), "chats/18c2f-0a1b2c3d.json");
        assert_eq!(classify("chats/18c2f-0a1b2c3d.json"), Some((chat, String::new())));
        assert_eq!(classify("traces/t1.json").unwrap().0, Entity::Trace("t1".into()));
    }

    #[test]
    fn paths_sync_does_not_own_are_left_alone() {
        for path in [
            "README.md",
            ".github/workflows/pages.yml",
            "skills/README.md",
            "skills/Tea Timer/SKILL.md",
            "skills/a/../b/SKILL.md",
            "skills/a/.git/config",
            "chats/x.txt",
            "chats/../x.json",
            "chats/a b.json",
            "traces/sub/t.json",
            "skills/a/",
            "skills/a/b\\c",
        ] {
            assert_eq!(classify(path), None, "{path}");
        }
    }

    #[test]
    fn a_conflict_key_is_free_and_still_a_skill_name() {
        let skill = Entity::Skill("tea-timer".into());
        assert_eq!(conflict_key(&skill, |_| false), "tea-timer-conflict-1");
        assert_eq!(conflict_key(&skill, |k| k == "tea-timer-conflict-1"), "tea-timer-conflict-2");
        let long = Entity::Skill("a".repeat(60));
        let key = conflict_key(&long, |_| false);
        assert!(is_skill_name(&key), "{key}");
        assert!(key.ends_with("-conflict-1") && key.chars().count() == 64);
        assert!(is_record_id(&conflict_key(&Entity::Chat("18c2f-0a1b2c3d".into()), |_| false)));
    }

    #[test]
    fn renaming_touches_only_the_front_matter_name() {
        let text = "---\nname: tea-timer\ndescription: name: in text\n---\nname: body line\n";
        assert_eq!(rename_skill_md(text, "tea-timer-conflict-1"), "---\nname: tea-timer-conflict-1\ndescription: name: in text\n---\nname: body line\n");
        assert_eq!(rename_skill_md("---\r\nname: a\r\n---\r\n", "b"), "---\r\nname: b\r\n---\r\n");
        assert_eq!(rename_skill_md("# no front matter\nname: x\n", "b"), "# no front matter\nname: x\n");
        assert_eq!(rename_skill_md("---\ndescription: d\n---\nname: x\n", "b"), "---\ndescription: d\n---\nname: x\n");
    }
}
