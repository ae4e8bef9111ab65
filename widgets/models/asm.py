"""A tiny two-pass assembler core: instructions of known size, labels, strings, and a listing that explains them.

The x86-64 and aarch64 encoders (:mod:`widgets.models.elf_x86_64`, :mod:`widgets.models.elf_aarch64`) emit
instructions through :meth:`Asm.emit`: the bytes (or a function of the label addresses, for jumps and
addresses), the instruction as text and a note in plain words. :meth:`Asm.assemble` places the strings after
the code, resolves every label and returns the machine code with one :class:`Line` per instruction, the way
lesson 01 lists its KVM guest. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Resolver = Callable[[int, dict[str, int]], bytes]  # (address of this instruction, label addresses) -> bytes


@dataclass(frozen=True)
class Line:
    """One instruction (or string) of a listing: its address, bytes, text and what it does."""

    address: int
    data: bytes
    text: str
    note: str = ""
    label: str = ""

    def show(self, width: int = 26) -> str:
        """``address  bytes  instruction  ; note`` (long byte strings shortened)."""
        raw = self.data.hex(" ").upper()
        raw = raw if len(raw) <= width else raw[: width - 1] + "…"
        note = f"  ; {self.note}" if self.note else ""
        head = f"{self.label}:\n" if self.label else ""
        return f"{head}{self.address:08x}:  {raw:<{width}}  {self.text}{note}"


class Asm:
    """Collects instructions and strings, then lays them out at ``origin`` and resolves labels."""

    def __init__(self) -> None:
        self._items: list[tuple[int, bytes | Resolver, str, str, str]] = []  # size, bytes, text, note, label
        self._strings: list[tuple[str, bytes]] = []
        self._label = ""
        self._names: set[str] = set()

    def label(self, name: str) -> None:
        """Name the next instruction (a jump target or a function)."""
        if name in self._names:
            raise ValueError(f"label {name!r} is defined twice")
        self._names.add(name)
        self._label = (self._label + " " + name).strip()

    def emit(self, size: int, data: bytes | Resolver, text: str, note: str = "") -> None:
        """Append one instruction of ``size`` bytes."""
        if isinstance(data, bytes) and len(data) != size:
            raise AssertionError(f"{text}: {len(data)} bytes, expected {size}")
        self._items.append((size, data, text, note, self._label))
        self._label = ""

    def string(self, name: str, text: str) -> None:
        """A NUL-terminated string placed after the code, addressed by ``name``."""
        self._names.add(name)
        self._strings.append((name, text.encode() + b"\0"))

    def assemble(self, origin: int) -> tuple[bytes, tuple[Line, ...], dict[str, int]]:
        """Machine code at ``origin``, its listing and the label addresses."""
        addresses, here = {}, origin
        for size, _data, _text, _note, label in self._items:
            for name in label.split():
                addresses[name] = here
            here += size
        here += -here % 8  # strings start 8-byte aligned
        code_end = here
        for name, blob in self._strings:
            addresses[name] = here
            here += len(blob)
        out, lines, at = bytearray(), [], origin
        for size, data, text, note, label in self._items:
            raw = data(at, addresses) if callable(data) else data
            if len(raw) != size:
                raise AssertionError(f"{text}: {len(raw)} bytes, expected {size}")
            out += raw
            lines.append(Line(at, raw, text, note, label))
            at += size
        out += self.pad(code_end - at)
        for name, blob in self._strings:
            lines.append(Line(addresses[name], blob, f'"{blob[:-1].decode()!s}"'.replace("\n", "\\n"), "", name))
            out += blob
        return bytes(out), tuple(lines), addresses

    def pad(self, n: int) -> bytes:
        """Filler between the code and the strings (never executed)."""
        return b"\0" * n
