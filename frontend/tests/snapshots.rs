//! Pins `slimfile explain` and `slimfile rewrite` output for the examples.
//! Regenerate with `UPDATE_SNAPSHOTS=1 cargo test --test snapshots` and review the diff.

use std::path::{Path, PathBuf};

use slimfile::model::options::BuildOptions;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

const EXAMPLES: &[(&str, &str)] = &[
    (
        "data-science-naive",
        "examples/data-science/naive/Dockerfile",
    ),
    (
        "data-science-optimized",
        "examples/data-science/optimized/Dockerfile",
    ),
    ("node-app", "examples/node-app/Dockerfile"),
    ("multi-stage", "examples/multi-stage/Dockerfile"),
];

fn check(name: &str, got: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing snapshot {}: run with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert_eq!(
        got, want,
        "snapshot {name} changed (UPDATE_SNAPSHOTS=1 to accept)"
    );
}

#[test]
fn explain_and_rewrite_of_examples() {
    for (name, file) in EXAMPLES {
        let src = std::fs::read_to_string(root().join(file)).unwrap();
        let mut opts = BuildOptions::new();
        opts.frontend_image = Some(slimfile::cli::DEFAULT_FRONTEND_IMAGE.into());
        let planned = slimfile::plan(&src, "Dockerfile", &opts).unwrap();
        check(
            &format!("{name}.explain.txt"),
            &slimfile::fusion::report::text(&planned.fusion),
        );
        let (_, program) = slimfile::parse_program(&src).unwrap();
        let rewritten =
            slimfile::fusion::rewrite::rewrite(&src, &program, &planned.fusion, &planned.fused_ops);
        check(&format!("{name}.rewrite.Dockerfile"), &rewritten);
        // The rewrite is itself a valid Dockerfile that slimfile leaves alone.
        let again = slimfile::plan(&rewritten, "Dockerfile", &opts).unwrap();
        assert!(
            again.fused_ops.is_empty(),
            "{name}: rewrite output still fuses"
        );
    }
}

#[test]
fn llb_is_deterministic_and_pinned() {
    let src = "FROM debian:bookworm\nENV A=1\nWORKDIR /app\nRUN apt-get update\nRUN apt-get install -y jq\nCOPY . .\nCMD [\"jq\"]\n";
    let mut opts = BuildOptions::new();
    opts.frontend_image = Some(slimfile::cli::DEFAULT_FRONTEND_IMAGE.into());
    let a = slimfile::plan(src, "Dockerfile", &opts).unwrap().definition;
    let b = slimfile::plan(src, "Dockerfile", &opts).unwrap().definition;
    let bytes = |d: &bollard_buildkit_proto::pb::Definition| prost::Message::encode_to_vec(d);
    assert_eq!(
        bytes(&a),
        bytes(&b),
        "same Dockerfile, different Definition"
    );
    let root = slimfile::llb::graph::digest(a.def.last().unwrap());
    // Changing what slimfile emits changes this digest: update it deliberately (and
    // check the differential suite), since it also changes every user's build cache key.
    check("llb-digest.txt", &format!("{root}\n"));
}
