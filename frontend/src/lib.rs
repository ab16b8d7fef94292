//! slimfile: a BuildKit Dockerfile frontend that fuses consecutive package-manager RUN
//! steps into one layer and cleans that manager's caches inside the same layer.
//!
//! The pipeline, one module per stage, dependencies pointing one way:
//! [`syntax`] (bytes → nodes) → [`model`] (typed stages, expansion) → [`analysis`]
//! (shell and package managers) → [`fusion`] (plans) → [`llb`] / [`image`] (graph and
//! config) → [`gateway`] (BuildKit glue). The CLI and the gateway both call
//! [`parse_program`] and [`llb::convert::emit`], never copies of them.

pub mod analysis;
pub mod cli;
pub mod diagnostics;
pub mod fusion;
pub mod gateway;
pub mod image;
pub mod llb;
pub mod model;
pub mod syntax;

#[cfg(test)]
pub(crate) mod testutil;

use diagnostics::Diagnostic;
use model::instructions::Program;
use syntax::Dockerfile;

/// Parses Dockerfile text into the syntax tree and the typed program.
pub fn parse_program(text: &str) -> Result<(Dockerfile, Program), Diagnostic> {
    if text.trim().is_empty() {
        return Err(Diagnostic::error("parse", "the Dockerfile cannot be empty"));
    }
    let df = syntax::parse(text)?;
    let program = model::instructions::from_nodes(&df)?;
    Ok((df, program))
}
