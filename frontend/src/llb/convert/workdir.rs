//! WORKDIR: the new working directory, created (owned by the current USER) in a file op
//! unless it is `/`.

use bollard_buildkit_proto::pb;

use super::words::{clean_path, expand, normalize_workdir, plain_progress_text};
use super::{Ctx, StageState, copy};
use crate::diagnostics::Diagnostic;
use crate::llb::graph::OpNode;
use crate::model::instructions::Instruction;

/// WORKDIR `p` of instruction `instr`.
pub(super) fn dispatch_workdir(
    ctx: &mut Ctx<'_>,
    st: &mut StageState,
    instr: &Instruction,
    p: &str,
) -> Result<(), Diagnostic> {
    let span = instr.span;
    let p = expand(ctx, st, p, span)?;
    let wd = normalize_workdir(&st.cwd, &p);
    st.image.config.working_dir = wd.clone();
    st.cwd = wd.clone();
    let with_layer = wd != "/";
    if with_layer {
        let name = st.prefix(&plain_progress_text(ctx, st, &instr.original));
        let input = if st.state.is_some() { 0 } else { -1 };
        let owner = copy::chown_opt(&st.image.config.user, input);
        let mut node = OpNode::new(
            pb::op::Op::File(pb::FileOp {
                actions: vec![pb::FileAction {
                    input,
                    secondary_input: -1,
                    output: 0,
                    action: Some(pb::file_action::Action::Mkdir(pb::FileActionMkDir {
                        path: clean_path(&wd),
                        mode: 0o755,
                        make_parents: true,
                        owner,
                        timestamp: ctx.epoch.map_or(-1, |s| s.saturating_mul(1_000_000_000)),
                    })),
                }],
            }),
            st.state.into_iter().collect(),
        );
        node.name = Some(name);
        node.spans = vec![span];
        node.ignore_cache = st.ignore_cache;
        node.caps.insert("file.base");
        st.state = Some(ctx.push_on(node, &st.platform));
    }
    st.image.commit(format!("WORKDIR {wd}"), with_layer);
    Ok(())
}
