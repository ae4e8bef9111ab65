"""The toy CPU's instruction set and assembler: what each instruction does and how a program is written.

See :mod:`widgets.models.toycpu` for the table of instructions and the monitor that runs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

ORDINARY = frozenset({"LOAD", "ADD", "SUB", "JNZ", "NOP"})
PRIVILEGED = frozenset({"OUT", "CLI", "STI", "HLT", "SETPT"})
SENSITIVE_UNPRIVILEGED = frozenset({"POPF", "RDMODE"})
MAX_INSTRUCTIONS = 512
_OPERAND_MAX = {"LOAD": 255, "ADD": 255, "SUB": 255, "SETPT": 255, "POPF": 1, "JNZ": -1}
_ALL = ORDINARY | PRIVILEGED | SENSITIVE_UNPRIVILEGED
_KNOWN = ", ".join(sorted(_ALL))


@dataclass(frozen=True)
class Instruction:
    """One instruction: mnemonic ``op``, operand ``arg`` (for JNZ: the target address),
    and ``label``, the name of a JNZ's target (kept so the program prints readably)."""

    op: str
    arg: int | None = None
    label: str | None = None

    def __str__(self) -> str:
        shown = self.label if self.op == "JNZ" and self.label else self.arg
        return self.op if shown is None else f"{self.op} {shown}"


def _problem(ins: Any, count: int) -> str | None:
    """What is wrong with ``ins`` in a program of ``count`` instructions (None: nothing)."""
    if not isinstance(ins, Instruction) or ins.op not in _ALL:
        return f"unknown instruction {ins!r}; known: {_KNOWN}"
    if ins.op not in _OPERAND_MAX:
        return None if ins.arg is None else f"{ins.op} takes no operand"
    high = count - 1 if ins.op == "JNZ" else _OPERAND_MAX[ins.op]
    if isinstance(ins.arg, bool) or not isinstance(ins.arg, int) or not 0 <= ins.arg <= high:
        what = (
            f"an address from 0 to {high} (the program has {count} instructions)"
            if ins.op == "JNZ"
            else f"a whole number from 0 to {high}"
        )
        return f"{ins.op} operand must be {what}, got {ins.arg!r}"
    return None


@dataclass(frozen=True)
class Program:
    """A validated program: 1 to :data:`MAX_INSTRUCTIONS` ``instructions`` and its
    ``labels`` as ``(name, address)`` pairs; see :func:`parse_program` and :attr:`text`."""

    instructions: tuple[Instruction, ...]
    labels: tuple[tuple[str, int], ...] = ()

    def __post_init__(self) -> None:
        n = len(self.instructions) if isinstance(self.instructions, tuple) else 0
        if not 1 <= n <= MAX_INSTRUCTIONS:
            raise ValueError(f"program must have at least one instruction (at most 512), got {n}")
        for i, ins in enumerate(self.instructions):
            if (problem := _problem(ins, n)) is not None:
                raise ValueError(f"instruction {i}: {problem}")

    @property
    def text(self) -> str:
        """The program as assembly text (it parses back to an equal program)."""
        tags: dict[int, str] = {}
        for name, address in self.labels:
            tags[address] = tags.get(address, "") + f"{name}: "
        return "".join(f"{tags.get(i, ''):<8}{ins}\n" for i, ins in enumerate(self.instructions))


def parse_program(text: str) -> Program:
    """Parse assembly (one instruction per line, ``;`` comments, ``name:`` labels).

    Parameters
    ----------
    text : str
        E.g. ``"LOAD 3\\nloop: OUT\\nSUB 1\\nJNZ loop\\nHLT"``; a mistake raises a
        ValueError naming its line.
    """
    if not isinstance(text, str):
        raise ValueError(f"program text must be a string, got {type(text).__name__}")
    code: list[tuple[int, Instruction]] = []  # (line number, instruction)
    labels: dict[str, tuple[int, int]] = {}  # name: (address, line number)
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(";", 1)[0].strip()
        while match := re.match(r"([A-Za-z_]\w*)\s*:(.*)", line):
            name, line = match.group(1), match.group(2).strip()
            if name in labels:
                raise ValueError(f"line {n}: label {name!r} is defined twice (first on line {labels[name][1]})")
            labels[name] = (len(code), n)
        if not line:
            continue
        word, *args = line.split()
        if (op := word.upper()) not in _ALL:
            raise ValueError(f"line {n}: unknown instruction {word!r}; known: {_KNOWN}")
        if len(args) != (op in _OPERAND_MAX):
            raise ValueError(
                f"line {n}: {op} "
                + ("needs one operand" if op in _OPERAND_MAX else "takes no operand")
                + f", got {line!r}"
            )
        label = args[0] if op == "JNZ" and re.fullmatch(r"[A-Za-z_]\w*", args[0]) else None
        try:
            arg = int(args[0], 0) if args and label is None else None
        except ValueError:
            raise ValueError(f"line {n}: {op} needs a whole number, got {args[0]!r}") from None
        code.append((n, Instruction(op, arg, label)))
    if not code:
        raise ValueError("program must have at least one instruction")
    for i, (n, ins) in enumerate(code):
        if ins.label is not None:
            if ins.label not in labels:
                raise ValueError(
                    f"line {n}: JNZ target {ins.label!r} is not a label of this "
                    f"program (labels: {', '.join(labels) or 'none'})"
                )
            code[i] = (n, Instruction("JNZ", labels[ins.label][0], ins.label))
        if (problem := _problem(code[i][1], len(code))) is not None:
            raise ValueError(f"line {n}: {problem}")
    return Program(tuple(i for _, i in code), tuple((k, a) for k, (a, _) in labels.items()))
