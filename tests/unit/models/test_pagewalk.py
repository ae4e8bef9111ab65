"""The memory references of a TLB miss: native, shadow and the two-dimensional nested walk."""

from __future__ import annotations

import pytest

from widgets.core import data
from widgets.models.pagewalk import compare_walks, page_walk


def test_the_published_counts():
    table = data.load("page_walk")
    assert page_walk("native").references == table.row(id="native_4level_4k")["value"] == 4
    assert page_walk("nested").references == table.row(id="nested_4x4_4k")["value"] == 24


@pytest.mark.parametrize(
    ("gp", "hp", "native", "shadow", "nested"),
    [
        ("4 KiB", "4 KiB", 4, 4, 24),
        ("2 MiB", "4 KiB", 3, 4, 19),
        ("4 KiB", "2 MiB", 4, 4, 19),
        ("2 MiB", "2 MiB", 3, 3, 15),
        ("1 GiB", "1 GiB", 2, 2, 8),
    ],
)
def test_huge_pages_at_either_level(gp, hp, native, shadow, nested):
    walks = compare_walks(4, 4, gp, hp)
    assert [w.references for w in walks] == [native, shadow, nested]


def test_nested_walk_breakdown_and_five_levels():
    w = page_walk("nested", 5, 5)
    assert (w.guest_entries, w.host_entries, w.references) == (5, 30, 35)
    assert page_walk("nested", 4, 5).references == 4 * 5 + 4 + 5


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"mode": "magic"}, "translation must be one of"),
        ({"guest_levels": 3}, "guest paging levels must be at least 4"),
        ({"host_levels": "x"}, "host paging levels must be a number"),
        ({"guest_page": "8 KiB"}, "guest page size must be one of"),
    ],
)
def test_bad_inputs(kwargs, words):
    with pytest.raises(ValueError, match=words):
        page_walk(**kwargs)
