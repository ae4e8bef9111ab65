"""Emulated vs paravirtual I/O, live on /dev/kvm: the same message through a UART and through a ring.

:func:`send` builds one of the guests of :mod:`widgets.models.guestio`, runs it on a :class:`Machine` and plays
both devices: the emulated UART takes one byte per exit to user space; the ring device (:class:`Ring`) reads
every published buffer on one doorbell, a port write (IO exit), an MMIO write (MMIO exit) or, vhost-style,
an ioeventfd that KVM signals inside the kernel (no exit at all). The ring device checks every descriptor
against guest memory before it reads a byte. :func:`io_lab` decides live or fallback (the model's counts).
"""

from __future__ import annotations

import math
import os
import statistics
import time
from dataclasses import dataclass

from ..core import validate
from ..core.data import DataError
from ..models.asm16 import Guest
from ..models.guest import GUEST_MEMORY_SIZE, LOAD_ADDRESS, SERIAL_PORT
from ..models.guestio import (
    AVAIL_IDX,
    AVAIL_RING,
    DESC_TABLE,
    DOORBELL_PORT,
    MAX_MESSAGE,
    MMIO_DOORBELL,
    PATHS,
    QUEUE_SIZE,
    USED_IDX,
    USED_RING,
    IoRun,
    expected_exits,
    ring_guest,
    sample_message,
    serial_guest,
    simulated_run,
)
from ..models.iopaths import Sweep
from .base import LabFailed, Recording, use_live
from .capabilities import kvm_capability
from .kvm import KVM_DEVICE, KvmUnavailable, alarm
from .kvmvm import Machine, Slot, kvm_backend, require_main_thread

SLOTS = (Slot(0, 0, GUEST_MEMORY_SIZE),)  # 64 KiB of RAM at guest-physical 0; MMIO_DOORBELL lies beyond it
RECORDING = Recording("kvm_io_sweep", "2026-12-03")
SWEEP_PATHS = ("serial", "ring-port")


class Ring:
    """The device side of the ring: what a virtio back end does each time the guest rings the doorbell."""

    def __init__(self, vm: Machine) -> None:
        self.vm, self.seen, self.received, self.doorbells = vm, 0, bytearray(), 0

    def doorbell(self) -> str | None:
        """Take every newly published buffer; return None, or the sentence saying why the device stopped."""
        vm = self.vm
        self.doorbells += 1
        (published,) = vm.unpack("<H", AVAIL_IDX)
        new = (published - self.seen) & 0xFFFF
        if new > QUEUE_SIZE:
            return f"the guest published {new} new buffers, but the ring holds {QUEUE_SIZE}: refused"
        for _ in range(new):
            (head,) = vm.unpack("<H", AVAIL_RING + 2 * (self.seen % QUEUE_SIZE))
            if head >= QUEUE_SIZE:
                return f"the available ring names descriptor {head}, but the ring has {QUEUE_SIZE}: refused"
            address, length, flags, _next = vm.unpack("<QIHH", DESC_TABLE + 16 * head)
            if flags:
                return f"descriptor {head} has flags {flags:#x}: this device takes single readable buffers only"
            if not 0 < length <= MAX_MESSAGE:
                return f"descriptor {head} has length {length}: a buffer must be 1 to {MAX_MESSAGE} bytes"
            if not vm.contains(address, length):  # checked before a single byte is read
                return (
                    f"descriptor {head} points outside guest memory ({address:#x} + {length} bytes, "
                    f"the guest has {GUEST_MEMORY_SIZE:#x} bytes): refused, nothing was read"
                )
            self.received += vm.read(address, length)
            (used,) = vm.unpack("<H", USED_IDX)
            vm.pack("<II", USED_RING + 8 * (used % QUEUE_SIZE), head, length)  # hand the buffer back
            vm.pack("<H", USED_IDX, (used + 1) & 0xFFFF)
            self.seen = (self.seen + 1) & 0xFFFF
        return None


# The hypervisor's exit loop is shown to learners (lesson 01 prints its source): keep its layout.
# fmt: off
def _io_hypervisor(guest: Guest, path: str, timeout_s: float, max_exits: int, device: str) -> IoRun:
    """Run ``guest`` and play its devices: the UART byte by byte, the ring on each doorbell."""
    t0 = time.perf_counter()
    exits, total, halted, reason, uart = {}, 0, False, "", bytearray()
    with Machine(SLOTS, device=device) as vm, alarm(timeout_s) as expired:
        vm.write(LOAD_ADDRESS, guest.code)
        for address, data in guest.data:               # the message, placed before the run
            vm.write(address, data)
        ring = Ring(vm)
        bell = vm.ioeventfd(DOORBELL_PORT) if path == "ring-ioeventfd" else None
        before = vm.counters()                         # KVM's own counters, to see what the kernel did
        t_run = time.perf_counter()
        while True:
            if expired[0]:
                reason = f"timed out after {timeout_s:g} s: the guest never halted"
                break
            if total >= max_exits:
                reason = f"exit limit reached after {max_exits} exits to user space"
                break
            try:
                e = vm.run()                           # one exit to user space
            except InterruptedError:                   # the alarm interrupted KVM_RUN
                continue
            exits[e.reason], total = exits.get(e.reason, 0) + 1, total + 1
            if e.reason == "IO" and e.port == SERIAL_PORT and e.write:
                uart += e.data                         # emulated UART: one byte per exit
            elif (e.reason == "IO" and e.port == DOORBELL_PORT) or (
                    e.reason == "MMIO" and e.address == MMIO_DOORBELL and e.write):
                problem = ring.doorbell()              # the ring: all published buffers at once
                if problem:
                    reason = f"device error: {problem}"
                    break
            elif e.reason == "HLT":
                halted, reason = True, "halted"
                break
            else:
                reason = f"stopped at unexpected exit KVM_EXIT_{e.reason} ({e.code})"
                break
        if halted and bell is not None:                # vhost-style: KVM counted the doorbells in the kernel
            rung = _eventfd_count(bell)
            problem = ring.doorbell() if rung else None
            ring.doorbells += rung - 1 if rung else 0
            if problem:
                halted, reason = False, f"device error: {problem}"
        t_end = time.perf_counter()
        kernel = _difference(before, vm.counters())
    received = bytes(uart) if path == "serial" else bytes(ring.received)
    return IoRun(path, len(guest.data[0][1]), received, exits, total, halted, reason,
                 ring.doorbells, (t_end - t_run) * 1e3, (time.perf_counter() - t0) * 1e3, kernel)
# fmt: on


def _eventfd_count(fd: int) -> int:
    try:
        return os.eventfd_read(fd)
    except BlockingIOError:  # never signalled
        return 0


def _difference(before: dict[str, int] | None, after: dict[str, int] | None) -> dict[str, int] | None:
    if before is None or after is None:
        return None
    return {k: after[k] - before.get(k, 0) for k in after}


def send(
    path: str,
    message: bytes,
    *,
    chunk: int | str = MAX_MESSAGE,
    per_doorbell: int | str = QUEUE_SIZE,
    timeout_s: float = 2.0,
    max_exits: int = 10_000,
    device: str = KVM_DEVICE,
    descriptor: tuple[int, int] | None = None,
) -> IoRun:
    """Send ``message`` along ``path`` (one of :data:`PATHS`) on /dev/kvm and report what happened.

    Raises ValueError for bad arguments and :class:`KvmUnavailable` where KVM cannot run (or not from the
    main thread). A guest that misbehaves (a descriptor outside its memory, an endless loop) is stopped
    with the reason in :attr:`IoRun.stopped_reason`, never by an exception.
    """
    validate.choice("path", path, PATHS)
    if isinstance(timeout_s, bool) or not isinstance(timeout_s, int | float) or not 0 < timeout_s <= 60:
        raise ValueError(f"timeout_s must be a positive number of seconds (at most 60), got {timeout_s!r}")
    validate.integer("max_exits", max_exits, minimum=1, maximum=1_000_000, exact=True)
    if path == "serial":
        guest = serial_guest(message)
    else:
        bell = "mmio" if path == "ring-mmio" else "port"
        guest = ring_guest(message, chunk=chunk, per_doorbell=per_doorbell, doorbell=bell, descriptor=descriptor)
    require_main_thread("send")
    return _io_hypervisor(guest, path, float(timeout_s), max_exits, device)


@dataclass(frozen=True)
class IoLab:
    """One run of the I/O lab: the guest, its run, live or the model's, and why."""

    guest: Guest
    run: IoRun
    live: bool
    why: str


def io_lab(
    path: str = "ring-port",
    n_bytes: int | str = 64,
    chunk: int | str = MAX_MESSAGE,
    per_doorbell: int | str = QUEUE_SIZE,
    live: str = "auto",
) -> IoLab:
    """Send an ``n_bytes`` sample message along ``path``, live where KVM is usable, else on the model."""
    validate.choice("path", path, PATHS)
    message = sample_message(n_bytes)
    if path == "serial":
        guest = serial_guest(message)
    else:
        bell = "mmio" if path == "ring-mmio" else "port"
        guest = ring_guest(message, chunk=chunk, per_doorbell=per_doorbell, doorbell=bell)
    go_live, why = use_live(live, kvm_capability())
    if go_live:
        try:
            return IoLab(guest, send(path, message, chunk=chunk, per_doorbell=per_doorbell), True, why)
        except KvmUnavailable as exc:
            why = f"KVM could not run here ({exc}); showing the model's counts."
    return IoLab(guest, simulated_run(path, message, chunk, per_doorbell), False, why)


def sweep_sizes(quick: bool = False) -> tuple[int, ...]:
    """Message lengths for the sweep: powers of two from 1 to 4096 (every other one when ``quick``)."""
    step = 2 if quick else 1
    return tuple(2**k for k in range(0, int(math.log2(MAX_MESSAGE)) + 1, step))


def measure_sweep(sizes: tuple[int, ...], paths: tuple[str, ...] = SWEEP_PATHS, repeats: int = 3) -> Sweep:
    """Send each length along each path ``repeats`` times on /dev/kvm; keep the exits and the median time.

    Every run must cause exactly the exits of :func:`widgets.models.guestio.expected_exits` and deliver the
    message; otherwise :class:`LabFailed` says which run did not.
    """
    validate.integer("repeats", repeats, minimum=1, maximum=50, exact=True)
    exits: dict[str, tuple[int, ...]] = {}
    times: dict[str, tuple[float, ...]] = {}
    for path in paths:
        counts, medians = [], []
        for n in sizes:
            message, want = sample_message(n), expected_exits(path, n)
            samples = []
            for _ in range(repeats):
                run = send(path, message)
                if run.exits != want or run.received != message:
                    raise LabFailed(f"{path} with {n} bytes: exits {run.exits} (expected {want}), {run.stopped_reason}")
                samples.append(run.run_ms)
            counts.append(run.total_exits)
            medians.append(statistics.median(samples))
        exits[path], times[path] = tuple(counts), tuple(medians)
    backend = kvm_backend()[0]
    return Sweep(tuple(sizes), tuple(paths), exits, times, repeats, True, "measured here", backend)


def recorded_sweep(sizes: tuple[int, ...] | None = None) -> Sweep:
    """The sweep recorded on the course's build machine (its times), or the model's counts if it is missing."""
    try:
        rec = RECORDING.load()
    except DataError:
        rec = None
    if rec is None:
        chosen = sizes or sweep_sizes()
        exits = {p: tuple(sum(expected_exits(p, n).values()) for n in chosen) for p in SWEEP_PATHS}
        return Sweep(tuple(chosen), SWEEP_PATHS, exits, None, 0, False, "the model's counts (no recording found)")
    keep = [i for i, n in enumerate(rec["sizes"]) if sizes is None or n in sizes]
    pick = lambda values: tuple(values[i] for i in keep)  # noqa: E731
    return Sweep(
        pick(rec["sizes"]),
        tuple(rec["paths"]),
        {p: pick(v) for p, v in rec["exits"].items()},
        {p: pick(v) for p, v in rec["times_ms"].items()},
        rec["samples"],
        False,
        f"{RECORDING.label} ({rec['machine']['backend']}, load average {rec['machine']['load']})",
        rec["machine"]["backend"],
    )


def io_sweep(quick: bool = False, repeats: int = 3, live: str = "auto") -> tuple[Sweep, str]:
    """The sweep of both paths over N = 1 .. 4096, live where KVM is usable, else the recording; and why."""
    sizes = sweep_sizes(quick)
    go_live, why = use_live(live, kvm_capability())
    if go_live:
        try:
            return measure_sweep(sizes, repeats=repeats), why
        except KvmUnavailable as exc:
            why = f"KVM could not run here ({exc}); showing the recorded sweep."
    return recorded_sweep(sizes), why
