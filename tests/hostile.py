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
