//! Expansion of `$var` and `${...}` references in Dockerfile words (BuildKit's ARG/ENV
//! substitution), with quote and escape removal and, for word lists, splitting on
//! unquoted whitespace. No shell is involved and nothing is ever executed.
//!
//! Behaviour, error messages and quirks follow moby/buildkit
//! `frontend/dockerfile/shell/lex.go` (unix flavour: case-sensitive keys). Known
//! deviations: when splitting into words, text before a `${x<op>...}` in the same word
//! is kept (Go's shared word buffer drops it); Unicode letter/digit classes for names
//! use Rust's `Alphabetic`/`Numeric` properties instead of Go's `L`/`Nd` categories.
//! Patterns (`#`, `%`, `/`) support `*`, `?` and `\` escapes; like BuildKit, `[...]`
//! is literal.

mod budget;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

pub use budget::{Budget, MAX_MATCH_CELLS, MAX_MATCH_STEPS};
use budget::{check_match, check_word, too_costly};

use crate::limits::MAX_NESTING;

/// Variable lookup for expansion.
pub trait Env {
    /// Value of `key`, if set (may be empty).
    fn get(&self, key: &str) -> Option<String>;
    /// All keys (used for suggestions/unused-arg reporting); order unspecified.
    fn keys(&self) -> Vec<String>;
}

impl Env for BTreeMap<String, String> {
    fn get(&self, key: &str) -> Option<String> {
        BTreeMap::get(self, key).cloned()
    }
    fn keys(&self) -> Vec<String> {
        BTreeMap::keys(self).cloned().collect()
    }
}

/// An ordered environment list: the last occurrence of a key wins (case-sensitive).
impl Env for [(String, String)] {
    fn get(&self, key: &str) -> Option<String> {
        self.iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }
    fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.iter().map(|(k, _)| k.clone()).collect();
        keys.sort();
        keys.dedup();
        keys
    }
}

/// Same as the slice implementation.
impl Env for Vec<(String, String)> {
    fn get(&self, key: &str) -> Option<String> {
        Env::get(self.as_slice(), key)
    }
    fn keys(&self) -> Vec<String> {
        Env::keys(self.as_slice())
    }
}

/// Options of the lexer (mirrors shell.Lex fields), and the expansion budget its
/// clones share (see [`Budget`]).
#[derive(Debug, Clone)]
pub struct Lexer {
    /// Escape character: `\` (default) or `` ` ``.
    pub escape: char,
    /// Keep quotes in the output (RawQuotes).
    pub raw_quotes: bool,
    /// Keep escape characters in the output (RawEscapes).
    pub raw_escapes: bool,
    /// Treat quotes as ordinary characters (SkipProcessQuotes).
    pub skip_process_quotes: bool,
    /// Leave `$VAR` untouched when VAR is unset (SkipUnsetEnv).
    pub skip_unset_env: bool,
    /// The bytes substitutions produced so far, with this lexer and its clones.
    pub budget: Budget,
}

/// Result of expanding one word.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expansion {
    /// The expanded word.
    pub result: String,
    /// Variables referenced that were set.
    pub matched: BTreeSet<String>,
    /// Variables referenced that were unset.
    pub unmatched: BTreeSet<String>,
}

/// An expansion failure (bad substitution, `${x:?msg}` on unset x, unterminated `${`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandError {
    /// Human-readable message, worded like BuildKit's.
    pub message: String,
}

impl fmt::Display for ExpandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExpandError {}

impl Lexer {
    /// A lexer with the given escape character, every option off and a budget of its
    /// own.
    pub fn new(escape: char) -> Self {
        Lexer {
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_process_quotes: false,
            skip_unset_env: false,
            budget: Budget::default(),
        }
    }

    /// Expand one word (ProcessWord): quotes and escapes are removed, spaces kept.
    pub fn process_word(&self, word: &str, env: &dyn Env) -> Result<Expansion, ExpandError> {
        let mut scan = Scan::new(self, env, word);
        let (result, _) = scan.run(word)?;
        Ok(Expansion {
            result,
            matched: scan.matched,
            unmatched: scan.unmatched,
        })
    }

    /// Expand and split into words (ProcessWords): unquoted whitespace, including
    /// whitespace coming from variable values, separates words.
    pub fn process_words(&self, word: &str, env: &dyn Env) -> Result<Vec<String>, ExpandError> {
        Ok(Scan::new(self, env, word).run(word)?.1)
    }
}

/// The word an error is about, Go-quoted, cut after [`SHOWN_WORD`] characters (a
/// hostile word can be megabytes long).
fn quote_word(word: &str) -> String {
    match word.char_indices().nth(SHOWN_WORD) {
        Some((i, _)) => format!("{}...", crate::golang::quote(&word[..i])),
        None => crate::golang::quote(word),
    }
}

/// Characters of a word an expansion error quotes.
const SHOWN_WORD: usize = 100;

const MISSING_BRACE: &str = "syntax error: missing '}'";

fn unterminated(what: &str) -> String {
    format!("unexpected end of statement while looking for matching {what}")
}

fn unsupported(modifier: &str) -> String {
    format!("unsupported modifier ({modifier}) in substitution")
}

/// Word splitting state of one nesting level.
#[derive(Default)]
struct Words {
    done: Vec<String>,
    buf: String,
}

impl Words {
    /// Unless `raw` (quoted or escaped), whitespace ends the current word, if any.
    fn add_char(&mut self, c: char, raw: bool) {
        if raw || !c.is_whitespace() {
            self.buf.push(c);
        } else if !self.buf.is_empty() {
            self.done.push(std::mem::take(&mut self.buf));
        }
    }
    fn add_str(&mut self, s: &str, raw: bool) {
        s.chars().for_each(|c| self.add_char(c, raw));
    }
    fn finish(mut self) -> Vec<String> {
        if !self.buf.is_empty() {
            self.done.push(self.buf);
        }
        self.done
    }
}

/// Cursor over one input word.
struct Scan<'a> {
    lx: &'a Lexer,
    env: &'a dyn Env,
    chars: Vec<char>,
    pos: usize,
    raw_escapes: bool,
    /// `${` references open around the cursor.
    depth: usize,
    matched: BTreeSet<String>,
    unmatched: BTreeSet<String>,
}

impl<'a> Scan<'a> {
    fn new(lx: &'a Lexer, env: &'a dyn Env, word: &str) -> Self {
        // Go's text/scanner drops a leading byte order mark.
        let word = word.strip_prefix('\u{feff}').unwrap_or(word);
        Scan {
            lx,
            env,
            chars: word.chars().collect(),
            pos: 0,
            raw_escapes: lx.raw_escapes,
            depth: 0,
            matched: BTreeSet::new(),
            unmatched: BTreeSet::new(),
        }
    }

    fn run(&mut self, source: &str) -> Result<(String, Vec<String>), ExpandError> {
        self.stop_on(None, self.lx.raw_escapes)
            .map_err(|e| ExpandError {
                message: format!("failed to process {}: {e}", quote_word(source)),
            })
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        self.pos += usize::from(c.is_some());
        c
    }

    fn get_env(&mut self, name: &str) -> Option<String> {
        let value = self.env.get(name);
        let set = if value.is_some() {
            &mut self.matched
        } else {
            &mut self.unmatched
        };
        set.insert(name.to_string());
        value
    }

    /// Process up to `stop` (consumed) or the end of input; returns text and words.
    fn stop_on(&mut self, stop: Option<char>, raw: bool) -> Result<(String, Vec<String>), String> {
        let saved = std::mem::replace(&mut self.raw_escapes, raw);
        let res = self.stop_on_inner(stop);
        self.raw_escapes = saved;
        res
    }

    fn stop_on_inner(&mut self, stop: Option<char>) -> Result<(String, Vec<String>), String> {
        let mut out = String::new();
        let mut words = Words::default();
        let quotes = !self.lx.skip_process_quotes;
        while let Some(c) = self.peek() {
            if Some(c) == stop {
                self.pos += 1;
                return Ok((out, words.finish()));
            }
            let special = match c {
                '$' => Some(self.dollar()?),
                '<' => Some(self.heredoc()),
                '\'' if quotes => Some(self.single_quote()?),
                '"' if quotes => Some(self.double_quote()?),
                _ => None,
            };
            if let Some(s) = special {
                check_word(out.len(), s.len())?;
                out.push_str(&s);
                words.add_str(&s, c != '$');
                continue;
            }
            self.pos += 1;
            if c != self.lx.escape {
                words.add_char(c, false);
                out.push(c);
                continue;
            }
            if self.raw_escapes {
                words.add_char(c, true);
                out.push(c);
            }
            // The escape character escapes anything, except the end of input.
            let Some(e) = self.next() else { break };
            words.add_char(e, true);
            out.push(e);
        }
        match stop {
            Some(s) => Err(unterminated(&s.to_string())),
            None => Ok((out, words.finish())),
        }
    }

    /// Like `stop_on`, reporting `missing` when the input ran out.
    fn until(&mut self, stop: char, raw: bool, missing: &str) -> Result<String, String> {
        match self.stop_on(Some(stop), raw) {
            Ok((s, _)) => Ok(s),
            Err(_) if self.peek().is_none() => Err(missing.to_string()),
            Err(e) => Err(e),
        }
    }

    fn single_quote(&mut self) -> Result<String, String> {
        let mut out = String::new();
        let q = self.next();
        out.extend(q.filter(|_| self.lx.raw_quotes));
        loop {
            match self.next() {
                None => return Err(unterminated("single-quote")),
                Some('\'') => {
                    out.extend(q.filter(|_| self.lx.raw_quotes));
                    return Ok(out);
                }
                Some(c) => out.push(c),
            }
        }
    }

    fn double_quote(&mut self) -> Result<String, String> {
        let mut out = String::new();
        let q = self.next();
        out.extend(q.filter(|_| self.lx.raw_quotes));
        loop {
            match self.peek() {
                None => return Err(unterminated("double-quote")),
                Some('"') => {
                    self.pos += 1;
                    out.extend(q.filter(|_| self.lx.raw_quotes));
                    return Ok(out);
                }
                Some('$') => {
                    let s = self.dollar()?;
                    check_word(out.len(), s.len())?;
                    out.push_str(&s);
                }
                Some(mut c) => {
                    self.pos += 1;
                    if c == self.lx.escape {
                        if self.raw_escapes {
                            out.push(c);
                        }
                        match self.peek() {
                            None => continue,
                            Some(e) if e == '"' || e == '$' || e == self.lx.escape => {
                                self.pos += 1;
                                c = e;
                            }
                            Some(_) => {}
                        }
                    }
                    out.push(c);
                }
            }
        }
    }

    fn heredoc(&mut self) -> String {
        self.pos += 1;
        if self.peek() != Some('<') {
            return "<".into();
        }
        self.pos += 1;
        let mut out = String::from("<<");
        while let Some(c) = self.peek().filter(|c| matches!(c, ' ' | '\t' | '\r')) {
            out.push(c);
            self.pos += 1;
        }
        out
    }

    /// A variable name: a run of digits, one special parameter, or letters/digits/`_`.
    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if name.is_empty() && c.is_numeric() {
                while let Some(d) = self.peek().filter(|d| d.is_numeric()) {
                    name.push(d);
                    self.pos += 1;
                }
                break;
            }
            if name.is_empty() && matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.pos += 1;
                name.push(c);
                break;
            }
            if !c.is_alphanumeric() && c != '_' {
                break;
            }
            name.push(c);
            self.pos += 1;
        }
        name
    }

    /// A `$` reference, at most [`MAX_NESTING`] deep; what it produced counts against
    /// the lexer's budget.
    fn dollar(&mut self) -> Result<String, String> {
        if self.depth == MAX_NESTING {
            return Err(format!(
                "variable references nested more than {MAX_NESTING} deep"
            ));
        }
        self.depth += 1;
        let s = self.reference();
        self.depth -= 1;
        let s = s?;
        self.lx.budget.spend(s.len())?;
        Ok(s)
    }

    /// `$name`, `${name}` or `${name<op>...}` after the cursor's `$`.
    fn reference(&mut self) -> Result<String, String> {
        self.pos += 1;
        let skip = self.lx.skip_unset_env;
        if self.peek() != Some('{') {
            let name = self.name();
            if name.is_empty() {
                return Ok("$".into());
            }
            return Ok(match self.get_env(&name) {
                Some(v) => v,
                None if skip => format!("${name}"),
                None => String::new(),
            });
        }
        self.pos += 1;
        match self.peek() {
            None => return Err(MISSING_BRACE.into()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".into()),
            Some(_) => {}
        }
        let name = self.name();
        match self.next() {
            Some('}') => Ok(match self.get_env(&name) {
                Some(v) => v,
                None if skip => format!("${{{name}}}"),
                None => String::new(),
            }),
            Some('/') => self.replace(&name),
            Some(c @ (':' | '+' | '-' | '?' | '#' | '%')) => self.modifier(&name, c),
            c => Err(unsupported(&c.unwrap_or('\u{fffd}').to_string())),
        }
    }

    /// `${name<op>word}` for the `-`, `+`, `?`, `#`, `%` operators, optionally after `:`.
    fn modifier(&mut self, name: &str, first: char) -> Result<String, String> {
        let colon = first == ':';
        let op = if colon { self.next() } else { Some(first) }.unwrap_or('\u{fffd}');
        let chs = format!("{}{op}", if colon { ":" } else { "" });
        let trim = op == '#' || op == '%';
        if colon && trim {
            return Err(unsupported(&chs));
        }
        let word = self.until('}', trim, MISSING_BRACE)?;
        let value = self.get_env(name);
        if self.lx.skip_unset_env && value.is_none() {
            return Ok(format!("${{{name}{chs}{word}}}"));
        }
        let unset_or_null = value.as_ref().is_none_or(|v| colon && v.is_empty());
        match op {
            '-' if unset_or_null => Ok(word),
            '-' => Ok(value.unwrap_or_default()),
            '+' if unset_or_null => Ok(String::new()),
            '+' => Ok(word),
            '?' if unset_or_null => {
                let msg = match (&value, word.is_empty()) {
                    (_, false) => word.as_str(),
                    (None, true) => "is not allowed to be unset",
                    (Some(_), true) => "is not allowed to be empty",
                };
                Err(format!("{name}: {msg}"))
            }
            '?' => Ok(value.unwrap_or_default()),
            '#' | '%' => {
                let (greedy, pattern) = match word.strip_prefix(op) {
                    Some(rest) => (true, rest),
                    None => (false, word.as_str()),
                };
                let value = value.unwrap_or_default();
                if op == '#' {
                    trim_prefix(pattern, &value, greedy)
                } else {
                    trim_suffix(pattern, &value, greedy)
                }
            }
            _ => Err(unsupported(&chs)),
        }
    }

    /// `${name/pattern/replacement}` and `${name//pattern/replacement}`.
    fn replace(&mut self, name: &str) -> Result<String, String> {
        let all = self.peek() == Some('/');
        self.pos += usize::from(all);
        let pattern = self.until('/', true, "syntax error: missing '/' in ${}")?;
        let replacement = self.until('}', true, MISSING_BRACE)?;
        let value = self.get_env(name);
        if self.lx.skip_unset_env && value.is_none() {
            return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
        }
        let value = value.unwrap_or_default();
        let mut m = Matcher::new(&pattern, &value, true)?;
        let len = m.text.len();
        if !all {
            return Ok(match m.find(0, false)? {
                Some((s, e)) => m.slice(0, s) + &replacement + &m.slice(e, len),
                None => value,
            });
        }
        // Mirrors Go's Regexp.ReplaceAllString, including its handling of empty matches.
        let (mut out, mut last, mut pos) = (String::new(), 0, 0);
        while let Some((s, e)) = m.find(pos, false)? {
            out += &m.slice(last, s);
            if e > last || s == 0 {
                expand_template(&replacement, &m.slice(s, e), &mut out);
            }
            check_word(out.len(), 0)?;
            last = e;
            pos = if pos + 1 > e { pos + 1 } else { e };
        }
        Ok(out + &m.slice(last, len))
    }
}

/// Go's `regexp.Expand` for a pattern without groups: `$$` is `$`, `$0`/`${0}` the match,
/// any other `$name`/`${name}` empty, a malformed reference literal.
fn expand_template(template: &str, matched: &str, out: &mut String) {
    let mut rest = template;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        if let Some(r) = rest.strip_prefix('$') {
            out.push('$');
            rest = r;
            continue;
        }
        let (braced, body) = match rest.strip_prefix('{') {
            Some(b) => (true, b),
            None => (false, rest),
        };
        let len = body.find(|c: char| !c.is_alphanumeric() && c != '_');
        let (name, after) = body.split_at(len.unwrap_or(body.len()));
        let after = if braced {
            after.strip_prefix('}')
        } else {
            Some(after)
        };
        match after {
            Some(r) if !name.is_empty() => {
                if name == "0" {
                    out.push_str(matched);
                }
                rest = r;
            }
            _ => out.push('$'),
        }
    }
    out.push_str(rest);
}

/// One element of a shell pattern.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Glob {
    Lit(char),
    /// `?`: any character but a newline.
    Any,
    /// `*`: any run of characters without newlines.
    Star,
}

/// Parse a shell pattern: `*`, `?`, and `\` escaping `*`, `?`, `\` (or, silently,
/// `}` and `/`). Brackets are literal, as in BuildKit.
fn compile_glob(pattern: &str) -> Result<Vec<Glob>, String> {
    let fail = |e: Option<char>| {
        let e = e.unwrap_or('\u{fffd}');
        format!("invalid pattern ({pattern}) in substitution: invalid escape '\\{e}'")
    };
    let mut it = pattern
        .strip_prefix('\u{feff}')
        .unwrap_or(pattern)
        .chars()
        .peekable();
    let mut globs = Vec::new();
    while let Some(c) = it.next() {
        globs.push(match c {
            '*' => Glob::Star,
            '?' => Glob::Any,
            '\\' if matches!(it.peek(), Some('}' | '/')) => continue,
            '\\' => match it.next() {
                Some(e @ ('*' | '?' | '\\')) => Glob::Lit(e),
                e => return Err(fail(e)),
            },
            c => Glob::Lit(c),
        });
    }
    Ok(globs)
}

/// Leftmost-first (Perl-like) search of a glob in a text, as Go's regexp does for the
/// regex BuildKit translates the pattern to. The work is bounded: its table by
/// [`MAX_MATCH_CELLS`], its steps by [`MAX_MATCH_STEPS`].
struct Matcher {
    globs: Vec<Glob>,
    text: Vec<char>,
    greedy: bool,
    pattern: String,
    /// For each (glob, text position) state, the attempt that visited it (0: none).
    /// A state visited by an attempt that failed fails for every later attempt, of
    /// this search or the next ones: only the successful attempts' marks are void.
    visited: Vec<u32>,
    /// Whether each attempt succeeded, by number (attempt 0 is never made).
    succeeded: Vec<bool>,
    steps: usize,
}

impl Matcher {
    fn new(pattern: &str, value: &str, greedy: bool) -> Result<Self, String> {
        let (globs, text): (_, Vec<char>) = (compile_glob(pattern)?, value.chars().collect());
        check_match(pattern, globs.len(), text.len())?;
        Ok(Matcher {
            visited: vec![0; globs.len() * (text.len() + 1)],
            globs,
            text,
            greedy,
            pattern: pattern.to_string(),
            succeeded: vec![false],
            steps: 0,
        })
    }

    fn slice(&self, from: usize, to: usize) -> String {
        self.text[from..to].iter().collect()
    }

    /// First match starting at or after `from` (exactly at `from` if `anchored`).
    fn find(&mut self, from: usize, anchored: bool) -> Result<Option<(usize, usize)>, String> {
        let last = if anchored { from } else { self.text.len() };
        for s in from..=last {
            let attempt = u32::try_from(self.succeeded.len())
                .map_err(|_| too_costly(&self.pattern, self.text.len()))?;
            let found = self.match_at(s, attempt)?;
            self.succeeded.push(found.is_some());
            if let Some(e) = found {
                return Ok(Some((s, e)));
            }
        }
        Ok(None)
    }

    /// Depth-first search in priority order; returns the end of the first match.
    fn match_at(&mut self, start: usize, attempt: u32) -> Result<Option<usize>, String> {
        let width = self.text.len() + 1;
        let mut stack = vec![(0, start)];
        while let Some((gi, ti)) = stack.pop() {
            self.steps += 1;
            if self.steps > MAX_MATCH_STEPS {
                return Err(too_costly(&self.pattern, self.text.len()));
            }
            let Some(glob) = self.globs.get(gi) else {
                return Ok(Some(ti));
            };
            let cell = &mut self.visited[gi * width + ti];
            if *cell != 0 && (*cell == attempt || !self.succeeded[*cell as usize]) {
                continue;
            }
            *cell = attempt;
            let ch = self.text.get(ti).copied();
            match *glob {
                Glob::Lit(c) if ch == Some(c) => stack.push((gi + 1, ti + 1)),
                Glob::Any if ch.is_some_and(|c| c != '\n') => stack.push((gi + 1, ti + 1)),
                Glob::Star => {
                    let run = self.text[ti..].iter().take_while(|c| **c != '\n').count();
                    self.steps += run;
                    let alts = (ti..=ti + run).map(|t| (gi + 1, t));
                    // The alternative to try first goes on top of the stack.
                    if self.greedy {
                        stack.extend(alts);
                    } else {
                        stack.extend(alts.rev());
                    }
                }
                _ => {}
            }
        }
        Ok(None)
    }
}

fn trim_prefix(pattern: &str, value: &str, greedy: bool) -> Result<String, String> {
    let mut m = Matcher::new(pattern, value, greedy)?;
    Ok(m.find(0, true)?
        .map_or_else(|| value.into(), |(_, e)| m.slice(e, m.text.len())))
}

/// Shortest/longest suffix removal, done as a prefix removal on reversed strings.
fn trim_suffix(pattern: &str, value: &str, greedy: bool) -> Result<String, String> {
    // Reverse the pattern but keep each `\x` escape pair in order.
    let chars: Vec<char> = pattern.chars().collect();
    let mut units: Vec<&[char]> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let n = 1 + usize::from(chars[i] == '\\' && i + 1 < chars.len());
        units.push(&chars[i..i + n]);
        i += n;
    }
    let reversed: String = units.iter().rev().flat_map(|u| u.iter()).collect();
    let value: String = value.chars().rev().collect();
    let trimmed = trim_prefix(&reversed, &value, greedy)?;
    Ok(trimmed.chars().rev().collect())
}

#[cfg(test)]
mod tests;
