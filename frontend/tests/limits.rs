//! One test per limit of `slimfile::limits` (docs/limits.md): an input just over the
//! limit is a located error with the limit's message, an input at the limit builds.
//! Inputs are generated here, never committed.

use slimfile::limits;
use slimfile::model::options::BuildOptions;

/// Plans `src`: the error's message and first line, or `None` when it builds.
fn plan_err(src: &str) -> Option<(String, usize)> {
    match slimfile::plan(src, "Dockerfile", &BuildOptions::new()) {
        Ok(_) => None,
        Err(d) => Some((
            d.message.clone(),
            d.spans.first().map_or(0, |s| s.start_line),
        )),
    }
}

/// `FROM scratch`, then `line` repeated until the text is at least `size` bytes.
fn filled(size: usize, line: &str) -> String {
    let mut s = String::from("FROM scratch\n");
    s.push_str(&line.repeat((size.saturating_sub(s.len())).div_ceil(line.len())));
    s
}

#[test]
fn dockerfile_size() {
    let over = filled(limits::MAX_DOCKERFILE_BYTES + 1, "# comment\n");
    let (msg, line) = plan_err(&over).expect("over the limit");
    assert!(msg.contains("larger than 8 MiB"), "{msg}");
    assert_eq!(line, 0);
    let under = filled(limits::MAX_DOCKERFILE_BYTES - 10, "# comment\n");
    assert!(under.len() <= limits::MAX_DOCKERFILE_BYTES);
    assert_eq!(plan_err(&under), None);
}

#[test]
fn instruction_count() {
    let at = "LABEL a=b\n".repeat(limits::MAX_INSTRUCTIONS - 1);
    assert_eq!(plan_err(&format!("FROM scratch\n{at}")), None);
    let (msg, line) = plan_err(&format!("FROM scratch\n{at}# c\n\nLABEL c=d\n")).expect("over");
    assert!(msg.contains("more than 10000 instructions"), "{msg}");
    assert_eq!(line, limits::MAX_INSTRUCTIONS + 3);
}

#[test]
fn instruction_length() {
    let part = "a".repeat(1000) + " \\\n";
    let n = limits::MAX_INSTRUCTION_BYTES / 1001;
    let at = format!("FROM scratch\nRUN echo \\\n{}done\n", part.repeat(n - 1));
    assert_eq!(plan_err(&at), None);
    let over = format!("FROM scratch\nRUN echo \\\n{}done\n", part.repeat(n + 1));
    let (msg, line) = plan_err(&over).expect("over the limit");
    assert!(msg.contains("instruction is longer than 2 MiB"), "{msg}");
    assert_eq!(line, 2);
    let one_line = format!(
        "FROM scratch\nRUN echo {}\n",
        "a".repeat(limits::MAX_INSTRUCTION_BYTES)
    );
    assert!(plan_err(&one_line).expect("over").0.contains("longer than"));
}

#[test]
fn a_million_empty_lines() {
    // Parsed without a table of lines, the error rendered without one (tools/hostile
    // has the full-size file).
    let src = format!("FROM scratch\n{}FOO\n", "\n".repeat(1 << 20));
    let d = slimfile::plan(&src, "Dockerfile", &BuildOptions::new()).unwrap_err();
    let out = d.render("Dockerfile", &src);
    assert!(out.contains(">>> FOO"), "{out}");
}
