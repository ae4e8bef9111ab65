"""Lesson 07's edit exercise, checked: the learner's predicted order of start-up medians against the run.

The learner designs an experiment (:func:`widgets.labs.startupexp.check_design`), predicts the order of the
medians, fastest first, and :func:`check_order` compares it with what the lab measured (or the labelled recording),
accepting either order for neighbours whose p25–p75 ranges overlap, and explains each gap by what the slower
path does that the faster one does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations

from ..core.units import format_ms
from ..labs.startup import MEASURED
from ..labs.startupexp import DOES, Ordering, check_design, ordering, run_experiment, source_sentence
from .checks import Feedback, is_missing
from .predict import Mistake, check_prediction

__all__ = ["check_design", "check_order", "explain_gaps", "ordering", "run_experiment"]  # and below


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
    steps = [f"{first.name} ({format_ms(first.median_ms)}): {DOES[first.name]}"]
    for a, b in zip(result.order, result.order[1:], strict=False):
        pa, pb = by[a], by[b]
        close = (a, b) in result.ties
        ratio = pb.median_ms / pa.median_ms
        steps.append(
            f"{b} ({format_ms(pb.median_ms)}, "
            + ("within the spread of the one before, too close to order here" if close else f"×{ratio:.2g}")
            + f"): {DOES[b]}"
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


@dataclass(frozen=True)
class ExperimentCheck:
    """The check of one designed experiment: the feedback and, once it ran, the ranked result."""

    feedback: Feedback
    result: Ordering | None = None

    def _repr_html_(self) -> str:
        return self.feedback._repr_html_()

    def __repr__(self) -> str:
        return str(self.feedback)


def first_runs(result: Ordering) -> str:
    """For a design that kept each path's first run: that run beside the path's median."""
    parts = [
        f"{p.name} first {format_ms(p.times_ms[0])} vs median {format_ms(p.median_ms)}"
        for p in result.bench.paths
        if p.source == MEASURED and p.times_ms
    ]
    if not parts:
        return ""
    return (
        " First runs kept (the first start of each path in this experiment, which may find less in the caches: "
        "the program's pages, the image's files, Python's modules): " + "; ".join(parts) + "."
    )


def check_experiment(design: object, prediction: object, *, live: str = "auto") -> ExperimentCheck:
    """Validate the design, and only once there is a prediction run it with the start-up lab and check the order.

    A bad design or prediction gets a sentence (never a traceback); the run is live where this machine can, or
    the dated recording, and the feedback says which.
    """
    if is_missing(prediction):
        return ExperimentCheck(
            Feedback(
                "missing",
                "no prediction yet: write the order you expect (fastest first) before the lab runs your experiment.",
                "prediction = a list of your experiment's paths, fastest first",
            )
        )
    try:
        exp = check_design(design)
    except ValueError as exc:
        return ExperimentCheck(Feedback("incorrect", f"the experiment cannot run: {exc}.", "fix the design dict"))
    if (
        isinstance(prediction, str)
        or not isinstance(prediction, list | tuple)
        or sorted(map(str, prediction)) != sorted(exp.paths)
    ):
        return ExperimentCheck(
            Feedback(
                "incorrect",
                f"your prediction must list each path of your experiment once, fastest first ({', '.join(exp.paths)});"
                f" got {prediction!r}.",
                "order exactly the paths you put in the experiment",
            )
        )
    result = run_experiment(design, live=live)
    fb = check_order(prediction, result)
    extra = first_runs(result) if exp.keep_first else ""
    return ExperimentCheck(Feedback(fb.status, fb.message + extra, fb.hint), result)


__all__ += ["ExperimentCheck", "check_experiment", "first_runs"]
