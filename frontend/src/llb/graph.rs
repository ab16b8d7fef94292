//! An owned arena of LLB ops and its deterministic marshalling.
//!
//! Ops live in a `Vec` in creation order, which is a topological order because an op can
//! only name ops created before it. Marshalling encodes each reachable op with prost
//! (fields in tag order, maps are `BTreeMap`), digests the bytes, dedupes by digest and
//! attaches metadata and source locations, so the same Dockerfile always yields the
//! same Definition.

use std::collections::{BTreeMap, BTreeSet};

use bollard_buildkit_proto::pb;
use prost::Message;
use sha2::{Digest, Sha256};

use crate::diagnostics::Span;

/// One output of an op in the arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Output {
    /// Index of the op in the arena.
    pub op: usize,
    /// Output index of that op.
    pub index: i64,
}

/// A filesystem state: an op output, or the empty filesystem.
pub type State = Option<Output>;

/// An op under construction: inputs are arena outputs until marshalling.
#[derive(Debug, Clone)]
pub struct OpNode {
    /// The op body (its `inputs` are filled in at marshal time).
    pub op: pb::op::Op,
    /// Inputs in order.
    pub inputs: Vec<Output>,
    /// Platform of the op, if any.
    pub platform: Option<pb::Platform>,
    /// Progress name (`llb.customname`).
    pub name: Option<String>,
    /// The Dockerfile instruction (`com.docker.dockerfile.v1.command`).
    pub command: Option<String>,
    /// Dockerfile locations this op came from.
    pub spans: Vec<Span>,
    /// Skip the cache for this op.
    pub ignore_cache: bool,
    /// LLB caps the op uses.
    pub caps: BTreeSet<&'static str>,
    /// Progress group (id, name) for ops shown together.
    pub progress_group: Option<(String, String, bool)>,
    /// The op runs a fused group (the gateway replays a failing one unfused).
    pub fused: bool,
    /// Give the op a source location without ranges when it has no spans (the
    /// official frontend does so for an image a RUN mounts with `from=`).
    pub bare_location: bool,
    /// This node stands for the result of a definition made elsewhere (a frontend
    /// input): marshalling copies that definition's ops as they are, and `op` is unused.
    pub foreign: Option<std::sync::Arc<Foreign>>,
    /// States folded into one of `inputs` because they marshal the same (see
    /// [`InputSet`]). They are walked after the inputs, as BuildKit's Go client walks
    /// every state an op uses, so their metadata and source locations count too.
    pub twins: Vec<Output>,
}

/// An op's inputs while it is built: one slot per distinct LLB input, as BuildKit's Go
/// client numbers them (two states with equal digests, say two stages `FROM` the same
/// image, share a slot).
#[derive(Debug, Default)]
pub struct InputSet {
    /// The slots, in order.
    pub inputs: Vec<Output>,
    /// States that share a slot with an earlier, different op (see [`OpNode::twins`]).
    pub twins: Vec<Output>,
}

impl InputSet {
    /// The slot of `state`, added if no slot marshals the same.
    pub fn add(&mut self, graph: &Graph, state: Output) -> i64 {
        match self.inputs.iter().position(|x| graph.same_state(*x, state)) {
            Some(i) => {
                if self.inputs[i] != state && !self.twins.contains(&state) {
                    self.twins.push(state);
                }
                i as i64
            }
            None => {
                self.inputs.push(state);
                self.inputs.len() as i64 - 1
            }
        }
    }

    /// The node for `op` with these inputs.
    pub fn node(self, op: pb::op::Op) -> OpNode {
        let mut node = OpNode::new(op, self.inputs);
        node.twins = self.twins;
        node
    }
}

/// A marshalled definition from outside (`frontend.inputs`), to splice in unchanged.
#[derive(Debug, Clone, PartialEq)]
pub struct Foreign {
    /// Its ops (without the final return op), as bytes.
    pub ops: Vec<Vec<u8>>,
    /// Its metadata by op digest.
    pub metadata: BTreeMap<String, pb::OpMetadata>,
    /// The digest of the op whose output is the result.
    pub output: String,
}

impl Foreign {
    /// Reads a definition: its last op is the return op naming the result. Returns
    /// the definition and the index of the result's output.
    pub fn from_definition(def: &pb::Definition) -> Option<(Self, i64)> {
        let (last, ops) = def.def.split_last()?;
        let ret = pb::Op::decode(last.as_slice()).ok()?;
        let input = ret.inputs.first()?;
        Some((
            Foreign {
                ops: ops.to_vec(),
                metadata: def
                    .metadata
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                output: input.digest.clone(),
            },
            input.index,
        ))
    }
}

impl OpNode {
    /// About how many bytes the op takes in a definition: its body, its progress texts
    /// and, for a foreign one, the ops it brings.
    fn size(&self) -> usize {
        let texts = [&self.name, &self.command].map(|t| t.as_ref().map_or(0, String::len));
        let foreign = self
            .foreign
            .as_ref()
            .map_or(0, |f| f.ops.iter().map(Vec::len).sum());
        self.op.encoded_len() + texts.iter().sum::<usize>() + foreign
    }

    /// A new op with no metadata.
    pub fn new(op: pb::op::Op, inputs: Vec<Output>) -> Self {
        OpNode {
            op,
            inputs,
            platform: None,
            name: None,
            command: None,
            spans: Vec::new(),
            ignore_cache: false,
            caps: BTreeSet::new(),
            progress_group: None,
            fused: false,
            bare_location: false,
            foreign: None,
            twins: Vec::new(),
        }
    }
}

/// What an op adds to a definition besides its body and progress texts: its digest
/// twice (op list and metadata key), its inputs, caps and source locations.
const OP_OVERHEAD: usize = 512;

/// The arena.
#[derive(Debug, Default, Clone)]
pub struct Graph {
    ops: Vec<OpNode>,
    /// About how many bytes the ops marshal to (see [`Graph::bytes`]).
    bytes: usize,
}

/// `sha256:<hex>` of some bytes.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

impl Graph {
    /// An arena with room for `n` ops.
    pub fn with_capacity(n: usize) -> Self {
        Graph {
            ops: Vec::with_capacity(n),
            bytes: 0,
        }
    }

    /// Adds an op; returns its index.
    pub fn push(&mut self, node: OpNode) -> usize {
        self.bytes += node.size() + OP_OVERHEAD;
        self.ops.push(node);
        self.ops.len() - 1
    }

    /// Mutable access to an op (used to fill in the build context's attributes once
    /// every stage has said which paths it needs).
    pub fn get_mut(&mut self, index: usize) -> &mut OpNode {
        &mut self.ops[index]
    }

    /// About how many bytes (at least) the definition of every op pushed so far takes:
    /// each op's body and progress texts as they were pushed, a margin for its digests,
    /// inputs and source locations, and what [`Graph::count`] added.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Counts `bytes` more in [`Graph::bytes`] (the Dockerfile that the definition's
    /// source map carries).
    pub fn count(&mut self, bytes: usize) {
        self.bytes += bytes;
    }

    /// Number of ops in the arena.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// True when the arena holds no op.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// The op at `index`.
    pub fn op(&self, index: usize) -> &OpNode {
        &self.ops[index]
    }

    /// True when two states marshal to the same LLB input (equal digests and output
    /// index), though they may be different ops in the arena: two stages `FROM` the same
    /// image, say. BuildKit's Go client gives such inputs one slot in an op's inputs.
    pub fn same_state(&self, a: Output, b: Output) -> bool {
        let mut pending = vec![(a, b)];
        while let Some((a, b)) = pending.pop() {
            if a == b {
                continue;
            }
            let (x, y) = (&self.ops[a.op], &self.ops[b.op]);
            let equal_here = a.index == b.index
                && match (&x.foreign, &y.foreign) {
                    (Some(f), Some(g)) => f.output == g.output,
                    (None, None) => {
                        x.op == y.op
                            && platform_of(x) == platform_of(y)
                            && x.inputs.len() == y.inputs.len()
                    }
                    _ => false,
                };
            if !equal_here {
                return false;
            }
            if x.foreign.is_none() {
                pending.extend(x.inputs.iter().copied().zip(y.inputs.iter().copied()));
            }
        }
        true
    }

    /// The ops reachable from `root`, each after its inputs, depth first in input
    /// order: the order BuildKit's Go client marshals in, which decides the op order
    /// and, for ops with equal digests, whose metadata is kept (the last one's).
    fn post_order(&self, root: usize) -> Vec<usize> {
        let mut done = vec![false; self.ops.len()];
        let mut order = Vec::new();
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some((i, k)) = stack.last_mut() {
            let i = *i;
            if done[i] {
                stack.pop();
                continue;
            }
            let node = &self.ops[i];
            if *k < node.inputs.len() + node.twins.len() {
                let next = node
                    .inputs
                    .get(*k)
                    .unwrap_or_else(|| &node.twins[*k - node.inputs.len()])
                    .op;
                *k += 1;
                if !done[next] {
                    stack.push((next, 0));
                }
            } else {
                done[i] = true;
                order.push(i);
                stack.pop();
            }
        }
        order
    }

    /// Marshals the ops reachable from `root` into a Definition. `source` is the
    /// Dockerfile (file name and bytes) that spans refer to.
    pub fn marshal(&self, root: State, source: Option<(&str, &[u8])>) -> pb::Definition {
        self.marshal_tracked(root, source).0
    }

    /// Like [`Graph::marshal`], also returning the digests of ops marked `fused`.
    pub fn marshal_tracked(
        &self,
        root: State,
        source: Option<(&str, &[u8])>,
    ) -> (pb::Definition, BTreeSet<String>) {
        let mut def = pb::Definition::default();
        let mut fused = BTreeSet::new();
        let Some(root) = root else {
            return (def, fused);
        };
        let mut digests: Vec<String> = vec![String::new(); self.ops.len()];
        let mut seen = BTreeSet::new();
        let mut locations: BTreeMap<String, pb::Locations> = BTreeMap::new();
        for i in self.post_order(root.op) {
            let node = &self.ops[i];
            if let Some(f) = &node.foreign {
                digests[i] = f.output.clone();
                add_foreign(&mut def, &mut seen, f);
                continue;
            }
            let op = pb::Op {
                inputs: node
                    .inputs
                    .iter()
                    .map(|o| pb::Input {
                        digest: digests[o.op].clone(),
                        index: o.index,
                    })
                    .collect(),
                op: None,
                platform: platform_of(node),
                // The official client always sends the (empty) worker constraints.
                constraints: Some(pb::WorkerConstraints::default()),
            };
            let bytes = encode_op(&op, &node.op);
            let dgst = digest(&bytes);
            digests[i] = dgst.clone();
            if node.fused {
                fused.insert(dgst.clone());
            }
            op_metadata(def.metadata.entry(dgst.clone()).or_default(), node);
            if source.is_some() && (!node.spans.is_empty() || node.bare_location) {
                let loc = locations.entry(dgst.clone()).or_default();
                loc.locations.push(pb::Location {
                    source_index: 0,
                    ranges: node.spans.iter().flat_map(span_ranges).collect(),
                });
            }
            if seen.insert(dgst) {
                def.def.push(bytes);
            }
        }
        push_terminal(&mut def, &digests[root.op], root.index);
        if let Some((filename, data)) = source {
            def.source = Some(pb::Source {
                locations,
                infos: vec![pb::SourceInfo {
                    filename: filename.to_string(),
                    data: data.to_vec(),
                    definition: None,
                    language: "Dockerfile".to_string(),
                }],
            });
        }
        (def, fused)
    }
}

/// Adds the ops and metadata of a definition made elsewhere (a named context's).
fn add_foreign(def: &mut pb::Definition, seen: &mut BTreeSet<String>, f: &Foreign) {
    for bytes in &f.ops {
        if seen.insert(digest(bytes)) {
            def.def.push(bytes.clone());
        }
    }
    for (d, m) in &f.metadata {
        def.metadata.entry(d.clone()).or_insert_with(|| m.clone());
    }
}

/// An op's metadata: progress name, Dockerfile command, cache setting, capabilities
/// (its own and those its kind implies) and progress group.
fn op_metadata(meta: &mut pb::OpMetadata, node: &OpNode) {
    if let Some(name) = &node.name {
        meta.description
            .insert("llb.customname".into(), name.clone());
    }
    if let Some(cmd) = &node.command {
        meta.description
            .insert("com.docker.dockerfile.v1.command".into(), cmd.clone());
    }
    meta.ignore_cache |= node.ignore_cache;
    let derived = match &node.op {
        pb::op::Op::Exec(e) => super::caps::exec(e),
        pb::op::Op::Source(s) => super::caps::source(s),
        _ => Vec::new(),
    };
    for cap in node.caps.iter().copied().chain(derived) {
        meta.caps.insert(cap.to_string(), true);
    }
    if let Some((id, name, weak)) = &node.progress_group {
        meta.progress_group = Some(pb::ProgressGroup {
            id: id.clone(),
            name: name.clone(),
            weak: *weak,
        });
    }
}

/// The terminal op (one input: the result), with the capabilities the whole
/// definition needs.
fn push_terminal(def: &mut pb::Definition, root_digest: &str, index: i64) {
    let last = pb::Op {
        inputs: vec![pb::Input {
            digest: root_digest.to_string(),
            index,
        }],
        ..Default::default()
    }
    .encode_to_vec();
    let caps = super::caps::terminal(def.metadata.values());
    let meta = def.metadata.entry(digest(&last)).or_default();
    for cap in caps {
        meta.caps.insert(cap.to_string(), true);
    }
    def.def.push(last);
}

/// Encodes an op the way BuildKit's Go marshaller does, which BuildKit re-checks when it
/// loads a definition: plain fields in tag order, then the `op` oneof last. (prost would
/// put the oneof at its tag position, between `inputs` and `platform`; BuildKit would
/// then re-digest the op and source locations would no longer match.)
pub fn encode_op(fields: &pb::Op, body: &pb::op::Op) -> Vec<u8> {
    let mut bytes = fields.encode_to_vec();
    body.encode(&mut bytes);
    bytes
}

/// A Dockerfile span as LLB ranges: one per line, lines only (as the official frontend).
pub fn span_ranges(s: &Span) -> impl Iterator<Item = pb::Range> {
    // One range per line, as the official parser's `toRanges`.
    (s.start_line..=s.end_line.max(s.start_line)).map(|line| pb::Range {
        start: Some(pb::Position {
            line: line as i32,
            character: 0,
        }),
        end: Some(pb::Position {
            line: line as i32,
            character: 0,
        }),
    })
}

/// The op's platform as the official client encodes it: none for file, merge and diff
/// ops, nor for sources other than images (`docker-image://`, `oci-layout://`).
fn platform_of(node: &OpNode) -> Option<pb::Platform> {
    match &node.op {
        pb::op::Op::File(_) | pb::op::Op::Merge(_) | pb::op::Op::Diff(_) => None,
        pb::op::Op::Source(s)
            if !(s.identifier.starts_with("docker-image://")
                || s.identifier.starts_with("oci-layout://")) =>
        {
            None
        }
        _ => node.platform.clone(),
    }
}
