"""Configuration drift: a hand-checked 3 x 10 fleet, invariants, seeds, hostile inputs through the model
and the widget, the 10,000 x 365 timing, and the directory-tree detector on the hotfix's four changes."""

from __future__ import annotations

import numpy as np
import pytest

from tests.hostile import assert_hostile_text_keeps_figure
from tests.unit.support.drift import NUMERIC, hand_changes
from widgets.core.validate import defaults_of
from widgets.labs.filestate import detect, hotfix, lab
from widgets.models.drift import _from_changes, simulate_drift
from widgets.models.drift import simulate_drift as _model
from widgets.ui.drift import DRIFT_STATUS, DriftCalculator, drift_html, drift_summary, figure, summarize
from widgets.ui.theme import COLORS

DEFAULTS = defaults_of(_model)  # the model's own keyword defaults


def test_time_to_detect_by_hand():
    # Audits on the evenings of days 2, 5, 8 (every 3).
    r = _from_changes(hand_changes(), 0, 4, 3)
    assert (r.episodes_container, r.detected_container) == (4, 3)  # day 9's drift: the horizon ends first
    assert r.mttd_container == pytest.approx((1 + 0 + 0) / 3)  # found after 1, 0 (same evening), 0 days
    assert (r.episodes_vm, r.detected_vm) == (3, 2) and r.mttd_vm == pytest.approx(0.5)
    # Audits on days 4 and 9 (every 5): rebuilds erase three container drifts before any audit.
    r = _from_changes(hand_changes(), 0, 4, 5)
    assert (r.episodes_container, r.detected_container) == (4, 1) and r.mttd_container == 0
    assert r.detected_vm == 3 and r.mttd_vm == pytest.approx((3 + 2 + 0) / 3)
    assert "1 container drifts ended unseen" not in summarize(r) and "3 container drifts ended unseen" in summarize(r)


def test_vm_rebuild_and_periods_longer_than_the_horizon():
    c = hand_changes()
    same = _from_changes(c, 4, 4, 3)
    assert np.array_equal(same.drifted_vm, same.drifted_container) and same.mttd_vm == same.mttd_container
    long = _from_changes(c, 0, 50, 50)  # no rebuild and no audit within 10 days
    assert np.array_equal(long.drifted_container, long.drifted_vm)
    assert long.mttd_vm is None and long.mttd_container is None and long.detected_vm == 0
    assert "no audit falls within the 10 days (one every 50 days)" in summarize(long)
    assert "never rebuilt" in summarize(long)


def test_no_drift_without_changes():
    r = simulate_drift(p_change=0)
    assert r.n_changes == 0 and r.drifted_vm.max() == r.drifted_container.max() == 0
    assert set(r.snowflakes_vm) == {1} and r.mttd_vm is None and r.episodes_vm == 0
    assert "found no drifted VM, and no drifted container" in summarize(r)
    assert simulate_drift(p_change=1).final_vm == 1


def test_same_seed_same_run_different_seed_differs():
    a, b, c = simulate_drift(seed=3), simulate_drift(seed="3"), simulate_drift(seed=4)
    assert np.array_equal(a.drifted_vm, b.drifted_vm) and summarize(a) == summarize(b)
    assert not np.array_equal(a.drifted_vm, c.drifted_vm)


def test_figure_shows_both_fleets_in_percent():
    r = _from_changes(hand_changes(), 0, 4, 3)
    vms, containers = figure(r).data
    assert vms.line.color == COLORS["vm"] and containers.line.color == COLORS["container"]
    assert list(vms.x) == list(range(1, 11)) and vms.y[-1] == 100 and containers.y[4] == 0
    fig = figure(r)
    assert fig.layout.xaxis.title.text == "day (days)" and "%" in fig.layout.yaxis.title.text
    assert "synthetic" in fig.layout.title.text and "never rebuilt" in vms.name


def test_widget_follows_its_controls():
    calc = DriftCalculator()
    assert calc.name == "drift" and calc.error is None and calc.last_exception is None
    assert "cvm-drift" in calc._dom_classes
    calc.controls["p_change"].value = "0"
    assert calc.result.n_changes == 0 and max(calc.figure.data[0].y) == 0
    calc.controls["p_change"].value = "0.05"
    calc.controls["vm_rebuild_days"].value = "7"
    assert np.array_equal(calc.result.drifted_vm, calc.result.drifted_container)
    calc.controls["days"].value = "30"
    assert len(calc.figure.data[1].y) == 30 and "After 30 days" in calc.summary.value
    assert calc.last_exception is None and set(calc.controls) == set(DEFAULTS)
    assert DriftCalculator(n_servers=50).result.n_servers == 50
    with pytest.raises(ValueError, match="unknown input"):
        DriftCalculator(colour="red")


@pytest.mark.parametrize(("control", "name"), NUMERIC)
def test_widget_hostile_text_keeps_last_good_figure(control, name):
    assert_hostile_text_keeps_figure(DriftCalculator(), control, name, f"{DEFAULTS[control]:g}")


@pytest.mark.parametrize(
    ("control", "value", "words"),
    [
        ("n_servers", "0", "servers must be at least 1"),
        ("audit_days", "0", "audit period must be at least 1"),
        ("container_rebuild_days", "0", "container rebuild period must be at least 1"),
        ("p_change", "2", "change probability must be at most 1"),
    ],
)
def test_widget_refuses_zero_and_out_of_range(control, value, words):
    calc = DriftCalculator()
    calc.controls[control].value = value
    assert words in calc.error and calc.last_exception is None


def test_hotfix_makes_exactly_four_drifts():
    with lab() as (root, desired):
        assert detect(desired, root).problems() == () and "no drift" in drift_summary(detect(desired, root))
        assert desired["bin/app.sh"].startswith("0755 ") and desired["etc/motd"].startswith("0644 ")
        assert len(desired["etc/app.conf"].split()[1]) == 64
        done = hotfix(root)
        report = detect(desired, root)
    got = {r.name: DRIFT_STATUS[r.status] for r in report.problems()}
    assert (
        got
        == {
            "etc/app.conf": "changed",
            "bin/app.sh": "changed",
            "etc/app.conf.bak": "added",
            "var/log/app.log": "removed",
        }
        and len(done) == 4
    )
    rows = {r.name: r for r in report.rows}
    assert rows["bin/app.sh"].actual.startswith("0777 ") and rows["bin/app.sh"].declared.startswith("0755 ")
    assert rows["bin/app.sh"].actual.split()[1] == rows["bin/app.sh"].declared.split()[1]  # same content
    assert rows["etc/app.conf"].actual.split()[0] == "0644"  # content edited, mode kept
    assert rows["var/log/app.log"].actual is None and rows["etc/app.conf.bak"].declared is None
    assert drift_summary(report) == "Drift: 1 added, 1 removed and 2 changed, 1 file as recorded in the manifest."
    page = drift_html(report)
    assert page.count("<tr><td>") == 4 and "removed" in page and "etc/app.conf.bak" in page
