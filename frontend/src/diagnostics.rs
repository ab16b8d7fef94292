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
    pub fn render(&self, filename: &str, source: &str) -> String {
        let mut out = String::new();
        let lines: Vec<&str> = source.lines().collect();
        for span in &self.spans {
            if span.start_line == 0 || span.start_line > lines.len() {
                continue;
            }
            let end = span.end_line.min(lines.len());
            let first = span.start_line.saturating_sub(2).max(1);
            let last = (end + 2).min(lines.len());
            out.push_str(&format!("{filename}:{}", span.start_line));
            if let Some(col) = span.column(source) {
                out.push_str(&format!(":{col}"));
            }
            if end > span.start_line {
                out.push_str(&format!("-{end}"));
            }
            out.push_str("\n--------------------\n");
            for (i, line) in lines.iter().enumerate().take(last).skip(first - 1) {
                let no = i + 1;
                let mark = if no >= span.start_line && no <= end {
                    ">>>"
                } else {
                    "   "
                };
                out.push_str(&format!(" {no:>3} | {mark} {line}\n"));
            }
            out.push_str("--------------------\n");
        }
        out.push_str(&format!("error: {}", self.message));
        if let Some(help) = &self.help {
            out.push_str(&format!("\nhelp: {help}"));
        }
        out
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
}
