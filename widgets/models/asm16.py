"""A hand-assembler's notebook: machine code written byte by byte beside the instruction it encodes.

The lesson's guests are hand-encoded 16-bit real-mode x86. :class:`Asm` keeps each instruction's bytes
with the text a learner reads, resolves short jumps to labels, and returns the code with its listing, so
the listing shown in the lesson is exactly the code that runs (no separate disassembler to get wrong).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from .guest import LOAD_ADDRESS


@dataclass(frozen=True)
class Line:
    """One instruction: where it is, its bytes, what it does."""

    address: int
    code: bytes
    text: str

    def __str__(self) -> str:
        return f"{self.address:04x}:  {self.code.hex(' ').upper():<26} {self.text}"


@dataclass(frozen=True)
class Guest:
    """Guest machine code, its listing, and data the hypervisor copies into guest memory before the run.

    Attributes
    ----------
    code, listing : bytes, tuple[Line, ...]
        The code, loaded at :data:`widgets.models.guest.LOAD_ADDRESS`, and one line per instruction.
    data : tuple[tuple[int, bytes], ...]
        ``(guest-physical address, bytes)`` to place before the run (the message the guest sends).
    """

    code: bytes
    listing: tuple[Line, ...]
    data: tuple[tuple[int, bytes], ...] = field(default_factory=tuple)

    def lines(self, limit: int | None = None) -> list[str]:
        """The listing as text, optionally only the first ``limit`` lines (and a count of the rest)."""
        shown = [str(line) for line in self.listing[:limit]]
        if limit is not None and len(self.listing) > limit:
            shown.append(f"… {len(self.listing) - limit} more instructions")
        return shown


class Asm:
    """Collect instructions: ``asm("BA F8 03", "mov dx, 0x3f8")``; labels; short jumps resolved at the end."""

    def __init__(self, origin: int = LOAD_ADDRESS) -> None:
        self.origin = origin
        self._items: list[tuple[bytes, str, str | None]] = []  # (code, text, jump target label)
        self._labels: dict[str, int] = {}

    def __call__(self, code: str | bytes, text: str) -> Asm:
        self._items.append((bytes.fromhex(code) if isinstance(code, str) else bytes(code), text, None))
        return self

    def here(self) -> int:
        """The address of the next instruction."""
        return self.origin + sum(len(c) for c, _, _ in self._items)

    def label(self, name: str) -> Asm:
        self._labels[name] = self.here()
        return self

    def jump(self, opcode: int, target: str, text: str) -> Asm:
        """A two-byte relative jump (``jnz``, ``loop``, ``jmp short``) to ``target``."""
        self._items.append((bytes((opcode, 0)), text, target))
        return self

    def build(self, data: tuple[tuple[int, bytes], ...] = ()) -> Guest:
        lines, address = [], self.origin
        for code, text, target in self._items:
            if target is not None:
                rel = self._labels[target] - (address + 2)
                if not -128 <= rel <= 127:
                    raise ValueError(f"the jump to {target!r} is {rel} bytes away: too far for a short jump")
                code = code[:1] + struct.pack("<b", rel)
                text = f"{text}  ; to {self._labels[target]:04x}"
            lines.append(Line(address, code, text))
            address += len(code)
        return Guest(b"".join(line.code for line in lines), tuple(lines), tuple(data))


def mov_word(address: int, value: int, what: str) -> tuple[bytes, str]:
    """``mov word [address], value`` (C7 06 disp16 imm16)."""
    return b"\xc7\x06" + struct.pack(
        "<HH", address, value & 0xFFFF
    ), f"mov word [0x{address:04x}], {value:#x}  ; {what}"


def mov_dword(address: int, value: int, what: str) -> tuple[bytes, str]:
    """``mov dword [address], value`` (66 C7 06 disp16 imm32: the operand-size prefix makes it 32-bit)."""
    return (
        b"\x66\xc7\x06" + struct.pack("<HI", address, value & 0xFFFFFFFF),
        f"mov dword [0x{address:04x}], {value:#x}  ; {what}",
    )
