"""Two ways for the same guest to send the same message: an emulated serial port, and a virtio-style ring.

* :func:`serial_guest`: one ``out`` to port 0x3f8 per byte, as a guest driving an emulated UART does:
  one exit to user space per byte, then ``hlt``: **N + 1** exits.
* :func:`ring_guest`: the guest copies the message into a buffer in its own RAM, writes descriptors
  (address, length) into a ring in its RAM, publishes them in the "available" ring, and rings **one
  doorbell**: a port write (``out``) or an MMIO write just past its RAM. The hypervisor, on that one exit,
  reads the ring. Exits: one per doorbell, then ``hlt``.

The ring's layout is virtio's split ring (descriptor table of 16-byte entries ``addr u64, len u32, flags
u16, next u16``; available ring ``flags u16, idx u16, ring[QUEUE_SIZE] u16``; used ring ``flags, idx,
{id u32, len u32}[QUEUE_SIZE]``), with 16 entries. :func:`expected_exits` is the model the tests hold the
real runs to, and what the fallback shows where /dev/kvm is not usable. :class:`IoRun` is what a run of
either path reports, live or not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..core import validate
from .asm16 import Asm, Guest, mov_dword, mov_word
from .guest import GUEST_MEMORY_SIZE, SERIAL_PORT

QUEUE_SIZE = 16  # ring entries (virtio queues are a power of two)
DESC_TABLE = 0x2000  # 16 descriptors x 16 bytes
AVAIL_IDX, AVAIL_RING = 0x2102, 0x2104  # the guest publishes buffers here
USED_IDX, USED_RING = 0x2202, 0x2204  # the device returns them here
MESSAGE_ADDRESS = 0x3000  # the application's message, placed by the hypervisor before the run
BUFFER_ADDRESS = 0x4000  # the buffer the guest's driver copies the message into
MAX_MESSAGE = 4096  # bytes: what fits between MESSAGE_ADDRESS and BUFFER_ADDRESS
DOORBELL_PORT = 0x510  # the ring's notification port
MMIO_DOORBELL = 0xD0000  # guest-physical, beyond the 64 KiB of RAM: a write here is an MMIO exit
PATHS = ("serial", "ring-port", "ring-mmio", "ring-ioeventfd")
_TEXT = b"The same message, the same guest: one exit per byte through the emulated UART, or one doorbell. "


def sample_message(n_bytes: int | str) -> bytes:
    """``n_bytes`` (1 to 4096) of printable text: the message both paths send."""
    n = validate.integer("message length (bytes)", n_bytes, minimum=1, maximum=MAX_MESSAGE)
    return (_TEXT * (n // len(_TEXT) + 1))[:n]


def _message(message: bytes) -> bytes:
    if not isinstance(message, bytes | bytearray) or not 1 <= len(message) <= MAX_MESSAGE:
        got = f"{len(message)} bytes" if isinstance(message, bytes | bytearray) else repr(type(message).__name__)
        raise ValueError(f"the message must be 1 to {MAX_MESSAGE} bytes, got {got}")
    return bytes(message)


def serial_guest(message: bytes) -> Guest:
    """The emulated-UART path: ``lodsb; out dx, al`` per byte, in a loop, then ``hlt``."""
    msg = _message(message)
    asm = Asm()
    asm("BE 00 30", "mov si, 0x3000         ; SI = the message")
    asm(b"\xb9" + len(msg).to_bytes(2, "little"), f"mov cx, {len(msg)}             ; CX = bytes to send")
    asm("BA F8 03", f"mov dx, {SERIAL_PORT:#x}          ; DX = the UART's data port")
    asm("FC", "cld                    ; SI counts upwards")
    asm.label("next")
    asm("AC", "lodsb                  ; AL = [SI], SI += 1")
    asm("EE", "out dx, al             ; one byte to the UART: one exit to user space")
    asm.jump(0xE2, "next", "loop next              ; CX -= 1, again until CX = 0")
    asm("F4", "hlt                    ; done: one more exit")
    return asm.build(((MESSAGE_ADDRESS, msg),))


def chunks_of(n_bytes: int, chunk: int) -> list[tuple[int, int]]:
    """The (address, length) of each descriptor for an ``n_bytes`` message cut into ``chunk``-byte buffers."""
    return [(BUFFER_ADDRESS + k * chunk, min(chunk, n_bytes - k * chunk)) for k in range(math.ceil(n_bytes / chunk))]


def _ring_layout(n_bytes: int, chunk: object, per_doorbell: object) -> tuple[int, int, list[tuple[int, int]]]:
    c = validate.integer("chunk size (bytes per descriptor)", chunk, minimum=1, maximum=MAX_MESSAGE)
    b = validate.integer("descriptors per doorbell", per_doorbell, minimum=1, maximum=QUEUE_SIZE)
    parts = chunks_of(n_bytes, c)
    if len(parts) > QUEUE_SIZE:
        raise ValueError(
            f"a {n_bytes}-byte message in {c}-byte chunks needs {len(parts)} descriptors, but the ring has "
            f"{QUEUE_SIZE}: use chunks of at least {math.ceil(n_bytes / QUEUE_SIZE)} bytes"
        )
    return c, b, parts


def ring_guest(
    message: bytes,
    *,
    chunk: int | str = MAX_MESSAGE,
    per_doorbell: int | str = QUEUE_SIZE,
    doorbell: str = "port",
    descriptor: tuple[int, int] | None = None,
) -> Guest:
    """The virtio-style path: copy into the buffer, write descriptors, publish them, ring the doorbell.

    Parameters
    ----------
    message : bytes
        1 to 4096 bytes.
    chunk : int
        Bytes per descriptor (1 to 4096); the message needs at most :data:`QUEUE_SIZE` descriptors.
    per_doorbell : int
        Ring the doorbell after this many descriptors (1 to 16) and after the last: batching.
    doorbell : str
        ``"port"`` (an ``out`` to :data:`DOORBELL_PORT`) or ``"mmio"`` (a write to :data:`MMIO_DOORBELL`).
    descriptor : tuple[int, int] | None
        Fault injection for tests: descriptor 0 gets this (address, length) instead of the right one.
    """
    msg = _message(message)
    _c, batch, parts = _ring_layout(len(msg), chunk, per_doorbell)
    validate.choice("doorbell", doorbell, ("port", "mmio"))
    asm = Asm()
    asm("BE 00 30", "mov si, 0x3000         ; from the message")
    asm("BF 00 40", "mov di, 0x4000         ; to the device-visible buffer")
    asm(b"\xb9" + len(msg).to_bytes(2, "little"), f"mov cx, {len(msg)}")
    asm("FC", "cld")
    asm("F3 A4", "rep movsb              ; the driver copies the bytes: no exit")
    for k, (address, length) in enumerate(parts):
        if k == 0 and descriptor is not None:
            address, length = descriptor
        d = DESC_TABLE + 16 * k
        asm(*mov_dword(d, address, f"descriptor {k}: buffer address, low half"))
        asm(*mov_dword(d + 4, address >> 32, f"descriptor {k}: buffer address, high half"))
        asm(*mov_dword(d + 8, length, f"descriptor {k}: length"))
        asm(*mov_dword(d + 12, 0, f"descriptor {k}: flags 0, next 0"))
        asm(*mov_word(AVAIL_RING + 2 * k, k, f"available ring slot {k} -> descriptor {k}"))
        asm(*mov_word(AVAIL_IDX, k + 1, f"publish: {k + 1} buffer(s) available"))
        if (k + 1) % batch == 0 or k == len(parts) - 1:
            if doorbell == "port":
                asm(b"\xba" + DOORBELL_PORT.to_bytes(2, "little"), f"mov dx, {DOORBELL_PORT:#x}")
                asm("EE", "out dx, al             ; the doorbell: one exit to user space (IO)")
            else:
                asm(b"\xb8" + (MMIO_DOORBELL >> 4).to_bytes(2, "little"), f"mov ax, {MMIO_DOORBELL >> 4:#x}")
                asm("8E C0", f"mov es, ax             ; ES:0 = {MMIO_DOORBELL:#x}, beyond RAM")
                asm("26 A2 00 00", "mov es:[0], al         ; the doorbell: one exit to user space (MMIO)")
    asm("F4", "hlt")
    return asm.build(((MESSAGE_ADDRESS, msg),))


def doorbells(n_bytes: int | str, chunk: int | str = MAX_MESSAGE, per_doorbell: int | str = QUEUE_SIZE) -> int:
    """How many doorbells the ring guest rings for an ``n_bytes`` message."""
    n = validate.integer("message length (bytes)", n_bytes, minimum=1, maximum=MAX_MESSAGE)
    _c, batch, parts = _ring_layout(n, chunk, per_doorbell)
    return math.ceil(len(parts) / batch)


def expected_exits(
    path: str, n_bytes: int | str, chunk: int | str = MAX_MESSAGE, per_doorbell: int | str = QUEUE_SIZE
) -> dict[str, int]:
    """The exits to user space, by reason, that sending ``n_bytes`` along ``path`` must cause.

    ``serial``: N IO + 1 HLT. ``ring-port``: one IO per doorbell + 1 HLT. ``ring-mmio``: one MMIO per doorbell
    + 1 HLT. ``ring-ioeventfd``: 1 HLT only: KVM signals an eventfd in the kernel for each doorbell.
    """
    validate.choice("path", path, PATHS)
    n = validate.integer("message length (bytes)", n_bytes, minimum=1, maximum=MAX_MESSAGE)
    if path == "serial":
        return {"IO": n, "HLT": 1}
    if path == "ring-ioeventfd":
        doorbells(n, chunk, per_doorbell)  # same checks
        return {"HLT": 1}
    return {"IO" if path == "ring-port" else "MMIO": doorbells(n, chunk, per_doorbell), "HLT": 1}


@dataclass(frozen=True)
class IoRun:
    """One message sent along one path: what arrived, the exits, the times, KVM's own counters.

    Attributes
    ----------
    path, n_bytes, received : str, int, bytes
        The path, the message length, what the hypervisor received (equal to the message on success).
    exits, total_exits, halted, stopped_reason : dict[str, int], int, bool, str
        Exits to user space by reason; their sum; ran ``hlt``; ``"halted"`` or why it stopped.
    doorbells : int
        Doorbells the device saw (IO/MMIO exits on the ring, or eventfd signals for ``ring-ioeventfd``).
    run_ms, total_ms : float | None
        Measured: from the first ``KVM_RUN`` until the guest halted (the message plus one HLT exit), and
        with VM creation and tear-down. None where nothing was measured.
    kernel : dict[str, int] | None
        KVM's per-vCPU counters during the run (``exits``, ``insn_emulation``, ...), where available.
    live : bool
        Run on /dev/kvm (True) or the model (False: counts only, no times).
    """

    path: str
    n_bytes: int
    received: bytes
    exits: dict[str, int]
    total_exits: int
    halted: bool
    stopped_reason: str
    doorbells: int
    run_ms: float | None
    total_ms: float | None
    kernel: dict[str, int] | None = None
    live: bool = True


def simulated_run(path: str, message: bytes, chunk: int | str = MAX_MESSAGE, per_doorbell: int | str = 16) -> IoRun:
    """The model's run of a path: the exits it must cause and the message delivered; nothing measured."""
    msg = _message(message)
    exits = expected_exits(path, len(msg), chunk, per_doorbell)
    bells = 0 if path == "serial" else doorbells(len(msg), chunk, per_doorbell)
    return IoRun(path, len(msg), msg, exits, sum(exits.values()), True, "halted", bells, None, None, None, False)


assert MESSAGE_ADDRESS + MAX_MESSAGE <= BUFFER_ADDRESS and BUFFER_ADDRESS + MAX_MESSAGE <= GUEST_MEMORY_SIZE
