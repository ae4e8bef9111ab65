"""Self-healing fleets: failures at known times checked by hand, the restart
policies, seeds, the cited start times, hostile inputs through the model and
the widget, and a day of 100 instances."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.hostile import assert_hostile_text_keeps_figure
from tests.unit.support.healing import C_REPAIR, HOUR, NUMERIC, V_REPAIR, run, up_at
from widgets.core.validate import defaults_of
from widgets.models.healing import simulate_healing
from widgets.models.healing import simulate_healing as _model
from widgets.ui.healing import HealingCalculator, details, figure, summarize
from widgets.ui.theme import COLORS

DEFAULTS = defaults_of(_model)  # the model's own keyword defaults


TEXT_CONTROLS = ["failures_per_day", "hours", "seed", "restart_delay_s", "vm_detection_s", "demand_rps", "capacity_rps"]


def test_one_failure_by_hand():
    r = run([(0, 0.5)])
    assert r.time_min == pytest.approx([0, 30, 30 + C_REPAIR / 60, 30 + V_REPAIR / 60, 60])
    assert list(r.up_container) == [4, 3, 4, 4, 4]
    assert list(r.up_vm) == [4, 3, 3, 4, 4]
    assert r.repair_container_s == pytest.approx(2.1931) and r.repair_vm_s == pytest.approx(156.9)
    assert r.availability_container == pytest.approx(100 * (1 - 2.1931 / (4 * HOUR)))  # 99.98477%
    assert r.availability_vm == pytest.approx(100 * (1 - 156.9 / (4 * HOUR)))  # 98.910%
    assert r.needed == 4
    assert r.lost_container == pytest.approx(50 * 2.1931)  # one instance short for 2.1931 s
    assert r.lost_vm == pytest.approx(50 * 156.9)
    assert r.mttr_container_s == pytest.approx(2.1931) and r.mttr_vm_s == pytest.approx(156.9)
    assert r.n_failures == 1 and r.seed is None
    assert summarize(r) == (
        "Over 1 h both fleets of 4 instances suffered 1 failures (given by hand); containers were back in "
        "2.19 s on average (availability 99.98%), VMs were back in 2.62 min on average (availability 98.9%), "
        "losing 110 vs 7,845 requests."
    )


def test_policy_no_keeps_containers_down():
    r = run([(0, 0.5), (0, 0.75), (2, 0.25)], restart_policy="no")
    assert r.repair_container_s == math.inf and r.mttr_container_s is None
    assert up_at(r, 20) == 3 and up_at(r, 40) == 2 and r.up_container[-1] == 2
    down_s = 0.75 * HOUR + 0.5 * HOUR  # instance 2 from 15 min, instance 0 from 30 min, to the end
    assert r.availability_container == pytest.approx(100 * (1 - down_s / (4 * HOUR)))  # 91.67%
    assert r.lost_container == pytest.approx(50 * down_s)
    assert r.up_vm[-1] == 4 and r.mttr_vm_s == pytest.approx(V_REPAIR)
    assert "containers stayed down for good (restart policy 'no': 2 of 4 down at the end" in summarize(r)


def test_vm_without_replacement_stays_down():
    r = run([(1, 0.1)], vm_policy="none")
    assert r.up_vm[-1] == 3 and r.mttr_vm_s is None and r.repair_vm_s == math.inf
    assert r.availability_vm == pytest.approx(100 * (1 - 0.9 * HOUR / (4 * HOUR)))  # 77.5%
    assert "VMs stayed down for good (no replacement: 1 of 4 down at the end" in summarize(r)


def test_a_repair_unfinished_at_the_end_is_not_averaged():
    r = run([(0, 1 - 100 / HOUR)])  # 100 s before the end: containers back, VMs not yet
    assert r.mttr_container_s == pytest.approx(C_REPAIR) and r.mttr_vm_s is None
    assert r.availability_vm == pytest.approx(100 * (1 - 100 / (4 * HOUR)))
    assert "VMs finished no repair within the horizon" in summarize(r)


def test_zero_failures_mean_full_availability():
    for r in (simulate_healing(failures_per_day=0), run([])):
        assert r.n_failures == 0 and r.availability_container == r.availability_vm == 100
        assert r.lost_container == r.lost_vm == 0
        assert set(r.up_container) == set(r.up_vm) == {r.n_instances}
    assert "none of the 20 instances failed" in summarize(simulate_healing(failures_per_day="0"))


def test_a_fleet_too_small_loses_requests_even_without_failures():
    r = run([], demand_rps=300)  # needs 6, has 4: 100 req/s short for 1 h
    assert r.needed == 6 and r.lost_container == r.lost_vm == pytest.approx(100 * HOUR)
    assert "carry only 200 of the 300 req/s demand" in summarize(r)


def test_same_seed_same_result_different_seed_differs():
    a, b, c = simulate_healing(seed=11), simulate_healing(seed="11"), simulate_healing(seed=12)
    assert np.array_equal(a.failure_h, b.failure_h) and np.array_equal(a.up_vm, b.up_vm)
    assert a.lost_vm == b.lost_vm and summarize(a) == summarize(b)
    assert not np.array_equal(a.failure_h, c.failure_h)


def test_details_cite_the_start_times_used():
    text = details(run([(0, 0.5)]))
    assert "containers 2.19 s (restart delay 1 s + start 1.1931 s)" in text
    assert "VMs 2.62 min (detection 60 s + start 96.9 s)" in text
    assert "EC2 Linux m1.small</b>: 96.9 s, mean, 2011-10-15 to 2012-02-15 (M. Mao 2012)" in text
    assert "docker run alpine true (runc)</b>: 1.19 s" in text and "(gVisor authors (Google) 2020)" in text
    assert "{rows}" not in text and "illustrative assumptions" in text
    assert "VMs never" in details(run([], vm_policy="none"))


def test_figure_shows_both_fleets_and_the_needed_line():
    r = run([(0, 0.5)])
    fig = figure(r)
    vms, containers, need = fig.data  # containers on top
    assert containers.line.color == COLORS["container"] and vms.line.color == COLORS["vm"]
    assert containers.line.shape == vms.line.shape == "hv" and need.line.dash == "dash"
    assert list(vms.y) == [4, 3, 3, 4, 4] and list(need.y) == [4, 4] and list(need.x) == [0, 60]
    assert "min" in containers.hovertemplate
    assert fig.layout.xaxis.title.text == "time (min)" and "instances up" in fig.layout.yaxis.title.text
    assert fig.layout.title.text.startswith("Instances up over time")


def test_widget_follows_its_controls():
    calc = HealingCalculator()
    assert calc.name == "healing" and calc.error is None and calc.last_exception is None
    default = calc.summary.value
    calc.controls["failures_per_day"].value = "0"
    assert "none of the 20 instances failed" in calc.summary.value and set(calc.figure.data[1].y) == {20}
    calc.controls["failures_per_day"].value = "5"
    assert calc.summary.value not in (default, "") and "failures" in calc.summary.value
    calc.controls["restart_policy"].value = "no"
    assert "stayed down for good" in calc.summary.value
    calc.controls["n_instances"].value = 40
    assert calc.result.n_instances == 40 and max(calc.figure.data[1].y) == 40
    calc.controls["vm_start"].value = "ec2_windows_m1small"
    assert calc.result.vm.seconds == 810.2 and "EC2 Windows" in calc.figure.data[0].name
    assert calc.last_exception is None


def test_widget_takes_starting_values():
    calc = HealingCalculator(n_instances=10, failures_per_day=0)
    assert calc.result.n_instances == 10 and calc.result.n_failures == 0
    with pytest.raises(ValueError, match="unknown input"):
        HealingCalculator(colour="red")
    assert set(DEFAULTS) - {"failures"} == set(HealingCalculator().controls)  # failures: given, not a control


@pytest.mark.parametrize("control", TEXT_CONTROLS)
def test_widget_hostile_text_keeps_last_good_figure(control):
    calc = HealingCalculator()
    name = dict(NUMERIC)[control]
    assert_hostile_text_keeps_figure(calc, control, name, f"{DEFAULTS[control]:g}")
