//! Dockerfile stages → LLB graph and image config (the `dockerfile2llb` of slimfile).
//!
//! One file per phase or feature, as the official `dockerfile2llb/convert_*.go`:
//! - phases: `stages.rs` (names, bases, platforms, dependencies, target, global ARGs),
//!   `external.rs` (what to resolve before emitting), `emit.rs` ([`emit`] as named
//!   phases), `downstream.rs` (what later stages read), `context.rs` (the build context
//!   source, finished last);
//! - instructions: this file's `dispatch` is a match over one function per instruction:
//!   `metadata.rs` (ENV, LABEL, ARG, USER, CMD, ENTRYPOINT, SHELL, STOPSIGNAL, VOLUME,
//!   HEALTHCHECK, ONBUILD, MAINTAINER), `workdir.rs`, `expose.rs`, `run.rs` (RUN: mounts,
//!   network, fused groups), `copy.rs` (COPY/ADD), `assemble.rs` (additive groups);
//! - shared: `state.rs` (a stage's state), `words.rs` (expansion, progress names, paths),
//!   `reference.rs` (image references), `named.rs` and `remote.rs` (named and remote
//!   contexts); Go's formatting lives in [`crate::golang`].
//!
//! Base images must be resolved before [`emit`] runs (see [`external_images`]), which
//! keeps emission pure and synchronous.

mod assemble;
mod context;
mod copy;
mod downstream;
mod emit;
mod expose;
mod external;
mod metadata;
pub mod named;
mod reference;
pub mod remote;
pub(crate) mod run;
mod run_mounts;
mod stages;
mod state;
mod words;
mod workdir;

pub use crate::fusion::FusedOp;
pub use emit::emit;
pub use external::{external_images, named_locals};
pub use reference::normalize_reference;
pub(crate) use stages::SourceUse;
pub(crate) use stages::{find_source_stage, find_stage};
pub use state::EnvList;
pub(crate) use state::StageState;
pub use words::{clean_path, normalize_workdir};
pub(crate) use words::{expand, plain_progress_text, progress_text};

use std::collections::{BTreeMap, BTreeSet};

use bollard_buildkit_proto::pb;

use super::graph::{Graph, OpNode, Output, State};
use crate::diagnostics::{Diagnostic, Span};
use crate::fusion::{self, Step};
use crate::image::Image;
use crate::model::expand::Lexer;
use crate::model::instructions::{Instruction, Kind, Program};
use crate::model::options::{Assembly, BuildOptions, Platform};

/// A base image after `ResolveImageConfig`.
#[derive(Debug, Clone)]
pub struct ResolvedImage {
    /// The normalized reference that was resolved.
    pub reference: String,
    /// Its digest, if the resolver gave one.
    pub digest: Option<String>,
    /// Its config.
    pub image: Image,
}

/// The key of a resolved image in the map [`emit`] takes: one image may be needed for
/// several platforms (`FROM --platform=linux/arm64 alpine` beside `FROM alpine`), each
/// with its own config.
pub fn image_key(reference: &str, platform: &Platform) -> String {
    format!("{reference} {}", platform.format())
}

/// An image the build needs resolved before emission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRequest {
    /// Normalized reference (`docker.io/library/debian:bookworm`).
    pub reference: String,
    /// Platform to resolve for.
    pub platform: Platform,
    /// The name as written, for errors.
    pub name: String,
    /// Where it is referred to first; `None` for a RUN mount's `from=`, whose
    /// resolution errors the official frontend reports without a location.
    pub span: Option<Span>,
    /// For an `oci-layout://` named context: the client's OCI store to resolve in.
    pub oci_store: Option<String>,
    /// It comes from this named context (progress shows `[context NAME]`).
    pub context: Option<String>,
}

/// The result of emission.
#[derive(Debug, Clone)]
pub struct Emitted {
    /// The LLB definition of the target.
    pub definition: pb::Definition,
    /// The target's image config.
    pub image: Image,
    /// The config of the image the target's stage chain starts from (`None` for
    /// scratch): `containerimage.baseconfig`.
    pub base_image: Option<Image>,
    /// The target's platform.
    pub platform: Platform,
    /// Per stage (in file order, reachable ones): what fusion did.
    pub fusion: Vec<fusion::StagePlan>,
    /// The exec argv and extra cache mounts of each fused op, keyed by (stage index,
    /// first member index): what `rewrite` writes out.
    pub fused_ops: BTreeMap<(usize, usize), FusedOp>,
    /// Digests of the fused exec ops in `definition`.
    pub fused_digests: BTreeSet<String>,
    /// Variables used but not defined, in order of use.
    pub undefined_vars: Vec<UndefinedVar>,
    /// Other findings made while emitting.
    pub findings: Vec<EmitFinding>,
}

/// Shared emission context.
pub(crate) struct Ctx<'a> {
    pub graph: Graph,
    pub opts: &'a BuildOptions,
    pub lexer: Lexer,
    pub global_args: EnvList,
    /// Arena index of the build-context source op (created on first use).
    pub context_op: Option<usize>,
    /// Paths of the build context the build uses.
    pub context_paths: BTreeSet<String>,
    pub images: &'a BTreeMap<String, ResolvedImage>,
    pub stages: Vec<StageState>,
    pub program: &'a Program,
    pub fused_ops: BTreeMap<(usize, usize), FusedOp>,
    /// Variables used but not defined (for the UndefinedVar check).
    pub undefined: std::cell::RefCell<Vec<UndefinedVar>>,
    /// Other findings made while emitting (CopyIgnoredFile, InvalidBaseImagePlatform).
    pub findings: Vec<EmitFinding>,
    /// `SOURCE_DATE_EPOCH` in seconds, parsed once.
    pub epoch: Option<i64>,
}

/// A check finding that only emission can make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmitFinding {
    /// The rule.
    pub rule: crate::rules::Rule,
    /// Message.
    pub detail: String,
    /// Where.
    pub span: Span,
}

/// A variable used in an instruction without being defined at that point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndefinedVar {
    /// The instruction.
    pub span: Span,
    /// The variable.
    pub name: String,
    /// A defined variable with a similar name.
    pub suggestion: Option<String>,
}

impl Ctx<'_> {
    /// Adds an op to the graph; its first output.
    pub fn push(&mut self, node: OpNode) -> Output {
        Output {
            op: self.graph.push(node),
            index: 0,
        }
    }

    /// Adds an op that runs on `platform`; its first output.
    pub fn push_on(&mut self, mut node: OpNode, platform: &Platform) -> Output {
        node.platform = Some(pb_platform(platform));
        self.push(node)
    }

    /// The build context as a state (`local://context`), created on first use; its
    /// follow-paths are filled in after dispatch.
    pub fn context(&mut self) -> State {
        let idx = *self.context_op.get_or_insert_with(|| {
            self.graph.push(OpNode::new(
                pb::op::Op::Source(pb::SourceOp {
                    identifier: "local://context".into(),
                    attrs: BTreeMap::new(),
                }),
                Vec::new(),
            ))
        });
        Some(Output { op: idx, index: 0 })
    }

    /// An image source op for an image that was not resolved (the engine resolves it
    /// when it solves the op), shown as `[internal] load <ref>`.
    pub fn image_source_ref(&mut self, reference: &str, platform: &Platform) -> State {
        let resolved = ResolvedImage {
            reference: reference.to_string(),
            digest: None,
            image: Image::empty(&platform.os, &platform.arch, &platform.variant),
        };
        let name = format!("[internal] load slimfile sync tool {reference}");
        self.image_source(&resolved, platform, Some(name), None, None)
    }

    /// The image resolved for `reference` on `platform`.
    pub fn resolved_image(
        &self,
        reference: &str,
        platform: &Platform,
        span: Span,
    ) -> Result<ResolvedImage, Diagnostic> {
        self.images
            .get(&image_key(reference, platform))
            .cloned()
            .ok_or_else(|| {
                Diagnostic::error(format!("image {reference} was not resolved")).at(span)
            })
    }

    /// An image source op for a resolved image.
    pub fn image_source(
        &mut self,
        resolved: &ResolvedImage,
        platform: &Platform,
        name: Option<String>,
        command: Option<String>,
        span: Option<Span>,
    ) -> State {
        let mut reference = resolved.reference.clone();
        if let Some(d) = &resolved.digest
            && !reference.contains('@')
        {
            reference = format!("{reference}@{d}");
        }
        let mut attrs = BTreeMap::new();
        if let Some(mode) = &self.opts.resolve_mode
            && mode != "default"
        {
            attrs.insert("image.resolvemode".to_string(), mode.clone());
        }
        let mut node = OpNode::new(
            pb::op::Op::Source(pb::SourceOp {
                identifier: format!("docker-image://{reference}"),
                attrs,
            }),
            Vec::new(),
        );
        node.platform = Some(pb_platform(platform));
        node.name = name;
        node.command = command;
        node.spans = span.into_iter().collect();
        node.caps.insert("source.image");
        Some(Output {
            op: self.graph.push(node),
            index: 0,
        })
    }
}

/// A platform as LLB wants it.
pub fn pb_platform(p: &Platform) -> pb::Platform {
    pb::Platform {
        architecture: p.arch.clone(),
        os: p.os.clone(),
        variant: p.variant.clone(),
        ..Default::default()
    }
}

fn dispatch_step(
    ctx: &mut Ctx<'_>,
    st: &mut StageState,
    instructions: &[Instruction],
    step: &Step,
) -> Result<(), Diagnostic> {
    match step {
        Step::Single(i) => dispatch(ctx, st, &instructions[*i]),
        Step::Fused(group) => match (ctx.opts.assembly, ctx.opts.frontend_image.clone()) {
            (Assembly::Sync, Some(tool)) => {
                // `rewrite` plans without spanning: a spanning group has no one script.
                if group.between.is_empty() {
                    run::script_argv(ctx, st, instructions, group, &[])?;
                }
                assemble::dispatch_group(ctx, st, instructions, group, &tool)
            }
            _ if !group.between.is_empty() => Err(Diagnostic::error(
                "a group that spans other instructions needs additive assembly",
            )
            .at(instructions[group.members[0]].span)),
            _ => run::dispatch_fused(ctx, st, instructions, group),
        },
    }
}

/// One instruction: a match over one function per instruction, as the official
/// frontend's `dispatch` does.
fn dispatch(ctx: &mut Ctx<'_>, st: &mut StageState, instr: &Instruction) -> Result<(), Diagnostic> {
    let span = instr.span;
    match &instr.kind {
        Kind::Env(kvs) => metadata::dispatch_env(ctx, st, kvs, span),
        Kind::Label(kvs) => metadata::dispatch_label(ctx, st, kvs, span),
        Kind::Maintainer(m) => {
            metadata::dispatch_maintainer(st, m);
            Ok(())
        }
        Kind::Arg(defs) => metadata::dispatch_arg(ctx, st, defs, span),
        Kind::Workdir(p) => workdir::dispatch_workdir(ctx, st, instr, p),
        Kind::User(u) => metadata::dispatch_user(ctx, st, u, span),
        Kind::Expose(ports) => expose::dispatch_expose(ctx, st, ports, span),
        Kind::Cmd(cl) => {
            metadata::dispatch_cmd(ctx, st, cl, span);
            Ok(())
        }
        Kind::Entrypoint(cl) => {
            metadata::dispatch_entrypoint(ctx, st, cl, span);
            Ok(())
        }
        Kind::Shell(sh) => {
            metadata::dispatch_shell(st, sh);
            Ok(())
        }
        Kind::StopSignal(s) => metadata::dispatch_stop_signal(ctx, st, s, span),
        Kind::Volume(vols) => metadata::dispatch_volume(ctx, st, vols, span),
        Kind::Healthcheck(h) => {
            metadata::dispatch_healthcheck(st, h);
            Ok(())
        }
        Kind::Onbuild(expr) => {
            metadata::dispatch_onbuild(st, expr);
            Ok(())
        }
        Kind::Run(r) => run::dispatch_run(ctx, st, instr, r),
        Kind::Copy(c) => copy::dispatch_copy(ctx, st, instr, c),
    }
}

/// A file op that creates one file in an empty filesystem (heredoc sources and
/// scripts), shown as `[internal] preparing inline document`.
pub(crate) fn inline_file(
    ctx: &mut Ctx<'_>,
    platform: &Platform,
    path: String,
    mode: i32,
    data: Vec<u8>,
) -> Output {
    let mut node = OpNode::new(
        pb::op::Op::File(pb::FileOp {
            actions: vec![pb::FileAction {
                input: -1,
                secondary_input: -1,
                output: 0,
                action: Some(pb::file_action::Action::Mkfile(pb::FileActionMkFile {
                    path,
                    mode,
                    data,
                    owner: None,
                    timestamp: -1,
                })),
            }],
        }),
        Vec::new(),
    );
    node.name = Some("[internal] preparing inline document".into());
    node.caps.insert("file.base");
    ctx.push_on(node, platform)
}
