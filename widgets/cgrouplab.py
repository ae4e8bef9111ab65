"""cgroups: read your own limits (:func:`detect`), check whether you may make one (:func:`writable`), and
enforce a pids limit live (:func:`pids_limit_lab`: a fresh ``cvm-course-lab-<hex>`` cgroup, a Python process
forking in it, everything removed afterwards; the fallback is a run recorded on 2026-11-26).

``pids.max`` counts every task charged to the cgroup (measured here, Linux 6.18, cgroup v1): the lab process
itself, each thread, and each child until it is *reaped* (a zombie still counts): with pids.max = N, N - 1 fit.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import html
import itertools
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import plotly.graph_objects as go

from . import data, validate
from .figures import new_figure
from .probe import LIVE_MODES, Capability, capabilities, use_live
from .theme import COLORS

PREFIX = "cvm-course-lab-"
RECORDING = "cgroup_run_2026-11-26.json"
MAX_LIMIT, MAX_ATTEMPTS, MAX_TIMEOUT_S = 64, 200, 120.0
NO_LIMIT = "no limit"
HOW_TO_ENABLE = ("start Jupyter in a cgroup that systemd delegates to you, e.g. "
    "`systemd-run --user --scope -p MemoryMax=200M -p TasksMax=20 jupyter lab` (a transient scope whose "
    "memory.max and pids.max systemd sets to 200 MiB and 20 tasks; this lesson only explains it, never runs it); "
    "on cgroup v1, creating a cgroup needs root")
_HUGE = 2**60  # v1 writes 'no limit' as 9223372036854771712 (PAGE_COUNTER_MAX pages)
_V1_CONTROLLERS = {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "net_cls", "net_prio",
                   "blkio", "perf_event", "hugetlb", "pids", "rdma", "misc"}
_LIVE_CGROUPS: set[Path] = set()  # created and not yet verified removed (cleaned at exit)


@dataclass(frozen=True)
class Limit:
    """One effective limit: ``amount`` is None when there is no limit (or it is unreadable)."""

    resource: str
    value: str
    amount: float | None = None
    file: str = ""
    usage: str = ""


@dataclass(frozen=True)
class CgroupInfo:
    """What :func:`detect` found: version, mounts, own cgroup paths, limits."""

    version: str  # "v1", "v2", "hybrid" or "none"
    reason: str
    mounts: dict[str, str] = field(default_factory=dict)  # controller (or "unified") -> mount point
    paths: dict[str, str] = field(default_factory=dict)  # controller (or "unified") -> cgroup path
    limits: tuple[Limit, ...] = ()
    root: str = "/"

    def limit(self, resource: str) -> Limit | None:
        """The :class:`Limit` for ``"memory"``, ``"CPU"`` or ``"pids"``."""
        return next((x for x in self.limits if x.resource == resource), None)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except (OSError, ValueError):
        return None


def _tables(root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Controller (or "unified") -> mount point, and -> this process's cgroup path."""
    found: dict[str, str] = {}
    paths: dict[str, str] = {}
    for line in (_read(root / "proc/self/mounts") or "").splitlines():
        dev, point, kind, opts, *_ = line.split() + ["", "", "", ""]
        if kind == "cgroup2":
            found["unified"] = point
        elif kind == "cgroup":
            found.update({o: point for o in opts.split(",") if o in _V1_CONTROLLERS or o.startswith("name=")})
    if not found and (root / "sys/fs/cgroup/cgroup.controllers").exists():  # no mount table: infer v2
        found["unified"] = "/sys/fs/cgroup"
    for parts in (line.split(":", 2) for line in (_read(root / "proc/self/cgroup") or "").splitlines()):
        if len(parts) == 3:
            paths.update({c: parts[2] for c in (parts[1].split(",") if parts[1] else ["unified"])})
    return found, paths


def _chain(root: Path, mounts: dict[str, str], paths: dict[str, str], key: str) -> list[Path]:
    """This process's cgroup folder for ``key`` and its ancestors up to the mount ([] if not mounted)."""
    if key not in mounts:
        return []
    mount = root / mounts[key].lstrip("/")
    own = mount / paths.get(key, "/").lstrip("/")
    own = own if own.is_dir() else mount  # a container without a cgroup namespace: the mount is ours
    return [own, *(mount / p for p in own.relative_to(mount).parents)]


def _amount(d: Path, file: str) -> tuple[bool, float | None]:
    """(file readable, amount); the amount is None for "max", -1 or a huge value (no limit)."""
    words = (_read(d / file) or "").split()
    if file == "cpu.cfs_quota_us":
        words.append(_read(d / "cpu.cfs_period_us") or "")
    try:
        n = _HUGE if words[0] == "max" else float(words[0])
        if n < 0 or n >= _HUGE:
            return True, None
        return True, n / float(words[1]) if file.startswith("cpu.") else n
    except (IndexError, ValueError, ZeroDivisionError):
        return False, None


_FILES = {  # resource: (v1 limit, v2 limit, v1 usage, v2 usage, format)
    "memory": ("memory.limit_in_bytes", "memory.max", "memory.usage_in_bytes", "memory.current",
               lambda n: f"{n / 2**30:,.1f} GiB" if n >= 10 * 2**30 else f"{n / 2**20:,.1f} MiB"),
    "CPU": ("cpu.cfs_quota_us", "cpu.max", "", "", lambda n: f"{n:g} CPUs (quota / period)"),
    "pids": ("pids.max", "pids.max", "pids.current", "pids.current", lambda n: f"{n:,.0f} tasks"),
}


def _limits(root: Path, mounts: dict[str, str], paths: dict[str, str], v2: bool) -> tuple[Limit, ...]:
    out = []
    for resource, (f1, f2, u1, u2, fmt) in _FILES.items():
        file, usage_file, key = (f2, u2, "unified") if v2 else (f1, u1, resource.lower())
        chain = _chain(root, mounts, paths, key)
        present = [(n, d) for d in chain for ok, n in [_amount(d, file)] if ok]
        if not present:  # the root cgroup has no limit files: nothing above it can limit it
            value = NO_LIMIT if len(chain) == 1 else f"not readable here (no {key} controller files)"
            out.append(Limit(resource, value, None, "(root cgroup: no limit file)" if len(chain) == 1 else ""))
            continue
        limited = [(n, d) for n, d in present if n is not None]
        amount, where = min(limited, key=lambda x: x[0]) if limited else (None, chain[0])
        used = _amount(chain[0], usage_file)[1] if usage_file else None
        out.append(Limit(resource, NO_LIMIT if amount is None else fmt(amount), amount,
                         "/" + str((where / file).relative_to(root)), "" if used is None else f"{fmt(used)} in use"))
    return tuple(out)


def detect(root: str | os.PathLike[str] = "/") -> CgroupInfo:
    """Detect the cgroup version, mounts, this process's cgroups and effective limits.

    Parameters
    ----------
    root:
        Filesystem root under which ``/proc`` and ``/sys/fs/cgroup`` are read
        (tests pass a fake tree). Never raises: a missing tree is explained.
    """
    base = Path(root)
    try:
        if not (base / "sys/fs/cgroup").is_dir():
            return CgroupInfo("none", f"no /sys/fs/cgroup here: cgroups are a Linux kernel feature and this "
                              f"system ({sys.platform}) has none to read", root=str(root))
        mounts, paths = _tables(base)
        v1 = any(k != "unified" for k in mounts)
        version = ("hybrid" if "unified" in mounts else "v1") if v1 else ("v2" if mounts else "none")
        text = {"v1": "cgroup v1", "v2": "cgroup v2 (unified)", "hybrid": "cgroup v1 (hybrid: v2 mounted beside it)",
                "none": "/sys/fs/cgroup exists but no cgroup file system is mounted there"}[version]
        limits = _limits(base, mounts, paths, version == "v2") if version != "none" else ()
        return CgroupInfo(version, text, mounts, paths, limits, str(root))
    except Exception as exc:  # noqa: BLE001 - a lesson must never crash on an odd system
        return CgroupInfo("none", f"could not read the cgroup tree ({type(exc).__name__}: {exc})", root=str(root))


def _lab_parent(info: CgroupInfo) -> tuple[Path | None, str]:
    """Where the lab may create its pids cgroup, or None and why not."""
    root = Path(info.root)
    if info.version == "v2":  # the nearest cgroup at or above ours that delegates pids and that we may write
        for d in _chain(root, info.mounts, info.paths, "unified"):
            if ("pids" in (_read(d / "cgroup.subtree_control") or "").split() and os.access(d, os.W_OK | os.X_OK)
                    and os.access(d / "cgroup.procs", os.W_OK)):
                return d, f"{info.reason}: this user may create a child cgroup with pids in /{d.relative_to(root)}"
        return None, (f"{info.reason}: this process is in {info.paths.get('unified', '/')}, and no cgroup at or "
                      "above it that this user may write has the pids controller delegated")
    chain = _chain(root, info.mounts, info.paths, "pids")
    if info.version == "none" or not chain:
        return None, info.reason if info.version == "none" else f"{info.reason}, but without a pids controller"
    for d in (chain[0], chain[-1]):
        if os.access(d, os.W_OK | os.X_OK):
            who = "as root" if hasattr(os, "geteuid") and os.geteuid() == 0 else "not root"
            return d, f"{info.reason}: this user ({who}) may create a cgroup in /{d.relative_to(root)}"
    return None, f"{info.reason}: this user may not create a cgroup under the pids controller"


def writable(info: CgroupInfo) -> Capability:
    """May this user create a pids cgroup (v1), or a child of a delegated one (v2)? With reason and how-to."""
    parent, why = _lab_parent(info)
    return Capability("cgroups", parent is not None, why, "" if parent else HOW_TO_ENABLE, ("02 resource limits",))


@dataclass(frozen=True)
class LimitRun:
    """One run of :func:`pids_limit_lab`, live or recorded."""

    limit: int
    attempts: int
    succeeded: int
    refused: int
    error: str
    cgroup: str
    removed: bool
    timings_ms: dict[str, float]
    live: bool
    why: str
    recorded_on: str
    transcript: tuple[str, ...]
    lab_tasks: int = 1  # tasks of the lab process itself (it counts against pids.max too)
    pids_during: int | None = None  # pids.current while the children were alive
    pids_after: int | None = None  # pids.current after the children were reaped


_CHILD = r"""
import json, os, signal, sys, time
p = json.loads(sys.argv[2])
sys.stdin.readline()  # the go-signal: the parent has moved this process into the cgroup
def current():
    with open(p["current"]) as f:
        return int(f.read())
tasks, (r, w), outcomes, kids = len(os.listdir("/proc/self/task")), os.pipe(), [], []
def stop(*_):  # SIGTERM from the parent on timeout: release and reap the children, then exit
    os.close(w)
    for k in kids:
        os.waitpid(k, 0)
    os._exit(3)
signal.signal(signal.SIGTERM, stop)
for i in range(p["attempts"]):
    try:
        pid = os.fork()
    except OSError as e:
        outcomes.append(f"{type(e).__name__}: [Errno {e.errno}] {e.strerror}")
        continue
    if pid == 0:  # the child stays alive (and counted) until the parent closes the pipe
        os.close(w); os.read(r, 1); os._exit(0)
    kids.append(pid); outcomes.append("ok")
during = current()
while p["hang"]:  # test-only: a lab process that never finishes
    time.sleep(3600)
os.close(w)
for k in kids:  # reaping releases each child's charge in pids.current
    os.waitpid(k, 0)
print(json.dumps({"tasks": tasks, "outcomes": outcomes, "during": during, "after": current()}))
"""


def _start_child(params: dict[str, object]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", _CHILD, PREFIX + "child", json.dumps(params)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _procs(cg: Path) -> list[int]:
    return [int(x) for x in (_read(cg / "cgroup.procs") or "").split()]


def _cleanup(cg: Path, child: subprocess.Popen[str] | None, deadline_s: float = 5.0) -> bool:
    """Kill the lab's processes, wait until the cgroup is empty, remove it; True if it is gone."""
    end = time.monotonic() + deadline_s
    if child is not None and child.poll() is None:
        child.terminate()  # the lab process releases and reaps its children (no orphans), then exits
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=1.0)
    if child is not None and child.poll() is None:
        with contextlib.suppress(OSError):
            os.killpg(child.pid, signal.SIGKILL)
    while cg.exists() and time.monotonic() < end:
        for pid in _procs(cg):  # only lab processes can be in a cgroup the lab created
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        if child is not None:
            child.poll()  # reap our own child
        with contextlib.suppress(OSError):
            cg.rmdir()  # EBUSY while a task is still inside: try again
        time.sleep(0.002 * cg.exists())
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(0.1, end - time.monotonic()))
        for pipe in filter(None, (child.stdin, child.stdout, child.stderr)):
            pipe.close()
    if not cg.exists():
        _LIVE_CGROUPS.discard(cg)
    return not cg.exists()


@atexit.register
def _cleanup_at_exit() -> None:
    for cg in list(_LIVE_CGROUPS):
        _cleanup(cg, None, 2.0)


def _run_live(cg: Path, limit: int, attempts: int, timeout_s: float, hang: bool) -> LimitRun:
    ms: dict[str, float] = {}
    child = None
    start = t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        ms[name], t = (time.perf_counter() - t) * 1000, time.perf_counter()

    cg.mkdir()  # before the try: a cgroup this lab did not create is never touched
    _LIVE_CGROUPS.add(cg)
    try:
        (cg / "pids.max").write_text(str(limit))
        lap("create cgroup, set pids.max")
        child = _start_child({"attempts": attempts, "hang": hang, "current": str(cg / "pids.current")})
        (cg / "cgroup.procs").write_text(str(child.pid))
        if child.pid not in _procs(cg):
            raise RuntimeError(f"process {child.pid} is not in {cg}/cgroup.procs")
        before = _read(cg / "pids.current")
        lap("start the lab process, move it in")
        try:
            out, err = child.communicate("go\n", timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise TimeoutError(f"the lab process did not finish within {timeout_s:g} s") from None
        if child.returncode != 0:
            last = (err.strip().splitlines() or ["no message"])[-1]  # the error, never a traceback
            raise RuntimeError(f"the lab process failed: {last[-300:]}")
        report = json.loads(out.strip().splitlines()[-1])
        events = _read(cg / "pids.events") or "(no pids.events)"
        lap("forks, reaping, report")
    finally:
        removed = _cleanup(cg, child)
        ms["kill, wait, rmdir"] = (time.perf_counter() - t) * 1000
    ms["total"] = (time.perf_counter() - start) * 1000
    outcomes, first, spans = report["outcomes"], 1, []
    for what, n in ((w, len(list(g))) for w, g in itertools.groupby(outcomes)):  # "forks 5-20: BlockingIOError.."
        spans.append(f"fork {first}: {what}" if n == 1 else f"forks {first}-{first + n - 1}: {what}")
        first += n
    refusals = [o for o in outcomes if o != "ok"]
    transcript = [f"$ mkdir {cg}", f"$ cd {cg}", f"$ echo {limit} > pids.max", f"$ echo {child.pid} > "
                  "cgroup.procs    # the lab process (python -c ...) joins", "$ cat pids.current", str(before),
                  f"# the lab process ({report['tasks']} task) tries {attempts} forks; each child waits on a pipe",
                  *spans, "$ cat pids.current    # read while the children are alive", str(report["during"]),
                  "# the lab process releases and reaps its children", "$ cat pids.current", str(report["after"]),
                  "$ cat pids.events", events, "$ cd ..", f"$ rmdir {cg.name}" if removed else "rmdir FAILED"]
    return LimitRun(limit, attempts, outcomes.count("ok"), len(refusals), refusals[0] if refusals else "",
                    str(cg), removed, {k: round(v, 2) for k, v in ms.items()}, True, "", "measured here",
                    tuple(transcript), report["tasks"], report["during"], report["after"])


def recorded_limit_run(why: str = "") -> LimitRun:
    """The run recorded in ``widgets/recorded/cgroup_run_2026-11-26.json`` (labelled recorded, not measured now)."""
    rec = data.recording(RECORDING)
    m, run = rec["machine"], {k: v for k, v in rec["run"].items() if k not in ("live", "why", "recorded_on")}
    on = f"recorded on {rec['date']} ({m['platform']}, Linux {m['kernel']}, {m['cgroups']}, as {m['user']})"
    return LimitRun(**run | {"transcript": tuple(run["transcript"])}, live=False,
                    why=why or "Showing the recorded run.", recorded_on=on + ", not measured now")


def pids_limit_lab(limit: object = 5, attempts: object = 20, live: str = "auto", timeout_s: object = 10.0,
                   *, _hang: bool = False) -> LimitRun:
    """Create a cgroup with ``pids.max = limit``, fork ``attempts`` times in it, count refusals, remove it.

    Parameters
    ----------
    limit:
        ``pids.max`` to set, 1..64 (default 5: an illustrative assumption, set your own).
    attempts:
        Forks the lab process tries, 1..200 (default 20: illustrative, set your own).
    live:
        ``"auto"``, ``"on"`` or ``"off"`` (see :func:`widgets.probe.use_live`); the fallback is a recording.
    timeout_s:
        Seconds the lab process may take (0.5..120) before it is killed and the recording is shown.

    Raises
    ------
    ValueError
        If an input is not a whole number in range (the message names it) or ``live`` is unknown.
    """
    limit = validate.integer("limit", limit, minimum=1, maximum=MAX_LIMIT)
    attempts = validate.integer("attempts", attempts, minimum=1, maximum=MAX_ATTEMPTS)
    timeout_s = validate.number("timeout_s", timeout_s, minimum=0.5, maximum=MAX_TIMEOUT_S, unit="s")
    validate.choice("live", live, LIVE_MODES)
    go_live, why = use_live(live, next(c for c in capabilities() if c.name == "cgroups"))
    parent, reason = _lab_parent(detect()) if go_live else (None, "")
    if go_live and parent is None:
        why = f"No cgroup can be created for the lab here ({reason}); showing the recording."
    if parent is not None:
        cg = parent / (PREFIX + secrets.token_hex(4))
        try:
            return dataclasses.replace(_run_live(cg, limit, attempts, timeout_s, _hang), why=why)
        except Exception as exc:  # noqa: BLE001 - any failure falls back, after cleaning up
            gone = "was removed" if not cg.exists() else "could NOT be removed yet (retried at exit)"
            why = (f"The live run failed ({type(exc).__name__}: {exc}); its processes were killed and the "
                   f"cgroup {cg} {gone}. Showing the recording.")
    run = recorded_limit_run(why)
    if (limit, attempts) != (run.limit, run.attempts):
        run = dataclasses.replace(run, why=f"{run.why} (The recording used pids.max = {run.limit} and "
                                  f"{run.attempts} forks, not your {limit} and {attempts}.)")
    return run


def summarize(run: LimitRun) -> str:
    """One sentence: how many forks pids.max allowed, why that many, and where it was measured."""
    refused = f" and {run.refused} were refused ({run.error}, i.e. EAGAIN)" if run.refused else ""
    where = f"measured here in {run.timings_ms.get('total', 0):.0f} ms" if run.live else run.recorded_on
    return (f"With pids.max = {run.limit}, {run.succeeded} of {run.attempts} forks succeeded{refused}: pids.max "
            f"counts every task in the cgroup, the lab process itself ({run.lab_tasks} task) and each child until "
            f"it is reaped, so {run.limit} - {run.lab_tasks} = {run.limit - run.lab_tasks} children fit while "
            f"they stay alive; {where}.")


def draw(fig: go.Figure, run: LimitRun) -> None:
    """Update the bars (attempted, allowed, refused) and the dashed pids.max line."""
    fig.data[0].y = [run.attempts, run.succeeded, run.refused]
    fig.layout.yaxis.range = [0, max(run.attempts, run.limit) * 1.15]
    fig.layout.shapes = [{
        "type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": run.limit, "y1": run.limit,
        "line": {"dash": "dash", "color": COLORS["other"], "width": 2},
        "label": {"text": f"pids.max = {run.limit} (the lab process counts too)", "textposition": "end"},
    }]
    label = "measured here" if run.live else "recorded " + RECORDING.split("_")[-1].removesuffix(".json")
    fig.layout.title.text = f"Forks under pids.max = {run.limit} ({label})"


def limit_figure(run: LimitRun, *, widget: bool = False) -> go.Figure:
    """Bars of forks attempted, allowed (container orange) and refused (vermillion), with pids.max dashed."""
    fig = new_figure("Forks under a pids limit", "", "forks (count)", widget=widget, height=360, showlegend=False)
    fig.add_bar(x=["attempted", "allowed", "refused (EAGAIN)"], y=[0, 0, 0], texttemplate="%{y}", name="forks",
                marker_color=[COLORS["other"], COLORS["container"], COLORS["sandbox"]], textposition="outside")
    draw(fig, run)
    return fig


def details(run: LimitRun) -> str:
    """HTML: live or recorded and why, the times, the terminal-style transcript."""
    times = " · ".join(f"{k} {v:.1f} ms" for k, v in run.timings_ms.items())
    return (f"<p><b>{'Live' if run.live else 'Recorded'}:</b> {html.escape(run.why)}<br>{html.escape(times)} "
            f"({'measured here' if run.live else 'recorded'}); cgroup removed: {'yes' if run.removed else 'NO'}.</p>"
            f"<pre class='cvm-transcript'>{html.escape(chr(10).join(run.transcript))}</pre>")


def limits_html(info: CgroupInfo) -> str:
    """Your own cgroup limits as an HTML table (resource, limit, in use, read from)."""
    head = f"<p><b>{html.escape(info.reason)}</b></p>"
    rows = "".join(f"<tr><td>{html.escape(x.resource)}</td><td>{html.escape(x.value)}</td>"
                   f"<td>{html.escape(x.usage)}</td><td><code>{html.escape(x.file)}</code></td></tr>"
                   for x in info.limits)
    return head if not info.limits else (f'{head}<table class="cvm-limits"><thead><tr><th>resource</th>'
                                         f"<th>limit</th><th>in use</th><th>read from</th></tr></thead>"
                                         f"<tbody>{rows}</tbody></table>")
