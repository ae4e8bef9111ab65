"""Memory overcommit: VMs held at a ratio, balloon and KSM, what happens when every guest is full; containers."""

from __future__ import annotations

import pytest

from tests.hostile import HOSTILE
from widgets.models.overcommit import overcommit, vms_held


def test_vms_held_follow_the_ratio():
    assert vms_held(248, 8, 1.0) == 31 and vms_held(248, 8, 1.5) == 46 and vms_held(248, 8, 2) == 62


def test_default_case_by_hand():
    o = overcommit()
    vs, va, cs, ca = o.scenarios
    assert o.vms == 46 and o.usable_gib == 248
    assert vs.merged_gib == pytest.approx(45 * 0.3) and vs.ballooned_gib == pytest.approx(46 * 8 * 0.6)
    assert vs.resident_gib == pytest.approx(46 * 8 * 0.4 - 45 * 0.3) and vs.over_gib == 0
    assert va.demand_gib == 368 and va.resident_gib == 248 and va.swapped_gib == 32
    assert va.over_gib == pytest.approx(368 - 45 * 0.3 - 280) and "ends whole VMs" in va.verdict
    assert cs.resident_gib == pytest.approx(46 * (3.2 - 0.5)) and "fits" in cs.verdict
    assert "ends a process" in ca.verdict


def test_without_overcommit_everything_fits_and_without_a_balloon_the_page_cache_fills_guests():
    assert all(s.over_gib == 0 and s.swapped_gib == 0 for s in overcommit(ratio=1).scenarios)
    steady = overcommit(balloon=False).scenarios[0]
    assert steady.ballooned_gib == 0 and steady.over_gib > 0


def test_swap_absorbs_a_small_deficit():
    va = overcommit(ratio=1.1, swap_gib=64).scenarios[1]
    assert va.swapped_gib > 0 and va.over_gib == 0 and "swap" in va.verdict


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"reserved_gib": 256}, "leaves no memory for guests"),
        ({"working_set_pct": 1}, "must at least hold the guest OS"),
        ({"ksm_mergeable_gib": 1}, "KSM-mergeable memory must be at most 0.5"),
        ({"balloon": 1}, "balloon must be True or False"),
        ({"ratio": 0.01}, "overcommit ratio must be at least 0.1"),
    ],
)
def test_bad_inputs(kwargs, words):
    with pytest.raises(ValueError, match=words):
        overcommit(**kwargs)


@pytest.mark.parametrize("name", ["host_memory_gib", "vm_memory_gib", "ratio", "swap_gib"])
@pytest.mark.parametrize(("value", "words"), HOSTILE)
def test_hostile_numbers(name, value, words):
    with pytest.raises(ValueError, match=words):
        overcommit(**{name: value})
