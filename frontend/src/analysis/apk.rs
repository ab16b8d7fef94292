//! apk (Alpine).
//!
//! `apk update` and `apk add` without `--no-cache` keep index files and packages in
//! `/var/cache/apk`. Cleanup empties that directory; like apt's lists, it is kept when a
//! later RUN adds packages without `apk update` or `--no-cache`.

use super::{Action, CacheMount, ManagerSpec, basename, is_rm_under, operands};

/// The spec.
pub static SPEC: ManagerSpec = ManagerSpec {
    name: "apk",
    doc: "apk: update, add, upgrade, cache clean",
    classify,
    cache_paths: &["/var/cache/apk/*"],
    index_paths: &["/var/cache/apk/*"],
    avoid_env: "none (use `apk add --no-cache`)",
    extra_cleanup: "",
    mounts: &[CacheMount {
        path: "/var/cache/apk",
        covers: &["/var/cache/apk/*"],
    }],
    mentions: &["/var/cache/apk", "/etc/apk/cache"],
};

fn classify(argv: &[&str]) -> Option<Action> {
    if is_rm_under(argv, &["/var/cache/apk"]) {
        return Some(Action::Clean);
    }
    if basename(argv[0]) != "apk" {
        return None;
    }
    let words = operands(argv);
    Some(match words.as_slice() {
        ["update", ..] => Action::Update,
        // `apk add --update` refreshes the index first: later readers then have one.
        ["add" | "upgrade" | "fix", ..]
            if argv
                .iter()
                .any(|a| matches!(*a, "-U" | "--update" | "--update-cache")) =>
        {
            Action::Update
        }
        ["add" | "upgrade" | "fix", ..] => Action::Install,
        ["cache", "clean" | "purge", ..] => Action::Clean,
        _ => Action::Other,
    })
}

#[cfg(test)]
mod tests {
    use super::super::Action;
    use super::classify;

    #[test]
    fn recognition() {
        super::super::assert_classifies(
            classify,
            &[
                (&["apk", "add", "--no-cache", "curl"], Some(Action::Install)),
                (&["apk", "update"], Some(Action::Update)),
                (&["apk", "add", "-U", "curl"], Some(Action::Update)),
                (&["apk", "add", "--update", "curl"], Some(Action::Update)),
                (&["apk", "cache", "clean"], Some(Action::Clean)),
                (&["rm", "-rf", "/var/cache/apk/*"], Some(Action::Clean)),
                (&["apkg", "add"], None),
                (&["rm", "/etc/apk/repositories"], None),
            ],
        );
    }
}
