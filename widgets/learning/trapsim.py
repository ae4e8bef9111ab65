"""The seeded trap practice (lesson 01): "how many times will this program trap?", checked with feedback.

The topic module of lesson 01's trap-and-emulate section: the practice here, the explorer and census re-exported.
"""

from __future__ import annotations

from ..core import validate
from ..models import toycpu
from ..models.traps import census
from ..ui.trapsim import TrapExplorer, census_figure, census_summary
from .checks import Feedback, check_number

#: The lesson-facing API of this topic: its own names and, re-exported, the figures, calculators and
#: models a lesson uses with them (one import per topic in a lesson).
__all__ = ["TrapExplorer", "census", "census_figure", "census_summary", "check_traps"]


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
