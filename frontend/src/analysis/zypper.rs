//! zypper (openSUSE, SLES).
//!
//! Repository metadata and packages are cached in `/var/cache/zypp`; zypper refreshes
//! metadata by itself, so cleanup never breaks a later install.

use super::{Action, CacheMount, ManagerSpec, basename, is_rm_under};

/// The spec.
pub static SPEC: ManagerSpec = ManagerSpec {
    name: "zypper",
    doc: "zypper: install (in), update (up), dist-upgrade (dup), refresh (ref), clean",
    classify,
    cache_paths: &["/var/cache/zypp/*"],
    index_paths: &[],
    avoid_env: "none (use `zypper clean -a`)",
    extra_cleanup: "",
    mounts: &[CacheMount {
        path: "/var/cache/zypp",
        covers: &["/var/cache/zypp/*"],
    }],
    mentions: &["/var/cache/zypp"],
};

const VALUE_OPTS: &[&str] = &["--root", "-R", "--reposd-dir", "-D", "--cache-dir", "-C"];

fn classify(argv: &[&str]) -> Option<Action> {
    if is_rm_under(argv, &["/var/cache/zypp"]) {
        return Some(Action::Clean);
    }
    if basename(argv[0]) != "zypper" {
        return None;
    }
    let mut i = 1;
    while i < argv.len() && argv[i].starts_with('-') {
        i += if VALUE_OPTS.contains(&argv[i]) { 2 } else { 1 };
    }
    Some(match argv.get(i).copied() {
        Some(
            "in" | "install" | "up" | "update" | "dup" | "dist-upgrade" | "patch" | "si"
            | "source-install",
        ) => Action::Install,
        Some("ref" | "refresh") => Action::Update,
        Some("clean" | "cc") => Action::Clean,
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
                (
                    &["zypper", "--non-interactive", "in", "vim"],
                    Some(Action::Install),
                ),
                (&["zypper", "ref"], Some(Action::Update)),
                (&["zypper", "clean", "-a"], Some(Action::Clean)),
                (&["zypp", "in"], None),
            ],
        );
    }
}
