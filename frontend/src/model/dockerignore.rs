//! `.dockerignore` reading. BuildKit applies the patterns itself (they travel as
//! `local.excludepatterns`); this only cleans them as the official reader does.

/// Parses `.dockerignore` text into exclude patterns.
pub fn parse(text: &str) -> Vec<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        let mut p = line.trim().to_string();
        if p.is_empty() {
            continue;
        }
        let negate = p.starts_with('!');
        if negate {
            p = p[1..].trim().to_string();
        }
        if !p.is_empty() {
            p = crate::golang::path_clean(&p);
            if p.len() > 1 && p.starts_with('/') {
                p = p[1..].to_string();
            }
        }
        out.push(if negate { format!("!{p}") } else { p });
    }
    out
}

/// Whether `path` (relative to the context) is excluded by `patterns`, or lies under an
/// excluded directory; later `!` patterns re-include. Glob syntax: `*`, `?`, `**`.
pub fn excluded(patterns: &[String], path: &str) -> bool {
    let path = crate::golang::path_clean(path.trim_start_matches('/'));
    let mut parts: Vec<&str> = path.split('/').collect();
    // The path itself, then each parent directory.
    let mut candidates = Vec::new();
    while !parts.is_empty() {
        candidates.push(parts.join("/"));
        parts.pop();
    }
    let mut excluded = false;
    for p in patterns {
        let (neg, pat) = match p.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, p.as_str()),
        };
        if candidates.iter().any(|c| glob(pat, c)) {
            excluded = !neg;
        }
    }
    excluded
}

/// Matches a path against a pattern segment by segment (`**` spans segments).
fn glob(pattern: &str, path: &str) -> bool {
    fn segs(p: &[&str], s: &[&str]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some((&"**", rest)) => (0..=s.len()).any(|i| segs(rest, &s[i..])),
            Some((first, rest)) => {
                !s.is_empty() && seg(first.as_bytes(), s[0].as_bytes()) && segs(rest, &s[1..])
            }
        }
    }
    fn seg(p: &[u8], s: &[u8]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some((b'*', rest)) => (0..=s.len()).any(|i| seg(rest, &s[i..])),
            Some((b'?', rest)) => !s.is_empty() && seg(rest, &s[1..]),
            Some((c, rest)) => s.first() == Some(c) && seg(rest, &s[1..]),
        }
    }
    let p: Vec<&str> = pattern.split('/').collect();
    let s: Vec<&str> = path.split('/').collect();
    segs(&p, &s)
}

#[cfg(test)]
mod tests {
    #[test]
    fn cleans_like_the_official_reader() {
        let p = super::parse("\u{feff}# comment\n/foo/../bar\n  *.md  \n!keep.md\n\n./a/\n");
        assert_eq!(p, vec!["bar", "*.md", "!keep.md", "a"]);
    }

    #[test]
    fn matches_files_parents_and_exceptions() {
        let p = super::parse("docs\n*.md\n!keep.md\n**/*.tmp\n");
        assert!(super::excluded(&p, "docs/a/b.txt"));
        assert!(super::excluded(&p, "README.md"));
        assert!(!super::excluded(&p, "keep.md"));
        assert!(super::excluded(&p, "x/y/z.tmp"));
        assert!(!super::excluded(&p, "src/main.rs"));
    }
}
