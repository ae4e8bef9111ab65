"""A container's cgroup: memory and CPU limits set, the container's process put in, the kernel's counters read.

cgroup v2 (``memory.max``, ``memory.swap.max``, ``cpu.max``; counters in ``memory.events``, ``memory.peak``,
``cpu.stat``) where this user may write a cgroup that delegates the memory and cpu controllers (systemd
delegates one to a user's session or to ``systemd-run --user -p Delegate=yes``); cgroup v1 (one directory
per controller: ``memory.limit_in_bytes``, ``cpu.cfs_quota_us``; counters in ``memory.oom_control``,
``memory.failcnt``, ``cpu.stat``) where this user may create cgroups (root, usually). Every path is below
``root``, so tests run both code paths on fake trees. A cgroup made here is named ``cvm-course-lab-rt-<hex>``
and removed afterwards (:meth:`ContainerCgroup.remove`, and again at exit if that failed).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from .base import Capability
from .cgrouplab import PREFIX
from .cgroups import HOW_TO_ENABLE, CgroupInfo, chain, detect, read_value

NAME = PREFIX + "rt-"
_LEFT: set[Path] = set()


@dataclass(frozen=True)
class Limits:
    """The limits a bundle asks for (None: no limit)."""

    memory_bytes: int | None = None
    cpu_quota_us: int | None = None
    cpu_period_us: int | None = None
    pids: int | None = None

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.memory_bytes, self.cpu_quota_us, self.pids))


@dataclass(frozen=True)
class Counters:
    """What the kernel counted for the container's cgroup, and the files it was read from."""

    version: str
    oom_kill: int | None = None
    memory_max_hits: int | None = None  # v1 memory.failcnt, v2 memory.events "max"
    memory_peak: int | None = None
    memory_limit: int | None = None
    nr_periods: int | None = None
    nr_throttled: int | None = None
    throttled_usec: float | None = None
    files: dict[str, str] = field(default_factory=dict)


def _kv(text: str | None) -> dict[str, int]:
    out = {}
    for line in (text or "").splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("-").isdigit():
            out[parts[0]] = int(parts[1])
    return out


def _int(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() else None


def where(info: CgroupInfo) -> tuple[dict[str, Path] | None, str]:
    """The directory (per controller on v1) under which a container cgroup may be made here, or None and why."""
    root = Path(info.root)
    if info.version == "v2":
        for d in chain(root, info.mounts, info.paths, "unified"):
            ctl = (read_value(d / "cgroup.subtree_control") or "").split()
            if {"memory", "cpu"} <= set(ctl) and os.access(d, os.W_OK | os.X_OK):
                return {"unified": d}, f"cgroup v2: memory and cpu are delegated in /{d.relative_to(root)}"
        return None, (
            f"cgroup v2: no cgroup at or above {info.paths.get('unified', '/')} that this user may write "
            "delegates both the memory and the cpu controller"
        )
    if info.version in ("v1", "hybrid"):
        dirs = {}
        for ctl in ("memory", "cpu"):
            found = chain(root, info.mounts, info.paths, ctl)
            ok = [d for d in found[:1] + found[-1:] if os.access(d, os.W_OK | os.X_OK)]
            if not ok:
                return None, f"{info.reason}: this user may not create a cgroup under the {ctl} controller"
            dirs[ctl] = ok[0]
        return dirs, f"{info.reason}: this user may create cgroups under memory and cpu"
    return None, info.reason


def capability(info: CgroupInfo | None = None) -> Capability:
    """May this user give a container memory and CPU limits here? (The lab's own cgroup, nothing else.)"""
    info = info or detect()
    dirs, why = where(info)
    return Capability(
        "container limits", dirs is not None, why, "" if dirs else HOW_TO_ENABLE, ("02 the whole container",)
    )


class ContainerCgroup:
    """One container's cgroup: ``create`` (with limits), ``add`` a process, read ``counters``, ``remove``."""

    def __init__(self, info: CgroupInfo, parents: dict[str, Path], name: str = "") -> None:
        self.version = "v2" if info.version == "v2" else "v1"
        self.name = name or NAME + secrets.token_hex(4)
        self.dirs = {ctl: parent / self.name for ctl, parent in parents.items()}

    def create(self, limits: Limits) -> None:
        """Make the directories (before anything is written) and write the limits."""
        for d in self.dirs.values():
            d.mkdir()
            _LEFT.add(d)
        mem, cpu = self.dirs.get("memory", self.dirs.get("unified")), self.dirs.get("cpu", self.dirs.get("unified"))
        if self.version == "v2":
            if limits.memory_bytes is not None:
                (mem / "memory.max").write_text(str(limits.memory_bytes))
                if (mem / "memory.swap.max").exists():
                    (mem / "memory.swap.max").write_text("0")
            if limits.cpu_quota_us is not None:
                (cpu / "cpu.max").write_text(f"{limits.cpu_quota_us} {limits.cpu_period_us or 100_000}")
            if limits.pids is not None:
                (mem / "pids.max").write_text(str(limits.pids))
            return
        if limits.memory_bytes is not None:
            (mem / "memory.limit_in_bytes").write_text(str(limits.memory_bytes))
            if (mem / "memory.memsw.limit_in_bytes").exists():
                (mem / "memory.memsw.limit_in_bytes").write_text(str(limits.memory_bytes))
        if limits.cpu_quota_us is not None:
            (cpu / "cpu.cfs_period_us").write_text(str(limits.cpu_period_us or 100_000))
            (cpu / "cpu.cfs_quota_us").write_text(str(limits.cpu_quota_us))

    def add(self, pid: int) -> None:
        for d in self.dirs.values():
            (d / "cgroup.procs").write_text(str(pid))

    def counters(self) -> Counters:
        """The kernel's counters, normalised across v1 and v2 (throttled time in microseconds)."""
        mem, cpu = self.dirs.get("memory", self.dirs.get("unified")), self.dirs.get("cpu", self.dirs.get("unified"))
        names = (
            ("memory.events", "memory.peak", "memory.max", "cpu.stat", "cpu.max")
            if self.version == "v2"
            else ("memory.oom_control", "memory.failcnt", "memory.max_usage_in_bytes", "memory.limit_in_bytes")
        )
        files = {n: read_value(mem / n) or "" for n in names if not n.startswith("cpu.")}
        files |= {
            n: read_value(cpu / n) or "" for n in (*names, "cpu.stat", "cpu.cfs_quota_us") if n.startswith("cpu.")
        }
        stat = _kv(files.get("cpu.stat"))
        if self.version == "v2":
            events, limit = _kv(files.get("memory.events")), files.get("memory.max", "")
            return Counters(
                "v2",
                events.get("oom_kill"),
                events.get("max"),
                _int(files.get("memory.peak")),
                _int(limit),
                stat.get("nr_periods"),
                stat.get("nr_throttled"),
                stat.get("throttled_usec"),
                files,
            )
        oom = _kv(files.get("memory.oom_control"))
        ns = stat.get("throttled_time")
        return Counters(
            "v1",
            oom.get("oom_kill"),
            _int(files.get("memory.failcnt")),
            _int(files.get("memory.max_usage_in_bytes")),
            _int(files.get("memory.limit_in_bytes")),
            stat.get("nr_periods"),
            stat.get("nr_throttled"),
            None if ns is None else ns / 1000,
            files,
        )

    def remove(self, deadline_s: float = 5.0) -> bool:
        """Kill anything left inside (only this lab's processes can be there), rmdir; True when all are gone."""
        end = time.monotonic() + deadline_s
        for d in self.dirs.values():
            while d.exists() and time.monotonic() < end:
                for pid in (read_value(d / "cgroup.procs") or "").split():
                    with contextlib.suppress(OSError, ValueError):
                        os.kill(int(pid), signal.SIGKILL)
                with contextlib.suppress(OSError):
                    d.rmdir()
                if d.exists():
                    time.sleep(0.005)
            if not d.exists():
                _LEFT.discard(d)
        return not any(d.exists() for d in self.dirs.values())


@atexit.register
def _remove_left() -> None:
    for d in list(_LEFT):
        with contextlib.suppress(OSError):
            d.rmdir()
