//! COPY and ADD: build context, other stages and images, heredoc files, URLs and git.

use std::collections::BTreeMap;

use bollard_buildkit_proto::pb;

use super::{Ctx, StageState, clean_path, expand, pb_platform, plain_progress_text};
use crate::diagnostics::{Diagnostic, Span};
use crate::llb::graph::{InputSet, OpNode, Output};
use crate::model::instructions::{CopyInstr, Instruction};

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

pub(crate) fn dispatch_copy(
    ctx: &mut Ctx<'_>,
    st: &mut StageState,
    instr: &Instruction,
    c: &CopyInstr,
) -> Result<(), Diagnostic> {
    let span = instr.span;
    let name_kw = if c.is_add { "ADD" } else { "COPY" };
    let sources: Vec<String> = c
        .sources
        .iter()
        .map(|s| expand(ctx, st, s, span))
        .collect::<Result<_, _>>()?;
    let dest_raw = expand(ctx, st, &c.dest, span)?;
    let chown = c
        .chown
        .as_ref()
        .map(|v| expand(ctx, st, v, span))
        .transpose()?;
    let chmod_spec = c
        .chmod
        .as_ref()
        .map(|v| expand(ctx, st, v, span))
        .transpose()?;
    let dest = dest_path(&st.cwd, &dest_raw);
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

    let mut history = String::from(name_kw);
    if c.parents {
        history.push_str(" --parents");
    }
    if let Some(ch) = &chown {
        history.push_str(&format!(" --chown={ch}"));
    }
    if let Some(m) = &chmod_spec {
        history.push_str(&format!(" --chmod={m}"));
    }

    let text = plain_progress_text(ctx, st, &instr.original);
    let name = st.prefix(&text);
    // `--link` (without --chmod, as the official frontend): copy onto scratch, then
    // merge that layer onto the stage.
    let link = c.link && chmod_spec.is_none() && ctx.opts.supports("mergeop");
    let from_state: Option<Option<Output>> = match &c.from {
        Some(f) => Some(super::run::source_state(
            ctx,
            st,
            f,
            &super::SourceUse::Copy,
            span,
        )?),
        None => None,
    };

    // Inputs: 0 = destination (the stage), then one per distinct source state.
    let mut inputs = InputSet::default();
    let dest_input: i64 = match st.state {
        Some(o) if !link => inputs.add(&ctx.graph, o),
        _ => -1,
    };
    let mut actions: Vec<pb::FileAction> = Vec::new();
    let mut copies: Vec<(i64, pb::FileActionCopy)> = Vec::new();
    let owner_input = dest_input;
    let base_copy = |src: String| pb::FileActionCopy {
        src,
        dest: dest.clone(),
        owner: chown.as_deref().and_then(|c| chown_opt(c, owner_input)),
        mode,
        mode_str: mode_str.clone(),
        timestamp: -1,
        exclude_patterns: c.exclude.clone(),
        create_dest_path: true,
        ..Default::default()
    };

    for src in &sources {
        history.push_str(&format!(" {src}"));
        if c.from.is_none() && (is_url(src) || is_git(src)) {
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
                node.name = Some(name.clone());
                node.caps.insert("source.git");
                let o = Output {
                    op: ctx.graph.push(node),
                    index: 0,
                };
                let idx = inputs.add(&ctx.graph, o);
                copies.push((idx, base_copy("/".into())));
            } else {
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
                        identifier: src.clone(),
                        attrs,
                    }),
                    Vec::new(),
                );
                node.name = Some(name.clone());
                // The official frontend describes it with its (non-printable) params.
                node.command = Some(String::new());
                let o = Output {
                    op: ctx.graph.push(node),
                    index: 0,
                };
                let idx = inputs.add(&ctx.graph, o);
                let mut cp = base_copy(format!("/{file}"));
                cp.attempt_unpack_docker_compatibility = c.unpack.unwrap_or(false);
                copies.push((idx, cp));
            }
            continue;
        }
        if c.from.is_none() && crate::model::dockerignore::excluded(&ctx.opts.excludes, src) {
            ctx.findings.push(super::EmitFinding {
                rule: crate::rules::Rule::CopyIgnoredFile,
                detail: format!(
                    "Attempting to {} file {src:?} that is excluded by .dockerignore",
                    if c.is_add { "Add" } else { "Copy" }
                ),
                span,
            });
        }
        let source_state = match &from_state {
            Some(s) => *s,
            None => ctx.context(),
        };
        let (mut src_path, mut include) = (src.clone(), Vec::new());
        let mut required = Vec::new();
        if c.parents {
            let (parent, pattern) = match src.split_once("/./") {
                Some((p, pat)) => (p.to_string(), pat.to_string()),
                None => ("/".to_string(), src.clone()),
            };
            let pattern = clean_path(&format!("/{pattern}"));
            include = vec![pattern.trim_start_matches('/').to_string()];
            if !has_wildcard(&parent) && !has_wildcard(&pattern) {
                required = vec![clean_path(&format!("/{parent}/{pattern}"))];
            }
            src_path = parent;
        }
        let src_clean = clean_path(&format!("/{src_path}"));
        if c.from.is_none() {
            ctx.context_paths.insert(clean_path(&format!("/{src}")));
        }
        let idx = source_state.map_or(-1, |o| inputs.add(&ctx.graph, o));
        let mut cp = base_copy(src_clean);
        cp.follow_symlink = true;
        cp.dir_copy_contents = true;
        cp.attempt_unpack_docker_compatibility = c.unpack.unwrap_or(c.is_add);
        cp.allow_wildcard = true;
        cp.allow_empty_wildcard = true;
        cp.include_patterns = include;
        cp.required_paths = required;
        copies.push((idx, cp));
    }

    for content in &c.contents {
        history.push_str(&format!(" <<{}", content.path));
        let data = if content.expand {
            let mut lexer = ctx.lexer;
            lexer.escape = '\\';
            lexer.skip_process_quotes = true;
            lexer
                .process_word(&content.data, &st.env)
                .map(|e| e.result)
                .map_err(|e| Diagnostic::error(e.to_string()).at(span))?
        } else {
            content.data.clone()
        };
        let o = super::inline_file(
            ctx,
            &st.platform,
            format!("/{}", content.path.trim_start_matches('/')),
            0o644,
            data.into_bytes(),
        );
        let idx = inputs.add(&ctx.graph, o);
        copies.push((
            idx,
            base_copy(format!("/{}", content.path.trim_start_matches('/'))),
        ));
    }
    history.push_str(&format!(" {dest_raw}"));

    let n_inputs = inputs.inputs.len() as i64;
    let n = copies.len();
    for (k, (src_idx, cp)) in copies.into_iter().enumerate() {
        let input = if k == 0 {
            dest_input
        } else {
            n_inputs + k as i64 - 1
        };
        let mut cp = cp;
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
    let mut node = inputs.node(pb::op::Op::File(pb::FileOp { actions }));
    node.platform = Some(pb_platform(&st.platform));
    node.name = Some(name.clone());
    node.spans = vec![span];
    node.ignore_cache = st.ignore_cache;
    node.caps.insert("file.base");
    let group = format!("link-{}-{}", st.index, st.cmd_index);
    if link {
        node.progress_group = Some((group.clone(), name.clone(), true));
    }
    let copied = Output {
        op: ctx.graph.push(node),
        index: 0,
    };
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
    st.image.commit(format!("{history} # buildkit"), true);
    Ok(())
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
    Output {
        op: ctx.graph.push(node),
        index: 0,
    }
}

fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?', '['])
}
