"""Hostile inputs shared by the calculator tests: every numeric input of every
model and widget must answer these with a clear message, never a traceback."""

from __future__ import annotations

import math

#: (value, words the ValueError must contain) for a positive numeric model input.
HOSTILE = [
    (-5, "negative|at least"),
    (float("nan"), "not a number"),
    (float("inf"), "finite"),
    (-math.inf, "finite"),
    (1e30, "at most"),
    ([1], "must be a number"),
    ("", "empty"),
    ("   ", "empty"),
    ("abc", "must be a number"),
    (True, "must be a number"),
    (None, "must be a number"),
    ("1,5", "must be a number"),
]

#: What a learner can type into a calculator's text box.
HOSTILE_TEXT = ["-5", "nan", "inf", "-inf", "1e30", "abc", "", "   ", "True", "[1]", "1,5", "0x"]


def assert_hostile_text_keeps_figure(calc, control: str, name: str, good: str) -> None:
    """Type every :data:`HOSTILE_TEXT` value into ``control``: each time the message names ``name``, the
    figure and summary stay as they were and nothing escapes; then ``good`` recovers."""
    before = [list(t.y) for t in calc.figure.data]
    summary = calc.summary.value
    for value in HOSTILE_TEXT:
        calc.controls[control].value = value
        assert calc.error and name in calc.error, (value, calc.error)
        assert "cvm-error" in calc.status.value and "last valid input" in calc.status.value
        assert [list(t.y) for t in calc.figure.data] == before and calc.summary.value == summary
        assert calc.last_exception is None
    calc.controls[control].value = good  # recovers
    assert calc.error is None and calc.status.value == "" and calc.summary.value == summary
