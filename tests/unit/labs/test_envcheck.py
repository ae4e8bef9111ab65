"""This kernel's environment against the course's lock, live and recorded, and the scanner's inventories of it."""

from __future__ import annotations

import pytest

from widgets.labs import envcheck
from widgets.labs import envcheck as envcheck_lab
from widgets.models import scanner


def test_missing_lock_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="cannot read the lock file"):
        envcheck.course_environment(tmp_path / "nope.lock")


def test_environment_report_live_and_recorded():
    live, why = envcheck.environment_report("auto")
    assert "Live" in why and live.consistent
    recorded, why = envcheck.environment_report("off")
    assert "live='off'" in why and "2026-12-03" in why and recorded.consistent
    assert recorded.actual_from.startswith("the course's build machine")
    with pytest.raises(ValueError, match="live must be one of"):
        envcheck.environment_report("maybe")


def test_example_inventories_come_from_the_lock():
    lock = scanner.inventory_from_lock(envcheck_lab.LOCK)
    ex = scanner.EXAMPLE_IMAGES
    assert set(ex) == {"minimal", "full", "older"}
    assert dict(ex["full"].inventory) == lock and len(lock) == 140
    assert set(ex["minimal"].inventory) == set(scanner.MINIMAL_PACKAGES)
    assert all(lock[n] == v for n, v in ex["minimal"].inventory.items())
    older = ex["older"].inventory
    assert {n for n in lock if older[n] != lock[n]} == set(scanner.OLDER_PINS)
    assert "synthetic" in ex["older"].description and "course's lock" in ex["full"].description


def test_scan_of_this_environment_runs():
    here = envcheck_lab.inventory_here()
    result = scanner.scan(here, label="this kernel")
    assert isinstance(result, scanner.Scan) and result.packages == len(here) > 0
    assert result.counts["invalid"] == 0
    lock = scanner.inventory_from_lock(envcheck_lab.LOCK)
    for f in result.findings:  # anything found here is in a version the lock does not pin
        assert lock.get(f.package) != f.version
