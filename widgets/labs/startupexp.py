"""Lesson 07's edit exercise: the learner designs a start-up experiment and the start-up lab runs it.

An experiment is a small dict the learner writes (data, never code: nothing of it reaches a shell)::

    {"paths": ["process", "namespaces", "container", "kvm"], "runs": 10, "keep_first": False}

:func:`check_design` validates it (each message names the key and what is allowed) and :func:`run_experiment`
runs it with :func:`widgets.labs.startup.measure`: live where this machine can (each run with its own timeout,
the whole experiment within a time budget), the dated recording otherwise, labelled so. :func:`ordering` ranks
the paths by median and says which neighbours are too close to order (their p25–p75 ranges overlap).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..core import validate
from .startup import LABEL, MEASURED, PATHS, SHORT, StartupBench, measure

__all__ = ["DOES", "Experiment", "Ordering", "check_design", "ordering", "run_experiment"]

KEYS = ("paths", "runs", "keep_first")
MAX_RUNS = 30

#: What each path does, beyond the one before it in the usual order (the explanation of a gap).
DOES = {
    "process": (
        "a new process for /bin/true (Python's subprocess: fork or vfork, then exec) and a wait for it to exit"
    ),
    "namespaces": (
        "the same process started by util-linux unshare in six new namespaces (user, UTS, IPC, network, mount, "
        "PID): one more exec (unshare itself) and one more fork (so that /bin/true is PID 1 of the new PID "
        "namespace) and the namespaces' set-up; no image, no cgroup, no daemon"
    ),
    "container": (
        "lesson 03's image on an overlay root, pivot_root, a fresh /proc, capabilities dropped, no_new_privs, "
        "a seccomp filter, then /bin/hello, all driven by the course's Python runner, whose own interpreter "
        "start-up is a large part of it"
    ),
    "kvm": (
        "KVM_CREATE_VM, memory, one vCPU, a few dozen bytes of real-mode code run to HLT, then closed, all from "
        "the lesson's own process: no new process starts and no guest kernel boots"
    ),
}


@dataclass(frozen=True)
class Experiment:
    """A validated design: which paths, how many timed runs, and whether the first run of each is kept."""

    paths: tuple[str, ...]
    runs: int
    keep_first: bool


def check_design(design: object) -> Experiment:
    """Validate the learner's experiment dict; ValueError names the key and what is allowed."""
    if not isinstance(design, Mapping):
        raise ValueError(
            "the experiment must be a dict such as {'paths': ['process', 'kvm'], 'runs': 10, 'keep_first': False}, "
            f"got {type(design).__name__}"
        )
    unknown = [k for k in design if k not in KEYS]
    if unknown:
        raise ValueError(f"the experiment has unknown key(s) {', '.join(map(repr, unknown))}; it takes {KEYS}")
    paths = design.get("paths")
    if isinstance(paths, str) or not isinstance(paths, list | tuple) or len(paths) < 2:
        raise ValueError(f"'paths' must be a list of at least two of {', '.join(PATHS)}; got {paths!r}")
    names = tuple(validate.choice("a path in 'paths'", p, PATHS) for p in paths)
    if len(set(names)) != len(names):
        raise ValueError(f"'paths' names a path twice: {', '.join(names)}")
    runs = validate.integer("'runs' (timed runs per path)", design.get("runs", 10), minimum=3, maximum=MAX_RUNS)
    keep = design.get("keep_first", False)
    if not isinstance(keep, bool):
        raise ValueError(f"'keep_first' must be True or False, got {keep!r}")
    return Experiment(names, runs, keep)


@dataclass(frozen=True)
class Ordering:
    """The paths from fastest to slowest median, and the neighbours whose p25–p75 ranges overlap."""

    order: tuple[str, ...]
    ties: tuple[tuple[str, str], ...]
    bench: StartupBench

    @property
    def text(self) -> str:
        """``process < kvm < namespaces``, with ``≈`` between neighbours too close to order."""
        out = self.order[0]
        for a, b in zip(self.order, self.order[1:], strict=False):
            out += f" {'≈' if (a, b) in self.ties else '<'} {b}"
        return out

    def consistent(self, predicted: tuple[str, ...]) -> bool:
        """Whether ``predicted`` (fastest first) agrees with the measured order, up to the overlapping pairs."""
        if sorted(predicted) != sorted(self.order):
            return False
        rank = {p: i for i, p in enumerate(predicted)}
        close = {frozenset(t) for t in self.ties}
        for i, a in enumerate(self.order):
            for b in self.order[i + 1 :]:
                if rank[a] > rank[b] and frozenset((a, b)) not in close:
                    return False
        return True


def ordering(bench: StartupBench) -> Ordering:
    """Rank the bench's paths by median; neighbours whose p25–p75 ranges overlap are marked as ties."""
    ranked = sorted(bench.paths, key=lambda p: p.median_ms)
    ties = tuple((a.name, b.name) for a, b in zip(ranked, ranked[1:], strict=False) if b.p25_ms <= a.p75_ms)
    return Ordering(tuple(p.name for p in ranked), ties, bench)


def run_experiment(design: object, *, live: str = "auto", budget_s: float = 20.0) -> Ordering:
    """Run the learner's design with the start-up lab and rank the result (live, or the labelled recording)."""
    exp = check_design(design)
    bench = measure(exp.paths, exp.runs, live, budget_s, 5.0, None, keep_first=exp.keep_first)
    return ordering(bench)


def source_sentence(result: Ordering) -> str:
    """Which paths were measured here and which come from the recording (with its date and machine)."""
    live = [SHORT[p.name] for p in result.bench.paths if p.source == MEASURED]
    recorded = [p for p in result.bench.paths if p.source != MEASURED]
    parts = [f"measured here: {', '.join(live)}"] if live else []
    if recorded:
        parts.append(f"not measured here, {LABEL}: {', '.join(SHORT[p.name] for p in recorded)}")
    return "; ".join(parts)
