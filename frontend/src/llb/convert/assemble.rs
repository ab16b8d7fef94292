//! Additive fusion (`assembly=sync`): a fused group's members stay the official
//! frontend's own exec ops, each its own cached step; slimfile only adds ops after
//! them.
//!
//! For a group whose state before is `S` and whose members end in `m_k`:
//!
//! ```text
//! m_1 … m_k   the members, exactly as unfused (their own mounts, env, heredocs)
//! c           = exec(m_k, cleanup script)        only when there is a cleanup
//! S'          = exec(root: c, /.slimfile-dst: S (the output), /.slimfile-tool: the
//!                    frontend image, `slimfile sync / /.slimfile-dst`)
//! ```
//!
//! `S'` is `S` plus one layer: the group's net change without the cleaned caches
//! (deletions as whiteouts). Later instructions continue from `S'`, so the exported
//! image has one layer per group while editing member *i* re-runs only members
//! *i…k*, the cleanup and the sync. It needs no engine feature beyond exec mounts,
//! so it works on the classic image store, which has no MergeOp/DiffOp.

use bollard_buildkit_proto::pb;

use super::run::{self, ExecSpec};
use super::{Ctx, StageState, normalize_reference, pb_platform};
use crate::diagnostics::{Diagnostic, Span};
use crate::fusion::Group;
use crate::llb::graph::{OpNode, Output, State};
use crate::model::instructions::{Instruction, Kind};
use crate::model::options::{Layers, Platform};

/// The sync op's output that holds the assembled state (the [`DST_DIR`] mount).
const ASSEMBLED: i64 = 1;

/// Where the sync op mounts the state before the group (names no image uses).
const DST_DIR: &str = "/.slimfile-dst";

/// Where the sync op mounts the frontend image.
const TOOL_DIR: &str = "/.slimfile-tool";

/// Where the frontend image keeps its binary (the top-level Dockerfile's ENTRYPOINT).
const TOOL_PATH: &str = "/slimfile";

/// Dispatches a fused group additively; `tool_image` is the frontend's own image.
/// With `SLIMFILE_LAYERS=stage` the group gets no sync of its own: the stage's does it.
pub(crate) fn dispatch_group(
    ctx: &mut Ctx<'_>,
    st: &mut StageState,
    instructions: &[Instruction],
    group: &Group,
    tool_image: &str,
) -> Result<(), Diagnostic> {
    let spans: Vec<Span> = group
        .members
        .iter()
        .map(|&i| instructions[i].span)
        .collect();
    let first_span = spans[0];
    let tool = normalize_reference(tool_image).map_err(|d| d.at(first_span))?;
    let before = st.state;
    let label = group_label(st, &spans, group);
    let first_history = st.image.history.len();
    let extra: Vec<pb::Mount> = group
        .cache_mounts
        .iter()
        .map(|m| run::slimfile_cache_mount(ctx, m).0)
        .collect();
    let mut keep: Vec<String> = Vec::new();
    for i in group.order() {
        let instr = &instructions[i];
        let guarded = match &instr.kind {
            Kind::Run(r) => run::dispatch_run_with(ctx, st, instr, r, extra.clone())?,
            // A spanned COPY's files are the user's: the cleanup's guard keeps off them.
            Kind::Copy(c) => {
                let dest = super::copy::resolved_dest(ctx, st, c, instr.span)?;
                super::dispatch(ctx, st, instr)?;
                vec![dest]
            }
            _ => {
                super::dispatch(ctx, st, instr)?;
                Vec::new()
            }
        };
        for t in guarded {
            if !keep.contains(&t) {
                keep.push(t);
            }
        }
    }
    // One layer per group: it is recorded on the last member's history entry.
    let last = st.image.history.len().saturating_sub(1);
    for h in &mut st.image.history[first_history..last] {
        h.empty_layer = true;
    }
    if !group.cleanup_script.is_empty() {
        cleanup_op(ctx, st, group, &keep, &spans, &label);
    }
    if ctx.opts.layers == Layers::Group {
        sync_op(ctx, st, before, &tool, spans, &label);
    }
    Ok(())
}

/// `SLIMFILE_LAYERS=stage`: the stage's net change above `base` (its state after FROM)
/// as one layer, recorded on the last history entry that had one. `fused` says a group
/// left its assembly to the stage. Stages that add at most one layer and hold no group
/// stay as they are.
pub(crate) fn dispatch_stage_layer(
    ctx: &mut Ctx<'_>,
    st: &mut StageState,
    base: State,
    first_history: usize,
    fused: bool,
    span: Span,
) -> Result<(), Diagnostic> {
    let Some(tool_image) = ctx.opts.frontend_image.clone() else {
        return Ok(());
    };
    let layered: Vec<usize> = (first_history..st.image.history.len())
        .filter(|&h| !st.image.history[h].empty_layer)
        .collect();
    if st.state == base || (layered.len() < 2 && !fused) {
        return Ok(());
    }
    let tool = normalize_reference(&tool_image).map_err(|d| d.at(span))?;
    // A group keeps its layer on its last member's entry, so `layered` is not empty.
    if let Some((_, earlier)) = layered.split_last() {
        for &h in earlier {
            st.image.history[h].empty_layer = true;
        }
    }
    let label = format!("{}stage as one layer", label_prefix(st));
    sync_op(ctx, st, base, &tool, vec![span], &label);
    Ok(())
}

/// `[builder slimfile] ` (`[slimfile] ` in an unnamed stage): how slimfile's own steps
/// start their progress names.
fn label_prefix(st: &StageState) -> String {
    if st.display_name.is_empty() {
        "[slimfile] ".to_string()
    } else {
        format!("[{} slimfile] ", st.display_name)
    }
}

/// `[builder] RUN lines 2-4 as one layer (apt cleanup)`.
fn group_label(st: &StageState, spans: &[Span], group: &Group) -> String {
    let first = spans[0].start_line;
    let last = spans[spans.len() - 1].end_line;
    let lines = if first == last {
        format!("line {first}")
    } else {
        format!("lines {first}-{last}")
    };
    let mut label = format!("{}RUN {lines} as one layer", label_prefix(st));
    if !group.managers.is_empty() {
        label.push_str(&format!(" ({} cleanup)", group.managers.join("+")));
    }
    label
}

/// The cleanup after the last member: the stage's shell, user, env and workdir, no
/// mounts (so it can never reach into a user's cache, bind or secret mount) and no
/// network. Its guard also keeps it off the paths the members mounted over, where
/// the snapshot holds what was there before the mount.
fn cleanup_op(
    ctx: &mut Ctx<'_>,
    st: &mut StageState,
    group: &Group,
    keep: &[String],
    spans: &[Span],
    label: &str,
) {
    let mut args = run::driver_shell(&st.image);
    args.push(crate::fusion::cleanup::program(&group.cleanup_script, keep));
    let spec = ExecSpec {
        args,
        mounts: Vec::new(),
        inputs: Vec::new(),
        secret_env: Vec::new(),
        extra_env: Vec::new(),
        network: pb::NetMode::None as i32,
        security: pb::SecurityMode::Sandbox as i32,
    };
    let name = format!("{label}: cleanup");
    run::push_exec(
        ctx,
        st,
        spec,
        name,
        group.cleanup_script.trim_end().to_string(),
        spans.to_vec(),
    );
}

/// The assembly: `slimfile sync / /.slimfile-dst` run in the cleaned state after the
/// group, with the state before it mounted at [`DST_DIR`] (the op's output).
fn sync_op(
    ctx: &mut Ctx<'_>,
    st: &mut StageState,
    before: State,
    tool: &str,
    spans: Vec<Span>,
    label: &str,
) {
    let platform = ctx
        .opts
        .build_platform
        .clone()
        .unwrap_or_else(Platform::host);
    let tool_state = ctx.image_source_ref(tool, &platform);
    let mut inputs: Vec<Output> = Vec::new();
    let mut input_of = |s: State| -> i64 {
        match s {
            Some(o) => {
                inputs.push(o);
                inputs.len() as i64 - 1
            }
            None => -1,
        }
    };
    let src = input_of(st.state);
    let dst = input_of(before);
    let tool = input_of(tool_state);
    let mount = |input: i64, dest: &str, output: i64| pb::Mount {
        input,
        dest: dest.into(),
        output,
        ..Default::default()
    };
    let exec = pb::ExecOp {
        meta: Some(pb::Meta {
            args: vec![
                format!("{TOOL_DIR}{TOOL_PATH}"),
                "sync".into(),
                "/".into(),
                DST_DIR.into(),
            ],
            env: vec!["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()],
            cwd: "/".into(),
            ..Default::default()
        }),
        // The cleaned state after the group is the root (the tool leaves every mount
        // point alone). Outputs are numbered in mount order and every mount has one,
        // though only /dst's is used: as the root, and with outputs, no input is
        // hashed for a content-based cache key or committed before the op starts,
        // which for a non-root mount of a fresh result costs seconds on a large stage.
        mounts: vec![
            mount(src, "/", 0),
            mount(dst, DST_DIR, ASSEMBLED),
            mount(tool, TOOL_DIR, 2),
        ],
        network: pb::NetMode::None as i32,
        security: pb::SecurityMode::Sandbox as i32,
        secretenv: Vec::new(),
        cdi_devices: Vec::new(),
    };
    let mut node = OpNode::new(pb::op::Op::Exec(exec), inputs);
    node.platform = Some(pb_platform(&platform));
    node.name = Some(format!("{label}: assemble"));
    node.command = Some(format!("{TOOL_DIR}{TOOL_PATH} sync / {DST_DIR}"));
    node.spans = spans;
    node.ignore_cache = st.ignore_cache;
    node.caps.insert("exec.meta.base");
    st.state = Some(Output {
        op: ctx.graph.push(node),
        index: ASSEMBLED,
    });
}
