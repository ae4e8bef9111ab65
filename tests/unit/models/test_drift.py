"""Configuration drift: a hand-checked 3 x 10 fleet, invariants, seeds, hostile inputs through the model
and the widget, the 10,000 x 365 timing, and the directory-tree detector on the hotfix's four changes."""

from __future__ import annotations

import time

import numpy as np
import pytest

from tests.hostile import HOSTILE
from tests.unit.support.drift import NUMERIC, hand_changes
from widgets.models.drift import _from_changes, simulate_drift


def test_drifted_shares_by_hand():
    # Containers rebuilt after days 3 and 7 (every 4); VMs never.
    r = _from_changes(hand_changes(), vm_rebuild_days=0, container_rebuild_days=4, audit_days=3)
    assert list(np.round(r.drifted_container * 3).astype(int)) == [0, 1, 2, 2, 0, 1, 1, 1, 0, 1]
    assert list(np.round(r.drifted_vm * 3).astype(int)) == [0, 1, 2, 2, 2, 2, 2, 2, 2, 3]
    assert r.final_vm == 1 and r.final_container == pytest.approx(1 / 3)
    # Snowflakes: drifted servers (each unique) plus one for the clean ones, if any.
    assert list(r.snowflakes_container) == [1, 2, 3, 3, 1, 2, 2, 2, 1, 2]
    assert list(r.snowflakes_vm) == [1, 2, 3, 3, 3, 3, 3, 3, 3, 3]
    assert r.n_changes == 4 and r.seed is None and r.p_change is None


def test_rebuild_every_day_keeps_only_the_same_day_changes():
    r = simulate_drift(n_servers=500, days=60, p_change=0.05, container_rebuild_days=1, seed=4)
    changes = np.random.default_rng(4).random((500, 60), dtype=np.float32) < 0.05  # the same draw
    assert np.allclose(r.drifted_container, changes.mean(axis=0))
    assert r.n_changes == int(changes.sum()) == r.episodes_container


@pytest.mark.parametrize("seed", range(8))
def test_invariants(seed):
    for vm, ct in ((0, 7), (28, 7), (30, 10), (5, 1)):  # containers' period divides the VMs' (or VMs never)
        r = simulate_drift(
            n_servers=300,
            days=200,
            p_change=0.02,
            vm_rebuild_days=vm,
            container_rebuild_days=ct,
            audit_days=9,
            seed=seed,
        )
        assert np.all(r.drifted_container <= r.drifted_vm)
        assert np.all(r.snowflakes_container <= r.snowflakes_vm)
        for share in (r.drifted_vm, r.drifted_container):
            assert share.shape == (200,) and share.min() >= 0 and share.max() <= 1
        assert 0 <= r.detected_vm <= r.episodes_vm and 0 <= r.mttd_vm <= 8
        assert r.final_vm == r.drifted_vm[-1]


def test_a_year_drifts_almost_every_vm():
    r = simulate_drift()  # the defaults: 1% a day, VMs never rebuilt, containers weekly, audit monthly
    assert abs(r.final_vm - (1 - 0.99**365)) < 0.02  # 97.4% expected
    assert abs(r.drifted_container.max() - (1 - 0.99**7)) < 0.03  # 6.8% expected just before a rebuild
    assert 13 < r.mttd_vm < 17  # about half an audit period
    assert r.snowflakes_vm[-1] == round(r.final_vm * 1000) + 1


def test_ten_thousand_servers_for_a_year_stay_interactive():
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        r = simulate_drift(n_servers=10_000, days=365)
        best = min(best, (time.perf_counter() - start) * 1000)
    assert r.drifted_vm.shape == (365,) and r.n_servers == 10_000
    print(f"10,000 servers x 365 days: {best:.1f} ms (best of 3)")
    assert best < 1000  # a loop over servers or days would take seconds


@pytest.mark.parametrize(("arg", "name"), NUMERIC)
@pytest.mark.parametrize(("value", "words"), HOSTILE)
def test_model_refuses_hostile_numbers(arg, name, value, words):
    with pytest.raises(ValueError, match=words) as info:
        simulate_drift(**{arg: value})
    assert name in str(info.value)


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"n_servers": 0}, "servers must be at least 1"),
        ({"days": 0}, "days must be at least 1"),
        ({"container_rebuild_days": 0}, "container rebuild period must be at least 1"),
        ({"audit_days": 0}, "audit period must be at least 1"),
        ({"n_servers": 2.5}, "servers must be a whole number"),
        ({"p_change": 1.5}, "change probability must be at most 1"),
        ({"vm_rebuild_days": -1}, "VM rebuild period must be at least 0"),
        ({"n_servers": 10_000, "days": 3650}, "too many server-days"),
    ],
)
def test_model_refuses_zero_and_sizes(kw, words):
    with pytest.raises(ValueError, match=words):
        simulate_drift(**kw)


@pytest.mark.parametrize("changes", [np.zeros((0, 5), bool), np.ones((3, 4)), np.zeros(5, bool), "abc"])
def test_private_hook_refuses_bad_matrices(changes):
    with pytest.raises(ValueError, match="boolean matrix"):
        _from_changes(changes, 0, 4, 3)
