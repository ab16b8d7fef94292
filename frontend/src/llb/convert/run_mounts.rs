//! `RUN --mount`: each mount type into its LLB mount, as the official frontend's
//! `convert_runmount.go`, `convert_secrets.go` and `convert_ssh.go` do. Bind, cache and
//! tmpfs mounts may take an input state; secret and SSH mounts are provided by the
//! client and have none.

use bollard_buildkit_proto::pb;

use super::run::{ExecSpec, source_state};
use super::{Ctx, SourceUse, StageState, clean_path, expand};
use crate::diagnostics::{Diagnostic, Span};
use crate::llb::graph::{OpNode, Output};
use crate::model::expand::Env as _;
use crate::model::instructions::Run;
use crate::model::mounts::{MountKind, MountSpec, Sharing, parse_mount};

/// Resolves the `--mount`s of a RUN into LLB mounts (inputs appended to `spec`).
pub(crate) fn add_mounts(
    ctx: &mut Ctx<'_>,
    st: &StageState,
    run: &Run,
    span: Span,
    spec: &mut ExecSpec,
) -> Result<(), Diagnostic> {
    let mut mounts = Vec::new();
    for flag in &run.mounts {
        let m = parse_mount(&flag.raw, |v| expand(ctx, st, v, span)).map_err(|d| d.at(span))?;
        mounts.push(m);
    }
    let mut ssh_count = 0;
    for m in mounts {
        let target = mount_target(st, &m);
        match m.kind {
            MountKind::Secret => secret_mount(&m, target, spec),
            MountKind::Ssh => {
                ssh_mount(st, &m, target, ssh_count, spec);
                ssh_count += 1;
            }
            MountKind::Bind | MountKind::Cache | MountKind::Tmpfs => {
                fs_mount(ctx, st, &m, target, span, spec)?
            }
        }
    }
    Ok(())
}

/// The absolute target: a relative one is joined to the working directory, and a
/// bind, cache or tmpfs mount without one goes at the working directory (secret and
/// SSH mounts have defaults of their own).
fn mount_target(st: &StageState, m: &MountSpec) -> String {
    if !m.target.is_empty() && !m.target.starts_with('/') {
        clean_path(&format!("{}/{}", st.cwd, m.target))
    } else if m.target.is_empty() && !m.kind.is_provided() {
        clean_path(&st.cwd)
    } else {
        m.target.clone()
    }
}

/// A secret as a file (default `/run/secrets/<id>`) and/or an environment variable.
/// Encoded as the official client does: no input, output 0, not read-only (the engine
/// mounts it read-only).
fn secret_mount(m: &MountSpec, mut target: String, spec: &mut ExecSpec) {
    let id = if !m.id.is_empty() {
        m.id.clone()
    } else if !m.source.is_empty() {
        m.source.clone()
    } else {
        target.rsplit('/').next().unwrap_or_default().to_string()
    };
    if let Some(env) = &m.env {
        spec.secret_env.push(pb::SecretEnv {
            id: id.clone(),
            name: env.clone(),
            optional: !m.required,
        });
        if m.target.is_empty() {
            return;
        }
    }
    if target.is_empty() {
        target = format!("/run/secrets/{id}");
    }
    spec.mounts.push(pb::Mount {
        input: -1,
        dest: target,
        mount_type: pb::MountType::Secret as i32,
        secret_opt: Some(pb::SecretOpt {
            id,
            uid: m.uid.unwrap_or(0),
            gid: m.gid.unwrap_or(0),
            mode: m.mode.unwrap_or(0o400),
            optional: !m.required,
        }),
        ..Default::default()
    });
}

/// The `index`th SSH agent socket of the RUN (default
/// `/run/buildkit/ssh_agent.<index>`); the first sets `SSH_AUTH_SOCK` unless the
/// stage does. An empty id is the engine's `default`.
fn ssh_mount(
    st: &StageState,
    m: &MountSpec,
    mut target: String,
    index: usize,
    spec: &mut ExecSpec,
) {
    if target.is_empty() {
        target = format!("/run/buildkit/ssh_agent.{index}");
    }
    if index == 0 && st.env.get("SSH_AUTH_SOCK").is_none() {
        spec.extra_env.push(format!("SSH_AUTH_SOCK={target}"));
    }
    spec.mounts.push(pb::Mount {
        input: -1,
        dest: target,
        mount_type: pb::MountType::Ssh as i32,
        ssh_opt: Some(pb::SshOpt {
            id: m.id.clone(),
            uid: m.uid.unwrap_or(0),
            gid: m.gid.unwrap_or(0),
            mode: m.mode.unwrap_or(0o600),
            optional: !m.required,
        }),
        ..Default::default()
    });
}

/// A bind, cache or tmpfs mount. Binds (and caches with `from=`) take the build
/// context or the named source as input; a cache of the whole source with an owner or
/// mode mounts a prepared `/cache` directory instead.
fn fs_mount(
    ctx: &mut Ctx<'_>,
    st: &StageState,
    m: &MountSpec,
    target: String,
    span: Span,
    spec: &mut ExecSpec,
) -> Result<(), Diagnostic> {
    if target == "/" {
        return Err(Diagnostic::error(format!("invalid mount target {target:?}")).at(span));
    }
    let mut input = mount_input(ctx, st, m, span)?;
    let mut source = clean_path(&format!("/{}", m.source));
    if source == "/" && (m.uid.is_some() || m.gid.is_some() || m.mode.is_some()) {
        input = Some(cache_permissions(ctx, st, m, input));
        source = "/cache".into();
    }
    let input_index = match input {
        Some(o) => {
            spec.inputs.push(o);
            spec.inputs.len() as i64 - 1
        }
        None => -1,
    };
    let mut mount = pb::Mount {
        input: input_index,
        selector: if source == "/" { String::new() } else { source },
        dest: target,
        output: -1,
        readonly: m.readonly.unwrap_or(m.kind == MountKind::Bind),
        ..Default::default()
    };
    match m.kind {
        MountKind::Cache => {
            mount.mount_type = pb::MountType::Cache as i32;
            mount.cache_opt = Some(cache_opt(ctx, m));
        }
        MountKind::Tmpfs => {
            mount.mount_type = pb::MountType::Tmpfs as i32;
            mount.tmpfs_opt = Some(pb::TmpfsOpt { size: m.size });
        }
        _ => mount.mount_type = pb::MountType::Bind as i32,
    }
    spec.mounts.push(mount);
    Ok(())
}

/// The input of a bind mount, or of a cache mount with `from=`: the build context
/// (whose used paths grow by the source), or the stage, context or image `from=` names.
fn mount_input(
    ctx: &mut Ctx<'_>,
    st: &StageState,
    m: &MountSpec,
    span: Span,
) -> Result<Option<Output>, Diagnostic> {
    let takes_input = m.kind == MountKind::Bind || (m.kind == MountKind::Cache && m.from.is_some());
    if !takes_input {
        return Ok(None);
    }
    match &m.from {
        None => {
            ctx.context_paths
                .insert(clean_path(&format!("/{}", m.source)));
            Ok(ctx.context())
        }
        Some(from) => source_state(ctx, st, from, &SourceUse::Mount(m.target.clone()), span),
    }
}

/// A file op making `/cache` with the mount's owner and mode, on top of `input`.
fn cache_permissions(
    ctx: &mut Ctx<'_>,
    st: &StageState,
    m: &MountSpec,
    input: Option<Output>,
) -> Output {
    let id = |n: Option<u32>| pb::UserOpt {
        user: Some(pb::user_opt::User::ById(n.unwrap_or(0))),
    };
    let mut node = OpNode::new(
        pb::op::Op::File(pb::FileOp {
            actions: vec![pb::FileAction {
                input: if input.is_some() { 0 } else { -1 },
                secondary_input: -1,
                output: 0,
                action: Some(pb::file_action::Action::Mkdir(pb::FileActionMkDir {
                    path: "/cache".into(),
                    mode: m.mode.unwrap_or(0o755) as i32,
                    make_parents: false,
                    owner: Some(pb::ChownOpt {
                        user: Some(id(m.uid)),
                        group: Some(id(m.gid)),
                    }),
                    timestamp: -1,
                })),
            }],
        }),
        input.into_iter().collect(),
    );
    node.name = Some("[internal] setting cache mount permissions".into());
    node.caps.insert("file.base");
    ctx.push_on(node, &st.platform)
}

/// A cache mount's id (namespaced; by default Go's `path.Clean` of the target as
/// written: relative stays relative, empty becomes ".") and sharing mode.
fn cache_opt(ctx: &Ctx<'_>, m: &MountSpec) -> pb::CacheOpt {
    let id = if m.id.is_empty() {
        crate::golang::path_clean(&m.target)
    } else {
        m.id.clone()
    };
    pb::CacheOpt {
        id: format!("{}/{}", ctx.opts.cache_mount_ns, id),
        sharing: match m.sharing {
            Some(Sharing::Private) => pb::CacheSharingOpt::Private as i32,
            Some(Sharing::Locked) => pb::CacheSharingOpt::Locked as i32,
            Some(Sharing::Shared) | None => pb::CacheSharingOpt::Shared as i32,
        },
    }
}
