"""Self-healing like for like: restart vs restart, replacement vs replacement, host failures that take their
containers down too, and the restart back-off of Docker, Kubernetes and systemd; cited rules and start times,
hostile inputs, and a day of 100 instances."""

from __future__ import annotations

import time

import numpy as np
import pytest

from tests.hostile import HOSTILE
from tests.unit.support.healing import (
    C_REPLACE,
    C_RESTART,
    DOCKER_RUN,
    HOUR,
    NUMERIC,
    V_REPLACE,
    V_RESTART,
    run,
    up_at,
)
from widgets.core import data
from widgets.models.healing import instances_needed, simulate_healing
from widgets.models.restarts import restarter


def test_restart_is_compared_with_restart():
    r = run([(0, 0.5)])
    assert r.container.restart_s == pytest.approx(C_RESTART) and r.vm.restart_s == pytest.approx(V_RESTART)
    assert r.container.mttr_s == pytest.approx(C_RESTART) and r.vm.mttr_s == pytest.approx(V_RESTART)
    # systemd restarting a process inside a VM is no slower than an engine restarting a container
    assert r.vm.availability > r.container.availability
    assert r.n_crashes == 1 and r.vm.host_failures == r.container.host_failures == 0


def test_replacement_is_compared_with_replacement():
    r = run([], [(1, 0.5)], containers_per_host=2, vms_per_host=2)
    assert r.container.replace_s == pytest.approx(C_REPLACE) and r.vm.replace_s == pytest.approx(V_REPLACE)
    assert up_at(r, 30.5) == up_at(r, 30.5, "vm") == 2  # host 1 held instances 2 and 3 in both fleets
    assert up_at(r, 31.5) == 4 and up_at(r, 31.5, "vm") == 2 and up_at(r, 33, "vm") == 4


def test_a_host_failure_takes_its_containers_down_too():
    r = run([], [(0, 0.5)], containers_per_host=4, vms_per_host=1)
    assert up_at(r, 30.5) == 0 and up_at(r, 30.5, "vm") == 3  # one node held all four containers
    assert r.container.lost == pytest.approx(200 * C_REPLACE) and r.vm.lost == pytest.approx(50 * V_REPLACE)


def test_docker_doubles_its_restart_delay_and_resets_after_ten_seconds():
    rule = restarter("docker")
    assert [rule.delay(k) for k in (1, 2, 3, 11, 12)] == pytest.approx([0.1, 0.2, 0.4, 60, 60])
    # three crashes, each 2 s after the restart: delays 0.1, 0.2, 0.4 s, then a clean 20 s run resets it
    t, crashes = 0.0, []
    for _ in range(3):
        crashes.append((0, t / HOUR))
        t += rule.delay(len(crashes)) + DOCKER_RUN + 2
    crashes.append((0, (t + 20) / HOUR))
    r = run(crashes)
    down = r.container.lost / 50
    assert down == pytest.approx(0.1 + 0.2 + 0.4 + 0.1 + 4 * DOCKER_RUN)


def test_kubernetes_backs_off_from_ten_seconds_to_five_minutes():
    rule = restarter("kubernetes")
    assert [rule.delay(k) for k in (1, 2, 3, 6, 7)] == pytest.approx([10, 20, 40, 300, 300])
    assert rule.reset_after_s == 600
    one = run([(0, 0.5)], container_restart="kubernetes")
    assert one.container.mttr_s == pytest.approx(10 + DOCKER_RUN)


def test_systemd_gives_up_after_five_starts_in_ten_seconds_and_the_vm_is_replaced():
    crashes = [(0, (1000 + 0.5 * k) / HOUR) for k in range(6)]  # six crashes within 3 s
    r = run(crashes)
    assert r.vm.gave_up == 1 and r.container.gave_up == 0
    assert r.vm.mttr_s is not None and max(r.vm.mttr_s, 0) > V_RESTART
    assert up_at(r, (1002.6 + 60) / 60, "vm") == 3 and up_at(r, (1002.6 + V_REPLACE + 1) / 60, "vm") == 4


def test_without_a_supervisor_containers_stay_down_and_vms_are_replaced():
    r = run([(0, 0.5)], container_restart="none", vm_restart="none")
    assert r.container.up[-1] == 3 and r.container.mttr_s is None
    assert r.vm.mttr_s == pytest.approx(V_REPLACE) and r.vm.up[-1] == 4


def test_both_fleets_see_the_same_crashes_and_the_same_host_failure_rate():
    r = simulate_healing(n_instances=100, crashes_per_day=2, host_failures_per_day=1, hours=24, seed=5)
    assert 150 < r.n_crashes < 250  # Poisson, mean 200
    assert r.container.per_host == 10 and r.vm.per_host == 1
    assert 0 <= r.container.host_failures < 40 and 50 < r.vm.host_failures < 150  # 10 nodes vs 100 hosts, 1/day
    a, b = simulate_healing(seed=11), simulate_healing(seed="11")
    assert np.array_equal(a.crash_h, b.crash_h) and np.array_equal(a.up_vm, b.up_vm)


def test_instances_needed_ignores_float_noise():
    assert instances_needed(950, 50) == 19 and instances_needed(951, 50) == 20
    assert instances_needed(1000 * 1.2, 100) == 12 and instances_needed(0, 50) == 0


def test_rules_and_start_times_are_the_cited_values():
    rows = {r["id"]: r for r in data.load("restart_policies")}
    assert rows["docker_always"]["first_delay_s"] == 0.1 and rows["kubernetes_always"]["max_delay_s"] == 300
    assert rows["systemd_on_failure"]["burst"] == 5
    r = simulate_healing()
    assert r.container_start.seconds == DOCKER_RUN and r.vm_start.seconds == 96.9
    assert r.process_start.subject == "fork/exec on Linux" and r.vm_restart.cite.startswith("systemd")


def test_a_day_of_100_instances_completes():
    start = time.perf_counter()
    r = simulate_healing(n_instances=100, crashes_per_day=2, hours=24, seed=7)
    elapsed_ms = (time.perf_counter() - start) * 1000
    assert r.time_min[-1] == 24 * 60 and r.up_container.size == r.up_vm.size == r.time_min.size
    print(f"a day of 100 instances: {elapsed_ms:.2f} ms")  # reported, not asserted


@pytest.mark.parametrize(("arg", "name"), NUMERIC)
@pytest.mark.parametrize(("value", "words"), HOSTILE)
def test_model_refuses_hostile_numbers(arg, name, value, words):
    with pytest.raises(ValueError, match=words) as info:
        simulate_healing(**{arg: value})
    assert name in str(info.value)


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"n_instances": 0}, "instances must be at least 1"),
        ({"hours": 0}, "hours must not be zero"),
        ({"capacity_rps": 0}, "capacity per instance must not be zero"),
        ({"container_restart": "sometimes"}, "container restart must be one of docker, kubernetes, none"),
        ({"vm_restart": "pray"}, "VM restart must be one of systemd, none"),
        ({"container_start": "ec2_linux_m1small"}, "container start time must be one of"),
        ({"vm_start": "docker_run_alpine_true_runc"}, "VM start time must be one of"),
        ({"n_instances": 1000, "crashes_per_day": 1440, "hours": 168}, "too many to simulate"),
    ],
)
def test_model_refuses_bad_choices_and_sizes(kw, words):
    with pytest.raises(ValueError, match=words):
        simulate_healing(**kw)


@pytest.mark.parametrize(
    ("crashes", "words"),
    [("0,1", "list of"), ([(4, 0.5)], "crashes index must be at most 3"), ([(0, 2)], "crashes time must be at most")],
)
def test_deterministic_mode_refuses_bad_failures(crashes, words):
    with pytest.raises(ValueError, match=words):
        run(crashes)
