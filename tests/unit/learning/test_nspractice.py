"""Seeded practice "which namespace hides what": deterministic sets, answers from the model, feedback, bad input."""

from __future__ import annotations

import pytest

from widgets.learning.nspractice import namespace_set, practice
from widgets.models import nsview


def test_same_seed_same_set_and_many_sets():
    assert namespace_set(17) == namespace_set(17)
    sets = {namespace_set(s) for s in range(400)}
    assert len(sets) > 100
    assert any("user" not in s for s in sets) and all(s for s in sets)  # some are refused, none is empty


@pytest.mark.parametrize("seed", range(0, 200, 9))
def test_the_models_view_is_the_right_answer(seed):
    view = nsview.expected_view(namespace_set(seed))
    assert practice(seed, answer=view).correct
    assert f"#{seed}" in repr(practice(seed)) and "Worked answer" in repr(practice(seed, show=True))


def test_wrong_fields_are_explained_with_the_set_in_mind():
    seed = next(s for s in range(500) if {"user", "pid"} <= set(namespace_set(s)) and "mount" not in namespace_set(s))
    view = nsview.expected_view(namespace_set(seed))
    fb = practice(seed, answer=view | {"processes": "own"})
    assert not fb.correct and "without a mount namespace" in fb.message
    refused = next(s for s in range(500) if "user" not in namespace_set(s))
    fb = practice(refused, answer=dict.fromkeys(nsview.FIELDS, "host"))
    assert not fb.correct and "EPERM" in fb.message
    fb = practice(seed, answer="refused")
    assert not fb.correct and "has a user namespace" in fb.message


@pytest.mark.parametrize("bad", [{"pid": 1}, ["pid"], 42, {"pid": 7, "hostname": "x"}], ids=repr)
def test_bad_answers_say_what_was_expected(bad):
    fb = practice(3, answer=bad)
    assert fb.status == "incorrect" and fb.hint


def test_missing_and_bad_seeds():
    assert practice(3, answer=...).status == "missing"
    assert practice(-1).status == "incorrect" and "seed" in practice(-1).message


def test_solution_is_the_worked_answer():
    from widgets.learning.nspractice import solution

    assert all(practice(s, answer=solution(s)).correct for s in range(40))


def test_check_practice_is_practice_with_an_answer():
    from widgets.learning.nspractice import check_practice, solution

    assert check_practice(9, solution(9)).correct and check_practice(9, ...).status == "missing"
