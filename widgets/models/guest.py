"""Lesson 01's KVM guest: hand-assembled 16-bit real-mode machine code, and a disassembler for it.

:func:`build_guest` writes a guest that prints with ``out`` to port 0x3f8 (one exit to user space per byte)
and stops with ``hlt``; :func:`widgets.labs.kvm.run_guest` runs it on ``/dev/kvm``, and
:func:`widgets.models.toyprograms.simulate_kvm_guest` on the toy CPU. :class:`GuestRun` is what either reports.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from ..core.validate import integer

SERIAL_PORT = 0x3F8  # COM1, the port our guest prints to
LOAD_ADDRESS = 0x1000  # guest-physical address of the first guest instruction
GUEST_MEMORY_SIZE = 0x10000  # 64 KiB of guest RAM, mapped at guest-physical 0
MAX_MESSAGE = 200
LOG_LIMIT = 50  # GuestRun.log keeps the first LOG_LIMIT exits


# Guest code printing AL (0..255) in decimal without leading zeros (used by build_guest's add).
_PRINT_AL_DECIMAL = bytes.fromhex(
    "B400 B364 F6F3 88E7"  # mov ah,0; mov bl,100; div bl; mov bh,ah: AL = hundreds, BH = rest
    "88C1 84C0 7403 0430 EE"  # mov cl,al; test al,al; jz +3; add al,'0'; out dx,al (if any)
    "88F8 D40A 88C5 88E0"  # mov al,bh; aam; mov ch,al; mov al,ah: AL = tens, CH = ones
    "08C1 7403 0430 EE"  # or cl,al; jz +3; add al,'0'; out dx,al (no leading-zero tens)
    "88E8 0430 EE"
)  # mov al,ch; add al,'0'; out dx,al: the ones digit, always


EXIT_REASONS = {
    0: "UNKNOWN",
    1: "EXCEPTION",
    2: "IO",
    4: "DEBUG",
    5: "HLT",
    6: "MMIO",
    8: "SHUTDOWN",
    9: "FAIL_ENTRY",
    10: "INTR",
    17: "INTERNAL_ERROR",
}


@dataclass(frozen=True)
class GuestRun:
    """The outcome of one guest run; every time is *measured*, not modelled.

    Attributes
    ----------
    output, exits, total_exits : str, dict[str, int], int
        Text written to the serial port; exits to user space by reason (``{"IO": 24, "HLT": 1}``); sum.
    halted, stopped_reason, log : bool, str, tuple[str, ...]
        Ran ``hlt``?; ``"halted"`` or why it was stopped; the first LOG_LIMIT exits.
    setup_ms, run_ms, total_ms : float | None
        Milliseconds measured with ``time.perf_counter``: building the VM, the run
        loop, and everything including tear-down (None for the simulator).
    simulated, simulated_cycles : bool, int | None
        False and None here; the toy-CPU fallback sets True and its model cycles.
    """

    output: str
    exits: dict[str, int]
    total_exits: int
    halted: bool
    stopped_reason: str
    log: tuple[str, ...]
    setup_ms: float | None
    run_ms: float | None
    total_ms: float | None
    simulated: bool = False
    simulated_cycles: int | None = None


def build_guest(message: str = "Hello from a KVM guest!\n", *, add: tuple[int, int] | None = None) -> bytes:
    """Assemble a 16-bit real-mode guest that prints ``message`` (and a sum).

    Hand-encoded x86 machine code (bytes, instruction, meaning)::

        BA F8 03   mov dx, 0x3f8   DX = the serial port
        B0 48      mov al, 'H'     AL = the character to print
        EE         out dx, al      write AL to port DX: one exit to user space (IO)
        04 05      add al, 5       the guest's own arithmetic (``add`` only)
        F4         hlt             stop the CPU: one exit to user space (HLT)

    Parameters
    ----------
    message : str
        1 to 200 printable ASCII characters (newlines allowed).
    add : tuple[int, int] | None
        After the message the guest itself computes ``a + b`` and prints it in decimal,
        one IO exit per digit. Needs ``0 <= a, b`` and ``a + b <= 255`` (8-bit AL).

    Returns
    -------
    bytes
        Machine code to load at :data:`LOAD_ADDRESS`.
    """
    if not isinstance(message, str) or not 1 <= len(message) <= MAX_MESSAGE:
        got = f"{len(message)} characters" if isinstance(message, str) else repr(message)
        raise ValueError(f"message must be text of 1 to {MAX_MESSAGE} characters, got {got}")
    for i, ch in enumerate(message):
        if ch != "\n" and not " " <= ch <= "~":
            raise ValueError(
                "message may only contain printable ASCII characters and newlines; "
                f"character {i + 1} is {ch!r} (U+{ord(ch):04X})"
            )
    code = bytearray(b"\xba" + struct.pack("<H", SERIAL_PORT))  # mov dx, 0x3f8
    for ch in message:
        code += bytes((0xB0, ord(ch), 0xEE))  # mov al, ch ; out dx, al
    if add is not None:
        if not isinstance(add, tuple) or len(add) != 2:
            raise ValueError(f"add must be a pair of numbers like (2, 3), got {add!r}")
        a, b = (
            integer("add: a", add[0], minimum=0, maximum=255, exact=True),
            integer("add: b", add[1], minimum=0, maximum=255, exact=True),
        )
        if a + b > 255:
            raise ValueError(
                f"add: a + b must be at most 255 because the guest adds in the 8-bit "
                f"AL register, got {a} + {b} = {a + b}"
            )
        code += bytes((0xB0, a, 0x04, b)) + _PRINT_AL_DECIMAL
    return bytes(code + b"\xf4")  # hlt


_REG8 = ("al", "cl", "dl", "bl", "ah", "ch", "dh", "bh")
_SIMPLE = {0xEE: "out dx, al", 0xEC: "in al, dx", 0xF4: "hlt", 0x90: "nop"}
_MODRM = {0x88: "mov", 0x84: "test", 0x08: "or"}


def _decode(code: bytes, i: int, origin: int) -> tuple[int, str]:
    """Decode one instruction at ``code[i]``: (length, text); unknown bytes become ``db``."""
    op, rest = code[i], code[i + 1 :]
    if op in _SIMPLE:
        return 1, _SIMPLE[op]
    if 0xB0 <= op <= 0xB7 and rest:
        char = f" {chr(rest[0])!r}" if 0x20 <= rest[0] < 0x7F else ""
        note = f"  ; {rest[0]}{char}" if op == 0xB0 else ""
        return 2, f"mov {_REG8[op - 0xB0]}, 0x{rest[0]:02x}{note}"
    if op == 0xBA and len(rest) >= 2:
        return 3, f"mov dx, 0x{struct.unpack_from('<H', rest)[0]:x}"
    if op == 0x04 and rest:
        return 2, f"add al, {rest[0]}" + ("  ; '0'" if rest[0] == 0x30 else "")
    if op in _MODRM and rest and rest[0] >= 0xC0:
        return 2, f"{_MODRM[op]} {_REG8[rest[0] & 7]}, {_REG8[(rest[0] >> 3) & 7]}"
    if op == 0xF6 and rest and rest[0] & 0xF8 == 0xF0:
        return 2, f"div {_REG8[rest[0] & 7]}"
    if op == 0xD4 and rest[:1] == b"\x0a":
        return 2, "aam"
    if op in (0x74, 0xEB) and rest:
        target = (origin + i + 2 + struct.unpack("<b", rest[:1])[0]) & 0xFFFF
        return 2, f"{'jz' if op == 0x74 else 'jmp'} 0x{target:04x}"
    return 1, f"db 0x{op:02x}"


def disassemble(code: bytes) -> list[str]:
    """Disassemble the real-mode code :func:`build_guest` produces.

    Parameters
    ----------
    code : bytes
        Machine code, shown at the addresses where it is loaded (:data:`LOAD_ADDRESS`).

    Returns
    -------
    list[str]
        One line per instruction: address, bytes in hex, instruction.
    """
    if not isinstance(code, bytes | bytearray) or not code:
        raise ValueError("code must be non-empty bytes, e.g. build_guest('Hi')")
    lines, i, code = [], 0, bytes(code)
    while i < len(code):
        size, text = _decode(code, i, LOAD_ADDRESS)
        lines.append(f"{LOAD_ADDRESS + i:04x}:  {code[i : i + size].hex(' ').upper():<9}  {text}")
        i += size
    return lines
