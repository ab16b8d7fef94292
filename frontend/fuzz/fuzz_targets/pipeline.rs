//! Fuzzes parse → plan → emit (and the fusion report) on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use slimfile::model::options::{BuildOptions, CleanupMode};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = slimfile::syntax::parse(&text).map(|df| slimfile::syntax::dump(&df));
    for cleanup in [CleanupMode::Inline, CleanupMode::CacheMount] {
        let mut opts = BuildOptions::new();
        opts.cleanup = cleanup;
        if let Ok(e) = slimfile::plan(&text, "Dockerfile", &opts) {
            let _ = slimfile::fusion::report::text(&e.fusion);
        }
    }
    let _ = slimfile::analysis::analyze(&text);
});
