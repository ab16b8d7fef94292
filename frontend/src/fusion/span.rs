//! Groups that span other instructions: which instructions between two RUNs of one
//! manager may sit inside their group.
//!
//! With additive assembly every member stays the official frontend's own step and the
//! group's net change is copied onto the state before it as one layer, so a group
//! needs no single shell. An ENV, ARG, LABEL, EXPOSE, WORKDIR, COPY/ADD or other
//! metadata instruction between two members is dispatched inside the group exactly
//! as unfused: each member runs with the environment, user and workdir it had, and a
//! COPY's files land in the group's layer. History keeps one entry per instruction.
//!
//! The cleanup runs once, after the last member, with the stage's user and
//! environment at that point. So an instruction is not spanned when it could change
//! where the cleanup looks or what it would delete:
//! - USER and SHELL (the user's home holds the caches; the cleanup runs in the shell);
//! - ENV and ARG that set a variable the cleanup's paths read (`HOME`,
//!   `PIP_CACHE_DIR`, `XDG_CACHE_HOME`, `npm_config_cache` ...);
//! - COPY/ADD whose destination is `/`, unknown at planning (a variable, or relative
//!   to an unknown working directory), or at, above or under a place where the
//!   managers keep caches (`/root`, `/home`, `/tmp`, `/var/cache`, `/var/lib/apt`,
//!   `/usr/local/share/.cache`). The converter also hands each spanned COPY's
//!   destination to the cleanup's run-time guard, which never deletes at, under or
//!   above it (a home set in `/etc/passwd` may put caches anywhere);
//! - anything with a `# slimfile: nofuse` pragma, and ONBUILD triggers of the base.

use std::collections::BTreeSet;

use crate::analysis;
use crate::golang::path_clean;
use crate::model::instructions::{Instruction, Kind};

/// Places where the managers keep caches or homes, which a spanned COPY must not touch.
const CACHE_ROOTS: &[&str] = &[
    "/root",
    "/home",
    "/tmp",
    "/var/cache",
    "/var/lib/apt",
    "/usr/local/share/.cache",
];

/// Why `instr` may not sit inside a group of `managers`' RUNs, if it may not. `cwd` is
/// the working directory before it, when planning knows it.
pub(crate) fn blocker(
    instr: &Instruction,
    managers: &BTreeSet<&'static str>,
    cwd: Option<&str>,
) -> Option<String> {
    if super::has_nofuse(&instr.comments) {
        return Some(format!("`# {}` pragma", super::NOFUSE_PRAGMA));
    }
    match &instr.kind {
        Kind::Env(kvs) => env_blocker(kvs.iter().map(|kv| kv.key.as_str()), managers),
        Kind::Arg(defs) => env_blocker(defs.iter().map(|d| d.key.as_str()), managers),
        Kind::Copy(c) => copy_blocker(&c.dest, cwd),
        Kind::User(_) => Some("it changes the user, whose home holds the caches".into()),
        Kind::Shell(_) => Some("it changes the shell the cleanup runs in".into()),
        Kind::Run(_) => Some("a RUN".into()),
        Kind::Label(_)
        | Kind::Workdir(_)
        | Kind::Expose(_)
        | Kind::Cmd(_)
        | Kind::Entrypoint(_)
        | Kind::Healthcheck(_)
        | Kind::StopSignal(_)
        | Kind::Volume(_)
        | Kind::Maintainer(_)
        | Kind::Onbuild(_) => None,
    }
}

/// The working directory after `instr`, when planning can know it.
pub(crate) fn next_cwd(cwd: Option<String>, instr: &Instruction) -> Option<String> {
    match &instr.kind {
        Kind::Workdir(p) => join(cwd.as_deref(), p),
        _ => cwd,
    }
}

/// `path` against `cwd`, cleaned; `None` when it holds a variable or `cwd` is unknown.
fn join(cwd: Option<&str>, path: &str) -> Option<String> {
    if path.contains(['$', '\\', '"', '\'']) {
        return None;
    }
    if path.starts_with('/') {
        Some(path_clean(path))
    } else {
        cwd.map(|c| path_clean(&format!("{c}/{path}")))
    }
}

fn env_blocker<'a>(
    mut keys: impl Iterator<Item = &'a str>,
    managers: &BTreeSet<&'static str>,
) -> Option<String> {
    let read = cleanup_variables(managers);
    keys.find(|k| read.iter().any(|r| r.eq_ignore_ascii_case(k)))
        .map(|k| format!("it sets {k}, which the cleanup reads to find the caches"))
}

/// The variables the cleanup of `managers` reads: `HOME`, and every variable its
/// cache paths and extra commands name.
pub(crate) fn cleanup_variables(managers: &BTreeSet<&'static str>) -> BTreeSet<String> {
    let mut vars: BTreeSet<String> = ["HOME", "USER"].iter().map(|s| s.to_string()).collect();
    for spec in managers.iter().filter_map(|m| analysis::manager(m)) {
        for text in spec.cache_paths.iter().chain([&spec.extra_cleanup]) {
            vars.extend(variables(text));
        }
    }
    vars
}

/// `$NAME` and `${NAME...}` references in shell text (the cleanup's own `$home` aside).
fn variables(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        rest = rest[at + 1..].trim_start_matches('{');
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && name != "home" && !name.starts_with(|c: char| c.is_ascii_digit()) {
            out.push(name);
        }
    }
    out
}

fn copy_blocker(dest: &str, cwd: Option<&str>) -> Option<String> {
    let Some(dest) = join(cwd, dest) else {
        return Some(
            "its destination is not known before the build (a variable, or relative to an \
             unknown working directory)"
                .into(),
        );
    };
    let near = |root: &str| dest == "/" || within(&dest, root) || within(root, &dest);
    CACHE_ROOTS
        .iter()
        .find(|r| near(r))
        .map(|r| format!("it copies to {dest}, at, above or under {r}, where caches are kept"))
}

/// Is `path` `dir` or inside it?
fn within(path: &str, dir: &str) -> bool {
    path == dir || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instr(line: &str) -> Instruction {
        let (_, program) = crate::parse_program(&format!("FROM x\n{line}\n")).unwrap();
        program.stages[0].instructions[0].clone()
    }

    fn pip() -> BTreeSet<&'static str> {
        ["pip"].into_iter().collect()
    }

    #[test]
    fn metadata_and_harmless_env_are_spanned() {
        for line in [
            "ENV LANG=C.UTF-8",
            "ENV PATH=/opt/venv/bin:$PATH",
            "ARG VERSION=1",
            "LABEL a=b",
            "EXPOSE 80",
            "WORKDIR /app",
            "CMD [\"x\"]",
            "COPY requirements.txt /app/",
        ] {
            assert_eq!(blocker(&instr(line), &pip(), None), None, "{line}");
        }
    }

    #[test]
    fn what_moves_the_caches_is_not_spanned() {
        for line in [
            "ENV PIP_CACHE_DIR=/c",
            "ENV HOME=/srv",
            "ARG XDG_CACHE_HOME",
            "USER app",
            "SHELL [\"/bin/bash\", \"-c\"]",
            "COPY . /",
            "COPY pip.conf /root/.config/pip/",
            "COPY x $DEST",
            "COPY x .",
            "# slimfile: nofuse\nLABEL a=b",
        ] {
            assert!(blocker(&instr(line), &pip(), None).is_some(), "{line}");
        }
        // npm's cache variable is read case-insensitively by npm, and so here.
        let npm = ["npm"].into_iter().collect();
        assert!(blocker(&instr("ENV NPM_CONFIG_CACHE=/c"), &npm, None).is_some());
        assert_eq!(blocker(&instr("ENV PIP_CACHE_DIR=/c"), &npm, None), None);
    }

    #[test]
    fn relative_destinations_follow_known_workdirs() {
        let copy = instr("COPY a.txt .");
        assert_eq!(blocker(&copy, &pip(), Some("/app")), None);
        assert!(blocker(&copy, &pip(), Some("/")).is_some());
        assert!(blocker(&copy, &pip(), Some("/root")).is_some());
        let cwd = next_cwd(Some("/".into()), &instr("WORKDIR srv"));
        assert_eq!(cwd.as_deref(), Some("/srv"));
        assert_eq!(next_cwd(cwd, &instr("WORKDIR $APP")), None);
    }
}
