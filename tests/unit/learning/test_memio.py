"""The predict-then-run checks of lesson 01's I/O and memory sections."""

from __future__ import annotations

import pytest

from widgets.learning.memio import check_migration_rounds, check_ring_exits


@pytest.mark.parametrize(
    ("answer", "verdict", "words"),
    [
        (3, "correct", "plus the hlt: 3"),
        ("3", "correct", "2 doorbell exit(s)"),
        (4097, "incorrect", "UART's count"),
        (5, "incorrect", "not once per descriptor"),
        (2, "incorrect", "the final hlt"),
        (..., "missing", "still empty"),
    ],
)
def test_ring_exits(answer, verdict, words):
    fb = check_ring_exits(answer, 4096, 1024, 2)
    assert fb.status == verdict and words in str(fb)


@pytest.mark.parametrize(("answer", "verdict"), [(5, "correct"), (4, "incorrect"), (6, "incorrect"), (None, "missing")])
def test_migration_rounds(answer, verdict):
    fb = check_migration_rounds(answer, 2000, 1000, 50, 50)
    assert fb.status == verdict
    if verdict == "correct":
        assert "2,000, 800, 320, 128, 51.2 MB" in str(fb) and "downtime 164 ms" in str(fb)


def test_migration_that_cannot_converge_explains_why():
    fb = check_migration_rounds(1, 2000, 1000, 200, 50)
    assert fb.status == "correct" and "cannot converge" in str(fb)
