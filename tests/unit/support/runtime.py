"""Helpers for the whole-container tests: run a bundle under Debian's runc on the same overlay root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from widgets.labs.capabilities import capabilities

USERNS = next((c for c in capabilities() if c.name == "user namespaces"), None)
NO_USERNS = "" if USERNS and USERNS.available else f"no user namespaces here ({USERNS.detail if USERNS else '?'})"

#: Mount the overlay on the bundle's rootfs inside a private mount namespace, then exec runc there.
_MOUNT_AND_RUN = """
import ctypes, os, sys
lowers, upper, work, rootfs = sys.argv[1:5]
libc = ctypes.CDLL(None, use_errno=True)
opts = f"lowerdir={lowers},upperdir={upper},workdir={work}".encode()
if libc.mount(b"overlay", rootfs.encode(), b"overlay", 0, opts):
    sys.exit(f"mount overlay: {os.strerror(ctypes.get_errno())}")
os.execv(sys.argv[5], sys.argv[5:])
"""


def runc_reason() -> str:
    if shutil.which("runc") is None:
        return "runc is not installed (.ci/run installs Debian's runc)"
    if os.geteuid() != 0:
        return "runc runs this bundle as root here (its rootless mode needs a writable cgroup)"
    if shutil.which("unshare") is None:
        return "util-linux unshare is missing"
    return ""


def run_with_runc(bundle: Path, lowers: list[str], work_dir: Path, name: str, timeout_s: float = 60):
    """Run ``bundle`` with ``runc run`` over a fresh upper directory; (completed process, upper directory)."""
    upper, work = work_dir / f"runc-upper-{name}", work_dir / f"runc-work-{name}"
    for d in (upper, work):
        d.mkdir()
        os.chown(d, 65534, 65534)
    argv = [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        sys.executable,
        "-c",
        _MOUNT_AND_RUN,
        ":".join(lowers),
        str(upper),
        str(work),
        str(bundle / "rootfs"),
        shutil.which("runc"),
        "--root",
        str(work_dir / "runc-state"),
        "run",
        "--bundle",
        str(bundle),
        name,
    ]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s, check=False)
    return proc, upper
