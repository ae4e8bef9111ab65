"""Memory overcommit: how many VMs a host holds, and what happens when every guest touches its memory.

A host with ``host_memory_gib`` (``reserved_gib`` kept for itself) runs VMs of ``vm_memory_gib`` each at an
overcommit ratio: configured guest memory / usable host memory. How many VMs it *holds* is an allocation
policy; whether they *fit* depends on what the guests touch:

* **Steady state.** Each guest uses ``working_set_pct`` of its memory (application plus its own OS, of
  which ``guest_os_gib``). A guest OS fills otherwise free memory with its page cache, so without a
  **balloon** driver the host ends up holding all of each guest's memory; with one, the host asks the guest
  to give back what it does not use. **KSM** merges pages that are identical across guests (the same guest
  OS: ``ksm_mergeable_gib`` per VM) into one copy.
* **Everyone touches everything.** Each guest uses all of its memory: the balloon cannot take back memory
  in use and only the mergeable pages stay merged. What does not fit goes to host **swap** (the guests slow
  down, each access to a swapped page is a disk read) and beyond that the host's OOM killer ends a whole VM.

The same workloads as **containers** on one kernel: no guest OS per workload, one page cache, memory
returned to the kernel the moment a process frees it (nothing to balloon), and a cgroup limit of
``vm_memory_gib`` each. When all reach their limits the kernel first drops page cache, then kills a
*process* (one container) rather than a whole guest. Every default is an illustrative assumption.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..core import validate


@dataclass(frozen=True)
class Scenario:
    """Where the memory of one case goes (GiB); ``verdict`` says what the host does about it."""

    name: str
    platform: str  # "vm" or "container"
    demand_gib: float  # what the guests/containers hold before the host steps in
    merged_gib: float  # saved by KSM (VMs)
    ballooned_gib: float  # given back by the balloon (VMs, steady state)
    resident_gib: float  # in host RAM
    swapped_gib: float  # in host swap
    over_gib: float  # beyond RAM and swap: the OOM killer's work
    verdict: str


@dataclass(frozen=True)
class Overcommit:
    """How many VMs a host holds at a ratio, and four cases of what they (or containers) then need."""

    usable_gib: float
    ratio: float
    vms: int
    vm_memory_gib: float
    swap_gib: float
    scenarios: tuple[Scenario, ...]


def vms_held(usable_gib: float, vm_memory_gib: float, ratio: float) -> int:
    """VMs a host *holds* at an overcommit ratio: configured memory up to ``ratio`` x usable memory."""
    return math.floor(ratio * usable_gib / vm_memory_gib + 1e-9)


def _place(
    name: str, platform: str, demand: float, merged: float, ballooned: float, usable: float, swap: float, oom: str
) -> Scenario:
    need = max(demand - merged - ballooned, 0.0)
    resident = min(need, usable)
    swapped = min(need - resident, swap)
    over = need - resident - swapped
    if over > 0:
        verdict = oom
    elif swapped > 0:
        verdict = f"{swapped:,.1f} GiB in host swap: every access to it is a disk read, the guests slow to a crawl"
        if platform == "container":
            verdict = f"{swapped:,.1f} GiB pushed to swap (or page cache dropped first): slower, nothing killed yet"
    else:
        verdict = "fits in the host's memory"
    return Scenario(name, platform, demand, merged, ballooned, resident, swapped, over, verdict)


def overcommit(
    host_memory_gib: float | str = 256,
    reserved_gib: float | str = 8,
    vm_memory_gib: float | str = 8,
    ratio: float | str = 1.5,
    working_set_pct: float | str = 40,
    guest_os_gib: float | str = 0.5,
    ksm_mergeable_gib: float | str = 0.3,
    balloon: bool = True,
    swap_gib: float | str = 32,
) -> Overcommit:
    """Hold VMs at ``ratio`` and see the four cases (VMs and containers, steady and everyone-at-full)."""
    host = validate.number("host memory", host_memory_gib, minimum=1, maximum=65536, unit="GiB")
    reserved = validate.number("host reserve", reserved_gib, minimum=0, maximum=host, unit="GiB")
    usable = host - reserved
    if usable <= 0:
        raise ValueError(f"the host reserve ({reserved:g} GiB) leaves no memory for guests out of {host:g} GiB")
    size = validate.number("VM memory", vm_memory_gib, minimum=0.125, maximum=usable, unit="GiB")
    r = validate.number("overcommit ratio", ratio, minimum=0.1, maximum=10)
    ws = validate.number("working set", working_set_pct, minimum=0, maximum=100, unit="%") / 100
    os_gib = validate.number("guest OS memory", guest_os_gib, minimum=0, maximum=size, unit="GiB")
    if ws * size < os_gib:
        raise ValueError(
            f"the working set ({ws * size:g} GiB of {size:g} GiB) must at least hold the guest OS ({os_gib:g} GiB)"
        )
    mergeable = validate.number("KSM-mergeable memory", ksm_mergeable_gib, minimum=0, maximum=os_gib, unit="GiB")
    validate.flag("balloon", balloon)
    swap = validate.number("host swap", swap_gib, minimum=0, maximum=65536, unit="GiB")
    n = vms_held(usable, size, r)
    if n < 1:
        raise ValueError(f"at ratio {r:g} not one VM of {size:g} GiB is held by {usable:g} GiB of usable memory")
    merged = (n - 1) * mergeable  # n copies of the same pages kept once
    vm_oom = "does not fit in RAM and swap: the host's OOM killer ends whole VMs (their guests crash)"
    ct_oom = "does not fit: the kernel drops page cache, then its OOM killer ends a process (one container)"
    balloon_note = n * size * (1 - ws) if balloon else 0.0
    app = ws * size - os_gib  # what each workload itself uses
    scenarios = (
        _place("VMs, steady state", "vm", n * size, merged, balloon_note, usable, swap, vm_oom),
        _place("VMs, every guest touches all its memory", "vm", n * size, merged, 0.0, usable, swap, vm_oom),
        _place("containers, steady state", "container", n * app, 0.0, 0.0, usable, swap, ct_oom),
        _place("containers, every one at its limit", "container", n * size, 0.0, 0.0, usable, swap, ct_oom),
    )
    return Overcommit(usable, r, n, size, swap, scenarios)
