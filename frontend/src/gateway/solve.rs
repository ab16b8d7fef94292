//! Solving definitions through the bridge (`Solve`), for a ref to read or return.

use bollard_buildkit_proto::moby::buildkit::v1::frontend as fe;
use bollard_buildkit_proto::pb;

use super::Client;
use super::errors::FrontendError;

/// Solves a definition lazily, without the build cache (loading sources).
pub(super) async fn solve(
    client: &mut Client,
    def: pb::Definition,
) -> Result<String, FrontendError> {
    solve_with(client, def, false, &[]).await
}

/// Solves a definition; with `evaluate`, the build runs now and errors come back here.
/// `cache` is the build cache to import (only the build itself gets it, as with the
/// official frontend; loading the Dockerfile and contexts does not).
pub(super) async fn solve_with(
    client: &mut Client,
    def: pb::Definition,
    evaluate: bool,
    cache: &[fe::CacheOptionsEntry],
) -> Result<String, FrontendError> {
    let res = client
        .solve(fe::SolveRequest {
            definition: Some(def),
            allow_result_return: true,
            allow_result_array_ref: true,
            evaluate,
            cache_imports: cache.to_vec(),
            ..Default::default()
        })
        .await?
        .into_inner();
    let id = match res.result.and_then(|r| r.result) {
        Some(fe::result::Result::Ref(r)) => r.id,
        Some(fe::result::Result::RefDeprecated(id)) => id,
        _ => res.r#ref,
    };
    Ok(id)
}
