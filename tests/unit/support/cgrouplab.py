"""Helpers the cgrouplab tests of several floors share."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.procs import processes_with
from widgets.labs.cgrouplab import PREFIX
from widgets.labs.cgroups import detect, writable

LIVE_CAP = writable(detect())


MARKER = (PREFIX + "child").encode()


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


V1_MOUNTS = (
    "cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,relatime,memory 0 0\n"
    "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,relatime,cpu,cpuacct 0 0\n"
    "cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0\n"
    "cgroup /sys/fs/cgroup/systemd cgroup rw,relatime,xattr,name=systemd 0 0\n"
    "proc /proc proc rw 0 0\n"
)


def _lab_dirs() -> list[Path]:
    info = detect()
    mounts = {Path(m) for m in info.mounts.values()}
    return [Path(d) for m in mounts for d, _, _ in os.walk(m) if Path(d).name.startswith(PREFIX)]


def _lab_processes() -> list[int]:
    return processes_with(MARKER)


live = pytest.mark.skipif(not LIVE_CAP.available, reason=f"cannot create a pids cgroup here: {LIVE_CAP.detail}")
