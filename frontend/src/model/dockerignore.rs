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
    let p: Vec<&str> = pattern.split('/').collect();
    let s: Vec<&str> = path.split('/').collect();
    wildcard(
        &p,
        &s,
        |p| *p == "**",
        |p, s| {
            wildcard(
                p.as_bytes(),
                s.as_bytes(),
                |c| *c == b'*',
                |c, b| *c == b'?' || c == b,
            )
        },
    )
}

/// Whether `items` match `pattern`, where a `star` token matches any run of items and
/// any other token exactly one item, when `one` says so. Greedy, with a return to the
/// last star on a mismatch: O(pattern × items) steps, where trying every split at
/// every star takes exponential time on patterns like `*****************.md`.
fn wildcard<P, T>(
    pattern: &[P],
    items: &[T],
    star: impl Fn(&P) -> bool,
    one: impl Fn(&P, &T) -> bool,
) -> bool {
    let (mut p, mut i) = (0, 0);
    // After the last star seen: where its pattern resumes, and the first item it
    // has not swallowed yet.
    let mut resume: Option<(usize, usize)> = None;
    while i < items.len() {
        match pattern.get(p) {
            Some(t) if star(t) => {
                p += 1;
                resume = Some((p, i));
            }
            Some(t) if one(t, &items[i]) => {
                p += 1;
                i += 1;
            }
            _ => match resume {
                Some((rp, ri)) => {
                    (p, i) = (rp, ri + 1);
                    resume = Some((rp, ri + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(star)
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

    /// Fuzzing found a `.dockerignore` line of 17 `*` that took over 10 seconds to
    /// match against itself: every star tried every split.
    #[test]
    fn many_stars_match_in_linear_time() {
        let start = std::time::Instant::now();
        let stars = format!("{}.md", "*".repeat(200));
        let deep = format!("{}x", "**/".repeat(200));
        let long_path = format!("{}/b", ["a"; 300].join("/"));
        assert!(super::glob(&stars, &stars));
        assert!(!super::glob(&format!("{stars}x"), &"a".repeat(300)));
        assert!(!super::glob(&deep, &long_path));
        assert!(super::glob(&deep, &format!("{long_path}/x")));
        let p = super::parse(&format!("{stars}\n!{stars}x\n{deep}\n"));
        assert!(super::excluded(&p, "README.md"));
        assert!(!super::excluded(&p, "docs/README.md"));
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }

    /// The matcher before the fix (every split at every star), as the reference.
    fn reference(pattern: &str, path: &str) -> bool {
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

    /// The linear matcher agrees with the old one on every short pattern and path.
    #[test]
    fn matches_as_before() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut pick = |tokens: &[&str], n: usize| -> String {
            (0..n)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    tokens[(state % tokens.len() as u64) as usize]
                })
                .collect()
        };
        for _ in 0..20_000 {
            let pattern = pick(&["a", "b", "*", "?", "/", "**", "**/", ""], 6);
            let path = pick(&["a", "b", "/", "ab", ""], 6);
            assert_eq!(
                super::glob(&pattern, &path),
                reference(&pattern, &path),
                "{pattern:?} vs {path:?}"
            );
        }
    }
}
