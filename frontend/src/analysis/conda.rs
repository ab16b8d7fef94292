//! conda / mamba / micromamba.
//!
//! Package tarballs and extracted packages are cached in the `pkgs` directory of the
//! installation. Cleanup runs `<the same binary> clean -afy`, which knows where that is.

use super::{Action, ManagerSpec, basename, operands};

/// The spec.
pub static SPEC: ManagerSpec = ManagerSpec {
    name: "conda",
    doc: "conda, mamba, micromamba: install, create, update, env create/update, clean",
    classify,
    cache_paths: &[],
    index_paths: &[],
    avoid_env: "none (run `conda clean -afy` in the same layer)",
    extra_cleanup: "{bin} clean -afy >/dev/null 2>&1 || true",
    mounts: &[],
    mentions: &["/pkgs/", "CONDA_PKGS_DIRS"],
};

fn classify(argv: &[&str]) -> Option<Action> {
    if !matches!(basename(argv[0]), "conda" | "mamba" | "micromamba") {
        return None;
    }
    let words = operands(argv);
    Some(match words.as_slice() {
        ["install" | "create" | "update" | "upgrade", ..] | ["env", "create" | "update", ..] => {
            Action::Install
        }
        ["clean", ..] => Action::Clean,
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
                    &["/opt/conda/bin/conda", "install", "-y", "numpy"],
                    Some(Action::Install),
                ),
                (
                    &["micromamba", "env", "create", "-f", "e.yml"],
                    Some(Action::Install),
                ),
                (&["conda", "clean", "-afy"], Some(Action::Clean)),
                (&["condax", "install"], None),
            ],
        );
    }
}
