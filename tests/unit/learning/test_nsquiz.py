"""The namespace chart and the seeded 'which namespace?' practice."""

from __future__ import annotations

from collections import Counter

import pytest

import widgets
from widgets.learning import nsquiz


def test_figure_orders_namespaces_by_kernel_version():
    fig = nsquiz.namespace_figure()
    points = fig.data[0]
    assert list(points.y)[0] == "mount" and list(points.y)[-1] == "time"
    assert len(points.y) == 8
    assert "CLONE_NEWPID" in points.text
    assert "2.4.19" in nsquiz.namespace_summary() and "5.6" in nsquiz.namespace_summary()


def test_questions_are_seeded_and_cover_every_namespace():
    assert nsquiz.namespace_question(3) == nsquiz.namespace_question(3)
    answers = Counter(nsquiz.namespace_question(s).answer for s in range(300))
    assert set(answers) == {r["namespace"] for r in widgets.load("namespaces")}
    q = nsquiz.namespace_question(3)
    assert q.answer in q.options and "Scenario #3" in q.show()


@pytest.mark.parametrize("seed", range(0, 40, 5))
def test_check_explains(seed):
    q = nsquiz.namespace_question(seed)
    right = nsquiz.check_namespace(q.answer, seed)
    assert right.correct and "Linux" in right.message
    wrong = next(o for o in q.options if o != q.answer)
    fb = nsquiz.check_namespace(wrong, seed)
    assert not fb.correct and f"the {wrong} namespace isolates" in fb.message
    assert nsquiz.check_namespace(None, seed).status == "missing"


def test_aliases_are_accepted():
    seed = next(s for s in range(200) if nsquiz.namespace_question(s).answer == "network")
    assert nsquiz.check_namespace("net", seed).correct
    seed = next(s for s in range(200) if nsquiz.namespace_question(s).answer == "mount")
    assert nsquiz.check_namespace("MNT ", seed).correct


@pytest.mark.parametrize("seed", [-1, 1.5, "x", None, True])
def test_bad_seed(seed):
    with pytest.raises(ValueError, match="seed"):
        nsquiz.namespace_question(seed)
