"""Predict, then verify: the learner commits to a prediction, runs the lab, and sees the gap explained.

An exercise of this kind has three cells: the learner writes ``prediction = ...`` (a number, a choice or a
short reason), runs the lab, simulation or calculator, then calls :func:`check_prediction` with what the
run gave. The check says how far the prediction was, names the mechanism a wrong one missed and the common
mistake it resembles (:class:`Mistake`), and keeps it: :func:`journal` shows every prediction of the
session beside its outcome, so the learner sees their model of the system improve.

The exercise's prompt cell carries ``metadata.exercise = {"kind": "predict", "minutes": N, ...}``
(see :mod:`widgets.core.course`), which is how the lesson anatomy test finds it.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core import validate
from .checks import MISSING_HINT, Feedback, is_missing


@dataclass(frozen=True)
class Mistake:
    """A wrong prediction a learner often makes, and what it misses.

    Match it by value (``value`` within ``rel_tol``), by a test (``test(prediction) -> bool``) or, for a
    choice, by the option text (``value``). ``why`` names the mechanism the prediction missed; ``like``
    names the common misconception it resembles.
    """

    why: str
    value: Any = None
    rel_tol: float = 0.05
    test: Callable[[Any], bool] | None = None
    like: str = ""

    def matches(self, prediction: Any) -> bool:
        if self.test is not None:
            try:
                return bool(self.test(prediction))
            except (TypeError, ValueError):
                return False
        if isinstance(self.value, str):
            return isinstance(prediction, str) and prediction.strip().lower() == self.value.strip().lower()
        if isinstance(self.value, int | float) and isinstance(prediction, int | float):
            return math.isclose(prediction, self.value, rel_tol=self.rel_tol, abs_tol=1e-12)
        return False


@dataclass
class Entry:
    """One prediction of this session and what the run gave."""

    exercise: str
    prediction: Any
    outcome: Any
    unit: str
    status: str
    note: str


@dataclass
class Journal:
    """The session's predictions, in the order they were checked (a re-check replaces the earlier one)."""

    entries: list[Entry] = field(default_factory=list)

    def record(self, entry: Entry) -> None:
        self.entries = [e for e in self.entries if e.exercise != entry.exercise] + [entry]

    def _repr_html_(self) -> str:
        if not self.entries:
            return "<p class='cvm-journal'>No prediction checked yet in this session.</p>"
        rows = "".join(
            f"<tr><td>{html.escape(e.exercise)}</td><td>{html.escape(_show(e.prediction, e.unit))}</td>"
            f"<td>{html.escape(_show(e.outcome, e.unit))}</td><td>{'✔' if e.status == 'correct' else '✘'} "
            f"{html.escape(e.status)}</td><td>{html.escape(e.note)}</td></tr>"
            for e in self.entries
        )
        return (
            "<table class='cvm-journal'><caption>Your predictions in this session</caption><thead><tr>"
            "<th scope='col'>exercise</th><th scope='col'>you predicted</th><th scope='col'>the run gave</th>"
            f"<th scope='col'>verdict</th><th scope='col'>what it shows</th></tr></thead><tbody>{rows}</tbody></table>"
        )

    def __repr__(self) -> str:
        if not self.entries:
            return "No prediction checked yet in this session."
        return "\n".join(
            f"{e.exercise}: predicted {_show(e.prediction, e.unit)}, the run gave {_show(e.outcome, e.unit)} "
            f"({e.status})"
            for e in self.entries
        )


_JOURNAL = Journal()


def journal() -> Journal:
    """This session's predictions beside their outcomes (displays as a table)."""
    return _JOURNAL


def _show(value: Any, unit: str) -> str:
    text = f"{value:.4g}" if isinstance(value, float) else str(value)
    return f"{text} {unit}".strip()


def _as_number(prediction: Any, unit: str) -> float:
    try:
        return validate.as_number("your prediction", prediction)
    except ValueError as exc:
        raise ValueError(f"{exc} ({'in ' + unit if unit else 'a number'} was expected)") from None


def check_prediction(
    exercise: str,
    prediction: Any,
    outcome: Any,
    *,
    unit: str = "",
    rel_tol: float = 0.1,
    abs_tol: float = 0.0,
    options: Sequence[str] | None = None,
    mistakes: Sequence[Mistake] = (),
    explanation: str = "",
) -> Feedback:
    """Compare a prediction with what the run gave, explain the gap, and keep both in the :func:`journal`.

    Parameters
    ----------
    exercise:
        A short name for the exercise (the journal's first column).
    prediction:
        The learner's prediction: a number (``options`` None) or one of ``options``.
    outcome:
        What the lab, simulation or calculator gave (measured live or recorded: the caller says which).
    unit:
        The unit of a numeric prediction, shown in every message ("exits", "rounds", "MB").
    rel_tol, abs_tol:
        How close a numeric prediction must be to count as right.
    options:
        For a choice: the allowed answers (the outcome is one of them).
    mistakes:
        Common wrong predictions and what each misses (the first that matches is named).
    explanation:
        Why the outcome is what it is (shown in every case).
    """
    if not isinstance(exercise, str) or not exercise.strip():
        raise ValueError("exercise must be a short name, such as 'ring exits'")
    if is_missing(prediction):
        return Feedback("missing", "no prediction yet: write it down before you run the lab.", MISSING_HINT)
    if options is not None:
        choices = [str(o) for o in options]
        if not isinstance(prediction, str) or prediction.strip().lower() not in [c.lower() for c in choices]:
            return Feedback(
                "incorrect",
                f"your prediction must be one of {', '.join(map(repr, choices))}; got {prediction!r}.",
                "copy one of the options exactly, in quotes",
            )
        right = prediction.strip().lower() == str(outcome).strip().lower()
        gap = "" if right else f"You predicted {prediction!r}; the run gave {outcome!r}."
    else:
        try:
            value = _as_number(prediction, unit)
        except ValueError as exc:
            return Feedback("incorrect", str(exc) + ".", "write a number, without quotes")
        right = math.isclose(value, float(outcome), rel_tol=rel_tol, abs_tol=abs_tol)
        prediction = value
        gap = (
            ""
            if right
            else (
                f"You predicted {_show(value, unit)}; the run gave {_show(outcome, unit)} "
                f"({'more' if float(outcome) > value else 'less'} than you thought)."
            )
        )
    mistake = next((m for m in mistakes if not right and m.matches(prediction)), None)
    if right:
        message = f"your prediction {_show(prediction, unit)} matches the run ({_show(outcome, unit)})."
        note = "predicted well"
    elif mistake is not None:
        like = f" This is the common mistake: {mistake.like}." if mistake.like else ""
        message = f"{gap} {mistake.why}.{like}"
        note = mistake.why
    else:
        message = gap
        note = "a gap to explain"
    if explanation:
        message = f"{message} {explanation}"
    status = "correct" if right else "incorrect"
    _JOURNAL.record(Entry(exercise.strip(), prediction, outcome, unit, status, note))
    hint = "" if right else "read the explanation, then predict the next one before you run it"
    return Feedback(status, message.strip(), hint)
