"""Linux namespaces, live: read them, compare them, build a container from scratch.

:func:`container_from_scratch` runs a short-lived child that enters new user, UTS, IPC, mount, network and
PID namespaces with ``unshare(2)`` (ctypes), forks PID 1 of the new PID namespace, mounts a fresh ``/proc``
there (in its own mount namespace only), sets a hostname and reports what it sees; a second child shows
that ``unshare`` fails with EPERM without a user namespace. Nothing is written on the host: namespaces vanish
with their last process. Otherwise (or ``live="off"``) the labelled recording in ``widgets/labs/recorded/`` is shown.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import re
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import validate
from .base import Check, LabFailed, Recording, lab_pids, run_child
from .capabilities import decide

NS_TYPES = ("cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time", "time_for_children", "user", "uts")
UNSHARED = ("user", "uts", "ipc", "net", "mnt", "pid")
RECORDING = Recording("namespace_run", "2026-11-26")
LABEL = RECORDING.label
MARKER = "cvm-nslab"
TOTAL = "total (unshare to PID 1 reaped)"
_LINK = re.compile(r"[a-z_]+:\[(\d+)\]")
_HOSTNAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


_PERM = (
    "permission denied: reading another process's namespaces needs ptrace-read access to it "
    "(root or the same user; a non-dumpable process or a security module can refuse even root)"
)


class NsLinks(dict[str, str]):
    """``namespace type -> link`` (e.g. ``"net:[4026531840]"``) or a reason; ``.reason`` says what is missing."""

    def __init__(self, links: dict[str, str] | None = None, reason: str = "") -> None:
        super().__init__(links or {})
        self.reason = reason


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


def inode(link: str) -> str | None:
    """The inode number of a namespace link (``"net:[4026531840]"`` -> ``"4026531840"``), or None."""
    m = _LINK.fullmatch(link or "")
    return m.group(1) if m else None


def same_namespace(a: str, b: str) -> str:
    """``"same"``, ``"different"`` or ``"unknown"``: do two namespace links name one namespace?"""
    ia, ib = inode(a), inode(b)
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
    bad = [t for t, v in out.items() if inode(v) is None]
    return NsLinks(out, f"{len(bad)} of {len(NS_TYPES)} entries could not be read ({', '.join(bad)})" if bad else "")


def _mounts() -> set[str]:
    return set(Path("/proc/self/mountinfo").read_text(encoding="utf-8").splitlines())


def _live_run(hostname: str, timeout_s: float, hang_s: float, why: str) -> ContainerRun:
    host, before = socket.gethostname(), _mounts()
    rep, elapsed = run_child(
        "namespaces", {"mode": "container", "hostname": hostname, "hang_s": hang_s}, timeout_s, marker=MARKER
    )
    nu, _ = run_child("namespaces", {"mode": "no-userns", "hostname": hostname}, timeout_s, marker=MARKER)
    new_mounts, host_after, uid = len(_mounts() - before), socket.gethostname(), os.getuid()
    left = lab_pids(rep["run"]) + lab_pids(nu["run"])  # this run's processes only, not a neighbour's
    ns = tuple((t, rep["host_ns"].get(t, "unavailable"), rep["ns"].get(t, "unavailable")) for t in NS_TYPES)
    checks = [
        Check(
            "hostname (UTS namespace)",
            f"{hostname!r} inside; the host keeps {host!r}",
            f"{rep['hostname']!r} inside; the host has {host_after!r}",
            rep["hostname"] == hostname and host_after == host,
        ),
        Check("its PID (PID namespace)", "1", str(rep["pid"]), rep["pid"] == 1),
        Check("processes it sees in a fresh /proc", "only its own: [1]", str(rep["pids"]), rep["pids"] == [1]),
        Check(
            "network interfaces (network namespace)",
            "['lo'], lo down",
            f"{rep['interfaces']}, lo {'up' if rep['lo_up'] else 'down'}",
            rep["interfaces"] == ["lo"] and not rep["lo_up"],
        ),
        Check(
            "uid inside / outside (user namespace)",
            f"0 inside, {uid} outside",
            f"{rep['uid']} inside, {rep['uid_outside']} outside",
            rep["uid"] == 0 and rep["uid_outside"] == uid,
        ),
        *(
            Check(
                f"{t} namespace differs from the host's",
                "different",
                f"{c} vs host {h}",
                same_namespace(h, c) == "different",
            )
            for t, h, c in ns
            if t in UNSHARED
        ),
        Check(
            "no new mount on the host",
            "/proc/self/mountinfo unchanged",
            "unchanged" if not new_mounts else f"{new_mounts} new",
            not new_mounts,
        ),
        Check("no lab process left", "none", str(left or "none"), not left),
        Check(
            f"unshare(CLONE_NEWUTS) alone, as uid {nu['uid']}",
            "EPERM (Operation not permitted)",
            nu["uts_alone"],
            "EPERM" in nu["uts_alone"],
        ),
        Check(
            f"unshare(CLONE_NEWUSER|CLONE_NEWUTS) + sethostname, as uid {nu['uid']}",
            "works",
            f"{nu['with_userns']}; hostname inside {nu.get('hostname_inside')!r}",
            nu["with_userns"] == "works",
        ),
    ]
    transcript = (
        "# on the host",
        "$ hostname",
        host,
        "$ id -u",
        str(uid),
        "# the lab: unshare(user, uts, ipc, mnt, net, pid), write uid_map, fork -> PID 1, mount proc, sethostname",
        "$ hostname",
        rep["hostname"],
        "$ echo $$",
        str(rep["pid"]),
        f"$ id -u        # {rep['uid_outside']} outside",
        str(rep["uid"]),
        "$ ls /proc | grep -E '^[0-9]+$'",
        *map(str, rep["pids"]),
        "$ ip -brief link",
        *(f"{n:<8}{'UP' if rep['lo_up'] and n == 'lo' else 'DOWN'}" for n in rep["interfaces"]),
        "$ readlink /proc/self/ns/uts",
        rep["ns"]["uts"],
        "$ exit",
        "# back on the host",
        "$ hostname",
        host_after,
        f"# without a user namespace, as uid {nu['uid']}",
        "$ unshare --uts true",
        nu["uts_alone"],
        f"$ unshare --user --uts sh -c 'hostname {hostname}; hostname'",
        nu.get("hostname_inside") if nu["with_userns"] == "works" else nu["with_userns"],
    )
    timings = {
        "unshare": rep["unshare"],
        "uid/gid maps": rep["maps"],
        "fork": rep["fork"],
        "mounts + hostname": rep["mounts"],
        TOTAL: rep["total"],
        "child process incl. Python start-up": elapsed,
    }
    return ContainerRun(
        tuple(checks),
        transcript,
        {k: round(v, 3) for k, v in timings.items()},
        True,
        why,
        hostname=hostname,
        namespaces=ns,
        observed={"container": rep, "no_userns": nu},
    )


def recording() -> dict[str, Any]:
    """The parsed recording ``widgets/labs/recorded/namespace_run_2026-11-26.json``."""
    return RECORDING.load()


def recorded_run() -> ContainerRun:
    """The container run recorded on 2026-11-26 on the course's build machine (the fallback)."""
    rec = recording()
    run, m = rec["container_run"], rec["machine"]
    where = f"{m['description']}, Linux {m['kernel']}, Python {m['python']}"
    return ContainerRun(
        tuple(Check(**c) for c in run["checks"]),
        tuple(run["transcript"]),
        run["timings_ms"],
        False,
        f"{LABEL} ({where}).",
        rec["recorded_on"],
        hostname=run["hostname"],
        namespaces=tuple(tuple(n) for n in run["namespaces"]),
        observed=run["observed"],
    )


def container_from_scratch(
    hostname: str = "course-container", live: str = "auto", timeout_s: float = 10.0, *, _hang_s: float = 0.0
) -> ContainerRun:
    """Build a container from namespaces alone, live, and check each isolation.

    Parameters
    ----------
    hostname:
        The container's hostname: 1 to 63 characters of a-z, 0-9 and '-', not starting or ending with '-'.
    live:
        ``"auto"``, ``"on"`` or ``"off"`` (see :func:`widgets.labs.base.use_live`).
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
        raise ValueError(
            "hostname must be text of 1 to 63 characters a-z, 0-9 and '-', not starting or ending "
            f"with '-'; got {hostname!r}"
        )
    timeout_s = validate.number("timeout_s", timeout_s, minimum=0.5, maximum=120, unit="s")
    hang_s = validate.number("_hang_s", _hang_s, minimum=0, maximum=600, unit="s")
    go_live, why = decide(live, "user namespaces")
    if go_live:
        try:
            return _live_run(hostname, timeout_s, hang_s, why)
        except (LabFailed, OSError, KeyError) as exc:
            return dataclasses.replace(
                recorded_run(),
                errors=(f"live run failed: {exc}",),
                why=f"The live lab failed here ({exc}); showing the run {LABEL}.",
            )
    rec = recorded_run()
    other = f" (the recording used the hostname {rec.hostname!r})" if rec.hostname != hostname else ""
    return dataclasses.replace(rec, why=f"{why} Showing the run {LABEL}{other}.")


def compare_namespaces(live: str = "auto") -> NsComparison:
    """This Jupyter kernel (its Python process) vs PID 1 vs a child in new namespaces, type by type.

    Parameters
    ----------
    live:
        ``"auto"``, ``"on"`` or ``"off"``; without the capability the recorded comparison is shown.
    """
    go_live, why = decide(live, "user namespaces")
    if go_live:
        try:
            mine, first = namespace_links("self"), namespace_links(1)
            child = run_child("namespaces", {"mode": "links", "hostname": "x"}, 10.0, marker=MARKER)[0]["ns"]
        except (LabFailed, OSError, KeyError) as exc:
            go_live, why = False, f"The live comparison failed here ({exc})."
    if not go_live:
        rec = recording()["comparison"]
        return NsComparison(
            tuple(tuple(r) for r in rec["rows"]),
            tuple(rec["notes"]),
            False,
            f"{why} Showing the comparison {LABEL}.",
            RECORDING.recorded_on,
        )
    short = {t: v if inode(v) else v.split(":")[0] + " (see the notes)" for t, v in first.items()}
    rows = tuple(
        (
            t,
            mine[t],
            short[t],
            child.get(t, "unavailable"),
            same_namespace(mine[t], first[t]),
            same_namespace(mine[t], child.get(t, "")),
        )
        for t in NS_TYPES
    )
    notes = [
        "The child's 'pid' entry is still this process's: unshare(CLONE_NEWPID) moves only its future "
        "children into the new PID namespace; its 'pid_for_children' has no link until it forks the first "
        "of them, the new namespace's PID 1 (the container lab does fork it).",
        "cgroup and time were not unshared, so the child shares them.",
    ]
    if any(inode(first[t]) is None for t in NS_TYPES):
        notes.insert(0, f"PID 1's namespace links could not be read here (as uid {os.getuid()}): {_PERM}.")
    return NsComparison(rows, tuple(notes), True, why)


def make_recording() -> dict[str, Any]:
    """Run the lab live and return the recording's contents (how the recording file was made)."""
    run, comp = container_from_scratch(live="on"), compare_namespaces(live="on")
    if not (run.live and comp.live):
        raise LabFailed(f"cannot record: the lab did not run live ({run.why} {comp.why})")
    machine = {
        "description": "Firecracker micro-VM, root user",
        "kernel": platform.release(),
        "python": platform.python_version(),
    }
    return {
        "label": LABEL,
        "recorded_on": RECORDING.recorded_on,
        "machine": machine,
        "container_run": {
            "hostname": run.hostname,
            "checks": [dataclasses.asdict(c) for c in run.checks],
            "transcript": list(run.transcript),
            "timings_ms": run.timings_ms,
            "namespaces": [list(n) for n in run.namespaces],
            "observed": run.observed,
        },
        "comparison": {"rows": [list(r) for r in comp.rows], "notes": list(comp.notes)},
    }
