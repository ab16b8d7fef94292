//! The lexer against hand-written cases and, when `SLIMFILE_SHARED` is set, the official
//! `envVarTest` and `wordsTest` tables.

use super::*;

/// Environment from `k=v,k=v`.
fn vars(spec: &str) -> Vec<(String, String)> {
    let pairs = spec.split(',').filter(|kv| !kv.is_empty());
    pairs
        .map(|kv| kv.split_once('=').unwrap())
        .map(|(k, v)| (k.into(), v.into()))
        .collect()
}

/// Reads a conformance table from `$SLIMFILE_SHARED/conformance/buildkit-shell/`;
/// `None` (the test skips, saying so) when the shared data is not configured.
fn table(name: &str) -> Option<String> {
    let dir = crate::testutil::conformance("buildkit-shell", name)?;
    Some(std::fs::read_to_string(dir.join(name)).expect("conformance table readable"))
}

fn report(table: &str, run: usize, failures: &[String]) {
    assert!(run > 20, "{table}: only {run} lines run");
    let n = failures.len();
    assert!(
        n == 0,
        "{table}: {n}/{run} failed:\n{}",
        failures.join("\n")
    );
}

#[test]
fn env_var_table() {
    let lx = Lexer::new('\\');
    let envs = vars("PWD=/home,SHELL=bash,KOREAN=한국어,NULL=");
    let (mut run, mut failures) = (0, Vec::new());
    let Some(t) = table("envVarTest") else {
        return;
    };
    for (n, line) in (1..).zip(t.lines()) {
        let line = line.trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('|').map(str::trim).collect();
        assert!(
            f.len() == 3 && ["A", "U", "W"].contains(&f[0]),
            "bad line {n}: {line}"
        );
        if f[0] == "W" {
            continue;
        }
        run += 1;
        let (input, want) = (f[1], f[2]);
        let got = lx
            .process_word(input, &envs)
            .map_or("error".into(), |e| e.result);
        if got != want {
            failures.push(format!("line {n}: {input:?} expected {want:?} got {got:?}"));
        }
    }
    report("envVarTest", run, &failures);
}

#[test]
fn words_table() {
    let lx = Lexer::new('\\');
    let (mut envs, mut run, mut failures) = (Vec::new(), 0, Vec::new());
    let Some(t) = table("wordsTest") else {
        return;
    };
    for (n, line) in (1..).zip(t.lines()) {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if let Some(kv) = line
            .strip_prefix("ENV ")
            .map(|kv| kv.trim_start_matches(' '))
        {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            envs.push((k.to_string(), v.to_string()));
            continue;
        }
        let f: Vec<&str> = line.split('|').collect();
        assert_eq!(f.len(), 2, "bad line {n}: {line}");
        let (input, want) = (f[0].trim(), f[1].trim_start_matches(' '));
        let want: Vec<&str> = want.split(',').collect();
        run += 1;
        let got = lx
            .process_words(input, &envs)
            .unwrap_or_else(|_| vec!["error".into()]);
        if got != want {
            failures.push(format!("line {n}: {input:?} expected {want:?} got {got:?}"));
        }
    }
    report("wordsTest", run, &failures);
}

#[test]
fn matches_and_patterns() {
    let lx = Lexer::new('\\');
    let names = |s: &str| vars(s).into_iter().map(|(k, _)| k).collect::<BTreeSet<_>>();
    // input ¦ env ¦ expected result ¦ matched (k=,...) ¦ unmatched (k=,...)
    let cases = [
        r"x ${UNUSED}. ¦ DUMMY=d ¦ x . ¦ ¦ UNUSED=",
        r"${FOO-aaa} ${BAR-bbb} ${BAZ-ccc} ¦ FOO=xxx,BAR= ¦ xxx  ccc ¦ BAR=,FOO= ¦ BAZ=",
        r"${FOO:+aaa} ${BAR:+bbb} ${BAZ:+c}. ¦ FOO=xxx,BAR= ¦ aaa  . ¦ BAR=,FOO= ¦ BAZ=",
        r"${BAR?bbb} ¦ BAR= ¦ ¦ BAR= ¦",
        r"${FOO#()[]{\}^$.\*\?|\\} ¦ FOO=()[]{}^$.*?|\x ¦ x ¦ FOO= ¦",
        r"${FOO%%\**} ¦ FOO=xx** ¦ xx ¦ FOO= ¦",
        r"${FOO#*x*y} ${FOO##*x} ¦ FOO=xxyy ¦ y yy ¦ FOO= ¦",
        r"${FOO#?\?} ¦ FOO=???y ¦ ?y ¦ FOO= ¦",
        r"${ABC:-.}${FOO%x}${ABC:-.} ¦ FOO=xxyy ¦ .xxyy. ¦ FOO= ¦ ABC=",
        r"${FOO%%\**\*} ¦ FOO=a***yy* ¦ a ¦ FOO= ¦",
        r"${FOO%y*} ${FOO%%y*} ${FOO#한} ¦ FOO=한xyay ¦ 한xya 한x xyay ¦ FOO= ¦",
        r"${F/$N/.} ${F//$N/.} ¦ F=/foo*/*/*.txt,N=\*/ ¦ /foo.*/*.txt /foo..*.txt ¦ F=,N= ¦",
        r"${F/$N/$R} ${F//$N/$R} ¦ F=/a/b/c/d,N=/?/,R=/ ¦ /b/c/d /b/d ¦ F=,N=,R= ¦",
        r"${FOO//\//\/} ¦ FOO=/tmp/foo.txt ¦ \/tmp\/foo.txt ¦ FOO= ¦",
        r"${FOO/$B/ww} ${FOO//$B/-} ¦ FOO=xy,B= ¦ wwxy -x-y- ¦ B=,FOO= ¦",
        r"${FOO//y*/<$R>} ¦ FOO=xyz,R=$0$$${0}$x$ ¦ x<yz$yz$> ¦ FOO=,R= ¦",
        r"${FOO///} ¦ ¦ ¦ ¦ FOO=",
    ];
    for case in cases {
        let f: Vec<&str> = case.split('¦').map(str::trim).collect();
        let got = lx.process_word(f[0], &vars(f[1])).unwrap();
        let want = (f[2], names(f[3]), names(f[4]));
        assert_eq!(
            (got.result.as_str(), got.matched, got.unmatched),
            want,
            "{case}"
        );
    }
}

#[test]
fn errors() {
    let lx = Lexer::new('\\');
    let envs = vars("VAR=,ARG=x");
    for (input, want) in [
        ("${VAR:?message here$ARG}", "VAR: message herex"),
        ("a${NOPE?}", "NOPE: is not allowed to be unset"),
        ("${VAR:?}", "VAR: is not allowed to be empty"),
        ("${VAR", "unsupported modifier (\u{fffd}) in substitution"),
        ("${VAR:-x", "syntax error: missing '}'"),
        ("${}", "syntax error: bad substitution"),
        ("${VAR:#x}", "unsupported modifier (:#) in substitution"),
        ("${VAR=x}", "unsupported modifier (=) in substitution"),
        ("${VAR/x", "syntax error: missing '/' in ${}"),
        (r"${VAR#$ARG\}", "syntax error: missing '}'"),
        (
            r"${ARG#\x}",
            r"invalid pattern (\x) in substitution: invalid escape '\x'",
        ),
        (
            "'a",
            "unexpected end of statement while looking for matching single-quote",
        ),
    ] {
        let msg = lx.process_word(input, &envs).unwrap_err().to_string();
        assert_eq!(
            msg,
            format!("failed to process {}: {want}", crate::golang::quote(input))
        );
    }
    assert_eq!(
        crate::golang::quote("a\"\\\n\u{1b}é\u{a0}"),
        r#""a\"\\\n\x1bé\u00a0""#
    );
    assert_eq!(lx.process_word("${VAR?}", &envs).unwrap().result, "");
}

#[test]
fn skip_unset_and_raw_modes() {
    let envs = vars("A=1");
    let word = |lx: &Lexer, w: &str| lx.process_word(w, &envs).unwrap();
    let mut lx = Lexer::new('\\');
    lx.skip_unset_env = true;
    let out = word(&lx, "$A $B ${B} ${B:-x} ${B/p/r} ${A:-x}");
    assert_eq!(out.result, "1 $B ${B} ${B:-x} ${B/p/r} 1");
    assert_eq!(
        format!("{:?} {:?}", out.matched, out.unmatched),
        r#"{"A"} {"B"}"#
    );
    lx.raw_quotes = true;
    assert_eq!(word(&lx, r#"'$A' "$A" x"#).result, r#"'$A' "1" x"#);
    let words = lx.process_words(r#"a"b c" 'd'"#, &envs).unwrap();
    assert_eq!(words, [r#"a"b c""#, "'d'"]);
    let mut lx = Lexer::new('`');
    assert_eq!(word(&lx, r"a\b`$A`` `").result, r"a\b$A` ");
    lx.raw_escapes = true;
    assert_eq!(word(&lx, r"`$A").result, r"`$A");
    lx.skip_process_quotes = true;
    assert_eq!(word(&lx, r#"'$A' <<  EOF"#).result, r#"'1' <<  EOF"#);
    let words = Lexer::new('\\').process_words("a <<  EOF b", &envs);
    assert_eq!(words.unwrap(), ["a", "<<  EOF", "b"]);
    let words = Lexer::new('\\').process_words("x${N:-b c}d '' e", &envs);
    assert_eq!(words.unwrap(), ["xb", "cd", "e"]);
}

#[test]
fn env_impls() {
    let list = vars("k=1,K=2,k=3");
    assert_eq!(Env::get(&list, "k").as_deref(), Some("3"));
    assert_eq!(Env::keys(&list), ["K", "k"]);
    let map: BTreeMap<String, String> = list.into_iter().collect();
    assert_eq!(
        (Env::get(&map, "K").as_deref(), Env::get(&map, "x")),
        (Some("2"), None)
    );
}

#[test]
fn never_panics() {
    let alphabet: Vec<char> = "${}:-+?#%/\\'\"ab* <0@한\n`".chars().collect();
    let envs = vars("a=a*b/,b=,ab=한 $0 \\");
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut rand = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    for _ in 0..5000 {
        let len = rand(40);
        let word: String = (0..len).map(|_| alphabet[rand(alphabet.len())]).collect();
        let mut lx = Lexer::new(if rand(2) == 0 { '\\' } else { '`' });
        let flags = rand(16);
        lx.raw_quotes = flags & 1 != 0;
        lx.raw_escapes = flags & 2 != 0;
        lx.skip_process_quotes = flags & 4 != 0;
        lx.skip_unset_env = flags & 8 != 0;
        let _ = (
            lx.process_word(&word, &envs),
            lx.process_words(&word, &envs),
        );
    }
}
