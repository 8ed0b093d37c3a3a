//! Rendering: every page of the site from the loaded catalogue, in
//! parallel, through the theme's templates. Each page render receives only
//! what that page shows (one skill, or one slice of cards), so build time
//! grows linearly with the number of skills.

use crate::config::Settings;
use crate::islands::IslandFiles;
use crate::load::{Failure, Loaded};
use crate::markdown::Markdown;
use crate::output::{FastMap, SiteWriter};
use crate::theme::{fnv1a, Theme};
use indicatif::{ProgressBar, ProgressStyle};
use llmos_core::catalogue::TaxonomyTerm;
use llmos_core::index::skill_url;
use llmos_core::{published_path, Diagnostic, IndexEntry, SearchIndex, SiteInfo, Skill, SkillIndex, INDEX_VERSION};
use rayon::prelude::*;
use serde::Serialize;
use std::io::IsTerminal;
use std::sync::Mutex;

mod files;
mod skill_page;
mod sources;

pub use files::zip_rel;

pub const PER_PAGE: usize = 100;

/// `my/edit/`, `my/skill/`, `chat/`, `my/traces/` and `my/evolution/`, written but left out of the sitemap.
pub(crate) const USER_PAGES_OUTSIDE_SITEMAP: usize = 5;

/// The path, under the base path, of `llmos serve`'s own endpoints
/// (live-reload script and events). Production sites never link to it.
pub const DEV_PREFIX: &str = "__llmos/";

/// Result fragments of the search indexes (skills and docs together) the
/// service worker precaches at most; above that, none are precached and the
/// worker's runtime cache keeps those shown. 2,000 covers the bundled site
/// and typical catalogues whole.
const PRECACHED_RESULT_FRAGMENTS: usize = 2_000;

#[derive(Serialize)]
struct SiteContext<'a> {
    title: &'a str,
    description: &'a str,
    base: &'a str,
    base_url: Option<&'a str>,
    stylesheet: &'a str,
    skill_count: usize,
    /// The islands loader, when this binary carries the bundle.
    islands_script: Option<String>,
    /// The workbench bundle's loader (pages of the user's own skills).
    workbench_script: Option<String>,
    /// The chat bundle's loader.
    chat_script: Option<String>,
    /// The evolution bundle's loader (the traces and evolution pages).
    evolution_script: Option<String>,
    /// The sync bundle's loader (the sync page).
    sync_script: Option<String>,
    /// The runner bundle's loader (pages of executable skills).
    runner_script: Option<String>,
    /// The web app manifest and the touch icon, with the base path.
    manifest: Option<String>,
    touch_icon: Option<String>,
    theme_color: &'static str,
    /// `llmos serve` only: the live-reload script.
    reload_script: Option<String>,
    /// The Content-Security-Policy of pages without islands, and with.
    static_csp: String,
    island_csp: String,
}

#[derive(Serialize)]
struct Card<'a> {
    name: &'a str,
    url: String,
    description: &'a str,
    kind: Option<&'a str>,
    category: Option<&'a str>,
    category_slug: Option<String>,
}

#[derive(Serialize)]
struct TermLink {
    slug: String,
    label: String,
    url: String,
    count: usize,
}

#[derive(Serialize)]
struct DocLink<'a> {
    slug: &'a str,
    title: &'a str,
    description: Option<&'a str>,
    url: String,
}

#[derive(Serialize)]
struct Pagination {
    current: usize,
    total: usize,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Serialize, Clone)]
struct Crumb {
    label: String,
    url: String,
}

#[derive(Serialize)]
struct SkillView<'a> {
    /// What a card shows (name, URL, description, type, category), plus the rest.
    #[serde(flatten)]
    card: Card<'a>,
    keywords: Vec<TermLink>,
    license: Option<&'a str>,
    compatibility: Option<&'a str>,
    allowed_tools: Option<&'a str>,
    metadata: &'a std::collections::BTreeMap<String, String>,
    entry: Option<&'a str>,
    entry_url: Option<String>,
    inputs: Vec<IoView<'a>>,
    outputs: Vec<IoView<'a>>,
    words: usize,
    files: Vec<FileView>,
    /// A workflow's steps: (id, label, used skill, its page).
    steps: Vec<(String, String, String, String)>,
    safety: SafetyView<'a>,
    /// The skill folder as a zip, base path included; `None` for a skill
    /// too large to zip (see `files::MAX_ZIP_BYTES`).
    zip_url: Option<String>,
    zip_size: Option<String>,
    /// SKILL.md's page with its text highlighted and a Copy button.
    skill_md_view: String,
    install: Option<files::Install>,
    source: Option<SourceView<'a>>,
    /// Skills of other sources (or the same) that this one replaced: (SKILL.md path, source name).
    shadowed: Vec<(&'a str, &'a str)>,
    /// "Customise": the editor, copying this skill into the user's own.
    customise_url: String,
    /// "Use in chat": the chat with this skill attached to the next message.
    chat_url: String,
}

/// The safety review as the skill page's badge shows it.
#[derive(Serialize)]
struct SafetyView<'a> {
    /// Active findings by severity, and the silenced ones.
    danger: usize,
    warning: usize,
    acknowledged: usize,
    findings: Vec<FindingView<'a>>,
}

#[derive(Serialize)]
struct FindingView<'a> {
    rule: &'static str,
    title: &'static str,
    level: &'static str,
    file: &'a str,
    /// The file's page, relative to the skill page.
    url: String,
    line: usize,
    /// The message and help as (is code, text) runs, split at backticks.
    message: Vec<(bool, &'a str)>,
    help: Vec<(bool, &'a str)>,
    acknowledged: Option<&'a str>,
}

/// Splits at backticks: "a `b` c" gives (false, "a "), (true, "b"), (false, " c").
fn code_runs(text: &str) -> Vec<(bool, &str)> {
    text.split('`').enumerate().filter(|(_, t)| !t.is_empty()).map(|(i, t)| (i % 2 == 1, t)).collect()
}

fn safety_view(findings: &[llmos_core::safety::Finding]) -> SafetyView<'_> {
    use llmos_core::safety::Level;
    let active = |level: Level| findings.iter().filter(|f| f.is_active() && f.severity == level).count();
    SafetyView {
        danger: active(Level::Danger),
        warning: active(Level::Warning),
        acknowledged: findings.iter().filter(|f| !f.is_active()).count(),
        findings: findings
            .iter()
            .map(|f| FindingView {
                rule: f.rule.id(),
                title: f.rule.title(),
                level: if f.severity == Level::Danger { "danger" } else { "warning" },
                url: if f.file == "SKILL.md" { "SKILL.md".into() } else { url_path(&published_path(&f.file)) },
                file: &f.file,
                line: f.line,
                message: code_runs(&f.message),
                help: code_runs(&f.help),
                acknowledged: f.acknowledged.as_deref(),
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct IoView<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    description: Option<&'a str>,
    default: Option<String>,
    required: bool,
}

#[derive(Serialize)]
struct FileView {
    path: String,
    /// Relative to the skill page; differs from `path` for active documents.
    url: String,
    size: String,
    /// The file's page with its text highlighted, relative to the skill
    /// page; `None` for files that get none (see `files::view_rel`).
    view_url: Option<String>,
}

/// Where a skill comes from, as its page says.
#[derive(Serialize)]
struct SourceView<'a> {
    name: &'a str,
    /// The source's page on this site (`sources/<slug>/`).
    page: String,
    url: Option<&'a str>,
    license: Option<&'a str>,
}

/// What the dev server remembers of a rendered skill: the key its files
/// were made with, and its zip's SHA-256 for the index.
#[derive(Clone, Default)]
pub struct PageKey {
    key: u64,
    /// The skill's files' fingerprint: an edit of them is never deferred.
    content: u64,
    pub(crate) sha256: Option<String>,
    /// Every file the skill put in the output, relative to the site root.
    pub(crate) written: Vec<String>,
}

pub(crate) struct Renderer<'a> {
    settings: &'a Settings,
    loaded: &'a Loaded,
    theme: Theme,
    markdown: Markdown,
    pub(crate) progress: ProgressBar,
    islands: Option<&'static IslandFiles>,
    workbench: Option<&'static IslandFiles>,
    chat: Option<&'static IslandFiles>,
    evolution: Option<&'static IslandFiles>,
    /// The kits' files (no loaders of their own: the workbench's and the chat's import them).
    skillkit: Option<&'static IslandFiles>,
    markdown_kit: Option<&'static IslandFiles>,
    search_kit: Option<&'static IslandFiles>,
    chat_search_kit: Option<&'static IslandFiles>,
    /// The sync page's bundle.
    sync: Option<&'static IslandFiles>,
    runner: Option<crate::runner::RunnerSite>,
    offline: Option<crate::offline::Offline>,
    search_json: Vec<u8>,
    /// The sharded indexes of the search box (`site::search_files`).
    search_files: Vec<(String, Vec<u8>)>,
    /// The search island's markup: (plain, autofocused).
    search_html: (String, String),
    /// Versioned URL of the search index, which islands also read.
    index_url: String,
    /// Everything site-wide that a skill page shows, hashed.
    site_key: u64,
    /// What the last build rendered (dev server only).
    previous: &'a Rendered,
    pub(crate) page_keys: Mutex<FastMap<std::sync::Arc<PageKey>>>,
    /// Per page (`rel_dir`), the hash of its template and context.
    pub(crate) context_keys: Mutex<FastMap<u64>>,
    /// Per skill (catalogue order), a hash of its card in lists (dev server only).
    card_keys: Vec<u64>,
    /// The site's own templates a skill's pages are made with, hashed.
    skill_theme_key: u64,
    /// Dev server only: which out-of-date pages wait for a later pass.
    defer: Option<&'a Deferral<'a>>,
    /// Dev server only: the skills (catalogue indexes) whose pages may be
    /// out of date, when every other's is known not to be (`carry_skills`).
    only: Option<Vec<usize>>,
    /// Dev server only: the files written or kept by pages other than
    /// the skills' (`Rendered::others`).
    pub(crate) others: Mutex<Vec<String>>,
}

/// How many out-of-date pages a dev build renders, and which it leaves
/// for later: an edit of a template or of llmos.toml outdates every page
/// made with it, thousands in a large catalogue, and the browser should
/// not wait for all of them. Pages open in a browser (and those asked
/// for meanwhile) are always rendered; an edit of a skill's own files
/// too. A deferred page keeps its last file and its old key, so the next
/// build renders it; `llmos serve` runs such builds until none is left,
/// and holds a request for a deferred page until it is rendered.
pub struct Deferral<'a> {
    /// Out-of-date pages rendered before deferring the rest.
    budget: std::sync::atomic::AtomicIsize,
    /// True once a newer build waits for this one: the rest is deferred.
    give_way: &'a (dyn Fn() -> bool + Sync),
    /// Pages (`rel_dir`, e.g. `skills/x/`) that are rendered whatever the budget.
    fresh: Vec<String>,
    /// The pages left out of date (`rel_dir`).
    pub(crate) deferred: Mutex<Vec<String>>,
}

impl<'a> Deferral<'a> {
    /// Renders `budget` out-of-date pages (none once `give_way()`), and every page of `fresh`.
    pub fn new(budget: usize, fresh: Vec<String>, give_way: &'a (dyn Fn() -> bool + Sync)) -> Deferral<'a> {
        Deferral { budget: std::sync::atomic::AtomicIsize::new(budget as isize), give_way, fresh, deferred: Mutex::new(Vec::new()) }
    }

    /// Whether the out-of-date page at `rel_dir` waits; `tree`: the page's
    /// folder is its own (a skill's), so a file open in it counts.
    fn defers(&self, rel_dir: &str, tree: bool) -> bool {
        if self.fresh.iter().any(|open| open == rel_dir || (tree && open.starts_with(rel_dir))) {
            return false;
        }
        if !(self.give_way)() && self.budget.fetch_sub(1, std::sync::atomic::Ordering::Relaxed) > 0 {
            return false;
        }
        self.deferred.lock().expect("no render panicked").push(rel_dir.to_string());
        true
    }
}

/// What the dev server remembers of a build's pages, so the next one
/// renders only pages whose inputs changed.
#[derive(Default)]
pub struct Rendered {
    /// Per skill slug, the key its page and files were made with.
    pub(crate) pages: FastMap<std::sync::Arc<PageKey>>,
    /// Per other page (`rel_dir`), the hash of its template and context.
    pub(crate) contexts: FastMap<u64>,
    /// The site and theme keys the skill pages were made with, but for
    /// those of `stale_skills` (`Renderer::carry_skills`).
    pub(crate) skill_keys: Option<(u64, u64)>,
    /// The skills (slugs) whose pages were left out of date for a later build.
    pub(crate) stale_skills: Vec<String>,
    /// The files of the pages that are not a skill's (listings, docs, the
    /// bundles…), which a build that carries the skills' files checks again.
    pub(crate) others: Vec<String>,
}

type RenderResult<T> = Result<T, Failure>;

/// Notes each file written or kept through it (when `on`).
struct OthersRecorder<'w> {
    inner: &'w dyn SiteWriter,
    others: &'w Mutex<Vec<String>>,
    on: bool,
}

impl OthersRecorder<'_> {
    fn note(&self, rels: &[&str]) {
        if self.on {
            self.others.lock().expect("no render panicked").extend(rels.iter().map(|r| r.to_string()));
        }
    }
}

impl SiteWriter for OthersRecorder<'_> {
    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), crate::output::OutputError> {
        self.note(&[rel]);
        self.inner.write(rel, bytes)
    }

    fn copy(&self, rel: &str, data: &crate::source::FileData) -> Result<(), crate::output::OutputError> {
        self.note(&[rel]);
        self.inner.copy(rel, data)
    }

    fn keep(&self, rel: &str) -> bool {
        let kept = self.inner.keep(rel);
        if kept {
            self.note(&[rel]);
        }
        kept
    }

    fn keep_all(&self, rels: &[String]) -> bool {
        let kept = self.inner.keep_all(rels);
        if kept {
            self.note(&rels.iter().map(String::as_str).collect::<Vec<_>>());
        }
        kept
    }
}

impl<'a> Renderer<'a> {
    /// `search` is `None` for the dev server, which writes the index after
    /// the pages (`write_indexes`) under an unversioned URL it never lets
    /// browsers cache.
    pub(crate) fn new(settings: &'a Settings, loaded: &'a Loaded, show_progress: bool, search: Option<&SearchIndex>, previous: &'a Rendered, defer: Option<&'a Deferral<'a>>) -> RenderResult<Self> {
        let progress = if show_progress && std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(0);
            bar.set_style(ProgressStyle::with_template("{spinner} building {bar:30} {pos}/{len} pages {per_sec}").unwrap_or_else(|_| ProgressStyle::default_bar()));
            bar
        } else {
            ProgressBar::hidden()
        };
        let started = std::time::Instant::now();
        let lap = |what: &str| if settings.dev_reload && std::env::var_os("LLMOS_TIMINGS").is_some() { eprintln!("  prepare: {what} {:.2?}", started.elapsed()) };
        let offline = crate::offline::Offline::new(settings);
        let prelude = offline.as_ref().map(|o| o.loader_prelude()).unwrap_or_default();
        // The bundles are part of the binary: named and hashed once per
        // process for each loader prelude (one, in practice).
        type Bundles = [Option<IslandFiles>; 9];
        static PUBLISHED: std::sync::Mutex<Vec<(String, &'static Bundles)>> = std::sync::Mutex::new(Vec::new());
        let published: &'static Bundles = {
            let mut known = PUBLISHED.lock().expect("no publisher panicked");
            match known.iter().find(|(p, _)| *p == prelude) {
                Some((_, bundles)) => bundles,
                None => {
                    // The workbench and chat fetch their kit on first use: their loaders say where it is.
                    let kit = crate::islands::skillkit_bundle().map(|(js, wasm)| crate::islands::publish_kit("skillkit", js, wasm));
                    let markdown_kit = crate::islands::markdown_kit_bundle().map(|(js, wasm)| crate::islands::publish_kit("markdown", js, wasm));
                    let with_kit = |kit: &Option<IslandFiles>| format!("{prelude}{}", kit.as_ref().map(crate::islands::skillkit_prelude).unwrap_or_default());
                    // The search engine, fetched by the site bundle's search box when a visitor
                    // starts to search; the chat's ranking, by the chat when it first offers skills.
                    let search_kit = crate::islands::searchkit_bundle().map(|(js, wasm)| crate::islands::publish_kit("searchkit", js, wasm));
                    let chat_search_kit = crate::islands::chat_searchkit_bundle().map(|(js, wasm)| crate::islands::publish_kit("chatsearch", js, wasm));
                    let site_prelude = format!("{prelude}{}", search_kit.as_ref().map(crate::islands::searchkit_prelude).unwrap_or_default());
                    let chat_searching = chat_search_kit.as_ref().map(crate::islands::searchkit_prelude).unwrap_or_default();
                    let (workbench_prelude, chat_prelude) = (with_kit(&kit), format!("{}{chat_searching}", with_kit(&markdown_kit)));
                    let [islands, workbench, chat, evolution, sync] = [
                        ("islands", crate::islands::bundle(), &site_prelude),
                        ("workbench", crate::islands::workbench_bundle(), &workbench_prelude),
                        ("chat", crate::islands::chat_bundle(), &chat_prelude),
                        ("evolution", crate::islands::evolution_bundle(), &prelude),
                        ("sync", crate::islands::sync_bundle(), &prelude),
                    ]
                    .map(|(name, bundle, prelude)| bundle.map(|(js, wasm)| crate::islands::publish(name, js, wasm, prelude)));
                    let bundles: &'static Bundles = Box::leak(Box::new([islands, workbench, chat, evolution, sync, kit, markdown_kit, search_kit, chat_search_kit]));
                    known.push((prelude.clone(), bundles));
                    bundles
                }
            }
        };
        let [islands, workbench, chat, evolution, sync, skillkit, markdown_kit, search_kit, chat_search_kit] = published.each_ref().map(Option::as_ref);
        lap("bundles");
        let runner = crate::runner::RunnerSite::new(settings, &loaded.catalogue.skills, &prelude);
        lap("runner");
        let search_json = search.map(|search| serde_json::to_vec(search).expect("the search index serialises")).unwrap_or_default();
        let index_url = match search {
            Some(_) => format!("{}index/search.json?v={:016x}", settings.base_path, fnv1a(&search_json)),
            None => format!("{}index/search.json", settings.base_path),
        };
        let (search_files, shards_version) = match search {
            Some(search) => crate::site::search_files(search, &crate::site::docs_index(&loaded.docs, settings.search_language)),
            None => (Vec::new(), 0),
        };
        // The dev server's are unversioned, as its search.json.
        let version = if search.is_some() { format!("?v={shards_version:016x}") } else { String::new() };
        let skills_url = format!("{}index/search/manifest.bin{version}", settings.base_path);
        let docs_url = format!("{}index/docs/manifest.bin{version}", settings.base_path);
        let search_html = (
            llmos_islands::render::search_box(&skills_url, &docs_url, &settings.base_path, false),
            llmos_islands::render::search_box(&skills_url, &docs_url, &settings.base_path, true),
        );
        lap("search box");
        let theme = Theme::load(settings.theme_dir.as_deref(), !settings.dev_reload)?;
        lap("theme");
        let site_key = fnv1a(
            format!(
                "{}\0{}\0{}\0{:?}\0{}\0{:?}\0{:?}\0{}\0{}\0{:?}\0{:?}",
                settings.title, settings.description, settings.base_path, settings.base_url, theme.stylesheet_path, offline.as_ref().map(|o| o.manifest_path()),
                [&islands, &workbench, &chat, &evolution, &sync].map(|b| b.as_ref().map(|i| &i.loader_path)), settings.dev_reload, loaded.catalogue.skills.len(),
                runner.as_ref().map(|r| (&r.loader_path, r.config_json())),
                loaded.sources.iter().map(|s| (&s.name, &s.slug, &s.url, &s.license)).collect::<Vec<_>>()
            )
            .as_bytes(),
        );
        let card_keys = if settings.dev_reload {
            // FxHash, a word at a time: 10,000 of these are made on every edit.
            loaded.catalogue.skills.par_iter().map(|s| std::hash::BuildHasher::hash_one(&rustc_hash::FxBuildHasher, (&s.name, &s.slug, &s.description, &s.kind, &s.category))).collect()
        } else {
            Vec::new()
        };
        lap("site key, cards");
        let skill_theme_key = (theme.key_for("skill.html") ^ theme.key_for("file.html").rotate_left(1)).rotate_left(17);
        Ok(Renderer { settings, loaded, theme, markdown: Markdown::new(&settings.base_path, settings.remote_images), progress, islands, workbench, chat, evolution, sync, skillkit, markdown_kit, search_kit, chat_search_kit, runner, offline, search_json, search_files, search_html, index_url, site_key, previous, page_keys: Mutex::new(FastMap::with_capacity_and_hasher(previous.pages.len(), Default::default())), context_keys: Mutex::new(FastMap::with_capacity_and_hasher(previous.contexts.len(), Default::default())), card_keys, skill_theme_key, defer, only: None, others: Mutex::new(Vec::new()) })
    }

    /// Dev server: looks again only at the pages of the skills `slugs`
    /// (those an edit re-read) and of those the last build left out of
    /// date, and carries every other skill's page and files over as they
    /// are, when nothing else they are made from changed: the site and
    /// theme keys are those of the last build. Returns whether it will;
    /// the carried skills are then not in `page_keys`.
    pub(crate) fn carry_skills(&mut self, slugs: &[String]) -> bool {
        if self.previous.skill_keys != Some((self.site_key, self.skill_theme_key)) {
            return false;
        }
        let skills = &self.loaded.catalogue.skills;
        let looked_at = slugs.len() + self.previous.stale_skills.len();
        let mut only: Vec<usize> = slugs.iter().chain(&self.previous.stale_skills).filter_map(|slug| skills.binary_search_by(|s| s.slug.as_str().cmp(slug)).ok()).collect();
        if only.len() != looked_at || slugs.iter().any(|slug| !self.previous.pages.contains_key(slug)) {
            return false;
        }
        only.sort_unstable();
        only.dedup();
        self.only = Some(only);
        true
    }

    /// How many skill pages a build carrying the others looks at (`carry_skills`).
    pub(crate) fn checked_skills(&self) -> usize {
        self.only.as_ref().map_or(self.loaded.catalogue.skills.len(), Vec::len)
    }

    /// The site and theme keys of the skill pages (`Rendered::skill_keys`).
    pub(crate) fn skill_keys(&self) -> (u64, u64) {
        (self.site_key, self.skill_theme_key)
    }

    /// Where Python skills run from on this site (for the build's summary).
    pub(crate) fn python_summary(&self) -> Option<crate::runner::PythonSummary> {
        self.runner.as_ref().and_then(|r| r.python_summary())
    }

    fn base(&self) -> &str {
        &self.settings.base_path
    }

    fn site(&self) -> SiteContext<'_> {
        SiteContext {
            title: &self.settings.title,
            description: &self.settings.description,
            base: self.base(),
            base_url: self.settings.base_url.as_deref(),
            stylesheet: &self.theme.stylesheet_path,
            skill_count: self.loaded.catalogue.skills.len(),
            islands_script: self.islands.as_ref().map(|i| format!("{}{}", self.base(), i.loader_path)),
            workbench_script: self.workbench.as_ref().map(|i| format!("{}{}", self.base(), i.loader_path)),
            chat_script: self.chat.as_ref().map(|i| format!("{}{}", self.base(), i.loader_path)),
            evolution_script: self.evolution.as_ref().map(|i| format!("{}{}", self.base(), i.loader_path)),
            sync_script: self.sync.as_ref().map(|i| format!("{}{}", self.base(), i.loader_path)),
            runner_script: self.runner.as_ref().map(|r| format!("{}{}", self.base(), r.loader_path)),
            manifest: self.offline.as_ref().map(|o| format!("{}{}", self.base(), o.manifest_path())),
            touch_icon: self.offline.as_ref().map(|o| format!("{}{}", self.base(), o.touch_icon_path())),
            theme_color: crate::offline::THEME_COLOR,
            reload_script: self.settings.dev_reload.then(|| format!("{}{DEV_PREFIX}reload.js", self.base())),
            static_csp: crate::csp::static_csp(self.settings),
            island_csp: crate::csp::island_csp(self.settings),
        }
    }

    /// The `?v=` of the sharded indexes' URLs.
    fn search_box_version(&self) -> String {
        self.search_files.first().map(|_| format!("?v={:016x}", crate::site::search_files_hash(&self.search_files))).unwrap_or_default()
    }

    fn canonical(&self, rel_url: &str) -> Option<String> {
        self.settings.base_url.as_ref().map(|url| format!("{url}{rel_url}"))
    }

    /// Writes every page and file; returns (pages, other files).
    pub(crate) fn render_all(&self, out: &dyn SiteWriter) -> RenderResult<(usize, usize)> {
        let recorder = crate::offline::RevisionRecorder::new(out);
        let out: &dyn SiteWriter = &recorder;
        let (mut pages, files) = self.render_pages(out)?;
        self.write_index(out, &self.search_json)?;
        self.write_sitemap(out, &mut pages)?;
        if let Some(offline) = &self.offline {
            offline.write_worker(out, self.precache(recorder.entries()), self.runner.as_ref().and_then(|r| r.pyodide_dir()).as_deref())?;
        }
        Ok((pages.len() + USER_PAGES_OUTSIDE_SITEMAP + 1, files))
    }

    /// Every page and file but the indexes, the sitemap and the service
    /// worker; returns the pages of the sitemap and the number of other files.
    pub(crate) fn render_pages(&self, out: &dyn SiteWriter) -> RenderResult<(Vec<String>, usize)> {
        let t = std::time::Instant::now();
        let lap = |what: &str| if std::env::var_os("LLMOS_TIMINGS").is_some() { eprintln!("  {what}: {:.2?}", t.elapsed()) };
        let catalogue = &self.loaded.catalogue;
        let taxonomies = self.loaded.taxonomies();
        let (categories, keywords) = &*taxonomies;
        lap("taxonomies");
        let all: Vec<usize> = (0..catalogue.skills.len()).collect();
        let listing_pages = all.len().div_ceil(PER_PAGE).max(1)
            + categories.terms.iter().chain(&keywords.terms).map(|t| t.skills.len().div_ceil(PER_PAGE)).sum::<usize>();
        self.progress.set_length((catalogue.skills.len() + listing_pages + self.loaded.docs.len() + 5) as u64);

        let files: usize = match &self.only {
            Some(only) => {
                let carried: usize = catalogue.skills.iter().map(|s| self.loaded.assets[&s.slug].files.len() + 2).sum();
                let carried = carried - only.iter().map(|&i| self.loaded.assets[&catalogue.skills[i].slug].files.len() + 2).sum::<usize>();
                carried + only.par_iter().map(|&i| self.skill_page(out, &catalogue.skills[i])).collect::<RenderResult<Vec<usize>>>()?.into_iter().sum::<usize>()
            }
            None => catalogue.skills.par_iter().map(|skill| self.skill_page(out, skill)).collect::<RenderResult<Vec<usize>>>()?.into_iter().sum(),
        };
        let mut pages: Vec<String> = catalogue.skills.iter().map(|s| format!("skills/{}/", s.slug)).collect();
        // From here on, every file is another page's (`Rendered::others`).
        let recorder = OthersRecorder { inner: out, others: &self.others, on: self.settings.dev_reload };
        let out: &dyn SiteWriter = &recorder;

        lap("skill pages");
        pages.extend(self.listing(out, "skills", "All skills", &format!("Every skill in {}, A to Z.", self.settings.title), "skills/", &all, Vec::new(), None)?);
        for (section, taxonomy, noun) in [("categories", categories, "category"), ("tags", keywords, "tag")] {
            pages.push(self.terms_page(out, section, &taxonomy.terms, noun)?);
            let listed: Vec<Vec<String>> = taxonomy.terms.par_iter().map(|term| self.term_page(out, section, noun, term)).collect::<RenderResult<_>>()?;
            pages.extend(listed.into_iter().flatten());
        }
        lap("listings");
        pages.extend(self.sources_pages(out)?);
        pages.extend(self.docs_pages(out)?);
        lap("sources, docs");
        pages.push(self.home(out, categories)?);
        let context = minijinja::context! { site => self.site(), section => "search", has_islands => true, search_html => &self.search_html.1, canonical => self.canonical("search/") };
        pages.push(self.page(out, "search/", "search.html", context)?);
        pages.push(self.user_skill_pages(out)?);
        for (path, bytes) in self.islands.iter().chain(&self.workbench).chain(&self.chat).chain(&self.evolution).chain(&self.sync).chain(&self.skillkit).chain(&self.markdown_kit).chain(&self.search_kit).chain(&self.chat_search_kit).flat_map(|i| &i.files) {
            // Their names carry a hash of their bytes: one of the last build is the same file.
            if !out.keep(path) {
                out.write(path, bytes)?;
            }
        }
        if let Some(runner) = &self.runner {
            runner.write(out)?;
        }
        self.not_found(out)?;
        out.write(&self.theme.stylesheet_path, self.theme.stylesheet.as_bytes())?;
        if let Some(offline) = &self.offline {
            offline.write_app_files(out)?;
        }
        // GitHub Pages would otherwise run Jekyll, which hides files starting with `_`.
        out.write(".nojekyll", b"")?;
        lap("rest");
        Ok((pages, files))
    }

    /// What the service worker precaches besides its own files: the shell
    /// pages, the stylesheet, every bundle and loader, the runner's files
    /// and both indexes (the skill index's own name is stable).
    fn precache(&self, shells: Vec<crate::offline::PrecacheEntry>) -> Vec<crate::offline::PrecacheEntry> {
        use crate::offline::PrecacheEntry;
        let mut entries = shells;
        entries.push(PrecacheEntry::hashed(&self.theme.stylesheet_path));
        // Not the sync page's bundle: sync needs the network anyway, and most
        // visitors never open it (it is cached like any file once they do).
        entries.extend(self.islands.iter().chain(&self.workbench).chain(&self.chat).chain(&self.evolution).chain(&self.skillkit).chain(&self.markdown_kit).chain(&self.search_kit).chain(&self.chat_search_kit).flat_map(|i| &i.files).map(|(path, _)| PrecacheEntry::hashed(path)));
        entries.extend(self.runner.iter().flat_map(|r| r.hashed_files()).map(PrecacheEntry::hashed));
        entries.push(PrecacheEntry::hashed(self.index_url.strip_prefix(self.base()).unwrap_or(&self.index_url)));
        // The manifests, term shards and facets whole, so any query ranks
        // offline; their shared `?v=` changes with any of them. Result
        // fragments (one small file per result) only while there are few:
        // a worker's install must not fetch tens of thousands of files, and
        // on larger sites they are cached as results are shown.
        let version = self.search_box_version();
        let is_fragment = |path: &str| path.rsplit('/').next().is_some_and(|name| name.starts_with('d') && name.ends_with(".bin"));
        let fragments = self.search_files.iter().filter(|(path, _)| is_fragment(path)).count();
        entries.extend(
            self.search_files
                .iter()
                .filter(|(path, _)| fragments <= PRECACHED_RESULT_FRAGMENTS || !is_fragment(path))
                .map(|(path, _)| PrecacheEntry::hashed(&format!("{path}{version}"))),
        );
        entries
    }

    /// The pages of the user's own skills: all three are shells the islands
    /// fill from the browser's storage. Only the list is in the sitemap;
    /// the editor and the skill view mean nothing without a user.
    fn user_skill_pages(&self, out: &dyn SiteWriter) -> RenderResult<String> {
        let base = self.base();
        let pages = [
            ("my/", "Your skills", "Skills you write or import live in this browser, next to the site's own. They show in the catalogue, in search and in your chats, and you can export them to publish with llmos.", llmos_islands::render::my_skills(base, &self.index_url), true),
            ("my/edit/", "Skill editor", "Write a skill as a form or as SKILL.md, checked as you type.", llmos_islands::render::skill_editor(base, &self.index_url), true),
            ("my/skill/", "Your skill", "A skill of yours, kept in this browser.", llmos_islands::render::user_skill_view(base), false),
            ("chat/", "Chat", "Talk to a model with your own API key, straight from this page, with this site's skills and yours as context.", llmos_islands::render::chat(base, &self.index_url), true),
            ("my/traces/", "Your traces", "Every chat leaves a trace: what it was for, the skills offered and used, the tools called, and whether you marked it solved. Patterns in them become proposed skills.", llmos_evolution::render::traces(base, &self.index_url), true),
            ("my/evolution/", "Evolution", "Tasks you ask for again and again, found in your traces, each with a proposed skill for you to review. Nothing leaves this browser.", llmos_evolution::render::evolution(base, &self.index_url), true),
            ("my/sync/", "Sync", "Keep your skills, chats and traces in a GitHub repository of yours, and on every browser you sync with it. The token stays encrypted in this browser and goes only to the GitHub API.", llmos_sync::render::sync(base), true),
        ];
        for (dir, heading, intro, island_html, show_heading) in pages {
            let (section, csp, bundle) = match dir {
                "chat/" => ("chat", crate::csp::CHAT_CSP.to_string(), "chat"),
                // Synthesis sends the pattern's prompt to the user's provider, as the chat does.
                "my/evolution/" => ("my", crate::csp::CHAT_CSP.to_string(), "evolution"),
                "my/traces/" => ("my", crate::csp::island_csp(self.settings), "evolution"),
                "my/sync/" => ("my", crate::csp::sync_csp(self.settings), "sync"),
                _ => ("my", crate::csp::island_csp(self.settings), "workbench"),
            };
            // The editor, a skill of the user's and the chat run skills too:
            // they load the runner's loader, which starts its bundle on first use.
            let runs = matches!(dir, "my/edit/" | "my/skill/" | "chat/");
            let run_config = self.runner.as_ref().filter(|_| runs).map(|r| r.config_json());
            let csp = match self.runner.as_ref().filter(|_| runs) {
                Some(runner) => runner.page_csp(&csp),
                None => csp,
            };
            let context = minijinja::context! { site => self.site(), section, heading, intro, island_html, show_heading, csp, bundle, has_islands => true, canonical => self.canonical(dir), run_config, page_dir => dir };
            self.page(out, dir, "my.html", context)?;
        }
        Ok("my/".to_string())
    }

    fn page(&self, out: &dyn SiteWriter, rel_dir: &str, template: &str, context: minijinja::Value) -> RenderResult<String> {
        let key = if self.settings.dev_reload { fnv1a(&serde_json::to_vec(&context).expect("page contexts serialise")) } else { 0 };
        self.page_keyed_deferring(out, rel_dir, template, key, true, || context)
    }

    /// `page`, never deferred: for a skill's page, which `skill_page`
    /// already chose to render (deferring it here would leave it out of
    /// date under the skill's new key, which no later build renders again).
    fn page_now(&self, out: &dyn SiteWriter, rel_dir: &str, template: &str, context: minijinja::Value) -> RenderResult<String> {
        let key = if self.settings.dev_reload { fnv1a(&serde_json::to_vec(&context).expect("page contexts serialise")) } else { 0 };
        self.page_keyed_deferring(out, rel_dir, template, key, false, || context)
    }

    /// `page`, where `key` stands for what `context()` would give (the dev
    /// server renders a page again only when its key changed), so a context
    /// is made only for pages that are rendered.
    fn page_keyed(&self, out: &dyn SiteWriter, rel_dir: &str, template: &str, key: u64, context: impl FnOnce() -> minijinja::Value) -> RenderResult<String> {
        self.page_keyed_deferring(out, rel_dir, template, key, true, context)
    }

    /// `page_keyed`; `deferrable`: whether the plan may leave it for later.
    fn page_keyed_deferring(&self, out: &dyn SiteWriter, rel_dir: &str, template: &str, key: u64, deferrable: bool, context: impl FnOnce() -> minijinja::Value) -> RenderResult<String> {
        let rel = if rel_dir.is_empty() { "index.html".to_string() } else { format!("{rel_dir}index.html") };
        if self.settings.dev_reload {
            let key = key ^ fnv1a(template.as_bytes()).rotate_left(5) ^ self.theme.key_for(template).rotate_left(11) ^ self.site_key.rotate_left(3);
            let previous = self.previous.contexts.get(rel_dir).copied();
            let fresh = previous == Some(key) && out.keep(&rel);
            // Deferred, it keeps its old key: the next build renders it.
            let deferred = deferrable && !fresh && previous.is_some() && self.defer.is_some_and(|d| d.defers(rel_dir, false)) && out.keep(&rel);
            self.context_keys.lock().expect("no render panicked").insert(rel_dir.to_string(), if deferred { previous.unwrap_or(key) } else { key });
            if fresh || deferred {
                self.progress.inc(1);
                return Ok(rel_dir.to_string());
            }
        }
        let html = self.theme.render(template, context()).map_err(|e| Diagnostic::error(&format!("theme/templates/{template}"), e.line().unwrap_or(0), 0, format!("rendering {rel_dir} failed: {e}")))?;
        out.write(&rel, html.as_bytes())?;
        self.progress.inc(1);
        Ok(rel_dir.to_string())
    }

    fn card<'s>(&self, skill: &'s Skill) -> Card<'s> {
        Card {
            name: &skill.name,
            url: skill_url(self.base(), &skill.slug),
            description: &skill.description,
            kind: skill.kind.as_deref(),
            category: skill.category.as_deref(),
            category_slug: skill.category.as_deref().map(llmos_core::slugify),
        }
    }

    fn term_link(&self, section: &str, slug: &str, label: &str, count: usize) -> TermLink {
        TermLink { url: format!("{}{section}/{slug}/", self.base()), slug: slug.to_string(), label: label.to_string(), count }
    }

    /// A paginated list of skill cards at `rel_dir`, `rel_dir/page/2/`, …
    #[allow(clippy::too_many_arguments)]
    fn listing(&self, out: &dyn SiteWriter, section: &str, heading: &str, intro: &str, rel_dir: &str, skills: &[usize], crumbs: Vec<Crumb>, shelf_category: Option<&str>) -> RenderResult<Vec<String>> {
        self.listing_filtered(out, section, heading, intro, rel_dir, skills, crumbs, shelf_category, &[])
    }

    /// `listing`, with `filters`: links to the same list narrowed to one source.
    #[allow(clippy::too_many_arguments)]
    fn listing_filtered(&self, out: &dyn SiteWriter, section: &str, heading: &str, intro: &str, rel_dir: &str, skills: &[usize], crumbs: Vec<Crumb>, shelf_category: Option<&str>, filters: &[sources::Filter]) -> RenderResult<Vec<String>> {
        let chunks: Vec<&[usize]> = if skills.is_empty() { vec![&[][..]] } else { skills.chunks(PER_PAGE).collect() };
        let total = chunks.len();
        let page_dir = |n: usize| if n == 1 { rel_dir.to_string() } else { format!("{rel_dir}page/{n}/") };
        let mut written = Vec::with_capacity(total);
        for (i, chunk) in chunks.iter().enumerate() {
            let n = i + 1;
            let dir = page_dir(n);
            let search_html = (section == "skills").then_some(&self.search_html.0);
            // The user's own skills join the first page of the catalogue and of each category.
            let shelf = match (section, n) {
                ("skills" | "categories" | "tags", 1) => Some(shelf_category.unwrap_or(heading)),
                _ => None,
            };
            // What the page shows, without making it: its cards by their keys.
            let key = if self.settings.dev_reload {
                let cards = chunk.iter().fold(0u64, |key, &i| key.rotate_left(1) ^ self.card_keys[i]);
                let filters = serde_json::to_vec(filters).expect("filters serialise");
                fnv1a(format!("{section}\0{heading}\0{intro}\0{dir}\0{n}/{total}\0{:?}\0{shelf:?}\0{search_html:?}\0{cards}", crumbs.iter().map(|c| (&c.label, &c.url)).collect::<Vec<_>>()).as_bytes()) ^ fnv1a(&filters).rotate_left(9)
            } else {
                0
            };
            let context = || {
                let cards: Vec<Card> = chunk.iter().map(|&i| self.card(&self.loaded.catalogue.skills[i])).collect();
                let pagination = Pagination {
                    current: n,
                    total,
                    prev: (n > 1).then(|| format!("{}{}", self.base(), page_dir(n - 1))),
                    next: (n < total).then(|| format!("{}{}", self.base(), page_dir(n + 1))),
                };
                let heading = if n > 1 { format!("{heading} (page {n})") } else { heading.to_string() };
                let shelf_html = match (section, shelf) {
                    ("skills", Some(_)) => Some(llmos_islands::render::user_skills_shelf(self.base(), None)),
                    ("categories", Some(label)) => Some(llmos_islands::render::user_skills_shelf(self.base(), Some(label))),
                    ("tags", Some(label)) => Some(llmos_islands::render::user_skills_tag_shelf(self.base(), label)),
                    _ => None,
                };
                let has_islands = search_html.is_some() || shelf_html.is_some();
                minijinja::context! { site => self.site(), section, heading, intro, skills => cards, pagination, crumbs => &crumbs, canonical => self.canonical(&dir), has_islands, search_html, shelf_html, filters }
            };
            written.push(self.page_keyed(out, &dir, "list.html", key, context)?);
        }
        Ok(written)
    }

    fn terms_page(&self, out: &dyn SiteWriter, section: &str, terms: &[TaxonomyTerm], noun: &str) -> RenderResult<String> {
        let links: Vec<TermLink> = terms.iter().map(|t| self.term_link(section, &t.slug, &t.label, t.skills.len())).collect();
        let heading = if section == "tags" { "Tags" } else { "Categories" };
        let intro = format!("{} across {}.", crate::theme::counted(terms.len(), noun), crate::theme::counted(self.loaded.catalogue.skills.len(), "skill"));
        let dir = format!("{section}/");
        let terms_html = (section == "categories").then(|| self.category_counts(terms));
        let context = minijinja::context! { site => self.site(), section, heading, intro, terms => links, canonical => self.canonical(&dir), has_islands => terms_html.is_some(), terms_html };
        self.page(out, &dir, "terms.html", context)
    }

    /// The category list as an island that adds the user's counts to the site's.
    fn category_counts(&self, terms: &[TaxonomyTerm]) -> String {
        let counts: Vec<(&str, &str, usize)> = terms.iter().map(|t| (t.slug.as_str(), t.label.as_str(), t.skills.len())).collect();
        llmos_islands::render::category_counts(self.base(), &counts)
    }

    fn term_page(&self, out: &dyn SiteWriter, section: &str, noun: &str, term: &TaxonomyTerm) -> RenderResult<Vec<String>> {
        let heading = if noun == "tag" { format!("Tagged “{}”", term.label) } else { term.label.clone() };
        let count = term.skills.len();
        let intro = format!("{} in the {noun} “{}”.", crate::theme::counted(count, "skill"), term.label);
        let crumbs = vec![Crumb { label: if noun == "tag" { "Tags".into() } else { "Categories".into() }, url: format!("{}{section}/", self.base()) }];
        let rel_dir = format!("{section}/{}/", term.slug);
        let filters = self.source_filters(&rel_dir, &term.skills, None);
        let mut written = self.listing_filtered(out, section, &heading, &intro, &rel_dir, &term.skills, crumbs.clone(), Some(&term.label), &filters)?;
        written.extend(self.term_source_pages(out, section, noun, term, &heading, crumbs)?);
        Ok(written)
    }

    fn doc_links(&self) -> Vec<DocLink<'_>> {
        self.loaded.docs.iter().map(|d| DocLink { slug: &d.slug, title: &d.title, description: d.description.as_deref(), url: format!("{}docs/{}/", self.base(), d.slug) }).collect()
    }

    fn docs_pages(&self, out: &dyn SiteWriter) -> RenderResult<Vec<String>> {
        let links = self.doc_links();
        let mut pages: Vec<String> = self
            .loaded
            .docs
            .par_iter()
            .map(|doc| {
                let body_html = one_large_at_a_time(doc.body.len(), || self.markdown.doc_html(&doc.body));
                let dir = format!("docs/{}/", doc.slug);
                let view = minijinja::context! { slug => &doc.slug, title => &doc.title, description => &doc.description };
                let context = minijinja::context! { site => self.site(), section => "docs", doc => view, docs => &links, body_html, canonical => self.canonical(&dir) };
                self.page(out, &dir, "doc.html", context)
            })
            .collect::<RenderResult<_>>()?;
        let context = minijinja::context! { site => self.site(), section => "docs", docs => &links, canonical => self.canonical("docs/") };
        pages.push(self.page(out, "docs/", "docs.html", context)?);
        Ok(pages)
    }

    fn home(&self, out: &dyn SiteWriter, categories: &llmos_core::Taxonomy) -> RenderResult<String> {
        let skills = &self.loaded.catalogue.skills;
        let featured: Vec<Card> = skills.iter().filter(|s| s.is_executable()).take(12).map(|s| self.card(s)).collect();
        let terms: Vec<TermLink> = categories.terms.iter().map(|t| self.term_link("categories", &t.slug, &t.label, t.skills.len())).collect();
        let executable_count = skills.iter().filter(|s| s.is_executable()).count();
        let categories_html = self.category_counts(&categories.terms);
        let context = minijinja::context! { site => self.site(), section => "home", categories => terms, categories_html, featured, executable_count, docs => self.doc_links(), canonical => self.canonical(""), has_islands => true, search_html => &self.search_html.0 };
        self.page(out, "", "home.html", context)
    }

    fn not_found(&self, out: &dyn SiteWriter) -> RenderResult<()> {
        let html = self.theme.render("404.html", minijinja::context! { site => self.site(), section => "" }).map_err(|e| Diagnostic::error("theme/templates/404.html", 0, 0, e.to_string()))?;
        out.write("404.html", html.as_bytes())?;
        // The service worker's answer, without a network, for a page not yet kept.
        if self.offline.as_ref().is_some_and(|o| o.has_worker()) {
            let html = self.theme.render("404.html", minijinja::context! { site => self.site(), section => "", offline => true }).map_err(|e| Diagnostic::error("theme/templates/404.html", 0, 0, e.to_string()))?;
            out.write(crate::offline::OFFLINE_PAGE, html.as_bytes())?;
        }
        self.progress.inc(1);
        Ok(())
    }

    fn write_index(&self, out: &dyn SiteWriter, search_json: &[u8]) -> RenderResult<()> {
        let keys = self.page_keys.lock().expect("no render panicked");
        out.write("index/skills.json", &skills_json(&self.site_info(), self.loaded, &|slug| keys.get(slug).and_then(|k| k.sha256.clone())))?;
        out.write("index/search.json", search_json)?;
        for (path, bytes) in &self.search_files {
            out.write(path, bytes)?;
        }
        Ok(())
    }

    pub(crate) fn site_info(&self) -> SiteInfo {
        SiteInfo { title: self.settings.title.clone(), base_path: self.base().to_string(), base_url: self.settings.base_url.clone() }
    }

    fn write_sitemap(&self, out: &dyn SiteWriter, pages: &mut [String]) -> RenderResult<()> {
        out.write("sitemap.xml", &sitemap_xml(&self.site_info(), pages))?;
        self.progress.inc(1);
        Ok(())
    }
}

/// `index/skills.json`: every skill with its files and its zip's SHA-256 (by slug, from `sha256`).
pub(crate) fn skills_json(site: &SiteInfo, loaded: &Loaded, sha256: &dyn Fn(&str) -> Option<String>) -> Vec<u8> {
    let base = site.base_path.as_str();
    let index = SkillIndex {
        version: INDEX_VERSION,
        site: site.clone(),
        sources: loaded.sources.clone(),
        skills: loaded
            .catalogue
            .skills
            .iter()
            .map(|skill| {
                let assets = &loaded.assets[&skill.slug];
                let files: Vec<(String, String, u64)> = assets.files.iter().map(|(p, _, s)| (p.clone(), url_path(&published_path(p)), *s)).collect();
                let mut entry = IndexEntry::new(skill, base, &files, &assets.findings);
                entry.source = Some(loaded.sources[assets.source].name.clone());
                entry.sha256 = sha256(&skill.slug);
                entry.zip_url = entry.sha256.as_ref().map(|_| format!("{base}{}", zip_rel(&skill.slug)));
                entry
            })
            .collect(),
    };
    serde_json::to_vec(&index).expect("the index serialises")
}

/// `sitemap.xml` listing `pages` (site-relative folders), sorted.
pub(crate) fn sitemap_xml(site: &SiteInfo, pages: &mut [String]) -> Vec<u8> {
    pages.sort();
    let prefix = site.base_url.clone().unwrap_or_else(|| site.base_path.clone());
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for page in pages.iter() {
        xml.push_str(&format!("  <url><loc>{}</loc></url>\n", xml_escape(&format!("{prefix}{}", url_path(page)))));
    }
    xml.push_str("</urlset>\n");
    xml.into_bytes()
}

/// Renders a body over `LARGE_BODY_BYTES` while no other large body
/// renders: pathological Markdown can take hundreds of times its size in
/// memory, so large renders in parallel would multiply the peak by the
/// number of threads. Small bodies never wait.
fn one_large_at_a_time<T>(len: usize, render: impl FnOnce() -> T) -> T {
    static LARGE: Mutex<()> = Mutex::new(());
    if len <= llmos_core::limits::LARGE_BODY_BYTES {
        return render();
    }
    let _turn = LARGE.lock().unwrap_or_else(|e| e.into_inner());
    let html = render();
    // glibc keeps freed memory in the arena of the thread that freed it, so
    // large renders on many threads would still add up; give it back now.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory held by the allocator.
    unsafe {
        libc::malloc_trim(0);
    }
    html
}

fn io_view(spec: &llmos_core::IoSpec) -> IoView<'_> {
    IoView {
        name: &spec.name,
        kind: &spec.kind,
        description: spec.description.as_deref(),
        default: spec.default.as_ref().map(|v| v.to_string()),
        required: spec.required,
    }
}

/// Percent-encodes what a file name may hold that a URL path may not.
pub fn url_path(path: &str) -> String {
    llmos_core::slug::percent_encode(path, b"-_.~/")
}

/// Bytes in SI units, as the labels say: 1 kB is 1,000 bytes.
fn human_size(bytes: u64) -> String {
    match bytes {
        0..=999 => format!("{bytes} B"),
        1_000..=999_999 => format!("{:.1} kB", bytes as f64 / 1e3),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
