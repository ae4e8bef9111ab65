"""Seeded practice (lesson 03): which layers must a host pull for this image, given what it has?

``practice(seed)`` shows a problem, ``practice(seed, answer=...)`` checks an answer (layer names or MB) and
``practice(seed, show=True)`` shows the worked answer.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass

from ..core import validate
from ..models.layers import ImageSpec, Layer
from .buildpractice import Text
from .checks import Feedback, check_number

# -- practice ----------------------------------------------------------------------------------------------------
_BASES = ("base-os", "base-os-slim", "base-musl")


_RUNTIMES = ("python-runtime", "node-runtime", "jre-runtime", "ruby-runtime")


def on_base(runtime: str, base: str) -> str:
    """The name of a runtime layer built on ``base``: installed on another base, it has other bytes and digest."""
    return f"{runtime}-on-{base}"


_APPS = ("web", "worker", "api", "cron", "auth", "shop")


@dataclass(frozen=True)
class LayerProblem:
    """A host with images (synthetic layers and sizes) and an image to pull."""

    seed: int
    host: tuple[ImageSpec, ...]
    image: ImageSpec
    holders: dict[str, str]  # layer on the host -> the first host image that brought it
    to_pull: tuple[Layer, ...]  # the image's layers that are not on the host
    pull_mb: float

    def show(self) -> str:
        """The problem as the learner sees it."""
        lines = [f"Layer problem #{self.seed} (synthetic layers and sizes). The host already has:"]
        lines += [
            f"  {im.name}: " + ", ".join(f"{la.name} ({la.size_mb:g} MB)" for la in im.layers)
            for im in (*self.host, self.image)
        ]
        lines[-1] = "You pull" + lines[-1][1:]
        return "\n".join(
            lines
            + [
                "A name stands for a digest: a runtime layer built on another base is another layer.",
                "Which layers must be pulled, and how many MB is that?",
            ]
        )

    def answer(self) -> str:
        """The layers to pull, their MB, and where the others come from."""
        have = "; ".join(
            f"{la.name} is already there (pulled by {self.holders[la.name]})"
            for la in self.image.layers
            if la.name in self.holders
        )
        held = {la.name for im in self.host for la in im.layers}
        other = "; ".join(
            f"{la.name} must be pulled although {', '.join(same)} is on the host: a runtime installed on "
            "another base has other bytes, so another digest"
            for la in self.to_pull
            if (same := sorted(n for n in held if "-on-" in la.name and n.split("-on-")[0] == la.name.split("-on-")[0]))
        )
        return f"Pull {', '.join(la.name for la in self.to_pull)}: {self.pull_mb:g} MB. {have}." + (
            f" {other}." if other else ""
        )


def layer_problem(seed: int) -> LayerProblem:
    """The practice problem for ``seed`` (same seed, same problem; synthetic names and sizes).

    Raises
    ------
    ValueError
        If ``seed`` is not a whole number from 0 to 10**9.
    """
    seed = validate.integer("seed", seed, minimum=0, maximum=10**9)
    rng = random.Random(seed)
    sizes: dict[str, float] = {}

    def layer(name: str, lo: float, hi: float) -> Layer:
        return Layer(name, sizes.setdefault(name, round(rng.uniform(lo, hi), 1)), "synthetic")

    apps = rng.sample(_APPS, k=rng.randint(2, 3) + 1)
    host = []
    for app in apps[:-1]:
        base, rt = rng.choice(_BASES), rng.choice(_RUNTIMES)
        host.append(
            ImageSpec(
                f"{app}:{rng.randint(1, 3)}.{rng.randint(0, 9)}",
                (
                    layer(base, 20, 80),
                    layer(on_base(rt, base), 10, 60),
                    layer(f"{rt.split('-')[0]}-deps-{app}", 2, 40),
                    layer(f"{app}-code", 0.1, 5),
                ),
            )
        )
    like = rng.choice(host)  # the new image is built like one of them: same base, maybe same runtime and deps
    base, rt_layer, deps = (la.name for la in like.layers[:3])
    rt = rng.choice(_RUNTIMES) if rng.random() < 0.5 else rt_layer.removesuffix(f"-on-{base}")
    if on_base(rt, base) != rt_layer or rng.random() < 0.6:
        deps = f"{rt.split('-')[0]}-deps-{apps[-1]}"
    image = ImageSpec(
        f"{apps[-1]}:1.0",
        (
            layer(base, 20, 80),
            layer(on_base(rt, base), 10, 60),
            layer(deps, 2, 40),
            layer(f"{apps[-1]}-code", 0.1, 5),
        ),
    )
    holders = {la.name: im.name for im in reversed(host) for la in im.layers}  # the first image that has it
    to_pull = tuple(la for la in image.layers if la.name not in holders)
    return LayerProblem(seed, tuple(host), image, holders, to_pull, round(math.fsum(la.size_mb for la in to_pull), 1))


def check_layers(answer: object, seed: int) -> Feedback:
    """Check the layers (a list/set of names, or text 'a, b') or the MB (a number) to pull for problem ``seed``."""
    p = layer_problem(seed)
    expected = {la.name for la in p.to_pull}
    num = re.fullmatch(r"\s*([-+.\deE]+|nan|inf)\s*(MB)?\s*", answer, re.I) if isinstance(answer, str) else None
    if num or isinstance(answer, int | float) and not isinstance(answer, bool):
        return check_number(
            num[1] if num else answer,
            p.pull_mb,
            rel_tol=0.005,
            abs_tol=0.05,
            unit="MB",
            explanation=p.answer(),
            hint="add the sizes of the layers that no host image has",
        )
    names = [a for a in re.split(r"[,\s]+", answer) if a] if isinstance(answer, str) else answer
    if names is None or names is Ellipsis or (isinstance(names, list | tuple | set | frozenset) and not names):
        return check_number(None, p.pull_mb)  # "no answer yet"
    if not isinstance(names, list | tuple | set | frozenset) or not all(isinstance(a, str) for a in names):
        return Feedback(
            "incorrect",
            f"expected layer names or a number of MB, got {answer!r}.",
            "answer e.g. {'web-code', 'python-deps-web'} or 12.5",
        )
    given = {a.strip() for a in names}
    layers = [la.name for la in p.image.layers]
    if unknown := sorted(given - set(layers)):
        return Feedback(
            "incorrect", f"{', '.join(unknown)}: not a layer of {p.image.name}.", f"its layers are {', '.join(layers)}"
        )
    if given == expected:
        return Feedback("correct", p.answer())
    why = [f"{n} is already on the host: pulled by {p.holders[n]}" for n in layers if n in given - expected]
    why += [f"{n} is missing: no image on the host has it" for n in layers if n in expected - given]
    return Feedback("incorrect", "; ".join(why) + ".", "for each layer, look for it in the host's images")


def practice(seed: int, answer: object = None, show: bool = False) -> Text | Feedback:
    """Show problem ``seed``; with ``answer``, check it; with ``show=True``, the worked answer."""
    try:
        p = layer_problem(seed)
    except ValueError as exc:
        return Feedback("incorrect", f"{exc}.", "the seed is a whole number, e.g. practice(7)")
    if show:
        return Text(f"{p.show()}\n\nWorked answer: {p.answer()}")
    return Text(p.show()) if answer is None else check_layers(answer, seed)


def check_practice(seed: int, answer: object) -> Text | Feedback:
    """Check ``answer`` to problem ``seed`` (the same as ``practice(seed, answer=answer)``)."""
    return practice(seed, answer=answer)
