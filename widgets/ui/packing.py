"""Allocation as a figure and a calculator (lesson 07): VMs sized for their peaks against a shared pool."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from ..core.validate import ILLUSTRATIVE
from ..models.packing import Packing, compare
from .calculator import Calculator, Number
from .figures import new_figure
from .theme import COLORS

#: The lesson-facing API of this topic: its own names and, re-exported, the model and lab names a lesson
#: uses with them (one import per topic in a lesson).
__all__ = ["PackingCalculator", "compare", "details", "draw", "packing_figure", "summarize"]

FREE_GREY = "#DDDDDD"  # allocated-but-idle and unallocated cores (not a platform colour)


def _what(p: Packing) -> str:
    return "synthetic demand" if p.synthetic else "the given demand"


def summarize(p: Packing) -> str:
    """One sentence: hosts, utilisation and stranded capacity of each strategy, and the contention risk."""
    v, c = p.vm, p.container
    risk = (
        f"at the price of {c.overload_steps:,} of {p.steps:,} hours in which a host's summed demand exceeded "
        f"its cores (contention, {c.unmet_core_h:,.1f} core-hours not served)"
        if c.overload_steps
        else "with no hour in which a host's summed demand exceeded its cores"
    )
    vms = (
        "VMs sized for their own peak"
        if p.vm_overcommit == 1
        else f"VMs sized for their own peak and overcommitted {p.vm_overcommit:g} vCPUs per core"
    )
    vm_risk = f", {v.overload_steps:,} hours of contention among them" if v.overload_steps else ""
    cores = "the VMs' cores" if p.vm_overcommit == 1 else "their hosts' cores"
    return (
        f"On {_what(p)} for {p.n_services} services, {vms} need {v.hosts} "
        f"host{'s' * (v.hosts != 1)} (utilisation {v.utilisation:.0%} of {cores}, "
        f"{v.stranded_core_h:,.0f} core-hours stranded{vm_risk}), containers requesting their "
        f"p{p.request_percentile:g} need {c.hosts} host{'s' * (c.hosts != 1)} (utilisation "
        f"{c.utilisation:.0%} of the pool, {c.stranded_core_h:,.0f} core-hours idle), {risk}."
    )


def details(p: Packing) -> str:
    """HTML under the figure: the table of outputs and what is assumed."""
    rows = "".join(
        f"<tr><td>{html.escape(s.name)}</td><td>{s.hosts}</td><td>{s.utilisation:.1%}</td>"
        f"<td>{s.host_utilisation:.1%}</td><td>{s.stranded_core_h:,.1f}</td><td>{s.peak_utilisation:.0%}</td>"
        f"<td>{s.overload_steps}</td><td>{s.unmet_core_h:,.1f}</td></tr>"
        for s in (p.vm, p.container)
    )
    return (
        "<table><tr><th>strategy</th><th>hosts</th><th>utilisation of allocated</th><th>of all host cores</th>"
        "<th>stranded (core-h)</th><th>peak</th><th>overload hours</th><th>not served (core-h)</th></tr>"
        f"{rows}</table><p><small>Allocated: VMs = the sum of their sizes (peak rounded up to "
        f"{p.vm_step:g} vCPU steps); containers = all cores of their hosts, shared. Demand: "
        f"{'synthetic (a formula and seeded random numbers, not measured)' if p.synthetic else 'given'}. "
        f"Every input is an {ILLUSTRATIVE}.</small></p>"
    )


def draw(fig: go.Figure, p: Packing) -> None:
    """Redraw the per-host bars (used, stranded, unallocated, not served) for a :class:`Packing`."""
    x = [f"VM host {i + 1}" for i in range(p.vm.hosts)] + [f"container host {i + 1}" for i in range(p.container.hosts)]
    zv, zc = [0.0] * p.vm.hosts, [0.0] * p.container.hosts
    series = (
        list(p.vm.host_used) + zc,
        zv + list(p.container.host_used),
        list(p.vm.host_stranded) + list(p.container.host_stranded),
        list(p.vm.host_unallocated) + zc,
        zv + list(p.container.host_unmet),
    )
    for trace, y in zip(fig.data, series, strict=True):
        trace.x, trace.y = x, y
    fig.data[1].text = [""] * p.vm.hosts + [f"{n} h over" if n else "" for n in p.container.host_overload_steps]
    vms = "VMs sized for their peak" if p.vm_overcommit == 1 else f"VMs at {p.vm_overcommit:g}:1 CPU overcommit"
    fig.layout.title.text = (
        f"Used vs stranded cores per host, {_what(p)} over {p.steps:,} hours: {vms} vs a shared container pool"
    )
    fig.layout.shapes = [
        {
            "type": "line",
            "xref": "paper",
            "yref": "y",
            "x0": 0,
            "x1": 1,
            "y0": p.host_cores,
            "y1": p.host_cores,
            "line": {"dash": "dash", "color": COLORS["other"], "width": 1},
            "label": {"text": f"{p.host_cores} cores per host", "textposition": "end"},
        }
    ]


def packing_figure(p: Packing | None = None, *, widget: bool = False) -> go.Figure:
    """Stacked bars per host: cores used, allocated but idle, not allocated, and demand not served."""
    fig = new_figure(
        "Used vs stranded cores per host",
        "host",
        "cores (average over the hours)",
        widget=widget,
        height=440,
        barmode="stack",
        legend={"orientation": "h", "y": -0.25, "x": 0},
    )
    for name, colour, pattern in (
        ("used by VMs", COLORS["vm"], ""),
        ("used by containers", COLORS["container"], ""),
        ("allocated but idle (stranded)", FREE_GREY, ""),
        ("not allocated to any VM", FREE_GREY, "/"),
        ("demand above the host's cores (not served)", COLORS["other"], "x"),
    ):
        fig.add_bar(
            x=[],
            y=[],
            name=name,
            marker={"color": colour, "pattern": {"shape": pattern}},
            textposition="outside" if name == "used by containers" else "none",
            cliponaxis=False,
            hovertemplate=f"%{{x}}<br>{name}: %{{y:.3g}} cores on average<extra></extra>",
        )
    draw(fig, p if p is not None else compare())
    return fig


class PackingCalculator(Calculator[Packing]):
    """Change the services, the hosts and the container requests; see hosts, stranded cores and contention.

    All starting values are illustrative assumptions, set your own; the demand is synthetic.
    """

    name = "packing"
    inputs = tuple(
        Number(k, label, "230px")
        for k, label in (
            ("n_services", "services"),
            ("host_cores", "host cores"),
            ("vm_step", "VM size step (vCPUs)"),
            ("request_percentile", "container request (percentile)"),
            ("vm_overcommit", "VM CPU overcommit (vCPU per core)"),
            ("seed", "seed (synthetic demand)"),
            ("base_cores", "base demand (cores)"),
            ("daily_swing_pct", "daily swing (%)"),
            ("noise_pct", "noise (%)"),
            ("steps", "hours"),
        )
    )
    rows = (
        ("n_services", "host_cores", "vm_step", "request_percentile", "vm_overcommit"),
        ("seed", "base_cores", "daily_swing_pct", "noise_pct", "steps"),
    )
    legend = (
        f"The demand is synthetic (a daily sine plus seeded noise), not measured. VM CPU overcommit 1 is the fixed "
        f"allocation of cloud instance types; a hypervisor may overcommit. Every starting value is an {ILLUSTRATIVE}."
    )
    model = staticmethod(compare)
    make_figure = staticmethod(lambda p: packing_figure(p, widget=True))
    draw = staticmethod(draw)
    summarize = staticmethod(summarize)
    details = staticmethod(details)
