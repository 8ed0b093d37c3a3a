//! The `llmos` command: a static site generator for Agent Skills catalogues.
//!
//! The binary (`main.rs`) only parses arguments; the work lives here so
//! integration tests and benchmarks can drive it.

pub mod assets;
pub mod cleanup;
pub mod config;
pub mod csp;
pub mod islands;
pub mod load;
pub mod markdown;
pub mod offline;
pub mod output;
pub mod patterns;
pub mod render;
pub mod report;
pub mod run;
pub mod run_workflow;
pub mod runner;
pub mod scaffold;
#[cfg(feature = "dev")]
pub mod serve;
pub mod site;
pub mod source;
pub mod theme;
pub mod walk;
