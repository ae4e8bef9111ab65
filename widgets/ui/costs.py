"""Hosting cost and total cost of ownership as figures and calculators (lesson 04).

:class:`CostCalculator` draws :func:`widgets.models.costs.hosting_cost`: VMs kept for the peak against
containers billed for what they use; :class:`TcoCalculator` draws :func:`widgets.models.tco.tco`: stay on
VMs or re-architect, year by year. Every price shown carries its date, its source and "re-check".
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import plotly.graph_objects as go

from ..core import data, validate
from ..core.units import format_usd
from ..core.validate import ILLUSTRATIVE
from ..models.costs import MAX_RATIO, HostingCost, hosting_cost
from ..models.prices import (
    CONTROL_PLANES,
    PLATFORM_NAMES,
    PLATFORM_ROWS,
    STALE,
    VM_ROWS,
    max_discount,
    platform_options,
    price,
    vm_options,
)
from ..models.tco import COMPONENTS, STRATEGIES, Tco, default_hosting, tco
from .calculator import Calculator, Choice, Number, Toggle
from .figures import new_figure
from .theme import COLORS

#: The lesson-facing API of this topic: its own names and, re-exported, the model and lab names a lesson
#: uses with them (one import per topic in a lesson).
__all__ = [
    "CostCalculator",
    "TcoCalculator",
    "cost_figure",
    "details_cost",
    "details_tco",
    "draw_cost",
    "draw_tco",
    "hosting_cost",
    "price_table_html",
    "summarize_cost",
    "summarize_tco",
    "tco",
    "tco_figure",
    "variability_figure",
    "variability_summary",
]


def _break_even_words(h: HostingCost) -> str:
    if h.break_even == 1.0:
        return "containers are cheaper at any peak-to-average ratio above 1"
    if math.isinf(h.break_even):
        return "containers are not cheaper at any peak-to-average ratio"
    return f"containers become cheaper above a peak-to-average ratio of {h.break_even:.3g}"


def vm_practice(h: HostingCost) -> str:
    """How the VMs are run: 'kept for the peak' or 'following 40% of the swings'."""
    return "kept for the peak" if h.vm_autoscale_share == 0 else f"following {h.vm_autoscale_share:.0%} of the swings"


def summarize_cost(h: HostingCost) -> str:
    """One sentence: both monthly and yearly costs, which is cheaper, by how much, the break-even ratio."""
    vms = f"{h.vms:g}" if h.whole_vms else f"{h.vms:.3g}"
    winner = {"vm": "VMs are cheaper", "container": "containers are cheaper", "neither": "they cost the same"}
    by = f" by {format_usd(h.saving_monthly)} USD a month ({format_usd(h.saving_monthly * 12)} a year)" * (
        h.cheaper != "neither"
    )
    where = PLATFORM_NAMES[h.platform] + ("" if h.serverless else f", {h.nodes:g} nodes")
    return (
        f"For {h.avg_vcpu:g} vCPUs and {h.avg_mem_gb:g} GB on average with peaks {h.peak_to_avg:g}× the average, "
        f"{vms} {h.vm.short} VM{'s' * (h.vms != 1)} {vm_practice(h)} cost {format_usd(h.vm_monthly)} USD a month "
        f"({format_usd(h.vm_yearly)} a year) and containers on {where} {format_usd(h.container_monthly)} USD "
        f"({format_usd(h.container_yearly)} a year): {winner[h.cheaper]}{by}; {_break_even_words(h)} "
        f"(prices: {STALE})."
    )


def details_cost(h: HostingCost) -> str:
    """HTML: the arithmetic, the prices with their dates and sources, what is assumed."""
    kept = h.kept_factor(h.peak_to_avg)
    used = [h.vm, h.plane_price, *(p for p in (h.cpu_price, h.mem_price) if p is not None)]
    prices = "".join(f"<li>{html.escape(p.text())}</li>" for p in used)
    if h.serverless:
        containers = (
            f"Containers: ({h.container_vcpu:.4g} vCPU × {h.cpu_price.usd:g} + {h.container_mem_gb:.4g} GB × "
            f"{h.mem_price.usd:g}) USD/h × 730 h × (1 − {h.container_discount_pct:g}%) = "
            f"{format_usd(h.compute_monthly)}, + {format_usd(h.control_plane_usd_month)} control plane = "
            f"{format_usd(h.container_monthly)} USD/month. Serverless tasks are billed for what they request, per "
            "second, and are assumed here to follow the load fully; each takes tens of seconds to start (see the "
            "load simulation)."
        )
    else:
        containers = (
            f"Containers on a node pool: {'ceil' * h.whole_vms}(max(…) / {h.packing_pct:g}% packing × {kept:.4g}) = "
            f"{h.nodes:.4g} nodes × {format_usd(h.vm_unit_monthly)} USD + {format_usd(h.control_plane_usd_month)} "
            f"control plane = {format_usd(h.container_monthly)} USD/month. The nodes are the same VMs, added as "
            "slowly; one workload alone never makes a node pool cheaper than its VMs: the saving comes from several "
            "services sharing the nodes, which this calculator does not model."
        )
    return (
        f"<p>VMs ({html.escape(vm_practice(h))}): {'ceil' * h.whole_vms}(max({h.avg_vcpu:g} / {h.vm_vcpu:g} vCPUs, "
        f"{h.avg_mem_gb:g} / {h.vm_mem_gb:g} GB) × {kept:.4g}) = {h.vms:.4g} VMs × {h.vm.usd:g} USD/h × 730 h × "
        f"(1 − {h.discount_pct:g}%) = {format_usd(h.vm_monthly)} USD/month. {html.escape(containers)}</p>"
        f"<p>Prices used:</p><ul>{prices}</ul>"
        f"<p><small>The VM size ({h.vm_vcpu:g} vCPUs, {h.vm_mem_gb:g} GB) is not in the data; it, the discounts, "
        f"the packing and every other input are {ILLUSTRATIVE}. {html.escape(discount_bounds())}</small></p>"
    )


def discount_bounds() -> str:
    """The cited upper bounds of the Spot discounts, as one sentence."""
    fargate, f_cite = max_discount("fargate_spot")
    ec2, e_cite = max_discount("ec2_spot")
    return (
        f"Spot discounts are stated as maxima: up to {fargate:g}% for Fargate Spot ({f_cite}) and up to {ec2:g}% "
        f"for EC2 Spot ({e_cite}); Spot capacity can be taken back at short notice."
    )


def draw_cost(fig: go.Figure, h: HostingCost) -> None:
    """Redraw the side-by-side bars: VMs and containers (+ control plane), USD per month."""
    for trace, y in zip(fig.data, (h.vm_monthly, h.compute_monthly, h.overhead_monthly), strict=True):
        trace.y, trace.text = [y], [format_usd(y)]
    fig.data[0].name = f"{h.vms:.4g} × {h.vm.short} ({vm_practice(h)}; {h.vm.when})"
    what = "vCPU + memory" if h.serverless else f"{h.nodes:.4g} nodes"
    fig.data[1].name = f"{PLATFORM_NAMES[h.platform]}: {what}"


def cost_figure(h: HostingCost, *, widget: bool = False) -> go.Figure:
    """Monthly hosting cost: VMs and a container platform, side by side."""
    fig = new_figure(
        "Monthly hosting cost: VMs and a container platform, each billed its own way",
        "",
        "hosting cost (USD per month)",
        widget=widget,
        height=420,
        barmode="stack",
        legend={"orientation": "h", "y": -0.15, "x": 0},
    )
    for x, name, key, hatch in (
        ("VMs", "VM instances", "vm", ""),
        ("containers", "container compute", "container", ""),
        ("containers", "control plane", "container", "/"),
    ):
        fig.add_bar(
            x=[x],
            y=[0],
            name=name,
            marker={"color": COLORS[key], "pattern": {"shape": hatch}},
            textposition="inside",
            hovertemplate=f"{name}: %{{y:,.2f}} USD/month<extra></extra>",
        )
    draw_cost(fig, h)
    return fig


def variability_figure(h: HostingCost, max_ratio: float = 10.0) -> go.Figure:
    """Monthly cost vs peak-to-average ratio (1 to ``max_ratio``) for both options, the crossing marked."""
    hi = validate.number("largest ratio shown", max_ratio, minimum=1.5, maximum=MAX_RATIO)
    pts = {(x, h.vm_monthly_at(x)) for x in np.linspace(1, hi, 201).tolist()}
    if h.whole_vms and h.vm_autoscale_share < 1 and h.vm_count_at(hi) - h.vm_count_at(1) <= 1000:
        for j in range(int(h.vm_count_at(1)), int(h.vm_count_at(hi))):  # the fleet grows from j to j + 1 VMs
            x = 1 + (j / h.vms_per_load - 1) / (1 - h.vm_autoscale_share)
            if 1 <= x <= hi:
                pts |= {(x, j * h.vm_unit_monthly), (x, (j + 1) * h.vm_unit_monthly)}
    pts = sorted(pts)
    fig = new_figure(
        "Monthly hosting cost vs load variability",
        "peak-to-average ratio (×)",
        "hosting cost (USD per month)",
        height=420,
        legend={"orientation": "h", "y": -0.2, "x": 0},
    )
    fig.add_scatter(
        x=[p[0] for p in pts],
        y=[p[1] for p in pts],
        mode="lines",
        line={"color": COLORS["vm"]},
        name=f"VMs ({h.vm.short})",
    )
    xs = [p[0] for p in pts] if not h.serverless else [1, hi]
    fig.add_scatter(
        x=xs,
        y=[h.container_monthly_at(x) for x in xs],
        mode="lines",
        line={"color": COLORS["container"], "shape": "linear" if h.serverless else "hv"},
        name=f"containers ({PLATFORM_NAMES[h.platform]})",
    )
    be = [h.break_even] if 1 <= h.break_even <= hi else []
    fig.add_scatter(
        x=be,
        y=[h.container_monthly] * len(be),
        mode="markers",
        name="break-even",
        marker={"color": COLORS["other"], "size": 12, "symbol": "x"},
    )
    return fig


def variability_summary(h: HostingCost) -> str:
    """One sentence for :func:`variability_figure`."""
    if h.serverless:
        first = f"The serverless containers cost {format_usd(h.container_monthly)} USD a month at any variability"
    else:
        first = "The node pool grows with the peak like the VMs it is made of"
    return f"{first}; the VMs, {vm_practice(h)}, cost more as the peak grows: {_break_even_words(h)} (prices: {STALE})."


def summarize_tco(t: Tco) -> str:
    """One sentence: both N-year totals, the break-even year, how little of it is hosting."""
    vm, c = (float(t.cumulative(s)[-1]) for s in STRATEGIES)
    if t.break_even_year is not None:
        when = f"the containers break even in year {t.break_even_year} (after {t.break_even_years:.1f} years)"
    elif math.isfinite(t.break_even_years):
        when = f"no break-even within {t.years} years (they would catch up after {t.break_even_years:.1f} years)"
    else:
        when = f"no break-even within {t.years} years (the containers never catch up)"
    shares = t.totals("vm")
    total = sum(shares.values()) or 1.0
    return (
        f"Over {t.years} year{'s' * (t.years != 1)}, staying on VMs costs {format_usd(vm)} USD and re-architecting to "
        f"containers {format_usd(c)} USD: {when}; on VMs hosting is {shares['hosting'] / total:.0%} of the cost and "
        f"engineering {shares['engineering'] / total:.0%}."
    )


def details_tco(t: Tco) -> str:
    """HTML: each component's N-year total per strategy, and what is assumed."""
    rows = "".join(
        f"<tr><td>{c}</td>"
        + "".join(f"<td style='text-align:right'>{format_usd(t.totals(s)[c])}</td>" for s in STRATEGIES)
        + "</tr>"
        for c in COMPONENTS
    )
    head = "".join(f"<th>{html.escape(v)}</th>" for v in STRATEGIES.values())
    return (
        f"<table><tr><th>USD over {t.years} years</th>{head}</tr>{rows}</table><p><small>Training, migration "
        "and risk (probability × cost of a failure) are paid in year 1. Hosting defaults come from the cost "
        f"calculator's default case (prices: {STALE}); every other input is {ILLUSTRATIVE}.</small></p>"
    )


def draw_tco(fig: go.Figure, t: Tco) -> None:
    """Redraw the two cumulative lines and the break-even marker."""
    for trace, s in zip(fig.data[:2], STRATEGIES, strict=True):
        trace.x, trace.y = list(range(t.years + 1)), t.cumulative(s).tolist()
    be = t.break_even_years if t.break_even_year is not None else None
    fig.data[2].x = [] if be is None else [be]
    fig.data[2].y = (
        []
        if be is None
        else [float(sum(t.one_off["container"].values()) + be * sum(t.recurring["container"].values()))]
    )
    fig.data[2].name = f"break-even: year {t.break_even_year}" if be is not None else f"no break-even in {t.years} y"


def tco_figure(t: Tco, *, widget: bool = False) -> go.Figure:
    """Cumulative cost over the years for both strategies, the break-even marked."""
    fig = new_figure(
        "Total cost of ownership: stay on VMs or re-architect to containers",
        "years from now (years)",
        "cumulative cost (USD)",
        widget=widget,
        height=420,
        legend={"orientation": "h", "y": -0.2, "x": 0},
        yaxis={"rangemode": "tozero"},
    )
    for s, label in STRATEGIES.items():
        fig.add_scatter(
            x=[],
            y=[],
            mode="lines+markers",
            line={"color": COLORS[s]},
            name=label,
            hovertemplate=f"{label}<br>year %{{x}}: %{{y:,.0f}} USD<extra></extra>",
        )
    fig.add_scatter(
        x=[],
        y=[],
        mode="markers",
        marker={"color": COLORS["other"], "size": 13, "symbol": "x"},
        name="break-even",
        hovertemplate="break-even after %{x:.2f} years<extra></extra>",
    )
    draw_tco(fig, t)
    return fig


def price_table_html() -> str:
    """HTML table of every price row this module uses, with its date, source and the staleness warning."""
    table = data.load("cloud_prices")
    ids = [*VM_ROWS, *(r for rows in PLATFORM_ROWS.values() for r in rows), *dict.fromkeys(CONTROL_PLANES.values())]
    cells = "".join(
        f"<tr><td>{html.escape(p.label)}</td><td>{p.usd:g}</td><td>USD per {p.per}</td>"
        f"<td>{html.escape(p.region or 'not stated')}</td><td>{html.escape(p.date_seen)}</td>"
        f"<td>{html.escape(p.cite)}</td></tr>"
        for p in map(price, ids)
    )
    used = dict.fromkeys(table.row(id=i)["source"] for i in ids)
    sources = "".join(f"<li>{html.escape(table.sources[s].citation())}</li>" for s in used)
    return (
        f"<p class='cvm-message cvm-info'>⚠ Every price below is a {STALE}: none came from a provider's own "
        "price page.</p><table class='cvm-prices'><tr><th>item</th><th>price</th><th>unit</th><th>region</th>"
        f"<th>date seen</th><th>source</th></tr>{cells}</table><ul style='font-size:smaller'>{sources}</ul>"
    )


class CostCalculator(Calculator[HostingCost]):
    """VMs kept for the peak vs containers that follow the load: monthly hosting cost side by side."""

    name = "cost"
    inputs = (
        Number("avg_vcpu", "average vCPUs"),
        Number("avg_mem_gb", "average memory (GB)"),
        Number("peak_to_avg", "peak-to-average ratio"),
        Choice("vm_type", "VM price", vm_options, "640px"),
        Number("vm_vcpu", "VM vCPUs*", "160px"),
        Number("vm_mem_gb", "VM memory (GB)*"),
        Number("discount_pct", "VM discount (%)"),
        Number("vm_autoscale_share", "VM autoscaling share (0–1)"),
        Toggle("whole_vms", "whole VMs"),
        Choice("platform", "container platform", platform_options, "640px"),
        Number("container_discount_pct", "Fargate Spot discount (%)"),
        Number("headroom_pct", "container headroom (%)"),
        Number("packing_pct", "node packing (%)"),
        Number("control_plane_usd_month", "control plane (USD/month)", optional=True, placeholder="the platform's"),
    )
    rows = (
        ("avg_vcpu", "avg_mem_gb", "peak_to_avg"),
        ("vm_type",),
        ("vm_vcpu", "vm_mem_gb", "discount_pct", "vm_autoscale_share", "whole_vms"),
        ("platform",),
        ("container_discount_pct", "headroom_pct", "packing_pct", "control_plane_usd_month"),
    )
    legend = (
        f"Prices: {STALE} (dates and sources in the menus and under the figure). * The VM size is not in the "
        "data (default 2 vCPUs / 8 GB). VM discount: reserved, committed-use or Spot; autoscaling share 0 keeps the "
        f"VMs for the peak. Every number you type starts at an {ILLUSTRATIVE}."
    )
    model = staticmethod(hosting_cost)
    make_figure = staticmethod(lambda h: cost_figure(h, widget=True))

    def defaults(self) -> dict[str, Any]:
        return {**validate.defaults_of(hosting_cost), "control_plane_usd_month": ""}  # empty: the platform's own

    draw = staticmethod(draw_cost)
    summarize = staticmethod(summarize_cost)
    details = staticmethod(details_cost)


class TcoCalculator(Calculator[Tco]):
    """Stay on VMs or re-architect to containers: cumulative cost over N years and the break-even year."""

    name = "tco"
    inputs = tuple(
        Number(k, label, "260px")
        for k, label in (
            ("years", "years"),
            ("hosting_vm_usd_year", "VM hosting (USD/year)"),
            ("hosting_container_usd_year", "container hosting (USD/year)"),
            ("team_size", "team size"),
            ("engineer_usd_year", "cost per engineer-year (USD)"),
            ("ops_share_vm_pct", "ops share on VMs (%)"),
            ("ops_share_container_pct", "ops share on containers (%)"),
            ("training_usd_per_engineer", "training per engineer (USD)"),
            ("migration_engineer_months", "migration (engineer-months)"),
            ("failure_probability_pct", "failure probability (%)"),
            ("failed_migration_usd", "failure cost (USD)"),
        )
    )
    rows = (
        ("years", "hosting_vm_usd_year", "hosting_container_usd_year"),
        ("team_size", "engineer_usd_year", "ops_share_vm_pct", "ops_share_container_pct"),
        ("training_usd_per_engineer", "migration_engineer_months", "failure_probability_pct", "failed_migration_usd"),
    )
    legend = (
        f"A legacy application: every input is {ILLUSTRATIVE} (not data); the hosting defaults come from the "
        f"cost calculator's default case (prices: {STALE})."
    )
    model = staticmethod(tco)
    make_figure = staticmethod(lambda t: tco_figure(t, widget=True))
    draw = staticmethod(draw_tco)
    summarize = staticmethod(summarize_tco)
    details = staticmethod(details_tco)

    def defaults(self) -> dict[str, float]:
        vm_h, c_h = default_hosting()  # the cost calculator's default case, not a second copy of it
        return {**validate.defaults_of(tco), "hosting_vm_usd_year": vm_h, "hosting_container_usd_year": c_h}
