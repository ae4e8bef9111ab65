"""A cgroup per learner: memory, process-count and CPU limits for everything their server starts.

:func:`detect` says once, at the hub's start, whether limits can be enforced here and why not when they cannot:

- cgroup v1 (and "hybrid": v1 controllers plus an empty unified mount, as on this course's build machine): one
  directory per learner in the ``memory``, ``pids``, ``cpu`` and ``cpuacct`` hierarchies, with
  ``memory.limit_in_bytes`` (and ``memory.memsw.limit_in_bytes`` where swap is accounted), ``pids.max`` and
  ``cpu.cfs_quota_us``;
- cgroup v2: one directory under ``/sys/fs/cgroup/<parent>/`` with ``memory.max``, ``memory.swap.max``,
  ``pids.max`` and ``cpu.max``, after enabling those controllers for the parent (``cgroup.subtree_control``);
- neither writable (not root, a read-only ``/sys/fs/cgroup``, a container without delegation): the hub runs
  without limits and says so.

The launcher (``hub/launcher.py``) joins the learner's cgroups before anything else starts, so every process of
theirs is counted. Standard library only.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

V1_CONTROLLERS = ("memory", "pids", "cpu", "cpuacct")
V2_CONTROLLERS = ("memory", "pids", "cpu")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)


def parse_size(text: str | int | None) -> int | None:
    """'1G', '512M', '750MiB', 1073741824 -> bytes; '', '0', 'none' or None -> None (no limit)."""
    if text is None or (isinstance(text, str) and text.strip().lower() in ("", "0", "none", "off")):
        return None
    if isinstance(text, int):
        return text or None
    m = _SIZE.match(text)
    if not m:
        raise ValueError(f"not a memory size: {text!r} (examples: 1G, 750M)")
    return int(float(m.group(1)) * 1024 ** " kmgt".index((m.group(2) or " ").lower()))


@dataclass(frozen=True)
class Limits:
    memory_bytes: int | None = None
    cpus: float | None = None
    pids: int | None = 1024


@dataclass(frozen=True)
class Support:
    """What this machine allows: version 'v1', 'v2' or 'none', and a sentence for the instructor."""

    version: str
    root: Path
    parent: str
    reason: str
    controllers: tuple[str, ...] = field(default=())

    @property
    def enforced(self) -> bool:
        return self.version in ("v1", "v2")

    def describe(self, limits: Limits) -> str:
        if not self.enforced:
            return (
                f"Per-learner limits are NOT enforced: {self.reason}. Learners share the machine's memory and "
                f"CPU; one runaway kernel can slow down or stop everyone's."
            )
        mem = f"{limits.memory_bytes / 2**20:.0f} MiB" if limits.memory_bytes else "no memory limit"
        cpu = f"{limits.cpus:g} CPU" if limits.cpus else "no CPU quota (fair shares)"
        return (
            f"Per-learner limits are enforced with cgroup {self.version} ({self.reason}): {mem}, {cpu}, "
            f"at most {limits.pids} processes, under {self.root}/…/{self.parent}."
        )


def _writable_dir(path: Path) -> str:
    """'' when a directory can be created under ``path``, else why not."""
    probe = path / f".cvm-probe-{os.getpid()}"
    try:
        probe.mkdir()
    except OSError as exc:
        return f"{path} is not writable ({exc.strerror or exc})"
    try:
        probe.rmdir()
    except OSError:
        pass
    return ""


def detect(root: Path | str = "/sys/fs/cgroup", parent: str = "cvm-hub") -> Support:
    root = Path(root)
    if not root.is_dir():
        return Support("none", root, parent, f"{root} does not exist (no cgroups on this system)")
    if (root / "cgroup.controllers").is_file():  # a pure v2 mount
        available = (root / "cgroup.controllers").read_text().split()
        lacking = [c for c in V2_CONTROLLERS if c not in available]
        if "memory" in lacking:
            return Support("none", root, parent, f"cgroup v2 without the memory controller (have: {available})")
        why = _writable_dir(root)
        if why:
            return Support("none", root, parent, f"cgroup v2: {why}; run the hub as root, or delegate a subtree")
        return Support(
            "v2", root, parent, "memory.max, pids.max, cpu.max", tuple(c for c in V2_CONTROLLERS if c not in lacking)
        )
    if (root / "memory" / "memory.limit_in_bytes").is_file():
        have = tuple(c for c in V1_CONTROLLERS if (root / c / "cgroup.procs").is_file())
        why = _writable_dir(root / "memory")
        if why:
            return Support("none", root, parent, f"cgroup v1: {why}; run the hub as root")
        hybrid = " (hybrid: v1 controllers beside an unused v2 mount)" if (root / "unified").is_dir() else ""
        return Support("v1", root, parent, f"memory.limit_in_bytes, pids.max, cpu.cfs_quota_us{hybrid}", have)
    return Support("none", root, parent, f"no writable memory controller under {root}")


class LearnerCgroup:
    """The cgroup(s) of one learner, created before their server starts and removed after it stops."""

    def __init__(self, support: Support, name: str) -> None:
        if not re.fullmatch(r"[a-z_][a-z0-9_-]*", name):
            raise ValueError(f"not a cgroup name: {name!r}")
        self.support, self.name = support, name

    def dirs(self) -> dict[str, Path]:
        s = self.support
        if s.version == "v1":
            return {c: s.root / c / s.parent / self.name for c in s.controllers}
        if s.version == "v2":
            return {"unified": s.root / s.parent / self.name}
        return {}

    @property
    def view(self) -> str:
        """The launcher's ``--view``: which cgroups the learner sees, from their own cgroup namespace."""
        if self.support.version == "v1":
            return "v1:" + ",".join(self.support.controllers)
        return self.support.version

    def create(self, limits: Limits) -> list[Path]:
        """Create the cgroups with ``limits``; return the ``cgroup.procs`` files the launcher joins."""
        s = self.support
        if s.version == "v2":
            parent = s.root / s.parent
            parent.mkdir(exist_ok=True)
            wanted = " ".join(f"+{c}" for c in s.controllers)
            for level in (s.root, parent):
                (level / "cgroup.subtree_control").write_text(wanted)
        for path in self.dirs().values():
            path.parent.mkdir(exist_ok=True)
            path.mkdir(exist_ok=True)
        d = self.dirs()
        if s.version == "v1":
            if limits.memory_bytes and "memory" in d:
                (d["memory"] / "memory.limit_in_bytes").write_text(str(limits.memory_bytes))
                memsw = d["memory"] / "memory.memsw.limit_in_bytes"
                if memsw.exists():  # swap is accounted: the limit covers memory plus swap
                    memsw.write_text(str(limits.memory_bytes))
            if limits.pids and "pids" in d:
                (d["pids"] / "pids.max").write_text(str(limits.pids))
            if "cpu" in d:
                quota = int(limits.cpus * 100_000) if limits.cpus else -1
                (d["cpu"] / "cpu.cfs_period_us").write_text("100000")
                (d["cpu"] / "cpu.cfs_quota_us").write_text(str(quota))
        elif s.version == "v2":
            u = d["unified"]
            if limits.memory_bytes:
                (u / "memory.max").write_text(str(limits.memory_bytes))
                if (u / "memory.swap.max").exists():
                    (u / "memory.swap.max").write_text("0")
            if limits.pids and "pids" in s.controllers:
                (u / "pids.max").write_text(str(limits.pids))
            if "cpu" in s.controllers:
                (u / "cpu.max").write_text(f"{int(limits.cpus * 100_000)} 100000" if limits.cpus else "max 100000")
        return [p / "cgroup.procs" for p in d.values()]

    def _main(self) -> Path | None:
        d = self.dirs()
        return d.get("memory") or d.get("unified")

    def procs(self) -> set[int]:
        """PIDs in the learner's cgroup (empty when there is none)."""
        main = self._main()
        try:
            return {int(x) for x in (main / "cgroup.procs").read_text().split()} if main else set()
        except FileNotFoundError:
            return set()

    def memory_bytes(self) -> int | None:
        main = self._main()
        if main is None:
            return None
        name = "memory.usage_in_bytes" if self.support.version == "v1" else "memory.current"
        try:
            return int((main / name).read_text())
        except (FileNotFoundError, ValueError):
            return None

    def oom_kills(self) -> int:
        """How many processes the kernel killed for this cgroup's memory limit."""
        main = self._main()
        name = "memory.oom_control" if self.support.version == "v1" else "memory.events"
        try:
            text = (main / name).read_text() if main else ""
        except FileNotFoundError:
            return 0
        m = re.search(r"^oom_kill (\d+)$", text, re.MULTILINE)
        return int(m.group(1)) if m else 0

    def remove(self, timeout_s: float = 10.0) -> bool:
        """Remove the cgroups once no process is left in them; False if one was still busy at the deadline."""
        deadline = time.monotonic() + timeout_s
        pending = list(self.dirs().values())
        while pending:
            for path in list(pending):
                try:
                    path.rmdir()
                    pending.remove(path)
                except FileNotFoundError:
                    pending.remove(path)
                except OSError:  # EBUSY: a process is still leaving
                    pass
            if not pending or time.monotonic() > deadline:
                break
            time.sleep(0.05)  # polling a condition (the last process leaving), with a deadline
        return not pending


def remove_parent(support: Support) -> None:
    """Remove the hub's parent cgroup(s) when empty (after every learner's cgroup is gone)."""
    if support.version == "v1":
        paths = [support.root / c / support.parent for c in support.controllers]
    elif support.version == "v2":
        paths = [support.root / support.parent]
    else:
        paths = []
    for path in paths:
        try:
            path.rmdir()
        except OSError:
            pass
