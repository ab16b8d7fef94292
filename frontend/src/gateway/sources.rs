//! What the build reads from the client through the bridge: the Dockerfile, the
//! `.dockerignore` files (of the context and of `local:` named contexts) and the
//! frontend inputs that `input:NAME` named contexts refer to.

use std::collections::BTreeMap;

use bollard_buildkit_proto::moby::buildkit::v1::frontend as fe;
use bollard_buildkit_proto::pb;

use super::errors::FrontendError;
use super::solve::solve;
use super::{Client, FrontendOptions};
use crate::diagnostics::Diagnostic;
use crate::llb::graph::{Graph, OpNode, Output};
use crate::model::instructions::Program;
use crate::model::options::NamedInput;

/// The Dockerfile being built, as loaded from the client.
pub(super) struct LoadedDockerfile {
    /// Its name in the dockerfile source.
    pub filename: String,
    /// Its bytes.
    pub data: Vec<u8>,
    /// Its text (invalid UTF-8 replaced).
    pub text: String,
    /// The ref of the local source it was read from.
    pub ref_id: String,
    /// The digest of the op that loaded it (build warnings point at it).
    pub digest: String,
}

impl LoadedDockerfile {
    /// A diagnostic located in this Dockerfile.
    pub fn located(&self, d: Diagnostic) -> FrontendError {
        FrontendError::located(d, &self.filename, &self.data)
    }
}

/// `docker buildx build <git or http URL>`: the client sends no local files.
pub(super) fn reject_remote_context(opts: &FrontendOptions) -> Result<(), FrontendError> {
    match opts
        .raw
        .get("context")
        .filter(|v| v.contains("://") || v.starts_with("git@"))
    {
        Some(url) => Err(FrontendError::message(format!(
            "slimfile does not support remote build contexts yet (context {url}): build from a \
             local directory, or pass the repository as a named context \
             (--build-context NAME={url})"
        ))),
        None => Ok(()),
    }
}

/// Loads the Dockerfile from the client's dockerfile source.
pub(super) async fn load_dockerfile(
    client: &mut Client,
    opts: &FrontendOptions,
) -> Result<LoadedDockerfile, FrontendError> {
    let filename = opts.filename.clone();
    let (ref_id, digest) = load_local(
        client,
        opts,
        &opts.dockerfile_key,
        &[
            filename.as_str(),
            &format!("{filename}.dockerignore"),
            "dockerfile",
        ],
        &opts.dockerfile_key,
        &format!("[internal] load build definition from {filename}"),
    )
    .await?;
    // One byte past the limit is enough for `parse_program` to refuse a larger file,
    // and it still fits in one message.
    let range = fe::FileRange {
        offset: 0,
        length: crate::limits::MAX_DOCKERFILE_BYTES as i64 + 1,
    };
    let data = read_range(client, &ref_id, &filename, Some(range))
        .await
        .map_err(|s| {
            FrontendError::message(format!("failed to read dockerfile: {}", s.message()))
        })?;
    let text = String::from_utf8_lossy(&data).into_owned();
    Ok(LoadedDockerfile {
        filename,
        data,
        text,
        ref_id,
        digest,
    })
}

/// The build context's exclude patterns, if it has a `.dockerignore`:
/// `<Dockerfile>.dockerignore` wins over the context's `.dockerignore`.
pub(super) async fn load_excludes(
    client: &mut Client,
    opts: &FrontendOptions,
    dockerfile: &LoadedDockerfile,
) -> Result<Option<Vec<String>>, FrontendError> {
    let own = format!("{}.dockerignore", dockerfile.filename);
    let mut ignore = read_file(client, &dockerfile.ref_id, &own).await.ok();
    if ignore.is_none() {
        let (ctx_ref, _) = load_local(
            client,
            opts,
            &opts.context_key,
            &[".dockerignore"],
            &format!("{}-.dockerignore", opts.context_key),
            "[internal] load .dockerignore",
        )
        .await?;
        ignore = read_file(client, &ctx_ref, ".dockerignore").await.ok();
    }
    Ok(ignore.map(|ig| crate::model::dockerignore::parse(&String::from_utf8_lossy(&ig))))
}

/// Client directories given as named contexts bring their own `.dockerignore`: their
/// patterns go to `named_excludes`, by local name.
pub(super) async fn load_named_excludes(
    client: &mut Client,
    opts: &mut FrontendOptions,
    program: &(crate::syntax::Dockerfile, Program),
    dockerfile: &LoadedDockerfile,
) -> Result<(), FrontendError> {
    let locals = crate::llb::convert::named_locals(&program.1, &opts.build, program.0.escape)
        .map_err(|d| dockerfile.located(d))?;
    for (name, local) in locals {
        let (r, _) = load_local(
            client,
            opts,
            &local,
            &[".dockerignore"],
            &format!("context:{name}-.dockerignore"),
            &format!("[context {name}] load .dockerignore"),
        )
        .await?;
        if let Ok(ig) = read_file(client, &r, ".dockerignore").await {
            let patterns = crate::model::dockerignore::parse(&String::from_utf8_lossy(&ig));
            opts.build.named_excludes.insert(local, patterns);
        }
    }
    Ok(())
}

/// Fetches the frontend inputs that `input:NAME` named contexts refer to (bake passes
/// `target:` contexts this way), with their image configs from `input-metadata:NAME`.
pub(super) async fn load_inputs(
    client: &mut Client,
    opts: &mut FrontendOptions,
) -> Result<(), FrontendError> {
    let wanted = opts.wanted_inputs();
    if wanted.is_empty() {
        return Ok(());
    }
    let mut defs = client
        .inputs(fe::InputsRequest {})
        .await?
        .into_inner()
        .definitions;
    for name in wanted {
        let Some(definition) = defs.remove(&name) else {
            continue;
        };
        let config = input_config(&opts.raw, &name);
        opts.build
            .inputs
            .insert(name, NamedInput { definition, config });
    }
    Ok(())
}

/// The image config of input `name`, from `input-metadata:NAME` (JSON holding a
/// base64 `containerimage.config`).
pub(crate) fn input_config(raw: &BTreeMap<String, String>, name: &str) -> Option<Vec<u8>> {
    raw.get(&format!("input-metadata:{name}"))
        .and_then(|md| serde_json::from_str::<BTreeMap<String, String>>(md).ok())
        .and_then(|m| m.get("containerimage.config").cloned())
        .and_then(|b64| {
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64).ok()
        })
}

/// Solves a `local://<name>` source and returns its ref and the digest of its op.
async fn load_local(
    client: &mut Client,
    opts: &FrontendOptions,
    name: &str,
    follow: &[&str],
    hint: &str,
    custom_name: &str,
) -> Result<(String, String), FrontendError> {
    let mut attrs = BTreeMap::new();
    attrs.insert("local.session".to_string(), opts.session_id.clone());
    attrs.insert(
        "local.followpaths".to_string(),
        serde_json::to_string(follow).unwrap_or_default(),
    );
    attrs.insert("local.sharedkeyhint".to_string(), hint.to_string());
    attrs.insert("local.differ".to_string(), "none".to_string());
    let mut g = Graph::default();
    let mut node = OpNode::new(
        pb::op::Op::Source(pb::SourceOp {
            identifier: format!("local://{name}"),
            attrs,
        }),
        Vec::new(),
    );
    node.name = Some(custom_name.to_string());
    node.caps.insert("source.local");
    let op = g.push(node);
    let def = g.marshal(Some(Output { op, index: 0 }), None);
    let digest = def.metadata.keys().next().cloned().unwrap_or_default();
    Ok((solve(client, def).await?, digest))
}

/// Reads one file of a solved ref.
async fn read_file(client: &mut Client, r: &str, path: &str) -> Result<Vec<u8>, tonic::Status> {
    read_range(client, r, path, None).await
}

/// Reads one file of a solved ref, or only `range` of it.
async fn read_range(
    client: &mut Client,
    r: &str,
    path: &str,
    range: Option<fe::FileRange>,
) -> Result<Vec<u8>, tonic::Status> {
    Ok(client
        .read_file(fe::ReadFileRequest {
            r#ref: r.to_string(),
            file_path: path.to_string(),
            range,
            ..Default::default()
        })
        .await?
        .into_inner()
        .data)
}
