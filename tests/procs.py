"""Find a live lab's processes independently of the lab's own code: scan /proc
for command lines that carry a marker string."""

from __future__ import annotations

import os


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
