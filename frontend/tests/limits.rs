//! One test per limit of `slimfile::limits` (docs/limits.md): an input just over the
//! limit is a located error with the limit's message, an input at the limit builds.
//! Inputs are generated here, never committed.

use slimfile::limits;
use slimfile::model::options::BuildOptions;

mod common;
use common::plan_err;

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

/// `FROM scratch`, `KEYWORD A0=xx` and `count` lines `KEYWORD Ai=$A{i-1}$A{i-1}`.
fn doubling(keyword: &str, count: usize) -> String {
    let mut s = format!("FROM scratch\n{keyword} A0=xx\n");
    for i in 1..=count {
        s.push_str(&format!("{keyword} A{i}=$A{p}$A{p}\n", p = i - 1));
    }
    s + &format!("LABEL big=$A{count}\n")
}

#[test]
fn expanded_word_size() {
    // A20 is 2 MiB, the limit; A21 would be 4 MiB: an error at its line (line 23).
    for keyword in ["ARG", "ENV"] {
        assert_eq!(plan_err(&doubling(keyword, 20)), None, "{keyword}");
        let (msg, line) = plan_err(&doubling(keyword, 64)).expect("over the limit");
        assert!(msg.contains("longer than 2 MiB"), "{keyword}: {msg}");
        assert!(msg.starts_with("failed to process \"$A20$A20\""), "{msg}");
        assert_eq!(line, 23, "{keyword}: {msg}");
    }
    // Before the first FROM too.
    let args = doubling("ARG", 64).replacen("FROM scratch\n", "", 1);
    let global = args.replace(
        "LABEL big=$A64\n",
        "FROM scratch\nARG A64\nLABEL big=$A64\n",
    );
    assert_eq!(plan_err(&global).expect("over").1, 22);
}

#[test]
fn expanded_total_size() {
    // A 64 KiB value copied twice by each LABEL: 128 KiB a line, 32 MiB by line 273.
    let mut s = "FROM scratch\nENV A0=xx\n".to_string();
    for i in 1..16 {
        s.push_str(&format!("ENV A{i}=$A{p}$A{p}\n", p = i - 1));
    }
    let lines = s.lines().count();
    let under = s.clone() + &"LABEL b=$A15$A15\n".repeat(200);
    assert_eq!(plan_err(&under), None);
    let over = s + &"LABEL b=$A15$A15\n".repeat(10_000 - lines);
    let (msg, line) = plan_err(&over).expect("over the limit");
    assert!(msg.contains("more than 32 MiB in total"), "{msg}");
    assert!(line > lines + 200 && line < lines + 300, "{line}: {msg}");
}

#[test]
fn nested_references() {
    let nested = |n: usize| {
        format!(
            "FROM scratch\nLABEL x={}x{}\n",
            "${a:-".repeat(n),
            "}".repeat(n)
        )
    };
    assert_eq!(plan_err(&nested(limits::MAX_NESTING)), None);
    let (msg, line) = plan_err(&nested(10_000)).expect("too deep");
    assert!(msg.contains("nested more than 100 deep"), "{msg}");
    assert_eq!(line, 2);
    // In a COPY heredoc's body (expanded by the frontend).
    let body = format!("{}x{}\n", "${a:-\n".repeat(10_000), "}".repeat(10_000));
    let copy = format!("FROM scratch\nCOPY <<EOF /f\n{body}EOF\n");
    assert!(
        plan_err(&copy)
            .expect("too deep")
            .0
            .contains("nested more than")
    );
}

#[test]
fn pattern_match_work() {
    let mut s = "FROM scratch\nENV A0=ab\n".to_string();
    for i in 1..19 {
        s.push_str(&format!("ENV A{i}=$A{p}$A{p}\n", p = i - 1));
    }
    // 512 KiB of "abab...": every b replaced is fine, a 401-element pattern is not.
    assert_eq!(plan_err(&format!("{s}LABEL x=${{A18//b/c}}\n")), None);
    let costly = format!("{s}LABEL x=${{A18//{}c/y}}\n", "*?".repeat(200));
    let (msg, line) = plan_err(&costly).expect("too costly");
    assert!(
        msg.contains("too costly to match against a value of 524288"),
        "{msg}"
    );
    assert_eq!(line, 21);
}

#[test]
fn shell_substitution_nesting() {
    use slimfile::analysis::shell::parse;
    let nested = |n: usize| {
        format!(
            "echo {}apt-get install x{}",
            "$(echo ".repeat(n),
            ")".repeat(n)
        )
    };
    let at = parse(&nested(limits::MAX_SHELL_NESTING));
    assert!(!at.uncertain);
    // The innermost substitution, `echo apt-get install x`, is read (and comes first).
    assert_eq!(at.commands[0].argv(), ["echo", "apt-get", "install", "x"]);
    let deep = parse(&nested(10_000));
    assert!(deep.uncertain);
    assert!(
        deep.commands.iter().all(|c| c.argv().len() == 2),
        "{deep:?}"
    );
    // The RUN builds, unfused.
    let src = format!("FROM scratch\nRUN {}\n", nested(10_000));
    assert_eq!(plan_err(&src), None);
}

#[test]
fn onbuild_chain() {
    let chain = |n: usize| format!("FROM scratch\n{}RUN true\n", "ONBUILD ".repeat(n));
    for n in [2, limits::MAX_ONBUILD_CHAIN + 1, 10_000] {
        let (msg, line) = plan_err(&chain(n)).expect("a chain");
        assert!(
            msg.contains("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"),
            "{msg}"
        );
        assert_eq!(line, 2);
    }
    // The parser still shows a short chain.
    let df = slimfile::syntax::parse(&chain(limits::MAX_ONBUILD_CHAIN)).expect("parses");
    assert!(
        df.nodes[1]
            .sub
            .as_ref()
            .and_then(|s| s.sub.as_ref())
            .is_some()
    );
    assert!(slimfile::syntax::parse(&chain(limits::MAX_ONBUILD_CHAIN + 1)).is_err());
}

#[test]
fn definition_size() {
    // A 1 MiB Dockerfile (the definition's source map carries it) and 1 MiB of
    // environment, which every RUN's exec op carries: 16 MiB by the fifteenth RUN.
    let mut s = String::from("FROM scratch\n");
    for i in 0..16 {
        s.push_str(&format!("ENV E{i}={}\n", "e".repeat(64 << 10)));
    }
    let under = s.clone() + &"RUN true\n".repeat(14);
    let e = slimfile::plan(&under, "Dockerfile", &BuildOptions::new()).expect("builds");
    let size = prost::Message::encoded_len(&e.definition);
    assert!(
        size > 15 << 20 && size <= limits::MAX_DEFINITION_BYTES,
        "{size}"
    );
    let (msg, line) = plan_err(&(s + &"RUN true\n".repeat(40))).expect("over the limit");
    assert!(
        msg.contains("build definition is larger than 16 MiB"),
        "{msg}"
    );
    assert_eq!(line, 32, "{msg}");
}

#[test]
fn stage_chains_and_siblings_inherit_their_base() {
    // A chain at the instruction limit (the last stage takes its base's config rather
    // than copying it), and two stages on one base (the first must copy it).
    let mut s = String::from("FROM scratch AS s0\nENV V0=0\n");
    for i in 1..limits::MAX_INSTRUCTIONS / 2 {
        s.push_str(&format!("FROM s{} AS s{i}\nENV V{i}={i}\n", i - 1));
    }
    let e = slimfile::plan(&s, "Dockerfile", &BuildOptions::new()).expect("builds");
    let env = e.image.config.env.expect("env");
    assert_eq!(
        env.len(),
        limits::MAX_INSTRUCTIONS / 2 + 1,
        "PATH and every V"
    );
    assert_eq!(e.image.history.len(), limits::MAX_INSTRUCTIONS / 2);
    let siblings = "FROM scratch AS base\nENV A=1\nFROM base AS one\nENV B=2\n\
                    FROM base AS two\nENV C=3\nFROM two\nCOPY --from=one /x /x\n";
    let e = slimfile::plan(siblings, "Dockerfile", &BuildOptions::new()).expect("builds");
    let env = e.image.config.env.expect("env");
    assert!(
        env.contains(&"A=1".to_string()) && env.contains(&"C=3".to_string()),
        "{env:?}"
    );
    assert!(!env.contains(&"B=2".to_string()), "{env:?}");
}
