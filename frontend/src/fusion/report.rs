//! Human and JSON renderings of fusion plans (`slimfile explain`, `--call=check`).

use serde_json::{Value, json};

use super::{Group, StagePlan, Step};

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
                "  {kind} lines {} ({managers}){}\n",
                lines.join(", "),
                spanning(p, &g.between)
            ));
            for i in g.order() {
                let mark = if g.between.contains(&i) {
                    "   [spanned]"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "    {:>4} | {}{mark}\n",
                    p.spans[i].start_line,
                    first_line(&p.texts[i])
                ));
            }
            if !g.cleanup_script.is_empty() {
                for l in g.cleanup_script.lines() {
                    out.push_str(&format!("    cleanup: {l}\n"));
                }
                out.push_str(&format!("    cleanup guard: {}\n", guard_text(p, g)));
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
fn guard_text(p: &StagePlan, g: &Group) -> String {
    let guarded = &g.guarded;
    let mut t = String::from(
        "each path is resolved at run time; `/`, top-level directories and relative paths are never deleted, and a cache directory ending in `/` is emptied, not removed",
    );
    if !guarded.is_empty() {
        t.push_str(&format!(
            ", nor anything at, under or above the RUNs' mounts ({})",
            guarded.join(", ")
        ));
    }
    let copies: Vec<String> = g
        .between
        .iter()
        .filter(|&&i| {
            let kw = p.texts[i].split_whitespace().next().unwrap_or("");
            kw.eq_ignore_ascii_case("COPY") || kw.eq_ignore_ascii_case("ADD")
        })
        .map(|&i| p.spans[i].start_line.to_string())
        .collect();
    if !copies.is_empty() {
        t.push_str(&format!(
            ", nor anything at, under or above the destination of the spanned COPY/ADD on line {}",
            copies.join(", ")
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

/// `, spanning ENV on line 4, COPY on line 6` for a group's spanned instructions.
fn spanning(p: &StagePlan, between: &[usize]) -> String {
    if between.is_empty() {
        return String::new();
    }
    let each: Vec<String> = between
        .iter()
        .map(|&i| {
            let kw = p.texts[i].split_whitespace().next().unwrap_or("");
            format!(
                "{} on line {}",
                kw.to_ascii_uppercase(),
                p.spans[i].start_line
            )
        })
        .collect();
    format!(", spanning {}", each.join(", "))
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
                        "spans": g.between.iter().map(|&i| json!({"line": p.spans[i].start_line, "instruction": p.texts[i]})).collect::<Vec<_>>(),
                        "managers": g.managers,
                        "cleanup": g.cleanup_script,
                        "cleanupGuard": if g.cleanup_script.is_empty() { Value::Null } else { Value::String(guard_text(p, g)) },
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
