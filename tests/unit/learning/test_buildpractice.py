"""Seeded practice "which layer changes": show, check (naming the misconception), worked answer, bad input."""

from __future__ import annotations

import pytest

from widgets.learning.buildpractice import parse_answer, practice
from widgets.models.buildcache import build_problem


def _seed(test):
    return next(s for s in range(500) if test(build_problem(s)))


def test_show_and_worked_answer():
    shown = repr(practice(4))
    assert "Build problem #4" in shown and "Change:" in shown and "Worked answer" not in shown
    p = build_problem(4)
    worked = repr(practice(4, show=True))
    assert f"Worked answer: ({p.first}, {p.rebuilt})" in worked
    assert "<pre" in practice(4)._repr_html_()


@pytest.mark.parametrize("seed", range(0, 60, 7))
def test_the_right_answer_is_correct_in_every_form(seed):
    p = build_problem(seed)
    assert practice(seed, answer=(p.first, p.rebuilt)).correct
    assert practice(seed, answer=[p.first, p.rebuilt]).correct
    assert practice(seed, answer={"first": p.first, "rebuilt": p.rebuilt}).correct


def test_misconceptions_are_named():
    s = _seed(lambda p: p.rebuilt > 1)
    p = build_problem(s)
    assert "rebuilds only the step whose input changed" in practice(s, answer=(p.first, 1)).message
    s = _seed(lambda p: p.first == 0)
    assert "makes no layer" in practice(s, answer=(len(build_problem(s).steps), 1)).message
    layer_step = next(n for n in range(1, len(build_problem(s).steps)) if build_problem(s).is_layer(n))
    assert "touches only the config" in practice(s, answer=(layer_step, 1)).message
    s = _seed(lambda p: any(not p.is_layer(n) for n in range(2, len(p.steps))) and p.first)
    p = build_problem(s)
    config_step = next(n for n in range(2, len(p.steps) + 1) if not p.is_layer(n))
    assert "every instruction adds a layer" in practice(s, answer=(config_step, 1)).message


@pytest.mark.parametrize(
    "bad", ["4, 3", (4,), (4, 3, 2), (-1, 2), (1.5, 2), (True, 1), {"first": 1}, b"x", 7], ids=repr
)
def test_bad_answers_say_what_was_expected(bad):
    fb = practice(3, answer=bad)
    assert fb.status == "incorrect" and ("whole numbers" in fb.message or "at least 0" in fb.message)
    with pytest.raises(ValueError):
        parse_answer(bad)


def test_missing_and_bad_seeds():
    assert practice(3, answer=...).status == "missing"
    fb = practice("x")
    assert fb.status == "incorrect" and "seed" in fb.message


def test_solution_is_the_worked_answer():
    from widgets.learning.buildpractice import solution

    for seed in range(30):
        assert practice(seed, answer=solution(seed)).correct


def test_check_practice_is_practice_with_an_answer():
    from widgets.learning.buildpractice import check_practice, solution

    assert check_practice(9, solution(9)).correct and check_practice(9, ...).status == "missing"
