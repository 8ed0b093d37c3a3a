//! Loading: skills and docs read from their trees, parsed and validated in
//! parallel. Nothing here writes; `llmos check` stops after this step.

use crate::config::Settings;
use crate::output::OutputError;
use crate::source::{FileData, SourceFile, SourceTree};
use crate::theme::fnv1a;
use llmos_core::doc::sort_docs;
use llmos_core::limits::MAX_PAGES;
use llmos_core::safety::{review, reviews_path, Finding, ReviewFile, MAX_REVIEWED_BYTES};
use llmos_core::{parse_doc, parse_skill, Catalogue, Diagnostic, Doc, Skill, SkillSource};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

mod patch;
pub(crate) use patch::patch;

/// A build or check that cannot go on, with everything found on the way.
#[derive(Debug, Default)]
pub struct Failure {
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

impl From<Diagnostic> for Failure {
    fn from(error: Diagnostic) -> Self {
        Failure { errors: vec![error], warnings: Vec::new() }
    }
}

impl From<OutputError> for Failure {
    fn from(error: OutputError) -> Self {
        Diagnostic::error(&error.path.display().to_string(), 0, 0, error.message).into()
    }
}

/// Skills and docs, parsed and validated, with the files each skill publishes.
pub struct Loaded {
    pub catalogue: Catalogue,
    pub docs: Vec<Doc>,
    pub warnings: Vec<Diagnostic>,
    /// With `keep_going`: the errors of the skills left out, one or more per skill.
    pub skipped: Vec<Diagnostic>,
    /// By skill slug: the raw SKILL.md and the other files of its folder.
    pub(crate) assets: crate::output::FastMap<SkillAssets>,
    /// The skills roots, in reading order, with unique slugs and the count
    /// of published skills each gave.
    pub sources: Vec<llmos_core::SourceInfo>,
    /// By skill slug: the skills of the same page address that the published
    /// one replaced (last wins), as (their SKILL.md path, their source).
    pub shadowed: HashMap<String, Vec<(String, usize)>>,
    /// The catalogue's categories and tags, made once (the dev server
    /// keeps them across an edit that changes neither).
    pub(crate) taxonomies: std::sync::OnceLock<Arc<(llmos_core::Taxonomy, llmos_core::Taxonomy)>>,
}

impl Loaded {
    /// The catalogue's categories and tags (`Catalogue::categories`, `Catalogue::keywords`).
    pub fn taxonomies(&self) -> Arc<(llmos_core::Taxonomy, llmos_core::Taxonomy)> {
        self.taxonomies.get_or_init(|| Arc::new(rayon::join(|| self.catalogue.categories(), || self.catalogue.keywords()))).clone()
    }

    /// Every skill's safety findings, acknowledged ones included.
    pub fn safety_findings(&self) -> impl Iterator<Item = &Finding> {
        self.assets.values().flat_map(|a| &a.findings)
    }
}

pub(crate) struct SkillAssets {
    pub(crate) skill_md: FileData,
    pub(crate) files: Vec<(String, FileData, u64)>,
    /// Changes whenever the SKILL.md bytes or any file of the folder change,
    /// so the dev server can tell which skill pages to render again.
    pub(crate) fingerprint: u64,
    /// Which of `Loaded::sources` the skill comes from.
    pub(crate) source: usize,
    /// The safety review of the folder, acknowledged findings included.
    pub(crate) findings: Vec<Finding>,
}


/// Parsed SKILL.md files kept by the dev server between builds, by path.
/// An entry is reused while the file's size and modification time and its
/// folder's listing are unchanged, so a rebuild reads only edited files.
pub type ParseCache = Mutex<crate::output::FastMap<Arc<CachedParse>>>;

pub struct CachedParse {
    stamp: (u64, u64, u64),
    bytes_hash: u64,
    result: Result<(Skill, Vec<Diagnostic>), Diagnostic>,
    findings: Vec<Finding>,
}

/// Reads and validates everything; writes nothing.
pub fn load(settings: &Settings) -> Result<Loaded, Failure> {
    load_reusing(settings, None)
}

/// `load`, reusing what `cache` holds for files that did not change, and
/// leaving in it exactly the files seen this time.
/// What the dev server keeps to load again quickly: the last walks and
/// parses, and the paths changed since (`None`: unknown, walk everything).
pub struct Reuse<'a> {
    pub parsed: &'a ParseCache,
    pub trees: &'a crate::source::TreeCache,
    pub changed: Option<&'a [std::path::PathBuf]>,
}

pub fn load_reusing(settings: &Settings, reuse: Option<Reuse>) -> Result<Loaded, Failure> {
    // LLMOS_TIMINGS=1: where loading spends its time.
    let started = std::time::Instant::now();
    let cache = reuse.as_ref().map(|r| r.parsed);
    let trees_reuse = reuse.as_ref().map(|r| (r.trees, r.changed));
    let mut failure = Failure::default();
    let mut trees = Vec::new();
    for source in &settings.skills {
        match source.root.load_reusing(trees_reuse) {
            Ok(tree) => trees.push(tree),
            Err(error) => failure.errors.push(error),
        }
    }
    let content = match settings.content.load_reusing(trees_reuse) {
        Ok(tree) => Some(tree),
        Err(error) => {
            failure.errors.push(error);
            None
        }
    };
    let lap = |what: &str| {
        if std::env::var_os("LLMOS_TIMINGS").is_some() {
            eprintln!("  load: {what} {:.2?}", started.elapsed());
        }
    };
    lap("walked");
    let mut skipped = Vec::new();
    let parsed = parse_skills(&trees, &mut failure, cache, settings.keep_going.then_some(&mut skipped));
    lap("parsed");
    let docs = content.as_ref().map(|tree| parse_docs(tree, &mut failure)).unwrap_or_default();
    if !failure.errors.is_empty() {
        return Err(failure);
    }
    let mut assets: crate::output::FastMap<SkillAssets> = Default::default();
    let mut shadowed: HashMap<String, Vec<(String, usize)>> = HashMap::new();
    let mut skills = Vec::with_capacity(parsed.len());
    for (mut skill, skill_assets) in parsed {
        if skill.category.is_none() {
            skill.category = settings.skills[skill_assets.source].category.clone();
        }
        // Assets follow the same "later wins" rule as the skills themselves.
        if let Some(earlier) = assets.insert(skill.slug.clone(), skill_assets) {
            // Named inside its source, not by the build machine's path.
            let path = skills.iter().rev().find(|s: &&Skill| s.slug == skill.slug).map(|s| s.path.clone()).unwrap_or_default();
            let root = trees.get(earlier.source).map(|t| t.label.as_str()).unwrap_or_default();
            let inside = path.strip_prefix(root).map(|p| p.trim_start_matches('/').to_string()).unwrap_or(path);
            shadowed.entry(skill.slug.clone()).or_default().push((inside, earlier.source));
        }
        skills.push(skill);
    }
    let mut seen = std::collections::HashSet::new();
    let replaced: Vec<String> = skills.iter().filter(|s| !seen.insert(s.slug.clone())).map(|s| s.name.clone()).collect();
    lap("assets");
    let (mut catalogue, duplicates) = Catalogue::assemble(skills);
    lap("assembled");
    let mut workflow_errors = Vec::new();
    for diagnostic in duplicates.into_iter().chain(check_workflows(&catalogue, &replaced)) {
        match diagnostic.severity {
            llmos_core::Severity::Error if settings.keep_going && catalogue.skills.iter().any(|s| s.path == diagnostic.file && s.workflow.is_some()) => workflow_errors.push(diagnostic),
            llmos_core::Severity::Error => failure.errors.push(diagnostic),
            llmos_core::Severity::Warning => failure.warnings.push(diagnostic),
        }
    }
    if !workflow_errors.is_empty() {
        // A workflow whose steps cannot run is left out like any broken skill.
        let broken: Vec<String> = workflow_errors.iter().map(|d| d.file.clone()).collect();
        let kept: Vec<Skill> = std::mem::take(&mut catalogue.skills).into_iter().filter(|s| !broken.contains(&s.path)).collect();
        catalogue = Catalogue::assemble(kept).0;
        skipped.extend(workflow_errors);
    }
    if !failure.errors.is_empty() {
        return Err(failure);
    }
    lap("workflows checked");
    let pages = page_count(&catalogue, docs.len(), &assets, settings.skills.len());
    if pages > MAX_PAGES {
        failure.errors.push(Diagnostic::error(&settings.skills.iter().map(|s| s.root.label()).collect::<Vec<_>>().join(", "), 0, 0, format!("the site would have {pages} pages; one build writes at most {MAX_PAGES}"))
            .with_help("build the collection as several sites, or use fewer keywords per skill"));
        return Err(failure);
    }
    let sources = source_infos(settings, &catalogue, &assets);
    for (i, source) in sources.iter().enumerate() {
        if sources[..i].iter().any(|s| s.name == source.name) {
            failure.warnings.push(
                Diagnostic::warning(&settings.skills[i].root.label(), 0, 0, format!("two sources are named `{}`: pages, results and the index cannot tell them apart", source.name))
                    .with_help("give each a name of its own with a [[source]] table in llmos.toml (name = \"…\", path = \"…\")"),
            );
        }
    }
    lap("sources");
    Ok(Loaded { catalogue, docs, warnings: failure.warnings, skipped, assets, sources, shadowed, taxonomies: Default::default() })
}

/// The roots as the index describes them: slugs made unique (`-2`, `-3`…
/// after the first), with how many published skills each gave.
fn source_infos(settings: &Settings, catalogue: &Catalogue, assets: &crate::output::FastMap<SkillAssets>) -> Vec<llmos_core::SourceInfo> {
    let mut counts = vec![0; settings.skills.len()];
    for skill in &catalogue.skills {
        counts[assets[&skill.slug].source] += 1;
    }
    let mut taken = std::collections::HashSet::new();
    settings
        .skills
        .iter()
        .zip(counts)
        .map(|(source, skills)| {
            let base = Some(llmos_core::slugify(&source.name)).filter(|s| !s.is_empty()).unwrap_or_else(|| "source".into());
            let slug = (1..).map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") }).find(|s| taken.insert(s.clone())).expect("some suffix is free");
            llmos_core::SourceInfo { name: source.name.clone(), slug, url: source.url.clone(), license: source.license.clone(), skills }
        })
        .collect()
}

/// Every workflow checked against the skills of the catalogue it is
/// published with. A workflow using a skill that a later skills directory
/// `replaced` (say, a bundled workflow whose step skill the user overrode)
/// gets its problems as warnings: the user did not write it.
fn check_workflows(catalogue: &Catalogue, replaced: &[String]) -> Vec<Diagnostic> {
    let by_name: HashMap<&str, &Skill> = catalogue.skills.iter().map(|s| (s.name.as_str(), s)).collect();
    let mut out = Vec::new();
    for skill in &catalogue.skills {
        let found = llmos_core::workflow::validate(skill, |name| by_name.get(name).map(|s| (*s).into()));
        let steps: Vec<&llmos_core::workflow::Step> = skill.workflow.iter().flat_map(|w| &w.steps).collect();
        let uses_replaced = steps.iter().find(|step| replaced.contains(&step.uses));
        out.extend(found.into_iter().map(|mut diagnostic| {
            if let (Some(step), true) = (uses_replaced, diagnostic.is_error()) {
                diagnostic.severity = llmos_core::Severity::Warning;
                diagnostic.help = Some(format!("`{}` was replaced by a skill of the same name from a later skills directory, so this workflow cannot run as written", step.uses));
            }
            // A step's skill renamed in its own SKILL.md: say where, since
            // the edit that broke this workflow was made in another file.
            let renamed = steps.iter().filter(|step| step.uses_line == diagnostic.line && !by_name.contains_key(step.uses.as_str())).find_map(|step| {
                catalogue.skills.iter().find(|s| s.name != step.uses && s.folder.rsplit(['/', '\\']).next() == Some(step.uses.as_str())).map(|s| (step, s))
            });
            if let (Some((step, now)), true) = (renamed, diagnostic.is_error()) {
                diagnostic.help = Some(format!("{} (folder `{}`) is now named `{}`: put `name: {}` back there, or write `uses: {}` here", now.path, step.uses, now.name, step.uses, now.name));
            }
            diagnostic
        }));
    }
    out
}

/// Pages the render step will write: skill pages, the paginated
/// catalogue, one page per category and tag (paginated), docs, and the
/// fixed pages (home, search, 404, the user's pages); or, when it is
/// within `MAX_PAGES`, a bound over that number (all the check needs).
fn page_count(catalogue: &Catalogue, docs: usize, assets: &crate::output::FastMap<SkillAssets>, sources: usize) -> usize {
    let listed = |count: usize| count.div_ceil(crate::render::PER_PAGE).max(1);
    // A bound without the taxonomies (every term has a skill, and at most
    // one list and one list per source per skill in it): when it is under
    // the limit, so is the count, and the dev server's edit skips them.
    let assigned: usize = catalogue.skills.iter().map(|s| s.keywords.len() + 1).sum();
    let bound = catalogue.skills.len() + listed(catalogue.skills.len()) + 2 * assigned + docs + sources + 13;
    if bound <= MAX_PAGES {
        return bound;
    }
    let mut terms = 0;
    for term in [catalogue.categories(), catalogue.keywords()].iter().flat_map(|t| &t.terms) {
        terms += listed(term.skills.len());
        // A term with skills of several sources also gets a list per source.
        let mut from: Vec<usize> = term.skills.iter().map(|&i| assets[&catalogue.skills[i].slug].source).collect();
        from.sort_unstable();
        from.dedup();
        if from.len() > 1 {
            terms += from.len();
        }
    }
    catalogue.skills.len() + listed(catalogue.skills.len()) + terms + docs + sources + 13
}

/// Every skill folder of `trees`, parsed. With `skipped` (`--keep-going`),
/// a folder with errors is left out and its errors go there instead of
/// into `failure`.
fn parse_skills(trees: &[SourceTree], failure: &mut Failure, cache: Option<&ParseCache>, mut skipped: Option<&mut Vec<Diagnostic>>) -> Vec<(Skill, SkillAssets)> {
    let started = std::time::Instant::now();
    let timings = std::env::var_os("LLMOS_TIMINGS").is_some();
    let mut jobs = Vec::new();
    for (source, tree) in trees.iter().enumerate() {
        failure.warnings.extend(tree.refused.iter().cloned());
        failure.warnings.extend(crate::assets::misnamed_skill_files(&tree.label, &tree.files));
        let folders = tree.skill_folders();
        if timings {
            eprintln!("  load: folders found {:.2?}", started.elapsed());
        }
        if folders.is_empty() {
            failure.warnings.push(Diagnostic::warning(&tree.label, 0, 0, "no SKILL.md found in this directory").with_help("skills are folders holding a SKILL.md file, at any depth"));
        }
        // Checked in parallel, reported in order.
        let checked: Vec<_> = folders
            .into_par_iter()
            .map(|mut folder| {
                let folder_display = folder.display_path.strip_suffix("/SKILL.md").unwrap_or(&folder.display_path).to_string();
                let checked = crate::assets::check_files(&folder_display, std::mem::take(&mut folder.files));
                (folder, checked)
            })
            .collect();
        for (mut folder, checked) in checked {
            failure.warnings.extend(checked.warnings);
            if let (Some(skipped), false) = (skipped.as_deref_mut(), checked.errors.is_empty()) {
                skipped.extend(checked.errors);
                continue;
            }
            failure.errors.extend(checked.errors);
            folder.files = checked.files;
            jobs.push((source, folder));
        }
    }
    if timings {
        eprintln!("  load: folders checked {:.2?}", started.elapsed());
    }
    let previous = cache.map(|c| std::mem::take(&mut *c.lock().expect("no parse panicked"))).unwrap_or_default();
    let seen: Mutex<crate::output::FastMap<Arc<CachedParse>>> = Mutex::new(Default::default());
    let results: Vec<Result<(Skill, SkillAssets, Vec<Diagnostic>), Diagnostic>> = jobs
        .par_iter()
        .map(|(source, folder)| {
            let listing_hash = listing_hash(&folder.files);
            let stamp = folder.skill_md.modified.map(|modified| (modified, folder.skill_md.size, listing_hash));
            let parsed = match previous.get(&folder.display_path).filter(|hit| stamp.is_some() && Some(hit.stamp) == stamp) {
                Some(hit) => Arc::clone(hit),
                // Too large to be a SKILL.md: refused by its size, before it is read.
                None if folder.skill_md.size as usize > llmos_core::limits::MAX_SKILL_MD_BYTES => {
                    let error = llmos_core::limits::skill_md_too_large(&folder.display_path, folder.skill_md.size);
                    Arc::new(CachedParse { stamp: stamp.unwrap_or_default(), bytes_hash: 0, result: Err(error), findings: Vec::new() })
                }
                None => {
                    let bytes = folder.skill_md.read().map_err(|e| Diagnostic::error(&folder.display_path, 0, 0, format!("cannot read the file: {e}")))?;
                    let names: Vec<String> = folder.files.iter().map(|(rel, _)| rel.clone()).collect();
                    let source = SkillSource { path: &folder.display_path, folder: &folder.folder, bytes: &bytes, files: &names };
                    let folder_display = folder.display_path.strip_suffix("/SKILL.md").unwrap_or(&folder.display_path);
                    let result = parse_skill(&source).and_then(|parsed| check_circuit(parsed, folder_display, &folder.files));
                    let findings = result.as_ref().map(|(skill, _)| review_folder(skill, &bytes, &folder.files)).unwrap_or_default();
                    Arc::new(CachedParse { stamp: stamp.unwrap_or_default(), bytes_hash: fnv1a(&bytes), result, findings })
                }
            };
            if cache.is_some() && stamp.is_some() {
                seen.lock().expect("no parse panicked").insert(folder.display_path.clone(), Arc::clone(&parsed));
            }
            let (skill, mut warnings) = parsed.result.clone()?;
            let folder_display = folder.display_path.strip_suffix("/SKILL.md").unwrap_or(&folder.display_path);
            warnings.extend(parsed.findings.iter().filter(|f| f.is_active()).map(|f| f.to_diagnostic(folder_display)));
            let files = folder.files.iter().map(|(rel, file)| (rel.clone(), file.data.clone(), file.size)).collect();
            let fingerprint = parsed.bytes_hash ^ listing_hash.rotate_left(1);
            Ok((skill, SkillAssets { skill_md: folder.skill_md.data.clone(), files, fingerprint, findings: parsed.findings.clone(), source: *source }, warnings))
        })
        .collect();
    if let Some(cache) = cache {
        *cache.lock().expect("no parse panicked") = seen.into_inner().expect("no parse panicked");
    }
    let mut parsed = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok((skill, assets, warnings)) => {
                failure.warnings.extend(warnings);
                parsed.push((skill, assets));
            }
            Err(error) => match skipped.as_deref_mut() {
                Some(skipped) => skipped.push(error),
                None => failure.errors.push(error),
            },
        }
    }
    parsed
}

/// A hash of a folder's listing: each file's path, size and time.
fn listing_hash(files: &[(String, &SourceFile)]) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::hash::DefaultHasher::new();
    for (rel, file) in files {
        hasher.write(rel.as_bytes());
        hasher.write_u8(0);
        hasher.write_u64(file.size);
        hasher.write_u8(u8::from(file.modified.is_some()));
        hasher.write_u64(file.modified.unwrap_or_default());
    }
    hasher.finish()
}

/// A `type: qasm` skill's circuit, parsed as the runtime will parse it (its
/// number inputs, at their defaults or 0, as the circuit's parameters), so
/// `llmos check` and the build report a circuit that cannot run, with its
/// file, line and column. A missing or unreadable entry is left to the
/// skill's own warning and to the run.
fn check_circuit(parsed: (Skill, Vec<Diagnostic>), folder_display: &str, files: &[(String, &SourceFile)]) -> Result<(Skill, Vec<Diagnostic>), Diagnostic> {
    let (skill, warnings) = parsed;
    let (Some("qasm"), Some(entry)) = (skill.kind.as_deref(), skill.entry.as_deref()) else { return Ok((skill, warnings)) };
    let Some(bytes) = files.iter().find(|(rel, _)| rel == entry).and_then(|(_, file)| file.read().ok()) else { return Ok((skill, warnings)) };
    let params = skill
        .inputs
        .iter()
        .filter(|i| matches!(i.kind.as_str(), "number" | "integer") && !llmos_core::quantum::RUN_INPUTS.contains(&i.name.as_str()))
        .map(|i| (i.name.clone(), i.default.as_ref().and_then(serde_json::Value::as_f64).unwrap_or(0.0)))
        .collect();
    match llmos_core::quantum::qasm::parse(&String::from_utf8_lossy(&bytes), &params) {
        Ok(_) => Ok((skill, warnings)),
        Err(e) => Err(Diagnostic::error(&format!("{folder_display}/{entry}"), e.line, e.column, e.message)
            .with_help("fix the circuit: `llmos quantum` runs the file on its own, and the skill's number inputs are its `input` parameters")),
    }
}

/// The safety review of one skill folder: its SKILL.md and the files the
/// review reads (text and code up to `MAX_REVIEWED_BYTES`; unreadable
/// files are left to the build, which reports them when it copies them).
fn review_folder(skill: &Skill, skill_md: &[u8], files: &[(String, &SourceFile)]) -> Vec<Finding> {
    let read: Vec<(&str, std::borrow::Cow<'static, [u8]>)> = files
        .iter()
        .filter(|(rel, file)| reviews_path(rel) && file.size as usize <= MAX_REVIEWED_BYTES)
        .filter_map(|(rel, file)| Some((rel.as_str(), file.read().ok()?)))
        .collect();
    let mut inputs = vec![ReviewFile { path: "SKILL.md", bytes: skill_md }];
    inputs.extend(read.iter().map(|(path, bytes)| ReviewFile { path, bytes }));
    review(skill, &inputs)
}

fn parse_docs(tree: &SourceTree, failure: &mut Failure) -> Vec<Doc> {
    let mut docs = Vec::new();
    for (file, stem) in tree.doc_files() {
        let path = tree.display(&file.rel);
        if file.size > llmos_core::limits::MAX_SKILL_MD_BYTES as u64 {
            failure.errors.push(llmos_core::limits::page_too_large(&path, file.size));
            continue;
        }
        let parsed = file
            .read()
            .map_err(|e| Diagnostic::error(&path, 0, 0, format!("cannot read the file: {e}")))
            .and_then(|bytes| parse_doc(&path, stem, &bytes));
        match parsed {
            Ok((doc, warnings)) => {
                failure.warnings.extend(warnings);
                docs.push(doc);
            }
            Err(error) => failure.errors.push(error),
        }
    }
    sort_docs(&mut docs);
    docs
}
