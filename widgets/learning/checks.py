"""Exercise checks that explain, not only judge.

A check returns a :class:`Feedback`: whether the answer is right, a sentence
on why, and a hint towards the next step. It renders as a coloured box in
JupyterLab and as plain text elsewhere. The common mistakes are recognised
and named: no answer yet, text instead of a number, the right number in the
wrong unit (x1000), the wrong sign, close but outside the tolerance.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..core import validate

_STYLES = {
    "correct": ("✔ Correct", "#E6F4EA", "#009E73"),
    "incorrect": ("✘ Not yet", "#FDECEA", "#D55E00"),
    "missing": ("… No answer yet", "#F2F2F2", "#7F7F7F"),
}


@dataclass(frozen=True)
class Feedback:
    """The outcome of an exercise check.

    Attributes
    ----------
    status:
        ``"correct"``, ``"incorrect"`` or ``"missing"`` (no answer given).
    message:
        What is right or wrong about the answer.
    hint:
        A next step (empty when correct).
    """

    status: str
    message: str
    hint: str = ""

    @property
    def correct(self) -> bool:
        """True when the answer is right."""
        return self.status == "correct"

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        label = _STYLES[self.status][0]
        hint = f"\n  Hint: {self.hint}" if self.hint else ""
        return f"{label}: {self.message}{hint}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        label, bg, edge = _STYLES[self.status]
        hint = f"<br><i>Hint:</i> {html.escape(self.hint)}" if self.hint else ""
        return (
            f'<div class="cvm-feedback cvm-{self.status}" style="background:{bg};'
            f'border-left:5px solid {edge};padding:6px 10px;margin:4px 0">'
            f"<b>{label}.</b> {html.escape(self.message)}{hint}</div>"
        )


def is_missing(answer: Any) -> bool:
    """True when the learner has not answered yet (None, ..., or empty text)."""
    return answer is None or answer is Ellipsis or (isinstance(answer, str) and not answer.strip())


MISSING_HINT = "replace the ... (or None) in the exercise cell with your answer and run both cells"


def check_number(
    answer: Any,
    expected: float,
    *,
    rel_tol: float = 0.02,
    abs_tol: float = 0.0,
    unit: str = "",
    explanation: str = "",
    hint: str = "",
) -> Feedback:
    """Check a numeric answer with tolerance, naming common mistakes.

    Parameters
    ----------
    answer:
        The learner's answer (number or numeric text).
    expected:
        The right value.
    rel_tol, abs_tol:
        Accepted relative and absolute error.
    unit:
        The unit the answer should be in, used in messages.
    explanation:
        Why the expected value is right (shown when correct, so the check
        teaches even when the learner guessed).
    hint:
        The next step when the answer is wrong.
    """
    u = f" {unit}" if unit else ""
    if is_missing(answer):
        return Feedback("missing", "the answer is still empty.", MISSING_HINT)
    try:
        x = validate.as_number("your answer", answer)
    except ValueError as exc:
        return Feedback("incorrect", f"{exc}.", "answer with a number, e.g. 12.5 (no unit)")
    if math.isclose(x, expected, rel_tol=rel_tol, abs_tol=abs_tol):
        return Feedback("correct", f"{x:g}{u}. {explanation}".strip())
    if expected != 0:
        ratio = x / expected
        for factor, what in ((1000, "1000×"), (1e-3, "1/1000 of"), (60, "60×"), (1 / 60, "1/60 of")):
            if math.isclose(ratio, factor, rel_tol=max(rel_tol, 0.02)):
                return Feedback(
                    "incorrect",
                    f"{x:g} is {what} the expected value: the number is right but the unit is not.",
                    f"give the answer in {unit or 'the unit asked for'}",
                )
        if math.isclose(-x, expected, rel_tol=rel_tol, abs_tol=abs_tol):
            return Feedback("incorrect", f"{x:g} has the wrong sign.", hint or "check the sign")
        if abs(ratio - 1) < 5 * rel_tol:
            return Feedback(
                "incorrect",
                f"{x:g}{u} is close but not within {rel_tol:.0%} of the expected value.",
                hint or "check your rounding and the inputs you used",
            )
        direction = "too large" if x > expected else "too small"
        return Feedback("incorrect", f"{x:g}{u} is {direction}.", hint)
    return Feedback("incorrect", f"{x:g}{u} is not right.", hint)


def check_choice(
    answer: Any,
    expected: str,
    *,
    why: Mapping[str, str] | None = None,
    explanation: str = "",
) -> Feedback:
    """Check a categorical answer; explain each wrong option.

    Parameters
    ----------
    answer:
        The learner's answer (compared case- and space-insensitively).
    expected:
        The right option.
    why:
        Option -> why that option is wrong (or right), shown as feedback.
    explanation:
        Why the expected option is right.
    """
    if is_missing(answer):
        return Feedback("missing", "the answer is still empty.", MISSING_HINT)
    if not isinstance(answer, str):
        return Feedback("incorrect", f"expected text such as {expected!r}, got {answer!r}.")

    def _norm(text: str) -> str:  # one rule for both sides: case, spaces and underscores do not matter
        return " ".join(text.strip().lower().replace("_", " ").replace("-", " ").split())

    norm = _norm(answer)
    shown = {_norm(k): k for k in (why or {})}
    why = {_norm(k): v for k, v in (why or {}).items()}
    if norm == _norm(expected):
        return Feedback("correct", f"{expected}. {explanation}".strip())
    if norm in why:
        return Feedback("incorrect", why[norm], "look at the evidence again")
    options = ", ".join(repr(k) for k in sorted({expected, *shown.values()}))
    return Feedback("incorrect", f"{answer!r} is not one of the options.", f"answer with one of {options}")
