//! Rules over what planning and emission found: undefined variables, fusion blocked
//! by the file's structure, cleanups in a later layer, and the converter's own findings.

use super::{Findings, Input, Rule};

/// UndefinedVar: variables the converter met before their definition.
pub(super) fn undefined_var(input: &Input<'_>, out: &mut Findings) {
    for u in input.emitted.map_or(&[][..], |e| &e.undefined_vars) {
        let mut detail = format!("Usage of undefined variable '${}'", u.name);
        if let Some(s) = &u.suggestion {
            detail.push_str(&format!(" (did you mean ${s}?)"));
        }
        out.add(Rule::UndefinedVar, detail, u.span);
    }
}

/// SlimfileFusionBlocked: RUNs kept out of a group for a reason the user can fix.
pub(super) fn fusion_blocked(input: &Input<'_>, out: &mut Findings) {
    for plan in input.emitted.map_or(&[][..], |e| &e.fusion) {
        for s in plan.skipped.iter().filter(|s| s.kind.user_fixable()) {
            out.add(Rule::SlimfileFusionBlocked, s.reason.clone(), s.span);
        }
    }
}

/// SlimfileCleanupTooLate: a cleanup-only RUN that did not end up in the group that
/// wrote the cache.
pub(super) fn cleanup_too_late(input: &Input<'_>, out: &mut Findings) {
    for plan in input.emitted.map_or(&[][..], |e| &e.fusion) {
        for (i, managers) in &plan.late_cleanups {
            out.add(
                Rule::SlimfileCleanupTooLate,
                format!(
                    "this RUN only cleans {} caches, but they were written in an earlier layer: it saves no space",
                    managers.join(", ")
                ),
                plan.spans[*i],
            );
        }
    }
}

/// The findings only dispatch can make (JSONArgsRecommended with the SHELL a base
/// passes on, CopyIgnoredFile, InvalidBaseImagePlatform).
pub(super) fn emitted_findings(input: &Input<'_>, out: &mut Findings) {
    for f in input.emitted.map_or(&[][..], |e| &e.findings) {
        out.add(f.rule, f.detail.clone(), f.span);
    }
}
