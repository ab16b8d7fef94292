//! [`emit`]: a build as a short sequence of named phases, like the official frontend's
//! `toDispatchState`, `dispatchStages` and `finalizeResultImage`: lay the stages out,
//! then for each stage start its state, resolve its base, load the base's config and
//! dispatch its instructions (fused where the plan says), then finish the target.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use super::context::finalize_context;
use super::downstream::{Downstream, downstream_index_needs};
use super::stages::{Layout, first_comments, layout, parse_triggers, stage_platform};
use super::words::normalize_workdir;
use super::{
    Ctx, EmitFinding, Emitted, EnvList, ResolvedImage, StageState, dispatch_step, find_stage,
    image_key, named, normalize_reference,
};
use crate::analysis::RunFacts;
use crate::diagnostics::Diagnostic;
use crate::fusion::{self, StagePlan};
use crate::image::{DEFAULT_PATH, Image};
use crate::limits::MAX_DEFINITION_BYTES;
use crate::llb::graph::Graph;
use crate::model::expand::Lexer;
use crate::model::instructions::{Instruction, Kind, Program, Stage};
use crate::model::options::{BuildOptions, Layers, Platform};

/// Compiles a program to an LLB definition and the target's image config. Base images
/// must be resolved already (`images`, keyed by [`image_key`]).
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
    let several = several_dispatch_states(program);
    let mut ctx = new_ctx(program, opts, images, lexer, globals)?;
    // The definition's source map carries the Dockerfile.
    ctx.graph.count(source.map_or(0, |(_, data)| data.len()));
    let file_nofuse = fusion::has_nofuse(first_comments(program));
    let mut facts: Vec<Option<Vec<Option<RunFacts>>>> = program
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| live[i].then(|| fusion::run_facts(&s.instructions)))
        .collect();
    let downstream = downstream_index_needs(program, &bases, &facts);
    let last_child = last_children(program, &bases, &live);
    let mut plans = Vec::new();
    for (i, stage) in program.stages.iter().enumerate() {
        let base_stage = find_stage(program, &bases[i], i);
        // The last stage built on a base (not the target) takes its config instead of
        // copying it: a chain of stages copies no history over and over.
        let take = base_stage.is_some_and(|b| last_child[b] == Some(i) && b != target);
        let platform = stage_platform(stage, &ctx.lexer, &ctx.global_args, &target_platform)?;
        let mut st = new_stage_state(&ctx, i, stage, &bases[i], base_stage, several, platform);
        if live[i] && !replace_with_named_context(&mut ctx, &mut st, stage)? {
            resolve_base(&mut ctx, &mut st, stage, &bases[i], (base_stage, take))?;
            load_base_config(&mut ctx, &mut st, base_stage, take);
            let inputs = PlanInputs {
                file_nofuse,
                downstream: &downstream[i],
                facts: facts[i].take(),
            };
            plans.push(dispatch_stage(&mut ctx, &mut st, stage, inputs)?);
            st.dispatched = true;
        }
        ctx.stages.push(st);
    }
    finalize_context(&mut ctx);
    Ok(finalize_result(
        ctx,
        target,
        &target_platform,
        plans,
        source,
    ))
}

/// For each stage, the last live stage built on it (`FROM` its name).
fn last_children(program: &Program, bases: &[String], live: &[bool]) -> Vec<Option<usize>> {
    let mut last = vec![None; program.stages.len()];
    for i in (0..program.stages.len()).filter(|&i| live[i]) {
        if let Some(b) = find_stage(program, &bases[i], i) {
            last[b] = Some(i);
        }
    }
    last
}

/// Whether progress names carry the stage name: the official frontend does so when it
/// has more than one dispatch state, i.e. several stages, or one stage whose RUN mounts
/// or COPY --from add states of their own (images, named contexts, even a mount
/// without from=).
fn several_dispatch_states(program: &Program) -> bool {
    program.stages.len() > 1
        || program.stages.iter().any(|s| {
            s.instructions.iter().any(|i| match &i.kind {
                Kind::Run(r) => !r.mounts.is_empty(),
                Kind::Copy(c) => c.from.is_some(),
                _ => false,
            })
        })
}

/// The shared emission context, with an arena sized for the program.
fn new_ctx<'a>(
    program: &'a Program,
    opts: &'a BuildOptions,
    images: &'a BTreeMap<String, ResolvedImage>,
    lexer: Lexer,
    global_args: EnvList,
) -> Result<Ctx<'a>, Diagnostic> {
    let ops = program
        .stages
        .iter()
        .map(|s| s.instructions.len() + 1)
        .sum::<usize>()
        + 4;
    Ok(Ctx {
        graph: Graph::with_capacity(ops),
        opts,
        lexer,
        global_args,
        context_op: None,
        context_paths: BTreeSet::new(),
        images,
        stages: Vec::new(),
        program,
        fused_ops: BTreeMap::new(),
        undefined: std::cell::RefCell::new(Vec::new()),
        findings: Vec::new(),
        epoch: opts.source_date_epoch()?,
    })
}

/// A stage's state before its base is known: its progress name, step count and
/// `--no-cache-filter` setting.
fn new_stage_state(
    ctx: &Ctx<'_>,
    index: usize,
    stage: &Stage,
    base: &str,
    base_stage: Option<usize>,
    several: bool,
    platform: Platform,
) -> StageState {
    let display_name = match (&stage.name, several) {
        (_, false) => String::new(),
        (Some(n), true) => n.clone(),
        (None, true) => format!("stage-{index}"),
    };
    let is_scratch = base.eq_ignore_ascii_case("scratch");
    let cmd_total = usize::from(base_stage.is_none() && !is_scratch)
        + stage
            .instructions
            .iter()
            .filter(|s| matches!(s.kind, Kind::Run(_) | Kind::Copy(_) | Kind::Workdir(_)))
            .count();
    let ignore_cache = match &ctx.opts.no_cache {
        None => false,
        Some(list) if list.is_empty() => true,
        Some(list) => stage
            .name
            .as_ref()
            .is_some_and(|n| list.iter().any(|x| x.eq_ignore_ascii_case(n))),
    };
    StageState {
        index,
        display_name,
        state: None,
        image: Image::empty(&platform.os, &platform.arch, &platform.variant),
        env: EnvList::default(),
        cwd: "/".into(),
        user: String::new(),
        platform,
        build_args: Vec::new(),
        cmd_index: 0,
        in_onbuild: false,
        cmd_total,
        cmd_set: false,
        ignore_cache,
        dispatched: false,
        prefix_platform: ctx.opts.multi_platform,
        base_image: None,
    }
}

/// A named context with the stage's name replaces the whole stage; true when one did.
fn replace_with_named_context(
    ctx: &mut Ctx<'_>,
    st: &mut StageState,
    stage: &Stage,
) -> Result<bool, Diagnostic> {
    let Some(n) = &stage.name else {
        return Ok(false);
    };
    let platform = st.platform.clone();
    let Some(nc) = named::lookup(ctx.opts, n, &platform).map_err(|d| d.at(stage.span))? else {
        return Ok(false);
    };
    let (state, img) = named::state(ctx, n, &nc, &platform, stage.span)?;
    st.state = state;
    if let Some(img) = img {
        st.image = img;
    }
    for kv in st.image.config.env.clone().unwrap_or_default() {
        let (k, v) = kv.split_once('=').unwrap_or((kv.as_str(), ""));
        st.env.set(k, v);
    }
    st.dispatched = true;
    Ok(true)
}

/// The stage's starting state and image: a named context of the base's name, an
/// earlier stage, a resolved image, or scratch.
fn resolve_base(
    ctx: &mut Ctx<'_>,
    st: &mut StageState,
    stage: &Stage,
    base: &str,
    (base_stage, take): (Option<usize>, bool),
) -> Result<(), Diagnostic> {
    let platform = st.platform.clone();
    let named_base = if base_stage.is_none() {
        named::lookup(ctx.opts, base, &platform).map_err(|d| d.at(stage.span))?
    } else {
        None
    };
    if let Some(nc) = &named_base {
        let (state, img) = named::state(ctx, base, nc, &platform, stage.span)?;
        st.state = state;
        if let Some(img) = img {
            st.image = img;
        }
        st.base_image = Some(st.image.clone());
    } else if let Some(b) = base_stage {
        let parent = &mut ctx.stages[b];
        if !parent.dispatched {
            return Err(Diagnostic::error(format!(
                "stage {base:?} used as base before it was built"
            ))
            .at(stage.span));
        }
        st.state = parent.state;
        st.base_image = parent.base_image.clone();
        st.image = if take {
            std::mem::take(&mut parent.image)
        } else {
            parent.image.clone()
        };
        st.platform = parent.platform.clone();
        st.build_args = parent.build_args.clone();
    } else if !base.eq_ignore_ascii_case("scratch") {
        from_image(ctx, st, stage, base, &platform)?;
    }
    Ok(())
}

/// FROM an image: its config (minus `created`), and a source op unless it has no
/// layers. Reports InvalidBaseImagePlatform when the engine resolved another platform.
fn from_image(
    ctx: &mut Ctx<'_>,
    st: &mut StageState,
    stage: &Stage,
    base: &str,
    platform: &Platform,
) -> Result<(), Diagnostic> {
    let reference = normalize_reference(base).map_err(|d| d.at(stage.span))?;
    let resolved = ctx
        .images
        .get(&image_key(&reference, platform))
        .ok_or_else(|| {
            Diagnostic::error(format!("base image {reference} was not resolved")).at(stage.span)
        })?;
    st.base_image = Some(resolved.image.clone());
    let mut img = resolved.image.clone();
    img.created = None;
    if !img.architecture.is_empty() && (img.os != platform.os || img.architecture != platform.arch)
    {
        let actual = format!("{}/{}", img.os, img.architecture);
        ctx.findings.push(EmitFinding {
            rule: crate::rules::Rule::InvalidBaseImagePlatform,
            detail: format!(
                "Base image {base} was pulled with platform {actual:?}, expected {:?} for current build",
                platform.format()
            ),
            span: stage.span,
        });
    }
    if img.is_layerless() {
        st.cmd_index += 1;
    } else {
        let shown = match &resolved.digest {
            Some(d) if !resolved.reference.contains('@') => format!("{}@{d}", resolved.reference),
            _ => resolved.reference.clone(),
        };
        let name = st.prefix(&format!("FROM {shown}"));
        st.state = ctx.image_source(
            resolved,
            platform,
            Some(name),
            Some(stage.source_code.clone()),
            Some(stage.span),
        );
    }
    st.image = img;
    Ok(())
}

/// Makes sure PATH is set, then loads the base's env, working directory and user
/// (taking the base stage's env when `take`).
fn load_base_config(ctx: &mut Ctx<'_>, st: &mut StageState, base_stage: Option<usize>, take: bool) {
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
        let parent = &mut ctx.stages[b];
        st.env = if take {
            std::mem::take(&mut parent.env)
        } else {
            parent.env.clone()
        };
    }
    for kv in st.image.config.env.clone().unwrap_or_default() {
        let (k, v) = kv.split_once('=').unwrap_or((kv.as_str(), ""));
        st.env.set(k, v);
    }
    match base_stage {
        None => {
            if !st.image.config.working_dir.is_empty() {
                st.cwd = normalize_workdir("/", &st.image.config.working_dir);
            }
            st.user = st.image.config.user.clone();
        }
        Some(b) => {
            st.cwd = ctx.stages[b].cwd.clone();
            st.user = ctx.stages[b].user.clone();
        }
    }
}

/// What fusion planning needs from outside the stage.
struct PlanInputs<'a> {
    file_nofuse: bool,
    downstream: &'a Downstream,
    facts: Option<Vec<Option<RunFacts>>>,
}

/// Plans fusion for the stage and dispatches its steps, the base image's ONBUILD
/// triggers first (they do not carry over to the new image itself).
fn dispatch_stage(
    ctx: &mut Ctx<'_>,
    st: &mut StageState,
    stage: &Stage,
    inputs: PlanInputs<'_>,
) -> Result<StagePlan, Diagnostic> {
    let triggers = st.image.config.on_build.take().unwrap_or_default();
    let instructions: Cow<'_, [Instruction]> = if triggers.is_empty() {
        Cow::Borrowed(&stage.instructions)
    } else {
        let mut all = parse_triggers(&triggers, stage.span)?;
        all.extend(stage.instructions.iter().cloned());
        st.cmd_total += all.len() - stage.instructions.len();
        Cow::Owned(all)
    };
    let pctx = fusion::PlanContext {
        file_nofuse: inputs.file_nofuse,
        downstream_needs_index: inputs.downstream.index.clone(),
        downstream_mentions: inputs.downstream.mentions.clone(),
        base_shell: st.image.config.shell.clone(),
        base_workdir: Some(st.cwd.clone()),
        facts: match &instructions {
            Cow::Borrowed(_) => inputs.facts,
            Cow::Owned(_) => None,
        },
    };
    let plan = fusion::plan_stage(stage, &instructions, st.index, ctx.opts, &pctx);
    let inherited = st.image.history.len();
    let base_state = st.state;
    let trigger_count = instructions.len() - stage.instructions.len();
    for step in &plan.steps {
        // The base's ONBUILD triggers come first; their progress names say so.
        st.in_onbuild = step.first() < trigger_count;
        dispatch_step(ctx, st, &instructions, step)?;
        if ctx.graph.bytes() > MAX_DEFINITION_BYTES {
            return Err(Diagnostic::error(format!(
                "the build definition is larger than {}, the most BuildKit's gateway accepts \
                 in one message",
                crate::limits::human(MAX_DEFINITION_BYTES)
            ))
            .at(instructions[step.first()].span));
        }
    }
    st.in_onbuild = false;
    if ctx.opts.additive() && ctx.opts.layers == Layers::Stage {
        let fused = plan
            .steps
            .iter()
            .any(|s| matches!(s, fusion::Step::Fused(_)));
        super::assemble::dispatch_stage_layer(ctx, st, base_state, inherited, fused, stage.span)?;
    }
    if let Some(secs) = ctx.epoch {
        let created = crate::golang::rfc3339(secs);
        for h in &mut st.image.history[inherited..] {
            h.created = Some(created.clone());
        }
    }
    Ok(plan)
}

/// The target stage's image with `--label`s and the requested platform, and the
/// definition that builds it.
fn finalize_result(
    mut ctx: Ctx<'_>,
    target: usize,
    target_platform: &Platform,
    plans: Vec<StagePlan>,
    source: Option<(&str, &[u8])>,
) -> Emitted {
    let mut result = ctx.stages.swap_remove(target);
    if !ctx.opts.labels.is_empty() {
        let labels = result.image.config.labels.get_or_insert_with(BTreeMap::new);
        for (k, v) in &ctx.opts.labels {
            labels.insert(k.clone(), v.clone());
        }
    }
    if ctx.opts.platform.is_some() {
        result.image.os = target_platform.os.clone();
        result.image.architecture = target_platform.arch.clone();
        result.image.variant = target_platform.variant.clone();
    }
    let (definition, fused_digests) = ctx.graph.marshal_tracked(result.state, source);
    Emitted {
        definition,
        image: result.image,
        base_image: result.base_image,
        platform: result.platform,
        fusion: plans,
        fused_ops: ctx.fused_ops,
        fused_digests,
        undefined_vars: ctx.undefined.into_inner(),
        findings: ctx.findings,
    }
}
