"""Per-byte and per-message costs of the two I/O paths, fitted to measured times, and where they cross.

A sweep sends messages of N = 1 .. 4096 bytes along two paths and keeps, for each N, the exits and the
median measured time (:class:`Sweep`, from :mod:`widgets.labs.kvmio` or a recording). :func:`fit_costs`
fits ``time = per_message + per_byte * N`` to each path (least squares weighted by 1/time, so the small
messages count as much as the large ones) and :func:`crossover` says from which N the ring is cheaper.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core import validate
from .guestio import PATHS, doorbells, expected_exits


@dataclass(frozen=True)
class Sweep:
    """Messages of several lengths along several paths: exits and median times (ms).

    ``times_ms[path][i]`` and ``exits[path][i]`` belong to ``sizes[i]``; ``samples`` runs were taken for
    each; ``source`` says measured here, recorded, or simulated (times None).
    """

    sizes: tuple[int, ...]
    paths: tuple[str, ...]
    exits: dict[str, tuple[int, ...]]
    times_ms: dict[str, tuple[float, ...]] | None
    samples: int
    live: bool
    source: str
    backend: str = ""


@dataclass(frozen=True)
class PathCost:
    """``time = per_message_us + per_byte_us * N`` fitted to one path's measured times."""

    path: str
    per_message_us: float
    per_byte_us: float

    def time_us(self, n_bytes: float) -> float:
        return self.per_message_us + self.per_byte_us * n_bytes


def _points(sweep: Sweep, path: str) -> tuple[np.ndarray, np.ndarray]:
    if sweep.times_ms is None:
        raise ValueError("this sweep has no measured times (it is the model's counts): nothing to fit")
    validate.choice("path", path, sweep.paths)
    n = np.asarray(sweep.sizes, dtype=float)
    t = np.asarray(sweep.times_ms[path], dtype=float) * 1e3  # µs
    if n.size < 2 or not np.all(np.isfinite(t)) or np.any(t <= 0):
        raise ValueError("fitting needs at least two message lengths with positive, finite times")
    return n, t


def fit_costs(sweep: Sweep) -> dict[str, PathCost]:
    """Per-message and per-byte cost of each path of ``sweep``, µs."""
    out = {}
    for path in sweep.paths:
        n, t = _points(sweep, path)
        slope, intercept = np.polyfit(n, t, 1, w=1.0 / t)
        out[path] = PathCost(path, float(intercept), float(slope))
    return out


@dataclass(frozen=True)
class Crossover:
    """Where ``ring`` becomes cheaper than ``serial``: by the fitted lines, and in the measured points."""

    fitted_n: float | None  # the N where the two fitted lines meet (None: they do not meet above 0)
    measured_n: int | None  # the smallest measured N from which the ring's median is lower at every N
    sentence: str


def crossover(sweep: Sweep, serial: str = "serial", ring: str = "ring-port") -> Crossover:
    """From which message length the ring path is cheaper than the serial path."""
    costs = fit_costs(sweep)
    s, r = costs[serial], costs[ring]
    fitted = None
    if s.per_byte_us > r.per_byte_us:
        fitted = max((r.per_message_us - s.per_message_us) / (s.per_byte_us - r.per_byte_us), 0.0)
    ts, tr = sweep.times_ms[serial], sweep.times_ms[ring]  # type: ignore[index]
    measured = None
    for i, n in enumerate(sweep.sizes):
        if all(tr[j] < ts[j] for j in range(i, len(sweep.sizes))):
            measured = n
            break
    extra = r.per_message_us - s.per_message_us
    if fitted is None:
        text = "the fitted lines do not cross: the serial path is not dearer per byte"
    elif fitted <= 1:
        text = (
            f"the fitted lines cross below one byte (N ≈ {fitted:.2g}): the ring's extra fixed cost "
            f"({extra:+.3g} µs) is less than one byte's exit, so it is cheaper for every message"
        )
    else:
        text = (
            f"the fitted lines cross at N ≈ {fitted:.3g} bytes: the ring's extra fixed cost ({extra:+.3g} µs) "
            "is paid back by the exits it saves on longer messages"
        )
    if measured is not None:
        text += f"; in the measured points the ring is faster from N = {measured} on"
    return Crossover(fitted, measured, text)


def log_sizes(largest: int = 4096) -> tuple[int, ...]:
    """1, 2, 4, ... up to ``largest`` (a power of two from 1 to 4096)."""
    n = validate.integer("largest message (bytes)", largest, minimum=1, maximum=4096)
    return tuple(2**k for k in range(int(math.log2(n)) + 1))


DOORBELL_KIND = {
    "serial": "no ring: the guest writes each byte to the emulated UART's data register",
    "ring-port": "an out to the device's I/O port, which the VMM emulates",
    "ring-mmio": "a write to a device register just past the guest's RAM (MMIO), which the VMM emulates",
    "ring-ioeventfd": "an out to a port that the VMM registered with KVM_IOEVENTFD, as vhost does",
}


def exits_to_user_space(path: str, n_bytes: int, chunk: int = 4096, per_doorbell: int = 16) -> dict[str, int]:
    """The exits to user space (returns from KVM_RUN), by reason, of sending ``n_bytes`` along ``path`` and halting.

    The lab's guests (:mod:`widgets.models.guestio`): ``serial`` costs one IO exit per byte; the ring paths cost
    one exit per doorbell (``ceil(descriptors / per_doorbell)``, ``descriptors = ceil(n_bytes / chunk)``),
    an IO or MMIO exit, or none with an ioeventfd; every path ends with one HLT exit.
    """
    return expected_exits(path, n_bytes, chunk, per_doorbell)


def doorbell_count(n_bytes: int, chunk: int, per_doorbell: int) -> int:
    """How many doorbells the ring guest rings: one per ``per_doorbell`` descriptors, and after the last."""
    return doorbells(n_bytes, chunk, per_doorbell)


__all__ = [
    "DOORBELL_KIND",
    "PATHS",
    "Crossover",
    "PathCost",
    "Sweep",
    "crossover",
    "doorbell_count",
    "exits_to_user_space",
    "fit_costs",
    "log_sizes",
]
