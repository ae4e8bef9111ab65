"""The image's entrypoint for x86-64, hand-assembled: Linux system calls only, no libc, no loader.

:class:`X86` encodes the few instruction forms the program needs (64-bit registers, ``[base+disp]`` memory,
32-bit relative jumps); :func:`program` writes the program with it. The same program exists for aarch64 in
:mod:`widgets.models.elf_aarch64`; :mod:`widgets.models.elf` wraps either in an ELF file.
"""

from __future__ import annotations

import struct

from .asm import Asm
from .hello import MODES, STRINGS, SYSCALLS

REGS = ("rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", *(f"r{i}" for i in range(8, 16)))
R = {name: i for i, name in enumerate(REGS)}
NR = SYSCALLS["x86_64"]
COND = {"e": 0x84, "ne": 0x85, "l": 0x8C, "ge": 0x8D, "b": 0x82, "s": 0x88, "ns": 0x89}


def _rex(w: int, reg: int, rm: int) -> bytes:
    byte = 0x40 | (w << 3) | ((reg >> 3) << 2) | (rm >> 3)
    return bytes([byte]) if byte != 0x40 else b""


def _mem(reg: int, base: int, disp: int) -> bytes:
    """ModRM (+SIB) (+displacement) for ``[base + disp]``."""
    if disp == 0 and base & 7 != 5:
        mod, tail = 0, b""
    elif -128 <= disp < 128:
        mod, tail = 1, struct.pack("<b", disp)
    else:
        mod, tail = 2, struct.pack("<i", disp)
    sib = b"\x24" if base & 7 == 4 else b""
    return bytes([(mod << 6) | ((reg & 7) << 3) | (base & 7)]) + sib + tail


def _ea(base: str, disp: int) -> str:
    return f"[{base}{f' + {disp:#x}' if disp > 0 else f' - {-disp:#x}' if disp < 0 else ''}]"


class X86(Asm):
    """The x86-64 instruction forms of the entrypoint, each with its Intel-syntax text."""

    def op(self, data: bytes, text: str, note: str = "") -> None:
        self.emit(len(data), data, text, note)

    def mov(self, dst: str, src: str | int, note: str = "") -> None:
        d = R[dst]
        if isinstance(src, str):
            s = R[src]
            self.op(_rex(1, s, d) + bytes([0x89, 0xC0 | (s & 7) << 3 | (d & 7)]), f"mov {dst}, {src}", note)
        elif 0 <= src < 2**31:  # mov r32, imm32 zero-extends into the 64-bit register
            name = f"e{dst[1:]}" if dst[1:] in ("ax", "cx", "dx", "bx", "sp", "bp", "si", "di") else f"{dst}d"
            self.op(_rex(0, 0, d) + bytes([0xB8 + (d & 7)]) + struct.pack("<I", src), f"mov {name}, {src:#x}", note)
        else:  # sign-extended imm32
            self.op(_rex(1, 0, d) + bytes([0xC7, 0xC0 | (d & 7)]) + struct.pack("<i", src), f"mov {dst}, {src}", note)

    def load(self, dst: str, base: str, disp: int = 0, note: str = "") -> None:
        d, b = R[dst], R[base]
        self.op(_rex(1, d, b) + b"\x8b" + _mem(d, b, disp), f"mov {dst}, qword {_ea(base, disp)}", note)

    def add_mem(self, dst: str, base: str, disp: int, note: str = "") -> None:
        d, b = R[dst], R[base]
        self.op(_rex(1, d, b) + b"\x03" + _mem(d, b, disp), f"add {dst}, qword {_ea(base, disp)}", note)

    def movzx(self, dst: str, base: str, disp: int = 0, *, word: bool = False, note: str = "") -> None:
        d, b = R[dst], R[base]
        op = b"\x0f\xb7" if word else b"\x0f\xb6"
        text = f"movzx {dst}, {'word' if word else 'byte'} {_ea(base, disp)}"
        self.op(_rex(1, d, b) + op + _mem(d, b, disp), text, note)

    def lea(self, dst: str, base: str, disp: int, note: str = "") -> None:
        d, b = R[dst], R[base]
        self.op(_rex(1, d, b) + b"\x8d" + _mem(d, b, disp), f"lea {dst}, {_ea(base, disp)}", note)

    def lea_rip(self, dst: str, label: str, note: str = "") -> None:
        d = R[dst]
        head = _rex(1, d, 0) + bytes([0x8D, 0x05 | (d & 7) << 3])

        def enc(at: int, labels: dict[str, int]) -> bytes:
            return head + struct.pack("<i", labels[label] - (at + 7))

        self.emit(7, enc, f"lea {dst}, [rip + {label}]", note)

    def alu(self, name: str, dst: str, src: str | int, note: str = "") -> None:
        """``add``/``sub``/``cmp``/``xor``/``test`` with a register or a 32-bit immediate."""
        d = R[dst]
        if isinstance(src, str):
            s, code = R[src], {"add": 0x01, "sub": 0x29, "cmp": 0x39, "xor": 0x31, "test": 0x85}[name]
            self.op(_rex(1, s, d) + bytes([code, 0xC0 | (s & 7) << 3 | (d & 7)]), f"{name} {dst}, {src}", note)
        else:
            ext = {"add": 0, "sub": 5, "cmp": 7}[name]
            body = bytes([0x81, 0xC0 | ext << 3 | (d & 7)]) + struct.pack("<i", src)
            self.op(_rex(1, 0, d) + body, f"{name} {dst}, {src:#x}" if src > 9 else f"{name} {dst}, {src}", note)

    def unary(self, name: str, reg: str, note: str = "") -> None:
        """``inc``/``dec``/``neg``/``div`` of a 64-bit register."""
        opcode, ext = {"inc": (0xFF, 0), "dec": (0xFF, 1), "neg": (0xF7, 3), "div": (0xF7, 6)}[name]
        self.op(_rex(1, 0, R[reg]) + bytes([opcode, 0xC0 | ext << 3 | (R[reg] & 7)]), f"{name} {reg}", note)

    def imul(self, dst: str, imm: int, note: str = "") -> None:
        d = R[dst]
        code = _rex(1, d, d) + bytes([0x69, 0xC0 | (d & 7) << 3 | (d & 7)]) + struct.pack("<i", imm)
        self.op(code, f"imul {dst}, {dst}, {imm}", note)

    def cmp_byte(self, base: str, imm: int, note: str = "") -> None:
        b = R[base]
        shown = f"'{chr(imm)}'" if 32 < imm < 127 else str(imm)
        self.op(_rex(0, 0, b) + b"\x80" + _mem(7, b, 0) + bytes([imm]), f"cmp byte {_ea(base, 0)}, {shown}", note)

    def store_byte(self, base: str, index: str, imm: int, note: str = "") -> None:
        """``mov byte [base + index], imm8`` (base and index below r8)."""
        sib = (R[index] << 3) | R[base]
        self.op(bytes([0xC6, 0x04, sib, imm]), f"mov byte [{base} + {index}], {imm}", note)

    def store_dl(self, base: str, note: str = "") -> None:
        self.op(bytes([0x88, 0x10 | R[base]]), f"mov byte [{base}], dl", note)

    def add_dl(self, imm: int, note: str = "") -> None:
        self.op(bytes([0x80, 0xC2, imm]), f"add dl, '{chr(imm)}'", note)

    def jump(self, cond: str, label: str, note: str = "") -> None:
        """``jmp``/``call``/``j<cond>`` to a label, 32-bit relative."""
        if cond in ("jmp", "call"):
            head, size, text = bytes([0xE9 if cond == "jmp" else 0xE8]), 5, f"{cond} {label}"
        else:
            head, size, text = bytes([0x0F, COND[cond]]), 6, f"j{cond} {label}"

        def enc(at: int, labels: dict[str, int]) -> bytes:
            return head + struct.pack("<i", labels[label] - (at + size))

        self.emit(size, enc, text, note)

    def syscall(self, name: str) -> None:
        self.op(b"\x0f\x05", "syscall", f"{name}(): the kernel runs system call {NR[name]}, result in rax")

    def sys(self, name: str, note: str = "") -> None:
        self.mov("rax", NR[name], note or f"rax = {NR[name]}, the number of {name}")
        self.syscall(name)

    def ret(self) -> None:
        self.op(b"\xc3", "ret", "return to the caller")

    def pad(self, n: int) -> bytes:
        return b"\xcc" * n  # int3 between code and strings


def _write_file(a: X86) -> None:
    a.label("write_file")
    a.mov("rdi", -100, "dirfd = AT_FDCWD: a path relative to the working directory")
    a.mov("rsi", "r13", "the path: argv[1]")
    a.mov("rdx", 0x241, "flags O_WRONLY | O_CREAT | O_TRUNC")
    a.mov("r10", 0o644, "mode 0644 (rw-r--r--)")
    a.sys("openat")
    a.mov("r14", "rax", "keep the file descriptor (or the negative error)")
    for s in ("s_write", None, "s_colon"):
        _ = a.lea_rip("rsi", s) if s else a.mov("rsi", "r13")
        a.jump("call", "puts")
    a.mov("rax", "r14")
    a.alu("test", "rax", "rax", "negative means the kernel refused")
    a.jump("s", "write_failed")
    a.mov("rdi", "r14", "fd")
    a.lea_rip("rsi", "s_content")
    a.mov("rdx", len(STRINGS["s_content"].encode()), "its length")
    a.sys("write", "write the line into the file")
    a.mov("rdi", "r14")
    a.sys("close")
    a.lea_rip("rsi", "s_ok")
    a.jump("call", "puts")
    a.jump("jmp", "hello")
    a.label("write_failed")
    a.jump("call", "print_num", "prints 'error N' (N = errno)")


def _hello(a: X86) -> None:
    a.label("hello")
    a.lea_rip("rsi", "s_banner")
    a.jump("call", "puts")
    a.lea_rip("rsi", "s_pid")
    a.jump("call", "puts")
    a.sys("getpid", "rax = 39: getpid, this process's ID in its PID namespace")
    a.jump("call", "print_num")
    a.lea_rip("rsi", "s_host")
    a.jump("call", "puts")
    a.mov("rdi", "r12", "struct utsname goes into the scratch area")
    a.sys("uname", "rax = 63: uname; the nodename field (offset 65) is the hostname")
    a.alu("test", "rax", "rax")
    a.jump("s", "host_failed")
    a.lea("rsi", "r12", 65, "nodename: the UTS namespace's hostname")
    a.jump("call", "puts")
    a.lea_rip("rsi", "s_nl")
    a.jump("call", "puts")
    a.jump("jmp", "list")
    a.label("host_failed")
    a.jump("call", "print_num")
    a.label("list")
    a.lea_rip("rsi", "s_root")
    a.jump("call", "puts")
    a.mov("rdi", -100, "AT_FDCWD")
    a.lea_rip("rsi", "s_slash", 'the path "/": the root this process sees')
    a.mov("rdx", 0x10000, "O_RDONLY | O_DIRECTORY")
    a.sys("openat")
    a.alu("test", "rax", "rax")
    a.jump("s", "list_failed")
    a.mov("r14", "rax", "the directory's file descriptor")
    a.label("read_dir")
    a.mov("rdi", "r14")
    a.lea("rsi", "r12", 0x400, "a 4 KiB buffer for directory entries")
    a.mov("rdx", 0x1000)
    a.sys("getdents64", "rax = 217: getdents64 fills the buffer with struct linux_dirent64 records")
    a.alu("test", "rax", "rax")
    a.jump("s", "list_failed")
    a.jump("e", "list_done", "0 bytes: no more entries")
    a.mov("r15", "rax", "bytes filled")
    a.alu("xor", "rbp", "rbp", "offset of the current record")
    a.label("entry")
    a.lea("rsi", "r12", 0x400)
    a.alu("add", "rsi", "rbp", "rsi = this record")
    a.movzx("rcx", "rsi", 16, word=True, note="d_reclen: the record's length")
    a.alu("add", "rbp", "rcx", "offset of the next record")
    a.alu("add", "rsi", 19, "d_name: the entry's NUL-terminated name")
    a.cmp_byte("rsi", ord("."), "skip names starting with '.', like ls")
    a.jump("e", "next_entry")
    a.jump("call", "puts")
    a.lea_rip("rsi", "s_space")
    a.jump("call", "puts")
    a.label("next_entry")
    a.alu("cmp", "rbp", "r15")
    a.jump("b", "entry", "more records in the buffer")
    a.jump("jmp", "read_dir")
    a.label("list_done")
    a.mov("rdi", "r14")
    a.sys("close")
    a.lea_rip("rsi", "s_nl")
    a.jump("call", "puts")
    a.jump("jmp", "exit0")
    a.label("list_failed")
    a.jump("call", "print_num")


def _exit(a: X86) -> None:
    a.label("exit0")
    a.mov("rdi", 0, "exit status 0")
    a.label("exit")
    a.sys("exit_group", "rax = 231: exit_group ends every thread of the process")
    a.sys("exit", "only reached if exit_group was refused (a seccomp rule): try exit")
    a.op(b"\x0f\x0b", "ud2", "still alive: an invalid instruction ends the process with SIGILL")


def _eat(a: X86) -> None:
    a.label("eat")
    a.lea_rip("rsi", "s_eat")
    a.jump("call", "puts")
    a.mov("r14", 0, "MiB allocated so far")
    a.label("eat_more")
    a.mov("rdi", 0, "addr: let the kernel choose")
    a.mov("rsi", 0x100000, "length 1 MiB")
    a.mov("rdx", 3, "PROT_READ | PROT_WRITE")
    a.mov("r10", 0x22, "MAP_PRIVATE | MAP_ANONYMOUS")
    a.mov("r8", -1, "fd -1 (no file)")
    a.mov("r9", 0, "offset 0")
    a.sys("mmap")
    a.alu("test", "rax", "rax")
    a.jump("s", "eat_failed")
    a.mov("rcx", 0)
    a.label("touch")
    a.store_byte("rax", "rcx", 1, "touch one byte per 4 KiB page: now the page is really charged")
    a.alu("add", "rcx", 0x1000)
    a.alu("cmp", "rcx", 0x100000)
    a.jump("b", "touch")
    a.unary("inc", "r14")
    a.lea_rip("rsi", "s_mib")
    a.jump("call", "puts")
    a.mov("rax", "r14")
    a.jump("call", "print_num", "'MiB N': the last line printed before a kill says how far it got")
    a.alu("cmp", "r14", MODES["eat_limit_mib"])
    a.jump("b", "eat_more")
    a.jump("jmp", "exit0")
    a.label("eat_failed")
    a.mov("r15", "rax")
    a.lea_rip("rsi", "s_mmap")
    a.jump("call", "puts")
    a.mov("rax", "r15")
    a.jump("call", "print_num")
    a.mov("rdi", 1)
    a.jump("jmp", "exit")


def _spin(a: X86) -> None:
    a.label("spin")
    a.lea_rip("rsi", "s_spin")
    a.jump("call", "puts")
    a.jump("call", "now")
    a.mov("r14", "rax", "start time (ns)")
    a.mov("r15", 0, "rounds done")
    a.label("round")
    a.mov("rcx", MODES["spin_round"], "one round: a busy loop")
    a.label("burn")
    a.unary("dec", "rcx")
    a.jump("ne", "burn")
    a.unary("inc", "r15")
    a.jump("call", "now")
    a.alu("sub", "rax", "r14")
    a.alu("cmp", "rax", MODES["spin_ms"] * 1_000_000, "until this much wall-clock time has passed")
    a.jump("b", "round")
    a.lea_rip("rsi", "s_rounds")
    a.jump("call", "puts")
    a.mov("rax", "r15")
    a.jump("call", "print_num", "fewer rounds when a CPU quota throttles it")
    a.jump("jmp", "exit0")
    a.label("now")
    a.mov("rdi", 1, "CLOCK_MONOTONIC")
    a.lea("rsi", "r12", 0x500, "struct timespec in the scratch area")
    a.sys("clock_gettime")
    a.alu("test", "rax", "rax")
    a.jump("s", "clock_failed")
    a.load("rax", "r12", 0x500, "tv_sec")
    a.imul("rax", 1_000_000_000)
    a.add_mem("rax", "r12", 0x508, "+ tv_nsec = nanoseconds")
    a.ret()
    a.label("clock_failed")
    a.mov("r15", "rax")
    a.lea_rip("rsi", "s_clock")
    a.jump("call", "puts")
    a.mov("rax", "r15")
    a.jump("call", "print_num")
    a.mov("rdi", 1)
    a.jump("jmp", "exit")


def _functions(a: X86) -> None:
    a.label("puts")
    a.mov("rdx", "rsi", "puts(rsi): write a NUL-terminated string to standard output")
    a.label("strlen")
    a.cmp_byte("rdx", 0)
    a.jump("e", "strlen_done")
    a.unary("inc", "rdx")
    a.jump("jmp", "strlen")
    a.label("strlen_done")
    a.alu("sub", "rdx", "rsi", "the length")
    a.mov("rdi", 1, "fd 1: standard output")
    a.sys("write")
    a.ret()
    a.label("print_num")
    a.alu("test", "rax", "rax", "print_num(rax): decimal; a negative system-call result is -errno")
    a.jump("ns", "positive")
    a.unary("neg", "rax")
    a.mov("r15", "rax")
    a.lea_rip("rsi", "s_error")
    a.jump("call", "puts")
    a.mov("rax", "r15")
    a.label("positive")
    a.lea("rsi", "r12", 0x3FF, "digits are written backwards from here")
    a.mov("rdx", 10)
    a.store_dl("rsi", "a newline at the end")
    a.mov("rcx", 10)
    a.label("digit")
    a.alu("xor", "rdx", "rdx")
    a.unary("div", "rcx", "rax = rax / 10, rdx = the remainder: the next digit")
    a.add_dl(ord("0"))
    a.unary("dec", "rsi")
    a.store_dl("rsi")
    a.alu("test", "rax", "rax")
    a.jump("ne", "digit")
    a.lea("rdx", "r12", 0x400)
    a.alu("sub", "rdx", "rsi", "the number's length")
    a.mov("rdi", 1)
    a.sys("write")
    a.ret()


def program() -> X86:
    """The entrypoint's program for x86-64 (see :mod:`widgets.models.hello` for what it does)."""
    a = X86()
    a.label("_start")
    a.mov("rbx", "rsp", "the kernel left argc, argv[0], argv[1], ... on the stack")
    a.alu("sub", "rsp", 0x2000, "8 KiB of scratch space below them")
    a.mov("r12", "rsp", "r12 = the scratch area")
    a.load("rax", "rbx", 0, "argc")
    a.alu("cmp", "rax", 2)
    a.jump("l", "hello", "no argument: just report")
    a.load("r13", "rbx", 16, "argv[1]")
    a.movzx("rax", "r13", 0, note="its first character picks the mode")
    for char, target in (("e", "eat"), ("s", "spin")):
        a.alu("cmp", "rax", ord(char), f"'{char}': {target}")
        a.jump("e", target)
    a.alu("cmp", "rax", ord("/"), "'/': write a file at that path, then report")
    a.jump("ne", "hello")
    _write_file(a)
    _hello(a)
    _exit(a)
    _eat(a)
    _spin(a)
    _functions(a)
    for name, text in STRINGS.items():
        a.string(name, text.replace("{arch}", "x86-64"))
    return a
