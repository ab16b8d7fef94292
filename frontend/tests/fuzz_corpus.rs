//! Replays the committed fuzz inputs (`fuzz/seeds/TARGET`, `fuzz/corpus/TARGET` and
//! `fuzz/regressions/TARGET` at the repository top) through the entry points the
//! cargo-fuzz targets call, on the stable toolchain: no input may panic, and none may
//! take long. See docs/fuzzing.md.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Far above what any input takes in a debug build (milliseconds): only a hang, like
/// the exponential `.dockerignore` match the fuzzer found, comes near it.
const SLOW: Duration = Duration::from_secs(20);

/// Every committed input of `target`; at least the seeds must be there.
fn inputs(target: &str) -> Vec<PathBuf> {
    let top = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut out = Vec::new();
    for kind in ["seeds", "corpus", "regressions"] {
        let dir = top.join(kind).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            assert_ne!(kind, "seeds", "{} is missing", dir.display());
            continue;
        };
        out.extend(entries.map(|e| e.expect("a directory entry").path()));
    }
    out.sort();
    out
}

/// Runs `entry` on every input of `target`; fails naming each one that panicked or
/// was slow.
fn replay(target: &str, entry: fn(&[u8])) {
    let files = inputs(target);
    assert!(!files.is_empty(), "no inputs for {target}");
    let mut bad = Vec::new();
    for file in &files {
        let data = std::fs::read(file).expect("a readable input");
        let start = Instant::now();
        let outcome = std::panic::catch_unwind(|| entry(&data));
        let took = start.elapsed();
        if outcome.is_err() {
            bad.push(format!("{} panicked", file.display()));
        } else if took > SLOW {
            bad.push(format!("{} took {took:?}", file.display()));
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {} {target} inputs failed:\n{}",
        bad.len(),
        files.len(),
        bad.join("\n")
    );
}

#[test]
fn options_inputs() {
    replay("options", slimfile::fuzzing::options);
}

#[test]
fn dockerignore_inputs() {
    replay("dockerignore", slimfile::fuzzing::dockerignore);
}

#[test]
fn named_context_inputs() {
    replay("named_context", slimfile::fuzzing::named_context);
}

#[test]
fn image_config_inputs() {
    replay("image_config", slimfile::fuzzing::image_config);
}
