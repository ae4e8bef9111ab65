"""The shared input rules: every hostile value gets a clear ValueError."""

from __future__ import annotations

import math

import numpy as np
import pytest

from widgets.core import validate

HOSTILE = [
    (-1, "must not be negative"),
    (float("nan"), "not a number"),
    (float("inf"), "finite"),
    (-math.inf, "finite"),
    ("", "empty"),
    ("   ", "empty"),
    ("abc", "must be a number"),
    (None, "must be a number"),
    (True, "must be a number"),
    ([1], "must be a number"),
    (1e12, "at most"),
    ("nan", "not a number"),
]


@pytest.mark.parametrize(("value", "words"), HOSTILE)
def test_number_rejects_hostile_values_with_clear_words(value, words):
    with pytest.raises(ValueError, match=words):
        validate.number("size", value, minimum=0, maximum=1e6)


@pytest.mark.parametrize(
    ("value", "expected"), [(3, 3.0), ("2.5", 2.5), (" 1e3 ", 1000.0), (np.float64(4.5), 4.5), ("1_000", 1000.0)]
)
def test_number_accepts_numbers_and_numeric_text(value, expected):
    assert validate.number("size", value, minimum=0) == expected


def test_message_names_the_input_and_unit():
    with pytest.raises(ValueError, match=r"^memory must be at most 64 GiB, got 65 GiB$"):
        validate.number("memory", 65, maximum=64, unit="GiB")


def test_zero_can_be_refused():
    with pytest.raises(ValueError, match="must not be zero"):
        validate.number("rate", 0, minimum=0, allow_zero=False)


def test_integer_rules():
    assert validate.integer("n", "7", minimum=1) == 7
    with pytest.raises(ValueError, match="whole number"):
        validate.integer("n", 2.5)
    with pytest.raises(ValueError, match="at least 1"):
        validate.integer("n", 0, minimum=1)
    with pytest.raises(ValueError, match="at most 3"):
        validate.integer("n", 4, maximum=3)


def test_choice_and_order():
    assert validate.choice("mode", "a", ["a", "b"]) == "a"
    with pytest.raises(ValueError, match="must be one of a, b"):
        validate.choice("mode", "c", ["a", "b"])
    validate.ordered("min", 1, "max", 1)
    with pytest.raises(ValueError, match=r"min \(2\) must not be greater than max \(1\)"):
        validate.ordered("min", 2, "max", 1)
