//! The build: one compile and solve per target platform, side by side, and the result
//! `Return` sends (one ref, or one per platform with `refs.platforms`).

use std::collections::HashMap;

use bollard_buildkit_proto::moby::buildkit::v1::frontend as fe;

use super::errors::FrontendError;
use super::resolve::resolve_images;
use super::solve::solve_with;
use super::sources::LoadedDockerfile;
use super::warn::warn;
use super::{Client, FrontendOptions};
use crate::llb::convert::Emitted;
use crate::model::instructions::Program;
use crate::model::options::{BuildOptions, Platform};
use crate::syntax::Dockerfile;

/// What every platform's build shares: the Dockerfile being built and the build cache
/// to import.
#[derive(Clone, Copy)]
struct Source<'a> {
    dockerfile: &'a LoadedDockerfile,
    cache_imports: &'a [fe::CacheOptionsEntry],
}

/// What one platform's build returns.
pub(super) struct PlatformResult {
    ref_id: String,
    config: Vec<u8>,
    /// `containerimage.base.config`: the exporter leaves this part of the history alone.
    base_config: Option<Vec<u8>>,
    platform: Platform,
}

/// Builds every target platform side by side (the engine shares common work); the
/// first one sends the build warnings.
pub(super) async fn build_all(
    client: &Client,
    opts: &FrontendOptions,
    program: &(Dockerfile, Program),
    dockerfile: &LoadedDockerfile,
) -> Result<Vec<PlatformResult>, FrontendError> {
    let source = Source {
        dockerfile,
        cache_imports: &opts.cache_imports,
    };
    let targets: Vec<Option<Platform>> = if opts.platforms.is_empty() {
        vec![None]
    } else {
        opts.platforms.iter().cloned().map(Some).collect()
    };
    let builds = targets.iter().enumerate().map(|(i, target)| {
        let mut build = opts.build.clone();
        if target.is_some() {
            build.platform = target.clone();
        }
        build_platform(client.clone(), program, build, source, i == 0)
    });
    futures_util::future::try_join_all(builds).await
}

/// Resolves, compiles and solves the build for one target platform. `report` sends
/// the build warnings (once per build, not once per platform).
async fn build_platform(
    mut client: Client,
    program: &(Dockerfile, Program),
    build: BuildOptions,
    src: Source<'_>,
    report: bool,
) -> Result<PlatformResult, FrontendError> {
    let df = src.dockerfile;
    let images = resolve_images(&mut client, &program.1, program.0.escape, &build)
        .await
        .map_err(|e| e.into_frontend_error(&df.filename, &df.data))?;
    let emit = |build: &BuildOptions| {
        crate::llb::convert::emit(
            &program.1,
            build,
            &images,
            program.0.escape,
            Some((&df.filename, &df.data)),
        )
        .map_err(|d| df.located(d))
    };
    let emitted = emit(&build)?;
    check(
        &mut client,
        program,
        &emitted,
        df,
        report && build.fusion_summary,
        report,
    )
    .await?;

    let platform = emitted.platform.clone();
    let config =
        serde_json::to_vec(&emitted.image).map_err(|e| FrontendError::message(e.to_string()))?;
    let base_config = emitted
        .base_image
        .as_ref()
        .and_then(|b| serde_json::to_vec(b).ok());
    let replay = || {
        let mut unfused = build.clone();
        unfused.fuse = false;
        emit(&unfused)
    };
    let ref_id = solve_emitted(&mut client, emitted, replay, src.cache_imports).await?;
    Ok(PlatformResult {
        ref_id,
        config,
        base_config,
        platform,
    })
}

/// Lints the emitted build: sends the warnings when `report` (with the per-stage fusion
/// summaries when `summary`), and fails when the
/// Dockerfile asks lint violations to (`# check=error=true`).
async fn check(
    client: &mut Client,
    program: &(Dockerfile, Program),
    emitted: &Emitted,
    df: &LoadedDockerfile,
    summary: bool,
    report: bool,
) -> Result<(), FrontendError> {
    let findings = crate::lint::check(&program.0, &program.1, Some(emitted));
    if report {
        warn(
            client,
            &df.digest,
            emitted.fusion.iter().filter(|_| summary),
            &findings,
            &df.filename,
            &df.data,
        )
        .await;
    }
    if crate::lint::errors_fail_build(&program.0)
        && let Some(message) = crate::lint::violation_error(&findings)
    {
        return Err(FrontendError::message(message));
    }
    Ok(())
}

/// Solves the emitted build and returns its ref (none for an empty definition).
///
/// A build with fused ops is evaluated now, so that when a fused op fails slimfile can
/// replay the build unfused (`replay` emits it): the replay fails at the very RUN that
/// failed, with the official frontend's error and code frame for that line.
async fn solve_emitted(
    client: &mut Client,
    emitted: Emitted,
    replay: impl FnOnce() -> Result<Emitted, FrontendError>,
    cache: &[fe::CacheOptionsEntry],
) -> Result<String, FrontendError> {
    if emitted.definition.def.is_empty() {
        return Ok(String::new());
    }
    if emitted.fused_digests.is_empty() {
        return solve_with(client, emitted.definition, false, cache).await;
    }
    match solve_with(client, emitted.definition, true, cache).await {
        Ok(id) => Ok(id),
        Err(e)
            if e.failed_vertex()
                .is_some_and(|d| emitted.fused_digests.contains(&d)) =>
        {
            let replayed = replay()?;
            Err(
                match solve_with(client, replayed.definition, true, cache).await {
                    Err(replayed) => replayed,
                    Ok(_) => e,
                },
            )
        }
        Err(e) => Err(e),
    }
}

/// The result to return: one ref for a single-platform build, else a ref per platform;
/// the image configs and `refs.platforms` in the metadata either way.
pub(super) fn into_result(results: &[PlatformResult], multi_platform: bool) -> fe::Result {
    let mut metadata = HashMap::new();
    let mut platforms = Vec::new();
    let mut refs = HashMap::new();
    for r in results {
        let pid = r.platform.format();
        platforms.push(serde_json::json!({"ID": pid, "Platform": platform_json(&r.platform)}));
        metadata.insert(format!("containerimage.config/{pid}"), r.config.clone());
        if let Some(base) = &r.base_config {
            metadata.insert(format!("containerimage.base.config/{pid}"), base.clone());
        }
        refs.insert(
            pid,
            fe::Ref {
                id: r.ref_id.clone(),
                def: None,
            },
        );
    }
    metadata.insert(
        "refs.platforms".to_string(),
        serde_json::to_vec(&serde_json::json!({ "Platforms": platforms })).unwrap_or_default(),
    );
    let result = match results {
        [single] if !multi_platform => {
            metadata.insert("containerimage.config".to_string(), single.config.clone());
            if let Some(base) = &single.base_config {
                metadata.insert("containerimage.base.config".to_string(), base.clone());
            }
            fe::result::Result::Ref(fe::Ref {
                id: single.ref_id.clone(),
                def: None,
            })
        }
        _ => fe::result::Result::Refs(fe::RefMap { refs }),
    };
    fe::Result {
        metadata,
        attestations: Default::default(),
        result: Some(result),
    }
}

/// A platform as `refs.platforms` spells it (OCI's JSON).
fn platform_json(p: &Platform) -> serde_json::Value {
    let mut v = serde_json::json!({"architecture": p.arch, "os": p.os});
    if !p.variant.is_empty() {
        v["variant"] = serde_json::Value::String(p.variant.clone());
    }
    v
}
