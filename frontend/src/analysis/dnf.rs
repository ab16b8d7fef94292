//! dnf / dnf5 / yum / microdnf / tdnf (Fedora, RHEL, CentOS, Amazon Linux, Photon).
//!
//! Metadata and packages are cached under `/var/cache/dnf` (`yum`: `/var/cache/yum`,
//! dnf5: `/var/cache/libdnf5`). Later installs refetch metadata on their own, so cleanup
//! never breaks them.

use super::{Action, CacheMount, ManagerSpec, basename, is_rm_under};

/// The spec.
pub static SPEC: ManagerSpec = ManagerSpec {
    name: "dnf",
    doc: "dnf, dnf5, yum, microdnf, tdnf: install, upgrade, makecache, clean",
    classify,
    cache_paths: &[
        "/var/cache/dnf/*",
        "/var/cache/yum/*",
        "/var/cache/libdnf5/*",
        "/var/cache/tdnf/*",
    ],
    index_paths: &[],
    avoid_env: "none (use `--setopt=keepcache=0` and `dnf clean all`)",
    extra_cleanup: "",
    mounts: &[
        CacheMount {
            path: "/var/cache/dnf",
            covers: &["/var/cache/dnf/*"],
        },
        CacheMount {
            path: "/var/cache/yum",
            covers: &["/var/cache/yum/*"],
        },
        CacheMount {
            path: "/var/cache/libdnf5",
            covers: &["/var/cache/libdnf5/*"],
        },
    ],
    mentions: &[
        "/var/cache/dnf",
        "/var/cache/yum",
        "/var/cache/libdnf5",
        "/var/cache/tdnf",
    ],
};

fn classify(argv: &[&str]) -> Option<Action> {
    if is_rm_under(
        argv,
        &[
            "/var/cache/dnf",
            "/var/cache/yum",
            "/var/cache/libdnf5",
            "/var/cache/tdnf",
        ],
    ) {
        return Some(Action::Clean);
    }
    if !matches!(
        basename(argv[0]),
        "dnf" | "dnf5" | "yum" | "microdnf" | "tdnf"
    ) {
        return None;
    }
    let sub = argv[1..].iter().find(|a| !a.starts_with('-')).copied();
    Some(match sub {
        Some(
            "install" | "upgrade" | "update" | "groupinstall" | "reinstall" | "downgrade"
            | "distro-sync" | "builddep" | "localinstall",
        ) => Action::Install,
        Some("makecache") => Action::Update,
        Some("clean") => Action::Clean,
        Some("group") if argv.contains(&"install") => Action::Install,
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
                (&["dnf", "-y", "install", "gcc"], Some(Action::Install)),
                (&["yum", "update", "-y"], Some(Action::Install)),
                (&["microdnf", "clean", "all"], Some(Action::Clean)),
                (&["dnf", "list"], Some(Action::Other)),
                (&["dnfx", "install"], None),
            ],
        );
    }
}
