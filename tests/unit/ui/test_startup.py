"""Lesson 07's start-up benchmark: live paths where this machine can, the recording otherwise, the time
budget, the per-run time-out (nothing left behind), the figure with cited published figures, and the widget."""

from __future__ import annotations

import time

import pytest

from tests.hostile import HOSTILE
from tests.unit.support.startup import LINUX, _no_runs
from widgets.core import data
from widgets.labs import startup
from widgets.ui import startup as startup_ui
from widgets.ui.theme import COLORS


def _state(lab: startup_ui.StartupLab) -> tuple:
    return [(list(t.x), list(t.y)) for t in lab.figure.data], lab.summary.value


def test_kvm_path_is_labelled_honestly():
    assert "no OS kernel boots" in startup.PATHS["kvm"]
    assert "no operating-system kernel boots" in startup_ui.details(startup.recorded_bench())


def test_live_off_uses_the_recording_only(monkeypatch):
    _no_runs(monkeypatch)
    monkeypatch.setattr(startup, "capabilities", lambda: pytest.fail("live='off' must not probe"))
    b = startup.measure(live="off")
    rec = startup.recording()
    assert [p.name for p in b.paths] == list(startup.PATHS)
    for p in b.paths:
        assert p.source == startup.RECORDED and list(p.times_ms) == rec["paths"][p.name]["times_ms"]
        assert "live='off'" in p.reason and "recorded on 2026-12-03 on the course's build machine" in p.reason
    assert startup_ui.summarize(b).startswith("Recorded on 2026-12-03 on the course's build machine (median of 15")


@pytest.mark.skipif(not LINUX, reason="the benchmark starts Linux processes")
def test_budget_stops_early_and_says_so(monkeypatch):
    monkeypatch.setattr(startup, "TARGET", ("/bin/sleep", "0.05"))  # every run takes at least 50 ms
    start = time.monotonic()
    b = startup.measure(("process",), runs=50, live="on", budget_s=0.5, timeout_s=5)
    r = b.path("process")
    assert b.stopped_early and "Stopped early" in b.note and "time budget of 0.5 s" in b.note
    assert 1 <= r.runs < 10 and r.source == startup.MEASURED and r.min_ms >= 50
    assert "stopped early" in startup_ui.summarize(b)
    assert time.monotonic() - start < 0.5 + 2.0  # bounded by the budget (plus clean-up), not 50 runs


def test_figure_has_cited_published_points_beside_the_runs():
    b = startup.recorded_bench()
    fig = startup_ui.startup_figure(b)
    table = data.load("startup_times")
    each, measured, recorded, pub = fig.data
    assert fig.layout.xaxis.type == "log" and "ms" in fig.layout.xaxis.title.text
    assert len(each.x) == 60 and len(measured.x) == 0 and len(recorded.x) == 4
    assert recorded.marker.symbol != pub.marker.symbol  # shape separates measured/recorded from published
    assert list(recorded.error_x.array) == [p.p75_ms - p.median_ms for p in b.paths]
    assert list(recorded.error_x.arrayminus) == [p.median_ms - p.p25_ms for p in b.paths]
    assert list(recorded.marker.color) == [
        COLORS["native"],
        COLORS["container"],
        COLORS["container"],
        COLORS["microvm"],
    ]
    ids = sorted(startup.PUBLISHED, key=lambda i: table.row(id=i)["value_ms"])
    assert list(pub.x) == [table.row(id=i)["value_ms"] for i in ids]
    assert [c[2] for c in pub.customdata] == [table.cite(table.row(id=i)) for i in ids]
    assert pub.marker.color[-1] == COLORS["vm"] and pub.marker.color[0] == COLORS["native"]
    in_summary = {r["id"]: r["value_ms"] for r in startup.published() if r["id"] in startup_ui._IN_SUMMARY}
    assert in_summary == {
        "firecracker_boot_to_init": 125,
        "docker_run_alpine_true_runc": 1193.1,
        "ec2_linux_m1small": 96900,
    }
    cats = list(fig.layout.yaxis.categoryarray)
    assert len(cats) == 10 and cats[-1] == "EC2 Windows m1.small (published)"


def test_summary_sentence():
    text = startup_ui.summarize(startup.recorded_bench())
    assert "process" in text and "namespaced" in text and "KVM guest" in text
    assert "published: Firecracker ≤125 ms to /sbin/init, docker run 1.19 s, EC2 Linux 96.9 s." in text


@pytest.mark.skipif(not LINUX, reason="the benchmark starts Linux processes")
def test_widget_button_measures_and_redraws():
    lab = startup_ui.StartupLab(runs=3, paths=("process",))
    assert lab.result.paths[0].source == startup.RECORDED and "press Run benchmark" in lab.progress_label.value
    before, states = _state(lab), []
    lab._progress = lambda done, total, label: states.append((lab.button.disabled, done, total))
    lab.controls["runs"].value = 4  # moving the slider does not measure
    assert _state(lab) == before and "4 runs" in lab.progress_label.value
    lab.button.click()
    assert lab.error is None and lab.last_exception is None
    assert states == [(True, i, 5) for i in range(1, 6)] and not lab.button.disabled
    assert lab.summary.value.startswith("Measured here (median of 4 runs): process")
    assert len(lab.figure.data[1].x) == 1 and len(lab.figure.data[0].x) == 4 and _state(lab) != before
    assert lab.progress_label.value.startswith("Done: 4 timed runs measured here")


@pytest.mark.skipif(not LINUX, reason="the benchmark starts Linux processes")
def test_widget_hostile_runs_keep_the_figure():
    lab = startup_ui.StartupLab(runs=3, paths=("process",))
    assert lab.run_benchmark()
    before = _state(lab)
    for value, _words in HOSTILE + [(0, "at least")]:
        assert lab.run_benchmark(value) is False
        assert lab.error and "runs" in lab.error, (value, lab.error)
        assert "cvm-error" in lab.status.value and "last valid input" in lab.status.value
        assert _state(lab) == before and lab.last_exception is None and not lab.button.disabled
        assert "Not measured" in lab.progress_label.value
    assert lab.run_benchmark(3) and lab.error is None and lab.status.value == ""


def test_widget_live_off_and_bad_arguments(monkeypatch):
    _no_runs(monkeypatch)
    lab = startup_ui.StartupLab(live="off", run_now=True)
    assert lab.error is None and all(p.source == startup.RECORDED for p in lab.result.paths)
    assert lab.progress_label.value.startswith("Done: 0 timed runs") and "cvm-startup-lab" in lab._dom_classes
    for kwargs, words in [
        ({"runs": 2}, "runs must be at least 3"),
        ({"live": "x"}, "live must be one of"),
        ({"budget_s": "abc"}, "budget_s must be a number"),
        ({"paths": []}, "paths is empty"),
    ]:
        with pytest.raises(ValueError, match=words):
            startup_ui.StartupLab(**kwargs)
