//! A small POSIX shell reader: splits a RUN script into simple commands.
//!
//! It does not execute or expand anything. It knows operators (`&&`, `||`, `;`, `|`,
//! `&`, newlines, parentheses), quoting, comments, redirections, reserved words of
//! compound commands (`if ... then ... fi`, loops, `{ }`), command substitutions
//! (`$(...)`, read recursively) and heredoc bodies (skipped, never read as commands).
//! Rules ask questions of its output instead of matching raw text, so `echo apt-get
//! install` is an `echo`, not an install.

/// One word of a command after quote removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The text with quotes removed; `$x` and `$(...)` are kept as written.
    pub text: String,
    /// True when the word contains no expansion (`$`, backquote).
    pub literal: bool,
}

/// A simple command: assignments, then words.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Command {
    /// `NAME=value` prefixes.
    pub assignments: Vec<(String, String)>,
    /// The words (command name first).
    pub words: Vec<Word>,
    /// The command was put in the background with `&`.
    pub background: bool,
}

impl Command {
    /// The words as plain strings.
    pub fn argv(&self) -> Vec<&str> {
        self.words.iter().map(|w| w.text.as_str()).collect()
    }
}

/// What reading a script found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Script {
    /// Simple commands: those inside command substitutions first (they run before the
    /// command that uses them), then the others in order of appearance.
    pub commands: Vec<Command>,
    /// The script uses a construct this reader does not model (`case`, functions,
    /// `eval`, unbalanced quotes); rules should be cautious.
    pub uncertain: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(Word),
    Op(&'static str),
    Newline,
}

const RESERVED_PREFIX: &[&str] = &[
    "if", "then", "else", "elif", "do", "while", "until", "!", "{", "time",
];
const RESERVED_END: &[&str] = &["fi", "done", "}", "esac"];

/// Reads a script.
pub fn parse(src: &str) -> Script {
    parse_nested(src, 0)
}

/// Reads a script `depth` command substitutions deep: past
/// [`crate::limits::MAX_SHELL_NESTING`] the substitutions are not read (the script is
/// uncertain), so that neither the stack nor the copies of inner text grow with the
/// nesting.
fn parse_nested(src: &str, depth: usize) -> Script {
    let mut script = Script::default();
    let toks = tokenize(src, &mut script, depth);
    let mut cur = Command::default();
    let mut skip_for = false;
    let flush = |cur: &mut Command, script: &mut Script, bg: bool| {
        if !cur.words.is_empty() || !cur.assignments.is_empty() {
            let mut c = std::mem::take(cur);
            c.background = bg;
            script.commands.push(c);
        }
        *cur = Command::default();
    };
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Op(op) if matches!(*op, "&") => {
                flush(&mut cur, &mut script, true);
                skip_for = false;
            }
            Tok::Op(op) if matches!(*op, "&&" | "||" | ";" | "|" | ";;" | "(" | ")") => {
                flush(&mut cur, &mut script, false);
                skip_for = false;
            }
            Tok::Op(_) => {
                // A redirection: skip its target word.
                i += 1;
            }
            Tok::Newline => {
                flush(&mut cur, &mut script, false);
                skip_for = false;
            }
            Tok::Word(w) => {
                if skip_for {
                    i += 1;
                    continue;
                }
                let at_start = cur.words.is_empty();
                if at_start && w.literal && RESERVED_PREFIX.contains(&w.text.as_str()) {
                    i += 1;
                    continue;
                }
                if at_start && w.literal && RESERVED_END.contains(&w.text.as_str()) {
                    i += 1;
                    continue;
                }
                if at_start && w.literal && (w.text == "for" || w.text == "select") {
                    skip_for = true;
                    i += 1;
                    continue;
                }
                if at_start
                    && w.literal
                    && (w.text == "case" || w.text == "function" || w.text == "eval")
                {
                    script.uncertain = true;
                }
                if at_start && w.text.ends_with("()") {
                    script.uncertain = true;
                }
                if at_start && let Some((name, value)) = assignment(&w.text) {
                    cur.assignments.push((name.to_string(), value.to_string()));
                } else {
                    cur.words.push(w.clone());
                }
            }
        }
        i += 1;
    }
    flush(&mut cur, &mut script, false);
    script
}

fn assignment(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once('=')?;
    let mut chars = name.chars();
    let first = chars.next()?;
    ((first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_'))
    .then_some((name, value))
}

/// Splits a script into words and operators, skipping comments and heredoc bodies;
/// records in `script` what it could not read for sure.
fn tokenize(src: &str, script: &mut Script, depth: usize) -> Vec<Tok> {
    let mut t = Tokenizer {
        depth,
        chars: src.chars().collect(),
        i: 0,
        toks: Vec::new(),
        word: String::new(),
        in_word: false,
        literal: true,
        pending_heredocs: Vec::new(),
        script,
    };
    while t.i < t.chars.len() {
        let c = t.chars[t.i];
        match c {
            '\\' => t.backslash(),
            '\'' => t.single_quoted(),
            '"' => t.double_quoted(),
            '$' | '`' => {
                t.in_word = true;
                t.literal = false;
                t.i = read_expansion(&t.chars, t.i, &mut t.word, t.script, t.depth);
            }
            '#' if !t.in_word => t.comment(),
            ' ' | '\t' => {
                t.end_word();
                t.i += 1;
            }
            '\n' => t.newline(),
            '&' | '|' | ';' | '(' | ')' | '<' | '>' => t.operator(c),
            _ => {
                t.in_word = true;
                t.word.push(c);
                t.i += 1;
            }
        }
    }
    t.end_word();
    t.toks
}

/// The tokenizer's state: position, tokens so far, the word being read, and heredocs
/// whose bodies start after the next newline.
struct Tokenizer<'a> {
    /// Command substitutions around this script.
    depth: usize,
    chars: Vec<char>,
    i: usize,
    toks: Vec<Tok>,
    word: String,
    in_word: bool,
    literal: bool,
    pending_heredocs: Vec<(String, bool)>,
    script: &'a mut Script,
}

impl Tokenizer<'_> {
    /// Ends the current word, if any.
    fn end_word(&mut self) {
        if self.in_word {
            self.toks.push(Tok::Word(Word {
                text: std::mem::take(&mut self.word),
                literal: self.literal,
            }));
            self.in_word = false;
            self.literal = true;
        }
    }

    /// `\` + newline continues the line; `\` + any other character is that character.
    fn backslash(&mut self) {
        if self.chars.get(self.i + 1) == Some(&'\n') {
            self.i += 2;
            return;
        }
        self.in_word = true;
        if let Some(&n) = self.chars.get(self.i + 1) {
            self.word.push(n);
        }
        self.i += 2;
    }

    /// `'...'`: literal up to the next quote (unclosed: uncertain, rest of input).
    fn single_quoted(&mut self) {
        self.in_word = true;
        let start = self.i + 1;
        match self.chars[start..].iter().position(|&x| x == '\'') {
            Some(e) => {
                self.word.extend(&self.chars[start..start + e]);
                self.i += e + 2;
            }
            None => {
                self.script.uncertain = true;
                self.word.extend(&self.chars[start..]);
                self.i = self.chars.len();
            }
        }
    }

    /// `"..."`: escapes of `"`, `\`, `$` and backquote, line continuations, and
    /// expansions (which make the word non-literal).
    fn double_quoted(&mut self) {
        self.in_word = true;
        self.i += 1;
        let mut closed = false;
        while self.i < self.chars.len() {
            match self.chars[self.i] {
                '"' => {
                    closed = true;
                    self.i += 1;
                    break;
                }
                '\\' if matches!(self.chars.get(self.i + 1), Some('"' | '\\' | '$' | '`')) => {
                    self.word.push(self.chars[self.i + 1]);
                    self.i += 2;
                }
                '\\' if self.chars.get(self.i + 1) == Some(&'\n') => self.i += 2,
                '$' | '`' => {
                    self.literal = false;
                    self.i = read_expansion(
                        &self.chars,
                        self.i,
                        &mut self.word,
                        self.script,
                        self.depth,
                    );
                }
                ch => {
                    self.word.push(ch);
                    self.i += 1;
                }
            }
        }
        if !closed {
            self.script.uncertain = true;
        }
    }

    /// `#` outside a word: a comment to the end of the line.
    fn comment(&mut self) {
        while self.i < self.chars.len() && self.chars[self.i] != '\n' {
            self.i += 1;
        }
    }

    /// A newline token, then the bodies of the heredocs started on the line.
    fn newline(&mut self) {
        self.end_word();
        self.toks.push(Tok::Newline);
        self.i += 1;
        for (delim, strip) in std::mem::take(&mut self.pending_heredocs) {
            self.skip_heredoc_body(&delim, strip);
        }
    }

    /// Skips lines up to and including the delimiter line (`<<-` strips leading tabs).
    fn skip_heredoc_body(&mut self, delim: &str, strip: bool) {
        loop {
            let start = self.i;
            while self.i < self.chars.len() && self.chars[self.i] != '\n' {
                self.i += 1;
            }
            let line: String = self.chars[start..self.i].iter().collect();
            let line = if strip {
                line.trim_start_matches('\t')
            } else {
                &line
            };
            self.i = (self.i + 1).min(self.chars.len());
            if line == delim || self.i >= self.chars.len() {
                break;
            }
        }
    }

    /// An operator (the longest that matches); a digit-only word right before a
    /// redirection is an fd number and dropped; `<<`/`<<-` also read the delimiter.
    fn operator(&mut self, c: char) {
        if matches!(c, '<' | '>') && self.in_word && self.word.chars().all(|d| d.is_ascii_digit()) {
            self.word.clear();
            self.in_word = false;
        }
        self.end_word();
        let ahead: String = self.chars[self.i..self.chars.len().min(self.i + 3)]
            .iter()
            .collect();
        let (op, len) = operator_at(&ahead, c);
        self.i += len;
        if op == "<<" || op == "<<-" {
            self.heredoc_delimiter(op == "<<-");
        } else {
            self.toks.push(Tok::Op(op));
        }
    }

    /// Reads a heredoc's delimiter word: the body is skipped at the next newline, and
    /// the delimiter stands as the redirection's target.
    fn heredoc_delimiter(&mut self, strip: bool) {
        while self.i < self.chars.len() && matches!(self.chars[self.i], ' ' | '\t') {
            self.i += 1;
        }
        let start = self.i;
        while self.i < self.chars.len()
            && !matches!(
                self.chars[self.i],
                ' ' | '\t' | '\n' | ';' | '&' | '|' | '<' | '>' | ')'
            )
        {
            self.i += 1;
        }
        let raw: String = self.chars[start..self.i].iter().collect();
        let delim: String = raw
            .chars()
            .filter(|c| !matches!(c, '\'' | '"' | '\\'))
            .collect();
        self.pending_heredocs.push((delim, strip));
        self.toks.push(Tok::Op("<<"));
        self.toks.push(Tok::Word(Word {
            text: raw,
            literal: true,
        }));
    }
}

/// The operator starting with `c`, given up to three characters from it.
fn operator_at(ahead: &str, c: char) -> (&'static str, usize) {
    const TWO: [&str; 9] = ["&&", "||", ";;", "<<", ">>", ">&", "<&", "&>", ">|"];
    if ahead.starts_with("<<-") {
        return ("<<-", 3);
    }
    if let Some(op) = TWO.iter().find(|op| ahead.starts_with(*op)) {
        return (op, 2);
    }
    match c {
        '&' => ("&", 1),
        '|' => ("|", 1),
        ';' => (";", 1),
        '(' => ("(", 1),
        ')' => (")", 1),
        '<' => ("<", 1),
        _ => (">", 1),
    }
}

/// Reads `$name`, `${...}`, `$(...)`, `$((...))` or a backquoted command starting at
/// `i`, appends it verbatim to `word`, and reads command substitutions recursively.
fn read_expansion(
    chars: &[char],
    i: usize,
    word: &mut String,
    script: &mut Script,
    depth: usize,
) -> usize {
    let inner = |text: &[char], script: &mut Script| {
        if depth >= crate::limits::MAX_SHELL_NESTING {
            script.uncertain = true;
        } else {
            merge(
                script,
                parse_nested(&text.iter().collect::<String>(), depth + 1),
            );
        }
    };
    let c = chars[i];
    if c == '`' {
        let end = chars[i + 1..]
            .iter()
            .position(|&x| x == '`')
            .map(|e| i + 1 + e);
        let Some(end) = end else {
            script.uncertain = true;
            word.extend(&chars[i..]);
            return chars.len();
        };
        inner(&chars[i + 1..end], script);
        word.extend(&chars[i..=end]);
        return end + 1;
    }
    match chars.get(i + 1) {
        Some('(') => {
            let arith = chars.get(i + 2) == Some(&'(');
            let mut depth = 0;
            let mut j = i + 1;
            while j < chars.len() {
                match chars[j] {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    '\'' => {
                        if let Some(e) = chars[j + 1..].iter().position(|&x| x == '\'') {
                            j += e + 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            if j >= chars.len() {
                script.uncertain = true;
                word.extend(&chars[i..]);
                return chars.len();
            }
            if !arith {
                inner(&chars[i + 2..j], script);
            }
            word.extend(&chars[i..=j]);
            j + 1
        }
        Some('{') => {
            let end = chars[i..].iter().position(|&x| x == '}').map(|e| i + e);
            let end = end.unwrap_or(chars.len() - 1);
            word.extend(&chars[i..=end]);
            end + 1
        }
        _ => {
            let mut j = i + 1;
            if j < chars.len() && (chars[j].is_ascii_digit() || "@*#?$!-".contains(chars[j])) {
                j += 1;
            } else {
                while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
            }
            word.extend(&chars[i..j]);
            j
        }
    }
}

fn merge(into: &mut Script, inner: Script) {
    into.uncertain |= inner.uncertain;
    into.commands.extend(inner.commands);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argvs(s: &str) -> Vec<Vec<String>> {
        parse(s)
            .commands
            .iter()
            .map(|c| c.words.iter().map(|w| w.text.clone()).collect())
            .collect()
    }

    #[test]
    fn splits_lists_and_pipelines() {
        assert_eq!(
            argvs(
                "apt-get update && apt-get install -y 'a b' || true; echo \"x y\" | tee f > /dev/null 2>&1"
            ),
            vec![
                vec!["apt-get", "update"],
                vec!["apt-get", "install", "-y", "a b"],
                vec!["true"],
                vec!["echo", "x y"],
                vec!["tee", "f"],
            ]
        );
    }

    #[test]
    fn echo_of_a_command_is_an_echo() {
        assert_eq!(
            argvs("echo apt-get install x"),
            vec![vec!["echo", "apt-get", "install", "x"]]
        );
    }

    #[test]
    fn assignments_reserved_words_and_substitutions() {
        let s = parse(
            "DEBIAN_FRONTEND=noninteractive apt-get install -y x\nif [ -f a ]; then pip install b; fi\nX=$(npm root -g)",
        );
        let a: Vec<Vec<&str>> = s.commands.iter().map(|c| c.argv()).collect();
        assert_eq!(
            a,
            vec![
                vec!["npm", "root", "-g"],
                vec!["apt-get", "install", "-y", "x"],
                vec!["[", "-f", "a", "]"],
                vec!["pip", "install", "b"],
                vec![],
            ]
        );
        assert_eq!(s.commands[1].assignments[0].0, "DEBIAN_FRONTEND");
    }

    #[test]
    fn heredoc_bodies_are_not_commands() {
        let a = argvs("cat <<EOF > /etc/x\napt-get install evil\nEOF\napk add y\n");
        assert_eq!(a, vec![vec!["cat"], vec!["apk", "add", "y"]]);
    }

    #[test]
    fn background_and_comments() {
        let s = parse("sleep 10 & # apt-get update\n");
        assert_eq!(s.commands.len(), 1);
        assert!(s.commands[0].background);
    }

    #[test]
    fn never_panics() {
        let mut seed = 7u64;
        let alphabet: Vec<char> = "a $(){}`'\"\\|&;<>#\n\t-=".chars().collect();
        for _ in 0..5000 {
            let mut s = String::new();
            for _ in 0..(seed % 40) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            let _ = parse(&s);
        }
    }
}
