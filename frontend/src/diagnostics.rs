//! One error type for the whole library: a [`Diagnostic`] with a code, a message, the
//! Dockerfile spans it points at and optional help. It renders as a code frame like the
//! official frontend's (`Dockerfile:3` header, `>>>` marking the lines).
//!
//! It must not know about gRPC: the gateway turns spans into `errdefs.Source` details.

use std::fmt;

/// A location in the Dockerfile: 1-based inclusive line range and byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First line (1-based).
    pub start_line: usize,
    /// Last line (1-based, inclusive).
    pub end_line: usize,
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset just past the last character.
    pub end: usize,
}

impl Span {
    /// The 1-based column of the span's first character in `source`, when the span
    /// has a byte offset.
    pub fn column(&self, source: &str) -> Option<usize> {
        if self.start == 0 && self.end == 0 {
            return None;
        }
        let before = source.get(..self.start)?;
        Some(before.rsplit('\n').next().unwrap_or("").chars().count() + 1)
    }

    /// A span covering whole lines, without byte offsets.
    pub fn lines(start_line: usize, end_line: usize) -> Self {
        Span {
            start_line,
            end_line: end_line.max(start_line),
            start: 0,
            end: 0,
        }
    }
}

/// An error about the Dockerfile or the build request (warnings are lint findings).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Diagnostic {
    /// What is wrong, in the official frontend's words where it has them.
    pub message: String,
    /// Where; the first span is the primary one.
    pub spans: Vec<Span>,
    /// How to fix it, when known.
    pub help: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Diagnostic {
    /// A new error without location.
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            message: message.into(),
            spans: Vec::new(),
            help: None,
        }
    }

    /// Adds a line range, unless the diagnostic already has a location.
    pub fn at_lines(self, start: usize, end: usize) -> Self {
        self.at(Span::lines(start, end))
    }

    /// Adds a span, unless the diagnostic already has a location.
    pub fn at(mut self, span: Span) -> Self {
        if self.spans.is_empty() {
            self.spans.push(span);
        }
        self
    }

    /// Adds help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Renders the diagnostic with a code frame in the official frontend's style:
    ///
    /// ```text
    /// Dockerfile:3:1
    /// --------------------
    ///    2 |     FROM alpine
    ///    3 | >>> RUN false
    /// --------------------
    /// error: ...
    /// ```
    ///
    /// Only the lines shown are read from `source`; a span over more than
    /// [`FRAME_LINES`] lines shows its first and last lines around a `...` line, and a
    /// line over [`FRAME_WIDTH`] characters is cut.
    pub fn render(&self, filename: &str, source: &str) -> String {
        let mut out = String::new();
        for span in &self.spans {
            frame(&mut out, filename, source, span);
        }
        out.push_str(&format!("error: {}", self.message));
        if let Some(help) = &self.help {
            out.push_str(&format!("\nhelp: {help}"));
        }
        out
    }
}

/// The most marked lines a code frame shows in full.
pub const FRAME_LINES: usize = 12;

/// The most characters of one line a code frame shows.
pub const FRAME_WIDTH: usize = 240;

/// Appends the code frame of `span` (header, two lines of context each side).
fn frame(out: &mut String, filename: &str, source: &str, span: &Span) {
    if span.start_line == 0 {
        return;
    }
    let first = span.start_line.saturating_sub(2).max(1);
    let last = span.end_line.max(span.start_line) + 2;
    let window: Vec<(usize, &str)> = source
        .lines()
        .enumerate()
        .skip(first - 1)
        .take(last + 1 - first)
        .map(|(i, l)| (i + 1, l))
        .collect();
    let Some(&(max_line, _)) = window.last() else {
        return;
    };
    if span.start_line > max_line {
        return;
    }
    let end = span.end_line.min(max_line);
    out.push_str(&format!("{filename}:{}", span.start_line));
    if let Some(col) = span.column(source) {
        out.push_str(&format!(":{col}"));
    }
    if end > span.start_line {
        out.push_str(&format!("-{end}"));
    }
    out.push_str("\n--------------------\n");
    let marked = end + 1 - span.start_line;
    let elide = marked > FRAME_LINES;
    let keep = FRAME_LINES / 2;
    for &(no, line) in &window {
        let inside = no >= span.start_line && no <= end;
        if elide && inside && no >= span.start_line + keep && no + keep <= end {
            if no == span.start_line + keep {
                let hidden = marked - 2 * keep;
                out.push_str(&format!("     | ... {hidden} more lines\n"));
            }
            continue;
        }
        let mark = if inside { ">>>" } else { "   " };
        out.push_str(&format!(" {no:>3} | {mark} {}\n", cut(line)));
    }
    out.push_str("--------------------\n");
}

/// `line`, cut to [`FRAME_WIDTH`] characters.
fn cut(line: &str) -> std::borrow::Cow<'_, str> {
    match line.char_indices().nth(FRAME_WIDTH) {
        Some((i, _)) => format!("{} ...", &line[..i]).into(),
        None => line.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_file_line_column_and_snippet() {
        let src = "FROM a\n  COPY x\nRUN y\n";
        let d = Diagnostic::error("COPY requires at least two arguments").at(Span {
            start_line: 2,
            end_line: 2,
            start: 9,
            end: 16,
        });
        let out = d.render("Dockerfile", src);
        assert!(out.starts_with("Dockerfile:2:3\n"), "{out}");
        assert!(out.contains("   2 | >>>   COPY x"), "{out}");
        assert!(
            out.ends_with("error: COPY requires at least two arguments"),
            "{out}"
        );
    }

    #[test]
    fn long_spans_and_lines_are_cut() {
        let src = format!(
            "FROM a\nRUN {} \\\n{}done\n",
            "x".repeat(1000),
            "y \\\n".repeat(100)
        );
        let out = Diagnostic::error("too long")
            .at_lines(2, 103)
            .render("Dockerfile", &src);
        assert!(out.starts_with("Dockerfile:2-103\n"), "{out}");
        assert!(out.contains("| ... 90 more lines\n"), "{out}");
        assert!(out.contains(" 103 | >>> done\n"), "{out}");
        assert!(
            out.lines().all(|l| l.chars().count() < FRAME_WIDTH + 20),
            "{out}"
        );
        assert_eq!(
            out.lines().filter(|l| l.contains(">>>")).count(),
            FRAME_LINES,
            "{out}"
        );
    }
}
