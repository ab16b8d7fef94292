//! pip / pip3 / `python -m pip`, and `uv`.
//!
//! pip caches HTTP downloads and built wheels in `~/.cache/pip` of the invoking user
//! (or `$PIP_CACHE_DIR`, `$XDG_CACHE_HOME/pip`); uv caches in `~/.cache/uv` (or
//! `$UV_CACHE_DIR`). Cleanup removes what the manager writes inside those directories
//! (never the directories themselves) for the user the RUN runs as.

use super::{Action, CacheMount, ManagerSpec, basename, is_rm_under, operands};

/// What pip writes in its cache directory: HTTP responses (`http`, `http-v2`), built
/// wheels and its self-check state. Never the cache directory itself, which a user may
/// have pointed at a directory of their own; the subdirectories are emptied (trailing
/// `/`), not removed, so a later RUN as another user meets them as it would unfused.
const PIP_CACHE: &str = "\"${PIP_CACHE_DIR:-${XDG_CACHE_HOME:-$home/.cache}/pip}\"/http/ \"${PIP_CACHE_DIR:-${XDG_CACHE_HOME:-$home/.cache}/pip}\"/http-v2/ \"${PIP_CACHE_DIR:-${XDG_CACHE_HOME:-$home/.cache}/pip}\"/wheels/ \"${PIP_CACHE_DIR:-${XDG_CACHE_HOME:-$home/.cache}/pip}\"/selfcheck*";
/// uv's versioned cache buckets (`wheels-v5`, `archive-v0` ..., emptied) and marker files.
const UV_CACHE: &str = "\"${UV_CACHE_DIR:-${XDG_CACHE_HOME:-$home/.cache}/uv}\"/*-v[0-9]*/ \"${UV_CACHE_DIR:-${XDG_CACHE_HOME:-$home/.cache}/uv}\"/CACHEDIR.TAG \"${UV_CACHE_DIR:-${XDG_CACHE_HOME:-$home/.cache}/uv}\"/.gitignore \"${UV_CACHE_DIR:-${XDG_CACHE_HOME:-$home/.cache}/uv}\"/.lock";

/// The pip spec.
pub static SPEC: ManagerSpec = ManagerSpec {
    name: "pip",
    doc: "pip, pip3, pipX.Y, python -m pip: install, download, wheel, cache purge",
    classify,
    cache_paths: &[PIP_CACHE],
    index_paths: &[],
    avoid_env: "PIP_NO_CACHE_DIR=1 (or `pip install --no-cache-dir`)",
    extra_cleanup: "",
    mounts: &[CacheMount {
        path: "$HOME/.cache/pip",
        covers: &[PIP_CACHE],
    }],
    mentions: &[".cache/pip", "PIP_CACHE_DIR", "pip cache"],
};

/// The uv spec.
pub static UV: ManagerSpec = ManagerSpec {
    name: "uv",
    doc: "uv: pip install, sync, add, tool install, cache clean",
    classify: classify_uv,
    cache_paths: &[UV_CACHE],
    index_paths: &[],
    avoid_env: "UV_NO_CACHE=1",
    extra_cleanup: "",
    mounts: &[CacheMount {
        path: "$HOME/.cache/uv",
        covers: &[UV_CACHE],
    }],
    mentions: &[".cache/uv", "UV_CACHE_DIR", "uv cache"],
};

fn is_pip(name: &str) -> bool {
    name == "pip"
        || name
            .strip_prefix("pip")
            .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn is_python(name: &str) -> bool {
    name == "python"
        || name
            .strip_prefix("python")
            .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn classify(argv: &[&str]) -> Option<Action> {
    if is_rm_under(
        argv,
        &[
            "/root/.cache/pip",
            "$HOME/.cache/pip",
            "~/.cache/pip",
            "${HOME}/.cache/pip",
        ],
    ) {
        return Some(Action::Clean);
    }
    // The pip command itself: `pip ...` or the `pip ...` part of `python -m pip ...`.
    let cmd: &[&str] = if is_pip(basename(argv[0])) {
        argv
    } else if is_python(basename(argv[0]))
        && argv.get(1) == Some(&"-m")
        && argv.get(2).is_some_and(|m| is_pip(m))
    {
        &argv[2..]
    } else {
        return None;
    };
    let words = operands(cmd);
    Some(match words.as_slice() {
        ["install" | "download" | "wheel", ..] => Action::Install,
        ["cache", "purge" | "remove", ..] => Action::Clean,
        _ => Action::Other,
    })
}

fn classify_uv(argv: &[&str]) -> Option<Action> {
    if basename(argv[0]) != "uv" {
        return None;
    }
    let words = operands(argv);
    Some(match words.as_slice() {
        ["pip", "install" | "sync", ..] | ["sync" | "add", ..] | ["tool", "install", ..] => {
            Action::Install
        }
        ["cache", "clean" | "prune", ..] => Action::Clean,
        _ => Action::Other,
    })
}

#[cfg(test)]
mod tests {
    use super::super::Action;
    use super::{classify, classify_uv};

    #[test]
    fn recognition() {
        super::super::assert_classifies(
            classify,
            &[
                (&["pip", "install", "numpy"], Some(Action::Install)),
                (
                    &["/opt/venv/bin/pip3.11", "install", "-r", "req.txt"],
                    Some(Action::Install),
                ),
                (
                    &["python3", "-m", "pip", "install", "x"],
                    Some(Action::Install),
                ),
                (&["pip", "cache", "purge"], Some(Action::Clean)),
                (&["rm", "-rf", "/root/.cache/pip"], Some(Action::Clean)),
            ],
        );
        super::super::assert_classifies(
            classify_uv,
            &[(&["uv", "pip", "install", "x"], Some(Action::Install))],
        );
    }

    #[test]
    fn negatives() {
        super::super::assert_classifies(
            classify,
            &[
                (&["pipx", "install", "x"], None),
                (&["python3", "-m", "venv", "/v"], None),
                (&["python3", "setup.py", "install"], None),
            ],
        );
        super::super::assert_classifies(classify_uv, &[(&["uvicorn", "app"], None)]);
    }
}
