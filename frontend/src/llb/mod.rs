//! LLB: the op arena and its marshalling (`graph`), and the Dockerfile converter
//! (`convert`).

pub mod caps;
pub mod convert;
pub mod dump;
pub mod graph;
