"""cgroups as this process sees them: version (v1, v2 or hybrid), its cgroup paths and the limits that apply.

:func:`detect` reads ``/proc/self/mounts`` and ``/proc/self/cgroup`` (below ``root``, so tests can fake a
system) and never raises; :func:`writable` and :func:`capability` say whether this user may create a cgroup
for a lab, with the reason and how to enable it. Nothing here writes anything.
"""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .base import Capability

NO_LIMIT = "no limit"
HOW_TO_ENABLE = (
    "start Jupyter in a cgroup that systemd delegates to you, e.g. "
    "`systemd-run --user --scope -p MemoryMax=200M -p TasksMax=20 jupyter lab` (a transient scope whose "
    "memory.max and pids.max systemd sets to 200 MiB and 20 tasks; this lesson only explains it, never runs it); "
    "on cgroup v1, creating a cgroup needs root"
)
_HUGE = 2**60  # v1 writes 'no limit' as 9223372036854771712 (PAGE_COUNTER_MAX pages)
_V1_CONTROLLERS = {
    "cpu",
    "cpuacct",
    "cpuset",
    "memory",
    "devices",
    "freezer",
    "net_cls",
    "net_prio",
    "blkio",
    "perf_event",
    "hugetlb",
    "pids",
    "rdma",
    "misc",
}


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


def read_value(path: Path) -> str | None:
    """The stripped text of a cgroup file, or None if it cannot be read."""
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except (OSError, ValueError):
        return None


def _tables(root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Controller (or "unified") -> mount point, and -> this process's cgroup path."""
    found: dict[str, str] = {}
    paths: dict[str, str] = {}
    for line in (read_value(root / "proc/self/mounts") or "").splitlines():
        dev, point, kind, opts, *_ = line.split() + ["", "", "", ""]
        if kind == "cgroup2":
            found["unified"] = point
        elif kind == "cgroup":
            found.update({o: point for o in opts.split(",") if o in _V1_CONTROLLERS or o.startswith("name=")})
    if not found and (root / "sys/fs/cgroup/cgroup.controllers").exists():  # no mount table: infer v2
        found["unified"] = "/sys/fs/cgroup"
    for parts in (line.split(":", 2) for line in (read_value(root / "proc/self/cgroup") or "").splitlines()):
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


def chain(root: Path, mounts: dict[str, str], paths: dict[str, str], key: str) -> list[Path]:
    """This process's cgroup folder for ``key`` (a controller, or ``"unified"``) and its ancestors up to the mount."""
    return _chain(root, mounts, paths, key)


def _amount(d: Path, file: str) -> tuple[bool, float | None]:
    """(file readable, amount); the amount is None for "max", -1 or a huge value (no limit)."""
    words = (read_value(d / file) or "").split()
    if file == "cpu.cfs_quota_us":
        words.append(read_value(d / "cpu.cfs_period_us") or "")
    try:
        n = _HUGE if words[0] == "max" else float(words[0])
        if n < 0 or n >= _HUGE:
            return True, None
        return True, n / float(words[1]) if file.startswith("cpu.") else n
    except (IndexError, ValueError, ZeroDivisionError):
        return False, None


_FILES = {  # resource: (v1 limit, v2 limit, v1 usage, v2 usage, format)
    "memory": (
        "memory.limit_in_bytes",
        "memory.max",
        "memory.usage_in_bytes",
        "memory.current",
        lambda n: f"{n / 2**30:,.1f} GiB" if n >= 10 * 2**30 else f"{n / 2**20:,.1f} MiB",
    ),
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
        out.append(
            Limit(
                resource,
                NO_LIMIT if amount is None else fmt(amount),
                amount,
                "/" + str((where / file).relative_to(root)),
                "" if used is None else f"{fmt(used)} in use",
            )
        )
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
            return CgroupInfo(
                "none",
                f"no /sys/fs/cgroup here: cgroups are a Linux kernel feature and this "
                f"system ({sys.platform}) has none to read",
                root=str(root),
            )
        mounts, paths = _tables(base)
        v1 = any(k != "unified" for k in mounts)
        version = ("hybrid" if "unified" in mounts else "v1") if v1 else ("v2" if mounts else "none")
        text = {
            "v1": "cgroup v1",
            "v2": "cgroup v2 (unified)",
            "hybrid": "cgroup v1 (hybrid: v2 mounted beside it)",
            "none": "/sys/fs/cgroup exists but no cgroup file system is mounted there",
        }[version]
        limits = _limits(base, mounts, paths, version == "v2") if version != "none" else ()
        return CgroupInfo(version, text, mounts, paths, limits, str(root))
    except Exception as exc:  # noqa: BLE001 - a lesson must never crash on an odd system
        return CgroupInfo("none", f"could not read the cgroup tree ({type(exc).__name__}: {exc})", root=str(root))


def lab_parent(info: CgroupInfo) -> tuple[Path | None, str]:
    """Where the lab may create its pids cgroup, or None and why not."""
    root = Path(info.root)
    if info.version == "v2":  # the nearest cgroup at or above ours that delegates pids and that we may write
        for d in _chain(root, info.mounts, info.paths, "unified"):
            if (
                "pids" in (read_value(d / "cgroup.subtree_control") or "").split()
                and os.access(d, os.W_OK | os.X_OK)
                and os.access(d / "cgroup.procs", os.W_OK)
            ):
                return d, f"{info.reason}: this user may create a child cgroup with pids in /{d.relative_to(root)}"
        return None, (
            f"{info.reason}: this process is in {info.paths.get('unified', '/')}, and no cgroup at or "
            "above it that this user may write has the pids controller delegated"
        )
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
    parent, why = lab_parent(info)
    return Capability("cgroups", parent is not None, why, "" if parent else HOW_TO_ENABLE, ("02 resource limits",))


def capability(root: str | os.PathLike[str] = "/", system: str | None = None) -> Capability:
    """The cgroups capability of the probe: Linux, and :func:`writable` for this user."""
    system = system or platform.system()
    if system != "Linux":
        return Capability(
            "cgroups",
            False,
            f"cgroups are a Linux kernel feature; this is {system}",
            "the lessons explain limits with recorded output",
            ("02 resource limits",),
        )
    return writable(detect(str(root)))
