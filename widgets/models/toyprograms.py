"""Programs for the toy CPU: named examples, seeded random programs (practice), and lesson 01's KVM guest.

:func:`simulate_kvm_guest` runs the same guest as the real KVM lab on the toy CPU, so a machine without
``/dev/kvm`` sees the same exits (simulated, no time measured).
"""

from __future__ import annotations

from .guest import LOG_LIMIT, SERIAL_PORT, GuestRun, build_guest
from .toycpu import Instruction, Program, parse_program, run_virtualized

EXAMPLES: dict[str, Program] = {
    name: parse_program(text)
    for name, text in {
        "print-countdown": "LOAD 3\nloop: OUT ; privileged: traps if virtualized\nSUB 1\nJNZ loop\nHLT",
        "disable-interrupts-with-popf": "POPF 0 ; interrupts off, as old x86 kernels did by "
        "restoring saved FLAGS. Sensitive, not privileged: no trap!\nLOAD 7\nOUT\nHLT",
        "who-am-i": "RDMODE ; acc = 0 in kernel mode, 3 in user mode\nJNZ user\n"
        "LOAD 75 ; 'K': I am the kernel\nOUT\nHLT\n"
        "user: LOAD 85 ; 'U': I have been found out\nOUT\nHLT",
        "interrupt-heavy": "LOAD 3\nloop: CLI ; short critical sections\nSTI\nSUB 1\nJNZ loop\nHLT",
    }.items()
}


def simulate_kvm_guest(message: str = "Hello from a KVM guest!\n") -> GuestRun:
    """Run the KVM lab's guest on the toy CPU (when /dev/kvm is not usable): ``LOAD c;
    OUT`` per character, then HLT, hardware-assisted: one IO exit per OUT, one HLT exit.

    Parameters
    ----------
    message : str
        As for :func:`widgets.models.guest.build_guest`.

    Returns
    -------
    GuestRun
        With ``simulated=True``, ``simulated_cycles``, and no times (nothing is measured).
    """
    build_guest(message)  # the same checks, and messages, as the real KVM lab
    code = [Instruction(*pair) for c in message for pair in (("LOAD", ord(c)), ("OUT",))]
    run = run_virtualized(Program((*code, Instruction("HLT"))), mode="hardware-assisted")
    log = [
        f"exit #{i}: IO out port 0x{SERIAL_PORT:x} byte 0x{v:02x} {chr(v)!r}" for i, v in enumerate(run.output, start=1)
    ] + [f"exit #{len(message) + 1}: HLT: the guest halted"]
    return GuestRun(
        "".join(map(chr, run.output)),
        {"IO": len(message), "HLT": 1},
        run.total_traps,
        run.halted,
        run.stopped_reason,
        tuple(log[:LOG_LIMIT]),
        None,
        None,
        None,
        simulated=True,
        simulated_cycles=run.cycles,
    )
