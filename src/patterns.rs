//! `llmos patterns`: the evolution engine's pattern detection on goals read from stdin.
//!
//! One goal per line in, one cluster id per line out, in the same order, so
//! `paste goals.txt <(llmos patterns < goals.txt)` lines them up; `--json`
//! prints the patterns (clusters of at least three goals) instead, checked
//! against the site's skills for coverage, with each goal's cluster in
//! `labels` and each pattern's goals as 1-based line numbers in `trace_ids`. A reader that closes the pipe
//! early (`| head`) ends the command quietly.

use crate::config::{Overrides, Settings};
use crate::site;
use llmos_core::evolution::{
    find_patterns, synthesis::proposed_name, Options, SkillText, TraceInput,
};
use std::io::{Read, Write};
use std::process::ExitCode;

/// What `llmos patterns` was asked.
pub struct PatternsArgs {
    pub json: bool,
    pub min_size: usize,
    pub settings: Overrides,
}

pub fn command(args: &PatternsArgs) -> ExitCode {
    let mut input = Vec::new();
    if let Err(error) = std::io::stdin().read_to_end(&mut input) {
        eprintln!("error: reading stdin: {error}");
        return ExitCode::FAILURE;
    }
    let text = String::from_utf8_lossy(&input);
    let traces: Vec<TraceInput> = text
        .lines()
        .enumerate()
        .map(|(i, goal)| TraceInput::goal((i + 1).to_string(), goal))
        .collect();
    let options = Options {
        min_size: args.min_size.max(1),
        ..Options::default()
    };
    let written = if args.json {
        let loaded = match Settings::resolve(&args.settings)
            .map_err(site::Failure::from)
            .and_then(|settings| site::load(&settings))
        {
            Ok(loaded) => loaded,
            Err(failure) => {
                crate::report::print_text(&failure.errors, &failure.warnings);
                return ExitCode::FAILURE;
            }
        };
        let skills: Vec<SkillText> = loaded
            .catalogue
            .skills
            .iter()
            .map(|s| SkillText {
                name: &s.name,
                description: &s.description,
                keywords: &s.keywords,
            })
            .collect();
        let found = find_patterns(&traces, &skills, &options);
        let patterns: Vec<serde_json::Value> = found
            .patterns
            .iter()
            .map(|p| {
                let mut value = serde_json::to_value(p).expect("patterns serialise");
                value["proposed_name"] = proposed_name(p).into();
                value
            })
            .collect();
        let clusters = found.labels.iter().max().map_or(0, |max| max + 1);
        // `labels`: each goal's cluster, in input order, as the plain output
        // gives them; `trace_ids` in patterns are 1-based input line numbers.
        let report = serde_json::json!({ "goals": traces.len(), "clusters": clusters, "labels": found.labels, "patterns": patterns });
        writeln!(
            std::io::stdout().lock(),
            "{}",
            serde_json::to_string_pretty(&report).expect("JSON")
        )
    } else {
        let found = find_patterns(&traces, &[], &options);
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        found
            .labels
            .iter()
            .try_for_each(|label| writeln!(out, "{label}"))
            .and_then(|()| out.flush())
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        // The reader has gone (`| head`): what it wanted was written.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: writing stdout: {error}");
            ExitCode::FAILURE
        }
    }
}
