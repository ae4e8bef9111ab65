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
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from ..core.validate import integer
from ..models.guest import (
    EXIT_REASONS,
    GUEST_MEMORY_SIZE,
    LOAD_ADDRESS,
    LOG_LIMIT,
    SERIAL_PORT,
    GuestRun,
    build_guest,
    disassemble,
)

#: The lesson-facing API of this topic: its own names and, re-exported, the names a lesson uses with them
#: (one import per topic in a lesson).
__all__ = [
    "KVM_API_VERSION",
    "KVM_CREATE_VCPU",
    "KVM_CREATE_VM",
    "KVM_DEVICE",
    "KVM_EXIT_IO_OUT",
    "KVM_GET_API_VERSION",
    "KVM_GET_SREGS",
    "KVM_GET_VCPU_MMAP_SIZE",
    "KVM_RUN",
    "KVM_SET_REGS",
    "KVM_SET_SREGS",
    "KVM_SET_USER_MEMORY_REGION",
    "KvmStatus",
    "KvmUnavailable",
    "build_guest",
    "disassemble",
    "kvm_status",
    "run_guest",
]

KVM_DEVICE = "/dev/kvm"
KVM_API_VERSION = 12  # the only stable KVM API version since Linux 2.6.22
_PLATFORM = sys.platform  # a module attribute so tests can pretend to be macOS


# ctypes mirrors of the kernel's structures (field order and sizes must match exactly).
_U8, _U16, _U32, _U64 = ctypes.c_uint8, ctypes.c_uint16, ctypes.c_uint32, ctypes.c_uint64


class _Segment(ctypes.Structure):  # struct kvm_segment: one segment register, 24 bytes
    _fields_ = [("base", _U64), ("limit", _U32), ("selector", _U16)] + [
        (f, _U8) for f in ("type", "present", "dpl", "db", "s", "l", "g", "avl", "unusable", "padding")
    ]


class _Dtable(ctypes.Structure):  # struct kvm_dtable: GDTR/IDTR, 16 bytes
    _fields_ = [("base", _U64), ("limit", _U16), ("padding", _U16 * 3)]


class _Sregs(ctypes.Structure):  # struct kvm_sregs: segment and control registers, 312 bytes
    _fields_ = (
        [(s, _Segment) for s in ("cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt")]
        + [("gdt", _Dtable), ("idt", _Dtable)]
        + [(r, _U64) for r in ("cr0", "cr2", "cr3", "cr4", "cr8", "efer", "apic_base")]
        + [("interrupt_bitmap", _U64 * 4)]
    )  # (KVM_NR_INTERRUPTS + 63) / 64


class _Regs(ctypes.Structure):  # struct kvm_regs: general registers, RIP, RFLAGS; 144 bytes
    _fields_ = [
        (r, _U64)
        for r in (
            "rax",
            "rbx",
            "rcx",
            "rdx",
            "rsi",
            "rdi",
            "rsp",
            "rbp",
            "r8",
            "r9",
            "r10",
            "r11",
            "r12",
            "r13",
            "r14",
            "r15",
            "rip",
            "rflags",
        )
    ]


class _MemoryRegion(ctypes.Structure):  # struct kvm_userspace_memory_region, 32 bytes
    _fields_ = [
        ("slot", _U32),
        ("flags", _U32),
        ("guest_phys_addr", _U64),
        ("memory_size", _U64),
        ("userspace_addr", _U64),
    ]


class _RunIo(ctypes.Structure):  # kvm_run's exit union, as its ``io`` member (KVM_EXIT_IO)
    _fields_ = [
        ("direction", _U8),
        ("size", _U8),
        ("port", _U16),
        ("count", _U32),
        ("data_offset", _U64),
    ]  # where the data is, in bytes from the start of kvm_run


class _RunHeader(ctypes.Structure):  # struct kvm_run up to its exit union (byte 32) as ``io``
    _fields_ = [
        ("request_interrupt_window", _U8),
        ("immediate_exit", _U8),
        ("padding1", _U8 * 6),
        ("exit_reason", _U32),
        ("ready_for_interrupt_injection", _U8),
        ("if_flag", _U8),
        ("flags", _U16),
        ("cr8", _U64),
        ("apic_base", _U64),
        ("io", _RunIo),
    ]


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
            return KvmStatus(
                False,
                f"KVM is a Linux kernel feature and this is {_PLATFORM}; on "
                "macOS/Windows the lesson uses the simulator",
                "Run the course in a Linux machine or VM to try real KVM.",
            )
        if not os.path.exists(device):
            return KvmStatus(
                False,
                f"{device} does not exist: virtualisation extensions are off or the kvm module is not loaded",
                "Turn on Intel VT-x / AMD-V in "
                "the firmware setup (inside a VM: enable nested virtualisation on "
                "the host), then: sudo modprobe kvm_intel (or kvm_amd)",
            )
        try:
            fd = os.open(device, os.O_RDWR | os.O_CLOEXEC)
        except PermissionError:
            return KvmStatus(
                False,
                f"permission denied opening {device}",
                "Add your user to the kvm group: sudo usermod -aG kvm $USER, then log in again",
            )
        from fcntl import ioctl  # imported here: fcntl does not exist on Windows

        try:
            version = ioctl(fd, KVM_GET_API_VERSION, 0)
        except OSError as exc:
            return KvmStatus(False, f"{device} is not a KVM device ({exc.strerror})", "")
        finally:
            os.close(fd)
        if version != KVM_API_VERSION:
            return KvmStatus(
                False,
                f"KVM API version is {version}, this code needs {KVM_API_VERSION}",
                "Use a Linux kernel newer than 2.6.22",
            )
        return KvmStatus(True, f"{device} is usable (KVM API version {version})", "")
    except Exception as exc:  # kvm_status must never raise, whatever the system
        return KvmStatus(False, f"could not check {device!r}: {exc}", "")


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


# The hypervisor is shown to learners as written (lesson 01 prints its source): keep its layout.
# fmt: off
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
# fmt: on


def run_guest(
    code: bytes | None = None, *, timeout_s: float = 2.0, max_exits: int = 10_000, device: str = KVM_DEVICE
) -> GuestRun:
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
        raise ValueError(
            "code must be 1 to 61440 bytes of machine code (what fits in guest "
            f"memory above {LOAD_ADDRESS:#x}), e.g. build_guest('Hi')"
        )
    if (
        isinstance(timeout_s, bool)
        or not isinstance(timeout_s, int | float)
        or not math.isfinite(timeout_s)
        or not 0 < timeout_s <= 60
    ):
        raise ValueError(f"timeout_s must be a positive number of seconds (at most 60), got {timeout_s!r}")
    integer("max_exits", max_exits, minimum=1, maximum=10_000_000, exact=True)
    status = kvm_status(device)
    if not status.usable:
        raise KvmUnavailable(status)
    if threading.current_thread() is not threading.main_thread():
        raise KvmUnavailable(
            KvmStatus(False, "run_guest must be called from the main thread (its timeout uses a signal)", "")
        )
    return _hypervisor(bytes(code), float(timeout_s), max_exits, device)
