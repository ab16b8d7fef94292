//! Check rules for `docker buildx build --check` / `--call=check`: a subset of the
//! official frontend's rules (same names and URLs) plus slimfile's own rules about
//! layer bloat that fusion cannot fix.
//!
//! Each rule is a small unit: a name, a description, and a check over the parsed file,
//! its typed program and the fusion plans. `# check=skip=<rules|all>` is honoured.

use crate::analysis;
use crate::diagnostics::Span;
use crate::fusion::StagePlan;
use crate::llb::convert::{Emitted, UndefinedVar};
use crate::model::expand::Lexer;
use crate::model::instructions::{Kind, Program};
use crate::syntax::Dockerfile;

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Rule name (`StageNameCasing`, `SlimfileCleanupTooLate` ...).
    pub rule: &'static str,
    /// What the rule checks.
    pub description: &'static str,
    /// Documentation URL.
    pub url: String,
    /// The message for this occurrence.
    pub detail: String,
    /// Where.
    pub span: Span,
}

/// A rule's identity.
pub struct Rule {
    /// Name.
    pub name: &'static str,
    /// Description.
    pub description: &'static str,
    /// Official rule (docs.docker.com) or slimfile's own.
    pub official: bool,
}

/// All rules.
pub const RULES: &[Rule] = &[
    Rule {
        name: "StageNameCasing",
        description: "Stage names should be lowercase",
        official: true,
    },
    Rule {
        name: "FromAsCasing",
        description: "The 'as' keyword should match the case of the 'from' keyword",
        official: true,
    },
    Rule {
        name: "JSONArgsRecommended",
        description: "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals",
        official: true,
    },
    Rule {
        name: "MaintainerDeprecated",
        description: "The MAINTAINER instruction is deprecated, use a label instead to define an image author",
        official: true,
    },
    Rule {
        name: "LegacyKeyValueFormat",
        description: "Legacy key/value format with whitespace separator should not be used",
        official: true,
    },
    Rule {
        name: "WorkdirRelativePath",
        description: "Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes",
        official: true,
    },
    Rule {
        name: "MultipleInstructionsDisallowed",
        description: "Multiple instructions of the same type should not be used in the same stage",
        official: true,
    },
    Rule {
        name: "DuplicateStageName",
        description: "Stage names should be unique",
        official: true,
    },
    Rule {
        name: "ReservedStageName",
        description: "Reserved words should not be used as stage names",
        official: true,
    },
    Rule {
        name: "ConsistentInstructionCasing",
        description: "All commands within the Dockerfile should use the same casing (either upper or lower)",
        official: true,
    },
    Rule {
        name: "NoEmptyContinuation",
        description: "Empty continuation lines will become errors in a future release",
        official: true,
    },
    Rule {
        name: "SecretsUsedInArgOrEnv",
        description: "Sensitive data should not be used in the ARG or ENV commands",
        official: true,
    },
    Rule {
        name: "UndefinedVar",
        description: "Variables should be defined before their use",
        official: true,
    },
    Rule {
        name: "CopyIgnoredFile",
        description: "Attempting to Copy file that is excluded by .dockerignore",
        official: true,
    },
    Rule {
        name: "InvalidBaseImagePlatform",
        description: "Base image platform does not match expected target platform",
        official: true,
    },
    Rule {
        name: "InvalidDefaultArgInFrom",
        description: "Default value for global ARG results in an empty or invalid base image name",
        official: true,
    },
    Rule {
        name: "UndefinedArgInFrom",
        description: "FROM command must use declared ARGs",
        official: true,
    },
    Rule {
        name: "RedundantTargetPlatform",
        description: "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior",
        official: true,
    },
    Rule {
        name: "FromPlatformFlagConstDisallowed",
        description: "FROM --platform flag should not use a constant value",
        official: true,
    },
    Rule {
        name: "ExposeProtoCasing",
        description: "Protocol in EXPOSE instruction should be lowercase",
        official: true,
    },
    Rule {
        name: "ExposeInvalidFormat",
        description: "IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release",
        official: true,
    },
    Rule {
        name: "SlimfileFusionBlocked",
        description: "Package-manager RUNs that slimfile could not fuse because of the file's structure",
        official: false,
    },
    Rule {
        name: "SlimfileCleanupTooLate",
        description: "Cache cleanup in a later layer than the one that wrote the cache saves no space",
        official: false,
    },
    Rule {
        name: "SlimfileAptInstallWithoutYes",
        description: "apt-get install without -y waits for a confirmation that never comes in a build",
        official: false,
    },
];

fn rule(name: &str) -> &'static Rule {
    RULES.iter().find(|r| r.name == name).unwrap_or(&RULES[0])
}

fn url(r: &Rule) -> String {
    if r.official {
        let mut kebab = String::new();
        for (i, c) in r.name.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                kebab.push('-');
            }
            kebab.push(c.to_ascii_lowercase());
        }
        // Acronyms stay together in the official URLs.
        let kebab = kebab.replace("j-s-o-n", "json");
        format!("https://docs.docker.com/go/dockerfile/rule/{kebab}/")
    } else {
        "https://github.com/ours/slimfile#checks".to_string()
    }
}

/// Parses `# check=skip=A,B;error=true`: the skipped rules (`all` skips everything).
pub fn skipped_rules(df: &Dockerfile) -> Vec<String> {
    let Some(v) = df.directive("check") else {
        return Vec::new();
    };
    v.split(';')
        .filter_map(|part| part.trim().strip_prefix("skip="))
        .flat_map(|list| list.split(',').map(|s| s.trim().to_string()))
        .collect()
}

/// `# check=error=true`: findings fail the build.
pub fn errors_fail_build(df: &Dockerfile) -> bool {
    df.directive("check").is_some_and(|v| {
        v.split(';')
            .any(|part| part.trim().eq_ignore_ascii_case("error=true"))
    })
}

/// The error a build with `# check=error=true` fails with, if there are findings.
pub fn violation_error(findings: &[Finding]) -> Option<String> {
    let mut rules: Vec<&str> = Vec::new();
    for f in findings {
        if !rules.contains(&f.rule) {
            rules.push(f.rule);
        }
    }
    (!rules.is_empty()).then(|| format!("lint violation found for rules: {}", rules.join(", ")))
}

/// Runs every rule; `emitted` (when the build could be planned) adds the fusion plans
/// and the findings only emission can make.
pub fn check(df: &Dockerfile, program: &Program, emitted: Option<&Emitted>) -> Vec<Finding> {
    let plans: &[StagePlan] = emitted.map_or(&[], |e| &e.fusion);
    let undefined: &[UndefinedVar] = emitted.map_or(&[], |e| &e.undefined_vars);
    let mut out = Vec::new();
    let mut add = |name: &str, detail: String, span: Span| {
        let r = rule(name);
        out.push(Finding {
            rule: r.name,
            description: r.description,
            url: url(r),
            detail,
            span,
        });
    };

    // Casing of keywords.
    let (mut upper, mut lower) = (0, 0);
    for n in &df.nodes {
        if n.keyword == n.keyword.to_ascii_uppercase() {
            upper += 1;
        } else if n.keyword == n.keyword.to_ascii_lowercase() {
            lower += 1;
        }
    }
    let majority_upper = upper >= lower;
    for n in &df.nodes {
        let is_upper = n.keyword == n.keyword.to_ascii_uppercase();
        let is_lower = n.keyword == n.keyword.to_ascii_lowercase();
        if (majority_upper && !is_upper) || (!majority_upper && !is_lower) {
            let want = if majority_upper {
                "uppercase"
            } else {
                "lowercase"
            };
            add(
                "ConsistentInstructionCasing",
                format!(
                    "Command '{}' should match the case of the command majority ({want})",
                    n.keyword
                ),
                n.span,
            );
        }
    }
    for w in &df.warnings {
        add(
            "NoEmptyContinuation",
            "Empty continuation line".into(),
            Span::lines(w.line, w.line),
        );
    }

    for u in undefined {
        let mut detail = format!("Usage of undefined variable '${}'", u.name);
        if let Some(s) = &u.suggestion {
            detail.push_str(&format!(" (did you mean ${s}?)"));
        }
        add("UndefinedVar", detail, u.span);
    }

    // ARGs a FROM line may use: global ARGs and the predefined platform args.
    let mut declared: Vec<(String, String)> = [
        "BUILDPLATFORM",
        "BUILDOS",
        "BUILDARCH",
        "BUILDVARIANT",
        "BUILDOSVERSION",
        "TARGETPLATFORM",
        "TARGETOS",
        "TARGETARCH",
        "TARGETVARIANT",
        "TARGETOSVERSION",
        "TARGETSTAGE",
    ]
    .iter()
    .map(|k| (k.to_string(), "x".to_string()))
    .collect();
    for instr in &program.meta_args {
        if let Kind::Arg(defs) = &instr.kind {
            declared.extend(defs.iter().map(|d| (d.key.clone(), "x".to_string())));
        }
    }
    let lexer = Lexer::new(df.escape);
    // Global ARGs with only their default values (no build args), for
    // InvalidDefaultArgInFrom.
    let mut defaults: Vec<(String, String)> = Vec::new();
    for instr in &program.meta_args {
        if let Kind::Arg(defs) = &instr.kind {
            for d in defs {
                if let Some(v) = &d.value {
                    let v = lexer
                        .process_word(v, &defaults)
                        .map(|e| e.result)
                        .unwrap_or_default();
                    defaults.push((d.key.clone(), v));
                }
            }
        }
    }
    let mut names: Vec<&str> = Vec::new();
    for stage in &program.stages {
        if stage.base.contains('$') {
            let with_defaults = lexer.process_word(&stage.base, &defaults).map(|e| e.result);
            let invalid = match &with_defaults {
                Ok(b) => {
                    b.is_empty()
                        || (!b.eq_ignore_ascii_case("scratch")
                            && crate::llb::convert::normalize_reference(b).is_err())
                }
                Err(_) => true,
            };
            if invalid {
                add(
                    "InvalidDefaultArgInFrom",
                    format!(
                        "Default value for ARG {} results in empty or invalid base image name",
                        stage.base
                    ),
                    stage.span,
                );
            }
        }
        for word in std::iter::once(&stage.base).chain(stage.platform.iter()) {
            if let Ok(e) = lexer.process_word(word, &declared) {
                for name in e.unmatched {
                    add(
                        "UndefinedArgInFrom",
                        format!("FROM argument '{name}' is not declared"),
                        stage.span,
                    );
                }
            }
        }
        if let Some(p) = &stage.platform {
            if p == "$TARGETPLATFORM" || p == "${TARGETPLATFORM}" {
                add(
                    "RedundantTargetPlatform",
                    format!(
                        "Setting platform to predefined {p} in FROM is redundant as this is the default behavior"
                    ),
                    stage.span,
                );
            } else if !p.contains('$')
                && !stage.name.as_ref().is_some_and(|n| {
                    p.split('/')
                        .any(|part| !part.is_empty() && n.contains(&part.to_ascii_lowercase()))
                })
            {
                add(
                    "FromPlatformFlagConstDisallowed",
                    format!("FROM --platform flag should not use constant value {p:?}"),
                    stage.span,
                );
            }
        }
        let words: Vec<&str> = stage.source_code.split_whitespace().collect();
        if let Some(pos) = words.iter().position(|w| w.eq_ignore_ascii_case("as"))
            && let Some(name) = words.get(pos + 1)
        {
            if *name != name.to_ascii_lowercase() {
                add(
                    "StageNameCasing",
                    format!("Stage name '{name}' should be lowercase"),
                    stage.span,
                );
            }
            let from_kw = words[0];
            let as_kw = words[pos];
            let from_upper = from_kw == from_kw.to_ascii_uppercase();
            let as_upper = as_kw == as_kw.to_ascii_uppercase();
            if from_upper != as_upper {
                add(
                    "FromAsCasing",
                    format!("'{as_kw}' and '{from_kw}' keywords' casing do not match"),
                    stage.span,
                );
            }
        }
        if let Some(n) = &stage.name {
            if names.contains(&n.as_str()) {
                add(
                    "DuplicateStageName",
                    format!("Duplicate stage name {n:?}, stage names should be unique"),
                    stage.span,
                );
            }
            if matches!(n.as_str(), "scratch" | "context") {
                add(
                    "ReservedStageName",
                    format!("Stage name should not use the same name as reserved stage {n:?}"),
                    stage.span,
                );
            }
            names.push(n);
        }
        // The last CMD / ENTRYPOINT / HEALTHCHECK so far: a later one makes it unused,
        // and the official check reports the unused one.
        let mut last: [Option<Span>; 3] = [None; 3];
        let mut used_once = |i: usize,
                             kw: &str,
                             span: Span,
                             add: &mut dyn FnMut(&str, String, Span)| {
            if let Some(prev) = last[i].replace(span) {
                add(
                    "MultipleInstructionsDisallowed",
                    format!(
                        "Multiple {kw} instructions should not be used in the same stage because only the last one will be used"
                    ),
                    prev,
                );
            }
        };
        let mut shell_set = false;
        let mut workdir_abs = false;
        for instr in &stage.instructions {
            match &instr.kind {
                Kind::Cmd(c) | Kind::Entrypoint(c) => {
                    let kw = if matches!(instr.kind, Kind::Cmd(_)) {
                        "CMD"
                    } else {
                        "ENTRYPOINT"
                    };
                    // With an emitted build, the converter reports this rule (it
                    // knows the SHELL a base image or parent stage passes on).
                    if c.prepend_shell && !shell_set && emitted.is_none() {
                        add(
                            "JSONArgsRecommended",
                            format!(
                                "JSON arguments recommended for {kw} to prevent unintended behavior related to OS signals"
                            ),
                            instr.span,
                        );
                    }
                    used_once(usize::from(kw != "CMD"), kw, instr.span, &mut add);
                }
                Kind::Healthcheck(_) => used_once(2, "HEALTHCHECK", instr.span, &mut add),
                Kind::Shell(_) => shell_set = true,
                Kind::Expose(ports) => {
                    for p in ports {
                        if let Some((_, proto)) = p.rsplit_once('/')
                            && proto != proto.to_ascii_lowercase()
                        {
                            add(
                                "ExposeProtoCasing",
                                format!(
                                    "Defined protocol '{p}' in EXPOSE instruction should be lowercase"
                                ),
                                instr.span,
                            );
                        }
                        if p.contains(':') {
                            add(
                                "ExposeInvalidFormat",
                                format!(
                                    "EXPOSE instruction should not define an IP address or host-port mapping, found '{p}'"
                                ),
                                instr.span,
                            );
                        }
                    }
                }
                Kind::Maintainer(_) => add(
                    "MaintainerDeprecated",
                    "Maintainer instruction is deprecated in favor of using label".into(),
                    instr.span,
                ),
                Kind::Env(kvs) | Kind::Label(kvs) => {
                    let kw = instr.keyword.to_ascii_uppercase();
                    if kvs.iter().any(|kv| kv.legacy) {
                        add(
                            "LegacyKeyValueFormat",
                            format!(
                                "\"{kw} key=value\" should be used instead of legacy \"{kw} key value\" format"
                            ),
                            instr.span,
                        );
                    }
                    if matches!(instr.kind, Kind::Env(_)) {
                        for kv in kvs {
                            if is_secret_name(&kv.key) {
                                add(
                                    "SecretsUsedInArgOrEnv",
                                    format!(
                                        "Do not use ARG or ENV instructions for sensitive data (ENV \"{}\")",
                                        kv.key
                                    ),
                                    instr.span,
                                );
                            }
                        }
                    }
                }
                Kind::Arg(defs) => {
                    for d in defs {
                        if is_secret_name(&d.key) {
                            add(
                                "SecretsUsedInArgOrEnv",
                                format!(
                                    "Do not use ARG or ENV instructions for sensitive data (ARG \"{}\")",
                                    d.key
                                ),
                                instr.span,
                            );
                        }
                    }
                }
                Kind::Workdir(p) => {
                    if !workdir_abs && !p.starts_with('/') && !p.starts_with('$') {
                        add(
                            "WorkdirRelativePath",
                            format!(
                                "Relative workdir {p:?} can have unexpected results if the base image changes"
                            ),
                            instr.span,
                        );
                    }
                    workdir_abs = true;
                }
                Kind::Run(r) => {
                    let facts_cmds = analysis::shell::parse(&r.cmd.args.join(" "));
                    for c in &facts_cmds.commands {
                        let argv = analysis::unwrap_command(&c.argv());
                        if argv.first().map(|a| analysis::basename(a)) == Some("apt-get")
                            && argv.contains(&"install")
                            && !argv.iter().any(|a| {
                                matches!(*a, "-y" | "--yes" | "--assume-yes" | "-qq")
                                    || (a.starts_with('-')
                                        && !a.starts_with("--")
                                        && a.contains('y'))
                            })
                        {
                            add(
                                "SlimfileAptInstallWithoutYes",
                                "apt-get install without -y/--yes: the build cannot answer its prompt".into(),
                                instr.span,
                            );
                        }
                    }
                }
                _ => {}
            }
        }
    }

    for plan in plans {
        for s in &plan.skipped {
            if s.kind.user_fixable() {
                add("SlimfileFusionBlocked", s.reason.clone(), s.span);
            }
        }
        // A cleanup-only RUN that did not end up in the group that wrote the cache.
        for (i, managers) in &plan.late_cleanups {
            add(
                "SlimfileCleanupTooLate",
                format!(
                    "this RUN only cleans {} caches, but they were written in an earlier layer: it saves no space",
                    managers.join(", ")
                ),
                plan.spans[*i],
            );
        }
    }

    for f in emitted.map_or(&[][..], |e| &e.findings) {
        add(f.rule, f.detail.clone(), f.span);
    }

    let skip = skipped_rules(df);
    out.retain(|f| !skip.iter().any(|s| s == "all" || s == f.rule));
    let order = |name: &str| {
        RULES
            .iter()
            .position(|r| r.name == name)
            .unwrap_or(usize::MAX)
    };
    out.sort_by_key(|f| (f.span.start_line, order(f.rule)));
    out
}

fn is_secret_name(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    let denied = [
        "apikey",
        "auth",
        "credential",
        "credentials",
        "key",
        "password",
        "pword",
        "passwd",
        "secret",
        "token",
    ];
    let allowed = ["public"];
    let parts: Vec<&str> = k.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    parts.iter().any(|p| denied.contains(p)) && !parts.iter().any(|p| allowed.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_for(src: &str) -> Vec<&'static str> {
        let (df, program) = crate::parse_program(src).unwrap();
        let e = crate::plan(
            src,
            "Dockerfile",
            &crate::model::options::BuildOptions::new(),
        )
        .unwrap();
        check(&df, &program, Some(&e))
            .iter()
            .map(|f| f.rule)
            .collect()
    }

    #[test]
    fn official_rules_fire() {
        let r = rules_for(
            "FROM a AS Build\nfrom b as c\nMAINTAINER me\nENV A b\nCMD echo hi\nWORKDIR rel\n",
        );
        for want in [
            "StageNameCasing",
            "ConsistentInstructionCasing",
            "MaintainerDeprecated",
            "LegacyKeyValueFormat",
            "JSONArgsRecommended",
            "WorkdirRelativePath",
        ] {
            assert!(r.contains(&want), "{want} missing from {r:?}");
        }
        assert!(rules_for("FROM a\nCMD [\"x\"]\n").is_empty());
        let r = rules_for(
            "ARG V=1\nFROM --platform=linux/amd64 a:${V}${NOPE}\nEXPOSE 80/TCP 1.2.3.4:80:80\nENV A=$VERSON\nARG VERSION=2\nCOPY $VERSION /x\n",
        );
        for want in [
            "UndefinedArgInFrom",
            "FromPlatformFlagConstDisallowed",
            "ExposeProtoCasing",
            "ExposeInvalidFormat",
            "UndefinedVar",
        ] {
            assert!(r.contains(&want), "{want} missing from {r:?}");
        }
        assert_eq!(
            r.iter().filter(|x| **x == "UndefinedVar").count(),
            1,
            "{r:?}"
        );
        let mut opts = crate::model::options::BuildOptions::new();
        opts.build_args.insert("TAG".into(), "1".into());
        let src = "ARG TAG\nFROM busybox:${TAG}\n";
        let (df, program) = crate::parse_program(src).unwrap();
        let e = crate::plan(src, "Dockerfile", &opts).unwrap();
        let r: Vec<&str> = check(&df, &program, Some(&e))
            .iter()
            .map(|f| f.rule)
            .collect();
        assert!(r.contains(&"InvalidDefaultArgInFrom"), "{r:?}");
        let mut opts = crate::model::options::BuildOptions::new();
        opts.excludes = vec!["secret.txt".into(), "docs".into()];
        let src = "FROM a\nCOPY secret.txt docs/x.md ok.txt /app/\n";
        let (df, program) = crate::parse_program(src).unwrap();
        let e = crate::plan(src, "Dockerfile", &opts).unwrap();
        let ignored: Vec<String> = check(&df, &program, Some(&e))
            .into_iter()
            .filter(|f| f.rule == "CopyIgnoredFile")
            .map(|f| f.detail)
            .collect();
        assert_eq!(ignored.len(), 2, "{ignored:?}");
        assert!(!rules_for("ARG IMG=debian\nFROM ${IMG}\n").contains(&"InvalidDefaultArgInFrom"));
    }

    #[test]
    fn slimfile_rules_fire_and_skip_works() {
        let src = "FROM a\nRUN apt-get update && apt-get install curl\nUSER x\nRUN apt-get install -y b\nRUN echo\nRUN rm -rf /var/lib/apt/lists/*\n";
        let r = rules_for(src);
        assert!(r.contains(&"SlimfileAptInstallWithoutYes"), "{r:?}");
        assert!(r.contains(&"SlimfileFusionBlocked"), "{r:?}");
        assert!(r.contains(&"SlimfileCleanupTooLate"), "{r:?}");
        let skipped = rules_for(&format!(
            "# check=skip=SlimfileFusionBlocked,SlimfileCleanupTooLate\n{src}"
        ));
        assert_eq!(skipped, vec!["SlimfileAptInstallWithoutYes"]);
    }
}
