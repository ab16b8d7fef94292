//! Check rules for `docker buildx build --check` / `--call=check`: a subset of the
//! official frontend's rules (same names and URLs) plus slimfile's own rules about
//! layer bloat that fusion cannot fix.
//!
//! One function per rule, grouped by what it reads: `file.rs` (the syntax tree),
//! `from.rs` (FROM lines and stage names), `stage.rs` (instructions of a stage),
//! `plans.rs` (the fusion plans and what emission found). Rules that need dispatch
//! state (JSONArgsRecommended with an inherited SHELL, CopyIgnoredFile,
//! InvalidBaseImagePlatform) are reported by the converter, as in the official
//! frontend, and passed through here. `# check=skip=<rules|all>` is honoured.

mod file;
mod from;
mod plans;
mod stage;
#[cfg(test)]
mod tests;

use crate::diagnostics::Span;
use crate::llb::convert::Emitted;
use crate::model::instructions::Program;
pub use crate::rules::Rule;
use crate::syntax::Dockerfile;

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule.
    pub rule: Rule,
    /// What the rule checks.
    pub description: &'static str,
    /// Documentation URL.
    pub url: String,
    /// The message for this occurrence.
    pub detail: String,
    /// Where.
    pub span: Span,
}

/// What the rules read: the syntax tree, the typed program, and the emitted build
/// when it could be planned.
pub(crate) struct Input<'a> {
    pub df: &'a Dockerfile,
    pub program: &'a Program,
    pub emitted: Option<&'a Emitted>,
}

/// Where rules put their findings.
#[derive(Default)]
pub(crate) struct Findings(Vec<Finding>);

impl Findings {
    /// Records one finding of `rule`.
    pub fn add(&mut self, rule: Rule, detail: String, span: Span) {
        self.0.push(Finding {
            rule,
            description: rule.description(),
            url: rule.url(),
            detail,
            span,
        });
    }
}

/// Parses `# check=skip=A,B;error=true`: the skipped rules (`all` skips everything).
pub fn skipped_rules(df: &Dockerfile) -> Vec<String> {
    let Some(v) = df.directive("check") else {
        return Vec::new();
    };
    v.split(';')
        .filter_map(|part| part.trim().strip_prefix("skip="))
        .flat_map(|list| list.split(',').map(|s| s.trim().to_string()))
        .collect()
}

/// `# check=error=true`: findings fail the build.
pub fn errors_fail_build(df: &Dockerfile) -> bool {
    df.directive("check").is_some_and(|v| {
        v.split(';')
            .any(|part| part.trim().eq_ignore_ascii_case("error=true"))
    })
}

/// The error a build with `# check=error=true` fails with, if there are findings.
pub fn violation_error(findings: &[Finding]) -> Option<String> {
    let mut rules: Vec<&str> = Vec::new();
    for f in findings {
        if !rules.contains(&f.rule.name()) {
            rules.push(f.rule.name());
        }
    }
    (!rules.is_empty()).then(|| format!("lint violation found for rules: {}", rules.join(", ")))
}

/// Runs every rule; `emitted` (when the build could be planned) adds the fusion plans
/// and the findings only emission can make. Findings come sorted by line, then in
/// [`Rule::ALL`] order, without the skipped rules.
pub fn check(df: &Dockerfile, program: &Program, emitted: Option<&Emitted>) -> Vec<Finding> {
    let input = Input {
        df,
        program,
        emitted,
    };
    let mut out = Findings::default();
    file::consistent_instruction_casing(&input, &mut out);
    file::no_empty_continuation(&input, &mut out);
    plans::undefined_var(&input, &mut out);
    from::invalid_default_arg_in_from(&input, &mut out);
    from::undefined_arg_in_from(&input, &mut out);
    from::platform_flag(&input, &mut out);
    from::stage_name_casing(&input, &mut out);
    from::from_as_casing(&input, &mut out);
    from::duplicate_stage_name(&input, &mut out);
    from::reserved_stage_name(&input, &mut out);
    for stage in &program.stages {
        stage::json_args_recommended(&input, stage, &mut out);
        stage::multiple_instructions_disallowed(stage, &mut out);
        stage::expose_format(stage, &mut out);
        stage::maintainer_deprecated(stage, &mut out);
        stage::legacy_key_value_format(stage, &mut out);
        stage::secrets_used_in_arg_or_env(stage, &mut out);
        stage::workdir_relative_path(stage, &mut out);
        stage::apt_install_without_yes(stage, &mut out);
    }
    plans::fusion_blocked(&input, &mut out);
    plans::cleanup_too_late(&input, &mut out);
    plans::emitted_findings(&input, &mut out);

    let skip = skipped_rules(df);
    let mut out = out.0;
    out.retain(|f| !skip.iter().any(|s| s == "all" || s == f.rule.name()));
    out.sort_by_key(|f| (f.span.start_line, f.rule));
    out
}
