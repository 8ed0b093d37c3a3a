//! The `llmos run` command: inputs from the command line, the run, and
//! what it prints. Exit status: 0 ran, 1 the skill failed or timed out,
//! 2 bad inputs, 3 no such skill, nothing to run, or no interpreter.

use super::{find_skill, run_skill_code, skill_code, RunError, RunOptions};
use crate::config::{Overrides, Settings};
use crate::report::print_text;
use crate::site;
use llmos_core::run::{check_outputs, parse_input_text, InputError};
use llmos_core::{IoSpec, Skill};
use serde_json::{Map, Value};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// What `llmos run` was asked, besides the catalogue settings.
#[derive(Debug, Clone, Default)]
pub struct RunArgs {
    /// The skill's name (or page slug).
    pub skill: String,
    /// `name=value` texts, read by each input's declared type; a `file`
    /// input also takes `name=@path`, the file's contents.
    pub inputs: Vec<String>,
    /// A JSON file holding an object of inputs; `inputs` override it.
    pub inputs_file: Option<PathBuf>,
    /// Print the outputs as one line of JSON instead of a listing.
    pub json: bool,
    pub timeout: Duration,
}

/// Runs the command and says how it went (see the module docs for the codes).
pub fn command(flags: &Overrides, args: &RunArgs) -> ExitCode {
    let loaded = match Settings::resolve(flags).map_err(site::Failure::from).and_then(|settings| site::load(&settings)) {
        Ok(loaded) => loaded,
        Err(failure) => {
            print_text(&failure.errors, &failure.warnings);
            eprintln!("error: the skills could not be loaded, so nothing was run");
            return ExitCode::from(3);
        }
    };
    let Some(skill) = find_skill(&loaded, &args.skill) else {
        eprintln!("error: there is no skill named `{}`", args.skill);
        eprintln!("help: `llmos search {}` finds skills by topic; --skills DIR picks another catalogue", args.skill);
        return ExitCode::from(3);
    };
    let own: Vec<_> = loaded.warnings.iter().filter(|w| w.file == skill.path).cloned().collect();
    print_text(&[], &own);
    let given = match given_inputs(skill, args) {
        Ok(given) => given,
        Err(errors) => return report(skill, &RunError::Input(errors)),
    };
    let options = RunOptions { timeout: args.timeout, echo: true };
    let result = if skill.kind.as_deref() == Some(llmos_core::workflow::WORKFLOW_KIND) {
        crate::run_workflow::run_workflow_native(&loaded, skill, &given, &options).into_outcome()
    } else {
        skill_code(&loaded, skill).and_then(|code| run_skill_code(skill, &code, &given, &options))
    };
    match result {
        Ok(outcome) => {
            for warning in check_outputs(&skill.outputs, &outcome.outputs) {
                eprintln!("warning: {}: {warning}", skill.name);
            }
            if args.json {
                println!("{}", outcome.text.trim());
            } else {
                print!("{}", super::display::listing(&skill.outputs, &outcome.outputs));
            }
            eprintln!("ran {} in {:.2} s", skill.name, outcome.duration.as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(error) => report(skill, &error),
    }
}

fn report(skill: &Skill, error: &RunError) -> ExitCode {
    match error {
        RunError::Input(errors) => {
            for error in errors {
                eprintln!("error: {}", error.message);
            }
            let names: Vec<String> = skill.inputs.iter().map(|i| format!("{} ({})", i.name, i.kind)).collect();
            eprintln!("help: {} takes {}", skill.name, if names.is_empty() { "no inputs".to_string() } else { names.join(", ") });
        }
        RunError::Failed { message, duration, .. } => eprintln!("error: {} failed after {:.2} s:\n{}", skill.name, duration.as_secs_f64(), message.trim_end()),
        RunError::TimedOut { limit, .. } => eprintln!("error: {} was stopped after {} s, the time limit (--timeout SECS changes it)", skill.name, limit.as_secs_f64()),
        RunError::Unavailable(message) | RunError::Interpreter(message) => eprintln!("error: {message}"),
    }
    ExitCode::from(error.exit_code())
}

/// `--inputs FILE` first, then every `--input name=value` over it; every
/// problem is collected, so one run reports them all.
fn given_inputs(skill: &Skill, args: &RunArgs) -> Result<Map<String, Value>, Vec<InputError>> {
    let mut given = Map::new();
    let mut errors = Vec::new();
    if let Some(path) = &args.inputs_file {
        let label = path.display();
        let parsed = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {label}: {e}"))
            .and_then(|text| serde_json::from_str::<Value>(&text).map_err(|e| format!("{label} is not valid JSON: {e}")));
        match parsed {
            Ok(Value::Object(map)) => given = map,
            Ok(_) => errors.push(InputError { name: String::new(), message: format!("{label} must hold a JSON object of inputs, like {{\"top_n\": 5}}") }),
            Err(message) => errors.push(InputError { name: String::new(), message }),
        }
    }
    for item in &args.inputs {
        let Some((name, text)) = item.split_once('=') else {
            errors.push(InputError { name: item.clone(), message: format!("`--input {item}` needs the form name=value") });
            continue;
        };
        let name = name.trim();
        let Some(spec) = skill.inputs.iter().find(|s| s.name == name) else {
            // Left to validate_inputs, which names the inputs there are.
            given.insert(name.to_string(), Value::String(text.to_string()));
            continue;
        };
        match input_value(spec, text) {
            Ok(value) => {
                given.insert(name.to_string(), value);
            }
            Err(message) => {
                given.remove(name);
                errors.push(InputError { name: name.to_string(), message });
            }
        }
    }
    // Checked here as well as in the run, so bad values and missing ones come out together.
    if let Err(more) = llmos_core::run::validate_inputs(&skill.inputs, &given) {
        let more: Vec<InputError> = more.into_iter().filter(|e| !errors.iter().any(|seen| seen.name == e.name)).collect();
        errors.extend(more);
    }
    if errors.is_empty() { Ok(given) } else { Err(errors) }
}

/// One `--input` value: `@path` for a file input, else the text by type.
fn input_value(spec: &IoSpec, text: &str) -> Result<Value, String> {
    let Some(path) = text.strip_prefix('@').filter(|_| spec.kind == "file") else {
        return parse_input_text(spec, text);
    };
    let bytes = std::fs::read(path).map_err(|e| format!("`{}`: cannot read {path}: {e}", spec.name))?;
    if spec.is_bytes_file() {
        return Ok(Value::String(super::display::base64(&bytes)));
    }
    String::from_utf8(bytes).map(Value::String).map_err(|_| format!("`{}`: {path} is not UTF-8 text", spec.name))
}
