"""Seeded practice in the style of the OSTEP homework simulators: one seed, one problem, unlimited seeds.

A practice module gives a ``problem(seed)`` function (pure, deterministic: the same seed makes the same
problem) whose result can ``show()`` the problem, ``worked()`` the answer and ``check(answer)`` a learner's
answer. :func:`practice` turns it into the one call a lesson uses::

    practice(seed)                  # a fresh problem
    practice(seed, answer=...)      # check an answer, with feedback
    practice(seed, show=True)       # the worked answer
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ..core import validate
from .checks import Feedback

__all__ = ["NOT_GIVEN", "MAX_SEED", "Text", "practice", "seed_of"]

MAX_SEED = 10**9


class _NotGiven:
    def __repr__(self) -> str:
        return "NOT_GIVEN"


#: The default of ``answer``: no answer passed at all (``...`` or ``None`` means "not answered yet").
NOT_GIVEN: Any = _NotGiven()


@dataclass(frozen=True)
class Text:
    """Plain text that displays as preformatted text in JupyterLab and as itself elsewhere."""

    text: str

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return f"<pre class='cvm-practice' style='white-space:pre-wrap'>{html.escape(self.text)}</pre>"


class Problem(Protocol):
    def show(self) -> str: ...

    def worked(self) -> str: ...

    def check(self, answer: Any) -> Feedback: ...


def seed_of(seed: Any) -> int:
    """A seed as a whole number from 0 to 10**9 (ValueError naming the rule otherwise)."""
    return validate.integer("seed", seed, minimum=0, maximum=MAX_SEED)


def practice(make: Callable[[int], Problem], seed: Any, answer: Any = NOT_GIVEN, show: bool = False) -> Any:
    """The problem for ``seed``; with ``answer``, its check; with ``show=True``, the worked answer."""
    problem = make(seed_of(seed))
    if validate.flag("show", show):
        return Text(f"{problem.show()}\n\nWorked answer:\n{problem.worked()}")
    if answer is NOT_GIVEN:
        return Text(problem.show())
    return problem.check(answer)
