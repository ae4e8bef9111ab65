"""Lesson 07's start-up benchmark: live paths where this machine can, the recording otherwise, the time
budget, the per-run time-out (nothing left behind), the figure with cited published figures, and the widget."""

from __future__ import annotations

import os
import time
import uuid

import pytest

from tests.hostile import HOSTILE
from tests.procs import processes_with, wait_until_gone
from widgets import data, startup
from widgets.probe import Capability, capabilities
from widgets.theme import COLORS

_CAPS = {c.name: c for c in capabilities()}
LINUX = os.uname().sysname == "Linux"


def _live(path: str) -> list[pytest.MarkDecorator]:
    """Marks for a test that runs ``path`` live: skipped, with the probe's reason, where it cannot."""
    if path == "process":
        return [pytest.mark.skipif(not LINUX, reason="the benchmark starts Linux processes")]
    cap = _CAPS.get(startup.CAPABILITY[path])
    ok = bool(cap and cap.available) and (path != "namespaces" or startup.shutil.which("unshare") is not None)
    why = f"{startup.CAPABILITY[path]} not usable here: {cap.detail if cap else 'not probed'}"
    return [pytest.mark.live, pytest.mark.skipif(not ok, reason=why)]


def _no_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(name, timeout_s):
        raise AssertionError(f"the {name} path ran live but should not have")
    monkeypatch.setattr(startup, "_run_once", refuse)


# -- statistics -------------------------------------------------------------------------------------------------

def test_statistics_by_hand():
    assert startup.statistics_ms([5, 1, 4, 2, 3]) == {"median": 3, "p25": 2, "p75": 4, "min": 1, "max": 5}
    s = startup.statistics_ms([1.0, 2.0, 3.0, 10.0])  # numpy's linear interpolation
    assert (s["median"], s["p25"], s["p75"], s["min"], s["max"]) == (2.5, 1.75, 4.75, 1.0, 10.0)
    assert startup.statistics_ms([0.7])["p25"] == 0.7


@pytest.mark.parametrize("times", [[], "123", None, [0], [-1.0], [float("nan")], [1, "abc"], [True]])
def test_statistics_refuse_bad_times(times):
    with pytest.raises(ValueError, match="times_ms|run time"):
        startup.statistics_ms(times)


# -- live paths -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [pytest.param(p, marks=_live(p)) for p in startup.PATHS])
def test_each_path_that_can_run_here_is_measured(path):
    calls = []
    b = startup.measure((path,), runs=5, live="on", progress=lambda *a: calls.append(a))
    r = b.path(path)
    assert r.source == startup.MEASURED and r.reason.startswith("Live on this machine"), r.reason
    assert r.runs == 5 and all(t > 0 for t in r.times_ms)
    assert r.min_ms <= r.p25_ms <= r.median_ms <= r.p75_ms <= r.max_ms
    assert not b.stopped_early and "Finished" in b.note
    assert [c[:2] for c in calls] == [(i, 6) for i in range(1, 7)] and "warm-up" in calls[0][2]  # warm-up discarded
    assert wait_until_gone(lambda: processes_with(startup.MARKER)) == []


def test_kvm_path_is_labelled_honestly():
    assert "no OS kernel boots" in startup.PATHS["kvm"]
    assert "no operating-system kernel boots" in startup.details(startup.recorded_bench())


# -- recording and fallbacks ------------------------------------------------------------------------------------

def test_live_off_uses_the_recording_only(monkeypatch):
    _no_runs(monkeypatch)
    monkeypatch.setattr(startup, "capabilities", lambda: pytest.fail("live='off' must not probe"))
    b = startup.measure(live="off")
    rec = startup.recording()
    assert [p.name for p in b.paths] == list(startup.PATHS)
    for p in b.paths:
        assert p.source == startup.RECORDED and list(p.times_ms) == rec["paths"][p.name]["times_ms"]
        assert "live='off'" in p.reason and "recorded on 2026-11-27 on the course's build machine" in p.reason
    assert startup.summarize(b).startswith("Recorded on 2026-11-27 on the course's build machine (median of 15")


def test_recording_file_is_complete():
    rec = data.recording(startup.RECORDING)
    assert rec["recorded_on"] == startup.RECORDED_ON == "2026-11-27" and rec["label"] == startup.LABEL
    assert set(rec["paths"]) == set(startup.PATHS) and rec["machine"]["kernel"]
    for name, p in rec["paths"].items():
        assert len(p["times_ms"]) == rec["runs"] == 15 and all(t > 0 for t in p["times_ms"]), name
    b = startup.recorded_bench(("kvm",))
    assert [p.name for p in b.paths] == ["kvm"]
    assert b.paths[0].median_ms == startup.statistics_ms(rec["paths"]["kvm"]["times_ms"])["median"]


def test_missing_capability_shows_the_recording_with_the_reason(monkeypatch):
    _no_runs(monkeypatch)
    caps = [Capability("KVM", False, "/dev/kvm does not exist", "turn on VT-x"),
            Capability("user namespaces", False, "user.max_user_namespaces is 0")]
    monkeypatch.setattr(startup, "capabilities", lambda: caps)
    b = startup.measure(("kvm", "namespaces"), live="on")
    kvm, ns = b.path("kvm"), b.path("namespaces")
    assert kvm.source == ns.source == startup.RECORDED
    assert "KVM is not usable here (/dev/kvm does not exist)" in kvm.reason and startup.LABEL in kvm.reason
    assert "max_user_namespaces is 0" in ns.reason and "live='on' was asked for" in ns.reason


@pytest.mark.skipif(not LINUX, reason="the benchmark starts Linux processes")
def test_failing_live_run_falls_back_with_its_error(monkeypatch):
    monkeypatch.setattr(startup, "TARGET", ("/bin/false",))
    r = startup.measure(("process",), runs=3, live="on").path("process")
    assert r.source == startup.RECORDED and "exited with code 1" in r.reason and startup.LABEL in r.reason


# -- budget and time-out ----------------------------------------------------------------------------------------

@pytest.mark.skipif(not LINUX, reason="the benchmark starts Linux processes")
def test_budget_stops_early_and_says_so(monkeypatch):
    monkeypatch.setattr(startup, "TARGET", ("/bin/sleep", "0.05"))  # every run takes at least 50 ms
    start = time.monotonic()
    b = startup.measure(("process",), runs=50, live="on", budget_s=0.5, timeout_s=5)
    r = b.path("process")
    assert b.stopped_early and "Stopped early" in b.note and "time budget of 0.5 s" in b.note
    assert 1 <= r.runs < 10 and r.source == startup.MEASURED and r.min_ms >= 50
    assert "stopped early" in startup.summarize(b)
    assert time.monotonic() - start < 0.5 + 2.0  # bounded by the budget (plus clean-up), not 50 runs


@pytest.mark.parametrize("path", [pytest.param(p, marks=_live(p)) for p in ("process", "namespaces")])
def test_timeout_kills_the_run_and_leaves_nothing(monkeypatch, path):
    marker = f"30.{uuid.uuid4().int % 10**9:09d}"  # sleep 30.x seconds: a unique command line
    monkeypatch.setattr(startup, "TARGET", ("/bin/sleep", marker))
    start = time.monotonic()
    r = startup.measure((path,), runs=3, live="on", timeout_s=0.2).path(path)
    assert time.monotonic() - start < 5
    assert r.source == startup.RECORDED and "did not finish within 0.2 s" in r.reason, r.reason
    assert processes_with(marker) == []  # the whole process group (unshare and its child too) is gone


# -- hostile inputs ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["runs", "budget_s", "timeout_s"])
@pytest.mark.parametrize(("value", "words"), HOSTILE + [(0, "at least"), (2.5e6, "at most")])
def test_hostile_numbers_are_refused_by_name(monkeypatch, name, value, words):
    _no_runs(monkeypatch)
    with pytest.raises(ValueError, match=words) as err:
        startup.measure(**{name: value})
    assert name in str(err.value)


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"runs": 2.5}, "runs must be a whole number"), ({"runs": 201}, "runs must be at most 200"),
    ({"budget_s": 0.4}, "budget_s must be at least 0.5"), ({"timeout_s": 31}, "timeout_s must be at most 30"),
    ({"live": "maybe"}, "live must be one of"), ({"live": ""}, "live must be one of"),
    ({"live": None}, "live must be one of"), ({"live": True}, "live must be one of"),
    ({"paths": []}, "paths is empty"), ({"paths": "process"}, "paths must be a list"),
    ({"paths": None}, "paths must be a list"), ({"paths": ["toaster"]}, "paths must be one of"),
    ({"paths": ["process", "process"]}, "paths names a path twice"), ({"paths": [None]}, "paths must be one of"),
    ({"progress": "abc"}, "progress must be a function"),
])
def test_hostile_choices_are_refused_by_name(monkeypatch, kwargs, words):
    _no_runs(monkeypatch)
    with pytest.raises(ValueError, match=words):
        startup.measure(**kwargs)


# -- figure and summary -----------------------------------------------------------------------------------------

def test_figure_has_cited_published_points_beside_the_runs():
    b = startup.recorded_bench()
    fig = startup.startup_figure(b)
    table = data.load("startup_times")
    each, measured, recorded, pub = fig.data
    assert fig.layout.xaxis.type == "log" and "ms" in fig.layout.xaxis.title.text
    assert len(each.x) == 45 and len(measured.x) == 0 and len(recorded.x) == 3
    assert recorded.marker.symbol != pub.marker.symbol  # shape separates measured/recorded from published
    assert list(recorded.error_x.array) == [p.p75_ms - p.median_ms for p in b.paths]
    assert list(recorded.error_x.arrayminus) == [p.median_ms - p.p25_ms for p in b.paths]
    assert list(recorded.marker.color) == [COLORS["native"], COLORS["container"], COLORS["microvm"]]
    ids = sorted(startup.PUBLISHED, key=lambda i: table.row(id=i)["value_ms"])
    assert list(pub.x) == [table.row(id=i)["value_ms"] for i in ids]
    assert [c[2] for c in pub.customdata] == [table.cite(table.row(id=i)) for i in ids]
    assert pub.marker.color[-1] == COLORS["vm"] and pub.marker.color[0] == COLORS["native"]
    in_summary = {r["id"]: r["value_ms"] for r in startup.published() if r["id"] in startup._IN_SUMMARY}
    assert in_summary == {"firecracker_boot_to_init": 125, "docker_run_alpine_true_runc": 1193.1,
                          "ec2_linux_m1small": 96900}
    cats = list(fig.layout.yaxis.categoryarray)
    assert len(cats) == 9 and cats[-1] == "EC2 Windows m1.small (published)"


def test_summary_sentence():
    text = startup.summarize(startup.recorded_bench())
    assert "process" in text and "namespaced" in text and "KVM guest" in text
    assert "published: Firecracker ≤125 ms to /sbin/init, docker run 1.19 s, EC2 Linux 96.9 s." in text


# -- the widget -------------------------------------------------------------------------------------------------

def _state(lab: startup.StartupLab) -> tuple:
    return [(list(t.x), list(t.y)) for t in lab.figure.data], lab.summary.value


@pytest.mark.skipif(not LINUX, reason="the benchmark starts Linux processes")
def test_widget_button_measures_and_redraws():
    lab = startup.StartupLab(runs=3, paths=("process",))
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
    lab = startup.StartupLab(runs=3, paths=("process",))
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
    lab = startup.StartupLab(live="off", run_now=True)
    assert lab.error is None and all(p.source == startup.RECORDED for p in lab.result.paths)
    assert lab.progress_label.value.startswith("Done: 0 timed runs") and "cvm-startup-lab" in lab._dom_classes
    for kwargs, words in [({"runs": 2}, "runs must be at least 3"), ({"live": "x"}, "live must be one of"),
                          ({"budget_s": "abc"}, "budget_s must be a number"), ({"paths": []}, "paths is empty")]:
        with pytest.raises(ValueError, match=words):
            startup.StartupLab(**kwargs)
