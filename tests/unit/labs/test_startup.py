"""Lesson 07's start-up benchmark: live paths where this machine can, the recording otherwise, the time
budget, the per-run time-out (nothing left behind), the figure with cited published figures, and the widget."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.hostile import HOSTILE
from tests.procs import processes_with, wait_until_gone
from tests.unit.support.startup import LINUX, _no_runs
from widgets.labs import startup
from widgets.labs.base import Capability
from widgets.labs.capabilities import capabilities

_CAPS = {c.name: c for c in capabilities()}


def _live(path: str) -> list[pytest.MarkDecorator]:
    """Marks for a test that runs ``path`` live: skipped, with the probe's reason, where it cannot."""
    if path == "process":
        return [pytest.mark.skipif(not LINUX, reason="the benchmark starts Linux processes")]
    cap = _CAPS.get(startup.CAPABILITY[path])
    ok = bool(cap and cap.available) and (path != "namespaces" or startup.shutil.which("unshare") is not None)
    why = f"{startup.CAPABILITY[path]} not usable here: {cap.detail if cap else 'not probed'}"
    return [pytest.mark.live, pytest.mark.skipif(not ok, reason=why)]


def test_statistics_by_hand():
    assert startup.statistics_ms([5, 1, 4, 2, 3]) == {"median": 3, "p25": 2, "p75": 4, "min": 1, "max": 5}
    s = startup.statistics_ms([1.0, 2.0, 3.0, 10.0])  # numpy's linear interpolation
    assert (s["median"], s["p25"], s["p75"], s["min"], s["max"]) == (2.5, 1.75, 4.75, 1.0, 10.0)
    assert startup.statistics_ms([0.7])["p25"] == 0.7


@pytest.mark.parametrize("times", [[], "123", None, [0], [-1.0], [float("nan")], [1, "abc"], [True]])
def test_statistics_refuse_bad_times(times):
    with pytest.raises(ValueError, match="times_ms|run time"):
        startup.statistics_ms(times)


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


def test_recording_file_is_complete():
    rec = startup.RECORDING.load()
    assert rec["recorded_on"] == startup.RECORDING.recorded_on == "2026-12-03" and rec["label"] == startup.LABEL
    assert set(rec["paths"]) == set(startup.PATHS) and rec["machine"]["kernel"]
    for name, p in rec["paths"].items():
        assert len(p["times_ms"]) == rec["runs"] == 15 and all(t > 0 for t in p["times_ms"]), name
    b = startup.recorded_bench(("kvm",))
    assert [p.name for p in b.paths] == ["kvm"]
    assert b.paths[0].median_ms == startup.statistics_ms(rec["paths"]["kvm"]["times_ms"])["median"]


def test_missing_capability_shows_the_recording_with_the_reason(monkeypatch):
    _no_runs(monkeypatch)
    caps = [
        Capability("KVM", False, "/dev/kvm does not exist", "turn on VT-x"),
        Capability("user namespaces", False, "user.max_user_namespaces is 0"),
    ]
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


@pytest.mark.parametrize("path", [pytest.param(p, marks=_live(p)) for p in ("process", "namespaces")])
def test_timeout_kills_the_run_and_leaves_nothing(monkeypatch, path):
    marker = f"30.{uuid.uuid4().int % 10**9:09d}"  # sleep 30.x seconds: a unique command line
    monkeypatch.setattr(startup, "TARGET", ("/bin/sleep", marker))
    start = time.monotonic()
    r = startup.measure((path,), runs=3, live="on", timeout_s=0.2).path(path)
    assert time.monotonic() - start < 5
    assert r.source == startup.RECORDED and "did not finish within 0.2 s" in r.reason, r.reason
    assert processes_with(marker) == []  # the whole process group (unshare and its child too) is gone


@pytest.mark.parametrize("name", ["runs", "budget_s", "timeout_s"])
@pytest.mark.parametrize(("value", "words"), HOSTILE + [(0, "at least"), (2.5e6, "at most")])
def test_hostile_numbers_are_refused_by_name(monkeypatch, name, value, words):
    _no_runs(monkeypatch)
    with pytest.raises(ValueError, match=words) as err:
        startup.measure(**{name: value})
    assert name in str(err.value)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"runs": 2.5}, "runs must be a whole number"),
        ({"runs": 201}, "runs must be at most 200"),
        ({"budget_s": 0.4}, "budget_s must be at least 0.5"),
        ({"timeout_s": 31}, "timeout_s must be at most 30"),
        ({"live": "maybe"}, "live must be one of"),
        ({"live": ""}, "live must be one of"),
        ({"live": None}, "live must be one of"),
        ({"live": True}, "live must be one of"),
        ({"paths": []}, "paths is empty"),
        ({"paths": "process"}, "paths must be a list"),
        ({"paths": None}, "paths must be a list"),
        ({"paths": ["toaster"]}, "paths must be one of"),
        ({"paths": ["process", "process"]}, "paths names a path twice"),
        ({"paths": [None]}, "paths must be one of"),
        ({"progress": "abc"}, "progress must be a function"),
    ],
)
def test_hostile_choices_are_refused_by_name(monkeypatch, kwargs, words):
    _no_runs(monkeypatch)
    with pytest.raises(ValueError, match=words):
        startup.measure(**kwargs)


def test_a_container_that_cannot_be_prepared_falls_back_to_the_recording(monkeypatch):
    """Inside a user namespace without 'nobody' the image cannot be chowned: the path is recorded, with why."""

    def refuse():
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(startup.runtime, "prepared", refuse)
    monkeypatch.setattr(startup, "use_live", lambda live, cap: (True, "Live on this machine: test."))
    b = startup.measure(("container",), runs=3, live="on")
    r = b.path("container")
    assert r.source == startup.RECORDED and "could not be prepared here" in r.reason and startup.LABEL in r.reason


def test_keep_first_is_a_bool():
    with pytest.raises(ValueError, match="keep_first"):
        startup.measure(("process",), runs=3, live="off", keep_first="yes")
