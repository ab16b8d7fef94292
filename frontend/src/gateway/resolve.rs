//! Image resolution: the external images a build needs, through `ResolveImageConfig`.

use std::collections::BTreeMap;

use bollard_buildkit_proto::moby::buildkit::v1::frontend as fe;

use super::Client;
use super::errors::FrontendError;
use crate::diagnostics::Diagnostic;
use crate::image::Image;
use crate::llb::convert::{ImageRequest, ResolvedImage, image_key, pb_platform};
use crate::model::instructions::Program;
use crate::model::options::BuildOptions;

/// Why the images could not be resolved.
pub(super) enum ResolveError {
    /// The Dockerfile does not say which images (a compile error).
    Compile(Diagnostic),
    /// The engine could not resolve an image: worded like the official frontend
    /// (`<name>: <engine error>`) and located at the instruction naming it (except
    /// for a RUN mount's `from=`, which the official frontend does not locate).
    Located(Diagnostic),
    /// Anything else, as is.
    Engine(FrontendError),
}

impl ResolveError {
    /// The error for the engine, located in the Dockerfile `filename` holding `data`.
    pub fn into_frontend_error(self, filename: &str, data: &[u8]) -> FrontendError {
        match self {
            ResolveError::Compile(d) | ResolveError::Located(d) => {
                FrontendError::located(d, filename, data)
            }
            ResolveError::Engine(e) => e,
        }
    }
}

/// Resolves every external image the build needs (`ResolveImageConfig`).
pub(super) async fn resolve_images(
    client: &mut Client,
    program: &Program,
    escape: char,
    build: &BuildOptions,
) -> Result<BTreeMap<String, ResolvedImage>, ResolveError> {
    let requests = crate::llb::convert::external_images(program, build, escape)
        .map_err(ResolveError::Compile)?;
    let mut images = BTreeMap::new();
    for req in requests {
        let res = client
            .resolve_image_config(config_request(&req, build))
            .await
            .map_err(|s| not_resolved(&req, &s))?
            .into_inner();
        let image: Image = serde_json::from_slice(&res.config).map_err(|e| {
            ResolveError::Engine(FrontendError::message(format!(
                "failed to parse image config of {}: {e}",
                req.reference
            )))
        })?;
        images.insert(
            image_key(&req.reference, &req.platform),
            ResolvedImage {
                reference: req.reference,
                digest: Some(res.digest).filter(|d| !d.is_empty()),
                image,
            },
        );
    }
    Ok(images)
}

/// The `ResolveImageConfig` request for one image.
fn config_request(req: &ImageRequest, build: &BuildOptions) -> fe::ResolveImageConfigRequest {
    fe::ResolveImageConfigRequest {
        r#ref: req.reference.clone(),
        platform: Some(pb_platform(&req.platform)),
        resolve_mode: build.resolve_mode.clone().unwrap_or_default(),
        // An OCI layout the client holds: resolver type OCI, in its store.
        resolver_type: i32::from(req.oci_store.is_some()),
        session_id: if req.oci_store.is_some() {
            build.session_id.clone()
        } else {
            String::new()
        },
        store_id: req.oci_store.clone().unwrap_or_default(),
        log_name: log_name(req, build),
        ..Default::default()
    }
}

/// The progress line of a resolution, as the official frontend words it.
fn log_name(req: &ImageRequest, build: &BuildOptions) -> String {
    if let Some(c) = &req.context {
        format!("[context {c}] load metadata for {}", req.reference)
    } else if build.multi_platform {
        format!(
            "[{} internal] load metadata for {}",
            req.platform.format(),
            req.reference
        )
    } else {
        format!("[internal] load metadata for {}", req.reference)
    }
}

/// The engine's refusal, worded and located like the official frontend's.
fn not_resolved(req: &ImageRequest, s: &tonic::Status) -> ResolveError {
    let d = Diagnostic::error(format!("{}: {}", req.name, s.message()));
    ResolveError::Located(match req.span {
        Some(span) => d.at(span),
        None => d,
    })
}
