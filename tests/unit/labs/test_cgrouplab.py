"""The cgroups lab: detection on fake v1, v2 and hybrid trees, the live pids limit (counts, clean-up on success,
timeout and error), the recorded fallback, the figure, and hostile inputs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.procs import wait_until_gone
from tests.unit.support.cgrouplab import V1_MOUNTS, _lab_dirs, _lab_processes, _tree, live
from widgets.core import data
from widgets.labs import cgrouplab, cgroups
from widgets.labs.base import Capability
from widgets.labs.cgrouplab import pids_limit_lab
from widgets.labs.cgroups import NO_LIMIT, detect, writable

V1_FILES = {
    "proc/self/cgroup": "12:pids:/user.slice/lab\n5:memory:/user.slice/lab\n3:cpu,cpuacct:/user.slice\n"
    "1:name=systemd:/user.slice\n",
    # the own memory cgroup says 'no limit' (PAGE_COUNTER_MAX pages), its parent 200 MiB: that one is effective
    "sys/fs/cgroup/memory/user.slice/lab/memory.limit_in_bytes": "9223372036854771712\n",
    "sys/fs/cgroup/memory/user.slice/lab/memory.usage_in_bytes": "52428800\n",
    "sys/fs/cgroup/memory/user.slice/memory.limit_in_bytes": "209715200\n",
    "sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n",
    "sys/fs/cgroup/cpu,cpuacct/user.slice/cpu.cfs_quota_us": "50000\n",
    "sys/fs/cgroup/cpu,cpuacct/user.slice/cpu.cfs_period_us": "100000\n",
    "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us": "-1\n",
    "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000\n",
    "sys/fs/cgroup/pids/user.slice/lab/pids.max": "max\n",
    "sys/fs/cgroup/pids/user.slice/lab/pids.current": "3\n",
}


V2_SCOPE = "sys/fs/cgroup/user.slice/user-1000.slice/session-1.scope"


V2_FILES = {
    "proc/self/cgroup": "0::/user.slice/user-1000.slice/session-1.scope\n",
    "sys/fs/cgroup/cgroup.controllers": "cpuset cpu io memory pids\n",
    f"{V2_SCOPE}/memory.max": "max\n",
    f"{V2_SCOPE}/memory.current": "1048576\n",
    f"{V2_SCOPE}/cpu.max": "150000 100000\n",
    f"{V2_SCOPE}/pids.max": "20\n",
    f"{V2_SCOPE}/pids.current": "4\n",
    "sys/fs/cgroup/user.slice/user-1000.slice/pids.max": "10\n",  # tighter, above: the effective one
    "sys/fs/cgroup/user.slice/user-1000.slice/memory.max": "max\n",
}


HOSTILE = [
    (0, "at least 1"),
    (-1, "at least 1"),
    (1.5, "whole number"),
    (float("nan"), "not a number"),
    (float("inf"), "finite"),
    ("abc", "must be a number"),
    ("", "empty"),
    (True, "must be a number"),
    (10**9, "at most"),
]


def test_detect_v1_reads_effective_limits(tmp_path):
    info = detect(_tree(tmp_path, {"proc/self/mounts": V1_MOUNTS, **V1_FILES}))
    assert info.version == "v1" and info.reason == "cgroup v1"
    assert info.mounts["pids"] == "/sys/fs/cgroup/pids" and info.mounts["cpuacct"] == "/sys/fs/cgroup/cpu,cpuacct"
    assert info.paths["pids"] == "/user.slice/lab" and info.paths["name=systemd"] == "/user.slice"
    memory = info.limit("memory")
    assert memory.amount == 209715200 and memory.value == "200.0 MiB" and memory.usage == "50.0 MiB in use"
    assert memory.file == "/sys/fs/cgroup/memory/user.slice/memory.limit_in_bytes"
    cpu = info.limit("CPU")
    assert cpu.amount == pytest.approx(0.5) and cpu.value.startswith("0.5 CPUs")
    pids = info.limit("pids")
    assert pids.value == NO_LIMIT and pids.amount is None and pids.usage == "3 tasks in use"


def test_detect_v2_takes_the_tightest_ancestor(tmp_path):
    info = detect(_tree(tmp_path, V2_FILES))  # no mount table: v2 is inferred from cgroup.controllers
    assert info.version == "v2" and info.mounts == {"unified": "/sys/fs/cgroup"}
    assert info.paths == {"unified": "/user.slice/user-1000.slice/session-1.scope"}
    assert info.limit("memory").value == NO_LIMIT and info.limit("memory").usage == "1.0 MiB in use"
    assert info.limit("CPU").amount == pytest.approx(1.5)
    pids = info.limit("pids")
    assert pids.amount == 10 and pids.value == "10 tasks" and pids.usage == "4 tasks in use"
    assert pids.file == "/sys/fs/cgroup/user.slice/user-1000.slice/pids.max"


def test_writable_v2_needs_pids_delegated(tmp_path):
    root = _tree(tmp_path, V2_FILES)
    cap = writable(detect(root))
    assert not cap.available and "pids controller delegated" in cap.detail
    assert "systemd-run --user --scope -p MemoryMax=200M -p TasksMax=20 jupyter lab" in cap.how_to_enable
    _tree(
        root,
        {
            "sys/fs/cgroup/user.slice/user-1000.slice/cgroup.subtree_control": "memory pids\n",
            "sys/fs/cgroup/user.slice/user-1000.slice/cgroup.procs": "",
        },
    )
    cap = writable(detect(root))
    assert cap.available and cap.detail.endswith("/sys/fs/cgroup/user.slice/user-1000.slice")


def test_writable_v1_depends_on_write_access(tmp_path, monkeypatch):
    root = _tree(tmp_path, {"proc/self/mounts": V1_MOUNTS, **V1_FILES})
    assert writable(detect(root)).available  # the fake tree belongs to this user
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    cap = writable(detect(root))
    assert not cap.available and "may not create a cgroup" in cap.detail and "needs root" in cap.how_to_enable


@pytest.mark.live
@live
def test_live_timeout_kills_the_lab_and_removes_the_cgroup(monkeypatch):
    inside = []
    real_cleanup = cgrouplab._cleanup

    def spy(cg, child, deadline_s=5.0):
        inside.extend(cgrouplab._procs(cg))  # the lab process and its children, hanging
        return real_cleanup(cg, child, deadline_s)

    monkeypatch.setattr(cgrouplab, "_cleanup", spy)
    run = pids_limit_lab(5, 20, live="on", timeout_s=0.5, _hang=True)
    assert not run.live and "did not finish within 0.5 s" in run.why and "was removed" in run.why
    assert len(inside) == 5  # the lab process and the 4 children pids.max let it have
    assert [p for p in inside if Path(f"/proc/{p}").exists()] == []  # killed and reaped: not even zombies
    assert wait_until_gone(_lab_processes) == [] and wait_until_gone(_lab_dirs) == []


@pytest.mark.live
@live
def test_live_failure_before_the_lab_process_still_removes_the_cgroup(monkeypatch):
    seen = []

    def failing(params):
        seen.extend(_lab_dirs())  # the cgroup exists at this point
        raise RuntimeError("injected failure")

    monkeypatch.setattr(cgrouplab, "_start_child", failing)
    run = pids_limit_lab(5, 20, live="on")
    assert len(seen) == 1 and not seen[0].exists()
    assert not run.live and "injected failure" in run.why and "was removed" in run.why
    assert wait_until_gone(_lab_dirs) == [] and wait_until_gone(_lab_processes) == []


@pytest.mark.live
@live
def test_live_failure_with_the_lab_process_inside_kills_it_and_removes_the_cgroup(monkeypatch):
    started, inside = [], []
    real_start, real_read = cgrouplab._start_child, cgroups.read_value
    monkeypatch.setattr(cgrouplab, "_start_child", lambda params: started.append(real_start(params)) or started[-1])

    def failing_read(path):
        if path.name == "pids.current" and not inside:  # right after the lab process joined the cgroup
            inside.extend(cgrouplab._procs(path.parent))
            raise RuntimeError("injected failure")
        return real_read(path)

    monkeypatch.setattr(cgrouplab, "read_value", failing_read)
    run = pids_limit_lab(5, 20, live="on")
    assert inside == [started[0].pid]
    assert not run.live and "injected failure" in run.why and "was removed" in run.why
    assert started[0].returncode is not None and not Path(f"/proc/{started[0].pid}").exists()
    assert wait_until_gone(_lab_dirs) == [] and wait_until_gone(_lab_processes) == []


def test_recording_describes_its_machine():
    rec = cgrouplab.RECORDING.load()
    assert rec["date"] == "2026-11-26" and rec["machine"]["user"] == "root"
    assert rec["machine"]["platform"] == "a Firecracker micro-VM" and "hybrid" in rec["machine"]["cgroups"]
    assert rec["machine"]["kernel"].startswith("6.18")
    run = rec["run"]
    assert run["removed"] and run["succeeded"] == run["limit"] - run["lab_tasks"] and run["pids_during"] == 5


def test_recording_is_read_from_the_recorded_folder(tmp_path, monkeypatch):
    text = (data.RECORDED_DIR / cgrouplab.RECORDING.file).read_text()
    _tree(tmp_path, {f"recorded/{cgrouplab.RECORDING.file}": text})
    monkeypatch.setattr(data, "RECORDED_DIR", tmp_path / "recorded")
    assert pids_limit_lab(live="off").succeeded == 4
    (tmp_path / "recorded" / cgrouplab.RECORDING.file).unlink()
    with pytest.raises(data.DataError, match="cannot be read"):
        pids_limit_lab(live="off")


def test_fallback_when_not_writable(monkeypatch):
    monkeypatch.setattr(cgrouplab, "capability", lambda: Capability("cgroups", False, "nothing mounted"))
    run = pids_limit_lab(live="on")
    assert not run.live and "live='on' was asked for" in run.why and "nothing mounted" in run.why
    monkeypatch.setattr(cgrouplab, "capability", lambda: Capability("cgroups", True, "memory writable"))
    monkeypatch.setattr(cgrouplab, "detect", lambda: cgroups.CgroupInfo("v1", "cgroup v1"))
    run = pids_limit_lab(live="auto")
    assert not run.live and "No cgroup can be created" in run.why and "without a pids controller" in run.why


@pytest.mark.parametrize("name", ["limit", "attempts"])
@pytest.mark.parametrize(("value", "words"), HOSTILE)
def test_hostile_limit_and_attempts(name, value, words):
    with pytest.raises(ValueError, match=f"{name} .*{words}"):
        pids_limit_lab(**{name: value}, live="off")


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0, "at least 0.5"),
        (-1, "at least 0.5"),
        (float("nan"), "not a number"),
        (float("inf"), "finite"),
        ("abc", "must be a number"),
        ("", "empty"),
        (True, "must be a number"),
        (1e9, "at most 120"),
    ],
)
def test_hostile_timeout(value, words):
    with pytest.raises(ValueError, match=f"timeout_s.*{words}"):
        pids_limit_lab(timeout_s=value, live="off")


def test_unknown_live_mode():
    with pytest.raises(ValueError, match="live must be one of auto, on, off"):
        pids_limit_lab(live="sometimes")
