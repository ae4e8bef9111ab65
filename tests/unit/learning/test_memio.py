"""The predict-then-run checks of lesson 01's I/O and memory sections."""

from __future__ import annotations

import pytest

from widgets.learning.memio import check_migration_rounds, check_ring_exits


@pytest.mark.parametrize(
    ("answer", "verdict", "words"),
    [
        (3, "correct", "plus the hlt: 3"),
        ("3", "correct", "2 doorbell exit(s)"),
        (4097, "incorrect", "UART's count"),
        (5, "incorrect", "not once per descriptor"),
        (2, "incorrect", "the final hlt"),
        (..., "missing", "still empty"),
    ],
)
def test_ring_exits(answer, verdict, words):
    fb = check_ring_exits(answer, 4096, 1024, 2)
    assert fb.status == verdict and words in str(fb)


@pytest.mark.parametrize(("answer", "verdict"), [(5, "correct"), (4, "incorrect"), (6, "incorrect"), (None, "missing")])
def test_migration_rounds(answer, verdict):
    fb = check_migration_rounds(answer, 2000, 1000, 50, 50)
    assert fb.status == verdict
    if verdict == "correct":
        assert "2,000, 800, 320, 128, 51.2 MB" in str(fb) and "downtime 164 ms" in str(fb)


def test_migration_that_cannot_converge_explains_why():
    fb = check_migration_rounds(1, 2000, 1000, 200, 50)
    assert fb.status == "correct" and "cannot converge" in str(fb)


# -- predict, then verify ------------------------------------------------------------------------------------
from widgets.labs.kvmio import io_lab  # noqa: E402
from widgets.learning.memio import check_migration_prediction, check_ring_prediction  # noqa: E402
from widgets.learning.predict import journal  # noqa: E402


@pytest.mark.parametrize(
    ("prediction", "verdict", "words"),
    [
        (3, "correct", "2 doorbell(s), each one exit"),
        (4097, "incorrect", "every byte a guest sends is an exit"),
        (5, "incorrect", "batching changes nothing"),
        (2, "incorrect", "only I/O leaves the guest"),
        (..., "missing", "no prediction yet"),
        ("three", "incorrect", "exits was expected"),
    ],
)
def test_check_ring_prediction(prediction, verdict, words):
    fb = check_ring_prediction(prediction, io_lab("ring-port", 4096, 1024, 2, live="off"), 1024)
    assert fb.status == verdict and words in str(fb)
    if isinstance(prediction, int):
        assert "the model's count: KVM not used here" in str(fb)
        assert journal().entries[-1].exercise == "ring exits" and journal().entries[-1].outcome == 3


def test_check_ring_prediction_wants_the_lab():
    with pytest.raises(ValueError, match="io_lab"):
        check_ring_prediction(3, {"exits": 3}, 1024)


@pytest.mark.parametrize(
    ("prediction", "verdict", "words"),
    [
        (5, "correct", "2,000, 800, 320, 128, 51.2 MB"),
        (0, "incorrect", "can never be migrated live"),
        (1, "incorrect", "one copy of the memory"),
        (4, "incorrect", "still above the 50 MB threshold"),
        (6, "incorrect", "stop-and-copy round is not a pre-copy round"),
    ],
)
def test_check_migration_prediction(prediction, verdict, words):
    fb = check_migration_prediction(prediction, 2000, 1000, 50, 50)
    assert fb.status == verdict and words in str(fb)


def test_check_migration_prediction_that_cannot_converge():
    fb = check_migration_prediction(0, 2000, 1000, 200, 50)
    assert fb.correct and "cannot converge" in str(fb)


def test_io_problem_says_how_a_last_incomplete_batch_is_rung():
    from widgets.learning.memio import io_problem

    rings = [p for p in (io_problem(s) for s in range(60)) if p.given.get("path", "serial") != "serial"]
    assert rings, "some seeds give a ring problem"
    for p in rings:
        assert "descriptor(s)" not in p.question and "and after the last" not in p.question
        assert "a last, incomplete batch gets one more doorbell" in p.question


def test_migration_threshold_of_the_exercise_is_not_decided_by_a_few_mb():
    from widgets.learning.memio import check_migration_prediction
    from widgets.models.migration import migrate, precopy

    m = precopy(2000, 1000, 50, None, 40)
    left = [r.sent_mb for r in m.rounds]
    assert m.precopy_rounds == 5 and left[4] > 40 * 1.25 and left[5] < 40 / 1.5
    assert check_migration_prediction(5, 2000, 1000, 50, 40).correct
    assert "still above the 40 MB threshold" in str(check_migration_prediction(4, 2000, 1000, 50, 40))
    assert migrate().threshold_mb == 40
