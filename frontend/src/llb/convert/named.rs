//! Named build contexts (`docker buildx build --build-context NAME=VALUE`, frontend
//! options `context:NAME[::PLATFORM]`): they replace a stage, a `FROM` base, or a
//! `--from` source of the same name.
//!
//! Supported values: `docker-image://REF` (including `scratch`), `local:NAME` (a
//! directory the client sends, with its own `.dockerignore`), git repositories
//! (`https://host/repo.git#ref:dir`, `git@host:repo`, `git://...`) and other http(s)
//! URLs (one downloaded file), frontend inputs (`input:NAME`, how bake passes
//! `target:` contexts), and images in the client's OCI layouts
//! (`oci-layout://STORE@DIGEST`, what buildx sends for `oci-layout:///path`).

use std::collections::BTreeMap;

use bollard_buildkit_proto::pb;

use super::{Ctx, normalize_reference};
use crate::diagnostics::{Diagnostic, Span};
use crate::llb::graph::{OpNode, Output, State};
use crate::model::options::{BuildOptions, Platform};

/// What a named context stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamedContext {
    /// An image (normalized reference), to resolve like a base image.
    Image(String),
    /// The empty filesystem.
    Scratch,
    /// A directory sent by the client under this local name.
    Local(String),
    /// A git repository (the reference as given).
    Git(String),
    /// A file downloaded over http(s).
    Http(String),
    /// A frontend input of this name.
    Input(String),
    /// An image in an OCI layout the client holds (store id), resolved under a
    /// reference made of the context's name and the digest, like the official frontend.
    OciLayout {
        /// The client's store id.
        store: String,
        /// `docker.io/library/<name>@sha256:...`.
        reference: String,
    },
}

/// The familiar form of a name (`docker.io/library/debian:latest` → `debian`), as the
/// official frontend uses for `context:` keys.
pub(crate) fn familiar(name: &str) -> String {
    let n = name
        .strip_prefix("docker.io/library/")
        .or_else(|| name.strip_prefix("docker.io/"))
        .unwrap_or(name);
    n.strip_suffix(":latest").unwrap_or(n).to_string()
}

/// Looks up the named context for `name` (platform-specific key first).
pub fn lookup(
    opts: &BuildOptions,
    name: &str,
    platform: &Platform,
) -> Result<Option<NamedContext>, Diagnostic> {
    if opts.named_contexts.is_empty() {
        return Ok(None);
    }
    let name = familiar(name);
    let value = opts
        .named_contexts
        .get(&format!("{name}::{}", platform.format()))
        .or_else(|| opts.named_contexts.get(&name));
    let Some(v) = value else {
        return Ok(None);
    };
    match v.split_once(':') {
        Some(("docker-image", rest)) => {
            let r = rest.trim_start_matches("//");
            if r == "scratch" {
                Ok(Some(NamedContext::Scratch))
            } else {
                Ok(Some(NamedContext::Image(normalize_reference(r)?)))
            }
        }
        Some(("local", local)) => Ok(Some(NamedContext::Local(local.to_string()))),
        _ if v.starts_with("git@") || v.starts_with("git:") => {
            super::remote::parse_git(v)
                .map_err(|_| Diagnostic::error(format!("invalid git context {v}")))?;
            Ok(Some(NamedContext::Git(v.to_string())))
        }
        Some(("http" | "https", _)) => Ok(Some(if super::remote::is_git(v) {
            NamedContext::Git(v.to_string())
        } else {
            NamedContext::Http(v.to_string())
        })),
        Some(("input", input)) => {
            if !opts.inputs.contains_key(input) {
                return Err(Diagnostic::error(format!(
                    "invalid input {input} for {name}"
                )));
            }
            Ok(Some(NamedContext::Input(input.to_string())))
        }
        Some(("oci-layout", rest)) => {
            let spec = rest.trim_start_matches("//");
            let (store, digest) = spec.split_once('@').ok_or_else(|| {
                Diagnostic::error(format!("oci-layout reference {spec:?} has no digest"))
            })?;
            let store = store.split(':').next().unwrap_or(store);
            let base = normalize_reference(&name)?;
            let base = base.rsplit_once(':').map_or(base.as_str(), |(b, _)| b);
            Ok(Some(NamedContext::OciLayout {
                store: store.to_string(),
                reference: format!("{base}@{digest}"),
            }))
        }
        Some((kind, _)) => Err(Diagnostic::error(format!(
            "unsupported context source {kind} for {name}"
        ))),
        None => Err(Diagnostic::error(format!(
            "invalid context specifier {v} for {name}"
        ))),
    }
}

/// The state of a named context; for images also their config.
pub(crate) fn state(
    ctx: &mut Ctx<'_>,
    name: &str,
    nc: &NamedContext,
    platform: &Platform,
    span: Span,
) -> Result<(State, Option<crate::image::Image>), Diagnostic> {
    match nc {
        NamedContext::Scratch => Ok((None, None)),
        NamedContext::Image(reference) => {
            let resolved = ctx.resolved_image(reference, platform, span)?;
            let shown = format!("[context {}] {}", familiar(name), resolved.reference);
            let state = ctx.image_source(&resolved, platform, Some(shown), None, Some(span));
            let mut img = resolved.image.clone();
            img.created = None;
            Ok((state, Some(img)))
        }
        NamedContext::OciLayout { store, reference } => {
            let resolved = ctx.resolved_image(reference, platform, span)?;
            let mut attrs = BTreeMap::new();
            attrs.insert("oci.session".to_string(), ctx.opts.session_id.clone());
            attrs.insert("oci.store".to_string(), store.clone());
            let state = push_source(
                ctx,
                pb::SourceOp {
                    identifier: format!("oci-layout://{reference}"),
                    attrs,
                },
                format!("[context {}] OCI load from client", familiar(name)),
                "source.ocilayout",
                Some(platform),
            );
            let mut img = resolved.image.clone();
            img.created = None;
            Ok((state, Some(img)))
        }
        NamedContext::Input(input) => {
            let given = ctx.opts.inputs.get(input).ok_or_else(|| {
                Diagnostic::error(format!("invalid input {input} for {name}")).at(span)
            })?;
            let (foreign, index) = crate::llb::graph::Foreign::from_definition(&given.definition)
                .ok_or_else(|| {
                Diagnostic::error(format!("input {input} holds no result")).at(span)
            })?;
            let image = match &given.config {
                Some(c) => Some(
                    serde_json::from_slice::<crate::image::Image>(c).map_err(|e| {
                        Diagnostic::error(format!("failed to parse image config for {name}: {e}"))
                            .at(span)
                    })?,
                ),
                None => None,
            };
            let mut node = OpNode::new(pb::op::Op::Source(pb::SourceOp::default()), Vec::new());
            node.foreign = Some(std::sync::Arc::new(foreign));
            Ok((
                Some(Output {
                    op: ctx.graph.push(node),
                    index,
                }),
                image,
            ))
        }
        NamedContext::Git(url) => {
            let g = super::remote::parse_git(url).map_err(|d| d.at(span))?;
            let op = super::remote::git_source(&g, false, None);
            let name = format!("[internal] load git source {url}");
            Ok((push_source(ctx, op, name, "source.git", None), None))
        }
        NamedContext::Http(url) => {
            let op = pb::SourceOp {
                identifier: url.clone(),
                attrs: BTreeMap::new(),
            };
            let name = format!("[context {}] {url}", familiar(name));
            Ok((push_source(ctx, op, name, "source.http", None), None))
        }
        NamedContext::Local(local) => {
            let mut attrs = BTreeMap::new();
            attrs.insert("local.session".to_string(), ctx.opts.session_id.clone());
            attrs.insert(
                "local.sharedkeyhint".to_string(),
                format!("context:{}", familiar(name)),
            );
            if let Some(ex) = ctx.opts.named_excludes.get(local).filter(|e| !e.is_empty()) {
                attrs.insert(
                    "local.excludepatterns".to_string(),
                    serde_json::to_string(ex).unwrap_or_default(),
                );
            }
            let op = pb::SourceOp {
                identifier: format!("local://{local}"),
                attrs,
            };
            let name = format!("[context {}] load from client", familiar(name));
            Ok((push_source(ctx, op, name, "source.local", None), None))
        }
    }
}

/// Adds a source op with its progress name and cap; returns its output.
fn push_source(
    ctx: &mut Ctx<'_>,
    op: pb::SourceOp,
    name: String,
    cap: &'static str,
    platform: Option<&Platform>,
) -> State {
    let mut node = OpNode::new(pb::op::Op::Source(op), Vec::new());
    node.platform = platform.map(super::pb_platform);
    node.name = Some(name);
    node.caps.insert(cap);
    Some(ctx.push(node))
}
