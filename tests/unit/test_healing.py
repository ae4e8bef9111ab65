"""Self-healing fleets: failures at known times checked by hand, the restart
policies, seeds, the cited start times, hostile inputs through the model and
the widget, and a day of 100 instances."""

from __future__ import annotations

import csv
import math
import time

import numpy as np
import pytest

from tests.hostile import HOSTILE, assert_hostile_text_keeps_figure
from widgets import data
from widgets.healing import (
    CONTAINER_ROWS,
    DEFAULTS,
    VM_ROWS,
    HealingCalculator,
    details,
    figure,
    format_percent,
    instances_needed,
    simulate_healing,
    start_options,
    start_time,
    summarize,
)
from widgets.theme import COLORS

C_REPAIR = 1.0 + 1.1931  # restart delay + docker run alpine true (runc), s
V_REPAIR = 60.0 + 96.9  # detection + EC2 Linux m1.small, s
HOUR = 3600.0

#: Every numeric input: (argument, name in messages).
NUMERIC = [
    ("n_instances", "instances"),
    ("failures_per_day", "failures per day"),
    ("hours", "hours"),
    ("restart_delay_s", "restart delay"),
    ("vm_detection_s", "detection time"),
    ("demand_rps", "demand"),
    ("capacity_rps", "capacity per instance"),
    ("seed", "seed"),
]


TEXT_CONTROLS = ["failures_per_day", "hours", "seed", "restart_delay_s", "vm_detection_s", "demand_rps",
                 "capacity_rps"]


def run(failures, **kw):
    """A deterministic run: 4 instances for 1 h, default repair times, demand for exactly 4."""
    args = {"n_instances": 4, "hours": 1, "demand_rps": 200, "capacity_rps": 50, **kw}
    return simulate_healing(failures=failures, **args)


def up_at(r, minute, platform="container"):
    up = r.up_container if platform == "container" else r.up_vm
    return int(up[np.searchsorted(r.time_min, minute, side="right") - 1])


# -- the model, by hand --------------------------------------------------------


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
        "losing 110 vs 7,845 requests.")


def test_requests_are_lost_only_beyond_the_spare_capacity():
    # Demand 150 req/s needs 3 of the 4 instances: one outage costs nothing, two at once cost 50 req/s.
    r = run([(0, 0.5), (1, 0.5 + 60 / HOUR)], demand_rps=150)
    assert r.needed == 3 and r.lost_container == 0
    assert r.lost_vm == pytest.approx(50 * (V_REPAIR - 60))  # both VMs down from 1860 s to 1956.9 s
    assert up_at(r, 31.5, "vm") == 2 and up_at(r, 31.5) == 4
    assert r.availability_vm == pytest.approx(100 * (1 - 2 * V_REPAIR / (4 * HOUR)))


def test_a_failure_during_a_repair_starts_the_repair_over():
    r = run([(0, 0.5), (0, 0.5 + 100 / HOUR)])
    assert r.mttr_vm_s == pytest.approx(100 + V_REPAIR)  # one merged outage of 256.9 s
    assert r.mttr_container_s == pytest.approx(C_REPAIR)  # two separate 2.19 s outages
    assert r.availability_container == pytest.approx(100 * (1 - 2 * C_REPAIR / (4 * HOUR)))
    assert r.availability_vm == pytest.approx(100 * (1 - (100 + V_REPAIR) / (4 * HOUR)))


def test_policy_no_keeps_containers_down():
    r = run([(0, 0.5), (0, 0.75), (2, 0.25)], restart_policy="no")
    assert r.repair_container_s == math.inf and r.mttr_container_s is None
    assert up_at(r, 20) == 3 and up_at(r, 40) == 2 and r.up_container[-1] == 2
    down_s = 0.75 * HOUR + 0.5 * HOUR  # instance 2 from 15 min, instance 0 from 30 min, to the end
    assert r.availability_container == pytest.approx(100 * (1 - down_s / (4 * HOUR)))  # 91.67%
    assert r.lost_container == pytest.approx(50 * down_s)
    assert r.up_vm[-1] == 4 and r.mttr_vm_s == pytest.approx(V_REPAIR)
    assert "containers stayed down for good (restart policy 'no': 2 of 4 down at the end" in summarize(r)


def test_on_failure_and_always_are_the_same_for_crashes():
    a = simulate_healing(restart_policy="always", seed=3)
    b = simulate_healing(restart_policy="on-failure", seed=3)
    assert np.array_equal(a.up_container, b.up_container) and a.lost_container == b.lost_container


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


def test_instances_needed_ignores_float_noise():
    assert instances_needed(950, 50) == 19 and instances_needed(951, 50) == 20
    assert instances_needed(1000 * 1.2, 100) == 12 and instances_needed(0, 50) == 0


def test_same_seed_same_result_different_seed_differs():
    a, b, c = simulate_healing(seed=11), simulate_healing(seed="11"), simulate_healing(seed=12)
    assert np.array_equal(a.failure_h, b.failure_h) and np.array_equal(a.up_vm, b.up_vm)
    assert a.lost_vm == b.lost_vm and summarize(a) == summarize(b)
    assert not np.array_equal(a.failure_h, c.failure_h)


def test_both_fleets_see_the_same_failures_and_longer_repair_is_never_better():
    for seed in range(20):
        r = simulate_healing(n_instances=30, failures_per_day=6, demand_rps=1400, seed=seed)
        assert r.repair_vm_s > r.repair_container_s
        assert r.availability_vm <= r.availability_container
        assert r.lost_vm >= r.lost_container
        assert np.all(r.up_vm <= r.up_container)  # at every instant
    # A micro-VM started at once beats a container restarted after 1 s: the order flips.
    fast = simulate_healing(vm_start="firecracker_boot_to_init", vm_detection_s=0, seed=1)
    assert fast.repair_vm_s == pytest.approx(0.125)
    assert fast.availability_vm > fast.availability_container


def test_failure_rate_is_what_was_asked():
    r = simulate_healing(n_instances=100, failures_per_day=2, hours=24, seed=5)
    assert 150 < r.n_failures < 250  # Poisson, mean 200, sd 14
    assert set(np.unique(r.failure_instance)) <= set(range(100))
    assert np.all(np.diff(r.failure_h) >= 0) and r.failure_h.max() < 24


def test_a_day_of_100_instances_completes():
    start = time.perf_counter()
    r = simulate_healing(n_instances=100, failures_per_day=2, hours=24, seed=7)
    elapsed_ms = (time.perf_counter() - start) * 1000
    assert r.time_min[-1] == 24 * 60 and r.up_container.size == r.up_vm.size == r.time_min.size
    print(f"a day of 100 instances: {elapsed_ms:.2f} ms")  # reported, not asserted


# -- the data -----------------------------------------------------------------


def test_start_times_are_the_cited_csv_values():
    with open(data.data_dir() / "startup_times.csv", encoding="utf-8", newline="") as fh:
        rows = {row["id"]: float(row["value_ms"]) for row in csv.DictReader(fh)}
    for row_id in (*CONTAINER_ROWS, *VM_ROWS):
        assert start_time(row_id, (*CONTAINER_ROWS, *VM_ROWS)).seconds == pytest.approx(rows[row_id] / 1000)
    assert start_time("docker_run_alpine_true_runc", CONTAINER_ROWS).seconds == 1.1931
    assert start_time("ec2_windows_m1small", VM_ROWS).seconds == 810.2
    assert start_time("rackspace_linux", VM_ROWS).seconds == 44.2
    r = simulate_healing()
    assert r.container.cite == "gVisor authors (Google) 2020" and r.vm.cite == "M. Mao 2012"
    assert [k for _, k in start_options(VM_ROWS)] == list(VM_ROWS)
    assert start_options(VM_ROWS)[0][0] == "EC2 Linux m1.small: 96.9 s (M. Mao 2012)"


def test_details_cite_the_start_times_used():
    text = details(run([(0, 0.5)]))
    assert "containers 2.19 s (restart delay 1 s + start 1.1931 s)" in text
    assert "VMs 2.62 min (detection 60 s + start 96.9 s)" in text
    assert "EC2 Linux m1.small</b>: 96.9 s, mean, 2011-10-15 to 2012-02-15 (M. Mao 2012)" in text
    assert "docker run alpine true (runc)</b>: 1.19 s" in text and "(gVisor authors (Google) 2020)" in text
    assert "{rows}" not in text and "illustrative assumptions" in text
    assert "VMs never" in details(run([], vm_policy="none"))


def test_format_percent_never_rounds_up_to_100():
    assert format_percent(100) == "100%" and format_percent(99.9974) == "99.997%"
    assert format_percent(98.91) == "98.9%" and format_percent(99.99999999) == "99.999999%"


# -- hostile inputs through the model --------------------------------------------


@pytest.mark.parametrize(("arg", "name"), NUMERIC)
@pytest.mark.parametrize(("value", "words"), HOSTILE)
def test_model_refuses_hostile_numbers(arg, name, value, words):
    with pytest.raises(ValueError, match=words) as info:
        simulate_healing(**{arg: value})
    assert name in str(info.value)


@pytest.mark.parametrize(("arg", "words"), [
    ("n_instances", "instances must be at least 1"),
    ("hours", "hours must not be zero"),
    ("capacity_rps", "capacity per instance must not be zero"),
])
def test_model_refuses_zero_where_it_means_nothing(arg, words):
    with pytest.raises(ValueError, match=words):
        simulate_healing(**{arg: 0})


@pytest.mark.parametrize(("kw", "words"), [
    ({"restart_policy": "sometimes"}, "restart policy must be one of no, on-failure, always"),
    ({"vm_policy": "pray"}, "VM policy must be one of"),
    ({"container_start": "ec2_linux_m1small"}, "container start time must be one of"),
    ({"vm_start": "docker_run_alpine_true_runc"}, "VM start time must be one of"),
    ({"n_instances": 2.5}, "instances must be a whole number"),
    ({"seed": -1}, "seed must be at least 0"),
    ({"n_instances": 1000, "failures_per_day": 1440, "hours": 168}, "too many to simulate"),
])
def test_model_refuses_bad_choices_and_sizes(kw, words):
    with pytest.raises(ValueError, match=words):
        simulate_healing(**kw)


@pytest.mark.parametrize(("failures", "words"), [
    ("0,1", "list of"),
    ([(4, 0.5)], "failure instance must be at most 3"),
    ([(0, 2)], "failure time must be at most 1 h"),
    ([(0, "abc")], "failure time must be a number"),
    ([(0,)], "pair"),
])
def test_deterministic_mode_refuses_bad_failures(failures, words):
    with pytest.raises(ValueError, match=words):
        run(failures)


# -- the figure and the widget -------------------------------------------------


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
    assert set(DEFAULTS) == set(HealingCalculator().controls)


@pytest.mark.parametrize("control", TEXT_CONTROLS)
def test_widget_hostile_text_keeps_last_good_figure(control):
    calc = HealingCalculator()
    name = dict(NUMERIC)[control]
    assert_hostile_text_keeps_figure(calc, control, name, f"{DEFAULTS[control]:g}")
