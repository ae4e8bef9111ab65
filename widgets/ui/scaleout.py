"""Scale-out as a figure and a calculator (lesson 02): how long containers and VMs take to meet a step in demand."""

from __future__ import annotations

import html
import math

import ipywidgets as ipw
import plotly.graph_objects as go

from ..core.units import format_s
from ..models.scaleout import ScaleOut, scale_out
from ..models.starttimes import CONTAINER_ROWS, VM_ROWS, start_options
from .calculator import Calculator, Choice, Number, Slider
from .figures import new_figure
from .theme import COLORS


def summarize(s: ScaleOut) -> str:
    """One sentence: the instances, the time to serve the new demand, the requests lost."""
    if s.add == 0:
        change = (
            f"scales in from {s.before} to {s.after} instances"
            if s.remove
            else f"already has the {s.after} instances it needs"
        )
        return (
            f"The new demand of {s.new_rps:,.0f} req/s is not above the current {s.current_rps:,.0f} req/s: "
            f"the fleet {change} ({s.headroom_pct:g}% headroom), nothing has to start and no request is lost "
            "(removing instances is not modelled as taking time)."
        )
    text = (
        f"From {s.current_rps:,.0f} to {s.new_rps:,.0f} req/s the fleet grows from {s.before} to {s.after} "
        f"instances ({s.add} to add, {s.headroom_pct:g}% headroom) in {s.batches} batch"
        f"{'es' * (s.batches != 1)} of up to {s.parallel_starts}: containers serve at full size after "
        f"{format_s(s.ready_s('container'))}, VMs after {format_s(s.ready_s('vm'))}"
    )
    if s.meets_s("vm") < s.ready_s("vm"):
        text += f" (capacity meets the demand after {format_s(s.meets_s('container'))} and {format_s(s.meets_s('vm'))})"
    return text + (
        f"; requests not served during the ramp: {s.lost('container'):,.0f} with containers, "
        f"{s.lost('vm'):,.0f} with VMs."
    )


def details(s: ScaleOut) -> str:
    """HTML: the arithmetic, the cited start times and what is assumed."""
    rows = "".join(
        f"<li><b>{html.escape(st.subject)}</b>: {html.escape(format_s(st.seconds))}, {html.escape(st.statistic)}, "
        f"{html.escape(st.period)} ({html.escape(st.cite)}). {html.escape(st.note)}</li>"
        for st in (s.container, s.vm)
    )
    factor = 1 + s.headroom_pct / 100
    return (
        f"<p>Instances: ceil({s.current_rps:g} × {factor:g} / {s.capacity_rps:g}) = {s.before} before, "
        f"ceil({s.new_rps:g} × {factor:g} / {s.capacity_rps:g}) = {s.after} after; {s.add} to add in "
        f"ceil({s.add} / {s.parallel_starts}) = {s.batches} batches. Each batch takes one start time.</p>"
        f"<p>Start times used:</p><ul>{rows}</ul><p><small>Demands, capacity, headroom and parallel starts "
        "are illustrative assumptions: set your own. The container times are <code>docker run</code> times "
        "that include Docker's own overhead; the VM times were measured in 2011–12.</small></p>"
    )


def _x_span(s: ScaleOut, axis: str) -> tuple[float, float]:
    """First and last x of the plot: 0 (linear) or a tenth of the shortest start (log), and past the ramp."""
    longest = max(s.ready_s("container"), s.ready_s("vm"), s.container.seconds, s.vm.seconds)
    if axis == "linear":
        return 0.0, longest * 1.1
    return min(s.container.seconds, s.vm.seconds) / 10, longest * 2


def draw(fig: go.Figure, s: ScaleOut, axis: str | None = None) -> None:
    """Redraw both capacity ramps, the new demand and the target with headroom.

    ``axis`` is the time axis type (``"log"`` or ``"linear"``); default: the figure's.
    """
    axis = axis or fig.layout.xaxis.type or "log"
    x0, x1 = _x_span(s, axis)
    for trace, platform in zip(fig.data[:2], ("container", "vm"), strict=True):
        start = s.container.seconds if platform == "container" else s.vm.seconds
        trace.x = [x0, *(k * start for k in range(1, len(s.steps))), x1]
        instances = [*s.steps, s.steps[-1]]
        trace.y = [n * s.capacity_rps for n in instances]
        trace.customdata = instances
    fig.data[0].name = f"containers ({s.container.subject})"
    fig.data[1].name = f"VMs ({s.vm.subject})"
    demand, target = fig.data[2], fig.data[3]
    demand.x, demand.y = [x0, x1], [s.new_rps, s.new_rps]
    demand.name = f"new demand: {s.new_rps:,.0f} req/s"
    goal = s.new_rps * (1 + s.headroom_pct / 100)
    target.x, target.y = [x0, x1], [goal, goal]
    target.name = f"new demand + {s.headroom_pct:g}% headroom"
    fig.layout.xaxis.range = [x0, x1] if axis == "linear" else [math.log10(x0), math.log10(x1)]


def figure(s: ScaleOut, *, widget: bool = False) -> go.Figure:
    """Capacity over time after the demand step: containers vs VMs (step lines)."""
    fig = new_figure(
        "Capacity after a step in demand: containers vs VMs starting in batches",
        "time since the demand step (s, log scale)",
        "capacity (req/s)",
        widget=widget,
        height=440,
        xaxis={"type": "log"},
        yaxis={"rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.22, "x": 0},
        margin={"b": 110},
    )
    for key, what in (("container", "containers"), ("vm", "VMs")):
        fig.add_scatter(
            x=[],
            y=[],
            mode="lines",
            line={"shape": "hv", "color": COLORS[key], "width": 2.5},
            name=what,
            hovertemplate=f"t = %{{x:.3g}} s<br>{what}: %{{customdata}} instances, %{{y:,.0f}} req/s<extra></extra>",
        )
    fig.add_scatter(
        x=[],
        y=[],
        mode="lines",
        line={"dash": "dash", "color": COLORS["other"], "width": 1.5},
        name="new demand",
        hovertemplate="new demand: %{y:,.0f} req/s<extra></extra>",
    )
    fig.add_scatter(
        x=[],
        y=[],
        mode="lines",
        line={"dash": "dot", "color": COLORS["other"], "width": 1},
        name="target",
        hovertemplate="target with headroom: %{y:,.0f} req/s<extra></extra>",
    )
    draw(fig, s)
    return fig


class ScaleOutCalculator(Calculator[ScaleOut]):
    """Step the demand up and see how long containers and VMs take to catch up."""

    name = "scaleout"
    inputs = (
        Number("current_rps", "current demand (req/s)", "230px"),
        Number("new_rps", "new demand (req/s)", "230px"),
        Number("capacity_rps", "capacity per instance (req/s)", "260px"),
        Number("headroom_pct", "headroom (%)", "160px"),
        Slider("parallel_starts", "parallel starts", 1, 64),
        Choice("container_start", "container start", lambda: start_options(CONTAINER_ROWS), "460px"),
        Choice("vm_start", "VM start", lambda: start_options(VM_ROWS), "520px"),
    )
    rows = (
        ("current_rps", "new_rps", "capacity_rps", "headroom_pct"),
        ("parallel_starts",),
        ("container_start",),
        ("vm_start",),
    )
    legend = (
        "Demands, capacity, headroom and parallel starts are illustrative assumptions: set your own. The start "
        "times come from the course data and are cited in the menus and under the figure."
    )
    model = staticmethod(scale_out)
    make_figure = staticmethod(lambda s: figure(s, widget=True))
    draw = staticmethod(draw)
    summarize = staticmethod(summarize)
    details = staticmethod(details)

    def __init__(self, **values: float | int | str) -> None:
        super().__init__(**values)
        self.axis = ipw.ToggleButtons(
            options=["log", "linear"], value="log", description="time axis", style={"button_width": "70px"}
        )
        self.axis.observe(self._set_axis, names="value")
        self.children = (self.children[0], self.axis, *self.children[1:])

    def _set_axis(self, change: dict) -> None:
        """Switch the time axis between log and linear (the figure only; the model is unchanged)."""
        with self.figure.batch_update():
            self.figure.layout.xaxis.type = change["new"]
            scale = ", log scale" if change["new"] == "log" else ""
            self.figure.layout.xaxis.title.text = f"time since the demand step (s{scale})"
            if self.result is not None:
                draw(self.figure, self.result, change["new"])
