//! Base resolution: the images and named contexts a build needs resolved before
//! [`super::emit`] runs.

use super::stages::{
    Layout, SourceUse, find_source_stage, find_stage, instr_sources, layout, stage_platform,
};
use super::{ImageRequest, named, normalize_reference};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::instructions::Program;
use crate::model::options::{BuildOptions, Platform};

/// Calls `f(name, named context, platform, span)` for every source outside the
/// Dockerfile that reachable stages use: stage bases that are not stages, `--from`
/// names, and stages replaced by a named context.
pub(super) fn visit_external(
    program: &Program,
    opts: &BuildOptions,
    escape: char,
    mut f: impl FnMut(
        &str,
        Option<named::NamedContext>,
        &Platform,
        Span,
        bool,
    ) -> Result<(), Diagnostic>,
) -> Result<(), Diagnostic> {
    let Layout {
        lexer,
        target_platform,
        globals,
        bases,
        live,
        ..
    } = layout(program, opts, escape)?;
    for (i, stage) in program.stages.iter().enumerate() {
        if !live[i] {
            continue;
        }
        let platform = stage_platform(stage, &lexer, &globals, &target_platform)?;
        let mut want = |name: &str, span: Span, located: bool| -> Result<(), Diagnostic> {
            let nc = named::lookup(opts, name, &platform).map_err(|d| d.at(span))?;
            f(name, nc, &platform, span, located)
        };
        if let Some(n) = &stage.name
            && named::lookup(opts, n, &platform)
                .map_err(|d| d.at(stage.span))?
                .is_some()
        {
            want(n, stage.span, true)?;
            continue;
        }
        if find_stage(program, &bases[i], i).is_none() {
            want(&bases[i], stage.span, true)?;
        }
        for instr in &stage.instructions {
            for (from, usage) in instr_sources(instr) {
                if find_source_stage(program, &from, &usage).is_none() {
                    want(&from, instr.span, usage == SourceUse::Copy)?;
                }
            }
        }
    }
    Ok(())
}

/// The external images a build needs resolved: stage bases that are not stages and
/// `COPY --from` images, for reachable stages.
pub fn external_images(
    program: &Program,
    opts: &BuildOptions,
    escape: char,
) -> Result<Vec<ImageRequest>, Diagnostic> {
    let mut out = RequestSet::default();
    visit_external(
        program,
        opts,
        escape,
        |name, nc, platform, span, located| {
            let mut oci_store = None;
            let context = nc.as_ref().map(|_| named::familiar(name));
            let reference = match nc {
                Some(named::NamedContext::Image(reference)) => reference,
                Some(named::NamedContext::OciLayout { store, reference }) => {
                    oci_store = Some(store);
                    reference
                }
                None if !name.eq_ignore_ascii_case("scratch") => {
                    normalize_reference(name).map_err(|d| d.at(span))?
                }
                _ => return Ok(()),
            };
            out.insert(ImageRequest {
                reference,
                platform: platform.clone(),
                name: name.to_string(),
                span: located.then_some(span),
                oci_store,
                context,
            });
            Ok(())
        },
    )?;
    Ok(out.0)
}

/// The client directories (`local:NAME` named contexts) a build uses, as
/// (context name, local name), each once: their `.dockerignore` must be read first
/// (into [`BuildOptions::named_excludes`]).
pub fn named_locals(
    program: &Program,
    opts: &BuildOptions,
    escape: char,
) -> Result<Vec<(String, String)>, Diagnostic> {
    let mut out: Vec<(String, String)> = Vec::new();
    visit_external(program, opts, escape, |name, nc, _, _, _| {
        if let Some(named::NamedContext::Local(local)) = nc
            && !out.iter().any(|(_, l)| *l == local)
        {
            out.push((named::familiar(name), local));
        }
        Ok(())
    })?;
    Ok(out)
}

/// Image requests, deduplicated by reference and platform (first mention wins).
#[derive(Default)]
pub(super) struct RequestSet(Vec<ImageRequest>);

impl RequestSet {
    fn insert(&mut self, r: ImageRequest) {
        if !self
            .0
            .iter()
            .any(|x| x.reference == r.reference && x.platform == r.platform)
        {
            self.0.push(r);
        }
    }
}
