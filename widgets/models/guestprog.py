"""A learner's own KVM guest: a few lines of 16-bit x86 assembly, assembled, and a model that runs them.

:func:`assemble` turns a short program (the instruction subset in :data:`INSTRUCTIONS`, labels, ``;`` comments,
``db`` bytes) into machine code with its listing (:class:`widgets.models.asm16.Guest`). The lab
(:mod:`widgets.labs.kvmedit`) runs the code on ``/dev/kvm`` in a child process; :func:`emulate` is the fallback
where KVM is not usable: an interpreter of the same subset that counts the same exits to user space (one per
``out``/``in``, one for ``hlt``) and stops the same way when the code faults, runs off its end or never halts.
It is a model, not KVM: it knows only this subset, and nothing it reports is measured.

The lab's guest machine: 64 KiB of RAM, code at 0:0x1000, memory after the code filled with ``UD2`` (an invalid
instruction), and an interrupt table whose every vector points at a stub that reports the vector on port
:data:`FAULT_PORT`. So a fault, or running past the last instruction, ends the run with a message instead of
wandering through memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .asm16 import Asm, Guest
from .guest import LOAD_ADDRESS, SERIAL_PORT

__all__ = [
    "FAULT_PORT",
    "INSTRUCTIONS",
    "MAX_CODE",
    "MAX_SOURCE",
    "VECTORS",
    "ProgramRun",
    "assemble",
    "emulate",
]

FAULT_PORT = 0xF1  # the interrupt table's stubs report a fault's vector here
MAX_SOURCE = 4000  # characters of assembly
MAX_LINES = 200
MAX_CODE = 1024  # bytes of machine code
VECTORS = {0: "#DE, divide error", 1: "#DB, debug", 3: "#BP, breakpoint", 6: "#UD, invalid opcode", 13: "#GP"}
_R8 = ("al", "cl", "dl", "bl", "ah", "ch", "dh", "bh")
_R16 = ("ax", "cx", "dx", "bx")
_ALU = {"add": (0x04, 0x00, 0), "sub": (0x2C, 0x28, 5), "cmp": (0x3C, 0x38, 7)}  # al,imm / r,r / 80 /n
_JUMPS = {"jmp": 0xEB, "jz": 0x74, "je": 0x74, "jnz": 0x75, "jne": 0x75, "jc": 0x72, "jb": 0x72}
_JUMPS |= {"jnc": 0x73, "jae": 0x73, "loop": 0xE2}
INSTRUCTIONS = (
    "mov r8, n",
    "mov r16, n",
    "mov r8, r8",
    "add|sub|cmp r8, n",
    "add|sub|cmp r8, r8",
    "inc r8",
    "dec r8",
    "out dx, al",
    "out n, al",
    "in al, dx",
    "jmp|jz|jnz|jc|jnc|loop label",
    "nop",
    "hlt",
    "db n, n, ...",
)


def _number(text: str, bits: int, line: int) -> int:
    t = text.strip()
    if re.fullmatch(r"'.'", t):
        value = ord(t[1])
    elif re.fullmatch(r"-?(0x[0-9a-f]+|[0-9]+)", t, re.I):
        value = int(t, 0)
    else:
        raise ValueError(f"line {line}: {text.strip()!r} is not a number (write 65, 0x41 or 'A')")
    if not -(1 << (bits - 1)) <= value < 1 << bits:
        raise ValueError(f"line {line}: {value} does not fit in {bits} bits")
    return value & ((1 << bits) - 1)


def _instruction(asm: Asm, op: str, args: list[str], n: int, text: str) -> None:  # noqa: C901
    a = [x.strip().lower() for x in args]
    shape = (op, len(a))
    if op == "mov" and len(a) == 2 and a[0] in _R8:
        if a[1] in _R8:
            asm(bytes((0x88, 0xC0 | _R8.index(a[1]) << 3 | _R8.index(a[0]))), text)
        else:
            asm(bytes((0xB0 + _R8.index(a[0]), _number(args[1], 8, n))), text)
    elif op == "mov" and len(a) == 2 and a[0] in _R16:
        asm(bytes((0xB8 + _R16.index(a[0]),)) + _number(args[1], 16, n).to_bytes(2, "little"), text)
    elif op in _ALU and len(a) == 2 and a[0] in _R8:
        short, rr, ext = _ALU[op]
        if a[1] in _R8:
            asm(bytes((rr, 0xC0 | _R8.index(a[1]) << 3 | _R8.index(a[0]))), text)
        elif a[0] == "al":
            asm(bytes((short, _number(args[1], 8, n))), text)
        else:
            asm(bytes((0x80, 0xC0 | ext << 3 | _R8.index(a[0]), _number(args[1], 8, n))), text)
    elif op in ("inc", "dec") and len(a) == 1 and a[0] in _R8:
        asm(bytes((0xFE, (0xC0 if op == "inc" else 0xC8) | _R8.index(a[0]))), text)
    elif op == "out" and a == ["dx", "al"]:
        asm("EE", text)
    elif op == "out" and len(a) == 2 and a[1] == "al":
        port = _number(args[0], 8, n)
        if port == FAULT_PORT:
            raise ValueError(f"line {n}: port {FAULT_PORT:#x} is the lab's fault report; print to 0x3f8 (in DX)")
        asm(bytes((0xE6, port)), text)
    elif op == "in" and a == ["al", "dx"]:
        asm("EC", text)
    elif op in _JUMPS and len(a) == 1 and re.fullmatch(r"[a-z_]\w*", a[0]):
        asm.jump(_JUMPS[op], a[0], text)
    elif shape in (("nop", 0), ("hlt", 0)):
        asm("90" if op == "nop" else "F4", text)
    elif op == "db" and a:
        asm(bytes(_number(x, 8, n) for x in args), text)
    else:
        raise ValueError(
            f"line {n}: {text!r} is not an instruction this assembler knows; it knows: {'; '.join(INSTRUCTIONS)} "
            f"(r8 is one of {', '.join(_R8)}; r16 one of {', '.join(_R16)})"
        )


def _strip_comment(line: str) -> str:
    """The line without its ``;`` comment (a ``';'`` character constant is kept)."""
    quoted = False
    for i, ch in enumerate(line):
        if ch == "'":
            quoted = not quoted
        elif ch == ";" and not quoted:
            return line[:i].strip()
    return line.strip()


def _split_args(rest: str) -> list[str]:
    """Operands split at commas outside quotes (``mov al, ','`` has two)."""
    if not rest.strip():
        return []
    parts, quoted, here = [], False, ""
    for ch in rest:
        if ch == "'":
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append(here)
            here = ""
        else:
            here += ch
    return [*parts, here]


def assemble(source: str) -> Guest:
    """Assemble a short real-mode program; ValueError names the line and what is wrong.

    Parameters
    ----------
    source : str
        One instruction per line (see :data:`INSTRUCTIONS`), ``name:`` labels, ``;`` comments;
        at most :data:`MAX_SOURCE` characters, :data:`MAX_LINES` lines and :data:`MAX_CODE` bytes of code.
    """
    if not isinstance(source, str):
        raise ValueError(f"the program must be text (a string of assembly lines), got {type(source).__name__}")
    if len(source) > MAX_SOURCE or source.count("\n") >= MAX_LINES:
        raise ValueError(f"the program is too long: at most {MAX_SOURCE} characters and {MAX_LINES} lines")
    asm, labels, jumps = Asm(), set(), []
    for n, raw in enumerate(source.splitlines(), start=1):
        line = _strip_comment(raw)
        while (m := re.match(r"([A-Za-z_]\w*):\s*", line)) is not None:
            name = m.group(1).lower()
            if name in labels:
                raise ValueError(f"line {n}: the label {name!r} is defined twice")
            labels.add(name)
            asm.label(name)
            line = line[m.end() :]
        if not line:
            continue
        op, rest = (line.split(None, 1) + [""])[:2]
        args = _split_args(rest)
        if op.lower() in _JUMPS:
            jumps.append((n, rest.strip().lower()))
        _instruction(asm, op.lower(), args, n, " ".join(line.split()))
    for n, target in jumps:
        if target not in labels:
            raise ValueError(f"line {n}: the jump goes to {target!r}, but no line is labelled {target}:")
    if not asm.here() > LOAD_ADDRESS:
        raise ValueError("the program is empty: write at least one instruction, such as hlt")
    guest = asm.build()
    if len(guest.code) > MAX_CODE:
        raise ValueError(f"the program assembles to {len(guest.code)} bytes; the lab takes at most {MAX_CODE}")
    return guest


@dataclass(frozen=True)
class ProgramRun:
    """How a learner's guest ended: its output, exits to user space, and why it stopped.

    ``stopped`` is ``"halted"``, ``"fault"`` (``fault`` = vector and IP), ``"exit-limit"``, ``"timeout"`` (KVM)
    or ``"step-limit"`` (the model), ``"unsupported"`` (the model met a byte outside its subset at ``ip``)
    or a KVM exit reason (``"SHUTDOWN"``, ``"INTERNAL_ERROR"`` ...).
    """

    output: str
    exits: dict[str, int]
    total_exits: int
    stopped: str
    log: tuple[str, ...]
    fault: dict[str, int | None] | None = None
    ip: int | None = None
    run_ms: float | None = None
    live: bool = False


def emulate(code: bytes, *, max_exits: int = 1000, max_steps: int = 100_000, max_output: int = 1000) -> ProgramRun:
    """Run ``code`` on the model of the lab's guest machine (the instruction subset of :func:`assemble`)."""
    if not isinstance(code, bytes | bytearray) or not 1 <= len(code) <= MAX_CODE:
        raise ValueError(f"code must be 1 to {MAX_CODE} bytes of machine code")
    code, end = bytes(code), LOAD_ADDRESS + len(code)
    reg16, zf, cf = [0, 0, 0, 0], False, False
    ip, out, exits, log, total = LOAD_ADDRESS, bytearray(), {}, [], 0

    def r8(i: int) -> int:
        return reg16[i & 3] >> (8 if i & 4 else 0) & 0xFF

    def set8(i: int, v: int) -> None:
        shift = 8 if i & 4 else 0
        reg16[i & 3] = reg16[i & 3] & ~(0xFF << shift) | (v & 0xFF) << shift

    def alu(kind: int, a: int, b: int) -> int:  # kind: 0 add, 5 sub, 7 cmp; sets ZF, CF
        nonlocal zf, cf
        v = a + b if kind == 0 else a - b
        zf, cf = v & 0xFF == 0, v > 0xFF or v < 0
        return v & 0xFF

    def exit_(name: str, note: str) -> None:
        nonlocal total
        exits[name] = exits.get(name, 0) + 1
        total += 1
        if len(log) < 20:
            log.append(f"exit #{total}: {name}{note}")

    def run(stopped: str, fault: dict[str, int | None] | None = None) -> ProgramRun:
        if fault is not None:  # the interrupt table's stub reports the vector: one more IO exit
            exit_("IO", f" out port 0x{FAULT_PORT:x}: the interrupt table's stub reports vector {fault['vector']}")
        return ProgramRun(out.decode("latin-1"), exits, total, stopped, tuple(log), fault, ip)

    for _ in range(max_steps):
        if total >= max_exits:
            return run("exit-limit")
        if not LOAD_ADDRESS <= ip < end:  # memory after the code holds UD2
            return run("fault", {"vector": 6, "ip": ip})
        b = code[ip - LOAD_ADDRESS :] + b"\x0f\x0b\x0f"
        op = b[0]
        if 0xB0 <= op <= 0xB7:
            set8(op - 0xB0, b[1])
            ip += 2
        elif 0xB8 <= op <= 0xBB:
            reg16[op - 0xB8] = b[1] | b[2] << 8
            ip += 3
        elif op in (0x88, 0x00, 0x28, 0x38) and b[1] >= 0xC0:
            src, dst = b[1] >> 3 & 7, b[1] & 7
            if op == 0x88:
                set8(dst, r8(src))
            else:
                v = alu({0x00: 0, 0x28: 5, 0x38: 7}[op], r8(dst), r8(src))
                if op != 0x38:
                    set8(dst, v)
            ip += 2
        elif op in (0x04, 0x2C, 0x3C):
            kind = {0x04: 0, 0x2C: 5, 0x3C: 7}[op]
            v = alu(kind, r8(0), b[1])
            if kind != 7:
                set8(0, v)
            ip += 2
        elif op == 0x80 and b[1] >= 0xC0 and b[1] >> 3 & 7 in (0, 5, 7):
            kind, dst = b[1] >> 3 & 7, b[1] & 7
            v = alu(kind, r8(dst), b[2])
            if kind != 7:
                set8(dst, v)
            ip += 3
        elif op == 0xFE and b[1] >= 0xC0 and b[1] >> 3 & 7 in (0, 1):
            dst, keep = b[1] & 7, cf
            set8(dst, alu(0 if b[1] >> 3 & 7 == 0 else 5, r8(dst), 1))
            cf = keep  # inc and dec leave CF alone
            ip += 2
        elif op in (0xEE, 0xE6, 0xEC):
            port = reg16[2] if op != 0xE6 else b[1]
            if op == 0xEC:
                set8(0, 0)
                exit_("IO", f" in port 0x{port:x}")
            else:
                if port == SERIAL_PORT and len(out) < max_output:
                    out.append(r8(0))
                exit_("IO", f" out port 0x{port:x} 0x{r8(0):02x}")
            ip += 2 if op == 0xE6 else 1
        elif op == 0x90:
            ip += 1
        elif op == 0xF4:
            exit_("HLT", "")
            ip += 1
            return run("halted")
        elif op in (0xEB, 0x74, 0x75, 0x72, 0x73, 0xE2):
            rel = b[1] - 256 if b[1] > 127 else b[1]
            if op == 0xE2:
                reg16[1] = (reg16[1] - 1) & 0xFFFF
            taken = {0xEB: True, 0x74: zf, 0x75: not zf, 0x72: cf, 0x73: not cf, 0xE2: reg16[1] != 0}[op]
            ip = (ip + 2 + rel if taken else ip + 2) & 0xFFFF
        elif (op == 0x0F and b[1] == 0x0B) or (op == 0xFF and b[1] >> 3 & 7 == 7):  # UD2; FF /7 is undefined
            return run("fault", {"vector": 6, "ip": ip})
        else:
            return run("unsupported")
    return run("step-limit")
