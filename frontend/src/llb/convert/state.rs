//! The state of a stage while it is dispatched, and the ordered environment it keeps.

use crate::image::Image;
use crate::llb::graph::State;
use crate::model::expand::Env;
use crate::model::options::Platform;

/// Ordered environment of a state, as BuildKit's LLB client orders it: by the last
/// assignment of each key (a key set again moves to the end). The image config's
/// `Env` is another list, which replaces in place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvList(pub Vec<(String, String)>);

impl EnvList {
    /// Sets a key, moving it to the end.
    pub fn set(&mut self, k: &str, v: &str) {
        self.0.retain(|(key, _)| key != k);
        self.0.push((k.to_string(), v.to_string()));
    }
    /// `K=V` strings.
    pub fn to_strings(&self) -> Vec<String> {
        self.0.iter().map(|(k, v)| format!("{k}={v}")).collect()
    }
}

impl Env for EnvList {
    fn get(&self, key: &str) -> Option<String> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }
    fn keys(&self) -> Vec<String> {
        self.0.iter().map(|(k, _)| k.clone()).collect()
    }
}

/// The state of one stage while it is dispatched.
#[derive(Debug, Clone)]
pub(crate) struct StageState {
    pub index: usize,
    pub display_name: String,
    pub state: State,
    pub image: Image,
    pub env: EnvList,
    pub cwd: String,
    pub user: String,
    pub platform: Platform,
    pub build_args: Vec<(String, String)>,
    pub cmd_index: usize,
    /// Dispatching the base image's ONBUILD triggers.
    pub in_onbuild: bool,
    pub cmd_total: usize,
    pub cmd_set: bool,
    pub ignore_cache: bool,
    pub dispatched: bool,
    /// Progress names start with the platform (multi-platform builds).
    pub prefix_platform: bool,
    /// The config of the image this stage's chain starts from, as resolved (the
    /// exporter keeps that part of the history as it is).
    pub base_image: Option<Image>,
}

impl StageState {
    /// `[stage 2/5] ` style prefix for progress names; advances the counter.
    pub fn prefix(&mut self, text: &str) -> String {
        if self.cmd_total == 0 {
            return text.to_string();
        }
        self.cmd_index += 1;
        let width = 1 + (self.cmd_total as f64).log10() as usize;
        let mut out = String::from("[");
        if self.prefix_platform {
            out.push_str(&self.platform.format());
            out.push_str(&self.cross_target());
            out.push(' ');
        }
        if !self.display_name.is_empty() {
            out.push_str(&self.display_name);
            out.push(' ');
        }
        out.push_str(&format!(
            "{:>width$}/{}] {}{text}",
            self.cmd_index,
            self.cmd_total,
            if self.in_onbuild { "ONBUILD " } else { "" }
        ));
        out
    }

    /// `->arch` when the stage's `TARGET*` args name another platform than the one it
    /// runs on (a cross-build step), like the official progress names.
    fn cross_target(&self) -> String {
        let get = |k: &str| {
            self.env.get(k).or_else(|| {
                self.build_args
                    .iter()
                    .rev()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v.clone())
            })
        };
        let target = match get("TARGETPLATFORM").and_then(|v| Platform::parse(&v).ok()) {
            Some(p) => p,
            None => {
                let (os, arch, variant) =
                    (get("TARGETOS"), get("TARGETARCH"), get("TARGETVARIANT"));
                if os.is_none() && arch.is_none() && variant.is_none() {
                    return String::new();
                }
                Platform {
                    os: os
                        .filter(|v| !v.is_empty())
                        .unwrap_or_else(|| self.platform.os.clone()),
                    arch: arch
                        .filter(|v| !v.is_empty())
                        .unwrap_or_else(|| self.platform.arch.clone()),
                    variant: variant.unwrap_or_default(),
                }
            }
        };
        if target.os == self.platform.os && target.arch != self.platform.arch {
            if target.variant.is_empty() {
                format!("->{}", target.arch)
            } else {
                format!("->{}/{}", target.arch, target.variant)
            }
        } else if target.os != self.platform.os {
            format!("->{}", target.format())
        } else {
            String::new()
        }
    }

    /// History text for RUN with the stage's build args (`|N K=V ... cmd`).
    pub fn run_history(&self, args: &[String]) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        let mut kvs: Vec<String> = Vec::new();
        for (k, v) in &self.build_args {
            let v = self.env.get(k).unwrap_or_else(|| v.clone());
            match seen.iter().position(|s| s == k) {
                Some(i) => kvs[i] = format!("{k}={v}"),
                None => {
                    seen.push(k);
                    kvs.push(format!("{k}={v}"));
                }
            }
        }
        if !kvs.is_empty() {
            parts.push(format!("|{}", kvs.len()));
            parts.extend(kvs);
        }
        parts.extend(args.iter().cloned());
        parts.join(" ")
    }
}
