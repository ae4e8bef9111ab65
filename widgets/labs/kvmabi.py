"""The KVM application binary interface as ctypes mirrors: structures and ioctl numbers.

Field order and sizes follow ``include/uapi/linux/kvm.h`` and ``arch/x86/include/uapi/asm/kvm.h``; the
tests check every size and offset against the kernel headers. :mod:`widgets.labs.kvm` (lesson 01's
hypervisor) and :mod:`widgets.labs.kvmvm` (the machine behind the I/O and dirty-page labs) share them.
"""

from __future__ import annotations

import ctypes

U8, U16, U32, U64 = ctypes.c_uint8, ctypes.c_uint16, ctypes.c_uint32, ctypes.c_uint64


class Segment(ctypes.Structure):  # struct kvm_segment: one segment register, 24 bytes
    _fields_ = [("base", U64), ("limit", U32), ("selector", U16)] + [
        (f, U8) for f in ("type", "present", "dpl", "db", "s", "l", "g", "avl", "unusable", "padding")
    ]


class Dtable(ctypes.Structure):  # struct kvm_dtable: GDTR/IDTR, 16 bytes
    _fields_ = [("base", U64), ("limit", U16), ("padding", U16 * 3)]


class Sregs(ctypes.Structure):  # struct kvm_sregs: segment and control registers, 312 bytes
    _fields_ = (
        [(s, Segment) for s in ("cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt")]
        + [("gdt", Dtable), ("idt", Dtable)]
        + [(r, U64) for r in ("cr0", "cr2", "cr3", "cr4", "cr8", "efer", "apic_base")]
        + [("interrupt_bitmap", U64 * 4)]
    )  # (KVM_NR_INTERRUPTS + 63) / 64


#: struct kvm_regs, in order
REGISTERS = ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp")
REGISTERS += tuple(f"r{i}" for i in range(8, 16)) + ("rip", "rflags")


class Regs(ctypes.Structure):  # struct kvm_regs: general registers, RIP, RFLAGS; 144 bytes
    _fields_ = [(r, U64) for r in REGISTERS]


class MemoryRegion(ctypes.Structure):  # struct kvm_userspace_memory_region, 32 bytes
    _fields_ = [
        ("slot", U32),
        ("flags", U32),
        ("guest_phys_addr", U64),
        ("memory_size", U64),
        ("userspace_addr", U64),
    ]


class RunIo(ctypes.Structure):  # kvm_run's exit union as its ``io`` member (KVM_EXIT_IO)
    _fields_ = [
        ("direction", U8),
        ("size", U8),
        ("port", U16),
        ("count", U32),
        ("data_offset", U64),
    ]  # where the data is, in bytes from the start of kvm_run


class RunMmio(ctypes.Structure):  # kvm_run's exit union as its ``mmio`` member (KVM_EXIT_MMIO)
    _fields_ = [("phys_addr", U64), ("data", U8 * 8), ("len", U32), ("is_write", U8)]


class _RunUnion(ctypes.Union):  # the start of kvm_run's exit union (byte 32)
    _fields_ = [("io", RunIo), ("mmio", RunMmio)]


class RunHeader(ctypes.Structure):  # struct kvm_run up to and into its exit union
    _anonymous_ = ("exit",)
    _fields_ = [
        ("request_interrupt_window", U8),
        ("immediate_exit", U8),
        ("padding1", U8 * 6),
        ("exit_reason", U32),
        ("ready_for_interrupt_injection", U8),
        ("if_flag", U8),
        ("flags", U16),
        ("cr8", U64),
        ("apic_base", U64),
        ("exit", _RunUnion),
    ]


class DirtyLog(ctypes.Structure):  # struct kvm_dirty_log, 16 bytes: slot and a pointer to the bitmap
    _fields_ = [("slot", U32), ("padding1", U32), ("dirty_bitmap", ctypes.c_void_p)]


class IoEventFd(ctypes.Structure):  # struct kvm_ioeventfd, 64 bytes
    _fields_ = [
        ("datamatch", U64),
        ("addr", U64),
        ("len", U32),
        ("fd", ctypes.c_int32),
        ("flags", U32),
        ("pad", U8 * 36),
    ]


def ioc(direction: int, nr: int, size: int) -> int:
    """Linux ``_IOC``: direction (0 none, 1 write, 2 read) | size | type 0xAE (KVMIO) | nr."""
    return (direction << 30) | (size << 16) | (0xAE << 8) | nr


KVM_GET_API_VERSION = ioc(0, 0x00, 0)  # 0xAE00
KVM_CREATE_VM = ioc(0, 0x01, 0)  # 0xAE01
KVM_GET_VCPU_MMAP_SIZE = ioc(0, 0x04, 0)  # 0xAE04
KVM_CREATE_VCPU = ioc(0, 0x41, 0)  # 0xAE41
KVM_GET_DIRTY_LOG = ioc(1, 0x42, ctypes.sizeof(DirtyLog))  # 0x4010AE42
KVM_SET_USER_MEMORY_REGION = ioc(1, 0x46, ctypes.sizeof(MemoryRegion))  # 0x4020AE46
KVM_IOEVENTFD = ioc(1, 0x79, ctypes.sizeof(IoEventFd))  # 0x4040AE79
KVM_RUN = ioc(0, 0x80, 0)  # 0xAE80
KVM_SET_REGS = ioc(1, 0x82, ctypes.sizeof(Regs))  # 0x4090AE82
KVM_GET_SREGS = ioc(2, 0x83, ctypes.sizeof(Sregs))  # 0x8138AE83
KVM_SET_SREGS = ioc(1, 0x84, ctypes.sizeof(Sregs))  # 0x4138AE84
KVM_GET_STATS_FD = ioc(0, 0xCE, 0)  # 0xAECE (Linux 5.14+): the vCPU's own counters
KVM_EXIT_IO_OUT = 1  # kvm_run.io.direction of an ``out`` instruction
KVM_MEM_LOG_DIRTY_PAGES = 1  # kvm_userspace_memory_region.flags: track the pages the guest writes
KVM_IOEVENTFD_FLAG_PIO = 1 << 1  # the ioeventfd address is an I/O port, not MMIO
