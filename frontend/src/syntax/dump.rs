//! The official parser's AST dump (`(from "alpine")` ...), for `slimfile parse` and the
//! conformance fixtures.

use super::{Dockerfile, Node};

/// Dumps a parsed file in the official parser's S-expression format (no trailing newline).
pub fn dump(df: &Dockerfile) -> String {
    let mut out = String::new();
    for node in &df.nodes {
        out.push('(');
        out.push_str(&dump_node(node));
        out.push_str(")\n");
    }
    out.trim().to_string()
}

fn dump_node(node: &Node) -> String {
    let mut s = node.keyword.to_lowercase();
    if !node.flags.is_empty() {
        let flags: Vec<String> = node.flags.iter().map(|f| crate::golang::quote(f)).collect();
        s.push_str(&format!(" [{}]", flags.join(" ")));
    }
    if let Some(sub) = &node.sub {
        s.push_str(&format!(" ({})", dump_node(sub)));
    }
    for a in &node.args {
        s.push(' ');
        s.push_str(&crate::golang::quote(a));
    }
    s.trim().to_string()
}
