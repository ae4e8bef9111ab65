"""The seeded trap practice: the check recognises the usual mistakes."""

from __future__ import annotations

from widgets.learning import trapsim as traps
from widgets.models import toycpu, toyisa


def test_check_traps_names_the_usual_mistakes():
    # Find seeds where the two mistakes are possible, then check the feedback.
    looped = next(
        s
        for s in range(200)
        if toycpu.random_program(s).labels
        and sum(i.op in toyisa.PRIVILEGED for i in toycpu.random_program(s).instructions)
        != toycpu.expected_traps(toycpu.random_program(s))
    )
    program = toycpu.random_program(looped)
    static = sum(i.op in toyisa.PRIVILEGED for i in program.instructions)
    assert "loop" in traps.check_traps(static, looped).message
    right = toycpu.expected_traps(program)
    assert traps.check_traps(right, looped).correct
    assert traps.check_traps(None, looped).status == "missing"
    sensitive = next(
        s
        for s in range(200)
        if any(st.event == "no-trap" for st in toycpu.run_virtualized(toycpu.random_program(s)).trace)
    )
    prog = toycpu.random_program(sensitive)
    n_sens = sum(st.event == "no-trap" for st in toycpu.run_virtualized(prog).trace)
    fb = traps.check_traps(toycpu.expected_traps(prog) + n_sens, sensitive)
    assert not fb.correct and "POPF/RDMODE" in fb.message
