//! What a RUN does, read from its parsed shell: which package managers it drives, how,
//! and whether it only cleans up after one.
//!
//! One module per package manager, each a small declarative [`ManagerSpec`]: how it is
//! invoked, what it writes to caches, how to clean that, and the caveats. `explain`
//! and the README reuse their docs.

pub mod apk;
pub mod apt;
pub mod conda;
pub mod dnf;
pub mod gem;
pub mod node;
pub mod pip;
pub mod shell;
pub mod zypper;

use std::collections::{BTreeMap, BTreeSet};

use shell::Command;

/// What one command does with a package manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    /// Refreshes package indexes (`apt-get update`, `apk update`).
    Update,
    /// Installs or upgrades packages: writes download caches.
    Install,
    /// Anything else that runs the manager (remove, list, config ...).
    Other,
    /// Removes the manager's caches (`apt-get clean`, `rm -rf /var/lib/apt/lists/*`).
    Clean,
}

/// A package manager's spec.
#[derive(Debug)]
pub struct ManagerSpec {
    /// Short name used in plans and logs (`apt`, `pip` ...).
    pub name: &'static str,
    /// What it is and which commands are recognised.
    pub doc: &'static str,
    /// Classifies a command (wrappers such as `sudo`/`env` already removed).
    pub classify: fn(&[&str]) -> Option<Action>,
    /// Cache locations it writes (shell words; may use `$HOME`).
    pub cache_paths: &'static [&'static str],
    /// Cache locations whose removal breaks a later install that does not refresh
    /// first (apt and apk package lists).
    pub index_paths: &'static [&'static str],
    /// Environment that stops it from caching in the first place (documentation).
    pub avoid_env: &'static str,
    /// Shell commands run after the group to clean up (besides removing `cache_paths`);
    /// `{bin}` stands for the manager binary a member invoked (quoted).
    pub extra_cleanup: &'static str,
    /// Cache mounts for `cleanup=cache-mount` mode (paths for a root user; `$HOME`
    /// needs a known home). Cache paths they do not cover are still cleaned inline.
    pub mounts: &'static [CacheMount],
    /// Text that names its cache or index locations: a RUN whose script contains one
    /// (outside a cleanup of this manager) may read them, so they are kept for it.
    pub mentions: &'static [&'static str],
}

/// A directory to cover with a BuildKit cache mount instead of cleaning it.
#[derive(Debug)]
pub struct CacheMount {
    /// Mount target.
    pub path: &'static str,
    /// The entries of `cache_paths` it replaces.
    pub covers: &'static [&'static str],
}

/// All known managers.
pub const MANAGERS: &[&ManagerSpec] = &[
    &apt::SPEC,
    &apk::SPEC,
    &dnf::SPEC,
    &zypper::SPEC,
    &pip::SPEC,
    &pip::UV,
    &conda::SPEC,
    &node::NPM,
    &node::YARN,
    &node::PNPM,
    &gem::SPEC,
];

/// Looks a manager up by name.
pub fn manager(name: &str) -> Option<&'static ManagerSpec> {
    MANAGERS.iter().copied().find(|m| m.name == name)
}

/// The basename of a program path.
pub fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// Removes wrappers (`sudo`, `env`, `command`, `exec`, `nice`, `nohup`, `time`) and
/// their options from the front of a command.
pub fn unwrap_command<'a>(argv: &[&'a str]) -> Vec<&'a str> {
    let mut v: Vec<&str> = argv.to_vec();
    loop {
        let Some(first) = v.first().map(|s| basename(s)) else {
            return v;
        };
        match first {
            "sudo" | "doas" => {
                v.remove(0);
                while v.first().is_some_and(|a| a.starts_with('-')) {
                    let opt = v.remove(0);
                    if matches!(opt, "-u" | "-g" | "-C" | "-h") && !v.is_empty() {
                        v.remove(0);
                    }
                }
            }
            "env" => {
                v.remove(0);
                while v
                    .first()
                    .is_some_and(|a| a.starts_with('-') || a.contains('='))
                {
                    v.remove(0);
                }
            }
            "command" | "exec" | "nohup" | "time" | "nice" | "stdbuf" => {
                v.remove(0);
                while v.first().is_some_and(|a| a.starts_with('-')) {
                    v.remove(0);
                }
            }
            _ => return v,
        }
    }
}

/// The operands of a command after its name: every word that is not an option.
/// Enough for matching subcommands (`install`, `cache clean`); option values that
/// look like operands do not occur before the subcommands matched here.
pub fn operands<'a>(argv: &[&'a str]) -> Vec<&'a str> {
    argv.iter()
        .skip(1)
        .copied()
        .filter(|a| !a.starts_with('-'))
        .collect()
}

/// Is `cmd` an `rm` of paths under `prefixes` only?
pub fn is_rm_under(argv: &[&str], prefixes: &[&str]) -> bool {
    if argv.first().map(|a| basename(a)) != Some("rm") {
        return false;
    }
    let paths = operands(argv);
    !paths.is_empty()
        && paths.iter().all(|p| {
            prefixes
                .iter()
                .any(|pre| p.starts_with(pre.trim_end_matches('*')))
        })
}

/// What a RUN's script does with package managers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunFacts {
    /// Managers driven (update, install, other), by name.
    pub drives: BTreeSet<&'static str>,
    /// Managers whose caches it cleans, by name.
    pub cleans: BTreeSet<&'static str>,
    /// Managers it installs with.
    pub installs: BTreeSet<&'static str>,
    /// Managers it refreshes indexes of.
    pub updates: BTreeSet<&'static str>,
    /// Commands that are not package-manager work (and not cleanup).
    pub other_commands: usize,
    /// It starts a background job (`cmd &`): fusing would let it outlive its RUN.
    pub background: bool,
    /// The shell reader met something it does not model.
    pub uncertain: bool,
    /// Each manager it drives, with argv[0] as invoked (`/opt/conda/bin/mamba`): a
    /// manager's own clean command (`extra_cleanup`'s `{bin}`) runs the same binary.
    pub bins: BTreeMap<&'static str, String>,
    /// Managers whose cache or index locations the script names without cleaning
    /// them (`ls /var/lib/apt/lists`, `pip install --find-links ~/.cache/pip/wheels`).
    pub mentions: BTreeSet<&'static str>,
}

impl RunFacts {
    /// The RUN only cleans caches (no installs, no other commands).
    pub fn cleanup_only(&self) -> bool {
        self.drives.is_empty() && !self.cleans.is_empty() && self.other_commands == 0
    }
}

/// Analyses a RUN script.
pub fn analyze(script: &str) -> RunFacts {
    let parsed = shell::parse(script);
    let mut facts = RunFacts {
        uncertain: parsed.uncertain,
        ..RunFacts::default()
    };
    for cmd in &parsed.commands {
        facts.background |= cmd.background;
        classify_command(cmd, &mut facts);
    }
    for m in MANAGERS {
        if !facts.cleans.contains(m.name) && m.mentions.iter().any(|t| mentions(script, t)) {
            facts.mentions.insert(m.name);
        }
    }
    facts
}

/// Managers whose caches or indexes a path another stage takes from this one
/// (`COPY --from=STAGE PATH`, `RUN --mount=from=STAGE,source=PATH`) may hold: the path
/// names one of their locations, or is a directory above one (`/var/cache`, a home
/// directory, a `.cache` directory). The stage's root (`/`, empty) is not a reader: a
/// whole-stage copy is what cleanup is for.
pub fn path_readers(path: &str) -> BTreeSet<&'static str> {
    let p = path.trim().trim_end_matches('/');
    let mut out = BTreeSet::new();
    if p.is_empty() || p == "." {
        return out;
    }
    let last = basename(p);
    let home_like =
        p == "/root" || p == "~" || (p.starts_with("/home/") && p.matches('/').count() == 2);
    for m in MANAGERS {
        let hit = m.mentions.iter().any(|t| {
            mentions(p, t)
                || (t.starts_with('/') && t.starts_with(&format!("{p}/")))
                || (!t.starts_with('/')
                    && t.starts_with('.')
                    && (home_like || (last == ".cache" && t.starts_with(".cache/"))))
        });
        if hit {
            out.insert(m.name);
        }
    }
    out
}

/// Does `script` contain `term`, not followed by a letter, digit or `_` (so `.npm`
/// does not match `.npmrc`)?
fn mentions(script: &str, term: &str) -> bool {
    script.match_indices(term).any(|(i, _)| {
        !script[i + term.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

fn classify_command(cmd: &Command, facts: &mut RunFacts) {
    let argv = cmd.argv();
    let argv = unwrap_command(&argv);
    if argv.is_empty() {
        return;
    }
    let mut matched = false;
    for m in MANAGERS {
        if let Some(action) = (m.classify)(&argv) {
            matched = true;
            match action {
                Action::Clean => {
                    facts.cleans.insert(m.name);
                }
                Action::Install => {
                    facts.drives.insert(m.name);
                    facts.installs.insert(m.name);
                }
                Action::Update => {
                    facts.drives.insert(m.name);
                    facts.updates.insert(m.name);
                }
                Action::Other => {
                    facts.drives.insert(m.name);
                }
            }
            if action != Action::Clean {
                facts
                    .bins
                    .entry(m.name)
                    .or_insert_with(|| argv[0].to_string());
            }
            break;
        }
    }
    if !matched {
        facts.other_commands += 1;
    }
}

/// Checks a classifier against a table of (argv, expected action) rows.
#[cfg(test)]
pub(crate) fn assert_classifies(
    classify: fn(&[&str]) -> Option<Action>,
    rows: &[(&[&str], Option<Action>)],
) {
    for (argv, want) in rows {
        assert_eq!(classify(argv), *want, "{argv:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrappers_are_removed() {
        assert_eq!(
            unwrap_command(&["sudo", "-E", "env", "A=1", "apt-get", "update"]),
            vec!["apt-get", "update"]
        );
        assert_eq!(
            unwrap_command(&["sudo", "-u", "bob", "pip", "install"]),
            vec!["pip", "install"]
        );
    }

    #[test]
    fn facts_of_a_mixed_script() {
        let f = analyze(
            "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y curl && rm -rf /var/lib/apt/lists/*",
        );
        assert_eq!(f.drives, ["apt"].into_iter().collect());
        assert_eq!(f.cleans, ["apt"].into_iter().collect());
        assert!(!f.cleanup_only());
        assert!(analyze("apt-get clean && rm -rf /var/lib/apt/lists/*").cleanup_only());
        assert!(analyze("echo apt-get install x").drives.is_empty());
        assert!(analyze("sleep 1 &").background);
    }

    #[test]
    fn paths_other_stages_take() {
        let set = |v: &[&'static str]| v.iter().copied().collect::<BTreeSet<_>>();
        assert_eq!(path_readers("/root/.cache/uv/wheels-v5"), set(&["uv"]));
        assert_eq!(path_readers("/var/lib/apt/lists/"), set(&["apt"]));
        // Directories above a cache hold it too.
        assert_eq!(
            path_readers("/var/cache"),
            set(&["apk", "apt", "dnf", "zypper"])
        );
        assert_eq!(
            path_readers("/home/app/.cache"),
            set(&["pip", "pnpm", "uv", "yarn"])
        );
        assert!(path_readers("/root").contains("npm"));
        // The whole stage, or paths beside the caches, are not readers.
        assert!(path_readers("/").is_empty());
        assert!(path_readers("/app/dist").is_empty());
        assert!(path_readers("/root/.local").is_empty());
        assert!(path_readers("/usr/local/lib/python3.12/site-packages").is_empty());
    }
}
