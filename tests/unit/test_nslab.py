"""The namespace lab: a container from scratch, live (user namespaces) and from the recording."""

from __future__ import annotations

import json
import os
import socket
import time

import pytest

from tests.procs import processes_with, wait_until_gone
from widgets import data, nslab
from widgets.probe import capabilities
from widgets.theme import COLORS

_CAP = next((c for c in capabilities() if c.name == "user namespaces"), None)
USERNS = bool(_CAP and _CAP.available)
NO_USERNS = f"user namespaces are not usable here: {_CAP.detail if _CAP else 'the probe did not report them'}"
LIVE = [pytest.mark.live, pytest.mark.skipif(not USERNS, reason=NO_USERNS)]


def _lab_processes() -> list[int]:
    return processes_with(nslab.MARKER)


def _mounts() -> set[str]:
    with open("/proc/self/mountinfo", encoding="utf-8") as fh:
        return set(fh.read().splitlines())


@pytest.fixture(scope="module")
def live_run():
    if not USERNS:
        pytest.skip(NO_USERNS)
    host, procs, mounts = socket.gethostname(), _lab_processes(), _mounts()
    run = nslab.container_from_scratch("course-container", live="on")
    return run, host, procs, mounts


@pytest.mark.live
def test_live_container_is_isolated(live_run):
    run, host, _, _ = live_run
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
        assert nslab._inode(inside["ns"][t]) not in (None, nslab._inode(mine[t])), t
    for t in ("cgroup", "time"):  # not unshared: shared with the test process
        assert inside["ns"][t] == mine[t]
    assert all(c.passed for c in run.checks), [c for c in run.checks if not c.passed]
    assert "$ hostname" in run.transcript and "course-container" in run.transcript


@pytest.mark.live
def test_live_no_userns_gets_eperm_and_userns_works(live_run):
    no_userns = live_run[0].observed["no_userns"]
    assert no_userns["uid"] != 0  # dropped to an unprivileged uid (in the child only)
    assert "EPERM" in no_userns["uts_alone"] and "Operation not permitted" in no_userns["uts_alone"]
    assert no_userns["with_userns"] == "works" and no_userns["hostname_inside"] == "course-container"
    assert os.getuid() == no_userns["uid_before"]  # the test process kept its uid


@pytest.mark.live
def test_live_run_leaves_nothing_behind(live_run):
    run, host, _, mounts_before = live_run
    assert wait_until_gone(_lab_processes) == []
    assert _mounts() == mounts_before
    t = run.timings_ms
    assert 0 < t["unshare"] < t[nslab.TOTAL] < t["child process incl. Python start-up"]
    assert "measured here" in nslab.summarize(run)


@pytest.mark.live
@pytest.mark.skipif(not USERNS, reason=NO_USERNS)
def test_hanging_lab_is_killed_at_the_timeout():
    mounts = _mounts()
    start = time.monotonic()
    run = nslab.container_from_scratch(live="on", timeout_s=1.0, _hang_s=60)
    elapsed = time.monotonic() - start
    assert 1.0 <= elapsed < 4.0
    assert not run.live and run.recorded_on == nslab.RECORDED_ON
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
    if nslab._inode(nslab.namespace_links(1)["user"]) is None:
        assert "PID 1" in comp.notes[0]


def test_runtime_failure_falls_back_with_the_error(monkeypatch):
    def eperm(params, timeout_s):
        raise nslab.LabFailed("unshare failed: EPERM (Operation not permitted)")

    monkeypatch.setattr(nslab, "_decide", lambda live: (True, "Live on this machine (faked)."))
    monkeypatch.setattr(nslab, "_run_child", eperm)
    run = nslab.container_from_scratch(live="on")
    assert not run.live and "EPERM" in run.errors[0] and "EPERM" in run.why and nslab.LABEL in run.why
    assert "EPERM" in nslab.checks_html(run)
    comp = nslab.compare_namespaces(live="on")
    assert not comp.live and "EPERM" in comp.why


def test_live_off_shows_the_recording():
    run = nslab.container_from_scratch(live="off")
    assert not run.live and not run.errors and run.recorded_on == "2026-11-26"
    assert "live='off'" in run.why and "recorded on 2026-11-26 on the course's build machine" in run.why
    assert len(run.checks) >= 10 and all(c.passed for c in run.checks)
    assert "$ hostname" in run.transcript and "course-container" in run.transcript
    assert nslab.LABEL in nslab.summarize(run)
    page = nslab.checks_html(run)
    assert "Recorded" in page and page.count("✔") == len(run.checks) and "✘" not in page and "<pre>" in page
    other = nslab.container_from_scratch("web-1", live="off")
    assert "'course-container'" in other.why  # says the recording used another name


def test_recording_file_describes_the_machine():
    rec = json.loads((data.RECORDED_DIR / nslab.RECORDING).read_text(encoding="utf-8"))
    assert rec["recorded_on"] == "2026-11-26" and rec["label"] == nslab.LABEL
    assert rec["machine"]["description"] == "Firecracker micro-VM, root user"
    assert rec["machine"]["kernel"] and rec["machine"]["python"].startswith("3.")
    observed = rec["container_run"]["observed"]["container"]
    assert observed["pid"] == 1 and observed["interfaces"] == ["lo"] and observed["hostname"] == "course-container"


def test_missing_recording_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(data, "RECORDED_DIR", tmp_path)
    with pytest.raises(data.DataError, match="recording namespace_run_2026-11-26.json cannot be read"):
        nslab.recorded_run()


def test_comparison_fallback():
    comp = nslab.compare_namespaces(live="off")
    assert not comp.live and comp.recorded_on == "2026-11-26" and nslab.LABEL in comp.why
    rows = {r[0]: r for r in comp.rows}
    assert list(rows) == list(nslab.NS_TYPES) and len(nslab.COLUMNS) == len(comp.rows[0])
    assert rows["net"][5] == "different" and rows["pid"][5] == "same"


def test_figure_shows_own_and_shared_namespaces():
    run = nslab.recorded_run()
    fig = nslab.namespace_figure(run)
    host, own, shared, unknown = fig.data
    assert set(own.x) == {*nslab.UNSHARED, "pid_for_children"}
    assert set(shared.x) == {"cgroup", "time", "time_for_children"} and not unknown.x
    assert list(host.x) == list(nslab.NS_TYPES)
    assert own.marker.color == COLORS["container"] and shared.marker.color == COLORS["native"]
    assert "recorded" in fig.layout.title.text and fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
    assert "isolates" in own.hovertext[0]
    text = nslab.summarize(run)
    assert text.count(". ") == 0 and f"{len(run.checks)} of {len(run.checks)} checks passed" in text


@pytest.mark.parametrize("bad", ["", "UPPER", "-x", "x-", "a" * 64, "a b", "x;rm -rf /", None, 5, "ä", True])
def test_hostile_hostnames(bad):
    with pytest.raises(ValueError, match="hostname"):
        nslab.container_from_scratch(bad, live="off")


@pytest.mark.parametrize(("bad", "words"), [
    (0, "at least 0.5"), (-1, "at least 0.5"), (float("nan"), "not a number"), (float("inf"), "finite"),
    (1e9, "at most 120"), (True, "must be a number"), ("abc", "must be a number"), ("", "empty"), (None, "number"),
])
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
    assert all(nslab._inode(v) for v in own.values()) and own.reason == ""
    mac = nslab.namespace_links(system="Darwin")
    assert mac == {} and "Darwin" in mac.reason
    for bad in (0, -1, "abc", True, 1.5):
        with pytest.raises(ValueError, match="pid"):
            nslab.namespace_links(bad)
