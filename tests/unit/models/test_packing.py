"""Static VM allocation vs a shared container pool: first-fit decreasing by hand,
exact outputs on hand-made demand, seeded synthetic demand, hostile inputs
through the model and through the widget."""

from __future__ import annotations

import re

import numpy as np
import pytest

from tests.hostile import HOSTILE
from tests.unit.support.packing import CONSTANT, NUMERIC
from widgets.models.packing import compare, demand, first_fit_decreasing, pack


def test_ffd_hand_worked():
    # sorted 5,4,3,3,2,2,1: bin 0 takes 5+4 (9); 3 opens bin 1, 3 joins (6); 2 -> bin 1 (8);
    # 2 -> bin 1 (10); 1 -> bin 0 (10). Two full bins.
    assert first_fit_decreasing([5, 4, 3, 3, 2, 2, 1], 10) == [[0, 1, 6], [2, 3, 4, 5]]


@pytest.mark.parametrize(
    ("sizes", "capacity", "bins"),
    [
        ([], 10, []),
        ([10], 10, [[0]]),
        ([6, 6, 6], 10, [[0], [1], [2]]),
        ([1, 9, 2, 8], 10, [[1, 0], [3, 2]]),
        ([0.1] * 10, 1, [list(range(10))]),  # 0.1 summed ten times is 0.9999999999999999: still one bin
        ([0, 3, 0], 3, [[1, 0, 2]]),
        ([4, 4, 4, 3, 3, 3], 7, [[0, 3], [1, 4], [2, 5]]),
    ],
)
def test_ffd_more_cases(sizes, capacity, bins):
    assert first_fit_decreasing(sizes, capacity) == bins


def test_ffd_accepts_numpy_and_keeps_every_item_once():
    sizes = np.random.default_rng(0).uniform(0, 5, 200)
    bins = first_fit_decreasing(sizes, 8)
    assert sorted(i for b in bins for i in b) == list(range(200))
    assert all(sizes[b].sum() <= 8 + 1e-9 for b in bins)
    assert len(bins) >= np.ceil(sizes.sum() / 8)


@pytest.mark.parametrize(
    ("sizes", "capacity", "words"),
    [
        ([5, 11, 3], 10, "item 1 (size 11) is larger than the capacity 10: it fits in no bin"),
        ([1, -1], 10, "must not be negative"),
        ([1, float("nan")], 10, "finite"),
        ([1, float("inf")], 10, "finite"),
        (["abc"], 10, "list of numbers"),
        ([1], 0, "capacity must not be zero"),
        ([1], -3, "capacity must not be negative"),
        ([1], "abc", "capacity must be a number"),
        ([1], True, "capacity must be a number"),
    ],
)
def test_ffd_refuses_bad_input(sizes, capacity, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        first_fit_decreasing(sizes, capacity)


def test_half_vcpu_steps_strand_less():
    p = pack(CONSTANT, host_cores=8, vm_step=0.5)
    assert p.vm.sizes == (2.5, 3.5, 1.5) and p.vm.hosts == 1 and p.vm.stranded_core_h == 0


def test_vm_bigger_than_a_host_is_refused_clearly():
    with pytest.raises(
        ValueError,
        match=r"service 2 peaks at 3.5 cores, so its VM needs 4 vCPUs, more than a host's "
        r"3 cores",
    ):
        pack(CONSTANT, host_cores=3)
    with pytest.raises(ValueError, match=re.escape("VM size step (4) must not be greater than host cores (3)")):
        pack(CONSTANT, host_cores=3, vm_step=4)


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        (np.array([1.0, 2.0]), "2-D table"),
        (np.zeros((0, 3)), "2-D table"),
        ([[1, float("nan")]], "finite"),
        ([[1, -1]], "negative"),
        ("abc", "table of numbers"),
        ([[1, 2], [3]], "table of numbers"),
    ],
)
def test_bad_demand_table(bad, words):
    with pytest.raises(ValueError, match=words):
        pack(bad)


def test_demand_is_seeded_and_shaped():
    a, b = demand(5, 48, seed=7), demand(5, 48, seed=7)
    assert a.shape == (5, 48) and np.array_equal(a, b) and (a >= 0).all()
    assert not np.array_equal(a, demand(5, 48, seed=8))
    flat = demand(3, 24, seed=1, daily_swing_pct=0, noise_pct=0)
    assert np.all(flat == flat[:, :1]) and ((flat >= 0.5) & (flat <= 1.5)).all()  # level = base × U(0.5, 1.5)
    swing = demand(1, 24, seed=1, daily_swing_pct=100, noise_pct=0)
    assert swing.max() == pytest.approx(2 * flat[0, 0], rel=0.02)  # level × (1 + 1), peak within an hour
    assert compare(seed=3) == compare(seed=3) and compare(seed=3) != compare(seed=4)


@pytest.mark.parametrize(("arg", "name", "whole", "zero_ok"), NUMERIC)
@pytest.mark.parametrize(("value", "words"), HOSTILE)
def test_model_refuses_hostile_values(arg, name, whole, zero_ok, value, words):
    with pytest.raises(ValueError, match=words) as info:
        compare(**{arg: value})
    assert str(info.value).startswith(name + " "), str(info.value)


@pytest.mark.parametrize(("arg", "name", "whole", "zero_ok"), NUMERIC)
def test_model_zero_and_fractions(arg, name, whole, zero_ok):
    if zero_ok:
        compare(**{arg: 0})
    else:
        with pytest.raises(ValueError, match=f"^{re.escape(name)} must (be at least|not be zero)"):
            compare(**{arg: 0})
    if whole:
        with pytest.raises(ValueError, match=f"^{re.escape(name)} must be a whole number, got 2.5"):
            compare(**{arg: 2.5})


def test_vm_cpu_overcommit_shares_host_cores_and_can_contend():
    from widgets.models.packing import compare

    fixed, shared = compare(), compare(vm_overcommit=2)
    assert fixed.vm.name == "VMs: static allocation" and fixed.vm_overcommit == 1
    assert shared.vm.name == "VMs: CPU overcommit 2:1" and shared.vm.hosts <= fixed.vm.hosts
    assert shared.vm.sizes == fixed.vm.sizes  # the same VMs, packed tighter
    assert shared.vm.unallocated_core_h == 0  # the host's cores are shared, not carved up
    crowded = compare(vm_overcommit=3)
    assert crowded.vm.hosts == 1 and crowded.vm.overload_steps > 0
    with pytest.raises(ValueError, match="VM CPU overcommit must be at least 1"):
        compare(vm_overcommit=0.5)
