"""Image layers: storage with and without shared layers against VMs, pull time against a VM image copy,
and the seeded 'which layers must be pulled?' practice. Hand-computed values, data read independently
of widgets.core.data, hostile inputs through the models and the widgets."""

from __future__ import annotations

import pytest

from widgets.learning.layers import check_layers, layer_problem


def test_layer_problem_seed_1_by_hand():
    p = layer_problem(1)
    assert [im.name for im in p.host] == ["auth:2.7", "web:3.0"] and p.image.name == "api:1.0"
    assert [(la.name, la.size_mb) for la in p.image.layers] == [
        ("base-os", 59.1),
        ("ruby-runtime-on-base-os", 49.4),
        ("ruby-deps-api", 37.7),
        ("api-code", 2.0),
    ]
    assert [la.name for la in p.host[0].layers[:2]] == ["base-os", "ruby-runtime-on-base-os"]
    assert [la.name for la in p.to_pull] == ["ruby-deps-api", "api-code"]
    assert p.pull_mb == 39.7  # 37.7 + 2.0
    assert p.answer() == (
        "Pull ruby-deps-api, api-code: 39.7 MB. base-os is already there (pulled by "
        "auth:2.7); ruby-runtime-on-base-os is already there (pulled by auth:2.7)."
    )
    assert "synthetic" in p.show() and p.show().splitlines()[-3].startswith("You pull api:1.0: base-os")


def test_layer_problems_are_deterministic_varied_and_consistent():
    assert layer_problem(7) == layer_problem(7) and layer_problem(7).show() == layer_problem("7").show()
    shown = {layer_problem(seed).show() for seed in range(40)}
    assert len(shown) == 40
    for seed in range(200):
        p = layer_problem(seed)
        sizes: dict[str, float] = {}
        for im in (*p.host, p.image):
            for la in im.layers:
                assert sizes.setdefault(la.name, la.size_mb) == la.size_mb and la.measure == "synthetic"
        host_layers = {la.name for im in p.host for la in im.layers}
        assert {la.name for la in p.to_pull} == {la.name for la in p.image.layers} - host_layers
        assert p.image.layers[0].name in host_layers  # the base is always there
        assert p.image.layers[-1] in p.to_pull and 2 <= len(p.host) <= 3
        assert p.pull_mb == pytest.approx(sum(la.size_mb for la in p.to_pull), abs=0.05)
    assert len({len(layer_problem(s).to_pull) for s in range(200)}) >= 3  # 1, 2 or 3 layers to pull


def test_a_layer_is_shared_only_on_the_same_layers_below_it_seeds_0_to_1999():
    """A runtime or deps layer built on another base has other bytes: it must never count as already there."""
    misplaced = []
    for seed in range(2000):
        p = layer_problem(seed)
        below: dict[str, tuple[str, ...]] = {}
        for im in (*p.host, p.image):
            for i, la in enumerate(im.layers):
                chain = tuple(x.name for x in im.layers[:i])
                if below.setdefault(la.name, chain) != chain:
                    misplaced.append((seed, im.name, la.name))
        for i, la in enumerate(p.image.layers):
            if la not in p.to_pull:  # counted as on the host: some host image has it on the very same layers
                holder = next(im for im in p.host if im.name == p.holders[la.name])
                assert holder.layers[: i + 1] == p.image.layers[: i + 1], (seed, la.name)
        assert p.image.layers[1].name.endswith(f"-on-{p.image.layers[0].name}")
    assert misplaced == []
    assert any("another base" in layer_problem(s).answer() for s in range(200))  # the trap appears and is named


@pytest.mark.parametrize("seed", [-1, "abc", 1.5, True, float("nan"), None, 10**10])
def test_layer_problem_refuses_hostile_seeds(seed):
    with pytest.raises(ValueError, match="seed"):
        layer_problem(seed)


@pytest.mark.parametrize(
    "answer",
    [
        {"ruby-deps-api", "api-code"},
        ["api-code", "ruby-deps-api"],
        ("ruby-deps-api", " api-code "),
        "ruby-deps-api, api-code",
        39.7,
        "39.7",
        " 39.7 MB ",
        39.72,
    ],
)
def test_check_layers_accepts_names_and_mb(answer):
    fb = check_layers(answer, 1)
    assert fb.correct, fb
    assert "already there (pulled by auth:2.7)" in fb.message


def test_check_layers_names_extra_and_missing_layers():
    fb = check_layers(["base-os", "api-code"], 1)
    assert not fb.correct
    assert "base-os is already on the host: pulled by auth:2.7" in fb.message
    assert "ruby-deps-api is missing: no image on the host has it" in fb.message
    fb = check_layers({"ruby-runtime-on-base-os", "ruby-deps-api", "api-code"}, 1)
    assert fb.message == "ruby-runtime-on-base-os is already on the host: pulled by auth:2.7."
    fb = check_layers(["base-os-slim", "api-code"], 1)
    assert "base-os-slim: not a layer of api:1.0" in fb.message and "ruby-runtime-on-base-os" in fb.hint


@pytest.mark.parametrize(
    ("answer", "status", "words"),
    [
        (None, "missing", "still empty"),
        (..., "missing", "still empty"),
        ("", "missing", "still empty"),
        ([], "missing", "still empty"),
        (set(), "missing", "still empty"),
        (39700, "incorrect", "unit is not"),
        (78.7, "incorrect", "too large"),
        (-39.7, "incorrect", "wrong sign"),
        ("nan", "incorrect", "not a number"),
        (float("inf"), "incorrect", "finite"),
        (True, "incorrect", "got True"),
        ({"a": 1}, "incorrect", "expected layer names"),
        ([1, 2], "incorrect", "expected layer names"),
        ("abc", "incorrect", "not a layer"),
    ],
)
def test_check_layers_hostile_and_wrong_answers(answer, status, words):
    fb = check_layers(answer, 1)
    assert fb.status == status and words in fb.message, fb


def test_check_layers_follows_the_seed():
    for seed in range(30):
        p = layer_problem(seed)
        assert check_layers([la.name for la in p.to_pull], seed).correct
        assert check_layers(p.pull_mb, seed).correct
        assert not check_layers([la.name for la in p.image.layers], seed).correct


def test_practice_shows_checks_and_works_the_answer():
    from widgets.learning.layers import practice

    assert "Layer problem #3" in repr(practice(3)) and "Worked answer" not in repr(practice(3))
    assert "Worked answer: Pull" in repr(practice(3, show=True))
    right = [la.name for la in layer_problem(3).to_pull]
    assert practice(3, answer=right).correct
    assert practice(3, answer=...).status == "missing"
    assert practice(3, answer=3.14159).status == "incorrect"
    assert practice(-2).status == "incorrect" and "seed" in practice(-2).message


def test_check_practice_is_practice_with_an_answer():
    from widgets.learning.layers import check_practice

    assert check_practice(3, [la.name for la in layer_problem(3).to_pull]).correct
    assert check_practice(3, ...).status == "missing"
