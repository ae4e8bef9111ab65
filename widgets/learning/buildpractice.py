"""Seeded practice (lesson 03): which layer changes when one input of a build changes?

``practice(seed)`` shows a problem (:func:`widgets.models.buildcache.build_problem`), ``practice(seed,
answer=(first, rebuilt))`` checks an answer and names the misconception a wrong one resembles, and
``practice(seed, show=True)`` shows the worked answer. Unlimited problems: every whole number is a seed.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from ..models.buildcache import BuildProblem, build_problem
from .checks import MISSING_HINT, Feedback, is_missing

__all__ = ["Text", "parse_answer", "check_practice", "practice", "solution"]


@dataclass(frozen=True)
class Text:
    """Text that a notebook shows as it is (a problem, or a worked answer)."""

    text: str

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return f"<pre class='cvm-practice'>{html.escape(self.text)}</pre>"


def parse_answer(answer: object) -> tuple[int, int]:
    """``(first step, layers rebuilt)`` from a pair or ``{"first": .., "rebuilt": ..}``; ValueError otherwise."""
    if isinstance(answer, dict) and set(answer) == {"first", "rebuilt"}:
        answer = (answer["first"], answer["rebuilt"])
    if isinstance(answer, str | bytes) or not isinstance(answer, tuple | list) or len(answer) != 2:
        raise ValueError(
            f"answer with two whole numbers, (first step, layers rebuilt), such as (4, 3); got {answer!r:.60}"
        )
    if not all(isinstance(a, int) and not isinstance(a, bool) and a >= 0 for a in answer):
        raise ValueError(f"both numbers are whole and at least 0 (0: no layer changes); got {answer!r:.60}")
    return answer[0], answer[1]


def _mistake(p: BuildProblem, first: int, rebuilt: int) -> str:
    if first and first <= len(p.steps) and not p.is_layer(first):
        return (
            f"step {first} ({p.steps[first - 1].split()[0]}) makes no layer: this is the belief that every "
            "instruction adds a layer; in fact only FROM, RUN, COPY and ADD do, the others change the config"
        )
    if p.first and first == p.first and rebuilt == 1:
        return (
            "the first changed layer is right, but this is the belief that a builder rebuilds only the step whose "
            "input changed; in fact each step's cache entry hangs off its parent's, so every layer after it is "
            "rebuilt too"
        )
    if p.first and first == p.first and rebuilt == len(p.steps) - first + 1:
        return (
            "you counted every step from there; the ones that make no layer (EXPOSE, ENV, CMD) are not rebuilt layers"
        )
    if not p.first and first:
        return "this change touches only the config (CMD): no file-system layer changes, only the config's digest"
    if p.first and not first:
        return "a COPY's layer changes when the files it copies change, and a RUN's when its command text changes"
    if p.first and first > p.first:
        return (
            f"step {p.first} already sees the change ({p.change}): find the first step whose input includes the "
            "changed file, command or base"
        )
    return "count again from the first step whose own input changed"


def practice(seed: int, answer: Any = None, show: bool = False) -> Text | Feedback:
    """Show problem ``seed``; with ``answer``, check it; with ``show=True``, the worked answer."""
    try:
        p = build_problem(seed)
    except ValueError as exc:
        return Feedback("incorrect", f"{exc}.", "the seed is a whole number, e.g. practice(7)")
    if show:
        return Text(f"{p.show()}\n\nWorked answer: ({p.first}, {p.rebuilt}). {p.answer()}")
    if answer is None:
        return Text(p.show())
    if is_missing(answer):
        return Feedback("missing", "the answer is still empty.", MISSING_HINT)
    try:
        first, rebuilt = parse_answer(answer)
    except ValueError as exc:
        return Feedback("incorrect", f"{exc}.", "e.g. practice(seed, answer=(4, 3))")
    if (first, rebuilt) == (p.first, p.rebuilt):
        return Feedback("correct", f"({first}, {rebuilt}). {p.answer()}")
    return Feedback(
        "incorrect",
        f"you answered ({first}, {rebuilt}): {_mistake(p, first, rebuilt)}.",
        f"practice({seed}, show=True) shows the worked answer; then try another seed",
    )


def solution(seed: int) -> tuple[int, int]:
    """The answer ``(first step, layers rebuilt)`` of problem ``seed``."""
    p = build_problem(seed)
    return p.first, p.rebuilt


def check_practice(seed: int, answer: object) -> Text | Feedback:
    """Check ``answer`` to problem ``seed`` (the same as ``practice(seed, answer=answer)``)."""
    return practice(seed, answer=answer)
