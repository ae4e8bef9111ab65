"""The hardening exercise (lesson 05): a seeded scenario, and a check that explains what a choice misses.

The topic module of lessons 05 and 09's kernel sections: the exercise here, the kernel calculator and the
CVE figures re-exported.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from ..core import validate
from ..labs.kernel import this_kernel
from ..models.hardening import HARDENING, SETUPS
from ..models.kernel import kernel_features
from ..ui.kernelcheck import (
    KernelCalculator,
    cve_figure,
    cve_summary,
    cve_table_html,
    hardening_html,
    summarize,
)
from .checks import MISSING_HINT, Feedback

#: The lesson-facing API of this topic: its own names and, re-exported, the figures, calculators and
#: models a lesson uses with them (one import per topic in a lesson).
__all__ = [
    "HardeningScenario",
    "KernelCalculator",
    "check_hardening",
    "cve_figure",
    "cve_summary",
    "cve_table_html",
    "hardening_html",
    "hardening_scenario",
    "kernel_features",
    "summarize",
    "this_kernel",
]

_BY_ID = {m.id: m for m in HARDENING}
#: Weakness id -> the strengths a set-up with that weakness cannot have (they would contradict it).
CONTRADICTS = {"no-privileged": ("drop-caps", "seccomp")}


@dataclass(frozen=True)
class HardeningScenario:
    """A synthetic container setup: 2 or 3 weaknesses and 3 good settings (ids of :data:`HARDENING`)."""

    seed: int
    lines: tuple[str, ...]
    weaknesses: tuple[str, ...]
    strengths: tuple[str, ...]

    def show(self) -> str:
        """The scenario as the learner reads it."""
        items = "\n".join(f"  - {line}" for line in self.lines)
        return (
            f"Scenario #{self.seed} (synthetic), a container host with:\n{items}\n"
            "Which measures (ids from hardening_html()) fix its weaknesses? Answer with a list of ids."
        )


def hardening_scenario(seed: int) -> HardeningScenario:
    """The scenario for ``seed`` (same seed, same scenario)."""
    seed = validate.integer("seed", seed, minimum=0, maximum=10**9)
    rng = random.Random(seed)
    weak = rng.sample(list(SETUPS), rng.choice((2, 3)))
    # --privileged gives every capability and no seccomp filter: a set-up with it cannot also claim dropped
    # capabilities or the default seccomp profile as strengths
    clash = CONTRADICTS.get("no-privileged", ()) if "no-privileged" in weak else ()
    good = rng.sample([i for i in SETUPS if i not in weak and i not in clash], 3)
    lines = [SETUPS[i][0] for i in weak] + [SETUPS[i][1] for i in good]
    rng.shuffle(lines)
    return HardeningScenario(seed, tuple(lines), tuple(sorted(weak)), tuple(sorted(good)))


def _ids(answer: object) -> list[str] | None:
    items = re.split(r"[,;\s]+", answer) if isinstance(answer, str) else answer
    if not isinstance(items, list | tuple | set | frozenset) or not all(isinstance(i, str) for i in items):
        return None
    return list(dict.fromkeys(i.strip().lower().replace("_", "-") for i in items if i.strip()))


def check_hardening(answer: object, seed: int) -> Feedback:
    """Check the measure ids chosen for :func:`hardening_scenario` ``(seed)``; name the missing and wrong ones."""
    sc = hardening_scenario(seed)
    given = _ids(answer)
    if answer is None or answer is Ellipsis or given == []:
        return Feedback("missing", "the answer is still empty.", MISSING_HINT)
    if given is None:
        return Feedback("incorrect", f"expected a list of measure ids, got {answer!r}.", "answer like ['seccomp']")
    unknown = [i for i in given if i not in _BY_ID]
    if unknown:
        return Feedback(
            "incorrect",
            f"unknown measure id(s): {', '.join(unknown)}.",
            f"use ids from the checklist: {', '.join(_BY_ID)}",
        )
    if set(given) == set(sc.weaknesses):
        why = "; ".join(f"{i}: '{SETUPS[i][0]}' -> {_BY_ID[i].measure}" for i in sc.weaknesses)
        return Feedback("correct", f"{', '.join(sc.weaknesses)}. {why}.")
    found = [i for i in given if i in sc.weaknesses]
    missed = [f"{i} (the setup has '{SETUPS[i][0]}')" for i in sc.weaknesses if i not in given]
    wrong = [
        f"{i} ({'the setup already has ' + repr(SETUPS[i][1]) if i in sc.strengths else _not_weak(i)})"
        for i in given
        if i not in sc.weaknesses
    ]
    parts = [
        f"Right: {', '.join(found)}." if found else "",
        f"Missing: {'; '.join(missed)}." if missed else "",
        f"Not a weakness here: {'; '.join(wrong)}." if wrong else "",
    ]
    return Feedback("incorrect", " ".join(p for p in parts if p), "compare each line of the scenario with the list")


def _not_weak(i: str) -> str:
    return "a VM-host measure; this is a container host" if _BY_ID[i].host == "vm" else "the scenario has no such flaw"
