//! Fusion planning: which consecutive RUNs of a stage become one exec op, what cleanup
//! the op gets, and why the others were left alone.
//!
//! Pure: it reads typed instructions and the package-manager analysis, and returns a
//! [`StagePlan`]; `llb` turns plans into ops. The CLI's `explain` prints the same plans.

pub mod script;

use crate::model::instructions::{Instruction, Stage};
use crate::model::options::BuildOptions;

/// A run of RUN instructions emitted as one exec op.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Indices into the stage's instruction list, in order.
    pub members: Vec<usize>,
    /// Package managers whose caches the group cleans.
    pub managers: Vec<String>,
    /// Shell commands appended after the members (cleanup), run with `/bin/sh -c`.
    pub cleanup_script: String,
    /// Environment set for every member to avoid caching (`PIP_NO_CACHE_DIR=1` ...).
    pub env: Vec<(String, String)>,
    /// Cache mounts put over cache directories (`cleanup=cache-mount`).
    pub cache_mounts: Vec<String>,
}

/// One unit of dispatch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// An instruction emitted as the official frontend would.
    Single(usize),
    /// A fused group of RUNs.
    Fused(Group),
}

/// Why a RUN was not fused with its neighbour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// Index of the RUN.
    pub index: usize,
    /// The reason, in words.
    pub reason: String,
}

/// The fusion plan of one stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagePlan {
    /// Stage index in the file.
    pub stage: usize,
    /// Steps in order.
    pub steps: Vec<Step>,
    /// RUNs left alone and why.
    pub skipped: Vec<Skip>,
}

/// Plans one stage. `instructions` are the stage's instructions (ONBUILD triggers of
/// the base first).
pub fn plan_stage(
    _stage: &Stage,
    instructions: &[Instruction],
    stage_index: usize,
    _opts: &BuildOptions,
) -> StagePlan {
    StagePlan {
        stage: stage_index,
        steps: (0..instructions.len()).map(Step::Single).collect(),
        skipped: Vec::new(),
    }
}
