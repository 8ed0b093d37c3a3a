//! The build: load and validate, render every page, write the indexes, and
//! put the site in place: atomically for `llmos build` (staging folder,
//! swapped in whole), in place and incrementally for `llmos serve`.

use crate::config::{ContentRoot, Settings, SkillsRoot};
use crate::output::{LiveDir, Staging};
use crate::render::Renderer;
use llmos_core::{AnalysedDoc, Catalogue, Diagnostic, Language, SearchIndex, SearchInput};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use crate::load::{load, Failure, Loaded};
use crate::load::{load_reusing, ParseCache, Reuse};

pub struct BuildReport {
    pub out: PathBuf,
    pub skills: usize,
    pub pages: usize,
    pub files: usize,
    pub warnings: Vec<Diagnostic>,
    /// With `--keep-going`: the errors of the skills left out.
    pub skipped: Vec<Diagnostic>,
    pub elapsed: Duration,
    /// Where the site's Python skills run from, for the summary: `None`
    /// without Python skills (or without the runner bundle).
    pub python: Option<crate::runner::PythonSummary>,
}

fn search_inputs(catalogue: &Catalogue) -> Vec<SearchInput<'_>> {
    catalogue
        .skills
        .iter()
        .map(|s| SearchInput { name: &s.name, slug: &s.slug, description: &s.description, keywords: &s.keywords, body: &s.body, category: s.category.as_deref(), kind: s.kind.as_deref() })
        .collect()
}

/// The search index over a catalogue, the same for the site and `llmos search`,
/// analysed in `[search] language`.
pub fn search_index(catalogue: &Catalogue, language: Language) -> SearchIndex {
    let inputs = search_inputs(catalogue);
    let analysed: Vec<AnalysedDoc> = inputs.par_iter().map(|input| AnalysedDoc::with_language(input, language)).collect();
    SearchIndex::from_analysed(&inputs, &analysed.iter().collect::<Vec<_>>())
}

/// The docs pages (`content/`) as a search index of their own, shown as
/// their own group: kept apart so the skills' ranking (and the chat's
/// offering) is the same with or without docs.
pub fn docs_index(docs: &[llmos_core::Doc], language: Language) -> SearchIndex {
    let none: &[String] = &[];
    let inputs: Vec<SearchInput> = docs.iter().map(|d| SearchInput { name: &d.title, slug: &d.slug, description: d.description.as_deref().unwrap_or_default(), keywords: none, body: &d.body, category: None, kind: None }).collect();
    SearchIndex::build_in(&inputs, language)
}

/// The sharded search indexes the search box reads (`llmos_core::ShardedIndex`):
/// skills under `index/search/`, docs under `index/docs/`, as (site path,
/// bytes), and a hash of all of them, the `?v=` of their URLs.
pub fn search_files(skills: &SearchIndex, docs: &SearchIndex) -> (Vec<(String, Vec<u8>)>, u64) {
    let mut files = Vec::new();
    for (dir, index) in [("index/search/", skills), ("index/docs/", docs)] {
        files.extend(llmos_core::ShardedIndex::write(index).into_iter().map(|(path, bytes)| (format!("{dir}{path}"), bytes)));
    }
    let hash = search_files_hash(&files);
    (files, hash)
}

/// One hash of all the files of `search_files`.
pub fn search_files_hash(files: &[(String, Vec<u8>)]) -> u64 {
    files.iter().fold(0xcbf2_9ce4_8422_2325u64, |hash, (path, bytes)| (hash ^ crate::theme::fnv1a(path.as_bytes())).rotate_left(5) ^ crate::theme::fnv1a(bytes))
}

/// Names each result's source (`SearchDoc::source`) when the catalogue has
/// more than one, so results can say it and `source:` can filter by it.
pub fn name_sources(mut index: SearchIndex, loaded: &Loaded) -> SearchIndex {
    if loaded.sources.len() > 1 {
        for doc in &mut index.docs {
            doc.source = loaded.assets.get(&doc.slug).map(|a| loaded.sources[a.source].name.clone());
        }
    }
    index
}

/// The same index, reusing the analysis of skills whose files did not change.
fn search_index_reusing(loaded: &Loaded, language: Language, cache: &mut AnalysisCache) -> SearchIndex {
    let inputs = search_inputs(&loaded.catalogue);
    // A source's default category changes what is indexed, not the files.
    let key = |input: &SearchInput| loaded.assets[input.slug].fingerprint ^ crate::theme::fnv1a(input.category.unwrap_or_default().as_bytes());
    let analysed: Vec<Arc<AnalysedDoc>> = inputs
        .par_iter()
        .map(|input| {
            let fingerprint = key(input);
            match cache.get(input.slug) {
                Some((cached, doc)) if *cached == fingerprint && doc.language() == language => doc.clone(),
                _ => Arc::new(AnalysedDoc::with_language(input, language)),
            }
        })
        .collect();
    *cache = inputs.iter().zip(&analysed).map(|(input, doc)| (input.slug.to_string(), (key(input), doc.clone()))).collect();
    SearchIndex::from_analysed(&inputs, &analysed.iter().map(|d| d.as_ref()).collect::<Vec<_>>())
}

/// Each skill's search analysis, by slug, with the key of what it was made from.
type AnalysisCache = HashMap<String, (u64, Arc<AnalysedDoc>)>;

/// What the dev server keeps between builds so one edit costs little.
#[derive(Default)]
pub struct DevCache {
    /// Every file of the served site but the indexes and the sitemap
    /// (`IndexJob`), with the hash of its bytes.
    written: crate::output::FastMap<u64>,
    /// What each page was rendered from.
    rendered: crate::render::Rendered,
    /// Shared with the index jobs, which may outlive the build.
    analysed: Arc<Mutex<AnalysisCache>>,
    parsed: ParseCache,
    trees: crate::source::TreeCache,
    /// The last good build's catalogue, which an edit of the theme alone reuses.
    loaded: Option<Arc<Loaded>>,
}

/// What a dev build renders now (`build_live`).
pub struct LivePlan<'a> {
    /// Out-of-date pages rendered before the rest are deferred; `None`
    /// renders every one.
    pub budget: Option<usize>,
    /// Pages rendered whatever the budget (`rel_dir`s such as `skills/x/`):
    /// those open in a browser and those asked for.
    pub fresh: &'a [String],
    /// True once the build should defer what is left of its budget (a
    /// newer build waits for it).
    pub give_way: &'a (dyn Fn() -> bool + Sync),
}

impl LivePlan<'_> {
    /// Every out-of-date page.
    pub const ALL: LivePlan<'static> = LivePlan { budget: None, fresh: &[], give_way: &|| false };
}

/// What `build_live` made: its report, the rest of its work, and the
/// pages it left out of date for a later build (`rel_dir`s).
pub struct LiveBuild {
    pub report: BuildReport,
    pub job: IndexJob,
    pub deferred: Vec<String>,
}

/// Whether every path in `changed` is inside the theme folder: the
/// catalogue is then the same, and the last one is reused.
fn theme_only(settings: &Settings, changed: &[PathBuf]) -> bool {
    let Some(theme) = &settings.theme_dir else { return changed.is_empty() };
    let canonical = theme.canonicalize().ok();
    // A theme inside a skills or docs folder would be read as theirs too.
    let inputs: Vec<&PathBuf> = settings
        .skills
        .iter()
        .filter_map(|s| match &s.root {
            SkillsRoot::Disk(dir) => Some(dir),
            SkillsRoot::Bundled => None,
        })
        .chain(match &settings.content {
            ContentRoot::Disk(dir) => Some(dir),
            ContentRoot::Bundled => None,
        })
        .collect();
    changed.iter().all(|path| (path.starts_with(theme) || canonical.as_ref().is_some_and(|c| path.starts_with(c))) && !inputs.iter().any(|dir| path.starts_with(dir)))
}

/// The dev server's build: into `settings.out` in place, walking again
/// only what `changed` (the paths the watcher saw, if known) requires,
/// rendering again only the pages whose inputs changed and writing only
/// files whose bytes changed. Validation is the same as `build`: on an
/// error nothing is written and the served site stays as it was.
///
/// It returns once every page is in place, so open pages can reload then,
/// with the rest as an `IndexJob`: the search index, `index/skills.json`
/// and the sitemap, most of the time of a one-file edit in a large
/// catalogue, which pages fetch only after they load.
///
/// `plan` says how many out-of-date pages to render now; the others keep
/// their last files and are listed in `deferred`, for a later build with
/// `changed` empty. An edit inside the theme folder alone reuses the last
/// catalogue without reading the skills again.
pub fn build_live(settings: &Settings, cache: &mut DevCache, changed: Option<&[PathBuf]>, plan: &LivePlan) -> Result<LiveBuild, Failure> {
    let started = Instant::now();
    // Taken whatever happens: a failed build leaves none to reuse.
    let last = cache.loaded.take();
    let reuse = Reuse { parsed: &cache.parsed, trees: &cache.trees, changed };
    // The skills re-read (their slugs), when every other is as last time.
    let (loaded, touched, how) = match last {
        Some(last) if changed.is_some_and(|changed| theme_only(settings, changed)) => (last, Some(Vec::new()), " (the last catalogue)"),
        Some(mut last) => match Arc::get_mut(&mut last).and_then(|loaded| crate::load::patch(settings, loaded, &reuse)) {
            Some(Ok(slugs)) => (last, Some(slugs), " (patched)"),
            Some(Err(failure)) => {
                std::thread::spawn(move || drop(last));
                return Err(failure);
            }
            None => {
                // Freeing a large catalogue takes milliseconds: not while the browser waits.
                std::thread::spawn(move || drop(last));
                (Arc::new(load_reusing(settings, Some(reuse))?), None, "")
            }
        },
        None => (Arc::new(load_reusing(settings, Some(reuse))?), None, ""),
    };
    let loaded_at = started.elapsed();
    let previous = std::mem::take(&mut cache.rendered);
    let written = std::mem::take(&mut cache.written);
    let deferral = plan.budget.map(|budget| crate::render::Deferral::new(budget, plan.fresh.to_vec(), plan.give_way));
    let mut renderer = Renderer::new(settings, &loaded, false, None, &previous, deferral.as_ref()).map_err(|e| with_warnings(e, &loaded.warnings))?;
    let carried = touched.as_deref().is_some_and(|slugs| !written.is_empty() && renderer.carry_skills(slugs));
    let live = if carried {
        // What this build may drop: the other pages' files and those of the skills it looks at.
        let touched = touched.as_deref().unwrap_or_default();
        let mut candidates: rustc_hash::FxHashSet<String> = previous.others.iter().cloned().collect();
        // (A stale skill's files, made again from the same folder, are the same files.)
        candidates.extend(touched.iter().filter_map(|slug| previous.pages.get(slug)).flat_map(|key| key.written.iter().cloned()));
        LiveDir::patch(&settings.out, written, candidates)
    } else {
        LiveDir::new(&settings.out, written)
    };
    let live = live.map_err(|e| with_warnings(e.into(), &loaded.warnings))?;
    let renderer_checked = renderer.checked_skills();
    let prepared_at = started.elapsed();
    // On a failure below, the caches are left empty: the next build writes everything.
    let (pages, files) = renderer.render_pages(&live).map_err(|e| with_warnings(e, &loaded.warnings))?;
    let rendered_at = started.elapsed();
    cache.written = live.finish().map_err(|e| with_warnings(e.into(), &loaded.warnings))?;
    let python = renderer.python_summary();
    let site = renderer.site_info();
    let skill_keys = renderer.skill_keys();
    let others = std::mem::take(&mut *renderer.others.lock().expect("no render panicked"));
    let mut page_keys = renderer.page_keys.into_inner().expect("no render panicked");
    let contexts = renderer.context_keys.into_inner().expect("no render panicked");
    let deferred = deferral.map(|d| d.deferred.into_inner().expect("no render panicked")).unwrap_or_default();
    let crate::render::Rendered { pages: mut last_keys, contexts: last_contexts, others: last_others, .. } = previous;
    if carried {
        // The carried skills' keys are the last build's.
        last_keys.extend(page_keys);
        page_keys = last_keys;
        std::thread::spawn(move || drop((last_contexts, last_others)));
    } else {
        std::thread::spawn(move || drop((last_keys, last_contexts, last_others)));
    }
    // Skill pages are `skills/<slug>/`; the catalogue's own are `skills/` and `skills/page/<n>/`.
    let stale_skills = deferred.iter().filter_map(|rel| rel.strip_prefix("skills/")?.strip_suffix('/').filter(|slug| !slug.contains('/'))).map(str::to_string).collect();
    cache.rendered = crate::render::Rendered { pages: page_keys, contexts, skill_keys: Some(skill_keys), stale_skills, others };
    if std::env::var_os("LLMOS_TIMINGS").is_some() {
        let how = if carried { format!("{how}, {} skill pages checked", renderer_checked) } else { how.to_string() };
        eprintln!("timings: load {loaded_at:.2?}{how}, prepare {:.2?}, pages {:.2?} ({} deferred), finish {:.2?}", prepared_at - loaded_at, rendered_at - prepared_at, deferred.len(), started.elapsed() - rendered_at);
    }
    cache.loaded = Some(loaded.clone());
    let report = BuildReport {
        out: settings.out.clone(),
        skills: loaded.catalogue.skills.len(),
        pages: pages.len() + crate::render::USER_PAGES_OUTSIDE_SITEMAP + 1,
        files,
        warnings: loaded.warnings.clone(),
        skipped: loaded.skipped.clone(),
        elapsed: started.elapsed(),
        python,
    };
    let sha256 = cache.rendered.pages.iter().filter_map(|(slug, key)| Some((slug.clone(), key.sha256.clone()?))).collect();
    let job = IndexJob { out: settings.out.clone(), site, language: settings.search_language, loaded, sha256, pages, analysed: cache.analysed.clone() };
    Ok(LiveBuild { report, job, deferred })
}

/// The end of a dev build (`build_live`): what it writes after the pages.
pub struct IndexJob {
    out: PathBuf,
    site: llmos_core::SiteInfo,
    language: Language,
    loaded: Arc<Loaded>,
    /// Zip SHA-256 by skill slug.
    sha256: HashMap<String, String>,
    /// The pages of the sitemap.
    pages: Vec<String>,
    analysed: Arc<Mutex<AnalysisCache>>,
}

impl IndexJob {
    /// Builds the indexes and the sitemap and writes them, unless
    /// `current()` says a newer build has made this one stale by then.
    /// Each file is replaced whole (written aside, then renamed), so a
    /// request never reads half of one.
    pub fn run(mut self, current: &dyn Fn() -> bool) -> Result<(), Failure> {
        // Stale before it starts: let go of the catalogue at once (while a
        // job holds it, an edit cannot be patched into it).
        if !current() {
            return Ok(());
        }
        let search = {
            let mut analysed = self.analysed.lock().unwrap_or_else(|e| e.into_inner());
            name_sources(search_index_reusing(&self.loaded, self.language, &mut analysed), &self.loaded)
        };
        if !current() {
            return Ok(());
        }
        let (shards, _) = search_files(&search, &docs_index(&self.loaded.docs, self.language));
        let mut files = vec![
            ("index/search.json".to_string(), serde_json::to_vec(&search).expect("the search index serialises")),
            ("index/skills.json".to_string(), crate::render::skills_json(&self.site, &self.loaded, &|slug| self.sha256.get(slug).cloned())),
            ("sitemap.xml".to_string(), crate::render::sitemap_xml(&self.site, &mut self.pages)),
        ];
        // The manifest last: a search that reads the new manifest finds the new shards.
        files.splice(0..0, shards.into_iter().rev().collect::<Vec<_>>());
        if !current() {
            return Ok(());
        }
        // Two jobs may overlap: each writes aside under a name of its own.
        static JOBS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let job = JOBS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let written: std::collections::HashSet<String> = files.iter().map(|(rel, _)| rel.clone()).collect();
        for (rel, bytes) in files {
            let path = self.out.join(&rel);
            let aside = self.out.join(format!("{rel}.{job}.writing"));
            let write = || -> std::io::Result<()> {
                std::fs::create_dir_all(path.parent().expect("a file in the site"))?;
                std::fs::write(&aside, &bytes)?;
                std::fs::rename(&aside, &path)
            };
            write().map_err(|e| Failure::from(crate::output::OutputError::io(&path, e)))?;
        }
        // Shards and result fragments the index no longer has (a skill
        // deleted, a term gone) would be served as stale answers.
        for dir in ["index/search", "index/docs"] {
            let Ok(entries) = std::fs::read_dir(self.out.join(dir)) else { continue };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let rel = format!("{dir}/{name}");
                if !name.ends_with(".writing") && !written.contains(&rel) && current() {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        Ok(())
    }
}

/// Loads, renders and writes the whole site.
pub fn build(settings: &Settings, show_progress: bool) -> Result<BuildReport, Failure> {
    let started = Instant::now();
    let loaded = load(settings)?;
    let sources: Vec<PathBuf> = settings
        .skills
        .iter()
        .filter_map(|s| match &s.root {
            SkillsRoot::Disk(dir) => Some(dir.clone()),
            SkillsRoot::Bundled => None,
        })
        .chain(match &settings.content {
            ContentRoot::Disk(dir) => Some(dir.clone()),
            ContentRoot::Bundled => None,
        })
        .chain(settings.config_file.iter().cloned())
        .collect();
    let loaded_at = started.elapsed();
    let staging = Staging::create(&settings.out, &sources).map_err(|e| with_warnings(e.into(), &loaded.warnings))?;
    let nothing_rendered = crate::render::Rendered::default();
    let search = name_sources(search_index(&loaded.catalogue, settings.search_language), &loaded);
    let renderer = Renderer::new(settings, &loaded, show_progress, Some(&search), &nothing_rendered, None).map_err(|e| with_warnings(e, &loaded.warnings))?;
    let prepared_at = started.elapsed();
    let counts = renderer.render_all(&staging).map_err(|e| with_warnings(e, &loaded.warnings))?;
    renderer.progress.finish_and_clear();
    let python = renderer.python_summary();
    let rendered_at = started.elapsed();
    let out = staging.commit().map_err(|e| with_warnings(e.into(), &loaded.warnings))?;
    // LLMOS_TIMINGS=1 shows where a build spends its time (used when tuning the benchmark).
    if std::env::var_os("LLMOS_TIMINGS").is_some() {
        eprintln!("timings: load {loaded_at:.2?}, prepare (search index, islands) {:.2?}, render and write {:.2?}, swap {:.2?}", prepared_at - loaded_at, rendered_at - prepared_at, started.elapsed() - rendered_at);
    }
    Ok(BuildReport { out, skills: loaded.catalogue.skills.len(), pages: counts.0, files: counts.1, warnings: loaded.warnings, skipped: loaded.skipped, elapsed: started.elapsed(), python })
}

fn with_warnings(mut failure: Failure, warnings: &[Diagnostic]) -> Failure {
    failure.warnings = warnings.to_vec();
    failure
}
