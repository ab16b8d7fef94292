//! The stage graph: global ARGs, stage names and bases, platforms, dependencies and
//! cycles, the target and the stages it reaches, and ONBUILD triggers.

use super::EnvList;
use crate::diagnostics::{Diagnostic, Span};
use crate::model::expand::{Env, Lexer};
use crate::model::instructions::{Instruction, Kind, Program, Stage};
use crate::model::options::{BuildOptions, Platform};

pub(super) fn default_args(build: &Platform, target: &Platform, target_stage: &str) -> EnvList {
    let mut env = EnvList::default();
    let pairs = [
        ("BUILDPLATFORM", build.format()),
        ("BUILDOS", build.os.clone()),
        ("BUILDOSVERSION", String::new()),
        ("BUILDARCH", build.arch.clone()),
        ("BUILDVARIANT", build.variant.clone()),
        ("TARGETPLATFORM", target.format()),
        ("TARGETOS", target.os.clone()),
        ("TARGETOSVERSION", String::new()),
        ("TARGETARCH", target.arch.clone()),
        ("TARGETVARIANT", target.variant.clone()),
        (
            "TARGETSTAGE",
            if target_stage.is_empty() {
                "default".to_string()
            } else {
                target_stage.to_string()
            },
        ),
    ];
    for (k, v) in pairs {
        env.set(k, &v);
    }
    env
}

/// Computes the global (pre-FROM) ARG environment.
pub(super) fn global_args(
    program: &Program,
    opts: &BuildOptions,
    lexer: &Lexer,
    build: &Platform,
    target: &Platform,
) -> Result<EnvList, Diagnostic> {
    let target_name = opts
        .target
        .clone()
        .or_else(|| program.stages.last().and_then(|s| s.name.clone()))
        .unwrap_or_default();
    let mut env = default_args(build, target, &target_name);
    for (k, v) in &opts.build_args {
        if env.get(k).is_some() {
            env.set(k, v);
        }
    }
    for instr in &program.meta_args {
        let Kind::Arg(defs) = &instr.kind else {
            continue;
        };
        for def in defs {
            let value = match (opts.build_args.get(&def.key), &def.value) {
                (Some(v), _) => Some(v.clone()),
                (None, Some(default)) => Some(
                    lexer
                        .process_word(default, &env)
                        .map_err(|e| Diagnostic::error(e.to_string()).at(instr.span))?
                        .result,
                ),
                (None, None) => None,
            };
            if let Some(v) = value {
                env.set(&def.key, &v);
            }
        }
    }
    Ok(env)
}

/// Stage index for a `FROM`/`--from` name: a stage name (case-insensitive), or a
/// numeric index of an earlier stage.
pub(crate) fn find_stage(program: &Program, name: &str, before: usize) -> Option<usize> {
    // A base is looked up by name among earlier stages only (`FROM 0` is an image).
    program.stage_named(name).filter(|&i| i < before)
}

/// The stage a `--from` / `from=` refers to, if it names one.
pub(crate) fn find_source_stage(program: &Program, name: &str, usage: &SourceUse) -> Option<usize> {
    if let Some(i) = program.stage_named(name) {
        return Some(i);
    }
    match usage {
        SourceUse::Copy => name
            .parse::<usize>()
            .ok()
            .filter(|&i| i < program.stages.len()),
        SourceUse::Mount(_) => None,
    }
}

pub(super) fn target_index(program: &Program, opts: &BuildOptions) -> Result<usize, Diagnostic> {
    match &opts.target {
        None => Ok(program.stages.len() - 1),
        Some(t) => program
            .stage_named(t)
            .ok_or_else(|| Diagnostic::error(format!("target stage {t:?} could not be found"))),
    }
}

/// Base name of each stage after global ARG expansion.
pub(super) fn stage_bases(
    program: &Program,
    lexer: &Lexer,
    globals: &EnvList,
) -> Result<Vec<String>, Diagnostic> {
    program
        .stages
        .iter()
        .map(|s| {
            let r = lexer
                .process_word(&s.base, globals)
                .map_err(|e| Diagnostic::error(e.to_string()).at(s.span))?
                .result;
            if r.is_empty() {
                return Err(Diagnostic::error(format!(
                    "base name ({}) should not be blank",
                    s.base
                ))
                .at(s.span));
            }
            Ok(r)
        })
        .collect()
}

pub(super) fn stage_platform(
    stage: &Stage,
    lexer: &Lexer,
    globals: &EnvList,
    default: &Platform,
) -> Result<Platform, Diagnostic> {
    match &stage.platform {
        None => Ok(default.clone()),
        Some(p) => {
            let v = lexer
                .process_word(p, globals)
                .map_err(|e| Diagnostic::error(e.to_string()).at(stage.span))?
                .result;
            if v.is_empty() {
                return Err(
                    Diagnostic::error(format!("empty platform value from expression {p}"))
                        .at(stage.span),
                );
            }
            Platform::parse(&v).map_err(|d| d.at(stage.span))
        }
    }
}

/// Stages each stage depends on (base stage, `COPY --from`, `RUN --mount from=`).
pub(super) fn stage_deps(program: &Program, bases: &[String]) -> Vec<Vec<usize>> {
    program
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut deps = Vec::new();
            if let Some(b) = find_stage(program, &bases[i], i)
                && program.stages[b].name.is_some()
            {
                deps.push(b);
            }
            for instr in &s.instructions {
                for (from, usage) in instr_sources(instr) {
                    if let Some(d) = find_source_stage(program, &from, &usage) {
                        deps.push(d);
                    }
                }
            }
            deps
        })
        .collect()
}

/// `--from` values an instruction refers to, with how it uses them.
pub(crate) fn instr_sources(instr: &Instruction) -> Vec<(String, SourceUse)> {
    match &instr.kind {
        Kind::Copy(c) => c
            .from
            .iter()
            .map(|f| (f.clone(), SourceUse::Copy))
            .collect(),
        Kind::Run(r) => r
            .mounts
            .iter()
            .filter_map(|m| {
                let from = crate::model::mounts::mount_from(&m.raw)?;
                let target = crate::model::mounts::mount_target(&m.raw).unwrap_or_default();
                Some((from, SourceUse::Mount(target)))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Rejects stages that copy or mount from themselves through other stages, like the
/// official frontend: `circular dependency detected on stage: NAME`, located at the
/// instructions along the cycle.
pub(super) fn check_cycles(program: &Program) -> Result<(), Diagnostic> {
    let n = program.stages.len();
    let edges: Vec<Vec<(usize, Span)>> = program
        .stages
        .iter()
        .map(|s| {
            s.instructions
                .iter()
                .flat_map(|instr| {
                    instr_sources(instr)
                        .into_iter()
                        .filter_map(|(from, usage)| {
                            find_source_stage(program, &from, &usage).map(|j| (j, instr.span))
                        })
                })
                .collect()
        })
        .collect();
    // Iterative DFS; `path` holds the stages on the current path and the spans of
    // the instructions that led there.
    let mut visited = vec![false; n];
    for start in 0..n {
        if visited[start] {
            continue;
        }
        let mut on_path = vec![false; n];
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        let mut spans: Vec<Span> = Vec::new();
        visited[start] = true;
        on_path[start] = true;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&(dep, span)) = edges[node].get(*next) {
                *next += 1;
                if on_path[dep] {
                    spans.push(span);
                    let name = program.stages[start]
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("stage-{start}"));
                    let mut d =
                        Diagnostic::error(format!("circular dependency detected on stage: {name}"));
                    d.spans = spans;
                    return Err(d);
                }
                if !visited[dep] {
                    visited[dep] = true;
                    on_path[dep] = true;
                    spans.push(span);
                    stack.push((dep, 0));
                }
            } else {
                on_path[node] = false;
                stack.pop();
                spans.pop();
            }
        }
    }
    Ok(())
}

pub(super) fn reachable(program: &Program, deps: &[Vec<usize>], target: usize) -> Vec<bool> {
    let mut seen = vec![false; program.stages.len()];
    let mut stack = vec![target];
    while let Some(i) = stack.pop() {
        if !seen[i] {
            seen[i] = true;
            stack.extend(deps[i].iter().copied());
        }
    }
    seen
}

/// What both resolution and emission need to know about a build: the global ARGs,
/// each stage's expanded base name, the target and which stages it reaches.
pub(super) struct Layout {
    pub(super) lexer: Lexer,
    pub(super) target_platform: Platform,
    pub(super) globals: EnvList,
    pub(super) bases: Vec<String>,
    pub(super) target: usize,
    pub(super) live: Vec<bool>,
}

pub(super) fn layout(
    program: &Program,
    opts: &BuildOptions,
    escape: char,
) -> Result<Layout, Diagnostic> {
    let lexer = Lexer::new(escape);
    let build = opts.build_platform.clone().unwrap_or_else(Platform::host);
    let target_platform = opts.platform.clone().unwrap_or_else(|| build.clone());
    let globals = global_args(program, opts, &lexer, &build, &target_platform)?;
    let bases = stage_bases(program, &lexer, &globals)?;
    let target = target_index(program, opts)?;
    check_cycles(program)?;
    let live = reachable(program, &stage_deps(program, &bases), target);
    Ok(Layout {
        lexer,
        target_platform,
        globals,
        bases,
        target,
        live,
    })
}

/// Parses ONBUILD trigger expressions of a base image into instructions.
pub(super) fn parse_triggers(
    triggers: &[String],
    span: Span,
) -> Result<Vec<Instruction>, Diagnostic> {
    if triggers.is_empty() {
        return Ok(Vec::new());
    }
    let text = triggers.join("\n") + "\n";
    let df = crate::syntax::parse(&format!("FROM scratch\n{text}")).map_err(|d| Diagnostic {
        spans: vec![span],
        ..d
    })?;
    let program = crate::model::instructions::from_nodes(&df).map_err(|d| Diagnostic {
        spans: vec![span],
        ..d
    })?;
    Ok(program.stages[0]
        .instructions
        .iter()
        .cloned()
        .map(|mut i| {
            i.span = span;
            i
        })
        .collect())
}

/// Comments above the file's first instruction.
pub(super) fn first_comments(program: &Program) -> &[String] {
    match (program.meta_args.first(), program.stages.first()) {
        (Some(a), Some(s)) if a.span.start_line < s.span.start_line => &a.comments,
        (_, Some(s)) => &s.comments,
        _ => &[],
    }
}

/// How an instruction uses another stage: `COPY --from` (a name or an index) or a RUN
/// mount's `from=` (a name only; `from=0` is an image). Either may name any stage of
/// the file; one not built yet is an error at dispatch, as in the official frontend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SourceUse {
    /// `COPY --from`.
    Copy,
    /// `RUN --mount=...,from=` with this target.
    Mount(String),
}
