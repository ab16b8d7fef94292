//! Build warnings (`Warn`): lint findings, and on request (`SLIMFILE_SUMMARY=warn`) one
//! line per stage summarising fusion. By default the summary stays out of the warnings:
//! it is information, which the progress names already carry.

use bollard_buildkit_proto::moby::buildkit::v1::frontend as fe;
use bollard_buildkit_proto::pb;

use super::Client;
use crate::fusion::{Group, StagePlan, Step};
use crate::lint::Finding;
use crate::llb::graph::span_ranges;

/// One warning to send.
struct Warning {
    /// The one-line message.
    short: String,
    /// Longer explanations, one per entry.
    detail: Vec<Vec<u8>>,
    /// A page that explains it.
    url: String,
    /// Where in the Dockerfile.
    ranges: Vec<pb::Range>,
}

/// Sends build warnings: one line per stage of `plans` summarising fusion (the caller
/// passes none unless `SLIMFILE_SUMMARY=warn`), then the lint findings.
/// `digest` is the op that loaded the Dockerfile `filename` holding `data`.
pub(super) async fn warn(
    client: &mut Client,
    digest: &str,
    plans: impl Iterator<Item = &StagePlan>,
    findings: &[Finding],
    filename: &str,
    data: &[u8],
) {
    let info = pb::SourceInfo {
        filename: filename.to_string(),
        data: data.to_vec(),
        definition: None,
        language: "Dockerfile".into(),
    };
    let warnings = plans
        .filter_map(fusion_summary)
        .chain(findings.iter().map(finding));
    for w in warnings {
        // Warnings are best effort: a failure to send one must not fail the build.
        let _ = client
            .warn(fe::WarnRequest {
                digest: digest.to_string(),
                level: 1,
                short: w.short.into_bytes(),
                detail: w.detail,
                url: w.url,
                info: Some(info.clone()),
                ranges: w.ranges,
            })
            .await;
    }
}

/// The fusion line of one stage, located at its fused RUNs; `None` when nothing fused.
fn fusion_summary(plan: &StagePlan) -> Option<Warning> {
    let fused: Vec<&Group> = plan
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Fused(g) => Some(g),
            Step::Single(_) => None,
        })
        .collect();
    if fused.is_empty() {
        return None;
    }
    let runs: usize = fused.iter().map(|g| g.members.len()).sum();
    let mut managers: Vec<&str> = fused
        .iter()
        .flat_map(|g| g.managers.iter().map(String::as_str))
        .collect();
    managers.sort_unstable();
    managers.dedup();
    let name = plan
        .name
        .clone()
        .unwrap_or_else(|| format!("stage-{}", plan.stage));
    let how = if fused.iter().all(|g| g.assembly.starts_with("sync")) {
        "each RUN its own cached step"
    } else {
        "script assembly: one exec op per group"
    };
    let short = format!(
        "slimfile: {name}: fused {runs} RUN into {} layer{} ({}; {how})",
        fused.len(),
        if fused.len() == 1 { "" } else { "s" },
        managers.join(", ")
    );
    let ranges = fused
        .iter()
        .flat_map(|g| g.members.iter().flat_map(|&i| span_ranges(&plan.spans[i])))
        .collect();
    Some(Warning {
        short,
        detail: Vec::new(),
        url: String::new(),
        ranges,
    })
}

/// The warning of one lint finding.
fn finding(f: &Finding) -> Warning {
    Warning {
        short: format!("{}: {} (line {})", f.rule, f.detail, f.span.start_line),
        detail: vec![f.description.as_bytes().to_vec()],
        url: f.url.clone(),
        ranges: span_ranges(&f.span).collect(),
    }
}
