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
