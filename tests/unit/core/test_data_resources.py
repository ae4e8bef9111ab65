"""Data resources described like the others, and data files whose quoting matters, read without the loader."""

from __future__ import annotations

import csv

from widgets.core import data


def test_new_resource_is_described_like_the_others():
    res = {r["name"]: r for r in data.package()["resources"]}["image_transfer_rates"]
    assert res["path"] == "image_transfer_rates.csv" and [s["id"] for s in res["sources"]] == ["mao2012"]
    fields = {f["name"]: f for f in res["schema"]["fields"]}
    assert list(fields) == ["id", "provider", "rate_mb_per_s", "conditions", "source", "confidence", "note"]
    assert fields["rate_mb_per_s"]["unit"] == "MB/s" and res["schema"]["primaryKey"] == ["id"]
    assert data.validate_all()["image_transfer_rates"] == 3


def test_advisory_csv_rows_are_unique_and_quoted_correctly():
    with open(data.data_dir() / "advisories.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len({r["id"] for r in rows}) == len(rows)
    assert {r["id"] for r in rows if "|" in r["affected"]} == {"PYSEC-2023-192", "PYSEC-2023-212"}
