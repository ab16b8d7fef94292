//! The BuildKit gateway frontend: gRPC to the `LLBBridge` over stdin/stdout.
//!
//! Only glue: read options, load the Dockerfile and `.dockerignore` from the client's
//! local sources, resolve base images, call the library's [`crate::compile`] and return
//! the result. Compile errors go back through `Return` with an `errdefs.Source` detail
//! so buildx prints `Dockerfile:<line>` and the snippet.

mod options;
mod stdio;
mod subrequests;

use std::collections::BTreeMap;

use bollard_buildkit_proto::google::protobuf::Any;
use bollard_buildkit_proto::google::rpc::Status;
use bollard_buildkit_proto::moby::buildkit::v1::frontend as fe;
use bollard_buildkit_proto::pb;
use fe::llb_bridge_client::LlbBridgeClient;
use prost::Message;
use tonic::transport::Channel;

use crate::diagnostics::Diagnostic;
use crate::image::Image;
use crate::llb::convert::{ResolvedImage, pb_platform};
use crate::llb::graph::{Graph, OpNode, Output};
use crate::model::options::Platform;

pub use options::FrontendOptions;

/// Message size the daemon allows each way.
const MAX_MESSAGE: usize = 16 << 20;

type Client = LlbBridgeClient<Channel>;

/// An error for the engine: a message and, when known, Dockerfile source ranges.
struct FrontendError {
    message: String,
    source: Option<(String, Vec<u8>, Vec<crate::diagnostics::Span>)>,
    /// An engine error to pass through unchanged.
    status: Option<Status>,
}

impl FrontendError {
    /// An error with only a message.
    fn message(message: impl Into<String>) -> Self {
        FrontendError {
            message: message.into(),
            source: None,
            status: None,
        }
    }

    /// The digest of the vertex that failed, from an engine error's details.
    fn failed_vertex(&self) -> Option<String> {
        let st = self.status.as_ref()?;
        st.details
            .iter()
            .filter(|d| d.type_url.ends_with("errdefs.Vertex+json"))
            .find_map(|d| {
                let v: serde_json::Value = serde_json::from_slice(&d.value).ok()?;
                v.get("digest")?.as_str().map(str::to_string)
            })
    }
}

impl From<tonic::Status> for FrontendError {
    fn from(s: tonic::Status) -> Self {
        let status = Status::decode(s.details()).ok().filter(|st| st.code != 0);
        FrontendError {
            message: s.message().to_string(),
            source: None,
            status,
        }
    }
}

impl From<Diagnostic> for FrontendError {
    fn from(d: Diagnostic) -> Self {
        FrontendError::message(match &d.help {
            Some(h) => format!("{} ({h})", d.message),
            None => d.message.clone(),
        })
    }
}

fn diag_with_source(d: Diagnostic, filename: &str, data: &[u8]) -> FrontendError {
    let spans = d.spans.clone();
    let mut e = FrontendError::from(d);
    if !spans.is_empty() {
        e.source = Some((filename.to_string(), data.to_vec(), spans));
    }
    e
}

/// Runs the frontend over stdin/stdout until `Return`. Never panics on bad input: every
/// failure becomes a `Return` with an error.
pub async fn serve() -> anyhow::Result<()> {
    let channel = stdio::channel().await?;
    let mut client = LlbBridgeClient::new(channel)
        .max_decoding_message_size(MAX_MESSAGE)
        .max_encoding_message_size(MAX_MESSAGE);
    let outcome = run(&mut client).await;
    let req = match outcome {
        Ok(result) => fe::ReturnRequest {
            result: Some(result),
            error: None,
        },
        Err(e) => fe::ReturnRequest {
            result: None,
            error: Some(to_status(e)),
        },
    };
    client.r#return(req).await?;
    Ok(())
}

fn to_status(e: FrontendError) -> Status {
    if let Some(st) = e.status {
        return st;
    }

    let mut details = Vec::new();
    if let Some((filename, data, spans)) = e.source {
        // One Source detail per location: the official frontend wraps an error once
        // per location, and buildx prints one code frame for each, the last first.
        let data = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &data);
        for s in &spans {
            let src = serde_json::json!({
                "info": {
                    "filename": filename,
                    "data": data,
                    "language": "Dockerfile",
                },
                "ranges": [{
                    "start": {"line": s.start_line},
                    "end": {"line": s.end_line},
                }],
            });
            details.push(Any {
                type_url: "github.com/moby/buildkit/errdefs.Source+json".into(),
                value: serde_json::to_vec(&src).unwrap_or_default(),
            });
        }
    }
    Status {
        code: 2,
        message: e.message,
        details,
    }
}

async fn solve(client: &mut Client, def: pb::Definition) -> Result<String, FrontendError> {
    solve_with(client, def, false, &[]).await
}

/// Solves a definition; with `evaluate`, the build runs now and errors come back here.
/// `cache` is the build cache to import (only the build itself gets it, as with the
/// official frontend; loading the Dockerfile and contexts does not).
async fn solve_with(
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

/// Solves a `local://<name>` source and returns its ref.
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

async fn read_file(client: &mut Client, r: &str, path: &str) -> Result<Vec<u8>, tonic::Status> {
    Ok(client
        .read_file(fe::ReadFileRequest {
            r#ref: r.to_string(),
            file_path: path.to_string(),
            ..Default::default()
        })
        .await?
        .into_inner()
        .data)
}

async fn run(client: &mut Client) -> Result<fe::Result, FrontendError> {
    let pong = client.ping(fe::PingRequest {}).await?.into_inner();
    let mut opts = FrontendOptions::from_env()?;
    opts.build.llb_caps = Some(
        pong.llb_caps
            .iter()
            .filter(|c| c.enabled)
            .map(|c| c.id.clone())
            .collect(),
    );
    if opts.build.build_platform.is_none()
        && let Some(p) = pong.workers.first().and_then(|w| w.platforms.first())
    {
        opts.build.build_platform = Some(Platform {
            os: p.os.clone(),
            arch: p.architecture.clone(),
            variant: p.variant.clone(),
        });
    }

    if let Some(url) = opts
        .raw
        .get("context")
        .filter(|v| v.contains("://") || v.starts_with("git@"))
    {
        // `docker buildx build <git or http URL>`: the client sends no local files.
        return Err(FrontendError::message(format!(
            "slimfile does not support remote build contexts yet (context {url}): build from a \
             local directory, or pass the repository as a named context \
             (--build-context NAME={url})"
        )));
    }
    let filename = opts.filename.clone();
    let (df_ref, df_digest) = load_local(
        client,
        &opts,
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
    let data = read_file(client, &df_ref, &filename).await.map_err(|s| {
        FrontendError::message(format!("failed to read dockerfile: {}", s.message()))
    })?;
    let text = String::from_utf8_lossy(&data).into_owned();

    // `<Dockerfile>.dockerignore` wins over the context's `.dockerignore`.
    let mut ignore = read_file(client, &df_ref, &format!("{filename}.dockerignore"))
        .await
        .ok();
    if ignore.is_none() {
        let (ctx_ref, _) = load_local(
            client,
            &opts,
            &opts.context_key,
            &[".dockerignore"],
            &format!("{}-.dockerignore", opts.context_key),
            "[internal] load .dockerignore",
        )
        .await?;
        ignore = read_file(client, &ctx_ref, ".dockerignore").await.ok();
    }
    if let Some(ig) = ignore {
        opts.build.excludes = crate::model::dockerignore::parse(&String::from_utf8_lossy(&ig));
    }

    if let Some(req) = opts.request_id.clone() {
        // Lint with the real base images, so variables they define are not reported.
        let images = match (req.as_str(), crate::parse_program(&text)) {
            ("frontend.lint", Ok((df, program))) => {
                resolve_images(client, &program, df.escape, &opts.build)
                    .await
                    .ok()
            }
            _ => None,
        };
        return match subrequests::handle(&req, &text, &filename, &opts.build, images.as_ref()) {
            Some(Ok(metadata)) => Ok(fe::Result {
                metadata,
                attestations: Default::default(),
                result: None,
            }),
            Some(Err(d)) => Err(diag_with_source(d, &filename, &data)),
            None => Err(FrontendError {
                message: format!("unsupported request {req}"),
                source: None,
                status: Some(Status {
                    code: 12,
                    message: format!("unsupported request {req}"),
                    details: vec![Any {
                        type_url: "github.com/moby/buildkit/errdefs.Subrequest+json".into(),
                        value: serde_json::to_vec(&serde_json::json!({"name": req}))
                            .unwrap_or_default(),
                    }],
                }),
            }),
        };
    }

    let program = crate::parse_program(&text).map_err(|d| diag_with_source(d, &filename, &data))?;
    load_inputs(client, &mut opts).await?;
    // Client directories given as named contexts bring their own `.dockerignore`.
    let locals = crate::llb::convert::named_locals(&program.1, &opts.build, program.0.escape)
        .map_err(|d| diag_with_source(d, &filename, &data))?;
    for (name, local) in locals {
        let (r, _) = load_local(
            client,
            &opts,
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
    let source = Source {
        filename: &filename,
        data: &data,
        digest: &df_digest,
        cache_imports: &opts.cache_imports,
    };
    // One build per target platform, side by side (the engine shares common work).
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
        build_platform(client.clone(), &program, build, source, i == 0)
    });
    let results = futures_util::future::try_join_all(builds).await?;

    let mut metadata = std::collections::HashMap::new();
    let mut platforms = Vec::new();
    let mut refs = std::collections::HashMap::new();
    for r in &results {
        let pid = r.platform.format();
        let mut p = serde_json::json!({"architecture": r.platform.arch, "os": r.platform.os});
        if !r.platform.variant.is_empty() {
            p["variant"] = serde_json::Value::String(r.platform.variant.clone());
        }
        platforms.push(serde_json::json!({"ID": pid, "Platform": p}));
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
    let result = match results.as_slice() {
        [single] if !opts.build.multi_platform => {
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
    Ok(fe::Result {
        metadata,
        attestations: Default::default(),
        result: Some(result),
    })
}

/// Fetches the frontend inputs that `input:NAME` named contexts refer to (bake passes
/// `target:` contexts this way), with their image configs from `input-metadata:NAME`.
async fn load_inputs(client: &mut Client, opts: &mut FrontendOptions) -> Result<(), FrontendError> {
    let wanted: Vec<String> = opts
        .build
        .named_contexts
        .values()
        .filter_map(|v| v.strip_prefix("input:").map(str::to_string))
        .collect();
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
        let config = opts
            .raw
            .get(&format!("input-metadata:{name}"))
            .and_then(|md| serde_json::from_str::<BTreeMap<String, String>>(md).ok())
            .and_then(|m| m.get("containerimage.config").cloned())
            .and_then(|b64| {
                base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64).ok()
            });
        opts.build.inputs.insert(
            name,
            crate::model::options::NamedInput { definition, config },
        );
    }
    Ok(())
}

/// What every platform's build shares: the Dockerfile being built (its name, bytes and
/// the digest of the op that loaded it) and the build cache to import.
#[derive(Clone, Copy)]
struct Source<'a> {
    filename: &'a str,
    data: &'a [u8],
    digest: &'a str,
    cache_imports: &'a [fe::CacheOptionsEntry],
}

/// What one platform's build returns.
struct PlatformResult {
    ref_id: String,
    config: Vec<u8>,
    /// `containerimage.base.config`: the exporter leaves this part of the history alone.
    base_config: Option<Vec<u8>>,
    platform: Platform,
}

/// Resolves, compiles and solves the build for one target platform. `report` sends
/// the build warnings (once per build, not once per platform).
async fn build_platform(
    mut client: Client,
    program: &(
        crate::syntax::Dockerfile,
        crate::model::instructions::Program,
    ),
    build: crate::model::options::BuildOptions,
    src: Source<'_>,
    report: bool,
) -> Result<PlatformResult, FrontendError> {
    let (filename, data) = (src.filename, src.data);
    let images = resolve_images(&mut client, &program.1, program.0.escape, &build)
        .await
        .map_err(|e| match e {
            ResolveError::Compile(d) | ResolveError::Located(d) => {
                diag_with_source(d, filename, data)
            }
            ResolveError::Engine(e) => e,
        })?;
    let emit = |build: &crate::model::options::BuildOptions| {
        crate::llb::convert::emit(
            &program.1,
            build,
            &images,
            program.0.escape,
            Some((filename, data)),
        )
    };
    let located = |d| diag_with_source(d, filename, data);
    let emitted = emit(&build).map_err(located)?;

    let findings = crate::lint::check(&program.0, &program.1, Some(&emitted));
    if report {
        warn(&mut client, src.digest, &emitted, &findings, filename, data).await;
    }
    if crate::lint::errors_fail_build(&program.0)
        && let Some(message) = crate::lint::violation_error(&findings)
    {
        return Err(FrontendError::message(message));
    }

    let platform = emitted.platform.clone();
    let config =
        serde_json::to_vec(&emitted.image).map_err(|e| FrontendError::message(e.to_string()))?;
    let base_config = emitted
        .base_image
        .as_ref()
        .and_then(|b| serde_json::to_vec(b).ok());
    let ref_id = if emitted.definition.def.is_empty() {
        String::new()
    } else if emitted.fused_digests.is_empty() {
        solve_with(&mut client, emitted.definition, false, src.cache_imports).await?
    } else {
        // Evaluate now, so that when a fused op fails slimfile can replay the build
        // unfused: the replay fails at the very RUN that failed, with the official
        // frontend's error and code frame for that line.
        match solve_with(&mut client, emitted.definition, true, src.cache_imports).await {
            Ok(id) => id,
            Err(e)
                if e.failed_vertex()
                    .is_some_and(|d| emitted.fused_digests.contains(&d)) =>
            {
                let mut unfused = build.clone();
                unfused.fuse = false;
                let replay = emit(&unfused).map_err(located)?;
                return Err(
                    match solve_with(&mut client, replay.definition, true, src.cache_imports).await
                    {
                        Err(replayed) => replayed,
                        Ok(_) => e,
                    },
                );
            }
            Err(e) => return Err(e),
        }
    };
    Ok(PlatformResult {
        ref_id,
        config,
        base_config,
        platform,
    })
}

enum ResolveError {
    Compile(Diagnostic),
    /// The engine could not resolve an image: worded like the official frontend
    /// (`<name>: <engine error>`) and located at the instruction naming it (except
    /// for a RUN mount's `from=`, which the official frontend does not locate).
    Located(Diagnostic),
    Engine(FrontendError),
}

/// Resolves every external image the build needs (`ResolveImageConfig`).
async fn resolve_images(
    client: &mut Client,
    program: &crate::model::instructions::Program,
    escape: char,
    build: &crate::model::options::BuildOptions,
) -> Result<BTreeMap<String, ResolvedImage>, ResolveError> {
    let requests = crate::llb::convert::external_images(program, build, escape)
        .map_err(ResolveError::Compile)?;
    let mut images = BTreeMap::new();
    for req in requests {
        let res = client
            .resolve_image_config(fe::ResolveImageConfigRequest {
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
                log_name: if let Some(c) = &req.context {
                    format!("[context {c}] load metadata for {}", req.reference)
                } else if build.multi_platform {
                    format!(
                        "[{} internal] load metadata for {}",
                        req.platform.format(),
                        req.reference
                    )
                } else {
                    format!("[internal] load metadata for {}", req.reference)
                },
                ..Default::default()
            })
            .await
            .map_err(|s| {
                let d = Diagnostic::error(format!("{}: {}", req.name, s.message()));
                ResolveError::Located(match req.span {
                    Some(span) => d.at(span),
                    None => d,
                })
            })?
            .into_inner();
        let image: Image = serde_json::from_slice(&res.config).map_err(|e| {
            ResolveError::Engine(FrontendError::message(format!(
                "failed to parse image config of {}: {e}",
                req.reference
            )))
        })?;
        images.insert(
            crate::llb::convert::image_key(&req.reference, &req.platform),
            ResolvedImage {
                reference: req.reference,
                digest: Some(res.digest).filter(|d| !d.is_empty()),
                image,
            },
        );
    }
    Ok(images)
}

/// Sends build warnings: lint findings, and one line per stage summarising fusion.
async fn warn(
    client: &mut Client,
    digest: &str,
    emitted: &crate::llb::convert::Emitted,
    findings: &[crate::lint::Finding],
    filename: &str,
    data: &[u8],
) {
    let plans = &emitted.fusion;
    let info = pb::SourceInfo {
        filename: filename.to_string(),
        data: data.to_vec(),
        definition: None,
        language: "Dockerfile".into(),
    };
    let mut reqs = Vec::new();
    for plan in plans {
        let fused: Vec<&crate::fusion::Group> = plan
            .steps
            .iter()
            .filter_map(|s| match s {
                crate::fusion::Step::Fused(g) => Some(g),
                crate::fusion::Step::Single(_) => None,
            })
            .collect();
        if fused.is_empty() {
            continue;
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
            .flat_map(|g| {
                g.members
                    .iter()
                    .flat_map(|&i| crate::llb::graph::span_ranges(&plan.spans[i]))
            })
            .collect();
        reqs.push((short, Vec::new(), String::new(), ranges));
    }
    for f in findings {
        reqs.push((
            format!("{}: {} (line {})", f.rule, f.detail, f.span.start_line),
            vec![f.description.as_bytes().to_vec()],
            f.url.clone(),
            crate::llb::graph::span_ranges(&f.span).collect(),
        ));
    }
    for (short, detail, url, ranges) in reqs {
        // Warnings are best effort: a failure to send one must not fail the build.
        let _ = client
            .warn(fe::WarnRequest {
                digest: digest.to_string(),
                level: 1,
                short: short.into_bytes(),
                detail,
                url,
                info: Some(info.clone()),
                ranges,
            })
            .await;
    }
}
