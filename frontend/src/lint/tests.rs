//! Rules firing on whole files, and `# check=skip=`.

use super::*;

fn rules_for(src: &str) -> Vec<&'static str> {
    let (df, program) = crate::parse_program(src).unwrap();
    let e = crate::plan(
        src,
        "Dockerfile",
        &crate::model::options::BuildOptions::new(),
    )
    .unwrap();
    check(&df, &program, Some(&e))
        .iter()
        .map(|f| f.rule.name())
        .collect()
}

#[test]
fn official_rules_fire() {
    let r = rules_for(
        "FROM a AS Build\nfrom b as c\nMAINTAINER me\nENV A b\nCMD echo hi\nWORKDIR rel\n",
    );
    for want in [
        "StageNameCasing",
        "ConsistentInstructionCasing",
        "MaintainerDeprecated",
        "LegacyKeyValueFormat",
        "JSONArgsRecommended",
        "WorkdirRelativePath",
    ] {
        assert!(r.contains(&want), "{want} missing from {r:?}");
    }
    assert!(rules_for("FROM a\nCMD [\"x\"]\n").is_empty());
    let r = rules_for(
        "ARG V=1\nFROM --platform=linux/amd64 a:${V}${NOPE}\nEXPOSE 80/TCP 1.2.3.4:80:80\nENV A=$VERSON\nARG VERSION=2\nCOPY $VERSION /x\n",
    );
    for want in [
        "UndefinedArgInFrom",
        "FromPlatformFlagConstDisallowed",
        "ExposeProtoCasing",
        "ExposeInvalidFormat",
        "UndefinedVar",
    ] {
        assert!(r.contains(&want), "{want} missing from {r:?}");
    }
    assert_eq!(
        r.iter().filter(|x| **x == "UndefinedVar").count(),
        1,
        "{r:?}"
    );
    let mut opts = crate::model::options::BuildOptions::new();
    opts.build_args.insert("TAG".into(), "1".into());
    let src = "ARG TAG\nFROM busybox:${TAG}\n";
    let (df, program) = crate::parse_program(src).unwrap();
    let e = crate::plan(src, "Dockerfile", &opts).unwrap();
    let r: Vec<&str> = check(&df, &program, Some(&e))
        .iter()
        .map(|f| f.rule.name())
        .collect();
    assert!(r.contains(&"InvalidDefaultArgInFrom"), "{r:?}");
    let mut opts = crate::model::options::BuildOptions::new();
    opts.excludes = vec!["secret.txt".into(), "docs".into()];
    let src = "FROM a\nCOPY secret.txt docs/x.md ok.txt /app/\n";
    let (df, program) = crate::parse_program(src).unwrap();
    let e = crate::plan(src, "Dockerfile", &opts).unwrap();
    let ignored: Vec<String> = check(&df, &program, Some(&e))
        .into_iter()
        .filter(|f| f.rule == Rule::CopyIgnoredFile)
        .map(|f| f.detail)
        .collect();
    assert_eq!(ignored.len(), 2, "{ignored:?}");
    assert!(!rules_for("ARG IMG=debian\nFROM ${IMG}\n").contains(&"InvalidDefaultArgInFrom"));
}

#[test]
fn slimfile_rules_fire_and_skip_works() {
    let src = "FROM a\nRUN apt-get update && apt-get install curl\nUSER x\nRUN apt-get install -y b\nRUN echo\nRUN rm -rf /var/lib/apt/lists/*\n";
    let r = rules_for(src);
    assert!(r.contains(&"SlimfileAptInstallWithoutYes"), "{r:?}");
    assert!(r.contains(&"SlimfileFusionBlocked"), "{r:?}");
    assert!(r.contains(&"SlimfileCleanupTooLate"), "{r:?}");
    let skipped = rules_for(&format!(
        "# check=skip=SlimfileFusionBlocked,SlimfileCleanupTooLate\n{src}"
    ));
    assert_eq!(skipped, vec!["SlimfileAptInstallWithoutYes"]);
}
