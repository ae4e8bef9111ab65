"""Seeded practice (lesson 02): which namespace hides what? A set of namespaces; predict what the process sees.

``practice(seed)`` shows a namespace set that an ordinary user's process unshares (the rules of
:mod:`widgets.models.nsview`, which lesson 02's Exercise 2 runs live and every recorded run matches);
``practice(seed, answer=...)`` checks a prediction of the five fields (or ``"refused"``) and names the
mechanism each wrong field missed; ``practice(seed, show=True)`` works the answer out, namespace by namespace.
"""

from __future__ import annotations

import random

from ..core import validate
from ..models import nsview
from .buildpractice import Text
from .checks import MISSING_HINT, Feedback, is_missing
from .nsedit import EXAMPLE

__all__ = ["namespace_set", "check_practice", "practice", "solution"]


def namespace_set(seed: int) -> tuple[str, ...]:
    """The namespace set of problem ``seed`` (deterministic; usually with a user namespace, sometimes without)."""
    seed = validate.integer("seed", seed, minimum=0, maximum=10**9)
    rng = random.Random(seed)
    others = [n for n in nsview.NAMES if n != "user" and rng.random() < 0.5]
    with_user = rng.random() < 0.8 or not others
    return nsview.check_namespaces(others + ["user"] if with_user else others)


def _show(seed: int, names: tuple[str, ...]) -> str:
    return (
        f"Namespace problem #{seed}. An ordinary user's process unshares {', '.join(names)}; if that includes a PID "
        "namespace it forks once and the child reports; it mounts a fresh /proc only with both a PID and a mount "
        "namespace, and sets the hostname only in a UTS namespace of its own.\n"
        f"Predict pid, hostname, network, uid and processes, e.g. {EXAMPLE}, or 'refused'."
    )


def practice(seed: int, answer: object = None, show: bool = False) -> Text | Feedback:
    """Show problem ``seed``; with ``answer``, check it; with ``show=True``, the worked answer."""
    try:
        names = namespace_set(seed)
    except ValueError as exc:
        return Feedback("incorrect", f"{exc}.", "the seed is a whole number, e.g. practice(7)")
    view = nsview.expected_view(names)
    effects = " ".join(f"{n}: {nsview.EFFECTS[n]}." for n in names)
    if show:
        worked = view if isinstance(view, str) else ", ".join(f"{k} {v!r}" for k, v in view.items())
        return Text(f"{_show(seed, names)}\n\nWorked answer: {worked}. {effects}")
    if answer is None:
        return Text(_show(seed, names))
    if is_missing(answer):
        return Feedback("missing", "the answer is still empty.", MISSING_HINT)
    try:
        said = nsview.check_view(answer)
    except ValueError as exc:
        return Feedback("incorrect", f"{exc}.", f"predict 'refused' or a dict such as {EXAMPLE}")
    if said == view:
        return Feedback("correct", f"{view if isinstance(view, str) else 'every field right'}. {effects}")
    if view == nsview.REFUSED:
        why = "without a user namespace an ordinary user may create no other namespace: unshare fails with EPERM"
    elif said == nsview.REFUSED:
        why = "the set has a user namespace, which gives the process the capabilities to create the others"
    else:
        why = "; ".join(
            f"{f}: {view[f]!r}, not {said[f]!r}: {nsview.why(f, names, view[f])}"
            for f in nsview.FIELDS
            if said[f] != view[f]
        )
    return Feedback("incorrect", f"{why}.", f"practice({seed}, show=True) works it out; then try another seed")


def solution(seed: int) -> dict[str, str] | str:
    """The answer of problem ``seed``: the five fields, or ``"refused"``."""
    return nsview.expected_view(namespace_set(seed))


def check_practice(seed: int, answer: object) -> Text | Feedback:
    """Check ``answer`` to problem ``seed`` (the same as ``practice(seed, answer=answer)``)."""
    return practice(seed, answer=answer)
