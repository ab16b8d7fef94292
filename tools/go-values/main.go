// Command go-values prints how Go formats the values slimfile must format the same
// way: one JSON object per line, {"fn": NAME, "in": INPUT, "out": GO'S OUTPUT}.
// frontend/tests/go_values.rs reads its output (frontend/tests/go_values.jsonl) and
// checks src/golang.rs against every line.
//
// Run by hand (no module needed): tools/go-values/run
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"strconv"
	"time"
)

func emit(enc *json.Encoder, fn string, in any, out string) {
	if err := enc.Encode(map[string]any{"fn": fn, "in": in, "out": out}); err != nil {
		panic(err)
	}
}

func main() {
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)

	// strconv.IsPrint over every code point, as ranges [first, last] of printable ones.
	var ranges [][2]int
	for r := 0; r <= 0x10ffff; r++ {
		if !strconv.IsPrint(rune(r)) {
			continue
		}
		if n := len(ranges); n > 0 && ranges[n-1][1] == r-1 {
			ranges[n-1][1] = r
		} else {
			ranges = append(ranges, [2]int{r, r})
		}
	}
	emit(enc, "is_print_ranges", ranges, "")

	// strconv.Quote (%q of a string) of some mixed strings.
	for _, s := range []string{"", "plain", "a \"b\" \\c", "tab\there\nnl", "\x00\x1b\x7f",
		"nbsp\u00a0ls\u2028ps\u2029", "zw\u200b\u200d\ufeff", "é🙂\U000e0001", "\u0085\u00ad"} {
		emit(enc, "quote", s, fmt.Sprintf("%q", s))
	}

	// %q of an integer (HEALTHCHECK retries in history).
	for _, n := range []int64{0, 3, 7, 9, 10, 27, 32, 39, 65, 92, 127, 160, 173, 233, 0x2028,
		0xd800, 0xfffd, 0x1f642, 0x10ffff, 0x110000, -1, 1 << 40} {
		emit(enc, "quote_rune", n, fmt.Sprintf("%q", n))
	}

	// time.Duration.String().
	for _, ns := range []int64{0, 1, 999, 1000, 1500, 999999, 1000000, 1234567, 999999999,
		1000000000, 1500000000, 30000000000, 60000000000, 61000000000, 3600000000000,
		3723000000001, 90000000000000, -1500000, -3600000000000,
		-9223372036854775808, 9223372036854775807} {
		emit(enc, "duration", ns, time.Duration(ns).String())
	}

	// time.Time marshalled as RFC 3339 (UTC).
	for _, s := range []int64{0, 1609459200, 951782400, 1700000000, -1, 4102444799,
		-62135596800, 253402300799, 946684799, 1234567890} {
		emit(enc, "rfc3339", s, time.Unix(s, 0).UTC().Format(time.RFC3339))
	}

	// path.Clean.
	for _, p := range []string{"", ".", "..", "/", "//", "/..", "/../a", "a/..", "a/../..",
		"../a/b/..", "a//b/./c/", "/a/b/../../..", "./x", "x/./", "/tmp/../var/./lib/",
		"../../x", "a/b/../../../c"} {
		emit(enc, "path_clean", p, path.Clean(p))
	}

	// fmt's %v and %q of string slices.
	for _, v := range [][]string{{}, {"a"}, {"/bin/sh", "-c", "echo \"hi\" there"},
		{"80/tcp", "443/udp"}, {"tab\t", "nbsp\u00a0"}} {
		emit(enc, "list", v, fmt.Sprintf("%v", v))
		emit(enc, "quoted_list", v, fmt.Sprintf("%q", v))
	}
}
