"""Lessons 02, 03 and 05's whole container: lesson 03's image, run as an ordinary user, every stage checked.

:func:`whole_container` builds the image in a temporary ``cvm-runtime-*`` directory, unpacks its layers,
writes an OCI bundle (:func:`widgets.models.bundle.make_config`), runs it with the course's runner
(:func:`widgets.labs.runtime.run_bundle`) and checks what a container must be: its own root, PID 1, its own
hostname, a fresh /proc, capabilities dropped, ``no_new_privs``, a seccomp filter that stops exactly the named
calls, the memory limit's OOM kill and the CPU quota's throttling (the kernel's counters), layers left
byte-identical, nothing left behind. :func:`copy_on_write` runs two containers on the same lower directories
and measures what each writes. Without user namespaces (or ``live="off"``), and for limits where this user
may not write a cgroup, the runs recorded on the course's build machine are shown, labelled so.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import validate
from ..models.bundle import make_config
from ..models.privileges import CAPABILITIES
from . import limits as cglimits
from .base import LIVE_MODES, Capability, Check, LabFailed, Recording, use_live
from .capabilities import capabilities
from .oci import host_arch, verify
from .overlay import disk_use, tree_digest
from .runtime import prepared, run_as, run_bundle, write_bundle

RECORDING = Recording("runtime_run", "2026-12-03")
LABEL = RECORDING.label
SCENARIOS = {
    "report": {"args": ()},
    "write": {"args": ("/etc/os-release",)},
    "oom": {"args": ("eat",), "memory_mib": 32},
    "throttle": {"args": ("spin",), "cpu_quota": 0.2},
    "unthrottled": {"args": ("spin",)},
}


@dataclass(frozen=True)
class ContainerRun:
    """One run of the image in its own container (live, or recorded), with its stages and checks."""

    live: bool
    why: str
    args: tuple[str, ...]
    hostname: str
    deny: tuple[str, ...]
    memory_mib: float | None
    cpu_quota: float | None
    config: dict[str, Any]
    stages: tuple[dict[str, Any], ...]
    output: str
    exit: dict[str, int]
    after_exec: dict[str, str]
    timings_ms: dict[str, float]
    cgroup: dict[str, Any]
    upper: tuple[tuple[str, int], ...]
    checks: tuple[Check, ...]
    recorded_on: str = ""
    errors: tuple[str, ...] = ()
    disk: dict[str, int] = field(default_factory=dict)

    def stage(self, name: str) -> dict[str, Any]:
        """The stage called ``name`` (e.g. ``"seccomp"``), or {}."""
        return next((s for s in self.stages if s["stage"] == name), {})

    @property
    def ok(self) -> bool:
        return all(c.passed for c in self.checks)


def check_args(args: object) -> tuple[str, ...]:
    """The program's arguments after ``/bin/hello``: none, a path to write (``/note.txt``), ``eat`` or ``spin``."""
    args = (args,) if isinstance(args, str) and args else () if args in ("", None) else args
    if isinstance(args, str) or not isinstance(args, Sequence) or len(args) > 1:
        raise ValueError(f"args must be empty, or one of '/a/path', 'eat', 'spin'; got {args!r}")
    for a in args:
        if not isinstance(a, str) or not (a in ("eat", "spin") or (a.startswith("/") and len(a) > 1)):
            raise ValueError(f"args: {a!r} must be 'eat', 'spin' or an absolute path such as '/note.txt'")
        if not a.isprintable() or len(a) > 200 or ".." in a.split("/"):
            raise ValueError(f"args: the path {a!r} must be printable, at most 200 characters, without '..'")
    return tuple(args)


def _mask(caps: Sequence[str]) -> str:
    return f"{sum(1 << CAPABILITIES.index(c) for c in caps):016x}"


def _checks(run: ContainerRun, expected_root: list[str], host: str, intact: bool, left: dict[str, Any]) -> list[Check]:
    parsed = {k: v for k, v in (ln.split(": ", 1) for ln in run.output.splitlines() if ": " in ln)}
    root = run.stage("root filesystem").get("after", {}).get("/", [])
    pid1 = run.stage("namespaces").get("after", {}).get("pid")
    name = run.stage("hostname").get("after")
    procs = run.stage("fresh /proc").get("after", {}).get("pids")
    out = [
        Check("its own root (pivot_root into the overlay)", str(expected_root), str(root), root == expected_root),
        Check("PID 1 (PID namespace)", "1", str(pid1), pid1 == 1),
        Check(
            "hostname (UTS namespace)",
            f"{run.hostname}; the host keeps {host}",
            f"{name}; the host has {socket.gethostname()}",
            name == run.hostname and socket.gethostname() == host,
        ),
        Check("a fresh /proc", "[1]", str(procs), procs == [1]),
    ]
    if "pid" in parsed:  # the program's own report, through its own system calls
        said = "error 1" if "uname" in run.deny else run.hostname
        out.append(
            Check(
                "the program's report (getpid, uname)",
                f"pid 1, hostname {said}",
                f"pid {parsed['pid']}, hostname {parsed.get('hostname')}",
                parsed["pid"] == "1" and parsed.get("hostname") == said,
            )
        )
    caps = run.config["process"]["capabilities"]["bounding"]
    if run.after_exec:
        out.append(
            Check(
                "capabilities of the running program (bounding = effective)",
                f"{_mask(caps)} ({len(caps)})",
                f"{run.after_exec.get('CapBnd')} / {run.after_exec.get('CapEff')}",
                run.after_exec.get("CapBnd") == run.after_exec.get("CapEff") == _mask(caps),
            )
        )
        out.append(
            Check(
                "no_new_privs, seccomp mode",
                "1, 2 (filter)",
                f"{run.after_exec.get('NoNewPrivs')}, {run.after_exec.get('Seccomp')}",
                (run.after_exec.get("NoNewPrivs"), run.after_exec.get("Seccomp")) == ("1", "2"),
            )
        )
    sec = run.stage("seccomp")
    if sec:
        before, after = sec["before"], sec["after"]
        probed = [n for n in before if n != "Seccomp"]
        want = {n: "EPERM" if n in run.deny else before[n] for n in probed}
        wrong = [n for n in probed if after.get(n) != want[n]]
        stopped = ", ".join(n for n in probed if n in run.deny) or "none of the probed calls"
        out.append(
            Check(
                "seccomp stops exactly the named calls",
                f"EPERM for {', '.join(run.deny) or 'nothing'}, "
                f"the other {len(probed) - len([n for n in probed if n in run.deny])} probes unchanged",
                f"stopped: {stopped}; differing: {', '.join(wrong) or 'none'}",
                not wrong,
            )
        )
    counters = run.cgroup.get("counters") or {}
    if run.memory_mib is not None and "eat" in run.args:
        out.append(
            Check(
                "memory limit: the kernel's OOM kill",
                "killed by signal 9; oom_kill >= 1",
                f"{run.exit}; oom_kill {counters.get('oom_kill')}",
                run.exit.get("signal") == 9 and (counters.get("oom_kill") or 0) >= 1,
            )
        )
    if run.cpu_quota is not None and "spin" in run.args:
        out.append(
            Check(
                "CPU quota: throttled",
                "nr_throttled > 0",
                f"nr_throttled {counters.get('nr_throttled')}, throttled {counters.get('throttled_usec') or 0:,.0f} µs",
                (counters.get("nr_throttled") or 0) > 0,
            )
        )
    out.append(
        Check(
            "the image's layers are unchanged",
            "same tree digests; every blob re-verified",
            "unchanged" if intact else "CHANGED",
            intact,
        )
    )
    out.append(Check("nothing left behind", "no process, mount or cgroup", str(left), not any(left.values())))
    return out


def _live(
    args: tuple[str, ...],
    hostname: str,
    deny: tuple[str, ...],
    memory_mib: float | None,
    cpu_quota: float | None,
    timeout_s: float,
    why: str,
) -> ContainerRun:
    host, mounts = socket.gethostname(), Path("/proc/self/mountinfo").read_text()
    with prepared() as (workdir, image):
        digests = [tree_digest(p) for p in image.lowers]
        uid = run_as()
        cfg = make_config(
            ["/bin/hello", *args],
            hostname,
            uid,
            uid,
            deny,
            memory_mib=memory_mib,
            cpu_quota=cpu_quota,
            arch=host_arch(),
        )
        b = write_bundle(workdir / "bundle", cfg)
        r = run_bundle(b, image, timeout_s=timeout_s)
        intact = digests == [tree_digest(p) for p in image.lowers] and verify(image.layout.root).ok
        shared = disk_use(*image.lowers)
        expected = sorted({p.name for lower in image.lowers for p in lower.iterdir()} | {"proc", "dev"})
    rep = r.report
    left = {
        "processes": list(r.left),
        "host mounts changed": Path("/proc/self/mountinfo").read_text() != mounts,
        "cgroup left": bool(r.cgroup.get("name")) and not r.cgroup.get("removed"),
        "temporary directory left": workdir.exists(),
    }
    run = ContainerRun(
        True,
        why,
        args,
        hostname,
        deny,
        memory_mib,
        cpu_quota,
        cfg,
        tuple(rep.get("stages", [])),
        r.output,
        r.exit,
        rep.get("after_exec", {}),
        rep.get("timings_ms", {}) | {"whole run incl. the runner's start": r.elapsed_ms},
        r.cgroup,
        r.upper,
        (),
        errors=(rep["error"],) if rep.get("error") else (),
        disk={
            "lowers (shared)": shared.blocks_bytes,
            "lower files": shared.files,
            "upper (this container)": r.upper_use.blocks_bytes if r.upper_use else 0,
        },
    )
    return dataclasses.replace(run, checks=tuple(_checks(run, expected, host, intact, left)))


def recorded(scenario: str = "report", why: str = "") -> ContainerRun:
    """A run recorded on the course's build machine: ``"report"``, ``"write"``, ``"oom"``, ``"throttle"``,
    ``"unthrottled"``."""
    scenario = validate.choice("scenario", scenario, SCENARIOS)
    rec = RECORDING.load()
    raw = dict(rec["runs"][scenario])
    raw["checks"] = tuple(Check(**c) for c in raw["checks"])
    for key in ("args", "deny", "stages", "upper"):
        raw[key] = tuple(tuple(x) if key == "upper" else x for x in raw[key])
    m = rec["machine"]
    where = f"{LABEL} ({m['description']}, Linux {m['kernel']})"
    return ContainerRun(
        **raw | {"live": False, "why": why or f"Showing the run {where}.", "recorded_on": rec["recorded_on"]}
    )


def scenario_of(args: tuple[str, ...], memory_mib: object, cpu_quota: object) -> str:
    if "eat" in args:
        return "oom"
    if "spin" in args:
        return "throttle" if cpu_quota is not None else "unthrottled"
    return "write" if args else "report"


def whole_container(
    args: Sequence[str] | str = (),
    hostname: str = "course-container",
    deny: Sequence[str] | str = ("unshare",),
    memory_mib: float | None = None,
    cpu_quota: float | None = None,
    live: str = "auto",
    timeout_s: float = 20.0,
) -> ContainerRun:
    """Run lesson 03's image as a whole container and check every stage.

    Parameters
    ----------
    args:
        After ``/bin/hello``: nothing (report), a path to write first (``"/note.txt"``), ``"eat"`` (memory
        until the limit) or ``"spin"`` (CPU for half a second).
    hostname, deny:
        The container's hostname; the system calls its seccomp filter makes fail with EPERM.
    memory_mib, cpu_quota:
        cgroup limits (MiB; CPUs, 0.01 to 1), or None. Where this user may not write a cgroup, the
        recorded run of the same kind is shown instead, labelled so.
    live, timeout_s:
        ``"auto"``, ``"on"`` or ``"off"``; seconds before the container is killed.

    Raises
    ------
    ValueError
        For a bad input (the message names it), before anything is created.
    """
    args = check_args(args)
    validate.choice("live", live, LIVE_MODES)
    arch = host_arch()
    cfg = make_config(
        ["/bin/hello", *args], hostname, 0, 0, deny, memory_mib=memory_mib, cpu_quota=cpu_quota, arch=arch
    )
    deny_names = tuple(cfg["linux"]["seccomp"]["syscalls"][0]["names"]) if cfg["linux"]["seccomp"]["syscalls"] else ()
    timeout_s = validate.number("timeout_s", timeout_s, minimum=0.5, maximum=120, unit="s")
    scenario = scenario_of(args, memory_mib, cpu_quota)
    userns = next((c for c in capabilities() if c.name == "user namespaces"), None) if live != "off" else None
    cpu_ok = platform.machine().lower() in ("x86_64", "amd64", "aarch64", "arm64")
    runs_here = userns is not None and userns.available and cpu_ok
    detail = (
        f"this CPU is {platform.machine() or 'unknown'}, and the image's program is assembled for x86-64 and "
        "aarch64 only"
        if userns is not None and userns.available and not cpu_ok
        else (userns.detail if userns else "not probed")
    )
    cap = Capability("the whole container", runs_here, detail, userns.how_to_enable if userns else "")
    go, why = use_live(live, cap)
    limited = memory_mib is not None or cpu_quota is not None
    if go and limited and not (lim := cglimits.capability()).available:
        go, why = False, f"The limits need a cgroup this user may write: {lim.detail}. How: {lim.how_to_enable}."
    if go:
        try:
            return _live(args, hostname, deny_names, memory_mib, cpu_quota, timeout_s, why)
        except (LabFailed, OSError) as exc:
            return dataclasses.replace(
                recorded(scenario),
                errors=(f"live run failed: {exc}",),
                why=f"The live run failed here ({exc}); showing the run {LABEL}.",
            )
    rec = recorded(scenario)
    differs = (rec.args, rec.hostname, rec.deny, rec.memory_mib, rec.cpu_quota) != (
        args,
        hostname,
        deny_names,
        memory_mib,
        cpu_quota,
    )
    note = (
        (
            f" (The recording ran /bin/hello {' '.join(rec.args)} with hostname {rec.hostname}, deny "
            f"{', '.join(rec.deny) or 'nothing'}, memory {rec.memory_mib} MiB, CPU {rec.cpu_quota}.)"
        )
        if differs
        else ""
    )
    return dataclasses.replace(rec, why=f"{why} Showing the run {LABEL}.{note}")


def make_recording() -> dict[str, Any]:
    """Run every scenario live (as root on the build machine, so the limits are live too) for the recording."""
    runs = {}
    for name, kw in SCENARIOS.items():
        run = whole_container(live="on", **kw)
        if not run.live or not run.ok:
            raise LabFailed(f"cannot record {name}: {run.why} {[c for c in run.checks if not c.passed]}")
        runs[name] = {k: v for k, v in dataclasses.asdict(run).items() if k not in ("live", "why", "recorded_on")}
    machine = {
        "description": f"Firecracker micro-VM, uid {os.getuid()}, {os.cpu_count()} CPUs",
        "kernel": platform.release(),
        "python": platform.python_version(),
        "cgroups": "v1 (hybrid)",
    }
    return {"label": LABEL, "recorded_on": RECORDING.recorded_on, "machine": machine, "runs": runs}
