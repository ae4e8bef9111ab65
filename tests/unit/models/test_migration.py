"""Pre-copy and post-copy live migration: rounds by hand, Xen's stop rules, non-convergence, bad input."""

from __future__ import annotations

import pytest

from tests.hostile import HOSTILE
from widgets.core import data
from widgets.models import migration
from widgets.models.migration import migrate, postcopy, precopy


def test_the_lesson_scenario_by_hand():
    # 2,000 MB over 1 Gbit/s (125 MB/s), dirtying 50 MB/s: each round leaves 0.4 of the one before.
    m = precopy(2000, 1000, 50, None, 50)
    assert [round(r.sent_mb, 6) for r in m.rounds] == [2000, 800, 320, 128, 51.2, 20.48]
    assert m.precopy_rounds == 5 and m.rounds[-1].stop_and_copy and m.converged
    assert m.downtime_s == pytest.approx(20.48 / 125)
    assert m.total_s == pytest.approx((2000 + 800 + 320 + 128 + 51.2 + 20.48) / 125)
    assert m.sent_mb == pytest.approx(3319.68)


def test_a_guest_that_dirties_nothing_needs_one_round_and_no_downtime():
    m = precopy(1000, 800, 0)
    assert m.precopy_rounds == 1 and m.downtime_s == 0 and m.total_s == pytest.approx(10)


def test_dirtying_faster_than_the_link_does_not_converge():
    m = precopy(2000, 1000, 200)
    assert not m.converged and "cannot converge" in m.stop_reason
    assert m.downtime_s == pytest.approx(16)  # the whole memory sent again with the guest paused


def test_a_small_writable_working_set_converges_even_at_a_high_rate():
    m = precopy(2000, 1000, 200, wws_mb=30)
    assert m.converged and m.precopy_rounds == 1 and m.downtime_s == pytest.approx(30 / 125)


def test_the_round_limit_and_the_data_limit_stop_precopy():
    slow = precopy(2000, 1000, 120, threshold_mb=0.001, max_rounds=3)
    assert not slow.converged and slow.precopy_rounds == 3 and "round limit (3)" in slow.stop_reason
    heavy = precopy(2000, 1000, 120, threshold_mb=0.001, max_factor=2)
    assert not heavy.converged and "past 2 x the memory" in heavy.stop_reason
    assert heavy.sent_mb - heavy.rounds[-1].sent_mb <= 2 * 2000


def test_defaults_are_xens_limits_from_the_data():
    table = data.load("live_migration")
    assert table.row(id="xen_max_rounds")["value"] == migration.XEN_MAX_ROUNDS
    assert table.row(id="xen_max_factor")["value"] == migration.XEN_MAX_FACTOR
    assert table.row(id="xen_last_iter_pages")["value"] == migration.XEN_MIN_PAGES


def test_postcopy_sends_every_page_once():
    m = postcopy(2000, 1000, 50, wws_mb=40, state_mb=1)
    assert m.total_s == pytest.approx(2001 / 125) and m.downtime_s == pytest.approx(1 / 125)
    assert m.sent_mb == 2001 and m.remote_faults_max == int(40 / migration.PAGE_MB)
    assert migrate("post-copy").mode == "post-copy"


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"bandwidth_mbps": 0}, "link bandwidth must be more than 0 Mbit/s"),
        ({"wws_mb": 3000}, "cannot be larger than the guest's memory (2000 MB)"),
        ({"threshold_mb": 3000}, "threshold must be at most 2000"),
        ({"max_rounds": 0}, "round limit must be at least 1"),
    ],
)
def test_bad_inputs_get_clear_messages(kwargs, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        precopy(**kwargs)


@pytest.mark.parametrize("name", ["memory_mb", "bandwidth_mbps", "dirty_rate_mb_s"])
@pytest.mark.parametrize(("value", "words"), HOSTILE)
def test_hostile_numbers(name, value, words):
    with pytest.raises(ValueError, match=words):
        migrate(**{name: value})


def test_blank_working_set_means_all_memory():
    assert migrate(wws_mb="  ").wws_mb == 2000 and migrate(mode="pre-copy", wws_mb="").wws_mb == 2000
    with pytest.raises(ValueError, match="mode must be one of"):
        migrate(mode="teleport")
