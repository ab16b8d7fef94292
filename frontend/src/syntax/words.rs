//! Word-level lexing of instruction arguments, before any variable expansion.

use crate::diagnostics::Diagnostic;

/// Result of trying to read arguments as a JSON array.
pub(super) enum JsonArray {
    /// A JSON array of strings.
    Strings(Vec<String>),
    /// Not JSON (or not an array): the caller falls back to the shell form.
    NotJson,
}

/// Reads `rest` as a JSON array of strings. Invalid JSON is `NotJson`; a valid array
/// with a non-string element is an error, as in the official parser.
pub(super) fn parse_json_array(rest: &str) -> Result<JsonArray, Diagnostic> {
    let rest = rest.trim_start();
    if !rest.starts_with('[') {
        return Ok(JsonArray::NotJson);
    }
    let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(rest)
    else {
        return Ok(JsonArray::NotJson);
    };
    items
        .into_iter()
        .map(|v| match v {
            serde_json::Value::String(s) => Ok(s),
            _ => Err(Diagnostic::error(
                "when using JSON array syntax, arrays must be comprised of strings only",
            )),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(JsonArray::Strings)
}

/// Splits on whitespace outside quotes, keeping quotes and escape characters in the
/// words (they are resolved later, during expansion).
pub(super) fn parse_words(rest: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut blank_ok = false;
    let mut quote: Option<char> = None;
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            None if c.is_whitespace() => {
                if blank_ok || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                blank_ok = false;
            }
            None => {
                if c == '\'' || c == '"' {
                    quote = Some(c);
                    blank_ok = true;
                }
                if c == escape {
                    if let Some(n) = chars.next() {
                        word.push(c);
                        word.push(n);
                    }
                    continue;
                }
                word.push(c);
            }
            Some(q) => {
                if c == q {
                    quote = None;
                }
                if c == escape && q != '\'' {
                    match chars.next() {
                        Some(n) => {
                            word.push(c);
                            word.push(n);
                        }
                        None => quote = None,
                    }
                    continue;
                }
                word.push(c);
            }
        }
    }
    if blank_ok || !word.is_empty() {
        words.push(word);
    }
    words
}

/// Takes leading `--flag` words off `line`; `--` alone ends the flags.
/// Returns the rest of the line and the flags with quotes resolved.
pub(super) fn extract_flags(line: &str, escape: char) -> (String, Vec<String>) {
    let mut flags = Vec::new();
    let mut word = String::new();
    let mut blank_ok = false;
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut iter = line.char_indices().peekable();
    while let Some((pos, c)) = iter.next() {
        if !in_word {
            if c.is_whitespace() {
                continue;
            }
            if !line[pos..].starts_with("--") {
                return (line[pos..].to_string(), flags);
            }
            in_word = true;
        }
        match quote {
            None => {
                if c.is_whitespace() {
                    in_word = false;
                    if word == "--" {
                        return (line[pos..].to_string(), flags);
                    }
                    if blank_ok || !word.is_empty() {
                        flags.push(std::mem::take(&mut word));
                    }
                    word.clear();
                    blank_ok = false;
                    continue;
                }
                if c == '\'' || c == '"' {
                    quote = Some(c);
                    blank_ok = true;
                    continue;
                }
                if c == escape {
                    if let Some((_, n)) = iter.next() {
                        word.push(n);
                    }
                    continue;
                }
                word.push(c);
            }
            Some(q) => {
                if c == q {
                    quote = None;
                    continue;
                }
                if c == escape {
                    match iter.next() {
                        Some((_, n)) => word.push(n),
                        None => quote = None,
                    }
                    continue;
                }
                word.push(c);
            }
        }
    }
    if in_word && word != "--" && (blank_ok || !word.is_empty()) {
        flags.push(word);
    }
    (String::new(), flags)
}

/// Splits a logical line into shell-like words keeping quotes and escapes, as the
/// official parser does when it looks for heredoc markers.
pub(super) fn split_heredoc_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            (None, '\'' | '"') => {
                quote = Some(c);
                word.push(c);
            }
            (Some('\''), '\'') | (Some('"'), '"') => {
                quote = None;
                word.push(c);
            }
            (None | Some('"'), '\\') => {
                word.push(c);
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            _ => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Resolves quotes and escapes of a heredoc delimiter. Returns the name and whether
/// any part of it was quoted (which disables expansion of the body); `None` when the
/// delimiter is not exactly one word.
pub(super) fn unquote_heredoc_word(raw: &str) -> Option<(String, bool)> {
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut started = false;
    let mut quoted = false;
    let mut quote: Option<char> = None;
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            (None, '\'' | '"') => {
                quote = Some(c);
                quoted = true;
                started = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, '\\') | (Some('"'), '\\') => {
                started = true;
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            _ => {
                started = true;
                word.push(c);
            }
        }
    }
    if started {
        words.push(word);
    }
    match words.as_slice() {
        [one] => Some((one.clone(), quoted)),
        _ => None,
    }
}
