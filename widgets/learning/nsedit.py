"""Lesson 02's edit exercise: change the set of namespaces the lab's child unshares, predict what it sees.

The learner edits a list (``namespaces = ["user", "pid", "uts", "mount", "net"]``) and writes a prediction
of the five things the process will report (its PID, hostname, network interfaces, user id and the
processes ``/proc`` lists), or ``"refused"`` if they expect the kernel to refuse the ``unshare``. The check
validates both, runs the set through :func:`widgets.labs.nsrun.run_namespaces` (the existing child, a hard
timeout, never a shell; the recorded run of the same set without user namespaces or with ``live="off"``),
compares field by field and explains each namespace's effect. The result joins :func:`widgets.journal`.
"""

from __future__ import annotations

from typing import Any

from ..labs import nsrun
from ..labs.base import LabFailed
from ..models import nsview
from .checks import MISSING_HINT, Feedback, is_missing
from .predict import Entry, journal

__all__ = ["EXAMPLE", "check_namespace_set", "describe"]

#: A prediction in the form the check expects (what the lesson's default set gives).
EXAMPLE = {"pid": 1, "hostname": "container", "network": "lo only", "uid": 0, "processes": "own"}
_RAW = {
    "pid": lambda o: f"PID {o.get('pid')}",
    "hostname": lambda o: repr(o.get("hostname")),
    "network": lambda o: ", ".join(o.get("interfaces", [])) or "none",
    "uid": lambda o: f"uid {o.get('uid')}, {o.get('uid_outside')} outside",
    "processes": lambda o: f"{o.get('processes')} in /proc",
}


def describe(run: nsrun.NsRun) -> str:
    """One sentence: what the process saw, and where (measured here, or recorded)."""
    o = run.observed
    if run.view == nsview.REFUSED:
        return f"unshare was refused: {o.get('refused')} ({run.source})"
    return "; ".join(f"{f} {_RAW[f](o)}" for f in nsview.FIELDS) + f" ({run.source})"


def _run(names: tuple[str, ...], live: str, timeout_s: float) -> tuple[nsrun.NsRun, str]:
    try:
        return nsrun.run_namespaces(names, live=live, timeout_s=timeout_s), ""
    except LabFailed as exc:
        note = f"The live run did not complete ({exc}); the run recorded for the same set answers."
        return nsrun.recorded_run(names, note), note


def check_namespace_set(
    namespaces: Any, prediction: Any, *, live: str = "auto", timeout_s: float = 10.0, exercise: str = "namespace set"
) -> Feedback:
    """Validate the learner's set and prediction, run the set, compare and explain (see the module)."""
    if is_missing(namespaces):
        return Feedback("missing", "no namespace list yet.", "e.g. namespaces = ['user', 'pid', 'uts']")
    if is_missing(prediction):
        return Feedback("missing", "no prediction yet: write it down before the lab runs your set.", MISSING_HINT)
    try:
        names = nsview.check_namespaces(namespaces)
    except ValueError as exc:
        return Feedback("incorrect", f"{exc}.", "a list of names in quotes, e.g. ['user', 'pid']")
    try:
        said = nsview.check_view(prediction)
    except ValueError as exc:
        return Feedback("incorrect", f"{exc}.", f"predict 'refused' or a dict such as {EXAMPLE}")
    run, note = _run(names, live, timeout_s)
    saw, listed = run.view, ", ".join(names) or "no namespace"
    effects = " ".join(f"{n}: {nsview.EFFECTS[n]}." for n in names)
    where = "measured here" if run.live else f"{run.why} " if not note else note + " "
    if saw == nsview.REFUSED or said == nsview.REFUSED:
        right = said == saw
        if saw == nsview.REFUSED and "user" in names:  # refused for another reason: an old kernel, a policy
            gap = "" if right else "You predicted a view, but the kernel refused the unshare. "
            why = (
                f"{describe(run)}. With a user namespace in the set this is not the permission rule: this kernel "
                "or its policy refuses one of the types (the time namespace needs Linux 5.6, for example)."
            )
        elif saw == nsview.REFUSED:
            gap = "" if right else "You predicted a view, but the kernel refused the unshare. "
            why = (
                f"{describe(run)}. An ordinary user may create a {listed} namespace only together with a user "
                "namespace, which gives it the capabilities over them (user_namespaces(7))."
            )
        else:
            gap = "You predicted 'refused', but the unshare worked. "
            why = f"With a user namespace in the set, an ordinary user may create the others. {describe(run)}."
        message = f"{gap}{why} {effects}".strip()
    else:
        wrong = [f for f in nsview.FIELDS if said[f] != saw[f]]
        right = not wrong
        parts = [
            f"{f}: you predicted {said[f]!r}, the process saw {saw[f]!r} ({_RAW[f](run.observed)})"
            + (f": {nsview.why(f, names, saw[f])}" if f in wrong else "")
            for f in nsview.FIELDS
        ]
        head = "every field as predicted" if right else f"{len(wrong)} of {len(nsview.FIELDS)} fields differ"
        message = f"{head}, with {listed} unshared. " + "; ".join(parts) + f". {effects}"
    if not run.live:
        message = f"{message} ({where.strip()})"
    status = "correct" if right else "incorrect"
    journal().record(Entry(exercise, _short(said), _short(saw), "", status, f"set: {listed}"))
    hint = "" if right else "add or remove one namespace, predict again, and run the check"
    return Feedback(status, message, hint)


def _short(view: dict[str, str] | str) -> str:
    return view if isinstance(view, str) else ", ".join(f"{k} {v}" for k, v in view.items())
