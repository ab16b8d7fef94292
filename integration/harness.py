"""Shared pieces of the Python integration scripts (difftest, ocitest, bench, baketest).

A plain module, standard library only. The scripts are extension-less executables in
this directory and import it with

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import harness

What is here:

  run_cmd / kill_group   a command with a timeout, in its own process group; on timeout
                         the whole group is killed (SIGTERM, then SIGKILL)
  build_argv / build     `docker buildx build`: the argv (frontend as the BUILDKIT_SYNTAX
                         build arg, -f, --iidfile, -t, build args, target, extra flags,
                         context) and a run of it logged to a file
  load_case / validate   case.json read and checked against a declared schema (allowed
                         keys and value types), errors naming the file and the key
  log_dir, list_cases    $TMPDIR/<tool>-logs/... and the case directories of a tool
  Tally                  the `PASS name (T s)` / `FAIL name: reason (T s)` lines and the
                         final `N passed, N failed`
  docker, image_inspect, image_id, container_rm
                         small docker CLI helpers
  processes, frontend_pids
                         every process's argv from /proc, and the gateway frontends
                         among them (started as a bare `/slimfile`)
"""

import collections
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time

DOCKER_TIMEOUT = 300  # inspect / rm / info / prune
KILL_GRACE = 10  # seconds between SIGTERM and SIGKILL of a timed-out process group


class CaseError(Exception):
    """A case problem that is reported as the case's FAIL reason."""


# --------------------------------------------------------------------------- processes

Completed = collections.namedtuple("Completed", "rc stdout stderr timed_out")
Completed.__doc__ = """A finished command: rc is None when it timed out (then timed_out is
True); stdout and stderr are text ("" when they went to a file)."""


def kill_group(proc, grace=KILL_GRACE):
    """Kills the process group led by proc (started with start_new_session=True).

    SIGTERM to the group, up to `grace` seconds for the leader to exit, then SIGKILL to
    whatever is left of the group (grandchildren that outlived or ignored SIGTERM).
    """
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_cmd(argv, timeout, stdin=subprocess.DEVNULL, check=False, cwd=None, env=None,
            output=None, grace=KILL_GRACE):
    """Runs argv in a process group of its own, killing the whole group on timeout.

    Returns Completed(rc, stdout, stderr, timed_out), the output as text (UTF-8, bad bytes
    replaced); rc is None on timeout. With `output` (a file opened for writing), stdout
    and stderr both go to that file and come back as "". With check=True, a non-zero
    exit or a timeout raises CaseError. Any exception (KeyboardInterrupt too) kills the
    group before it propagates.
    """
    pipe = output is None
    proc = subprocess.Popen(argv, stdin=stdin, cwd=cwd, env=env,
                            stdout=subprocess.PIPE if pipe else output,
                            stderr=subprocess.PIPE if pipe else subprocess.STDOUT,
                            start_new_session=True)
    timed_out = False
    try:
        if pipe:
            try:
                out, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                kill_group(proc, grace)
                try:
                    out, err = proc.communicate(timeout=grace + 5)
                except subprocess.TimeoutExpired:  # a pipe held open outside the group
                    proc.kill()
                    out, err = b"", b""
        else:
            out = err = b""
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                kill_group(proc, grace)
                proc.wait()
    except BaseException:
        kill_group(proc, grace)
        proc.wait()
        raise
    res = Completed(None if timed_out else proc.returncode, out.decode("utf-8", "replace"),
                    err.decode("utf-8", "replace"), timed_out)
    if check and res.rc != 0:
        if timed_out:
            raise CaseError("`%s` timed out after %ds" % (" ".join(argv), timeout))
        raise CaseError("`%s` failed (exit %d): %s" % (" ".join(argv), res.rc,
                                                       res.stderr.strip()[-500:]))
    return res


# --------------------------------------------------------------------------- builds

TIMEOUT_MARK = "[killed: build timed out after"


def build_argv(context, dockerfile=None, tag=None, iidfile=None, frontend=None,
               build_args=None, target=None, flags=()):
    """The argv of one `docker buildx build --progress=plain`.

    In this order: --iidfile, -t TAG, -f DOCKERFILE, one --build-arg K=V per build arg
    (frontend, when not None, is the BUILDKIT_SYNTAX build arg: it replaces one given in
    build_args), --target, the extra flags as given, and the context last.
    """
    argv = ["docker", "buildx", "build", "--progress=plain"]
    if iidfile:
        argv += ["--iidfile", iidfile]
    if tag:
        argv += ["-t", tag]
    if dockerfile:
        argv += ["-f", dockerfile]
    args = dict(build_args or {})
    if frontend is not None:
        args["BUILDKIT_SYNTAX"] = frontend
    for k, v in args.items():
        argv += ["--build-arg", "%s=%s" % (k, v)]
    if target:
        argv += ["--target", target]
    argv += list(flags)
    argv.append(context)
    return argv


class BuildResult:
    """One build: ok (exit 0, and an image id if an iidfile was asked for), rc (None on
    timeout), image_id (or None), output (the build's stdout and stderr; a timeout or a
    missing image id is noted in a last line), timed_out, seconds, log_path, argv."""

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def __repr__(self):
        return "BuildResult(%r)" % self.__dict__


def build(context, log_path, timeout, dockerfile=None, tag=None, iidfile=None,
          frontend=None, build_args=None, target=None, flags=(), cwd=None):
    """Runs `docker buildx build` (argv from build_argv) with a timeout; returns a BuildResult.

    The log file gets `$ <argv>`, the build's output as it comes, and a last line
    `[exit RC after T s]` or `[killed: build timed out after Ns]`. A stale iidfile is
    removed first, so image_id is this build's.
    """
    argv = build_argv(context, dockerfile, tag, iidfile, frontend, build_args, target, flags)
    if iidfile and os.path.exists(iidfile):
        os.unlink(iidfile)
    os.makedirs(os.path.dirname(os.path.abspath(log_path)), exist_ok=True)
    t0 = time.monotonic()
    with open(log_path, "w", encoding="utf-8") as f:
        f.write("$ %s\n" % shlex.join(argv))
        f.flush()
        start = f.tell()
        res = run_cmd(argv, timeout, cwd=cwd, output=f)
        secs = time.monotonic() - t0
    with open(log_path, encoding="utf-8", errors="replace") as f:
        f.seek(start)
        output = f.read()
    iid = None
    ok = res.rc == 0
    if res.timed_out:
        note = "%s %ds]" % (TIMEOUT_MARK, timeout)
    else:
        note = "[exit %d after %.1fs]" % (res.rc, secs)
        if ok and iidfile:
            try:
                with open(iidfile) as f:
                    iid = f.read().strip() or None
            except OSError:
                pass
            if iid is None:
                ok = False
                output += "\n[no image id written]"
                note += " [no image id written]"
    if res.timed_out:
        output += "\n" + note
    with open(log_path, "a", encoding="utf-8") as f:
        f.write("\n%s\n" % note)
    return BuildResult(ok=ok, rc=res.rc, image_id=iid, output=output, timed_out=res.timed_out,
                       seconds=secs, log_path=log_path, argv=argv)


def tail(text, n=25):
    """The last n lines of text."""
    return text.rstrip().splitlines()[-n:]


# --------------------------------------------------------------------------- case.json


class ListOf:
    """Schema: a JSON array whose items all match `item`."""

    def __init__(self, item):
        self.item = item


class MapOf:
    """Schema: a JSON object with any keys whose values all match `value`."""

    def __init__(self, value):
        self.value = value


class Obj:
    """Schema: a JSON object with only the declared keys (each optional, or listed in
    `required`), each value matching its schema."""

    def __init__(self, fields, required=()):
        self.fields = dict(fields)
        self.required = tuple(required)


class OneOf:
    """Schema: one of the given JSON strings."""

    def __init__(self, *choices):
        self.choices = choices


def describe(schema):
    """A schema in words: `list of strings`, `one of "a", "b"`..."""
    if schema is str:
        return "a string"
    if schema is bool:
        return "true or false"
    if schema is int:
        return "an integer"
    if isinstance(schema, ListOf):
        inner = describe(schema.item)
        plural = {"a string": "strings", "an integer": "integers"}.get(inner)
        return "a list of " + (plural or "(%s)" % inner)
    if isinstance(schema, MapOf):
        return "an object of (%s)" % describe(schema.value)
    if isinstance(schema, Obj):
        return "an object"
    if isinstance(schema, OneOf):
        return "one of " + ", ".join(json.dumps(c) for c in schema.choices)
    raise TypeError("not a schema: %r" % (schema,))


def _json_type(v):
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            int: "a number", float: "a number", type(None): "null"}.get(type(v), type(v).__name__)


def validate(value, schema, where):
    """Checks a decoded JSON value against a schema; raises CaseError naming `where`
    (file and key path, e.g. `cases/x/case.json: key "variants.nofuse.layers"`)."""
    def bad(path, msg):
        raise CaseError("%s: %s%s" % (where, 'key "%s": ' % path if path else "", msg))

    def check(v, s, path):
        if s is str or s is bool:
            ok = isinstance(v, s)
        elif s is int:
            ok = isinstance(v, int) and not isinstance(v, bool)
        elif isinstance(s, OneOf):
            if v not in s.choices or not isinstance(v, str):
                bad(path, "%s is not %s" % (json.dumps(v), describe(s)))
            return
        elif isinstance(s, ListOf):
            if not isinstance(v, list):
                bad(path, "expected %s, got %s" % (describe(s), _json_type(v)))
            for i, x in enumerate(v):
                check(x, s.item, "%s[%d]" % (path, i))
            return
        elif isinstance(s, MapOf):
            if not isinstance(v, dict):
                bad(path, "expected %s, got %s" % (describe(s), _json_type(v)))
            for k, x in v.items():
                check(x, s.value, "%s.%s" % (path, k) if path else k)
            return
        elif isinstance(s, Obj):
            if not isinstance(v, dict):
                bad(path, "expected an object, got %s" % _json_type(v))
            unknown = sorted(set(v) - set(s.fields))
            if unknown:
                k = "%s.%s" % (path, unknown[0]) if path else unknown[0]
                raise CaseError('%s: unknown key "%s" (allowed: %s)' % (
                    where, k, ", ".join(sorted(s.fields))))
            for k in s.required:
                if k not in v:
                    bad(path, 'missing key "%s"' % k)
            for k, x in v.items():
                check(x, s.fields[k], "%s.%s" % (path, k) if path else k)
            return
        else:
            raise TypeError("not a schema: %r" % (s,))
        if not ok:
            bad(path, "expected %s, got %s" % (describe(s), _json_type(v)))

    check(value, schema, "")
    return value


def display_path(path):
    """path relative to the working directory when it lies below it, else as given."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def load_case(path, schema, required=False):
    """Reads case.json at path and validates it against schema (an Obj); returns the dict.

    A missing file is {} (or, with required=True, a CaseError). Invalid JSON, a value
    that is not an object, an unknown key or a value of the wrong type raise CaseError
    naming the file (and the key).
    """
    where = display_path(path)
    if not os.path.exists(path):
        if required:
            raise CaseError("%s: missing" % where)
        return {}
    with open(path, encoding="utf-8") as f:
        try:
            spec = json.load(f)
        except ValueError as e:
            raise CaseError("%s: invalid JSON: %s" % (where, e))
    return validate(spec, schema, where)


# --------------------------------------------------------------------------- logs, cases


def log_dir(tool, *sub):
    """$TMPDIR/<tool>-logs[/sub...], created."""
    d = os.path.join(tempfile.gettempdir(), "%s-logs" % tool, *sub)
    os.makedirs(d, exist_ok=True)
    return d


def list_cases(root):
    """The case directories under root (every subdirectory), sorted; [] if root is absent."""
    if not os.path.isdir(root):
        return []
    return sorted(os.path.join(root, d) for d in os.listdir(root)
                  if os.path.isdir(os.path.join(root, d)))


def case_name(case_dir):
    return os.path.basename(os.path.normpath(case_dir))


class Tally:
    """Counts and prints case verdicts: `PASS name (T s)`, `FAIL name: reason (T s)` (or
    `FAIL name (T s)` without a reason), details indented by four spaces, and at the end
    exactly one `N passed, N failed` line."""

    def __init__(self, out=None):
        self.out = out
        self.passed = self.failed = 0

    def _print(self, line):
        print(line, file=self.out or sys.stdout)

    def report(self, name, ok, secs, reason=None, details=()):
        if ok:
            self.passed += 1
            self._print("PASS %s (%.1fs)" % (name, secs))
        else:
            self.failed += 1
            self._print("FAIL %s%s (%.1fs)" % (name, ": " + reason if reason is not None else "",
                                               secs))
        for line in details:
            self._print("    " + line)
        (self.out or sys.stdout).flush()

    def summary(self):
        self._print("%d passed, %d failed" % (self.passed, self.failed))
        (self.out or sys.stdout).flush()


# --------------------------------------------------------------------------- docker


def docker(args, timeout=DOCKER_TIMEOUT, check=True):
    """`docker ARGS...`; returns its stdout, stripped. check: failure raises CaseError."""
    return run_cmd(["docker"] + list(args), timeout, check=check).stdout.strip()


def image_inspect(ref, timeout=DOCKER_TIMEOUT):
    """`docker image inspect REF` as a dict; CaseError if it fails."""
    return json.loads(run_cmd(["docker", "image", "inspect", ref], timeout, check=True).stdout)[0]


def image_id(ref, timeout=DOCKER_TIMEOUT):
    """The image id of ref, or None if there is no such image."""
    res = run_cmd(["docker", "image", "inspect", "--format", "{{.Id}}", ref], timeout)
    return res.stdout.strip() if res.rc == 0 else None


def container_rm(name, timeout=DOCKER_TIMEOUT):
    """`docker rm -f -v NAME`, errors ignored (the container may be gone already)."""
    run_cmd(["docker", "rm", "-f", "-v", name], timeout)


# --------------------------------------------------------------------------- processes


def processes():
    """(pid, argv as a list of bytes) of every process /proc still shows."""
    out = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % p, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        out.append((int(p), argv[:-1] if argv and argv[-1] == b"" else argv))
    return out


def frontend_pids():
    """Pids of gateway frontends: processes started as a bare `/slimfile` (the
    `slimfile sync` steps of a build have arguments)."""
    return [pid for pid, argv in processes() if argv == [b"/slimfile"]]
