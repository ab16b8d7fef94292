//! What expansion may cost: the size of one expanded word, the bytes all substitutions
//! of a build produce together, and the work of matching one `${x/pattern/...}`. Each
//! limit is an expansion error (located by the caller), never unbounded memory or time.

use std::cell::Cell;
use std::rc::Rc;

use crate::limits::{MAX_EXPANDED_TOTAL, MAX_EXPANDED_WORD, human};

/// Table cells (pattern elements times value characters) one pattern match may use.
pub const MAX_MATCH_CELLS: usize = 1 << 22;

/// Steps one pattern match may take (over all its attempts).
pub const MAX_MATCH_STEPS: usize = 1 << 26;

/// The bytes substitutions have produced so far, shared by every clone of a
/// [`super::Lexer`] (one build's lexer and its copies).
#[derive(Debug, Clone, Default)]
pub struct Budget {
    spent: Rc<Cell<usize>>,
}

impl Budget {
    /// Counts `bytes` produced by one substitution; fails past
    /// [`MAX_EXPANDED_TOTAL`].
    pub(super) fn spend(&self, bytes: usize) -> Result<(), String> {
        let total = self.spent.get().saturating_add(bytes);
        self.spent.set(total);
        if total > MAX_EXPANDED_TOTAL {
            return Err(format!(
                "variable expansions of this build produce more than {} in total, the most \
                 slimfile expands",
                human(MAX_EXPANDED_TOTAL)
            ));
        }
        Ok(())
    }

    /// The bytes produced so far.
    pub fn spent(&self) -> usize {
        self.spent.get()
    }
}

/// Fails when a word of `len` bytes grows by `more` past [`MAX_EXPANDED_WORD`].
pub(super) fn check_word(len: usize, more: usize) -> Result<(), String> {
    if len.saturating_add(more) > MAX_EXPANDED_WORD {
        return Err(format!(
            "expanded value is longer than {}, the most one word may expand to",
            human(MAX_EXPANDED_WORD)
        ));
    }
    Ok(())
}

/// Fails when matching a pattern of `globs` elements against `chars` characters would
/// need a table over [`MAX_MATCH_CELLS`].
pub(super) fn check_match(pattern: &str, globs: usize, chars: usize) -> Result<(), String> {
    if globs.saturating_mul(chars + 1) > MAX_MATCH_CELLS {
        return Err(too_costly(pattern, chars));
    }
    Ok(())
}

/// The error for a pattern match over [`MAX_MATCH_CELLS`] or [`MAX_MATCH_STEPS`].
pub(super) fn too_costly(pattern: &str, chars: usize) -> String {
    let shown: String = pattern.chars().take(40).collect();
    let more = if shown.len() < pattern.len() {
        "..."
    } else {
        ""
    };
    format!(
        "pattern ({shown}{more}) is too costly to match against a value of {chars} \
         characters"
    )
}
