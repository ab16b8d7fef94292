//! The state of a stage while it is dispatched, and the ordered environment it keeps.

use std::collections::HashMap;

use crate::image::Image;
use crate::llb::graph::State;
use crate::model::expand::Env;
use crate::model::options::Platform;

/// Ordered environment of a state, as BuildKit's LLB client orders it: by the last
/// assignment of each key (a key set again moves to the end). The image config's
/// `Env` is another list, which replaces in place.
///
/// Setting and reading a key take constant time (a stage may set thousands): a key set
/// again leaves a hole where it was, and the holes are swept when they are half the list.
#[derive(Debug, Clone, Default)]
pub struct EnvList {
    /// Assignments in order; `None` where the key was set again later.
    entries: Vec<Option<(String, String)>>,
    /// Where each key's assignment is in `entries`.
    index: HashMap<String, usize>,
}

impl EnvList {
    /// Sets a key, moving it to the end.
    pub fn set(&mut self, k: &str, v: &str) {
        if let Some(i) = self.index.insert(k.to_string(), self.entries.len()) {
            self.entries[i] = None;
        }
        self.entries.push(Some((k.to_string(), v.to_string())));
        if self.index.len() * 2 < self.entries.len() {
            self.entries.retain(Option::is_some);
            for (i, (k, _)) in self.entries.iter().flatten().enumerate() {
                if let Some(slot) = self.index.get_mut(k) {
                    *slot = i;
                }
            }
        }
    }
    /// The assignments in order.
    pub fn iter(&self) -> impl Iterator<Item = &(String, String)> {
        self.entries.iter().flatten()
    }
    /// `K=V` strings.
    pub fn to_strings(&self) -> Vec<String> {
        self.iter().map(|(k, v)| format!("{k}={v}")).collect()
    }
}

impl PartialEq for EnvList {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for EnvList {}

impl Env for EnvList {
    fn get(&self, key: &str) -> Option<String> {
        let i = *self.index.get(key)?;
        self.entries[i].as_ref().map(|(_, v)| v.clone())
    }
    fn keys(&self) -> Vec<String> {
        self.iter().map(|(k, _)| k.clone()).collect()
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

#[cfg(test)]
mod tests {
    use super::EnvList;
    use crate::model::expand::Env;

    #[test]
    fn a_key_set_again_moves_to_the_end_and_holes_are_swept() {
        let mut env = EnvList::default();
        env.set("A", "1");
        env.set("B", "2");
        env.set("A", "3");
        assert_eq!(env.to_strings(), ["B=2", "A=3"]);
        for i in 0..1000 {
            env.set("B", &i.to_string());
        }
        env.set("C", "4");
        assert_eq!(env.to_strings(), ["A=3", "B=999", "C=4"]);
        assert!(env.entries.len() < 10, "swept: {}", env.entries.len());
        assert_eq!(env.get("B").as_deref(), Some("999"));
        assert_eq!(env.get("A").as_deref(), Some("3"));
        assert_eq!(env.keys(), ["A", "B", "C"]);
    }
}
