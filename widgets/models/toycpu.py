"""A toy CPU and a trap-and-emulate monitor: Popek and Goldberg, hands on.

The CPU has a mode (kernel/user), an 8-bit accumulator ``acc``, a program counter,
an interrupt flag IF (starts at 1), a page-table base register and an output device:

=========  ===========================================  ============================
LOAD n     acc = n                                      ordinary
ADD/SUB n  acc = acc + n / acc - n (mod 256)            ordinary
JNZ label  jump to ``label`` (or an address) if acc ≠ 0  ordinary
NOP        do nothing                                   ordinary
OUT        write acc to the output device (I/O)         privileged: traps in user mode
CLI / STI  clear / set IF (interrupts off / on)         privileged
HLT        stop the CPU                                 privileged
SETPT n    page-table base register = n                 privileged
POPF n     FLAGS = n (toy FLAGS is just IF: n is 0/1);  sensitive, NOT privileged:
           user mode silently ignores the IF bit        no trap (as x86 POPF)
RDMODE     acc = privilege level: 0 kernel, 3 user      sensitive, NOT privileged
=========  ===========================================  ============================

POPF is x86 POPF (Robin & Irvine 2000), RDMODE x86 SMSW/PUSHF. Costs are *simulated
cycles*: illustrative model units, not measurements of a real CPU.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from ..core.validate import integer
from .toyisa import ORDINARY, PRIVILEGED, SENSITIVE_UNPRIVILEGED, Instruction, Program, parse_program

MODES = ("trap-and-emulate", "binary-translation", "hardware-assisted")
DIRECT_COST = 1  # simulated cycles per directly executed instruction (illustrative)
DEFAULT_TRAP_COST = 50  # simulated cycles per trap or VM exit, emulation included (illustrative)
BT_TRANSLATE_COST = 20  # simulated cycles to translate one instruction, once (illustrative)
BT_CALL_COST = 5  # simulated cycles per run of translated code: a call, no trap (illustrative)


@dataclass(frozen=True)
class CpuState:
    """A CPU as its program sees it: ``mode``, ``acc``, ``pc``, IF, page-table base."""

    mode: str
    acc: int
    pc: int
    interrupts_enabled: bool
    page_table_base: int


@dataclass(frozen=True)
class TraceStep:
    """One executed instruction, what happened (``event``: native, direct, trap, no-trap,
    translated, guest-mode or vm-exit; ``outcome`` in words) and its simulated cycles."""

    step: int
    pc: int
    instruction: str
    event: str
    outcome: str
    cycles: int


@dataclass(frozen=True)
class Run:
    """The result of :func:`run_native` or :func:`run_virtualized`.

    Attributes
    ----------
    output, final_state, trace, steps, cycles, halted, stopped_reason
        OUT's values; the final (a guest's *virtual*) CPU; each step; their number;
        simulated cycles; whether HLT ran; ``"halted"`` or why not.
    mode, trapping, traps, total_traps, translations
        ``"native"`` or a mode; POPF/RDMODE made to trap; traps (VM exits) by instruction
        and in all; instructions rewritten by binary translation.
    equivalent, divergences, native
        Whether the guest behaved exactly as natively; how not; the native run.
    """

    output: tuple[int, ...]
    final_state: CpuState
    trace: tuple[TraceStep, ...]
    steps: int
    cycles: int
    halted: bool
    stopped_reason: str
    mode: str = "native"
    trapping: frozenset[str] = frozenset()
    traps: dict[str, int] = field(default_factory=dict)
    total_traps: int = 0
    translations: int = 0
    equivalent: bool = True
    divergences: tuple[str, ...] = ()
    native: Run | None = None


@dataclass
class _Cpu:
    acc: int = 0
    pc: int = 0
    ie: bool = True
    ptbr: int = 0
    halted: bool = False
    output: list[int] = field(default_factory=list)


def _effect(cpu: _Cpu, ins: Instruction, blind: bool) -> str:
    """Execute ``ins`` (kernel semantics, or user semantics if ``blind``); describe it."""
    op, arg = ins.op, ins.arg or 0
    cpu.pc += 1
    if op in ("LOAD", "ADD", "SUB"):  # the accumulator is 8 bits wide: it wraps at 256
        cpu.acc = {"LOAD": arg, "ADD": cpu.acc + arg, "SUB": cpu.acc - arg}[op] % 256
        return f"acc={cpu.acc}"
    if op == "JNZ":
        cpu.pc = arg if cpu.acc else cpu.pc
        return f"acc={cpu.acc}≠0: jump to {ins.label or arg}" if cpu.acc else "acc=0: no jump"
    if op == "OUT":
        cpu.output.append(cpu.acc)
        return f"printed {cpu.acc}"
    if op in ("CLI", "STI") or (op == "POPF" and not blind):
        cpu.ie = op == "STI" or (op == "POPF" and arg == 1)
        return f"IF={int(cpu.ie)}"
    if op == "POPF":  # in user mode: the CPU silently ignores the IF bit
        return (
            f"IF unchanged (it already was {arg}, so no harm this time)"
            if arg == cpu.ie
            else f"IF unchanged! (POPF asked for IF={arg}; user mode ignores the IF bit)"
        )
    if op == "RDMODE":
        cpu.acc = 3 if blind else 0  # the privilege level, like x86 rings: 0 kernel, 3 user
        return "acc=3: reveals user mode, a real kernel reads 0!" if blind else "acc=0 (kernel)"
    cpu.halted = cpu.halted or op == "HLT"
    cpu.ptbr = arg if op == "SETPT" else cpu.ptbr
    return {"HLT": "halted", "SETPT": f"page-table base={arg}"}.get(op, "nothing happens")


_OUTCOME = {
    "native": "executed in kernel mode: {e}",
    "direct": "executed directly: {e}",
    "trap": "trap → monitor emulated {op} ({e})",
    "no-trap": "sensitive, did not trap: {e}",
    "translated": "translated → monitor call emulated {op} ({e})",
    "guest-mode": "guest-kernel mode, no exit: {e}",
    "vm-exit": "VM exit → hypervisor emulated {op} ({e})",
}


def _execute(
    program: Program, mode: str, trapping: frozenset[str] = frozenset(), trap_cost: int = 0, max_steps: int = 10_000
) -> Run:
    """Run ``program`` natively or under a monitor (without comparing with native)."""
    cost = {"trap": trap_cost, "vm-exit": trap_cost, "translated": BT_CALL_COST}
    cpu, trace, traps, code = _Cpu(), [], {}, program.instructions
    translations = sum(ins.op not in ORDINARY for ins in code) if mode == MODES[1] else 0
    cycles = BT_TRANSLATE_COST * translations  # binary translation rewrites before running
    while len(trace) < max_steps and not cpu.halted and cpu.pc < len(code):
        pc, ins = cpu.pc, code[cpu.pc]
        if mode == "native" or ins.op in ORDINARY:
            event = "native" if mode == "native" else "direct"
        elif mode == MODES[0]:
            event = "trap" if ins.op in PRIVILEGED | trapping else "no-trap"
        else:  # binary translation rewrote it; hardware assistance exits only on I/O and HLT
            event = "translated" if mode == MODES[1] else ("vm-exit" if ins.op in ("OUT", "HLT") else "guest-mode")
        effect = _effect(cpu, ins, blind=event == "no-trap")
        effect = "guest " + effect if ins.op == "OUT" and mode != "native" else effect
        if event in ("trap", "vm-exit"):
            traps[ins.op] = traps.get(ins.op, 0) + 1
        cycles += cost.get(event, DIRECT_COST)
        trace.append(
            TraceStep(
                len(trace) + 1,
                pc,
                str(ins),
                event,
                _OUTCOME[event].format(op=ins.op, e=effect),
                cost.get(event, DIRECT_COST),
            )
        )
    who = "program" if mode == "native" else "guest"
    reason = (
        "halted"
        if cpu.halted
        else f"ran off the end at address {cpu.pc} without a HLT"
        if cpu.pc >= len(code)
        else f"step limit reached after {max_steps} steps: the {who} never halted"
    )
    return Run(
        tuple(cpu.output),
        CpuState("kernel", cpu.acc, cpu.pc, cpu.ie, cpu.ptbr),
        tuple(trace),
        len(trace),
        cycles,
        cpu.halted,
        reason,
        mode,
        trapping,
        traps,
        sum(traps.values()),
        translations,
    )


def _checked(program: Any, max_steps: Any, trapping: Any = ()) -> tuple[Program, frozenset[str]]:
    """Validate the arguments every run takes; accept assembly text for ``program``."""
    program = parse_program(program) if isinstance(program, str) else program
    if not isinstance(program, Program):
        raise ValueError(
            f"program must be a Program (see parse_program) or assembly text, got {type(program).__name__}"
        )
    integer("max_steps", max_steps, minimum=1, maximum=1_000_000, exact=True)
    if isinstance(trapping, str) or not isinstance(trapping, Iterable):
        raise ValueError(f"trapping must be a set of names such as {{'POPF'}}, got {trapping!r}")
    names = frozenset(t.upper() if isinstance(t, str) else t for t in trapping)
    if not names <= SENSITIVE_UNPRIVILEGED:
        raise ValueError(
            "trapping may only name POPF and RDMODE (privileged instructions "
            f"always trap), got {sorted(map(str, names - SENSITIVE_UNPRIVILEGED))}"
        )
    return program, names


def run_native(program: Program | str, max_steps: int = 10_000) -> Run:
    """Run ``program`` on the bare toy machine in kernel mode: the reference behaviour.

    Parameters
    ----------
    program, max_steps : Program | str, int
        A program or its text; stop after this many steps (1 to 1_000_000) so loops end.
    """
    program, _ = _checked(program, max_steps)
    return _execute(program, "native", max_steps=max_steps)


def run_virtualized(
    program: Program | str,
    *,
    mode: str = "trap-and-emulate",
    trapping: Iterable[str] = frozenset(),
    trap_cost: int = DEFAULT_TRAP_COST,
    max_steps: int = 10_000,
) -> Run:
    """Run ``program`` deprivileged (user mode) under a monitor that keeps its *virtual*
    CPU (mode kernel, IF, page-table base, output), and compare with the native run.

    * ``"trap-and-emulate"``: privileged instructions trap and the monitor emulates them;
      POPF/RDMODE run directly on the real user-mode CPU unless named in ``trapping``,
      so the guest silently misbehaves: the ISA is not virtualizable (Popek & Goldberg).
    * ``"binary-translation"``: the monitor first rewrites every sensitive instruction
      into a call into itself (the approach early x86 hypervisors took).
    * ``"hardware-assisted"``: the guest runs in a guest-kernel mode (like VT-x non-root
      ring 0): POPF/CLI/STI/RDMODE/SETPT need no exit; only OUT and HLT exit.

    Parameters
    ----------
    program, max_steps : Program | str, int
        As for :func:`run_native`.
    mode : str
        One of :data:`MODES`.
    trapping : Iterable[str]
        POPF/RDMODE made to trap: none by default (x86 before VT-x); both: virtualizable.
    trap_cost : int
        Simulated cycles per trap or VM exit, 0 to 1_000_000 (illustrative units).

    Returns
    -------
    Run
    """
    program, trapping = _checked(program, max_steps, trapping)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}")
    integer("trap_cost (simulated cycles per trap)", trap_cost, minimum=0, maximum=1_000_000, exact=True)
    native = _execute(program, "native", max_steps=max_steps)
    guest = _execute(program, mode, trapping, trap_cost, max_steps)
    n, g, found = native.final_state, guest.final_state, []  # now compare them
    blind = {step.instruction.split()[0] for step in guest.trace if step.event == "no-trap"}
    if native.output != guest.output:
        found.append(f"native run printed {list(native.output)}, the guest {list(guest.output)}")
    if n.interrupts_enabled != g.interrupts_enabled:
        why = " because POPF did not trap (user mode ignores the IF bit)" if "POPF" in blind else ""
        found.append(
            f"native run disabled interrupts (IF=0), the virtualized guest still has IF=1{why}"
            if g.interrupts_enabled
            else f"native run ended with IF=1, the guest with IF=0{why}"
        )
    if n.acc != g.acc:
        why = " because RDMODE did not trap and revealed user mode (3)" if "RDMODE" in blind else ""
        found.append(f"native run ended with acc={n.acc}, the guest with acc={g.acc}{why}")
    if n.pc != g.pc or native.halted != guest.halted:
        found.append(
            f"native run stopped at address {n.pc} ({native.stopped_reason}), "
            f"the guest at {g.pc} ({guest.stopped_reason})"
        )
    return replace(guest, equivalent=not found, divergences=tuple(found), native=native)


def expected_traps(program: Program | str, trapping: Iterable[str] = frozenset(), max_steps: int = 10_000) -> int:
    """Traps taken by trap-and-emulate (an exercise's answer): one per *executed*
    privileged instruction or POPF/RDMODE named in ``trapping``.

    Parameters
    ----------
    program, trapping, max_steps
        As for :func:`run_virtualized`.
    """
    program, trapping = _checked(program, max_steps, trapping)
    return _execute(program, MODES[0], trapping, max_steps=max_steps).total_traps


_POOLS = {
    "ordinary": ("LOAD", "ADD", "SUB", "NOP"),
    "privileged": ("OUT", "CLI", "STI", "SETPT"),
    "sensitive": ("POPF", "RDMODE"),
    "loop": ("OUT", "CLI", "STI", "NOP", "POPF"),
}
_ARGS = {"LOAD": (0, 9), "ADD": (1, 5), "SUB": (1, 3), "SETPT": (1, 15), "POPF": (0, 1)}


def random_program(seed: int, length: int = 8) -> Program:
    """A random program that always halts and mixes all three kinds of instruction.

    Parameters
    ----------
    seed, length : int, int
        Same seed, same program; ``length`` (4 to 64) instructions, the last HLT.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed must be a whole number, got {seed!r}")
    integer("length", length, minimum=4, maximum=64, exact=True)
    rng = random.Random(seed)

    def pick(pool: str) -> Instruction:
        op = rng.choice(_POOLS[pool])
        return Instruction(op, rng.randint(*_ARGS[op]) if op in _ARGS else None)

    body = rng.randint(1, min(3, length - 6)) if length >= 7 and rng.random() < 0.6 else 0
    size = length - 1 - (body + 3 if body else 0)  # instructions before the loop
    code = [pick("privileged"), pick("sensitive")] + ([pick("ordinary")] if size >= 3 else [])
    code += [pick(rng.choice(list(_POOLS)[:3])) for _ in range(size - len(code))]
    rng.shuffle(code)
    if not body:
        return Program((*code, Instruction("HLT")))
    start = len(code) + 1  # LOAD k / loop: body (leaves acc alone) / SUB 1 / JNZ loop
    code += [Instruction("LOAD", rng.randint(2, 4))] + [pick("loop") for _ in range(body)]
    code += [Instruction("SUB", 1), Instruction("JNZ", start, "loop"), Instruction("HLT")]
    return Program(tuple(code), (("loop", start),))
