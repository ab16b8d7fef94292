//! COPY and ADD: build context, other stages and images, heredoc files, URLs and git.

use std::collections::BTreeMap;

use bollard_buildkit_proto::pb;

use super::{Ctx, StageState, clean_path, expand, plain_progress_text};
use crate::diagnostics::{Diagnostic, Span};
use crate::llb::graph::{InputSet, OpNode, Output};
use crate::model::instructions::{CopyInstr, Instruction, SourceContent};

/// Owner option for `user[:group]` (numeric ids or names looked up in `input`), as the
/// official client encodes it: `root` and an empty part are id 0, a 32-bit decimal
/// (sign allowed) is an id, anything else a name.
pub(crate) fn chown_opt(spec: &str, input: i64) -> Option<pb::ChownOpt> {
    if spec.is_empty() {
        return None;
    }
    let one = |s: &str| -> pb::UserOpt {
        let id = match s {
            "root" | "" => Some(0),
            _ => s.parse::<i32>().ok().map(|i| i as u32),
        };
        pb::UserOpt {
            user: Some(match id {
                Some(id) => pb::user_opt::User::ById(id),
                None => pb::user_opt::User::ByName(pb::NamedUserOpt {
                    name: s.to_string(),
                    input,
                }),
            }),
        }
    };
    let (user, group) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    Some(pb::ChownOpt {
        user: Some(one(user)),
        group: group.map(one),
    })
}

/// Parses `--chmod`: octal (`0755`) → mode, otherwise a symbolic mode string.
fn chmod(spec: &str, span: Span) -> Result<(i32, String), Diagnostic> {
    let non_octal = || {
        Diagnostic::error(format!(
            "invalid chmod parameter: '{spec}'. it should be octal string and between 0 and 07777"
        ))
        .at(span)
    };
    if let Ok(m) = u32::from_str_radix(spec, 8) {
        if m > 0o7777 {
            return Err(non_octal());
        }
        return Ok((m as i32, String::new()));
    }
    if spec.chars().all(|c| c.is_ascii_digit()) {
        return Err(non_octal());
    }
    let valid = spec.split(',').all(|clause| {
        let who_len = clause.chars().take_while(|c| "ugoa".contains(*c)).count();
        let rest = &clause[who_len..];
        !rest.is_empty()
            && rest.split_inclusive(['+', '-', '=']).count() > 0
            && rest.starts_with(['+', '-', '='])
            && rest.chars().all(|c| "+-=rwxXstugo".contains(c))
    });
    if !valid {
        // The official frontend reports the mode parser's own words.
        return Err(Diagnostic::error("invalid syntax").at(span));
    }
    // A symbolic mode travels as a string; the numeric field stays 0, as the official
    // client leaves it.
    Ok((0, spec.to_string()))
}

fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}

fn is_git(s: &str) -> bool {
    super::remote::is_git(s)
}

/// `dest` relative to the working directory, trailing slash kept.
fn dest_path(cwd: &str, dest: &str) -> String {
    let keep_slash = dest.ends_with('/') || dest == "." || dest.is_empty() || dest.ends_with("/.");
    let joined = if dest.starts_with('/') {
        clean_path(dest)
    } else {
        clean_path(&format!("{cwd}/{dest}"))
    };
    if keep_slash && !joined.ends_with('/') {
        format!("{joined}/")
    } else {
        joined
    }
}

/// The expanded flags and operands of a COPY or ADD.
struct CopyArgs {
    sources: Vec<String>,
    dest_raw: String,
    chown: Option<String>,
    chmod: Option<String>,
    /// One copy action's common fields (destination, owner, mode, excludes).
    template: pb::FileActionCopy,
}

impl CopyArgs {
    /// A copy action of `src` with the common fields.
    fn action(&self, src: String) -> pb::FileActionCopy {
        pb::FileActionCopy {
            src,
            ..self.template.clone()
        }
    }
}

/// COPY / ADD: one file op with a copy action per source (onto scratch and merged when
/// `--link`), and a history entry.
pub(crate) fn dispatch_copy(
    ctx: &mut Ctx<'_>,
    st: &mut StageState,
    instr: &Instruction,
    c: &CopyInstr,
) -> Result<(), Diagnostic> {
    let span = instr.span;
    let text = plain_progress_text(ctx, st, &instr.original);
    let name = st.prefix(&text);
    // `--link` (without --chmod, as the official frontend): copy onto scratch, then
    // merge that layer onto the stage.
    let link = c.link && c.chmod.is_none() && ctx.opts.supports("mergeop");
    // Inputs: 0 = destination (the stage), then one per distinct source state.
    let mut inputs = InputSet::default();
    let dest_input: i64 = match st.state {
        Some(o) if !link => inputs.add(&ctx.graph, o),
        _ => -1,
    };
    let args = expand_copy(ctx, st, c, span, dest_input)?;
    let from = match &c.from {
        Some(f) => Some(super::run::source_state(
            ctx,
            st,
            f,
            &super::SourceUse::Copy,
            span,
        )?),
        None => None,
    };
    let mut copies = Vec::new();
    for src in &args.sources {
        copies.push(match from {
            None if is_url(src) || is_git(src) => {
                remote_source(ctx, c, src, &name, &mut inputs, &args, span)?
            }
            Some(state) => local_source(ctx, c, src, state, &mut inputs, &args),
            None => {
                let state = context_source(ctx, c, src, span);
                local_source(ctx, c, src, state, &mut inputs, &args)
            }
        });
    }
    for content in &c.contents {
        copies.push(heredoc_source(ctx, st, content, &mut inputs, &args, span)?);
    }
    let actions = file_actions(copies, dest_input, inputs.inputs.len() as i64);
    let mut node = inputs.node(pb::op::Op::File(pb::FileOp { actions }));
    node.name = Some(name.clone());
    node.spans = vec![span];
    node.ignore_cache = st.ignore_cache;
    node.caps.insert("file.base");
    let group = format!("link-{}-{}", st.index, st.cmd_index);
    if link {
        node.progress_group = Some((group.clone(), name.clone(), true));
    }
    let copied = ctx.push_on(node, &st.platform);
    st.state = match st.state {
        Some(base) if link => Some(merge_link(
            ctx,
            st,
            base,
            copied,
            &text,
            (group, name),
            span,
        )),
        _ => Some(copied),
    };
    st.image
        .commit(format!("{} # buildkit", copy_history(c, &args)), true);
    Ok(())
}

/// The absolute destination of a COPY/ADD in the current state, without a trailing
/// slash (the cleanup guard of a group that spans it keeps off it).
pub(crate) fn resolved_dest(
    ctx: &Ctx<'_>,
    st: &StageState,
    c: &CopyInstr,
    span: Span,
) -> Result<String, Diagnostic> {
    let dest = dest_path(&st.cwd, &expand(ctx, st, &c.dest, span)?);
    Ok(clean_path(&dest))
}

/// Expands the operands and flags, and checks `--checksum`'s sources.
fn expand_copy(
    ctx: &Ctx<'_>,
    st: &StageState,
    c: &CopyInstr,
    span: Span,
    owner_input: i64,
) -> Result<CopyArgs, Diagnostic> {
    let sources: Vec<String> = c
        .sources
        .iter()
        .map(|s| expand(ctx, st, s, span))
        .collect::<Result<_, _>>()?;
    let dest_raw = expand(ctx, st, &c.dest, span)?;
    let opt = |v: &Option<String>| v.as_ref().map(|v| expand(ctx, st, v, span)).transpose();
    let chown = opt(&c.chown)?;
    let chmod_spec = opt(&c.chmod)?;
    let (mode, mode_str) = match &chmod_spec {
        Some(s) => chmod(s, span)?,
        None => (-1, String::new()),
    };
    if c.checksum.is_some() {
        if sources.len() != 1 {
            return Err(
                Diagnostic::error("checksum can't be specified for multiple sources").at(span),
            );
        }
        if !is_url(&sources[0]) && !is_git(&sources[0]) {
            return Err(Diagnostic::error("checksum requires HTTP(S) or Git sources").at(span));
        }
    }
    let template = pb::FileActionCopy {
        dest: dest_path(&st.cwd, &dest_raw),
        owner: chown.as_deref().and_then(|c| chown_opt(c, owner_input)),
        mode,
        mode_str,
        timestamp: -1,
        exclude_patterns: c.exclude.clone(),
        create_dest_path: true,
        ..Default::default()
    };
    Ok(CopyArgs {
        sources,
        dest_raw,
        chown,
        chmod: chmod_spec,
        template,
    })
}

/// The history entry: `COPY [--parents] [--chown=..] [--chmod=..] SRC... [<<FILE...] DEST`.
fn copy_history(c: &CopyInstr, args: &CopyArgs) -> String {
    let mut history = String::from(if c.is_add { "ADD" } else { "COPY" });
    if c.parents {
        history.push_str(" --parents");
    }
    if let Some(ch) = &args.chown {
        history.push_str(&format!(" --chown={ch}"));
    }
    if let Some(m) = &args.chmod {
        history.push_str(&format!(" --chmod={m}"));
    }
    for src in &args.sources {
        history.push_str(&format!(" {src}"));
    }
    for content in &c.contents {
        history.push_str(&format!(" <<{}", content.path));
    }
    history.push_str(&format!(" {}", args.dest_raw));
    history
}

/// An ADD of a git repository or URL (COPY refuses both): a git or http source op.
fn remote_source(
    ctx: &mut Ctx<'_>,
    c: &CopyInstr,
    src: &str,
    name: &str,
    inputs: &mut InputSet,
    args: &CopyArgs,
    span: Span,
) -> Result<(i64, pb::FileActionCopy), Diagnostic> {
    if !c.is_add {
        return Err(Diagnostic::error(if is_git(src) {
            "source can't be a git ref for COPY"
        } else {
            "source can't be a URL for COPY"
        })
        .at(span));
    }
    if let Ok(g) = super::remote::parse_git(src) {
        let keep = c.keep_git_dir.unwrap_or(false);
        let mut node = OpNode::new(
            pb::op::Op::Source(super::remote::git_source(&g, keep, c.checksum.as_deref())),
            Vec::new(),
        );
        node.name = Some(name.to_string());
        node.caps.insert("source.git");
        let o = ctx.push(node);
        return Ok((inputs.add(&ctx.graph, o), args.action("/".into())));
    }
    let file = src
        .split(['?', '#'])
        .next()
        .and_then(|u| u.rsplit('/').next())
        .filter(|b| !b.is_empty() && !b.contains(':'))
        .unwrap_or("__unnamed__")
        .to_string();
    let mut attrs = BTreeMap::new();
    attrs.insert("http.filename".to_string(), file.clone());
    if let Some(sum) = &c.checksum {
        attrs.insert("http.checksum".to_string(), sum.clone());
    }
    let mut node = OpNode::new(
        pb::op::Op::Source(pb::SourceOp {
            identifier: src.to_string(),
            attrs,
        }),
        Vec::new(),
    );
    node.name = Some(name.to_string());
    // The official frontend describes it with its (non-printable) params.
    node.command = Some(String::new());
    let o = ctx.push(node);
    let idx = inputs.add(&ctx.graph, o);
    let mut cp = args.action(format!("/{file}"));
    cp.attempt_unpack_docker_compatibility = c.unpack.unwrap_or(false);
    Ok((idx, cp))
}

/// The build context for one source: records the path it uses, and reports
/// CopyIgnoredFile when .dockerignore excludes it.
fn context_source(ctx: &mut Ctx<'_>, c: &CopyInstr, src: &str, span: Span) -> Option<Output> {
    if crate::model::dockerignore::excluded(&ctx.opts.excludes, src) {
        ctx.findings.push(super::EmitFinding {
            rule: crate::rules::Rule::CopyIgnoredFile,
            detail: format!(
                "Attempting to {} file {src:?} that is excluded by .dockerignore",
                if c.is_add { "Add" } else { "Copy" }
            ),
            span,
        });
    }
    ctx.context_paths.insert(clean_path(&format!("/{src}")));
    ctx.context()
}

/// A copy from the build context or the `--from` stage, context or image (`state`),
/// with `--parents` patterns.
fn local_source(
    ctx: &Ctx<'_>,
    c: &CopyInstr,
    src: &str,
    state: Option<Output>,
    inputs: &mut InputSet,
    args: &CopyArgs,
) -> (i64, pb::FileActionCopy) {
    let (mut src_path, mut include, mut required) = (src.to_string(), Vec::new(), Vec::new());
    if c.parents {
        let (parent, pattern) = match src.split_once("/./") {
            Some((p, pat)) => (p.to_string(), pat.to_string()),
            None => ("/".to_string(), src.to_string()),
        };
        let pattern = clean_path(&format!("/{pattern}"));
        include = vec![pattern.trim_start_matches('/').to_string()];
        if !has_wildcard(&parent) && !has_wildcard(&pattern) {
            required = vec![clean_path(&format!("/{parent}/{pattern}"))];
        }
        src_path = parent;
    }
    let idx = state.map_or(-1, |o| inputs.add(&ctx.graph, o));
    let mut cp = args.action(clean_path(&format!("/{src_path}")));
    cp.follow_symlink = true;
    cp.dir_copy_contents = true;
    cp.attempt_unpack_docker_compatibility = c.unpack.unwrap_or(c.is_add);
    cp.allow_wildcard = true;
    cp.allow_empty_wildcard = true;
    cp.include_patterns = include;
    cp.required_paths = required;
    (idx, cp)
}

/// A heredoc file (`COPY <<EOF /dest`), expanded unless its delimiter was quoted.
fn heredoc_source(
    ctx: &mut Ctx<'_>,
    st: &StageState,
    content: &SourceContent,
    inputs: &mut InputSet,
    args: &CopyArgs,
    span: Span,
) -> Result<(i64, pb::FileActionCopy), Diagnostic> {
    let data = if content.expand {
        let mut lexer = ctx.lexer.clone();
        lexer.escape = '\\';
        lexer.skip_process_quotes = true;
        lexer
            .process_word(&content.data, &st.env)
            .map(|e| e.result)
            .map_err(|e| Diagnostic::error(e.to_string()).at(span))?
    } else {
        content.data.clone()
    };
    let path = format!("/{}", content.path.trim_start_matches('/'));
    let o = super::inline_file(ctx, &st.platform, path.clone(), 0o644, data.into_bytes());
    let idx = inputs.add(&ctx.graph, o);
    Ok((idx, args.action(path)))
}

/// Chains the copies: the first reads the destination input, each next one the
/// previous action's result; only the last is the op's output. Owners named by user
/// or group name are looked up in the action's input.
fn file_actions(
    copies: Vec<(i64, pb::FileActionCopy)>,
    dest_input: i64,
    n_inputs: i64,
) -> Vec<pb::FileAction> {
    let n = copies.len();
    let mut actions = Vec::with_capacity(n);
    for (k, (src_idx, mut cp)) in copies.into_iter().enumerate() {
        let input = if k == 0 {
            dest_input
        } else {
            n_inputs + k as i64 - 1
        };
        if let Some(owner) = &mut cp.owner {
            for u in [owner.user.as_mut(), owner.group.as_mut()]
                .into_iter()
                .flatten()
            {
                if let Some(pb::user_opt::User::ByName(named)) = &mut u.user {
                    named.input = input;
                }
            }
        }
        actions.push(pb::FileAction {
            input,
            secondary_input: src_idx,
            output: if k + 1 == n { 0 } else { -1 },
            action: Some(pb::file_action::Action::Copy(cp)),
        });
    }
    actions
}

/// The merge op of a `--link` copy: the stage, then the copied layer.
fn merge_link(
    ctx: &mut Ctx<'_>,
    st: &mut StageState,
    base: Output,
    copied: Output,
    text: &str,
    (group, name): (String, String),
    span: Span,
) -> Output {
    let merge = pb::MergeOp {
        inputs: vec![pb::MergeInput { input: 0 }, pb::MergeInput { input: 1 }],
    };
    let mut node = OpNode::new(pb::op::Op::Merge(merge), vec![base, copied]);
    // Same step number as the copy: the official frontend names both for one step.
    st.cmd_index -= 1;
    node.name = Some(st.prefix(&format!("LINK {text}")));
    node.spans = vec![span];
    node.ignore_cache = st.ignore_cache;
    node.progress_group = Some((group, name, false));
    node.caps.insert("mergeop");
    ctx.push(node)
}

fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?', '['])
}
