"""Lesson 05's kernel check: version parsing, feature sets by hand, the calculator through its widget,
the CVE timeline and table, and the hardening checklist with its seeded practice."""

from __future__ import annotations

import pytest

from widgets.learning import kernelcheck as hardening
from widgets.models import hardening as hardening_model


def test_hardening_scenarios_are_seeded():
    assert hardening.hardening_scenario(7) == hardening.hardening_scenario(7)
    scenarios = [hardening.hardening_scenario(s) for s in range(200)]
    assert {len(s.weaknesses) for s in scenarios} == {2, 3}
    assert set().union(*(s.weaknesses for s in scenarios)) == set(hardening_model.SETUPS)
    s = scenarios[7]
    assert len(s.lines) == len(s.weaknesses) + 3 and not set(s.weaknesses) & set(s.strengths)
    assert all(hardening_model.SETUPS[i][0] in s.lines for i in s.weaknesses) and "synthetic" in s.show()


@pytest.mark.parametrize("seed", range(0, 50, 7))
def test_check_hardening_feedback(seed):
    sc = hardening.hardening_scenario(seed)
    assert hardening.check_hardening(list(sc.weaknesses), seed).correct
    assert hardening.check_hardening(", ".join(reversed(sc.weaknesses)).upper().replace("-", "_"), seed).correct
    first, rest = sc.weaknesses[0], list(sc.weaknesses[1:])
    fb = hardening.check_hardening(rest, seed)
    assert not fb.correct and f"Missing: {first}" in fb.message and hardening_model.SETUPS[first][0] in fb.message
    fb = hardening.check_hardening([*sc.weaknesses, sc.strengths[0]], seed)
    assert not fb.correct and f"Not a weakness here: {sc.strengths[0]} (the setup already has" in fb.message
    fb = hardening.check_hardening([*sc.weaknesses, "cpu-mitigations"], seed)
    assert "VM-host measure" in fb.message
    assert "unknown measure id(s): chmod-777" in hardening.check_hardening(["chmod-777"], seed).message


@pytest.mark.parametrize(
    ("answer", "status"),
    [(None, "missing"), ("", "missing"), ([], "missing"), (..., "missing"), (42, "incorrect"), ([1, 2], "incorrect")],
)
def test_check_hardening_odd_answers(answer, status):
    assert hardening.check_hardening(answer, 1).status == status


@pytest.mark.parametrize("seed", [-1, 1.5, "x", None, True])
def test_hardening_bad_seed(seed):
    with pytest.raises(ValueError, match="seed"):
        hardening.hardening_scenario(seed)


def test_a_privileged_setup_never_claims_dropped_capabilities_or_seccomp():
    # seed 4 once paired "--privileged" with "--cap-drop ALL --cap-add NET_BIND_SERVICE"
    privileged = [hardening.hardening_scenario(s) for s in range(400)]
    privileged = [s for s in privileged if "no-privileged" in s.weaknesses]
    assert len(privileged) > 20
    for s in privileged:
        assert not {"drop-caps", "seccomp"} & set(s.strengths), s
        assert hardening_model.SETUPS["drop-caps"][1] not in s.lines
        assert hardening_model.SETUPS["seccomp"][1] not in s.lines
    assert "no-privileged" in hardening.hardening_scenario(4).weaknesses
    assert len(hardening.hardening_scenario(4).strengths) == 3
