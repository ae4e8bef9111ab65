"""``make latency`` keeps working: its two reference rows are measured in real JupyterLab (behaviour, not speed)."""

from __future__ import annotations

import math
import os

import pytest

from tools import latency
from tools.browser import find_chromium

REQUIRED = os.environ.get("COURSE_REQUIRE_BROWSER") == "1"
pytestmark = pytest.mark.browser
if find_chromium() is None:
    pytestmark = [pytest.mark.browser, pytest.mark.skipif(
        not REQUIRED, reason="no system Chromium found: install Debian's `chromium`; the latency tool is not run")]


def test_reference_rows_are_timed_from_change_to_paint():
    rows = latency.measure(changes=3, only=("no lesson",))  # the scratch baseline notebook only
    assert [(r[0], r[1], r[2], r[5]) for r in rows] == [("–", "baseline-text", "input", 3),
                                                        ("–", "baseline-figure", "input", 3)]
    for _lesson, _name, _kind, median, p95, _n in rows:
        assert math.isfinite(median) and 0 < median <= p95
    table = latency.table(rows)
    assert table.count("\n| – | baseline-") == 2 and "p95 ≤ 50 ms" in table
