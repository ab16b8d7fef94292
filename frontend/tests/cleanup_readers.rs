//! Cleanup keeps what another stage takes: checked on the planned LLB, without an
//! engine. A stage whose cache paths a later stage copies (`COPY --from`) or mounts
//! (`RUN --mount=from=`) gets no cleanup of that manager's caches.

use bollard_buildkit_proto::pb;
use prost::Message;
use slimfile::model::options::BuildOptions;

/// Does any exec op of the planned build delete uv's cache?
fn cleans_uv(tail: &str) -> bool {
    let src = format!(
        "FROM debian:bookworm AS w\nRUN uv pip install a\nRUN uv pip install b\n\nFROM debian:bookworm\n{tail}\n"
    );
    let mut opts = BuildOptions::new();
    opts.frontend_image = Some("slimfile:dev".into());
    let def = slimfile::plan(&src, "Dockerfile", &opts)
        .unwrap()
        .definition;
    def.def.iter().any(|b| {
        let Ok(op) = pb::Op::decode(&b[..]) else {
            return false;
        };
        let Some(pb::op::Op::Exec(e)) = op.op else {
            return false;
        };
        e.meta.is_some_and(|m| {
            m.args
                .iter()
                .any(|a| a.contains("slimfile_rm") && a.contains("UV_CACHE_DIR"))
        })
    })
}

#[test]
fn a_copy_of_other_paths_leaves_cleanup_on() {
    assert!(cleans_uv("COPY --from=w /usr/lib /lib2"));
    assert!(cleans_uv("COPY --from=w / /all"));
}

#[test]
fn copying_the_cache_keeps_it() {
    assert!(!cleans_uv(
        "COPY --from=w /root/.cache/uv/wheels-v5 /wheels"
    ));
    assert!(!cleans_uv("COPY --from=w /root/.cache /c"));
    assert!(!cleans_uv("COPY --from=w /root /r"));
}

#[test]
fn mounting_the_cache_keeps_it() {
    assert!(!cleans_uv(
        "RUN --mount=from=w,source=/root/.cache/uv,target=/uv ls /uv"
    ));
    assert!(!cleans_uv(
        "RUN --mount=from=w,target=/w ls /w/root/.cache/uv"
    ));
    assert!(cleans_uv("RUN --mount=from=w,target=/w ls /w/usr"));
}
