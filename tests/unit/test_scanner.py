"""The offline vulnerability scan: range semantics, the advisory snapshot, the example inventories."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from widgets import data, envcheck, scanner


def _in(spec: str, version: str) -> bool:
    return any(scanner.in_range(s, Version(version)) for s in scanner.parse_affected(spec))


@pytest.mark.parametrize(("spec", "version", "expected"), [
    ("<2.31.0", "2.30.0", True),
    ("<2.31.0", "2.31.0", False),  # fixed version: exclusive upper bound
    (">=2.3.0,<2.31.0", "2.3.0", True),  # introduced: inclusive lower bound
    (">=2.3.0,<2.31.0", "2.2.1", False),
    ("<=1.0", "1.0", True),
    (">1.0", "1.0", False),
    ("<2.0.0", "2.0.0rc1", True),  # a pre-release of the fix came before it: affected
    ("<2.0.0", "1.9.9rc1", True),
    (">=2.0.0,<2.0.6", "2.0.6rc1", True),
    (">=2.0.0,<2.0.6", "2.0.0rc1", False),  # before the range starts
    ("<6.3.0a0", "6.2.0rc2", True),
    ("<6.3.0a0", "6.3.0a0", False),
    ("<2.0", "1!1.0", False),  # epoch 1 sorts after every epoch-0 version
    (">=1!0.5", "1!1.0", True),
    ("<1.0", "1.0+local", False),  # a local build of the fixed version sorts after it
    ("<1.0.1", "1.0+local", True),
    ("==1.0", "1.0+local", True),  # == without a local label ignores the local label (PEP 440)
    ("<1.26.17|>=2.0.0,<2.0.6", "1.26.16", True),
    ("<1.26.17|>=2.0.0,<2.0.6", "1.26.17", False),
    ("<1.26.17|>=2.0.0,<2.0.6", "2.0.5", True),
    ("<1.26.17|>=2.0.0,<2.0.6", "2.0.6", False),
])
def test_range_matching_edge_cases(spec, version, expected):
    assert _in(spec, version) is expected


def test_pre_release_differs_from_plain_specifierset_on_purpose():
    # PEP 440 excludes pre-releases of the bound itself from "<V"; advisory ranges must not.
    assert not SpecifierSet("<2.0.0").contains(Version("2.0.0rc1"), prereleases=True)
    assert _in("<2.0.0", "2.0.0rc1")


@pytest.mark.parametrize("bad", ["", "   ", "<<1", "<1|", "abc", None, 3])
def test_parse_affected_refuses_bad_ranges(bad):
    with pytest.raises(ValueError, match="affected range"):
        scanner.parse_affected(bad)


def test_every_advisory_row_is_valid():
    table = data.load("advisories")
    assert 12 <= len(table) <= 20
    advisories = scanner.load_advisories()
    assert len(advisories) == len(table)
    for row, adv in zip(table, advisories, strict=True):
        assert row["confidence"] == "verified" and row["source"] == "pypa_advisory_db"
        assert row["note"].startswith(f"vulns/{row['package']}/{row['id']}.yaml")
        assert adv.package == envcheck.normalize(row["package"]) == row["package"]
        assert isinstance(adv.published, dt.date) and dt.date(2010, 1, 1) < adv.published < dt.date(2026, 11, 27)
        assert len(adv.fixed) == len(adv.ranges)
        for rng, fixed in zip(adv.ranges, adv.fixed, strict=True):
            assert not scanner.in_range(rng, Version(fixed)), (adv.id, fixed)
            assert any(s.operator == "<" and s.version == fixed for s in rng), (adv.id, fixed)
        assert all(a.startswith(("CVE-", "GHSA-", "SNYK-")) for a in adv.aliases)
        assert any(a.startswith("CVE-") for a in adv.aliases)
        assert adv.citation.startswith("Python Packaging Authority")


def test_advisory_csv_rows_are_unique_and_quoted_correctly():
    with open(data.data_dir() / "advisories.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len({r["id"] for r in rows}) == len(rows)
    assert {r["id"] for r in rows if "|" in r["affected"]} == {"PYSEC-2023-192", "PYSEC-2023-212"}


def test_example_inventories_come_from_the_lock():
    lock = scanner.inventory_from_lock(envcheck.LOCK)
    ex = scanner.EXAMPLE_IMAGES
    assert set(ex) == {"minimal", "full", "older"}
    assert dict(ex["full"].inventory) == lock and len(lock) == 114
    assert set(ex["minimal"].inventory) == set(scanner.MINIMAL_PACKAGES)
    assert all(lock[n] == v for n, v in ex["minimal"].inventory.items())
    older = ex["older"].inventory
    assert {n for n in lock if older[n] != lock[n]} == set(scanner.OLDER_PINS)
    assert "synthetic" in ex["older"].description and "course's lock" in ex["full"].description


def test_lock_versions_have_no_findings_and_older_example_has_eight():
    scans = {k: scanner.scan(e.inventory, label=k) for k, e in scanner.EXAMPLE_IMAGES.items()}
    assert scans["minimal"].counts == {"packages": 7, "findings": 0, "affected_packages": 0, "invalid": 0}
    assert scans["full"].counts == {"packages": 114, "findings": 0, "affected_packages": 0, "invalid": 0}
    older = scans["older"]
    assert older.counts == {"packages": 114, "findings": 8, "affected_packages": 7, "invalid": 0}
    assert [(f.package, f.version, f.advisory) for f in older.findings] == [
        ("certifi", "2023.5.7", "PYSEC-2023-135"), ("idna", "3.6", "PYSEC-2024-60"),
        ("jinja2", "2.11.2", "PYSEC-2021-66"), ("pyyaml", "5.3.1", "PYSEC-2021-142"),
        ("requests", "2.30.0", "PYSEC-2023-74"), ("tornado", "6.3.1", "PYSEC-2023-75"),
        ("urllib3", "2.0.4", "PYSEC-2023-192"), ("urllib3", "2.0.4", "PYSEC-2023-212"),
    ]
    # each synthetic downgrade hits the advisory OLDER_PINS names for it
    for f in older.findings:
        assert f.advisory in scanner.OLDER_PINS[f.package][1]
    assert "8 finding(s) in 7 package(s)" in scanner.summarize(older)
    assert "no findings" in scanner.summarize(scans["full"])
    text = scanner.findings_summary(scans)
    assert "minimal 7 packages / 0 findings" in text and "older 114 packages / 8 findings" in text
    assert "versions matter" in text


def test_summary_detects_when_fewer_packages_means_more_findings():
    adv = scanner.load_advisories()
    small = scanner.scan({"requests": "2.30.0"}, adv, label="small")
    big = scanner.scan({"requests": "2.34.2", "numpy": "2.4.6"}, adv, label="big")
    assert "does NOT hold" in scanner.findings_summary({"small": small, "big": big})
    ok = scanner.findings_summary({"small": scanner.scan({}, adv), "big": big})
    assert "no smaller inventory has more findings" in ok
    assert scanner.findings_summary({}) == "No inventories were scanned."


def test_scan_of_this_environment_runs():
    here = scanner.inventory_here()
    result = scanner.scan(here, label="this kernel")
    assert isinstance(result, scanner.Scan) and result.packages == len(here) > 0
    assert result.counts["invalid"] == 0
    lock = scanner.inventory_from_lock(envcheck.LOCK)
    for f in result.findings:  # anything found here is in a version the lock does not pin
        assert lock.get(f.package) != f.version


def test_hostile_inventories():
    adv = scanner.load_advisories()
    for bad in (None, [("requests", "2.30.0")], "requests==2.30.0", 3, True):
        with pytest.raises(ValueError, match="mapping of package name"):
            scanner.scan(bad, adv)
    empty = scanner.scan({}, adv)
    assert empty.counts == {"packages": 0, "findings": 0, "affected_packages": 0, "invalid": 0}
    result = scanner.scan({"requests": "abc", "urllib3": True, "idna": None, "": "1.0", 5: "1.0",
                           "certifi": "1" * 5000 + "x", "Requests": "2.30.0", "tornado": " 6.3.1 "}, adv)
    assert result.counts["invalid"] == 6
    assert {(f.package, f.version) for f in result.findings} == {("requests", "2.30.0"), ("tornado", "6.3.1")}
    reasons = {n: why for n, _, why in result.invalid}
    assert reasons["requests"] == "not a PEP 440 version" and reasons["urllib3"] == "the version is not text"
    assert "could not be read" in scanner.summarize(result)
    with pytest.raises(ValueError, match="Advisory objects"):
        scanner.scan({"requests": "2.30.0"}, [{"id": "x"}])
    with pytest.raises(ValueError, match="cannot read the lock file"):
        scanner.inventory_from_lock("/nonexistent/requirements.lock")


def test_findings_figure_and_html():
    adv = scanner.load_advisories()
    scans = {"a": scanner.scan({"numpy": "2.4.6"}, adv, label="a"),
             "b": scanner.scan({"urllib3": "2.0.4", "idna": "3.6", "numpy": "2.4.6"}, adv, label="b")}
    fig = scanner.findings_figure(scans)
    (trace,) = fig.data
    assert list(trace.x) == [1, 3] and list(trace.y) == [0, 3] and list(trace.text) == ["a", "b"]
    assert fig.layout.xaxis.title.text.endswith("(count)") and fig.layout.yaxis.title.text.endswith("(count)")
    with pytest.raises(ValueError, match="mapping of inventory name"):
        scanner.findings_figure({"a": "not a scan"})
    page = scanner.findings_html(scans["b"])
    assert "PYSEC-2023-192" in page and "CVE-2024-3651" in page and "1.26.17 or 2.0.6" in page
    assert "Python Packaging Authority" in page
    evil = scanner.scan({"<script>": "bad version"}, adv, label="<b>x</b>")
    assert "<script>" not in scanner.findings_html(evil) and "&lt;b&gt;" in scanner.findings_html(evil)
    with pytest.raises(ValueError, match="needs a Scan"):
        scanner.findings_html({})


def test_affected_helper_for_the_exercise():
    from widgets.scanner import affected

    assert affected("2.0.5", ">=2.0.0,<2.0.6") and not affected("2.0.6", ">=2.0.0,<2.0.6")
    assert not affected("2.0.0rc1", ">=2.0.0,<2.0.6")  # a pre-release sorts before its release
    assert affected("1.26.16", "<1.26.17|>=2.0.0,<2.0.6")
    with pytest.raises(ValueError, match="not a PEP 440 version"):
        affected("two", "<3")
