//! Typed instructions and stages, built from parser nodes.
//!
//! Checks what the official `instructions` package checks (argument counts, flags,
//! stage names, mount options) and keeps every word unexpanded: expansion happens when a
//! stage is dispatched, with the environment of that point.

use super::flags::{FlagType, Flags};
use crate::diagnostics::{Diagnostic, Span};
use crate::model::modes::{NetworkMode, SecurityMode};
use crate::syntax::{self, Dockerfile, Heredoc, Node};

/// A `KEY=value` pair of ENV or LABEL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    /// Key, unexpanded.
    pub key: String,
    /// Value, unexpanded.
    pub value: String,
    /// Legacy `KEY value` form.
    pub legacy: bool,
}

/// One name of an ARG instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgDef {
    /// Name.
    pub key: String,
    /// Default value, unexpanded.
    pub value: Option<String>,
}

/// A command line of RUN, CMD, ENTRYPOINT or HEALTHCHECK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandLine {
    /// Exec-form elements, or the single shell-form string.
    pub args: Vec<String>,
    /// Shell form: the stage's SHELL is put in front.
    pub prepend_shell: bool,
}

/// A `RUN --mount` option, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountFlag {
    /// The raw CSV value of the flag.
    pub raw: String,
}

/// RUN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The command.
    pub cmd: CommandLine,
    /// Heredoc files of the command.
    pub files: Vec<Heredoc>,
    /// `--mount` values (expanded at dispatch).
    pub mounts: Vec<MountFlag>,
    /// `--network`.
    pub network: Option<NetworkMode>,
    /// `--security`.
    pub security: Option<SecurityMode>,
}

/// An inline file of COPY/ADD given as a heredoc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceContent {
    /// File name (the heredoc delimiter).
    pub path: String,
    /// Content.
    pub data: String,
    /// Whether variables in the content are expanded.
    pub expand: bool,
}

/// COPY or ADD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyInstr {
    /// ADD rather than COPY.
    pub is_add: bool,
    /// Source paths, unexpanded.
    pub sources: Vec<String>,
    /// Heredoc sources.
    pub contents: Vec<SourceContent>,
    /// Destination, unexpanded.
    pub dest: String,
    /// `--from` (COPY only).
    pub from: Option<String>,
    /// `--chown`.
    pub chown: Option<String>,
    /// `--chmod`.
    pub chmod: Option<String>,
    /// `--link`.
    pub link: bool,
    /// `--parents` (COPY only).
    pub parents: bool,
    /// `--exclude` patterns.
    pub exclude: Vec<String>,
    /// `--checksum` (ADD only).
    pub checksum: Option<String>,
    /// `--keep-git-dir` (ADD only).
    pub keep_git_dir: Option<bool>,
    /// `--unpack` (ADD only).
    pub unpack: Option<bool>,
}

/// HEALTHCHECK settings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Health {
    /// `["NONE"]`, `["CMD", ...]` or `["CMD-SHELL", cmd]`.
    pub test: Vec<String>,
    /// Nanoseconds.
    pub interval: i64,
    /// Nanoseconds.
    pub timeout: i64,
    /// Nanoseconds.
    pub start_period: i64,
    /// Nanoseconds.
    pub start_interval: i64,
    /// Retries.
    pub retries: i64,
}

/// What an instruction does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// ENV.
    Env(Vec<KeyValue>),
    /// LABEL.
    Label(Vec<KeyValue>),
    /// ARG.
    Arg(Vec<ArgDef>),
    /// RUN.
    Run(Run),
    /// COPY / ADD.
    Copy(CopyInstr),
    /// WORKDIR.
    Workdir(String),
    /// USER.
    User(String),
    /// EXPOSE (sorted, unexpanded).
    Expose(Vec<String>),
    /// CMD.
    Cmd(CommandLine),
    /// ENTRYPOINT.
    Entrypoint(CommandLine),
    /// SHELL.
    Shell(Vec<String>),
    /// HEALTHCHECK.
    Healthcheck(Health),
    /// STOPSIGNAL.
    StopSignal(String),
    /// VOLUME.
    Volume(Vec<String>),
    /// MAINTAINER.
    Maintainer(String),
    /// ONBUILD with its trigger expression.
    Onbuild(String),
}

/// A typed instruction with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// What it does.
    pub kind: Kind,
    /// The keyword as written.
    pub keyword: String,
    /// The logical line as written (for progress names and history).
    pub original: String,
    /// Comment lines just above it.
    pub comments: Vec<String>,
    /// Where it is.
    pub span: Span,
}

/// A build stage (`FROM ...` and the instructions up to the next FROM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// The base name, unexpanded.
    pub base: String,
    /// `AS name`, lower-cased.
    pub name: Option<String>,
    /// `--platform`, unexpanded.
    pub platform: Option<String>,
    /// The FROM line, trimmed.
    pub source_code: String,
    /// The instructions after FROM.
    pub instructions: Vec<Instruction>,
    /// Comments above FROM.
    pub comments: Vec<String>,
    /// Location of the FROM.
    pub span: Span,
}

/// The typed file: global ARGs and the stages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    /// ARG instructions before the first FROM.
    pub meta_args: Vec<Instruction>,
    /// Stages in file order.
    pub stages: Vec<Stage>,
    /// The first stage of each name, so that a lookup does not scan the stages.
    names: std::collections::HashMap<String, usize>,
}

impl Program {
    /// The first stage named `name` (case-insensitive), if any.
    pub fn stage_named(&self, name: &str) -> Option<usize> {
        self.names.get(&name.to_ascii_lowercase()).copied()
    }
}

pub(super) fn err(msg: impl Into<String>) -> Diagnostic {
    Diagnostic::error(msg)
}

/// The closest candidate within edit distance 2, for "did you mean" help.
pub fn suggest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lev = |a: &str, b: &str| -> usize {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1];
            for (j, cb) in b.iter().enumerate() {
                let cost = usize::from(ca != *cb);
                cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
            }
            prev = cur;
        }
        prev[b.len()]
    };
    let word = word.to_ascii_lowercase();
    let len = word.chars().count();
    candidates
        // The distance is at least the difference in length.
        .filter(|c| c.chars().count().abs_diff(len) <= 2)
        .map(|c| (lev(&word, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

const ALL_INSTRUCTIONS: &[&str] = &[
    "add",
    "arg",
    "cmd",
    "copy",
    "entrypoint",
    "env",
    "expose",
    "from",
    "healthcheck",
    "label",
    "maintainer",
    "onbuild",
    "run",
    "shell",
    "stopsignal",
    "user",
    "volume",
    "workdir",
];

fn no_flags(node: &Node) -> Result<(), Diagnostic> {
    Flags {
        args: &node.flags,
        allowed: &[],
    }
    .parse()
    .map(|_| ())
}

fn exactly_one(node: &Node, name: &str) -> Result<String, Diagnostic> {
    if node.args.len() != 1 {
        return Err(err(format!("{name} requires exactly one argument")));
    }
    no_flags(node)?;
    Ok(node.args[0].clone())
}

fn kvps(args: &[String], name: &str) -> Result<Vec<KeyValue>, Diagnostic> {
    if args.is_empty() {
        return Err(err(format!("{name} requires at least one argument")));
    }
    if !args.len().is_multiple_of(3) {
        return Err(err(format!("Bad input to {name}, too many arguments")));
    }
    args.chunks(3)
        .map(|c| {
            if c[0].is_empty() {
                return Err(err(format!("{name} names can not be blank")));
            }
            Ok(KeyValue {
                key: c[0].clone(),
                value: c[1].clone(),
                legacy: c[2].is_empty(),
            })
        })
        .collect()
}

fn command_line(node: &Node) -> CommandLine {
    let args = if node.json {
        node.args.clone()
    } else if node.args.is_empty() {
        Vec::new()
    } else {
        vec![node.args.join(" ")]
    };
    CommandLine {
        args,
        prepend_shell: !node.json,
    }
}

/// Parses a Go duration (`30s`, `1m30s`, `500ms`) to nanoseconds.
pub fn parse_duration(s: &str) -> Option<i64> {
    if s == "0" {
        return Some(0);
    }
    let mut total: f64 = 0.0;
    let mut rest = s;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let mult = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += n * mult;
        rest = &rest[unit_len..];
    }
    Some(total as i64)
}

fn health(node: &Node) -> Result<Health, Diagnostic> {
    if node.args.is_empty() {
        return Err(err("HEALTHCHECK requires at least one argument"));
    }
    let typ = node.args[0].to_ascii_uppercase();
    let rest = &node.args[1..];
    if typ == "NONE" {
        if !rest.is_empty() {
            return Err(err("HEALTHCHECK NONE takes no arguments"));
        }
        return Ok(Health {
            test: vec![typ],
            ..Health::default()
        });
    }
    let flags = Flags {
        args: &node.flags,
        allowed: &[
            ("interval", FlagType::String),
            ("timeout", FlagType::String),
            ("start-period", FlagType::String),
            ("start-interval", FlagType::String),
            ("retries", FlagType::String),
        ],
    }
    .parse()?;
    if typ != "CMD" {
        return Err(err(format!(
            "Unknown type \"{typ}\" in HEALTHCHECK (try CMD)"
        )));
    }
    let cmd = if node.json {
        rest.to_vec()
    } else if rest.is_empty() {
        Vec::new()
    } else {
        vec![rest.join(" ")]
    };
    if cmd.is_empty() {
        return Err(err("Missing command after HEALTHCHECK CMD"));
    }
    let mut test = vec![if node.json { "CMD" } else { "CMD-SHELL" }.to_string()];
    test.extend(cmd);
    let dur = |name: &str| -> Result<i64, Diagnostic> {
        match flags.string(name) {
            None => Ok(0),
            Some(v) if v.is_empty() => Ok(0),
            Some(v) => {
                let d = parse_duration(&v)
                    .ok_or_else(|| err(format!("time: invalid duration \"{v}\"")))?;
                if d != 0 && d < 1_000_000 {
                    return Err(err(format!("Interval \"{name}\" cannot be less than 1ms")));
                }
                Ok(d)
            }
        }
    };
    let retries = match flags.string("retries") {
        Some(v) if !v.is_empty() => {
            let r: i64 = v
                .parse()
                .map_err(|_| err(format!("strconv.ParseInt: parsing \"{v}\": invalid syntax")))?;
            if r < 0 {
                return Err(err(format!("--retries cannot be negative ({r})")));
            }
            r
        }
        _ => 0,
    };
    Ok(Health {
        test,
        interval: dur("interval")?,
        timeout: dur("timeout")?,
        start_period: dur("start-period")?,
        start_interval: dur("start-interval")?,
        retries,
    })
}

fn copy(node: &Node, is_add: bool) -> Result<CopyInstr, Diagnostic> {
    let name = if is_add { "ADD" } else { "COPY" };
    if node.args.len() < 2 {
        return Err(err(format!(
            "{name} requires at least two arguments, but only one was provided. Destination could not be determined"
        )));
    }
    let allowed: &[(&str, FlagType)] = if is_add {
        &[
            ("chown", FlagType::String),
            ("chmod", FlagType::String),
            ("link", FlagType::Bool),
            ("keep-git-dir", FlagType::Bool),
            ("checksum", FlagType::String),
            ("unpack", FlagType::Bool),
            ("exclude", FlagType::Strings),
        ]
    } else {
        &[
            ("chown", FlagType::String),
            ("from", FlagType::String),
            ("chmod", FlagType::String),
            ("link", FlagType::Bool),
            ("exclude", FlagType::Strings),
            ("parents", FlagType::Bool),
        ]
    };
    let flags = Flags {
        args: &node.flags,
        allowed,
    }
    .parse()?;
    let (srcs, dest) = node.args.split_at(node.args.len() - 1);
    let dest = dest[0].clone();
    if syntax::parse_heredoc_marker(&dest).is_some() {
        return Err(err(format!(
            "{name} cannot accept a heredoc as a destination"
        )));
    }
    let mut sources = Vec::new();
    let mut contents = Vec::new();
    for s in srcs {
        match syntax::parse_heredoc_marker(s) {
            Some(h) => {
                let doc = node.heredocs.iter().find(|d| d.name == h.name);
                let mut data = doc.map(|d| d.content.clone()).unwrap_or_default();
                if h.chomp {
                    data = syntax::chomp_heredoc(&data);
                }
                contents.push(SourceContent {
                    path: h.name,
                    data,
                    expand: h.expand,
                });
            }
            None => sources.push(s.clone()),
        }
    }
    let non_empty = |v: Option<String>| v.filter(|s| !s.is_empty());
    Ok(CopyInstr {
        is_add,
        sources,
        contents,
        dest,
        from: non_empty(flags.string("from")),
        chown: non_empty(flags.string("chown")),
        chmod: non_empty(flags.string("chmod")),
        link: flags.bool("link").unwrap_or(false),
        parents: flags.bool("parents").unwrap_or(false),
        exclude: flags.strings("exclude"),
        checksum: non_empty(flags.string("checksum")),
        keep_git_dir: flags.bool("keep-git-dir"),
        unpack: flags.bool("unpack"),
    })
}

fn run(node: &Node) -> Result<Run, Diagnostic> {
    let flags = Flags {
        args: &node.flags,
        allowed: &[
            ("mount", FlagType::Strings),
            ("network", FlagType::String),
            ("security", FlagType::String),
            ("device", FlagType::Strings),
        ],
    }
    .parse()?;
    if !flags.strings("device").is_empty() {
        return Err(err(
            "RUN --device is only available in the labs channel of the official frontend and is not supported by slimfile",
        ));
    }
    let network = match flags.string("network") {
        Some(n) => {
            Some(NetworkMode::parse(&n).ok_or_else(|| err(format!("invalid network mode {n:?}")))?)
        }
        None => None,
    };
    let security = match flags.string("security") {
        Some(s) => Some(
            SecurityMode::parse(&s)
                .ok_or_else(|| err(format!("unsupported security mode {s:?}")))?,
        ),
        None => None,
    };
    Ok(Run {
        cmd: command_line(node),
        files: node.heredocs.clone(),
        mounts: flags
            .strings("mount")
            .into_iter()
            .map(|raw| MountFlag { raw })
            .collect(),
        network,
        security,
    })
}

fn onbuild(node: &Node) -> Result<String, Diagnostic> {
    let Some(sub) = &node.sub else {
        return Err(err("ONBUILD requires at least one argument"));
    };
    no_flags(node)?;
    let trigger = sub.keyword.to_ascii_uppercase();
    match trigger.as_str() {
        "ONBUILD" => {
            return Err(err("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"));
        }
        "MAINTAINER" | "FROM" => {
            return Err(err(format!(
                "{trigger} isn't allowed as an ONBUILD trigger"
            )));
        }
        _ => {}
    }
    let orig = node.original.trim_start();
    let mut expr = orig[node.keyword.len().min(orig.len())..]
        .trim_start()
        .to_string();
    for h in &node.heredocs {
        expr.push('\n');
        expr.push_str(&h.content);
        expr.push_str(&h.name);
    }
    Ok(expr)
}

fn typed(node: &Node) -> Result<Kind, Diagnostic> {
    let name = node.name();
    Ok(match name.as_str() {
        "env" => {
            no_flags(node)?;
            Kind::Env(kvps(&node.args, "ENV")?)
        }
        "label" => {
            no_flags(node)?;
            Kind::Label(kvps(&node.args, "LABEL")?)
        }
        "maintainer" => Kind::Maintainer(exactly_one(node, "MAINTAINER")?),
        "add" => Kind::Copy(copy(node, true)?),
        "copy" => Kind::Copy(copy(node, false)?),
        "workdir" => Kind::Workdir(exactly_one(node, "WORKDIR")?),
        "user" => Kind::User(exactly_one(node, "USER")?),
        "stopsignal" => Kind::StopSignal(exactly_one(node, "STOPSIGNAL")?),
        "run" => Kind::Run(run(node)?),
        "cmd" => {
            no_flags(node)?;
            Kind::Cmd(command_line(node))
        }
        "entrypoint" => {
            no_flags(node)?;
            Kind::Entrypoint(command_line(node))
        }
        "healthcheck" => Kind::Healthcheck(health(node)?),
        "expose" => {
            if node.args.is_empty() {
                return Err(err("EXPOSE requires at least one argument"));
            }
            no_flags(node)?;
            let mut ports = node.args.clone();
            ports.sort();
            Kind::Expose(ports)
        }
        "volume" => {
            if node.args.is_empty() {
                return Err(err("VOLUME requires at least one argument"));
            }
            no_flags(node)?;
            let mut vols = Vec::new();
            for v in &node.args {
                let v = v.trim();
                if v.is_empty() {
                    return Err(err("VOLUME specified can not be an empty string"));
                }
                vols.push(v.to_string());
            }
            Kind::Volume(vols)
        }
        "arg" => {
            if node.args.is_empty() {
                return Err(err("ARG requires at least one argument"));
            }
            no_flags(node)?;
            let mut defs = Vec::new();
            for a in &node.args {
                match a.split_once('=') {
                    Some(("", _)) => return Err(err("ARG names can not be blank")),
                    Some((k, v)) => defs.push(ArgDef {
                        key: k.to_string(),
                        value: Some(v.to_string()),
                    }),
                    None => defs.push(ArgDef {
                        key: a.clone(),
                        value: None,
                    }),
                }
            }
            Kind::Arg(defs)
        }
        "shell" => {
            no_flags(node)?;
            if node.args.is_empty() {
                return Err(err("SHELL requires at least one argument"));
            }
            if !node.json {
                return Err(err(format!(
                    "SHELL requires the arguments to be in JSON form: {}",
                    node.original.trim()
                )));
            }
            Kind::Shell(node.args.clone())
        }
        "onbuild" => Kind::Onbuild(onbuild(node)?),
        _ => {
            let mut d = err(format!("unknown instruction: {}", node.keyword));
            if let Some(s) = suggest(&name, ALL_INSTRUCTIONS.iter().copied()) {
                d = d.with_help(format!("did you mean {}?", s.to_ascii_uppercase()));
            }
            return Err(d);
        }
    })
}

fn is_valid_stage_name(n: &str) -> bool {
    let mut chars = n.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '-' | '_' | '.'))
}

fn stage(node: &Node) -> Result<Stage, Diagnostic> {
    let args = &node.args;
    let name = match args.len() {
        3 if args[1].eq_ignore_ascii_case("as") => {
            let n = args[2].to_ascii_lowercase();
            if !is_valid_stage_name(&n) {
                return Err(err(format!(
                    "invalid name for build stage: {:?}, name can't start with a number or contain symbols",
                    args[2]
                )));
            }
            Some(n)
        }
        1 => None,
        _ => return Err(err("FROM requires either one or three arguments")),
    };
    let flags = Flags {
        args: &node.flags,
        allowed: &[("platform", FlagType::String)],
    }
    .parse()?;
    Ok(Stage {
        base: args[0].clone(),
        name,
        platform: flags.string("platform").filter(|p| !p.is_empty()),
        source_code: node.original.trim().to_string(),
        instructions: Vec::new(),
        comments: node.comments.clone(),
        span: node.span,
    })
}

/// Converts parser nodes into typed stages; the first error is returned with the
/// instruction's location.
pub fn from_nodes(df: &Dockerfile) -> Result<Program, Diagnostic> {
    let mut program = Program {
        meta_args: Vec::new(),
        stages: Vec::new(),
        names: std::collections::HashMap::new(),
    };
    for node in &df.nodes {
        // Worded like the official `instructions` package's parse errors.
        let at = |d: Diagnostic| {
            Diagnostic {
                message: format!(
                    "dockerfile parse error on line {}: {}",
                    node.span.start_line, d.message
                ),
                ..d
            }
            .at(node.span)
        };
        if node.name() == "from" {
            let stage = stage(node).map_err(at)?;
            if let Some(n) = &stage.name {
                let index = program.stages.len();
                program.names.entry(n.clone()).or_insert(index);
            }
            program.stages.push(stage);
            continue;
        }
        let instr = Instruction {
            kind: typed(node).map_err(at)?,
            keyword: node.keyword.clone(),
            original: node.original.clone(),
            comments: node.comments.clone(),
            span: node.span,
        };
        match program.stages.last_mut() {
            Some(stage) => stage.instructions.push(instr),
            None if matches!(instr.kind, Kind::Arg(_)) => program.meta_args.push(instr),
            None => {
                return Err(err(
                    "no build stage in current context: a Dockerfile must begin with FROM (ARG may come before it)",
                )
                .at(node.span));
            }
        }
    }
    if program.stages.is_empty() {
        return Err(Diagnostic::error("dockerfile contains no stages to build"));
    }
    Ok(program)
}
