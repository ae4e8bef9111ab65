"""Lesson 01's edit exercise: the job (print the countdown, halt) and the predicted exits, with the usual
mistakes named, on the model and, where it can, live."""

from __future__ import annotations

import pytest

from widgets.labs.kvm import kvm_status
from widgets.learning import guestedit
from widgets.learning.predict import journal

STATUS = kvm_status()
LIVE = ["off", pytest.param("auto", marks=[pytest.mark.live, pytest.mark.skipif(not STATUS.usable, reason="no KVM")])]
SOLUTION = guestedit.STARTER.replace("'1'", "'9'").replace("inc al", "dec al").replace("'4'", "'/'")


@pytest.mark.parametrize("live", LIVE)
def test_the_solution_with_the_right_prediction_is_correct(live):
    fb = guestedit.check_guest(SOLUTION, 11, live=live)
    assert fb.correct and "the job is done" in fb.message and "IO 10, HLT 1" in fb.message
    assert ("/dev/kvm" in fb.message) is (live != "off")
    assert journal().entries[-1].exercise == "your guest's exits" and journal().entries[-1].outcome == 11


def test_the_starter_is_not_the_job():
    fb = guestedit.check_guest(guestedit.STARTER, 4, live="off")
    assert not fb.correct and "printed '123'" in fb.message and "now make the guest print the target" in fb.hint


@pytest.mark.parametrize(
    ("prediction", "like"),
    [
        (10, "only I/O leaves the guest"),
        (1, "a loop in the guest is one exit"),
        (70, "on every instruction"),
        (0, "runs without the hypervisor"),
    ],
)
def test_common_wrong_predictions_are_named(prediction, like):
    fb = guestedit.check_guest(SOLUTION, prediction, live="off")
    assert not fb.correct and like in fb.message


@pytest.mark.parametrize(
    ("program", "words"),
    [("mov al", "could not be built"), (42, "must be assembly text"), ("", "empty"), ("l: jmp l", "step bound")],
)
def test_broken_programs_are_explained(program, words):
    fb = guestedit.check_guest(program, 3, live="off")
    assert not fb.correct and words in fb.message


@pytest.mark.parametrize("prediction", [..., None, "", "   "])
def test_no_prediction_yet(prediction):
    assert guestedit.check_guest(SOLUTION, prediction, live="off").status == "missing"


def test_a_prediction_that_is_not_a_number():
    fb = guestedit.check_guest(SOLUTION, "eleven", live="off")
    assert not fb.correct and "exits was expected" in fb.message
