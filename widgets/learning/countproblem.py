"""A seeded problem whose answer is a count (traps, exits), for :func:`widgets.learning.seeded.practice`.

:class:`CountProblem` keeps the question, the answer, the worked answer and the usual wrong answers, each with
the sentence that names what it missed; it is the ``Problem`` that :func:`widgets.learning.seeded.practice`
shows, works and checks (lesson 01's trap and I/O-path practice).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .checks import Feedback, check_number, is_missing

__all__ = ["CountProblem"]


@dataclass(frozen=True)
class CountProblem:
    """One generated problem: the question, its answer (a count), the worked answer, the usual wrong answers.

    ``mistakes`` maps a wrong answer to the sentence that names what it missed; ``given`` holds the generated
    inputs (for a test, or a learner who wants to run the lab on them).
    """

    title: str
    question: str
    answer: int
    unit: str
    working: str
    mistakes: dict[int, str] = field(default_factory=dict)
    given: dict[str, object] = field(default_factory=dict)

    def show(self) -> str:
        return f"{self.title}\n{self.question}"

    def worked(self) -> str:
        return self.working

    def check(self, answer: Any) -> Feedback:
        """Feedback on ``answer``: right, a named mistake, or how far off (with the unit)."""
        if is_missing(answer):
            return Feedback("missing", "the answer is still empty.", f"answer with a whole number of {self.unit}")
        fb = check_number(answer, self.answer, rel_tol=0, abs_tol=0, unit=self.unit, explanation=self.working)
        if fb.correct:
            return fb
        for wrong, why in self.mistakes.items():
            if isinstance(answer, int | float) and not isinstance(answer, bool) and answer == wrong:
                return Feedback("incorrect", f"{answer:g} {self.unit}: {why}", "try again, or show=True for the answer")
        return Feedback(
            fb.status, fb.message, (f"{fb.hint}; " if fb.hint else "") + "show=True gives the worked answer"
        )
