//! npm, yarn and pnpm.
//!
//! npm caches tarballs in `~/.npm/_cacache` (or `$npm_config_cache`); yarn 1 in
//! `~/.cache/yarn` (root: `/usr/local/share/.cache/yarn`, or `$YARN_CACHE_FOLDER`);
//! pnpm keeps a content store in `~/.local/share/pnpm/store`. Cleanup removes them for
//! the RUN's user; `node_modules` is never touched.

use super::{Action, CacheMount, ManagerSpec, basename, is_rm_under, operands};

/// npm's content cache, emptied (trailing `/`): the directory keeps its owner.
const NPM_CACHE: &str = "\"${npm_config_cache:-$home/.npm}/_cacache\"/";
/// yarn 1's versioned cache buckets: in `$YARN_CACHE_FOLDER`, else (root)
/// `/usr/local/share/.cache/yarn`, else `~/.cache/yarn`. Only the folder yarn would
/// use: with `YARN_CACHE_FOLDER` set, the root folder is someone else's data.
const YARN_CACHE: &str = "\"${YARN_CACHE_FOLDER:-$(if [ \"$(id -u)\" = 0 ]; then echo /usr/local/share/.cache/yarn; else echo \"$home/.cache/yarn\"; fi)}\"/v[0-9]*/";

/// npm.
pub static NPM: ManagerSpec = ManagerSpec {
    name: "npm",
    doc: "npm: install (i), ci, update, cache clean",
    classify: classify_npm,
    cache_paths: &[NPM_CACHE],
    index_paths: &[],
    avoid_env: "none (`npm cache clean --force` in the same layer)",
    extra_cleanup: "",
    mounts: &[CacheMount {
        path: "$HOME/.npm",
        covers: &[NPM_CACHE],
    }],
    mentions: &[".npm", "_cacache", "npm_config_cache", "npm cache"],
};

/// yarn.
pub static YARN: ManagerSpec = ManagerSpec {
    name: "yarn",
    doc: "yarn: install, add, global add, cache clean",
    classify: classify_yarn,
    cache_paths: &[YARN_CACHE],
    index_paths: &[],
    avoid_env: "none (`yarn cache clean` in the same layer)",
    extra_cleanup: "",
    mounts: &[CacheMount {
        path: "/usr/local/share/.cache/yarn",
        covers: &[YARN_CACHE],
    }],
    mentions: &[
        "cache/yarn",
        ".cache/yarn",
        "YARN_CACHE_FOLDER",
        "yarn cache",
    ],
};

/// pnpm.
pub static PNPM: ManagerSpec = ManagerSpec {
    name: "pnpm",
    doc: "pnpm: install (i), add, store prune",
    classify: classify_pnpm,
    cache_paths: &[
        "\"$home/.local/share/pnpm/store\"/v[0-9]*/",
        "\"$home/.cache/pnpm\"/metadata*/",
    ],
    index_paths: &[],
    avoid_env: "none (`pnpm store prune` in the same layer)",
    extra_cleanup: "",
    mounts: &[CacheMount {
        path: "$HOME/.local/share/pnpm/store",
        covers: &["\"$home/.local/share/pnpm/store\"/v[0-9]*/"],
    }],
    mentions: &["pnpm/store", ".cache/pnpm", "pnpm store"],
};

fn classify_npm(argv: &[&str]) -> Option<Action> {
    if is_rm_under(
        argv,
        &["/root/.npm", "$HOME/.npm", "~/.npm", "${HOME}/.npm"],
    ) {
        return Some(Action::Clean);
    }
    if basename(argv[0]) != "npm" {
        return None;
    }
    Some(match operands(argv).as_slice() {
        [
            "install" | "i" | "ci" | "update" | "add" | "rebuild" | "install-clean",
            ..,
        ] => Action::Install,
        ["cache", "clean", ..] => Action::Clean,
        _ => Action::Other,
    })
}

fn classify_yarn(argv: &[&str]) -> Option<Action> {
    if basename(argv[0]) != "yarn" {
        return None;
    }
    Some(match operands(argv).as_slice() {
        [] | ["install" | "add" | "upgrade", ..] | ["global", "add", ..] => Action::Install,
        ["cache", "clean", ..] => Action::Clean,
        _ => Action::Other,
    })
}

fn classify_pnpm(argv: &[&str]) -> Option<Action> {
    if basename(argv[0]) != "pnpm" {
        return None;
    }
    Some(match operands(argv).as_slice() {
        ["install" | "i" | "add" | "update", ..] => Action::Install,
        ["store", "prune", ..] => Action::Clean,
        _ => Action::Other,
    })
}

#[cfg(test)]
mod tests {
    use super::super::Action;
    use super::*;

    #[test]
    fn recognition() {
        super::super::assert_classifies(
            classify_npm,
            &[
                (&["npm", "ci", "--omit=dev"], Some(Action::Install)),
                (&["npm", "cache", "clean", "--force"], Some(Action::Clean)),
                (&["npm", "run", "build"], Some(Action::Other)),
                (&["npx", "install"], None),
            ],
        );
        super::super::assert_classifies(classify_yarn, &[(&["yarn"], Some(Action::Install))]);
        super::super::assert_classifies(
            classify_pnpm,
            &[(&["pnpm", "i", "--frozen-lockfile"], Some(Action::Install))],
        );
    }
}
