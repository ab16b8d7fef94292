//! Rules over the instructions of one stage.

use super::{Findings, Input, Rule};
use crate::analysis;
use crate::diagnostics::Span;
use crate::model::instructions::{Kind, Stage};

/// JSONArgsRecommended from the syntax alone: a shell-form CMD or ENTRYPOINT with no
/// SHELL before it in the stage. With an emitted build the converter reports this rule
/// instead, since it knows the SHELL a base image or parent stage passes on.
pub(super) fn json_args_recommended(input: &Input<'_>, stage: &Stage, out: &mut Findings) {
    if input.emitted.is_some() {
        return;
    }
    let mut shell_set = false;
    for instr in &stage.instructions {
        match &instr.kind {
            Kind::Shell(_) => shell_set = true,
            Kind::Cmd(c) | Kind::Entrypoint(c) if c.prepend_shell && !shell_set => {
                let kw = if matches!(instr.kind, Kind::Cmd(_)) {
                    "CMD"
                } else {
                    "ENTRYPOINT"
                };
                out.add(
                    Rule::JsonArgsRecommended,
                    format!(
                        "JSON arguments recommended for {kw} to prevent unintended behavior related to OS signals"
                    ),
                    instr.span,
                );
            }
            _ => {}
        }
    }
}

/// MultipleInstructionsDisallowed: a CMD, ENTRYPOINT or HEALTHCHECK that a later one
/// of the same stage makes unused (the official check reports the unused one).
pub(super) fn multiple_instructions_disallowed(stage: &Stage, out: &mut Findings) {
    let mut last: [Option<Span>; 3] = [None; 3];
    for instr in &stage.instructions {
        let (slot, kw) = match &instr.kind {
            Kind::Cmd(_) => (0, "CMD"),
            Kind::Entrypoint(_) => (1, "ENTRYPOINT"),
            Kind::Healthcheck(_) => (2, "HEALTHCHECK"),
            _ => continue,
        };
        if let Some(prev) = last[slot].replace(instr.span) {
            out.add(
                Rule::MultipleInstructionsDisallowed,
                format!(
                    "Multiple {kw} instructions should not be used in the same stage because only the last one will be used"
                ),
                prev,
            );
        }
    }
}

/// ExposeProtoCasing (`80/TCP`) and ExposeInvalidFormat (`1.2.3.4:80:80`).
pub(super) fn expose_format(stage: &Stage, out: &mut Findings) {
    for instr in &stage.instructions {
        let Kind::Expose(ports) = &instr.kind else {
            continue;
        };
        for p in ports {
            if let Some((_, proto)) = p.rsplit_once('/')
                && proto != proto.to_ascii_lowercase()
            {
                out.add(
                    Rule::ExposeProtoCasing,
                    format!("Defined protocol '{p}' in EXPOSE instruction should be lowercase"),
                    instr.span,
                );
            }
            if p.contains(':') {
                out.add(
                    Rule::ExposeInvalidFormat,
                    format!(
                        "EXPOSE instruction should not define an IP address or host-port mapping, found '{p}'"
                    ),
                    instr.span,
                );
            }
        }
    }
}

/// MaintainerDeprecated: any MAINTAINER.
pub(super) fn maintainer_deprecated(stage: &Stage, out: &mut Findings) {
    for instr in &stage.instructions {
        if matches!(instr.kind, Kind::Maintainer(_)) {
            out.add(
                Rule::MaintainerDeprecated,
                "Maintainer instruction is deprecated in favor of using label".into(),
                instr.span,
            );
        }
    }
}

/// LegacyKeyValueFormat: `ENV key value` or `LABEL key value`.
pub(super) fn legacy_key_value_format(stage: &Stage, out: &mut Findings) {
    for instr in &stage.instructions {
        let (Kind::Env(kvs) | Kind::Label(kvs)) = &instr.kind else {
            continue;
        };
        if kvs.iter().any(|kv| kv.legacy) {
            let kw = instr.keyword.to_ascii_uppercase();
            out.add(
                Rule::LegacyKeyValueFormat,
                format!(
                    "\"{kw} key=value\" should be used instead of legacy \"{kw} key value\" format"
                ),
                instr.span,
            );
        }
    }
}

/// SecretsUsedInArgOrEnv: an ARG or ENV whose name looks like a secret's.
pub(super) fn secrets_used_in_arg_or_env(stage: &Stage, out: &mut Findings) {
    for instr in &stage.instructions {
        let (kw, keys): (&str, Vec<&str>) = match &instr.kind {
            Kind::Env(kvs) => ("ENV", kvs.iter().map(|kv| kv.key.as_str()).collect()),
            Kind::Arg(defs) => ("ARG", defs.iter().map(|d| d.key.as_str()).collect()),
            _ => continue,
        };
        for key in keys.into_iter().filter(|k| is_secret_name(k)) {
            out.add(
                Rule::SecretsUsedInArgOrEnv,
                format!("Do not use ARG or ENV instructions for sensitive data ({kw} \"{key}\")"),
                instr.span,
            );
        }
    }
}

/// WorkdirRelativePath: a relative WORKDIR before any absolute one in the stage.
pub(super) fn workdir_relative_path(stage: &Stage, out: &mut Findings) {
    let mut workdir_set = false;
    for instr in &stage.instructions {
        let Kind::Workdir(p) = &instr.kind else {
            continue;
        };
        if !workdir_set && !p.starts_with('/') && !p.starts_with('$') {
            out.add(
                Rule::WorkdirRelativePath,
                format!(
                    "Relative workdir {p:?} can have unexpected results if the base image changes"
                ),
                instr.span,
            );
        }
        workdir_set = true;
    }
}

/// SlimfileAptInstallWithoutYes: `apt-get install` with no `-y` (or `-qq`).
pub(super) fn apt_install_without_yes(stage: &Stage, out: &mut Findings) {
    for instr in &stage.instructions {
        let Kind::Run(r) = &instr.kind else { continue };
        for c in &analysis::shell::parse(&r.cmd.args.join(" ")).commands {
            let argv = analysis::unwrap_command(&c.argv());
            let assumes_yes = argv.iter().any(|a| {
                matches!(*a, "-y" | "--yes" | "--assume-yes" | "-qq")
                    || (a.starts_with('-') && !a.starts_with("--") && a.contains('y'))
            });
            if argv.first().map(|a| analysis::basename(a)) == Some("apt-get")
                && argv.contains(&"install")
                && !assumes_yes
            {
                out.add(
                    Rule::SlimfileAptInstallWithoutYes,
                    "apt-get install without -y/--yes: the build cannot answer its prompt".into(),
                    instr.span,
                );
            }
        }
    }
}

/// Names the official rule treats as secrets: a word of the name is a denied one, and
/// none is an allowed one (`PUBLIC_KEY` is fine).
fn is_secret_name(key: &str) -> bool {
    const DENIED: [&str; 10] = [
        "apikey",
        "auth",
        "credential",
        "credentials",
        "key",
        "password",
        "pword",
        "passwd",
        "secret",
        "token",
    ];
    let k = key.to_ascii_lowercase();
    let parts: Vec<&str> = k.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    parts.iter().any(|p| DENIED.contains(p)) && !parts.contains(&"public")
}
