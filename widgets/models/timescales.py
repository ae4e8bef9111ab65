"""Start-up times across platforms, on one logarithmic scale.

A first calculator: the published start-up and boot times in
``data/startup_times.csv`` (a process, containers, sandboxes, micro-VMs,
cloud VMs), filtered by kind, with the learner's own measurement placed on
the same scale. The point: these differ by orders of magnitude, so only a
log scale shows them together.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..core import data, validate

#: Data ``kind`` -> course colour key.
KIND_COLOR = {
    "process": "native",
    "container": "container",
    "sandboxed-container": "sandbox",
    "microvm": "microvm",
    "unikernel-vm": "unikernel",
    "cloud-vm": "vm",
}


#: The largest own measurement accepted: one day, in ms.
MAX_MS = 86_400_000.0


@dataclass(frozen=True)
class Timescale:
    """The rows to plot, and the spread between fastest and slowest."""

    labels: tuple[str, ...]
    values_ms: np.ndarray
    kinds: tuple[str, ...]
    cites: tuple[str, ...]
    mine_ms: float | None

    @property
    def ratio(self) -> float:
        """Slowest / fastest of the published values shown."""
        return float(self.values_ms.max() / self.values_ms.min())

    @property
    def orders(self) -> float:
        """The spread in orders of magnitude (log10 of :attr:`ratio`)."""
        return math.log10(self.ratio)


def available_kinds() -> list[str]:
    """The kinds present in the data, in the order of :data:`KIND_COLOR`."""
    present = set(data.load("startup_times").column("kind"))
    return [k for k in KIND_COLOR if k in present]


def timescales(kinds: Sequence[str], my_time_ms: str | float | None = None) -> Timescale:
    """Select published start-up times by kind and add an optional own value.

    Parameters
    ----------
    kinds:
        Kinds to show (see :func:`available_kinds`); at least one.
    my_time_ms:
        Your own measurement in milliseconds (number or text); ``None`` or
        empty text for none.

    Raises
    ------
    ValueError
        If no kind is chosen, a kind is unknown, or the own value is not a
        positive number of at most one day.
    """
    if isinstance(kinds, str) or not isinstance(kinds, Sequence):
        raise ValueError("kinds must be a list of kinds, e.g. ['container', 'cloud-vm']")
    if not kinds:
        raise ValueError("choose at least one kind of platform to show")
    for k in kinds:
        validate.choice("kind", k, KIND_COLOR)
    mine = None
    if my_time_ms is not None and not (isinstance(my_time_ms, str) and not my_time_ms.strip()):
        mine = validate.number("your time", my_time_ms, minimum=0, maximum=MAX_MS, allow_zero=False, unit="ms")
    table = data.load("startup_times")
    rows = sorted((r for r in table if r["kind"] in kinds), key=lambda r: r["value_ms"])
    if not rows:
        raise ValueError(f"the data has no start-up times for {', '.join(kinds)}")
    return Timescale(
        tuple(r["subject"] for r in rows),
        np.array([r["value_ms"] for r in rows], dtype=float),
        tuple(r["kind"] for r in rows),
        tuple(table.cite(r) for r in rows),
        mine,
    )
