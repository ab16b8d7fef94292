//! A readable JSON dump of a Definition (`slimfile llb --json`).

use bollard_buildkit_proto::pb;
use prost::Message;
use serde_json::{Value, json};

use super::graph::digest;

/// Dumps each op with its digest, inputs, body and metadata.
pub fn definition_json(def: &pb::Definition) -> String {
    let ops: Vec<Value> = def
        .def
        .iter()
        .map(|bytes| {
            let dg = digest(bytes);
            let op = pb::Op::decode(bytes.as_slice()).unwrap_or_default();
            let meta = def.metadata.get(&dg);
            json!({
                "digest": dg,
                "inputs": op.inputs.iter().map(|i| json!({"digest": i.digest, "index": i.index})).collect::<Vec<_>>(),
                "op": format!("{:?}", op.op),
                "platform": op.platform.as_ref().map(|p| format!("{}/{}", p.os, p.architecture)),
                "name": meta.and_then(|m| m.description.get("llb.customname")),
            })
        })
        .collect();
    serde_json::to_string_pretty(&json!({ "ops": ops })).unwrap_or_default()
}
