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
            p = clean(&p);
            if p.len() > 1 && p.starts_with('/') {
                p = p[1..].to_string();
            }
        }
        out.push(if negate { format!("!{p}") } else { p });
    }
    out
}

fn clean(p: &str) -> String {
    let abs = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." if parts.last().is_some_and(|l| *l != "..") => {
                parts.pop();
            }
            ".." if abs => {}
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (abs, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cleans_like_the_official_reader() {
        let p = super::parse("\u{feff}# comment\n/foo/../bar\n  *.md  \n!keep.md\n\n./a/\n");
        assert_eq!(p, vec!["bar", "*.md", "!keep.md", "a"]);
    }
}
