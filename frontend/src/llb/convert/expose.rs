//! EXPOSE: ports and ranges, expanded, into the config's exposed ports.

use std::collections::BTreeMap;

use super::{Ctx, StageState};
use crate::diagnostics::{Diagnostic, Span};

/// EXPOSE: each word is expanded (and may split into several), then each port or range
/// becomes `PORT/proto` entries.
pub(super) fn dispatch_expose(
    ctx: &Ctx<'_>,
    st: &mut StageState,
    ports: &[String],
    span: Span,
) -> Result<(), Diagnostic> {
    let mut list = Vec::new();
    for p in ports {
        let words = ctx
            .lexer
            .process_words(p, &st.env)
            .map_err(|e| Diagnostic::error(e.to_string()).at(span))?;
        for w in words {
            list.extend(expand_ports(&w).map_err(|d| d.at(span))?);
        }
    }
    let exposed = st
        .image
        .config
        .exposed_ports
        .get_or_insert_with(BTreeMap::new);
    for p in &list {
        exposed.insert(p.clone(), serde_json::json!({}));
    }
    st.image
        .commit(format!("EXPOSE {}", crate::golang::list(&list)), false);
    Ok(())
}

/// `80`, `80/udp`, `8000-8002/tcp` → `["80/tcp", ...]`.
fn expand_ports(spec: &str) -> Result<Vec<String>, Diagnostic> {
    let bad = || Diagnostic::error(format!("invalid containerPort: {spec}"));
    let (ports, proto) = match spec.rsplit_once('/') {
        Some((p, proto)) => (p, proto.to_ascii_lowercase()),
        None => (spec, "tcp".to_string()),
    };
    // An `ip:host:container` form keeps only the container part.
    let ports = ports.rsplit(':').next().unwrap_or(ports);
    let (start, end) = match ports.split_once('-') {
        Some((a, b)) => (
            a.parse::<u32>().map_err(|_| bad())?,
            b.parse::<u32>().map_err(|_| bad())?,
        ),
        None => {
            let p = ports.parse::<u32>().map_err(|_| bad())?;
            (p, p)
        }
    };
    if start > end || end > 65535 {
        return Err(bad());
    }
    Ok((start..=end).map(|p| format!("{p}/{proto}")).collect())
}
