"""Memory overcommit as a figure and a calculator (lessons 01 and 07): VMs held at a ratio, and when they fit."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from ..core import data
from ..core.validate import ILLUSTRATIVE
from ..models.overcommit import Overcommit, overcommit, vms_held
from .calculator import Calculator, Number, Toggle
from .figures import new_figure
from .theme import COLORS

#: The lesson-facing API of this topic: its own names and, re-exported, the model and lab names a lesson
#: uses with them (one import per topic in a lesson).
__all__ = ["OvercommitCalculator", "overcommit", "overcommit_figure", "sharing_sources", "summarize", "vms_held"]

SHORT = ("VMs, steady", "VMs, all memory touched", "containers, steady", "containers, all at their limit")


def summarize(o: Overcommit) -> str:
    """One sentence: how many VMs are held, and what happens in the steady and the worst case."""
    vs, va, cs, ca = o.scenarios
    return (
        f"At {o.ratio:g}:1 the host's {o.usable_gib:,.0f} GiB hold {o.vms} VMs of {o.vm_memory_gib:g} GiB; in the "
        f"steady state the VMs need {vs.resident_gib + vs.swapped_gib + vs.over_gib:,.0f} GiB ({vs.verdict}), "
        f"but when every guest touches all its memory they need {va.demand_gib - va.merged_gib:,.0f} GiB: "
        f"{va.verdict}. The same workloads as containers need {cs.resident_gib:,.0f} GiB steady; all at their "
        f"limits: {ca.verdict}."
    )


def sharing_sources() -> list[str]:
    """The published page-sharing figures, as sentences with their citations (not inputs of the model)."""
    table = data.load("memory_overcommit")
    return [f"{r['subject']}: {r['fact']} {r['value']:g} {r['unit']} ({table.cite(r)})" for r in table]


def details(o: Overcommit) -> str:
    """HTML: the four cases as a table, what is assumed, and the published sharing figures."""
    rows = "".join(
        f"<tr><td>{html.escape(s.name)}</td><td>{s.demand_gib:,.1f}</td><td>{s.merged_gib:,.1f}</td>"
        f"<td>{s.ballooned_gib:,.1f}</td><td>{s.resident_gib:,.1f}</td><td>{s.swapped_gib:,.1f}</td>"
        f"<td>{s.over_gib:,.1f}</td><td>{html.escape(s.verdict)}</td></tr>"
        for s in o.scenarios
    )
    refs = "".join(f"<li>{html.escape(t)}</li>" for t in sharing_sources())
    return (
        "<table><tr><th>case</th><th>held (GiB)</th><th>merged by KSM</th><th>ballooned back</th><th>in RAM</th>"
        f"<th>in swap</th><th>over (OOM)</th><th>what happens</th></tr>{rows}</table>"
        f"<p><small>Every input is an {ILLUSTRATIVE}. Published page-sharing savings, for scale (they depend on "
        f"how alike the guests are):</small></p><ul style='font-size:smaller'>{refs}</ul>"
    )


def draw(fig: go.Figure, o: Overcommit) -> None:
    """Update the stacked bars (in RAM, in swap, over) and the RAM and RAM + swap lines."""
    s = o.scenarios
    fig.data[0].y = [x.resident_gib if x.platform == "vm" else 0 for x in s]
    fig.data[1].y = [x.resident_gib if x.platform == "container" else 0 for x in s]
    fig.data[2].y = [x.swapped_gib for x in s]
    fig.data[3].y = [x.over_gib for x in s]
    fig.data[4].y = [x.merged_gib + x.ballooned_gib for x in s]
    for trace in fig.data:
        trace.x = list(SHORT)
    fig.layout.shapes = [
        {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": y, "y1": y,
         "line": {"dash": dash, "color": "#444444", "width": 1}, "label": {"text": text, "textposition": "end"}}
        for y, dash, text in ((o.usable_gib, "dash", "host RAM for guests"),
                              (o.usable_gib + o.swap_gib, "dot", "RAM + swap"))
    ]  # fmt: skip
    fig.layout.title.text = (
        f"Memory of {o.vms} VMs held at {o.ratio:g}:1 overcommit, or the same workloads as containers"
    )


def overcommit_figure(o: Overcommit | None = None, *, widget: bool = False) -> go.Figure:
    """Stacked bars per case: in host RAM, in swap, beyond both (OOM); what KSM and the balloon saved, apart."""
    fig = new_figure("Memory held at an overcommit ratio", "", "memory (GiB)", widget=widget, height=440,
                     barmode="stack", legend={"orientation": "h", "y": -0.25, "x": 0})  # fmt: skip
    for name, colour, pattern in (
        ("VMs: in host RAM", COLORS["vm"], ""),
        ("containers: in host RAM", COLORS["container"], ""),
        ("in host swap (slow)", "#999999", "/"),
        ("beyond RAM and swap: OOM kill", COLORS["sandbox"], "x"),
        ("saved by KSM and the balloon (not in RAM)", "#E5E5E5", "."),
    ):
        fig.add_bar(x=[], y=[], name=name, marker={"color": colour, "pattern": {"shape": pattern}},
                    hovertemplate=f"%{{x}}<br>{name}: %{{y:,.1f}} GiB<extra></extra>")  # fmt: skip
    draw(fig, o if o is not None else overcommit())
    return fig


class OvercommitCalculator(Calculator[Overcommit]):
    """Change the host, the VMs and the overcommit ratio; see what fits, steady and when every guest is full."""

    name = "overcommit"
    inputs = (
        Number("host_memory_gib", "host memory (GiB)", "210px"),
        Number("reserved_gib", "host reserve (GiB)", "200px"),
        Number("vm_memory_gib", "VM memory (GiB)", "200px"),
        Number("ratio", "overcommit ratio", "190px"),
        Number("working_set_pct", "working set (% of VM)", "220px"),
        Number("guest_os_gib", "guest OS (GiB)", "190px"),
        Number("ksm_mergeable_gib", "KSM-mergeable per VM (GiB)", "260px"),
        Number("swap_gib", "host swap (GiB)", "190px"),
        Toggle("balloon", "balloon driver in the guests"),
    )
    rows = (
        ("host_memory_gib", "reserved_gib", "vm_memory_gib", "ratio"),
        ("working_set_pct", "guest_os_gib", "ksm_mergeable_gib", "swap_gib"),
        ("balloon",),
    )
    legend = f"Every starting value is an {ILLUSTRATIVE}; the published page-sharing figures are listed below."
    model = staticmethod(overcommit)
    make_figure = staticmethod(lambda o: overcommit_figure(o, widget=True))
    draw = staticmethod(draw)
    summarize = staticmethod(summarize)
    details = staticmethod(details)
