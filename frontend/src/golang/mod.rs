//! Go's formatting, where the official frontend's output shows it: `%q` strings and
//! runes, `time.Duration`, RFC 3339 times, `path.Clean` and `fmt`'s list printing.
//! History entries, error messages and the `parse` dump must match the Go original
//! byte for byte. `tests/go_values.rs` checks every function here against a table that
//! Go printed (`tools/go-values/`).
//!
//! A leaf module: it depends on nothing else in the crate.

mod print_ranges;

/// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII
/// space, by Go's own Unicode 15 tables (so other spaces, such as U+00A0 and U+2028,
/// and characters assigned since, are not printable).
pub fn is_print(c: char) -> bool {
    let c = u32::from(c);
    print_ranges::PRINT_RANGES
        .binary_search_by(|&(first, last)| {
            if last < c {
                std::cmp::Ordering::Less
            } else if first > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Appends `c` escaped as `strconv.Quote` (quote `"`) or `QuoteRune` (quote `'`) does.
fn push_escaped(out: &mut String, c: char, quote: char) {
    let code = u32::from(c);
    match c {
        _ if c == quote || c == '\\' => out.extend(['\\', c]),
        _ if is_print(c) => out.push(c),
        '\u{07}' => out.push_str("\\a"),
        '\u{08}' => out.push_str("\\b"),
        '\u{0c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{0b}' => out.push_str("\\v"),
        _ if code < 0x20 || code == 0x7f => out.push_str(&format!("\\x{code:02x}")),
        _ if code < 0x10000 => out.push_str(&format!("\\u{code:04x}")),
        _ => out.push_str(&format!("\\U{code:08x}")),
    }
}

/// Go's `strconv.Quote` (and `%q` of a string).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// Go's `%q` of an integer: a quoted character literal (U+FFFD when not a valid rune).
pub fn quote_rune(n: i64) -> String {
    let c = u32::try_from(n)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{fffd}');
    let mut out = String::from("'");
    push_escaped(&mut out, c, '\'');
    out.push('\'');
    out
}

/// `fmt`'s `%v` of a string slice: `[a b c]`.
pub fn list(v: &[String]) -> String {
    format!("[{}]", v.join(" "))
}

/// `fmt`'s `%q` of a string slice: `["a" "b c"]`.
pub fn quoted_list(v: &[String]) -> String {
    let q: Vec<String> = v.iter().map(|s| quote(s)).collect();
    format!("[{}]", q.join(" "))
}

/// `value` / 10^`digits` with the fraction's trailing zeros (and a bare point) dropped,
/// as Go's `fmtFrac` and `fmtInt` write a duration.
fn decimal(value: u64, digits: u32) -> String {
    let scale = 10u64.pow(digits);
    let (int, frac) = (value / scale, value % scale);
    if frac == 0 {
        return int.to_string();
    }
    let frac = format!("{frac:0width$}", width = digits as usize);
    format!("{int}.{}", frac.trim_end_matches('0'))
}

/// Go's `time.Duration.String()` of a count of nanoseconds: `1h2m3.5s`, `1.5ms`, `0s`.
pub fn duration(ns: i64) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let n = ns.unsigned_abs();
    let body = match n {
        0 => "0s".to_string(),
        1..=999 => format!("{n}ns"),
        1_000..=999_999 => format!("{}µs", decimal(n, 3)),
        1_000_000..=999_999_999 => format!("{}ms", decimal(n, 6)),
        _ => {
            let (h, rest) = (n / 3_600_000_000_000, n % 3_600_000_000_000);
            let (m, s) = (rest / 60_000_000_000, rest % 60_000_000_000);
            let mut out = String::new();
            if h > 0 {
                out.push_str(&format!("{h}h"));
            }
            if h > 0 || m > 0 {
                out.push_str(&format!("{m}m"));
            }
            out + &decimal(s, 9) + "s"
        }
    };
    format!("{sign}{body}")
}

/// Seconds since the Unix epoch as RFC 3339 in UTC, the way Go marshals a `time.Time`
/// (`2021-01-01T00:00:00Z`).
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Go's `path.Clean`: lexical cleaning. A rooted path stays rooted (`..` at the root is
/// dropped); a relative one keeps its leading `..`; an empty result is `.` (or `/`).
pub fn path_clean(p: &str) -> String {
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." if out.last().is_some_and(|s| *s != "..") => {
                out.pop();
            }
            ".." if rooted => {}
            s => out.push(s),
        }
    }
    match (rooted, out.is_empty()) {
        (true, _) => format!("/{}", out.join("/")),
        (false, true) => ".".into(),
        (false, false) => out.join("/"),
    }
}
