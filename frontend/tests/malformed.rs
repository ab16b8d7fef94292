//! Malformed input: every case is a located error (or a clean result), never a panic
//! or a hang.

use slimfile::model::options::BuildOptions;

mod common;
use common::plan_err;

#[test]
fn binary_data_is_an_error_not_a_panic() {
    let bytes: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let text = String::from_utf8_lossy(&bytes);
    assert!(plan_err(&text).is_some());
}

#[test]
fn one_megabyte_line() {
    let src = format!("FROM scratch\nRUN echo {}\n", "a".repeat(1 << 20));
    assert!(plan_err(&src).is_none());
}

#[test]
fn ten_thousand_nested_continuations() {
    let src = format!(
        "FROM scratch\nRUN echo \\\n{}done\n",
        "x \\\n".repeat(10_000)
    );
    assert!(plan_err(&src).is_none());
}

#[test]
fn located_errors() {
    let cases: &[(&str, &str, usize)] = &[
        ("FROM scratch\nFOO bar\n", "unknown instruction: FOO", 2),
        (
            "FROM scratch\nCMD [\"a\", 1]\n",
            "arrays must be comprised of strings only",
            2,
        ),
        ("FROM scratch\nRUN <<EOF\necho\n", "unterminated heredoc", 2),
        (
            "FROM scratch\nCOPY --nope=1 a b\n",
            "unknown flag: --nope",
            2,
        ),
        ("FROM scratch\nCOPY --from=missing a b\n", "", 2),
        (
            "FROM scratch\nRUN --mount=type=bogus true\n",
            "unsupported mount type",
            2,
        ),
        ("FROM scratch\nENV A\n", "ENV must have two arguments", 2),
        ("FROM scratch AS 1bad\n", "invalid name for build stage", 1),
        ("FROM scratch\nRUN --device=x true\n", "labs channel", 2),
        ("RUN true\n", "no build stage", 1),
        ("FROM a AS a\nFROM b AS b\n", "", 0),
        ("FROM scratch\nRUN echo \"unterminated\n", "", 0),
        ("FROM ${X:?required}\n", "required", 1),
    ];
    for (src, want, line) in cases {
        let got = plan_err(src);
        if want.is_empty() {
            // Either builds or fails with a location; never panics.
            if let Some((_, l)) = &got {
                assert!(*l > 0 || *line == 0, "{src:?}: {got:?}");
            }
            continue;
        }
        let (msg, l) = got.unwrap_or_else(|| panic!("{src:?} should fail"));
        assert!(msg.contains(want), "{src:?}: {msg}");
        assert_eq!(l, *line, "{src:?}: {msg}");
    }
}

#[test]
fn cyclic_and_undefined_stage_references_do_not_hang() {
    // A base can only be an earlier stage; a later one is an image name, which a plan
    // without an engine treats as an external image.
    assert!(plan_err("FROM b AS a\nFROM a AS b\n").is_none());
    // COPY --from may name any stage, so it can loop: rejected, located.
    assert_eq!(
        plan_err("FROM scratch AS a\nCOPY --from=a /x /y\n"),
        Some(("circular dependency detected on stage: a".to_string(), 2))
    );
    assert_eq!(
        plan_err(
            "FROM scratch AS a\nCOPY --from=b /x /y\nFROM scratch AS b\nCOPY --from=0 /x /y\n"
        ),
        Some(("circular dependency detected on stage: a".to_string(), 2))
    );
    let err = slimfile::plan("FROM scratch\n", "Dockerfile", &{
        let mut o = BuildOptions::new();
        o.target = Some("nope".into());
        o
    })
    .unwrap_err();
    assert!(
        err.message
            .contains("target stage \"nope\" could not be found")
    );
}

#[test]
fn empty_and_comment_only_files() {
    assert!(plan_err("").unwrap().0.contains("cannot be empty"));
    assert!(
        plan_err("# only a comment\n")
            .unwrap()
            .0
            .contains("no instructions")
    );
}
