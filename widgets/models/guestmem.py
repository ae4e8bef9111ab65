"""A guest that dirties a known working set of pages, round after round: what live migration must chase.

The guest's data region is a second memory slot of :data:`DATA_PAGES` 4 KiB pages at :data:`DATA_BASE`,
registered with ``KVM_MEM_LOG_DIRTY_PAGES``. Each round the guest writes one byte into each of the first
``working_set`` pages, then does one ``out`` to :data:`ROUND_PORT`: an exit to user space, where the
hypervisor reads (and clears) the dirty-page bitmap with ``KVM_GET_DIRTY_LOG``. After ``rounds`` rounds it
halts. So every round must report exactly pages ``0 .. working_set - 1``: :func:`expected_dirty` is the
model the tests hold the live run to, and what the fallback shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import validate
from .asm16 import Asm, Guest

PAGE_BYTES = 4096
DATA_BASE = 0x10000  # guest-physical start of the logged slot, just above the 64 KiB of code and ring
DATA_PAGES = 128  # 512 KiB of data pages the guest may dirty
ROUND_PORT = 0x511  # "end of round": the hypervisor reads the dirty log here
MAX_ROUNDS = 1000


def _check(working_set: object, rounds: object) -> tuple[int, int]:
    w = validate.integer("working set (pages)", working_set, minimum=1)
    if w > DATA_PAGES:
        raise ValueError(
            f"a working set of {w} pages is larger than the guest's data memory: it has {DATA_PAGES} pages "
            f"of {PAGE_BYTES // 1024} KiB ({DATA_PAGES * PAGE_BYTES // 1024} KiB); choose 1 to {DATA_PAGES}"
        )
    r = validate.integer("rounds", rounds, minimum=1, maximum=MAX_ROUNDS)
    return w, r


def dirty_guest(working_set: int | str = 32, rounds: int | str = 3) -> Guest:
    """The guest: ``rounds`` times, write one byte in each of ``working_set`` pages, then report the round."""
    w, r = _check(working_set, rounds)
    first = DATA_BASE >> 4  # real-mode segment of the first data page
    asm = Asm()
    asm(b"\xba" + ROUND_PORT.to_bytes(2, "little"), f"mov dx, {ROUND_PORT:#x}          ; the end-of-round port")
    asm(b"\xbf" + r.to_bytes(2, "little"), f"mov di, {r}                ; DI = rounds")
    asm.label("round")
    asm(b"\xbb" + first.to_bytes(2, "little"), f"mov bx, {first:#x}           ; BX = segment of data page 0")
    asm(b"\xb9" + w.to_bytes(2, "little"), f"mov cx, {w}                ; CX = pages in the working set")
    asm.label("page")
    asm("8E C3", "mov es, bx                ; ES:0 = the start of this page")
    asm("26 A2 00 00", "mov es:[0], al            ; write one byte: the page is now dirty")
    asm("81 C3 00 01", "add bx, 0x100             ; next page (0x100 paragraphs = 4 KiB)")
    asm.jump(0xE2, "page", "loop page")
    asm("EE", "out dx, al                ; end of round: one exit, the dirty log is read")
    asm("4F", "dec di")
    asm.jump(0x75, "round", "jnz round")
    asm("F4", "hlt")
    return asm.build()


def expected_dirty(working_set: int | str = 32, rounds: int | str = 3) -> tuple[tuple[int, ...], ...]:
    """The dirty pages each round must report: pages ``0 .. working_set - 1``, every round."""
    w, r = _check(working_set, rounds)
    return tuple(tuple(range(w)) for _ in range(r))


@dataclass(frozen=True)
class DirtyRun:
    """The dirty pages of each round, and what they mean as a rate.

    Attributes
    ----------
    working_set, rounds : int, int
        The guest's parameters.
    dirty : tuple[tuple[int, ...], ...]
        For each round, the page numbers (within the data slot) that KVM_GET_DIRTY_LOG reported.
    round_ms : tuple[float, ...] | None
        Measured guest time of each round (None for the model).
    exits, halted, stopped_reason : dict[str, int], bool, str
        Exits to user space by reason, ran ``hlt``, ``"halted"`` or why it stopped.
    live : bool
        Measured on /dev/kvm (True) or the model's pages (False).
    """

    working_set: int
    rounds: int
    dirty: tuple[tuple[int, ...], ...]
    round_ms: tuple[float, ...] | None
    exits: dict[str, int]
    halted: bool
    stopped_reason: str
    live: bool = True

    @property
    def counts(self) -> tuple[int, ...]:
        """Dirty pages per round."""
        return tuple(len(d) for d in self.dirty)

    @property
    def dirty_rate_mb_s(self) -> float | None:
        """Measured dirtying rate, MB/s (10**6 bytes): dirty bytes over guest time, all rounds together."""
        if not self.round_ms or sum(self.round_ms) <= 0:
            return None
        return sum(self.counts) * PAGE_BYTES / (sum(self.round_ms) / 1e3) / 1e6

    @property
    def working_set_mb(self) -> float:
        """The writable working set in MB (10**6 bytes): the most pages dirtied in one round."""
        return max(self.counts, default=0) * PAGE_BYTES / 1e6


def simulated_dirty(working_set: int | str = 32, rounds: int | str = 3) -> DirtyRun:
    """The model's run: the expected pages every round, nothing measured."""
    dirty = expected_dirty(working_set, rounds)
    w, r = _check(working_set, rounds)
    return DirtyRun(w, r, dirty, None, {"IO": r, "HLT": 1}, True, "halted", False)
