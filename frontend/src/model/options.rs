//! What a build is asked to do, independent of where the request came from (gateway
//! frontend options or CLI flags).

use std::collections::BTreeMap;

use crate::diagnostics::Diagnostic;

/// An OS/architecture pair (`linux/amd64`, `linux/arm/v7`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Platform {
    /// Operating system.
    pub os: String,
    /// Architecture.
    pub arch: String,
    /// Variant (`v7`), may be empty.
    pub variant: String,
}

impl Platform {
    /// `linux/<arch of this machine>`.
    pub fn host() -> Self {
        let arch = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "arm" => "arm",
            "powerpc64" => "ppc64le",
            "s390x" => "s390x",
            "riscv64" => "riscv64",
            other => other,
        };
        Platform {
            os: "linux".into(),
            arch: arch.into(),
            variant: String::new(),
        }
    }

    /// Parses `os/arch[/variant]` (also `arch` alone, meaning linux).
    pub fn parse(s: &str) -> Result<Self, Diagnostic> {
        let parts: Vec<&str> = s.trim().split('/').collect();
        let bad = || Diagnostic::error(format!("invalid platform {s:?}"));
        let norm_arch = |a: &str| match a {
            "x86_64" | "x86-64" => "amd64".to_string(),
            "aarch64" => "arm64".to_string(),
            other => other.to_ascii_lowercase(),
        };
        match parts.as_slice() {
            [os] if !os.is_empty() && *os != "linux" => Ok(Platform {
                os: "linux".into(),
                arch: norm_arch(os),
                variant: String::new(),
            }),
            [os, arch] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
                os: os.to_ascii_lowercase(),
                arch: norm_arch(arch),
                variant: String::new(),
            }),
            [os, arch, variant] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
                os: os.to_ascii_lowercase(),
                arch: norm_arch(arch),
                variant: variant.to_string(),
            }),
            _ => Err(bad()),
        }
    }

    /// `os/arch[/variant]`.
    pub fn format(&self) -> String {
        if self.variant.is_empty() {
            format!("{}/{}", self.os, self.arch)
        } else {
            format!("{}/{}/{}", self.os, self.arch, self.variant)
        }
    }
}

/// A frontend input: a definition built by the client, and its image config if the
/// client sent one (`input-metadata:NAME`).
#[derive(Debug, Clone, PartialEq)]
pub struct NamedInput {
    /// The definition; its result is the input's filesystem.
    pub definition: bollard_buildkit_proto::pb::Definition,
    /// The image config JSON (`containerimage.config`), if any.
    pub config: Option<Vec<u8>>,
}

/// How fused groups clean up package-manager caches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CleanupMode {
    /// Delete the caches at the end of the fused op.
    #[default]
    Inline,
    /// Mount BuildKit cache mounts over the cache directories instead.
    CacheMount,
    /// Fuse, but add no cleanup.
    Off,
}

/// How a fused group becomes one layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Assembly {
    /// Additive: every member is the official frontend's own exec op; a cleanup op
    /// follows the last member, and an assembly op (`slimfile sync`, run from the
    /// frontend's own image) copies the group's net change onto the state before the
    /// group as one layer.
    #[default]
    Sync,
    /// One exec op runs every member's command in its own shell, then the cleanup.
    /// Editing a member re-runs the whole group.
    Script,
}

/// How many layers a stage exports above its base image (`SLIMFILE_LAYERS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layers {
    /// One layer per fused group, one per other instruction that changes files.
    #[default]
    Group,
    /// One layer per stage: every step stays its own cached step, and the stage's net
    /// change is assembled onto its base as one layer (`docker build --squash` without
    /// its cache loss).
    Stage,
}

/// Everything that shapes a build besides the Dockerfile.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Stage to build (`--target`); the last stage when `None`.
    pub target: Option<String>,
    /// `--build-arg` values.
    pub build_args: BTreeMap<String, String>,
    /// `--label` values added to the result.
    pub labels: BTreeMap<String, String>,
    /// Target platform; the build platform when `None`.
    pub platform: Option<Platform>,
    /// The platform the build runs on.
    pub build_platform: Option<Platform>,
    /// One result per platform was asked for (several platforms or
    /// `BUILDKIT_MULTI_PLATFORM`): progress names then start with the platform.
    pub multi_platform: bool,
    /// `.dockerignore` patterns, passed to BuildKit as exclude patterns.
    pub excludes: Vec<String>,
    /// Session that holds the local sources.
    pub session_id: String,
    /// Stages whose cache is ignored (`no-cache`); `Some(empty)` means all.
    pub no_cache: Option<Vec<String>>,
    /// Fuse package-manager RUNs (default on).
    pub fuse: bool,
    /// Cleanup mode for fused groups.
    pub cleanup: CleanupMode,
    /// How a fused group becomes one layer.
    pub assembly: Assembly,
    /// Groups may span the non-RUN instructions between RUNs of one manager
    /// (`SLIMFILE_SPAN`, default on; only with additive assembly).
    pub span: bool,
    /// How many layers a stage exports (`SLIMFILE_LAYERS`).
    pub layers: Layers,
    /// Send the per-stage fusion summary as a build warning (`SLIMFILE_SUMMARY=warn`).
    /// Off by default: it is information (the progress names already show each group),
    /// and CI summaries count warnings as problems.
    pub fusion_summary: bool,
    /// The frontend's own image (the gateway's `source` option), which holds the
    /// `slimfile sync` tool that additive assembly runs. Without it, groups fall back
    /// to [`Assembly::Script`].
    pub frontend_image: Option<String>,
    /// `add-hosts`: (host, ip).
    pub extra_hosts: Vec<(String, String)>,
    /// `hostname`.
    pub hostname: Option<String>,
    /// `shm-size` in bytes.
    pub shm_size: Option<i64>,
    /// `ulimit` entries (name, soft, hard).
    pub ulimits: Vec<(String, i64, i64)>,
    /// `force-network-mode`.
    pub network_mode: Option<String>,
    /// Image resolve mode (`default`, `pull`, `local`).
    pub resolve_mode: Option<String>,
    /// Namespace for cache mount IDs (`BUILDKIT_CACHE_MOUNT_NS`).
    pub cache_mount_ns: String,
    /// Named contexts (`context:<name>` options): name → value.
    pub named_contexts: BTreeMap<String, String>,
    /// `.dockerignore` patterns of `local:` named contexts, by local name.
    pub named_excludes: BTreeMap<String, Vec<String>>,
    /// Frontend inputs (`input:NAME` named contexts, e.g. bake's `target:` contexts),
    /// by input name.
    pub inputs: BTreeMap<String, NamedInput>,
    /// The engine's enabled LLB caps (from the gateway's Ping); `None`: assume all.
    /// Cap-dependent choices follow the official frontend's (`COPY --link` becomes a
    /// MergeOp only with `mergeop`).
    pub llb_caps: Option<std::collections::BTreeSet<String>>,
}

impl BuildOptions {
    /// Does the engine support LLB cap `cap`?
    pub fn supports(&self, cap: &str) -> bool {
        self.llb_caps.as_ref().is_none_or(|c| c.contains(cap))
    }

    /// Options with the defaults a plain `docker buildx build` gets.
    pub fn new() -> Self {
        BuildOptions {
            fuse: true,
            span: true,
            ..BuildOptions::default()
        }
    }

    /// `SOURCE_DATE_EPOCH` from the build args, in seconds: history entries and
    /// created directories get this time. Empty means unset, like the official frontend.
    pub fn source_date_epoch(&self) -> Result<Option<i64>, Diagnostic> {
        match self.build_args.get("SOURCE_DATE_EPOCH").map(String::as_str) {
            None | Some("") => Ok(None),
            Some(v) => v.parse::<i64>().map(Some).map_err(|e| {
                let why = match e.kind() {
                    std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                        "value out of range"
                    }
                    _ => "invalid syntax",
                };
                Diagnostic::error(format!(
                    "invalid SOURCE_DATE_EPOCH: {v}: strconv.ParseInt: parsing {v:?}: {why}"
                ))
            }),
        }
    }

    /// Reads the fusion settings from build args / options `fuse`, `cleanup` and
    /// `assembly` (`SLIMFILE_FUSE`, `SLIMFILE_CLEANUP`, `SLIMFILE_ASSEMBLY`).
    /// `SLIMFILE_SUMMARY` is read by [`BuildOptions::apply_summary_setting`].
    pub fn apply_slimfile_settings(
        &mut self,
        fuse: Option<&str>,
        cleanup: Option<&str>,
        assembly: Option<&str>,
    ) -> Result<(), Diagnostic> {
        if let Some(v) = assembly {
            self.assembly = match v.to_ascii_lowercase().as_str() {
                "sync" | "" => Assembly::Sync,
                "script" => Assembly::Script,
                _ => {
                    return Err(Diagnostic::error(format!(
                        "invalid assembly value {v:?}: expected sync or script"
                    )));
                }
            };
        }
        if let Some(v) = fuse {
            self.fuse = on_off("fuse", v)?;
        }
        if let Some(v) = cleanup {
            self.cleanup = match v.to_ascii_lowercase().as_str() {
                "inline" | "" => CleanupMode::Inline,
                "cache-mount" => CleanupMode::CacheMount,
                "off" => CleanupMode::Off,
                _ => {
                    return Err(Diagnostic::error(format!(
                        "invalid cleanup value {v:?}: expected inline, cache-mount or off"
                    )));
                }
            };
        }
        Ok(())
    }

    /// `SLIMFILE_SPAN` / option `span` (`on`, the default, or `off`) and
    /// `SLIMFILE_LAYERS` / option `layers` (`group`, the default, or `stage`).
    pub fn apply_reach_settings(
        &mut self,
        span: Option<&str>,
        layers: Option<&str>,
    ) -> Result<(), Diagnostic> {
        if let Some(v) = span {
            self.span = on_off("span", v)?;
        }
        if let Some(v) = layers {
            self.layers = match v.to_ascii_lowercase().as_str() {
                "group" | "" => Layers::Group,
                "stage" => Layers::Stage,
                _ => {
                    return Err(Diagnostic::error(format!(
                        "invalid layers value {v:?}: expected group or stage"
                    )));
                }
            };
        }
        Ok(())
    }

    /// Fused groups are assembled additively (`slimfile sync` from the frontend's
    /// image), so a group may span other instructions and a stage may become one layer.
    pub fn additive(&self) -> bool {
        self.fuse && self.assembly == Assembly::Sync && self.frontend_image.is_some()
    }

    /// `SLIMFILE_SUMMARY` / option `summary`: `warn` sends the per-stage fusion summary
    /// as a build warning; `off` (or empty, the default) does not.
    pub fn apply_summary_setting(&mut self, v: Option<&str>) -> Result<(), Diagnostic> {
        if let Some(v) = v {
            self.fusion_summary = match v.to_ascii_lowercase().as_str() {
                "warn" => true,
                "off" | "" => false,
                _ => {
                    return Err(Diagnostic::error(format!(
                        "invalid summary value {v:?}: expected warn or off"
                    )));
                }
            };
        }
        Ok(())
    }
}

/// An on/off setting: `on`, `true`, `1` or empty, or `off`, `false`, `0`.
fn on_off(setting: &str, v: &str) -> Result<bool, Diagnostic> {
    match v.to_ascii_lowercase().as_str() {
        "on" | "true" | "1" | "" => Ok(true),
        "off" | "false" | "0" => Ok(false),
        _ => Err(Diagnostic::error(format!(
            "invalid {setting} value {v:?}: expected on or off"
        ))),
    }
}
