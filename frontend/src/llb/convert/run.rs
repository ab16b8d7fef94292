//! RUN: exec ops, `--mount`, `--network`, `--security`, heredoc commands, and the exec
//! op of a fused group.

use bollard_buildkit_proto::pb;

use super::metadata::with_shell;
use super::run_mounts::add_mounts;
use super::{Ctx, StageState, progress_text};
use crate::diagnostics::{Diagnostic, Span};
use crate::fusion::Group;
use crate::llb::graph::{InputSet, Output};
use crate::model::instructions::{Instruction, Kind, Run};
use crate::model::modes::{NetworkMode, SecurityMode};
use crate::syntax;

/// Everything an exec op needs besides its command.
pub(crate) struct ExecSpec {
    pub args: Vec<String>,
    pub mounts: Vec<pb::Mount>,
    pub inputs: Vec<Output>,
    pub secret_env: Vec<pb::SecretEnv>,
    pub extra_env: Vec<String>,
    pub network: i32,
    pub security: i32,
}

/// The state a `--from` / `from=` names: an earlier stage, a named context, or an image.
pub(crate) fn source_state(
    ctx: &mut Ctx<'_>,
    st: &StageState,
    from: &str,
    usage: &super::SourceUse,
    span: Span,
) -> Result<Option<Output>, Diagnostic> {
    if let Some(i) = super::find_source_stage(ctx.program, from, usage) {
        if i >= st.index || !ctx.stages[i].dispatched {
            let message = match usage {
                super::SourceUse::Copy => format!(
                    "cannot copy from stage {from:?}, it needs to be defined before current stage {:?}",
                    st.display_name
                ),
                super::SourceUse::Mount(target) => format!(
                    "cannot mount from stage {from:?} to {target:?}, stage needs to be defined before current command"
                ),
            };
            return Err(Diagnostic::error(message).at(span));
        }
        return Ok(ctx.stages[i].state);
    }
    let platform = st.platform.clone();
    if let Some(nc) = super::named::lookup(ctx.opts, from, &platform).map_err(|d| d.at(span))? {
        return Ok(super::named::state(ctx, from, &nc, &platform, span)?.0);
    }
    if from.eq_ignore_ascii_case("scratch") {
        return Ok(None);
    }
    let reference = super::normalize_reference(from).map_err(|d| d.at(span))?;
    let resolved = ctx.resolved_image(&reference, &platform, span)?;
    // The official frontend makes the image a stage of its own with no instructions:
    // its op is named `FROM <ref>@<digest>`, with an empty command.
    let shown = match &resolved.digest {
        Some(d) if !resolved.reference.contains('@') => format!("{}@{d}", resolved.reference),
        _ => resolved.reference.clone(),
    };
    // Its location: the COPY that names it; a mount's has none.
    let copy = matches!(usage, super::SourceUse::Copy);
    let state = ctx.image_source(
        &resolved,
        &platform,
        Some(format!("FROM {shown}")),
        Some(String::new()),
        copy.then_some(span),
    );
    if let (false, Some(o)) = (copy, state) {
        ctx.graph.get_mut(o.op).bare_location = true;
    }
    Ok(state)
}

/// The command of a RUN as exec args, with its heredoc handled like the official
/// frontend, plus an extra read-only mount for a shebang heredoc.
pub(crate) fn run_args(
    ctx: &mut Ctx<'_>,
    st: &StageState,
    run: &Run,
    spec: &mut ExecSpec,
) -> Result<(Vec<String>, Option<String>), Diagnostic> {
    let mut args = run.cmd.args.clone();
    let mut summary = None;
    if !run.files.is_empty() {
        let single = args.len() == 1 && syntax::parse_heredoc_marker(&args[0]).is_some();
        if single {
            let f = &run.files[0];
            let data = if f.chomp {
                syntax::chomp_heredoc(&f.content)
            } else {
                f.content.clone()
            };
            if data.starts_with("#!") {
                let out = super::inline_file(
                    ctx,
                    &st.platform,
                    format!("/{}", f.name),
                    0o755,
                    data.into_bytes(),
                );
                spec.inputs.push(out);
                spec.mounts.push(pb::Mount {
                    input: spec.inputs.len() as i64 - 1,
                    selector: "/".into(),
                    dest: "/dev/pipes/".into(),
                    output: -1,
                    readonly: true,
                    ..Default::default()
                });
                args = vec![format!("/dev/pipes/{}", f.name)];
                summary = Some(summarize_heredoc(&f.content));
                if run.cmd.prepend_shell {
                    args = with_shell(&st.image, &args);
                }
                return Ok((args, summary));
            }
            args = vec![data];
            summary = Some(summarize_heredoc(&f.content));
        } else {
            let mut b = args.first().cloned().unwrap_or_default();
            for f in &run.files {
                b.push('\n');
                b.push_str(&f.content);
                b.push_str(&f.name);
            }
            args = vec![b];
        }
    }
    if run.cmd.prepend_shell {
        args = with_shell(&st.image, &args);
    }
    Ok((args, summary))
}

fn summarize_heredoc(doc: &str) -> String {
    let doc = doc.trim().replace("\r\n", "\n");
    let mut lines = doc.split('\n');
    let first = lines.next().unwrap_or("").to_string();
    if lines.next().is_some() {
        format!("{first}...")
    } else {
        first
    }
}

/// Network and security modes of a RUN.
pub(crate) fn modes(ctx: &Ctx<'_>, run: &Run) -> (i32, i32) {
    let forced = ctx
        .opts
        .network_mode
        .as_deref()
        .and_then(NetworkMode::parse);
    let network = match run.network.or(forced) {
        Some(NetworkMode::None) => pb::NetMode::None as i32,
        Some(NetworkMode::Host) => pb::NetMode::Host as i32,
        Some(NetworkMode::Default) | None => pb::NetMode::Unset as i32,
    };
    let security = match run.security {
        Some(SecurityMode::Insecure) => pb::SecurityMode::Insecure as i32,
        Some(SecurityMode::Sandbox) | None => pb::SecurityMode::Sandbox as i32,
    };
    (network, security)
}

fn proxy_env(ctx: &Ctx<'_>) -> Option<pb::ProxyEnv> {
    let get = |k: &str| {
        ctx.opts
            .build_args
            .get(k)
            .or_else(|| ctx.opts.build_args.get(&k.to_ascii_lowercase()))
            .cloned()
            .unwrap_or_default()
    };
    let p = pb::ProxyEnv {
        http_proxy: get("HTTP_PROXY"),
        https_proxy: get("HTTPS_PROXY"),
        ftp_proxy: get("FTP_PROXY"),
        no_proxy: get("NO_PROXY"),
        all_proxy: get("ALL_PROXY"),
    };
    (p != pb::ProxyEnv::default()).then_some(p)
}

/// Pushes an exec op for `spec` on the stage's root and advances the stage state.
pub(crate) fn push_exec(
    ctx: &mut Ctx<'_>,
    st: &mut StageState,
    spec: ExecSpec,
    name: String,
    command: String,
    spans: Vec<Span>,
) {
    let mut env = st.env.to_strings();
    env.extend(spec.extra_env.iter().cloned());
    let mut mounts = vec![pb::Mount {
        input: -1,
        dest: "/".into(),
        output: 0,
        ..Default::default()
    }];
    // The state each mount reads (the root: the stage's state).
    let mut sources: Vec<Option<Output>> = vec![st.state];
    for m in spec.mounts {
        sources.push(usize::try_from(m.input).ok().map(|i| spec.inputs[i]));
        mounts.push(m);
    }
    if let Some(shm) = ctx.opts.shm_size.filter(|s| *s > 0) {
        sources.push(None);
        mounts.push(pb::Mount {
            input: -1,
            dest: "/dev/shm".into(),
            output: -1,
            mount_type: pb::MountType::Tmpfs as i32,
            tmpfs_opt: Some(pb::TmpfsOpt { size: shm }),
            ..Default::default()
        });
    }
    let (mut mounts, inputs) = number_mounts(&ctx.graph, mounts, sources);
    // Without `exec.mount.bind.readwrite-nooutput`, a writable bind mount gets an output,
    // numbered in mount order after the root's.
    if !ctx.opts.supports("exec.mount.bind.readwrite-nooutput") {
        let mut next = 1;
        for m in mounts.iter_mut().skip(1) {
            if m.mount_type == pb::MountType::Bind as i32 && !m.readonly && m.input >= 0 {
                m.output = next;
                next += 1;
            }
        }
    }
    let extra_hosts = ctx
        .opts
        .extra_hosts
        .iter()
        .map(|(h, ip)| pb::HostIp {
            host: h.clone(),
            ip: ip.clone(),
        })
        .collect();
    let exec = pb::ExecOp {
        meta: Some(pb::Meta {
            args: spec.args,
            env,
            cwd: st.cwd.clone(),
            user: st.user.clone(),
            proxy_env: proxy_env(ctx),
            extra_hosts,
            hostname: ctx.opts.hostname.clone().unwrap_or_default(),
            ulimit: ctx
                .opts
                .ulimits
                .iter()
                .map(|(n, s, h)| pb::Ulimit {
                    name: n.clone(),
                    soft: *s,
                    hard: *h,
                })
                .collect(),
            remove_mount_stubs_recursive: true,
            ..Default::default()
        }),
        mounts,
        network: spec.network,
        security: spec.security,
        secretenv: spec.secret_env,
        cdi_devices: Vec::new(),
    };
    let mut node = inputs.node(pb::op::Op::Exec(exec));
    node.name = Some(name);
    node.command = Some(command);
    node.spans = spans;
    node.ignore_cache = st.ignore_cache;
    node.caps.insert("exec.meta.base");
    st.state = Some(ctx.push_on(node, &st.platform));
}

/// RUN, unfused: exactly the official frontend's exec op.
pub(crate) fn dispatch_run(
    ctx: &mut Ctx<'_>,
    st: &mut StageState,
    instr: &Instruction,
    run: &Run,
) -> Result<(), Diagnostic> {
    dispatch_run_with(ctx, st, instr, run, Vec::new()).map(|_| ())
}

/// RUN with extra mounts (the cache mounts of `cleanup=cache-mount`); without any,
/// the official frontend's exec op. Returns the targets of the RUN's own mounts.
pub(crate) fn dispatch_run_with(
    ctx: &mut Ctx<'_>,
    st: &mut StageState,
    instr: &Instruction,
    run: &Run,
    extra_mounts: Vec<pb::Mount>,
) -> Result<Vec<String>, Diagnostic> {
    let (network, security) = modes(ctx, run);
    let mut spec = ExecSpec {
        args: Vec::new(),
        mounts: Vec::new(),
        inputs: Vec::new(),
        secret_env: Vec::new(),
        extra_env: Vec::new(),
        network,
        security,
    };
    let (args, summary) = run_args(ctx, st, run, &mut spec)?;
    add_mounts(ctx, st, run, instr.span, &mut spec)?;
    let targets = mount_targets(&spec);
    spec.mounts.extend(extra_mounts);
    spec.args = args.clone();
    // The official name is the instruction with its heredoc summary, then expanded.
    let text = match summary {
        Some(s) => progress_text(ctx, st, &format!("{} ({s})", instr.original.trim())),
        None => progress_text(ctx, st, &instr.original),
    };
    let name = st.prefix(&text);
    let history = format!("RUN {} # buildkit", st.run_history(&args));
    push_exec(
        ctx,
        st,
        spec,
        name,
        instr.original.trim().to_string(),
        vec![instr.span],
    );
    st.image.commit(history, true);
    Ok(targets)
}

/// The shell that runs a fused op's driver: the stage's SHELL program (planning only
/// fuses under POSIX shells), else `/bin/sh`.
pub(crate) fn driver_shell(image: &crate::image::Image) -> Vec<String> {
    match image.config.shell.as_deref() {
        Some([prog, .., c]) if c == "-c" => vec![prog.clone(), "-c".into()],
        _ => vec!["/bin/sh".into(), "-c".into()],
    }
}

/// The targets of a spec's mounts (besides `/`), for the cleanup guard.
fn mount_targets(spec: &ExecSpec) -> Vec<String> {
    spec.mounts.iter().map(|m| m.dest.clone()).collect()
}

/// The cache mount `cleanup=cache-mount` puts over a cache directory, and its id
/// (without the namespace).
pub(crate) fn slimfile_cache_mount(ctx: &Ctx<'_>, path: &str) -> (pb::Mount, String) {
    let id = format!("slimfile{path}");
    let mount = pb::Mount {
        input: -1,
        dest: path.to_string(),
        output: -1,
        mount_type: pb::MountType::Cache as i32,
        cache_opt: Some(pb::CacheOpt {
            id: format!("{}/{id}", ctx.opts.cache_mount_ns),
            sharing: pb::CacheSharingOpt::Locked as i32,
        }),
        ..Default::default()
    };
    (mount, id)
}

/// The one-script form of a group: the argv of its single exec op and each member's
/// own argv. Recorded in `fused_ops` for `rewrite`, whatever the assembly.
pub(crate) fn script_argv(
    ctx: &mut Ctx<'_>,
    st: &StageState,
    instructions: &[Instruction],
    group: &Group,
    keep: &[String],
) -> Result<(Vec<String>, Vec<Vec<String>>), Diagnostic> {
    let mut member_args = Vec::new();
    for &i in &group.members {
        let Kind::Run(r) = &instructions[i].kind else {
            continue;
        };
        // Planning never fuses a shebang heredoc, so this spec gains no mount.
        let mut scratch = ExecSpec {
            args: Vec::new(),
            mounts: Vec::new(),
            inputs: Vec::new(),
            secret_env: Vec::new(),
            extra_env: Vec::new(),
            network: 0,
            security: 0,
        };
        member_args.push(run_args(ctx, st, r, &mut scratch)?.0);
    }
    let cleanup = if group.cleanup_script.is_empty() {
        String::new()
    } else {
        crate::fusion::cleanup::program(&group.cleanup_script, keep)
    };
    let argv = crate::fusion::script::fused_argv(&driver_shell(&st.image), &member_args, &cleanup);
    let script = argv.last().map_or(0, String::len);
    let cleanup_at = script - crate::fusion::script::appended_len(&cleanup);
    let full_shell = st.image.config.shell.clone();
    let full_shell = full_shell.unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into()]);
    let shell_form = argv[..argv.len() - 1] == full_shell[..];
    let cache_mounts = group
        .cache_mounts
        .iter()
        .map(|m| (m.clone(), slimfile_cache_mount(ctx, m).1))
        .collect();
    ctx.fused_ops.insert(
        (st.index, group.members[0]),
        super::FusedOp {
            argv: argv.clone(),
            cache_mounts,
            shell_form,
            cleanup_at,
        },
    );
    Ok((argv, member_args))
}

/// A fused group of RUNs as one script (`assembly=script`): one exec op, one history
/// entry per original RUN. Each member's argv is the one its own RUN would run,
/// heredoc bodies included.
pub(crate) fn dispatch_fused(
    ctx: &mut Ctx<'_>,
    st: &mut StageState,
    instructions: &[Instruction],
    group: &Group,
) -> Result<(), Diagnostic> {
    let first = &instructions[group.members[0]];
    let Kind::Run(first_run) = &first.kind else {
        return Err(Diagnostic::error("fused group must start with RUN").at(first.span));
    };
    let (network, security) = modes(ctx, first_run);
    let mut spec = ExecSpec {
        args: Vec::new(),
        mounts: Vec::new(),
        inputs: Vec::new(),
        secret_env: Vec::new(),
        extra_env: Vec::new(),
        network,
        security,
    };
    add_mounts(ctx, st, first_run, first.span, &mut spec)?;
    let keep = mount_targets(&spec);
    let (argv, member_args) = script_argv(ctx, st, instructions, group, &keep)?;
    spec.args = argv;
    for m in &group.cache_mounts {
        spec.mounts.push(slimfile_cache_mount(ctx, m).0);
    }
    let text = progress_text(ctx, st, &first.original);
    let mut notes: Vec<String> = Vec::new();
    if group.members.len() > 1 {
        notes.push(format!("+{} fused", group.members.len() - 1));
    }
    if !group.managers.is_empty() {
        let what = if group.cache_mounts.is_empty() {
            "cleanup"
        } else {
            "cache mounts"
        };
        notes.push(format!("{} {what}", group.managers.join("+")));
    }
    let name = st.prefix(&format!("{text} ({})", notes.join(", ")));
    // The other members still count as steps in the progress numbering.
    st.cmd_index += group.members.len() - 1;
    let histories: Vec<String> = member_args
        .iter()
        .map(|a| format!("RUN {} # buildkit", st.run_history(a)))
        .collect();
    let spans = group
        .members
        .iter()
        .map(|&i| instructions[i].span)
        .collect();
    let command = group
        .members
        .iter()
        .map(|&i| instructions[i].original.trim().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    push_exec(ctx, st, spec, name, command, spans);
    if let Some(out) = st.state {
        ctx.graph.get_mut(out.op).fused = true;
    }
    let n = histories.len();
    for (k, h) in histories.into_iter().enumerate() {
        st.image.commit(h, k + 1 == n);
    }
    Ok(())
}

/// Orders mounts and numbers their inputs as BuildKit's LLB client does: filesystem
/// mounts by target, then secrets, then SSH sockets (each as declared); inputs in mount
/// order, one per distinct source state (states with equal digests share one).
fn number_mounts(
    graph: &crate::llb::graph::Graph,
    mounts: Vec<pb::Mount>,
    sources: Vec<Option<Output>>,
) -> (Vec<pb::Mount>, InputSet) {
    let class = |m: &pb::Mount| match m.mount_type {
        t if t == pb::MountType::Secret as i32 => 1,
        t if t == pb::MountType::Ssh as i32 => 2,
        _ => 0,
    };
    let mut pairs: Vec<(pb::Mount, Option<Output>)> = mounts.into_iter().zip(sources).collect();
    pairs.sort_by(|a, b| {
        let (ca, cb) = (class(&a.0), class(&b.0));
        ca.cmp(&cb).then_with(|| {
            if ca == 0 {
                a.0.dest.cmp(&b.0.dest)
            } else {
                std::cmp::Ordering::Equal
            }
        })
    });
    let mut inputs = InputSet::default();
    let mounts = pairs
        .into_iter()
        .map(|(mut m, src)| {
            m.input = src.map_or(-1, |o| inputs.add(graph, o));
            m
        })
        .collect();
    (mounts, inputs)
}
