"""Self-healing fleets: failures at known times checked by hand, the restart
policies, seeds, the cited start times, hostile inputs through the model and
the widget, and a day of 100 instances."""

from __future__ import annotations

import csv
import time

import numpy as np
import pytest

from tests.hostile import HOSTILE
from tests.unit.support.healing import C_REPAIR, HOUR, NUMERIC, V_REPAIR, run, up_at
from widgets.core import data
from widgets.models.healing import instances_needed, simulate_healing
from widgets.models.starttimes import CONTAINER_ROWS, VM_ROWS, start_options, start_time


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


def test_on_failure_and_always_are_the_same_for_crashes():
    a = simulate_healing(restart_policy="always", seed=3)
    b = simulate_healing(restart_policy="on-failure", seed=3)
    assert np.array_equal(a.up_container, b.up_container) and a.lost_container == b.lost_container


def test_instances_needed_ignores_float_noise():
    assert instances_needed(950, 50) == 19 and instances_needed(951, 50) == 20
    assert instances_needed(1000 * 1.2, 100) == 12 and instances_needed(0, 50) == 0


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


@pytest.mark.parametrize(("arg", "name"), NUMERIC)
@pytest.mark.parametrize(("value", "words"), HOSTILE)
def test_model_refuses_hostile_numbers(arg, name, value, words):
    with pytest.raises(ValueError, match=words) as info:
        simulate_healing(**{arg: value})
    assert name in str(info.value)


@pytest.mark.parametrize(
    ("arg", "words"),
    [
        ("n_instances", "instances must be at least 1"),
        ("hours", "hours must not be zero"),
        ("capacity_rps", "capacity per instance must not be zero"),
    ],
)
def test_model_refuses_zero_where_it_means_nothing(arg, words):
    with pytest.raises(ValueError, match=words):
        simulate_healing(**{arg: 0})


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"restart_policy": "sometimes"}, "restart policy must be one of no, on-failure, always"),
        ({"vm_policy": "pray"}, "VM policy must be one of"),
        ({"container_start": "ec2_linux_m1small"}, "container start time must be one of"),
        ({"vm_start": "docker_run_alpine_true_runc"}, "VM start time must be one of"),
        ({"n_instances": 2.5}, "instances must be a whole number"),
        ({"seed": -1}, "seed must be at least 0"),
        ({"n_instances": 1000, "failures_per_day": 1440, "hours": 168}, "too many to simulate"),
    ],
)
def test_model_refuses_bad_choices_and_sizes(kw, words):
    with pytest.raises(ValueError, match=words):
        simulate_healing(**kw)


@pytest.mark.parametrize(
    ("failures", "words"),
    [
        ("0,1", "list of"),
        ([(4, 0.5)], "failure instance must be at most 3"),
        ([(0, 2)], "failure time must be at most 1 h"),
        ([(0, "abc")], "failure time must be a number"),
        ([(0,)], "pair"),
    ],
)
def test_deterministic_mode_refuses_bad_failures(failures, words):
    with pytest.raises(ValueError, match=words):
        run(failures)
