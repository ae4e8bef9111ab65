"""Lesson 02's edit exercise: the check validates the set and the prediction, runs it, explains, journals."""

from __future__ import annotations

import pytest

from widgets.labs import nsrun
from widgets.labs.base import LabFailed
from widgets.learning import nsedit
from widgets.learning.predict import journal

FULL = ["user", "pid", "uts", "mount", "net"]


def test_right_prediction_of_the_default_set_is_correct_and_journalled():
    fb = nsedit.check_namespace_set(FULL, nsedit.EXAMPLE, live="off", exercise="test ns full")
    assert fb.correct, fb.message
    assert "recorded on 2026-12-03" in fb.message  # the fallback says it is one
    entry = next(e for e in journal().entries if e.exercise == "test ns full")
    assert entry.status == "correct" and "mount, network, pid, user, uts" in entry.note


def test_a_wrong_field_is_named_with_the_mechanism_it_missed():
    fb = nsedit.check_namespace_set(["user", "pid"], nsedit.EXAMPLE, live="off")
    assert fb.status == "incorrect"
    assert "3 of 5 fields differ" in fb.message
    assert "without a mount namespace" in fb.message  # processes: the host's /proc
    assert "UTS namespace" in fb.message


def test_refused_is_predicted_or_missed():
    assert nsedit.check_namespace_set(["pid", "net"], "refused", live="off").correct
    fb = nsedit.check_namespace_set(["pid", "net"], nsedit.EXAMPLE, live="off")
    assert not fb.correct and "refused" in fb.message and "EPERM" in fb.message
    fb = nsedit.check_namespace_set(["user"], "refused", live="off")
    assert not fb.correct and "the unshare worked" in fb.message


@pytest.mark.parametrize(
    ("names", "prediction", "words"),
    [
        ("pid", "refused", "must be a list"),
        (["pid", "nett"], "refused", "not a namespace type"),
        ([1], "refused", "a name in quotes"),
        (FULL, {"pid": 1}, "missing hostname"),
        (FULL, 42, "'refused' or a dict"),
    ],
)
def test_bad_input_gets_feedback_not_a_traceback(names, prediction, words, monkeypatch):
    monkeypatch.setattr(nsrun, "run_child", lambda *a, **k: pytest.fail("a child was started"))
    fb = nsedit.check_namespace_set(names, prediction)
    assert fb.status == "incorrect" and words in fb.message and fb.hint


def test_missing_answers_say_so():
    assert nsedit.check_namespace_set(..., nsedit.EXAMPLE).status == "missing"
    assert nsedit.check_namespace_set(FULL, ...).status == "missing"
    assert nsedit.check_namespace_set(FULL, None).status == "missing"


def test_a_timed_out_run_falls_back_to_the_recording_and_explains(monkeypatch):
    def stopped(*a, **k):
        raise LabFailed("the lab's child did not finish within the timeout of 1 s")

    monkeypatch.setattr(nsrun, "run_namespaces", stopped)
    fb = nsedit.check_namespace_set(FULL, nsedit.EXAMPLE, live="on")
    assert fb.correct and "did not complete" in fb.message and "timeout" in fb.message


def test_a_refusal_with_a_user_namespace_is_not_blamed_on_permissions(monkeypatch):
    real = nsrun.run_namespaces

    def old_kernel(names, **kw):
        run = real(names, live="off")
        import dataclasses

        return dataclasses.replace(run, view="refused", observed={"refused": "unshare(...) failed: EINVAL"})

    monkeypatch.setattr(nsrun, "run_namespaces", old_kernel)
    fb = nsedit.check_namespace_set(["user", "time"], nsedit.EXAMPLE)
    assert not fb.correct and "EINVAL" in fb.message and "not the permission rule" in fb.message
