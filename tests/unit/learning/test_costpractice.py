"""Seeded cost practice (lesson 04): deterministic per seed, answers from the cost model, hostile input."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from widgets.learning import predict
from widgets.learning.costpractice import check_cost, cost_practice, cost_problem
from widgets.learning.seeded import Text
from widgets.models.costs import hosting_cost

SEEDS = range(0, 400, 3)


@pytest.fixture(autouse=True)
def _fresh_journal(monkeypatch):
    monkeypatch.setattr(predict, "_JOURNAL", predict.Journal())


def test_same_seed_same_problem_and_both_questions_and_answers_occur():
    assert cost_problem(11) == cost_problem(11)
    assert str(cost_practice(11)) == str(cost_practice(11))
    asked = Counter((p.question, p.expected if p.question == "cheaper" else "ratio") for p in map(cost_problem, SEEDS))
    assert set(asked) == {("cheaper", "vm"), ("cheaper", "container"), ("break-even", "ratio")}
    assert min(asked.values()) >= 20  # neither answer is a safe guess
    assert len({cost_practice(s).text for s in range(30)}) == 30


@pytest.mark.parametrize("seed", SEEDS)
def test_the_answer_is_the_models_and_the_worked_answer_says_it(seed):
    p = cost_problem(seed)
    model = hosting_cost(**p.inputs)
    assert p.result == model
    worked = str(cost_practice(seed, show=True))
    assert worked.startswith(p.show()) and "Worked answer:" in worked
    if p.question == "cheaper":
        assert p.expected == model.cheaper and model.saving_monthly >= 1
        assert f"Answer: '{model.cheaper}'" in worked and f"{model.vm_monthly:,.2f}" in worked
        assert f"{model.container_monthly:,.2f}" in worked
    else:
        assert 1 < p.expected == model.break_even <= 20
        assert f"{model.break_even:.3g}" in worked
        # the break-even is where the VMs kept for the peak first cost more than the containers
        assert model.vm_monthly_at(p.expected) <= model.container_monthly + 1e-9
        assert model.vm_monthly_at(p.expected * 1.001) > model.container_monthly
    assert cost_practice(seed, answer=p.expected).correct


def test_prices_are_labelled_secondary_and_the_workload_synthetic():
    text = str(cost_practice(3))
    assert "synthetic workload" in text and "secondary snapshot, re-check before use" in text
    assert "illustrative" in text and "USD per instance-hour" in text


def test_a_wrong_choice_names_the_misconception():
    seed = next(s for s in SEEDS if cost_problem(s).question == "cheaper")
    p = cost_problem(seed)
    wrong = "vm" if p.expected == "container" else "container"
    fb = cost_practice(seed, answer=wrong)
    assert not fb.correct and "common mistake" in fb.message and f"{p.result.vm_monthly:,.2f}" in fb.message


def test_a_wrong_break_even_names_the_headroom_or_the_naive_ratio():
    p = next(
        cost_problem(s)
        for s in SEEDS
        if cost_problem(s).question == "break-even" and cost_problem(s).inputs["headroom_pct"]
    )
    naive = p.result.container_monthly / p.result.vm_unit_monthly
    fb = cost_practice(p.seed, answer=naive)
    if not math.isclose(naive, p.expected, rel_tol=0.02):
        assert not fb.correct and "one VM" in fb.message
    no_headroom = hosting_cost(**{**p.inputs, "headroom_pct": 0}).break_even
    if not math.isclose(no_headroom, p.expected, rel_tol=0.05):
        fb = cost_practice(p.seed, answer=no_headroom)
        assert not fb.correct and "headroom" in fb.message


def test_a_break_even_without_whole_vms_names_the_rounding():
    hits = 0
    for s in SEEDS:
        p = cost_problem(s)
        if p.question != "break-even":
            continue
        unrounded = p.result.container_monthly / (p.result.vms_per_load * p.result.vm_unit_monthly)
        if math.isclose(unrounded, p.expected, rel_tol=0.02):
            continue
        fb = cost_practice(p.seed, answer=unrounded)
        assert not fb.correct and "rounding to whole VMs" in fb.message
        hits += 1
    assert hits  # some seeds' break-even is not the unrounded ratio


@pytest.mark.parametrize(
    ("answer", "words"), [(..., "no prediction yet"), (None, "no prediction yet"), ("  ", "no prediction yet")]
)
def test_empty_answers(answer, words):
    fb = cost_practice(4, answer=answer)
    assert fb.status == "missing" and words in fb.message


def test_wrong_types_say_what_was_expected():
    choice = next(s for s in SEEDS if cost_problem(s).question == "cheaper")
    ratio = next(s for s in SEEDS if cost_problem(s).question == "break-even")
    fb = cost_practice(choice, answer=2.5)
    assert fb.status == "incorrect" and "'vm', 'container'" in fb.message
    fb = cost_practice(ratio, answer="cheap")
    assert fb.status == "incorrect" and "must be a number" in fb.message and "x the average" in fb.message


@pytest.mark.parametrize("seed", [-1, 1.5, "x", None, True, 10**10, float("nan")])
def test_hostile_seeds_are_refused_with_a_message(seed):
    with pytest.raises(ValueError, match="seed"):
        cost_practice(seed)


def test_show_must_be_a_flag_and_the_problem_displays_as_text():
    with pytest.raises(ValueError, match="show must be True or False"):
        cost_practice(1, show="yes")
    shown = cost_practice(1)
    assert isinstance(shown, Text) and "<pre" in shown._repr_html_() and repr(shown) == shown.text


def test_check_cost_is_the_same_check():
    p = cost_problem(8)
    assert cost_practice(8, answer=p.expected).message == check_cost(8, p.expected).message
    assert check_cost(8, ...).status == "missing"
