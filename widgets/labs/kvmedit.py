"""Lesson 01's edit exercise: the learner's own guest, run on /dev/kvm in a child process, or on the model.

:func:`run_program` takes a few lines of assembly (:func:`widgets.models.guestprog.assemble`) or raw machine code,
and runs it in the child program ``children/kvmguest.py`` through :func:`widgets.labs.base.run_child`: a fresh
interpreter with the code as JSON data (no shell), a SIGALRM timeout and an exit-count bound inside the child,
and the child's whole process group killed if it outlives an outer timeout. So an endless loop, a fault or
bytes that are not instructions end the run with a sentence, and the learner's kernel never hangs. Where
``/dev/kvm`` is not usable, or ``live="off"``, the same code runs on :func:`widgets.models.guestprog.emulate`
and the result says it is a model, not KVM. :func:`explain` says in plain words how the run ended.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ..core import validate
from ..models.asm16 import Guest
from ..models.guest import LOAD_ADDRESS
from ..models.guestprog import FAULT_PORT, MAX_CODE, VECTORS, ProgramRun, assemble, emulate
from .base import LabFailed, run_child, use_live
from .capabilities import kvm_capability
from .kvmvm import kvm_backend

__all__ = ["EditRun", "explain", "run_program"]

MAX_OUTPUT = 1000  # characters of serial output kept
MARKER = "cvm-kvmedit"


@dataclass(frozen=True)
class EditRun:
    """The learner's guest, how it ran and where: ``run.live`` True on /dev/kvm, False on the model."""

    guest: Guest
    run: ProgramRun
    why: str
    backend: str

    @property
    def live(self) -> bool:
        return self.run.live

    def __repr__(self) -> str:
        return explain(self)


def _guest(program: object) -> Guest:
    if isinstance(program, bytes | bytearray):
        if not 1 <= len(program) <= MAX_CODE:
            raise ValueError(f"machine code must be 1 to {MAX_CODE} bytes, got {len(program)}")
        return Guest(bytes(program), ())
    if isinstance(program, str):
        return assemble(program)
    raise ValueError(
        "the program must be assembly text (a string) or machine code (bytes, such as bytes.fromhex('F4')), "
        f"got {type(program).__name__}"
    )


def run_program(program: object, *, live: str = "auto", timeout_s: float = 2.0, max_exits: int = 1000) -> EditRun:
    """Assemble (or take) the learner's guest and run it: live on /dev/kvm in a child process, else the model.

    Parameters
    ----------
    program:
        Assembly text for :func:`widgets.models.guestprog.assemble`, or machine code as ``bytes``.
    live:
        ``"auto"``, ``"on"`` or ``"off"`` (see :func:`widgets.labs.base.use_live`).
    timeout_s:
        Seconds the guest may run, 0.1 to 10 (the child is killed 3 s after that at the latest).
    max_exits:
        Stop after this many exits to user space, 1 to 100,000.

    Raises
    ------
    ValueError
        For a program that does not assemble, is too large or of the wrong type, or bad limits.
    """
    guest = _guest(program)
    validate.choice("live", live, ("auto", "on", "off"))
    timeout_s = validate.number("timeout_s", timeout_s, minimum=0.1, maximum=10, unit="s")
    max_exits = validate.integer("max_exits", max_exits, minimum=1, maximum=100_000)
    go_live, why = use_live(live, kvm_capability())
    if go_live:
        params = {"code": guest.code.hex(), "timeout_s": timeout_s, "max_exits": max_exits, "max_output": MAX_OUTPUT}
        try:
            report, _elapsed = run_child("kvmguest", params, timeout_s + 3.0, marker=MARKER)
        except LabFailed as exc:
            why = f"The KVM child could not run the guest here ({exc}); showing the model instead."
        else:
            run = ProgramRun(
                report["output"],
                dict(report["exits"]),
                report["total_exits"],
                report["stopped"],
                tuple(report["log"]),
                report.get("fault"),
                report.get("rip"),
                report["run_ms"],
                live=True,
            )
            return EditRun(guest, run, why, kvm_backend()[0])
    run = emulate(guest.code, max_exits=max_exits, max_output=MAX_OUTPUT)
    return EditRun(guest, replace(run, live=False), why, "model")


def explain(result: EditRun) -> str:
    """How the run ended, in plain words, and what was measured or modelled."""
    r = result.run
    software = (
        ": PVM, a KVM back end that needs no VT-x (guest in ring 3, shadow paging), on a machine without nested "
        "VT-x or AMD-V; the exits are those of hardware "
        "virtualisation, the times are not"
        if result.backend == "kvm_pvm"
        else ""
    )
    where = (
        f"on /dev/kvm ({result.backend}{software}) in a child process"
        if r.live
        else "on the course's model of the guest machine (not KVM: nothing is measured)"
    )
    exits = ", ".join(f"{k} {v}" for k, v in r.exits.items()) or "none"
    shown = repr(r.output) if len(r.output) <= 60 else f"{r.output[:60]!r}… ({len(r.output)} characters)"
    head = f"Ran {where}: printed {shown}, {r.total_exits} exits to user space ({exits})"
    if r.live and r.run_ms is not None and math.isfinite(r.run_ms):
        head += f", {r.run_ms:.2f} ms in the run loop (measured here)"
    ip = r.fault.get("ip") if r.fault else r.ip
    at = f" at 0x{ip:04x}" if isinstance(ip, int) else ""
    end = LOAD_ADDRESS + len(result.guest.code)
    if r.stopped == "halted":
        tail = "The guest ran hlt: a clean stop (the HLT exit is the last one counted)."
    elif r.stopped == "fault" and r.fault:
        vector = r.fault.get("vector")
        name = VECTORS.get(vector, f"vector {vector}") if isinstance(vector, int) else "a fault"
        past = isinstance(ip, int) and ip >= end
        tail = (
            f"The CPU raised {name}{at}"
            + (", just past the last byte of your code: it has no hlt on that path, so it ran on" if past else "")
            + f". The interrupt table's stub reported it on port {FAULT_PORT:#x} (that report is the last IO exit"
            " counted) and the run was stopped: a real guest OS would have its own handler."
        )
    elif r.stopped == "exit-limit":
        tail = (
            f"Stopped after {r.total_exits} exits to user space, the lab's bound: the guest kept printing and "
            "never halted (a loop whose condition never ends it?)."
        )
    elif r.stopped in ("timeout", "step-limit"):
        bound = "the timeout" if r.stopped == "timeout" else "the model's step bound"
        tail = (
            f"Stopped by {bound}{at}: the guest looped without halting and without an exit to user space, so "
            "the hypervisor got control back only when "
            + ("its timer interrupted KVM_RUN" if r.stopped == "timeout" else "the model gave up")
            + ". A loop inside the guest costs the host CPU time and no exits."
        )
    elif r.stopped == "unsupported":
        tail = (
            f"The model stopped{at}: that byte is outside the instruction subset it knows, so it cannot say what "
            "KVM would do (on a real CPU it may be another valid instruction, or #UD)."
        )
    else:
        tail = (
            f"Stopped at an exit this small hypervisor does not handle: KVM_EXIT_{r.stopped}"
            + (" (the CPU shut down: a triple fault)" if r.stopped == "SHUTDOWN" else "")
            + "."
        )
    return f"{head}. {tail}"
