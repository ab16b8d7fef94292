//! Image references, normalized as the official frontend's `reference.ParseNormalizedNamed`
//! and `TagNameOnly` do.

use crate::diagnostics::Diagnostic;

/// Normalizes an image reference like the official `reference.ParseNormalizedNamed` +
/// `TagNameOnly`.
pub fn normalize_reference(name: &str) -> Result<String, Diagnostic> {
    let invalid = |why: &str| {
        Diagnostic::error(format!(
            "failed to parse stage name {name:?}: invalid reference format{why}"
        ))
    };
    if name.is_empty() || name.chars().any(char::is_whitespace) {
        return Err(invalid(""));
    }
    let (name_part, digest) = match name.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (name, None),
    };
    let mut full = match name_part.split_once('/') {
        Some((first, _)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            name_part.to_string()
        }
        Some(_) => format!("docker.io/{name_part}"),
        None => format!("docker.io/library/{name_part}"),
    };
    // The repository path (after the domain, without the tag) must be lowercase.
    let path = full.split_once('/').map_or("", |(_, p)| p);
    let path = path.rsplit_once(':').map_or(path, |(p, _)| p);
    if path.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(invalid(": repository name must be lowercase"));
    }
    let last = full.rsplit('/').next().unwrap_or("");
    if let Some((_, tag)) = last.split_once(':') {
        let valid = tag.len() <= 128
            && tag
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !valid {
            return Err(Diagnostic::error(format!(
                "failed to parse stage name {name:?}: invalid reference format"
            )));
        }
    }
    if !last.contains(':') && digest.is_none() {
        full.push_str(":latest");
    }
    if let Some(d) = digest {
        full.push('@');
        full.push_str(d);
    }
    Ok(full)
}

#[cfg(test)]
mod tests {
    use super::normalize_reference as n;

    #[test]
    fn normalizes_like_docker() {
        assert_eq!(n("debian").unwrap(), "docker.io/library/debian:latest");
        assert_eq!(
            n("debian:bookworm").unwrap(),
            "docker.io/library/debian:bookworm"
        );
        assert_eq!(n("me/app").unwrap(), "docker.io/me/app:latest");
        assert!(n("localhost:5000/App/x").is_err());
        assert_eq!(n("localhost:5000/x:1").unwrap(), "localhost:5000/x:1");
        assert_eq!(n("ghcr.io/o/r@sha256:ab").unwrap(), "ghcr.io/o/r@sha256:ab");
        for bad in ["", "a b", "Debian", "busybox:", "x:-bad"] {
            assert!(n(bad).is_err(), "{bad:?}");
        }
    }
}
