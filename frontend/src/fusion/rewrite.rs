//! `slimfile rewrite`: the plain Dockerfile that the official frontend builds into the
//! same layers as slimfile. Every fused group becomes one `RUN` of the very argv
//! slimfile runs (plus its cache mounts), with a comment naming the lines it came from;
//! everything else is copied byte for byte.
//!
//! The `RUN` is a shell-form heredoc, one original command per line and the cleanup as
//! a commented last block, whenever that runs exactly the same argv: the official
//! frontend runs a heredoc without a shebang as `SHELL + [body]`. Otherwise (a SHELL
//! whose flags the script does not take, or a body holding the delimiter line) it is
//! the exec form of the argv.

use std::collections::BTreeMap;

use super::FusedOp;
use super::{StagePlan, Step};
use crate::model::instructions::Program;

/// Rewrites `src` given the plans and fused ops of a planned build.
pub fn rewrite(
    src: &str,
    program: &Program,
    plans: &[StagePlan],
    fused: &BTreeMap<(usize, usize), FusedOp>,
) -> String {
    // (start byte, end byte, replacement), in file order.
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for plan in plans {
        let from_span = program.stages[plan.stage].span;
        for step in &plan.steps {
            let Step::Fused(g) = step else { continue };
            let spans: Vec<_> = g.members.iter().map(|&i| plan.spans[i]).collect();
            // Members that came from ONBUILD triggers carry the FROM's span: leave those.
            if spans.contains(&from_span) {
                continue;
            }
            let Some(op) = fused.get(&(plan.stage, g.members[0])) else {
                continue;
            };
            let lines: Vec<String> = spans.iter().map(|s| s.start_line.to_string()).collect();
            let mut text = format!(
                "# slimfile: line{} {} as one layer{}\n",
                if lines.len() > 1 { "s" } else { "" },
                lines.join(", "),
                if g.managers.is_empty() {
                    String::new()
                } else {
                    format!(", with {} cleanup", g.managers.join(", "))
                }
            );
            text.push_str("RUN ");
            text.push_str(&member_flags(&program.stages[plan.stage], spans[0]));
            for (target, id) in &op.cache_mounts {
                text.push_str(&format!(
                    "--mount=type=cache,target={target},id={id},sharing=locked "
                ));
            }
            text.push_str(&run_body(op, &g.managers));
            let start = spans[0].start;
            let end = spans[spans.len() - 1].end;
            // hadolint (2.15) cannot parse an instruction right after a heredoc's
            // terminator line; BuildKit can. An empty line between suits both.
            let rest = src.get(end..).unwrap_or("");
            if text.ends_with(&format!("\n{DELIMITER}\n"))
                && !rest.is_empty()
                && !rest.starts_with('\n')
                && !rest.starts_with("\r\n")
            {
                text.push('\n');
            }
            edits.push((start, end, text));
        }
    }
    edits.sort_by_key(|e| e.0);
    let mut out = String::with_capacity(src.len());
    let mut pos = 0;
    for (start, end, text) in edits {
        if start < pos || end > src.len() {
            continue;
        }
        out.push_str(&src[pos..start]);
        out.push_str(&text);
        pos = end;
    }
    out.push_str(&src[pos..]);
    out
}

/// The `--mount`, `--network` and `--security` flags of the RUN at `span`, as written,
/// each followed by a space. Planning fuses only RUNs whose flags are equal, so the
/// first member's are the group's.
fn member_flags(
    stage: &crate::model::instructions::Stage,
    span: crate::diagnostics::Span,
) -> String {
    use crate::model::instructions::Kind;
    use crate::model::modes::{NetworkMode, SecurityMode};
    let Some(Kind::Run(r)) = stage
        .instructions
        .iter()
        .find(|i| i.span == span)
        .map(|i| &i.kind)
    else {
        return String::new();
    };
    let mut out = String::new();
    for m in &r.mounts {
        out.push_str(&format!("--mount={} ", m.raw));
    }
    match r.network {
        Some(NetworkMode::Default) => out.push_str("--network=default "),
        Some(NetworkMode::None) => out.push_str("--network=none "),
        Some(NetworkMode::Host) => out.push_str("--network=host "),
        None => {}
    }
    match r.security {
        Some(SecurityMode::Sandbox) => out.push_str("--security=sandbox "),
        Some(SecurityMode::Insecure) => out.push_str("--security=insecure "),
        None => {}
    }
    out
}

/// The heredoc delimiter of a rewritten group (the cleanup guard uses `SLIMFILE_EOF`).
const DELIMITER: &str = "SLIMFILE_GROUP";

/// What follows `RUN ` and its mount flags: a heredoc of the script when it runs the
/// same argv, else the exec form; ends with a newline.
fn run_body(op: &FusedOp, managers: &[String]) -> String {
    let script = op.argv.last().map_or("", String::as_str);
    let heredoc_ok = op.shell_form
        && script.ends_with('\n')
        && op.cleanup_at <= script.len()
        && script.is_char_boundary(op.cleanup_at)
        && !script.lines().any(|l| l == DELIMITER);
    if !heredoc_ok {
        return format!("{}\n", serde_json::to_string(&op.argv).unwrap_or_default());
    }
    let (commands, cleanup) = script.split_at(op.cleanup_at);
    let mut out = format!("<<{DELIMITER}\n{commands}");
    if !cleanup.is_empty() {
        out.push_str(&format!(
            "# slimfile: {} cleanup, in the same layer: it deletes only the caches the \
             manager wrote, never under a mount (docs/cleanup.md)\n",
            managers.join(", ")
        ));
        out.push_str(cleanup);
    }
    out.push_str(DELIMITER);
    out.push('\n');
    out
}
