use super::*;
use crate::model::options::BuildOptions;

fn plan(src: &str, opts: &BuildOptions) -> (StagePlan, Vec<Instruction>) {
    let (_, program) = crate::parse_program(src).unwrap();
    let stage = &program.stages[0];
    let pctx = PlanContext {
        file_nofuse: has_nofuse(&stage.comments),
        ..PlanContext::default()
    };
    (
        plan_stage(stage, &stage.instructions, 0, opts, &pctx),
        stage.instructions.clone(),
    )
}

fn groups(p: &StagePlan) -> Vec<Vec<usize>> {
    p.steps
        .iter()
        .filter_map(|s| match s {
            Step::Fused(g) => Some(g.members.clone()),
            Step::Single(_) => None,
        })
        .collect()
}

const NAIVE: &str = "FROM debian\nRUN apt-get update\n# a comment\nRUN apt-get install -y python3\nRUN apt-get install -y curl\nRUN python3 -m venv /v\nRUN /v/bin/pip install numpy\nRUN /v/bin/pip install pandas\n";

#[test]
fn consecutive_runs_of_one_manager_fuse() {
    let (p, _) = plan(NAIVE, &BuildOptions::new());
    assert_eq!(groups(&p), vec![vec![0, 1, 2], vec![4, 5]]);
    let Step::Fused(apt) = &p.steps[0] else {
        panic!()
    };
    assert_eq!(apt.managers, vec!["apt"]);
    assert!(apt.cleanup_script.contains("/var/lib/apt/lists/*"));
    let Step::Fused(pip) = &p.steps[2] else {
        panic!()
    };
    assert!(pip.cleanup_script.contains("pip"));
}

#[test]
fn fusion_off_and_pragmas_keep_runs_apart() {
    let mut off = BuildOptions::new();
    off.fuse = false;
    let (p, _) = plan(NAIVE, &off);
    assert!(groups(&p).is_empty());
    assert!(p.skipped.iter().all(|s| s.reason.contains("fusion is off")));

    let (p, _) = plan(
        &NAIVE.replace("# a comment", "# slimfile: nofuse"),
        &BuildOptions::new(),
    );
    assert_eq!(groups(&p), vec![vec![0], vec![2], vec![4, 5]]);
    assert!(
        p.skipped
            .iter()
            .any(|s| s.index == 1 && s.reason.contains("pragma"))
    );

    let (p, _) = plan(
        &format!("# slimfile: nofuse\n{NAIVE}"),
        &BuildOptions::new(),
    );
    assert!(groups(&p).is_empty());
}

#[test]
fn user_change_exec_form_and_flags_break_groups() {
    let src = "FROM d\nRUN apt-get update\nUSER nobody\nRUN apt-get install -y x\nRUN [\"apt-get\", \"install\", \"y\"]\nRUN --network=none apt-get install -y z\nRUN apt-get install -y w\n";
    let (p, _) = plan(src, &BuildOptions::new());
    assert_eq!(groups(&p), vec![vec![0], vec![2], vec![4], vec![5]]);
    let reasons: Vec<&str> = p.skipped.iter().map(|s| s.reason.as_str()).collect();
    assert!(
        reasons.iter().any(|r| r.contains("USER on line 3")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("exec form")),
        "{reasons:?}"
    );
    assert!(reasons.iter().any(|r| r.contains("flags")), "{reasons:?}");
}

#[test]
fn later_install_without_update_keeps_lists() {
    let src = "FROM d\nRUN apt-get update\nRUN apt-get install -y a\nRUN echo between\nRUN apt-get install -y b\n";
    let (p, _) = plan(src, &BuildOptions::new());
    let Step::Fused(g) = &p.steps[0] else {
        panic!()
    };
    assert!(!g.cleanup_script.contains("lists"), "{}", g.cleanup_script);
    assert!(g.notes.iter().any(|n| n.contains("line 5")));
}

#[test]
fn cleanup_only_run_joins_and_background_does_not() {
    let src = "FROM d\nRUN apt-get update && apt-get install -y a\nRUN apt-get clean && rm -rf /var/lib/apt/lists/*\nRUN apt-get install -y b &\n";
    let (p, _) = plan(src, &BuildOptions::new());
    assert_eq!(groups(&p), vec![vec![0, 1]]);
    assert!(p.skipped.iter().any(|s| s.reason.contains("background")));
}

#[test]
fn existing_cache_mount_is_left_alone_and_cache_mount_mode_mounts() {
    let src = "FROM d\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update\n";
    let (p, _) = plan(src, &BuildOptions::new());
    let Step::Fused(g) = &p.steps[0] else {
        panic!()
    };
    assert!(!g.cleanup_script.contains("/var/lib/apt/lists"));
    assert!(
        g.notes
            .iter()
            .any(|n| n.contains("a mount of the RUN is there"))
    );

    let mut cm = BuildOptions::new();
    cm.cleanup = CleanupMode::CacheMount;
    let (p, _) = plan(NAIVE, &cm);
    let Step::Fused(g) = &p.steps[0] else {
        panic!()
    };
    assert_eq!(g.cache_mounts, vec!["/var/lib/apt/lists"]);
    assert!(!g.cleanup_script.contains("lists"), "{}", g.cleanup_script);
    assert!(g.cleanup_script.contains("/var/cache/apt/*.bin"));
    let Step::Fused(pip) = &p.steps[2] else {
        panic!()
    };
    assert_eq!(pip.cache_mounts, vec!["/root/.cache/pip"]);
    assert!(pip.cleanup_script.is_empty(), "{}", pip.cleanup_script);
}

#[test]
fn driver_keeps_each_command_in_its_own_shell() {
    let argv = script::fused_argv(
        &["/bin/sh".into(), "-c".into()],
        &[
            vec![
                "/bin/sh".into(),
                "-c".into(),
                "cd /tmp && export A=1 # it's".into(),
            ],
            vec!["/bin/sh".into(), "-c".into(), "pwd".into()],
        ],
        "rm -rf /x || :\n",
    );
    assert_eq!(argv[..2], ["/bin/sh", "-c"]);
    assert_eq!(
        argv[2],
        "/bin/sh -c 'cd /tmp && export A=1 # it'\\''s' || exit $?\n/bin/sh -c pwd || exit $?\nrm -rf /x || :\n"
    );
}

#[test]
fn later_readers_keep_what_they_read() {
    let apt_group = |src: &str| {
        let (p, _) = plan(src, &BuildOptions::new());
        let Step::Fused(g) = p.steps[0].clone() else {
            panic!("{:?}", p.steps)
        };
        g
    };
    // A later RUN that only reads the lists (apt-cache) keeps them.
    let g = apt_group(
        "FROM d\nRUN apt-get update\nRUN apt-get install -y a\nENV X=1\nRUN apt-cache show a\n",
    );
    assert!(!g.cleanup_script.contains("lists"), "{}", g.cleanup_script);
    assert!(
        g.notes.iter().any(|n| n.contains("line 5")),
        "{:?}",
        g.notes
    );
    let (p, _) = plan(
        "FROM d\nRUN apt-get update\nRUN apt-get install -y a\nENV X=1\nRUN apt-cache show a\n",
        &BuildOptions::new(),
    );
    assert!(
        matches!(p.steps.last(), Some(Step::Single(_))),
        "a RUN that only reads gets no cleanup: {:?}",
        p.steps
    );
    // A later RUN that names the lists keeps them (and every apt cache).
    let g = apt_group(
        "FROM d\nRUN apt-get update\nRUN apt-get install -y a\nUSER 1\nRUN ls /var/lib/apt/lists > /l\n",
    );
    assert!(g.cleanup_script.is_empty(), "{}", g.cleanup_script);
    assert!(g.notes.iter().any(|n| n.contains("names apt's cache")));
    // A later RUN that refreshes first does not.
    let g = apt_group(
        "FROM d\nRUN apt-get update\nRUN apt-get install -y a\nENV X=1\nRUN apt-get update && apt-cache show a\n",
    );
    assert!(g.cleanup_script.contains("/var/lib/apt/lists/*"));
    // A cleanup RUN is not a reader.
    let g = apt_group(
        "FROM d\nRUN apt-get update\nRUN apt-get install -y a\nENV X=1\nRUN rm -rf /var/lib/apt/lists/*\n",
    );
    assert!(g.cleanup_script.contains("/var/lib/apt/lists/*"));
}

#[test]
fn pip_cleanup_names_only_what_pip_writes() {
    let (p, _) = plan(
        "FROM d\nENV PIP_CACHE_DIR=/data\nRUN pip install a\n",
        &BuildOptions::new(),
    );
    let Step::Fused(g) = &p.steps[1] else {
        panic!("{:?}", p.steps)
    };
    assert!(
        g.cleanup_script.contains("}\"/http-v2"),
        "{}",
        g.cleanup_script
    );
    assert!(g.cleanup_script.contains("}\"/wheels"));
    assert!(
        !g.cleanup_script.contains("/pip}\" "),
        "the whole cache directory is deleted: {}",
        g.cleanup_script
    );
}

#[test]
fn skip_reasons_are_typed_and_a_new_group_is_not_left_alone() {
    let src = "FROM debian\nRUN apt-get update\nRUN apt-get install -y python3-pip\nRUN pip install a\nRUN pip install b\nENV X=1\nRUN pip install c\nRUN [\"pip\", \"install\", \"d\"]\n";
    let (p, _) = plan(src, &BuildOptions::new());
    let kinds: Vec<(usize, SkipKind)> = p.skipped.iter().map(|s| (s.index, s.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            (2, SkipKind::OtherManager),
            (5, SkipKind::InstructionBetween),
            (6, SkipKind::ExecForm)
        ]
    );
    assert!(!SkipKind::OtherManager.user_fixable() && SkipKind::InstructionBetween.user_fixable());
    let text = report::text(std::slice::from_ref(&p));
    assert!(
        text.contains("  new group at line 4: not fused with line 3"),
        "{text}"
    );
    assert!(
        text.contains("  new group at line 7: not fused with the pip RUN"),
        "{text}"
    );
    assert!(text.contains("  left alone line 8: exec form"), "{text}");
    let json = report::json(std::slice::from_ref(&p));
    let left = &json["stages"][0]["leftAlone"];
    assert_eq!(left[0]["startsGroup"], true);
    assert_eq!(left[2]["startsGroup"], false);
}

#[test]
fn a_group_without_cleanup_names_no_empty_manager_list() {
    let src = "FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n";
    let mut off = BuildOptions::new();
    off.cleanup = CleanupMode::Off;
    let (p, _) = plan(src, &off);
    let text = report::text(std::slice::from_ref(&p));
    assert!(text.contains("  fused lines 2, 3 (no cleanup)\n"), "{text}");
    assert!(!text.contains("()"), "{text}");
    assert!(!text.contains("left alone line 2"), "{text}");
}

fn additive() -> BuildOptions {
    let mut o = BuildOptions::new();
    o.frontend_image = Some("ours/slimfile".into());
    o
}

fn order(p: &StagePlan) -> Vec<String> {
    p.steps
        .iter()
        .map(|s| match s {
            Step::Single(i) => format!("{i}"),
            Step::Fused(g) => format!("{:?}+{:?}", g.members, g.between),
        })
        .collect()
}

#[test]
fn groups_span_metadata_copy_and_workdir_between_runs_of_one_manager() {
    let src = "FROM debian\nRUN apt-get update\nENV LANG=C.UTF-8\nRUN apt-get install -y locales\nWORKDIR /app\nCOPY req.txt .\nLABEL a=b\nRUN pip install -r req.txt\nEXPOSE 80\nRUN pip install x\nCMD [\"x\"]\n";
    let (p, _) = plan(src, &additive());
    assert_eq!(
        order(&p),
        vec!["[0, 2]+[1]", "3", "4", "5", "[6, 8]+[7]", "9"]
    );
    assert!(p.skipped.is_empty(), "{:?}", p.skipped);
    let text = report::text(std::slice::from_ref(&p));
    assert!(
        text.contains("fused lines 2, 4 (apt), spanning ENV on line 3\n"),
        "{text}"
    );
    assert!(
        text.contains("       3 | ENV LANG=C.UTF-8   [spanned]\n"),
        "{text}"
    );
    let json = report::json(std::slice::from_ref(&p));
    assert_eq!(json["stages"][0]["groups"][1]["spans"][0]["line"], 9);
}

#[test]
fn spanning_needs_additive_assembly_and_can_be_turned_off() {
    let src = "FROM debian\nRUN apt-get update\nENV LANG=C.UTF-8\nRUN apt-get install -y locales\n";
    let mut off = additive();
    off.span = false;
    let mut script = additive();
    script.assembly = crate::model::options::Assembly::Script;
    for opts in [off, script, BuildOptions::new()] {
        let (p, _) = plan(src, &opts);
        assert_eq!(order(&p), vec!["[0]+[]", "1", "[2]+[]"]);
        assert_eq!(p.skipped[0].kind, SkipKind::InstructionBetween);
        assert!(p.skipped[0].reason.ends_with("stands between them"));
    }
}

#[test]
fn what_moves_the_caches_stops_a_group_and_says_why() {
    let src = "FROM debian\nRUN pip install a\nUSER app\nRUN pip install b\nENV PIP_CACHE_DIR=/c\nRUN pip install c\nCOPY x /root/\nRUN pip install d\n";
    let (p, _) = plan(src, &additive());
    assert!(
        p.steps
            .iter()
            .all(|s| !matches!(s, Step::Fused(g) if g.members.len() > 1))
    );
    let reasons: Vec<&str> = p.skipped.iter().map(|s| s.reason.as_str()).collect();
    assert!(
        reasons[0].ends_with(
            "USER on line 3 stands between them (it changes the user, whose home holds the caches)"
        ),
        "{reasons:?}"
    );
    assert!(
        reasons[1].contains("(it sets PIP_CACHE_DIR, which the cleanup reads"),
        "{reasons:?}"
    );
    assert!(
        reasons[2].contains("(it copies to /root, at, above or under /root"),
        "{reasons:?}"
    );
}

#[test]
fn held_instructions_go_back_in_place_when_no_run_of_the_manager_follows() {
    let src = "FROM debian\nRUN apt-get update && apt-get install -y npm\nWORKDIR /app\nCOPY . .\nRUN npm install\nENV A=1\n";
    let (p, _) = plan(src, &additive());
    assert_eq!(order(&p), vec!["[0]+[]", "1", "2", "[3]+[]", "4"]);
    assert!(p.skipped.is_empty(), "{:?}", p.skipped);
}
