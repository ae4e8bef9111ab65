"""Input rules shared by every model in the course.

Each function takes the *name* of the input (as the learner sees it) and the
value, and either returns the cleaned value or raises :class:`ValueError`
with a sentence a learner can act on. Widgets show that same sentence, so a
model, its widget, its tests and a papermill run all speak with one voice.

Text is accepted where a number is expected ("12.5", " 3e3 "), because a
calculator's text box hands over strings; booleans are refused even though
Python treats them as integers.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

#: How every default that is not from data/ is labelled.
ILLUSTRATIVE = "illustrative assumption, set your own"


def as_number(name: str, value: Any) -> float:
    """Return ``value`` as a finite float, or raise ValueError saying why not.

    Accepts ints, floats, numpy scalars and numeric text. Refuses booleans,
    empty text, NaN and infinities.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{name} must be a number, got {value!r}")
    if isinstance(value, str):
        text = value.strip().replace("_", "")
        if not text:
            raise ValueError(f"{name} is empty: type a number")
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{name} must be a number, got the text {value.strip()!r}") from None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {type(value).__name__}") from None
    if math.isnan(number):
        raise ValueError(f"{name} is not a number (NaN): type a number")
    if math.isinf(number):
        raise ValueError(f"{name} must be finite, got {number}")
    return number


def number(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    allow_zero: bool = True,
    unit: str = "",
) -> float:
    """Return a finite number within ``[minimum, maximum]``.

    Parameters
    ----------
    name:
        The input's name, used in the message.
    value:
        The raw value (number or numeric text).
    minimum, maximum:
        Inclusive bounds (``None``: unbounded).
    allow_zero:
        If False, zero is refused even when ``minimum`` is 0.
    unit:
        Unit shown in the message, e.g. ``"ms"``.
    """
    x = as_number(name, value)
    u = f" {unit}" if unit else ""
    if not allow_zero and x == 0:
        raise ValueError(f"{name} must not be zero")
    if minimum is not None and x < minimum:
        if minimum == 0:
            raise ValueError(f"{name} must not be negative, got {x:g}{u}")
        raise ValueError(f"{name} must be at least {minimum:g}{u}, got {x:g}{u}")
    if maximum is not None and x > maximum:
        raise ValueError(f"{name} must be at most {maximum:g}{u}, got {x:g}{u}")
    return x


def integer(
    name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None, exact: bool = False
) -> int:
    """Return a whole number within ``[minimum, maximum]``.

    With ``exact`` only a Python ``int`` is accepted (no text, no float, no bool), for the arguments of
    functions that a learner calls from code rather than types into a box.
    """
    if exact:
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not ((minimum is None or value >= minimum) and (maximum is None or value <= maximum))
        ):
            span = f" from {minimum} to {maximum}" if minimum is not None and maximum is not None else ""
            raise ValueError(f"{name} must be a whole number{span}, got {value!r}")
        return value
    x = as_number(name, value)
    if x != int(x):
        raise ValueError(f"{name} must be a whole number, got {x:g}")
    n = int(x)
    if minimum is not None and n < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {n}")
    if maximum is not None and n > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {n}")
    return n


def choice(name: str, value: Any, options: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``options``."""
    opts = list(options)
    if value not in opts:
        raise ValueError(f"{name} must be one of {', '.join(map(str, opts))}; got {value!r}")
    return value


def ordered(lo_name: str, lo: float, hi_name: str, hi: float) -> None:
    """Raise ValueError unless ``lo <= hi``."""
    if lo > hi:
        raise ValueError(f"{lo_name} ({lo:g}) must not be greater than {hi_name} ({hi:g})")


def flag(name: str, value: Any) -> bool:
    """Return ``value`` if it is True or False (numpy booleans too); refuse 0, 1 and text."""
    if not isinstance(value, bool) and type(value).__name__ != "bool_":
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def defaults_of(model: Callable[..., Any]) -> dict[str, Any]:
    """The keyword defaults of a model function, by name: the one place a default is written."""
    return {
        name: p.default
        for name, p in inspect.signature(model).parameters.items()
        if p.default is not inspect.Parameter.empty and p.kind is not p.VAR_KEYWORD and not name.startswith("_")
    }


def check_known(values: Mapping[str, object], known: Iterable[str]) -> None:
    """Raise ValueError naming any keyword a calculator does not take."""
    names = list(known)
    unknown = set(values) - set(names)
    if unknown:
        raise ValueError(f"unknown input(s) {', '.join(sorted(unknown))}; known: {', '.join(names)}")
