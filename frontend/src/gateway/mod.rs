//! The BuildKit gateway frontend: gRPC to the `LLBBridge` over stdin/stdout.
//!
//! Only glue: read options, load the Dockerfile and `.dockerignore` from the client's
//! local sources, resolve base images, call the library's [`crate::llb::convert::emit`]
//! and return the result. Compile errors go back through `Return` with an
//! `errdefs.Source` detail so buildx prints `Dockerfile:<line>` and the snippet.
//!
//! One file per concern: `options` (frontend options), `sources` (the Dockerfile,
//! `.dockerignore` files and inputs, through the bridge), `resolve` (base images),
//! `build` (one build per platform and the result), `solve`, `warn` (build warnings),
//! `subrequests` (`--call`), `errors` (the `Status` sent back) and `stdio` (the
//! connection).

mod build;
mod errors;
mod options;
mod resolve;
mod solve;
pub(crate) mod sources;
mod stdio;
pub(crate) mod subrequests;
#[cfg(test)]
mod tests;
mod warn;

use bollard_buildkit_proto::moby::buildkit::v1::frontend as fe;
use fe::llb_bridge_client::LlbBridgeClient;
use tonic::transport::Channel;

use crate::diagnostics::Diagnostic;
use errors::FrontendError;

pub use options::FrontendOptions;

/// Message size the daemon allows each way.
const MAX_MESSAGE: usize = 16 << 20;

type Client = LlbBridgeClient<Channel>;

/// Runs the frontend over stdin/stdout until `Return`. Never panics on bad input: every
/// failure becomes a `Return` with an error.
pub async fn serve() -> anyhow::Result<()> {
    let channel = stdio::channel().await?;
    serve_on(channel, FrontendOptions::from_env).await
}

/// Runs the frontend over `channel` and sends `Return`; `options` reads the frontend
/// options (after `Ping`).
async fn serve_on(
    channel: Channel,
    options: impl FnOnce() -> Result<FrontendOptions, Diagnostic>,
) -> anyhow::Result<()> {
    let mut client = LlbBridgeClient::new(channel)
        .max_decoding_message_size(MAX_MESSAGE)
        .max_encoding_message_size(MAX_MESSAGE);
    let req = match run(&mut client, options).await {
        Ok(result) => fe::ReturnRequest {
            result: Some(result),
            error: None,
        },
        Err(e) => fe::ReturnRequest {
            result: None,
            error: Some(e.into_status()),
        },
    };
    client.r#return(req).await?;
    Ok(())
}

/// The frontend's work, step by step: handshake, options, the Dockerfile and its
/// `.dockerignore`, then either a subrequest's answer or the build.
async fn run(
    client: &mut Client,
    options: impl FnOnce() -> Result<FrontendOptions, Diagnostic>,
) -> Result<fe::Result, FrontendError> {
    let pong = client.ping(fe::PingRequest {}).await?.into_inner();
    let mut opts = options()?;
    opts.apply_pong(&pong);
    sources::reject_remote_context(&opts)?;
    let dockerfile = sources::load_dockerfile(client, &opts).await?;
    if let Some(excludes) = sources::load_excludes(client, &opts, &dockerfile).await? {
        opts.build.excludes = excludes;
    }
    if let Some(req) = opts.request_id.clone() {
        return subrequests::answer(client, &req, &opts, &dockerfile).await;
    }

    let program = crate::parse_program(&dockerfile.text).map_err(|d| dockerfile.located(d))?;
    sources::load_inputs(client, &mut opts).await?;
    sources::load_named_excludes(client, &mut opts, &program, &dockerfile).await?;
    let results = build::build_all(client, &opts, &program, &dockerfile).await?;
    Ok(build::into_result(&results, opts.build.multi_platform))
}
