"""Helpers the layers tests of several floors share."""

from __future__ import annotations

import csv

from widgets.core import data


def read_csv(name: str) -> dict[str, dict[str, str]]:
    """A data file read with the csv module alone (independent of widgets.core.data)."""
    with open(data.data_dir() / name, encoding="utf-8", newline="") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


SIZES = read_csv("image_sizes.csv")
