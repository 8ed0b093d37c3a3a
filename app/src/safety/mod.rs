//! The safety review: heuristics that flag skills whose instructions or code
//! hide what they do (a download piped into a shell, encoded payloads,
//! invisible text, reads of secrets, undeclared network use, …).
//!
//! `review` takes the files of one skill folder in memory, so the build and
//! the browser run the same rules. It never decides whether a skill is safe:
//! it points a reader at lines worth reading, each with a rule id, a
//! severity, `file:line`, what was found and what to do about it. A skill
//! silences a rule with a stated reason (`safety: {allow: [{rule, reason}]}`
//! in its frontmatter); silenced findings stay listed as acknowledged.
//!
//! The rules live in `code` (pipe-to-shell, encoded-exec, obfuscated-script),
//! `hidden` (hidden-text), `secrets` (secret-access, data-exfiltration) and
//! `network` (undeclared-network, description-mismatch); `scan` holds the
//! text helpers they share and `settings` reads the frontmatter fields.

mod code;
mod hidden;
mod network;
mod scan;
mod secrets;
mod settings;
#[cfg(test)]
mod tests;

pub use settings::{parse_allow, Allow};

use crate::{Diagnostic, Skill};
use scan::{FileKind, Source};
use serde::{Deserialize, Serialize};

/// The largest file the review reads; larger files are skipped (they are
/// data, and `llmos build` refuses bundled files much larger anyway).
pub const MAX_REVIEWED_BYTES: usize = 1 << 20;

/// At most this many findings of one rule in one file; the first ones are
/// enough to send a reader to the file.
const MAX_PER_RULE_AND_FILE: usize = 10;

/// The rules, each with a stable kebab-case id (`pipe-to-shell`, …) used in
/// frontmatter allows, `llmos check` output and the skill index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// A download fed straight into a shell or interpreter.
    PipeToShell,
    /// Base64/hex-decoded data handed to `eval`, `exec`, `Function` or a shell.
    EncodedExec,
    /// Minified, packed or encoded code a reader cannot review.
    ObfuscatedScript,
    /// Invisible characters, instruction-bearing HTML comments, text styled invisible.
    HiddenText,
    /// Reading credentials: SSH keys, `.env` files, keychains, API key variables.
    SecretAccess,
    /// Sending local data or secrets to an outside address.
    DataExfiltration,
    /// Scripts that reach the network when the skill does not say so.
    UndeclaredNetwork,
    /// The description promises what the scripts do not keep (offline, read-only).
    DescriptionMismatch,
}

/// How much a finding should worry a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Worth a look; common in honest skills too.
    Warning,
    /// Rarely needed by an honest skill; read the line before using the skill.
    Danger,
}

impl Rule {
    /// Every rule, in the order the docs list them.
    pub const ALL: [Rule; 8] = [
        Rule::PipeToShell,
        Rule::EncodedExec,
        Rule::ObfuscatedScript,
        Rule::HiddenText,
        Rule::SecretAccess,
        Rule::DataExfiltration,
        Rule::UndeclaredNetwork,
        Rule::DescriptionMismatch,
    ];

    /// The stable id, e.g. `pipe-to-shell`.
    pub fn id(self) -> &'static str {
        match self {
            Rule::PipeToShell => "pipe-to-shell",
            Rule::EncodedExec => "encoded-exec",
            Rule::ObfuscatedScript => "obfuscated-script",
            Rule::HiddenText => "hidden-text",
            Rule::SecretAccess => "secret-access",
            Rule::DataExfiltration => "data-exfiltration",
            Rule::UndeclaredNetwork => "undeclared-network",
            Rule::DescriptionMismatch => "description-mismatch",
        }
    }

    /// The rule whose id is `id`.
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.id() == id.trim())
    }

    /// Each rule has one severity, so a rule id alone (as the index lists it) says how serious it is.
    pub fn level(self) -> Level {
        match self {
            Rule::ObfuscatedScript | Rule::UndeclaredNetwork => Level::Warning,
            _ => Level::Danger,
        }
    }

    /// A short human title, e.g. "Download piped into a shell".
    pub fn title(self) -> &'static str {
        match self {
            Rule::PipeToShell => "Download piped into a shell",
            Rule::EncodedExec => "Encoded payload executed",
            Rule::ObfuscatedScript => "Obfuscated or minified code",
            Rule::HiddenText => "Hidden text",
            Rule::SecretAccess => "Reads secrets",
            Rule::DataExfiltration => "Sends data out",
            Rule::UndeclaredNetwork => "Undeclared network use",
            Rule::DescriptionMismatch => "Description does not match the scripts",
        }
    }
}

/// One thing the review found, at a line of a file of the skill folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Level,
    /// The file, relative to the skill folder (`SKILL.md`, `scripts/run.sh`).
    pub file: String,
    /// 1-based; 0 when the finding concerns the whole skill.
    pub line: usize,
    /// What was found, naming it (`curl … | sh`).
    pub message: String,
    /// Why it matters and what to do about it.
    pub help: String,
    /// The skill's stated reason, when it silenced this rule: the finding
    /// is acknowledged, not a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<String>,
}

impl Finding {
    pub(crate) fn new(rule: Rule, file: &str, line: usize, message: String, help: &str) -> Finding {
        Finding { rule, severity: rule.level(), file: file.to_string(), line, message, help: help.to_string(), acknowledged: None }
    }

    /// True unless the skill silenced the finding's rule with a reason.
    pub fn is_active(&self) -> bool {
        self.acknowledged.is_none()
    }

    /// The finding as a `llmos check` warning, coded `safety/<rule>`;
    /// `folder` names the skill folder as diagnostics do (`skills/pdf`).
    pub fn to_diagnostic(&self, folder: &str) -> Diagnostic {
        let file = format!("{}/{}", folder.trim_end_matches('/'), self.file);
        let level = match self.severity {
            Level::Danger => "danger",
            Level::Warning => "warning",
        };
        Diagnostic::warning(&file, self.line, 0, format!("{} ({level}): {}", self.rule.title(), self.message))
            .with_help(format!("{} To silence it, add to the frontmatter `safety: {{allow: [{{rule: {}, reason: \"…\"}}]}}`.", self.help, self.rule.id()))
            .with_code(&format!("{}{}", DIAGNOSTIC_PREFIX, self.rule.id()))
    }
}

/// An active finding in plain words, for pages that list findings without
/// carrying the rules (the browser's workbench: notes cross from its skill
/// kit as JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// The rule's id, as `safety: {allow: …}` names it (`pipe-to-shell`).
    pub rule: String,
    /// The rule's title ("Download piped into a shell").
    pub title: String,
    pub danger: bool,
    /// The file in the skill folder (`SKILL.md`, `scripts/install.sh`).
    pub file: String,
    /// 1-based; 0 when the finding concerns the whole skill.
    pub line: usize,
    /// What was found (`curl … | sh`).
    pub message: String,
    /// Why it matters and what to do about it.
    pub help: String,
    /// The finding as `llmos check` warns of it, with no folder in its path
    /// ([`Finding::to_diagnostic`] of `""`).
    pub warning: Diagnostic,
}

/// The active findings (those not silenced with a reason) of the skill
/// folder `files`, its `SKILL.md` among them, as notes. None when there is
/// no SKILL.md or it does not parse: that is the problem to show then.
pub fn review_notes(files: &[ReviewFile]) -> Vec<Note> {
    let Some(skill_md) = files.iter().find(|f| f.path == "SKILL.md") else { return Vec::new() };
    let others: Vec<String> = files.iter().filter(|f| f.path != "SKILL.md").map(|f| f.path.to_string()).collect();
    let Ok((skill, _)) = crate::parse_skill(&crate::SkillSource { path: "SKILL.md", folder: "", bytes: skill_md.bytes, files: &others }) else { return Vec::new() };
    review(&skill, files)
        .into_iter()
        .filter(Finding::is_active)
        .map(|f| Note {
            rule: f.rule.id().to_string(),
            title: f.rule.title().to_string(),
            danger: f.severity == Level::Danger,
            warning: f.to_diagnostic(""),
            file: f.file,
            line: f.line,
            message: f.message,
            help: f.help,
        })
        .collect()
}

/// The prefix of the code of every diagnostic made from a finding
/// (`safety/pipe-to-shell`), which `llmos check --deny safety` turns into errors.
pub const DIAGNOSTIC_PREFIX: &str = "safety/";

/// One file of a skill folder, as the review reads it.
#[derive(Debug, Clone, Copy)]
pub struct ReviewFile<'a> {
    /// Relative to the skill folder, `/`-separated; `SKILL.md` for the skill's own file.
    pub path: &'a str,
    pub bytes: &'a [u8],
}

/// Whether the review reads a file of this path (text the agent reads or
/// code it runs); callers can skip reading the others.
pub fn reviews_path(path: &str) -> bool {
    FileKind::of(path, b"").is_some() || path.starts_with("scripts/")
}

/// Reviews one skill: `skill` as parsed (its description, `network:` and
/// `safety:` fields) and the files of its folder, `SKILL.md` included.
/// Findings come sorted by file (SKILL.md first) and line; those of rules
/// the skill silenced with a reason carry it in `acknowledged`.
pub fn review(skill: &Skill, files: &[ReviewFile]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut sources = Vec::new();
    for file in files {
        if file.bytes.len() > MAX_REVIEWED_BYTES {
            continue;
        }
        let Ok(text) = std::str::from_utf8(file.bytes) else { continue };
        let Some(kind) = FileKind::of(file.path, file.bytes) else { continue };
        sources.push(Source::new(file.path, text, kind));
    }
    for source in &sources {
        let mut found = Vec::new();
        code::pipe_to_shell(source, &mut found);
        code::encoded_exec(source, &mut found);
        code::obfuscated(source, &mut found);
        hidden::hidden_text(source, &mut found);
        secrets::secret_access(source, &mut found);
        secrets::exfiltration(source, &mut found);
        findings.extend(cap(found));
    }
    findings.extend(network::network_rules(skill, &sources));
    for finding in &mut findings {
        if let Some(allow) = skill.safety_allow.iter().find(|a| a.silences(finding)) {
            finding.acknowledged = Some(allow.reason.clone());
        }
    }
    findings.sort_by(|a, b| (a.file != "SKILL.md", &a.file, a.line, a.rule).cmp(&(b.file != "SKILL.md", &b.file, b.line, b.rule)));
    findings.dedup_by(|a, b| a.rule == b.rule && a.file == b.file && a.line == b.line);
    findings
}

/// Keeps the first `MAX_PER_RULE_AND_FILE` findings of each rule.
fn cap(found: Vec<Finding>) -> Vec<Finding> {
    let mut counts = std::collections::HashMap::new();
    found
        .into_iter()
        .filter(|f| {
            let n = counts.entry(f.rule).or_insert(0usize);
            *n += 1;
            *n <= MAX_PER_RULE_AND_FILE
        })
        .collect()
}

/// The rule ids of a skill's active findings, most serious first, each once:
/// what the skill index lists.
pub fn active_rules(findings: &[Finding]) -> Vec<String> {
    let mut rules: Vec<Rule> = findings.iter().filter(|f| f.is_active()).map(|f| f.rule).collect();
    rules.sort_by_key(|r| (std::cmp::Reverse(r.level()), *r));
    rules.dedup();
    rules.into_iter().map(|r| r.id().to_string()).collect()
}
