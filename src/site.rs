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
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use crate::load::{load, Failure, Loaded};
use crate::load::{load_reusing, ParseCache};

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
fn search_index_reusing(loaded: &Loaded, language: Language, cache: &mut HashMap<String, (u64, Arc<AnalysedDoc>)>) -> SearchIndex {
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

/// What the dev server keeps between builds so one edit costs little.
#[derive(Default)]
pub struct DevCache {
    /// Every file of the served site, with the hash of its bytes.
    written: HashMap<String, u64>,
    /// Per skill slug, the key its page was rendered with.
    pages: HashMap<String, crate::render::PageKey>,
    analysed: HashMap<String, (u64, Arc<AnalysedDoc>)>,
    parsed: ParseCache,
}

/// The dev server's build: into `settings.out` in place, rendering again
/// only the skill pages whose files changed and writing only files whose
/// bytes changed. Validation is the same as `build`: on an error nothing
/// is written and the served site stays as it was.
pub fn build_live(settings: &Settings, cache: &mut DevCache) -> Result<BuildReport, Failure> {
    let started = Instant::now();
    let loaded = load_reusing(settings, Some(&cache.parsed))?;
    let loaded_at = started.elapsed();
    let search = name_sources(search_index_reusing(&loaded, settings.search_language, &mut cache.analysed), &loaded);
    let indexed_at = started.elapsed();
    let live = LiveDir::new(&settings.out, std::mem::take(&mut cache.written)).map_err(|e| with_warnings(e.into(), &loaded.warnings))?;
    let previous_pages = std::mem::take(&mut cache.pages);
    let renderer = Renderer::new(settings, &loaded, false, search, &previous_pages);
    // On a failure below, the caches are left empty: the next build writes everything.
    let counts = renderer.render_all(&live).map_err(|e| with_warnings(e, &loaded.warnings))?;
    let python = renderer.python_summary();
    cache.written = live.finish().map_err(|e| with_warnings(e.into(), &loaded.warnings))?;
    cache.pages = renderer.page_keys.into_inner().expect("no render panicked");
    if std::env::var_os("LLMOS_TIMINGS").is_some() {
        eprintln!("timings: load {loaded_at:.2?}, search index {:.2?}, render and write {:.2?}", indexed_at - loaded_at, started.elapsed() - indexed_at);
    }
    Ok(BuildReport { out: settings.out.clone(), skills: loaded.catalogue.skills.len(), pages: counts.0, files: counts.1, warnings: loaded.warnings, skipped: loaded.skipped, elapsed: started.elapsed(), python })
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
    let no_previous_pages = HashMap::new();
    let renderer = Renderer::new(settings, &loaded, show_progress, name_sources(search_index(&loaded.catalogue, settings.search_language), &loaded), &no_previous_pages);
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
