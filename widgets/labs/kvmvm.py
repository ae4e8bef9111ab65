"""A small VM on /dev/kvm for the I/O and dirty-page labs: memory slots, one vCPU, its exits, its counters.

:class:`Machine` is lesson 01's hypervisor set-up (:func:`widgets.labs.kvm._hypervisor`, steps 1 to 5) made
reusable: several memory slots (one of them with ``KVM_MEM_LOG_DIRTY_PAGES``), bounds-checked access to
guest memory from the host side, one exit at a time from :meth:`Machine.run`, the dirty-page bitmap, an
ioeventfd for a doorbell port and KVM's own per-vCPU counters (``KVM_GET_STATS_FD``, Linux 5.14+). It is a
context manager: every descriptor and mapping is closed when it ends, whatever happened inside.
:func:`kvm_backend` says which kernel module provides /dev/kvm here, because that decides what a measured
time means.
"""

from __future__ import annotations

import contextlib
import ctypes
import mmap
import os
import struct
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..models.guest import EXIT_REASONS, LOAD_ADDRESS
from . import kvmabi as abi
from .kvm import KVM_API_VERSION, KVM_DEVICE, KvmStatus, KvmUnavailable, kvm_status

PAGE = 4096
#: KVM's per-vCPU counters the labs report (names as in the kernel's kvm_vcpu_stat).
COUNTERS = ("exits", "io_exits", "mmio_exits", "halt_exits", "insn_emulation", "pf_taken", "pf_fixed", "tlb_flush")

_BACKENDS = {
    "kvm_intel": "Intel VT-x (kvm_intel): the guest's instructions run on the CPU in VMX non-root mode",
    "kvm_amd": "AMD-V (kvm_amd): the guest's instructions run on the CPU in SVM guest mode",
    "kvm_pvm": (
        "PVM (kvm_pvm): software virtualisation for a machine that is itself a VM without nested VT-x or "
        "AMD-V; KVM emulates this real-mode guest instruction by instruction in the kernel (its counter "
        "insn_emulation shows it), so a time measured here is not that of hardware virtualisation, while "
        "the exit counts are the same"
    ),
}


def kvm_backend(sys_module: str | os.PathLike[str] = "/sys/module") -> tuple[str, str]:
    """Which kernel module provides /dev/kvm here, and what it means for the labs: ``(name, sentence)``."""
    for name, meaning in _BACKENDS.items():
        if (Path(sys_module) / name).exists():
            return name, meaning
    return "unknown", "the kernel module behind /dev/kvm was not recognised (none of kvm_intel, kvm_amd, kvm_pvm)"


@dataclass(frozen=True)
class Slot:
    """One guest memory slot: its number, guest-physical start, size in bytes, and whether KVM logs writes."""

    slot: int
    guest_phys: int
    size: int
    log_dirty: bool = False


@dataclass(frozen=True)
class Exit:
    """One exit to user space: the reason and, for IO and MMIO, what the guest did."""

    reason: str
    code: int
    port: int = -1  # IO: the port; -1 otherwise
    write: bool = False  # IO "out" or MMIO write
    address: int = -1  # MMIO: the guest-physical address; -1 otherwise
    data: bytes = b""


def require_main_thread(what: str) -> None:
    """Raise :class:`KvmUnavailable` unless called from the main thread (the labs' timeouts use SIGALRM)."""
    if threading.current_thread() is not threading.main_thread():
        raise KvmUnavailable(
            KvmStatus(False, f"{what} must be called from the main thread (its timeout uses a signal)", "")
        )


class Machine:
    """A VM with one vCPU in 16-bit real mode at CS:IP = 0:LOAD_ADDRESS and the given memory slots."""

    def __init__(self, slots: tuple[Slot, ...], *, device: str = KVM_DEVICE) -> None:
        status = kvm_status(device)
        if not status.usable:
            raise KvmUnavailable(status)
        self.slots, self.device = slots, device
        self._stack = contextlib.ExitStack()
        self._memory: dict[int, mmap.mmap] = {}

    def __enter__(self) -> Machine:
        from fcntl import ioctl  # Linux only, like /dev/kvm

        self._ioctl = ioctl
        try:
            kvm = self._fd(os.open(self.device, os.O_RDWR | os.O_CLOEXEC))
            if ioctl(kvm, abi.KVM_GET_API_VERSION, 0) != KVM_API_VERSION:
                raise KvmUnavailable(kvm_status(self.device))
            self.vm = self._fd(ioctl(kvm, abi.KVM_CREATE_VM, 0))
            for s in self.slots:
                memory = self._stack.enter_context(mmap.mmap(-1, s.size))
                view = ctypes.c_char.from_buffer(memory)
                host_address = ctypes.addressof(view)
                del view  # a live view would stop the mmap from being closed
                region = abi.MemoryRegion(
                    slot=s.slot,
                    flags=abi.KVM_MEM_LOG_DIRTY_PAGES if s.log_dirty else 0,
                    guest_phys_addr=s.guest_phys,
                    memory_size=s.size,
                    userspace_addr=host_address,
                )
                ioctl(self.vm, abi.KVM_SET_USER_MEMORY_REGION, region)
                self._memory[s.slot] = memory
            self.vcpu = self._fd(ioctl(self.vm, abi.KVM_CREATE_VCPU, 0))
            self.run_area = self._stack.enter_context(mmap.mmap(self.vcpu, ioctl(kvm, abi.KVM_GET_VCPU_MMAP_SIZE, 0)))
            sregs = abi.Sregs()
            ioctl(self.vcpu, abi.KVM_GET_SREGS, sregs, True)
            sregs.cs.base, sregs.cs.selector = 0, 0
            ioctl(self.vcpu, abi.KVM_SET_SREGS, sregs)
            ioctl(self.vcpu, abi.KVM_SET_REGS, abi.Regs(rip=LOAD_ADDRESS, rflags=0x2))
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def _fd(self, fd: int) -> int:
        self._stack.callback(os.close, fd)
        return fd

    # -- guest memory, from the host side: never outside a slot ------------------------------------------
    def locate(self, address: int, length: int) -> tuple[mmap.mmap, int] | None:
        """The slot memory and offset holding ``length`` bytes at guest-physical ``address``, or None."""
        if length < 0 or address < 0:
            return None
        for s in self.slots:
            if s.guest_phys <= address and address + length <= s.guest_phys + s.size:
                return self._memory[s.slot], address - s.guest_phys
        return None

    def contains(self, address: int, length: int) -> bool:
        """Whether ``length`` bytes at ``address`` lie wholly inside one memory slot."""
        return self.locate(address, length) is not None

    def read(self, address: int, length: int) -> bytes:
        """Copy guest memory; ValueError (naming the range) if any byte lies outside guest memory."""
        found = self.locate(address, length)
        if found is None:
            raise ValueError(f"{length} bytes at {address:#x} lie outside guest memory: refused, nothing read")
        memory, offset = found
        return bytes(memory[offset : offset + length])

    def write(self, address: int, data: bytes) -> None:
        """Copy ``data`` into guest memory; ValueError if it does not fit inside one slot."""
        found = self.locate(address, len(data))
        if found is None:
            raise ValueError(f"{len(data)} bytes at {address:#x} do not fit in guest memory")
        memory, offset = found
        memory[offset : offset + len(data)] = data

    def unpack(self, fmt: str, address: int) -> tuple[Any, ...]:
        """``struct.unpack`` of guest memory at ``address`` (bounds-checked)."""
        return struct.unpack(fmt, self.read(address, struct.calcsize(fmt)))

    def pack(self, fmt: str, address: int, *values: Any) -> None:
        """``struct.pack`` into guest memory at ``address`` (bounds-checked)."""
        self.write(address, struct.pack(fmt, *values))

    # -- the vCPU ---------------------------------------------------------------------------------------
    def run(self) -> Exit:
        """One ``KVM_RUN``: enter the guest until the kernel hands an exit to user space. EINTR propagates."""
        self._ioctl(self.vcpu, abi.KVM_RUN, 0)
        head = abi.RunHeader.from_buffer_copy(self.run_area)
        name = EXIT_REASONS.get(head.exit_reason, f"UNKNOWN_{head.exit_reason}")
        if name == "IO":
            io = head.io
            data = bytes(self.run_area[io.data_offset : io.data_offset + io.size * io.count])
            return Exit(name, head.exit_reason, port=io.port, write=io.direction == abi.KVM_EXIT_IO_OUT, data=data)
        if name == "MMIO":
            m = head.mmio
            return Exit(
                name, head.exit_reason, write=bool(m.is_write), address=m.phys_addr, data=bytes(m.data)[: m.len]
            )
        return Exit(name, head.exit_reason)

    def dirty_pages(self, slot: int) -> tuple[int, ...]:
        """The pages of ``slot`` the guest wrote since the last call (KVM_GET_DIRTY_LOG reads and clears)."""
        size = next(s.size for s in self.slots if s.slot == slot)
        pages = size // PAGE
        bitmap = ctypes.create_string_buffer(((pages + 63) // 64) * 8)  # a whole number of 64-bit words
        self._ioctl(self.vm, abi.KVM_GET_DIRTY_LOG, abi.DirtyLog(slot=slot, dirty_bitmap=ctypes.addressof(bitmap)))
        bits = int.from_bytes(bitmap.raw, "little")
        return tuple(p for p in range(pages) if bits >> p & 1)

    def ioeventfd(self, port: int) -> int:
        """An eventfd that KVM signals, in the kernel and without an exit to user space, on a write to ``port``."""
        fd = self._fd(os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK))
        self._ioctl(
            self.vm, abi.KVM_IOEVENTFD, abi.IoEventFd(addr=port, len=1, fd=fd, flags=abi.KVM_IOEVENTFD_FLAG_PIO)
        )
        return fd

    def counters(self) -> dict[str, int] | None:
        """KVM's own counters for this vCPU (those in :data:`COUNTERS`), or None where the kernel has none."""
        try:
            fd = self._ioctl(self.vcpu, abi.KVM_GET_STATS_FD, 0)
        except OSError:
            return None
        try:
            _flags, name_size, n, _id, desc_at, data_at = struct.unpack("<6I", os.pread(fd, 24, 0))
            size = 16 + name_size
            table = os.pread(fd, size * n, desc_at)
            found = {}
            for i in range(n):
                _f, _exp, count, offset, _bucket = struct.unpack_from("<IhHII", table, i * size)
                name = table[i * size + 16 : (i + 1) * size].split(b"\0")[0].decode("ascii", "replace")
                if name in COUNTERS and count == 1:
                    found[name] = struct.unpack("<Q", os.pread(fd, 8, data_at + offset))[0]
            return found
        except (OSError, struct.error):
            return None
        finally:
            os.close(fd)
