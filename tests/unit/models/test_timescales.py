"""The start-up timescale model: published times in order, the learner's own time, bad kinds and values."""

from __future__ import annotations

import math

import pytest

from tests.unit.support.calculators import HOSTILE_TEXT
from widgets import timescales
from widgets.models.timescales import available_kinds


def test_timescale_model_by_hand():
    t = timescales(["process", "cloud-vm"])
    assert t.labels[0] == "fork/exec on Linux" and t.values_ms[0] == 1
    assert t.values_ms[-1] == 810200  # EC2 Windows m1.small, Mao & Humphrey 2012
    assert t.ratio == pytest.approx(810200)
    assert t.orders == pytest.approx(math.log10(810200))
    assert list(t.values_ms) == sorted(t.values_ms)
    assert "secondary" not in "".join(t.cites)  # both rows are verified


@pytest.mark.parametrize(
    ("kinds", "words"),
    [
        ([], "choose at least one kind"),
        (["toaster"], "kind must be one of"),
        ("container", "must be a list"),
        (None, "must be a list"),
    ],
)
def test_timescale_bad_kinds(kinds, words):
    with pytest.raises(ValueError, match=words):
        timescales(kinds)


@pytest.mark.parametrize("mine", HOSTILE_TEXT[:8] + [-1, 0, float("nan"), float("inf"), True])
def test_timescale_bad_own_value(mine):
    if mine in ("   ",):
        assert timescales(["container"], mine).mine_ms is None
        return
    with pytest.raises(ValueError, match="your time"):
        timescales(["container"], mine)


def test_available_kinds_follow_data():
    assert {"process", "container", "microvm", "cloud-vm"} <= set(available_kinds())
