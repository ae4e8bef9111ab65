"""A real hypervisor in a page of Python, on Linux's /dev/kvm.

KVM does the hard part (entering guest mode with Intel VT-x / AMD-V, or with PVM where the machine is
itself a VM without nested hardware virtualisation); a hypervisor asks it, with ``ioctl`` calls, for a VM,
guest memory and a virtual CPU, runs the CPU in a loop and handles each *exit to user space*: each return
from ``KVM_RUN``. Most hardware VM exits (a fault on guest memory that KVM maps in, an external interrupt,
instructions KVM emulates) are handled inside the kernel and never return to this loop; only those the
kernel hands to the VMM do (I/O to a port nobody in the kernel claimed, MMIO outside guest RAM, HLT).
:func:`build_guest` hand-assembles a 16-bit real-mode guest that prints with ``out`` to port 0x3f8 and
stops with ``hlt``; :func:`run_guest` runs it with only ``os``, ``fcntl``, ``mmap``, ``ctypes`` and
``struct``. Times are measured (``time.perf_counter``). The structures and ioctl numbers are in
:mod:`widgets.labs.kvmabi`.
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
from .kvmabi import (
    KVM_CREATE_VCPU,
    KVM_CREATE_VM,
    KVM_EXIT_IO_OUT,
    KVM_GET_API_VERSION,
    KVM_GET_SREGS,
    KVM_GET_VCPU_MMAP_SIZE,
    KVM_RUN,
    KVM_SET_REGS,
    KVM_SET_SREGS,
    KVM_SET_USER_MEMORY_REGION,
    MemoryRegion,
    Regs,
    RunHeader,
    Sregs,
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
def alarm(timeout_s: float) -> Iterator[list[bool]]:
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
        ioctl(vm, KVM_SET_USER_MEMORY_REGION, MemoryRegion(
            slot=0, guest_phys_addr=0, memory_size=GUEST_MEMORY_SIZE, userspace_addr=host_address))
        # 4. One virtual CPU; its kvm_run area is memory shared with the kernel.
        vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)
        cleanup.callback(os.close, vcpu)
        run = cleanup.enter_context(mmap.mmap(vcpu, ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0)))
        # 5. Real mode: code segment base 0, so CS:IP = 0:LOAD_ADDRESS is our code.
        sregs = Sregs()
        ioctl(vcpu, KVM_GET_SREGS, sregs, True)
        sregs.cs.base, sregs.cs.selector = 0, 0
        ioctl(vcpu, KVM_SET_SREGS, sregs)
        ioctl(vcpu, KVM_SET_REGS, Regs(rip=LOAD_ADDRESS, rflags=0x2))  # bit 1 is always 1
        t_setup = time.perf_counter()
        # 6. Run the vCPU until it halts; each return from KVM_RUN is one exit to user space
        #    (the kernel handles most hardware exits itself and never returns here for them).
        expired = cleanup.enter_context(alarm(timeout_s))
        while True:
            if expired[0]:
                reason = f"timed out after {timeout_s:g} s: the guest never halted (endless loop?)"
                break
            if total >= max_exits:
                reason = f"exit limit reached after {max_exits} exits to user space: the guest never halted"
                break
            try:
                ioctl(vcpu, KVM_RUN, 0)
            except InterruptedError:  # the alarm signal interrupted KVM_RUN
                continue
            head = RunHeader.from_buffer_copy(run)
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
    """Run a real-mode guest on KVM and report its output and its exits to user space.

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
        Stop after this many exits to user space (1 to 10_000_000).
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
