"""The trap-and-emulate explorer: run a toy guest under a monitor and watch it trap.

A thin UI over :mod:`widgets.models.toycpu`: choose or edit a guest program, pick how
the monitor virtualizes it (trap-and-emulate, binary translation, hardware
assistance) and which sensitive instructions trap; see where the simulated
cycles go, every step of the trace, and whether the guest still behaves as it
does on the bare machine (Popek & Goldberg's *equivalence*).

Also the seeded practice "how many traps will this program cause?" with a
check that recognises the usual mistakes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..core import validate
from . import toycpu


@dataclass(frozen=True)
class Exploration:
    """A virtualized run and the native run it is compared with."""

    run: toycpu.Run
    native: toycpu.Run
    program: toycpu.Program


def explore(
    program: str,
    mode: str = "trap-and-emulate",
    trap_popf: bool = False,
    trap_rdmode: bool = False,
    trap_cost: object = toycpu.DEFAULT_TRAP_COST,
) -> Exploration:
    """Parse and run a guest program under the chosen monitor.

    Parameters
    ----------
    program:
        Toy assembly text (see :mod:`widgets.models.toycpu`).
    mode:
        One of :data:`widgets.models.toycpu.MODES`.
    trap_popf, trap_rdmode:
        Make POPF / RDMODE trap (a "virtualizable" variant of the CPU).
    trap_cost:
        Simulated cycles per trap (illustrative units), a whole number 0..100000.
    """
    cost = validate.integer("trap cost", trap_cost, minimum=0, maximum=100_000)
    validate.choice("mode", mode, toycpu.MODES)
    parsed = toycpu.parse_program(program)
    trapping = {name for name, on in (("POPF", trap_popf), ("RDMODE", trap_rdmode)) if on}
    run = toycpu.run_virtualized(parsed, mode=mode, trapping=trapping, trap_cost=cost)
    return Exploration(run, run.native, parsed)


def cycles_by_event(run: toycpu.Run) -> dict[str, int]:
    """Simulated cycles per trace event."""
    out: Counter[str] = Counter()
    for step in run.trace:
        out[step.event] += step.cycles
    return dict(out)


@dataclass(frozen=True)
class Census:
    """Exits (traps) per program for many random guests, by monitor mode."""

    seeds: tuple[int, ...]
    exits: dict[str, tuple[int, ...]]
    equivalent: dict[str, float]


def census(n_programs: int = 300, length: int = 12, first_seed: int = 0) -> Census:
    """Run ``n_programs`` seeded random guests under every monitor mode.

    Returns the traps or exits each program took per mode, and the share of
    programs that behaved as on the bare machine (equivalence).
    """
    n = validate.integer("number of programs", n_programs, minimum=1, maximum=10_000)
    length = validate.integer("program length", length, minimum=4, maximum=64)
    first = validate.integer("first seed", first_seed, minimum=0, maximum=10**9)
    seeds = tuple(range(first, first + n))
    exits: dict[str, list[int]] = {m: [] for m in toycpu.MODES}
    same: dict[str, int] = dict.fromkeys(toycpu.MODES, 0)
    for s in seeds:
        program = toycpu.random_program(s, length)
        for mode in toycpu.MODES:
            run = toycpu.run_virtualized(program, mode=mode)
            exits[mode].append(run.total_traps)
            same[mode] += run.equivalent
    return Census(seeds, {m: tuple(v) for m, v in exits.items()}, {m: same[m] / n for m in toycpu.MODES})
