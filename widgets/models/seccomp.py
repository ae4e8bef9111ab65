"""A seccomp-BPF filter, assembled and explained: deny the named system calls with an errno, allow the rest.

A seccomp filter is a classic-BPF program the kernel runs on every system call the process makes. It reads
``struct seccomp_data`` (``nr`` at offset 0, ``arch`` at 4, the instruction pointer at 8, the arguments
from 16) and returns an action: ``SECCOMP_RET_ALLOW``, ``SECCOMP_RET_ERRNO | errno`` (the call fails with
that errno without running), or ``SECCOMP_RET_KILL_PROCESS``. Each instruction is 8 bytes
(``struct sock_filter``: a 16-bit opcode, two 8-bit jump offsets, a 32-bit constant).

:func:`assemble` builds the program for a deny list, :func:`run_filter` runs it on a system call the way the
kernel does (to test it, and to show what it decides), and :func:`oci_seccomp` writes the same policy as
an OCI runtime ``config.json`` ``linux.seccomp`` section, which runc turns into a filter with libseccomp.
Pure: no I/O.
"""

from __future__ import annotations

import difflib
import errno as errnos
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from ..core import validate
from .syscalls import TABLES

ARCHES = tuple(TABLES)
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}  # include/uapi/linux/audit.h
SCMP_ARCH = {"x86_64": "SCMP_ARCH_X86_64", "aarch64": "SCMP_ARCH_AARCH64"}
X32_BIT = 0x40000000  # x86-64's x32 ABI numbers have this bit set: refused outright
LD_ABS, JEQ, JGE, RET = 0x20, 0x15, 0x35, 0x06  # BPF_LD|BPF_W|BPF_ABS, BPF_JMP|BPF_JEQ|BPF_K, ...JGE, BPF_RET|BPF_K
RET_KILL_PROCESS, RET_ERRNO, RET_ALLOW = 0x80000000, 0x00050000, 0x7FFF0000
MAX_DENY = 64


@dataclass(frozen=True)
class Insn:
    """One BPF instruction (``struct sock_filter``) and what it does."""

    code: int
    jt: int
    jf: int
    k: int
    text: str
    note: str

    def packed(self) -> bytes:
        """The 8 bytes the kernel reads: ``<HBBI``."""
        return struct.pack("<HBBI", self.code, self.jt, self.jf, self.k)


@dataclass(frozen=True)
class Filter:
    """An assembled filter: the program, the calls it denies (name -> number) and the errno they get."""

    arch: str
    deny: dict[str, int]
    errno: int
    program: tuple[Insn, ...]
    kill: bool = False  # a denied call kills the process (SECCOMP_RET_KILL_PROCESS) instead of failing

    @property
    def bytes(self) -> bytes:
        """The program as the kernel receives it (``struct sock_fprog.filter``)."""
        return b"".join(i.packed() for i in self.program)

    def rows(self) -> list[list[int]]:
        """``[code, jt, jf, k]`` per instruction: what the lab's child program loads."""
        return [[i.code, i.jt, i.jf, i.k] for i in self.program]

    def listing(self) -> list[str]:
        """One line per instruction: index, bytes, instruction, meaning."""
        return [f"{n:>3}:  {i.packed().hex(' ')}  {i.text:<34} ; {i.note}" for n, i in enumerate(self.program)]


def errno_name(number: int) -> str:
    """``1`` -> ``"EPERM"`` (the symbolic name, or the number as text)."""
    return errnos.errorcode.get(number, str(number))


def check_deny(deny: object, arch: str = "x86_64") -> dict[str, int]:
    """The deny list as ``name -> number`` for ``arch``; ValueError naming an unknown call (with a suggestion)."""
    table = TABLES[validate.choice("arch", arch, ARCHES)]
    if isinstance(deny, str):
        deny = [part for part in deny.replace(",", " ").split()]
    if not isinstance(deny, Iterable):
        raise ValueError(f"deny must be a list of system-call names such as ['mkdir'], got {deny!r}")
    out: dict[str, int] = {}
    for name in deny:
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"deny: each entry must be a system-call name such as 'mkdir', got {name!r}")
        key = name.strip().lower()
        if key not in table:
            close = difflib.get_close_matches(key, table, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            other = [a for a in ARCHES if a != arch and key in TABLES[a]]
            where = f" ({key!r} exists on {other[0]} only)" if other else ""
            raise ValueError(
                f"deny: {name.strip()!r} is not a system call this lab knows on {arch}{where}{hint} "
                f"(it knows {len(table)}, e.g. mkdir, socket, uname, unshare, mount)"
            )
        out[key] = table[key]
    if len(out) > MAX_DENY:
        raise ValueError(f"deny: at most {MAX_DENY} system calls, got {len(out)}")
    return out


def assemble(
    deny: object = ("mkdir",), arch: str = "x86_64", errno: int = errnos.EPERM, *, kill: bool = False
) -> Filter:
    """The filter that makes each call in ``deny`` fail with ``errno`` (or, with ``kill``, kills the process
    that makes it) and allows every other call.

    Parameters
    ----------
    deny:
        System-call names (a list, or text separated by spaces or commas), known on ``arch``.
    arch:
        ``"x86_64"`` or ``"aarch64"``: the filter first checks it, and kills a process of another ABI.
    errno:
        1 to 4095; the default EPERM (1) is what Docker's profile answers.
    kill:
        Kill the process that makes a denied call (``SECCOMP_RET_KILL_PROCESS``: it dies of SIGSYS before the
        call runs) instead of failing the call with ``errno``.
    """
    calls = check_deny(deny, arch)
    err = validate.integer("errno", errno, minimum=1, maximum=4095)
    kill = validate.flag("kill", kill)
    prog: list[tuple[int, int, int, int, str, str]] = [
        (LD_ABS, 0, 0, 4, "ld  [4]", "A = seccomp_data.arch"),
        (JEQ, 1, 0, AUDIT_ARCH[arch], f"jeq #{AUDIT_ARCH[arch]:#x}, +1", f"AUDIT_ARCH_{arch.upper()}? skip the kill"),
        (RET, 0, 0, RET_KILL_PROCESS, "ret KILL_PROCESS", "another ABI: numbers would mean other calls"),
        (LD_ABS, 0, 0, 0, "ld  [0]", "A = seccomp_data.nr, the system-call number"),
    ]
    if arch == "x86_64":
        prog.append((JGE, 0, 0, X32_BIT, f"jge #{X32_BIT:#x}, deny", "an x32-ABI number: deny it too"))
    prog += [(JEQ, 0, 0, nr, f"jeq #{nr}, deny", f"{name}?") for name, nr in calls.items()]
    prog.append((RET, 0, 0, RET_ALLOW, "ret ALLOW", "every other call runs"))
    last = len(prog)
    if kill:
        prog.append((RET, 0, 0, RET_KILL_PROCESS, "ret KILL_PROCESS", "kill the process (SIGSYS), do not run it"))
    else:
        prog.append((RET, 0, 0, RET_ERRNO | err, f"ret ERRNO({err})", f"fail with {errno_name(err)}, do not run it"))
    out = []
    for n, (code, jt, jf, k, text, note) in enumerate(prog):
        if text.endswith(", deny"):
            jt = last - n - 1  # jump offsets count instructions after this one
            text = text.replace("deny", f"+{jt}")
        out.append(Insn(code, jt, jf, k, text, note))
    return Filter(arch, calls, err, tuple(out), kill)


def run_filter(flt: Filter, nr: int, arch: str | None = None) -> int:
    """Run the BPF program on system call ``nr`` (of ``arch``, default the filter's): the action it returns."""
    if not isinstance(flt, Filter):
        raise ValueError("run_filter needs a Filter from assemble()")
    nr = validate.integer("nr", nr, minimum=0, maximum=2**32 - 1)
    data = {0: nr, 4: AUDIT_ARCH[validate.choice("arch", arch or flt.arch, ARCHES)]}
    a, pc = 0, 0
    for _ in range(len(flt.program) + 1):
        i = flt.program[pc]
        if i.code == LD_ABS:
            a, pc = data[i.k], pc + 1
        elif i.code in (JEQ, JGE):
            hit = a == i.k if i.code == JEQ else a >= i.k
            pc += 1 + (i.jt if hit else i.jf)
        elif i.code == RET:
            return i.k
        else:
            raise ValueError(f"instruction {pc}: unknown opcode {i.code:#x}")
    raise ValueError("the program did not return")


def decide(flt: Filter, name: str) -> str:
    """What the filter does with the named call: ``"allowed"`` or ``"EPERM"`` (the errno's name)."""
    table = TABLES[flt.arch]
    if name not in table:
        raise ValueError(f"{name!r} is not a system call this lab knows on {flt.arch}")
    action = run_filter(flt, table[name])
    if action == RET_ALLOW:
        return "allowed"
    if action & 0xFFFF0000 == RET_ERRNO:
        return errno_name(action & 0xFFFF)
    return "killed"


def oci_seccomp(flt: Filter) -> dict[str, object]:
    """The same policy as an OCI runtime ``linux.seccomp`` section (runc builds its filter with libseccomp)."""
    if not isinstance(flt, Filter):
        raise ValueError("oci_seccomp needs a Filter from assemble()")
    rule = {"action": "SCMP_ACT_KILL_PROCESS"} if flt.kill else {"action": "SCMP_ACT_ERRNO", "errnoRet": flt.errno}
    rules = [{"names": sorted(flt.deny), **rule}] if flt.deny else []
    return {"defaultAction": "SCMP_ACT_ALLOW", "architectures": [SCMP_ARCH[flt.arch]], "syscalls": rules}


#: The calls the filter explorer shows: what a small program, a shell and a container escape would use.
SHOWN = (
    "read",
    "write",
    "openat",
    "getdents64",
    "getpid",
    "uname",
    "mmap",
    "execve",
    "clone",
    "socket",
    "connect",
    "mkdirat",
    "unlinkat",
    "mount",
    "unshare",
    "setns",
    "ptrace",
    "keyctl",
    "bpf",
    "reboot",
)


@dataclass(frozen=True)
class Decisions:
    """What a filter does with each shown call: ``{name: "allowed" | "EPERM"}``, and the filter."""

    filter: Filter
    decisions: dict[str, str]

    @property
    def denied(self) -> tuple[str, ...]:
        return tuple(n for n, d in self.decisions.items() if d != "allowed")


def decisions(deny: str = "unshare", arch: str = "x86_64") -> Decisions:
    """Assemble the filter for ``deny`` (names separated by spaces or commas) and run it on every shown call
    (and on the denied ones), the way the kernel does."""
    flt = assemble(deny, arch)
    names = [n for n in SHOWN if n in TABLES[flt.arch]] + [n for n in flt.deny if n not in SHOWN]
    return Decisions(flt, {n: decide(flt, n) for n in names})
