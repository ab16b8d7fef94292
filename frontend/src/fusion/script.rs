//! The script of a fused exec op.
//!
//! Each original command runs in its own shell process with the stage's SHELL, exactly
//! the argv the unfused RUN would have used, so `cd`, `export`, `set -o`, traps and
//! functions cannot leak between commands, a trailing comment or `&` stays local, and
//! `exit` ends only its own command. A small `/bin/sh` driver runs them in order and
//! stops at the first failure with that command's status.

/// Builds the argv of a fused op: `<shell> -c <driver>`, where the driver runs each
/// member's own argv and stops at the first failure with its exit status.
///
/// Every member's argv is written out single-quoted, so the driver never re-parses the
/// command text: each member's own shell does, as it would unfused.
pub fn fused_argv(shell: &[String], members: &[Vec<String>], cleanup: &str) -> Vec<String> {
    let mut driver = String::new();
    for argv in members {
        let quoted: Vec<String> = argv.iter().map(|a| sh_quote(a)).collect();
        driver.push_str(&format!("{} || exit $?\n", quoted.join(" ")));
    }
    if !cleanup.is_empty() {
        driver.push_str(cleanup);
        if !cleanup.ends_with('\n') {
            driver.push('\n');
        }
    }
    let mut argv = shell.to_vec();
    argv.push(driver);
    argv
}

/// How many bytes `fused_argv` appends to the script for `cleanup`.
pub fn appended_len(cleanup: &str) -> usize {
    match cleanup {
        "" => 0,
        c if c.ends_with('\n') => c.len(),
        c => c.len() + 1,
    }
}

/// Quotes a string for POSIX sh as one word.
pub fn sh_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}
