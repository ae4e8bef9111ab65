"""Dirty-page logging on /dev/kvm: exactly the working set, every round; bad sizes; fallbacks."""

from __future__ import annotations

import os

import pytest

from widgets.labs import kvmdirty
from widgets.labs.kvm import KvmUnavailable, kvm_status
from widgets.models.guestmem import DATA_PAGES, expected_dirty

STATUS = kvm_status()
needs_kvm = pytest.mark.skipif(not STATUS.usable, reason=f"KVM is not usable: {STATUS.reason}")


@pytest.mark.parametrize(("w", "r"), [(1, 1), (5, 3), (37, 2), (DATA_PAGES, 4)])
@pytest.mark.live
@needs_kvm
def test_the_dirty_log_reports_exactly_the_working_set(w, r):
    run = kvmdirty.dirty_run(w, r)
    assert run.dirty == expected_dirty(w, r) and run.counts == (w,) * r
    assert run.exits == {"IO": r, "HLT": 1} and run.halted and run.live
    assert len(run.round_ms) == r and run.dirty_rate_mb_s > 0


@pytest.mark.live
@needs_kvm
def test_no_descriptor_is_left():
    kvmdirty.dirty_run(2, 1)
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(3):
        kvmdirty.dirty_run(16, 2)
    assert len(os.listdir("/proc/self/fd")) == before


def test_a_working_set_larger_than_guest_memory_gets_a_message():
    with pytest.raises(ValueError, match=f"larger than the guest's data memory: it has {DATA_PAGES} pages"):
        kvmdirty.dirty_run(DATA_PAGES + 1, 1)
    with pytest.raises(ValueError, match="working set \\(pages\\) must be at least 1"):
        kvmdirty.dirty_lab(0, 1, live="off")


def test_fallbacks(tmp_path):
    with pytest.raises(KvmUnavailable):
        kvmdirty.dirty_run(3, 1, device=str(tmp_path / "kvm"))
    lab = kvmdirty.dirty_lab(8, 2, live="off")
    assert not lab.live and lab.run.dirty == expected_dirty(8, 2) and lab.run.round_ms is None
    rate, wws, label = kvmdirty.dirtying(lab)
    assert rate > 0 and wws == pytest.approx(32 * 4096 / 1e6) and "recorded on 2026-12-03" in label
    rec = kvmdirty.recorded_dirty()
    assert rec.dirty == expected_dirty(rec.working_set, rec.rounds)
