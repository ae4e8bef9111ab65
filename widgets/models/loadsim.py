"""Cost under variable load: synthetic load profiles and an autoscaler, VMs vs containers.

Demand is one value per minute (req/s; a year is 525,600 minutes). Every profile is SYNTHETIC (a formula plus
seeded random numbers), never measured. The autoscaler, each minute t (``d`` = provisioning delay, ``c`` =
scale-in cool-down, both in whole minutes)::

    desired[t]  = max(min_units, step × ceil(demand[t] × (1 + headroom) / (capacity per unit × step)))
    billed[t]   = max(desired[t-c .. t])    units ordered: serving or still starting (paid for)
    capacity[t] = min(billed[t-d .. t])     units serving

with each series held at its first value before t = 0 (a warm start). Why this is exact: units form a stack,
the newest go first on a scale-in (a starting unit is cancelled before a serving one), so unit k is ordered at t
iff some minute of the cool-down window wanted at least k units, and serves iff it was ordered in each of the
last d + 1 minutes. The tests apply the same rules one unit and one minute at a time
(``tests/unit/models/loadsim_reference.py``) and show that both agree exactly. The windows use O(n log w)
doubling maxima. No metric lag; billing per minute of use (provider minimums, per-second billing not modelled).

Delays: a unit ready ``s`` seconds after it is ordered serves from the first minute it is ready for at least
half of: ``floor(s / 60 + 1/2)`` minutes (:func:`delay_minutes`). EC2 Linux m1.small 96.9 s -> 2 min, Rackspace
Linux 44.2 s -> 1, EC2 Windows 810.2 s -> 14; a node of a node pool adds the cluster-autoscaler's 10 s scan;
a Fargate task 56.9 s -> 1 min (:mod:`.fleets`). Cited: start times (``data/startup_times.csv``,
``data/scaling_times.csv``) and prices (``data/cloud_prices.csv``: SECONDARY, dated snapshots, re-check
before use). Illustrative assumptions, set your own: capacity per vCPU, VM and task sizes, headroom, cool-down,
minimum units and every profile shape parameter.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from ..core import validate
from .fleets import VM_START_ROWS, container_params, node_pool_params, vm_params
from .profiles import DAY, KINDS, MAX_DAYS, MAX_RATE, profile

#: The lesson-facing API of this topic: its own names and, re-exported, the names a lesson uses with them
#: (one import per topic in a lesson).
__all__ = [
    "BUCKETS_MIN",
    "Comparison",
    "KINDS",
    "MAX_COOLDOWN_MIN",
    "MAX_DELAY_MIN",
    "MAX_HEADROOM_PCT",
    "MAX_POINTS",
    "MAX_PRICE",
    "MAX_STEP",
    "MAX_UNITS",
    "PLATFORMS",
    "SimResult",
    "WINDOWS",
    "compare",
    "first_slo_miss",
    "load_compare",
    "node_pool_params",
    "profile",
    "simulate",
    "vm_params",
]

MAX_UNITS, MAX_PRICE = 10_000_000, 1e6
PLATFORMS = ("vm", "container")
MAX_DELAY_MIN, MAX_COOLDOWN_MIN, MAX_STEP, MAX_HEADROOM_PCT = 1440, 10_080, 10_000, 1000.0


# Points per figure trace (keeps stored lessons small) and the bucket sizes (min) used to stay under it.
MAX_POINTS, BUCKETS_MIN = 1500, (1, 5, 15, 60, 180, 360, 1440)


WINDOWS = {"a day": 1, "a week": 7, "a month (30 days)": 30, "the whole year": 365}


@dataclass(frozen=True)
class SimResult:
    """One platform through one demand series (arrays are per minute and read-only)."""

    platform: str
    demand_rps: np.ndarray
    desired: np.ndarray  # units the autoscaler wants
    billed: np.ndarray  # units ordered: serving or still starting
    capacity: np.ndarray  # units serving
    unit_capacity_rps: float
    unmet_minutes: int  # minutes with demand above capacity
    unmet_requests: float  # sum over minutes of (demand - capacity)+ × 60 s
    utilisation_pct: float  # mean of min(demand, capacity) / capacity over minutes with capacity; NaN if none
    unit_hours: float  # billed
    cost_usd: float
    cumulative_cost_usd: np.ndarray
    params: Mapping[str, Any]  # the inputs used
    notes: tuple[str, ...]  # where the delay and price come from

    @property
    def capacity_rps(self) -> np.ndarray:
        """Serving capacity per minute (req/s)."""
        return self.capacity * self.unit_capacity_rps


def _demand(demand_rps: object) -> np.ndarray:
    try:
        arr = None if isinstance(demand_rps, str | bytes | Mapping) else np.asarray(demand_rps)
    except ValueError:  # ragged
        arr = None
    if arr is None or arr.ndim != 1 or arr.dtype.kind not in "iuf":
        raise ValueError(f"demand must be a 1-D sequence of numbers (req/s per minute), got {demand_rps!r:.40}")
    if not 1 <= arr.size <= MAX_DAYS * DAY:
        raise ValueError(f"demand must have 1 to {MAX_DAYS * DAY:,} minutes, got {arr.size:,}")
    if not (np.isfinite(arr).all() and arr.min() >= 0 and arr.max() <= MAX_RATE):
        raise ValueError(
            f"demand must be a finite number between 0 and {MAX_RATE:g} req/s every minute "
            "(found NaN, an infinity or a value out of range)"
        )
    return arr.astype(float)


def _sliding(x: np.ndarray, w: int, op: Callable[..., np.ndarray]) -> np.ndarray:
    """``op`` (max or min) over the trailing window ``x[t-w+1 .. t]``, x held at x[0] before 0; O(n log w)."""
    m, p, n = np.concatenate([np.full(w - 1, x[0]), x]), 1, x.size
    while 2 * p <= w:  # m[i] = op(y[i .. i+2p-1])
        m, p = op(m[:-p], m[p:]), 2 * p
    return op(m[:n], m[w - p : w - p + n])


def simulate(
    demand_rps: Sequence[float] | np.ndarray,
    *,
    platform: str = "vm",
    unit_capacity_rps: float,
    provision_delay_min: int,
    step_units: int = 1,
    headroom_pct: float = 0.0,
    min_units: int = 0,
    scale_in_delay_min: int = 0,
    price_per_unit_hour: float,
    fixed_price_per_hour: float = 0.0,
    notes: Sequence[str] = (),
) -> SimResult:
    """Run the autoscaler of the module docstring over one demand series, vectorised.

    Parameters
    ----------
    demand_rps:
        Demand per minute (req/s): 1 to 527,040 finite values >= 0.
    platform, unit_capacity_rps:
        ``"vm"`` or ``"container"`` (a label); requests/s one unit serves (illustrative).
    provision_delay_min, scale_in_delay_min:
        Whole minutes from ordering a unit to its serving (:func:`delay_minutes`; shorter than the series);
        cool-down: a unit goes once unwanted for this many minutes plus the current one.
    step_units, headroom_pct, min_units:
        Units are ordered in whole steps, with spare capacity on top, never fewer than ``min_units``.
    price_per_unit_hour, fixed_price_per_hour, notes:
        USD per unit-hour; USD per hour whatever the fleet's size (a cluster's control plane); where the delay
        and prices come from (carried into the result).

    Raises
    ------
    ValueError
        If an input is out of range or not a number; the message names it.
    """
    demand = _demand(demand_rps)
    delay = validate.integer("provisioning delay", provision_delay_min, minimum=0, maximum=MAX_DELAY_MIN)
    if delay >= demand.size:
        raise ValueError(
            f"provisioning delay ({delay} min) must be shorter than the demand series "
            f"({demand.size} min): no new unit would ever serve"
        )
    p = {
        "platform": validate.choice("platform", platform, PLATFORMS),
        "unit_capacity_rps": validate.number(
            "capacity per unit", unit_capacity_rps, minimum=0, maximum=MAX_RATE, allow_zero=False, unit="req/s"
        ),
        "provision_delay_min": delay,
        "step_units": validate.integer("step units", step_units, minimum=1, maximum=MAX_STEP),
        "headroom_pct": validate.number("headroom", headroom_pct, minimum=0, maximum=MAX_HEADROOM_PCT, unit="%"),
        "min_units": validate.integer("minimum units", min_units, minimum=0, maximum=MAX_UNITS),
        "scale_in_delay_min": validate.integer(
            "scale-in cool-down", scale_in_delay_min, minimum=0, maximum=MAX_COOLDOWN_MIN
        ),
        "price_per_unit_hour": validate.number(
            "price per unit-hour", price_per_unit_hour, minimum=0, maximum=MAX_PRICE, unit="USD"
        ),
        "fixed_price_per_hour": validate.number(
            "fixed price per hour", fixed_price_per_hour, minimum=0, maximum=MAX_PRICE, unit="USD"
        ),
    }
    cap, step, usd = p["unit_capacity_rps"], p["step_units"], p["price_per_unit_hour"]
    # The same arithmetic as ceil(round(demand * (1 + headroom) / (cap * step), 9)) * step, in place: a year
    # of minutes is 525,600 values, and fewer temporary arrays make the calculator answer sooner.
    need = demand * (1 + p["headroom_pct"] / 100)
    need /= cap * step
    np.round(need, 9, out=need)
    np.ceil(need, out=need)
    need *= step
    if need.max() > MAX_UNITS:
        raise ValueError(
            f"the demand needs {need.max():,.0f} units, more than {MAX_UNITS:,}: raise the capacity "
            "per unit or lower the demand"
        )
    desired = need.astype(np.int64)
    np.maximum(desired, p["min_units"], out=desired)
    billed = _sliding(desired, p["scale_in_delay_min"] + 1, np.maximum)
    capacity = _sliding(billed, delay + 1, np.minimum)
    supply = capacity * cap
    gap = demand - supply
    short = np.where(gap > 1e-9 * demand, gap, 0.0)  # < a billionth of demand: float noise
    on = capacity > 0
    if on.all():  # the usual case (at least one unit): no copies of the served minutes
        util = float(np.mean(np.minimum(demand, supply) / supply)) * 100
    else:
        util = float(np.mean(np.minimum(demand[on], supply[on]) / supply[on])) * 100 if on.any() else math.nan
    fixed = p["fixed_price_per_hour"]
    cumulative, unit_hours = np.cumsum(billed) * (usd / 60), float(billed.sum()) / 60
    if fixed:
        cumulative = cumulative + np.arange(1, billed.size + 1) * (fixed / 60)
    for arr in (demand, desired, billed, capacity, cumulative):
        arr.flags.writeable = False
    return SimResult(
        p["platform"],
        demand,
        desired,
        billed,
        capacity,
        cap,
        int(np.count_nonzero(short)),
        float(short.sum()) * 60,
        util,
        unit_hours,
        unit_hours * usd + fixed * billed.size / 60,
        cumulative,
        MappingProxyType(p),
        tuple(str(x) for x in notes),
    )


@dataclass(frozen=True)
class Comparison:
    """The same demand through a VM fleet, serverless containers and (optionally) containers on a node pool."""

    demand_rps: np.ndarray
    vm: SimResult
    container: SimResult  # serverless containers (each task its own micro-VM, tens of seconds to start)
    kind: str = "given"  # the profile kind, or "given" for a demand series passed in
    window: tuple[float, float] = (0.0, 7.0)  # (first day, number of days) on the widget's figure
    node_pool: SimResult | None = None  # containers on a node pool of VMs added by a cluster-autoscaler

    @property
    def fleets(self) -> tuple[SimResult, ...]:
        """VMs, then the node pool (if any), then the serverless containers."""
        return (self.vm, *((self.node_pool,) if self.node_pool is not None else ()), self.container)

    def followed_share(self, fleet: str = "vm") -> float:
        """The share of the demand's swings a fleet followed, in the cost calculator's terms (0 = capacity kept
        for the peak, 1 = capacity equal to the average): ``1 - (kept - 1) / (peak/average - 1)``, where kept is
        the fleet's mean billed capacity over the mean demand. NaN for a flat demand."""
        r = {"vm": self.vm, "container": self.container, "node_pool": self.node_pool}[fleet]
        if r is None:
            raise ValueError("this comparison has no node-pool fleet")
        mean, peak = float(self.demand_rps.mean()), float(self.demand_rps.max())
        if mean <= 0 or peak <= mean:
            return math.nan
        kept = float(r.billed.mean()) * r.unit_capacity_rps / mean
        return 1 - (kept - 1) / (peak / mean - 1)


def _mapping(name: str, params: object) -> Mapping[str, Any]:
    if not isinstance(params, Mapping):
        raise ValueError(f"{name} parameters must be a mapping of simulate() inputs, got {params!r:.40}")
    return params


def compare(
    demand: Sequence[float] | np.ndarray,
    vm_params: Mapping[str, Any],
    container_params: Mapping[str, Any],
    node_pool_params: Mapping[str, Any] | None = None,
) -> Comparison:
    """Run :func:`simulate` for each fleet (each mapping holds its keyword inputs)."""
    vm = simulate(demand, **{**_mapping("vm", vm_params), "platform": "vm"})
    pool = None
    if node_pool_params is not None:
        pool = simulate(demand, **{**_mapping("node pool", node_pool_params), "platform": "container"})
    container = simulate(demand, **{**_mapping("container", container_params), "platform": "container"})
    return Comparison(vm.demand_rps, vm, container, node_pool=pool)


def first_slo_miss(
    spike_heights: Sequence[float],
    *,
    base_rps: float = 200.0,
    days: int = 7,
    spike_minutes: int = 10,
    spikes: int = 3,
    seed: int = 0,
    vm: Mapping[str, Any] | None = None,
) -> float:
    """The smallest of ``spike_heights`` (req/s above the base) at which the VM fleet has unmet demand.

    Scans the heights in ascending order over a synthetic ``"spike"`` profile (same seed, same spike times);
    ``vm`` holds :func:`simulate` inputs (default :func:`vm_params`). NaN if no height causes a miss.
    """
    if isinstance(spike_heights, str) or not isinstance(spike_heights, Sequence) or not spike_heights:
        raise ValueError("spike heights must be a non-empty list of numbers (req/s)")
    heights = sorted(
        validate.number("spike height", h, minimum=0, maximum=MAX_RATE, allow_zero=False, unit="req/s")
        for h in spike_heights
    )
    base = validate.number("base demand", base_rps, minimum=0, maximum=MAX_RATE, allow_zero=False, unit="req/s")
    params = {**(vm_params() if vm is None else _mapping("vm", vm)), "platform": "vm"}
    for h in heights:
        demand = profile(
            "spike",
            days=days,
            base_rps=base,
            peak_rps=base + h,
            spike_rps=h,
            spike_minutes=spike_minutes,
            spikes=spikes,
            seed=seed,
        )
        if simulate(demand, **params).unmet_minutes:
            return h
    return math.nan


def load_compare(
    kind: str = "realistic",
    base_rps: float | str = 200.0,
    peak_rps: float | str = 1000.0,
    capacity_per_vcpu_rps: float | str = 50.0,
    headroom_pct: float | str = 20.0,
    cooldown_min: int | str = 10,
    vm_start: str = VM_START_ROWS[0],
    window_days: int = 7,
    window_start_day: float | str = 0,
    seed: int | str = 1,
    days: int = 365,
) -> Comparison:
    """The widget's model: a synthetic profile through both fleets (cited defaults); ValueError naming bad input.

    The year's profile and the two simulations are cached (a few recent inputs), so moving the window or
    changing a fleet setting does not recompute what did not change.
    """
    n_days = validate.integer("days", days, minimum=1, maximum=MAX_DAYS)
    span = validate.integer("window length", window_days, minimum=1, maximum=n_days)
    start = validate.number("window start", window_start_day, minimum=0, maximum=n_days - span, unit="day")
    c = _fleets(kind, base_rps, peak_rps, seed, n_days, capacity_per_vcpu_rps, headroom_pct, cooldown_min, vm_start)
    return Comparison(c.demand_rps, c.vm, c.container, kind, (start, float(span)), c.node_pool)


@functools.lru_cache(maxsize=4)
def _cached_profile(kind: str, base_rps: object, peak_rps: object, seed: object, days: int) -> np.ndarray:
    demand = profile(kind, days=days, base_rps=base_rps, peak_rps=peak_rps, seed=seed)
    return demand


@functools.lru_cache(maxsize=4)
def _fleets(
    kind: str,
    base_rps: object,
    peak_rps: object,
    seed: object,
    days: int,
    capacity_per_vcpu_rps: object,
    headroom_pct: object,
    cooldown_min: object,
    vm_start: str,
) -> Comparison:
    shared = {
        "capacity_per_vcpu_rps": capacity_per_vcpu_rps,
        "headroom_pct": headroom_pct,
        "scale_in_delay_min": cooldown_min,
    }  # validated by vm_params and simulate
    demand = _cached_profile(kind, base_rps, peak_rps, seed, days)
    return compare(
        demand,
        vm_params(vm_start=vm_start, **shared),
        container_params(**shared),
        node_pool_params(vm_start=vm_start, **shared),
    )
