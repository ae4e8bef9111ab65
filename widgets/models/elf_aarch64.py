"""The image's entrypoint for aarch64 (64-bit Arm), hand-assembled: the same program as the x86-64 one.

Every A64 instruction is 4 bytes; :class:`A64` encodes the few the program needs (``movz``/``movk``/``movn``,
register ``add``/``sub``, immediates, loads and stores with an unsigned offset, branches, ``svc #0``).
System calls take their number in ``x8``, arguments in ``x0``-``x5``, and return in ``x0``.
"""

from __future__ import annotations

import struct

from .asm import Asm
from .hello import MODES, STRINGS, SYSCALLS

NR = SYSCALLS["aarch64"]
COND = {"eq": 0, "ne": 1, "hs": 2, "lo": 3, "mi": 4, "pl": 5, "hi": 8, "ls": 9, "ge": 10, "lt": 11}
SP = 31


def _r(name: str) -> int:
    return SP if name in ("sp", "xzr") else int(name[1:])


class A64(Asm):
    """The A64 instruction forms of the entrypoint, each with its text."""

    def word(self, value: int, text: str, note: str = "") -> None:
        self.emit(4, struct.pack("<I", value), text, note)

    def mov(self, rd: str, src: str | int, note: str = "") -> None:
        d = _r(rd)
        if isinstance(src, str):
            if src == "sp" or rd == "sp":  # add rd, sp, #0
                self.word(0x91000000 | _r(src) << 5 | d, f"mov {rd}, {src}", note)
            else:  # orr rd, xzr, rm
                self.word(0xAA0003E0 | _r(src) << 16 | d, f"mov {rd}, {src}", note)
        elif src < 0:  # movn rd, #(~src)
            self.word(0x92800000 | ((~src) & 0xFFFF) << 5 | d, f"mov {rd}, #{src}", note or "movn")
        else:
            parts = [(src >> s) & 0xFFFF for s in (0, 16, 32, 48)]
            first = next(i for i, p in enumerate(parts) if p or i == 3) if src else 0
            self.word(
                0xD2800000 | first << 21 | parts[first] << 5 | d,
                f"movz {rd}, #{parts[first]:#x}" + (f", lsl #{16 * first}" if first else ""),
                note,
            )
            for i in range(first + 1, 4):
                if parts[i]:
                    self.word(0xF2800000 | i << 21 | parts[i] << 5 | d, f"movk {rd}, #{parts[i]:#x}, lsl #{16 * i}")

    def addi(self, name: str, rd: str, rn: str, imm: int, note: str = "") -> None:
        """``add``/``sub``/``cmp`` with a 12-bit immediate (optionally shifted left by 12)."""
        shift, value = (1, imm >> 12) if imm >= 4096 and not imm & 0xFFF else (0, imm)
        if not 0 <= value < 4096:
            raise AssertionError(f"immediate {imm} does not fit")
        base = {"add": 0x91000000, "sub": 0xD1000000, "cmp": 0xF1000000}[name]
        d = SP if name == "cmp" else _r(rd)  # cmp = subs xzr
        text = f"cmp {rn}, #{imm:#x}" if name == "cmp" else f"{name} {rd}, {rn}, #{imm:#x}"
        self.word(base | shift << 22 | value << 10 | _r(rn) << 5 | d, text, note)

    def alu(self, name: str, rd: str, rn: str, rm: str, note: str = "") -> None:
        """``add``/``sub``/``cmp`` of registers."""
        base = {"add": 0x8B000000, "sub": 0xCB000000, "cmp": 0xEB000000}[name]
        d = SP if name == "cmp" else _r(rd)
        text = f"cmp {rn}, {rm}" if name == "cmp" else f"{name} {rd}, {rn}, {rm}"
        self.word(base | _r(rm) << 16 | _r(rn) << 5 | d, text, note)

    def neg(self, rd: str, rm: str, note: str = "") -> None:
        self.word(0xCB0003E0 | _r(rm) << 16 | _r(rd), f"neg {rd}, {rm}", note)

    def madd(self, name: str, rd: str, rn: str, rm: str, ra: str, note: str = "") -> None:
        """``madd`` (rd = ra + rn*rm) or ``msub`` (rd = ra - rn*rm)."""
        o0 = 0x8000 if name == "msub" else 0
        self.word(
            0x9B000000 | o0 | _r(rm) << 16 | _r(ra) << 10 | _r(rn) << 5 | _r(rd), f"{name} {rd}, {rn}, {rm}, {ra}", note
        )

    def udiv(self, rd: str, rn: str, rm: str, note: str = "") -> None:
        self.word(0x9AC00800 | _r(rm) << 16 | _r(rn) << 5 | _r(rd), f"udiv {rd}, {rn}, {rm}", note)

    def mem(self, name: str, rt: str, rn: str, off: int | str = 0, note: str = "") -> None:
        """``ldr``/``str`` (64-bit), ``ldrb``/``strb``, ``ldrh``: ``[rn, #off]`` or ``[rn, rm]`` (bytes only)."""
        t, n = _r(rt), _r(rn)
        if isinstance(off, str):
            base = {"ldrb": 0x38606800, "strb": 0x38206800}[name]
            self.word(base | _r(off) << 16 | n << 5 | t, f"{name} w{t}, [{rn}, {off}]", note)
            return
        base, scale = {
            "ldr": (0xF9400000, 8),
            "str": (0xF9000000, 8),
            "ldrb": (0x39400000, 1),
            "strb": (0x39000000, 1),
            "ldrh": (0x79400000, 2),
        }[name]
        reg = f"x{t}" if name in ("ldr", "str") else f"w{t}"
        where = f"[{rn}, #{off:#x}]" if off else f"[{rn}]"
        self.word(base | (off // scale) << 10 | n << 5 | t, f"{name} {reg}, {where}", note)

    def branch(self, kind: str, label: str, reg: str = "", note: str = "") -> None:
        """``b``, ``bl``, ``b.<cond>``, ``cbz``/``cbnz`` (reg), ``tbz``/``tbnz`` on bit 63 (reg): to a label."""

        def enc(at: int, labels: dict[str, int]) -> bytes:
            off = (labels[label] - at) >> 2
            if kind in ("b", "bl"):
                return struct.pack("<I", (0x14000000 if kind == "b" else 0x94000000) | off & 0x3FFFFFF)
            if kind in ("cbz", "cbnz"):
                return struct.pack("<I", (0xB4000000 if kind == "cbz" else 0xB5000000) | (off & 0x7FFFF) << 5 | _r(reg))
            if kind in ("tbz", "tbnz"):
                return struct.pack("<I", (0xB6F80000 if kind == "tbz" else 0xB7F80000) | (off & 0x3FFF) << 5 | _r(reg))
            return struct.pack("<I", 0x54000000 | (off & 0x7FFFF) << 5 | COND[kind[2:]])

        text = {"tbz": f"tbz {reg}, #63, {label}", "tbnz": f"tbnz {reg}, #63, {label}"}.get(
            kind, f"{kind} {reg + ', ' if reg else ''}{label}"
        )
        self.emit(4, enc, text, note)

    def adr(self, rd: str, label: str, note: str = "") -> None:
        def enc(at: int, labels: dict[str, int]) -> bytes:
            off = labels[label] - at
            return struct.pack("<I", 0x10000000 | (off & 3) << 29 | ((off >> 2) & 0x7FFFF) << 5 | _r(rd))

        self.emit(4, enc, f"adr {rd}, {label}", note)

    def sys(self, name: str, note: str = "") -> None:
        self.mov("x8", NR[name], note or f"x8 = {NR[name]}, the number of {name}")
        self.word(0xD4000001, "svc #0", f"{name}(): the kernel runs system call {NR[name]}, result in x0")

    def ret(self) -> None:
        self.word(0xD65F03C0, "ret", "return to the address in x30")

    def puts(self, label: str) -> None:
        self.adr("x1", label)
        self.branch("bl", "puts")


def _write_file(a: A64) -> None:
    a.label("write_file")
    a.mov("x0", -100, "dirfd = AT_FDCWD")
    a.mov("x1", "x21", "the path: argv[1]")
    a.mov("x2", 0x241, "O_WRONLY | O_CREAT | O_TRUNC")
    a.mov("x3", 0o644, "mode 0644")
    a.sys("openat")
    a.mov("x22", "x0", "the file descriptor (or the negative error)")
    a.puts("s_write")
    a.mov("x1", "x21")
    a.branch("bl", "puts")
    a.puts("s_colon")
    a.mov("x0", "x22")
    a.branch("tbnz", "write_failed", "x0", "negative: the kernel refused")
    a.adr("x1", "s_content")
    a.mov("x2", len(STRINGS["s_content"].encode()))
    a.sys("write")
    a.mov("x0", "x22")
    a.sys("close")
    a.puts("s_ok")
    a.branch("b", "hello")
    a.label("write_failed")
    a.branch("bl", "print_num", note="prints 'error N' (N = errno)")


def _hello(a: A64) -> None:
    a.label("hello")
    a.puts("s_banner")
    a.puts("s_pid")
    a.sys("getpid", "x8 = 172: getpid, this process's ID in its PID namespace")
    a.branch("bl", "print_num")
    a.puts("s_host")
    a.mov("x0", "x20", "struct utsname goes into the scratch area")
    a.sys("uname", "x8 = 160: uname; the nodename field (offset 65) is the hostname")
    a.branch("tbnz", "host_failed", "x0")
    a.addi("add", "x1", "x20", 65, "nodename: the UTS namespace's hostname")
    a.branch("bl", "puts")
    a.puts("s_nl")
    a.branch("b", "list")
    a.label("host_failed")
    a.branch("bl", "print_num")
    a.label("list")
    a.puts("s_root")
    a.mov("x0", -100, "AT_FDCWD")
    a.adr("x1", "s_slash", 'the path "/"')
    a.mov("x2", 0x4000, "O_RDONLY | O_DIRECTORY (040000 on arm64)")
    a.sys("openat")
    a.branch("tbnz", "list_failed", "x0")
    a.mov("x22", "x0", "the directory's file descriptor")
    a.label("read_dir")
    a.mov("x0", "x22")
    a.addi("add", "x1", "x20", 0x400, "a 4 KiB buffer for directory entries")
    a.mov("x2", 0x1000)
    a.sys("getdents64", "x8 = 61: getdents64 fills the buffer with struct linux_dirent64 records")
    a.branch("tbnz", "list_failed", "x0")
    a.branch("cbz", "list_done", "x0", "0 bytes: no more entries")
    a.mov("x23", "x0", "bytes filled")
    a.mov("x24", 0, "offset of the current record")
    a.label("entry")
    a.addi("add", "x1", "x20", 0x400)
    a.alu("add", "x1", "x1", "x24", "x1 = this record")
    a.mem("ldrh", "x2", "x1", 16, "d_reclen: the record's length")
    a.alu("add", "x24", "x24", "x2", "offset of the next record")
    a.addi("add", "x1", "x1", 19, "d_name: the entry's NUL-terminated name")
    a.mem("ldrb", "x3", "x1")
    a.addi("cmp", "", "x3", ord("."), "skip names starting with '.', like ls")
    a.branch("b.eq", "next_entry")
    a.branch("bl", "puts")
    a.puts("s_space")
    a.label("next_entry")
    a.alu("cmp", "", "x24", "x23")
    a.branch("b.lo", "entry", note="more records in the buffer")
    a.branch("b", "read_dir")
    a.label("list_done")
    a.mov("x0", "x22")
    a.sys("close")
    a.puts("s_nl")
    a.branch("b", "exit0")
    a.label("list_failed")
    a.branch("bl", "print_num")


def _exit(a: A64) -> None:
    a.label("exit0")
    a.mov("x0", 0, "exit status 0")
    a.label("exit")
    a.sys("exit_group", "x8 = 94: exit_group ends every thread of the process")
    a.sys("exit", "only reached if exit_group was refused (a seccomp rule): try exit")
    a.word(0x00000000, "udf #0", "still alive: an undefined instruction ends the process with SIGILL")


def _eat(a: A64) -> None:
    a.label("eat")
    a.puts("s_eat")
    a.mov("x22", 0, "MiB allocated so far")
    a.label("eat_more")
    a.mov("x0", 0, "addr: let the kernel choose")
    a.mov("x1", 0x100000, "length 1 MiB")
    a.mov("x2", 3, "PROT_READ | PROT_WRITE")
    a.mov("x3", 0x22, "MAP_PRIVATE | MAP_ANONYMOUS")
    a.mov("x4", -1, "fd -1 (no file)")
    a.mov("x5", 0, "offset 0")
    a.sys("mmap")
    a.branch("tbnz", "eat_failed", "x0")
    a.mov("x6", 0)
    a.mov("x7", 1)
    a.label("touch")
    a.mem("strb", "x7", "x0", "x6", "touch one byte per 4 KiB page: now the page is really charged")
    a.addi("add", "x6", "x6", 0x1000)
    a.alu("cmp", "", "x6", "x1")
    a.branch("b.lo", "touch")
    a.addi("add", "x22", "x22", 1)
    a.puts("s_mib")
    a.mov("x0", "x22")
    a.branch("bl", "print_num", note="'MiB N': the last line printed before a kill says how far it got")
    a.addi("cmp", "", "x22", MODES["eat_limit_mib"])
    a.branch("b.lo", "eat_more")
    a.branch("b", "exit0")
    a.label("eat_failed")
    a.mov("x23", "x0")
    a.puts("s_mmap")
    a.mov("x0", "x23")
    a.branch("bl", "print_num")
    a.mov("x0", 1)
    a.branch("b", "exit")


def _spin(a: A64) -> None:
    a.label("spin")
    a.puts("s_spin")
    a.branch("bl", "now")
    a.mov("x22", "x0", "start time (ns)")
    a.mov("x23", 0, "rounds done")
    a.label("round")
    a.mov("x6", MODES["spin_round"], "one round: a busy loop")
    a.label("burn")
    a.addi("sub", "x6", "x6", 1)
    a.branch("cbnz", "burn", "x6")
    a.addi("add", "x23", "x23", 1)
    a.branch("bl", "now")
    a.alu("sub", "x0", "x0", "x22")
    a.mov("x7", MODES["spin_ms"] * 1_000_000, "until this much wall-clock time has passed")
    a.alu("cmp", "", "x0", "x7")
    a.branch("b.lo", "round")
    a.puts("s_rounds")
    a.mov("x0", "x23")
    a.branch("bl", "print_num", note="fewer rounds when a CPU quota throttles it")
    a.branch("b", "exit0")
    a.label("now")
    a.mov("x0", 1, "CLOCK_MONOTONIC")
    a.addi("add", "x1", "x20", 0x500, "struct timespec in the scratch area")
    a.sys("clock_gettime")
    a.branch("tbnz", "clock_failed", "x0")
    a.mem("ldr", "x0", "x20", 0x500, "tv_sec")
    a.mem("ldr", "x1", "x20", 0x508, "tv_nsec")
    a.mov("x2", 1_000_000_000)
    a.madd("madd", "x0", "x0", "x2", "x1", "nanoseconds = tv_sec * 1e9 + tv_nsec")
    a.ret()
    a.label("clock_failed")
    a.mov("x23", "x0")
    a.puts("s_clock")
    a.mov("x0", "x23")
    a.branch("bl", "print_num")
    a.mov("x0", 1)
    a.branch("b", "exit")


def _functions(a: A64) -> None:
    a.label("puts")
    a.mov("x2", "x1", "puts(x1): write a NUL-terminated string to standard output")
    a.label("strlen")
    a.mem("ldrb", "x3", "x2")
    a.branch("cbz", "strlen_done", "x3")
    a.addi("add", "x2", "x2", 1)
    a.branch("b", "strlen")
    a.label("strlen_done")
    a.alu("sub", "x2", "x2", "x1", "the length")
    a.mov("x0", 1, "fd 1: standard output")
    a.sys("write")
    a.ret()
    a.label("print_num")
    a.branch("tbz", "positive", "x0", "print_num(x0): decimal; a negative system-call result is -errno")
    a.neg("x9", "x0")
    a.mov("x0", 1)
    a.adr("x1", "s_error")
    a.mov("x2", len(STRINGS["s_error"]))
    a.sys("write")
    a.mov("x0", "x9")
    a.label("positive")
    a.addi("add", "x1", "x20", 0x3FF, "digits are written backwards from here")
    a.mov("x3", 10)
    a.mem("strb", "x3", "x1", 0, "a newline at the end")
    a.mov("x4", 10)
    a.label("digit")
    a.udiv("x5", "x0", "x4")
    a.madd("msub", "x6", "x5", "x4", "x0", "x6 = x0 - (x0 / 10) * 10: the next digit")
    a.addi("add", "x6", "x6", ord("0"))
    a.addi("sub", "x1", "x1", 1)
    a.mem("strb", "x6", "x1")
    a.mov("x0", "x5")
    a.branch("cbnz", "digit", "x0")
    a.addi("add", "x2", "x20", 0x400)
    a.alu("sub", "x2", "x2", "x1", "the number's length")
    a.mov("x0", 1)
    a.sys("write")
    a.ret()


def program() -> A64:
    """The entrypoint's program for aarch64 (see :mod:`widgets.models.hello` for what it does)."""
    a = A64()
    a.label("_start")
    a.mov("x19", "sp", "the kernel left argc, argv[0], argv[1], ... on the stack")
    a.addi("sub", "sp", "sp", 0x2000, "8 KiB of scratch space below them")
    a.mov("x20", "sp", "x20 = the scratch area")
    a.mem("ldr", "x0", "x19", 0, "argc")
    a.addi("cmp", "", "x0", 2)
    a.branch("b.lt", "hello", note="no argument: just report")
    a.mem("ldr", "x21", "x19", 16, "argv[1]")
    a.mem("ldrb", "x0", "x21", 0, "its first character picks the mode")
    for char, target in (("e", "eat"), ("s", "spin")):
        a.addi("cmp", "", "x0", ord(char), f"'{char}': {target}")
        a.branch("b.eq", target)
    a.addi("cmp", "", "x0", ord("/"), "'/': write a file at that path, then report")
    a.branch("b.ne", "hello")
    _write_file(a)
    _hello(a)
    _exit(a)
    _eat(a)
    _spin(a)
    _functions(a)
    for name, text in STRINGS.items():
        a.string(name, text.replace("{arch}", "aarch64"))
    return a
