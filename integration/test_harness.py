#!/usr/bin/env python3
"""Unit tests of integration/harness.py and of the case.json schemas; no docker engine.

Run: python3 integration/test_harness.py  (or python3 -m unittest integration/test_harness.py)
"""

import importlib.machinery
import importlib.util
import io
import json
import os
import shutil
import sys
import tempfile
import textwrap
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness as h  # noqa: E402


def load_script(name):
    """An extension-less script of this directory as a module (its main() is not run)."""
    loader = importlib.machinery.SourceFileLoader(name, os.path.join(HERE, name))
    spec = importlib.util.spec_from_loader(name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def alive(pid):
    """True while pid is a running (not zombie) process."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rpartition(")")[2].split()[0]
        return state not in ("Z", "X")
    except OSError:
        return False


def wait_gone(pids, seconds=5):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    return [p for p in pids if alive(p)]


class Tmp(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="test-harness-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def write(self, name, text, mode=0o644):
        path = os.path.join(self.tmp, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        return path


class RunCmdTest(Tmp):
    # A child that starts a sleeping grandchild, writes both pids, and waits.
    TREE = textwrap.dedent("""\
        trap '%s' TERM
        sh -c "trap '%s' TERM; echo \\$\\$ > '{gpid}'; exec sleep 300" &
        echo $$ > '{pid}'
        wait
        sleep 300
        """)

    def start_tree(self, child_trap, grandchild_trap, timeout=1.0, grace=0.5):
        pid, gpid = os.path.join(self.tmp, "pid"), os.path.join(self.tmp, "gpid")
        script = (self.TREE % (child_trap, grandchild_trap)).format(pid=pid, gpid=gpid)
        t0 = time.monotonic()
        res = h.run_cmd(["sh", "-c", script], timeout, grace=grace)
        took = time.monotonic() - t0
        with open(pid) as f, open(gpid) as g:
            pids = [int(f.read()), int(g.read())]
        self.addCleanup(lambda: [os.kill(p, 9) for p in pids if alive(p)])
        return res, took, pids

    def test_timeout_kills_child_and_grandchild(self):
        res, took, pids = self.start_tree("exit 0", "exit 0")
        self.assertTrue(res.timed_out)
        self.assertIsNone(res.rc)
        self.assertLess(took, 10)
        self.assertEqual(wait_gone(pids), [], "processes left after the timeout")

    def test_sigkill_reaches_grandchild_that_ignores_sigterm(self):
        # The child leaves on SIGTERM, the grandchild ignores it: only the group SIGKILL
        # after the grace period ends it.
        res, took, pids = self.start_tree("exit 0", "")
        self.assertTrue(res.timed_out)
        self.assertEqual(wait_gone(pids), [], "grandchild survived SIGTERM and SIGKILL")

    def test_sigkill_when_nothing_leaves_on_sigterm(self):
        res, took, pids = self.start_tree("", "")
        self.assertTrue(res.timed_out)
        self.assertLess(took, 10)
        self.assertEqual(wait_gone(pids), [])

    def test_normal_exit(self):
        res = h.run_cmd(["sh", "-c", "echo out; echo err >&2; exit 3"], 10)
        self.assertEqual(res, (3, "out\n", "err\n", False))
        rc, out, err, timed_out = res  # a 4-tuple
        self.assertFalse(timed_out)

    def test_check_raises_case_error(self):
        with self.assertRaisesRegex(h.CaseError, r"failed \(exit 2\): boom"):
            h.run_cmd(["sh", "-c", "echo boom >&2; exit 2"], 10, check=True)
        with self.assertRaisesRegex(h.CaseError, "timed out after 1s"):
            h.run_cmd(["sleep", "30"], 1, check=True, grace=0.5)

    def test_output_to_file(self):
        path = os.path.join(self.tmp, "out.log")
        with open(path, "w") as f:
            res = h.run_cmd(["sh", "-c", "echo a; echo b >&2"], 10, output=f)
        self.assertEqual(res, (0, "", "", False))
        with open(path) as f:
            self.assertEqual(sorted(f.read().split()), ["a", "b"])


class CaseJsonTest(Tmp):
    SCHEMA = h.Obj({
        "build_args": h.MapOf(str),
        "expect": h.OneOf("success", "failure"),
        "error_lines": h.ListOf(int),
        "exact": bool,
        "run": h.ListOf(h.ListOf(str)),
        "variants": h.MapOf(h.Obj({"layers": h.OneOf("equal", "any")})),
    })

    def load(self, body, schema=None, **kw):
        path = self.write("case/case.json", body if isinstance(body, str) else json.dumps(body))
        return path, h.load_case(path, schema or self.SCHEMA, **kw)

    def error(self, body):
        with self.assertRaises(h.CaseError) as cm:
            self.load(body)
        msg = str(cm.exception)
        self.assertIn(os.path.join("case", "case.json"), msg)  # names the file
        return msg

    def test_good_file(self):
        spec = {"build_args": {"A": "1"}, "expect": "failure", "error_lines": [3],
                "exact": True, "run": [[], ["sh", "-c", "true"]],
                "variants": {"v": {"layers": "any"}}}
        self.assertEqual(self.load(spec)[1], spec)

    def test_unknown_key(self):
        msg = self.error({"expect": "success", "bogus": 1})
        self.assertIn('unknown key "bogus"', msg)
        self.assertIn("allowed: build_args", msg)

    def test_unknown_nested_key(self):
        self.assertIn('unknown key "variants.v.histry"', self.error({"variants": {"v": {"histry": 1}}}))

    def test_wrong_types(self):
        self.assertIn('key "build_args.A": expected a string, got a number',
                      self.error({"build_args": {"A": 1}}))
        self.assertIn('key "error_lines[1]": expected an integer, got a boolean',
                      self.error({"error_lines": [1, True]}))
        self.assertIn('key "exact": expected true or false, got a string',
                      self.error({"exact": "yes"}))
        self.assertIn('key "run[0]": expected a list of strings, got a string',
                      self.error({"run": ["ls"]}))
        self.assertIn('key "expect": "maybe" is not one of "success", "failure"',
                      self.error({"expect": "maybe"}))
        self.assertIn('key "variants.v.layers": "fewer" is not one of',
                      self.error({"variants": {"v": {"layers": "fewer"}}}))

    def test_not_an_object_and_bad_json(self):
        self.assertIn("expected an object, got a list", self.error([1]))
        self.assertIn("invalid JSON", self.error("{"))

    def test_missing_file(self):
        path = os.path.join(self.tmp, "none", "case.json")
        self.assertEqual(h.load_case(path, self.SCHEMA), {})
        with self.assertRaisesRegex(h.CaseError, "missing"):
            h.load_case(path, self.SCHEMA, required=True)

    def test_required_key(self):
        with self.assertRaisesRegex(h.CaseError, 'missing key "x"'):
            self.load({}, h.Obj({"x": str}, required=["x"]))

    def test_every_case_json_of_the_repo_validates(self):
        dt = load_script("difftest")
        oci = load_script("ocitest")
        n = 0
        for root, loader in ((os.path.join(HERE, "cases"), dt.load_case),
                             (os.path.join(os.path.dirname(HERE), "examples"), dt.load_case),
                             (os.path.join(HERE, "cases-oci"),
                              lambda d: h.load_case(os.path.join(d, "case.json"),
                                                    oci.CASE_SCHEMA, required=True))):
            for d, _, files in os.walk(root):
                if "case.json" in files:
                    loader(d)
                    n += 1
        self.assertGreater(n, 50)

    def test_difftest_rejects_bad_variant_name(self):
        dt = load_script("difftest")
        self.write("c/case.json", json.dumps({"variants": {"builtin": {}}}))
        with self.assertRaisesRegex(h.CaseError, "bad variant name 'builtin'"):
            dt.load_case(os.path.join(self.tmp, "c"))


class BuildArgvTest(unittest.TestCase):
    def test_full(self):
        argv = h.build_argv("/ctx", dockerfile="/ctx/Dockerfile", tag="t:1", iidfile="/l/x.iid",
                            frontend="slimfile:dev", build_args={"A": "1", "B": "x=y"},
                            target="final", flags=["--secret", "id=s,src=/s", "--no-cache"])
        self.assertEqual(argv, [
            "docker", "buildx", "build", "--progress=plain", "--iidfile", "/l/x.iid",
            "-t", "t:1", "-f", "/ctx/Dockerfile",
            "--build-arg", "A=1", "--build-arg", "B=x=y",
            "--build-arg", "BUILDKIT_SYNTAX=slimfile:dev",
            "--target", "final", "--secret", "id=s,src=/s", "--no-cache", "/ctx"])

    def test_minimal_builtin_frontend(self):
        self.assertEqual(h.build_argv("."), ["docker", "buildx", "build", "--progress=plain", "."])
        argv = h.build_argv(".", build_args={"X": "1"})
        self.assertNotIn("BUILDKIT_SYNTAX", " ".join(argv))

    def test_frontend_replaces_syntax_build_arg(self):
        argv = h.build_argv(".", frontend="f:2", build_args={"BUILDKIT_SYNTAX": "f:1"})
        self.assertEqual([a for a in argv if "BUILDKIT_SYNTAX" in a], ["BUILDKIT_SYNTAX=f:2"])

    def test_difftest_build_resolves_flags_against_case(self):
        dt = load_script("difftest")
        flags = dt.resolve_build_flags(["--secret", "id=a,src=tok.txt", "--build-context=x=dir",
                                        "--build-context", "y=docker-image://alpine"], "/case")
        self.assertEqual(flags, ["--secret", "id=a,src=/case/tok.txt",
                                 "--build-context=x=/case/dir",
                                 "--build-context", "y=docker-image://alpine"])


class BuildTest(Tmp):
    """h.build against a fake `docker` on PATH."""

    FAKE = textwrap.dedent("""\
        #!/bin/sh
        iid=
        while [ $# -gt 0 ]; do
          [ "$1" = --iidfile ] && iid=$2
          shift
        done
        echo "#1 building" >&2
        case "$FAKE_MODE" in
          ok) [ -n "$iid" ] && printf 'sha256:abc\\n' > "$iid"; exit 0 ;;
          noiid) exit 0 ;;
          fail) echo "ERROR: failed to solve" >&2; exit 1 ;;
          hang) exec sleep 300 ;;
        esac
        """)

    def setUp(self):
        super().setUp()
        self.write("bin/docker", self.FAKE, 0o755)
        old = os.environ.copy()
        self.addCleanup(lambda: (os.environ.clear(), os.environ.update(old)))
        os.environ["PATH"] = os.path.join(self.tmp, "bin") + os.pathsep + os.environ["PATH"]

    def run_build(self, mode, timeout=20):
        os.environ["FAKE_MODE"] = mode
        log = os.path.join(self.tmp, "logs", mode + ".log")
        iid = os.path.join(self.tmp, "logs", mode + ".iid")
        self.write("logs/%s.iid" % mode, "sha256:stale")
        res = h.build(self.tmp, log, timeout, dockerfile="Dockerfile", tag="t:x", iidfile=iid,
                      frontend="fe:1")
        with open(log) as f:
            return res, f.read()

    def test_ok(self):
        res, log = self.run_build("ok")
        self.assertTrue(res.ok)
        self.assertEqual(res.image_id, "sha256:abc")
        self.assertIn("#1 building", res.output)
        self.assertTrue(log.startswith("$ docker buildx build --progress=plain --iidfile "))
        self.assertIn("--build-arg BUILDKIT_SYNTAX=fe:1", log.splitlines()[0])
        self.assertRegex(log.splitlines()[-1], r"^\[exit 0 after \d+\.\ds\]$")

    def test_failure(self):
        res, log = self.run_build("fail")
        self.assertFalse(res.ok)
        self.assertEqual(res.rc, 1)
        self.assertIsNone(res.image_id)  # the stale iidfile was removed first
        self.assertIn("ERROR: failed to solve", res.output)

    def test_no_image_id(self):
        res, log = self.run_build("noiid")
        self.assertFalse(res.ok)
        self.assertTrue(res.output.endswith("[no image id written]"))

    def test_timeout(self):
        res, log = self.run_build("hang", timeout=1)
        self.assertFalse(res.ok)
        self.assertTrue(res.timed_out)
        self.assertTrue(res.output.endswith("[killed: build timed out after 1s]"))
        self.assertIn("[killed: build timed out after 1s]", log)


class TallyTest(unittest.TestCase):
    def test_lines(self):
        out = io.StringIO()
        t = h.Tally(out)
        t.report("a", True, 1.23)
        t.report("b", False, 2, "fs differs", ["x", "y"])
        t.report("c", False, 0.5, details=["z"])
        t.summary()
        self.assertEqual(out.getvalue(), "PASS a (1.2s)\nFAIL b: fs differs (2.0s)\n    x\n"
                         "    y\nFAIL c (0.5s)\n    z\n1 passed, 2 failed\n")


class MiscTest(Tmp):
    def test_log_dir_and_cases(self):
        old = tempfile.tempdir
        tempfile.tempdir = self.tmp
        self.addCleanup(setattr, tempfile, "tempdir", old)
        d = h.log_dir("tool", "case")
        self.assertEqual(d, os.path.join(self.tmp, "tool-logs", "case"))
        self.assertTrue(os.path.isdir(d))
        self.assertEqual(h.list_cases(os.path.join(self.tmp, "tool-logs")),
                         [os.path.join(self.tmp, "tool-logs", "case")])
        self.assertEqual(h.list_cases(os.path.join(self.tmp, "absent")), [])
        self.assertEqual(h.case_name("/a/b/c/"), "c")


if __name__ == "__main__":
    unittest.main()
