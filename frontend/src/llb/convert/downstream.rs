//! What later stages need of a stage's package-manager state: indexes they use before
//! refreshing, and caches they name, copy or mount (fusion keeps those).

use std::collections::BTreeSet;

use super::stages::{find_source_stage, find_stage, instr_sources};
use crate::model::instructions::{Kind, Program};

/// For each stage, the managers whose package index some stage built on it (directly
/// or further down) needs because it installs without refreshing first, and whose
/// caches a later stage names, builds on, copies or mounts.
pub(super) fn downstream_index_needs(
    program: &Program,
    bases: &[String],
    facts: &[Option<Vec<Option<crate::analysis::RunFacts>>>],
) -> Vec<Downstream> {
    let n = program.stages.len();
    let mut down: Vec<Downstream> = vec![Downstream::default(); n];
    for j in (0..n).rev() {
        if let Some(f) = facts[j].as_deref() {
            for (from, readers) in stage_source_readers(program, j, f) {
                down[from].mentions.extend(readers);
            }
        }
        let Some(b) = find_stage(program, &bases[j], j) else {
            continue;
        };
        let mut needs = down[j].clone();
        let mut refreshed: BTreeSet<&'static str> = BTreeSet::new();
        for f in facts[j].iter().flatten().flatten() {
            refreshed.extend(f.updates.iter().copied());
            for m in f.drives.union(&f.mentions) {
                if !refreshed.contains(m) {
                    needs.index.insert(m);
                }
            }
            needs.mentions.extend(f.mentions.iter().copied());
        }
        down[b].index.extend(needs.index);
        down[b].mentions.extend(needs.mentions);
    }
    down
}

/// The earlier stages stage `j` copies or mounts from, each with the managers whose
/// caches the taken paths may hold (a mounting RUN's own mentions count too).
pub(super) fn stage_source_readers(
    program: &Program,
    j: usize,
    facts: &[Option<crate::analysis::RunFacts>],
) -> Vec<(usize, BTreeSet<&'static str>)> {
    let mut out = Vec::new();
    for (k, instr) in program.stages[j].instructions.iter().enumerate() {
        for (name, usage) in instr_sources(instr) {
            let Some(from) = find_source_stage(program, &name, &usage).filter(|&f| f < j) else {
                continue;
            };
            let mut readers = BTreeSet::new();
            match &instr.kind {
                Kind::Copy(c) => {
                    for src in &c.sources {
                        readers.extend(crate::analysis::path_readers(src));
                    }
                }
                Kind::Run(r) => {
                    for m in &r.mounts {
                        if let Ok(spec) = crate::model::mounts::parse_mount_raw(&m.raw)
                            && spec.from.as_deref() == Some(name.as_str())
                        {
                            readers.extend(crate::analysis::path_readers(&spec.source));
                        }
                    }
                    if let Some(Some(f)) = facts.get(k) {
                        readers.extend(f.mentions.iter().copied());
                    }
                }
                _ => {}
            }
            if !readers.is_empty() {
                out.push((from, readers));
            }
        }
    }
    out
}

/// What the stages built on a stage need of its package-manager state.
#[derive(Debug, Clone, Default)]
pub(super) struct Downstream {
    /// Managers used before their indexes are refreshed.
    pub(super) index: BTreeSet<&'static str>,
    /// Managers whose cache locations are named.
    pub(super) mentions: BTreeSet<&'static str>,
}
