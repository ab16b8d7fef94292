//! What a group's cleanup deletes, what it keeps and why (`docs/cleanup.md`).
//!
//! Rules, each enforced here or in the guard the cleanup script runs under:
//! - only what a manager writes: its cache subdirectories and index files, never a
//!   whole directory a user configured (`PIP_CACHE_DIR`, `npm_config_cache` ...);
//! - never on, under or above a mount target of a member (cache, tmpfs, bind, secret,
//!   ssh): literal paths are left alone at plan time, computed ones by the guard, which
//!   resolves each path at run time and compares it with the members' mount targets;
//! - never `/` or a top-level directory, whatever the environment says;
//! - a manager's cache subdirectories are emptied, not removed, so they keep the owner
//!   a later RUN as another user would meet unfused;
//! - package indexes stay when a later RUN of the stage, or of a stage built on it,
//!   uses the manager before refreshing them; all of a manager's caches stay when a
//!   later RUN names their locations.

use std::collections::BTreeSet;

use super::{Group, PlanContext, script};
use crate::analysis::{self, ManagerSpec, RunFacts};
use crate::model::instructions::{Instruction, Kind, Run};
use crate::model::options::{Assembly, BuildOptions, CleanupMode};

/// The shell function every cleanup deletes through, and the variable it reads the
/// members' mount targets from (one per line). A path is removed only when it exists,
/// is absolute, is not `/` or a top-level directory once its parent is resolved, and
/// neither is nor contains nor lies under a mount target. A path written with a
/// trailing `/` is a directory to empty, not to remove: the directory keeps the owner
/// and mode the manager gave it (a later RUN as another user meets it as it would
/// unfused), and it is emptied only when it resolves below a top-level directory.
/// Every path is resolved before any is removed (a later path may go through an
/// earlier one), and a failed removal never fails the build.
pub const GUARD: &str = r#"slimfile_take() {
  case "$1" in *"
"*) return ;; esac
  case "${1#/}" in ''|.|..|*/.|*/..) return ;; */*) ;; *) echo "slimfile: kept $1: a top-level directory" >&2; return ;; esac
  slimfile_skip=
  while IFS= read -r m; do
    [ -n "$m" ] || continue
    m="${m%/}"
    case "$1/" in "$m"/*) slimfile_skip=1 ;; esac
    case "$m/" in "$1"/*) slimfile_skip=1 ;; esac
  done <<SLIMFILE_EOF
$slimfile_keep
SLIMFILE_EOF
  if [ -n "$slimfile_skip" ]; then echo "slimfile: kept $1: a mount of the group is there" >&2; return; fi
  slimfile_q="$slimfile_q$1
"
}
slimfile_rm() {
  slimfile_q=
  for p in "$@"; do
    case "$p" in /*) ;; *) continue ;; esac
    case "$p" in
      */)
        [ -d "$p" ] || continue
        d=$(cd -P -- "$p" 2>/dev/null && pwd -P) || continue
        case "${d#/}" in ''|*"
"*) continue ;; */*) ;; *) echo "slimfile: kept the contents of $d: a top-level directory" >&2; continue ;; esac
        for c in "$d"/* "$d"/.[!.]* "$d"/..?*; do
          [ -e "$c" ] || [ -L "$c" ] || continue
          slimfile_take "$c"
        done ;;
      *)
        [ -e "$p" ] || [ -L "$p" ] || continue
        d=$(cd -P -- "${p%/*}/" 2>/dev/null && pwd -P) || continue
        slimfile_take "${d%/}/${p##*/}" ;;
    esac
  done
  printf %s "$slimfile_q" | while IFS= read -r q; do
    [ -n "$q" ] && { rm -rf -- "$q" 2>/dev/null || echo "slimfile: could not remove $q" >&2; }
  done
  return 0
}
"#;

/// The full cleanup program: the guard, the mount targets it must keep off, then the
/// planned commands.
pub fn program(commands: &str, keep: &[String]) -> String {
    let mut s = String::from(GUARD);
    s.push_str("slimfile_keep=");
    s.push_str(&script::sh_quote(&keep.join("\n")));
    s.push('\n');
    s.push_str(commands);
    s
}

/// The stage around a group: its instructions, their facts, and the group's last RUN.
pub struct Scope<'a> {
    /// The stage's instructions.
    pub instructions: &'a [Instruction],
    /// Their package-manager facts.
    pub facts: &'a [Option<RunFacts>],
    /// Index of the group's last member.
    pub last: usize,
}

impl Scope<'_> {
    /// The first later RUN that uses `m` before refreshing its index.
    fn index_reader(&self, m: &str) -> Option<usize> {
        for (i, f) in self.facts.iter().enumerate().skip(self.last + 1) {
            let Some(f) = f else { continue };
            if f.updates.contains(m) {
                return None;
            }
            if f.drives.contains(m) || f.mentions.contains(m) {
                return Some(self.instructions[i].span.start_line);
            }
        }
        None
    }

    /// The first later RUN that names `m`'s cache locations.
    fn cache_reader(&self, m: &str) -> Option<usize> {
        self.facts
            .iter()
            .enumerate()
            .skip(self.last + 1)
            .find(|(_, f)| f.as_ref().is_some_and(|f| f.mentions.contains(m)))
            .map(|(i, _)| self.instructions[i].span.start_line)
    }

    /// The USER in effect at the group's first member (as written; the base image's
    /// user is not known here and counts as root).
    fn user_at(&self, at: usize) -> String {
        self.instructions[..at]
            .iter()
            .rev()
            .find_map(|i| match &i.kind {
                Kind::User(u) => Some(u.clone()),
                _ => None,
            })
            .unwrap_or_default()
    }
}

/// Mount targets in a RUN's `--mount` flags (unexpanded).
fn mounted_dirs(run: &Run) -> Vec<String> {
    run.mounts
        .iter()
        .filter_map(|m| crate::model::mounts::parse_mount_raw(&m.raw).ok())
        .map(|m| m.target)
        .filter(|t| !t.is_empty())
        .collect()
}

/// Fills in the group's cleanup commands, cache mounts and notes.
pub fn plan(
    g: &mut Group,
    drives: &BTreeSet<&'static str>,
    first_run: &Run,
    scope: &Scope<'_>,
    opts: &BuildOptions,
    pctx: &PlanContext,
) {
    let mounted = mounted_dirs(first_run);
    g.guarded = mounted.clone();
    let user = scope.user_at(g.members[0]);
    let ctx = GroupCtx {
        mounted: &mounted,
        root: is_root(&user),
        user,
        own_step: opts.assembly == Assembly::Sync && opts.frontend_image.is_some(),
        opts,
    };
    let mut rm: Vec<String> = Vec::new();
    let mut extra: Vec<String> = Vec::new();
    let mut cleaned = Vec::new();
    for m in drives {
        let Some(spec) = analysis::manager(m) else {
            continue;
        };
        if let Some(why) = keep_all_reason(scope, pctx, m) {
            g.notes.push(format!("kept every {m} cache: {why}"));
            continue;
        }
        let keep_index = keep_index_reason(scope, pctx, m);
        if let Some(why) = &keep_index
            && !spec.index_paths.is_empty()
        {
            g.notes
                .push(format!("kept {}: {why}", spec.index_paths.join(" ")));
        }
        let mut paths: Vec<&str> = spec
            .cache_paths
            .iter()
            .copied()
            .filter(|p| !(keep_index.is_some() && spec.index_paths.contains(p)))
            .collect();
        let skipped: Vec<&str> = paths
            .iter()
            .copied()
            .filter(|p| ctx.under_mount(p))
            .collect();
        if !skipped.is_empty() {
            g.notes.push(format!(
                "left {} alone: a mount of the RUN is there",
                skipped.join(" ")
            ));
        }
        paths.retain(|p| !ctx.under_mount(p));
        if opts.cleanup == CleanupMode::CacheMount {
            ctx.use_cache_mounts(g, m, spec, keep_index.is_some(), &mut paths);
        }
        rm.extend(paths.iter().map(|p| p.to_string()));
        if let Some(cmd) = ctx.tool_cleanup(g, m, spec, scope) {
            extra.push(cmd);
        }
        cleaned.push(*m);
    }
    g.cleanup_script = cleanup_script(&rm, &extra);
    g.managers = cleaned.iter().map(|s| s.to_string()).collect();
}

/// Root as written in USER (empty, `root`, `0`, with or without a group).
fn is_root(user: &str) -> bool {
    user.is_empty()
        || user == "root"
        || user == "0"
        || user.starts_with("0:")
        || user.starts_with("root:")
}

/// Why all of `m`'s caches must stay: a later RUN, or a later stage built on or taking
/// from this one, names their locations.
fn keep_all_reason(scope: &Scope<'_>, pctx: &PlanContext, m: &str) -> Option<String> {
    scope
        .cache_reader(m)
        .map(|line| format!("a later RUN (line {line}) names {m}'s cache locations"))
        .or_else(|| {
            pctx.downstream_mentions.contains(m).then(|| {
                format!(
                    "a later stage built on or taking from this one names {m}'s cache locations"
                )
            })
        })
}

/// Why `m`'s package index must stay: a later RUN, or a later stage built on this one,
/// uses `m` without refreshing it.
fn keep_index_reason(scope: &Scope<'_>, pctx: &PlanContext, m: &str) -> Option<String> {
    scope
        .index_reader(m)
        .map(|line| format!("a later RUN (line {line}) uses {m} without refreshing its index"))
        .or_else(|| {
            pctx.downstream_needs_index.contains(m).then(|| {
                format!("a later stage built on this one uses {m} without refreshing its index")
            })
        })
}

/// What every manager of a group shares: the members' mounts, the user, and where the
/// cleanup runs.
struct GroupCtx<'a> {
    mounted: &'a [String],
    user: String,
    root: bool,
    /// The cleanup runs in a step of its own, without the members' mounts.
    own_step: bool,
    opts: &'a BuildOptions,
}

impl GroupCtx<'_> {
    /// A literal cache path at, under or above one of the members' mount targets.
    fn under_mount(&self, p: &str) -> bool {
        let p = p.trim_end_matches('/').trim_matches('"');
        self.mounted.iter().any(|m| {
            let m = m.trim_end_matches('/');
            p == m || p.starts_with(&format!("{m}/")) || m.starts_with(p.trim_end_matches('*'))
        })
    }

    /// `cleanup=cache-mount`: the manager's cache mounts replace the paths they cover,
    /// unless the index must stay, a member already mounts there, or the home is unknown.
    fn use_cache_mounts(
        &self,
        g: &mut Group,
        m: &str,
        spec: &ManagerSpec,
        keep_index: bool,
        paths: &mut Vec<&str>,
    ) {
        for mount in spec.mounts {
            if mount.path.contains("$HOME") && !self.root {
                g.notes.push(format!(
                    "{m}: no cache mount at {} for user {:?} (home unknown); cleaned inline",
                    mount.path, self.user
                ));
                continue;
            }
            let path = mount.path.replace("$HOME", "/root");
            let keeps_index =
                keep_index && mount.covers.iter().any(|c| spec.index_paths.contains(c));
            let already = self
                .mounted
                .iter()
                .any(|d| path.starts_with(d.trim_end_matches('/')) || d.starts_with(&path));
            if keeps_index || already {
                continue;
            }
            paths.retain(|p| !mount.covers.contains(p));
            if !g.cache_mounts.contains(&path) {
                g.cache_mounts.push(path);
            }
        }
    }

    /// The manager's own clean command (`conda clean`), when it is safe to run: it
    /// deletes where it likes, so only with no member mounts, or in a step of its own
    /// when it deletes through `slimfile_rm`.
    fn tool_cleanup(
        &self,
        g: &mut Group,
        m: &str,
        spec: &ManagerSpec,
        scope: &Scope<'_>,
    ) -> Option<String> {
        if spec.extra_cleanup.is_empty()
            || (self.opts.cleanup == CleanupMode::CacheMount && !spec.mounts.is_empty())
        {
            return None;
        }
        let safe = self.mounted.is_empty()
            || (self.own_step && spec.extra_cleanup.contains("slimfile_rm"));
        if !safe {
            let why = if self.own_step {
                "it could delete under a mount target of the RUN"
            } else {
                // In the one-script form the cleanup shares the members' mounts.
                "in the script assembly it would run under the RUN's mounts"
            };
            g.notes
                .push(format!("{m}: `{}` not run: {why}", spec.extra_cleanup));
            return None;
        }
        let bin = member_bin(scope.facts, &g.members, m).unwrap_or_else(|| m.to_string());
        Some(spec.extra_cleanup.replace("{bin}", &script::sh_quote(&bin)))
    }
}

/// The cleanup script: the home lookup when a path needs it, the guarded removals, then
/// the tools' own clean commands.
fn cleanup_script(rm: &[String], extra: &[String]) -> String {
    let mut script = String::new();
    if rm.iter().chain(extra).any(|p| p.contains("$home")) {
        script.push_str(
            "home=${HOME:-}; [ -n \"$home\" ] || home=$(awk -F: -v u=\"$(id -u)\" '$3==u{print $6; exit}' /etc/passwd 2>/dev/null); [ -n \"$home\" ] || home=/\n",
        );
    }
    if !rm.is_empty() {
        script.push_str(&format!("slimfile_rm {}\n", rm.join(" ")));
    }
    for e in extra {
        script.push_str(e);
        script.push('\n');
    }
    script
}

/// The binary the group's first member that drives manager `m` invoked it as.
fn member_bin(facts: &[Option<RunFacts>], members: &[usize], m: &str) -> Option<String> {
    members
        .iter()
        .find_map(|&i| facts[i].as_ref().and_then(|f| f.bins.get(m).cloned()))
}

#[cfg(test)]
mod tests {
    use super::program;

    /// Runs the guard with `rm` replaced by an echo, from inside `dir`.
    fn would_delete(dir: &std::path::Path, keep: &[String], args: &str) -> Vec<String> {
        let script = program(
            &format!("rm() {{ echo \"RM $3\"; }}\nslimfile_rm {args}\n"),
            keep,
        );
        let out = std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(script)
            .current_dir(dir)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix("RM ").map(str::to_string))
            .collect()
    }

    #[test]
    fn guard_keeps_off_mounts_root_and_top_level_directories() {
        let t = std::env::temp_dir().join(format!("slimfile-guard-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&t);
        for d in ["a", "cache/sub", "parent/mnt", "free/x"] {
            std::fs::create_dir_all(t.join(d)).unwrap();
        }
        std::os::unix::fs::symlink(t.join("cache"), t.join("link")).unwrap();
        let p = |s: &str| t.join(s).display().to_string();
        let keep = vec![p("cache"), format!("{}/", p("parent/mnt"))];
        let args = format!(
            "/ /usr a {} {} {} {} {} {}/* {}",
            p("a"),
            p("cache/sub"),
            p("cache"),
            p("parent"),
            p("link/sub"),
            p("free"),
            p("missing")
        );
        let got = would_delete(&t, &keep, &args);
        assert_eq!(got, vec![p("a"), p("free/x")]);
        // Nothing kept: the same paths go (top-level and relative ones still do not).
        let got = would_delete(&t, &[], &args);
        assert_eq!(
            got,
            vec![
                p("a"),
                p("cache/sub"),
                p("cache"),
                p("parent"),
                p("cache/sub"),
                p("free/x")
            ]
        );
        std::fs::remove_dir_all(&t).unwrap();
    }

    #[test]
    fn every_path_is_resolved_before_any_is_removed() {
        let t = std::env::temp_dir().join(format!("slimfile-guard2-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&t);
        std::fs::create_dir_all(t.join("c/http-v2")).unwrap();
        std::fs::create_dir_all(t.join("c/wheels")).unwrap();
        std::fs::write(t.join("c/notes"), "mine").unwrap();
        let c = t.join("c/http-v2/..").display().to_string();
        let script = program(&format!("slimfile_rm {c}/http-v2 {c}/wheels\n"), &[]);
        let status = std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(script)
            .status()
            .unwrap();
        assert!(status.success());
        assert!(!t.join("c/http-v2").exists());
        assert!(!t.join("c/wheels").exists());
        assert!(t.join("c/notes").exists());
        std::fs::remove_dir_all(&t).unwrap();
    }

    #[test]
    fn a_trailing_slash_empties_the_directory_and_keeps_it() {
        let t = std::env::temp_dir().join(format!("slimfile-guard3-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&t);
        for d in ["c/http-v2/a/b", "c/wheels/mnt/x", "c/wheels/w"] {
            std::fs::create_dir_all(t.join(d)).unwrap();
        }
        std::fs::write(t.join("c/http-v2/.hidden"), "").unwrap();
        std::fs::write(t.join("c/http-v2/..odd"), "").unwrap();
        let p = |s: &str| t.join(s).display().to_string();
        let keep = vec![p("c/wheels/mnt")];
        let args = format!(
            "/tmp/ /usr/ {}/ {}/ {}/",
            p("c/http-v2"),
            p("c/wheels"),
            p("gone")
        );
        let mut got = would_delete(&t, &keep, &args);
        got.sort();
        let want = vec![
            p("c/http-v2/..odd"),
            p("c/http-v2/.hidden"),
            p("c/http-v2/a"),
            p("c/wheels/w"),
        ];
        assert_eq!(got, want);
        let script = program(&format!("slimfile_rm {args}\n"), &keep);
        let ok = std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(script)
            .status()
            .unwrap();
        assert!(ok.success());
        assert!(t.join("c/http-v2").is_dir() && !t.join("c/http-v2/a").exists());
        assert!(t.join("c/wheels/mnt/x").exists() && !t.join("c/wheels/w").exists());
        std::fs::remove_dir_all(&t).unwrap();
    }
}
