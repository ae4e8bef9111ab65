"""The cgroups lab: detection on fake v1, v2 and hybrid trees, the live pids limit (counts, clean-up on success,
timeout and error), the recorded fallback, the figure, and hostile inputs."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from tests.procs import wait_until_gone
from tests.unit.support.cgrouplab import V1_MOUNTS, _lab_dirs, _lab_processes, _tree, live
from widgets.labs import cgrouplab
from widgets.labs.cgrouplab import PREFIX, pids_limit_lab
from widgets.labs.cgroups import NO_LIMIT, detect, writable
from widgets.ui import cgrouplab as cgrouplab_ui
from widgets.ui.cgrouplab import limit_figure, limits_html, summarize
from widgets.ui.theme import COLORS


def test_detect_hybrid_and_root_cgroup(tmp_path):
    mounts = V1_MOUNTS + "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,nosuid 0 0\n"
    info = detect(
        _tree(
            tmp_path,
            {
                "proc/self/mounts": mounts,
                "proc/self/cgroup": "12:pids:/\n0::/\n",
                "sys/fs/cgroup/pids/cgroup.procs": "1\n",
            },
        )
    )
    assert info.version == "hybrid" and "hybrid" in info.reason and info.mounts["unified"] == "/sys/fs/cgroup/unified"
    pids = info.limit("pids")  # the root cgroup has no pids.max: nothing limits it
    assert pids.value == NO_LIMIT and "root cgroup" in pids.file
    assert "table" in limits_html(info) and "<td>pids</td><td>no limit</td>" in limits_html(info)


def test_detect_without_cgroups_explains_and_never_raises(tmp_path):
    info = detect(tmp_path)
    assert info.version == "none" and "no /sys/fs/cgroup" in info.reason and info.limits == ()
    cap = writable(info)
    assert not cap.available and "no /sys/fs/cgroup" in cap.detail and "systemd-run --user --scope" in cap.how_to_enable
    assert limits_html(info) == f"<p><b>{info.reason}</b></p>"
    (tmp_path / "sys/fs/cgroup").mkdir(parents=True)
    assert "no cgroup file system is mounted" in detect(tmp_path).reason
    assert detect(tmp_path / "does-not-exist").version == "none"


@pytest.mark.live
@live
@pytest.mark.parametrize(("limit", "attempts"), [(5, 20), (1, 3), (8, 4)])
def test_live_pids_limit_counts_and_cleans_up(limit, attempts, monkeypatch):
    started = []
    real_start = cgrouplab._start_child
    monkeypatch.setattr(cgrouplab, "_start_child", lambda params: started.append(real_start(params)) or started[-1])
    run = pids_limit_lab(limit, attempts, live="on")
    assert run.live, run.why
    # pids.max counts the lab process itself (one task): limit - 1 children fit while they are alive
    assert run.lab_tasks == 1
    assert run.succeeded == min(attempts, limit - 1) and run.succeeded + run.refused == attempts
    assert run.pids_during == 1 + run.succeeded and run.pids_after == 1  # reaped children no longer count
    if run.refused:
        assert run.error == f"BlockingIOError: [Errno {errno.EAGAIN}] Resource temporarily unavailable"
        assert f"max {run.refused}" in run.transcript  # pids.events counted each refusal
    assert run.removed and not Path(run.cgroup).exists() and run.cgroup.startswith("/sys/fs/cgroup/")
    assert not Path(f"/proc/{started[0].pid}").exists()
    assert wait_until_gone(_lab_processes) == [] and wait_until_gone(_lab_dirs) == []
    assert all(v >= 0 for v in run.timings_ms.values()) and run.timings_ms["total"] > 0
    assert f"$ echo {limit} > pids.max" in run.transcript and run.transcript[-1].startswith("$ rmdir " + PREFIX)
    assert "measured here" in summarize(run) and f"{limit} - 1 = {limit - 1} children fit" in summarize(run)


def test_fallback_forced_by_live_off_is_the_recording():
    run = pids_limit_lab(live="off")
    assert not run.live and "live='off'" in run.why and "not your" not in run.why
    assert (run.limit, run.attempts, run.succeeded, run.refused) == (5, 20, 4, 16)
    assert "recorded on 2026-11-26" in run.recorded_on and "Firecracker" in run.recorded_on
    assert "recorded on 2026-11-26" in summarize(run) and "measured here" not in summarize(run)
    other = pids_limit_lab(7, 30, live="off")
    assert other.limit == 5 and "not your 7 and 30" in other.why
    assert "Recorded" in cgrouplab_ui.details(run) and "pids.max" in cgrouplab_ui.details(run)


def test_figure_bars_colours_and_limit_line():
    run = pids_limit_lab(live="off")
    fig = limit_figure(run)
    bars = fig.data[0]
    assert list(bars.y) == [20, 4, 16]
    assert list(bars.marker.color) == [COLORS["other"], COLORS["container"], COLORS["sandbox"]]
    line = fig.layout.shapes[0]
    assert line.y0 == line.y1 == 5 and line.line.dash == "dash"
    assert fig.layout.yaxis.title.text == "forks (count)" and "recorded 2026-11-26" in fig.layout.title.text
