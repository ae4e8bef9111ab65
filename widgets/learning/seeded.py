"""Seeded practice, in the style of the OSTEP homework simulators: a fresh problem for every seed.

A practice function ``practice(seed, answer=..., show=False)`` builds a :class:`Problem` from the seed (pure and
deterministic: the same seed gives the same problem on every machine) and hands it to :func:`respond`:

* ``practice(seed)`` shows the problem;
* ``practice(seed, answer=x)`` checks ``x`` and explains (a :class:`widgets.learning.checks.Feedback`);
* ``practice(seed, show=True)`` shows the problem with its worked answer.

Any whole number is a seed, so problems never run out.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field

from .checks import Feedback, check_number, is_missing

__all__ = ["Problem", "respond", "seed_of"]


def seed_of(seed: object) -> int:
    """The seed as an int; ValueError (saying what a seed is) for anything but a whole number."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be a whole number such as 7 (each one gives a new problem), got {seed!r}")
    if not 0 <= seed < 2**63:
        raise ValueError(f"seed must be a whole number from 0 to 2**63 - 1, got {seed}")
    return seed


@dataclass(frozen=True)
class Problem:
    """One generated problem: the question, its answer, the worked solution and the common wrong answers.

    ``mistakes`` maps a wrong answer to the sentence that names what it missed; ``given`` holds the generated
    inputs (for a test, or a learner who wants to run the lab on them).
    """

    title: str
    question: str
    answer: int
    unit: str
    worked: str
    mistakes: dict[int, str] = field(default_factory=dict)
    given: dict[str, object] = field(default_factory=dict)
    shown: bool = False

    def _repr_html_(self) -> str:
        worked = f"<p><b>Worked answer:</b> {html.escape(self.worked)}</p>" if self.shown else ""
        return (
            f"<div class='cvm-practice'><p><b>{html.escape(self.title)}</b></p>"
            f"<pre>{html.escape(self.question)}</pre>{worked}</div>"
        )

    def __repr__(self) -> str:
        worked = f"\nWorked answer: {self.worked}" if self.shown else ""
        return f"{self.title}\n{self.question}{worked}"


def respond(make: Callable[[int], Problem], seed: object, answer: object, show: object) -> Problem | Feedback:
    """What ``practice(seed, answer, show)`` returns: the problem, the feedback on an answer, or the worked answer."""
    if not isinstance(show, bool):
        raise ValueError(f"show must be True or False, got {show!r}")
    problem = make(seed_of(seed))
    if show:
        return Problem(**{**problem.__dict__, "shown": True})
    if answer is None:
        return problem
    if is_missing(answer):  # ..., or empty text: the exercise cell is not filled in yet
        return Feedback("missing", "the answer is still empty.", f"answer with a whole number of {problem.unit}")
    fb = check_number(answer, problem.answer, rel_tol=0, abs_tol=0, unit=problem.unit, explanation=problem.worked)
    if fb.correct or fb.status == "missing":
        return fb
    for wrong, why in problem.mistakes.items():
        if isinstance(answer, int | float) and not isinstance(answer, bool) and answer == wrong:
            return Feedback("incorrect", f"{answer:g} {problem.unit}: {why}", "try again, or show=True for the answer")
    return Feedback(fb.status, fb.message, (f"{fb.hint}; " if fb.hint else "") + "show=True gives the worked answer")
