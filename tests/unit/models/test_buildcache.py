"""Seeded build problems: deterministic, answered by the cache rules, every kind of change generated."""

from __future__ import annotations

import pytest

from widgets.models.buildcache import LAYER_STEPS, build_problem


def test_same_seed_same_problem_and_seeds_differ():
    assert build_problem(11) == build_problem(11)
    assert len({build_problem(s).show() for s in range(40)}) > 20


def _rebuilt_by_brute_force(p):
    """Walk the steps as a builder's cache does: a miss at the first touched step, and every layer after it."""
    missed, count, first = False, 0, 0
    for n, step in enumerate(p.steps, 1):
        missed = missed or n == p.touched
        if missed and step.split()[0] in LAYER_STEPS:
            count += 1
            first = first or n
    return first, count


@pytest.mark.parametrize("seed", range(300))
def test_answers_follow_the_cache_rules(seed):
    p = build_problem(seed)
    assert (p.first, p.rebuilt) == _rebuilt_by_brute_force(p)
    assert p.layers == sum(s.split()[0] in LAYER_STEPS for s in p.steps)
    assert 0 <= p.rebuilt <= p.layers and p.steps[0].startswith("FROM ")
    if "base image" in p.change:
        assert (p.first, p.rebuilt) == (1, p.layers)
    if "CMD" in p.change:
        assert (p.first, p.rebuilt) == (0, 0)


def test_every_kind_of_change_appears():
    changes = " ".join(build_problem(s).change for s in range(200))
    for words in ("you edit src/", "add a dependency", "apt-get install line", "base image is bumped", "CMD"):
        assert words in changes


@pytest.mark.parametrize("bad", [-1, 1.5, "seven", None, True, 10**12])
def test_bad_seeds_are_refused(bad):
    with pytest.raises(ValueError, match="seed"):
        build_problem(bad)


def test_a_base_bump_is_pulled_not_rebuilt_and_a_cmd_change_moves_config_and_manifest():
    bumps = [p for p in map(build_problem, range(200)) if "base image" in p.change]
    cmds = [p for p in map(build_problem, range(200)) if "CMD" in p.change]
    assert bumps and cmds
    for p in bumps:
        assert "a host may already share some of the new base's own layers" in p.show()
        assert "step 1 changes: the new base's layers (counted here as one) are pulled, not rebuilt" in p.answer()
        assert "step 1 is rebuilt" not in p.answer()
    for p in cmds:
        assert "pulls no layer, only the new config and manifest" in p.answer()
    other = next(p for p in map(build_problem, range(200)) if p.first > 1)
    assert f"step {other.first} is rebuilt: its own input changed" in other.answer()
