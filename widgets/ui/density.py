"""Density as a figure and a calculator (lesson 07): how many VMs, micro-VMs and containers fit on one host."""

from __future__ import annotations

import html
from collections.abc import Sequence

import plotly.graph_objects as go

from ..core import validate
from ..core.validate import ILLUSTRATIVE
from ..models.density import DEFAULT_PLATFORMS, Density, density, overhead, platform_options
from .calculator import Calculator, Many, Number
from .figures import new_figure
from .theme import COLORS

#: The lesson-facing API of this topic: its own names and, re-exported, the model and lab names a lesson
#: uses with them (one import per topic in a lesson).
__all__ = ["DensityCalculator", "density_figure", "details", "draw", "overhead", "summarize"]

_SEGMENTS = ("application", "guest OS", "VMM / runtime overhead")


def summarize(d: Density) -> str:
    """One sentence: instances per host for each platform, what binds, and which figures are secondary."""
    parts = [
        f"{f.label} {f.count:,} ({f.binding} binds{'; overhead secondary' if f.secondary else ''})" for f in d.fits
    ]
    best, worst = max(d.fits, key=lambda f: f.count), min(d.fits, key=lambda f: f.count)
    ratio = (
        f"; {best.label} fits {best.count / worst.count:.2g}× as many as {worst.label}"
        if worst.count and best.count != worst.count
        else ""
    )
    return f"Instances per host: {', '.join(parts)}{ratio}."


def details(d: Density) -> str:
    """HTML under the figure: per-instance needs, the cited overheads, what is assumed."""
    rows = "".join(
        f"<tr><td>{html.escape(f.label)}</td><td>{f.cpu_cores:.4g}</td><td>{f.memory_mib:,.1f}</td>"
        f"<td>{f.disk_gib:.4g}</td><td>{html.escape(f.overhead_text)}</td><td>{html.escape(f.cite)}</td></tr>"
        for f in d.fits
    )
    sources = "".join(f"<li>{html.escape(s)}</li>" for s in dict.fromkeys(f.source for f in d.fits))
    return (
        "<table><tr><th>platform</th><th>cores</th><th>memory (MiB)</th><th>disk (GiB)</th>"
        f"<th>cited overhead</th><th>source</th></tr>{rows}</table>"
        "<p><small>Per instance. Secondary = from third-party notes, not checked against the paper. Kata's overhead "
        "is the podFixed charge its RuntimeClass gives Kubernetes, not a measured use. Images are counted as "
        f"shared. Host, application and guest OS values: {ILLUSTRATIVE}.</small></p>"
        f"<p><small>Sources:</small></p><ul style='font-size:smaller'>{sources}</ul>"
    )


def draw(fig: go.Figure, d: Density) -> None:
    """Redraw the instances-per-host bars and the stacked per-instance memory bars."""
    labels = [f.label for f in d.fits]
    custom = [[f.binding, f.overhead_text, f.cite] for f in d.fits]
    bars = fig.data[0]
    bars.x, bars.y = labels, [f.count for f in d.fits]
    bars.marker.color = [COLORS[f.colour] for f in d.fits]
    bars.text = [f"{f.count:,}<br>{f.binding} binds" for f in d.fits]
    bars.customdata = custom
    values = ([f.app_mib for f in d.fits], [f.guest_os_mib for f in d.fits], [f.overhead_mib for f in d.fits])
    for trace, y in zip(fig.data[1:], values, strict=True):
        trace.x, trace.y, trace.customdata = labels, y, custom
    fig.data[2].marker.color = [COLORS[f.colour] for f in d.fits]
    fig.data[3].marker.color = [COLORS[f.colour] for f in d.fits]


def density_figure(d: Density | None = None, *, widget: bool = False) -> go.Figure:
    """Instances per host per platform (binding resource marked) beside each instance's memory."""
    fig = new_figure(
        "How many fit on one host, and what one instance's memory is made of",
        "",
        "instances per host (count)",
        widget=widget,
        height=480,
        barmode="stack",
        xaxis={"domain": [0.0, 0.46]},
        xaxis2={"domain": [0.56, 1.0], "anchor": "y2"},
        yaxis2={"anchor": "x2", "title": {"text": "memory per instance (MiB)"}},
        legend={"orientation": "h", "y": -0.3, "x": 0.56},
        margin={"b": 150},
    )
    fig.add_bar(
        x=[],
        y=[],
        name="instances per host",
        showlegend=False,
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{x}: %{y:,} per host (%{customdata[0]} binds)<br>overhead: %{customdata[1]}"
        "<br>source: %{customdata[2]}<extra></extra>",
    )
    for name, pattern, colour in zip(_SEGMENTS, ("", "/", ""), (COLORS["native"], None, None), strict=True):
        fig.add_bar(
            x=[],
            y=[],
            name=name,
            xaxis="x2",
            yaxis="y2",
            marker={"color": colour or COLORS["other"], "pattern": {"shape": pattern}},
            hovertemplate=f"%{{x}}<br>{name}: %{{y:,.4g}} MiB<br>overhead: %{{customdata[1]}}"
            "<br>source: %{customdata[2]}<extra></extra>",
        )
    draw(fig, d if d is not None else density())
    return fig


class DensityCalculator(Calculator[Density]):
    """Set the host, the application and the guest OS; see how many instances fit per platform.

    All starting values are illustrative assumptions, set your own; the per-instance overheads come from the
    course data and are cited.
    """

    name = "density"
    inputs = (
        *(
            Number(k, label)
            for k, label in (
                ("host_cores", "host cores"),
                ("host_memory_gib", "host memory (GiB)"),
                ("host_disk_gib", "host disk (GiB)"),
                ("app_memory_mib", "app memory (MiB)"),
                ("app_cpu", "app CPU (cores)"),
                ("app_disk_mib", "app disk (MiB)"),
                ("guest_os_memory_mib", "guest OS memory (MiB)*"),
                ("guest_os_disk_gib", "guest OS disk (GiB)*"),
            )
        ),
        Many("platforms", "platforms", platform_options, "640px", rows=len(platform_options())),
    )
    rows = (
        ("host_cores", "host_memory_gib", "host_disk_gib"),
        ("app_memory_mib", "app_cpu", "app_disk_mib"),
        ("guest_os_memory_mib", "guest_os_disk_gib"),
        ("platforms",),
    )
    legend = (
        f"Starting values are {ILLUSTRATIVE} (* marks the guest OS, which has no cited figure); the VMM, pod "
        "and container overheads come from the course data and are cited under the figure."
    )
    make_figure = staticmethod(lambda d: density_figure(d, widget=True))
    draw = staticmethod(draw)
    summarize = staticmethod(summarize)
    details = staticmethod(details)

    def model(self, platforms: Sequence[str] = DEFAULT_PLATFORMS, **values: object) -> Density:
        return density(platforms=list(platforms), **values)

    def defaults(self) -> dict[str, object]:
        return validate.defaults_of(density)
