use clap::{Parser, Subcommand, ValueEnum};
use llmos::config::{Overrides, Settings, SkillsRoot};
use llmos::report::{print_text, summary, JsonReport};
use llmos::scaffold::{self, SkillType};
use llmos::site;
use std::path::PathBuf;
use std::process::ExitCode;

/// Publish a catalogue of Agent Skills (folders with a SKILL.md) as a static website.
#[derive(Parser)]
#[command(name = "llmos", version, about, long_about = None, after_help = "Without llmos.toml or --skills, the bundled system skills and docs are used.\nDocs: the /docs/ pages of any LLMos site (`llmos build`, then open dist/docs/).")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render skills and docs into a static site (HTML, skill index, sitemap)
    Build {
        #[command(flatten)]
        settings: Overrides,
        /// Print nothing but errors and warnings
        #[arg(short, long)]
        quiet: bool,
        /// Leave out the skills that have errors, list them, and publish the rest (exit 0) instead of failing the whole build
        #[arg(long)]
        keep_going: bool,
        /// With --keep-going: exit with status 4 when a skill was left out (the site is still written)
        #[arg(long, requires = "keep_going")]
        fail_on_skipped: bool,
    },
    /// Validate skills and docs without writing anything; exits 1 when there are errors
    Check {
        #[command(flatten)]
        settings: Overrides,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Make a group of warnings errors (exit 1), e.g. `--deny safety` in CI for the safety review's findings
        #[arg(long, value_enum, value_name = "GROUP")]
        deny: Vec<Deny>,
    },
    /// Search the skills with the same ranking as the site's search box
    Search {
        /// What to look for; the last word also matches as a prefix
        query: String,
        #[command(flatten)]
        settings: Overrides,
        /// How many results
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Print JSON (name, score, description, url) instead of text
        #[arg(long)]
        json: bool,
    },
    /// Group goals (one per line on stdin) into recurring tasks as the evolution engine does: prints one cluster id per line, in the same order
    Patterns {
        /// Print the patterns found (clusters of at least --min-size goals) as JSON, with the site's skill that covers each
        #[arg(long)]
        json: bool,
        /// The fewest goals a cluster needs to be a pattern
        #[arg(long, default_value_t = 3)]
        min_size: usize,
        #[command(flatten)]
        settings: Overrides,
    },
    /// Serve the site on 127.0.0.1, rebuild on every change, and reload open pages (development only)
    #[cfg(feature = "dev")]
    Serve {
        #[command(flatten)]
        settings: Overrides,
        /// Port to listen on (0 picks a free one)
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// Address to listen on; anything but loopback exposes your drafts to the network
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
    },
    /// Run an executable skill with python3 or node, as its page's Run panel does; exits 1 when it fails, 2 on bad inputs, 3 when there is nothing to run
    Run {
        /// The skill's name
        skill: String,
        /// One input as NAME=VALUE, read by the input's declared type (numbers, true/false, JSON for lists and objects); a file input also takes NAME=@PATH; repeat for several
        #[arg(long = "input", value_name = "NAME=VALUE")]
        input: Vec<String>,
        /// A JSON file with an object of inputs; --input values override it
        #[arg(long = "inputs", value_name = "FILE")]
        inputs: Option<PathBuf>,
        /// Print the outputs as one line of JSON (as the skill's runtime serialised them) instead of a listing
        #[arg(long)]
        json: bool,
        /// Stop the skill after this many seconds
        #[arg(long, value_name = "SECS", default_value_t = 60.0)]
        timeout: f64,
        #[command(flatten)]
        settings: Overrides,
    },
    /// Run an OpenQASM 2 or 3 circuit on the quantum runtime and print its drawing and most likely outcomes; exits 1 when the circuit has an error
    Quantum {
        /// The OpenQASM file
        file: Option<PathBuf>,
        /// How many shots to sample
        #[arg(long, default_value_t = 1024)]
        shots: usize,
        /// Seed of the sampler, so counts repeat [default: from the clock]
        #[arg(long)]
        seed: Option<u64>,
        /// A value for the circuit's `input float[64] NAME;` as NAME=NUMBER; repeat for several
        #[arg(long = "param", value_name = "NAME=NUMBER")]
        param: Vec<String>,
        /// Print the whole result (counts, amplitudes, histogram SVG, drawing) as JSON
        #[arg(long)]
        json: bool,
        /// Read a JSON request {qasm, shots, seed, params} on stdin and write the JSON result on stdout (what skills' llmos_quantum modules call)
        #[arg(long, conflicts_with_all = ["file", "json"])]
        request: bool,
    },
    /// Create a new skill folder with a valid SKILL.md
    New {
        /// The skill's name: lowercase letters, digits and single hyphens
        name: String,
        /// Where to create it [default: the first skills_dirs entry of llmos.toml, else the current directory]
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// What kind of skill
        #[arg(long = "type", value_enum, default_value_t = SkillType::Instructions)]
        kind: SkillType,
    },
}

/// Warnings that `llmos check --deny` can make errors.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Deny {
    /// The safety review's findings (warnings coded `safety/<rule>`); acknowledged ones stay allowed
    Safety,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    llmos::cleanup::install_interrupt_handler();
    match Cli::parse().command {
        Command::Build { settings, quiet, keep_going, fail_on_skipped } => build(&settings, quiet, keep_going, fail_on_skipped),
        Command::Check { settings, format, deny } => {
            quiet_on_closed_pipe();
            check(&settings, format, &deny)
        }
        Command::New { name, dir, kind } => new(&name, dir, kind),
        Command::Quantum { file, shots, seed, param, json, request } => {
            llmos::run::quantum::command(&llmos::run::quantum::QuantumArgs { file, shots, seed, params: param, json, request })
        }
        Command::Search { query, settings, limit, json } => {
            quiet_on_closed_pipe();
            search(&query, &settings, limit, json)
        }
        Command::Patterns { json, min_size, settings } => llmos::patterns::command(&llmos::patterns::PatternsArgs { json, min_size, settings }),
        Command::Run { skill, input, inputs, json, timeout, settings } => {
            let timeout = std::time::Duration::try_from_secs_f64(timeout).unwrap_or(llmos::run::DEFAULT_TIMEOUT);
            llmos::run::command(&settings, &llmos::run::RunArgs { skill, inputs: input, inputs_file: inputs, json, timeout })
        }
        #[cfg(feature = "dev")]
        Command::Serve { settings, port, bind } => serve(&settings, port, bind),
    }
}

/// Lets a command that writes its results to stdout end quietly when the
/// reader closes the pipe (`llmos search x | head -1`), as Unix tools do,
/// instead of panicking on the failed write: Rust ignores SIGPIPE, so
/// `println!` would see EPIPE and panic. Only for commands that neither
/// serve nor feed child processes, where a closed pipe must stay an error.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: restoring a signal's default disposition before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Exit status of `build --keep-going --fail-on-skipped` when skills were left out.
const SKIPPED_EXIT: u8 = 4;

fn build(flags: &Overrides, quiet: bool, keep_going: bool, fail_on_skipped: bool) -> ExitCode {
    let mut settings = match Settings::resolve(flags) {
        Ok(settings) => settings,
        Err(error) => return fail(&[error], &[]),
    };
    settings.keep_going = keep_going;
    match site::build(&settings, !quiet) {
        Ok(report) => {
            print_text(&report.skipped, &report.warnings);
            if !report.skipped.is_empty() {
                let mut files: Vec<&str> = report.skipped.iter().map(|d| d.file.as_str()).collect();
                files.dedup();
                eprintln!("left out {} with errors (--keep-going); the site has the other {}:", llmos::theme::counted(files.len(), "skill"), llmos::theme::counted(report.skills, "skill"));
                for file in &files {
                    eprintln!("  {file}");
                }
            }
            if !quiet {
                let seconds = report.elapsed.as_secs_f64();
                eprintln!(
                    "built {} skills into {} pages and {} files in {:.2}s ({:.0} pages/s){}",
                    report.skills,
                    report.pages,
                    report.files,
                    seconds,
                    report.pages as f64 / seconds.max(1e-9),
                    if report.warnings.is_empty() && report.skipped.is_empty() { String::new() } else { format!(", {}", summary(report.skipped.len(), report.warnings.len())) }
                );
                eprintln!("site: {}", report.out.display());
                match llmos::islands::bundle() {
                    Some((js, wasm)) => {
                        let (raw, gzipped) = llmos::islands::bundle_size(js, wasm);
                        eprintln!("islands bundle: {:.1} kB, {:.1} kB gzipped (loaded only by pages with an island)", raw as f64 / 1000.0, gzipped as f64 / 1000.0);
                    }
                    None => eprintln!("note: this llmos was built without the islands bundle, so search boxes are plain forms; run scripts/build-islands.sh, then rebuild llmos"),
                }
                for (name, bundle, pages) in [("workbench", llmos::islands::workbench_bundle(), "the pages of your own skills"), ("chat", llmos::islands::chat_bundle(), "the chat page"), ("evolution", llmos::islands::evolution_bundle(), "the traces and evolution pages"), ("skill kit", llmos::islands::skillkit_bundle(), "the workbench, the first time it checks a skill or shows Markdown"), ("Markdown kit", llmos::islands::markdown_kit_bundle(), "the chat, the first time it shows an answer"), ("search kit", llmos::islands::searchkit_bundle(), "a search box, when a visitor starts to search"), ("chat's search kit", llmos::islands::chat_searchkit_bundle(), "the chat, the first time it offers skills"), ("sync", llmos::islands::sync_bundle(), "the sync page, and by the background sync worker once sync is set up")] {
                    if let Some((js, wasm)) = bundle {
                        let (raw, gzipped) = llmos::islands::bundle_size(js, wasm);
                        eprintln!("{name} bundle: {:.1} kB, {:.1} kB gzipped (loaded only by {pages})", raw as f64 / 1000.0, gzipped as f64 / 1000.0);
                    }
                }
                if let Some((js, wasm)) = llmos::islands::runner_bundle() {
                    let (raw, gzipped) = llmos::islands::bundle_size(js, wasm);
                    eprintln!("runner bundle: {:.1} kB, {:.1} kB gzipped (loaded only by pages that run skills)", raw as f64 / 1000.0, gzipped as f64 / 1000.0);
                }
                match &report.python {
                    Some(llmos::runner::PythonSummary::SelfHosted(version, bytes)) => eprintln!("python: Pyodide {version} self-hosted in pyodide/{version}/ ({:.1} MB, fetched by a visitor's first Python run)", *bytes as f64 / 1e6),
                    Some(llmos::runner::PythonSummary::Remote(url)) => eprintln!("python: Pyodide from {url}"),
                    Some(llmos::runner::PythonSummary::Missing) => eprintln!("note: Python skills cannot run on this site: Pyodide was not found. Run scripts/build-site.sh (it fetches it), set LLMOS_PYODIDE_DIR or [run] pyodide_dir to its npm package, or [run] pyodide_url"),
                    None => {}
                }
                eprintln!("view it: llmos serve (the same site, rebuilt as you edit), then open http://127.0.0.1:8000{}", settings.base_path);
                eprintln!("  (to serve {} yourself, the host must send Access-Control-Allow-Origin for pyodide/, as GitHub Pages does, or Python skills cannot start; python3 -m http.server does not)", report.out.display());
                if settings.base_path != "/" {
                    eprintln!("  (with a base path, serve the parent of a folder named after it, e.g. --out /tmp/site{} and -d /tmp/site)", settings.base_path.trim_end_matches('/'));
                }
            }
            if fail_on_skipped && !report.skipped.is_empty() {
                return ExitCode::from(SKIPPED_EXIT);
            }
            ExitCode::SUCCESS
        }
        Err(failure) => {
            let code = fail(&failure.errors, &failure.warnings);
            eprintln!("nothing was written; {} is unchanged", settings.out.display());
            code
        }
    }
}

fn fail(errors: &[llmos_core::Diagnostic], warnings: &[llmos_core::Diagnostic]) -> ExitCode {
    print_text(errors, warnings);
    eprintln!("failed: {}", summary(errors.len(), warnings.len()));
    ExitCode::FAILURE
}

fn check(flags: &Overrides, format: Format, deny: &[Deny]) -> ExitCode {
    let outcome = Settings::resolve(flags).map_err(site::Failure::from).and_then(|settings| site::load(&settings));
    let (errors, warnings, skills, docs) = match &outcome {
        Ok(loaded) => (&[][..], &loaded.warnings[..], loaded.catalogue.skills.len(), loaded.docs.len()),
        Err(failure) => (&failure.errors[..], &failure.warnings[..], 0, 0),
    };
    let (mut errors, mut warnings) = (errors.to_vec(), warnings.to_vec());
    if deny.contains(&Deny::Safety) {
        let is_safety = |d: &llmos_core::Diagnostic| d.code.as_deref().is_some_and(|c| c.starts_with(llmos_core::safety::DIAGNOSTIC_PREFIX));
        let (denied, kept): (Vec<_>, Vec<_>) = warnings.into_iter().partition(is_safety);
        errors.extend(denied.into_iter().map(|mut d| {
            d.severity = llmos_core::Severity::Error;
            d
        }));
        warnings = kept;
    }
    let (errors, warnings) = (&errors[..], &warnings[..]);
    let acknowledged = outcome.as_ref().map(|l| l.safety_findings().filter(|f| !f.is_active()).count()).unwrap_or(0);
    match format {
        Format::Json => {
            let report = JsonReport { ok: errors.is_empty(), skills, docs, errors, warnings };
            println!("{}", serde_json::to_string_pretty(&report).expect("diagnostics serialise"));
        }
        Format::Text => {
            print_text(errors, warnings);
            if acknowledged > 0 {
                eprintln!("note: {acknowledged} safety finding{} silenced by skills with a stated reason (listed on their pages)", if acknowledged == 1 { " is" } else { "s are" });
            }
            if errors.is_empty() {
                eprintln!("checked {} and {}: {}", llmos::theme::counted(skills, "skill"), llmos::theme::counted(docs, "doc"), summary(0, warnings.len()));
            } else {
                eprintln!("failed: {}", summary(errors.len(), warnings.len()));
            }
        }
    }
    if errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn new(name: &str, dir: Option<PathBuf>, kind: SkillType) -> ExitCode {
    let dir = dir.unwrap_or_else(|| {
        Settings::resolve(&Overrides::default())
            .ok()
            .and_then(|s| s.skills.into_iter().find_map(|r| match r.root {
                SkillsRoot::Disk(dir) => Some(dir),
                SkillsRoot::Bundled => None,
            }))
            .unwrap_or_else(|| PathBuf::from("."))
    });
    match scaffold::create(&dir, name, kind) {
        Ok(folder) => {
            eprintln!("created {}", folder.join("SKILL.md").display());
            eprintln!("next: edit it, then run `llmos check --skills {}`", dir.display());
            ExitCode::SUCCESS
        }
        Err(error) => fail(&[error], &[]),
    }
}

fn search(query: &str, flags: &Overrides, limit: usize, json: bool) -> ExitCode {
    let loaded = match Settings::resolve(flags).map_err(site::Failure::from).and_then(|settings| site::load(&settings).map(|l| (settings, l))) {
        Ok(loaded) => loaded,
        Err(failure) => return fail(&failure.errors, &failure.warnings),
    };
    let (settings, loaded) = loaded;
    let index = site::name_sources(site::search_index(&loaded.catalogue, settings.search_language), &loaded);
    // A `source:` naming no source finds nothing: say which there are.
    for filter in &llmos_core::search::query::parse(query).filters {
        if let llmos_core::search::query::Filter::Source(value) = filter {
            let wanted = llmos_core::slugify(value);
            if !loaded.sources.iter().any(|s| s.slug == wanted || llmos_core::slugify(&s.name) == wanted) {
                let known: Vec<String> = loaded.sources.iter().map(|s| format!("{} (source:{})", s.name, s.slug)).collect();
                eprintln!("error: no source is named `{value}`; the sources are: {}", known.join(", "));
                return ExitCode::from(2);
            }
        }
    }
    let hits = index.search(query, limit);
    if json {
        let results: Vec<serde_json::Value> = hits
            .iter()
            .map(|hit| {
                // Index docs follow catalogue order; the catalogue has the full description.
                let skill = &loaded.catalogue.skills[hit.doc];
                let mut result = serde_json::json!({ "name": skill.name, "score": hit.score, "description": skill.description, "url": llmos_core::index::skill_url(&settings.base_path, &skill.slug) });
                if let Some(source) = &index.docs[hit.doc].source {
                    result["source"] = serde_json::Value::from(source.as_str());
                }
                result
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&results).expect("results serialise"));
    } else if hits.is_empty() {
        eprintln!("no skill matches {query:?}");
        // The site's search shows docs too: say which would match there.
        let docs = site::docs_index(&loaded.docs, settings.search_language);
        let found = docs.search(query, 5);
        if !found.is_empty() {
            eprintln!("docs pages that match (the site's search shows them too):");
            for hit in found {
                let doc = &docs.docs[hit.doc];
                eprintln!("  {}docs/{}/  {}", settings.base_path, doc.slug, doc.name);
            }
        }
    } else {
        for hit in &hits {
            let doc = &index.docs[hit.doc];
            let from = doc.source.as_ref().map(|s| format!("  [{s}]")).unwrap_or_default();
            println!("{:>7.3}  {}{from}  {}", hit.score, doc.name, llmos_core::text::shorten(&doc.description, 90));
        }
    }
    ExitCode::SUCCESS
}

#[cfg(feature = "dev")]
fn serve(flags: &Overrides, port: u16, bind: std::net::IpAddr) -> ExitCode {
    if let Err(error) = Settings::resolve(flags) {
        return fail(&[error], &[]);
    }
    match llmos::serve::serve(flags.clone(), llmos::serve::ServeOptions { port, bind }) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
