//! Dockerfile stages → LLB graph and image config (the `dockerfile2llb` of slimfile).
//!
//! Dispatch is split by feature: this file owns stages, ARG scoping and metadata
//! instructions; `run.rs` owns RUN (mounts, network, fused groups); `copy.rs` owns
//! COPY/ADD. Base images must be resolved before [`emit`] runs (see [`external_images`]),
//! which keeps emission pure and synchronous.

mod assemble;
mod copy;
pub mod named;
pub mod remote;
pub(crate) mod run;

use std::collections::{BTreeMap, BTreeSet};

use bollard_buildkit_proto::pb;

use super::graph::{Graph, OpNode, Output, State};
use crate::diagnostics::{Diagnostic, Span};
use crate::fusion::{self, Step};
use crate::image::{DEFAULT_PATH, Image};
use crate::model::expand::{Env, Lexer};
use crate::model::instructions::{Instruction, Kind, Program, Stage};
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

/// What a fused group became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FusedOp {
    /// The exec argv.
    pub argv: Vec<String>,
    /// Cache mounts added by `cleanup=cache-mount`: (target, cache id without namespace).
    pub cache_mounts: Vec<(String, String)>,
}

/// Normalizes an image reference like the official `reference.ParseNormalizedNamed` +
/// `TagNameOnly`.
pub fn normalize_reference(name: &str) -> Result<String, Diagnostic> {
    let invalid = |why: &str| {
        Diagnostic::error(
            "stage",
            format!("failed to parse stage name {name:?}: invalid reference format{why}"),
        )
    };
    if name.is_empty() || name.chars().any(char::is_whitespace) {
        return Err(invalid(""));
    }
    let (name_part, digest) = match name.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (name, None),
    };
    let mut full = match name_part.split_once('/') {
        Some((first, _)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            name_part.to_string()
        }
        Some(_) => format!("docker.io/{name_part}"),
        None => format!("docker.io/library/{name_part}"),
    };
    // The repository path (after the domain, without the tag) must be lowercase.
    let path = full.split_once('/').map_or("", |(_, p)| p);
    let path = path.rsplit_once(':').map_or(path, |(p, _)| p);
    if path.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(invalid(": repository name must be lowercase"));
    }
    let last = full.rsplit('/').next().unwrap_or("");
    if let Some((_, tag)) = last.split_once(':') {
        let valid = tag.len() <= 128
            && tag
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !valid {
            return Err(Diagnostic::error(
                "stage",
                format!("failed to parse stage name {name:?}: invalid reference format"),
            ));
        }
    }
    if !last.contains(':') && digest.is_none() {
        full.push_str(":latest");
    }
    if let Some(d) = digest {
        full.push('@');
        full.push_str(d);
    }
    Ok(full)
}

/// Ordered environment of a state, as BuildKit's LLB client orders it: by the last
/// assignment of each key (a key set again moves to the end). The image config's
/// `Env` is another list, which replaces in place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvList(pub Vec<(String, String)>);

impl EnvList {
    /// Sets a key, moving it to the end.
    pub fn set(&mut self, k: &str, v: &str) {
        self.0.retain(|(key, _)| key != k);
        self.0.push((k.to_string(), v.to_string()));
    }
    /// `K=V` strings.
    pub fn to_strings(&self) -> Vec<String> {
        self.0.iter().map(|(k, v)| format!("{k}={v}")).collect()
    }
}

impl Env for EnvList {
    fn get(&self, key: &str) -> Option<String> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }
    fn keys(&self) -> Vec<String> {
        self.0.iter().map(|(k, _)| k.clone()).collect()
    }
}

/// The state of one stage while it is dispatched.
#[derive(Debug, Clone)]
pub(crate) struct StageState {
    pub index: usize,
    pub display_name: String,
    pub state: State,
    pub image: Image,
    pub env: EnvList,
    pub cwd: String,
    pub user: String,
    pub platform: Platform,
    pub build_args: Vec<(String, String)>,
    pub cmd_index: usize,
    /// Dispatching the base image's ONBUILD triggers.
    pub in_onbuild: bool,
    pub cmd_total: usize,
    pub cmd_set: bool,
    pub ignore_cache: bool,
    pub dispatched: bool,
    /// Progress names start with the platform (multi-platform builds).
    pub prefix_platform: bool,
    /// The config of the image this stage's chain starts from, as resolved (the
    /// exporter keeps that part of the history as it is).
    pub base_image: Option<Image>,
}

impl StageState {
    /// `[stage 2/5] ` style prefix for progress names; advances the counter.
    pub fn prefix(&mut self, text: &str) -> String {
        if self.cmd_total == 0 {
            return text.to_string();
        }
        self.cmd_index += 1;
        let width = 1 + (self.cmd_total as f64).log10() as usize;
        let mut out = String::from("[");
        if self.prefix_platform {
            out.push_str(&self.platform.format());
            out.push_str(&self.cross_target());
            out.push(' ');
        }
        if !self.display_name.is_empty() {
            out.push_str(&self.display_name);
            out.push(' ');
        }
        out.push_str(&format!(
            "{:>width$}/{}] {}{text}",
            self.cmd_index,
            self.cmd_total,
            if self.in_onbuild { "ONBUILD " } else { "" }
        ));
        out
    }

    /// `->arch` when the stage's `TARGET*` args name another platform than the one it
    /// runs on (a cross-build step), like the official progress names.
    fn cross_target(&self) -> String {
        let get = |k: &str| {
            self.env.get(k).or_else(|| {
                self.build_args
                    .iter()
                    .rev()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v.clone())
            })
        };
        let target = match get("TARGETPLATFORM").and_then(|v| Platform::parse(&v).ok()) {
            Some(p) => p,
            None => {
                let (os, arch, variant) =
                    (get("TARGETOS"), get("TARGETARCH"), get("TARGETVARIANT"));
                if os.is_none() && arch.is_none() && variant.is_none() {
                    return String::new();
                }
                Platform {
                    os: os
                        .filter(|v| !v.is_empty())
                        .unwrap_or_else(|| self.platform.os.clone()),
                    arch: arch
                        .filter(|v| !v.is_empty())
                        .unwrap_or_else(|| self.platform.arch.clone()),
                    variant: variant.unwrap_or_default(),
                }
            }
        };
        if target.os == self.platform.os && target.arch != self.platform.arch {
            if target.variant.is_empty() {
                format!("->{}", target.arch)
            } else {
                format!("->{}/{}", target.arch, target.variant)
            }
        } else if target.os != self.platform.os {
            format!("->{}", target.format())
        } else {
            String::new()
        }
    }

    /// History text for RUN with the stage's build args (`|N K=V ... cmd`).
    pub fn run_history(&self, args: &[String]) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        let mut kvs: Vec<String> = Vec::new();
        for (k, v) in &self.build_args {
            let v = self.env.get(k).unwrap_or_else(|| v.clone());
            match seen.iter().position(|s| s == k) {
                Some(i) => kvs[i] = format!("{k}={v}"),
                None => {
                    seen.push(k);
                    kvs.push(format!("{k}={v}"));
                }
            }
        }
        if !kvs.is_empty() {
            parts.push(format!("|{}", kvs.len()));
            parts.extend(kvs);
        }
        parts.extend(args.iter().cloned());
        parts.join(" ")
    }
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
    /// Official rule name.
    pub rule: &'static str,
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
                Diagnostic::error("stage", format!("image {reference} was not resolved")).at(span)
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

fn default_args(build: &Platform, target: &Platform, target_stage: &str) -> EnvList {
    let mut env = EnvList::default();
    let pairs = [
        ("BUILDPLATFORM", build.format()),
        ("BUILDOS", build.os.clone()),
        ("BUILDOSVERSION", String::new()),
        ("BUILDARCH", build.arch.clone()),
        ("BUILDVARIANT", build.variant.clone()),
        ("TARGETPLATFORM", target.format()),
        ("TARGETOS", target.os.clone()),
        ("TARGETOSVERSION", String::new()),
        ("TARGETARCH", target.arch.clone()),
        ("TARGETVARIANT", target.variant.clone()),
        (
            "TARGETSTAGE",
            if target_stage.is_empty() {
                "default".to_string()
            } else {
                target_stage.to_string()
            },
        ),
    ];
    for (k, v) in pairs {
        env.set(k, &v);
    }
    env
}

/// Computes the global (pre-FROM) ARG environment.
fn global_args(
    program: &Program,
    opts: &BuildOptions,
    lexer: &Lexer,
    build: &Platform,
    target: &Platform,
) -> Result<EnvList, Diagnostic> {
    let target_name = opts
        .target
        .clone()
        .or_else(|| program.stages.last().and_then(|s| s.name.clone()))
        .unwrap_or_default();
    let mut env = default_args(build, target, &target_name);
    for (k, v) in &opts.build_args {
        if env.get(k).is_some() {
            env.set(k, v);
        }
    }
    for instr in &program.meta_args {
        let Kind::Arg(defs) = &instr.kind else {
            continue;
        };
        for def in defs {
            let value = match (opts.build_args.get(&def.key), &def.value) {
                (Some(v), _) => Some(v.clone()),
                (None, Some(default)) => Some(
                    lexer
                        .process_word(default, &env)
                        .map_err(|e| Diagnostic::error("expand", e.to_string()).at(instr.span))?
                        .result,
                ),
                (None, None) => None,
            };
            if let Some(v) = value {
                env.set(&def.key, &v);
            }
        }
    }
    Ok(env)
}

/// Stage index for a `FROM`/`--from` name: a stage name (case-insensitive), or a
/// numeric index of an earlier stage.
pub(crate) fn find_stage(program: &Program, name: &str, before: usize) -> Option<usize> {
    // A base is looked up by name among earlier stages only (`FROM 0` is an image).
    let lower = name.to_ascii_lowercase();
    program.stages[..before.min(program.stages.len())]
        .iter()
        .position(|s| s.name.as_deref() == Some(lower.as_str()))
}

/// How an instruction uses another stage: `COPY --from` (a name or an index) or a RUN
/// mount's `from=` (a name only; `from=0` is an image). Either may name any stage of
/// the file; one not built yet is an error at dispatch, as in the official frontend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SourceUse {
    /// `COPY --from`.
    Copy,
    /// `RUN --mount=...,from=` with this target.
    Mount(String),
}

/// The stage a `--from` / `from=` refers to, if it names one.
pub(crate) fn find_source_stage(program: &Program, name: &str, usage: &SourceUse) -> Option<usize> {
    let lower = name.to_ascii_lowercase();
    if let Some(i) = program
        .stages
        .iter()
        .position(|s| s.name.as_deref() == Some(lower.as_str()))
    {
        return Some(i);
    }
    match usage {
        SourceUse::Copy => name
            .parse::<usize>()
            .ok()
            .filter(|&i| i < program.stages.len()),
        SourceUse::Mount(_) => None,
    }
}

fn target_index(program: &Program, opts: &BuildOptions) -> Result<usize, Diagnostic> {
    match &opts.target {
        None => Ok(program.stages.len() - 1),
        Some(t) => {
            let lower = t.to_ascii_lowercase();
            program
                .stages
                .iter()
                .position(|s| s.name.as_deref() == Some(lower.as_str()))
                .ok_or_else(|| {
                    Diagnostic::error("stage", format!("target stage {t:?} could not be found"))
                })
        }
    }
}

/// Base name of each stage after global ARG expansion.
fn stage_bases(
    program: &Program,
    lexer: &Lexer,
    globals: &EnvList,
) -> Result<Vec<String>, Diagnostic> {
    program
        .stages
        .iter()
        .map(|s| {
            let r = lexer
                .process_word(&s.base, globals)
                .map_err(|e| Diagnostic::error("expand", e.to_string()).at(s.span))?
                .result;
            if r.is_empty() {
                return Err(Diagnostic::error(
                    "stage",
                    format!("base name ({}) should not be blank", s.base),
                )
                .at(s.span));
            }
            Ok(r)
        })
        .collect()
}

fn stage_platform(
    stage: &Stage,
    lexer: &Lexer,
    globals: &EnvList,
    default: &Platform,
) -> Result<Platform, Diagnostic> {
    match &stage.platform {
        None => Ok(default.clone()),
        Some(p) => {
            let v = lexer
                .process_word(p, globals)
                .map_err(|e| Diagnostic::error("expand", e.to_string()).at(stage.span))?
                .result;
            if v.is_empty() {
                return Err(Diagnostic::error(
                    "stage",
                    format!("empty platform value from expression {p}"),
                )
                .at(stage.span));
            }
            Platform::parse(&v).map_err(|d| d.at(stage.span))
        }
    }
}

/// Stages each stage depends on (base stage, `COPY --from`, `RUN --mount from=`).
fn stage_deps(program: &Program, bases: &[String]) -> Vec<Vec<usize>> {
    program
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut deps = Vec::new();
            if let Some(b) = find_stage(program, &bases[i], i)
                && program.stages[b].name.is_some()
            {
                deps.push(b);
            }
            for instr in &s.instructions {
                for (from, usage) in instr_sources(instr) {
                    if let Some(d) = find_source_stage(program, &from, &usage) {
                        deps.push(d);
                    }
                }
            }
            deps
        })
        .collect()
}

/// `--from` values an instruction refers to, with how it uses them.
pub(crate) fn instr_sources(instr: &Instruction) -> Vec<(String, SourceUse)> {
    match &instr.kind {
        Kind::Copy(c) => c
            .from
            .iter()
            .map(|f| (f.clone(), SourceUse::Copy))
            .collect(),
        Kind::Run(r) => r
            .mounts
            .iter()
            .filter_map(|m| {
                let from = crate::model::mounts::mount_from(&m.raw)?;
                let target = crate::model::mounts::mount_target(&m.raw).unwrap_or_default();
                Some((from, SourceUse::Mount(target)))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Rejects stages that copy or mount from themselves through other stages, like the
/// official frontend: `circular dependency detected on stage: NAME`, located at the
/// instructions along the cycle.
fn check_cycles(program: &Program) -> Result<(), Diagnostic> {
    let n = program.stages.len();
    let edges: Vec<Vec<(usize, Span)>> = program
        .stages
        .iter()
        .map(|s| {
            s.instructions
                .iter()
                .flat_map(|instr| {
                    instr_sources(instr)
                        .into_iter()
                        .filter_map(|(from, usage)| {
                            find_source_stage(program, &from, &usage).map(|j| (j, instr.span))
                        })
                })
                .collect()
        })
        .collect();
    // Iterative DFS; `path` holds the stages on the current path and the spans of
    // the instructions that led there.
    let mut visited = vec![false; n];
    for start in 0..n {
        if visited[start] {
            continue;
        }
        let mut on_path = vec![false; n];
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        let mut spans: Vec<Span> = Vec::new();
        visited[start] = true;
        on_path[start] = true;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&(dep, span)) = edges[node].get(*next) {
                *next += 1;
                if on_path[dep] {
                    spans.push(span);
                    let name = program.stages[start]
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("stage-{start}"));
                    let mut d = Diagnostic::error(
                        "stage",
                        format!("circular dependency detected on stage: {name}"),
                    );
                    d.spans = spans;
                    return Err(d);
                }
                if !visited[dep] {
                    visited[dep] = true;
                    on_path[dep] = true;
                    spans.push(span);
                    stack.push((dep, 0));
                }
            } else {
                on_path[node] = false;
                stack.pop();
                spans.pop();
            }
        }
    }
    Ok(())
}

fn reachable(program: &Program, deps: &[Vec<usize>], target: usize) -> Vec<bool> {
    let mut seen = vec![false; program.stages.len()];
    let mut stack = vec![target];
    while let Some(i) = stack.pop() {
        if !seen[i] {
            seen[i] = true;
            stack.extend(deps[i].iter().copied());
        }
    }
    seen
}

/// What both resolution and emission need to know about a build: the global ARGs,
/// each stage's expanded base name, the target and which stages it reaches.
struct Layout {
    lexer: Lexer,
    target_platform: Platform,
    globals: EnvList,
    bases: Vec<String>,
    target: usize,
    live: Vec<bool>,
}

fn layout(program: &Program, opts: &BuildOptions, escape: char) -> Result<Layout, Diagnostic> {
    let lexer = Lexer::new(escape);
    let build = opts.build_platform.clone().unwrap_or_else(Platform::host);
    let target_platform = opts.platform.clone().unwrap_or_else(|| build.clone());
    let globals = global_args(program, opts, &lexer, &build, &target_platform)?;
    let bases = stage_bases(program, &lexer, &globals)?;
    let target = target_index(program, opts)?;
    check_cycles(program)?;
    let live = reachable(program, &stage_deps(program, &bases), target);
    Ok(Layout {
        lexer,
        target_platform,
        globals,
        bases,
        target,
        live,
    })
}

/// Calls `f(name, named context, platform, span)` for every source outside the
/// Dockerfile that reachable stages use: stage bases that are not stages, `--from`
/// names, and stages replaced by a named context.
fn visit_external(
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
struct RequestSet(Vec<ImageRequest>);

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

/// Emits the LLB and image config for the target stage.
///
/// `images` maps each reference from [`external_images`] to its resolved config;
/// `source` is the Dockerfile (file name and bytes) for source maps.
pub fn emit(
    program: &Program,
    opts: &BuildOptions,
    images: &BTreeMap<String, ResolvedImage>,
    escape: char,
    source: Option<(&str, &[u8])>,
) -> Result<Emitted, Diagnostic> {
    let Layout {
        lexer,
        target_platform,
        globals,
        bases,
        target,
        live,
    } = layout(program, opts, escape)?;
    // Progress names carry the stage name when the official frontend has more than
    // one dispatch state: several stages, or one stage whose RUN mounts or COPY --from
    // add states of their own (images, named contexts, even a mount without from=).
    let several = program.stages.len() > 1
        || program.stages.iter().any(|s| {
            s.instructions.iter().any(|i| match &i.kind {
                Kind::Run(r) => !r.mounts.is_empty(),
                Kind::Copy(c) => c.from.is_some(),
                _ => false,
            })
        });
    let epoch = opts.source_date_epoch()?;

    let mut ctx = Ctx {
        graph: Graph::with_capacity(
            program
                .stages
                .iter()
                .map(|s| s.instructions.len() + 1)
                .sum::<usize>()
                + 4,
        ),
        opts,
        lexer,
        global_args: globals,
        context_op: None,
        context_paths: BTreeSet::new(),
        images,
        stages: Vec::new(),
        program,
        fused_ops: BTreeMap::new(),
        undefined: std::cell::RefCell::new(Vec::new()),
        findings: Vec::new(),
        epoch,
    };
    let mut plans = Vec::new();
    let file_nofuse = fusion::has_nofuse(first_comments(program));
    let mut facts: Vec<Option<Vec<Option<crate::analysis::RunFacts>>>> = program
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| live[i].then(|| fusion::run_facts(&s.instructions)))
        .collect();
    let downstream = downstream_index_needs(program, &bases, &facts);

    for (i, stage) in program.stages.iter().enumerate() {
        let platform = stage_platform(stage, &ctx.lexer, &ctx.global_args, &target_platform)?;
        let display_name = match (&stage.name, several) {
            (_, false) => String::new(),
            (Some(n), true) => n.clone(),
            (None, true) => format!("stage-{i}"),
        };
        let base_stage = find_stage(program, &bases[i], i);
        let is_scratch = bases[i].eq_ignore_ascii_case("scratch");
        let mut cmd_total = usize::from(base_stage.is_none() && !is_scratch);
        cmd_total += stage
            .instructions
            .iter()
            .filter(|s| matches!(s.kind, Kind::Run(_) | Kind::Copy(_) | Kind::Workdir(_)))
            .count();
        let ignore_cache = match &opts.no_cache {
            None => false,
            Some(list) if list.is_empty() => true,
            Some(list) => stage
                .name
                .as_ref()
                .is_some_and(|n| list.iter().any(|x| x.eq_ignore_ascii_case(n))),
        };
        let mut st = StageState {
            index: i,
            display_name,
            state: None,
            image: Image::empty(&platform.os, &platform.arch, &platform.variant),
            env: EnvList::default(),
            cwd: "/".into(),
            user: String::new(),
            platform: platform.clone(),
            build_args: Vec::new(),
            cmd_index: 0,
            in_onbuild: false,
            cmd_total,
            cmd_set: false,
            ignore_cache,
            dispatched: false,
            prefix_platform: opts.multi_platform,
            base_image: None,
        };
        if !live[i] {
            ctx.stages.push(st);
            continue;
        }
        // A named context with the stage's name replaces the whole stage.
        if let Some(n) = &stage.name
            && let Some(nc) = named::lookup(opts, n, &platform).map_err(|d| d.at(stage.span))?
        {
            let (state, img) = named::state(&mut ctx, n, &nc, &platform, stage.span)?;
            st.state = state;
            if let Some(img) = img {
                st.image = img;
            }
            for kv in st.image.config.env.clone().unwrap_or_default() {
                let (k, v) = kv.split_once('=').unwrap_or((kv.as_str(), ""));
                st.env.set(k, v);
            }
            st.dispatched = true;
            ctx.stages.push(st);
            continue;
        }
        let named_base = if base_stage.is_none() {
            named::lookup(opts, &bases[i], &platform).map_err(|d| d.at(stage.span))?
        } else {
            None
        };
        if let Some(nc) = &named_base {
            let (state, img) = named::state(&mut ctx, &bases[i], nc, &platform, stage.span)?;
            st.state = state;
            if let Some(img) = img {
                st.image = img;
            }
            st.base_image = Some(st.image.clone());
        } else if let Some(b) = base_stage {
            let base = &ctx.stages[b];
            if !base.dispatched {
                return Err(Diagnostic::error(
                    "stage",
                    format!("stage {:?} used as base before it was built", bases[i]),
                )
                .at(stage.span));
            }
            st.state = base.state;
            st.base_image = base.base_image.clone();
            st.image = base.image.clone();
            st.platform = base.platform.clone();
            st.build_args = base.build_args.clone();
        } else if !is_scratch {
            let reference = normalize_reference(&bases[i]).map_err(|d| d.at(stage.span))?;
            let resolved = images
                .get(&image_key(&reference, &platform))
                .ok_or_else(|| {
                    Diagnostic::error("stage", format!("base image {reference} was not resolved"))
                        .at(stage.span)
                })?;
            st.base_image = Some(resolved.image.clone());
            let mut img = resolved.image.clone();
            img.created = None;
            if !img.architecture.is_empty()
                && (img.os != platform.os || img.architecture != platform.arch)
            {
                let actual = format!("{}/{}", img.os, img.architecture);
                ctx.findings.push(EmitFinding {
                    rule: "InvalidBaseImagePlatform",
                    detail: format!(
                        "Base image {} was pulled with platform {actual:?}, expected {:?} for current build",
                        bases[i],
                        platform.format()
                    ),
                    span: stage.span,
                });
            }
            if !img.is_layerless() {
                let shown = match &resolved.digest {
                    Some(d) if !resolved.reference.contains('@') => {
                        format!("{}@{d}", resolved.reference)
                    }
                    _ => resolved.reference.clone(),
                };
                let name = st.prefix(&format!("FROM {shown}"));
                st.state = ctx.image_source(
                    resolved,
                    &platform,
                    Some(name),
                    Some(stage.source_code.clone()),
                    Some(stage.span),
                );
            } else {
                st.cmd_index += 1;
            }
            st.image = img;
        }
        // Make sure PATH is set, then load the image's env, workdir and user.
        let has_path = st
            .image
            .config
            .env
            .as_ref()
            .is_some_and(|e| e.iter().any(|kv| kv.starts_with("PATH=")));
        if !has_path && st.platform.os != "windows" {
            st.image
                .config
                .env
                .get_or_insert_with(Vec::new)
                .push(format!("PATH={DEFAULT_PATH}"));
        }
        if let Some(b) = base_stage {
            // The official frontend starts from the base stage's state and adds the
            // image config's env again, which reorders it like the config.
            st.env = ctx.stages[b].env.clone();
        }
        for kv in st.image.config.env.clone().unwrap_or_default() {
            let (k, v) = kv.split_once('=').unwrap_or((kv.as_str(), ""));
            st.env.set(k, v);
        }
        if base_stage.is_none() {
            if !st.image.config.working_dir.is_empty() {
                st.cwd = normalize_workdir("/", &st.image.config.working_dir);
            }
            st.user = st.image.config.user.clone();
        } else {
            let base = &ctx.stages[base_stage.unwrap_or(0)];
            st.cwd = base.cwd.clone();
            st.user = base.user.clone();
        }

        // ONBUILD triggers of the base image run first.
        // (ONBUILD triggers do not carry over to the new image itself.)
        let triggers = st.image.config.on_build.take().unwrap_or_default();
        let instructions: std::borrow::Cow<'_, [Instruction]> = if triggers.is_empty() {
            std::borrow::Cow::Borrowed(&stage.instructions)
        } else {
            let mut all = parse_triggers(&triggers, stage.span)?;
            all.extend(stage.instructions.iter().cloned());
            st.cmd_total += all.len() - stage.instructions.len();
            std::borrow::Cow::Owned(all)
        };

        let pctx = fusion::PlanContext {
            file_nofuse,
            downstream_needs_index: downstream[i].index.clone(),
            downstream_mentions: downstream[i].mentions.clone(),
            base_shell: st.image.config.shell.clone(),
            facts: match &instructions {
                std::borrow::Cow::Borrowed(_) => facts[i].take(),
                std::borrow::Cow::Owned(_) => None,
            },
        };
        let plan = fusion::plan_stage(stage, &instructions, i, opts, &pctx);
        let inherited = st.image.history.len();
        let triggers = instructions.len() - stage.instructions.len();
        for step in &plan.steps {
            // The base's ONBUILD triggers come first; their progress names say so.
            st.in_onbuild = step.first() < triggers;
            dispatch_step(&mut ctx, &mut st, &instructions, step)?;
        }
        st.in_onbuild = false;
        if let Some(secs) = epoch {
            let created = crate::golang::rfc3339(secs);
            for h in &mut st.image.history[inherited..] {
                h.created = Some(created.clone());
            }
        }
        plans.push(plan);
        st.dispatched = true;
        ctx.stages.push(st);
    }

    finalize_context(&mut ctx);
    let mut target_state = ctx.stages.swap_remove(target);
    let labels = &opts.labels;
    if !labels.is_empty() {
        let l = target_state
            .image
            .config
            .labels
            .get_or_insert_with(BTreeMap::new);
        for (k, v) in labels {
            l.insert(k.clone(), v.clone());
        }
    }
    if opts.platform.is_some() {
        target_state.image.os = target_platform.os.clone();
        target_state.image.architecture = target_platform.arch.clone();
        target_state.image.variant = target_platform.variant.clone();
    }
    let (definition, fused_digests) = ctx.graph.marshal_tracked(target_state.state, source);
    Ok(Emitted {
        definition,
        image: target_state.image,
        base_image: target_state.base_image,
        platform: target_state.platform,
        fusion: plans,
        fused_ops: ctx.fused_ops,
        fused_digests,
        undefined_vars: ctx.undefined.into_inner(),
        findings: ctx.findings,
    })
}

/// Comments above the file's first instruction.
fn first_comments(program: &Program) -> &[String] {
    match (program.meta_args.first(), program.stages.first()) {
        (Some(a), Some(s)) if a.span.start_line < s.span.start_line => &a.comments,
        (_, Some(s)) => &s.comments,
        _ => &[],
    }
}

/// For each stage, the managers whose package index some stage built on it (directly
/// or further down) needs because it installs without refreshing first, and whose
/// caches a later stage names, builds on, copies or mounts.
fn downstream_index_needs(
    program: &Program,
    bases: &[String],
    facts: &[Option<Vec<Option<crate::analysis::RunFacts>>>],
) -> Vec<Downstream> {
    let n = program.stages.len();
    let mut down: Vec<Downstream> = vec![Downstream::default(); n];
    for j in (0..n).rev() {
        if let Some(f) = facts[j].as_deref() {
            for (from, readers) in stage_source_readers(program, j, f) {
                down[from].mentions.extend(readers);
            }
        }
        let Some(b) = find_stage(program, &bases[j], j) else {
            continue;
        };
        let mut needs = down[j].clone();
        let mut refreshed: BTreeSet<&'static str> = BTreeSet::new();
        for f in facts[j].iter().flatten().flatten() {
            refreshed.extend(f.updates.iter().copied());
            for m in f.drives.union(&f.mentions) {
                if !refreshed.contains(m) {
                    needs.index.insert(m);
                }
            }
            needs.mentions.extend(f.mentions.iter().copied());
        }
        down[b].index.extend(needs.index);
        down[b].mentions.extend(needs.mentions);
    }
    down
}

/// The earlier stages stage `j` copies or mounts from, each with the managers whose
/// caches the taken paths may hold (a mounting RUN's own mentions count too).
fn stage_source_readers(
    program: &Program,
    j: usize,
    facts: &[Option<crate::analysis::RunFacts>],
) -> Vec<(usize, BTreeSet<&'static str>)> {
    let mut out = Vec::new();
    for (k, instr) in program.stages[j].instructions.iter().enumerate() {
        for (name, usage) in instr_sources(instr) {
            let Some(from) = find_source_stage(program, &name, &usage).filter(|&f| f < j) else {
                continue;
            };
            let mut readers = BTreeSet::new();
            match &instr.kind {
                Kind::Copy(c) => {
                    for src in &c.sources {
                        readers.extend(crate::analysis::path_readers(src));
                    }
                }
                Kind::Run(r) => {
                    for m in &r.mounts {
                        if let Ok(spec) = crate::model::mounts::parse_mount_raw(&m.raw)
                            && spec.from.as_deref() == Some(name.as_str())
                        {
                            readers.extend(crate::analysis::path_readers(&spec.source));
                        }
                    }
                    if let Some(Some(f)) = facts.get(k) {
                        readers.extend(f.mentions.iter().copied());
                    }
                }
                _ => {}
            }
            if !readers.is_empty() {
                out.push((from, readers));
            }
        }
    }
    out
}

/// What the stages built on a stage need of its package-manager state.
#[derive(Debug, Clone, Default)]
struct Downstream {
    /// Managers used before their indexes are refreshed.
    index: BTreeSet<&'static str>,
    /// Managers whose cache locations are named.
    mentions: BTreeSet<&'static str>,
}

/// Parses ONBUILD trigger expressions of a base image into instructions.
fn parse_triggers(triggers: &[String], span: Span) -> Result<Vec<Instruction>, Diagnostic> {
    if triggers.is_empty() {
        return Ok(Vec::new());
    }
    let text = triggers.join("\n") + "\n";
    let df = crate::syntax::parse(&format!("FROM scratch\n{text}")).map_err(|d| Diagnostic {
        spans: vec![span],
        ..d
    })?;
    let program = crate::model::instructions::from_nodes(&df).map_err(|d| Diagnostic {
        spans: vec![span],
        ..d
    })?;
    Ok(program.stages[0]
        .instructions
        .iter()
        .cloned()
        .map(|mut i| {
            i.span = span;
            i
        })
        .collect())
}

/// Fills in the build context's attributes once all stages were dispatched.
fn finalize_context(ctx: &mut Ctx<'_>) {
    let Some(idx) = ctx.context_op else {
        return;
    };
    let mut attrs = BTreeMap::new();
    attrs.insert("local.session".to_string(), ctx.opts.session_id.clone());
    attrs.insert("local.sharedkeyhint".to_string(), "context".to_string());
    if !ctx.opts.excludes.is_empty() {
        attrs.insert(
            "local.excludepatterns".to_string(),
            serde_json::to_string(&ctx.opts.excludes).unwrap_or_default(),
        );
    }
    let paths = normalize_context_paths(&ctx.context_paths);
    if !paths.is_empty() {
        attrs.insert(
            "local.followpaths".to_string(),
            serde_json::to_string(&paths).unwrap_or_default(),
        );
    }
    let node = ctx.graph.get_mut(idx);
    node.name = Some("[internal] load build context".into());
    node.caps.insert("source.local");
    if let pb::op::Op::Source(src) = &mut node.op {
        src.attrs = attrs;
    }
}

/// Follow-paths: drop paths under another listed path; `/` means everything.
fn normalize_context_paths(paths: &BTreeSet<String>) -> Vec<String> {
    if paths.contains("/") || paths.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for p in paths {
        if out
            .iter()
            .any(|q| p.starts_with(&format!("{q}/")) || p == q)
        {
            continue;
        }
        out.push(p.trim_start_matches('/').to_string());
    }
    out
}

/// `WORKDIR` semantics: the new working directory for `path` given `cwd`.
pub fn normalize_workdir(cwd: &str, path: &str) -> String {
    // As BuildKit's `NormalizeWorkdir`: an absolute path is kept as written (a trailing
    // slash too); a relative one is joined to the current directory and cleaned.
    if path.starts_with('/') {
        return path.to_string();
    }
    if path.is_empty() {
        return clean_path(cwd);
    }
    clean_path(&format!("{cwd}/{path}"))
}

/// Lexically cleans an absolute path (`/a/./b/../c` → `/a/c`).
pub fn clean_path(p: &str) -> String {
    crate::golang::path_clean(&format!("/{p}"))
}

/// Expands a word with the stage's environment, locating errors at the instruction.
pub(crate) fn expand(
    ctx: &Ctx<'_>,
    st: &StageState,
    word: &str,
    span: Span,
) -> Result<String, Diagnostic> {
    // Words without expansions, quotes or escapes expand to themselves.
    if !word.contains(['$', '\'', '"']) && !word.contains(ctx.lexer.escape) {
        return Ok(word.to_string());
    }
    let expanded = ctx
        .lexer
        .process_word(word, &st.env)
        .map_err(|e| Diagnostic::error("expand", e.to_string()).at(span))?;
    if !expanded.unmatched.is_empty() {
        let keys = st.env.keys();
        let mut undefined = ctx.undefined.borrow_mut();
        for name in expanded.unmatched {
            if st.build_args.iter().any(|(k, _)| *k == name)
                || undefined.iter().any(|u| u.span == span && u.name == name)
            {
                continue;
            }
            let suggestion =
                crate::model::instructions::suggest(&name, keys.iter().map(String::as_str))
                    .map(str::to_string);
            undefined.push(UndefinedVar {
                span,
                name,
                suggestion,
            });
        }
    }
    Ok(expanded.result)
}

/// The progress name of an instruction: variables expanded where set, keyword upper-cased.
pub(crate) fn progress_text(ctx: &Ctx<'_>, st: &StageState, original: &str) -> String {
    display_text(ctx, st, original, true)
}

/// The progress name of a COPY, ADD or WORKDIR: the official frontend expands it with
/// its plain lexer, which also removes quotes (`COPY ["a b", "/c/"]` shows as
/// `COPY [a b, /c/]`) and expands unset variables to nothing.
pub(crate) fn plain_progress_text(ctx: &Ctx<'_>, st: &StageState, original: &str) -> String {
    display_text(ctx, st, original, false)
}

fn display_text(ctx: &Ctx<'_>, st: &StageState, original: &str, raw: bool) -> String {
    let mut lexer = ctx.lexer;
    lexer.raw_quotes = raw;
    lexer.skip_unset_env = raw;
    let text = original.trim();
    // With raw quotes, only `$` and the escape character change anything.
    let expanded = if text.contains('$') || text.contains(lexer.escape) || !raw {
        lexer
            .process_word(text, &st.env)
            .map(|e| e.result)
            .unwrap_or_else(|_| text.to_string())
    } else {
        text.to_string()
    };
    match expanded.split_once(' ') {
        Some((k, rest)) => format!("{} {rest}", k.to_ascii_uppercase()),
        None => expanded.to_ascii_uppercase(),
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
                run::script_argv(ctx, st, instructions, group, &[])?;
                assemble::dispatch_group(ctx, st, instructions, group, &tool)
            }
            _ => run::dispatch_fused(ctx, st, instructions, group),
        },
    }
}

fn with_shell(image: &Image, args: &[String]) -> Vec<String> {
    let mut out = image
        .config
        .shell
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into()]);
    out.push(args.join(" "));
    out
}

/// Expands the keys and values of ENV or LABEL, all with the environment from before
/// the instruction.
fn expand_pairs(
    ctx: &Ctx<'_>,
    st: &StageState,
    kvs: &[crate::model::instructions::KeyValue],
    span: Span,
) -> Result<Vec<(String, String)>, Diagnostic> {
    kvs.iter()
        .map(|kv| {
            Ok((
                expand(ctx, st, &kv.key, span)?,
                expand(ctx, st, &kv.value, span)?,
            ))
        })
        .collect()
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
    node.platform = Some(pb_platform(platform));
    node.name = Some("[internal] preparing inline document".into());
    node.caps.insert("file.base");
    Output {
        op: ctx.graph.push(node),
        index: 0,
    }
}

/// JSONArgsRecommended, checked as the official frontend does while dispatching: for a
/// shell-form CMD or ENTRYPOINT of a stage the build reaches, unless the image so far
/// (its base or parent stage included) has a SHELL.
fn json_args_recommended(
    ctx: &mut Ctx<'_>,
    st: &StageState,
    cl: &crate::model::instructions::CommandLine,
    kw: &str,
    span: Span,
) {
    if cl.prepend_shell && st.image.config.shell.as_ref().is_none_or(|s| s.is_empty()) {
        ctx.findings.push(EmitFinding {
            rule: "JSONArgsRecommended",
            detail: format!(
                "JSON arguments recommended for {kw} to prevent unintended behavior related to OS signals"
            ),
            span,
        });
    }
}

fn dispatch(ctx: &mut Ctx<'_>, st: &mut StageState, instr: &Instruction) -> Result<(), Diagnostic> {
    let span = instr.span;
    match &instr.kind {
        Kind::Env(kvs) => {
            let mut msg = String::from("ENV");
            for (k, v) in expand_pairs(ctx, st, kvs, span)? {
                msg.push_str(&format!(" {k}={v}"));
                st.env.set(&k, &v);
                st.image.set_env(&k, &v);
            }
            st.image.commit(msg, false);
        }
        Kind::Label(kvs) => {
            let mut msg = String::from("LABEL");
            let expanded = expand_pairs(ctx, st, kvs, span)?;
            let labels = st.image.config.labels.get_or_insert_with(BTreeMap::new);
            for (k, v) in expanded {
                msg.push_str(&format!(" {k}={v}"));
                labels.insert(k, v);
            }
            st.image.commit(msg, false);
        }
        Kind::Maintainer(m) => {
            st.image.author = m.clone();
            st.image.commit(format!("MAINTAINER {m}"), false);
        }
        Kind::Arg(defs) => {
            let mut parts = Vec::new();
            for def in defs {
                let mut value = def.value.clone();
                let from_build = ctx.opts.build_args.get(&def.key).cloned();
                if value.is_none() && from_build.is_none() {
                    value = ctx.global_args.get(&def.key);
                } else if let Some(v) = from_build {
                    value = Some(v);
                } else if let Some(v) = &value {
                    value = Some(expand(ctx, st, v, span)?);
                }
                if let Some(v) = &value {
                    st.env.set(&def.key, v);
                }
                st.build_args
                    .push((def.key.clone(), value.clone().unwrap_or_default()));
                parts.push(match &value {
                    Some(v) => format!("{}={v}", def.key),
                    None => def.key.clone(),
                });
            }
            st.image.commit(format!("ARG {}", parts.join(" ")), false);
        }
        Kind::Workdir(p) => {
            let p = expand(ctx, st, p, span)?;
            let wd = normalize_workdir(&st.cwd, &p);
            st.image.config.working_dir = wd.clone();
            st.cwd = wd.clone();
            let with_layer = wd != "/";
            if with_layer {
                let name = st.prefix(&plain_progress_text(ctx, st, &instr.original));
                let input = if st.state.is_some() { 0 } else { -1 };
                let owner = copy::chown_opt(&st.image.config.user, input);
                let mut node = OpNode::new(
                    pb::op::Op::File(pb::FileOp {
                        actions: vec![pb::FileAction {
                            input,
                            secondary_input: -1,
                            output: 0,
                            action: Some(pb::file_action::Action::Mkdir(pb::FileActionMkDir {
                                path: clean_path(&wd),
                                mode: 0o755,
                                make_parents: true,
                                owner,
                                timestamp: ctx
                                    .epoch
                                    .map_or(-1, |s| s.saturating_mul(1_000_000_000)),
                            })),
                        }],
                    }),
                    st.state.into_iter().collect(),
                );
                node.platform = Some(pb_platform(&st.platform));
                node.name = Some(name);
                node.spans = vec![span];
                node.ignore_cache = st.ignore_cache;
                node.caps.insert("file.base");
                st.state = Some(Output {
                    op: ctx.graph.push(node),
                    index: 0,
                });
            }
            st.image.commit(format!("WORKDIR {wd}"), with_layer);
        }
        Kind::User(u) => {
            let u = expand(ctx, st, u, span)?;
            st.user = u.clone();
            st.image.config.user = u.clone();
            st.image.commit(format!("USER {u}"), false);
        }
        Kind::Expose(ports) => {
            let mut list = Vec::new();
            for p in ports {
                let words = ctx
                    .lexer
                    .process_words(p, &st.env)
                    .map_err(|e| Diagnostic::error("expand", e.to_string()).at(span))?;
                for w in words {
                    list.extend(expand_ports(&w).map_err(|d| d.at(span))?);
                }
            }
            let exposed = st
                .image
                .config
                .exposed_ports
                .get_or_insert_with(BTreeMap::new);
            for p in &list {
                exposed.insert(p.clone(), serde_json::json!({}));
            }
            st.image
                .commit(format!("EXPOSE {}", crate::golang::list(&list)), false);
        }
        Kind::Cmd(cl) => {
            json_args_recommended(ctx, st, cl, "CMD", span);
            let args = if cl.prepend_shell {
                with_shell(&st.image, &cl.args)
            } else {
                cl.args.clone()
            };
            st.image.config.args_escaped = true;
            st.image
                .commit(format!("CMD {}", crate::golang::quoted_list(&args)), false);
            st.image.config.cmd = Some(args);
            st.cmd_set = true;
        }
        Kind::Entrypoint(cl) => {
            json_args_recommended(ctx, st, cl, "ENTRYPOINT", span);
            let args = if cl.prepend_shell {
                with_shell(&st.image, &cl.args)
            } else {
                cl.args.clone()
            };
            st.image.commit(
                format!("ENTRYPOINT {}", crate::golang::quoted_list(&args)),
                false,
            );
            st.image.config.entrypoint = Some(args);
            if !st.cmd_set {
                st.image.config.cmd = None;
            }
        }
        Kind::Shell(sh) => {
            st.image.config.shell = Some(sh.clone());
            st.image
                .commit(format!("SHELL {}", crate::golang::list(sh)), false);
        }
        Kind::StopSignal(s) => {
            let s = expand(ctx, st, s, span)?;
            if !valid_signal(&s) {
                return Err(
                    Diagnostic::error("instruction", format!("Invalid signal: {s}")).at(span),
                );
            }
            st.image.config.stop_signal = s.clone();
            st.image.commit(format!("STOPSIGNAL {s}"), false);
        }
        Kind::Volume(vols) => {
            let mut list = Vec::new();
            for v in vols {
                let v = expand(ctx, st, v, span)?;
                if v.is_empty() {
                    return Err(Diagnostic::error(
                        "instruction",
                        "VOLUME specified can not be an empty string",
                    )
                    .at(span));
                }
                list.push(v);
            }
            let volumes = st.image.config.volumes.get_or_insert_with(BTreeMap::new);
            for v in &list {
                volumes.insert(v.clone(), serde_json::json!({}));
            }
            st.image
                .commit(format!("VOLUME {}", crate::golang::list(&list)), false);
        }
        Kind::Healthcheck(h) => {
            let hc = crate::image::Healthcheck {
                test: h.test.clone(),
                interval: h.interval,
                timeout: h.timeout,
                start_period: h.start_period,
                start_interval: h.start_interval,
                retries: h.retries,
            };
            // The engine's frontend formats the struct with Go's %q.
            let q = |ns: i64| crate::golang::quote(&crate::golang::duration(ns));
            st.image.commit(
                format!(
                    "HEALTHCHECK &{{{} {} {} {} {} {}}}",
                    crate::golang::quoted_list(&hc.test),
                    q(hc.interval),
                    q(hc.timeout),
                    q(hc.start_period),
                    q(hc.start_interval),
                    crate::golang::quote_rune(hc.retries)
                ),
                false,
            );
            st.image.config.healthcheck = Some(hc);
        }
        Kind::Onbuild(expr) => {
            st.image
                .config
                .on_build
                .get_or_insert_with(Vec::new)
                .push(expr.clone());
        }
        Kind::Run(r) => run::dispatch_run(ctx, st, instr, r)?,
        Kind::Copy(c) => copy::dispatch_copy(ctx, st, instr, c)?,
    }
    Ok(())
}

fn valid_signal(s: &str) -> bool {
    if s.parse::<u32>().is_ok_and(|n| n > 0 && n < 65) {
        return true;
    }
    let name = s.trim_start_matches("SIG").to_ascii_uppercase();
    const NAMES: &[&str] = &[
        "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT",
        "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM",
        "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ",
    ];
    NAMES.contains(&name.as_str()) || name.starts_with("RTMIN") || name.starts_with("RTMAX")
}

/// `80`, `80/udp`, `8000-8002/tcp` → `["80/tcp", ...]`.
fn expand_ports(spec: &str) -> Result<Vec<String>, Diagnostic> {
    let bad = || Diagnostic::error("instruction", format!("invalid containerPort: {spec}"));
    let (ports, proto) = match spec.rsplit_once('/') {
        Some((p, proto)) => (p, proto.to_ascii_lowercase()),
        None => (spec, "tcp".to_string()),
    };
    // An `ip:host:container` form keeps only the container part.
    let ports = ports.rsplit(':').next().unwrap_or(ports);
    let (start, end) = match ports.split_once('-') {
        Some((a, b)) => (
            a.parse::<u32>().map_err(|_| bad())?,
            b.parse::<u32>().map_err(|_| bad())?,
        ),
        None => {
            let p = ports.parse::<u32>().map_err(|_| bad())?;
            (p, p)
        }
    };
    if start > end || end > 65535 {
        return Err(bad());
    }
    Ok((start..=end).map(|p| format!("{p}/{proto}")).collect())
}

#[cfg(test)]
mod reference_tests {
    use super::normalize_reference as n;

    #[test]
    fn normalizes_like_docker() {
        assert_eq!(n("debian").unwrap(), "docker.io/library/debian:latest");
        assert_eq!(
            n("debian:bookworm").unwrap(),
            "docker.io/library/debian:bookworm"
        );
        assert_eq!(n("me/app").unwrap(), "docker.io/me/app:latest");
        assert!(n("localhost:5000/App/x").is_err());
        assert_eq!(n("localhost:5000/x:1").unwrap(), "localhost:5000/x:1");
        assert_eq!(n("ghcr.io/o/r@sha256:ab").unwrap(), "ghcr.io/o/r@sha256:ab");
        for bad in ["", "a b", "Debian", "busybox:", "x:-bad"] {
            assert!(n(bad).is_err(), "{bad:?}");
        }
    }
}
