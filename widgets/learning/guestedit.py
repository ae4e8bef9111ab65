"""Lesson 01's edit exercise: change the guest's machine code, predict its exits to user space, run it.

The learner edits :data:`STARTER` (a guest that counts up) so that it prints :data:`TARGET` (a countdown), writes
down how many exits to user space it will cause, and :func:`check_guest` runs it with
:func:`widgets.labs.kvmedit.run_program` (on /dev/kvm in a child process with a timeout, or the model) and says
both whether the guest did the job and how the prediction compares with the run (:func:`check_prediction`,
kept in the session's journal).
"""

from __future__ import annotations

from ..labs.kvmedit import EditRun, explain, run_program
from .checks import Feedback, is_missing
from .predict import Mistake, check_prediction

__all__ = ["STARTER", "TARGET", "check_guest", "run_program"]

TARGET = "9876543210"

STARTER = """\
    mov dx, 0x3f8     ; DX = the serial port
    mov al, '1'       ; AL = the first character to print
again:
    out dx, al        ; print AL: one exit to user space (IO)
    inc al            ; the next digit: runs inside the guest, no exit
    cmp al, '4'       ; past '3' yet?
    jnz again         ; no: print the next one
    hlt               ; stop: one exit to user space (HLT)
"""


def _mistakes(run: EditRun) -> list[Mistake]:
    out = len(run.run.output)
    return [
        Mistake(
            why="The hlt is an exit to user space too: KVM_RUN returns to the hypervisor when the guest halts",
            value=out,
            rel_tol=0,
            like="only I/O leaves the guest",
        ),
        Mistake(
            why="Every out is its own exit: the loop runs in the guest, but each pass writes to the port again",
            test=lambda p: p in (1, 2) and out > 2,
            like="a loop in the guest is one exit, however often it prints",
        ),
        Mistake(
            why=(
                "The mov, inc, cmp and jnz instructions run on the CPU inside the guest without leaving it; only "
                "out and hlt hand control back to the hypervisor"
            ),
            test=lambda p: p > 2 * max(run.run.total_exits, 1),
            like="a VM exits (or is emulated) on every instruction",
        ),
        Mistake(
            why="A guest that prints leaves the guest on every out: exits are how a VMM sees its devices used",
            value=0,
            rel_tol=0,
            like="a VM runs without the hypervisor until something goes wrong",
        ),
    ]


def check_guest(program: object, prediction: object, *, live: str = "auto", target: str = TARGET) -> Feedback:
    """Run the learner's guest and check both the job (print ``target`` and halt) and the predicted exits.

    A program that does not assemble, or is of the wrong type, gets the assembler's sentence; one that loops,
    faults or never halts is stopped by the lab and explained.
    """
    if is_missing(prediction):
        return Feedback(
            "missing",
            "no prediction yet: write down how many exits to user space your guest will cause, then run it.",
            "write a whole number of exits in the prediction cell (every return from KVM_RUN counts)",
        )
    try:
        result = run_program(program, live=live)
    except ValueError as exc:
        return Feedback("incorrect", f"the guest could not be built: {exc}.", "fix that line and run the cell again")
    told = explain(result)
    done = result.run.output == target and result.run.stopped == "halted"
    job = (
        f"It prints {target!r} and halts: the job is done."
        if done
        else f"The job is to print {target!r} and halt; this run printed {result.run.output[:40]!r}"
        f" and ended {'with hlt' if result.run.stopped == 'halted' else 'without hlt'}."
    )
    fb = check_prediction(
        "your guest's exits",
        prediction,
        result.run.total_exits,
        unit="exits",
        rel_tol=0,
        mistakes=_mistakes(result),
        explanation=told,
    )
    status = "correct" if done and fb.correct else "incorrect"
    hint = "" if status == "correct" else (fb.hint or "change the guest until it prints the target, then re-run")
    if not done and fb.correct:
        hint = "your prediction matched this run; now make the guest print the target"
    return Feedback(status, f"{job} Prediction: {fb.message}", hint)
