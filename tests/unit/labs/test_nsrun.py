"""Lesson 02's edit lab: the learner's namespace set, run live (as an ordinary user) and from the recording."""

from __future__ import annotations

import itertools
import socket
import time

import pytest

from tests.unit.support.nslab import NO_USERNS, USERNS, _mounts
from widgets.labs import nsrun
from widgets.labs.base import LabFailed
from widgets.models import nsview

LIVE = [pytest.mark.live, pytest.mark.skipif(not USERNS, reason=NO_USERNS)]
SETS = [
    ["user", "pid", "uts", "mount", "net"],
    ["user"],
    [],
    ["user", "pid"],
    ["user", "mount", "pid", "time", "cgroup", "ipc"],
    ["pid", "uts"],
    ["net"],
]


@pytest.mark.parametrize("names", SETS, ids=[",".join(s) or "none" for s in SETS])
@pytest.mark.live
@pytest.mark.skipif(not USERNS, reason=NO_USERNS)
def test_live_run_agrees_with_the_model_and_leaves_the_host_alone(names):
    host, mounts = socket.gethostname(), _mounts()
    run = nsrun.run_namespaces(names, live="on")
    assert run.live and run.view == nsview.expected_view(names), run.observed
    assert socket.gethostname() == host and _mounts() == mounts and run.left == ()
    if run.view != nsview.REFUSED:
        assert run.observed["uid_outside"] != 0  # the child ran as an ordinary user, even under root
        if "pid" in names:
            assert run.observed["pid"] == 1 and run.observed["host_pid"] != 1
    else:
        assert "EPERM" in run.observed["refused"]


@pytest.mark.live
@pytest.mark.skipif(not USERNS, reason=NO_USERNS)
def test_a_hanging_child_is_killed_at_the_timeout():
    start = time.monotonic()
    with pytest.raises(LabFailed, match="timeout of 1 s"):
        nsrun.run_namespaces(["user", "pid"], live="on", timeout_s=1.0, _hang_s=60)
    assert time.monotonic() - start < 8


@pytest.mark.parametrize("bad", ["pid", ["pid", "pid"], ["pid", "$(reboot)"], [3], {"pid": 1}, None], ids=repr)
def test_bad_sets_are_refused_before_anything_runs(bad, monkeypatch):
    monkeypatch.setattr(nsrun, "run_child", lambda *a, **k: pytest.fail("a child was started"))
    with pytest.raises(ValueError):
        nsrun.run_namespaces(bad, live="on")


def test_bad_timeouts_are_refused():
    for bad in (0, -1, 1000, "soon", None):
        with pytest.raises(ValueError, match="timeout_s"):
            nsrun.run_namespaces(["user"], timeout_s=bad)


def test_every_set_is_recorded_and_the_recording_agrees_with_the_model():
    for n in range(len(nsview.NAMES) + 1):
        for names in itertools.combinations(nsview.NAMES, n):
            run = nsrun.recorded_run(names)
            assert not run.live and run.recorded_on == "2026-12-03"
            assert run.view == nsview.expected_view(names), names


def test_live_off_uses_the_recording_and_says_so(monkeypatch):
    monkeypatch.setattr(nsrun, "run_child", lambda *a, **k: pytest.fail("a child was started"))
    run = nsrun.run_namespaces(["user", "pid", "uts"], live="off")
    assert not run.live and "live='off'" in run.why and "recorded on 2026-12-03" in run.why
    assert run.view == {"pid": "1", "hostname": "container", "network": "host", "uid": "0", "processes": "host"}
