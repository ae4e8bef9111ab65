"""How the probe reads a system: a file tree below a root (:class:`Tree`) or a recording of one (:class:`Recorded`).

Both answer the same four questions (a file's text, its first bytes, whether a path exists, what a directory
holds) and never raise. A :class:`Tree` made with ``keep=True`` remembers what was read, cut down by
``filters`` to what the rules use, so :func:`widgets.labs.probe.record` can store a machine without its
unrelated details (other mounts, kernel parameters, PID 1's environment beyond ``container=``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ..models import proberules as pr
from .base import read_text

#: The mount points the rules read: the engine-written files and the Kubernetes service account.
BIND_TARGETS = ("/etc/hostname", "/etc/hosts", "/etc/resolv.conf")
ACCOUNT = ("/var/run/secrets/kubernetes.io/serviceaccount", "/run/secrets/kubernetes.io/serviceaccount")


def _unescape(field: str) -> str:
    """mountinfo escapes space, tab, newline and backslash as octal (``\\040``)."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def mounts(text: str | None) -> list[dict[str, str]]:
    """Parse ``/proc/self/mountinfo``: root (the source path inside its file system), target, fstype, source,
    options (the super-block options, where overlayfs lists its layers); malformed lines are skipped."""
    out = []
    for line in (text or "").splitlines():
        left, sep, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if not sep or len(fields) < 6 or len(tail) < 2:
            continue
        out.append(
            {
                "root": _unescape(fields[3]),
                "target": _unescape(fields[4]),
                "fstype": tail[0],
                "source": _unescape(tail[1]),
                "options": tail[2] if len(tail) > 2 else "",
            }
        )
    return out


class Tree:
    """Read below ``root`` (``/`` for this system; a fake tree in tests)."""

    def __init__(
        self, root: Path, *, keep: bool = False, filters: Mapping[str, Callable[[str], str]] | None = None
    ) -> None:
        self.root, self.keep, self.filters = Path(root), keep, dict(filters or {})
        self._files: dict[str, str] = {}
        self._exists: set[str] = set()

    def _path(self, rel: str) -> Path:
        return self.root / rel.lstrip("/")

    def text(self, rel: str, limit: int = 65536) -> str | None:
        """The file's text (None if it cannot be read)."""
        found = read_text(self._path(rel), limit)
        if self.keep and found is not None:
            self._files[rel] = self.filters.get(rel, lambda s: s)(found)
        return found

    def head(self, rel: str, n: int) -> str | None:
        """The first ``n`` bytes as Latin-1 text (binary files such as ACPI tables; None if unreadable)."""
        try:
            with open(self._path(rel), "rb") as fh:
                found = fh.read(n).decode("latin-1")
        except OSError:
            return None
        if self.keep:
            self._files[rel] = found[:16]  # the header up to the OEM ID is all the rules read
        return found

    def exists(self, rel: str) -> bool:
        """Whether the path exists (False if it cannot be checked)."""
        try:
            found = self._path(rel).exists()
        except OSError:
            return False
        if self.keep and found:
            self._exists.add(rel)
        return found

    def listdir(self, rel: str) -> list[str]:
        """The names in a directory, sorted ([] if it cannot be listed)."""
        try:
            return sorted(os.listdir(self._path(rel)))
        except OSError:
            return []

    def kept(self) -> dict[str, Any]:
        """What was read (with ``keep=True``): ``{"files": {path: text}, "exists": [paths]}``."""
        return {"files": dict(sorted(self._files.items())), "exists": sorted(self._exists)}


class Recorded:
    """Read a recording made by :func:`widgets.labs.probe.record` (or written by hand in a test)."""

    def __init__(self, recording: Mapping[str, Any]) -> None:
        self.files: dict[str, str] = dict(recording.get("files", {}))
        self.present: set[str] = set(recording.get("exists", ()))
        self.environ: dict[str, str] = dict(recording.get("environ", {}))

    def text(self, rel: str, limit: int = 65536) -> str | None:
        """The recorded text (None if it was not recorded)."""
        found = self.files.get(rel)
        return None if found is None else found[:limit]

    def head(self, rel: str, n: int) -> str | None:
        """The recorded first bytes."""
        return self.text(rel, n)

    def exists(self, rel: str) -> bool:
        """Whether the path was recorded as existing (a file, or a directory with recorded files)."""
        prefix = rel.rstrip("/") + "/"
        return (
            rel in self.present or rel in self.files or any(k.startswith(prefix) for k in (*self.files, *self.present))
        )

    def listdir(self, rel: str) -> list[str]:
        """The names recorded below a directory."""
        prefix = rel.rstrip("/") + "/"
        return sorted({k[len(prefix) :].split("/")[0] for k in (*self.files, *self.present) if k.startswith(prefix)})


def _keep_mounts(text: str) -> str:
    wanted = {"/", *BIND_TARGETS, *ACCOUNT}
    return "".join(
        line + "\n"
        for line in text.splitlines()
        if any(m["target"] in wanted or m["fstype"] == "fuse.lxcfs" for m in mounts(line))
    )


def _keep_cgroups(text: str) -> str:
    lines = [line.rsplit(":", 1) for line in text.splitlines() if ":" in line]
    keys = [key for key, _ in pr.CGROUP_ENGINES]
    return "".join(
        f"{head}:{path if path == '/' or any(k in path for k in keys) else '/(not recorded)'}\n" for head, path in lines
    )


def _keep_words(pattern: str, sep: str) -> Callable[[str], str]:
    return lambda text: sep.join(w for w in text.split(sep) if re.search(pattern, w, re.I))


#: What a recording keeps of each file (the rest is never stored): see :func:`record`.
FILTERS: dict[str, Callable[[str], str]] = {
    "/proc/self/mountinfo": _keep_mounts,
    "/proc/cmdline": lambda t: " ".join(w for w in t.split() if re.search("firecracker|virtio_mmio", w, re.I)),
    "/proc/1/environ": _keep_words(r"^container=", "\0"),
    "/proc/1/comm": lambda t: t if t.strip() in (*pr.CONTAINER_INITS, *pr.INIT_SYSTEMS) else "",
    "/proc/self/cgroup": _keep_cgroups,
    "/proc/1/cgroup": _keep_cgroups,
    "/proc/cpuinfo": lambda t: next(
        (line + "\n" for line in t.splitlines() if line.startswith(("flags", "Features"))), ""
    ),
}
