"""The course's units and formatting: durations, dollars, shares and percentages as every lesson writes them."""

from __future__ import annotations

from widgets.core.units import format_ms, format_percent


def test_format_ms():
    assert format_ms(1.0) == "1 ms" and format_ms(1193.1) == "1.19 s" and format_ms(810200) == "13.5 min"


def test_format_percent_never_rounds_up_to_100():
    assert format_percent(100) == "100%" and format_percent(99.9974) == "99.997%"
    assert format_percent(98.91) == "98.9%" and format_percent(99.99999999) == "99.999999%"
