//! One test per fixed bug.

use slimfile::model::options::BuildOptions;

/// Image resolution expanded FROM with `\` even under `# escape=\``, so it asked the
/// engine for a different image than emission then used.
#[test]
fn external_images_honour_the_escape_directive() {
    let src = "# escape=`\nFROM de`bian:bookworm\n";
    let (df, program) = slimfile::parse_program(src).unwrap();
    let reqs =
        slimfile::llb::convert::external_images(&program, &BuildOptions::new(), df.escape).unwrap();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].reference, "docker.io/library/debian:bookworm");
    assert!(slimfile::plan(src, "Dockerfile", &BuildOptions::new()).is_ok());
}

/// Stage references follow the official frontend: `COPY --from` takes a name or an
/// index, a RUN mount's `from=` and `FROM` take names only (a number is an image).
#[test]
fn stage_indexes_only_for_copy_from() {
    let refs = |src: &str| -> Vec<(String, bool)> {
        let (df, program) = slimfile::parse_program(src).unwrap();
        slimfile::llb::convert::external_images(&program, &BuildOptions::new(), df.escape)
            .unwrap()
            .into_iter()
            .map(|r| (r.reference, r.span.is_some()))
            .collect()
    };
    let debian = ("docker.io/library/debian:bookworm".to_string(), true);
    // COPY --from=0 is stage 0 and needs no image; the mount's `0` is an image, which
    // the official frontend does not locate in errors.
    assert_eq!(
        refs(
            "FROM debian:bookworm\nRUN true\nFROM debian:bookworm\nCOPY --from=0 /a /b\n\
              RUN --mount=from=0,target=/m true\n"
        ),
        vec![debian, ("docker.io/library/0:latest".to_string(), false)]
    );
    assert_eq!(
        refs("FROM debian:bookworm\nRUN true\nFROM 0\n"),
        vec![("docker.io/library/0:latest".to_string(), true)]
    );
}

/// A COPY --from naming a later stage is an error, worded like the official one.
#[test]
fn copy_from_a_later_stage_is_an_error() {
    let src = "FROM debian:bookworm AS first\nCOPY --from=later /a /b\n\
               FROM debian:bookworm AS later\nRUN true\nFROM first\n";
    let err = slimfile::plan(src, "Dockerfile", &BuildOptions::new()).unwrap_err();
    assert_eq!(
        err.message,
        "cannot copy from stage \"later\", it needs to be defined before current stage \"first\""
    );
}

/// The `parse` dump printed U+00A0 and U+2028 as they are, where Go's `strconv.Quote`
/// (and so the official parser's dump) escapes every non-printable rune.
#[test]
fn parse_dump_escapes_what_go_escapes() {
    let (df, _) = slimfile::parse_program("FROM scratch\nLABEL a=\"x\u{a0}y\u{2028}z\"\n").unwrap();
    let dump = slimfile::syntax::dump::dump(&df);
    assert!(dump.contains(r"x\u00a0y\u2028z"), "{dump}");
}

/// HEALTHCHECK retries in history are Go's `%q` of an int: an invalid rune is U+FFFD
/// written as itself (it is printable), not as an escape.
#[test]
fn quoted_runes_follow_go() {
    assert_eq!(slimfile::golang::quote_rune(0xd800), "'\u{fffd}'");
    assert_eq!(slimfile::golang::quote_rune(3), "'\\x03'");
}
