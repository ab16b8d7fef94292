use super::*;
use std::fs;
use std::path::PathBuf;

fn conformance(test: &str) -> Option<PathBuf> {
    crate::testutil::conformance("buildkit-parser", test)
}

#[test]
fn official_positive_cases_dump_identically() {
    let Some(dir) = conformance("official_positive_cases_dump_identically") else {
        return;
    };
    let dir = dir.join("testfiles");
    let mut failures = Vec::new();
    let mut count = 0;
    let mut cases: Vec<_> = fs::read_dir(&dir)
        .expect("conformance testfiles dir")
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    for case in cases {
        count += 1;
        let src = fs::read(case.join("Dockerfile")).unwrap();
        let expected = String::from_utf8(fs::read(case.join("result")).unwrap()).unwrap();
        match parse(&String::from_utf8_lossy(&src)) {
            Ok(df) => {
                let got = dump(&df) + "\n";
                if got != expected {
                    failures.push(format!(
                        "{}:\n--- expected\n{expected}--- got\n{got}",
                        case.display()
                    ));
                }
            }
            Err(e) => failures.push(format!("{}: error {e}", case.display())),
        }
    }
    assert_eq!(count, 33, "expected 33 positive cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn official_negative_cases_are_rejected() {
    let Some(dir) = conformance("official_negative_cases_are_rejected") else {
        return;
    };
    let dir = dir.join("testfiles-negative");
    let mut count = 0;
    for case in fs::read_dir(&dir).expect("negative dir") {
        let case = case.unwrap().path();
        count += 1;
        let src = fs::read(case.join("Dockerfile")).unwrap();
        let res = parse(&String::from_utf8_lossy(&src))
            .and_then(|df| crate::model::instructions::from_nodes(&df).map(|_| ()));
        assert!(res.is_err(), "{} should be rejected", case.display());
    }
    assert_eq!(count, 4);
}

#[test]
fn line_ranges_match_official_testfile() {
    let Some(dir) = conformance("line_ranges_match_official_testfile") else {
        return;
    };
    let src = fs::read_to_string(dir.join("testfile-line/Dockerfile")).unwrap();
    let df = parse(&src).unwrap();
    let ranges: Vec<(usize, usize)> = df
        .nodes
        .iter()
        .map(|n| (n.span.start_line, n.span.end_line))
        .collect();
    assert_eq!(ranges, vec![(5, 5), (11, 12), (17, 31)]);
}

#[test]
fn heredocs_in_every_form() {
    let src = "FROM a\nRUN <<EOF\necho $X\nEOF\nRUN <<-'END' cat\n\tline\n\tEND\nCOPY <<A <<\"B\" /dst/\na\nA\nb\nB\nONBUILD RUN <<X\nhi\nX\nRUN 3<<EOF bash\nx\nEOF\n";
    let df = parse(src).unwrap();
    let docs: Vec<(String, bool, bool, String)> = df
        .nodes
        .iter()
        .flat_map(|n| n.heredocs.iter())
        .map(|h| (h.name.clone(), h.expand, h.chomp, h.content.clone()))
        .collect();
    assert_eq!(
        docs,
        vec![
            ("EOF".into(), true, false, "echo $X\n".into()),
            ("END".into(), false, true, "\tline\n".into()),
            ("A".into(), true, false, "a\n".into()),
            ("B".into(), false, false, "b\n".into()),
            ("X".into(), true, false, "hi\n".into()),
            ("EOF".into(), true, false, "x\n".into()),
        ]
    );
    assert_eq!(
        df.nodes[1].span,
        Span {
            start_line: 2,
            end_line: 4,
            start: 7,
            end: 29
        }
    );
    assert_eq!(df.nodes[5].heredocs[0].fd, 3);
}

#[test]
fn unterminated_heredoc_is_located() {
    let err = parse("FROM a\nRUN <<EOF\necho\n").unwrap_err();
    assert_eq!(err.message, "unterminated heredoc");
    assert_eq!(err.spans[0].start_line, 2);
}

#[test]
fn directives_and_escape() {
    let df = parse("# syntax=slimfile:dev\n# escape=`\nFROM a\nRUN echo a `\n  b\n").unwrap();
    assert_eq!(df.escape, '`');
    assert_eq!(df.directive("syntax"), Some("slimfile:dev"));
    assert_eq!(df.nodes[1].args, vec!["echo a   b".to_string()]);
    assert!(parse("# escape=x\nFROM a\n").is_err());
    assert!(parse("# escape=\\\n# escape=`\nFROM a\n").is_err());
    // A directive after an instruction is a plain comment.
    let df = parse("FROM a\n# escape=`\nRUN x \\\n y\n").unwrap();
    assert_eq!(df.escape, '\\');
}

#[test]
fn flags_and_json() {
    let df = parse("FROM a\nCOPY --from=b --chown=\"1:2\" x y\nRUN [\"a\", \"b\"]\nCMD [1]\n");
    assert_eq!(
        df.unwrap_err().message,
        "when using JSON array syntax, arrays must be comprised of strings only"
    );
    let df =
        parse("FROM a\nCOPY --from=b --chown=\"1:2\" x y\nRUN [\"a\", \"b\"]\nRUN [bad\n").unwrap();
    assert_eq!(df.nodes[1].flags, vec!["--from=b", "--chown=1:2"]);
    assert!(df.nodes[2].json);
    assert_eq!(df.nodes[3].args, vec!["[bad".to_string()]);
}

#[test]
fn hostile_input_never_panics() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let alphabet: Vec<char> = "FROM RUN COPY ONBUILD <<EOF \\\n\t\"'[]{}$#=-` \u{feff}é"
        .chars()
        .collect();
    for _ in 0..3000 {
        let mut s = String::new();
        for _ in 0..(seed % 80) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            s.push(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        let _ = parse(&s);
    }
}
