//! The skill index: the JSON file that tells the browser what the site holds.
//!
//! Format version 2 (documented in `content/skill-index.md`). Fields may be
//! added without a version bump; removing or changing the meaning of one
//! bumps `INDEX_VERSION`. Version 2 added where each skill comes from
//! (`sources`, `source`), its download (`zip_url`) and its content hash
//! (`sha256`). The same types are read back by the islands, so the format
//! has one definition.

use crate::{IoSpec, Skill};
use serde::{Deserialize, Serialize};

pub const INDEX_VERSION: u32 = 2;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillIndex {
    pub version: u32,
    pub site: SiteInfo,
    /// The skills roots, in the order they were read (later ones win a name
    /// both hold). Absent in indexes of version 1.
    #[serde(default)]
    pub sources: Vec<SourceInfo>,
    pub skills: Vec<IndexEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteInfo {
    pub title: String,
    /// Always starts and ends with `/`.
    pub base_path: String,
    pub base_url: Option<String>,
}

/// One skills root of the catalogue (`[[source]]` in llmos.toml, or one
/// `--skills`): where its skills come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// Shown on pages and results, e.g. `Anthropic skills`.
    pub name: String,
    /// URL-safe form of `name`, unique within the site: the `sources/<slug>/` page.
    pub slug: String,
    /// Where the collection lives, e.g. its repository (`https://…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The collection's licence (an SPDX id or a name); a skill's own
    /// `license` takes precedence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// How many of the published skills come from it.
    pub skills: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexEntry {
    pub name: String,
    pub description: String,
    pub category: Option<String>,
    pub keywords: Vec<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The skill's page, base path included.
    pub url: String,
    /// The raw SKILL.md, for readers that want the full instructions.
    pub source_url: String,
    pub files: Vec<IndexFile>,
    pub entry: Option<String>,
    pub inputs: Vec<IoSpec>,
    pub outputs: Vec<IoSpec>,
    pub license: Option<String>,
    /// Words in the body, so a reader can budget context before fetching it.
    pub words: usize,
    /// Python packages the skill needs beyond the standard library (absent when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<String>,
    /// The rule ids of the safety review's active findings (`pipe-to-shell`,
    /// …), most serious first, each once; absent when there are none.
    /// Findings a skill silenced with a reason are not listed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub safety: Vec<String>,
    /// The `name` of the entry of `sources` the skill comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The skill folder as a zip (`<name>/SKILL.md`, `<name>/scripts/…`),
    /// the layout `llmos build --skills` and "Your skills" import read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip_url: Option<String>,
    /// SHA-256 of the bytes at `zip_url`, lowercase hex: the same files give
    /// the same zip, so the hash changes exactly when the skill's files do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexFile {
    pub path: String,
    pub url: String,
    pub size: u64,
}

pub use crate::published::published_path;

/// URL of a skill's page under a base path (`/` or `/repo/`).
pub fn skill_url(base_path: &str, slug: &str) -> String {
    format!("{base_path}skills/{}/", crate::slug::url_segment(slug))
}

impl IndexEntry {
    /// `files` holds each of `skill.files` with its URL-encoded published
    /// path (see `published_path`) and its size in bytes; `findings` is the
    /// skill's safety review (see `crate::safety::review`).
    pub fn new(skill: &Skill, base_path: &str, files: &[(String, String, u64)], findings: &[crate::safety::Finding]) -> Self {
        let url = skill_url(base_path, &skill.slug);
        IndexEntry {
            name: skill.name.clone(),
            description: skill.description.clone(),
            category: skill.category.clone(),
            keywords: skill.keywords.clone(),
            kind: skill.kind.clone(),
            source_url: format!("{url}SKILL.md"),
            files: files.iter().map(|(path, published, size)| IndexFile { url: format!("{url}{published}"), path: path.clone(), size: *size }).collect(),
            url,
            entry: skill.entry.clone(),
            inputs: skill.inputs.clone(),
            outputs: skill.outputs.clone(),
            license: skill.license.clone(),
            words: skill.word_count(),
            packages: skill.packages.clone(),
            safety: crate::safety::active_rules(findings),
            source: None,
            zip_url: None,
            sha256: None,
        }
    }
}
