//! The frontmatter's `safety:` field: rules a skill silences, each with the
//! reason a reader should know.
//!
//! ```yaml
//! safety:
//!   allow:
//!     - rule: pipe-to-shell
//!       reason: Installs uv with its official installer, as uv's docs say.
//!       file: scripts/setup.sh   # optional: only findings in this file
//! ```
//!
//! An allow without a reason, naming an unknown rule, or of the wrong shape
//! silences nothing and is a parse warning at the `safety:` line.

use super::{Finding, Rule};
use serde::{Deserialize, Serialize};
use serde_yaml_ng::Value;

/// One silenced rule: its findings are listed as acknowledged with `reason`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allow {
    pub rule: Rule,
    /// Why the skill does what the rule flags, in the author's words.
    pub reason: String,
    /// Limits the allow to one file of the folder (relative, like `Finding::file`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

impl Allow {
    /// Whether this allow covers `finding`.
    pub fn silences(&self, finding: &Finding) -> bool {
        self.rule == finding.rule && !self.reason.trim().is_empty() && self.file.as_deref().is_none_or(|f| f == finding.file)
    }
}

/// Reads the value of `safety:`: the allows it states, and warnings
/// (message, help) for entries that silence nothing.
pub fn parse_allow(value: Option<&Value>) -> (Vec<Allow>, Vec<(String, String)>) {
    let mut allows = Vec::new();
    let mut warnings = Vec::new();
    let shape = "write `safety: {allow: [{rule: pipe-to-shell, reason: \"why the skill needs it\"}]}`".to_string();
    let Some(value) = value.filter(|v| !v.is_null()) else { return (allows, warnings) };
    let Some(map) = value.as_mapping() else {
        warnings.push(("`safety` should be a map with an `allow` list; it was ignored".into(), shape));
        return (allows, warnings);
    };
    for key in map.keys() {
        if key.as_str() != Some("allow") {
            warnings.push((format!("unknown key `{}` in `safety`; it was ignored", key.as_str().unwrap_or("?")), shape.clone()));
        }
    }
    let entries = match map.get("allow") {
        None | Some(Value::Null) => return (allows, warnings),
        Some(Value::Sequence(items)) => items.clone(),
        Some(other) => vec![other.clone()],
    };
    let ids = Rule::ALL.map(Rule::id).join(", ");
    for entry in entries {
        let (rule, reason, file) = match &entry {
            Value::String(rule) => (Some(rule.clone()), None, None),
            Value::Mapping(m) => {
                let text = |k: &str| m.get(k).and_then(Value::as_str).map(|s| s.trim().to_string());
                (text("rule"), text("reason").filter(|r| !r.is_empty()), text("file"))
            }
            _ => (None, None, None),
        };
        let Some(rule_text) = rule else {
            warnings.push(("an entry of `safety.allow` names no `rule`; it silences nothing".into(), shape.clone()));
            continue;
        };
        let Some(rule) = Rule::from_id(&rule_text) else {
            warnings.push((format!("`safety.allow` names the unknown rule `{rule_text}`; it silences nothing"), format!("use one of: {ids}")));
            continue;
        };
        let Some(reason) = reason else {
            warnings.push((format!("`safety.allow` silences `{rule_text}` without a reason, so it silences nothing"), format!("say why the skill needs it: `{{rule: {rule_text}, reason: \"…\"}}`; the reason is shown to readers next to the finding")));
            continue;
        };
        allows.push(Allow { rule, reason, file });
    }
    (allows, warnings)
}
