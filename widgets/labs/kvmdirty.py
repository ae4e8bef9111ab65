"""Dirty-page logging, live on /dev/kvm: the bitmap live migration reads between its rounds.

:func:`dirty_run` gives the guest of :mod:`widgets.models.guestmem` a code slot and a data slot registered
with ``KVM_MEM_LOG_DIRTY_PAGES``; at each end-of-round exit it reads the data slot's dirty bitmap with
``KVM_GET_DIRTY_LOG`` (which also clears it) and times the round. :func:`dirty_lab` decides live or the
model's pages. The measured rate and working set feed :func:`widgets.models.migration.precopy`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..core.data import DataError
from ..models.asm16 import Guest
from ..models.guest import GUEST_MEMORY_SIZE, LOAD_ADDRESS
from ..models.guestmem import DATA_BASE, DATA_PAGES, PAGE_BYTES, ROUND_PORT, DirtyRun, dirty_guest, simulated_dirty
from .base import Recording, use_live
from .capabilities import kvm_capability
from .kvm import KVM_DEVICE, KvmUnavailable, alarm
from .kvmvm import Machine, Slot, require_main_thread

RECORDING = Recording("kvm_dirty", "2026-12-03")
CODE, DATA = 0, 1  # slot numbers
SLOTS = (Slot(CODE, 0, GUEST_MEMORY_SIZE), Slot(DATA, DATA_BASE, DATA_PAGES * PAGE_BYTES, log_dirty=True))


# fmt: off
def _dirty_hypervisor(guest: Guest, w: int, r: int, timeout_s: float, device: str) -> DirtyRun:
    """Run ``guest``; at each end of round read the pages it dirtied, as a pre-copy migration would."""
    dirty, round_ms, exits, halted, reason = [], [], {}, False, ""
    with Machine(SLOTS, device=device) as vm, alarm(timeout_s) as expired:
        vm.write(LOAD_ADDRESS, guest.code)
        vm.dirty_pages(DATA)                          # start clean: nothing logged yet
        started = time.perf_counter()
        while len(dirty) <= r:
            if expired[0]:
                reason = f"timed out after {timeout_s:g} s"
                break
            try:
                e = vm.run()
            except InterruptedError:
                continue
            exits[e.reason] = exits.get(e.reason, 0) + 1
            if e.reason == "IO" and e.port == ROUND_PORT:
                now = time.perf_counter()
                dirty.append(vm.dirty_pages(DATA))   # KVM_GET_DIRTY_LOG: read and clear
                round_ms.append((now - started) * 1e3)
                started = time.perf_counter()         # the log read is not guest time
            elif e.reason == "HLT":
                halted, reason = True, "halted"
                break
            else:
                reason = f"stopped at unexpected exit KVM_EXIT_{e.reason} ({e.code})"
                break
    return DirtyRun(w, r, tuple(dirty), tuple(round_ms), exits, halted, reason)
# fmt: on


def dirty_run(
    working_set: int | str = 32, rounds: int | str = 3, *, timeout_s: float = 5.0, device: str = KVM_DEVICE
) -> DirtyRun:
    """Run the dirtying guest on /dev/kvm: ValueError for bad inputs, KvmUnavailable where KVM cannot run."""
    guest = dirty_guest(working_set, rounds)
    model = simulated_dirty(working_set, rounds)  # the validated numbers
    require_main_thread("dirty_run")
    return _dirty_hypervisor(guest, model.working_set, model.rounds, float(timeout_s), device)


@dataclass(frozen=True)
class DirtyLab:
    """One run of the dirty-page lab: live, recorded or the model's, and why."""

    guest: Guest
    run: DirtyRun
    live: bool
    why: str


def recorded_dirty() -> DirtyRun | None:
    """The run recorded on the course's build machine (working set 32 pages, 5 rounds), or None."""
    try:
        rec = RECORDING.load()
    except DataError:
        return None
    dirty = tuple(tuple(d) for d in rec["dirty"])
    return DirtyRun(
        rec["working_set"], rec["rounds"], dirty, tuple(rec["round_ms"]), rec["exits"], True, "halted", False
    )


def dirty_lab(working_set: int | str = 32, rounds: int | str = 3, live: str = "auto") -> DirtyLab:
    """The dirty-page lab: live where KVM is usable, else the model's pages (and the recorded rate)."""
    guest = dirty_guest(working_set, rounds)
    go_live, why = use_live(live, kvm_capability())
    if go_live:
        try:
            return DirtyLab(guest, dirty_run(working_set, rounds), True, why)
        except KvmUnavailable as exc:
            why = f"KVM could not run here ({exc}); showing the model's pages."
    return DirtyLab(guest, simulated_dirty(working_set, rounds), False, why)


def dirtying(lab: DirtyLab) -> tuple[float, float, str] | None:
    """``(dirty rate MB/s, writable working set MB, where they come from)`` for the migration simulator.

    From the lab's own run when it was live, else from the recording; None if neither has times.
    """
    run, label = lab.run, "measured here"
    if run.dirty_rate_mb_s is None:
        run, label = recorded_dirty(), RECORDING.label
    if run is None or run.dirty_rate_mb_s is None:
        return None
    return run.dirty_rate_mb_s, run.working_set_mb, f"{label}: {run.working_set} pages dirtied per round"
