//! slimfile: a BuildKit Dockerfile frontend that fuses consecutive package-manager RUN
//! steps into one layer and cleans that manager's caches inside the same layer.
//!
//! The pipeline, one module per stage, dependencies pointing one way:
//! [`syntax`] (bytes → nodes) → [`model`] (typed stages, expansion) → [`analysis`]
//! (shell and package managers) → [`fusion`] (plans) → [`llb`] / [`image`] (graph and
//! config) → [`gateway`] (BuildKit glue). The CLI and the gateway both call
//! [`parse_program`] and [`llb::convert::emit`], never copies of them.
//!
//! [`golang`] is a leaf every stage may use: Go's formatting, where the official
//! frontend's output shows it. [`rules`] is another: the check rules' typed identities,
//! which the converter and [`lint`] report findings under.
//!
//! [`treesync`] stands apart: it is the tool a fused group's assembly step runs inside
//! the build (`slimfile sync`), from the frontend's own image.

pub mod analysis;
pub mod cli;
pub mod diagnostics;
pub mod fusion;
#[doc(hidden)]
pub mod fuzzing;
pub mod gateway;
pub mod golang;
pub mod image;
pub mod limits;
pub mod lint;
pub mod llb;
pub mod model;
pub mod privileges;
pub mod rules;
pub mod syntax;
pub mod treesync;

#[cfg(test)]
pub(crate) mod testutil;

use std::collections::BTreeMap;

use diagnostics::Diagnostic;
use llb::convert::{Emitted, ResolvedImage};
use model::instructions::Program;
use model::options::BuildOptions;
use syntax::Dockerfile;

/// Parses Dockerfile text into the syntax tree and the typed program.
pub fn parse_program(text: &str) -> Result<(Dockerfile, Program), Diagnostic> {
    if text.len() > limits::MAX_DOCKERFILE_BYTES {
        return Err(Diagnostic::error(format!(
            "the Dockerfile is larger than {}, the most BuildKit's gateway carries in one \
             message",
            limits::human(limits::MAX_DOCKERFILE_BYTES)
        )));
    }
    if text.trim().is_empty() {
        return Err(Diagnostic::error("the Dockerfile cannot be empty"));
    }
    let df = syntax::parse(text)?;
    let program = model::instructions::from_nodes(&df)?;
    Ok((df, program))
}

/// Parses and emits a build with the given resolved base images (the gateway's path).
pub fn compile(
    text: &str,
    filename: &str,
    opts: &BuildOptions,
    images: &BTreeMap<String, ResolvedImage>,
) -> Result<Emitted, Diagnostic> {
    let (df, program) = parse_program(text)?;
    llb::convert::emit(
        &program,
        opts,
        images,
        df.escape,
        Some((filename, text.as_bytes())),
    )
}

/// Plans a build without an engine: base images are taken as empty layered images (no
/// env, no user, no shell). Used by `explain`, `rewrite` and `llb`; it runs the same
/// [`llb::convert::emit`] as a real build.
pub fn plan(text: &str, filename: &str, opts: &BuildOptions) -> Result<Emitted, Diagnostic> {
    let (df, program) = parse_program(text)?;
    let mut images = BTreeMap::new();
    for req in llb::convert::external_images(&program, opts, df.escape)? {
        let p = &req.platform;
        let mut image = image::Image::empty(&p.os, &p.arch, &p.variant);
        image.rootfs.diff_ids.push("sha256:unresolved".into());
        images.insert(
            llb::convert::image_key(&req.reference, &req.platform),
            ResolvedImage {
                reference: req.reference,
                digest: None,
                image,
            },
        );
    }
    llb::convert::emit(
        &program,
        opts,
        &images,
        df.escape,
        Some((filename, text.as_bytes())),
    )
}
