//! `slimfile::golang` against Go itself: `go_values.jsonl` is what Go 1.26 printed for
//! each function (`tools/go-values/`, run by hand). Every line must match.

use serde_json::Value;
use slimfile::golang;

fn table() -> Vec<(String, Value, String)> {
    include_str!("go_values.jsonl")
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("a JSON line");
            let fn_name = v["fn"].as_str().unwrap().to_string();
            let out = v["out"].as_str().unwrap().to_string();
            (fn_name, v["in"].clone(), out)
        })
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn every_function_prints_what_go_prints() {
    let mut wrong = Vec::new();
    let mut checked = 0;
    for (name, input, want) in table() {
        let got = match name.as_str() {
            "quote" => golang::quote(input.as_str().unwrap()),
            "quote_rune" => golang::quote_rune(input.as_i64().unwrap()),
            "duration" => golang::duration(input.as_i64().unwrap()),
            "rfc3339" => golang::rfc3339(input.as_i64().unwrap()),
            "path_clean" => golang::path_clean(input.as_str().unwrap()),
            "list" => golang::list(&strings(&input)),
            "quoted_list" => golang::quoted_list(&strings(&input)),
            "is_print_ranges" => continue,
            other => panic!("no such function in the table: {other}"),
        };
        checked += 1;
        if got != want {
            wrong.push(format!("{name}({input}): go {want:?}, ours {got:?}"));
        }
    }
    assert!(checked > 50, "the table has only {checked} values");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn is_print_agrees_with_go_on_every_code_point() {
    let (_, ranges, _) = table()
        .into_iter()
        .find(|(n, _, _)| n == "is_print_ranges")
        .expect("the table has Go's IsPrint ranges");
    let ranges: Vec<(u32, u32)> = ranges
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r[0].as_u64().unwrap() as u32, r[1].as_u64().unwrap() as u32))
        .collect();
    let go = |c: u32| ranges.iter().any(|&(a, b)| a <= c && c <= b);
    let wrong: Vec<String> = (0..=0x10ffffu32)
        .filter_map(char::from_u32)
        .filter(|&c| golang::is_print(c) != go(u32::from(c)))
        .map(|c| format!("U+{:04X}", u32::from(c)))
        .collect();
    assert!(
        wrong.is_empty(),
        "{} code points differ: {}",
        wrong.len(),
        wrong[..wrong.len().min(40)].join(" ")
    );
}
