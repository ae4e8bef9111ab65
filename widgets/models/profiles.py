"""Synthetic load profiles: one value per minute (req/s), a formula plus seeded random numbers, never measured.

:func:`profile` makes a steady, daily, weekly, spiky, growing or realistic (all of those) year of demand; every
shape parameter is an illustrative assumption, set your own.
"""

from __future__ import annotations

import functools

import numpy as np

from ..core import validate

DAY = 1440  # minutes
KINDS = ("steady", "daily", "weekly", "spike", "growth", "realistic")
MAX_DAYS, MAX_RATE = 366, 1e9  # a leap year; requests per second


def _spike_mask(rng: np.random.Generator, n: int, count: int, width: int) -> np.ndarray:
    width, diff = min(width, n), np.zeros(n + 1, dtype=np.int64)
    starts = rng.integers(0, n - width + 1, size=count)
    np.add.at(diff, starts, 1)
    np.add.at(diff, starts + width, -1)
    return np.cumsum(diff[:-1]) > 0


def profile(
    kind: str,
    *,
    days: int = 365,
    base_rps: float,
    peak_rps: float,
    seed: int = 0,
    spike_rps: float | None = None,
    spike_minutes: int = 10,
    spikes: int = 6,
    growth: str = "linear",
    weekend_pct: float = 60.0,
    noise_pct: float = 5.0,
) -> np.ndarray:
    """A SYNTHETIC demand profile, one value (req/s) per minute: ``days × 1440`` values.

    Parameters
    ----------
    kind:
        ``"steady"`` (base all along), ``"daily"`` (a cosine: base at 04:00, peak at 16:00), ``"weekly"``
        (daily, weekends scaled to ``weekend_pct``; day 0 is a Monday), ``"spike"`` (base plus ``spikes``
        flash spikes of ``spike_rps`` for ``spike_minutes`` at seeded times; overlaps do not add up),
        ``"growth"`` (base to peak over the horizon, ``growth`` ``"linear"`` or ``"compound"``) or
        ``"realistic"`` (a real-world-shaped synthetic profile: daily × weekly × linear growth of 100% a year
        × seeded noise of ``noise_pct``, spikes of +50%, rescaled to span exactly base to peak).
    days, base_rps, peak_rps:
        Horizon (1 to 366 days); lowest and highest demand (req/s), ``0 < base <= peak``.
    seed:
        Seed of the random parts (spike times, noise): same seed, same profile.
    spike_rps, spike_minutes, spikes, growth, weekend_pct, noise_pct:
        Shape parameters (``spike_rps`` defaults to ``peak - base``): illustrative assumptions.
    """
    kind = validate.choice("profile kind", kind, KINDS)
    n = validate.integer("days", days, minimum=1, maximum=MAX_DAYS) * DAY
    base = validate.number("base demand", base_rps, minimum=0, maximum=MAX_RATE, allow_zero=False, unit="req/s")
    peak = validate.number("peak demand", peak_rps, minimum=0, maximum=MAX_RATE, allow_zero=False, unit="req/s")
    validate.ordered("base demand", base, "peak demand", peak)
    seed_ = validate.integer("seed", seed, minimum=0, maximum=2**32 - 1)
    height = (
        peak - base
        if spike_rps is None
        else validate.number("spike height", spike_rps, minimum=0, maximum=MAX_RATE, unit="req/s")
    )
    width = validate.integer("spike duration", spike_minutes, minimum=1, maximum=DAY)
    count = validate.integer("spikes", spikes, minimum=0, maximum=1000)
    growth = validate.choice("growth", growth, ("linear", "compound"))
    weekend = validate.number("weekend level", weekend_pct, minimum=0, maximum=100, unit="%") / 100
    noise = validate.number("noise", noise_pct, minimum=0, maximum=100, unit="%") / 100
    if kind == "steady":
        return np.full(n, base)
    if kind == "spike":
        return base + height * _spike_mask(np.random.default_rng(seed_), n, count, width)
    if kind == "realistic":  # the shape does not depend on base and peak: cached, then rescaled
        above_lowest, span = _realistic_shape(n, seed_, count, width, weekend, noise)
        return np.full(n, base) if span == 0 else base + (peak - base) * above_lowest / span
    t = np.arange(n)
    ramp = t / max(n - 1, 1)
    if kind == "growth":
        return base + (peak - base) * ramp if growth == "linear" else base * (peak / base) ** ramp
    return base + (peak - base) * _daily(t) * (_weekly(t, weekend) if kind == "weekly" else 1.0)


def _daily(t: np.ndarray) -> np.ndarray:
    """0 at 04:00, 1 at 16:00, a cosine in between."""
    return 0.5 * (1 - np.cos(2 * np.pi * ((t % DAY) / DAY - 4 / 24)))


def _weekly(t: np.ndarray, weekend: float) -> np.ndarray:
    """1 on weekdays (day 0 is a Monday), ``weekend`` on Saturdays and Sundays."""
    return np.where((t // DAY) % 7 < 5, 1.0, weekend)


@functools.lru_cache(maxsize=2)
def _realistic_shape(
    n: int, seed: int, count: int, width: int, weekend: float, noise: float
) -> tuple[np.ndarray, float]:
    """The realistic profile's shape minus its lowest value, and its range (highest - lowest).

    Demand is ``base + (peak - base) * shape / range``: changing base or peak reuses the shape (about
    15 ms for a year of minutes). The array is read-only.
    """
    rng, t = np.random.default_rng(seed), np.arange(n)
    wobble = np.maximum(0.0, 1 + noise * rng.standard_normal(n))
    shape = (0.25 + 0.75 * _daily(t) * _weekly(t, weekend)) * (1 + t / (365 * DAY)) * wobble
    shape = shape * np.where(_spike_mask(rng, n, count, width), 1.5, 1.0)
    lo, hi = float(shape.min()), float(shape.max())
    above_lowest = shape - lo
    above_lowest.flags.writeable = False
    return above_lowest, hi - lo
