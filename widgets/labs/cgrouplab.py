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
import itertools
import json
import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ..core import validate
from .base import LIVE_MODES, Capability, Recording, new_token, spawn, use_live
from .cgroups import capability, detect, lab_parent, read_value

PREFIX = "cvm-course-lab-"
RECORDING = Recording("cgroup_run", "2026-11-26")
MAX_LIMIT, MAX_ATTEMPTS, MAX_TIMEOUT_S = 64, 200, 120.0


_LIVE_CGROUPS: set[Path] = set()  # created and not yet verified removed (cleaned at exit)


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


def _start_child(params: dict[str, object]) -> subprocess.Popen[str]:
    """The lab process (``widgets/labs/children/pids.py``); it waits for a line on stdin before it forks."""
    return spawn("pids", params, token=new_token(PREFIX + "child"), stdin=True)


def _procs(cg: Path) -> list[int]:
    return [int(x) for x in (read_value(cg / "cgroup.procs") or "").split()]


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
        before = read_value(cg / "pids.current")
        lap("start the lab process, move it in")
        try:
            out, err = child.communicate("go\n", timeout=timeout_s)
        except subprocess.TimeoutExpired:
            raise TimeoutError(f"the lab process did not finish within {timeout_s:g} s") from None
        if child.returncode != 0:
            last = (err.strip().splitlines() or ["no message"])[-1]  # the error, never a traceback
            raise RuntimeError(f"the lab process failed: {last[-300:]}")
        report = json.loads(out.strip().splitlines()[-1])
        events = read_value(cg / "pids.events") or "(no pids.events)"
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
    transcript = [
        f"$ mkdir {cg}",
        f"$ cd {cg}",
        f"$ echo {limit} > pids.max",
        f"$ echo {child.pid} > cgroup.procs    # the lab process (python -c ...) joins",
        "$ cat pids.current",
        str(before),
        f"# the lab process ({report['tasks']} task) tries {attempts} forks; each child waits on a pipe",
        *spans,
        "$ cat pids.current    # read while the children are alive",
        str(report["during"]),
        "# the lab process releases and reaps its children",
        "$ cat pids.current",
        str(report["after"]),
        "$ cat pids.events",
        events,
        "$ cd ..",
        f"$ rmdir {cg.name}" if removed else "rmdir FAILED",
    ]
    return LimitRun(
        limit,
        attempts,
        outcomes.count("ok"),
        len(refusals),
        refusals[0] if refusals else "",
        str(cg),
        removed,
        {k: round(v, 2) for k, v in ms.items()},
        True,
        "",
        "measured here",
        tuple(transcript),
        report["tasks"],
        report["during"],
        report["after"],
    )


def recorded_limit_run(why: str = "") -> LimitRun:
    """The run recorded in ``widgets/labs/recorded/cgroup_run_2026-11-26.json`` (labelled: not measured now)."""
    rec = RECORDING.load()
    m, run = rec["machine"], {k: v for k, v in rec["run"].items() if k not in ("live", "why", "recorded_on")}
    on = f"recorded on {rec['date']} ({m['platform']}, Linux {m['kernel']}, {m['cgroups']}, as {m['user']})"
    return LimitRun(
        **run | {"transcript": tuple(run["transcript"])},
        live=False,
        why=why or "Showing the recorded run.",
        recorded_on=on + ", not measured now",
    )


def pids_limit_lab(
    limit: object = 5, attempts: object = 20, live: str = "auto", timeout_s: object = 10.0, *, _hang: bool = False
) -> LimitRun:
    """Create a cgroup with ``pids.max = limit``, fork ``attempts`` times in it, count refusals, remove it.

    Parameters
    ----------
    limit:
        ``pids.max`` to set, 1..64 (default 5: an illustrative assumption, set your own).
    attempts:
        Forks the lab process tries, 1..200 (default 20: illustrative, set your own).
    live:
        ``"auto"``, ``"on"`` or ``"off"`` (see :func:`widgets.labs.base.use_live`); the fallback is a recording.
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
    go_live, why = use_live(live, capability() if live != "off" else Capability("cgroups", False, "not probed"))
    parent, reason = lab_parent(detect()) if go_live else (None, "")
    if go_live and parent is None:
        why = f"No cgroup can be created for the lab here ({reason}); showing the recording."
    if parent is not None:
        cg = parent / (PREFIX + secrets.token_hex(4))
        try:
            return dataclasses.replace(_run_live(cg, limit, attempts, timeout_s, _hang), why=why)
        except Exception as exc:  # noqa: BLE001 - any failure falls back, after cleaning up
            gone = "was removed" if not cg.exists() else "could NOT be removed yet (retried at exit)"
            why = (
                f"The live run failed ({type(exc).__name__}: {exc}); its processes were killed and the "
                f"cgroup {cg} {gone}. Showing the recording."
            )
    run = recorded_limit_run(why)
    if (limit, attempts) != (run.limit, run.attempts):
        run = dataclasses.replace(
            run,
            why=f"{run.why} (The recording used pids.max = {run.limit} and "
            f"{run.attempts} forks, not your {limit} and {attempts}.)",
        )
    return run
