"""Predict, then verify: the gap explained, the mistake named, the prediction kept beside the outcome."""

from __future__ import annotations

import pytest

from widgets.learning import predict
from widgets.learning.predict import Mistake, check_prediction, journal


@pytest.fixture(autouse=True)
def _fresh_journal(monkeypatch):
    monkeypatch.setattr(predict, "_JOURNAL", predict.Journal())


def test_a_close_number_is_right_and_kept():
    f = check_prediction("ring exits", "2", 2, unit="exits")
    assert f.correct and "matches the run" in f.message
    assert [(e.exercise, e.prediction, e.outcome) for e in journal().entries] == [("ring exits", 2.0, 2)]
    assert "ring exits: predicted 2 exits, the run gave 2 exits" in repr(journal())


def test_a_known_mistake_is_named_with_its_mechanism():
    mistakes = [
        Mistake(
            "one exit per byte is the emulated serial port; the ring is read in one go",
            value=4097,
            like="thinking a virtio device is an emulated one",
        )
    ]
    f = check_prediction("ring exits", 4097, 2, unit="exits", mistakes=mistakes, explanation="One doorbell, one halt.")
    assert not f.correct and "You predicted 4097 exits; the run gave 2 exits (less than you thought)" in f.message
    assert "emulated serial port" in f.message and "common mistake" in f.message and "One doorbell" in f.message
    assert journal().entries[-1].note.startswith("one exit per byte")


def test_a_recheck_replaces_the_earlier_entry_and_the_table_lists_both_values():
    check_prediction("rounds", 3, 5, unit="rounds")
    check_prediction("rounds", 5, 5, unit="rounds")
    assert len(journal().entries) == 1 and journal().entries[0].status == "correct"
    table = journal()._repr_html_()
    assert "<caption>Your predictions in this session</caption>" in table and "<th scope='col'>" in table


@pytest.mark.parametrize(
    ("answer", "words"), [("abc", "must be a number"), (True, "must be a number"), (float("nan"), "not a number")]
)
def test_wrong_types_say_what_was_expected_with_the_unit(answer, words):
    f = check_prediction("rounds", answer, 5, unit="rounds")
    assert f.status == "incorrect" and words in f.message and "in rounds was expected" in f.message
    assert journal().entries == []


@pytest.mark.parametrize("answer", [None, ..., "  "])
def test_no_prediction_yet(answer):
    f = check_prediction("rounds", answer, 5)
    assert f.status == "missing" and "before you run the lab" in f.message and journal().entries == []


def test_choices():
    mistakes = [Mistake("the filter is applied in the child only", value="the host")]
    f = check_prediction(
        "which call fails", "The host", "uname", options=["uname", "getpid", "the host"], mistakes=mistakes
    )
    assert not f.correct and "applied in the child" in f.message
    assert check_prediction("which call fails", "uname", "uname", options=["uname", "getpid"]).correct
    bad = check_prediction("which call fails", "open", "uname", options=["uname", "getpid"])
    assert bad.status == "incorrect" and "must be one of" in bad.message


def test_bad_exercise_name():
    with pytest.raises(ValueError, match="short name"):
        check_prediction("", 1, 1)
