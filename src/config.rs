//! Site settings: `llmos.toml`, then command-line flags on top.
//!
//! Raw input (the file, the flags) is kept apart from the validated
//! `Settings` that the rest of the program reads, so every rule about base
//! paths and defaults lives here once.

use crate::source::SourceTree;
use llmos_core::Diagnostic;
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "llmos.toml";

/// `llmos.toml` as written. Paths are relative to the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub title: Option<String>,
    pub description: Option<String>,
    pub base_url: Option<String>,
    pub base_path: Option<String>,
    pub skills_dirs: Option<Vec<PathBuf>>,
    pub content_dir: Option<PathBuf>,
    /// The site's own templates and stylesheet, in place of the bundled ones.
    pub theme_dir: Option<PathBuf>,
    pub output_dir: Option<PathBuf>,
    /// Show images from other sites on the site's pages (default false:
    /// they become links, so opening a page requests nothing elsewhere).
    pub remote_images: Option<bool>,
    /// How skills run in the browser: `[run]`.
    pub run: Option<RunFile>,
    /// How the search analyses text: `[search]`.
    pub search: Option<SearchFile>,
    /// Named skills roots: `[[source]]`, read after `skills_dirs`.
    #[serde(rename = "source")]
    pub sources: Option<Vec<SourceEntry>>,
}

/// One `[[source]]` of llmos.toml: a skills root with its provenance.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceEntry {
    /// Shown on skill pages, results and in the index, e.g. "Anthropic skills".
    pub name: String,
    /// A directory of skill folders, or a .zip of them (relative to the file).
    pub path: PathBuf,
    /// Where the collection lives, e.g. `https://github.com/anthropics/skills`.
    pub url: Option<String>,
    /// The collection's licence (SPDX id or name), shown for skills that name none.
    pub license: Option<String>,
    /// The category of the collection's skills that name none (public
    /// collections rarely set one, so their skills would be on no category page).
    pub category: Option<String>,
}

/// `[search]` in llmos.toml.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchFile {
    /// The language of the skills' text, for stemming and stop words:
    /// `english` (default) or `none` (lowercasing only).
    pub language: Option<String>,
}

/// `[run]` in llmos.toml.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunFile {
    /// Base URL of a Pyodide distribution to load Python from instead of
    /// the self-hosted copy, e.g. `https://cdn.jsdelivr.net/pyodide/v0.28.3/full/`.
    pub pyodide_url: Option<String>,
    /// Folder holding Pyodide's npm package to self-host (relative to the file).
    pub pyodide_dir: Option<PathBuf>,
    /// Seconds a run may take in the browser before it is stopped (default 60).
    pub time_limit: Option<u32>,
}

/// What the command line says; `None` leaves the file's value.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct Overrides {
    /// Configuration file [default: ./llmos.toml when it exists]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A directory of skills (folders with SKILL.md, at any depth), or a .zip of skill folders as exported from "Your skills"; repeat for several. Replaces `skills_dirs`
    #[arg(long = "skills", value_name = "DIR or ZIP")]
    pub skills: Vec<PathBuf>,
    /// Directory of docs pages (*.md) [default: the bundled docs]
    #[arg(long, value_name = "DIR")]
    pub content: Option<PathBuf>,
    /// Output directory [default: dist]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Public URL of the site, e.g. https://user.github.io/repo/ (its path becomes the base path)
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Path the site is served under, e.g. /repo/ for a GitHub Pages project site [default: /]
    #[arg(long, value_name = "PATH")]
    pub base_path: Option<String>,
    /// Site title
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
}

pub struct Settings {
    pub title: String,
    pub description: String,
    /// Absolute URL ending in `/`, when known (needed for sitemap and canonical links).
    pub base_url: Option<String>,
    /// Starts and ends with `/`.
    pub base_path: String,
    /// The skills roots in reading order: a later root's skill replaces an
    /// earlier one of the same name.
    pub skills: Vec<SkillsSource>,
    pub content: ContentRoot,
    /// `theme_dir`: `templates/*.html` and `static/style.css` replacing the bundled ones.
    pub theme_dir: Option<PathBuf>,
    pub out: PathBuf,
    /// The config file that was read, if any.
    pub config_file: Option<PathBuf>,
    /// Pages load the dev server's live-reload script (`llmos serve` only).
    pub dev_reload: bool,
    /// `remote_images` in llmos.toml: images from other sites are shown,
    /// and the pages' Content-Security-Policy allows them.
    pub remote_images: bool,
    pub run: RunSettings,
    /// `llmos build --keep-going`: a skill with errors is left out of the
    /// site (and listed) instead of failing the build.
    pub keep_going: bool,
    /// `[search] language`: how the search index analyses words.
    pub search_language: llmos_core::Language,
}

/// How skills run in the browser, validated.
#[derive(Debug, Clone, Default)]
pub struct RunSettings {
    /// An `https://` (or `http://localhost`) URL ending in `/`.
    pub pyodide_url: Option<String>,
    pub pyodide_dir: Option<PathBuf>,
    /// 1 to 3600 seconds.
    pub time_limit_secs: u32,
}

/// Seconds a run may take in the browser unless `[run] time_limit` says otherwise.
pub const DEFAULT_TIME_LIMIT_SECS: u32 = 60;

pub enum SkillsRoot {
    Disk(PathBuf),
    Bundled,
}

/// A skills root with what pages and the index say about where its skills
/// come from.
pub struct SkillsSource {
    pub root: SkillsRoot,
    /// `[[source]] name`, else derived from the path (see `source_name`).
    pub name: String,
    pub url: Option<String>,
    pub license: Option<String>,
    /// `[[source]] category`: given to its skills that have none.
    pub category: Option<String>,
}

impl SkillsSource {
    /// A root named after its path, without URL or licence (`--skills`, `skills_dirs`).
    pub fn unnamed(root: SkillsRoot) -> SkillsSource {
        let name = match &root {
            SkillsRoot::Disk(dir) => source_name(dir),
            SkillsRoot::Bundled => "LLMos system skills".to_string(),
        };
        SkillsSource { root, name, url: None, license: None, category: None }
    }
}

/// A name for a skills root given only as a path: its last component (a
/// zip without `.zip`), with the one before it when the last says nothing
/// about the collection (`vendor/acme/skills` gives `acme/skills`).
pub fn source_name(path: &Path) -> String {
    let absolute = if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().map(|d| d.join(path)).unwrap_or_else(|_| path.to_path_buf()) };
    let parts: Vec<String> = absolute
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let last = parts.last().map(|p| p.strip_suffix(".zip").or_else(|| p.strip_suffix(".ZIP")).unwrap_or(p).to_string()).unwrap_or_else(|| "skills".into());
    let generic = ["skills", "src", ".skills"];
    match parts.len().checked_sub(2).map(|i| &parts[i]) {
        Some(parent) if generic.contains(&last.to_ascii_lowercase().as_str()) => format!("{parent}/{last}"),
        _ => last,
    }
}

pub enum ContentRoot {
    Disk(PathBuf),
    Bundled,
}

impl SkillsRoot {
    /// How messages name this root: the directory as given, or the bundled skills.
    pub fn label(&self) -> String {
        match self {
            SkillsRoot::Disk(dir) => dir.display().to_string(),
            SkillsRoot::Bundled => "<bundled>/system-skills".to_string(),
        }
    }

    pub fn load(&self) -> Result<SourceTree, Diagnostic> {
        self.load_reusing(None)
    }

    /// `load`, through the dev server's cache of walks and the paths changed since.
    pub fn load_reusing(&self, reuse: Option<(&crate::source::TreeCache, Option<&[PathBuf]>)>) -> Result<SourceTree, Diagnostic> {
        match (self, reuse) {
            (SkillsRoot::Disk(dir), Some((cache, changed))) => SourceTree::disk_reusing(dir, "skills", cache, changed),
            (SkillsRoot::Disk(dir), None) => SourceTree::disk(dir, "skills"),
            (SkillsRoot::Bundled, _) => Ok(SourceTree::bundled_skills()),
        }
    }
}

impl ContentRoot {
    pub fn load(&self) -> Result<SourceTree, Diagnostic> {
        self.load_reusing(None)
    }

    /// `load`, through the dev server's cache of walks and the paths changed since.
    pub fn load_reusing(&self, reuse: Option<(&crate::source::TreeCache, Option<&[PathBuf]>)>) -> Result<SourceTree, Diagnostic> {
        match (self, reuse) {
            (ContentRoot::Disk(dir), Some((cache, changed))) => SourceTree::disk_reusing(dir, "content", cache, changed),
            (ContentRoot::Disk(dir), None) => SourceTree::disk(dir, "content"),
            (ContentRoot::Bundled, _) => Ok(SourceTree::bundled_content()),
        }
    }
}

const DEFAULT_DESCRIPTION: &str = "A catalogue of Agent Skills: instructions and runnable tools for language models, published as a static site.";

impl Settings {
    pub fn resolve(flags: &Overrides) -> Result<Settings, Diagnostic> {
        let path = match &flags.config {
            Some(path) => Some(path.clone()),
            None => Some(PathBuf::from(CONFIG_FILE)).filter(|p| p.is_file()),
        };
        let (file, dir) = match &path {
            Some(path) => (read_config(path)?, path.parent().map(Path::to_path_buf).unwrap_or_default()),
            None => (ConfigFile::default(), PathBuf::new()),
        };
        let label = path.as_ref().map_or_else(|| "command line".to_string(), |p| p.display().to_string());
        let base_url = flags.base_url.clone().or(file.base_url).map(|url| normalise_base_url(&label, &url)).transpose()?;
        let base_path = match flags.base_path.clone().or(file.base_path) {
            Some(path) => normalise_base_path(&label, &path)?,
            None => base_url.as_deref().map(path_of_url).unwrap_or_else(|| "/".into()),
        };
        let skills = if !flags.skills.is_empty() {
            flags.skills.iter().cloned().map(|d| SkillsSource::unnamed(SkillsRoot::Disk(d))).collect()
        } else if file.skills_dirs.is_some() || file.sources.is_some() {
            let mut skills: Vec<SkillsSource> = file.skills_dirs.unwrap_or_default().into_iter().map(|d| SkillsSource::unnamed(SkillsRoot::Disk(dir.join(d)))).collect();
            for entry in file.sources.unwrap_or_default() {
                skills.push(resolve_source(&label, entry, &dir)?);
            }
            skills
        } else {
            vec![SkillsSource::unnamed(SkillsRoot::Bundled)]
        };
        let content = match (&flags.content, file.content_dir) {
            (Some(flag), _) => ContentRoot::Disk(flag.clone()),
            (None, Some(content)) => ContentRoot::Disk(dir.join(content)),
            (None, None) => ContentRoot::Bundled,
        };
        let run = resolve_run(&label, file.run.unwrap_or_default(), &dir)?;
        let search_language = match file.search.and_then(|s| s.language) {
            None => llmos_core::Language::default(),
            Some(name) => llmos_core::Language::from_name(&name).ok_or_else(|| {
                Diagnostic::error(&label, 0, 0, format!("`[search] language` is `{name}`; LLMos knows {}", llmos_core::Language::NAMES.join(", ")))
                    .with_help("write language = \"english\", or \"none\" for text in other languages")
            })?,
        };
        Ok(Settings {
            run,
            search_language,
            title: flags.title.clone().or(file.title).unwrap_or_else(|| "LLMos".into()),
            description: file.description.unwrap_or_else(|| DEFAULT_DESCRIPTION.into()),
            base_url,
            base_path,
            skills,
            content,
            theme_dir: file.theme_dir.map(|t| dir.join(t)),
            out: flags.out.clone().or_else(|| file.output_dir.map(|o| dir.join(o))).unwrap_or_else(|| "dist".into()),
            config_file: path,
            dev_reload: false,
            remote_images: file.remote_images.unwrap_or(false),
            keep_going: false,
        })
    }
}

fn resolve_source(label: &str, entry: SourceEntry, dir: &Path) -> Result<SkillsSource, Diagnostic> {
    let name = entry.name.trim().to_string();
    if name.is_empty() || name.chars().any(char::is_control) || name.chars().count() > 80 {
        return Err(Diagnostic::error(label, 0, 0, format!("a `[[source]]` has the name `{}`; a source needs a name of 1 to 80 characters on one line", entry.name.escape_debug()))
            .with_help("write for example name = \"Anthropic skills\""));
    }
    let url = match entry.url.map(|u| u.trim().to_string()) {
        Some(url) if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(char::is_whitespace) || url.contains(['"', '<', '>']) => {
            return Err(Diagnostic::error(label, 0, 0, format!("the `[[source]]` `{name}` has the url `{url}`, which is not an http(s) address"))
                .with_help("write the collection's address, e.g. url = \"https://github.com/anthropics/skills\""));
        }
        url => url,
    };
    let license = entry.license.map(|l| l.trim().to_string()).filter(|l| !l.is_empty());
    let category = entry.category.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
    Ok(SkillsSource { root: SkillsRoot::Disk(dir.join(entry.path)), name, url, license, category })
}

fn resolve_run(label: &str, run: RunFile, dir: &Path) -> Result<RunSettings, Diagnostic> {
    let pyodide_url = match run.pyodide_url.map(|u| u.trim().to_string()) {
        None => None,
        Some(url) => {
            let local = url.starts_with("http://localhost") || url.starts_with("http://127.0.0.1");
            if !(url.starts_with("https://") || local) || url.contains(char::is_whitespace) || url.contains(['"', '\'', ';']) {
                return Err(Diagnostic::error(label, 0, 0, format!("`[run] pyodide_url` must be an https:// address, got `{url}`"))
                    .with_help("for example pyodide_url = \"https://cdn.jsdelivr.net/pyodide/v0.28.3/full/\""));
            }
            Some(if url.ends_with('/') { url } else { format!("{url}/") })
        }
    };
    let time_limit_secs = run.time_limit.unwrap_or(DEFAULT_TIME_LIMIT_SECS);
    if !(1..=3600).contains(&time_limit_secs) {
        return Err(Diagnostic::error(label, 0, 0, format!("`[run] time_limit` is {time_limit_secs} seconds; it must be 1 to 3600")).with_help("write time_limit = 60"));
    }
    Ok(RunSettings { pyodide_url, pyodide_dir: run.pyodide_dir.map(|d| dir.join(d)), time_limit_secs })
}

fn read_config(path: &Path) -> Result<ConfigFile, Diagnostic> {
    let label = path.display().to_string();
    // Checked by type and size before it is opened: a FIFO would block the
    // read for ever, and `/dev/zero` would fill the memory.
    let meta = std::fs::metadata(path).map_err(|e| Diagnostic::error(&label, 0, 0, format!("cannot read the configuration: {e}")))?;
    if !meta.is_file() {
        return Err(Diagnostic::error(&label, 0, 0, "the configuration is not a regular file (a folder, FIFO, device or socket)").with_help("point --config at an llmos.toml file"));
    }
    if meta.len() > llmos_core::limits::MAX_CONFIG_BYTES {
        return Err(Diagnostic::error(&label, 0, 0, format!("the configuration is {} bytes; the limit is {}", meta.len(), llmos_core::limits::MAX_CONFIG_BYTES))
            .with_help("an llmos.toml holds a few settings; check that --config names the right file"));
    }
    let text = std::fs::read_to_string(path).map_err(|e| Diagnostic::error(&label, 0, 0, format!("cannot read the configuration: {e}")))?;
    toml::from_str(&text).map_err(|e| {
        let (line, column) = e.span().map_or((0, 0), |span| {
            let before = &text[..span.start.min(text.len())];
            (before.matches('\n').count() + 1, before.len() - before.rfind('\n').map_or(0, |p| p + 1) + 1)
        });
        Diagnostic::error(&label, line, column, format!("invalid configuration: {}", e.message()))
            .with_help("known keys: title, description, base_url, base_path, skills_dirs, content_dir, theme_dir, output_dir, remote_images, the table [run] with pyodide_url, pyodide_dir, time_limit, the table [search] with language, and [[source]] tables with name, path, url, license, category")
    })
}

fn normalise_base_url(label: &str, url: &str) -> Result<String, Diagnostic> {
    let url = url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(char::is_whitespace) {
        return Err(Diagnostic::error(label, 0, 0, format!("base_url `{url}` is not an http(s) URL"))
            .with_help("write the full address, e.g. https://user.github.io/repo/"));
    }
    Ok(if url.ends_with('/') { url.to_string() } else { format!("{url}/") })
}

fn path_of_url(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    after_scheme.find('/').map_or_else(|| "/".to_string(), |i| after_scheme[i..].to_string())
}

fn normalise_base_path(label: &str, path: &str) -> Result<String, Diagnostic> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let safe = |s: &&str| *s != "." && *s != ".." && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c));
    if !segments.iter().all(safe) {
        return Err(Diagnostic::error(label, 0, 0, format!("base path `{path}` has characters that do not belong in a URL path"))
            .with_help("use letters, digits, `-`, `_`, `.` and `/`, e.g. /my-repo/"));
    }
    Ok(if segments.is_empty() { "/".into() } else { format!("/{}/", segments.join("/")) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths_are_normalised() {
        assert_eq!(normalise_base_path("x", "repo").unwrap(), "/repo/");
        assert_eq!(normalise_base_path("x", "/a/b").unwrap(), "/a/b/");
        assert_eq!(normalise_base_path("x", "").unwrap(), "/");
        assert!(normalise_base_path("x", "/../etc/").is_err());
        assert!(normalise_base_path("x", "/a b/").is_err());
        assert_eq!(path_of_url("https://user.github.io/repo/"), "/repo/");
        assert_eq!(path_of_url("https://example.com"), "/");
    }

    #[test]
    fn flags_override_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("llmos.toml");
        std::fs::write(&config, "title = \"Mine\"\nbase_url = \"https://u.github.io/r\"\nskills_dirs = [\"s\"]\n").unwrap();
        let flags = Overrides { config: Some(config.clone()), title: Some("Flag".into()), ..Default::default() };
        let settings = Settings::resolve(&flags).unwrap();
        assert_eq!(settings.title, "Flag");
        assert_eq!(settings.base_path, "/r/");
        assert_eq!(settings.base_url.as_deref(), Some("https://u.github.io/r/"));
        assert!(matches!(&settings.skills[..], [SkillsSource { root: SkillsRoot::Disk(d), .. }] if d == &dir.path().join("s")));
    }

    #[test]
    fn sources_follow_skills_dirs_and_flags_replace_both() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("llmos.toml");
        std::fs::write(&config, "skills_dirs = [\"vendor/acme/skills\"]\n[[source]]\nname = \"Anthropic skills\"\npath = \"a.zip\"\nurl = \"https://github.com/anthropics/skills\"\nlicense = \"Apache-2.0\"\n").unwrap();
        let settings = Settings::resolve(&Overrides { config: Some(config.clone()), ..Default::default() }).unwrap();
        let names: Vec<&str> = settings.skills.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["acme/skills", "Anthropic skills"]);
        assert_eq!(settings.skills[1].url.as_deref(), Some("https://github.com/anthropics/skills"));
        assert_eq!(settings.skills[1].license.as_deref(), Some("Apache-2.0"));
        assert!(matches!(&settings.skills[1].root, SkillsRoot::Disk(d) if d == &dir.path().join("a.zip")));
        let flags = Overrides { config: Some(config.clone()), skills: vec![dir.path().join("mine.zip"), dir.path().join("team")], ..Default::default() };
        let names: Vec<String> = Settings::resolve(&flags).unwrap().skills.into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["mine", "team"]);
        std::fs::write(&config, "[[source]]\nname = \"x\"\npath = \"s\"\nurl = \"javascript:alert(1)\"\n").unwrap();
        let err = Settings::resolve(&Overrides { config: Some(config), ..Default::default() }).err().unwrap();
        assert!(err.message.contains("not an http(s) address"), "{err}");
    }

    #[test]
    fn unknown_keys_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("llmos.toml");
        std::fs::write(&config, "title = \"x\"\nskill_dirs = []\n").unwrap();
        let err = Settings::resolve(&Overrides { config: Some(config), ..Default::default() }).err().unwrap();
        assert_eq!(err.line, 2, "{err}");
        assert!(err.message.contains("skill_dirs"), "{err}");
    }
}
