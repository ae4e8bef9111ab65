"""After a lesson with live labs has run, nothing the labs created remains:
no process, no mount, no cgroup.

Other test files may run lab processes at the same moment (pytest-xdist), and
those live for a second or so. So the check waits, with a deadline, until no
lab process or cgroup is left beyond those present before: a leak persists and
fails; a neighbour's short-lived lab does not."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from tests.conftest import LESSONS
from tests.procs import processes_with, wait_until_gone
from tools.nb import run_papermill
from widgets.labs import cgrouplab, nslab, privlab, startup

LIVE_LESSONS = [p for p in LESSONS if p.name.startswith(("01-", "02-", "05-", "07-"))]
pytestmark = [pytest.mark.papermill, pytest.mark.live]


def lab_processes() -> set[int]:
    """PIDs whose command line carries a lab's marker."""
    return set(processes_with(nslab.MARKER, privlab.MARKER, cgrouplab.PREFIX, startup.MARKER))


def lab_cgroups() -> set[str]:
    root = Path("/sys/fs/cgroup")
    if not root.is_dir():
        return set()
    return {str(p) for p in root.rglob(f"{cgrouplab.PREFIX}*") if p.is_dir()}


def mounts() -> set[str]:
    return set(Path("/proc/self/mountinfo").read_text().splitlines())


@pytest.mark.skipif(os.uname().sysname != "Linux", reason="the live labs are Linux-only")
@pytest.mark.parametrize("lesson", LIVE_LESSONS, ids=[p.name for p in LIVE_LESSONS])
def test_live_lesson_leaves_nothing_behind(lesson, tmp_path):
    processes, cgroups, mounted = lab_processes(), lab_cgroups(), mounts()
    run_papermill(lesson, tmp_path / lesson.name, {})
    nb = nbformat.read(tmp_path / lesson.name, as_version=4)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not wait_until_gone(lambda: lab_processes() - processes, 20.0), "lab processes were left running"
    assert not wait_until_gone(lambda: lab_cgroups() - cgroups, 20.0), "lab cgroups were left behind"
    assert mounts() == mounted, "the lesson changed this process's mounts"
