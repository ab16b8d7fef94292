//! The `slimfile` binary: a BuildKit gateway frontend when started by BuildKit, a CLI
//! otherwise.

fn main() -> std::process::ExitCode {
    slimfile::cli::main()
}
