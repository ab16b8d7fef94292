//! The build context source: its attributes once every stage was dispatched.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use bollard_buildkit_proto::pb;

use super::Ctx;

/// Fills in the build context's attributes once all stages were dispatched.
pub(super) fn finalize_context(ctx: &mut Ctx<'_>) {
    let Some(idx) = ctx.context_op else {
        return;
    };
    let mut attrs = BTreeMap::new();
    attrs.insert("local.session".to_string(), ctx.opts.session_id.clone());
    attrs.insert("local.sharedkeyhint".to_string(), "context".to_string());
    if !ctx.opts.excludes.is_empty() {
        attrs.insert(
            "local.excludepatterns".to_string(),
            serde_json::to_string(&ctx.opts.excludes).unwrap_or_default(),
        );
    }
    let paths = normalize_context_paths(&ctx.context_paths);
    if !paths.is_empty() {
        attrs.insert(
            "local.followpaths".to_string(),
            serde_json::to_string(&paths).unwrap_or_default(),
        );
    }
    let node = ctx.graph.get_mut(idx);
    node.name = Some("[internal] load build context".into());
    node.caps.insert("source.local");
    if let pb::op::Op::Source(src) = &mut node.op {
        src.attrs = attrs;
    }
}

/// Follow-paths: drop paths under another listed path; `/` means everything.
pub(super) fn normalize_context_paths(paths: &BTreeSet<String>) -> Vec<String> {
    if paths.contains("/") || paths.is_empty() {
        return Vec::new();
    }
    // A kept path sorts before every path under it: each path is checked against the
    // kept ones by its own prefixes, not against every kept path.
    let mut kept: HashSet<String> = HashSet::new();
    let mut out: Vec<String> = Vec::new();
    for p in paths {
        let under_kept = p
            .match_indices('/')
            .map(|(i, _)| &p[..i])
            .chain([p.as_str()])
            .any(|q| kept.contains(q));
        if under_kept {
            continue;
        }
        let trimmed = p.trim_start_matches('/').to_string();
        kept.insert(trimmed.clone());
        out.push(trimmed);
    }
    out
}
