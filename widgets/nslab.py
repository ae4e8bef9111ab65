"""Linux namespaces, live: read them, compare them, build a container from scratch.

:func:`container_from_scratch` runs a short-lived child that enters new user, UTS, IPC, mount, network and
PID namespaces with ``unshare(2)`` (ctypes), forks PID 1 of the new PID namespace, mounts a fresh ``/proc``
there (in its own mount namespace only), sets a hostname and reports what it sees; a second child shows
that ``unshare`` fails with EPERM without a user namespace. Nothing is written on the host: namespaces vanish
with their last process. Otherwise (or ``live="off"``) the labelled recording in ``widgets/recorded/`` is shown.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from . import data, validate
from .figures import new_figure
from .probe import LIVE_MODES, Capability, capabilities, use_live
from .theme import COLORS

NS_TYPES = ("cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time", "time_for_children", "user", "uts")
UNSHARED = ("user", "uts", "ipc", "net", "mnt", "pid")
RECORDED_ON = "2026-11-26"
RECORDING = f"namespace_run_{RECORDED_ON}.json"
LABEL = f"recorded on {RECORDED_ON} on the course's build machine"
MARKER = "cvm-nslab"
TOTAL = "total (unshare to PID 1 reaped)"
COLUMNS = ("namespace", "this kernel process", "PID 1", "child in new namespaces", "this vs PID 1", "this vs child")
_LINK = re.compile(r"[a-z_]+:\[(\d+)\]")
_HOSTNAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_PERM = ("permission denied: reading another process's namespaces needs ptrace-read access to it "
         "(root or the same user; a non-dumpable process or a security module can refuse even root)")

# The child. It gets its parameters as JSON in argv[1]: the hostname is data, never code.
_CHILD = r'''# cvm-nslab child (widgets/nslab.py): a container from scratch
import ctypes, errno, fcntl, json, os, socket, struct, sys, time
P = json.loads(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p]
NEWNS, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET = 0x20000, 0x4000000, 0x8000000, 0x10000000, 0x20000000, 0x40000000
MS_REC, MS_PRIVATE, MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x4000, 0x40000, 2, 4, 8
def err(what): e = ctypes.get_errno(); return f"{what} failed: {errno.errorcode.get(e, e)} ({os.strerror(e)})"
def ns(d="/proc/self/ns/"): return {n: os.readlink(d + n) if os.path.exists(d + n) else "unavailable: no link yet"
                                     for n in sorted(os.listdir(d))}
def put(path, text): fd = os.open(path, os.O_WRONLY); os.write(fd, text.encode()); os.close(fd)
def emit(obj): sys.stdout.write(json.dumps(obj)); sys.stdout.flush()
name = P["hostname"].encode()
if P["mode"] == "links":
    if libc.unshare(NEWUSER | NEWUTS | NEWIPC | NEWNET | NEWNS | NEWPID): emit({"error": err("unshare")}); sys.exit(3)
    emit({"ns": ns()}); sys.exit(0)
if P["mode"] == "no-userns":
    out = {"uid_before": os.getuid()}
    if os.getuid() == 0: os.setgroups([]); os.setgid(65534); os.setuid(65534)
    out["uid"] = os.getuid()
    out["uts_alone"] = "works" if libc.unshare(NEWUTS) == 0 else err("unshare(CLONE_NEWUTS)")
    if libc.unshare(NEWUSER | NEWUTS) == 0:
        out["with_userns"] = "works" if libc.sethostname(name, len(name)) == 0 else err("sethostname")
        out["hostname_inside"] = socket.gethostname()
    else: out["with_userns"] = err("unshare(CLONE_NEWUSER|CLONE_NEWUTS)")
    emit(out); sys.exit(0)
out, gid = {"uid_outside": os.getuid(), "host_hostname": socket.gethostname(), "host_ns": ns()}, os.getgid()
t0 = time.perf_counter()
if libc.unshare(NEWUSER | NEWUTS | NEWIPC | NEWNS | NEWNET | NEWPID): emit({"error": err("unshare")}); sys.exit(3)
t1 = time.perf_counter()
put("/proc/self/uid_map", f"0 {out['uid_outside']} 1"); put("/proc/self/setgroups", "deny")
put("/proc/self/gid_map", f"0 {gid} 1"); t2 = time.perf_counter()
r, w = os.pipe()
if (pid := os.fork()) == 0:
    t3 = time.perf_counter(); os.close(r); res = {}
    try:
        if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None): raise OSError(err("mount --make-rprivate"))
        if libc.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None): raise OSError(err("mount"))
        if libc.sethostname(name, len(name)): raise OSError(err("sethostname"))
        t4 = time.perf_counter()
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        flags = struct.unpack("16sh", fcntl.ioctl(s.fileno(), 0x8913, struct.pack("16sh", b"lo", 0)))[1]
        res = {"pid": os.getpid(), "uid": os.getuid(), "hostname": socket.gethostname(), "lo_up": bool(flags & 1),
               "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()), "ns": ns(),
               "interfaces": [n for _, n in socket.if_nameindex()], "fork": (t3 - t2) * 1e3, "mounts": (t4 - t3) * 1e3}
        if P.get("hang_s"): time.sleep(P["hang_s"])
    except Exception as e: res = {"error": str(e)}
    os.write(w, json.dumps(res).encode()); os._exit(0)
os.close(w); chunks = []
while chunk := os.read(r, 65536): chunks.append(chunk)
os.waitpid(pid, 0); t5 = time.perf_counter()
inner = json.loads(b"".join(chunks) or b'{"error": "PID 1 of the new namespace died without a report"}')
out.update(inner, unshare=(t1 - t0) * 1e3, maps=(t2 - t1) * 1e3, total=(t5 - t0) * 1e3)
emit(out)
'''


class NsLinks(dict[str, str]):
    """``namespace type -> link`` (e.g. ``"net:[4026531840]"``) or a reason; ``.reason`` says what is missing."""

    def __init__(self, links: dict[str, str] | None = None, reason: str = "") -> None:
        super().__init__(links or {})
        self.reason = reason


@dataclass(frozen=True)
class Check:
    """One isolation, checked: what was expected, what was seen."""

    name: str
    expected: str
    observed: str
    passed: bool


@dataclass(frozen=True)
class ContainerRun:
    """A run of :func:`container_from_scratch` (live, or the recording)."""

    checks: tuple[Check, ...]
    transcript: tuple[str, ...]
    timings_ms: dict[str, float]
    live: bool
    why: str
    recorded_on: str = ""
    errors: tuple[str, ...] = ()
    hostname: str = ""
    namespaces: tuple[tuple[str, str, str], ...] = ()  # (type, host link, container link)
    observed: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NsComparison:
    """Rows (one per namespace type, in the order of :data:`COLUMNS`) and notes."""

    rows: tuple[tuple[str, str, str, str, str, str], ...]
    notes: tuple[str, ...]
    live: bool
    why: str
    recorded_on: str = ""


class LabFailed(RuntimeError):
    """The live lab could not run here (the message says why)."""


def _inode(link: str) -> str | None:
    m = _LINK.fullmatch(link or "")
    return m.group(1) if m else None


def _same(a: str, b: str) -> str:
    ia, ib = _inode(a), _inode(b)
    return "unknown" if ia is None or ib is None else ("same" if ia == ib else "different")


def namespace_links(pid: int | str = "self", *, system: str | None = None) -> NsLinks:
    """Read the ``/proc/<pid>/ns/*`` links of a process. Never raises on missing or unreadable entries.

    Parameters
    ----------
    pid:
        ``"self"`` or a process id (a whole number >= 1).
    system:
        ``platform.system()`` value to assume (default: this system's); not Linux -> empty with a reason.

    Raises
    ------
    ValueError
        If ``pid`` is neither ``"self"`` nor a whole number >= 1.
    """
    system = system or platform.system()
    if system != "Linux":
        return NsLinks({}, f"namespaces are a Linux kernel feature; this is {system}")
    pid = pid if pid == "self" else validate.integer("pid", pid, minimum=1)
    alive, out = os.path.isdir(f"/proc/{pid}"), {}
    for t in NS_TYPES:
        try:
            out[t] = os.readlink(f"/proc/{pid}/ns/{t}")
        except PermissionError:
            out[t] = f"unreadable: {_PERM}"
        except OSError as exc:
            missing = f"no process {pid}" if not alive else f"this kernel has no {t} entry"
            out[t] = f"unavailable: {missing if isinstance(exc, FileNotFoundError) else exc.strerror}"
    bad = [t for t, v in out.items() if _inode(v) is None]
    return NsLinks(out, f"{len(bad)} of {len(NS_TYPES)} entries could not be read ({', '.join(bad)})" if bad else "")


def _decide(live: str) -> tuple[bool, str]:
    validate.choice("live", live, LIVE_MODES)
    found = [c for c in (capabilities() if live != "off" else []) if c.name == "user namespaces"]
    return use_live(live, found[0] if found else Capability("user namespaces", False, "not probed"))


def _lab_pids(token: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{entry}/cmdline", "rb") as fh:
                if token.encode() in fh.read():
                    found.append(int(entry))
    return found


def _run_child(params: dict[str, Any], timeout_s: float) -> tuple[dict[str, Any], float]:
    """Run this lab's child script (see :func:`run_child`)."""
    return run_child(_CHILD, params, timeout_s, marker=MARKER)


def run_child(script: str, params: dict[str, Any], timeout_s: float, *, marker: str) -> tuple[dict[str, Any], float]:
    """Run a lab's fixed ``script`` in a fresh interpreter with ``params`` as JSON (never a shell).

    The child's command line carries ``marker`` and a per-run token, so every process of this run can be
    found and killed: on time-out the process group is killed, then any straggler with the token. Returns
    the child's JSON report (with this run's token under ``"run"``) and the elapsed milliseconds; raises
    :class:`LabFailed` with the child's last error line (never a traceback) when it fails.
    """
    token, start, timed_out = f"{marker}-{uuid.uuid4().hex}", time.perf_counter(), False
    proc = subprocess.Popen([sys.executable, "-c", script, json.dumps({**params, "run": token})],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
        deadline = time.monotonic() + 5.0
        while (left := _lab_pids(token)) and time.monotonic() < deadline:
            for pid in left:  # only processes whose command line carries this run's token
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)
    elapsed = (time.perf_counter() - start) * 1e3
    if timed_out:
        raise LabFailed(f"the lab's child did not finish within the timeout of {timeout_s:g} s; "
                        f"its process group was killed after {elapsed / 1e3:.2f} s")
    with contextlib.suppress(ValueError):
        if "error" not in (report := json.loads(out)):
            report["run"] = token  # so the caller can look for this run's processes only
            return report, elapsed
        raise LabFailed(report["error"])
    last = (err.strip().splitlines() or ["no message"])[-1]  # the error itself, never a traceback
    raise LabFailed(f"the lab's child exited with code {proc.returncode}: {last[-300:]}")


def _mounts() -> set[str]:
    return set(Path("/proc/self/mountinfo").read_text(encoding="utf-8").splitlines())


def _live_run(hostname: str, timeout_s: float, hang_s: float, why: str) -> ContainerRun:
    host, before = socket.gethostname(), _mounts()
    rep, elapsed = _run_child({"mode": "container", "hostname": hostname, "hang_s": hang_s}, timeout_s)
    nu, _ = _run_child({"mode": "no-userns", "hostname": hostname}, timeout_s)
    new_mounts, host_after, uid = len(_mounts() - before), socket.gethostname(), os.getuid()
    left = _lab_pids(rep["run"]) + _lab_pids(nu["run"])  # this run's processes only, not a neighbour's
    ns = tuple((t, rep["host_ns"].get(t, "unavailable"), rep["ns"].get(t, "unavailable")) for t in NS_TYPES)
    checks = [
        Check("hostname (UTS namespace)", f"{hostname!r} inside; the host keeps {host!r}",
              f"{rep['hostname']!r} inside; the host has {host_after!r}",
              rep["hostname"] == hostname and host_after == host),
        Check("its PID (PID namespace)", "1", str(rep["pid"]), rep["pid"] == 1),
        Check("processes it sees in a fresh /proc", "only its own: [1]", str(rep["pids"]), rep["pids"] == [1]),
        Check("network interfaces (network namespace)", "['lo'], lo down", f"{rep['interfaces']}, lo "
              f"{'up' if rep['lo_up'] else 'down'}", rep["interfaces"] == ["lo"] and not rep["lo_up"]),
        Check("uid inside / outside (user namespace)", f"0 inside, {uid} outside",
              f"{rep['uid']} inside, {rep['uid_outside']} outside", rep["uid"] == 0 and rep["uid_outside"] == uid),
        *(Check(f"{t} namespace differs from the host's", "different", f"{c} vs host {h}", _same(h, c) == "different")
          for t, h, c in ns if t in UNSHARED),
        Check("no new mount on the host", "/proc/self/mountinfo unchanged",
              "unchanged" if not new_mounts else f"{new_mounts} new", not new_mounts),
        Check("no lab process left", "none", str(left or "none"), not left),
        Check(f"unshare(CLONE_NEWUTS) alone, as uid {nu['uid']}", "EPERM (Operation not permitted)",
              nu["uts_alone"], "EPERM" in nu["uts_alone"]),
        Check(f"unshare(CLONE_NEWUSER|CLONE_NEWUTS) + sethostname, as uid {nu['uid']}", "works",
              f"{nu['with_userns']}; hostname inside {nu.get('hostname_inside')!r}", nu["with_userns"] == "works"),
    ]
    transcript = (
        "# on the host", "$ hostname", host, "$ id -u", str(uid),
        "# the lab: unshare(user, uts, ipc, mnt, net, pid), write uid_map, fork -> PID 1, mount proc, sethostname",
        "$ hostname", rep["hostname"], "$ echo $$", str(rep["pid"]), f"$ id -u        # {rep['uid_outside']} outside",
        str(rep["uid"]), "$ ls /proc | grep -E '^[0-9]+$'", *map(str, rep["pids"]), "$ ip -brief link",
        *(f"{n:<8}{'UP' if rep['lo_up'] and n == 'lo' else 'DOWN'}" for n in rep["interfaces"]),
        "$ readlink /proc/self/ns/uts", rep["ns"]["uts"], "$ exit", "# back on the host", "$ hostname", host_after,
        f"# without a user namespace, as uid {nu['uid']}", "$ unshare --uts true", nu["uts_alone"],
        f"$ unshare --user --uts sh -c 'hostname {hostname}; hostname'",
        nu.get("hostname_inside") if nu["with_userns"] == "works" else nu["with_userns"],
    )
    timings = {"unshare": rep["unshare"], "uid/gid maps": rep["maps"], "fork": rep["fork"],
               "mounts + hostname": rep["mounts"], TOTAL: rep["total"],
               "child process incl. Python start-up": elapsed}
    return ContainerRun(tuple(checks), transcript, {k: round(v, 3) for k, v in timings.items()}, True, why,
                        hostname=hostname, namespaces=ns, observed={"container": rep, "no_userns": nu})


def recording() -> dict[str, Any]:
    """The parsed recording ``widgets/recorded/namespace_run_2026-11-26.json``."""
    return data.recording(RECORDING)


def recorded_run() -> ContainerRun:
    """The container run recorded on 2026-11-26 on the course's build machine (the fallback)."""
    rec = recording()
    run, m = rec["container_run"], rec["machine"]
    where = f"{m['description']}, Linux {m['kernel']}, Python {m['python']}"
    return ContainerRun(tuple(Check(**c) for c in run["checks"]), tuple(run["transcript"]), run["timings_ms"],
                        False, f"{LABEL} ({where}).", rec["recorded_on"], hostname=run["hostname"],
                        namespaces=tuple(tuple(n) for n in run["namespaces"]), observed=run["observed"])


def container_from_scratch(hostname: str = "course-container", live: str = "auto", timeout_s: float = 10.0,
                           *, _hang_s: float = 0.0) -> ContainerRun:
    """Build a container from namespaces alone, live, and check each isolation.

    Parameters
    ----------
    hostname:
        The container's hostname: 1 to 63 characters of a-z, 0-9 and '-', not starting or ending with '-'.
    live:
        ``"auto"``, ``"on"`` or ``"off"`` (see :func:`widgets.probe.use_live`).
    timeout_s:
        Seconds each child may take before its process group is killed (0.5 to 120).
    _hang_s:
        Test-only: PID 1 of the container sleeps this long before reporting.

    Raises
    ------
    ValueError
        If ``hostname``, ``live`` or ``timeout_s`` is not valid.
    """
    if not isinstance(hostname, str) or not _HOSTNAME.fullmatch(hostname):
        raise ValueError("hostname must be text of 1 to 63 characters a-z, 0-9 and '-', not starting or ending "
                         f"with '-'; got {hostname!r}")
    timeout_s = validate.number("timeout_s", timeout_s, minimum=0.5, maximum=120, unit="s")
    hang_s = validate.number("_hang_s", _hang_s, minimum=0, maximum=600, unit="s")
    go_live, why = _decide(live)
    if go_live:
        try:
            return _live_run(hostname, timeout_s, hang_s, why)
        except (LabFailed, OSError, KeyError) as exc:
            return dataclasses.replace(recorded_run(), errors=(f"live run failed: {exc}",),
                                       why=f"The live lab failed here ({exc}); showing the run {LABEL}.")
    rec = recorded_run()
    other = f" (the recording used the hostname {rec.hostname!r})" if rec.hostname != hostname else ""
    return dataclasses.replace(rec, why=f"{why} Showing the run {LABEL}{other}.")


def compare_namespaces(live: str = "auto") -> NsComparison:
    """This kernel process vs PID 1 vs a child in new namespaces, type by type.

    Parameters
    ----------
    live:
        ``"auto"``, ``"on"`` or ``"off"``; without the capability the recorded comparison is shown.
    """
    go_live, why = _decide(live)
    if go_live:
        try:
            mine, first = namespace_links("self"), namespace_links(1)
            child = _run_child({"mode": "links", "hostname": "x"}, 10.0)[0]["ns"]
        except (LabFailed, OSError, KeyError) as exc:
            go_live, why = False, f"The live comparison failed here ({exc})."
    if not go_live:
        rec = recording()["comparison"]
        return NsComparison(tuple(tuple(r) for r in rec["rows"]), tuple(rec["notes"]), False,
                            f"{why} Showing the comparison {LABEL}.", RECORDED_ON)
    short = {t: v if _inode(v) else v.split(":")[0] + " (see the notes)" for t, v in first.items()}
    rows = tuple((t, mine[t], short[t], child.get(t, "unavailable"), _same(mine[t], first[t]),
                  _same(mine[t], child.get(t, ""))) for t in NS_TYPES)
    notes = ["The child's 'pid' entry is still this process's: unshare(CLONE_NEWPID) moves only its future "
             "children into the new PID namespace; its 'pid_for_children' has no link until it forks the first "
             "of them, the new namespace's PID 1 (the container lab does fork it).",
             "cgroup and time were not unshared, so the child shares them."]
    if any(_inode(first[t]) is None for t in NS_TYPES):
        notes.insert(0, f"PID 1's namespace links could not be read here (as uid {os.getuid()}): {_PERM}.")
    return NsComparison(rows, tuple(notes), True, why)


def make_recording() -> dict[str, Any]:
    """Run the lab live and return the recording's contents (how the recording file was made)."""
    run, comp = container_from_scratch(live="on"), compare_namespaces(live="on")
    if not (run.live and comp.live):
        raise LabFailed(f"cannot record: the lab did not run live ({run.why} {comp.why})")
    machine = {"description": "Firecracker micro-VM, root user", "kernel": platform.release(),
               "python": platform.python_version()}
    return {"label": LABEL, "recorded_on": RECORDED_ON, "machine": machine,
            "container_run": {"hostname": run.hostname, "checks": [dataclasses.asdict(c) for c in run.checks],
                              "transcript": list(run.transcript), "timings_ms": run.timings_ms,
                              "namespaces": [list(n) for n in run.namespaces], "observed": run.observed},
            "comparison": {"rows": [list(r) for r in comp.rows], "notes": list(comp.notes)}}


def _label(run: ContainerRun) -> str:
    return "measured here" if run.live else LABEL


def summarize(run: ContainerRun) -> str:
    """One sentence: which namespaces the container got, how many checks passed, how long it took."""
    own, shared = ([t for t, h, c in run.namespaces if _same(h, c) == k] for k in ("different", "same"))
    ok, total = sum(c.passed for c in run.checks), run.timings_ms.get(TOTAL, float("nan"))
    return (f"The lab container had its own {', '.join(own) or 'none'} namespaces and shared "
            f"{', '.join(shared) or 'none'} with the host; {ok} of {len(run.checks)} checks passed and "
            f"entering the namespaces took {total:.1f} ms from unshare to PID 1's exit ({_label(run)}).")


def draw(fig: go.Figure, run: ContainerRun) -> None:
    """Redraw the grid: the host's row, then the container's, coloured by own / shared namespace."""
    table = data.load("namespaces")
    names = {"mnt": "mount", "net": "network", "pid_for_children": "pid", "time_for_children": "time"}
    rows = {r["namespace"]: f"isolates {r['isolates']} ({table.cite(r)})" for r in table}
    groups: dict[str, list[tuple[str, ...]]] = {"host": [], "different": [], "same": [], "unknown": []}
    for t, h, c in run.namespaces:
        about = rows.get(names.get(t, t), "")
        groups["host"].append((t, "host process", _inode(h) or "?", f"{h}<br>{about}"))
        groups[_same(h, c)].append((t, "lab container", _inode(c) or "?", f"{c}<br>{about}"))
    for trace, pts in zip(fig.data, groups.values(), strict=True):
        trace.x, trace.y = [p[0] for p in pts], [p[1] for p in pts]
        trace.text, trace.hovertext = [p[2][-4:] for p in pts], [p[3] for p in pts]
    fig.layout.title.text = f"Which namespaces the lab container shares with the host ({_label(run)})"


def namespace_figure(run: ContainerRun, *, widget: bool = False) -> go.Figure:
    """A grid: each namespace type, for the host and the container, coloured container (own) vs native (shared)."""
    fig = new_figure("Which namespaces the lab container shares with the host", "namespace type (/proc/<pid>/ns)",
                     "process", widget=widget, height=300, legend={"orientation": "h", "y": -0.35})
    for name, colour in (("host process (native)", COLORS["native"]), ("container: its own namespace",
                         COLORS["container"]), ("container: shares the host's", COLORS["native"]),
                         ("could not be read", COLORS["other"])):
        fig.add_scatter(x=[], y=[], mode="markers+text", name=name, textposition="top center",
                        marker={"symbol": "square", "size": 26, "color": colour}, hoverinfo="text",
                        textfont={"size": 9}, cliponaxis=False)
    fig.update_xaxes(categoryorder="array", categoryarray=list(NS_TYPES))
    fig.update_yaxes(categoryorder="array", categoryarray=["lab container", "host process"])
    draw(fig, run)
    return fig


def checks_html(run: ContainerRun) -> str:
    """HTML: where the run comes from, the checks as a table with ✔/✘, the timings and the transcript."""
    rows = "".join(f"<tr><td>{'✔' if c.passed else '✘'}</td><td>{html.escape(c.name)}</td>"
                   f"<td>{html.escape(c.expected)}</td><td>{html.escape(c.observed)}</td></tr>" for c in run.checks)
    errors = "".join(f"<p><b>Error:</b> {html.escape(e)}</p>" for e in run.errors)
    times = " · ".join(f"{html.escape(k)} {v:.2f} ms" for k, v in run.timings_ms.items())
    where = "<b>Live</b>, measured here." if run.live else f"<b>Recorded</b> ({html.escape(LABEL)})."
    return (f'<div class="cvm-nslab-checks"><p>{where} {html.escape(run.why)}</p>{errors}'
            "<table><tr><th></th><th>check</th><th>expected</th><th>observed</th></tr>"
            f"{rows}</table><p>Timings ({html.escape(_label(run))}): {times}</p>"
            f"<pre>{html.escape(chr(10).join(run.transcript))}</pre></div>")



def comparison_html(comp: NsComparison) -> str:
    """The namespace comparison as an HTML table, with its notes and provenance."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
    body = "".join("<tr>" + "".join(f"<td><code>{html.escape(str(v))}</code></td>" for v in row) + "</tr>"
                   for row in comp.rows)
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in comp.notes)
    return (f"<p>{html.escape(comp.why)}</p><table class='cvm-ns-comparison'><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table><ul>{notes}</ul>")
