//! Errors and warnings that point at a place in a file and say how to fix it.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file cannot be used; a build must not go on.
    Error,
    /// The file breaks a rule public collections break often; it is still used.
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file as the user named it (a path on disk, or `<bundled>/…`).
    pub file: String,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based; 0 when unknown.
    pub column: usize,
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// The rule that raised it, for diagnostics a switch can act on as a
    /// group (`safety/pipe-to-shell`, see `--deny safety`); `None` for most.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

impl Diagnostic {
    pub fn error(file: &str, line: usize, column: usize, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, file, line, column, message)
    }

    pub fn warning(file: &str, line: usize, column: usize, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, file, line, column, message)
    }

    fn new(severity: Severity, file: &str, line: usize, column: usize, message: impl Into<String>) -> Self {
        Diagnostic { severity, file: file.to_string(), line, column, message: message.into(), help: None, code: None }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Tags the diagnostic with the rule that raised it.
    pub fn with_code(mut self, code: &str) -> Self {
        self.code = Some(code.to_string());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:column`, leaving out the parts that are unknown.
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (0, _) => self.file.clone(),
            (line, 0) => format!("{}:{line}", self.file),
            (line, column) => format!("{}:{line}:{column}", self.file),
        }
    }
}

impl fmt::Display for Diagnostic {
    /// The compiler-like form: `error: file:3:7: message` (with the code,
    /// when there is one: `warning[safety/pipe-to-shell]: …`) and an indented help line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match &self.code {
            Some(code) => write!(f, "{label}[{code}]: {}: {}", self.location(), self.message)?,
            None => write!(f, "{label}: {}: {}", self.location(), self.message)?,
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}
