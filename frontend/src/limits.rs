//! The most slimfile accepts, in one place: every limit here turns a hostile or broken
//! Dockerfile into a located error instead of unbounded memory or time. No real
//! Dockerfile comes near any of them; `docs/limits.md` says why each number was
//! chosen and what the official frontend does with the same input.

/// Bytes of Dockerfile read. BuildKit's gateway carries at most 16 MiB in one message,
/// both the `ReadFile` that brings the Dockerfile to an image frontend (the official
/// one too) and the `Solve` that sends the definition, which embeds the Dockerfile in
/// its source map: half of it is left for the definition's ops.
pub const MAX_DOCKERFILE_BYTES: usize = 8 << 20;

/// Instructions in one Dockerfile (every `FROM`, `ARG`, `RUN` ... counts). Overlayfs
/// stacks at most 500 layers; the official frontend takes over a minute on 65,536
/// instructions.
pub const MAX_INSTRUCTIONS: usize = 10_000;

/// Bytes of one instruction's logical line (continuation lines joined; heredoc bodies
/// do not count). A RUN command reaches `execve` as one argument, and Linux refuses an
/// argument over 128 KiB; the official parser refuses a physical line over 64 KiB.
pub const MAX_INSTRUCTION_BYTES: usize = 2 << 20;

/// Bytes one word may expand to through `$VAR` substitutions (a word written longer
/// than this is not an error: only expansion is limited).
pub const MAX_EXPANDED_WORD: usize = MAX_INSTRUCTION_BYTES;

/// Bytes all `$VAR` substitutions of one build may produce together (each word under
/// [`MAX_EXPANDED_WORD`], but thousands of instructions can each copy a big value). An
/// ENV keeps its value twice (the stage's environment and the image config).
pub const MAX_EXPANDED_TOTAL: usize = 32 << 20;

/// `${...}` references nested in one another (`${a:-${b:-...}}`).
pub const MAX_NESTING: usize = 100;

/// `ONBUILD` keywords the parser reads in a row (`ONBUILD ONBUILD ...`); any chain is
/// an error later on, as in the official frontend, but the parser shows short ones.
pub const MAX_ONBUILD_CHAIN: usize = 8;

/// Shell command substitutions (`$(...)`) that RUN analysis reads into; deeper ones
/// leave the RUN unanalysed (never fused), not an error.
pub const MAX_SHELL_NESTING: usize = 32;

/// Bytes of the build definition: the engine accepts at most 16 MiB in one `Solve`.
pub const MAX_DEFINITION_BYTES: usize = 16 << 20;

/// One size in the units a person reads (`16 MiB`, `2 MiB`, `100 KiB`).
pub fn human(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn human_sizes() {
        assert_eq!(super::human(16 << 20), "16 MiB");
        assert_eq!(super::human(128 << 10), "128 KiB");
        assert_eq!(super::human(1000), "1000 bytes");
    }
}
