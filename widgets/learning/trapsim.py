"""The seeded trap practice (lesson 01): "how many times will this program trap?", checked with feedback.

:func:`practice` is the unlimited, seeded form (:mod:`widgets.learning.seeded`); :func:`check_traps` checks one
answer for one seed.

The topic module of lesson 01's trap-and-emulate section: the practice here, the explorer and census re-exported.
"""

from __future__ import annotations

import random

from ..core import validate
from ..models import toycpu
from ..models.traps import census
from ..ui.trapsim import TrapExplorer, census_figure, census_summary
from .checks import Feedback, check_number
from .countproblem import CountProblem
from .seeded import NOT_GIVEN, seed_of
from .seeded import practice as _practice

#: The lesson-facing API of this topic: its own names and, re-exported, the figures, calculators and
#: models a lesson uses with them (one import per topic in a lesson).
__all__ = [
    "MONITORS",
    "TrapExplorer",
    "census",
    "census_figure",
    "census_summary",
    "check_practice",
    "check_traps",
    "practice",
    "trap_problem",
]


def check_traps(answer: object, seed: int, length: int = 8) -> Feedback:
    """Check a learner's count of trap-and-emulate traps for ``random_program(seed)``.

    Recognises two common mistakes: counting each privileged instruction once
    although a loop runs it several times, and counting POPF/RDMODE (sensitive,
    but they do not trap on this CPU).
    """
    program = toycpu.random_program(seed, length)
    expected = toycpu.expected_traps(program)
    static = sum(1 for ins in program.instructions if ins.op in toycpu.PRIVILEGED)
    sensitive = sum(1 for step in toycpu.run_virtualized(program).trace if step.event == "no-trap")
    explanation = (
        f"{expected} traps: every privileged instruction (OUT, CLI, STI, SETPT, HLT) traps each "
        "time it runs; POPF and RDMODE do not trap on this CPU."
    )
    fb = check_number(
        answer,
        expected,
        rel_tol=0,
        abs_tol=0,
        explanation=explanation,
        hint="run the program in your head step by step: how often does the loop body run?",
    )
    if fb.correct or fb.status == "missing":
        return fb
    try:
        given = validate.as_number("your answer", answer)
    except ValueError:
        return fb
    if given == static and static != expected:
        return Feedback(
            "incorrect",
            f"{given:g} counts each privileged instruction once, but the loop runs some of them more than once.",
            "count executions, not lines",
        )
    if sensitive and given == expected + sensitive:
        return Feedback(
            "incorrect",
            f"{given:g} includes the {sensitive} POPF/RDMODE executions, which are "
            "sensitive but do not trap here: that is exactly the x86 problem.",
            "count only privileged instructions",
        )
    return fb


MONITORS = ("trap-and-emulate", "hardware-assisted")


def trap_problem(seed: int) -> CountProblem:
    rng = random.Random(seed)
    program = toycpu.random_program(seed, rng.choice((6, 8, 10)))
    mode = MONITORS[rng.random() < 0.35]
    run = toycpu.run_virtualized(program, mode=mode)
    trace = run.trace
    counted = "trap" if mode == MONITORS[0] else "vm-exit"
    taken = [s.instruction for s in trace if s.event == counted]
    static = sum(1 for ins in program.instructions if ins.op in toycpu.PRIVILEGED)
    sensitive = sum(1 for s in trace if s.event == "no-trap")
    mistakes: dict[int, str] = {}
    if static != run.total_traps:
        mistakes[static] = "that counts each privileged instruction once, but the loop runs some of them again"
    if mode == MONITORS[0] and sensitive:
        mistakes[run.total_traps + sensitive] = (
            "that includes POPF/RDMODE, which are sensitive but do not trap on this CPU: the x86 problem"
        )
    if mode == MONITORS[1]:
        tae = toycpu.expected_traps(program)
        if tae != run.total_traps:
            mistakes[tae] = (
                "that is the trap-and-emulate count; in hardware-assisted guest mode CLI, STI, SETPT and POPF "
                "act on the guest's own state without an exit: only OUT and HLT leave the guest"
            )
    what = "traps to the monitor" if mode == MONITORS[0] else "VM exits"
    rule = (
        "every executed OUT, CLI, STI, SETPT and HLT traps; POPF and RDMODE run directly (they do not trap)"
        if mode == MONITORS[0]
        else "only executed OUT and HLT exit; the guest kernel mode runs the rest without leaving the guest"
    )
    return CountProblem(
        f"Trap practice, seed {seed}: {mode}",
        f"{program.text}\n\nUnder {mode}, how many {what} does this guest take before it halts?",
        run.total_traps,
        what,
        f"{run.total_traps}: {rule}; executed in order: {', '.join(taken) or 'none'}.",
        mistakes,
        {"program": program, "mode": mode},
    )


def practice(seed: object, answer: object = NOT_GIVEN, show: bool = False) -> object:
    """A seeded trap-counting problem on the toy CPU: show it, check ``answer``, or ``show`` the worked answer.

    The seed picks the program (:func:`widgets.models.toycpu.random_program`) and the monitor
    (trap-and-emulate on the classic, non-virtualizable CPU, or hardware-assisted); the answer comes from
    :func:`widgets.models.toycpu.run_virtualized`.
    """
    return _practice(trap_problem, seed, answer, show)


def check_practice(seed: object, answer: object) -> Feedback:
    """``practice(seed, answer=answer)``: check an answer to the seeded problem (the exercise's check cell)."""
    return trap_problem(seed_of(seed)).check(answer)
