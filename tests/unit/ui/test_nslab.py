"""The namespace lab: a container from scratch, live (user namespaces) and from the recording."""

from __future__ import annotations

import pytest

from tests.procs import wait_until_gone
from tests.unit.support.nslab import (
    NO_USERNS,
    USERNS,
    _lab_processes,
    _mounts,
)
from widgets.labs import base, nslab
from widgets.ui import nslab as nslab_ui
from widgets.ui.theme import COLORS

LIVE = [pytest.mark.live, pytest.mark.skipif(not USERNS, reason=NO_USERNS)]


@pytest.mark.live
def test_live_run_leaves_nothing_behind(nslab_run):
    run, host, _, mounts_before = nslab_run
    assert wait_until_gone(_lab_processes) == []
    assert _mounts() == mounts_before
    t = run.timings_ms
    assert 0 < t["unshare"] < t[nslab.TOTAL] < t["child process incl. Python start-up"]
    assert "measured here" in nslab_ui.summarize(run)


def test_runtime_failure_falls_back_with_the_error(monkeypatch):
    def eperm(program, params, timeout_s, *, marker):
        raise base.LabFailed("unshare failed: EPERM (Operation not permitted)")

    monkeypatch.setattr(nslab, "decide", lambda live, name: (True, "Live on this machine (faked)."))
    monkeypatch.setattr(nslab, "run_child", eperm)
    run = nslab.container_from_scratch(live="on")
    assert not run.live and "EPERM" in run.errors[0] and "EPERM" in run.why and nslab.LABEL in run.why
    assert "EPERM" in nslab_ui.checks_html(run)
    comp = nslab.compare_namespaces(live="on")
    assert not comp.live and "EPERM" in comp.why


def test_live_off_shows_the_recording():
    run = nslab.container_from_scratch(live="off")
    assert not run.live and not run.errors and run.recorded_on == "2026-11-26"
    assert "live='off'" in run.why and "recorded on 2026-11-26 on the course's build machine" in run.why
    assert len(run.checks) >= 10 and all(c.passed for c in run.checks)
    assert "$ hostname" in run.transcript and "course-container" in run.transcript
    assert nslab.LABEL in nslab_ui.summarize(run)
    page = nslab_ui.checks_html(run)
    assert "Recorded" in page and page.count("✔") == len(run.checks) and "✘" not in page and "<pre>" in page
    other = nslab.container_from_scratch("web-1", live="off")
    assert "'course-container'" in other.why  # says the recording used another name


def test_comparison_fallback():
    comp = nslab.compare_namespaces(live="off")
    assert not comp.live and comp.recorded_on == "2026-11-26" and nslab.LABEL in comp.why
    rows = {r[0]: r for r in comp.rows}
    assert list(rows) == list(nslab.NS_TYPES) and len(nslab_ui.COLUMNS) == len(comp.rows[0])
    assert rows["net"][5] == "different" and rows["pid"][5] == "same"


def test_figure_shows_own_and_shared_namespaces():
    run = nslab.recorded_run()
    fig = nslab_ui.namespace_figure(run)
    host, own, shared, unknown = fig.data
    assert set(own.x) == {*nslab.UNSHARED, "pid_for_children"}
    assert set(shared.x) == {"cgroup", "time", "time_for_children"} and not unknown.x
    assert list(host.x) == list(nslab.NS_TYPES)
    assert own.marker.color == COLORS["container"] and shared.marker.color == COLORS["native"]
    assert "recorded" in fig.layout.title.text and fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
    assert "isolates" in own.hovertext[0]
    text = nslab_ui.summarize(run)
    assert text.count(". ") == 0 and f"{len(run.checks)} of {len(run.checks)} checks passed" in text
