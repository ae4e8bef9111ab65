"""Published overheads as figures and an explorer (lesson 07): every benchmark relative to native."""

from __future__ import annotations

import html
import statistics
from collections.abc import Sequence

import plotly.graph_objects as go

from ..models.overheads import (
    CATEGORIES,
    FLAGGED,
    PLATFORM_SETS,
    PLATFORMS,
    SOCKETS,
    OverheadRow,
    Overheads,
    SyscallCost,
    explore,
    normalise,
    syscall_costs,
    worst,
)
from .calculator import Calculator, Choice
from .figures import new_figure
from .theme import COLORS

#: The lesson-facing API of this topic: its own names and, re-exported, the model and lab names a lesson
#: uses with them (one import per topic in a lesson).
__all__ = [
    "OverheadExplorer",
    "details",
    "draw",
    "figure",
    "normalise",
    "summarize",
    "summarize_syscalls",
    "syscall_costs",
    "syscall_figure",
]


def summarize(o: Overheads) -> str:
    """One sentence built from the data: median and worst relative performance per platform."""
    parts = []
    for p in o.platforms:
        rel = [r.relative for r in o.rows if r.platform == p]
        if not rel:
            continue
        w = worst(o, p)
        if len(rel) == 1:
            parts.append(f"{PLATFORMS[p]} {w.relative:.2f}× ({w.short}, its only benchmark here)")
        else:
            parts.append(
                f"{PLATFORMS[p]} median {statistics.median(rel):.2f}× over {len(rel)} benchmarks, "
                f"worst {w.relative:.2f}× ({w.short})"
            )
    flagged = " ⚠ rows are flagged in the data to check against the report." if any(r.caution for r in o.rows) else ""
    if o.left_out:
        flagged += (
            f" Left out: {len(o.left_out)} rows the data flag for checking ({', '.join(o.left_out)}: Docker "
            "several times faster than native); choose 'show' to see them."
        )
    return (
        f"Relative to native (1.0×, higher is better), {o.category} benchmarks in Felter et al.'s data: "
        + "; ".join(parts)
        + "."
        + flagged
    )


def _hover(r: OverheadRow) -> list[str]:
    def sd(x: float | None) -> str:
        return "" if x is None else f" (SD {x:,.3g})"

    raw = f"{r.value:,.6g}{sd(r.value_sd)} {r.unit} vs native {r.native:,.6g}{sd(r.native_sd)} {r.unit}"
    how = "value / native" if r.higher_is_better else "native / value (lower is better, inverted)"
    return [raw, how, r.conditions, f"{r.citation}, {r.where}", r.note or "-"]


def draw(fig: go.Figure, o: Overheads) -> None:
    """Redraw the grouped bars (one trace per platform) for an :class:`Overheads`."""
    labels = o.labels()
    shown = [(lab + " ⚠") if any(r.caution for r in o.rows if r.label == lab) else lab for lab in labels]
    for trace, p in zip(fig.data, PLATFORMS, strict=True):
        cells = {r.label: r for r in o.rows if r.platform == p}
        trace.visible = p in o.platforms
        trace.y = shown
        trace.x = [cells[lab].relative if lab in cells else None for lab in labels]
        trace.text = [f"{cells[lab].relative:.2f}×" if lab in cells else "" for lab in labels]
        trace.customdata = [_hover(cells[lab]) if lab in cells else ["not in the data"] + [""] * 4 for lab in labels]
    fig.layout.height = max(340, 120 + len(labels) * (12 * len(o.platforms) + 16))
    cites = sorted({r.citation for r in o.rows})
    fig.layout.annotations = [
        {
            "text": "Source: " + "; ".join(cites) + " (authors' data repository; hover for cells and conditions)",
            "xref": "paper",
            "yref": "paper",
            "x": 0,
            "y": -0.08,
            "xanchor": "left",
            "yanchor": "top",
            "showarrow": False,
            "font": {"size": 11, "color": COLORS["other"]},
        }
    ]
    socket = f", memory on {o.sockets}" if o.category in ("all", "memory") else ""
    fig.layout.title.text = f"Relative performance vs native, {o.category} benchmarks{socket} (Felter et al.)"


def figure(o: Overheads, *, widget: bool = False) -> go.Figure:
    """A horizontal grouped bar chart: relative performance (native = 1.0), a dashed line at 1.0."""
    fig = new_figure(
        "Relative performance vs native (Felter et al.)",
        "relative performance (native = 1.0)",
        "",
        widget=widget,
        margin={"l": 20, "b": 90, "t": 90},
        barmode="group",
        legend={"orientation": "h", "y": 1.0, "x": 0, "yanchor": "bottom"},
        yaxis_autorange="reversed",
        yaxis_automargin=True,
    )
    hover = (
        "%{y}<br><b>%{x:.3f}× native</b><br>%{customdata[0]}<br>%{customdata[1]}<br>"
        "conditions: %{customdata[2]}<br>source: %{customdata[3]}<br>note: %{customdata[4]}<extra>%{fullData.name}"
        "</extra>"
    )
    for p in PLATFORMS:
        marker: dict = {"color": COLORS["container" if p == "docker" else "vm"]}
        if p == "kvm_tuned":  # the same VM blue, hatched: tuned, not another kind of platform
            marker["pattern"] = {"shape": "/", "fillmode": "overlay", "fgcolor": "white"}
        fig.add_bar(
            orientation="h",
            name=PLATFORMS[p],
            x=[],
            y=[],
            marker=marker,
            textposition="outside",
            cliponaxis=False,
            hovertemplate=hover,
        )
    fig.layout.shapes = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": 1,
            "x1": 1,
            "y0": 0,
            "y1": 1,
            "line": {"dash": "dash", "color": COLORS["native"], "width": 2},
            "label": {"text": "native = 1.0", "textposition": "end", "font": {"color": COLORS["native"]}},
        }
    ]
    draw(fig, o)
    return fig


def details(o: Overheads) -> str:
    """HTML: the cells skipped and why, the rows flagged in the data, and the full citations."""
    by_reason: dict[str, list[str]] = {}
    for b, _p, why in o.skipped:
        by_reason.setdefault(why, []).append(b)
    skipped = "".join(f"<li>{html.escape(', '.join(ids))}: {html.escape(why)}</li>" for why, ids in by_reason.items())
    flagged = "".join(
        f"<li>{html.escape(r.label)} ({html.escape(PLATFORMS[r.platform])} {r.relative:.2f}×): "
        f"{html.escape(r.note)}</li>"
        for r in o.rows
        if r.caution
    )
    if o.left_out:
        flagged += (
            f"<li>left out of the chart: {html.escape(', '.join(o.left_out))} (the data note says to check "
            "them against the report); choose 'show' to draw them</li>"
        )
    cites = "".join(f"<li>{html.escape(c)}</li>" for c in o.citations)
    return (
        (
            f"<details><summary>Cells not in the data ({len(o.skipped)})</summary><ul>{skipped}</ul></details>"
            if skipped
            else ""
        )
        + (f"<p><b>⚠ Flagged in the data:</b></p><ul>{flagged}</ul>" if flagged else "")
        + f"<small><p>Sources:</p><ul>{cites}</ul></small>"
    )


def summarize_syscalls(costs: Sequence[SyscallCost]) -> str:
    """One sentence: each runtime's system-call time as a multiple of runc's."""
    return (
        "Published raw system-call time (gVisor's data, a GCE VM): "
        + "; ".join(f"{c.label} {c.ns:,.0f} ns ({c.ratio_to_runc:.2f}× runc)" for c in costs)
        + "."
    )


def syscall_figure(costs: Sequence[SyscallCost] | None = None) -> go.Figure:
    """A log-scale bar chart of gVisor's published system-call times (ns), with its citation."""
    costs = syscall_costs() if costs is None else tuple(costs)
    fig = new_figure(
        "Raw system-call time: runc vs gVisor (runsc)",
        "time per system call (ns, log scale)",
        "",
        height=300,
        xaxis_type="log",
        showlegend=False,
        margin={"l": 250, "b": 90, "r": 150},
        yaxis_autorange="reversed",
    )
    fig.add_bar(
        orientation="h",
        name="published",
        x=[c.ns for c in costs],
        y=[c.label for c in costs],
        marker={"color": [COLORS["container" if c.runtime == "runc" else "sandbox"] for c in costs]},
        text=[f"{c.ns:,.0f} ns ({c.ratio_to_runc:.2f}×)" for c in costs],
        textposition="outside",
        cliponaxis=False,
        customdata=[[c.conditions, c.citation] for c in costs],
        hovertemplate="%{y}<br>%{x:,.0f} ns<br>%{customdata[0]}<br>source: %{customdata[1]}<extra></extra>",
    )
    fig.add_annotation(
        text="Source: " + "; ".join(sorted({c.citation for c in costs})),
        xref="paper",
        yref="paper",
        x=0,
        y=-0.25,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        font={"size": 11, "color": COLORS["other"]},
    )
    return fig


class OverheadExplorer(Calculator[Overheads]):
    """Pick a category, the platforms and the socket set-up; read each benchmark relative to native."""

    name = "overheads"
    inputs = (
        Choice("category", "category", ["all", *CATEGORIES], "220px"),
        Choice("platforms", "platforms", list(PLATFORM_SETS), "320px"),
        Choice("sockets", "STREAM/RandomAccess on", SOCKETS, "300px"),
        Choice("flagged", "rows flagged in the data", FLAGGED, "260px"),
    )
    rows = (("category", "platforms"), ("sockets", "flagged"))
    model = staticmethod(explore)
    make_figure = staticmethod(lambda o: figure(o, widget=True))
    draw = staticmethod(draw)
    summarize = staticmethod(summarize)
    details = staticmethod(details)
