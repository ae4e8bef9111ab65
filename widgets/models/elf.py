"""The image's entrypoint as a real ELF file: a static executable the course assembles in Python.

An ELF executable here is three things: a 64-byte ELF header (magic number, 64-bit little-endian, machine,
entry address), two program headers (one ``PT_LOAD`` mapping the whole file read+execute at
:data:`LOAD_ADDRESS`, one ``PT_GNU_STACK`` asking for a non-executable stack), then the machine code and its
strings. No sections, no symbols, no interpreter: the kernel's ``execve`` maps the file and jumps to the
entry point, and the program talks to the kernel with system calls only (see :mod:`widgets.models.hello`).

:func:`entrypoint` returns the file for ``"x86_64"`` or ``"aarch64"`` with its listing (address, bytes,
instruction, what it does), like lesson 01's KVM guest. Pure: the same bytes on every machine.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from functools import cache

from ..core import validate
from .asm import Line
from .hello import SYSCALLS

ARCHES = ("x86_64", "aarch64")
MACHINE = {"x86_64": 62, "aarch64": 183}  # e_machine: EM_X86_64, EM_AARCH64
OCI_ARCH = {"x86_64": "amd64", "aarch64": "arm64"}  # the image config's "architecture"
LOAD_ADDRESS = 0x400000
HEADERS = 64 + 2 * 56  # ELF header + two program headers
PATH = "/bin/hello"


@dataclass(frozen=True)
class Entrypoint:
    """The assembled program: the ELF file's bytes, the code alone and its listing."""

    arch: str
    elf: bytes
    code: bytes
    entry: int
    listing: tuple[Line, ...]
    header: tuple[tuple[str, str, str], ...]  # (field, value, meaning)

    @property
    def digest(self) -> str:
        """sha256 of the ELF file."""
        return "sha256:" + hashlib.sha256(self.elf).hexdigest()

    @property
    def instructions(self) -> int:
        """Instructions in the listing (strings excluded)."""
        return sum(1 for line in self.listing if not line.text.startswith('"'))

    def show(self, first: int | None = None) -> list[str]:
        """The listing as text lines (the first ``first`` instructions, or all)."""
        lines = [line.show() for line in self.listing]
        return lines if first is None else lines[:first]


def elf_file(arch: str, code: bytes) -> tuple[bytes, tuple[tuple[str, str, str], ...]]:
    """Wrap ``code`` (assembled for :data:`LOAD_ADDRESS` + :data:`HEADERS`) in ELF64 headers."""
    arch = validate.choice("arch", arch, ARCHES)
    entry, size = LOAD_ADDRESS + HEADERS, HEADERS + len(code)
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)  # 64-bit, little-endian, version 1, System V ABI
    header = ident + struct.pack(
        "<HHIQQQIHHHHHH", 2, MACHINE[arch], 1, entry, 64, 0, 0, 64, 56, 2, 64, 0, 0
    )  # ET_EXEC, machine, version, entry, phoff, shoff, flags, ehsize, phentsize, phnum, shentsize, shnum, shstrndx
    load = struct.pack("<IIQQQQQQ", 1, 5, 0, LOAD_ADDRESS, LOAD_ADDRESS, size, size, 0x10000)  # PT_LOAD, R+X
    stack = struct.pack("<IIQQQQQQ", 0x6474E551, 6, 0, 0, 0, 0, 0, 16)  # PT_GNU_STACK, RW: no executable stack
    fields = (
        ("e_ident", "7f 45 4c 46 02 01 01 00", "magic '\\x7fELF', 64-bit, little-endian, ELF version 1, System V"),
        ("e_type", "2 (ET_EXEC)", "an executable at a fixed address (no relocation, no loader)"),
        ("e_machine", f"{MACHINE[arch]} ({'EM_X86_64' if arch == 'x86_64' else 'EM_AARCH64'})", "the CPU"),
        ("e_entry", f"{entry:#x}", "where execve jumps: the first instruction, right after the headers"),
        ("e_phoff, e_phnum", "64, 2", "two program headers follow the ELF header"),
        ("PT_LOAD", f"offset 0, {size} bytes at {LOAD_ADDRESS:#x}, flags R+X", "map the whole file, read + execute"),
        ("PT_GNU_STACK", "flags RW", "the stack is not executable"),
        ("sections, symbols, PT_INTERP", "none", "nothing for a dynamic loader: the kernel alone starts it"),
    )
    return header + load + stack + code, fields


@cache
def entrypoint(arch: str = "x86_64") -> Entrypoint:
    """The image's ``/bin/hello`` for ``arch`` (``"x86_64"`` or ``"aarch64"``); ValueError for another."""
    arch = validate.choice("arch", arch, ARCHES)
    if arch == "x86_64":
        from .elf_x86_64 import program
    else:
        from .elf_aarch64 import program
    code, listing, _ = program().assemble(LOAD_ADDRESS + HEADERS)
    elf, header = elf_file(arch, code)
    return Entrypoint(arch, elf, code, LOAD_ADDRESS + HEADERS, listing, header)


def arch_for(machine: str) -> str | None:
    """The entrypoint's arch for a ``platform.machine()`` value (``"amd64"`` and ``"arm64"`` too), or None."""
    m = str(machine).lower()
    return {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}.get(m)


def syscalls_used(arch: str = "x86_64") -> dict[str, int]:
    """The system calls the program makes, name -> number on ``arch``."""
    return dict(SYSCALLS[validate.choice("arch", arch, ARCHES)])
