"""A real hypervisor in a page of Python, on Linux's /dev/kvm.

KVM does the hard part (entering guest mode with Intel VT-x / AMD-V); a hypervisor
asks it, with ``ioctl`` calls, for a VM, guest memory and a virtual CPU, runs the
CPU in a loop and handles each *VM exit*. :func:`build_guest` hand-assembles a
16-bit real-mode guest that prints with ``out`` to port 0x3f8 and stops with
``hlt``; :func:`run_guest` runs it with only ``os``, ``fcntl``, ``mmap``, ``ctypes``
and ``struct``. Times are measured (``time.perf_counter``). Numbers and structures
mirror ``include/uapi/linux/kvm.h`` and ``arch/x86/include/uapi/asm/kvm.h``.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import mmap
import os
import signal
import struct
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

KVM_DEVICE = "/dev/kvm"
KVM_API_VERSION = 12  # the only stable KVM API version since Linux 2.6.22
SERIAL_PORT = 0x3F8  # COM1, the port our guest prints to
LOAD_ADDRESS = 0x1000  # guest-physical address of the first guest instruction
GUEST_MEMORY_SIZE = 0x10000  # 64 KiB of guest RAM, mapped at guest-physical 0
MAX_MESSAGE = 200
LOG_LIMIT = 50  # GuestRun.log keeps the first LOG_LIMIT exits
_PLATFORM = sys.platform  # a module attribute so tests can pretend to be macOS


# Guest code printing AL (0..255) in decimal without leading zeros (used by build_guest's add).
_PRINT_AL_DECIMAL = bytes.fromhex(
    "B400 B364 F6F3 88E7"  # mov ah,0; mov bl,100; div bl; mov bh,ah: AL = hundreds, BH = rest
    "88C1 84C0 7403 0430 EE"  # mov cl,al; test al,al; jz +3; add al,'0'; out dx,al (if any)
    "88F8 D40A 88C5 88E0"  # mov al,bh; aam; mov ch,al; mov al,ah: AL = tens, CH = ones
    "08C1 7403 0430 EE"  # or cl,al; jz +3; add al,'0'; out dx,al (no leading-zero tens)
    "88E8 0430 EE")  # mov al,ch; add al,'0'; out dx,al: the ones digit, always


# ctypes mirrors of the kernel's structures (field order and sizes must match exactly).
_U8, _U16, _U32, _U64 = ctypes.c_uint8, ctypes.c_uint16, ctypes.c_uint32, ctypes.c_uint64


class _Segment(ctypes.Structure):  # struct kvm_segment: one segment register, 24 bytes
    _fields_ = [("base", _U64), ("limit", _U32), ("selector", _U16)] + [(f, _U8) for f in (
        "type", "present", "dpl", "db", "s", "l", "g", "avl", "unusable", "padding")]


class _Dtable(ctypes.Structure):  # struct kvm_dtable: GDTR/IDTR, 16 bytes
    _fields_ = [("base", _U64), ("limit", _U16), ("padding", _U16 * 3)]


class _Sregs(ctypes.Structure):  # struct kvm_sregs: segment and control registers, 312 bytes
    _fields_ = [(s, _Segment) for s in ("cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt")] + [
        ("gdt", _Dtable), ("idt", _Dtable)] + [(r, _U64) for r in (
            "cr0", "cr2", "cr3", "cr4", "cr8", "efer", "apic_base")] + [
        ("interrupt_bitmap", _U64 * 4)]  # (KVM_NR_INTERRUPTS + 63) / 64


class _Regs(ctypes.Structure):  # struct kvm_regs: general registers, RIP, RFLAGS; 144 bytes
    _fields_ = [(r, _U64) for r in ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp", "r8",
                                    "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip",
                                    "rflags")]


class _MemoryRegion(ctypes.Structure):  # struct kvm_userspace_memory_region, 32 bytes
    _fields_ = [("slot", _U32), ("flags", _U32), ("guest_phys_addr", _U64),
                ("memory_size", _U64), ("userspace_addr", _U64)]


class _RunIo(ctypes.Structure):  # kvm_run's exit union, as its ``io`` member (KVM_EXIT_IO)
    _fields_ = [("direction", _U8), ("size", _U8), ("port", _U16), ("count", _U32),
                ("data_offset", _U64)]  # where the data is, in bytes from the start of kvm_run


class _RunHeader(ctypes.Structure):  # struct kvm_run up to its exit union (byte 32) as ``io``
    _fields_ = [("request_interrupt_window", _U8), ("immediate_exit", _U8), ("padding1", _U8 * 6),
                ("exit_reason", _U32), ("ready_for_interrupt_injection", _U8), ("if_flag", _U8),
                ("flags", _U16), ("cr8", _U64), ("apic_base", _U64), ("io", _RunIo)]


def _ioc(direction: int, nr: int, size: int) -> int:
    """Linux ``_IOC``: direction (0 none, 1 write, 2 read) | size | type 0xAE (KVMIO) | nr."""
    return (direction << 30) | (size << 16) | (0xAE << 8) | nr


KVM_GET_API_VERSION = _ioc(0, 0x00, 0)  # 0xAE00
KVM_CREATE_VM = _ioc(0, 0x01, 0)  # 0xAE01
KVM_GET_VCPU_MMAP_SIZE = _ioc(0, 0x04, 0)  # 0xAE04
KVM_CREATE_VCPU = _ioc(0, 0x41, 0)  # 0xAE41
KVM_SET_USER_MEMORY_REGION = _ioc(1, 0x46, ctypes.sizeof(_MemoryRegion))  # 0x4020AE46
KVM_RUN = _ioc(0, 0x80, 0)  # 0xAE80
KVM_SET_REGS = _ioc(1, 0x82, ctypes.sizeof(_Regs))  # 0x4090AE82
KVM_GET_SREGS = _ioc(2, 0x83, ctypes.sizeof(_Sregs))  # 0x8138AE83
KVM_SET_SREGS = _ioc(1, 0x84, ctypes.sizeof(_Sregs))  # 0x4138AE84

KVM_EXIT_IO_OUT = 1  # kvm_run.io.direction of an ``out`` instruction
EXIT_REASONS = {0: "UNKNOWN", 1: "EXCEPTION", 2: "IO", 4: "DEBUG", 5: "HLT", 6: "MMIO",
                8: "SHUTDOWN", 9: "FAIL_ENTRY", 10: "INTR", 17: "INTERNAL_ERROR"}


class KvmUnavailable(RuntimeError):
    """KVM cannot be used here; ``status`` (a :class:`KvmStatus`) says why and what to do."""

    def __init__(self, status: KvmStatus) -> None:
        super().__init__(status.reason)
        self.status = status


@dataclass(frozen=True)
class KvmStatus:
    """Whether this machine can run :func:`run_guest`.

    Attributes
    ----------
    usable, reason, how_to_enable : bool, str, str
        True if the device opened and reported API version 12; what was found;
        what the learner could do about it (advice only: never done by this code).
    """

    usable: bool
    reason: str
    how_to_enable: str


@dataclass(frozen=True)
class GuestRun:
    """The outcome of one guest run; every time is *measured*, not modelled.

    Attributes
    ----------
    output, exits, total_exits : str, dict[str, int], int
        Text written to the serial port; VM exits by reason (``{"IO": 24, "HLT": 1}``); sum.
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


def _whole(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
    return value


def kvm_status(device: str = KVM_DEVICE) -> KvmStatus:
    """Check whether KVM is usable here and explain why not; never raises.

    Parameters
    ----------
    device : str
        Path of the KVM device (injectable for tests).

    Returns
    -------
    KvmStatus
    """
    try:
        if not _PLATFORM.startswith("linux"):
            return KvmStatus(False, f"KVM is a Linux kernel feature and this is {_PLATFORM}; on "
                             "macOS/Windows the lesson uses the simulator",
                             "Run the course in a Linux machine or VM to try real KVM.")
        if not os.path.exists(device):
            return KvmStatus(False, f"{device} does not exist: virtualisation extensions are off "
                             "or the kvm module is not loaded", "Turn on Intel VT-x / AMD-V in "
                             "the firmware setup (inside a VM: enable nested virtualisation on "
                             "the host), then: sudo modprobe kvm_intel (or kvm_amd)")
        try:
            fd = os.open(device, os.O_RDWR | os.O_CLOEXEC)
        except PermissionError:
            return KvmStatus(False, f"permission denied opening {device}", "Add your user to "
                             "the kvm group: sudo usermod -aG kvm $USER, then log in again")
        from fcntl import ioctl  # imported here: fcntl does not exist on Windows
        try:
            version = ioctl(fd, KVM_GET_API_VERSION, 0)
        except OSError as exc:
            return KvmStatus(False, f"{device} is not a KVM device ({exc.strerror})", "")
        finally:
            os.close(fd)
        if version != KVM_API_VERSION:
            return KvmStatus(False, f"KVM API version is {version}, this code needs "
                             f"{KVM_API_VERSION}", "Use a Linux kernel newer than 2.6.22")
        return KvmStatus(True, f"{device} is usable (KVM API version {version})", "")
    except Exception as exc:  # kvm_status must never raise, whatever the system
        return KvmStatus(False, f"could not check {device!r}: {exc}", "")


def build_guest(message: str = "Hello from a KVM guest!\n", *,
                add: tuple[int, int] | None = None) -> bytes:
    """Assemble a 16-bit real-mode guest that prints ``message`` (and a sum).

    Hand-encoded x86 machine code (bytes, instruction, meaning)::

        BA F8 03   mov dx, 0x3f8   DX = the serial port
        B0 48      mov al, 'H'     AL = the character to print
        EE         out dx, al      write AL to port DX: one VM exit (IO)
        04 05      add al, 5       the guest's own arithmetic (``add`` only)
        F4         hlt             stop the CPU: one VM exit (HLT)

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
            raise ValueError("message may only contain printable ASCII characters and newlines; "
                             f"character {i + 1} is {ch!r} (U+{ord(ch):04X})")
    code = bytearray(b"\xba" + struct.pack("<H", SERIAL_PORT))  # mov dx, 0x3f8
    for ch in message:
        code += bytes((0xB0, ord(ch), 0xEE))  # mov al, ch ; out dx, al
    if add is not None:
        if not isinstance(add, tuple) or len(add) != 2:
            raise ValueError(f"add must be a pair of numbers like (2, 3), got {add!r}")
        a, b = _whole("add: a", add[0], 0, 255), _whole("add: b", add[1], 0, 255)
        if a + b > 255:
            raise ValueError(f"add: a + b must be at most 255 because the guest adds in the 8-bit "
                             f"AL register, got {a} + {b} = {a + b}")
        code += bytes((0xB0, a, 0x04, b)) + _PRINT_AL_DECIMAL
    return bytes(code + b"\xf4")  # hlt


_REG8 = ("al", "cl", "dl", "bl", "ah", "ch", "dh", "bh")
_SIMPLE = {0xEE: "out dx, al", 0xEC: "in al, dx", 0xF4: "hlt", 0x90: "nop"}
_MODRM = {0x88: "mov", 0x84: "test", 0x08: "or"}


def _decode(code: bytes, i: int, origin: int) -> tuple[int, str]:
    """Decode one instruction at ``code[i]``: (length, text); unknown bytes become ``db``."""
    op, rest = code[i], code[i + 1:]
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
        lines.append(f"{LOAD_ADDRESS + i:04x}:  {code[i:i + size].hex(' ').upper():<9}  {text}")
        i += size
    return lines


@contextlib.contextmanager
def _alarm(timeout_s: float) -> Iterator[list[bool]]:
    """Arm SIGALRM: yields ``[expired]``; the signal makes a blocked KVM_RUN return EINTR.

    It repeats every 50 ms so a signal landing between two KVM_RUN calls is not lost.
    """
    expired = [False]
    old_handler = signal.signal(signal.SIGALRM, lambda signum, frame: expired.__setitem__(0, True))
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, timeout_s, 0.05)
    start = time.perf_counter()
    try:
        yield expired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL if old_handler is None else old_handler)
        if old_delay > 0:  # someone else's timer was running: give back what is left of it
            left = max(old_delay - (time.perf_counter() - start), 0.001)
            signal.setitimer(signal.ITIMER_REAL, left, old_interval)


def _hypervisor(code: bytes, timeout_s: float, max_exits: int, device: str) -> GuestRun:
    """Build a VM with KVM, run ``code`` in it, handle its exits: the whole hypervisor."""
    t0 = time.perf_counter()
    output, log, exits = bytearray(), [], {}
    halted, reason, total = False, "", 0
    from fcntl import ioctl  # Linux: ioctl(fd, request, argument)
    with contextlib.ExitStack() as cleanup:  # closes every fd and mmap, even on error
        # 1. Open KVM and check its API version.
        kvm = os.open(device, os.O_RDWR | os.O_CLOEXEC)
        cleanup.callback(os.close, kvm)
        if ioctl(kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION:
            raise KvmUnavailable(kvm_status(device))
        # 2. Create an empty VM: no memory and no CPUs yet.
        vm = ioctl(kvm, KVM_CREATE_VM, 0)
        cleanup.callback(os.close, vm)
        # 3. Guest RAM is ordinary anonymous memory of this process; copy the code in.
        memory = cleanup.enter_context(mmap.mmap(-1, GUEST_MEMORY_SIZE))
        memory[LOAD_ADDRESS:LOAD_ADDRESS + len(code)] = code
        view = ctypes.c_char.from_buffer(memory)  # to learn the memory's host address;
        host_address = ctypes.addressof(view)
        del view  # a live view would stop the mmap from being closed
        ioctl(vm, KVM_SET_USER_MEMORY_REGION, _MemoryRegion(
            slot=0, guest_phys_addr=0, memory_size=GUEST_MEMORY_SIZE, userspace_addr=host_address))
        # 4. One virtual CPU; its kvm_run area is memory shared with the kernel.
        vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)
        cleanup.callback(os.close, vcpu)
        run = cleanup.enter_context(mmap.mmap(vcpu, ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0)))
        # 5. Real mode: code segment base 0, so CS:IP = 0:LOAD_ADDRESS is our code.
        sregs = _Sregs()
        ioctl(vcpu, KVM_GET_SREGS, sregs, True)
        sregs.cs.base, sregs.cs.selector = 0, 0
        ioctl(vcpu, KVM_SET_SREGS, sregs)
        ioctl(vcpu, KVM_SET_REGS, _Regs(rip=LOAD_ADDRESS, rflags=0x2))  # bit 1 is always 1
        t_setup = time.perf_counter()
        # 6. Run the vCPU until it halts; each return from KVM_RUN is one VM exit.
        expired = cleanup.enter_context(_alarm(timeout_s))
        while True:
            if expired[0]:
                reason = f"timed out after {timeout_s:g} s: the guest never halted (endless loop?)"
                break
            if total >= max_exits:
                reason = f"exit limit reached after {max_exits} exits: the guest never halted"
                break
            try:
                ioctl(vcpu, KVM_RUN, 0)
            except InterruptedError:  # the alarm signal interrupted KVM_RUN
                continue
            head = _RunHeader.from_buffer_copy(run)
            name = EXIT_REASONS.get(head.exit_reason, f"UNKNOWN_{head.exit_reason}")
            exits[name], total = exits.get(name, 0) + 1, total + 1
            note = ": the guest halted" if name == "HLT" else ""
            if name == "IO":  # the data sits inside kvm_run, at io.data_offset
                io, out = head.io, head.io.direction == KVM_EXIT_IO_OUT
                data = run[io.data_offset:io.data_offset + io.size * io.count]
                if out and io.port == SERIAL_PORT:
                    output += data  # the guest printed: collect the byte(s)
                note = f" {'out' if out else 'in'} port 0x{io.port:x} byte " + " ".join(
                    f"0x{b:02x} {chr(b)!r}" for b in data[:8])
            if len(log) < LOG_LIMIT:
                log.append(f"exit #{total}: {name}{note}")
            if name == "HLT":
                halted, reason = True, "halted"
                break
            elif name != "IO":
                reason = (f"stopped at unexpected exit KVM_EXIT_{name} ({head.exit_reason}): "
                          "this small hypervisor only handles IO and HLT")
                break
        t_run = time.perf_counter()
    return GuestRun(output=output.decode("latin-1"), exits=exits, total_exits=total,
                    halted=halted, stopped_reason=reason, log=tuple(log),
                    setup_ms=(t_setup - t0) * 1e3, run_ms=(t_run - t_setup) * 1e3,
                    total_ms=(time.perf_counter() - t0) * 1e3)


def run_guest(code: bytes | None = None, *, timeout_s: float = 2.0, max_exits: int = 10_000,
              device: str = KVM_DEVICE) -> GuestRun:
    """Run a real-mode guest on KVM and report its output and VM exits.

    The timeout is a ``signal.setitimer`` alarm: the signal interrupts KVM_RUN
    (EINTR), so an endless guest cannot hang the lesson. Python handles signals
    only in the main thread; the previous SIGALRM handler and timer are restored.

    Parameters
    ----------
    code : bytes | None
        Machine code loaded at :data:`LOAD_ADDRESS`; default ``build_guest()``.
    timeout_s : float
        Wall-clock limit in seconds, more than 0 and at most 60.
    max_exits : int
        Stop after this many VM exits (1 to 10_000_000).
    device : str
        Path of the KVM device.

    Returns
    -------
    GuestRun

    Raises
    ------
    ValueError
        For bad arguments.
    KvmUnavailable
        If KVM cannot be used (see :func:`kvm_status`) or not called in the main thread.
    """
    if code is None:
        code = build_guest()
    if not isinstance(code, bytes | bytearray) or not 1 <= len(code) <= 0xF000:
        raise ValueError("code must be 1 to 61440 bytes of machine code (what fits in guest "
                         f"memory above {LOAD_ADDRESS:#x}), e.g. build_guest('Hi')")
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, int | float) \
            or not math.isfinite(timeout_s) or not 0 < timeout_s <= 60:
        raise ValueError("timeout_s must be a positive number of seconds (at most 60), "
                         f"got {timeout_s!r}")
    _whole("max_exits", max_exits, 1, 10_000_000)
    status = kvm_status(device)
    if not status.usable:
        raise KvmUnavailable(status)
    if threading.current_thread() is not threading.main_thread():
        raise KvmUnavailable(KvmStatus(False, "run_guest must be called from the main thread "
                                       "(its timeout uses a signal)", ""))
    return _hypervisor(bytes(code), float(timeout_s), max_exits, device)
