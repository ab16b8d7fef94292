//! Fusion planning: which consecutive RUNs of a stage become one exec op, what cleanup
//! the op gets, and why the others were left alone.
//!
//! Pure: it reads typed instructions and the package-manager analysis, and returns a
//! [`StagePlan`]; `llb` turns plans into ops. The CLI's `explain` prints the same plans.
//!
//! Rules: only consecutive RUNs (comments aside) with identical flags, shell form, no
//! background jobs, a POSIX shell, and the same package manager(s) — or a cleanup-only
//! RUN for one of them — form a group. With additive assembly a group may span the
//! other instructions between them that cannot move or touch the caches ([`span`]). A group's op runs each original
//! command in its own shell, in order, stops at the first failure with its status, then
//! removes the caches its managers wrote (or, with `cleanup=cache-mount`, mounts cache
//! mounts over them instead). A lone package-manager RUN is a group of one: it gets the
//! cleanup without being fused with anything.

pub mod cleanup;
pub mod report;
pub mod rewrite;
pub mod script;
pub mod span;

use std::collections::BTreeSet;

use crate::analysis::{self, RunFacts};
use crate::diagnostics::Span;
use crate::model::instructions::{Instruction, Kind, Run, Stage};
use crate::model::options::{Assembly, BuildOptions, CleanupMode};

/// The comment pragma that turns fusion off for an instruction, a stage (on its FROM)
/// or the whole file (before the first instruction).
pub const NOFUSE_PRAGMA: &str = "slimfile: nofuse";

/// What a fused group became in the LLB (the converter fills it in; `rewrite` prints
/// it as the plain Dockerfile RUN that builds the same layer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FusedOp {
    /// The exec argv.
    pub argv: Vec<String>,
    /// Cache mounts added by `cleanup=cache-mount`: (target, cache id without namespace).
    pub cache_mounts: Vec<(String, String)>,
    /// True when `argv` is the stage's full shell plus the script, so that a shell-form
    /// `RUN <<EOF` heredoc of the script runs exactly `argv`.
    pub shell_form: bool,
    /// Byte offset in the script (the last argv entry) where the cleanup begins (its
    /// length when there is none).
    pub cleanup_at: usize,
}

/// A run of RUN instructions emitted as one layer (with additive assembly, spanning
/// the other instructions between them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Indices of the RUNs into the stage's instruction list, in order.
    pub members: Vec<usize>,
    /// Indices of the other instructions between the members that the group spans
    /// (dispatched inside it, as unfused), in order; see [`span`].
    pub between: Vec<usize>,
    /// Package managers whose caches the group cleans.
    pub managers: Vec<String>,
    /// Shell commands appended after the members (cleanup).
    pub cleanup_script: String,
    /// Cache mounts put over cache directories (`cleanup=cache-mount`).
    pub cache_mounts: Vec<String>,
    /// Notes for `explain` (paths kept and why).
    pub notes: Vec<String>,
    /// How the group becomes one layer, in words.
    pub assembly: String,
    /// Mount targets of the members (as written): the cleanup never deletes at, under
    /// or above them.
    pub guarded: Vec<String>,
}

/// One unit of dispatch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// An instruction emitted as the official frontend would.
    Single(usize),
    /// A fused group of RUNs (possibly of one RUN that only gained cleanup).
    Fused(Group),
}

impl Group {
    /// Every instruction the group dispatches (members and spanned ones), in order.
    pub fn order(&self) -> Vec<usize> {
        let mut all: Vec<usize> = self.members.iter().chain(&self.between).copied().collect();
        all.sort_unstable();
        all
    }
}

impl Step {
    /// Index of the (first) instruction the step dispatches.
    pub fn first(&self) -> usize {
        match self {
            Step::Single(i) => *i,
            Step::Fused(g) => g.members[0],
        }
    }
}

/// Why a RUN was not fused with its neighbour or got no cleanup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// Index of the RUN.
    pub index: usize,
    /// Where it is.
    pub span: Span,
    /// The kind of reason (what checks and reports act on).
    pub kind: SkipKind,
    /// The reason, in words.
    pub reason: String,
}

/// The kinds of reasons a RUN is not fused. The first six leave the RUN alone
/// altogether; the last four only keep it out of the previous RUN's group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipKind {
    /// Fusion is switched off for the build.
    FusionOff,
    /// A `# slimfile: nofuse` pragma.
    Pragma,
    /// An exec-form (JSON) RUN.
    ExecForm,
    /// It starts a background job.
    Background,
    /// The stage's SHELL is not a POSIX shell.
    NonPosixShell,
    /// A heredoc script with a shebang.
    ShebangHeredoc,
    /// It only cleans caches the group before it did not write.
    CleansOtherCaches,
    /// Its `--mount`/`--network`/`--security` flags differ from the previous RUN's.
    FlagsDiffer,
    /// It drives another package manager than the previous RUN.
    OtherManager,
    /// A non-RUN instruction stands between it and the previous RUN of its manager.
    InstructionBetween,
}

impl SkipKind {
    /// Blocked by something the user could change (the SlimfileFusionBlocked check).
    pub fn user_fixable(self) -> bool {
        matches!(self, SkipKind::FlagsDiffer | SkipKind::InstructionBetween)
    }
}

/// The fusion plan of one stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagePlan {
    /// Stage index in the file.
    pub stage: usize,
    /// Stage name, if any.
    pub name: Option<String>,
    /// Steps in order.
    pub steps: Vec<Step>,
    /// RUNs left alone and why.
    pub skipped: Vec<Skip>,
    /// Spans of the stage's instructions (same indices as the steps refer to).
    pub spans: Vec<Span>,
    /// The stage's instructions as written (same indices).
    pub texts: Vec<String>,
    /// RUNs that only clean package-manager caches and stayed outside any group:
    /// (index, managers). The bytes they delete are in an earlier layer.
    pub late_cleanups: Vec<(usize, Vec<&'static str>)>,
}

/// Does a comment block carry the nofuse pragma?
pub fn has_nofuse(comments: &[String]) -> bool {
    comments.iter().any(|c| {
        c.trim().eq_ignore_ascii_case(NOFUSE_PRAGMA)
            || c.trim()
                .to_ascii_lowercase()
                .starts_with("slimfile: nofuse ")
    })
}

/// Context a stage plan needs beyond its instructions.
#[derive(Debug, Clone, Default)]
pub struct PlanContext {
    /// Fusion is off for the whole file (pragma before the first instruction).
    pub file_nofuse: bool,
    /// Managers whose package indexes a later stage built on this one needs.
    pub downstream_needs_index: BTreeSet<&'static str>,
    /// Managers whose cache locations a later stage built on this one names, or takes
    /// (`COPY --from`, `RUN --mount=from=`).
    pub downstream_mentions: BTreeSet<&'static str>,
    /// The stage's SHELL at its start (base image), if set.
    pub base_shell: Option<Vec<String>>,
    /// The stage's working directory at its start, when known.
    pub base_workdir: Option<String>,
    /// Precomputed [`run_facts`] of the instructions, if the caller has them.
    pub facts: Option<Vec<Option<RunFacts>>>,
}

/// Package-manager facts of each RUN (`None` for other instructions).
pub fn run_facts(instructions: &[Instruction]) -> Vec<Option<RunFacts>> {
    instructions
        .iter()
        .map(|i| match &i.kind {
            Kind::Run(r) if r.cmd.prepend_shell => Some(analysis::analyze(&run_script(r))),
            Kind::Run(r) => {
                let quoted: Vec<String> = r.cmd.args.iter().map(|a| script::sh_quote(a)).collect();
                Some(analysis::analyze(&quoted.join(" ")))
            }
            _ => None,
        })
        .collect()
}

/// The shell script of a RUN as its own shell would read it.
fn run_script(run: &Run) -> String {
    let mut s = run.cmd.args.join(" ");
    for f in &run.files {
        s.push('\n');
        s.push_str(&f.content);
    }
    if run.files.len() == 1
        && run.cmd.args.len() == 1
        && crate::syntax::parse_heredoc_marker(&run.cmd.args[0]).is_some()
    {
        s = run.files[0].content.clone();
    }
    s
}

fn is_posix_shell(shell: &[String]) -> bool {
    let Some(first) = shell.first() else {
        return true;
    };
    matches!(
        analysis::basename(first),
        "sh" | "bash" | "dash" | "ash" | "ksh" | "mksh" | "zsh" | "busybox"
    ) && shell.last().is_some_and(|l| l == "-c" || l.ends_with('c'))
}

struct Candidate {
    index: usize,
    facts: RunFacts,
    flags: String,
    key: BTreeSet<&'static str>,
}

/// Plans one stage. `instructions` are the stage's instructions (ONBUILD triggers of
/// the base first).
pub fn plan_stage(
    stage: &Stage,
    instructions: &[Instruction],
    stage_index: usize,
    opts: &BuildOptions,
    pctx: &PlanContext,
) -> StagePlan {
    let owned;
    let facts: &[Option<RunFacts>] = match &pctx.facts {
        Some(f) if f.len() == instructions.len() => f,
        _ => {
            owned = run_facts(instructions);
            &owned
        }
    };
    let mut p = Planner {
        plan: new_plan(stage, instructions, stage_index),
        instructions,
        facts,
        opts,
        pctx,
        stage_nofuse: has_nofuse(&stage.comments) && stage_index > 0 || pctx.file_nofuse,
        shell: pctx.base_shell.clone().unwrap_or_default(),
        cwd: pctx.base_workdir.clone(),
        group: Vec::new(),
        between: Vec::new(),
        pending: Vec::new(),
        last_key: None,
        breaker: None,
    };
    for (i, instr) in instructions.iter().enumerate() {
        match &instr.kind {
            Kind::Run(run) => p.run(i, instr, run),
            _ => p.other(i, instr),
        }
    }
    p.flush();
    let mut plan = p.plan;
    plan.late_cleanups = late_cleanups(&plan, facts);
    plan
}

/// An empty plan of the stage's instructions.
fn new_plan(stage: &Stage, instructions: &[Instruction], stage_index: usize) -> StagePlan {
    StagePlan {
        stage: stage_index,
        name: stage.name.clone(),
        steps: Vec::new(),
        skipped: Vec::new(),
        spans: instructions.iter().map(|i| i.span).collect(),
        texts: instructions
            .iter()
            .map(|i| i.original.trim().to_string())
            .collect(),
        late_cleanups: Vec::new(),
    }
}

/// Cleanup-only RUNs left as steps of their own: their deletions save nothing.
fn late_cleanups(plan: &StagePlan, facts: &[Option<RunFacts>]) -> Vec<(usize, Vec<&'static str>)> {
    plan.steps
        .iter()
        .filter_map(|s| match s {
            Step::Single(i) => facts[*i]
                .as_ref()
                .filter(|f| f.cleanup_only())
                .map(|f| (*i, f.cleans.iter().copied().collect())),
            Step::Fused(_) => None,
        })
        .collect()
}

/// Whether a group may take in (span) an instruction between its RUNs.
enum SpanVerdict {
    /// It may.
    May,
    /// Spanning is off, or there is no group: nothing to say.
    Off,
    /// It may not, for this reason.
    Blocked(String),
}

/// The state of planning one stage.
struct Planner<'a> {
    plan: StagePlan,
    instructions: &'a [Instruction],
    facts: &'a [Option<RunFacts>],
    opts: &'a BuildOptions,
    pctx: &'a PlanContext,
    stage_nofuse: bool,
    /// The SHELL in effect.
    shell: Vec<String>,
    /// The working directory, when planning knows it.
    cwd: Option<String>,
    /// The group being gathered.
    group: Vec<Candidate>,
    /// Other instructions the group spans (a RUN joined after them).
    between: Vec<usize>,
    /// Other instructions after the group's last RUN that it may span, if a RUN of its
    /// manager follows.
    pending: Vec<usize>,
    /// The last RUN that drove a manager (its managers and line), and the first other
    /// instruction since (keyword, line, and why a group could not span it).
    last_key: Option<(BTreeSet<&'static str>, usize)>,
    breaker: Option<(String, usize, Option<String>)>,
}

impl Planner<'_> {
    /// Turns the pending group into a step, followed by the instructions it did not
    /// get to span.
    fn flush(&mut self) {
        flush(
            &mut self.group,
            std::mem::take(&mut self.between),
            &mut self.plan,
            self.instructions,
            self.facts,
            self.opts,
            self.pctx,
        );
        for i in std::mem::take(&mut self.pending) {
            self.plan.steps.push(Step::Single(i));
        }
    }

    /// Whether the group being gathered may span `instr`, and if not, why.
    fn span_verdict(&self, instr: &Instruction) -> SpanVerdict {
        if !(self.opts.span && self.opts.additive()) {
            return SpanVerdict::Off;
        }
        let managers = self.group.last().map(|c| c.key.clone()).unwrap_or_default();
        match span::blocker(instr, &managers, self.cwd.as_deref()) {
            Some(why) => SpanVerdict::Blocked(why),
            None => SpanVerdict::May,
        }
    }

    fn skip(&mut self, i: usize, kind: SkipKind, reason: String) {
        self.plan.skipped.push(Skip {
            index: i,
            span: self.instructions[i].span,
            kind,
            reason,
        });
    }

    /// An instruction other than RUN is held for the group to span, if it may and a
    /// RUN of the group's manager follows; otherwise it ends the group, and is
    /// remembered as what stands between two RUNs of a manager.
    fn other(&mut self, i: usize, instr: &Instruction) {
        let verdict = if self.group.is_empty() {
            SpanVerdict::Off
        } else {
            self.span_verdict(instr)
        };
        self.cwd = span::next_cwd(self.cwd.take(), instr);
        if let Kind::Shell(sh) = &instr.kind {
            self.shell = sh.clone();
        }
        let why = match verdict {
            SpanVerdict::May => {
                self.pending.push(i);
                return;
            }
            SpanVerdict::Off => None,
            SpanVerdict::Blocked(why) => Some(why),
        };
        self.flush();
        self.plan.steps.push(Step::Single(i));
        if self.last_key.is_some() && self.breaker.is_none() {
            let kw = instr.keyword.to_ascii_uppercase();
            self.breaker = Some((kw, instr.span.start_line, why));
        }
    }

    /// A RUN joins the group, starts the next one (saying why it did not join), or
    /// stays alone (saying why, when it drives a manager).
    fn run(&mut self, i: usize, instr: &Instruction, run: &Run) {
        let f = self.facts[i].clone().unwrap_or_default();
        let key: BTreeSet<&'static str> = f.drives.union(&f.cleans).copied().collect();
        let reason = if key.is_empty() {
            None
        } else {
            self.alone_reason(instr, run, &f)
        };
        if key.is_empty() || reason.is_some() {
            self.flush();
            if let Some((kind, r)) = reason {
                self.skip(i, kind, r);
            }
            self.plan.steps.push(Step::Single(i));
            self.last_key = None;
            self.breaker = None;
            return;
        }
        let flags = format!("{:?}|{:?}|{:?}", run.mounts, run.network, run.security);
        let joins = self.group.last().is_some_and(|last| {
            last.index + 1 + self.pending.len() == i
                && last.flags == flags
                && (last.key == key
                    || (f.cleanup_only() && f.cleans.is_subset(&group_drives(&self.group))))
        });
        if !joins {
            self.say_not_joined(i, &f, &flags, &key);
            self.flush();
        } else {
            self.between.append(&mut self.pending);
        }
        self.last_key = Some((key.clone(), instr.span.start_line));
        self.breaker = None;
        self.group.push(Candidate {
            index: i,
            facts: f,
            flags,
            key,
        });
    }

    /// Records why RUN `i` did not join the group being gathered (or the RUN before the
    /// instruction that ended it). Another manager's RUN after instructions the group
    /// would have spanned kept nothing apart, so nothing is said then.
    fn say_not_joined(
        &mut self,
        i: usize,
        f: &RunFacts,
        flags: &str,
        key: &BTreeSet<&'static str>,
    ) {
        let unrelated =
            !self.pending.is_empty() && self.group.last().is_some_and(|l| l.key.is_disjoint(key));
        if unrelated {
            return;
        }
        if let Some(last) = self.group.last() {
            let line = self.instructions[last.index].span.start_line;
            let (kind, why) = not_joined(last, f, flags, key);
            self.skip(i, kind, format!("not fused with line {line}: {why}"));
        } else if let (Some((prev_key, prev_line)), Some((kw, line, span_why))) =
            (&self.last_key, &self.breaker)
            && !prev_key.is_disjoint(key)
        {
            let mut why = format!(
                "not fused with the {} RUN on line {prev_line}: {kw} on line {line} stands between them",
                names(prev_key)
            );
            if let Some(w) = span_why {
                why.push_str(&format!(" ({w})"));
            }
            self.skip(i, SkipKind::InstructionBetween, why);
        }
    }

    /// Why a RUN that drives a manager must stay a step of its own, if it must.
    fn alone_reason(
        &self,
        instr: &Instruction,
        run: &Run,
        f: &RunFacts,
    ) -> Option<(SkipKind, String)> {
        if !self.opts.fuse {
            Some((
                SkipKind::FusionOff,
                "fusion is off (fuse=off / SLIMFILE_FUSE=off)".to_string(),
            ))
        } else if self.stage_nofuse || has_nofuse(&instr.comments) {
            Some((SkipKind::Pragma, format!("`# {NOFUSE_PRAGMA}` pragma")))
        } else if !run.cmd.prepend_shell {
            Some((SkipKind::ExecForm, "exec form (JSON) RUN".to_string()))
        } else if f.background {
            Some((
                SkipKind::Background,
                "starts a background job (`&`) that must not outlive its RUN".to_string(),
            ))
        } else if !is_posix_shell(&self.shell) {
            Some((
                SkipKind::NonPosixShell,
                format!("SHELL {:?} is not a POSIX shell", self.shell),
            ))
        } else if run.files.len() == 1
            && run.cmd.args.len() == 1
            && crate::syntax::parse_heredoc_marker(&run.cmd.args[0]).is_some()
            && run.files[0].content.starts_with("#!")
        {
            Some((
                SkipKind::ShebangHeredoc,
                "heredoc script with a shebang runs from its own file".to_string(),
            ))
        } else {
            None
        }
    }
}

/// Why a RUN that drives a manager did not join the group before it.
fn not_joined(
    last: &Candidate,
    f: &RunFacts,
    flags: &str,
    key: &BTreeSet<&'static str>,
) -> (SkipKind, String) {
    if f.cleanup_only() {
        (
            SkipKind::CleansOtherCaches,
            format!(
                "it only cleans {} caches, which the RUNs before it did not write: the bytes stay in their layers",
                names(&f.cleans)
            ),
        )
    } else if last.flags != flags {
        (
            SkipKind::FlagsDiffer,
            "its RUN flags (--mount/--network/--security) differ from the previous RUN's"
                .to_string(),
        )
    } else {
        (
            SkipKind::OtherManager,
            format!(
                "it drives {} while the previous RUN drives {}",
                names(key),
                names(&last.key)
            ),
        )
    }
}

fn names(set: &BTreeSet<&str>) -> String {
    set.iter().copied().collect::<Vec<_>>().join("+")
}

fn group_drives(group: &[Candidate]) -> BTreeSet<&'static str> {
    group
        .iter()
        .flat_map(|c| c.facts.drives.iter().copied())
        .collect()
}

/// Turns the pending group into a step.
fn flush(
    group: &mut Vec<Candidate>,
    between: Vec<usize>,
    plan: &mut StagePlan,
    instructions: &[Instruction],
    facts: &[Option<RunFacts>],
    opts: &BuildOptions,
    pctx: &PlanContext,
) {
    if group.is_empty() {
        return;
    }
    let members: Vec<usize> = group.iter().map(|c| c.index).collect();
    // Only managers that wrote caches here (installed or refreshed) get a cleanup: a
    // RUN that only reads (`apt-cache show`) would delete bytes of an earlier layer.
    let drives: BTreeSet<&'static str> = group
        .iter()
        .flat_map(|c| c.facts.installs.union(&c.facts.updates).copied())
        .collect();
    let first_run = match &instructions[members[0]].kind {
        Kind::Run(r) => r,
        _ => unreachable!("groups only hold RUNs"),
    };
    let last = *members.last().unwrap_or(&0);
    let mut g = Group {
        members: members.clone(),
        between,
        managers: drives.iter().map(|s| s.to_string()).collect(),
        cleanup_script: String::new(),
        cache_mounts: Vec::new(),
        notes: Vec::new(),
        assembly: assembly_note(opts),
        guarded: Vec::new(),
    };
    if opts.cleanup != CleanupMode::Off && !drives.is_empty() {
        cleanup::plan(
            &mut g,
            &drives,
            first_run,
            &cleanup::Scope {
                instructions,
                facts,
                last,
            },
            opts,
            pctx,
        );
    } else if opts.cleanup == CleanupMode::Off {
        g.managers.clear();
    }
    group.clear();
    if g.members.len() == 1 && g.cleanup_script.is_empty() && g.cache_mounts.is_empty() {
        plan.steps.push(Step::Single(g.members[0]));
    } else {
        plan.steps.push(Step::Fused(g));
    }
}

/// How a group becomes one layer under `opts`, in words (`explain`, `--call=check`).
pub fn assembly_note(opts: &BuildOptions) -> String {
    const SCRIPT: &str =
        "the RUNs run as one exec op, one shell each; editing one re-runs the whole group";
    match (opts.assembly, &opts.frontend_image) {
        (Assembly::Sync, Some(image)) => format!(
            "sync: each RUN stays its own cached step; after the cleanup, `slimfile sync` (from {image}) copies the group's net change onto the state before it as one layer"
        ),
        (Assembly::Sync, None) => format!(
            "script, because the frontend image is unknown (no `source` option), so the sync tool cannot be mounted: {SCRIPT}"
        ),
        (Assembly::Script, _) => format!("script (SLIMFILE_ASSEMBLY=script): {SCRIPT}"),
    }
}

#[cfg(test)]
mod tests;
