"""Lesson 05's rule exercise, practice and subset predictions: feedback for every input, never a traceback."""

from __future__ import annotations

import pytest

from widgets.learning import rulelab
from widgets.learning.predict import Mistake, journal


def test_a_right_prediction_is_correct_and_journalled():
    out = rulelab.check_rule(["openat"], "errno", [], {"open-file": "EPERM", "open-shadow": "EPERM"}, live="off")
    assert out.status == "correct" and "not measured here" in out.feedback.message
    assert journal().entries[-1].exercise == "rule lab" and journal().entries[-1].status == "correct"
    assert "<table" in out._repr_html_() and "open-shadow" in str(out)


def test_seccomp_before_permissions_and_eperm_versus_kill_are_explained():
    out = rulelab.check_rule("openat", "errno", (), {"open-file": "EPERM", "open-shadow": "EACCES"}, live="off")
    assert out.status == "incorrect" and "before any permission check" in out.feedback.message
    out = rulelab.check_rule(["sethostname"], "kill", [], {"hostname": "EPERM"}, live="off")
    assert "dies of SIGSYS" in out.feedback.message
    out = rulelab.check_rule([], "errno", ["CAP_NET_BIND_SERVICE"], {"low-port": "EPERM"}, live="off")
    assert "EACCES" in out.feedback.message and "Not every refused privilege is EPERM" in out.feedback.message
    out = rulelab.check_rule([], "errno", ["CAP_KILL"], {"kill-pid1": "allowed"}, live="off")
    assert "holds the host's powers" in out.feedback.message


@pytest.mark.parametrize(
    ("rule", "prediction", "words"),
    [
        ((["write"], "errno", []), {}, "cannot be denied"),
        ((["opnat"], "errno", []), {}, "did you mean openat"),
        (([], "sometimes", []), {}, "on_deny"),
        (([], "errno", []), "hostname: EPERM", "a dict of the actions"),
        (([], "errno", []), {"reboot": "EPERM"}, "not one of the actions"),
        (([], "errno", []), {"hostname": 1}, "an outcome is"),
    ],
)
def test_bad_rules_and_predictions_get_feedback_not_a_traceback(rule, prediction, words):
    out = rulelab.check_rule(*rule, prediction, live="off")
    assert out.status == "incorrect" and words in out.feedback.message and out.feedback.hint


@pytest.mark.parametrize("empty", [..., None, ""])
def test_an_empty_prediction_is_missing(empty):
    assert rulelab.check_rule(["openat"], "errno", [], empty, live="off").status == "missing"


def test_practice_shows_checks_and_solves():
    problem = repr(rulelab.practice(4))
    assert problem.startswith("Practice #4") and problem == repr(rulelab.practice(4))
    worked = repr(rulelab.practice(4, show=True))
    answers = [line.split(": ", 1)[1].split(", because")[0] for line in worked.splitlines()[1:]]
    assert rulelab.practice(4, answer=answers).correct
    assert not rulelab.practice(4, answer=["allowed"] * 3).correct or answers == ["allowed"] * 3


@pytest.mark.parametrize(("seed", "answer"), [("x", None), (-2, None), (1, "EPERM"), (1, ["EPERM"]), (1, [1, 2, 3])])
def test_practice_refuses_hostile_input_with_feedback(seed, answer):
    out = rulelab.practice(seed, answer=answer)
    assert out.status == "incorrect"


def test_subset_predictions_are_checked_with_their_mistakes():
    names = ("sethostname", "chroot", "raw socket", "lo flags")
    assert len(rulelab.subset_options(names)) == 16 and rulelab.subset_options(names)[0] == "none"
    out = rulelab.check_subset("caps", ["lo flags", "sethostname"], ["sethostname", "lo flags"], names)
    assert out.correct and journal().entries[-1].prediction == "sethostname + lo flags"
    raw = Mistake(why="Docker keeps CAP_NET_RAW", test=lambda p: "raw socket" in p)
    out = rulelab.check_subset("caps", ["raw socket"], ["sethostname"], names, mistakes=[raw])
    assert not out.correct and "Docker keeps CAP_NET_RAW" in out.message
    assert rulelab.check_subset("caps", ..., ["chroot"], names).status == "missing"
    assert "not one of" in rulelab.check_subset("caps", ["ping"], ["chroot"], names).message
    assert "a list of names" in rulelab.check_subset("caps", 3, ["chroot"], names).message
    assert rulelab.check_subset("caps", [], [], names).correct


@pytest.mark.parametrize("empty", [..., ""])
def test_an_empty_practice_answer_is_missing(empty):
    assert rulelab.practice(1, answer=empty).status == "missing"


def test_check_practice_is_practice_with_an_answer():
    answers = list(rulelab.practice_answers(9))
    assert rulelab.check_practice(9, answers).correct and rulelab.check_practice(9, ...).status == "missing"
