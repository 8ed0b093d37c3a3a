//! The domain core of LLMos.
//!
//! Everything here is pure: it takes bytes and names, and returns models and
//! diagnostics. No file system, no network, no clock. That keeps one copy of
//! the rules for the native generator (`llmos build`, `llmos check`) and the
//! browser islands, which compile this crate to wasm32.

pub mod catalogue;
pub mod diagnostic;
pub mod doc;
pub mod evolution;
pub mod frontmatter;
pub mod index;
pub mod layout;
pub mod limits;
pub mod llm;
pub mod markdown;
pub mod published;
pub mod quantum;
pub mod run;
pub mod safety;
pub mod skill;
pub mod search;
pub mod slug;
pub mod sync;
pub mod text;
pub mod workflow;
pub mod zip;

pub use catalogue::{Catalogue, Taxonomy, TaxonomyTerm};
pub use diagnostic::{Diagnostic, Severity};
pub use doc::{parse_doc, Doc};
pub use index::{published_path, IndexEntry, IndexFile, SiteInfo, SkillIndex, SourceInfo, INDEX_VERSION};
pub use skill::{parse_skill, IoSpec, Skill, SkillOutline, SkillSource};
pub use slug::slugify;
pub use markdown::{render_safe, IncrementalMarkdown, Update};
pub use text::{quoted, shorten};
pub use search::{highlight_ranges, highlight_ranges_in, AnalysedDoc, Hit, Language, SearchDoc, SearchIndex, SearchInput, ShardedIndex, SEARCH_VERSION};
pub use zip::{crc32, read_zip, read_zip_with_limits, write_zip, ZipEntry, ZipError, ZipLimits};
