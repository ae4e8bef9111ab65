"""Helpers the nslab tests of several floors share."""

from __future__ import annotations

from tests.procs import processes_with
from widgets.labs import nslab
from widgets.labs.capabilities import capabilities

_CAP = next((c for c in capabilities() if c.name == "user namespaces"), None)


USERNS = bool(_CAP and _CAP.available)


NO_USERNS = f"user namespaces are not usable here: {_CAP.detail if _CAP else 'the probe did not report them'}"


def _lab_processes() -> list[int]:
    return processes_with(nslab.MARKER)


def _mounts() -> set[str]:
    with open("/proc/self/mountinfo", encoding="utf-8") as fh:
        return set(fh.read().splitlines())
