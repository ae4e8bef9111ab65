"""Lesson 07's live start-up benchmark: a process, a namespaced process and a tiny KVM guest, timed here.

``"process"`` starts ``/bin/true`` and waits (fork + exec + wait, no shell); ``"namespaces"`` runs it under
util-linux ``unshare`` in new user (root mapped), UTS, IPC, network, mount and PID namespaces (a container
without an engine); ``"kvm"`` (:func:`widgets.labs.kvm.run_guest`) creates a VM and a vCPU, runs lesson 01's guest
to HLT and destroys it. No OS kernel boots in that guest: Firecracker's published <= 125 ms to ``/sbin/init``
is mostly a guest kernel booting, not the hypervisor. Published figures from ``data/startup_times.csv`` sit
beside them on one log scale; a path that cannot run here (or ``live="off"``) shows the labelled recording.
"""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core import data, validate
from . import kvm, runtime
from .base import LIVE_MODES, Capability, LabFailed, Recording, kill_group, use_live
from .capabilities import capabilities
from .probe import where_am_i

RECORDING = Recording("startup_run", "2026-12-03")
LABEL = RECORDING.label
MEASURED, RECORDED = "measured here", "recorded"


#: Carried on the command line of every process the benchmark starts (``/bin/true`` ignores arguments).
MARKER = "cvm-startup"


#: The program each run starts; tests swap it for a slow one to exercise the time-out.
TARGET: tuple[str, ...] = ("/bin/true", MARKER)


UNSHARE_FLAGS = ("--user", "--map-root-user", "--uts", "--ipc", "--net", "--mount", "--pid", "--fork", "--kill-child")


PATHS: dict[str, str] = {
    "process": "process: start /bin/true and wait",
    "namespaces": "namespaced process (a container without an engine)",
    "container": "whole container: lesson 03's image, overlay root, pivot_root, caps, seccomp (Python runner)",
    "kvm": "tiny KVM guest: VM + vCPU to HLT, no OS kernel boots",
}


SHORT = {
    "process": "process",
    "namespaces": "namespaced",
    "container": "whole container",
    "kvm": "KVM guest (no kernel boot)",
}
CAPABILITY = {"process": "process start", "namespaces": "user namespaces", "container": "user namespaces", "kvm": "KVM"}


#: Published rows shown beside the measurements, and how the summary names them.
PUBLISHED = {
    "fork_exec_linux": "fork/exec {v}",
    "firecracker_boot_to_init": "Firecracker {v} to /sbin/init",
    "docker_run_alpine_true_runc": "docker run {v}",
    "ec2_linux_m1small": "EC2 Linux {v}",
    "azure_vm_role_small": "Azure VM role {v}",
    "ec2_windows_m1small": "EC2 Windows {v}",
}


Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class PathResult:
    """One start-up path: its times (ms, warm-up excluded), their statistics and where they come from."""

    name: str
    label: str
    source: str  # "measured here" or "recorded"
    reason: str
    times_ms: tuple[float, ...]
    median_ms: float
    p25_ms: float
    p75_ms: float
    min_ms: float
    max_ms: float

    @property
    def runs(self) -> int:
        """The number of timed runs."""
        return len(self.times_ms)


@dataclass(frozen=True)
class StartupBench:
    """A benchmark: one :class:`PathResult` per path, and whether the time budget stopped it early."""

    paths: tuple[PathResult, ...]
    runs: int
    budget_s: float
    stopped_early: bool
    note: str
    elapsed_s: float

    def path(self, name: str) -> PathResult:
        """The result for path ``name``."""
        return next(p for p in self.paths if p.name == validate.choice("path", name, [p.name for p in self.paths]))


class _RunFailed(RuntimeError):
    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


def statistics_ms(times_ms: Sequence[float]) -> dict[str, float]:
    """Median, 25th/75th percentile (numpy's linear interpolation), minimum and maximum of run times.

    Raises
    ------
    ValueError
        If there are no times or one is not a positive, finite number.
    """
    if isinstance(times_ms, str) or not isinstance(times_ms, Sequence) or not times_ms:
        raise ValueError("times_ms must be a non-empty list of run times in ms")
    t = np.array([validate.number("a run time", x, minimum=0, allow_zero=False, unit="ms") for x in times_ms])
    p25, med, p75 = np.percentile(t, [25, 50, 75])
    return {"median": float(med), "p25": float(p25), "p75": float(p75), "min": float(t.min()), "max": float(t.max())}


def _result(name: str, source: str, reason: str, times: Sequence[float]) -> PathResult:
    s = statistics_ms(times)
    return PathResult(
        name,
        PATHS[name],
        source,
        reason,
        tuple(round(float(x), 4) for x in times),
        s["median"],
        s["p25"],
        s["p75"],
        s["min"],
        s["max"],
    )


def published() -> list[dict[str, Any]]:
    """The ``startup_times`` rows shown beside the measurements (:data:`PUBLISHED`), fastest first, each with
    its ``"cite"`` (``table.cite(row)``) and plot ``"label"`` added."""
    table = data.load("startup_times")
    rows = [{**table.row(id=i), "cite": table.cite(table.row(id=i))} for i in PUBLISHED]
    return [{**r, "label": f"{r['subject']} (published)"} for r in sorted(rows, key=lambda r: r["value_ms"])]


def recording() -> dict[str, Any]:
    """The parsed recording ``widgets/recorded/startup_run_2026-12-03.json``."""
    return RECORDING.load()


def recorded_bench(paths: Sequence[str] = tuple(PATHS), reason: str = "") -> StartupBench:
    """The benchmark recorded on 2026-12-03 on the course's build machine (the fallback), for ``paths``."""
    rec = recording()
    why = reason or f"{LABEL} ({rec['machine']['description']})"
    got = tuple(_result(n, RECORDED, why, rec["paths"][n]["times_ms"]) for n in _check_paths(paths))
    return StartupBench(got, rec["runs"], rec["budget_s"], False, f"All paths {LABEL}.", rec["elapsed_s"])


def _check_paths(paths: object) -> tuple[str, ...]:
    if isinstance(paths, str) or not isinstance(paths, Sequence):
        raise ValueError(f"paths must be a list of paths from {', '.join(PATHS)}; got {paths!r}")
    if not paths:
        raise ValueError(f"paths is empty: choose at least one of {', '.join(PATHS)}")
    names = tuple(validate.choice("paths", p, PATHS) for p in paths)
    if len(set(names)) != len(names):
        raise ValueError(f"paths names a path twice: {', '.join(names)}")
    return names


def _capability(name: str, found: list[Capability]) -> Capability:
    if name == "process":
        ok = os.name == "posix" and os.access(TARGET[0], os.X_OK)
        return Capability("process start", ok, f"{TARGET[0]} can be started" if ok else f"{TARGET[0]} is missing")
    cap = next((c for c in found if c.name == CAPABILITY[name]), None)
    if cap is None:
        return Capability(CAPABILITY[name], False, "not probed")
    if name == "namespaces" and cap.available and shutil.which("unshare") is None:
        return Capability(cap.name, False, "util-linux 'unshare' is not on PATH", "install util-linux")
    return cap


def _run_command(argv: list[str], timeout_s: float) -> float:
    """Start ``argv`` (never a shell) in its own process group, wait, return ms; kill the group on time-out."""
    start = time.perf_counter()
    try:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
    except OSError as exc:
        raise _RunFailed(f"could not start {argv[0]}: {exc.strerror or exc}") from None
    try:
        err = proc.communicate(timeout=timeout_s)[1]
    except BaseException as exc:  # the time-out, or an interrupt: leave nothing behind
        kill_group(proc)
        if isinstance(exc, subprocess.TimeoutExpired):
            raise _RunFailed(
                f"a run did not finish within {timeout_s:.3g} s; its process group was killed", timed_out=True
            ) from None
        raise
    elapsed = (time.perf_counter() - start) * 1e3
    if proc.returncode != 0:
        last = (err.decode(errors="replace").strip().splitlines() or ["no message"])[-1][-200:]
        raise _RunFailed(f"{os.path.basename(argv[0])} exited with code {proc.returncode}: {last}")
    return elapsed


_CONTAINER: dict[str, Any] = {}  # the prepared image and bundle while a benchmark runs


def _run_once(name: str, timeout_s: float) -> float:
    if name == "container":
        start = time.perf_counter()
        try:
            run = runtime.run_bundle(
                _CONTAINER["bundle"], _CONTAINER["image"], timeout_s=max(timeout_s, 0.5), observe=False, limits=False
            )
        except (LabFailed, OSError, ValueError) as exc:
            raise _RunFailed(f"the whole container could not run here ({exc})") from None
        if run.exit != {"code": 0} or "pid: 1" not in run.output:
            raise _RunFailed(f"the container's program did not report as PID 1 (exit {run.exit})")
        return (time.perf_counter() - start) * 1e3
    if name == "process":
        return _run_command(list(TARGET), timeout_s)
    if name == "namespaces":
        return _run_command([shutil.which("unshare") or "unshare", *UNSHARE_FLAGS, *TARGET], timeout_s)
    code, start = kvm.build_guest(), time.perf_counter()
    try:
        run = kvm.run_guest(code, timeout_s=min(timeout_s, 60.0))
    except kvm.KvmUnavailable as exc:
        raise _RunFailed(f"KVM could not run here ({exc})") from None
    if not run.halted:
        raise _RunFailed(f"the guest did not halt: {run.stopped_reason}", timed_out="timed out" in run.stopped_reason)
    return (time.perf_counter() - start) * 1e3


def check_inputs(
    runs: object, live: object, budget_s: object, timeout_s: object, paths: object, progress: object
) -> tuple[int, str, float, float, tuple[str, ...]]:
    """Validate the benchmark's inputs (each message names the input); return them cleaned."""
    if progress is not None and not callable(progress):
        raise ValueError(f"progress must be a function progress(done, total, label) or None; got {progress!r}")
    return (
        validate.integer("runs", runs, minimum=1, maximum=200),
        validate.choice("live", live, LIVE_MODES),
        validate.number("budget_s", budget_s, minimum=0.5, maximum=120, unit="s"),
        validate.number("timeout_s", timeout_s, minimum=0.1, maximum=30, unit="s"),
        _check_paths(paths),
    )


def measure(
    paths: Sequence[str] = tuple(PATHS),
    runs: int = 15,
    live: str = "auto",
    budget_s: float = 20.0,
    timeout_s: float = 5.0,
    progress: Progress | None = None,
    keep_first: bool = False,
) -> StartupBench:
    """Time each start-up path ``runs`` times (after one discarded warm-up run), live where possible.

    Runs go round-robin (one of each path in turn), so a time budget that runs out cuts every path short
    alike. A path that cannot run here, fails, or times out comes from the recording, with the reason.

    Parameters
    ----------
    paths:
        Some of ``"process"``, ``"namespaces"``, ``"kvm"``.
    runs:
        Timed runs per path, 1 to 200 (a warm-up run comes first and is discarded).
    live:
        ``"auto"``, ``"on"`` or ``"off"`` (see :func:`widgets.labs.base.use_live`); ``"off"``: all recorded.
    budget_s:
        Seconds for the whole benchmark, 0.5 to 120; when spent, it stops early and says so.
    timeout_s:
        Seconds one run may take, 0.1 to 30; then its process group is killed.
    progress:
        Optional ``progress(done, total, label)``, called after every run.
    keep_first:
        Keep the first run of each path too (the first start of each path in this benchmark, which may find
        less in the caches), so each path has ``runs + 1`` times.

    Raises
    ------
    ValueError
        If an argument is not valid (the message names it).
    """
    runs, live, budget_s, timeout_s, paths = check_inputs(runs, live, budget_s, timeout_s, paths, progress)
    if not isinstance(keep_first, bool):
        raise ValueError(f"keep_first must be True or False, got {keep_first!r}")
    found = capabilities() if live != "off" else []
    decided = {n: use_live(live, _capability(n, found)) for n in paths}
    todo = [n for n in paths if decided[n][0]]
    with contextlib.ExitStack() as stack:
        if "container" in todo:
            from ..models.bundle import make_config

            try:
                workdir, image = stack.enter_context(runtime.prepared())
                uid = runtime.run_as()
                config = make_config(uid=uid, gid=uid, arch=runtime.host_arch())
                _CONTAINER.update(image=image, bundle=runtime.write_bundle(workdir / "bundle", config))
            except (OSError, LabFailed, ValueError) as exc:  # e.g. inside a user namespace without 'nobody'
                decided["container"] = (False, f"the whole container could not be prepared here ({exc}).")
                todo.remove("container")
        try:
            return _measure(paths, todo, decided, runs, budget_s, timeout_s, progress, keep_first)
        finally:
            _CONTAINER.clear()


def _measure(paths, todo, decided, runs, budget_s, timeout_s, progress, keep_first=False) -> StartupBench:  # noqa: ANN001
    times: dict[str, list[float]] = {n: [] for n in todo}
    failed: dict[str, str] = {}
    start, total, done, stopped = time.monotonic(), (runs + 1) * len(todo), 0, False
    for i in range(runs + 1):
        for name in [n for n in todo if n not in failed]:
            left = budget_s - (time.monotonic() - start)
            if left <= 0:
                stopped = True
                break
            try:
                ms = _run_once(name, min(timeout_s, left))
            except _RunFailed as exc:
                if exc.timed_out and left < timeout_s:
                    stopped = True
                    break
                failed[name] = str(exc)
                continue
            if i or keep_first:  # run 0 is the warm-up, unless it is kept
                times[name].append(ms)
            done += 1
            if progress is not None:
                progress(done, total, f"{SHORT[name]}: " + (f"run {i} of {runs}" if i else "warm-up"))
        if stopped:
            break
    elapsed = time.monotonic() - start
    results = []
    for name in paths:
        ok, why = decided[name]
        if ok and name not in failed and times[name]:
            results.append(_result(name, MEASURED, why, times[name]))
            continue
        if ok:
            why = f"{CAPABILITY[name]}: " + (
                f"the live run failed here ({failed[name]})."
                if name in failed
                else "the time budget ran out before a timed run."
            )
        results.append(
            _result(name, RECORDED, f"{why} Shown instead: the run {LABEL}.", recording()["paths"][name]["times_ms"])
        )
    note = (
        f"Stopped early: the time budget of {budget_s:g} s ran out, so some paths have fewer than {runs} runs."
        if stopped
        else f"Finished in {elapsed:.2f} s (budget {budget_s:g} s)."
    )
    return StartupBench(tuple(results), runs, budget_s, stopped, note, round(elapsed, 3))


def make_recording() -> dict[str, Any]:
    """Run the benchmark live (defaults) and return what ``widgets/labs/recorded/`` + :data:`RECORDING` holds."""
    bench = measure(live="on")
    if any(p.source != MEASURED for p in bench.paths) or bench.stopped_early:
        raise RuntimeError(f"cannot record: not every path ran live and complete ({bench.note})")
    machine = {
        "description": f"{where_am_i().headline}; uid {os.getuid()}; {os.cpu_count()} CPUs",
        "kernel": platform.release(),
        "python": platform.python_version(),
    }
    return {
        "description": "widgets.startup.measure(live='on') with its defaults; times in ms, warm-up excluded",
        "label": LABEL,
        "recorded_on": RECORDING.recorded_on,
        "machine": machine,
        "runs": bench.runs,
        "budget_s": bench.budget_s,
        "elapsed_s": bench.elapsed_s,
        "paths": {p.name: {"label": p.label, "times_ms": list(p.times_ms)} for p in bench.paths},
    }
