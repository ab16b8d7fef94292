//! Words of an instruction: variable expansion (recording undefined variables),
//! progress names, and working-directory paths.

use super::{Ctx, StageState, UndefinedVar};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::expand::Env;

/// `WORKDIR` semantics: the new working directory for `path` given `cwd`.
pub fn normalize_workdir(cwd: &str, path: &str) -> String {
    // As BuildKit's `NormalizeWorkdir`: an absolute path is kept as written (a trailing
    // slash too); a relative one is joined to the current directory and cleaned.
    if path.starts_with('/') {
        return path.to_string();
    }
    if path.is_empty() {
        return clean_path(cwd);
    }
    clean_path(&format!("{cwd}/{path}"))
}

/// Lexically cleans an absolute path (`/a/./b/../c` → `/a/c`).
pub fn clean_path(p: &str) -> String {
    crate::golang::path_clean(&format!("/{p}"))
}

/// Undefined variables of one build that get a "did you mean" suggestion.
const MAX_SUGGESTIONS: usize = 100;

/// Expands a word with the stage's environment, locating errors at the instruction.
pub(crate) fn expand(
    ctx: &Ctx<'_>,
    st: &StageState,
    word: &str,
    span: Span,
) -> Result<String, Diagnostic> {
    // Words without expansions, quotes or escapes expand to themselves.
    if !word.contains(['$', '\'', '"']) && !word.contains(ctx.lexer.escape) {
        return Ok(word.to_string());
    }
    let expanded = ctx
        .lexer
        .process_word(word, &st.env)
        .map_err(|e| Diagnostic::error(e.to_string()).at(span))?;
    if !expanded.unmatched.is_empty() {
        let mut keys = None;
        let mut undefined = ctx.undefined.borrow_mut();
        for name in expanded.unmatched {
            if st.build_args.iter().any(|(k, _)| *k == name)
                || undefined.iter().any(|u| u.span == span && u.name == name)
            {
                continue;
            }
            // Each suggestion scans every variable: only the first ones get one.
            let suggestion = (undefined.len() < MAX_SUGGESTIONS)
                .then(|| keys.get_or_insert_with(|| st.env.keys()))
                .and_then(|keys| {
                    crate::model::instructions::suggest(&name, keys.iter().map(String::as_str))
                })
                .map(str::to_string);
            undefined.push(UndefinedVar {
                span,
                name,
                suggestion,
            });
        }
    }
    Ok(expanded.result)
}

/// The progress name of an instruction: variables expanded where set, keyword upper-cased.
pub(crate) fn progress_text(ctx: &Ctx<'_>, st: &StageState, original: &str) -> String {
    display_text(ctx, st, original, true)
}

/// The progress name of a COPY, ADD or WORKDIR: the official frontend expands it with
/// its plain lexer, which also removes quotes (`COPY ["a b", "/c/"]` shows as
/// `COPY [a b, /c/]`) and expands unset variables to nothing.
pub(crate) fn plain_progress_text(ctx: &Ctx<'_>, st: &StageState, original: &str) -> String {
    display_text(ctx, st, original, false)
}

pub(super) fn display_text(ctx: &Ctx<'_>, st: &StageState, original: &str, raw: bool) -> String {
    let mut lexer = ctx.lexer.clone();
    lexer.raw_quotes = raw;
    lexer.skip_unset_env = raw;
    let text = original.trim();
    // With raw quotes, only `$` and the escape character change anything.
    let expanded = if text.contains('$') || text.contains(lexer.escape) || !raw {
        lexer
            .process_word(text, &st.env)
            .map(|e| e.result)
            .unwrap_or_else(|_| text.to_string())
    } else {
        text.to_string()
    };
    match expanded.split_once(' ') {
        Some((k, rest)) => format!("{} {rest}", k.to_ascii_uppercase()),
        None => expanded.to_ascii_uppercase(),
    }
}

/// Expands the keys and values of ENV or LABEL, all with the environment from before
/// the instruction.
pub(super) fn expand_pairs(
    ctx: &Ctx<'_>,
    st: &StageState,
    kvs: &[crate::model::instructions::KeyValue],
    span: Span,
) -> Result<Vec<(String, String)>, Diagnostic> {
    kvs.iter()
        .map(|kv| {
            Ok((
                expand(ctx, st, &kv.key, span)?,
                expand(ctx, st, &kv.value, span)?,
            ))
        })
        .collect()
}
