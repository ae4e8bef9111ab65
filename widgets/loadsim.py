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
last d + 1 minutes. ``tools/bench_loadsim.py:reference_simulate`` applies the same rules one unit and one minute
at a time; the tests show both agree exactly. The windows use O(n log w) doubling maxima. No metric lag;
billing per minute of use (provider minimums, per-second billing not modelled).

Delays: a unit ready ``s`` seconds after it is ordered serves from the first minute it is ready for at least
half of: ``floor(s / 60 + 1/2)`` minutes (:func:`delay_minutes`). EC2 Linux m1.small 96.9 s -> 2 min, Rackspace
Linux 44.2 s -> 1, EC2 Windows 810.2 s -> 14, ``docker run`` 1.19 s -> 0 (within the same minute). Cited: start
times (``data/startup_times.csv``) and prices (``data/cloud_prices.csv``: SECONDARY, dated snapshots, re-check
before use). Illustrative assumptions, set your own: capacity per vCPU, VM and task sizes, headroom, cool-down,
minimum units and every profile shape parameter.
"""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import ipywidgets as ipw
import numpy as np
import plotly.graph_objects as go

from . import data, validate
from .calculator import ILLUSTRATIVE, Calculator, check_known, choice_box, number_box
from .figures import new_figure
from .healing import CONTAINER_ROWS, StartTime, start_options, start_time
from .theme import COLORS

DAY = 1440  # minutes
MAX_DAYS, MAX_RATE, MAX_UNITS, MAX_PRICE = 366, 1e9, 10_000_000, 1e6
MAX_DELAY_MIN, MAX_COOLDOWN_MIN, MAX_STEP, MAX_HEADROOM_PCT = 1440, 10_080, 10_000, 1000.0
# Points per figure trace (keeps stored lessons small) and the bucket sizes (min) used to stay under it.
MAX_POINTS, BUCKETS_MIN = 1500, (1, 5, 15, 60, 180, 360, 1440)
KINDS, PLATFORMS = ("steady", "daily", "weekly", "spike", "growth", "realistic"), ("vm", "container")
VM_START_ROWS = ("ec2_linux_m1small", "rackspace_linux", "ec2_windows_m1small")
VM_PRICE_ROWS = ("aws_ec2_m5_large", "aws_ec2_m6i_large", "aws_ec2_m7g_large", "azure_d2s_v5", "gcp_e2_standard_2")
FARGATE_ROWS = ("aws_fargate_linux_x86_vcpu", "aws_fargate_linux_x86_memory")
WINDOWS = {"a day": 1, "a week": 7, "a month (30 days)": 30, "the whole year": 365}

#: Widget starting values: illustrative assumptions, set your own (start times and prices come from data).
DEFAULTS: dict[str, float | int | str] = {
    "kind": "realistic", "base_rps": 200.0, "peak_rps": 1000.0, "capacity_per_vcpu_rps": 50.0,
    "headroom_pct": 20.0, "cooldown_min": 10, "vm_start": VM_START_ROWS[0], "window_days": 7,
    "window_start_day": 0, "seed": 1}


def delay_minutes(seconds: float) -> int:
    """Whole minutes before a unit ready after ``seconds`` serves: ``floor(seconds / 60 + 1/2)``."""
    return int(math.floor(validate.number("start time", seconds, minimum=0, unit="s") / 60 + 0.5))


def price(row_id: str, rows: Sequence[str] = (*VM_PRICE_ROWS, *FARGATE_ROWS)) -> tuple[float, str]:
    """``(USD, label)`` of one row of ``data/cloud_prices.csv``: a secondary snapshot, labelled with its date."""
    table = data.load("cloud_prices")
    r = table.row(id=validate.choice("price row", row_id, rows))
    return r["price_usd"], (f"{r['provider']} {r['service']} {r['item']}: {r['price_usd']:g} USD per {r['per']} "
                            f"(seen: {r['date_seen']}; {table.cite(r)}; re-check)")


def _spike_mask(rng: np.random.Generator, n: int, count: int, width: int) -> np.ndarray:
    width, diff = min(width, n), np.zeros(n + 1, dtype=np.int64)
    starts = rng.integers(0, n - width + 1, size=count)
    np.add.at(diff, starts, 1)
    np.add.at(diff, starts + width, -1)
    return np.cumsum(diff[:-1]) > 0


def profile(kind: str, *, days: int = 365, base_rps: float, peak_rps: float, seed: int = 0,
            spike_rps: float | None = None, spike_minutes: int = 10, spikes: int = 6, growth: str = "linear",
            weekend_pct: float = 60.0, noise_pct: float = 5.0) -> np.ndarray:
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
    height = peak - base if spike_rps is None else validate.number("spike height", spike_rps, minimum=0,
                                                                    maximum=MAX_RATE, unit="req/s")
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
def _realistic_shape(n: int, seed: int, count: int, width: int, weekend: float,
                     noise: float) -> tuple[np.ndarray, float]:
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
        raise ValueError(f"demand must be a finite number between 0 and {MAX_RATE:g} req/s every minute "
                         "(found NaN, an infinity or a value out of range)")
    return arr.astype(float)


def _sliding(x: np.ndarray, w: int, op: Callable[..., np.ndarray]) -> np.ndarray:
    """``op`` (max or min) over the trailing window ``x[t-w+1 .. t]``, x held at x[0] before 0; O(n log w)."""
    m, p, n = np.concatenate([np.full(w - 1, x[0]), x]), 1, x.size
    while 2 * p <= w:  # m[i] = op(y[i .. i+2p-1])
        m, p = op(m[:-p], m[p:]), 2 * p
    return op(m[:n], m[w - p:w - p + n])


def simulate(demand_rps: Sequence[float] | np.ndarray, *, platform: str = "vm", unit_capacity_rps: float,
             provision_delay_min: int, step_units: int = 1, headroom_pct: float = 0.0, min_units: int = 0,
             scale_in_delay_min: int = 0, price_per_unit_hour: float, notes: Sequence[str] = ()) -> SimResult:
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
    price_per_unit_hour, notes:
        USD per unit-hour; where the delay and price come from (carried into the result).

    Raises
    ------
    ValueError
        If an input is out of range or not a number; the message names it.
    """
    demand = _demand(demand_rps)
    delay = validate.integer("provisioning delay", provision_delay_min, minimum=0, maximum=MAX_DELAY_MIN)
    if delay >= demand.size:
        raise ValueError(f"provisioning delay ({delay} min) must be shorter than the demand series "
                         f"({demand.size} min): no new unit would ever serve")
    p = {"platform": validate.choice("platform", platform, PLATFORMS),
         "unit_capacity_rps": validate.number("capacity per unit", unit_capacity_rps, minimum=0, maximum=MAX_RATE,
                                              allow_zero=False, unit="req/s"), "provision_delay_min": delay,
         "step_units": validate.integer("step units", step_units, minimum=1, maximum=MAX_STEP),
         "headroom_pct": validate.number("headroom", headroom_pct, minimum=0, maximum=MAX_HEADROOM_PCT, unit="%"),
         "min_units": validate.integer("minimum units", min_units, minimum=0, maximum=MAX_UNITS),
         "scale_in_delay_min": validate.integer("scale-in cool-down", scale_in_delay_min, minimum=0,
                                                maximum=MAX_COOLDOWN_MIN),
         "price_per_unit_hour": validate.number("price per unit-hour", price_per_unit_hour, minimum=0,
                                                maximum=MAX_PRICE, unit="USD")}
    cap, step, usd = p["unit_capacity_rps"], p["step_units"], p["price_per_unit_hour"]
    # The same arithmetic as ceil(round(demand * (1 + headroom) / (cap * step), 9)) * step, in place: a year
    # of minutes is 525,600 values, and fewer temporary arrays make the calculator answer sooner.
    need = demand * (1 + p["headroom_pct"] / 100)
    need /= cap * step
    np.round(need, 9, out=need)
    np.ceil(need, out=need)
    need *= step
    if need.max() > MAX_UNITS:
        raise ValueError(f"the demand needs {need.max():,.0f} units, more than {MAX_UNITS:,}: raise the capacity "
                         "per unit or lower the demand")
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
    cumulative, unit_hours = np.cumsum(billed) * (usd / 60), float(billed.sum()) / 60
    for arr in (demand, desired, billed, capacity, cumulative):
        arr.flags.writeable = False
    return SimResult(p["platform"], demand, desired, billed, capacity, cap, int(np.count_nonzero(short)),
                     float(short.sum()) * 60, util, unit_hours, unit_hours * usd, cumulative, MappingProxyType(p),
                     tuple(str(x) for x in notes))


def _params(platform: str, start: StartTime, vcpus: float, capacity_per_vcpu_rps: float, usd: float,
            notes: tuple[str, ...], headroom_pct: float, min_units: int, scale_in_delay_min: int) -> dict[str, Any]:
    per = validate.number("capacity per vCPU", capacity_per_vcpu_rps, minimum=0, maximum=MAX_RATE,
                          allow_zero=False, unit="req/s")
    d = delay_minutes(start.seconds)
    return {"platform": platform, "unit_capacity_rps": vcpus * per, "provision_delay_min": d, "step_units": 1,
            "headroom_pct": headroom_pct, "min_units": min_units, "scale_in_delay_min": scale_in_delay_min,
            "price_per_unit_hour": usd, "notes": (f"{platform} start: {start.label} -> {d} min", *notes,
                                                  f"{vcpus:g} vCPU per unit, {per:g} req/s per vCPU: {ILLUSTRATIVE}")}


def vm_params(*, vm_start: str = VM_START_ROWS[0], price_row: str = VM_PRICE_ROWS[0], vm_vcpus: float = 2.0,
              capacity_per_vcpu_rps: float = 50.0, headroom_pct: float = 20.0, min_units: int = 1,
              scale_in_delay_min: int = 10) -> dict[str, Any]:
    """:func:`simulate` inputs for whole VMs: cited start time and price; vCPUs, capacity etc. illustrative."""
    usd, label = price(price_row, VM_PRICE_ROWS)
    vcpus = validate.number("vCPUs per VM", vm_vcpus, minimum=0, maximum=1024, allow_zero=False)
    return _params("vm", start_time(vm_start, VM_START_ROWS, "VM start time"), vcpus, capacity_per_vcpu_rps, usd,
                   (f"VM price: {label}",), headroom_pct, min_units, scale_in_delay_min)


def container_params(*, container_start: str = CONTAINER_ROWS[0], task_vcpu: float = 0.25, task_gb: float = 0.5,
                     capacity_per_vcpu_rps: float = 50.0, headroom_pct: float = 20.0, min_units: int = 1,
                     scale_in_delay_min: int = 10) -> dict[str, Any]:
    """:func:`simulate` inputs for small tasks on a shared pool, priced at the cited Fargate x86 rates."""
    (cpu, cpu_label), (mem, mem_label) = (price(r, FARGATE_ROWS) for r in FARGATE_ROWS)
    vcpu = validate.number("vCPU per task", task_vcpu, minimum=0, maximum=64, allow_zero=False)
    gb = validate.number("memory per task", task_gb, minimum=0, maximum=512, unit="GB")
    return _params("container", start_time(container_start, CONTAINER_ROWS, "container start time"), vcpu,
                   capacity_per_vcpu_rps, vcpu * cpu + gb * mem, (f"task vCPU: {cpu_label}", f"task memory: "
                   f"{mem_label}", f"{gb:g} GB per task: {ILLUSTRATIVE}"), headroom_pct, min_units, scale_in_delay_min)


@dataclass(frozen=True)
class Comparison:
    """The same demand through a VM fleet and a container fleet (and, for the widget, the window shown)."""

    demand_rps: np.ndarray
    vm: SimResult
    container: SimResult
    kind: str = "given"  # the profile kind, or "given" for a demand series passed in
    window: tuple[float, float] = (0.0, 7.0)  # (first day, number of days) on the widget's figure


def _mapping(name: str, params: object) -> Mapping[str, Any]:
    if not isinstance(params, Mapping):
        raise ValueError(f"{name} parameters must be a mapping of simulate() inputs, got {params!r:.40}")
    return params


def compare(demand: Sequence[float] | np.ndarray, vm_params: Mapping[str, Any],
            container_params: Mapping[str, Any]) -> Comparison:
    """Run :func:`simulate` for both platforms (each mapping holds its keyword inputs)."""
    vm = simulate(demand, **{**_mapping("vm", vm_params), "platform": "vm"})
    return Comparison(vm.demand_rps, vm, simulate(demand, **{**_mapping("container", container_params),
                                                             "platform": "container"}))


def first_slo_miss(spike_heights: Sequence[float], *, base_rps: float = 200.0, days: int = 7,
                   spike_minutes: int = 10, spikes: int = 3, seed: int = 0,
                   vm: Mapping[str, Any] | None = None) -> float:
    """The smallest of ``spike_heights`` (req/s above the base) at which the VM fleet has unmet demand.

    Scans the heights in ascending order over a synthetic ``"spike"`` profile (same seed, same spike times);
    ``vm`` holds :func:`simulate` inputs (default :func:`vm_params`). NaN if no height causes a miss.
    """
    if isinstance(spike_heights, str) or not isinstance(spike_heights, Sequence) or not spike_heights:
        raise ValueError("spike heights must be a non-empty list of numbers (req/s)")
    heights = sorted(validate.number("spike height", h, minimum=0, maximum=MAX_RATE, allow_zero=False,
                                     unit="req/s") for h in spike_heights)
    base = validate.number("base demand", base_rps, minimum=0, maximum=MAX_RATE, allow_zero=False, unit="req/s")
    params = {**(vm_params() if vm is None else _mapping("vm", vm)), "platform": "vm"}
    for h in heights:
        demand = profile("spike", days=days, base_rps=base, peak_rps=base + h, spike_rps=h,
                         spike_minutes=spike_minutes, spikes=spikes, seed=seed)
        if simulate(demand, **params).unmet_minutes:
            return h
    return math.nan


def _bucket(n: int) -> int:
    return next((b for b in BUCKETS_MIN if math.ceil(n / b) <= MAX_POINTS), BUCKETS_MIN[-1])


def draw_demand_capacity(fig: go.Figure, c: Comparison, window: tuple[float, float] | None = None) -> None:
    """Redraw demand and both capacities over ``window`` = (first day, number of days); default ``c.window``.

    Over 1,500 minutes the window is cut into buckets (5, 15, 60, 180 ... min, the smallest that fits), each
    shown by its MAXIMUM: peaks stay visible, a miss shorter than a bucket may not (the summary counts exactly).
    """
    n, window = c.demand_rps.size, c.window if window is None else window
    if isinstance(window, str) or not isinstance(window, Sequence) or len(window) != 2:
        raise ValueError(f"window must be (first day, number of days), got {window!r:.40}")
    start = validate.number("window start", window[0], minimum=0, maximum=n / DAY, unit="day")
    days = validate.number("window length", window[1], minimum=0, maximum=n / DAY, allow_zero=False, unit="days")
    lo, hi = int(round(start * DAY)), min(n, int(round((start + days) * DAY)))
    if hi <= lo:
        raise ValueError(f"window start must be before the end of the {n / DAY:g}-day profile, got day {start:g}")
    idx = np.arange(lo, hi, b := _bucket(hi - lo))
    x = np.round(idx / DAY, 5)  # rounded: a smaller stored figure; numpy arrays validate much faster than lists
    for trace, y in zip(fig.data, (c.demand_rps, c.vm.capacity_rps, c.container.capacity_rps), strict=True):
        trace.x, trace.y = x, np.round(np.maximum.reduceat(y[lo:hi], idx - lo), 2)
    what = "per-minute values" if b == 1 else f"maximum per {b} min"
    fig.layout.xaxis.title.text = f"time (days since the start of the synthetic year; {what})"
    fig.layout.xaxis.range = [lo / DAY, hi / DAY]


def demand_capacity_figure(c: Comparison, window: tuple[float, float] | None = None, *,
                           widget: bool = False) -> go.Figure:
    """Demand vs VM capacity vs container capacity over a window (see :func:`draw_demand_capacity`)."""
    fig = new_figure("Synthetic demand and the capacity each autoscaled fleet serves", "time (days)",
                     "requests per second (req/s)", widget=widget, height=440, yaxis={"rangemode": "tozero"},
                     legend={"orientation": "h", "y": -0.22, "x": 0}, margin={"b": 110})
    for name, key, shape in (("demand (synthetic)", "other", "linear"), ("VM capacity", "vm", "hv"),
                             ("container capacity", "container", "hv")):
        fig.add_scatter(x=[], y=[], mode="lines", name=name, line={"color": COLORS[key], "shape": shape, "width": 1.5},
                        hovertemplate=f"day %{{x:.2f}}<br>{name}: %{{y:,.0f}} req/s<extra></extra>")
    draw_demand_capacity(fig, c, window)
    return fig


def cumulative_cost_figure(c: Comparison) -> go.Figure:
    """Cumulative cost of both fleets (USD), one point per bucket (see above) plus the last minute."""
    fig = new_figure("Cumulative cost under the same synthetic demand: VMs vs containers",
                     "time (days since the start)", "cumulative cost (USD)", legend={"orientation": "h", "y": -0.2})
    n = c.demand_rps.size
    idx = np.unique(np.r_[np.arange(0, n, _bucket(n)), n - 1])
    for r, key, what in ((c.vm, "vm", "VMs"), (c.container, "container", "containers")):
        fig.add_scatter(x=((idx + 1) / DAY).tolist(), y=r.cumulative_cost_usd[idx].tolist(), mode="lines",
                        name=f"{what}: {r.cost_usd:,.2f} USD", line={"color": COLORS[key], "width": 2})
    return fig


def summarize(c: Comparison) -> str:
    """One sentence: cost, unmet demand and utilisation of both fleets."""
    miss: Callable[[SimResult], str] = lambda r: (  # noqa: E731
        f"{r.unmet_minutes:,} min of unmet demand ({r.unmet_requests:,.0f} requests short)")
    util = " vs ".join("n/a" if math.isnan(r.utilisation_pct) else f"{r.utilisation_pct:.0f}%"
                       for r in (c.vm, c.container))
    return (f"Over {c.demand_rps.size / DAY:g} days of synthetic demand the VM fleet costs {c.vm.cost_usd:,.2f} USD "
            f"with {miss(c.vm)} and the container fleet {c.container.cost_usd:,.2f} USD with {miss(c.container)}; "
            f"average utilisation {util}.")


def load_compare(kind: str = "realistic", base_rps: float | str = 200.0, peak_rps: float | str = 1000.0,
                 capacity_per_vcpu_rps: float | str = 50.0, headroom_pct: float | str = 20.0,
                 cooldown_min: int | str = 10, vm_start: str = VM_START_ROWS[0], window_days: int = 7,
                 window_start_day: float | str = 0, seed: int | str = 1, days: int = 365) -> Comparison:
    """The widget's model: a synthetic profile through both fleets (cited defaults); ValueError naming bad input.

    The year's profile and the two simulations are cached (a few recent inputs), so moving the window or
    changing a fleet setting does not recompute what did not change.
    """
    n_days = validate.integer("days", days, minimum=1, maximum=MAX_DAYS)
    span = validate.integer("window length", window_days, minimum=1, maximum=n_days)
    start = validate.number("window start", window_start_day, minimum=0, maximum=n_days - span, unit="day")
    c = _fleets(kind, base_rps, peak_rps, seed, n_days, capacity_per_vcpu_rps, headroom_pct, cooldown_min, vm_start)
    return Comparison(c.demand_rps, c.vm, c.container, kind, (start, float(span)))


@functools.lru_cache(maxsize=4)
def _cached_profile(kind: str, base_rps: object, peak_rps: object, seed: object, days: int) -> np.ndarray:
    demand = profile(kind, days=days, base_rps=base_rps, peak_rps=peak_rps, seed=seed)
    return demand


@functools.lru_cache(maxsize=4)
def _fleets(kind: str, base_rps: object, peak_rps: object, seed: object, days: int, capacity_per_vcpu_rps: object,
            headroom_pct: object, cooldown_min: object, vm_start: str) -> Comparison:
    shared = {"capacity_per_vcpu_rps": capacity_per_vcpu_rps, "headroom_pct": headroom_pct,
              "scale_in_delay_min": cooldown_min}  # validated by vm_params and simulate
    demand = _cached_profile(kind, base_rps, peak_rps, seed, days)
    return compare(demand, vm_params(vm_start=vm_start, **shared), container_params(**shared))


def details(c: Comparison) -> str:
    """HTML: the numbers per fleet and where every input comes from."""
    rows = [("serving per unit (req/s)", "{0.unit_capacity_rps:,.4g}"), ("cost (USD)", "{0.cost_usd:,.2f}"),
            ("provisioning delay (min)", "{0.params[provision_delay_min]}"),
            ("price per unit-hour (USD)", "{0.params[price_per_unit_hour]:.6g}"),
            ("unit-hours billed (starting units included)", "{0.unit_hours:,.1f}"),
            ("minutes with unmet demand", "{0.unmet_minutes:,}"), ("requests short", "{0.unmet_requests:,.0f}"),
            ("average utilisation (%)", "{0.utilisation_pct:.1f}")]
    body = "".join(f"<tr><td>{html.escape(label)}</td>" + "".join(
        f"<td>{html.escape(fmt.format(r))}</td>" for r in (c.vm, c.container)) + "</tr>" for label, fmt in rows)
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in (*c.vm.notes, *c.container.notes))
    return (f"<table><tr><th></th><th>VMs</th><th>containers</th></tr>{body}</table><ul>{notes}</ul>"
            f"<p><small>The demand ('{html.escape(c.kind)}') is synthetic. Prices are secondary, dated snapshots: "
            "re-check them on the provider's page. Headroom, cool-down and capacity are illustrative assumptions: "
            "set your own.</small></p>")


def _dropdown(name: str, options: Sequence[Any], description: str, width: str) -> ipw.Dropdown:
    return choice_box(DEFAULTS, name, options, description, width)


class LoadCalculator(Calculator[Comparison]):
    """A synthetic year of demand through an autoscaled VM fleet and a container fleet: cost and unmet demand."""

    def __init__(self, days: int = 365, **values: float | int | str) -> None:
        check_known(values, DEFAULTS)
        self.days = days  # the simulated horizon (a lesson's quick mode uses fewer days)
        c = load_compare(**{**DEFAULTS, **values}, days=days)
        controls: dict[str, ipw.ValueWidget] = {
            "kind": _dropdown("kind", list(KINDS), "profile (synthetic)", "260px"),
            "base_rps": number_box(DEFAULTS, "base_rps", "base demand (req/s)"),
            "peak_rps": number_box(DEFAULTS, "peak_rps", "peak demand (req/s)"),
            "capacity_per_vcpu_rps": number_box(DEFAULTS, "capacity_per_vcpu_rps", "capacity per vCPU (req/s)",
                                                "250px"),
            "headroom_pct": number_box(DEFAULTS, "headroom_pct", "headroom (%)", "160px"),
            "cooldown_min": number_box(DEFAULTS, "cooldown_min", "scale-in cool-down (min)"),
            "vm_start": _dropdown("vm_start", start_options(VM_START_ROWS), "VM start", "520px"),
            "window_days": _dropdown("window_days", list(WINDOWS.items()), "show", "240px"),
            "window_start_day": number_box(DEFAULTS, "window_start_day", "from day"),
            "seed": number_box(DEFAULTS, "seed", "seed", "140px")}
        for name, value in values.items():
            controls[name].value = str(value) if isinstance(controls[name], ipw.Text) else value
        super().__init__(
            "loadsim", controls, lambda **v: load_compare(**v, days=self.days), draw_demand_capacity, summarize,
            demand_capacity_figure(c, widget=True),
            layout_rows=[["kind", "base_rps", "peak_rps", "seed"], ["capacity_per_vcpu_rps", "headroom_pct",
                         "cooldown_min"], ["vm_start"], ["window_days", "window_start_day"]], details=details)
        legend = ipw.HTML("<small>The demand is synthetic (a formula and seeded noise). Demand, capacity, sizes, "
                          f"headroom and cool-down: {ILLUSTRATIVE}. Start times and prices (secondary, dated "
                          "snapshots) come from the course data and are cited under the figure.</small>")
        legend.add_class("cvm-assumptions")
        self.children = (legend, *self.children)
