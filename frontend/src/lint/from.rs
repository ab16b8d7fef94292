//! Rules over FROM lines and stage names.

use super::{Findings, Input, Rule};
use crate::model::expand::Lexer;
use crate::model::instructions::{Kind, Program, Stage};

/// The ARGs a FROM line may use: the predefined platform args and the global ARGs.
const PREDEFINED: [&str; 11] = [
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "BUILDOSVERSION",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "TARGETOSVERSION",
    "TARGETSTAGE",
];

/// Global ARGs with only their default values (no build args), each expanded with the
/// ones before it.
fn global_defaults(program: &Program, lexer: &Lexer) -> Vec<(String, String)> {
    let mut defaults: Vec<(String, String)> = Vec::new();
    for instr in &program.meta_args {
        let Kind::Arg(defs) = &instr.kind else {
            continue;
        };
        for d in defs {
            if let Some(v) = &d.value {
                let v = lexer
                    .process_word(v, &defaults)
                    .map(|e| e.result)
                    .unwrap_or_default();
                defaults.push((d.key.clone(), v));
            }
        }
    }
    defaults
}

/// InvalidDefaultArgInFrom: a base name that the global ARGs' defaults make empty or
/// invalid.
pub(super) fn invalid_default_arg_in_from(input: &Input<'_>, out: &mut Findings) {
    let lexer = Lexer::new(input.df.escape);
    let defaults = global_defaults(input.program, &lexer);
    for stage in input.program.stages.iter().filter(|s| s.base.contains('$')) {
        let invalid = match lexer.process_word(&stage.base, &defaults) {
            Ok(e) => {
                e.result.is_empty()
                    || (!e.result.eq_ignore_ascii_case("scratch")
                        && crate::llb::convert::normalize_reference(&e.result).is_err())
            }
            Err(_) => true,
        };
        if invalid {
            out.add(
                Rule::InvalidDefaultArgInFrom,
                format!(
                    "Default value for ARG {} results in empty or invalid base image name",
                    stage.base
                ),
                stage.span,
            );
        }
    }
}

/// UndefinedArgInFrom: a FROM line (base or `--platform`) using an ARG that is
/// neither global nor predefined.
pub(super) fn undefined_arg_in_from(input: &Input<'_>, out: &mut Findings) {
    let mut declared: Vec<(String, String)> = PREDEFINED
        .iter()
        .map(|k| (k.to_string(), "x".to_string()))
        .collect();
    for instr in &input.program.meta_args {
        if let Kind::Arg(defs) = &instr.kind {
            declared.extend(defs.iter().map(|d| (d.key.clone(), "x".to_string())));
        }
    }
    let lexer = Lexer::new(input.df.escape);
    for stage in &input.program.stages {
        for word in std::iter::once(&stage.base).chain(stage.platform.iter()) {
            let Ok(e) = lexer.process_word(word, &declared) else {
                continue;
            };
            for name in e.unmatched {
                out.add(
                    Rule::UndefinedArgInFrom,
                    format!("FROM argument '{name}' is not declared"),
                    stage.span,
                );
            }
        }
    }
}

/// RedundantTargetPlatform (`--platform=$TARGETPLATFORM`) and
/// FromPlatformFlagConstDisallowed (a constant platform, unless the stage's name
/// says which platform it is for).
pub(super) fn platform_flag(input: &Input<'_>, out: &mut Findings) {
    for stage in &input.program.stages {
        let Some(p) = &stage.platform else { continue };
        if p == "$TARGETPLATFORM" || p == "${TARGETPLATFORM}" {
            out.add(
                Rule::RedundantTargetPlatform,
                format!(
                    "Setting platform to predefined {p} in FROM is redundant as this is the default behavior"
                ),
                stage.span,
            );
        } else if !p.contains('$') && !named_for_platform(stage, p) {
            out.add(
                Rule::FromPlatformFlagConstDisallowed,
                format!("FROM --platform flag should not use constant value {p:?}"),
                stage.span,
            );
        }
    }
}

fn named_for_platform(stage: &Stage, platform: &str) -> bool {
    stage.name.as_ref().is_some_and(|n| {
        platform
            .split('/')
            .any(|part| !part.is_empty() && n.contains(&part.to_ascii_lowercase()))
    })
}

/// The `FROM ... AS name` words of a stage: (FROM keyword, AS keyword, name) as written.
fn as_clause(stage: &Stage) -> Option<(&str, &str, &str)> {
    let words: Vec<&str> = stage.source_code.split_whitespace().collect();
    let pos = words.iter().position(|w| w.eq_ignore_ascii_case("as"))?;
    Some((words[0], words[pos], words.get(pos + 1)?))
}

/// StageNameCasing: a stage name with upper-case letters.
pub(super) fn stage_name_casing(input: &Input<'_>, out: &mut Findings) {
    for stage in &input.program.stages {
        if let Some((_, _, name)) = as_clause(stage)
            && name != name.to_ascii_lowercase()
        {
            out.add(
                Rule::StageNameCasing,
                format!("Stage name '{name}' should be lowercase"),
                stage.span,
            );
        }
    }
}

/// FromAsCasing: `FROM ... as` or `from ... AS`.
pub(super) fn from_as_casing(input: &Input<'_>, out: &mut Findings) {
    for stage in &input.program.stages {
        let Some((from_kw, as_kw, _)) = as_clause(stage) else {
            continue;
        };
        let from_upper = from_kw == from_kw.to_ascii_uppercase();
        let as_upper = as_kw == as_kw.to_ascii_uppercase();
        if from_upper != as_upper {
            out.add(
                Rule::FromAsCasing,
                format!("'{as_kw}' and '{from_kw}' keywords' casing do not match"),
                stage.span,
            );
        }
    }
}

/// DuplicateStageName: a stage named like an earlier one.
pub(super) fn duplicate_stage_name(input: &Input<'_>, out: &mut Findings) {
    let mut names: Vec<&str> = Vec::new();
    for stage in &input.program.stages {
        let Some(n) = &stage.name else { continue };
        if names.contains(&n.as_str()) {
            out.add(
                Rule::DuplicateStageName,
                format!("Duplicate stage name {n:?}, stage names should be unique"),
                stage.span,
            );
        }
        names.push(n);
    }
}

/// ReservedStageName: a stage named `scratch` or `context`.
pub(super) fn reserved_stage_name(input: &Input<'_>, out: &mut Findings) {
    for stage in &input.program.stages {
        if let Some(n) = &stage.name
            && matches!(n.as_str(), "scratch" | "context")
        {
            out.add(
                Rule::ReservedStageName,
                format!("Stage name should not use the same name as reserved stage {n:?}"),
                stage.span,
            );
        }
    }
}
