//! gem / bundle (Ruby).
//!
//! `gem install` keeps the downloaded `.gem` files in `<gemdir>/cache`; bundler also
//! keeps them under `$BUNDLE_PATH/cache`. Cleanup removes the `.gem` files only.

use super::{Action, ManagerSpec, basename};

/// The spec.
pub static SPEC: ManagerSpec = ManagerSpec {
    name: "gem",
    doc: "gem install/update, bundle install/update",
    classify,
    cache_paths: &[
        "\"$home/.gem/specs\"/",
        "\"$home/.bundle/cache\"/",
        "\"${BUNDLE_PATH:-/usr/local/bundle}\"/cache/*.gem",
    ],
    index_paths: &[],
    avoid_env: "none (`gem install --no-document`, then remove `<gemdir>/cache/*.gem`)",
    extra_cleanup: "gem_dir=$(gem env gemdir 2>/dev/null) && slimfile_rm \"$gem_dir\"/cache/*.gem || true",
    mounts: &[],
    mentions: &[
        ".gem/specs",
        ".bundle/cache",
        "/cache/*.gem",
        "gem env gemdir",
    ],
};

fn classify(argv: &[&str]) -> Option<Action> {
    let name = basename(argv[0]);
    if !matches!(name, "gem" | "bundle" | "bundler") {
        return None;
    }
    let sub = argv[1..].iter().find(|a| !a.starts_with('-')).copied();
    Some(match (name, sub) {
        ("gem", Some("install" | "update")) => Action::Install,
        ("bundle" | "bundler", Some("install" | "update") | None) => Action::Install,
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
                (&["gem", "install", "rails"], Some(Action::Install)),
                (&["bundle", "install", "--jobs", "4"], Some(Action::Install)),
                (&["gem", "list"], Some(Action::Other)),
                (&["gemini", "install"], None),
            ],
        );
    }
}
