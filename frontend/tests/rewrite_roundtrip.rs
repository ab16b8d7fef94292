//! `slimfile rewrite` prints each fused group as a `RUN <<SLIMFILE_GROUP` heredoc when
//! that runs the same argv. Checked without an engine: the rewritten file, compiled
//! with fusion off (what the official frontend builds), runs exactly the scripts that
//! slimfile's script assembly runs (but for the comment line over each cleanup block),
//! and stays in exec form where a heredoc would not.

use bollard_buildkit_proto::pb;
use prost::Message;
use slimfile::model::options::{Assembly, BuildOptions};

const EXAMPLES: &[&str] = &[
    include_str!("../../examples/data-science/naive/Dockerfile"),
    include_str!("../../examples/node-app/Dockerfile"),
    include_str!("../../examples/multi-stage/Dockerfile"),
];

/// Each exec op's argv, followed by its mounts (type and target) and network mode.
fn exec_args(src: &str, opts: &BuildOptions) -> Vec<Vec<String>> {
    let def = slimfile::plan(src, "Dockerfile", opts).unwrap().definition;
    let mut out: Vec<Vec<String>> = def
        .def
        .iter()
        .filter_map(|b| match pb::Op::decode(&b[..]).ok()?.op? {
            pb::op::Op::Exec(e) => {
                let mut v = e.meta?.args;
                v.extend(
                    e.mounts
                        .iter()
                        .map(|m| format!("{}:{}", m.mount_type, m.dest)),
                );
                v.push(format!("network {}", e.network));
                Some(v)
            }
            _ => None,
        })
        .collect();
    out.sort();
    out
}

fn rewrite(src: &str) -> String {
    let opts = BuildOptions::new();
    let planned = slimfile::plan(src, "Dockerfile", &opts).unwrap();
    let (_, program) = slimfile::parse_program(src).unwrap();
    slimfile::fusion::rewrite::rewrite(src, &program, &planned.fusion, &planned.fused_ops)
}

/// The exec argvs of slimfile's script assembly of `src`, and of the rewrite of `src`
/// built with fusion off.
fn both(src: &str) -> (Vec<Vec<String>>, Vec<Vec<String>>, String) {
    let mut script = BuildOptions::new();
    script.assembly = Assembly::Script;
    let mut off = BuildOptions::new();
    off.fuse = false;
    let rewritten = rewrite(src);
    // The one line the rewrite adds to a script: the comment over its cleanup block.
    let uncommented = exec_args(&rewritten, &off)
        .into_iter()
        .map(|mut argv| {
            if let Some(last) = argv.get_mut(2) {
                let kept: Vec<&str> = last
                    .split_inclusive('\n')
                    .filter(|l| !l.starts_with("# slimfile: "))
                    .collect();
                *last = kept.concat();
            }
            argv
        })
        .collect();
    (exec_args(src, &script), uncommented, rewritten)
}

#[test]
fn heredoc_rewrite_runs_the_fused_scripts() {
    for src in EXAMPLES {
        let (fused, rewritten_args, rewritten) = both(src);
        assert!(rewritten.contains("RUN <<SLIMFILE_GROUP\n"), "{rewritten}");
        assert!(!rewritten.contains("RUN [\"/bin/sh\""), "{rewritten}");
        assert!(rewritten.contains("# slimfile: apt cleanup, in the same layer"));
        assert_eq!(fused, rewritten_args, "{rewritten}");
    }
}

#[test]
fn a_shell_with_extra_flags_keeps_the_exec_form() {
    // The fused script runs under `bash -c`; a heredoc would run under the full SHELL,
    // `bash -o pipefail -c`, so the rewrite keeps the exec form.
    let src = "FROM debian:bookworm\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n\
               RUN apt-get update\nRUN apt-get install -y jq\n";
    let (fused, rewritten_args, rewritten) = both(src);
    assert!(!rewritten.contains("<<SLIMFILE_GROUP"), "{rewritten}");
    assert!(
        rewritten.contains("RUN [\"/bin/bash\",\"-c\""),
        "{rewritten}"
    );
    assert_eq!(fused, rewritten_args);
}

#[test]
fn a_plain_shell_change_still_gets_a_heredoc() {
    let src = "FROM debian:bookworm\nSHELL [\"/bin/bash\", \"-c\"]\n\
               RUN apt-get update\nRUN apt-get install -y jq\n";
    let (fused, rewritten_args, rewritten) = both(src);
    assert!(rewritten.contains("RUN <<SLIMFILE_GROUP\n"), "{rewritten}");
    assert_eq!(fused, rewritten_args, "{rewritten}");
}

#[test]
fn the_members_flags_are_kept() {
    let src = "FROM debian:bookworm\n\
               RUN --network=host --mount=type=secret,id=tok apt-get update\n\
               RUN --network=host --mount=type=secret,id=tok apt-get install -y jq\n";
    let (fused, rewritten_args, rewritten) = both(src);
    assert!(
        rewritten.contains("RUN --mount=type=secret,id=tok --network=host <<SLIMFILE_GROUP\n"),
        "{rewritten}"
    );
    assert_eq!(fused, rewritten_args, "{rewritten}");
}
