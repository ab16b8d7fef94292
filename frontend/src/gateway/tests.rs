//! Engine-free tests of the gateway: [`super::serve_on`] talks to an in-process mock
//! `LLBBridge` (a tonic server over a `tokio::io::duplex` pipe) that serves files from
//! memory, issues refs and records every request.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use bollard_buildkit_proto::google::rpc::Status;
use bollard_buildkit_proto::moby::buildkit::v1::apicaps::ApiCap;
use bollard_buildkit_proto::moby::buildkit::v1::frontend as fe;
use bollard_buildkit_proto::moby::buildkit::v1::types::WorkerRecord;
use bollard_buildkit_proto::pb;
use fe::llb_bridge_server::{LlbBridge, LlbBridgeServer};
use futures_util::StreamExt as _;
use hyper_util::rt::TokioIo;
use prost::Message;
use sha2::Digest;
use tonic::transport::{Channel, Endpoint, Server};
use tonic::{Request, Response};

use super::FrontendOptions;

type Reply<T> = Result<Response<T>, tonic::Status>;

/// What the frontend asked of the bridge.
#[derive(Default)]
struct Recorded {
    pings: usize,
    solves: Vec<fe::SolveRequest>,
    resolves: Vec<fe::ResolveImageConfigRequest>,
    reads: Vec<(String, String)>,
    warnings: Vec<fe::WarnRequest>,
    returned: Option<fe::ReturnRequest>,
    /// Ref id → the `local://` source it holds (`None` for a build).
    refs: HashMap<String, Option<String>>,
}

/// The mock bridge: files by (local source name, path), the `Ping` answer, and what
/// it was asked.
struct Bridge {
    files: HashMap<(String, String), Vec<u8>>,
    pong: fe::PongResponse,
    recorded: Mutex<Recorded>,
}

impl Bridge {
    fn record(&self) -> std::sync::MutexGuard<'_, Recorded> {
        self.recorded.lock().expect("mock state")
    }
}

/// The ops of a definition.
fn ops(def: &pb::Definition) -> Vec<pb::Op> {
    def.def
        .iter()
        .map(|b| pb::Op::decode(b.as_slice()).expect("op"))
        .collect()
}

/// The `local://` name of a definition made of one local source (and the terminal
/// op), else `None`.
fn local_name(def: &pb::Definition) -> Option<String> {
    let ops: Vec<pb::op::Op> = ops(def).into_iter().filter_map(|op| op.op).collect();
    match ops.as_slice() {
        [pb::op::Op::Source(s)] => s.identifier.strip_prefix("local://").map(str::to_string),
        _ => None,
    }
}

/// A minimal image config for `platform`.
fn image_config(platform: Option<&pb::Platform>) -> Vec<u8> {
    let (os, arch, variant) = platform.map_or(("linux", "amd64", ""), |p| {
        (&p.os, &p.architecture, &p.variant)
    });
    let mut config = serde_json::json!({
        "architecture": arch,
        "os": os,
        "config": {"Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:0000"]},
    });
    if !variant.is_empty() {
        config["variant"] = variant.into();
    }
    serde_json::to_vec(&config).expect("json")
}

#[tonic::async_trait]
impl LlbBridge for Bridge {
    async fn resolve_image_config(
        &self,
        request: Request<fe::ResolveImageConfigRequest>,
    ) -> Reply<fe::ResolveImageConfigResponse> {
        let req = request.into_inner();
        let config = image_config(req.platform.as_ref());
        self.record().resolves.push(req.clone());
        Ok(Response::new(fe::ResolveImageConfigResponse {
            digest: "sha256:1111111111111111111111111111111111111111111111111111111111111111"
                .into(),
            config,
            r#ref: req.r#ref,
        }))
    }

    async fn resolve_source_meta(
        &self,
        request: Request<fe::ResolveSourceMetaRequest>,
    ) -> Reply<fe::ResolveSourceMetaResponse> {
        let req = request.into_inner();
        Ok(Response::new(fe::ResolveSourceMetaResponse {
            image: Some(fe::ResolveSourceImageResponse {
                digest: "sha256:1111".into(),
                config: image_config(req.platform.as_ref()),
                ..Default::default()
            }),
            source: req.source,
            ..Default::default()
        }))
    }

    async fn solve(&self, request: Request<fe::SolveRequest>) -> Reply<fe::SolveResponse> {
        let req = request.into_inner();
        let local = req.definition.as_ref().and_then(local_name);
        let mut rec = self.record();
        let id = format!("ref-{}", rec.solves.len());
        rec.refs.insert(id.clone(), local);
        rec.solves.push(req);
        Ok(Response::new(fe::SolveResponse {
            r#ref: String::new(),
            result: Some(fe::Result {
                result: Some(fe::result::Result::Ref(fe::Ref { id, def: None })),
                ..Default::default()
            }),
        }))
    }

    async fn read_file(
        &self,
        request: Request<fe::ReadFileRequest>,
    ) -> Reply<fe::ReadFileResponse> {
        let req = request.into_inner();
        let mut rec = self.record();
        rec.reads.push((req.r#ref.clone(), req.file_path.clone()));
        let local = rec.refs.get(&req.r#ref).cloned().flatten();
        let data = local.and_then(|l| self.files.get(&(l, req.file_path.clone())));
        // As BuildKit's `cacheutil.ReadFile`: a range reads that section only.
        let section = |d: &Vec<u8>| match &req.range {
            Some(r) => {
                let start = (r.offset as usize).min(d.len());
                d[start..(start + r.length as usize).min(d.len())].to_vec()
            }
            None => d.clone(),
        };
        match data {
            Some(d) => Ok(Response::new(fe::ReadFileResponse { data: section(d) })),
            None => Err(tonic::Status::not_found(format!(
                "{}: no such file",
                req.file_path
            ))),
        }
    }

    async fn read_dir(&self, _: Request<fe::ReadDirRequest>) -> Reply<fe::ReadDirResponse> {
        Err(tonic::Status::unimplemented("read_dir"))
    }

    async fn stat_file(&self, _: Request<fe::StatFileRequest>) -> Reply<fe::StatFileResponse> {
        Err(tonic::Status::unimplemented("stat_file"))
    }

    async fn evaluate(&self, _: Request<fe::EvaluateRequest>) -> Reply<fe::EvaluateResponse> {
        Err(tonic::Status::unimplemented("evaluate"))
    }

    async fn ping(&self, _: Request<fe::PingRequest>) -> Reply<fe::PongResponse> {
        self.record().pings += 1;
        Ok(Response::new(self.pong.clone()))
    }

    async fn r#return(&self, request: Request<fe::ReturnRequest>) -> Reply<fe::ReturnResponse> {
        self.record().returned = Some(request.into_inner());
        Ok(Response::new(fe::ReturnResponse {}))
    }

    async fn inputs(&self, _: Request<fe::InputsRequest>) -> Reply<fe::InputsResponse> {
        Ok(Response::new(fe::InputsResponse::default()))
    }

    async fn new_container(
        &self,
        _: Request<fe::NewContainerRequest>,
    ) -> Reply<fe::NewContainerResponse> {
        Err(tonic::Status::unimplemented("new_container"))
    }

    async fn release_container(
        &self,
        _: Request<fe::ReleaseContainerRequest>,
    ) -> Reply<fe::ReleaseContainerResponse> {
        Err(tonic::Status::unimplemented("release_container"))
    }

    type ExecProcessStream = futures_util::stream::Empty<Result<fe::ExecMessage, tonic::Status>>;

    async fn exec_process(
        &self,
        _: Request<tonic::Streaming<fe::ExecMessage>>,
    ) -> Reply<Self::ExecProcessStream> {
        Err(tonic::Status::unimplemented("exec_process"))
    }

    async fn read_file_container(
        &self,
        _: Request<fe::ReadFileRequest>,
    ) -> Reply<fe::ReadFileResponse> {
        Err(tonic::Status::unimplemented("read_file_container"))
    }

    async fn read_dir_container(
        &self,
        _: Request<fe::ReadDirRequest>,
    ) -> Reply<fe::ReadDirResponse> {
        Err(tonic::Status::unimplemented("read_dir_container"))
    }

    async fn stat_file_container(
        &self,
        _: Request<fe::StatFileRequest>,
    ) -> Reply<fe::StatFileResponse> {
        Err(tonic::Status::unimplemented("stat_file_container"))
    }

    async fn warn(&self, request: Request<fe::WarnRequest>) -> Reply<fe::WarnResponse> {
        self.record().warnings.push(request.into_inner());
        Ok(Response::new(fe::WarnResponse {}))
    }
}

/// An engine on linux/amd64 with every cap the frontend looks at enabled.
fn default_pong() -> fe::PongResponse {
    pong(&[("mergeop", true)], "amd64", "")
}

fn pong(caps: &[(&str, bool)], arch: &str, variant: &str) -> fe::PongResponse {
    fe::PongResponse {
        llb_caps: caps
            .iter()
            .map(|(id, enabled)| ApiCap {
                id: id.to_string(),
                enabled: *enabled,
                ..Default::default()
            })
            .collect(),
        workers: vec![WorkerRecord {
            id: "w0".into(),
            platforms: vec![pb::Platform {
                os: "linux".into(),
                architecture: arch.into(),
                variant: variant.into(),
                ..Default::default()
            }],
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// One frontend run: the bridge serves `files` ((local, path, content)) and answers
/// `Ping` with `pong`; the frontend gets the options `opts`. Returns the bridge.
async fn run_frontend(
    files: &[(&str, &str, &str)],
    opts: &[(&str, &str)],
    pong: fe::PongResponse,
) -> Arc<Bridge> {
    let bridge = Arc::new(Bridge {
        files: files
            .iter()
            .map(|(l, p, c)| ((l.to_string(), p.to_string()), c.as_bytes().to_vec()))
            .collect(),
        pong,
        recorded: Mutex::default(),
    });
    let channel = connect(bridge.clone()).await;
    let raw: BTreeMap<String, String> = opts
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    super::serve_on(channel, move || {
        FrontendOptions::from_map(raw, "session-1".into())
    })
    .await
    .expect("serve_on");
    bridge
}

/// Serves `bridge` on one end of an in-memory pipe; returns a channel on the other.
async fn connect(bridge: Arc<Bridge>) -> Channel {
    let (client_io, server_io) = tokio::io::duplex(1 << 20);
    let incoming = futures_util::stream::once(async { Ok::<_, std::io::Error>(server_io) })
        .chain(futures_util::stream::pending());
    tokio::spawn(
        Server::builder()
            .add_service(LlbBridgeServer::from_arc(bridge))
            .serve_with_incoming(incoming),
    );
    let slot = Mutex::new(Some(client_io));
    Endpoint::from_static("http://[::]:50051")
        .connect_with_connector(tower::service_fn(move |_| {
            let io = slot.lock().ok().and_then(|mut s| s.take());
            async move {
                io.map(TokioIo::new)
                    .ok_or_else(|| std::io::Error::other("the pipe is already used"))
            }
        }))
        .await
        .expect("connect")
}

fn dockerfile(text: &str) -> (&'static str, &'static str, &str) {
    ("dockerfile", "Dockerfile", text)
}

/// The solves of builds (not of local sources), in order.
fn build_solves(b: &Bridge) -> Vec<fe::SolveRequest> {
    b.record()
        .solves
        .iter()
        .filter(|s| s.definition.as_ref().and_then(local_name).is_none())
        .cloned()
        .collect()
}

/// The `local://` sources solved on their own, in order.
fn local_solves(b: &Bridge) -> Vec<String> {
    b.record()
        .solves
        .iter()
        .filter_map(|s| s.definition.as_ref().and_then(local_name))
        .collect()
}

/// The result `Return` got; panics on an error.
fn returned_result(b: &Bridge) -> fe::Result {
    let ret = b.record().returned.clone().expect("Return was called");
    if let Some(e) = &ret.error {
        panic!("the frontend returned an error: {}", e.message);
    }
    ret.result.expect("a result")
}

/// The error `Return` got; panics on a result.
fn returned_error(b: &Bridge) -> Status {
    let ret = b.record().returned.clone().expect("Return was called");
    ret.error.expect("an error")
}

/// The exec ops of a definition with their metadata, by digest.
fn execs(def: &pb::Definition) -> Vec<(pb::ExecOp, pb::OpMetadata)> {
    def.def
        .iter()
        .filter_map(|b| {
            let op = pb::Op::decode(b.as_slice()).expect("op");
            let Some(pb::op::Op::Exec(e)) = op.op else {
                return None;
            };
            let digest = format!("sha256:{}", hex::encode(sha2::Sha256::digest(b)));
            Some((e, def.metadata.get(&digest).cloned().unwrap_or_default()))
        })
        .collect()
}

fn args(e: &pb::ExecOp) -> String {
    e.meta
        .as_ref()
        .map(|m| m.args.join(" "))
        .unwrap_or_default()
}

fn json(v: &[u8]) -> serde_json::Value {
    serde_json::from_slice(v).expect("json")
}

#[tokio::test]
async fn ping_caps_and_worker_platform_shape_the_build() {
    let df = "FROM busybox\nCOPY --link a /a\n";
    let files = [dockerfile(df)];
    let with = run_frontend(&files, &[], pong(&[("mergeop", true)], "arm64", "v8")).await;
    let without = run_frontend(&files, &[], pong(&[("mergeop", false)], "arm64", "v8")).await;
    assert_eq!(with.record().pings, 1);
    let merges = |b: &Bridge| {
        let solves = build_solves(b);
        assert_eq!(solves.len(), 1, "one build solve");
        ops(solves[0].definition.as_ref().expect("definition"))
            .iter()
            .filter(|op| matches!(op.op, Some(pb::op::Op::Merge(_))))
            .count()
    };
    assert_eq!(
        merges(&with),
        1,
        "COPY --link is a MergeOp with the mergeop cap"
    );
    assert_eq!(
        merges(&without),
        0,
        "and a plain copy when the cap is disabled"
    );
    // No platform option: the worker's platform is the target.
    let resolved = with.record().resolves.clone();
    assert_eq!(resolved.len(), 1);
    let p = resolved[0].platform.clone().expect("platform");
    assert_eq!((p.os.as_str(), p.architecture.as_str()), ("linux", "arm64"));
    assert_eq!(p.variant, "v8");
    let result = returned_result(&with);
    let config = json(&result.metadata["containerimage.config"]);
    assert_eq!(config["architecture"], "arm64");
    assert_eq!(config["variant"], "v8");
}

#[tokio::test]
async fn frontend_options_reach_the_solve() {
    let df = "FROM busybox AS base\nARG GREETING\nRUN echo \"$GREETING\" > /greeting\n\n\
              FROM base AS final\nRUN echo final\n\nFROM base AS other\nRUN echo other\n";
    let cache = r#"[{"Type":"registry","Attrs":{"ref":"r.example/cache:main"}}]"#;
    let b = run_frontend(
        &[dockerfile(df)],
        &[
            ("target", "final"),
            ("build-arg:GREETING", "hello"),
            ("no-cache", ""),
            ("cache-imports", cache),
        ],
        default_pong(),
    )
    .await;
    let solves = build_solves(&b);
    assert_eq!(solves.len(), 1);
    let build = &solves[0];
    assert_eq!(build.cache_imports.len(), 1);
    assert_eq!(build.cache_imports[0].r#type, "registry");
    assert_eq!(build.cache_imports[0].attrs["ref"], "r.example/cache:main");
    // Loading the Dockerfile does not import the build cache.
    assert!(b.record().solves[0].cache_imports.is_empty());

    let execs = execs(build.definition.as_ref().expect("definition"));
    let all: Vec<String> = execs.iter().map(|(e, _)| args(e)).collect();
    assert!(all.iter().any(|a| a.contains("echo final")), "{all:?}");
    assert!(!all.iter().any(|a| a.contains("echo other")), "{all:?}");
    let (greet, _) = execs
        .iter()
        .find(|(e, _)| args(e).contains("/greeting"))
        .expect("the RUN of base");
    let env = &greet.meta.as_ref().expect("meta").env;
    assert!(env.contains(&"GREETING=hello".to_string()), "{env:?}");
    assert!(
        execs.iter().all(|(_, md)| md.ignore_cache),
        "no-cache= marks every RUN"
    );
}

/// The build context source in a definition.
fn context_source(def: &pb::Definition) -> pb::SourceOp {
    ops(def)
        .into_iter()
        .find_map(|op| match op.op {
            Some(pb::op::Op::Source(s)) if s.identifier == "local://context" => Some(s),
            _ => None,
        })
        .expect("a local://context source")
}

#[tokio::test]
async fn dockerignore_patterns_reach_the_context_source() {
    let df = "FROM busybox\nCOPY . /src\n";
    let b = run_frontend(
        &[
            dockerfile(df),
            (
                "context",
                ".dockerignore",
                "# logs\n*.log\n\nnode_modules/\n",
            ),
        ],
        &[],
        default_pong(),
    )
    .await;
    assert_eq!(local_solves(&b), ["dockerfile", "context"]);
    let build = build_solves(&b).remove(0);
    let src = context_source(build.definition.as_ref().expect("definition"));
    assert_eq!(
        src.attrs["local.excludepatterns"],
        r#"["*.log","node_modules"]"#
    );
    assert_eq!(src.attrs["local.session"], "session-1");
}

#[tokio::test]
async fn dockerfile_dockerignore_wins_over_the_contexts() {
    let df = "FROM busybox\nCOPY . /src\n";
    let b = run_frontend(
        &[
            dockerfile(df),
            ("dockerfile", "Dockerfile.dockerignore", "secret.txt\n"),
            ("context", ".dockerignore", "*.log\n"),
        ],
        &[],
        default_pong(),
    )
    .await;
    // The context's own .dockerignore is not even loaded.
    assert_eq!(local_solves(&b), ["dockerfile"]);
    let build = build_solves(&b).remove(0);
    let src = context_source(build.definition.as_ref().expect("definition"));
    assert_eq!(src.attrs["local.excludepatterns"], r#"["secret.txt"]"#);
}

#[tokio::test]
async fn outline_subrequest_answers_without_building() {
    let df = "FROM busybox AS build\n# VERSION the version to build\nARG VERSION=1.0\n\
              RUN --mount=type=secret,id=token true\n";
    let b = run_frontend(
        &[dockerfile(df)],
        &[("requestid", "frontend.outline")],
        default_pong(),
    )
    .await;
    let result = returned_result(&b);
    assert!(result.result.is_none(), "no refs");
    assert_eq!(result.metadata["version"], b"1.0.0");
    let outline = json(&result.metadata["result.json"]);
    assert_eq!(outline["name"], "build");
    assert_eq!(outline["args"][0]["name"], "VERSION");
    assert_eq!(outline["args"][0]["value"], "1.0");
    assert_eq!(outline["args"][0]["description"], "the version to build");
    assert_eq!(outline["secrets"][0]["name"], "token");
    let txt = String::from_utf8_lossy(&result.metadata["result.txt"]).into_owned();
    assert!(
        txt.contains("BUILD ARG VERSION  the version to build"),
        "{txt}"
    );
    assert!(build_solves(&b).is_empty(), "nothing built");
    assert!(b.record().resolves.is_empty(), "no image resolved");
}

#[tokio::test]
async fn check_subrequest_returns_lint_results() {
    let df = "FROM busybox as base\nRUN true\n";
    let b = run_frontend(
        &[dockerfile(df)],
        &[("requestid", "frontend.lint")],
        default_pong(),
    )
    .await;
    let result = returned_result(&b);
    assert!(result.result.is_none(), "no refs");
    assert_eq!(result.metadata["result.statuscode"], b"1");
    let lint = json(&result.metadata["result.json"]);
    let rules: Vec<&str> = lint["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(|w| w["ruleName"].as_str())
        .collect();
    assert_eq!(rules, ["FromAsCasing"]);
    assert_eq!(
        lint["warnings"][0]["location"]["ranges"][0]["start"]["line"],
        1
    );
    assert!(build_solves(&b).is_empty(), "nothing built");
    // Lint resolves the real base images.
    let refs: Vec<String> = b
        .record()
        .resolves
        .iter()
        .map(|r| r.r#ref.clone())
        .collect();
    assert_eq!(refs, ["docker.io/library/busybox:latest"]);
}

#[tokio::test]
async fn unknown_subrequest_is_unimplemented() {
    let b = run_frontend(
        &[dockerfile("FROM busybox\n")],
        &[("requestid", "frontend.nope")],
        default_pong(),
    )
    .await;
    let st = returned_error(&b);
    assert_eq!(st.code, 12);
    assert_eq!(st.message, "unsupported request frontend.nope");
    assert_eq!(st.details.len(), 1);
    assert!(st.details[0].type_url.ends_with("errdefs.Subrequest+json"));
    assert_eq!(json(&st.details[0].value)["name"], "frontend.nope");
}

#[tokio::test]
async fn dockerfile_error_returns_its_location() {
    let df = "FROM busybox\nRUN true\nFOO bar\n";
    let b = run_frontend(&[dockerfile(df)], &[], default_pong()).await;
    let st = returned_error(&b);
    assert_eq!(st.code, 2);
    assert!(st.message.contains("unknown instruction"), "{}", st.message);
    assert_eq!(st.details.len(), 1);
    assert_eq!(
        st.details[0].type_url,
        "github.com/moby/buildkit/errdefs.Source+json"
    );
    let src = json(&st.details[0].value);
    assert_eq!(src["info"]["filename"], "Dockerfile");
    assert_eq!(src["info"]["language"], "Dockerfile");
    let data = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        src["info"]["data"].as_str().expect("data"),
    )
    .expect("base64");
    assert_eq!(data, df.as_bytes());
    assert_eq!(src["ranges"][0]["start"]["line"], 3);
    assert_eq!(src["ranges"][0]["end"]["line"], 3);
    assert!(build_solves(&b).is_empty(), "nothing built");
}

#[tokio::test]
async fn a_dockerfile_over_the_limit_is_refused_without_reading_it_all() {
    let mut df = String::from("FROM scratch\n");
    while df.len() <= crate::limits::MAX_DOCKERFILE_BYTES {
        df.push_str("# a comment line that fills the file up\n");
    }
    let b = run_frontend(&[dockerfile(&df)], &[], default_pong()).await;
    let st = returned_error(&b);
    assert!(st.message.contains("larger than 8 MiB"), "{}", st.message);
    assert!(build_solves(&b).is_empty(), "nothing built");
}

#[tokio::test]
async fn multi_platform_returns_a_ref_per_platform() {
    let df = "FROM busybox\nRUN true\n";
    let b = run_frontend(
        &[dockerfile(df)],
        &[("platform", "linux/amd64,linux/arm64")],
        default_pong(),
    )
    .await;
    let solves = build_solves(&b);
    assert_eq!(solves.len(), 2);
    let result = returned_result(&b);
    let Some(fe::result::Result::Refs(map)) = &result.result else {
        panic!("expected a ref map, got {:?}", result.result);
    };
    let mut keys: Vec<&String> = map.refs.keys().collect();
    keys.sort();
    assert_eq!(keys, ["linux/amd64", "linux/arm64"]);
    let build_refs: Vec<String> = {
        let rec = b.record();
        rec.refs
            .iter()
            .filter(|(_, local)| local.is_none())
            .map(|(id, _)| id.clone())
            .collect()
    };
    let (amd, arm) = (&map.refs["linux/amd64"].id, &map.refs["linux/arm64"].id);
    assert_ne!(amd, arm);
    assert!(build_refs.contains(amd) && build_refs.contains(arm));

    let platforms = json(&result.metadata["refs.platforms"]);
    assert_eq!(
        platforms,
        serde_json::json!({"Platforms": [
            {"ID": "linux/amd64", "Platform": {"architecture": "amd64", "os": "linux"}},
            {"ID": "linux/arm64", "Platform": {"architecture": "arm64", "os": "linux"}},
        ]})
    );
    let arm_config = json(&result.metadata["containerimage.config/linux/arm64"]);
    assert_eq!(arm_config["architecture"], "arm64");
    assert!(!result.metadata.contains_key("containerimage.config"));
    let mut archs: Vec<String> = b
        .record()
        .resolves
        .iter()
        .map(|r| r.platform.clone().expect("platform").architecture)
        .collect();
    archs.sort();
    assert_eq!(archs, ["amd64", "arm64"]);
}

#[tokio::test]
async fn fusion_summary_is_not_a_warning_by_default() {
    let df = "FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n";
    let b = run_frontend(&[dockerfile(df)], &[], default_pong()).await;
    returned_result(&b);
    let shorts: Vec<String> = b
        .record()
        .warnings
        .iter()
        .map(|w| String::from_utf8_lossy(&w.short).into_owned())
        .collect();
    assert!(shorts.is_empty(), "{shorts:?}");
    let b = run_frontend(
        &[dockerfile(df)],
        &[("build-arg:SLIMFILE_SUMMARY", "bogus")],
        default_pong(),
    )
    .await;
    let e = returned_error(&b);
    assert!(
        e.message.contains("invalid summary value \"bogus\""),
        "{}",
        e.message
    );
}

#[tokio::test]
async fn fused_runs_are_reported_once() {
    let df = "FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n";
    let b = run_frontend(
        &[dockerfile(df)],
        &[
            ("platform", "linux/amd64,linux/arm64"),
            ("build-arg:SLIMFILE_SUMMARY", "warn"),
        ],
        default_pong(),
    )
    .await;
    returned_result(&b);
    let rec = b.record();
    let fused: Vec<String> = rec
        .warnings
        .iter()
        .map(|w| String::from_utf8_lossy(&w.short).into_owned())
        .filter(|s| s.starts_with("slimfile: "))
        .collect();
    assert_eq!(
        fused.len(),
        1,
        "once per build, not per platform: {fused:?}"
    );
    assert!(
        fused[0].starts_with("slimfile: stage-0: fused 2 RUN into 1 layer (apt"),
        "{}",
        fused[0]
    );
    let w = rec
        .warnings
        .iter()
        .find(|w| w.short.starts_with(b"slimfile: "))
        .expect("warning");
    let lines: Vec<i32> = w
        .ranges
        .iter()
        .filter_map(|r| r.start.as_ref().map(|p| p.line))
        .collect();
    assert_eq!(lines, [2, 3]);
    assert_eq!(w.info.as_ref().expect("info").filename, "Dockerfile");
    // The warning points at the op that loaded the Dockerfile.
    let df_solve = rec.solves[0].definition.as_ref().expect("definition");
    assert!(df_solve.metadata.contains_key(&w.digest), "{}", w.digest);
}
