//! Helpers shared by the integration-test binaries (`mod common;` in each).

use slimfile::model::options::BuildOptions;

/// Plans `src` with default options: the error's message and first line, or `None`
/// when it builds.
pub fn plan_err(src: &str) -> Option<(String, usize)> {
    match slimfile::plan(src, "Dockerfile", &BuildOptions::new()) {
        Ok(_) => None,
        Err(d) => Some((
            d.message.clone(),
            d.spans.first().map_or(0, |s| s.start_line),
        )),
    }
}
