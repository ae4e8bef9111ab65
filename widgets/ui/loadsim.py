"""The load simulation as figures and a calculator (lesson 04): demand, capacity and cost of both fleets."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from ..core import validate
from ..core.validate import ILLUSTRATIVE
from ..models.loadsim import (
    BUCKETS_MIN,
    MAX_POINTS,
    VM_START_ROWS,
    WINDOWS,
    Comparison,
    SimResult,
    load_compare,
)
from ..models.profiles import DAY, KINDS
from ..models.starttimes import start_options
from .calculator import Calculator, Choice, Number
from .figures import new_figure
from .theme import COLORS


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
    for trace, r in zip(fig.data, (None, *c.fleets), strict=True):
        y = c.demand_rps if r is None else r.capacity_rps
        trace.x, trace.y = x, np.round(np.maximum.reduceat(y[lo:hi], idx - lo), 2)
    what = "per-minute values" if b == 1 else f"maximum per {b} min"
    fig.layout.xaxis.title.text = f"time (days since the start of the synthetic year; {what})"
    fig.layout.xaxis.range = [lo / DAY, hi / DAY]


def demand_capacity_figure(
    c: Comparison, window: tuple[float, float] | None = None, *, widget: bool = False
) -> go.Figure:
    """Demand vs VM capacity vs container capacity over a window (see :func:`draw_demand_capacity`)."""
    fig = new_figure(
        "Synthetic demand and the capacity each autoscaled fleet serves",
        "time (days)",
        "requests per second (req/s)",
        widget=widget,
        height=440,
        yaxis={"rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.22, "x": 0},
        margin={"b": 110},
    )
    traces = [("demand (synthetic)", "other", "linear", "solid"), ("VM capacity", "vm", "hv", "solid")]
    if c.node_pool is not None:
        traces.append(("node-pool capacity (containers on VMs)", "container", "hv", "dot"))
    traces.append(("serverless container capacity", "container", "hv", "solid"))
    for name, key, shape, dash in traces:
        fig.add_scatter(
            x=[],
            y=[],
            mode="lines",
            name=name,
            line={"color": COLORS[key], "shape": shape, "width": 1.5, "dash": dash},
            hovertemplate=f"day %{{x:.2f}}<br>{name}: %{{y:,.0f}} req/s<extra></extra>",
        )
    draw_demand_capacity(fig, c, window)
    return fig


def cumulative_cost_figure(c: Comparison) -> go.Figure:
    """Cumulative cost of both fleets (USD), one point per bucket (see above) plus the last minute."""
    fig = new_figure(
        "Cumulative cost under the same synthetic demand: VMs vs containers",
        "time (days since the start)",
        "cumulative cost (USD)",
        legend={"orientation": "h", "y": -0.2},
    )
    n = c.demand_rps.size
    idx = np.unique(np.r_[np.arange(0, n, _bucket(n)), n - 1])
    for r, key, what, dash in _named(c):
        fig.add_scatter(
            x=((idx + 1) / DAY).tolist(),
            y=r.cumulative_cost_usd[idx].tolist(),
            mode="lines",
            name=f"{what}: {r.cost_usd:,.2f} USD",
            line={"color": COLORS[key], "width": 2, "dash": dash},
        )
    return fig


def _named(c: Comparison) -> list[tuple[SimResult, str, str, str]]:
    """(result, colour key, name, dash) for each fleet of ``c``."""
    out = [(c.vm, "vm", "VMs (autoscaling group)", "solid")]
    if c.node_pool is not None:
        out.append((c.node_pool, "container", "containers on a node pool", "dot"))
    return [*out, (c.container, "container", "serverless containers", "solid")]


def summarize(c: Comparison) -> str:
    """One sentence: cost, unmet demand and utilisation of every fleet, and the VMs' share followed."""
    parts = [
        f"{what} {r.cost_usd:,.2f} USD with {r.unmet_minutes:,} min of unmet demand "
        f"({r.unmet_requests:,.0f} requests short, utilisation "
        + ("n/a" if math.isnan(r.utilisation_pct) else f"{r.utilisation_pct:.0f}%")
        + ")"
        for r, _, what, _ in _named(c)
    ]
    share = c.followed_share("vm")
    follows = (
        ""
        if math.isnan(share)
        else f" The VMs followed {share:.0%} of the swings (set that share in the cost calculator to compare)."
    )
    return f"Over {c.demand_rps.size / DAY:g} days of synthetic demand: " + "; ".join(parts) + "." + follows


def details(c: Comparison) -> str:
    """HTML: the numbers per fleet and where every input comes from."""
    rows = [
        ("serving per unit (req/s)", "{0.unit_capacity_rps:,.4g}"),
        ("cost (USD)", "{0.cost_usd:,.2f}"),
        ("provisioning delay (min)", "{0.params[provision_delay_min]}"),
        ("price per unit-hour (USD)", "{0.params[price_per_unit_hour]:.6g}"),
        ("fixed price per hour (USD)", "{0.params[fixed_price_per_hour]:.6g}"),
        ("unit-hours billed (starting units included)", "{0.unit_hours:,.1f}"),
        ("minutes with unmet demand", "{0.unmet_minutes:,}"),
        ("requests short", "{0.unmet_requests:,.0f}"),
        ("average utilisation (%)", "{0.utilisation_pct:.1f}"),
    ]
    fleets = _named(c)
    body = "".join(
        f"<tr><td>{html.escape(label)}</td>"
        + "".join(f"<td>{html.escape(fmt.format(r))}</td>" for r, *_ in fleets)
        + "</tr>"
        for label, fmt in rows
    )
    head = "".join(f"<th>{html.escape(what)}</th>" for _, _, what, _ in fleets)
    notes = "".join(f"<li>{html.escape(n)}</li>" for r, *_ in fleets for n in r.notes)
    return (
        f"<table><tr><th>measure</th>{head}</tr>{body}</table><ul>{notes}</ul>"
        f"<p><small>The demand ('{html.escape(c.kind)}') is synthetic. Prices are secondary, dated snapshots: "
        "re-check them on the provider's page. Headroom, cool-down, packing and capacity are illustrative "
        "assumptions: set your own. A node pool pays off when several services share its nodes, which one "
        "workload cannot show.</small></p>"
    )


class LoadCalculator(Calculator[Comparison]):
    """A synthetic year of demand through an autoscaled VM fleet and a container fleet: cost and unmet demand.

    ``days`` is the simulated horizon (a lesson's quick mode uses fewer days); it is not a control.
    """

    name = "loadsim"
    inputs = (
        Choice("kind", "profile (synthetic)", KINDS, "260px"),
        Number("base_rps", "base demand (req/s)"),
        Number("peak_rps", "peak demand (req/s)"),
        Number("capacity_per_vcpu_rps", "capacity per vCPU (req/s)", "250px"),
        Number("headroom_pct", "headroom (%)", "160px"),
        Number("cooldown_min", "scale-in cool-down (min)"),
        Choice("vm_start", "VM start", lambda: start_options(VM_START_ROWS), "520px"),
        Choice("window_days", "show", list(WINDOWS.items()), "240px"),
        Number("window_start_day", "from day"),
        Number("seed", "seed", "140px"),
    )
    rows = (
        ("kind", "base_rps", "peak_rps", "seed"),
        ("capacity_per_vcpu_rps", "headroom_pct", "cooldown_min"),
        ("vm_start",),
        ("window_days", "window_start_day"),
    )
    legend = (
        "Three fleets, each with its own start time and billing: VMs, containers on a node pool of those VMs, "
        "serverless containers (Fargate). "
        f"The demand is synthetic (a formula and seeded noise). Demand, capacity, sizes, headroom and cool-down: "
        f"{ILLUSTRATIVE}. Start times and prices (secondary, dated snapshots) come from the course data and are "
        "cited under the figure."
    )
    make_figure = staticmethod(lambda c: demand_capacity_figure(c, widget=True))
    draw = staticmethod(draw_demand_capacity)
    summarize = staticmethod(summarize)
    details = staticmethod(details)

    def __init__(self, days: int = 365, **values: float | int | str) -> None:
        self.days = days
        super().__init__(**values)

    def model(self, **values: Any) -> Comparison:
        return load_compare(**values, days=self.days)

    def defaults(self) -> dict[str, Any]:
        return validate.defaults_of(load_compare)
