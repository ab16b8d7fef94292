//! Typed instructions, stages, variable expansion and build options: the meaning of a
//! Dockerfile, without any notion of LLB.

pub mod dockerignore;
pub mod expand;
mod flags;
pub mod instructions;
pub mod modes;
pub mod mounts;
pub mod options;
