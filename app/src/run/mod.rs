//! Running executable skills: the rules both runners share.
//!
//! The browser sandbox (Pyodide, a Web Worker) and `llmos run` (python3,
//! node) take the same inputs and give the same outputs because everything
//! that decides them lives here, without I/O:
//!
//! - [`validate_inputs`] turns what a form, a command line or a workflow
//!   gave into the one JSON object `execute(inputs)` receives (defaults
//!   filled, every value checked against its declared type);
//! - [`parse_input_text`] reads one field's text by its declared type;
//! - [`PYTHON_HARNESS`] and [`JS_HARNESS`] are the code that loads a skill,
//!   calls `execute(inputs)` and serialises its result, byte for byte the
//!   same in both runners;
//! - [`table_columns`], [`check_outputs`] and [`output_kind`] decide how a
//!   result is shown.

mod harness;
mod inputs;
mod outputs;

pub use harness::{JS_HARNESS, PYTHON_HARNESS};
pub use inputs::{bytes_inputs, parse_input_text, validate_inputs, InputError};
pub use outputs::{check_outputs, output_kind, table_columns, OutputKind};
