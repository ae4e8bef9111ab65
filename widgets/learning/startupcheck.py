"""Lesson 07's edit exercise, checked: the learner's predicted order of start-up medians against the run.

The learner designs an experiment (:func:`widgets.labs.startupexp.check_design`), predicts the order of the
medians, fastest first, and :func:`check_order` compares it with what the lab measured (or the labelled recording),
accepting either order for neighbours whose p25–p75 ranges overlap, and explains each gap by what the slower
path does that the faster one does not.
"""

from __future__ import annotations

from itertools import permutations

from ..core.units import format_ms
from ..labs.startupexp import DOES, Ordering, check_design, ordering, run_experiment, source_sentence
from .checks import Feedback, is_missing
from .predict import Mistake, check_prediction

__all__ = ["check_design", "check_order", "explain_gaps", "ordering", "run_experiment"]


def _rank(text: str, name: str) -> int:
    return text.split(" < ").index(name) if name in text.split(" < ") else -1


def _mistakes(paths: tuple[str, ...]) -> list[Mistake]:
    out = []
    if "container" in paths:
        faster = [p for p in ("process", "namespaces") if p in paths]
        out.append(
            Mistake(
                why=(
                    "The whole container does everything the namespaced process does and then mounts an overlay, "
                    "pivots its root, drops capabilities, installs a seccomp filter, all from a Python runner"
                ),
                test=lambda t: any(_rank(t, "container") < _rank(t, p) for p in faster),
                like="a container is just a process, so it starts as fast as one",
            )
        )
    if "kvm" in paths and len(paths) > 2:
        out.append(
            Mistake(
                why=(
                    "This KVM guest boots no operating system: creating a VM and a vCPU is a handful of ioctls from "
                    "a process that is already running, and its code halts after a few instructions"
                ),
                test=lambda t: _rank(t, "kvm") == len(paths) - 1,
                like="a VM is slow to start because virtualisation itself is slow",
            )
        )
    if {"process", "namespaces"} <= set(paths):
        out.append(
            Mistake(
                why="A namespaced process is the same process plus unshare and the namespaces: it cannot be faster",
                test=lambda t: _rank(t, "namespaces") < _rank(t, "process"),
                like="isolation costs nothing at start-up",
            )
        )
    return out


def explain_gaps(result: Ordering) -> str:
    """Each step of the measured order: how much slower, and what the slower path does."""
    by = {p.name: p for p in result.bench.paths}
    first = by[result.order[0]]
    steps = [f"{first.name} ({format_ms(first.median_ms)}) does {DOES[first.name]}"]
    for a, b in zip(result.order, result.order[1:], strict=False):
        pa, pb = by[a], by[b]
        close = (a, b) in result.ties
        ratio = pb.median_ms / pa.median_ms
        steps.append(
            f"{b} ({format_ms(pb.median_ms)}, "
            + ("within the spread of the one before, too close to order here" if close else f"×{ratio:.2g}")
            + f") does {DOES[b]}"
        )
    return "; ".join(steps) + "."


def check_order(prediction: object, result: object) -> Feedback:
    """Check a predicted order of medians (a list of path names, fastest first) against the experiment's run."""
    if not isinstance(result, Ordering):
        raise ValueError("result must be what run_experiment(...) returned")
    paths = result.order
    if is_missing(prediction):
        return Feedback(
            "missing",
            "no prediction yet: write the paths of your experiment fastest first, before you run it.",
            f"prediction_1 = {list(sorted(paths))!r}, reordered",
        )
    if isinstance(prediction, str) or not isinstance(prediction, list | tuple):
        return Feedback(
            "incorrect",
            f"your prediction must be a list of path names, fastest first; got {type(prediction).__name__}.",
            f"for example {list(paths)!r} in the order you expect",
        )
    if sorted(map(str, prediction)) != sorted(paths):
        return Feedback(
            "incorrect",
            f"your prediction must name each path of your experiment once ({', '.join(sorted(paths))}); "
            f"got {', '.join(map(str, prediction))}.",
            "order exactly the paths you put in the experiment",
        )
    predicted = " < ".join(map(str, prediction))
    consistent = result.consistent(tuple(map(str, prediction)))
    measured = " < ".join(paths)
    options = [" < ".join(p) for p in permutations(paths)]
    outcome = predicted if consistent else measured
    ties = (
        f" The run could not separate {', '.join(f'{a} and {b}' for a, b in result.ties)} (their p25–p75 ranges "
        "overlap), so either order of those counts."
        if result.ties
        else ""
    )
    return check_prediction(
        "start-up order",
        predicted,
        outcome,
        options=options,
        mistakes=_mistakes(paths),
        explanation=f"Measured order: {result.text} ({source_sentence(result)}).{ties} {explain_gaps(result)}",
    )


def design_of(design: object) -> tuple[str, ...]:
    """The paths of a valid design (ValueError otherwise)."""
    return check_design(design).paths


__all__ += ["design_of"]
_ = ordering  # re-exported for the lesson
