//! How diagnostics reach the user: compiler-style text on stderr, or JSON.

use llmos_core::Diagnostic;
use serde::Serialize;

pub fn print_text(errors: &[Diagnostic], warnings: &[Diagnostic]) {
    for warning in warnings {
        eprintln!("{warning}");
    }
    for error in errors {
        eprintln!("{error}");
    }
}

#[derive(Serialize)]
pub struct JsonReport<'a> {
    pub ok: bool,
    pub skills: usize,
    pub docs: usize,
    pub errors: &'a [Diagnostic],
    pub warnings: &'a [Diagnostic],
}

pub fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!("{}, {}", plural(errors, "error"), plural(warnings, "warning"))
}
