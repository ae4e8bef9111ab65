"""Lesson 02's edit lab: a process unshares the namespaces the learner lists, and reports what it sees.

:func:`run_namespaces` checks the list against the eight namespace types (:func:`widgets.models.nsview.
check_namespaces`; the names are data, never a shell command), then runs the existing child
``children/namespaces.py`` in mode ``chosen`` with a hard timeout (:func:`widgets.labs.base.run_child`): as an
ordinary user (``nobody`` when the notebook runs as root) it unshares exactly those namespaces, forks once
into a new PID namespace, mounts a fresh ``/proc`` when it also has a mount namespace, sets the hostname in a
UTS namespace of its own, and reports its PID, hostname, interfaces, uid and the processes it can list.
Without user namespaces, or with ``live="off"``, the run of the same set recorded on the course's build
machine answers (every one of the 256 sets was recorded), labelled so.
"""

from __future__ import annotations

import itertools
import platform
from dataclasses import dataclass, field
from typing import Any

from ..core import validate
from ..models import nsview
from .base import LabFailed, Recording, lab_pids, run_child
from .capabilities import decide

__all__ = ["NsRun", "make_recording", "recorded_run", "run_namespaces"]

RECORDING = Recording("namespace_sets", "2026-12-03")
MARKER = "cvm-nsrun"
HOSTNAME = "course-container"
KEEP = ("refused", "pid", "host_pid", "uid", "uid_outside", "hostname", "interfaces", "processes", "pids", "error")


@dataclass(frozen=True)
class NsRun:
    """One run of a namespace set: what the process saw (raw and as the five choices), live or recorded."""

    namespaces: tuple[str, ...]
    view: dict[str, str] | str
    observed: dict[str, Any]
    live: bool
    why: str
    recorded_on: str = ""
    elapsed_ms: float = 0.0
    left: tuple[int, ...] = ()
    errors: tuple[str, ...] = field(default_factory=tuple)

    @property
    def source(self) -> str:
        """``"measured here"`` or the recording's label."""
        return "measured here" if self.live else RECORDING.label


def _slim(report: dict[str, Any]) -> dict[str, Any]:
    out = {k: report[k] for k in KEEP if k in report}
    if "pids" in out:
        out["pids"] = out["pids"][:5]  # enough to tell "only itself" from "the host's"
    if "net" in report.get("ns", {}):
        out["ns"], out["host_ns"] = {"net": report["ns"]["net"]}, {"net": report.get("host_ns", {}).get("net", "")}
    return out


def _live(names: tuple[str, ...], timeout_s: float, hang_s: float, why: str) -> NsRun:
    params = {"mode": "chosen", "hostname": HOSTNAME, "namespaces": list(names), "hang_s": hang_s}
    report, elapsed = run_child("namespaces", params, timeout_s, marker=MARKER)
    left = tuple(lab_pids(report.pop("run")))
    return NsRun(names, nsview.view_of(report, HOSTNAME), _slim(report), True, why, "", round(elapsed, 3), left)


def recording() -> dict[str, Any]:
    """The parsed recording ``widgets/labs/recorded/namespace_sets_2026-12-03.json``."""
    return RECORDING.load()


def recorded_run(namespaces: object, why: str = "") -> NsRun:
    """The run of this namespace set recorded on the course's build machine (the fallback)."""
    names = nsview.check_namespaces(namespaces)
    rec = recording()
    raw = rec["runs"][nsview.key(names)]
    m = rec["machine"]
    where = f"{RECORDING.label} ({m['description']}, Linux {m['kernel']})"
    return NsRun(
        names, nsview.view_of(raw, HOSTNAME), raw, False, why or f"Showing the run {where}.", rec["recorded_on"]
    )


def run_namespaces(namespaces: object, live: str = "auto", timeout_s: float = 10.0, *, _hang_s: float = 0.0) -> NsRun:
    """Unshare exactly ``namespaces`` in a child process and report what it sees.

    Parameters
    ----------
    namespaces:
        A list of namespace names (``["user", "pid", "uts", "mount", "net"]``); the empty list unshares none.
    live:
        ``"auto"``, ``"on"`` or ``"off"`` (see :func:`widgets.labs.base.use_live`).
    timeout_s:
        Seconds the child may take before its process group is killed (0.5 to 60).
    _hang_s:
        Test-only: the reporting process sleeps this long first.

    Raises
    ------
    ValueError
        If ``namespaces``, ``live`` or ``timeout_s`` is not valid (nothing is started then).
    LabFailed
        If the live child times out (its process group is killed first) or fails.
    """
    names = nsview.check_namespaces(namespaces)
    timeout_s = validate.number("timeout_s", timeout_s, minimum=0.5, maximum=60, unit="s")
    hang_s = validate.number("_hang_s", _hang_s, minimum=0, maximum=600, unit="s")
    go_live, why = decide(live, "user namespaces")
    if not go_live:
        return recorded_run(names, f"{why} Showing the run of the same set {RECORDING.label}.")
    return _live(names, timeout_s, hang_s, why)


def make_recording() -> dict[str, Any]:
    """Run all 256 sets live and return the recording's contents (how the recording file was made)."""
    runs = {}
    for n in range(len(nsview.NAMES) + 1):
        for names in itertools.combinations(nsview.NAMES, n):
            run = run_namespaces(list(names), live="on")
            if not run.live:
                raise LabFailed(f"cannot record: the lab did not run live ({run.why})")
            runs[nsview.key(names)] = run.observed
    machine = {
        "description": "Firecracker micro-VM, run as nobody (65534)",
        "kernel": platform.release(),
        "python": platform.python_version(),
    }
    return {"label": RECORDING.label, "recorded_on": RECORDING.recorded_on, "machine": machine, "runs": runs}
