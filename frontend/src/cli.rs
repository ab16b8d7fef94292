//! Command-line interface: `parse`, `llb`, `explain`, `rewrite`, `managers`, `sync`, and
//! the gateway entry point.
//!
//! Thin: every command calls the library's pipeline functions.

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::diagnostics::Diagnostic;
use crate::model::options::BuildOptions;

#[derive(Parser)]
#[command(
    name = "slimfile",
    version,
    about = "A BuildKit Dockerfile frontend that fuses package-manager steps and cleans their caches in the same layer"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

/// The Dockerfile and build settings that `llb`, `explain` and `rewrite` share.
#[derive(clap::Args)]
struct BuildFlags {
    /// Dockerfile path (`-` for stdin).
    #[arg(short = 'f', long = "file", default_value = "Dockerfile")]
    file: String,
    /// `KEY=VALUE` build arguments (also `SLIMFILE_FUSE`, `SLIMFILE_CLEANUP`,
    /// `SLIMFILE_ASSEMBLY`, `SLIMFILE_SPAN`, `SLIMFILE_LAYERS`, and `BUILDKIT_SYNTAX`
    /// naming the frontend image).
    #[arg(long = "build-arg")]
    build_args: Vec<String>,
    /// Target stage.
    #[arg(long)]
    target: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Print the syntax tree in the official parser's dump format.
    Parse {
        /// Dockerfile path (`-` for stdin).
        #[arg(default_value = "Dockerfile")]
        file: String,
    },
    /// Write the LLB definition of the build (base images are treated as empty configs).
    Llb {
        #[command(flatten)]
        build: BuildFlags,
        /// Print a readable JSON dump instead of binary protobuf.
        #[arg(long)]
        json: bool,
    },
    /// Show the fusion plan: groups, cleanup, and why RUNs were left alone.
    Explain {
        #[command(flatten)]
        build: BuildFlags,
        /// Output format.
        #[arg(long, value_parser = ["text", "json"], default_value = "text")]
        format: String,
    },
    /// Print the plain Dockerfile that the official frontend builds into the same layers.
    Rewrite {
        #[command(flatten)]
        build: BuildFlags,
    },
    /// List the package managers fusion knows: what it recognizes, what cleanup
    /// deletes, and how to keep the manager from caching at all.
    Managers,
    /// Run as a BuildKit gateway frontend over stdin/stdout.
    Gateway,
    /// Make directory DST equal to SRC with the fewest writes (a fused group's
    /// assembly step runs this inside the build).
    Sync {
        /// The tree to copy from.
        src: std::path::PathBuf,
        /// The tree to change.
        dst: std::path::PathBuf,
    },
}

/// Reads the Dockerfile, at most one byte more than
/// [`crate::limits::MAX_DOCKERFILE_BYTES`] (enough for [`crate::parse_program`] to
/// refuse a larger file without reading all of it).
fn read_input(file: &str) -> std::io::Result<String> {
    use std::io::Read;
    let reader: Box<dyn Read> = if file == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(file)?)
    };
    let mut bytes = Vec::new();
    reader
        .take(crate::limits::MAX_DOCKERFILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn report(d: &Diagnostic, file: &str, src: &str) -> ExitCode {
    eprintln!("{}", d.render(file, src));
    ExitCode::from(1)
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let started_by_buildkit = std::env::vars()
        .any(|(k, _)| k.starts_with("BUILDKIT_FRONTEND_OPT_"))
        || std::env::var_os("BUILDKIT_SESSION_ID").is_some();
    if started_by_buildkit && std::env::args().len() <= 1 {
        return run_gateway();
    }
    let cli = Cli::parse();
    match cli.command {
        None | Some(Command::Gateway) => run_gateway(),
        Some(Command::Managers) => {
            print!("{}", managers_table());
            ExitCode::SUCCESS
        }
        Some(Command::Sync { src, dst }) => match crate::treesync::run(&src, &dst) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("slimfile sync: {e}");
                ExitCode::from(1)
            }
        },
        Some(Command::Parse { file }) => {
            let flags = BuildFlags {
                file,
                build_args: Vec::new(),
                target: None,
            };
            run(flags, |src, _, _| {
                println!("{}", crate::syntax::dump(&crate::syntax::parse(src)?));
                Ok(())
            })
        }
        Some(Command::Explain { build, format }) => run(build, |src, name, opts| {
            let e = crate::plan(src, name, opts)?;
            if format == "json" {
                println!("{:#}", crate::fusion::report::json(&e.fusion));
            } else {
                print!("{}", crate::fusion::report::text(&e.fusion));
            }
            Ok(())
        }),
        Some(Command::Rewrite { build }) => run(build, |src, name, opts| {
            let (_, program) = crate::parse_program(src)?;
            // A plain Dockerfile has one RUN per group and one layer per instruction.
            let mut opts = opts.clone();
            opts.span = false;
            opts.layers = crate::model::options::Layers::Group;
            let e = crate::plan(src, name, &opts)?;
            let text = crate::fusion::rewrite::rewrite(src, &program, &e.fusion, &e.fused_ops);
            print!("{text}");
            Ok(())
        }),
        Some(Command::Llb { build, json }) => run(build, |src, name, opts| {
            let def = crate::plan(src, name, opts)?.definition;
            let mut out = std::io::stdout().lock();
            let written = if json {
                writeln!(out, "{}", crate::llb::dump::definition_json(&def))
            } else {
                out.write_all(&prost::Message::encode_to_vec(&def))
            };
            written.map_err(|e| Diagnostic::error(format!("writing the definition: {e}")))
        }),
    }
}

/// `slimfile managers`: one block per manager spec.
fn managers_table() -> String {
    let mut out = String::new();
    for m in crate::analysis::MANAGERS {
        out.push_str(&format!("{}\n  recognizes: {}\n", m.name, m.doc));
        if !m.cache_paths.is_empty() {
            out.push_str(&format!("  cleanup deletes: {}\n", m.cache_paths.join(" ")));
        }
        if !m.extra_cleanup.is_empty() {
            out.push_str(&format!("  cleanup runs: {}\n", m.extra_cleanup));
        }
        out.push_str(&format!("  to avoid caching: {}\n", m.avoid_env));
    }
    out
}

/// Reads the Dockerfile, builds the options and runs `body` with the text, the file's
/// name and the options; errors are rendered with a code frame (exit 1), unreadable
/// input exits 2.
fn run(
    flags: BuildFlags,
    body: impl FnOnce(&str, &str, &BuildOptions) -> Result<(), Diagnostic>,
) -> ExitCode {
    let file = flags.file;
    let src = match read_input(&file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {file}: {e}");
            return ExitCode::from(2);
        }
    };
    match options(flags.build_args, flags.target)
        .and_then(|opts| body(&src, &file_name(&file), &opts))
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(d) => report(&d, &file, &src),
    }
}

/// The image slimfile is published as.
pub const DEFAULT_FRONTEND_IMAGE: &str = "ours/slimfile";

/// Build options from CLI flags, with the fusion settings read from build args like
/// the gateway does.
fn options(build_args: Vec<String>, target: Option<String>) -> Result<BuildOptions, Diagnostic> {
    let mut opts = BuildOptions::new();
    opts.target = target;
    for a in build_args {
        let (k, v) = a.split_once('=').unwrap_or((a.as_str(), ""));
        opts.build_args.insert(k.to_string(), v.to_string());
    }
    let fuse = opts.build_args.get("SLIMFILE_FUSE").cloned();
    let cleanup = opts.build_args.get("SLIMFILE_CLEANUP").cloned();
    let assembly = opts.build_args.get("SLIMFILE_ASSEMBLY").cloned();
    opts.apply_slimfile_settings(fuse.as_deref(), cleanup.as_deref(), assembly.as_deref())?;
    let span = opts.build_args.get("SLIMFILE_SPAN").cloned();
    let layers = opts.build_args.get("SLIMFILE_LAYERS").cloned();
    opts.apply_reach_settings(span.as_deref(), layers.as_deref())?;
    // The frontend image a real build would run from (`BUILDKIT_SYNTAX`, like the
    // engine reads it), else the published name.
    opts.frontend_image = Some(
        opts.build_args
            .get("BUILDKIT_SYNTAX")
            .filter(|s| !s.is_empty())
            .cloned()
            .unwrap_or_else(|| DEFAULT_FRONTEND_IMAGE.to_string()),
    );
    Ok(opts)
}

fn file_name(file: &str) -> String {
    std::path::Path::new(file)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Dockerfile".into())
}

fn run_gateway() -> ExitCode {
    // Before the runtime starts a thread: see `privileges`. A failure leaves the
    // process as it was (a rootless engine may not map NONROOT), and says so.
    if let Err(e) = crate::privileges::drop_root() {
        eprintln!("slimfile: still running as started: cannot drop privileges: {e}");
    }
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("slimfile: cannot start runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(crate::gateway::serve()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("slimfile: {e:#}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::managers_table;

    #[test]
    fn managers_table_lists_every_spec_with_its_advice() {
        let t = managers_table();
        for m in crate::analysis::MANAGERS {
            assert!(
                t.contains(&format!("{}\n  recognizes: {}", m.name, m.doc)),
                "{t}"
            );
            assert!(t.contains(m.avoid_env), "{t}");
        }
        assert!(t.contains("PIP_NO_CACHE_DIR=1"), "{t}");
    }
}
