"""Memory references of one TLB miss: native paging, shadow page tables, and the two-dimensional nested walk.

* **Native**: x86-64 4-level paging reads one entry per level (PML4, PDPT, PD, PT): 4 references; a 2 MiB
  page stops one level early (3), a 1 GiB page two levels early (2); 5-level paging adds one.
* **Shadow paging** (software, before EPT/NPT; also PVM's way): the hypervisor keeps a table that maps guest
  virtual straight to host physical addresses, and the hardware walks it as natively: a TLB miss costs what
  it costs natively. The price is elsewhere: the guest's page tables are write-protected, so every change
  the guest makes to them traps to the hypervisor, which updates the shadow.
* **Nested paging** (Intel EPT, AMD NPT): the hardware walks the guest's own table, whose entries hold
  guest-physical addresses, and translates each of those, and the final one, through the host's table: with
  ``n`` guest levels and ``m`` host levels, ``n * m + n + m`` references, 24 for 4 and 4. A huge page at
  either level removes a whole row or column of the walk.

Caches (the TLB, paging-structure and nested-walk caches) make most misses far cheaper than the worst case
counted here; this model counts the architectural worst case.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core import validate

PAGE_SIZES = {"4 KiB": 0, "2 MiB": 1, "1 GiB": 2}  # levels a huge page removes from the walk
MODES = ("native", "shadow", "nested")


@dataclass(frozen=True)
class Walk:
    """One TLB miss: references by kind, for one translation scheme.

    ``guest_entries`` are reads of the guest's own page-table entries (native: the OS's table; shadow: the
    shadow table); ``host_entries`` are reads of the host's nested table (nested paging only).
    """

    mode: str
    guest_levels: int
    host_levels: int
    guest_entries: int
    host_entries: int

    @property
    def references(self) -> int:
        return self.guest_entries + self.host_entries


def _levels(name: str, levels: object, page: object) -> int:
    n = validate.integer(f"{name} paging levels", levels, minimum=4, maximum=5)
    validate.choice(f"{name} page size", page, PAGE_SIZES)
    return n - PAGE_SIZES[page]  # type: ignore[index]


def page_walk(
    mode: str = "nested",
    guest_levels: int | str = 4,
    host_levels: int | str = 4,
    guest_page: str = "4 KiB",
    host_page: str = "4 KiB",
) -> Walk:
    """Count the memory references of one TLB miss under ``mode`` (``native``, ``shadow`` or ``nested``).

    ``guest_*`` describe the guest's (or, natively, the OS's) paging; ``host_*`` the host's nested table,
    used by ``nested`` only. Levels are 4 or 5; page sizes ``"4 KiB"``, ``"2 MiB"`` or ``"1 GiB"``.
    """
    validate.choice("translation", mode, MODES)
    n = _levels("guest", guest_levels, guest_page)
    m = _levels("host", host_levels, host_page)
    if mode == "nested":
        return Walk(mode, n, m, n, (n + 1) * m)  # each guest entry and the final address: m host reads each
    if mode == "shadow":  # the shadow maps a huge page only where both guest and host mappings are huge
        return Walk(mode, max(n, m), 0, max(n, m), 0)
    return Walk(mode, n, 0, n, 0)


def compare_walks(
    guest_levels: int | str = 4, host_levels: int | str = 4, guest_page: str = "4 KiB", host_page: str = "4 KiB"
) -> tuple[Walk, ...]:
    """The three schemes for the same paging set-up (the calculator's model)."""
    return tuple(page_walk(mode, guest_levels, host_levels, guest_page, host_page) for mode in MODES)
