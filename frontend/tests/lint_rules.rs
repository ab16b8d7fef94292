//! One fixture per check rule: `tests/lint/<Rule>.Dockerfile` must make its rule fire,
//! and every finding of the fixture (of any rule) must match `<Rule>.expected`, one
//! `LINE Rule: detail` per line. `UPDATE_SNAPSHOTS=1` rewrites the expected files.
//!
//! A fixture's first line may set what a real build would bring:
//! `# lint-test: exclude=a,b` (.dockerignore patterns), `base-arch=X` (the engine
//! resolves base images for architecture X) and `build-arg=K=V`.

use std::collections::BTreeMap;
use std::path::Path;

use slimfile::lint::{Rule, check};
use slimfile::llb::convert::{ResolvedImage, external_images, image_key};
use slimfile::model::options::BuildOptions;

/// The settings a fixture's `# lint-test:` line asks for.
fn settings(src: &str) -> (BuildOptions, Option<String>) {
    let mut opts = BuildOptions::new();
    let mut arch = None;
    let line = src.lines().next().unwrap_or("");
    for part in line
        .strip_prefix("# lint-test:")
        .unwrap_or("")
        .split_whitespace()
    {
        match part.split_once('=') {
            Some(("exclude", v)) => opts.excludes = v.split(',').map(str::to_string).collect(),
            Some(("base-arch", v)) => arch = Some(v.to_string()),
            Some(("build-arg", kv)) => {
                let (k, v) = kv.split_once('=').expect("build-arg=K=V");
                opts.build_args.insert(k.to_string(), v.to_string());
            }
            _ => panic!("unknown lint-test setting {part:?}"),
        }
    }
    (opts, arch)
}

/// Every finding of a fixture, as `LINE Rule: detail` lines.
fn findings(src: &str) -> String {
    let (opts, arch) = settings(src);
    let (df, program) = slimfile::parse_program(src).expect("fixture parses");
    let mut images = BTreeMap::new();
    for req in external_images(&program, &opts, df.escape).expect("bases") {
        let p = &req.platform;
        let a = arch.clone().unwrap_or_else(|| p.arch.clone());
        let mut image = slimfile::image::Image::empty(&p.os, &a, &p.variant);
        image.rootfs.diff_ids.push("sha256:fixture".into());
        let key = image_key(&req.reference, &req.platform);
        let reference = req.reference;
        images.insert(
            key,
            ResolvedImage {
                reference,
                digest: None,
                image,
            },
        );
    }
    let emitted = slimfile::compile(src, "Dockerfile", &opts, &images).ok();
    check(&df, &program, emitted.as_ref())
        .iter()
        .map(|f| format!("{} {}: {}\n", f.span.start_line, f.rule, f.detail))
        .collect()
}

#[test]
fn every_rule_has_a_fixture_that_fires_it_and_nothing_else_unexpected() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut failures = Vec::new();
    for rule in Rule::ALL {
        let fixture = dir.join(format!("{}.Dockerfile", rule.name()));
        let src = std::fs::read_to_string(&fixture)
            .unwrap_or_else(|e| panic!("{}: {e} (every rule needs a fixture)", fixture.display()));
        let got = findings(&src);
        if !got
            .lines()
            .any(|l| l.contains(&format!(" {}: ", rule.name())))
        {
            failures.push(format!(
                "{}: the fixture does not fire its rule:\n{got}",
                rule.name()
            ));
        }
        let expected_path = dir.join(format!("{}.expected", rule.name()));
        if update {
            std::fs::write(&expected_path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if want != got {
            failures.push(format!(
                "{}: findings changed (UPDATE_SNAPSHOTS=1 to accept)\n--- expected\n{want}--- got\n{got}",
                rule.name()
            ));
        }
    }
    let fixtures = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(
        fixtures,
        2 * Rule::ALL.len(),
        "a fixture or expected file without a rule"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
