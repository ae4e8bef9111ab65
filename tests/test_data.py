"""data/: every file described, typed, sourced; the loader refuses bad files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from widgets.core import data

DATA = Path(data.data_dir())


def test_every_resource_loads_and_validates():
    counts = data.validate_all()
    assert counts and all(n > 0 for n in counts.values())
    assert {
        "startup_times",
        "image_sizes",
        "felter2014_performance",
        "escape_cves",
        "namespaces",
        "cloud_prices",
    } <= set(counts)


def test_every_resource_has_schema_units_sources_and_description():
    meta = data.package()
    top = {s["id"]: s for s in meta["sources"]}
    for s in top.values():
        assert s.get("title"), f"source {s['id']} has no title"
    for res in meta["resources"]:
        assert res.get("description") and res.get("title"), res["name"]
        assert res["schema"]["fields"], res["name"]
        assert res["sources"], f"{res['name']} names no source"
        for src in res["sources"]:
            assert src["id"] in top
        for f in res["schema"]["fields"]:
            if f["name"].endswith(("_ms", "_bytes", "_usd", "_mb")):
                assert f.get("unit"), f"{res['name']}.{f['name']} has a unit suffix but no unit"


def test_course_check_finds_no_data_problem(root):
    import subprocess
    import sys

    tool = root.parent / "shared" / "tools" / "course_check.py"
    if not tool.exists():
        pytest.skip("shared/tools/course_check.py is not beside this checkout")
    out = subprocess.run(
        [sys.executable, str(tool), str(root)], capture_output=True, text=True, timeout=60, check=False
    ).stdout
    data_lines = [line for line in out.splitlines() if "data/" in line or "resource" in line]
    assert not data_lines, data_lines


def test_prices_are_dated_and_labelled_secondary():
    prices = data.load("cloud_prices")
    for row in prices:
        assert row["confidence"] == "secondary"
        assert row["date_seen"], row["id"]
        assert "re-check" in row["note"]


def test_citations_are_full():
    table = data.load("startup_times")
    cites = table.citations()
    assert any("Mao" in c and "2012" in c for c in cites)
    row = table.row(id="ec2_linux_m1small")
    assert table.cite(row).startswith("M. Mao 2012")
    assert table.cite(table.row(id="firecracker_boot_p99_nsdi")).endswith("secondary")


def test_table_helpers():
    table = data.load("startup_times")
    assert table.where(kind="cloud-vm").column("kind") == ["cloud-vm"] * len(table.where(kind="cloud-vm"))
    assert table.array("value_ms").min() >= 0
    with pytest.raises(ValueError, match="no column 'nope'"):
        table.column("nope")
    with pytest.raises(ValueError, match="not numeric"):
        table.array("subject")
    with pytest.raises(ValueError, match="expected exactly 1"):
        table.row(kind="cloud-vm")
    with pytest.raises(ValueError, match="no data set named 'nope'"):
        data.load("nope")


@pytest.fixture()
def broken_copy(tmp_path, monkeypatch):
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    monkeypatch.setenv("COURSE_DATA_DIR", str(copy))
    return copy


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda t: t.replace(",1193.1,", ",fast,", 1), "not a valid number"),
        (lambda t: t.replace(",gvisor_perf,verified,", ",gvisor_perf,probably,", 1), "confidence"),
        (lambda t: t.replace(",gvisor_perf,", ",nobody2024,", 1), "nobody2024"),
        (lambda t: t.replace("id,subject", "ident,subject", 1), "does not match the schema"),
        (lambda t: t + "extra,row\n", "cells, expected"),
    ],
)
def test_loader_refuses_broken_files(broken_copy, edit, words):
    path = broken_copy / "startup_times.csv"
    path.write_text(edit(path.read_text()))
    with pytest.raises(data.DataError, match=words):
        data.load("startup_times")


def test_unlisted_file_is_refused(broken_copy):
    (broken_copy / "stray.csv").write_text("a\n1\n")
    with pytest.raises(data.DataError, match="not described"):
        data.validate_all()


def test_missing_source_description_is_refused(broken_copy):
    meta = json.loads((broken_copy / "datapackage.json").read_text())
    meta["sources"] = [s for s in meta["sources"] if s["id"] != "mao2012"]
    (broken_copy / "datapackage.json").write_text(json.dumps(meta))
    with pytest.raises(data.DataError, match="not described"):
        data.load("startup_times")
