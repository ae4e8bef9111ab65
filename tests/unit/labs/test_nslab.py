"""The namespace lab: a container from scratch, live (user namespaces) and from the recording."""

from __future__ import annotations

import json
import os
import socket
import time

import pytest

from tests.procs import wait_until_gone
from tests.unit.support.nslab import (
    NO_USERNS,
    USERNS,
    _lab_processes,
    _mounts,
)
from widgets.core import data
from widgets.labs import nslab

LIVE = [pytest.mark.live, pytest.mark.skipif(not USERNS, reason=NO_USERNS)]


@pytest.mark.live
def test_live_container_is_isolated(nslab_run):
    run, host, _, _ = nslab_run
    assert run.live and not run.errors, run.why
    inside = run.observed["container"]
    assert inside["hostname"] == "course-container" != host
    assert socket.gethostname() == host  # the host's name never changed
    assert inside["pid"] == 1
    assert len(inside["pids"]) <= 2 and 1 in inside["pids"]
    assert inside["interfaces"] == ["lo"] and inside["lo_up"] is False
    assert inside["uid"] == 0 and inside["uid_outside"] == os.getuid()
    mine = nslab.namespace_links("self")
    for t in nslab.UNSHARED:
        assert nslab.inode(inside["ns"][t]) not in (None, nslab.inode(mine[t])), t
    for t in ("cgroup", "time"):  # not unshared: shared with the test process
        assert inside["ns"][t] == mine[t]
    assert all(c.passed for c in run.checks), [c for c in run.checks if not c.passed]
    assert "$ hostname" in run.transcript and "course-container" in run.transcript


@pytest.mark.live
def test_live_no_userns_gets_eperm_and_userns_works(nslab_run):
    no_userns = nslab_run[0].observed["no_userns"]
    assert no_userns["uid"] != 0  # dropped to an unprivileged uid (in the child only)
    assert "EPERM" in no_userns["uts_alone"] and "Operation not permitted" in no_userns["uts_alone"]
    assert no_userns["with_userns"] == "works" and no_userns["hostname_inside"] == "course-container"
    assert os.getuid() == no_userns["uid_before"]  # the test process kept its uid


@pytest.mark.live
@pytest.mark.skipif(not USERNS, reason=NO_USERNS)
def test_hanging_lab_is_killed_at_the_timeout():
    mounts = _mounts()
    start = time.monotonic()
    run = nslab.container_from_scratch(live="on", timeout_s=1.0, _hang_s=60)
    elapsed = time.monotonic() - start
    assert 1.0 <= elapsed < 4.0
    assert not run.live and run.recorded_on == nslab.RECORDING.recorded_on
    assert len(run.errors) == 1 and "timeout of 1 s" in run.errors[0] and "killed" in run.errors[0]
    assert "failed here" in run.why and nslab.LABEL in run.why
    assert wait_until_gone(_lab_processes) == [] and _mounts() == mounts


@pytest.mark.live
@pytest.mark.skipif(not USERNS, reason=NO_USERNS)
def test_live_comparison():
    comp = nslab.compare_namespaces(live="on")
    assert comp.live and len(comp.rows) == len(nslab.NS_TYPES)
    rows = {r[0]: r for r in comp.rows}
    mine = nslab.namespace_links("self")
    assert all(rows[t][1] == mine[t] for t in nslab.NS_TYPES)
    assert all(rows[t][5] == "different" for t in ("user", "uts", "ipc", "net", "mnt"))
    assert rows["pid"][5] == "same"  # unshare(CLONE_NEWPID) moves only the children
    assert rows["cgroup"][5] == rows["time"][5] == "same"
    if nslab.inode(nslab.namespace_links(1)["user"]) is None:
        assert "PID 1" in comp.notes[0]


def test_recording_file_describes_the_machine():
    rec = json.loads((data.RECORDED_DIR / nslab.RECORDING.file).read_text(encoding="utf-8"))
    assert rec["recorded_on"] == "2026-11-26" and rec["label"] == nslab.LABEL
    assert rec["machine"]["description"] == "Firecracker micro-VM, root user"
    assert rec["machine"]["kernel"] and rec["machine"]["python"].startswith("3.")
    observed = rec["container_run"]["observed"]["container"]
    assert observed["pid"] == 1 and observed["interfaces"] == ["lo"] and observed["hostname"] == "course-container"


def test_missing_recording_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(data, "RECORDED_DIR", tmp_path)
    with pytest.raises(data.DataError, match="recording namespace_run_2026-11-26.json cannot be read"):
        nslab.recorded_run()


@pytest.mark.parametrize("bad", ["", "UPPER", "-x", "x-", "a" * 64, "a b", "x;rm -rf /", None, 5, "ä", True])
def test_hostile_hostnames(bad):
    with pytest.raises(ValueError, match="hostname"):
        nslab.container_from_scratch(bad, live="off")


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        (0, "at least 0.5"),
        (-1, "at least 0.5"),
        (float("nan"), "not a number"),
        (float("inf"), "finite"),
        (1e9, "at most 120"),
        (True, "must be a number"),
        ("abc", "must be a number"),
        ("", "empty"),
        (None, "number"),
    ],
)
def test_hostile_timeouts(bad, words):
    with pytest.raises(ValueError, match=f"timeout_s.*{words}"):
        nslab.container_from_scratch(live="off", timeout_s=bad)


def test_hostile_live_mode():
    with pytest.raises(ValueError, match="live must be one of"):
        nslab.container_from_scratch(live="sometimes")


def test_namespace_links_of_a_missing_process():
    with open("/proc/sys/kernel/pid_max", encoding="utf-8") as fh:
        impossible = int(fh.read()) + 1  # no process can have this PID
    links = nslab.namespace_links(impossible)
    assert list(links) == list(nslab.NS_TYPES)
    assert all(v == f"unavailable: no process {impossible}" for v in links.values())
    assert "10 of 10" in links.reason
    own = nslab.namespace_links()
    assert all(nslab.inode(v) for v in own.values()) and own.reason == ""
    mac = nslab.namespace_links(system="Darwin")
    assert mac == {} and "Darwin" in mac.reason
    for bad in (0, -1, "abc", True, 1.5):
        with pytest.raises(ValueError, match="pid"):
            nslab.namespace_links(bad)
