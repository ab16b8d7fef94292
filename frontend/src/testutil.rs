//! Helpers shared by unit tests.

use std::io::Write;
use std::path::PathBuf;

/// The environment variable naming the optional `shared/` data folder (conformance
/// tables of the official parser and shell lexer). `.ci/run` sets it when `../shared`
/// exists; without it the tests that need the data say they skipped.
pub const SHARED_ENV: &str = "SLIMFILE_SHARED";

/// `$SLIMFILE_SHARED/conformance/<sub>`, or `None` (after printing why the calling
/// test skips) when the variable is unset. A set variable whose folder is missing is
/// a broken setup, and fails the test.
pub fn conformance(sub: &str, test: &str) -> Option<PathBuf> {
    let Some(root) = std::env::var_os(SHARED_ENV) else {
        // Straight to stderr: the test harness captures `eprintln!` of passing tests.
        let _ = writeln!(
            std::io::stderr(),
            "skipped {test}: {SHARED_ENV} is not set (the shared conformance data is optional)"
        );
        return None;
    };
    let dir = PathBuf::from(root).join("conformance").join(sub);
    assert!(
        dir.is_dir(),
        "{SHARED_ENV} is set but {} is not a directory",
        dir.display()
    );
    Some(dir)
}
