//! Rules over the syntax tree as a whole.

use super::{Findings, Input, Rule};
use crate::diagnostics::Span;

/// ConsistentInstructionCasing: keywords not in the casing most of the file uses.
pub(super) fn consistent_instruction_casing(input: &Input<'_>, out: &mut Findings) {
    let nodes = &input.df.nodes;
    let upper = nodes
        .iter()
        .filter(|n| n.keyword == n.keyword.to_ascii_uppercase())
        .count();
    let lower = nodes
        .iter()
        .filter(|n| {
            n.keyword != n.keyword.to_ascii_uppercase()
                && n.keyword == n.keyword.to_ascii_lowercase()
        })
        .count();
    let majority_upper = upper >= lower;
    let want = if majority_upper {
        "uppercase"
    } else {
        "lowercase"
    };
    for n in nodes {
        let is_upper = n.keyword == n.keyword.to_ascii_uppercase();
        let is_lower = n.keyword == n.keyword.to_ascii_lowercase();
        if (majority_upper && !is_upper) || (!majority_upper && !is_lower) {
            out.add(
                Rule::ConsistentInstructionCasing,
                format!(
                    "Command '{}' should match the case of the command majority ({want})",
                    n.keyword
                ),
                n.span,
            );
        }
    }
}

/// NoEmptyContinuation: the parser's warnings about empty continuation lines.
pub(super) fn no_empty_continuation(input: &Input<'_>, out: &mut Findings) {
    for w in &input.df.warnings {
        out.add(
            Rule::NoEmptyContinuation,
            "Empty continuation line".into(),
            Span::lines(w.line, w.line),
        );
    }
}
