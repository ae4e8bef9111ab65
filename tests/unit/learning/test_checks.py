"""Exercise checks explain the mistake, not only that there is one."""

from __future__ import annotations

import pytest

from widgets import check_choice, check_number


@pytest.mark.parametrize("missing", [None, ..., "", "  "])
def test_missing_answer_is_not_wrong_but_missing(missing):
    fb = check_number(missing, 2.0)
    assert fb.status == "missing" and not fb
    assert "replace the ..." in fb.hint


def test_correct_answer_explains():
    fb = check_number(2.01, 2.0, rel_tol=0.01, explanation="because log10(100) = 2")
    assert fb.correct and bool(fb)
    assert "because log10(100) = 2" in fb.message
    assert "Correct" in fb._repr_html_()


def test_unit_mistakes_are_named():
    fb = check_number(2000, 2.0, unit="s")
    assert not fb.correct and "unit" in fb.message and "s" in fb.hint
    assert "1/1000" in check_number(0.002, 2.0).message
    assert "60×" in check_number(120, 2.0).message


def test_sign_closeness_and_direction():
    assert "wrong sign" in check_number(-2, 2).message
    assert "close" in check_number(2.08, 2.0, rel_tol=0.02).message
    assert "too large" in check_number(5, 2).message
    assert "too small" in check_number(1, 2).message


def test_text_instead_of_number():
    fb = check_number("two", 2)
    assert fb.status == "incorrect" and "must be a number" in fb.message


def test_choice_feedback_per_option():
    why = {"vm": "no hypervisor evidence"}
    assert check_choice("Container", "container").correct
    assert check_choice(" container ", "container").correct
    wrong = check_choice("vm", "container", why=why)
    assert not wrong.correct and wrong.message == "no hypervisor evidence"
    unknown = check_choice("toaster", "container", why=why)
    assert "not one of the options" in unknown.message and "'vm'" in unknown.hint
    assert check_choice(3, "container").status == "incorrect"
    assert check_choice(None, "container").status == "missing"


def test_feedback_renders_as_text_and_html():
    fb = check_number(1, 2, hint="double it")
    assert str(fb).startswith("✘ Not yet") and "Hint: double it" in str(fb)
    assert "cvm-incorrect" in fb._repr_html_() and "double it" in fb._repr_html_()


def test_check_choice_accepts_multi_word_options_as_written():
    from widgets.learning.checks import check_choice

    expected = "managed container platform (e.g. ECS, GKE)"
    assert check_choice(expected, expected).status == "correct"
    assert check_choice("  Managed container platform (e.g. ecs, gke) ", expected).status == "correct"
    wrong = check_choice("containers (self-managed)", expected, why={"containers (self-managed)": "a strong team only"})
    assert wrong.status == "incorrect" and wrong.message == "a strong team only"
    other = check_choice("banana", expected)
    assert other.status == "incorrect" and repr(expected) in other.hint
