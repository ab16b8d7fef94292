//! Helpers shared by unit tests.

use std::path::PathBuf;

/// The `shared/` folder beside the repository (found by walking up from the crate).
pub fn shared_dir() -> PathBuf {
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    loop {
        let candidate = dir.join("shared").join("conformance");
        if candidate.is_dir() {
            return dir.join("shared");
        }
        let sibling = dir.join("..").join("shared").join("conformance");
        if sibling.is_dir() {
            return dir.join("..").join("shared");
        }
        assert!(
            dir.pop(),
            "shared/conformance not found above {}",
            env!("CARGO_MANIFEST_DIR")
        );
    }
}
