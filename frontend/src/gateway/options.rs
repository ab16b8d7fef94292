//! Frontend options from `BUILDKIT_FRONTEND_OPT_<i>=<key>=<value>` variables.

use std::collections::BTreeMap;

use bollard_buildkit_proto::moby::buildkit::v1::frontend::{CacheOptionsEntry, PongResponse};

use crate::diagnostics::Diagnostic;
use crate::model::options::{BuildOptions, Platform};

/// Gateway-level options plus the build options they imply.
#[derive(Debug, Clone)]
pub struct FrontendOptions {
    /// Dockerfile name in the dockerfile source.
    pub filename: String,
    /// Local source holding the Dockerfile.
    pub dockerfile_key: String,
    /// Local source holding the build context.
    pub context_key: String,
    /// Session id.
    pub session_id: String,
    /// Target platforms (`--platform a,b`); empty means the build platform.
    pub platforms: Vec<Platform>,
    /// Subrequest id (`--call`), if any.
    pub request_id: Option<String>,
    /// Build cache to import (`--cache-from`), passed on with each platform's solve.
    pub cache_imports: Vec<CacheOptionsEntry>,
    /// Everything else.
    pub build: BuildOptions,
    /// All raw options.
    pub raw: BTreeMap<String, String>,
}

impl FrontendOptions {
    /// The engine inputs the named contexts ask for (`context:NAME=input:INPUT`).
    pub fn wanted_inputs(&self) -> Vec<String> {
        self.build
            .named_contexts
            .values()
            .filter_map(|v| v.strip_prefix("input:").map(str::to_string))
            .collect()
    }

    /// Reads options from the process environment.
    pub fn from_env() -> Result<Self, Diagnostic> {
        let mut raw = BTreeMap::new();
        for (k, v) in std::env::vars() {
            if k.starts_with("BUILDKIT_FRONTEND_OPT_")
                && let Some((key, value)) = v.split_once('=')
            {
                raw.insert(key.to_string(), value.to_string());
            }
        }
        let session = std::env::var("BUILDKIT_SESSION_ID").unwrap_or_default();
        Self::from_map(raw, session)
    }

    /// Builds options from a key/value map.
    pub fn from_map(raw: BTreeMap<String, String>, session_id: String) -> Result<Self, Diagnostic> {
        let mut build = BuildOptions::new();
        build.session_id = session_id.clone();
        prefixed_maps(&raw, &mut build);
        build.target = raw.get("target").filter(|t| !t.is_empty()).cloned();
        let platforms = target_platforms(&raw)?;
        build.platform = platforms.first().cloned();
        build.multi_platform = multi_platform(&raw, &build, platforms.len() > 1)?;
        if let Some(nc) = raw.get("no-cache") {
            build.no_cache = Some(
                nc.split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            );
        }
        sandbox_options(&raw, &mut build)?;
        build.network_mode = raw
            .get("force-network-mode")
            .filter(|m| m.as_str() != "sandbox")
            .cloned();
        build.resolve_mode = raw.get("image-resolve-mode").cloned();
        build.cache_mount_ns = build
            .build_args
            .get("BUILDKIT_CACHE_MOUNT_NS")
            .cloned()
            .unwrap_or_default();
        slimfile_settings(&raw, &mut build)?;
        // The image this frontend runs from also holds the `slimfile sync` tool.
        build.frontend_image = raw.get("source").filter(|s| !s.is_empty()).cloned();
        Ok(FrontendOptions {
            filename: raw
                .get("filename")
                .filter(|f| !f.is_empty())
                .cloned()
                .unwrap_or_else(|| "Dockerfile".into()),
            dockerfile_key: raw
                .get("dockerfilekey")
                .cloned()
                .unwrap_or_else(|| "dockerfile".into()),
            context_key: raw
                .get("contextkey")
                .cloned()
                .unwrap_or_else(|| "context".into()),
            session_id,
            platforms,
            request_id: raw.get("requestid").filter(|r| !r.is_empty()).cloned(),
            cache_imports: cache_imports(&raw)?,
            build,
            raw,
        })
    }

    /// Takes what the engine's `Ping` answer tells: its enabled LLB caps, and its first
    /// worker's platform as the build platform unless one was given.
    pub fn apply_pong(&mut self, pong: &PongResponse) {
        self.build.llb_caps = Some(
            pong.llb_caps
                .iter()
                .filter(|c| c.enabled)
                .map(|c| c.id.clone())
                .collect(),
        );
        if self.build.build_platform.is_none()
            && let Some(p) = pong.workers.first().and_then(|w| w.platforms.first())
        {
            self.build.build_platform = Some(Platform {
                os: p.os.clone(),
                arch: p.architecture.clone(),
                variant: p.variant.clone(),
            });
        }
    }
}

/// The `build-arg:`, `label:` and `context:` options.
fn prefixed_maps(raw: &BTreeMap<String, String>, build: &mut BuildOptions) {
    for (k, v) in raw {
        if let Some(arg) = k.strip_prefix("build-arg:") {
            build.build_args.insert(arg.to_string(), v.clone());
        } else if let Some(l) = k.strip_prefix("label:") {
            build.labels.insert(l.to_string(), v.clone());
        } else if let Some(c) = k.strip_prefix("context:") {
            build.named_contexts.insert(c.to_string(), v.clone());
        }
    }
}

/// The target platforms of `platform` (a comma-separated list), each once.
fn target_platforms(raw: &BTreeMap<String, String>) -> Result<Vec<Platform>, Diagnostic> {
    let mut platforms: Vec<Platform> = Vec::new();
    for p in raw
        .get("platform")
        .map(String::as_str)
        .unwrap_or_default()
        .split(',')
        .filter(|p| !p.trim().is_empty())
    {
        let p = Platform::parse(p)?;
        if !platforms.contains(&p) {
            platforms.push(p);
        }
    }
    Ok(platforms)
}

/// Whether to return one result per platform: `several` target platforms, unless
/// `BUILDKIT_MULTI_PLATFORM` or `multi-platform` says so (never against `several`).
fn multi_platform(
    raw: &BTreeMap<String, String>,
    build: &BuildOptions,
    several: bool,
) -> Result<bool, Diagnostic> {
    let Some(v) = build
        .build_args
        .get("BUILDKIT_MULTI_PLATFORM")
        .or_else(|| raw.get("multi-platform"))
        .filter(|v| !v.is_empty())
    else {
        return Ok(several);
    };
    let b = parse_bool(v).ok_or_else(|| {
        Diagnostic::error(format!("invalid boolean value for multi-platform: {v}"))
    })?;
    if !b && several {
        return Err(Diagnostic::error(
            "conflicting config: returning multiple target platforms is not allowed",
        ));
    }
    Ok(b)
}

/// The RUN sandbox's options: `add-hosts`, `hostname`, `shm-size` and `ulimit`.
fn sandbox_options(
    raw: &BTreeMap<String, String>,
    build: &mut BuildOptions,
) -> Result<(), Diagnostic> {
    if let Some(h) = raw.get("add-hosts") {
        for pair in h.split(',').filter(|s| !s.is_empty()) {
            let (host, ip) = pair
                .split_once(['=', ':'])
                .ok_or_else(|| Diagnostic::error(format!("invalid key-value pair {pair:?}")))?;
            build.extra_hosts.push((host.to_string(), ip.to_string()));
        }
    }
    build.hostname = raw
        .get("hostname")
        .or_else(|| build.build_args.get("BUILDKIT_SANDBOX_HOSTNAME"))
        .cloned();
    if let Some(s) = raw.get("shm-size").filter(|s| !s.is_empty()) {
        build.shm_size = Some(
            s.parse()
                .map_err(|_| Diagnostic::error(format!("invalid shm-size {s:?}")))?,
        );
    }
    if let Some(u) = raw.get("ulimit") {
        for item in u.split(',').filter(|s| !s.is_empty()) {
            build.ulimits.push(ulimit(item)?);
        }
    }
    Ok(())
}

/// One `ulimit` item: `name=soft[:hard]`.
fn ulimit(item: &str) -> Result<(String, i64, i64), Diagnostic> {
    let (name, limits) = item
        .split_once('=')
        .ok_or_else(|| Diagnostic::error(format!("invalid ulimit {item:?}")))?;
    let (soft, hard) = limits.split_once(':').unwrap_or((limits, limits));
    let p = |v: &str| {
        v.parse::<i64>()
            .map_err(|_| Diagnostic::error(format!("invalid ulimit {item:?}")))
    };
    Ok((name.to_string(), p(soft)?, p(hard)?))
}

/// slimfile's own settings: `fuse`, `cleanup`, `assembly`, `summary`, `span` and
/// `layers`, or the build args `SLIMFILE_FUSE`, `SLIMFILE_CLEANUP`, `SLIMFILE_ASSEMBLY`,
/// `SLIMFILE_SUMMARY`, `SLIMFILE_SPAN` and `SLIMFILE_LAYERS`.
fn slimfile_settings(
    raw: &BTreeMap<String, String>,
    build: &mut BuildOptions,
) -> Result<(), Diagnostic> {
    let setting =
        |key: &str, arg: &str| raw.get(key).or_else(|| build.build_args.get(arg)).cloned();
    let fuse = setting("fuse", "SLIMFILE_FUSE");
    let cleanup = setting("cleanup", "SLIMFILE_CLEANUP");
    let assembly = setting("assembly", "SLIMFILE_ASSEMBLY");
    let summary = setting("summary", "SLIMFILE_SUMMARY");
    let span = setting("span", "SLIMFILE_SPAN");
    let layers = setting("layers", "SLIMFILE_LAYERS");
    build.apply_slimfile_settings(fuse.as_deref(), cleanup.as_deref(), assembly.as_deref())?;
    build.apply_reach_settings(span.as_deref(), layers.as_deref())?;
    build.apply_summary_setting(summary.as_deref())
}

/// One `cache-imports` entry as the client sends it (Go's JSON of `CacheOptionsEntry`).
#[derive(serde::Deserialize)]
struct CacheEntryJson {
    #[serde(rename = "Type", alias = "type", default)]
    ty: String,
    #[serde(rename = "Attrs", alias = "attrs", default)]
    attrs: Option<std::collections::HashMap<String, String>>,
}

/// The cache to import, as the official frontend reads it: `cache-imports` (JSON list of
/// `{Type, Attrs}`), then each reference of the older `cache-from` as a registry import.
fn cache_imports(raw: &BTreeMap<String, String>) -> Result<Vec<CacheOptionsEntry>, Diagnostic> {
    let mut out = Vec::new();
    if let Some(json) = raw.get("cache-imports").filter(|v| !v.is_empty()) {
        let entries: Vec<Option<CacheEntryJson>> = serde_json::from_str(json).map_err(|e| {
            Diagnostic::error(format!("failed to unmarshal cache-imports ({json:?}): {e}"))
        })?;
        out.extend(entries.into_iter().flatten().map(|e| CacheOptionsEntry {
            r#type: e.ty,
            attrs: e.attrs.unwrap_or_default(),
        }));
    }
    if let Some(refs) = raw.get("cache-from").filter(|v| !v.is_empty()) {
        out.extend(refs.split(',').map(|r| CacheOptionsEntry {
            r#type: "registry".into(),
            attrs: [("ref".to_string(), r.to_string())].into(),
        }));
    }
    Ok(out)
}

/// Go's `strconv.ParseBool`.
fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(pairs: &[(&str, &str)]) -> Result<FrontendOptions, Diagnostic> {
        let raw = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        FrontendOptions::from_map(raw, String::new())
    }

    fn entries(o: &FrontendOptions) -> Vec<(String, Vec<(String, String)>)> {
        o.cache_imports
            .iter()
            .map(|e| {
                let mut attrs: Vec<_> = e.attrs.clone().into_iter().collect();
                attrs.sort();
                (e.r#type.clone(), attrs)
            })
            .collect()
    }

    #[test]
    fn cache_imports_come_from_both_options() {
        let o = opts(&[
            (
                "cache-imports",
                r#"[{"Type":"local","Attrs":{"src":"/c"}},{"Type":"gha"}]"#,
            ),
            ("cache-from", "r.example/a:c,r.example/b:c"),
        ])
        .unwrap();
        let kv = |k: &str, v: &str| (k.to_string(), v.to_string());
        assert_eq!(
            entries(&o),
            vec![
                ("local".into(), vec![kv("src", "/c")]),
                ("gha".into(), vec![]),
                ("registry".into(), vec![kv("ref", "r.example/a:c")]),
                ("registry".into(), vec![kv("ref", "r.example/b:c")]),
            ]
        );
    }

    #[test]
    fn no_cache_options_import_nothing() {
        assert!(opts(&[]).unwrap().cache_imports.is_empty());
        assert!(
            opts(&[("cache-imports", "")])
                .unwrap()
                .cache_imports
                .is_empty()
        );
    }

    #[test]
    fn malformed_cache_imports_are_an_error() {
        let e = opts(&[("cache-imports", "{not json")]).unwrap_err();
        assert!(
            e.message.contains("failed to unmarshal cache-imports"),
            "{}",
            e.message
        );
    }

    #[test]
    fn span_and_layers_come_from_options_or_build_args() {
        use crate::model::options::Layers;
        let d = opts(&[]).unwrap().build;
        assert!(d.span && d.layers == Layers::Group);
        let o = opts(&[("span", "off"), ("build-arg:SLIMFILE_LAYERS", "stage")]).unwrap();
        assert!(!o.build.span && o.build.layers == Layers::Stage);
        let e = opts(&[("layers", "flat")]).unwrap_err();
        assert!(
            e.message.contains("invalid layers value \"flat\""),
            "{}",
            e.message
        );
        assert!(opts(&[("build-arg:SLIMFILE_SPAN", "maybe")]).is_err());
    }
}
