//! apt-get / apt / aptitude (Debian, Ubuntu).
//!
//! `apt-get update` downloads package lists (~20-80 MB) into `/var/lib/apt/lists`;
//! installs download `.deb` files into `/var/cache/apt/archives` (the official Debian
//! and Ubuntu images already delete those through `docker-clean`) and rebuild the
//! `*.bin` caches. Cleanup removes the lists, `.deb` files, the partial downloads and the
//! binary caches, never the `archives/partial` directory itself or dpkg's state. The
//! lists are kept when a later RUN installs without `apt-get update` first, since it
//! would fail without them.
//!
//! With `cleanup=cache-mount` only `/var/lib/apt/lists` is mounted; the image then keeps
//! the base image's owner and mode on `lists/partial` (apt changes them inside the
//! mount), which apt sets again on its next run.

use super::{Action, CacheMount, ManagerSpec, basename, is_rm_under};

/// The spec.
pub static SPEC: ManagerSpec = ManagerSpec {
    name: "apt",
    doc: "apt-get, apt, aptitude: update, install, upgrade, dist-upgrade, clean",
    classify,
    cache_paths: &[
        "/var/lib/apt/lists/*",
        "/var/cache/apt/*.bin",
        "/var/cache/apt/archives/*.deb",
        "/var/cache/apt/archives/partial/*",
    ],
    index_paths: &["/var/lib/apt/lists/*"],
    avoid_env: "none (use `rm -rf /var/lib/apt/lists/*` in the same layer)",
    extra_cleanup: "",
    // Only the lists: a mount over /var/cache/apt would hide apt's ownership and mode
    // changes of `archives/partial` from the layer, and the official images delete the
    // downloaded .debs anyway.
    mounts: &[CacheMount {
        path: "/var/lib/apt/lists",
        covers: &["/var/lib/apt/lists/*"],
    }],
    mentions: &["/var/lib/apt/lists", "/var/cache/apt"],
};

/// Options of apt-get that take a value.
const VALUE_OPTS: &[&str] = &[
    "-o",
    "-c",
    "-t",
    "--option",
    "--config-file",
    "--target-release",
];

fn classify(argv: &[&str]) -> Option<Action> {
    if is_rm_under(argv, &["/var/lib/apt/lists", "/var/cache/apt"]) {
        return Some(Action::Clean);
    }
    // apt-cache and apt-file only read the package lists: a RUN using them needs the
    // lists as much as an install does.
    if matches!(basename(argv[0]), "apt-cache" | "apt-file") {
        return Some(Action::Other);
    }
    if !matches!(basename(argv[0]), "apt-get" | "apt" | "aptitude") {
        return None;
    }
    let mut i = 1;
    while i < argv.len() && argv[i].starts_with('-') {
        i += if VALUE_OPTS.contains(&argv[i]) { 2 } else { 1 };
    }
    Some(match argv.get(i).copied() {
        Some("update") => Action::Update,
        Some(
            "install" | "upgrade" | "dist-upgrade" | "full-upgrade" | "build-dep" | "reinstall"
            | "source" | "download",
        ) => Action::Install,
        Some("clean" | "autoclean") => Action::Clean,
        _ => Action::Other,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Action, analyze};
    use super::classify;

    #[test]
    fn recognises_invocations() {
        super::super::assert_classifies(
            classify,
            &[
                (&["apt-get", "update"], Some(Action::Update)),
                (
                    &[
                        "apt-get",
                        "-y",
                        "-o",
                        "Dpkg::Options::=--force-confnew",
                        "install",
                        "x",
                    ],
                    Some(Action::Install),
                ),
                (&["/usr/bin/apt", "install", "x"], Some(Action::Install)),
                (&["apt-get", "clean"], Some(Action::Clean)),
                (&["rm", "-rf", "/var/lib/apt/lists/*"], Some(Action::Clean)),
                (&["apt-get", "remove", "x"], Some(Action::Other)),
                (&["apt-cache", "show", "jq"], Some(Action::Other)),
            ],
        );
    }

    #[test]
    fn rejects_look_alikes() {
        super::super::assert_classifies(
            classify,
            &[
                (&["echo", "apt-get", "install"], None),
                (&["rm", "-rf", "/tmp/x"], None),
            ],
        );

        assert!(analyze("echo 'apt-get update'").drives.is_empty());
        assert!(analyze("sudo apt-get update").updates.contains("apt"));
        assert!(
            analyze("if true; then apt-get install -y x; fi")
                .installs
                .contains("apt")
        );
    }
}
