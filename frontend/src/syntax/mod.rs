//! Bytes → untyped instruction nodes.
//!
//! Owns the Dockerfile's lexical layer: parser directives (`syntax`, `escape`, `check`),
//! line continuations, comments, heredoc bodies, JSON versus shell forms, leading
//! `--flags`, and the line range plus byte span of every instruction. It knows nothing
//! about what an instruction means and never expands variables: that is `model`'s job.

pub mod dump;
mod words;

pub use dump::dump;

use crate::diagnostics::{Diagnostic, Span};
use crate::limits::{MAX_INSTRUCTION_BYTES, MAX_INSTRUCTIONS, MAX_ONBUILD_CHAIN};
use words::{JsonArray, extract_flags, parse_json_array, parse_words, split_heredoc_words};

/// A parser directive found in the leading comment lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Lower-cased name: `syntax`, `escape` or `check`.
    pub name: String,
    /// The value, trimmed.
    pub value: String,
    /// 1-based line of the directive.
    pub line: usize,
}

/// A heredoc attached to an instruction (`<<EOF ... EOF`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter word with quotes removed.
    pub name: String,
    /// File descriptor prefix (`3<<EOF`), 0 when absent.
    pub fd: u32,
    /// Whether variables in the body are expanded (the delimiter was not quoted).
    pub expand: bool,
    /// `<<-`: leading tabs are stripped from the body.
    pub chomp: bool,
    /// The body, each line with its newline, without the terminator line.
    pub content: String,
}

/// One instruction as written, before any interpretation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The instruction keyword as written (case kept).
    pub keyword: String,
    /// Leading `--flag[=value]` words, quotes resolved.
    pub flags: Vec<String>,
    /// Argument nodes in the official parser's shapes (see `dump`).
    pub args: Vec<String>,
    /// The nested instruction of `ONBUILD`.
    pub sub: Option<Box<Node>>,
    /// The arguments were a JSON array.
    pub json: bool,
    /// The logical line after joining continuations (keyword included).
    pub original: String,
    /// Heredoc bodies, in the order their markers appear.
    pub heredocs: Vec<Heredoc>,
    /// Comment lines directly above the instruction (without `#`).
    pub comments: Vec<String>,
    /// Where the instruction sits in the file.
    pub span: Span,
}

impl Node {
    /// Lower-cased keyword.
    pub fn name(&self) -> String {
        self.keyword.to_ascii_lowercase()
    }
}

/// A parse warning (the official parser only warns about empty continuation lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Short text.
    pub message: String,
    /// The line it refers to.
    pub line: usize,
}

/// The parsed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// The parser directives, in file order.
    pub directives: Vec<Directive>,
    /// The escape character (`\` or `` ` ``).
    pub escape: char,
    /// The instructions.
    pub nodes: Vec<Node>,
    /// Non-fatal findings.
    pub warnings: Vec<Warning>,
}

impl Dockerfile {
    /// The value of a directive, if present.
    pub fn directive(&self, name: &str) -> Option<&str> {
        self.directives
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.value.as_str())
    }
}

/// Instructions whose arguments may carry heredocs.
fn can_contain_heredoc(node: &Node) -> bool {
    let target = match (node.name().as_str(), &node.sub) {
        ("onbuild", Some(sub)) => sub,
        _ => node,
    };
    matches!(target.name().as_str(), "run" | "copy" | "add") && !target.json
}

#[derive(Clone, Copy)]
struct Line<'a> {
    /// Text without the line terminator.
    text: &'a str,
    /// Byte offset of the line start.
    start: usize,
    /// Byte offset just past the line terminator.
    end: usize,
}

/// The physical line starting at byte `start` of `src`, if any.
fn line_at(src: &str, start: usize) -> Option<Line<'_>> {
    let rest = src.get(start..).filter(|r| !r.is_empty())?;
    let end = start + rest.find('\n').map_or(rest.len(), |i| i + 1);
    Some(Line {
        text: src[start..end].trim_end_matches(['\r', '\n']),
        start,
        end,
    })
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// Splits `line` at a trailing escape character used as line continuation.
/// Returns the line without it and whether the logical line goes on.
fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    if let Some(rest) = trimmed.strip_suffix(escape) {
        // An escaped escape character (`\\`) is not a continuation, except on a line
        // that holds nothing but the escape.
        if rest.is_empty() || !rest.ends_with(escape) {
            return (rest, true);
        }
    }
    (line, false)
}

struct DirectiveScanner {
    done: bool,
    seen: Vec<String>,
}

impl DirectiveScanner {
    fn scan(&mut self, text: &str, line: usize) -> Result<Option<Directive>, Diagnostic> {
        if self.done {
            return Ok(None);
        }
        let Some(rest) = text.strip_prefix('#') else {
            self.done = true;
            return Ok(None);
        };
        let rest = rest.trim_start();
        let name_len = rest
            .char_indices()
            .take_while(|&(i, c)| {
                if i == 0 {
                    c.is_ascii_alphabetic()
                } else {
                    c.is_ascii_alphanumeric()
                }
            })
            .count();
        let (name, after) = rest.split_at(name_len);
        let after = after.trim_start();
        let value = after.strip_prefix('=').map(str::trim);
        let (Some(value), false) = (value, name.is_empty()) else {
            self.done = true;
            return Ok(None);
        };
        let name = name.to_ascii_lowercase();
        if value.is_empty() || !matches!(name.as_str(), "syntax" | "escape" | "check") {
            self.done = true;
            return Ok(None);
        }
        if self.seen.contains(&name) {
            return Err(
                Diagnostic::error(format!("only one {name} parser directive can be used"))
                    .at_lines(line, line),
            );
        }
        self.seen.push(name.clone());
        Ok(Some(Directive {
            name,
            value: value.to_string(),
            line,
        }))
    }
}

/// Parses a Dockerfile.
///
/// Rejects what the official parser rejects (empty file, no instructions, non-string
/// JSON arrays, unterminated heredocs, bad `escape` directive, `ENV` without value) with a
/// located [`Diagnostic`]. Never panics.
pub fn parse(src: &str) -> Result<Dockerfile, Diagnostic> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let mut p = Parser {
        src,
        next: 0,
        i: 0,
        escape: '\\',
        directives: Vec::new(),
        scanner: DirectiveScanner {
            done: false,
            seen: Vec::new(),
        },
        nodes: Vec::new(),
        warnings: Vec::new(),
        comments: Vec::new(),
    };
    while p.next < src.len() {
        p.instruction()?;
    }
    if p.nodes.is_empty() {
        let n = p.i;
        return Err(Diagnostic::error("file with no instructions").at_lines(n, n));
    }
    Ok(Dockerfile {
        directives: p.directives,
        escape: p.escape,
        nodes: p.nodes,
        warnings: p.warnings,
    })
}

/// The parser's state: the text and where the next physical line starts, the escape
/// character, and what was found so far. Lines are found as they are read, never all
/// at once (a file of empty lines would otherwise cost 32 bytes a line).
struct Parser<'a> {
    src: &'a str,
    /// Byte offset of the next physical line.
    next: usize,
    /// Physical lines read so far (the 1-based number of the last one).
    i: usize,
    escape: char,
    directives: Vec<Directive>,
    scanner: DirectiveScanner,
    nodes: Vec<Node>,
    warnings: Vec<Warning>,
    /// Comment lines above the next instruction.
    comments: Vec<String>,
}

impl<'a> Parser<'a> {
    /// Reads the next physical line, if any.
    fn next_line(&mut self) -> Option<Line<'a>> {
        let line = line_at(self.src, self.next)?;
        self.next = line.end;
        self.i += 1;
        Some(line)
    }

    /// Processes one physical line: trims, records directives (the `escape` one takes
    /// effect at once), drops comments. Returns the kept text and whether the line was
    /// a directive.
    fn process(
        &mut self,
        text: &'a str,
        no: usize,
        strip_left: bool,
    ) -> Result<(&'a str, bool), Diagnostic> {
        let text = if strip_left { text.trim_start() } else { text };
        let mut directive_ok = false;
        if let Some(d) = self.scanner.scan(text, no)? {
            if d.name == "escape" {
                self.escape = match d.value.as_str() {
                    "\\" => '\\',
                    "`" => '`',
                    v => {
                        return Err(Diagnostic::error(format!(
                            "invalid escape token '{v}' does not match ` or \\"
                        ))
                        .at_lines(no, no));
                    }
                };
            }
            self.directives.push(d);
            directive_ok = true;
        }
        let kept = if is_comment(text) { "" } else { text };
        Ok((kept, directive_ok))
    }

    /// Reads the next logical line (with its continuation lines and heredoc bodies)
    /// into a node; comment and blank lines only update the pending comments.
    fn instruction(&mut self) -> Result<(), Diagnostic> {
        let Some(line) = self.next_line() else {
            return Ok(());
        };
        let no = self.i;
        if is_comment(line.text) {
            let c = line.text.trim_start()[1..].trim();
            if c.is_empty() {
                self.comments.clear();
            } else {
                self.comments.push(c.to_string());
            }
        }
        let (text, directive_ok) = self.process(line.text, no, true)?;
        if directive_ok {
            self.comments.pop();
        }
        let (first, more) = trim_continuation(text, self.escape);
        if !more && first.is_empty() {
            return Ok(());
        }
        let mut span = Span {
            start_line: no,
            end_line: no,
            start: line.start + (line.text.len() - line.text.trim_start().len()),
            end: line.end,
        };
        if self.nodes.len() == MAX_INSTRUCTIONS {
            return Err(Diagnostic::error(format!(
                "the Dockerfile has more than {MAX_INSTRUCTIONS} instructions, the most slimfile \
                 builds"
            ))
            .at_lines(no, no));
        }
        let logical = self.continuation(first, more, &mut span)?;
        let comments = std::mem::take(&mut self.comments);
        let mut node = node_from_line(&logical, self.escape, comments, 0)
            .map_err(|d| d.at_lines(span.start_line, span.end_line))?;
        if can_contain_heredoc(&node) && logical.contains("<<") {
            for doc in heredocs_from_line(&logical) {
                let doc = self.heredoc_body(doc, &mut span)?;
                node.heredocs.push(doc);
            }
        }
        node.span = span;
        self.nodes.push(node);
        Ok(())
    }

    /// Joins continuation lines onto `first`, skipping comment lines and warning about
    /// empty ones; extends `span` to the last line read.
    fn continuation(
        &mut self,
        first: &str,
        mut more: bool,
        span: &mut Span,
    ) -> Result<String, Diagnostic> {
        if first.len() > MAX_INSTRUCTION_BYTES {
            return Err(too_long(span));
        }
        let mut logical = first.to_string();
        let mut empty_continuation = false;
        while more && let Some(l) = self.next_line() {
            span.end_line = self.i;
            span.end = l.end;
            let (t, _) = self.process(l.text, self.i, false)?;
            if is_comment(l.text) {
                continue;
            }
            if t.trim_start().is_empty() {
                empty_continuation = true;
                continue;
            }
            let (part, cont) = trim_continuation(t, self.escape);
            if logical.len() + part.len() > MAX_INSTRUCTION_BYTES {
                return Err(too_long(span));
            }
            logical.push_str(part);
            more = cont;
        }
        if empty_continuation {
            self.warnings.push(Warning {
                message: format!("Empty continuation line found in: {logical}"),
                line: span.end_line,
            });
        }
        Ok(logical)
    }

    /// Reads a heredoc's body up to its delimiter line (`<<-` ignores leading tabs on
    /// it); extends `span` to the delimiter.
    fn heredoc_body(&mut self, mut doc: Heredoc, span: &mut Span) -> Result<Heredoc, Diagnostic> {
        let mut content = String::new();
        while let Some(l) = self.next_line() {
            span.end_line = self.i;
            span.end = l.end;
            let candidate = if doc.chomp {
                l.text.trim_start_matches('\t')
            } else {
                l.text
            };
            if candidate == doc.name {
                doc.content = content;
                return Ok(doc);
            }
            content.push_str(&self.src[l.start..l.end]);
        }
        Err(Diagnostic::error("unterminated heredoc").at_lines(span.start_line, span.end_line))
    }
}

/// The error for an instruction whose logical line is over [`MAX_INSTRUCTION_BYTES`].
fn too_long(span: &Span) -> Diagnostic {
    Diagnostic::error(format!(
        "instruction is longer than {} (continuation lines joined), the most slimfile \
         reads as one instruction",
        crate::limits::human(MAX_INSTRUCTION_BYTES)
    ))
    .at_lines(span.start_line, span.end_line)
}

/// Builds a node from one logical line: keyword, flags and arguments in the shape the
/// keyword's line parser gives.
fn node_from_line(
    line: &str,
    escape: char,
    comments: Vec<String>,
    onbuilds: usize,
) -> Result<Node, Diagnostic> {
    let trimmed = line.trim();
    let (keyword, rest) = match trimmed.find(is_ws) {
        Some(i) => (&trimmed[..i], trimmed[i..].trim_start_matches(is_ws)),
        None => (trimmed, ""),
    };
    let (rest, flags) = if rest.is_empty() {
        (String::new(), Vec::new())
    } else {
        let (r, f) = extract_flags(rest, escape);
        (r.trim().to_string(), f)
    };
    let mut node = Node {
        keyword: keyword.to_string(),
        flags,
        args: Vec::new(),
        sub: None,
        json: false,
        original: line.to_string(),
        heredocs: Vec::new(),
        comments,
        span: Span::default(),
    };
    let rest = rest.as_str();
    match node.name().as_str() {
        "add" | "copy" | "volume" => match parse_json_array(rest)? {
            JsonArray::Strings(v) => {
                node.args = v;
                node.json = true;
            }
            JsonArray::NotJson => node.args = split_ws(rest),
        },
        "cmd" | "entrypoint" | "run" | "shell" => parse_maybe_json(&mut node, rest)?,
        "env" | "label" => {
            node.args = parse_name_val(rest, &node.keyword.to_ascii_uppercase(), escape)?
        }
        "arg" => node.args = parse_words(rest, escape),
        "expose" | "from" => node.args = split_ws(rest),
        "maintainer" | "stopsignal" | "user" | "workdir" => {
            if !rest.is_empty() {
                node.args = vec![rest.to_string()];
            }
        }
        "healthcheck" => {
            if !rest.is_empty() {
                let (typ, cmd) = match rest.find(is_ws) {
                    Some(i) => (&rest[..i], rest[i..].trim_start_matches(is_ws)),
                    None => (rest, ""),
                };
                parse_maybe_json(&mut node, cmd)?;
                node.args.insert(0, typ.to_string());
            }
        }
        "onbuild" => {
            if !rest.is_empty() {
                // Each level copies the rest of the line: a chain is refused before
                // that grows (the model refuses any chain, as the official frontend).
                if onbuilds == MAX_ONBUILD_CHAIN {
                    return Err(Diagnostic::error(
                        "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                    ));
                }
                let sub = node_from_line(rest, escape, Vec::new(), onbuilds + 1)?;
                node.sub = Some(Box::new(sub));
            }
        }
        _ => node.args = vec![String::new()],
    }
    Ok(node)
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{0b}' | '\u{0c}' | '\r')
}

fn split_ws(rest: &str) -> Vec<String> {
    if rest.is_empty() {
        return Vec::new();
    }
    rest.split(is_ws)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn parse_maybe_json(node: &mut Node, rest: &str) -> Result<(), Diagnostic> {
    if rest.is_empty() {
        return Ok(());
    }
    match parse_json_array(rest)? {
        JsonArray::Strings(v) => {
            node.args = v;
            node.json = true;
        }
        JsonArray::NotJson => node.args = vec![rest.to_string()],
    }
    Ok(())
}

/// `ENV`/`LABEL` arguments as (key, value, separator) triples, flattened.
fn parse_name_val(rest: &str, key: &str, escape: char) -> Result<Vec<String>, Diagnostic> {
    let words = parse_words(rest, escape);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    if !words[0].contains('=') {
        // Legacy `KEY name value`: the value is the raw rest of the line.
        let Some(i) = rest.find(is_ws) else {
            return Err(Diagnostic::error(format!("{key} must have two arguments")));
        };
        let value = rest[i..].trim_start_matches(is_ws);
        return Ok(vec![
            rest[..i].to_string(),
            value.to_string(),
            String::new(),
        ]);
    }
    let mut out = Vec::with_capacity(words.len() * 3);
    for w in words {
        let Some((k, v)) = w.split_once('=') else {
            return Err(Diagnostic::error(format!(
                "Syntax error - can't find = in {w:?}. Must be of the form: name=value"
            )));
        };
        out.extend([k.to_string(), v.to_string(), "=".to_string()]);
    }
    Ok(out)
}

/// Heredoc markers on a logical line (`<<EOF`, `<<-EOF`, `3<<"EOF"` ...).
fn heredocs_from_line(line: &str) -> Vec<Heredoc> {
    split_heredoc_words(line)
        .iter()
        .filter_map(|w| parse_heredoc_marker(w))
        .collect()
}

/// Parses one word as a heredoc marker: `[fd]<<[-]WORD`.
pub fn parse_heredoc_marker(word: &str) -> Option<Heredoc> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let rest = word[digits..].strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let rest = rest.trim_start();
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let (name, quoted) = words::unquote_heredoc_word(rest)?;
    Some(Heredoc {
        name,
        fd: word[..digits].parse().unwrap_or(0),
        expand: !quoted,
        chomp,
        content: String::new(),
    })
}

/// Removes leading tabs from every line of a `<<-` heredoc body.
pub fn chomp_heredoc(content: &str) -> String {
    content
        .split_inclusive('\n')
        .map(|l| l.trim_start_matches('\t'))
        .collect()
}

#[cfg(test)]
mod tests;
