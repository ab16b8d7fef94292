"""The faults of integration/soak (issue 14.2), on the running main engine.

Each fault must end the build with a clear message (or, where the fault can come too
late to matter, with success), leave nothing behind (no frontend process, no process of
the interrupted step, no extra mount of the engine's), and the next build must succeed:

  interrupt   the client (buildx) gets SIGINT while a fused member runs
  restart     dockerd is stopped (SIGTERM) while a fused member runs, then started again
              with integration/engine-up; first with the built-in frontend, whose
              leftovers (dockerd leaves the step's process running) are allowed
  member      a fused member fails while the members before it are CACHED: the error
              names the member's own line, as the built-in frontend's does
  context     a named build context's directory is deleted while the build transfers it
              (buildx then sends what it still finds, and the build succeeds on it, with
              either frontend: the outcome is printed for both)
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import harness as h

HERE = os.path.dirname(os.path.abspath(__file__))
# A step that runs long enough to be interrupted; the odd duration marks its process.
SLEEPER = "61.25"
DOCKERFILE = """\
FROM debian:bookworm
COPY --from=fakes --chmod=755 pip /usr/local/bin/pip
RUN pip install alpha
RUN --mount=type=bind,source=last.txt,target=/last.txt pip install beta && \\
    test "$(cat /last.txt)" != broken && sleep "$(cat /last.txt)"
"""
MEMBER_LINE = 4
CONTEXT_DOCKERFILE = """\
FROM debian:bookworm
COPY --from=data . /data
RUN ls /data | wc -l
"""


def leftovers(mounts_before):
    """What a build left behind: frontend processes, the sleeper, extra engine mounts."""
    out = ["frontend process %d" % pid for pid in h.frontend_pids()]
    for pid, argv in h.processes():
        if SLEEPER.encode() in argv and argv[0].endswith(b"sleep"):
            out.append("step process %d (%s)" % (pid, b" ".join(argv).decode()))
    extra = engine_mounts() - mounts_before
    out += ["mount %s" % m for m in sorted(extra)]
    return out


def engine_mounts():
    """Mount points under the engine's directories."""
    with open("/proc/self/mountinfo") as f:
        points = {line.split()[4] for line in f}
    return {p for p in points if "/slimfile-engine/" in p or p.startswith("/run/docker")}


def settle(mounts_before, seconds=30):
    """leftovers(), polled until none or `seconds` pass (an engine cleans up async)."""
    end = time.monotonic() + seconds
    while True:
        left = leftovers(mounts_before)
        if not left or time.monotonic() > end:
            return left
        time.sleep(0.5)


class Build:
    """A `docker buildx build` of ctx in the background, output to a log file."""

    def __init__(self, ctx, frontend, log, flags=(), dockerfile="Dockerfile"):
        argv = h.build_argv(ctx, dockerfile=os.path.join(ctx, dockerfile), frontend=frontend,
                            flags=["--build-context", "fakes=%s" % os.path.join(HERE, "fakes")]
                            + list(flags))
        self.log = log
        self.f = open(log, "w", encoding="utf-8")
        self.proc = subprocess.Popen(argv, stdout=self.f, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def text(self):
        with open(self.log, encoding="utf-8", errors="replace") as f:
            return f.read()

    def wait_for(self, needle, seconds=300):
        end = time.monotonic() + seconds
        while needle not in self.text():
            if self.proc.poll() is not None or time.monotonic() > end:
                return False
            time.sleep(0.2)
        return True

    def finish(self, seconds=300):
        try:
            rc = self.proc.wait(seconds)
        except subprocess.TimeoutExpired:
            h.kill_group(self.proc)
            rc = None
        self.f.close()
        return rc


def step_cached(text, name):
    """Whether the progress output shows the step whose name ends with `name` CACHED."""
    vertex = re.search(r"(?m)^#(\d+) \[[^\]]*\] %s$" % re.escape(name), text)
    return bool(vertex and re.search(r"(?m)^#%s CACHED$" % vertex.group(1), text))


def last_error(text):
    errs = [l for l in text.splitlines() if l.startswith("ERROR")]
    return errs[-1] if errs else "(no ERROR line)"


def context_dir():
    d = tempfile.mkdtemp(prefix="soak-")
    with open(os.path.join(d, "Dockerfile"), "w") as f:
        f.write(DOCKERFILE)
    with open(os.path.join(d, "Dockerfile.context"), "w") as f:
        f.write(CONTEXT_DOCKERFILE)
    set_last(d, SLEEPER)
    return d


def set_last(ctx, value):
    with open(os.path.join(ctx, "last.txt"), "w") as f:
        f.write(value)


def next_build_ok(tally, name, ctx, frontend, logs):
    """The build after a fault, with a short last member: it must succeed."""
    set_last(ctx, "0")
    b = Build(ctx, frontend, os.path.join(logs, name + ".next.log"))
    rc = b.finish()
    tally.report("faults: %s: the next build succeeds" % name, rc == 0, 0,
                 "exit %s: %s" % (rc, last_error(b.text())))
    set_last(ctx, SLEEPER)


def interrupted(tally, ctx, frontend, logs, name, fault, allowed=()):
    """Runs the long build, applies fault() once the sleeper runs, checks the rest.
    Leftovers starting with a prefix in `allowed` are reported, not failed; returns the
    leftovers."""
    before = engine_mounts()
    b = Build(ctx, frontend, os.path.join(logs, name + ".log"), flags=["--no-cache"])
    started = b.wait_for("sleep \"$(cat /last.txt)\"") and wait_sleeper()
    if not started:
        b.finish(5)
        tally.report("faults: %s: the long step started" % name, False, 0, last_error(b.text()))
        return
    fault(b)
    rc = b.finish(120)
    print("INFO faults: %s: client exit %s, message: %s" % (name, rc, last_error(b.text())))
    tally.report("faults: %s: the build fails with a message" % name,
                 rc not in (0, None) and "ERROR" in b.text(), 0, "exit %s" % rc)
    left = settle(before)
    bad = [x for x in left if not x.startswith(tuple(allowed))]
    for x in left:
        if x not in bad:
            print("INFO faults: %s: left behind (allowed): %s" % (name, x))
    tally.report("faults: %s: nothing left behind" % name, not bad, 0, "; ".join(bad))
    kill_sleepers()
    next_build_ok(tally, name, ctx, frontend, logs)
    return left


def kill_sleepers():
    """Ends step processes an engine left running (see `restart`)."""
    for x in leftovers(set()):
        if x.startswith("step process "):
            try:
                os.kill(int(x.split()[2]), signal.SIGKILL)
            except (OSError, ValueError):
                pass


def wait_sleeper(seconds=120):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if any("step process" in x for x in leftovers(set())):
            return True
        time.sleep(0.2)
    return False


def restart_engine(_build):
    with open("/var/tmp/slimfile-engine/run/dockerd.pid") as f:
        pid = int(f.read().strip())
    os.kill(pid, signal.SIGTERM)
    for _ in range(600):
        if not os.path.exists("/proc/%d" % pid):
            break
        time.sleep(0.1)
    subprocess.run([os.path.join(HERE, "engine-up")], check=True, capture_output=True)


def member_fails(tally, ctx, frontend, logs):
    """The last member fails, the member before it CACHED; same code frame as builtin."""
    set_last(ctx, "0")
    outs = {}
    for who, fe in (("builtin", None), ("slimfile", frontend)):
        first = Build(ctx, fe, os.path.join(logs, "member.%s.ok.log" % who))
        first.finish()
        set_last(ctx, "broken")
        b = Build(ctx, fe, os.path.join(logs, "member.%s.log" % who))
        rc = b.finish()
        set_last(ctx, "0")
        outs[who] = (rc, b.text())
    rc, text = outs["slimfile"]
    frame = "Dockerfile:%d" % MEMBER_LINE in text and (" %d | >>> " % MEMBER_LINE) in text
    cached = step_cached(text, "RUN pip install alpha")
    tally.report("faults: member: the failing member's own line is reported", rc != 0 and frame,
                 0, "exit %s: %s" % (rc, last_error(text)))
    tally.report("faults: member: the member before it was CACHED", cached, 0,
                 "the `RUN pip install alpha` step ran again")
    b_err, s_err = last_error(outs["builtin"][1]), last_error(text)
    tally.report("faults: member: the ERROR line is the built-in frontend's", b_err == s_err, 0,
                 "builtin %r, slimfile %r" % (b_err, s_err))
    next_build_ok(tally, "member", ctx, frontend, logs)


def context_vanishes(tally, ctx, frontend, logs):
    """A named context deleted while it is being sent: error or success, nothing left."""
    data = tempfile.mkdtemp(prefix="soak-data-")
    for i in range(64):
        with open(os.path.join(data, "f%02d" % i), "wb") as f:
            f.write(os.urandom(4 << 20))
    name = "context" if frontend else "context (built-in frontend)"
    before = engine_mounts()
    log = os.path.join(logs, "context.%s.log" % ("slimfile" if frontend else "builtin"))
    b = Build(ctx, frontend, log, dockerfile="Dockerfile.context",
              flags=["--no-cache", "--build-context", "data=%s" % data])
    b.wait_for("load build definition", 120)
    shutil.rmtree(data, ignore_errors=True)
    rc = b.finish()
    text = b.text()
    sent = re.findall(r"transferring data: ([0-9.]+[kMG]?B)", text)
    outcome = ("succeeded, %s of 256 MB sent" % (sent[-1] if sent else "?") if rc == 0
               else last_error(text))
    print("INFO faults: %s: %s" % (name, outcome))
    tally.report("faults: %s: an error, if any, is clear" % name, rc == 0 or "ERROR" in text, 0,
                 "exit %s with no ERROR line" % rc)
    left = settle(before)
    tally.report("faults: %s: nothing left behind" % name, not left, 0, "; ".join(left))
    next_build_ok(tally, name, ctx, frontend, logs)


def run(tally, frontend):
    logs = h.log_dir("soak", "faults")
    ctx = context_dir()
    try:
        interrupted(tally, ctx, frontend, logs, "interrupt",
                    lambda b: os.killpg(b.proc.pid, signal.SIGINT))
        # dockerd's shutdown leaves a running step's process to finish on its own,
        # whichever frontend made the step: measured here with the built-in one first.
        ref = interrupted(tally, ctx, None, logs, "restart (built-in frontend)",
                          restart_engine, allowed=[""])
        allowed = ["step process"] if any(x.startswith("step process") for x in ref) else []
        interrupted(tally, ctx, frontend, logs, "restart", restart_engine, allowed)
        member_fails(tally, ctx, frontend, logs)
        context_vanishes(tally, ctx, None, logs)
        context_vanishes(tally, ctx, frontend, logs)
    finally:
        shutil.rmtree(ctx, ignore_errors=True)
