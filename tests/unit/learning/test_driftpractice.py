"""Seeded drift practice (lesson 06): deterministic per seed, answers from the drift model, hostile input."""

from __future__ import annotations

from collections import Counter

import pytest

from widgets.learning import predict
from widgets.learning.driftpractice import FLEETS, QUESTIONS, check_drift, drift_practice, drift_problem
from widgets.models.drift import simulate_drift

SEEDS = range(0, 240, 4)


@pytest.fixture(autouse=True)
def _fresh_journal(monkeypatch):
    monkeypatch.setattr(predict, "_JOURNAL", predict.Journal())


def test_same_seed_same_problem_and_every_fleet_and_question_occurs():
    a, b = drift_problem(9), drift_problem(9)
    assert a.show() == b.show() and a.answer == b.answer
    seen = Counter((p.fleet, p.question) for p in map(drift_problem, SEEDS))
    assert set(seen) == {(f, q) for f in FLEETS for q in QUESTIONS}


@pytest.mark.parametrize("seed", SEEDS)
def test_the_answer_is_the_models_and_the_expectation_passes(seed):
    p = drift_problem(seed)
    vm, ct = (0, 7) if p.fleet == "vm-never" else (p.period, 7) if p.fleet == "vm-rebuilt" else (0, p.period)
    run = simulate_drift(p.n_servers, p.days, p.p_change, vm, ct, 30, seed)
    drifted = run.drifted_container if p.fleet == "container" else run.drifted_vm
    snow = run.snowflakes_container if p.fleet == "container" else run.snowflakes_vm
    expected = 100 * drifted[-1] if p.question == "share" else snow[-1]
    assert p.answer == pytest.approx(expected)
    assert drift_practice(seed, answer=p.answer).correct
    estimate = 100 * p.expected_share if p.question == "share" else p.expected_configurations
    assert drift_practice(seed, answer=estimate).correct, "the worked expectation must pass"
    assert drift_practice(seed, answer=p.answer + 3 * p.tolerance).status == "incorrect"
    worked = str(drift_practice(seed, show=True))
    assert worked.startswith(p.show()) and "m = " in worked and "synthetic" in worked


def test_days_since_the_last_rebuild():
    p = next(drift_problem(s) for s in SEEDS if drift_problem(s).fleet == "container" and drift_problem(s).period > 1)
    assert p.since_rebuild == (p.days - 1) % p.period + 1 and 1 <= p.since_rebuild <= p.period
    never = next(drift_problem(s) for s in SEEDS if drift_problem(s).fleet == "vm-never")
    assert never.since_rebuild == never.days


def test_ignoring_the_rebuilds_is_named():
    for s in range(400):
        p = drift_problem(s)
        if p.fleet != "container" or p.question != "share":
            continue
        ignoring = 100 * (1 - (1 - p.p_change) ** p.days)
        if (
            abs(ignoring - p.answer) > 2 * p.tolerance
            and abs(100 * min(1, p.p_change * p.since_rebuild) - ignoring) > p.tolerance
        ):
            fb = drift_practice(s, answer=ignoring)
            assert not fb.correct and "rebuild erases the drift" in fb.message
            return
    pytest.fail("no container problem where ignoring the rebuilds is far off")


def test_adding_probabilities_is_named():
    for s in range(400):
        p = drift_problem(s)
        linear = 100 * min(1, p.p_change * p.since_rebuild)
        if p.question == "share" and abs(linear - p.answer) > 2 * p.tolerance:
            fb = drift_practice(s, answer=linear)
            assert not fb.correct and "adds the probabilities" in fb.message
            return
    pytest.fail("no problem where adding the probabilities is far off")


@pytest.mark.parametrize("answer", [..., None, ""])
def test_empty_answers(answer):
    assert drift_practice(5, answer=answer).status == "missing"


@pytest.mark.parametrize("answer", ["lots", True, [12], float("inf")])
def test_wrong_types_say_what_was_expected_with_the_unit(answer):
    fb = drift_practice(1, answer=answer)
    unit = "%" if drift_problem(1).question == "share" else "configurations"
    assert fb.status == "incorrect" and f"in {unit} was expected" in fb.message


@pytest.mark.parametrize("seed", [-3, 2.5, "seven", None, False, 10**12])
def test_hostile_seeds_are_refused_with_a_message(seed):
    with pytest.raises(ValueError, match="seed"):
        drift_practice(seed)


def test_check_drift_is_the_same_check():
    p = drift_problem(8)
    assert drift_practice(8, answer=p.answer).message == check_drift(8, p.answer).message
    assert check_drift(8, None).status == "missing"


def test_a_fraction_instead_of_a_percentage_is_named():
    p = next(
        drift_problem(s) for s in range(400) if drift_problem(s).question == "share" and drift_problem(s).answer > 10
    )
    fb = drift_practice(p.seed, answer=p.answer / 100)
    assert not fb.correct and "in percent" in fb.message
