"""The offline vulnerability scan: range semantics, the advisory snapshot, the example inventories."""

from __future__ import annotations

import datetime as dt

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from widgets.core import data
from widgets.models import envcheck, scanner


def _in(spec: str, version: str) -> bool:
    return any(scanner.in_range(s, Version(version)) for s in scanner.parse_affected(spec))


@pytest.mark.parametrize(
    ("spec", "version", "expected"),
    [
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
    ],
)
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


def test_affected_helper_for_the_exercise():
    from widgets.models.scanner import affected

    assert affected("2.0.5", ">=2.0.0,<2.0.6") and not affected("2.0.6", ">=2.0.0,<2.0.6")
    assert not affected("2.0.0rc1", ">=2.0.0,<2.0.6")  # a pre-release sorts before its release
    assert affected("1.26.16", "<1.26.17|>=2.0.0,<2.0.6")
    with pytest.raises(ValueError, match="not a PEP 440 version"):
        affected("two", "<3")
