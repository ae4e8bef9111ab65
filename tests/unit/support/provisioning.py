"""Helpers the provisioning tests of several floors share."""

from __future__ import annotations

import csv

from widgets.core import data

#: Every numeric input: (argument, name in messages).
NUMERIC = [
    ("api_s", "placement time"),
    ("image_size_mb", "image size"),
    ("custom_rate_mb_s", "custom transfer rate"),
    ("boot_s", "boot time"),
    ("services_s", "app start time"),
    ("health_s", "health check time"),
]


def read_csv(name: str) -> dict[str, dict[str, str]]:
    """A data file read with the csv module alone (independent of widgets.core.data)."""
    with open(data.data_dir() / name, encoding="utf-8", newline="") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}
