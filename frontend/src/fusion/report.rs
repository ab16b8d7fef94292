//! Human and JSON renderings of fusion plans (`slimfile explain`, `--call=check`).

use serde_json::{Value, json};

use super::{StagePlan, Step};

/// A plain-text report: per stage, each group with its lines, managers, cleanup and
/// assembly, and every RUN kept out of a group with the reason (`new group at` when it
/// starts the next group, `left alone` otherwise).
pub fn text(plans: &[StagePlan]) -> String {
    let mut out = String::new();
    for p in plans {
        let name = p
            .name
            .clone()
            .unwrap_or_else(|| format!("stage-{}", p.stage));
        let runs: usize = p
            .steps
            .iter()
            .map(|s| match s {
                Step::Fused(g) => g.members.len(),
                Step::Single(i) => usize::from(p.texts[*i].to_ascii_uppercase().starts_with("RUN")),
            })
            .sum();
        let ops = p
            .steps
            .iter()
            .filter(|s| match s {
                Step::Fused(_) => true,
                Step::Single(i) => p.texts[*i].to_ascii_uppercase().starts_with("RUN"),
            })
            .count();
        out.push_str(&format!(
            "stage {} ({name}): {runs} RUN -> {ops} layer{}\n",
            p.stage,
            if ops == 1 { "" } else { "s" }
        ));
        for step in &p.steps {
            let Step::Fused(g) = step else { continue };
            let lines: Vec<String> = g
                .members
                .iter()
                .map(|&i| p.spans[i].start_line.to_string())
                .collect();
            let kind = if g.members.len() > 1 {
                "fused"
            } else {
                "cleanup added to"
            };
            let managers = if g.managers.is_empty() {
                "no cleanup".to_string()
            } else {
                g.managers.join(", ")
            };
            out.push_str(&format!(
                "  {kind} lines {} ({managers})\n",
                lines.join(", ")
            ));
            for &i in &g.members {
                out.push_str(&format!(
                    "    {:>4} | {}\n",
                    p.spans[i].start_line,
                    first_line(&p.texts[i])
                ));
            }
            if !g.cleanup_script.is_empty() {
                for l in g.cleanup_script.lines() {
                    out.push_str(&format!("    cleanup: {l}\n"));
                }
                out.push_str(&format!("    cleanup guard: {}\n", guard_text(&g.guarded)));
            }
            for m in &g.cache_mounts {
                out.push_str(&format!("    cache mount: {m}\n"));
            }
            for n in &g.notes {
                out.push_str(&format!("    note: {n}\n"));
            }
            out.push_str(&format!("    assembly: {}\n", g.assembly));
        }
        for s in &p.skipped {
            // A RUN kept out of the previous group may start the next one.
            let what = if starts_group(p, s.index) {
                "new group at"
            } else {
                "left alone"
            };
            out.push_str(&format!(
                "  {what} line {}: {}\n",
                s.span.start_line, s.reason
            ));
        }
    }
    out
}

/// What `slimfile_rm` refuses, in words.
fn guard_text(guarded: &[String]) -> String {
    let mut t = String::from(
        "each path is resolved at run time; `/`, top-level directories and relative paths are never deleted, and a cache directory ending in `/` is emptied, not removed",
    );
    if !guarded.is_empty() {
        t.push_str(&format!(
            ", nor anything at, under or above the RUNs' mounts ({})",
            guarded.join(", ")
        ));
    }
    t
}

/// True when instruction `index` is the first member of one of the stage's groups.
fn starts_group(p: &StagePlan, index: usize) -> bool {
    p.steps
        .iter()
        .any(|s| matches!(s, Step::Fused(g) if g.members.first() == Some(&index)))
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// The same report as JSON.
pub fn json(plans: &[StagePlan]) -> Value {
    let stages: Vec<Value> = plans
        .iter()
        .map(|p| {
            let groups: Vec<Value> = p
                .steps
                .iter()
                .filter_map(|s| match s {
                    Step::Fused(g) => Some(json!({
                        "lines": g.members.iter().map(|&i| p.spans[i].start_line).collect::<Vec<_>>(),
                        "instructions": g.members.iter().map(|&i| p.texts[i].clone()).collect::<Vec<_>>(),
                        "managers": g.managers,
                        "cleanup": g.cleanup_script,
                        "cleanupGuard": if g.cleanup_script.is_empty() { Value::Null } else { Value::String(guard_text(&g.guarded)) },
                        "cacheMounts": g.cache_mounts,
                        "notes": g.notes,
                        "assembly": g.assembly,
                    })),
                    Step::Single(_) => None,
                })
                .collect();
            let skipped: Vec<Value> = p
                .skipped
                .iter()
                .map(|s| json!({"line": s.span.start_line, "instruction": p.texts[s.index], "reason": s.reason, "startsGroup": starts_group(p, s.index)}))
                .collect();
            json!({"stage": p.stage, "name": p.name, "groups": groups, "leftAlone": skipped})
        })
        .collect();
    json!({ "stages": stages })
}
