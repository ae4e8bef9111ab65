"""Helpers the overheads tests of several floors share."""

from __future__ import annotations

import csv

from widgets.core import data

HOSTILE_CHOICES = ["", "   ", "abc", "toaster", True, None, float("nan"), -1, 0, 1e30, float("inf"), [1]]


def _csv_rows() -> list[dict[str, str]]:
    with open(data.data_dir() / "felter2014_performance.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
