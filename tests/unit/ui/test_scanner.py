"""The offline vulnerability scan: range semantics, the advisory snapshot, the example inventories."""

from __future__ import annotations

import pytest

from widgets.models import scanner
from widgets.ui import scanner as scanner_ui


def test_lock_versions_have_no_findings_and_older_example_has_eight():
    scans = {k: scanner.scan(e.inventory, label=k) for k, e in scanner.EXAMPLE_IMAGES.items()}
    assert scans["minimal"].counts == {"packages": 7, "findings": 0, "affected_packages": 0, "invalid": 0}
    assert scans["full"].counts == {"packages": 140, "findings": 0, "affected_packages": 0, "invalid": 0}
    older = scans["older"]
    assert older.counts == {"packages": 140, "findings": 8, "affected_packages": 7, "invalid": 0}
    assert [(f.package, f.version, f.advisory) for f in older.findings] == [
        ("certifi", "2023.5.7", "PYSEC-2023-135"),
        ("idna", "3.6", "PYSEC-2024-60"),
        ("jinja2", "2.11.2", "PYSEC-2021-66"),
        ("pyyaml", "5.3.1", "PYSEC-2021-142"),
        ("requests", "2.30.0", "PYSEC-2023-74"),
        ("tornado", "6.3.1", "PYSEC-2023-75"),
        ("urllib3", "2.0.4", "PYSEC-2023-192"),
        ("urllib3", "2.0.4", "PYSEC-2023-212"),
    ]
    # each synthetic downgrade hits the advisory OLDER_PINS names for it
    for f in older.findings:
        assert f.advisory in scanner.OLDER_PINS[f.package][1]
    assert "8 finding(s) in 7 package(s)" in scanner_ui.summarize(older)
    assert "no findings" in scanner_ui.summarize(scans["full"])
    text = scanner_ui.findings_summary(scans)
    assert "minimal 7 packages / 0 findings" in text and "older 140 packages / 8 findings" in text
    assert "versions matter" in text


def test_summary_detects_when_fewer_packages_means_more_findings():
    adv = scanner.load_advisories()
    small = scanner.scan({"requests": "2.30.0"}, adv, label="small")
    big = scanner.scan({"requests": "2.34.2", "numpy": "2.4.6"}, adv, label="big")
    assert "does NOT hold" in scanner_ui.findings_summary({"small": small, "big": big})
    ok = scanner_ui.findings_summary({"small": scanner.scan({}, adv), "big": big})
    assert "no smaller inventory has more findings" in ok
    assert scanner_ui.findings_summary({}) == "No inventories were scanned."


def test_hostile_inventories():
    adv = scanner.load_advisories()
    for bad in (None, [("requests", "2.30.0")], "requests==2.30.0", 3, True):
        with pytest.raises(ValueError, match="mapping of package name"):
            scanner.scan(bad, adv)
    empty = scanner.scan({}, adv)
    assert empty.counts == {"packages": 0, "findings": 0, "affected_packages": 0, "invalid": 0}
    result = scanner.scan(
        {
            "requests": "abc",
            "urllib3": True,
            "idna": None,
            "": "1.0",
            5: "1.0",
            "certifi": "1" * 5000 + "x",
            "Requests": "2.30.0",
            "tornado": " 6.3.1 ",
        },
        adv,
    )
    assert result.counts["invalid"] == 6
    assert {(f.package, f.version) for f in result.findings} == {("requests", "2.30.0"), ("tornado", "6.3.1")}
    reasons = {n: why for n, _, why in result.invalid}
    assert reasons["requests"] == "not a PEP 440 version" and reasons["urllib3"] == "the version is not text"
    assert "could not be read" in scanner_ui.summarize(result)
    with pytest.raises(ValueError, match="Advisory objects"):
        scanner.scan({"requests": "2.30.0"}, [{"id": "x"}])
    with pytest.raises(ValueError, match="cannot read the lock file"):
        scanner.inventory_from_lock("/nonexistent/requirements.lock")


def test_findings_figure_and_html():
    adv = scanner.load_advisories()
    scans = {
        "a": scanner.scan({"numpy": "2.4.6"}, adv, label="a"),
        "b": scanner.scan({"urllib3": "2.0.4", "idna": "3.6", "numpy": "2.4.6"}, adv, label="b"),
    }
    fig = scanner_ui.findings_figure(scans)
    (trace,) = fig.data
    assert list(trace.x) == [1, 3] and list(trace.y) == [0, 3] and list(trace.text) == ["a", "b"]
    assert fig.layout.xaxis.title.text.endswith("(count)") and fig.layout.yaxis.title.text.endswith("(count)")
    with pytest.raises(ValueError, match="mapping of inventory name"):
        scanner_ui.findings_figure({"a": "not a scan"})
    page = scanner_ui.findings_html(scans["b"])
    assert "PYSEC-2023-192" in page and "CVE-2024-3651" in page and "1.26.17 or 2.0.6" in page
    assert "Python Packaging Authority" in page
    evil = scanner.scan({"<script>": "bad version"}, adv, label="<b>x</b>")
    assert "<script>" not in scanner_ui.findings_html(evil) and "&lt;b&gt;" in scanner_ui.findings_html(evil)
    with pytest.raises(ValueError, match="needs a Scan"):
        scanner_ui.findings_html({})
