"""Find a live lab's processes independently of the lab's own code: scan /proc
for command lines that carry a marker string."""

from __future__ import annotations

import os
import time
from collections.abc import Callable


def processes_with(*markers: str | bytes) -> list[int]:
    """PIDs (sorted, this process excluded) whose command line contains any of ``markers``."""
    wanted = [m.encode() if isinstance(m, str) else m for m in markers]
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmdline = fh.read()
        except OSError:
            continue
        if any(m in cmdline for m in wanted):
            found.append(int(entry))
    return sorted(found)


def wait_until_gone(find: Callable[[], list], timeout_s: float = 15.0) -> list:
    """Poll ``find()`` until it returns nothing or ``timeout_s`` passes; return its last answer.

    Other test workers may run the same lab at the same moment: their processes (or cgroups) live for a
    second or so, while a leak persists. Asserting ``wait_until_gone(...) == []`` fails only on a leak.
    """
    deadline = time.monotonic() + timeout_s
    while (left := find()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left
