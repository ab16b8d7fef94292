//! Instructions that only change the image config and the build state: ENV, LABEL,
//! MAINTAINER, ARG, USER, CMD, ENTRYPOINT, SHELL, STOPSIGNAL, VOLUME, HEALTHCHECK and
//! ONBUILD. Each commits one history entry without a layer.

use std::collections::BTreeMap;

use super::words::{expand, expand_pairs};
use super::{Ctx, EmitFinding, StageState};
use crate::diagnostics::{Diagnostic, Span};
use crate::golang;
use crate::image::Image;
use crate::model::expand::Env;
use crate::model::instructions::{ArgDef, CommandLine, Health, KeyValue};

/// ENV: sets each pair, expanded with the environment from before the instruction.
pub(super) fn dispatch_env(
    ctx: &Ctx<'_>,
    st: &mut StageState,
    kvs: &[KeyValue],
    span: Span,
) -> Result<(), Diagnostic> {
    let mut msg = String::from("ENV");
    for (k, v) in expand_pairs(ctx, st, kvs, span)? {
        msg.push_str(&format!(" {k}={v}"));
        st.env.set(&k, &v);
        st.image.set_env(&k, &v);
    }
    st.image.commit(msg, false);
    Ok(())
}

/// LABEL: adds each pair to the config's labels.
pub(super) fn dispatch_label(
    ctx: &Ctx<'_>,
    st: &mut StageState,
    kvs: &[KeyValue],
    span: Span,
) -> Result<(), Diagnostic> {
    let mut msg = String::from("LABEL");
    let expanded = expand_pairs(ctx, st, kvs, span)?;
    let labels = st.image.config.labels.get_or_insert_with(BTreeMap::new);
    for (k, v) in expanded {
        msg.push_str(&format!(" {k}={v}"));
        labels.insert(k, v);
    }
    st.image.commit(msg, false);
    Ok(())
}

/// MAINTAINER: the image's author.
pub(super) fn dispatch_maintainer(st: &mut StageState, m: &str) {
    st.image.author = m.to_string();
    st.image.commit(format!("MAINTAINER {m}"), false);
}

/// ARG: a build argument's value comes from `--build-arg`, else the default written
/// (expanded), else a global ARG of the same name.
pub(super) fn dispatch_arg(
    ctx: &Ctx<'_>,
    st: &mut StageState,
    defs: &[ArgDef],
    span: Span,
) -> Result<(), Diagnostic> {
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
    Ok(())
}

/// USER: the user later RUNs and the image run as.
pub(super) fn dispatch_user(
    ctx: &Ctx<'_>,
    st: &mut StageState,
    u: &str,
    span: Span,
) -> Result<(), Diagnostic> {
    let u = expand(ctx, st, u, span)?;
    st.user = u.clone();
    st.image.config.user = u.clone();
    st.image.commit(format!("USER {u}"), false);
    Ok(())
}

/// CMD: the default arguments; the shell form runs under the image's SHELL.
pub(super) fn dispatch_cmd(ctx: &mut Ctx<'_>, st: &mut StageState, cl: &CommandLine, span: Span) {
    json_args_recommended(ctx, st, cl, "CMD", span);
    let args = command_args(&st.image, cl);
    st.image.config.args_escaped = true;
    st.image
        .commit(format!("CMD {}", golang::quoted_list(&args)), false);
    st.image.config.cmd = Some(args);
    st.cmd_set = true;
}

/// ENTRYPOINT: also drops an inherited CMD unless this stage set one.
pub(super) fn dispatch_entrypoint(
    ctx: &mut Ctx<'_>,
    st: &mut StageState,
    cl: &CommandLine,
    span: Span,
) {
    json_args_recommended(ctx, st, cl, "ENTRYPOINT", span);
    let args = command_args(&st.image, cl);
    st.image
        .commit(format!("ENTRYPOINT {}", golang::quoted_list(&args)), false);
    st.image.config.entrypoint = Some(args);
    if !st.cmd_set {
        st.image.config.cmd = None;
    }
}

/// SHELL: the shell later shell-form instructions run under.
pub(super) fn dispatch_shell(st: &mut StageState, sh: &[String]) {
    st.image.config.shell = Some(sh.to_vec());
    st.image
        .commit(format!("SHELL {}", golang::list(sh)), false);
}

/// STOPSIGNAL: a signal number (1-64) or name.
pub(super) fn dispatch_stop_signal(
    ctx: &Ctx<'_>,
    st: &mut StageState,
    s: &str,
    span: Span,
) -> Result<(), Diagnostic> {
    let s = expand(ctx, st, s, span)?;
    if !valid_signal(&s) {
        return Err(Diagnostic::error(format!("Invalid signal: {s}")).at(span));
    }
    st.image.config.stop_signal = s.clone();
    st.image.commit(format!("STOPSIGNAL {s}"), false);
    Ok(())
}

/// VOLUME: adds each path (none may be empty) to the config's volumes.
pub(super) fn dispatch_volume(
    ctx: &Ctx<'_>,
    st: &mut StageState,
    vols: &[String],
    span: Span,
) -> Result<(), Diagnostic> {
    let mut list = Vec::new();
    for v in vols {
        let v = expand(ctx, st, v, span)?;
        if v.is_empty() {
            return Err(Diagnostic::error("VOLUME specified can not be an empty string").at(span));
        }
        list.push(v);
    }
    let volumes = st.image.config.volumes.get_or_insert_with(BTreeMap::new);
    for v in &list {
        volumes.insert(v.clone(), serde_json::json!({}));
    }
    st.image
        .commit(format!("VOLUME {}", golang::list(&list)), false);
    Ok(())
}

/// HEALTHCHECK: the history shows the struct as the engine's frontend formats it with
/// Go's `%q`.
pub(super) fn dispatch_healthcheck(st: &mut StageState, h: &Health) {
    let hc = crate::image::Healthcheck {
        test: h.test.clone(),
        interval: h.interval,
        timeout: h.timeout,
        start_period: h.start_period,
        start_interval: h.start_interval,
        retries: h.retries,
    };
    let q = |ns: i64| golang::quote(&golang::duration(ns));
    st.image.commit(
        format!(
            "HEALTHCHECK &{{{} {} {} {} {} {}}}",
            golang::quoted_list(&hc.test),
            q(hc.interval),
            q(hc.timeout),
            q(hc.start_period),
            q(hc.start_interval),
            golang::quote_rune(hc.retries)
        ),
        false,
    );
    st.image.config.healthcheck = Some(hc);
}

/// ONBUILD: a trigger for images built on this one (no history entry).
pub(super) fn dispatch_onbuild(st: &mut StageState, expr: &str) {
    st.image
        .config
        .on_build
        .get_or_insert_with(Vec::new)
        .push(expr.to_string());
}

/// The arguments of a CMD or ENTRYPOINT: the shell form joined under the image's SHELL.
fn command_args(image: &Image, cl: &CommandLine) -> Vec<String> {
    if cl.prepend_shell {
        with_shell(image, &cl.args)
    } else {
        cl.args.clone()
    }
}

/// `args` joined into one command under the image's SHELL (default `/bin/sh -c`).
pub(super) fn with_shell(image: &Image, args: &[String]) -> Vec<String> {
    let mut out = image
        .config
        .shell
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into()]);
    out.push(args.join(" "));
    out
}

/// A signal number 1-64, or a name with or without `SIG`.
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

/// JSONArgsRecommended, checked as the official frontend does while dispatching: for a
/// shell-form CMD or ENTRYPOINT of a stage the build reaches, unless the image so far
/// (its base or parent stage included) has a SHELL.
fn json_args_recommended(
    ctx: &mut Ctx<'_>,
    st: &StageState,
    cl: &CommandLine,
    kw: &str,
    span: Span,
) {
    if cl.prepend_shell && st.image.config.shell.as_ref().is_none_or(|s| s.is_empty()) {
        ctx.findings.push(EmitFinding {
            rule: crate::rules::Rule::JsonArgsRecommended,
            detail: format!(
                "JSON arguments recommended for {kw} to prevent unintended behavior related to OS signals"
            ),
            span,
        });
    }
}
