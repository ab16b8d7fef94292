//! Additive fusion, checked on the LLB without an engine: members are the official
//! frontend's own ops, an edit re-runs only what follows it, and a group is one layer.

use std::collections::BTreeMap;

use bollard_buildkit_proto::pb;
use prost::Message;
use slimfile::model::options::{Assembly, BuildOptions};

const NAIVE: &str = include_str!("../../examples/data-science/naive/Dockerfile");

fn sync_opts() -> BuildOptions {
    let mut o = BuildOptions::new();
    o.frontend_image = Some("slimfile:dev".into());
    o
}

/// Progress name → op digest, for every op of a planned build.
fn ops(src: &str, opts: &BuildOptions) -> BTreeMap<String, String> {
    let def = slimfile::plan(src, "Dockerfile", opts).unwrap().definition;
    let mut out = BTreeMap::new();
    for bytes in &def.def {
        let digest = slimfile::llb::graph::digest(bytes);
        let name = def
            .metadata
            .get(&digest)
            .and_then(|m| m.description.get("llb.customname").cloned())
            .unwrap_or_default();
        out.insert(format!("{name} {digest}"), digest);
    }
    out
}

fn exec_args(src: &str, opts: &BuildOptions) -> Vec<Vec<String>> {
    let def = slimfile::plan(src, "Dockerfile", opts).unwrap().definition;
    def.def
        .iter()
        .filter_map(|b| match pb::Op::decode(&b[..]).ok()?.op? {
            pb::op::Op::Exec(e) => Some(e.meta?.args),
            _ => None,
        })
        .collect()
}

fn names_with<'a>(ops: &'a BTreeMap<String, String>, needle: &str) -> Vec<&'a String> {
    ops.keys().filter(|k| k.contains(needle)).collect()
}

#[test]
fn members_of_the_first_group_are_the_official_ops() {
    let mut off = BuildOptions::new();
    off.fuse = false;
    let official = ops(NAIVE, &off);
    let fused = ops(NAIVE, &sync_opts());
    let shared = |needle: &str| {
        let o = names_with(&official, needle);
        assert_eq!(o.len(), 1, "{needle}: {o:?}");
        assert!(
            fused.contains_key(o[0]),
            "{needle}: the fused build has no op equal to the official one"
        );
    };
    shared("RUN apt-get update");
    shared("python3 python3-venv");
    shared("python3-dev build-essential");
    shared("libopenblas0");
}

#[test]
fn editing_the_last_member_keeps_every_earlier_step() {
    let edited = NAIVE.replace("docopt==0.6.2", "docopt==0.6.2 six==1.17.0");
    assert_ne!(edited, NAIVE);
    let a = ops(NAIVE, &sync_opts());
    let b = ops(&edited, &sync_opts());
    let kept: Vec<&String> = a.keys().filter(|k| b.contains_key(*k)).collect();
    let rerun: Vec<&String> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    for needle in [
        "apt-get update",
        "pip install numpy",
        "pandas",
        "scikit-learn",
    ] {
        assert!(
            kept.iter().any(|k| k.contains(needle)),
            "{needle} re-runs: {rerun:#?}"
        );
    }
    // What re-runs: the edited member, the pip cleanup and assembly, and the steps
    // after the group (the late apt cleanup RUN).
    // (The definition's nameless terminal op changes with its input.)
    let execs: Vec<&&String> = rerun.iter().filter(|k| !k.starts_with(' ')).collect();
    assert!(execs.iter().any(|k| k.contains("docopt")), "{rerun:#?}");
    assert!(execs.iter().any(|k| k.contains("cleanup")), "{rerun:#?}");
    assert!(execs.iter().any(|k| k.contains("assemble")), "{rerun:#?}");
    assert_eq!(execs.len(), 4, "{rerun:#?}");
}

#[test]
fn script_assembly_re_runs_the_whole_group() {
    let mut o = sync_opts();
    o.assembly = Assembly::Script;
    let edited = NAIVE.replace("docopt==0.6.2", "docopt==0.6.2 six==1.17.0");
    let a = ops(NAIVE, &o);
    let b = ops(&edited, &o);
    assert!(
        !b.keys()
            .any(|k| k.contains("pip install numpy") && a.contains_key(k)),
        "the script form has no per-member step"
    );
}

#[test]
fn one_history_layer_per_group() {
    let e = slimfile::plan(NAIVE, "Dockerfile", &sync_opts()).unwrap();
    let layers: Vec<&str> = e
        .image
        .history
        .iter()
        .filter(|h| !h.empty_layer)
        .map(|h| h.created_by.as_str())
        .collect();
    // apt group, venv, pip group, late apt cleanup (the base image adds its own).
    assert_eq!(layers.len(), 4, "{layers:#?}");
    let runs = e
        .image
        .history
        .iter()
        .filter(|h| h.created_by.starts_with("RUN "))
        .count();
    assert_eq!(runs, 11, "one history entry per original RUN");
}

#[test]
fn heredoc_members_keep_their_bodies() {
    let src = "FROM debian:bookworm\nRUN <<EOT\napt-get update\napt-get install -y jq\nEOT\nRUN apt-get install -y file\n";
    for assembly in [Assembly::Sync, Assembly::Script] {
        let mut o = sync_opts();
        o.assembly = assembly;
        let args = exec_args(src, &o);
        assert!(
            args.iter()
                .any(|a| a.iter().any(|s| s.contains("apt-get install -y jq"))),
            "{assembly:?}: the heredoc body is lost: {args:#?}"
        );
        assert!(
            !args.iter().flatten().any(|s| s.contains("'<<EOT'")),
            "{assembly:?}: the heredoc marker runs as a command: {args:#?}"
        );
    }
}

#[test]
fn the_assembly_runs_the_sync_tool_from_the_frontend_image() {
    let src = "FROM debian:bookworm\nRUN apt-get update\nRUN apt-get install -y jq\n";
    let e = slimfile::plan(src, "Dockerfile", &sync_opts()).unwrap();
    let mut tool = false;
    let mut sync = false;
    for b in &e.definition.def {
        match pb::Op::decode(&b[..]).unwrap().op {
            Some(pb::op::Op::Source(s)) => {
                tool |= s.identifier == "docker-image://docker.io/library/slimfile:dev"
            }
            Some(pb::op::Op::Exec(x)) => {
                let args = x.meta.unwrap().args;
                if args[..2] == ["/.slimfile-tool/slimfile".to_string(), "sync".to_string()] {
                    sync = true;
                    assert_eq!(args[2..], ["/", "/.slimfile-dst"]);
                    // The cleaned state is the root; the state before the group is the
                    // output (1, in mount order); every mount has an output, or BuildKit
                    // hashes it for a content-based cache key.
                    let dests: Vec<(&str, i64)> = x
                        .mounts
                        .iter()
                        .map(|m| (m.dest.as_str(), m.output))
                        .collect();
                    assert_eq!(
                        dests,
                        [("/", 0), ("/.slimfile-dst", 1), ("/.slimfile-tool", 2)]
                    );
                    assert!(x.mounts.iter().all(|m| !m.readonly));
                }
            }
            _ => {}
        }
    }
    assert!(tool && sync);
}
