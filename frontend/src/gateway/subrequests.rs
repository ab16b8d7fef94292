//! Frontend subrequests (`docker buildx build --call=outline|targets|check`):
//! `frontend.subrequests.describe`, `frontend.outline`, `frontend.targets`,
//! `frontend.lint`. Each returns a Result without refs whose metadata holds
//! `result.json`, `result.txt` and `version` (and `result.statuscode` for lint);
//! nothing is built. [`answer`] is the gateway's entry; the rest needs no engine.

use std::collections::{BTreeMap, HashMap};

use bollard_buildkit_proto::moby::buildkit::v1::frontend as fe;
use serde_json::{Value, json};

use super::errors::FrontendError;
use super::resolve::resolve_images;
use super::sources::LoadedDockerfile;
use super::{Client, FrontendOptions};

use crate::diagnostics::{Diagnostic, Span};
use crate::llb::convert::ResolvedImage;
use crate::model::instructions::{Kind, Program, Stage};
use crate::model::mounts::{MountKind, MountSpec, parse_mount_raw};
use crate::model::options::BuildOptions;

/// The requests slimfile answers.
pub const SUPPORTED: &[(&str, &str)] = &[
    (
        "frontend.outline",
        "List all parameters current build target supports",
    ),
    (
        "frontend.targets",
        "List all targets current build supports",
    ),
    ("frontend.lint", "Lint a Dockerfile"),
    (
        "frontend.subrequests.describe",
        "List available subrequest types",
    ),
];

/// Answers subrequest `req` about `dockerfile`: a result with metadata only, or an
/// `Unimplemented` error for a request slimfile does not know.
pub(super) async fn answer(
    client: &mut Client,
    req: &str,
    opts: &FrontendOptions,
    dockerfile: &LoadedDockerfile,
) -> Result<fe::Result, FrontendError> {
    // Lint with the real base images, so variables they define are not reported.
    let images = match (req, crate::parse_program(&dockerfile.text)) {
        ("frontend.lint", Ok((df, program))) => {
            resolve_images(client, &program, df.escape, &opts.build)
                .await
                .ok()
        }
        _ => None,
    };
    let text = &dockerfile.text;
    match handle(
        req,
        text,
        &dockerfile.filename,
        &opts.build,
        images.as_ref(),
    ) {
        Some(Ok(metadata)) => Ok(fe::Result {
            metadata,
            attestations: Default::default(),
            result: None,
        }),
        Some(Err(d)) => Err(dockerfile.located(d)),
        None => Err(FrontendError::unsupported_request(req)),
    }
}

fn location(span: Span) -> Value {
    json!({"sourceIndex": 0, "ranges": [{"start": {"line": span.start_line}, "end": {"line": span.end_line}}]})
}

fn source_info(filename: &str, data: &[u8]) -> Value {
    json!({
        "filename": filename,
        "data": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, data),
        "language": "Dockerfile",
    })
}

/// Doc comment of a name: the comment block above it starting with the name.
fn doc_comment(comments: &[String], name: &str) -> String {
    let text = comments.join(" ");
    match text.strip_prefix(name) {
        Some(rest) if !name.is_empty() => rest.trim().to_string(),
        _ => String::new(),
    }
}

fn meta(json_v: &Value, txt: String, version: &str) -> HashMap<String, Vec<u8>> {
    let mut m = HashMap::new();
    m.insert(
        "result.json".to_string(),
        serde_json::to_vec_pretty(json_v).unwrap_or_default(),
    );
    m.insert("result.txt".to_string(), txt.into_bytes());
    m.insert("version".to_string(), version.as_bytes().to_vec());
    m
}

/// Answers a subrequest; `None` when the request is unknown.
pub fn handle(
    request: &str,
    text: &str,
    filename: &str,
    opts: &BuildOptions,
    images: Option<&BTreeMap<String, ResolvedImage>>,
) -> Option<Result<HashMap<String, Vec<u8>>, Diagnostic>> {
    Some(match request {
        "frontend.subrequests.describe" => Ok(describe()),
        "frontend.targets" => crate::parse_program(text).map(|(_, p)| targets(&p, text, filename)),
        "frontend.outline" => {
            crate::parse_program(text).map(|(_, p)| outline(&p, text, filename, opts))
        }
        "frontend.lint" => Ok(lint(text, filename, opts, images)),
        _ => return None,
    })
}

fn describe() -> HashMap<String, Vec<u8>> {
    let list: Vec<Value> = SUPPORTED
        .iter()
        .map(|(name, desc)| {
            json!({"name": name, "version": "1.0.0", "type": "rpc", "description": desc, "opts": [],
                   "metadata": [{"name": "result.json"}, {"name": "result.txt"}]})
        })
        .collect();
    let mut txt = String::from("NAME                            VERSION DESCRIPTION\n");
    for (name, desc) in SUPPORTED {
        txt.push_str(&format!("{name:<31} 1.0.0   {desc}\n"));
    }
    meta(&Value::Array(list), txt, "1.0.0")
}

fn targets(program: &Program, text: &str, filename: &str) -> HashMap<String, Vec<u8>> {
    let n = program.stages.len();
    let mut list = Vec::new();
    let mut txt = String::from("TARGET  DESCRIPTION\n");
    for (i, s) in program.stages.iter().enumerate() {
        let name = s.name.clone().unwrap_or_default();
        let desc = doc_comment(&s.comments, &name);
        let mut t = json!({"name": name, "base": s.base, "location": location(s.span)});
        if i + 1 == n {
            t["default"] = json!(true);
        }
        if !desc.is_empty() {
            t["description"] = json!(desc);
        }
        if let Some(p) = &s.platform {
            t["platform"] = json!(p);
        }
        let shown = match (name.is_empty(), i + 1 == n) {
            (true, true) => "(default)".to_string(),
            (false, true) => format!("{name} (default)"),
            _ => name.clone(),
        };
        if !shown.is_empty() {
            txt.push_str(&format!("{shown}  {desc}\n"));
        }
        list.push(t);
    }
    let _ = filename;
    let v = json!({"targets": list, "sources": [base64::Engine::encode(&base64::engine::general_purpose::STANDARD, text.as_bytes())]});
    meta(&v, txt, "1.0.0")
}

fn outline(
    program: &Program,
    text: &str,
    filename: &str,
    opts: &BuildOptions,
) -> HashMap<String, Vec<u8>> {
    let _ = filename;
    let stage = outline_stage(program, opts);
    let mut txt = String::from("TYPE      NAME  DESCRIPTION\n");
    let args = outline_args(program, stage, &mut txt);
    let mounts = outline_mounts(stage, &mut txt);
    let mut v = json!({
        "description": doc_comment(&stage.comments, stage.name.as_deref().unwrap_or("")),
        "sources": [base64::Engine::encode(&base64::engine::general_purpose::STANDARD, text.as_bytes())],
    });
    if let Some(n) = &stage.name {
        v["name"] = json!(n);
    }
    for (key, list) in [
        ("args", args),
        ("secrets", mounts.secrets),
        ("ssh", mounts.ssh),
        ("cache", mounts.cache),
    ] {
        if !list.is_empty() {
            v[key] = json!(list);
        }
    }
    meta(&v, txt, "1.0.0")
}

/// The stage an outline describes: the target, else the last stage.
fn outline_stage<'a>(program: &'a Program, opts: &BuildOptions) -> &'a Stage {
    let target = opts
        .target
        .as_ref()
        .and_then(|t| program.stage_named(t))
        .unwrap_or(program.stages.len().saturating_sub(1));
    &program.stages[target]
}

/// The build args of the global scope and of `stage`, each once; their lines go to
/// `txt`.
fn outline_args(program: &Program, stage: &Stage, txt: &mut String) -> Vec<Value> {
    let mut args = Vec::new();
    let mut seen = Vec::new();
    for instr in program.meta_args.iter().chain(stage.instructions.iter()) {
        let Kind::Arg(defs) = &instr.kind else {
            continue;
        };
        for d in defs {
            if seen.contains(&d.key) {
                continue;
            }
            seen.push(d.key.clone());
            let mut a = json!({"name": d.key, "location": location(instr.span)});
            if let Some(v) = &d.value {
                a["value"] = json!(v);
            }
            let desc = doc_comment(&instr.comments, &d.key);
            if !desc.is_empty() {
                a["description"] = json!(desc);
            }
            txt.push_str(&format!("BUILD ARG {}  {desc}\n", d.key));
            args.push(a);
        }
    }
    args
}

/// The secrets, SSH sockets and cache mounts a stage's RUNs use.
#[derive(Default)]
struct OutlineMounts {
    secrets: Vec<Value>,
    ssh: Vec<Value>,
    cache: Vec<Value>,
}

/// The mounts of `stage`'s RUNs; the secret and SSH lines go to `txt`.
fn outline_mounts(stage: &Stage, txt: &mut String) -> OutlineMounts {
    let mut out = OutlineMounts::default();
    for instr in &stage.instructions {
        let Kind::Run(r) = &instr.kind else { continue };
        for m in &r.mounts {
            let Ok(spec) = parse_mount_raw(&m.raw) else {
                continue;
            };
            outline_mount(&spec, location(instr.span), &mut out, txt);
        }
    }
    out
}

/// Adds one mount to the outline (only secret, ssh and cache mounts show).
fn outline_mount(spec: &MountSpec, at: Value, out: &mut OutlineMounts, txt: &mut String) {
    let id_or = |default: &str| {
        if spec.id.is_empty() {
            default.to_string()
        } else {
            spec.id.clone()
        }
    };
    match spec.kind {
        MountKind::Secret => {
            let id = id_or(spec.target.rsplit('/').next().unwrap_or(""));
            txt.push_str(&format!("SECRET    {id}\n"));
            out.secrets
                .push(json!({"name": id, "required": spec.required, "location": at}));
        }
        MountKind::Ssh => {
            let id = id_or("default");
            txt.push_str(&format!("SSH       {id}\n"));
            out.ssh
                .push(json!({"name": id, "required": spec.required, "location": at}));
        }
        MountKind::Cache => {
            let id = id_or(&spec.target);
            out.cache.push(json!({"ID": id, "Location": at}));
        }
        MountKind::Bind | MountKind::Tmpfs => {}
    }
}

fn lint(
    text: &str,
    filename: &str,
    opts: &BuildOptions,
    images: Option<&BTreeMap<String, ResolvedImage>>,
) -> HashMap<String, Vec<u8>> {
    let mut warnings = Vec::new();
    let mut build_error = None;
    let mut txt = String::new();
    match crate::parse_program(text) {
        Ok((df, program)) => {
            let planned = match images {
                Some(images) => crate::compile(text, filename, opts, images),
                None => crate::plan(text, filename, opts),
            };
            let emitted = match planned {
                Ok(e) => Some(e),
                Err(d) => {
                    build_error = Some(d);
                    None
                }
            };
            for f in crate::lint::check(&df, &program, emitted.as_ref()) {
                txt.push_str(&format!(
                    "\nWARNING: {} - {}\n{}\n",
                    f.rule, f.url, f.detail
                ));
                txt.push_str(&format!("{filename}:{}\n", f.span.start_line));
                warnings.push(json!({
                    "ruleName": f.rule,
                    "description": f.description,
                    "url": f.url,
                    "detail": f.detail,
                    "location": location(f.span),
                }));
            }
        }
        Err(d) => build_error = Some(d),
    }
    let mut v = json!({"warnings": warnings, "sources": [source_info(filename, text.as_bytes())]});
    if let Some(d) = &build_error {
        let mut e = json!({"message": d.message});
        if let Some(s) = d.spans.first() {
            e["location"] = location(*s);
        }
        v["buildError"] = e;
        txt.push_str(&format!("\nERROR: {}\n", d.message));
    }
    let status = if warnings.is_empty() && build_error.is_none() {
        "0"
    } else {
        "1"
    };
    let mut m = meta(&v, txt, "1.0.0");
    m.insert("result.statuscode".to_string(), status.as_bytes().to_vec());
    m
}
