"""Seeded practice: the mystery machine (lesson 00), the same seed giving the same machine, and its check."""

from __future__ import annotations

from collections import Counter

import pytest

from widgets import check_mystery, mystery_machine
from widgets.models.probe import KINDS


def test_same_seed_same_machine_and_all_kinds_occur():
    assert mystery_machine(5) == mystery_machine(5)
    kinds = Counter(mystery_machine(s).verdict.kind for s in range(200))
    assert set(kinds) == set(KINDS[:4])
    assert len({mystery_machine(s).evidence for s in range(20)}) > 10


@pytest.mark.parametrize("seed", range(0, 60, 7))
def test_check_agrees_with_verdict_and_explains(seed):
    m = mystery_machine(seed)
    right = check_mystery(m.verdict.kind, seed)
    assert right.correct and "deciding evidence" in right.message
    wrong = next(k for k in KINDS[:4] if k != m.verdict.kind)
    fb = check_mystery(wrong, seed)
    assert not fb.correct and len(fb.message) > 40
    assert "synthetic" in m.show() and m.answer().startswith("Verdict:")


@pytest.mark.parametrize("seed", [-1, 2.5, "x", None, True, 10**10])
def test_bad_seeds(seed):
    with pytest.raises(ValueError, match="seed"):
        mystery_machine(seed)
