"""Lesson 03's edit exercise: the check validates, runs, compares and explains whiteouts and digests."""

from __future__ import annotations

import pytest

from widgets.labs import imageedit
from widgets.learning import imagecheck
from widgets.learning.predict import journal

SOLUTION = imageedit.EXAMPLES[2]
RIGHT = {"files": ["/bin/hello", "/etc/passwd", "/etc/hello/config.json", "/srv/motd"], "new_layers": [4, 5]}


def test_a_right_prediction_is_correct_and_journalled():
    fb = imagecheck.check_image_edit(SOLUTION, RIGHT, live="off", exercise="test image edit")
    assert fb.correct, fb.message
    assert "recorded on 2026-12-03" in fb.message
    assert next(e for e in journal().entries if e.exercise == "test image edit").status == "correct"


def test_the_whiteout_and_digest_misconceptions_are_named():
    wrong = {"files": RIGHT["files"] + ["/etc/os-release"], "new_layers": [1, 4, 5]}
    fb = imagecheck.check_image_edit(SOLUTION, wrong, live="off")
    assert fb.status == "incorrect"
    assert "a whiteout hides the file" in fb.message and "still ship in the lower layer" in fb.message
    assert "sha256 of its own bytes" in fb.message


@pytest.mark.parametrize(
    ("layers", "prediction", "words"),
    [
        ("base", RIGHT, "must be a list"),
        (SOLUTION, {"files": "/bin/hello", "new_layers": []}, "files: a list"),
        (SOLUTION, {"files": ["bin/hello"], "new_layers": []}, "absolute text"),
        (SOLUTION, {"files": [], "new_layers": ["4"]}, "new_layers: a list of layer numbers"),
        (SOLUTION, {"files": []}, "the keys 'files' and 'new_layers'"),
        (SOLUTION, [1, 2], "the keys 'files' and 'new_layers'"),
    ],
)
def test_bad_input_gets_feedback(layers, prediction, words):
    fb = imagecheck.check_image_edit(layers, prediction, live="off")
    assert fb.status == "incorrect" and words in fb.message and fb.hint


def test_missing_answers_say_so():
    assert imagecheck.check_image_edit(..., RIGHT).status == "missing"
    assert imagecheck.check_image_edit(SOLUTION, ...).status == "missing"


def test_a_single_number_is_one_layer():
    assert imagecheck.check_prediction_form({"files": [], "new_layers": 4}) == ([], [4])
