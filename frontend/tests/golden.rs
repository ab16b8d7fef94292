//! Golden LLB: slimfile with fusion off against the official converter, op by op,
//! without an engine.
//!
//! `tests/golden/corpus/*.Dockerfile` are our own files; `tests/golden/{all,engine}/`
//! hold what BuildKit's own `dockerfile2llb` made of them (by `tools/golden-llb`, run by
//! hand; see `tests/golden/README.md`), under all of BuildKit's LLB caps and under
//! Docker 28.5's. Both sides resolve every image the same way: the reference pinned to
//! `sha256(reference)`, with a linux config that has no env and one layer.
//!
//! A file whose LLB differs is a failure unless `tests/golden/known-differences.txt`
//! lists it; a listed file that now matches is a failure too (the list must shrink).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use bollard_buildkit_proto::pb;
use prost::Message;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use slimfile::image::Image;
use slimfile::llb::convert::{ResolvedImage, emit, external_images};
use slimfile::model::options::{BuildOptions, Platform};

#[derive(Deserialize)]
struct Golden {
    error: Option<String>,
    #[serde(default)]
    warnings: Vec<GoldenWarning>,
    #[serde(default)]
    ops: Vec<GoldenOp>,
    #[serde(default)]
    metadata_raw: BTreeMap<String, String>,
    #[serde(default)]
    source_map: serde_json::Value,
}

/// Per op digest, its source locations: for each location, its ranges as
/// (start line, start character, end line, end character). Empty entries are dropped.
type SourceMap = BTreeMap<String, Vec<Vec<(i64, i64, i64, i64)>>>;

fn golden_source_map(v: &serde_json::Value) -> SourceMap {
    let num = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_i64()).unwrap_or(0);
    let mut out = SourceMap::new();
    let Some(locs) = v.get("locations").and_then(|l| l.as_object()) else {
        return out;
    };
    for (d, l) in locs {
        let list: Vec<Vec<(i64, i64, i64, i64)>> = l
            .get("locations")
            .and_then(|x| x.as_array())
            .map(|a| {
                a.iter()
                    .map(|loc| {
                        loc.get("ranges")
                            .and_then(|r| r.as_array())
                            .map(|rs| {
                                rs.iter()
                                    .map(|r| {
                                        let (s, e) = (&r["start"], &r["end"]);
                                        (
                                            num(s, "line"),
                                            num(s, "character"),
                                            num(e, "line"),
                                            num(e, "character"),
                                        )
                                    })
                                    .collect()
                            })
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .unwrap_or_default();
        if !list.is_empty() {
            out.insert(d.clone(), list);
        }
    }
    out
}

fn our_source_map(def: &pb::Definition) -> SourceMap {
    let mut out = SourceMap::new();
    let Some(src) = &def.source else {
        return out;
    };
    for (d, l) in &src.locations {
        let list: Vec<Vec<(i64, i64, i64, i64)>> = l
            .locations
            .iter()
            .map(|loc| {
                loc.ranges
                    .iter()
                    .map(|r| {
                        let (s, e) = (r.start.unwrap_or_default(), r.end.unwrap_or_default());
                        (
                            s.line as i64,
                            s.character as i64,
                            e.line as i64,
                            e.character as i64,
                        )
                    })
                    .collect()
            })
            .collect();
        if !list.is_empty() {
            out.insert(d.clone(), list);
        }
    }
    out
}

#[derive(Deserialize)]
struct GoldenWarning {
    rule: String,
    message: String,
    #[serde(default)]
    line: usize,
}

#[derive(Deserialize)]
struct GoldenOp {
    digest: String,
    raw: String,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// The corpus Dockerfiles, in name order.
fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir().join("corpus"))
        .expect("tests/golden/corpus")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .collect();
    files.sort();
    files
}

/// The ops slimfile plans for `text` under `caps` (`None`: every cap).
fn planned_ops(text: &str, caps: Option<BTreeSet<String>>) -> Vec<pb::Op> {
    let mut opts = BuildOptions::new();
    opts.llb_caps = caps;
    let def = slimfile::plan(text, "Dockerfile", &opts)
        .unwrap()
        .definition;
    def.def
        .iter()
        .map(|b| pb::Op::decode(&b[..]).unwrap())
        .collect()
}

/// A cap set without the optional LLB features.
fn basic_caps() -> Option<BTreeSet<String>> {
    Some(["file.base", "exec.meta.base"].map(String::from).into())
}

fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .expect("golden base64")
}

fn sha256(s: &str) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(s.as_bytes())))
}

fn linux_amd64() -> Platform {
    Platform {
        os: "linux".into(),
        arch: "amd64".into(),
        variant: String::new(),
    }
}

/// slimfile's ops (digest → op) and metadata for a corpus file, or its error.
type Ops = BTreeMap<String, (pb::Op, Option<pb::OpMetadata>)>;

/// The caps `tools/golden-llb -caps engine` converts with (Docker 28.5's), read from
/// the tool's source; `None` (every cap) for `all`.
fn caps_of(set: &str) -> Option<BTreeSet<String>> {
    if set == "all" {
        return None;
    }
    let src = std::fs::read_to_string(dir().join("../../../tools/golden-llb/main.go"))
        .expect("tools/golden-llb/main.go");
    let start = src
        .find("var engineCaps = []string{")
        .expect("engineCaps in main.go");
    let body = &src[start..];
    let body = &body[..body.find('}').unwrap()];
    let caps: BTreeSet<String> = body
        .split('"')
        .skip(1)
        .step_by(2)
        .map(String::from)
        .collect();
    assert!(caps.len() > 50, "only {} engine caps read", caps.len());
    Some(caps)
}

fn ours(path: &Path, caps: &Option<BTreeSet<String>>) -> Result<(Ops, SourceMap), String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut opts = BuildOptions::new();
    opts.llb_caps = caps.clone();
    opts.fuse = false;
    opts.session_id = "golden-llb-session".into();
    opts.platform = Some(linux_amd64());
    opts.build_platform = Some(linux_amd64());
    let ignore = path.with_extension("dockerignore");
    if let Ok(t) = std::fs::read_to_string(&ignore) {
        opts.excludes = slimfile::model::dockerignore::parse(&t);
    }
    let (df, program) = slimfile::parse_program(&text).map_err(|d| d.to_string())?;
    let mut images = BTreeMap::new();
    for req in external_images(&program, &opts, df.escape).map_err(|d| d.to_string())? {
        let p = &req.platform;
        let mut image = Image::empty(&p.os, &p.arch, &p.variant);
        image
            .rootfs
            .diff_ids
            .push(sha256(&format!("layer {}", req.reference)));
        let digest = match req.reference.split_once('@') {
            Some((_, d)) => d.to_string(),
            None => sha256(&req.reference),
        };
        images.insert(
            slimfile::llb::convert::image_key(&req.reference, &req.platform),
            ResolvedImage {
                reference: req.reference,
                digest: Some(digest),
                image,
            },
        );
    }
    let e = emit(
        &program,
        &opts,
        &images,
        df.escape,
        Some(("Dockerfile", text.as_bytes())),
    )
    .map_err(|d| d.to_string())?;
    let ops = e
        .definition
        .def
        .iter()
        .map(|b| {
            let d = slimfile::llb::graph::digest(b);
            let m = e.definition.metadata.get(&d).cloned().map(without_group_id);
            (d, (pb::Op::decode(&b[..]).unwrap(), m))
        })
        .collect();
    Ok((ops, our_source_map(&e.definition)))
}

fn theirs(g: &Golden) -> Ops {
    g.ops
        .iter()
        .map(|o| {
            let m = g
                .metadata_raw
                .get(&o.digest)
                .map(|m| pb::OpMetadata::decode(&b64(m)[..]).unwrap())
                .map(without_group_id);
            (
                o.digest.clone(),
                (pb::Op::decode(&b64(&o.raw)[..]).unwrap(), m),
            )
        })
        .collect()
}

/// The official converter names `--link` copies' progress group with a random id.
fn without_group_id(mut m: pb::OpMetadata) -> pb::OpMetadata {
    if let Some(g) = m.progress_group.as_mut() {
        g.id.clear();
    }
    m
}

/// Lines of `a` not in `b` (`-`) and of `b` not in `a` (`+`).
fn line_diff(a: &str, b: &str, out: &mut String) {
    let (la, lb): (BTreeSet<&str>, BTreeSet<&str>) = (a.lines().collect(), b.lines().collect());
    for l in a.lines().filter(|l| !lb.contains(l)) {
        let _ = writeln!(out, "      - {}", l.trim());
    }
    for l in b.lines().filter(|l| !la.contains(l)) {
        let _ = writeln!(out, "      + {}", l.trim());
    }
}

/// What differs between the official ops and ours, readably; empty when equal.
fn compare(want: &Ops, got: &Ops) -> String {
    let mut out = String::new();
    let missing: Vec<&String> = want.keys().filter(|d| !got.contains_key(*d)).collect();
    let extra: Vec<&String> = got.keys().filter(|d| !want.contains_key(*d)).collect();
    // Pair unmatched ops in order, so that each diff shows one op against its likely twin.
    for (i, d) in missing.iter().enumerate() {
        let w = &want[*d].0;
        let _ = writeln!(out, "    official op {d} has no twin");
        if let Some(e) = extra.get(i) {
            line_diff(&format!("{w:#?}"), &format!("{:#?}", got[*e].0), &mut out);
        } else {
            let _ = writeln!(out, "      {w:?}");
        }
    }
    for e in extra.iter().skip(missing.len()) {
        let _ = writeln!(out, "    extra op of ours {e}: {:?}", got[*e].0);
    }
    for (d, (_, wm)) in want {
        if let Some((_, gm)) = got.get(d)
            && wm != gm
        {
            let _ = writeln!(out, "    metadata of {d} differs");
            line_diff(&format!("{wm:#?}"), &format!("{gm:#?}"), &mut out);
        }
    }
    out
}

fn check(caps: &str) -> (Vec<String>, usize) {
    let mut differing = Vec::new();
    let mut count = 0;
    let llb_caps = caps_of(caps);
    for path in corpus() {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let gpath = dir().join(caps).join(format!("{name}.json"));
        let golden: Golden = serde_json::from_str(
            &std::fs::read_to_string(&gpath).unwrap_or_else(|_| panic!("no golden {gpath:?}")),
        )
        .unwrap();
        count += 1;
        let report = match (&golden.error, ours(&path, &llb_caps)) {
            (Some(_), Err(_)) => String::new(),
            (Some(e), Ok(_)) => format!("    the official converter fails ({e}); ours does not\n"),
            (None, Err(e)) => format!("    ours fails: {e}\n"),
            (None, Ok((got, map))) => {
                let mut r = compare(&theirs(&golden), &got);
                let want = golden_source_map(&golden.source_map);
                if want != map {
                    r.push_str(&format!(
                        "    source map differs: official {want:?}, ours {map:?}\n"
                    ));
                }
                r
            }
        };
        if !report.is_empty() {
            eprintln!("{caps}/{name}:\n{report}");
            differing.push(format!("{caps}/{name}"));
        }
    }
    (differing, count)
}

#[test]
fn llb_matches_the_official_converter() {
    let known: BTreeSet<String> = std::fs::read_to_string(dir().join("known-differences.txt"))
        .unwrap_or_default()
        .lines()
        .map(|l| l.split('#').next().unwrap().trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    let mut all = Vec::new();
    let mut total = 0;
    for caps in ["all", "engine"] {
        let (d, n) = check(caps);
        all.extend(d);
        total += n;
    }
    let differing: BTreeSet<String> = all.into_iter().collect();
    eprintln!(
        "golden LLB: {} of {total} (file, caps) pairs differ; {} known",
        differing.len(),
        known.len()
    );
    let new: Vec<&String> = differing.difference(&known).collect();
    let fixed: Vec<&String> = known.difference(&differing).collect();
    assert!(
        new.is_empty(),
        "LLB differs from the official converter's: {new:?}"
    );
    assert!(
        fixed.is_empty(),
        "these now match: remove them from known-differences.txt: {fixed:?}"
    );
}

/// Cap-dependent choices follow the engine's caps, as the official frontend's do.
#[test]
fn link_copies_merge_only_when_the_engine_can() {
    let merges = |caps| {
        planned_ops("FROM debian:bookworm\nCOPY --link a /a\n", caps)
            .into_iter()
            .filter(|op| matches!(op.op, Some(pb::op::Op::Merge(_))))
            .count()
    };
    assert_eq!(merges(None), 1);
    assert_eq!(merges(basic_caps()), 0);
}

/// The official build checks: same rule, message and line for every corpus file the
/// official converter accepts (slimfile's own rules aside).
#[test]
fn lint_matches_the_official_checks() {
    let mut diffs = Vec::new();
    let mut total = 0;
    for path in corpus() {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let golden: Golden = serde_json::from_str(
            &std::fs::read_to_string(dir().join("all").join(format!("{name}.json"))).unwrap(),
        )
        .unwrap();
        if golden.error.is_some() {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let (df, program) = slimfile::parse_program(&text).unwrap();
        let mut opts = BuildOptions::new();
        opts.fuse = false;
        let emitted = slimfile::plan(&text, "Dockerfile", &opts).ok();
        let want: BTreeSet<(String, usize, String)> = golden
            .warnings
            .iter()
            .map(|w| (w.rule.clone(), w.line, w.message.clone()))
            .collect();
        let got: BTreeSet<(String, usize, String)> =
            slimfile::lint::check(&df, &program, emitted.as_ref())
                .into_iter()
                .filter(|f| f.rule.official())
                .map(|f| (f.rule.to_string(), f.span.start_line, f.detail))
                .collect();
        total += want.len();
        for w in want.difference(&got) {
            diffs.push(format!("{name}: official only: {w:?}"));
        }
        for g in got.difference(&want) {
            diffs.push(format!("{name}: ours only: {g:?}"));
        }
    }
    assert!(total > 10, "only {total} official warnings in the corpus");
    assert!(
        diffs.is_empty(),
        "build checks differ:\n{}",
        diffs.join("\n")
    );
}

/// Without `exec.mount.bind.readwrite-nooutput`, a writable bind mount gets an output,
/// as the official client gives it; with the cap, none.
#[test]
fn writable_bind_mounts_get_outputs_only_without_the_cap() {
    let output_of_rw = |caps| {
        planned_ops(
            "FROM debian:bookworm\nRUN --mount=type=bind,rw,target=/x true\n",
            caps,
        )
        .into_iter()
        .find_map(|op| match op.op {
            Some(pb::op::Op::Exec(e)) => e.mounts.iter().find(|m| m.dest == "/x").map(|m| m.output),
            _ => None,
        })
        .expect("the RUN's exec op")
    };
    assert_eq!(output_of_rw(None), -1);
    assert_eq!(output_of_rw(basic_caps()), 1);
}
