//! Git and HTTP sources: `ADD <git url>`, `ADD <url>` and named contexts such as
//! `--build-context src=https://host/repo.git#v1:dir`.
//!
//! Git references follow the official frontend: `URL[#REF[:SUBDIR]]` plus the query
//! forms `?ref=&tag=&branch=&subdir=&checksum=&commit=&keep-git-dir=&submodules=`;
//! the source identifier is `git://HOST/PATH[#REF[:SUBDIR]]`, so the same repository
//! over https and ssh shares a cache key.

use std::collections::BTreeMap;

use bollard_buildkit_proto::pb;

use crate::diagnostics::Diagnostic;

/// A parsed git reference.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GitRef {
    /// The URL to fetch, without fragment and query.
    pub remote: String,
    /// `host/path`, the identifier's body.
    pub id: String,
    /// Branch, tag or commit, if given.
    pub reference: String,
    /// Subdirectory, if given.
    pub subdir: String,
    /// Expected commit checksum, if given.
    pub checksum: String,
    /// Keep `.git` (query `keep-git-dir`).
    pub keep_git_dir: bool,
    /// `submodules=false`.
    pub skip_submodules: bool,
    /// Fetched over SSH.
    pub ssh: bool,
}

/// True when `s` is a git reference: `git@...`, `git://`, `ssh://`, or an http(s) URL
/// whose path ends in `.git`.
pub fn is_git(s: &str) -> bool {
    parse_git(s).is_ok()
}

/// Parses a git reference (see the module docs).
pub fn parse_git(s: &str) -> Result<GitRef, Diagnostic> {
    let bad = |why: &str| Diagnostic::error(format!("invalid git reference {s:?}: {why}"));
    let (rest, fragment) = match s.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (s, None),
    };
    let (url, query) = match rest.split_once('?') {
        Some((u, q)) => (u, Some(q)),
        None => (rest, None),
    };
    let mut g = GitRef::default();
    let (host, path) = if let Some(after) = url.strip_prefix("git@") {
        // scp-like: git@host:path
        let (host, path) = after
            .split_once(':')
            .ok_or_else(|| bad("expected git@HOST:PATH"))?;
        g.ssh = true;
        (host.to_string(), path.to_string())
    } else if let Some((scheme, after)) = url.split_once("://") {
        let scheme = scheme.to_ascii_lowercase();
        match scheme.as_str() {
            "http" | "https" | "git" | "ssh" => {}
            _ => return Err(bad("unknown protocol")),
        }
        let (authority, path) = after.split_once('/').unwrap_or((after, ""));
        let host = authority.rsplit('@').next().unwrap_or(authority);
        if matches!(scheme.as_str(), "http" | "https") && !path.ends_with(".git") {
            return Err(bad("an http(s) git URL must end in .git"));
        }
        g.ssh = scheme == "ssh";
        (host.to_string(), path.to_string())
    } else {
        return Err(bad("unknown protocol"));
    };
    if host.is_empty() {
        return Err(bad("no host"));
    }
    g.remote = url.to_string();
    g.id = format!("{host}{}", super::clean_path(&format!("/{path}")));
    if let Some(f) = fragment {
        let (r, sub) = f.split_once(':').unwrap_or((f, ""));
        g.reference = r.to_string();
        g.subdir = sub.to_string();
    }
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match (k, v) {
            ("ref", v) if !v.is_empty() => g.reference = v.to_string(),
            ("tag", v) if !v.is_empty() => g.reference = format!("refs/tags/{v}"),
            ("branch", v) if !v.is_empty() => g.reference = format!("refs/heads/{v}"),
            ("subdir", v) if !v.is_empty() => g.subdir = v.to_string(),
            ("checksum" | "commit", v) if !v.is_empty() => g.checksum = v.to_string(),
            ("keep-git-dir", v) => {
                g.keep_git_dir = parse_bool(v).ok_or_else(|| bad("keep-git-dir"))?
            }
            ("submodules", v) => {
                g.skip_submodules = !parse_bool(v).ok_or_else(|| bad("submodules"))?;
            }
            (k, _) => return Err(bad(&format!("query {k:?} has no value or is unknown"))),
        }
    }
    Ok(g)
}

fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "" | "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// The git source op for `g`; `keep_git_dir` and `checksum` come from ADD flags.
pub fn git_source(g: &GitRef, keep_git_dir: bool, checksum: Option<&str>) -> pb::SourceOp {
    let mut id = format!("git://{}", g.id);
    if !g.reference.is_empty() || !g.subdir.is_empty() {
        id.push('#');
        id.push_str(&g.reference);
        if !g.subdir.is_empty() {
            id.push(':');
            id.push_str(&g.subdir);
        }
    }
    let mut attrs = BTreeMap::new();
    // The official frontend always names the auth secrets (used only if the client
    // provides them).
    attrs.insert("git.authheadersecret".into(), "GIT_AUTH_HEADER".into());
    attrs.insert("git.authtokensecret".into(), "GIT_AUTH_TOKEN".into());
    attrs.insert("git.fullurl".into(), g.remote.clone());
    if keep_git_dir || g.keep_git_dir {
        attrs.insert("git.keepgitdir".into(), "true".into());
    }
    if g.ssh {
        attrs.insert("git.mountsshsock".into(), "default".into());
    }
    let sum = checksum.filter(|c| !c.is_empty()).unwrap_or(&g.checksum);
    if !sum.is_empty() {
        attrs.insert("git.checksum".into(), sum.to_string());
    }
    if g.skip_submodules {
        attrs.insert("git.skipsubmodules".into(), "true".into());
    }
    pb::SourceOp {
        identifier: id,
        attrs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_references() {
        let g = parse_git("https://example.com/org/repo.git#v1:sub/dir").unwrap();
        assert_eq!(g.remote, "https://example.com/org/repo.git");
        assert_eq!(
            git_source(&g, false, None).identifier,
            "git://example.com/org/repo.git#v1:sub/dir"
        );
        let g = parse_git("git@example.com:org/repo.git").unwrap();
        assert!(g.ssh);
        assert_eq!(
            git_source(&g, false, None).identifier,
            "git://example.com/org/repo.git"
        );
        let g = parse_git("http://127.0.0.1:8080/r.git?branch=main&subdir=a&keep-git-dir").unwrap();
        assert_eq!(
            (g.reference.as_str(), g.subdir.as_str()),
            ("refs/heads/main", "a")
        );
        assert!(g.keep_git_dir);
        assert_eq!(
            git_source(&g, false, None).identifier,
            "git://127.0.0.1:8080/r.git#refs/heads/main:a"
        );
        // Plain web pages and local paths are not git.
        for s in [
            "https://example.com/file.tar",
            "./repo.git",
            "repo",
            "ftp://h/r.git",
        ] {
            assert!(!is_git(s), "{s}");
        }
        assert!(parse_git("https://h/r.git?bogus=1").is_err());
    }
}
