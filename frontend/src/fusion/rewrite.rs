//! `slimfile rewrite`: the plain Dockerfile that the official frontend builds into the
//! same layers as slimfile. Every fused group becomes one exec-form `RUN` of the very
//! argv slimfile runs (plus its cache mounts), with a comment naming the lines it came
//! from; everything else is copied byte for byte.

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
            for (target, id) in &op.cache_mounts {
                text.push_str(&format!(
                    "--mount=type=cache,target={target},id={id},sharing=locked "
                ));
            }
            text.push_str(&serde_json::to_string(&op.argv).unwrap_or_default());
            text.push('\n');
            let start = spans[0].start;
            let end = spans[spans.len() - 1].end;
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
