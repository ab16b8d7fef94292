//! Entry points for fuzzing what the engine hands the frontend: the frontend options
//! map, `.dockerignore` bytes, named-context metadata and base image configs.
//!
//! The cargo-fuzz targets in `fuzz/` (repository top) call these, and so does
//! `frontend/tests/fuzz_corpus.rs`, which replays the committed corpus on stable. Each
//! function takes raw bytes, decodes them as its documentation says, runs the real
//! parser, then what the gateway does with the result (compile, lint, subrequests) on a
//! few fixed Dockerfiles. Errors are fine; a panic, hang or runaway allocation is a bug.
//! Not part of the frontend's API.

use std::collections::BTreeMap;

use prost::Message;

use crate::gateway::FrontendOptions;
use crate::image::Image;
use crate::llb::convert::{ResolvedImage, emit, external_images, image_key, named_locals};
use crate::model::options::{BuildOptions, NamedInput};

/// The Dockerfiles every entry point compiles with what it decoded: between them they
/// read build args, platforms, the target, named contexts (`base`, `src`, `tools`),
/// labels, `.dockerignore`d sources, and the base image's env, user, workdir, shell and
/// ONBUILD triggers.
pub const DOCKERFILES: &[&str] = &[
    r#"# syntax=ours/slimfile
ARG BASE=debian:bookworm
ARG VERSION=1.0
FROM --platform=$BUILDPLATFORM ${BASE} AS build
ARG TARGETPLATFORM TARGETOS TARGETARCH VERSION
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/root/.cache echo "$TARGETOS/$TARGETARCH $VERSION"
COPY . .
RUN apt-get update
RUN apt-get install -y --no-install-recommends curl ca-certificates

FROM base AS runtime
ARG VERSION
LABEL org.opencontainers.image.version=$VERSION
COPY --from=build /src/app /usr/local/bin/app
COPY --from=src /etc/config /etc/app/
RUN --mount=from=tools,target=/t /t/check
ENV PATH=/opt/bin:$PATH
USER 1000:1000
HEALTHCHECK --interval=30s CMD ["app", "health"]
CMD app serve

FROM runtime AS debug
RUN apk add --no-cache strace
"#,
    r#"FROM base
ONBUILD RUN echo child
ENV HOME=/home/$USER LANG=${LANG:-C.UTF-8}
WORKDIR app
RUN pip install --no-cache-dir requests
COPY --chown=$USER:$USER --chmod=0644 requirements.txt ./
SHELL ["/bin/bash", "-c"]
RUN echo $PATH
EXPOSE 8080/tcp
VOLUME /data
STOPSIGNAL SIGTERM
ENTRYPOINT ["/entry"]
CMD run
"#,
    r#"# check=error=false
FROM src AS files
FROM tools
COPY --from=files --link /out/ /opt/
ADD --keep-git-dir=false https://example.com/a.tar.gz /tmp/
COPY *.txt docs/ /doc/
RUN --network=none --mount=type=bind,from=files,target=/f ls /f
"#,
];

/// At most this many target platforms are compiled per input (the gateway compiles
/// every one; more only cost time).
const MAX_PLATFORMS: usize = 3;

/// The frontend options: `data` is `key=value` entries, one per line (`BUILDKIT_FRONTEND_OPT_<i>`
/// without the variable name); a line that starts with a space or tab continues the
/// value above it after a newline; a line without `=` is skipped, as
/// [`FrontendOptions::from_env`] skips it. Reads them with [`FrontendOptions::from_map`],
/// then answers the `requestid` subrequest, or compiles every target platform.
pub fn options(data: &[u8]) {
    let raw = option_map(data);
    let Ok(opts) = FrontendOptions::from_map(raw, "fuzz-session".into()) else {
        return;
    };
    if let Some(req) = &opts.request_id {
        for text in DOCKERFILES {
            let _ =
                crate::gateway::subrequests::handle(req, text, &opts.filename, &opts.build, None);
        }
        return;
    }
    let mut targets: Vec<_> = opts.platforms.iter().cloned().map(Some).collect();
    if targets.is_empty() {
        targets.push(None);
    }
    for target in targets.into_iter().take(MAX_PLATFORMS) {
        let mut build = opts.build.clone();
        if target.is_some() {
            build.platform = target;
        }
        for text in DOCKERFILES {
            compile(text, &opts.filename, &build, None);
        }
    }
}

/// `.dockerignore` bytes (read lossily, as the gateway reads them): parses them, matches
/// the patterns against a few fixed paths and against each pattern read as a path, then
/// compiles with the patterns as the context's excludes and a `local:` context's.
pub fn dockerignore(data: &[u8]) {
    let patterns = crate::model::dockerignore::parse(&String::from_utf8_lossy(data));
    let fixed = [
        "go.mod",
        "docs/a/b.md",
        "node_modules/x/y.js",
        ".git/HEAD",
        "a.txt",
    ];
    let derived = patterns
        .iter()
        .take(16)
        .map(|p| p.trim_start_matches('!').to_string());
    for path in fixed.iter().map(|p| p.to_string()).chain(derived) {
        let _ = crate::model::dockerignore::excluded(&patterns, &path);
    }
    let mut build = BuildOptions::new();
    build.excludes = patterns.clone();
    build
        .named_contexts
        .insert("src".into(), "local:srcdir".into());
    build.named_excludes.insert("srcdir".into(), patterns);
    for text in DOCKERFILES {
        compile(text, "Dockerfile", &build, None);
    }
}

/// A named context and what comes with it: line 1 is its name (the option key after
/// `context:`, e.g. `base` or `base::linux/arm64`), line 2 its value
/// (`docker-image://...`, `input:NAME`, `local:NAME`, `oci-layout://...`, a git or http
/// URL), line 3 the `input-metadata:` JSON of the input it names, and the rest the
/// input's definition (protobuf `pb.Definition`), as the engine's `Inputs` returns it.
/// Loads the input and its image config as the gateway does, then compiles.
pub fn named_context(data: &[u8]) {
    let mut parts = data.splitn(4, |&b| b == b'\n');
    let mut line = || String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let (name, value, metadata) = (line(), line(), line());
    let definition = parts.next().unwrap_or_default();
    let input = value.strip_prefix("input:").unwrap_or(&name).to_string();
    let raw = BTreeMap::from([
        (format!("context:{name}"), value),
        (format!("input-metadata:{input}"), metadata),
    ]);
    let Ok(mut opts) = FrontendOptions::from_map(raw, "fuzz-session".into()) else {
        return;
    };
    // What `load_inputs` does: a definition the engine sends, with its config.
    let wanted = opts.wanted_inputs();
    for input in wanted {
        let Ok(definition) = bollard_buildkit_proto::pb::Definition::decode(definition) else {
            continue;
        };
        let config = crate::gateway::sources::input_config(&opts.raw, &input);
        opts.build
            .inputs
            .insert(input, NamedInput { definition, config });
    }
    for text in DOCKERFILES {
        // What `load_named_excludes` does: a `local:` context's `.dockerignore`.
        let mut build = opts.build.clone();
        if let Ok((df, program)) = crate::parse_program(text)
            && let Ok(locals) = named_locals(&program, &build, df.escape)
        {
            for (_, local) in locals {
                build
                    .named_excludes
                    .insert(local, vec!["*.log".into(), "!keep.log".into()]);
            }
        }
        compile(text, "Dockerfile", &build, None);
    }
}

/// A base image's config JSON, as `ResolveImageConfig` returns it: parses it as the
/// gateway does, then compiles with it as every external image.
pub fn image_config(data: &[u8]) {
    let Ok(image) = serde_json::from_slice::<Image>(data) else {
        return;
    };
    let _ = serde_json::to_vec(&image);
    for text in DOCKERFILES {
        compile(text, "Dockerfile", &BuildOptions::new(), Some(&image));
    }
}

/// The options map of [`options`]'s input.
fn option_map(data: &[u8]) -> BTreeMap<String, String> {
    let text = String::from_utf8_lossy(data);
    let mut entries: Vec<String> = Vec::new();
    for line in text.split('\n') {
        match entries.last_mut() {
            Some(last) if line.starts_with([' ', '\t']) => {
                last.push('\n');
                last.push_str(&line[1..]);
            }
            _ => entries.push(line.to_string()),
        }
    }
    entries
        .iter()
        .filter_map(|e| e.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// What a platform's build does without the engine: resolves every external image to
/// `base` (or to an empty image, as [`crate::plan`] does), emits, lints, serializes the
/// config, and emits again unfused when fused ops could fail; then lints as the
/// `frontend.lint` subrequest does.
fn compile(text: &str, filename: &str, opts: &BuildOptions, base: Option<&Image>) {
    let Ok((df, program)) = crate::parse_program(text) else {
        return;
    };
    let Ok(requests) = external_images(&program, opts, df.escape) else {
        return;
    };
    let mut images = BTreeMap::new();
    for req in requests {
        let p = &req.platform;
        let image = base
            .cloned()
            .unwrap_or_else(|| Image::empty(&p.os, &p.arch, &p.variant));
        images.insert(
            image_key(&req.reference, p),
            ResolvedImage {
                reference: req.reference,
                digest: Some(format!("sha256:{}", "0".repeat(64))),
                image,
            },
        );
    }
    let source = Some((filename, text.as_bytes()));
    if let Ok(emitted) = emit(&program, opts, &images, df.escape, source) {
        let findings = crate::lint::check(&df, &program, Some(&emitted));
        let _ = crate::lint::violation_error(&findings);
        let _ = serde_json::to_vec(&emitted.image);
        let _ = emitted.base_image.as_ref().map(serde_json::to_vec);
        if !emitted.fused_digests.is_empty() {
            let mut unfused = opts.clone();
            unfused.fuse = false;
            let _ = emit(&program, &unfused, &images, df.escape, source);
        }
    }
    let _ =
        crate::gateway::subrequests::handle("frontend.lint", text, filename, opts, Some(&images));
}

#[cfg(test)]
mod tests {
    #[test]
    fn option_lines_continue_with_a_leading_space() {
        let m = super::option_map(b"build-arg:A=1\n x\nlabel:b=c=d\nno equals\n\ttab\n");
        assert_eq!(m.get("build-arg:A").map(String::as_str), Some("1\nx"));
        assert_eq!(m.get("label:b").map(String::as_str), Some("c=d"));
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn the_dockerfiles_compile() {
        for text in super::DOCKERFILES {
            let opts = crate::model::options::BuildOptions::new();
            crate::plan(text, "Dockerfile", &opts).unwrap();
        }
    }
}
