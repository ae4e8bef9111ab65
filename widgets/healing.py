"""Self-healing fleets: a container engine restarts, VM automation replaces.

A fleet of N identical instances serves a steady demand for a number of
hours. Instances fail at random (synthetic failures from a seeded random
generator, at a rate the learner sets in failures per instance per day). The
*same* failures strike two fleets, so the comparison is fair:

* containers: the engine's restart policy decides. ``"no"`` leaves a failed
  container down for the rest of the horizon; ``"on-failure"`` and
  ``"always"`` start it again after the restart delay plus the container
  start time from ``data/startup_times.csv``. For crashes, the only failures
  modelled here, the two behave the same; ``"always"`` also restarts a
  container that exited cleanly (and after a daemon restart), which this
  model does not simulate.
* VMs: automation notices the failure after a detection time and starts a
  replacement, which takes the VM start-up time from the data (Mao & Humphrey's
  2011–12 measurements); or, with ``"none"``, nothing replaces it.

Time resolution: none is needed. The model is event-driven and exact in
continuous time: failure times are floats in seconds, each failure opens an
outage of one instance, and the number of instances up changes only at
failure and repair times. Availability and lost requests are integrals of
that step function, computed exactly. A failure that strikes an instance
still being repaired starts its repair over. A day of 100 instances takes
about 0.3 ms (measured on the course machine, 2 cores).

Cited values: the start times (with ``table.cite(row)``). The container
rows come from gVisor's published data and include Docker's own overhead
(``docker run``); an engine restart skips some of that work, so they are a
rough stand-in for a restart. Every other input is an illustrative
assumption: set your own.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import ipywidgets as ipw
import numpy as np
import plotly.graph_objects as go

from . import data, validate
from .calculator import Calculator, check_known, choice_box, number_box
from .figures import new_figure
from .theme import COLORS
from .timescales import format_ms

#: Start-time rows (data/startup_times.csv) offered for containers and for VMs.
CONTAINER_ROWS = ("docker_run_alpine_true_runc", "node_app_start_runc", "ruby_app_start_runc")
VM_ROWS = ("ec2_linux_m1small", "rackspace_linux", "ec2_windows_m1small", "firecracker_boot_to_init")

RESTART_POLICIES = ("no", "on-failure", "always")
VM_POLICIES = {"replace": "replaced by automation", "none": "no replacement"}

MAX_INSTANCES = 1000
MAX_HOURS = 168.0  # one week
MAX_EXPECTED_FAILURES = 20_000  # keeps the figure to at most about 80,000 points
MAX_FAILURES_PER_DAY = 1440.0  # once a minute
MAX_SECONDS = 86_400.0  # the longest delay accepted: one day
MAX_RATE = 1e9  # req/s

#: Starting values: illustrative assumptions, set your own (the start times come from data).
DEFAULTS: dict[str, float | int | str] = {
    "n_instances": 20,
    "failures_per_day": 2.0,
    "hours": 24.0,
    "restart_policy": "always",
    "restart_delay_s": 1.0,
    "container_start": CONTAINER_ROWS[0],
    "vm_policy": "replace",
    "vm_detection_s": 60.0,
    "vm_start": VM_ROWS[0],
    "demand_rps": 950.0,
    "capacity_rps": 50.0,
    "seed": 7,
}


@dataclass(frozen=True)
class StartTime:
    """A cited start-up time from ``data/startup_times.csv``."""

    id: str
    subject: str
    seconds: float
    kind: str
    statistic: str
    period: str
    note: str
    cite: str

    @property
    def label(self) -> str:
        """'EC2 Linux m1.small: 96.9 s (M. Mao 2012)'."""
        return f"{self.subject}: {format_ms(self.seconds * 1000)} ({self.cite})"


def start_time(row_id: str, rows: Sequence[str], what: str = "start time") -> StartTime:
    """The cited start time of one of ``rows``; ValueError naming ``what`` otherwise."""
    validate.choice(what, row_id, rows)
    table = data.load("startup_times")
    row = table.row(id=row_id)
    return StartTime(row["id"], row["subject"], round(row["value_ms"] / 1000, 12), row["kind"], row["statistic"],
                     row["period"], row["note"] or "", table.cite(row))


def start_options(rows: Sequence[str]) -> list[tuple[str, str]]:
    """Dropdown options ``(label, row id)`` for the given start-time rows."""
    return [(start_time(r, rows).label, r) for r in rows]


def instances_needed(demand_rps: float, capacity_rps: float) -> int:
    """Whole instances needed to carry ``demand_rps`` (ceil, tolerant of float noise)."""
    return math.ceil(round(demand_rps / capacity_rps, 9))


@dataclass(frozen=True)
class HealingRun:
    """Two fleets under the same failures: instances up over time, and what it cost."""

    time_min: np.ndarray  # shared time axis (minutes); the counts hold from each point to the next
    up_container: np.ndarray
    up_vm: np.ndarray
    n_instances: int
    hours: float
    needed: int  # instances needed for the demand
    demand_rps: float
    capacity_rps: float
    failure_instance: np.ndarray  # the failure events, same for both fleets
    failure_h: np.ndarray
    restart_policy: str
    vm_policy: str
    container: StartTime
    vm: StartTime
    restart_delay_s: float
    vm_detection_s: float
    repair_container_s: float  # inf: never repaired
    repair_vm_s: float
    availability_container: float  # percent, time-average share of instances up
    availability_vm: float
    lost_container: float  # requests
    lost_vm: float
    mttr_container_s: float | None  # mean length of the outages that ended; None if none did
    mttr_vm_s: float | None
    seed: int | None  # None: failures given by hand

    @property
    def n_failures(self) -> int:
        """Failure events (the same for both fleets; one on an instance down for good changes nothing)."""
        return int(self.failure_h.size)


def _outages(inst: np.ndarray, t: np.ndarray, repair_s: float, horizon_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Merged outages (start, end) from failures sorted by (instance, time); ``repair_s`` may be inf."""
    if t.size == 0:
        return np.empty(0), np.empty(0)
    same_prev = np.r_[False, inst[1:] == inst[:-1]]
    same_next = np.r_[inst[1:] == inst[:-1], False]
    back = t + repair_s
    first = ~same_prev | (t >= np.r_[-np.inf, back[:-1]])
    last = ~same_next | (np.r_[t[1:], np.inf] >= back)
    return t[first], np.minimum(back[last], horizon_s)


def _up(axis: np.ndarray, starts: np.ndarray, ends: np.ndarray, n: int, horizon_s: float) -> np.ndarray:
    """Instances up at each time of ``axis`` (right-continuous step function)."""
    back = ends[ends < horizon_s]
    ev_t = np.concatenate([starts, back])
    if ev_t.size == 0:
        return np.full(axis.size, n, dtype=int)
    order = np.argsort(ev_t, kind="stable")
    change = np.concatenate([-np.ones(starts.size, dtype=int), np.ones(back.size, dtype=int)])[order]
    cum = np.r_[0, np.cumsum(change)]
    return n + cum[np.searchsorted(ev_t[order], axis, side="right")]


def _draw_failures(n: int, rate_per_s: float, horizon_s: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic failures: a Poisson process per instance (seeded)."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rate_per_s * horizon_s, size=n)
    return np.repeat(np.arange(n), counts), rng.uniform(0.0, horizon_s, size=int(counts.sum()))


def _given_failures(failures: object, n: int, hours: float) -> tuple[np.ndarray, np.ndarray]:
    """Failures given by hand as (instance index, time in hours) pairs."""
    if isinstance(failures, str) or not isinstance(failures, Sequence):
        raise ValueError("failures must be a list of (instance, hour) pairs, e.g. [(0, 1.5)]")
    inst, t = [], []
    for pair in failures:
        if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise ValueError(f"each failure must be an (instance, hour) pair, got {pair!r}")
        inst.append(validate.integer("failure instance", pair[0], minimum=0, maximum=n - 1))
        t.append(validate.number("failure time", pair[1], minimum=0, maximum=hours, unit="h") * 3600)
    return np.array(inst, dtype=int), np.array(t, dtype=float)


def simulate_healing(
    n_instances: int = 20,
    failures_per_day: float | str = 2.0,
    hours: float | str = 24.0,
    restart_policy: str = "always",
    restart_delay_s: float | str = 1.0,
    container_start: str = CONTAINER_ROWS[0],
    vm_policy: str = "replace",
    vm_detection_s: float | str = 60.0,
    vm_start: str = VM_ROWS[0],
    demand_rps: float | str = 950.0,
    capacity_rps: float | str = 50.0,
    seed: int | str = 7,
    *,
    failures: Sequence[tuple[int, float]] | None = None,
) -> HealingRun:
    """Run a container fleet and a VM fleet through the same failures.

    Parameters
    ----------
    n_instances:
        Instances in each fleet (1 to 1000).
    failures_per_day:
        Failures per instance per day (synthetic, a Poisson process); 0 for none.
    hours:
        The horizon (h, at most one week).
    restart_policy:
        The container engine's policy: ``"no"``, ``"on-failure"`` or ``"always"``.
    restart_delay_s:
        Seconds before the engine restarts a failed container.
    container_start, vm_start:
        Row ids of ``data/startup_times.csv`` (:data:`CONTAINER_ROWS`, :data:`VM_ROWS`).
    vm_policy:
        ``"replace"`` (automation starts a new VM) or ``"none"``.
    vm_detection_s:
        Seconds until automation notices a failed VM.
    demand_rps, capacity_rps:
        The steady demand and what one instance serves (requests/s).
    seed:
        Seed of the synthetic failures (same seed, same failures).
    failures:
        Deterministic mode: ``(instance index, time in h)`` pairs used instead of
        the random draw (``failures_per_day`` and ``seed`` are then ignored).

    Raises
    ------
    ValueError
        If an input is out of range or not a number; the message names it.
    """
    n = validate.integer("instances", n_instances, minimum=1, maximum=MAX_INSTANCES)
    hours_ = validate.number("hours", hours, minimum=0, maximum=MAX_HOURS, allow_zero=False, unit="h")
    policy = validate.choice("restart policy", restart_policy, RESTART_POLICIES)
    delay = validate.number("restart delay", restart_delay_s, minimum=0, maximum=MAX_SECONDS, unit="s")
    vm_pol = validate.choice("VM policy", vm_policy, VM_POLICIES)
    detect = validate.number("detection time", vm_detection_s, minimum=0, maximum=MAX_SECONDS, unit="s")
    demand = validate.number("demand", demand_rps, minimum=0, maximum=MAX_RATE, unit="req/s")
    capacity = validate.number("capacity per instance", capacity_rps, minimum=0, maximum=MAX_RATE,
                               allow_zero=False, unit="req/s")
    container = start_time(container_start, CONTAINER_ROWS, "container start time")
    vm = start_time(vm_start, VM_ROWS, "VM start time")
    horizon = hours_ * 3600
    if failures is None:
        rate = validate.number("failures per day", failures_per_day, minimum=0, maximum=MAX_FAILURES_PER_DAY)
        seed_ = validate.integer("seed", seed, minimum=0, maximum=2**32 - 1)
        expected = n * rate * hours_ / 24
        if expected > MAX_EXPECTED_FAILURES:
            raise ValueError(f"about {expected:,.0f} failures expected: too many to simulate (at most "
                             f"{MAX_EXPECTED_FAILURES:,}); lower the failures per day, instances or hours")
        inst, t = _draw_failures(n, rate / 86_400, horizon, seed_)
    else:
        seed_ = None
        inst, t = _given_failures(failures, n, hours_)
    order = np.lexsort((t, inst))
    inst, t = inst[order], t[order]
    repair_c = math.inf if policy == "no" else delay + container.seconds
    repair_v = math.inf if vm_pol == "none" else detect + vm.seconds
    out_c, out_v = _outages(inst, t, repair_c, horizon), _outages(inst, t, repair_v, horizon)
    axis = np.unique(np.concatenate([[0.0, horizon], *out_c, *out_v]))
    span = np.diff(axis)
    results = []
    for (starts, ends), repair in ((out_c, repair_c), (out_v, repair_v)):
        up = _up(axis, starts, ends, n, horizon)
        availability = 100 * float(up[:-1] @ span) / (n * horizon)
        lost = float(np.maximum(0.0, demand - up[:-1] * capacity) @ span)
        done = ends < horizon if math.isfinite(repair) else np.zeros(ends.size, dtype=bool)
        mttr = round(float((ends[done] - starts[done]).mean()), 9) if done.any() else None
        results.append((up, availability, lost, mttr))
    (up_c, av_c, lost_c, mttr_c), (up_v, av_v, lost_v, mttr_v) = results
    # Restore the failures to time order for display.
    by_time = np.argsort(t, kind="stable")
    return HealingRun(axis / 60, up_c, up_v, n, hours_, instances_needed(demand, capacity), demand, capacity,
                      inst[by_time], t[by_time] / 3600, policy, vm_pol, container, vm, delay, detect,
                      repair_c, repair_v, av_c, av_v, lost_c, lost_v, mttr_c, mttr_v, seed_)


def format_percent(pct: float) -> str:
    """A percentage with enough decimals not to round up to 100% ('99.997%')."""
    if pct >= 100:
        return "100%"
    for digits in range(1, 7):
        text = f"{pct:.{digits}f}"
        if float(text) < 100:
            return f"{text}%"
    return f"{math.floor(pct * 1e6) / 1e6:.6f}%"  # truncated: 99.9999999 is not 100


def _fleet_phrase(r: HealingRun, platform: str) -> str:
    c = platform == "container"
    mttr = r.mttr_container_s if c else r.mttr_vm_s
    repair = r.repair_container_s if c else r.repair_vm_s
    up = r.up_container if c else r.up_vm
    pct = format_percent(r.availability_container if c else r.availability_vm)
    if not math.isfinite(repair):
        why = f"restart policy '{r.restart_policy}'" if c else "no replacement"
        return f"stayed down for good ({why}: {r.n_instances - int(up[-1])} of {r.n_instances} down at the end; " \
               f"availability {pct})"
    if mttr is None:
        return f"finished no repair within the horizon (availability {pct})"
    return f"were back in {format_ms(mttr * 1000)} on average (availability {pct})"


def summarize(r: HealingRun) -> str:
    """One sentence: failures, time to repair and availability per fleet, requests lost."""
    where = "synthetic, seed " + str(r.seed) if r.seed is not None else "given by hand"
    lost = f"losing {r.lost_container:,.0f} vs {r.lost_vm:,.0f} requests"
    short = ""
    if r.needed > r.n_instances:
        short = (f" Even with every instance up, {r.n_instances} instances carry only "
                 f"{r.n_instances * r.capacity_rps:,.0f} of the {r.demand_rps:,.0f} req/s demand.")
    if r.n_failures == 0:
        return (f"Over {r.hours:g} h none of the {r.n_instances} instances failed ({where}): both fleets stayed "
                f"at 100% availability, {lost}.{short}")
    return (f"Over {r.hours:g} h both fleets of {r.n_instances} instances suffered {r.n_failures} failures "
            f"({where}); containers {_fleet_phrase(r, 'container')}, VMs {_fleet_phrase(r, 'vm')}, {lost}.{short}")


def details(r: HealingRun) -> str:
    """HTML: the repair times, where the start times come from, and what is assumed."""
    def repair(s: float, parts: str) -> str:
        return "never" if not math.isfinite(s) else f"{format_ms(s * 1000)} ({parts})"

    rc = repair(r.repair_container_s, f"restart delay {r.restart_delay_s:g} s + start {r.container.seconds:g} s")
    rv = repair(r.repair_vm_s, f"detection {r.vm_detection_s:g} s + start {r.vm.seconds:g} s")
    rows = "".join(
        f"<li><b>{html.escape(s.subject)}</b>: {html.escape(format_ms(s.seconds * 1000))}, {html.escape(s.statistic)}"
        f", {html.escape(s.period)} ({html.escape(s.cite)}). {html.escape(s.note)}</li>"
        for s in (r.container, r.vm))
    return (f"<p>Repair time: containers {html.escape(rc)}; VMs {html.escape(rv)}. Instances needed for the "
            f"demand: {r.needed}. Failures are synthetic (seeded random); the failure rate, delays, demand and "
            "capacity are illustrative assumptions: set your own.</p>"
            f"<p>Start times used:</p><ul>{rows}</ul>"
            "<p><small>On crashes 'on-failure' and 'always' behave the same; 'always' also restarts after a "
            "clean exit, which is not modelled. The container start times are <code>docker run</code> times "
            "that include Docker's own overhead; the VM times were measured in 2011–12.</small></p>")


def draw(fig: go.Figure, r: HealingRun) -> None:
    """Redraw both fleets' step lines and the line of instances needed."""
    vms, containers, need = fig.data  # containers drawn last, on top: their short dips stay visible
    containers.x, containers.y = r.time_min.tolist(), r.up_container.tolist()
    containers.name = f"containers ({r.container.subject})"
    vms.x, vms.y = r.time_min.tolist(), r.up_vm.tolist()
    vms.name = f"VMs ({r.vm.subject})" if r.vm_policy == "replace" else "VMs (no replacement)"
    need.x, need.y = [0.0, r.hours * 60], [r.needed, r.needed]
    need.name = f"needed for {r.demand_rps:,.0f} req/s: {r.needed}"
    fig.layout.xaxis.range = [0.0, r.hours * 60]
    low = min(float(r.up_vm.min()), float(r.up_container.min()), float(r.needed))
    fig.layout.yaxis.range = [max(0.0, low - 2), max(r.n_instances, r.needed) * 1.04 + 0.5]


def figure(r: HealingRun, *, widget: bool = False) -> go.Figure:
    """Instances up over time for both fleets (step lines), with the instances needed."""
    fig = new_figure("Instances up over time: containers restarted, VMs replaced (synthetic failures)",
                     "time (min)", "instances up (count)", widget=widget, height=440,
                     legend={"orientation": "h", "y": -0.2, "x": 0}, margin={"b": 100})
    for key, what in (("vm", "VMs"), ("container", "containers")):
        fig.add_scatter(x=[], y=[], mode="lines", line={"shape": "hv", "color": COLORS[key], "width": 2},
                        name=what, hovertemplate=f"t = %{{x:,.2f}} min<br>{what} up: %{{y}}<extra></extra>")
    fig.add_scatter(x=[], y=[], mode="lines", line={"dash": "dash", "color": COLORS["other"], "width": 1.5},
                    name="needed", hoverinfo="skip")
    draw(fig, r)
    return fig


def _text(name: str, description: str, width: str = "220px") -> ipw.Text:
    return number_box(DEFAULTS, name, description, width)


def _dropdown(name: str, options: list[tuple[str, str]] | Sequence[str], description: str,
              width: str = "300px") -> ipw.Dropdown:
    return choice_box(DEFAULTS, name, options, description, width)


class HealingCalculator(Calculator[HealingRun]):
    """Fail instances at random and watch a container engine and VM automation heal the fleet."""

    def __init__(self, **values: float | int | str) -> None:
        check_known(values, DEFAULTS)
        r = simulate_healing(**{**DEFAULTS, **values})
        controls: dict[str, ipw.ValueWidget] = {
            "n_instances": ipw.IntSlider(value=DEFAULTS["n_instances"], min=1, max=200, description="instances",
                                         continuous_update=False, style={"description_width": "initial"}),
            "failures_per_day": _text("failures_per_day", "failures per instance per day"),
            "hours": _text("hours", "hours", "140px"),
            "seed": _text("seed", "seed", "140px"),
            "restart_policy": _dropdown("restart_policy", list(RESTART_POLICIES), "restart policy", "220px"),
            "restart_delay_s": _text("restart_delay_s", "restart delay (s)"),
            "container_start": _dropdown("container_start", start_options(CONTAINER_ROWS), "container start",
                                         "460px"),
            "vm_policy": _dropdown("vm_policy", [(v, k) for k, v in VM_POLICIES.items()], "VM policy", "260px"),
            "vm_detection_s": _text("vm_detection_s", "detection (s)"),
            "vm_start": _dropdown("vm_start", start_options(VM_ROWS), "VM start", "520px"),
            "demand_rps": _text("demand_rps", "demand (req/s)"),
            "capacity_rps": _text("capacity_rps", "capacity per instance (req/s)", "260px"),
        }
        for name, value in values.items():
            control = controls[name]
            control.value = str(value) if isinstance(control, ipw.Text) else value
        super().__init__(
            "healing", controls, simulate_healing, draw, summarize, figure(r, widget=True),
            layout_rows=[["n_instances", "failures_per_day", "hours", "seed"],
                         ["restart_policy", "restart_delay_s", "container_start"],
                         ["vm_policy", "vm_detection_s", "vm_start"],
                         ["demand_rps", "capacity_rps"]],
            details=details,
        )
        legend = ipw.HTML("<small>Failures are synthetic (seeded random). Failure rate, delays, demand and "
                          "capacity are illustrative assumptions: set your own. The start times come from the "
                          "course data and are cited in the menus and under the figure.</small>")
        legend.add_class("cvm-assumptions")
        self.children = (legend, *self.children)
