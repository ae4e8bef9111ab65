"""Scale-out: how long until capacity meets a new, higher demand?

Demand steps from its current level to a new one. The fleet must grow from
the instances the current demand needs to those the new demand needs (each
with a headroom on top), starting at most ``parallel_starts`` instances at a
time. Each batch takes one start-up time, so

* instances needed = ceil(demand × (1 + headroom) / capacity per instance);
* batches = ceil(instances to add / parallel starts);
* time until every new instance serves = batches × start time;
* requests not served = the shortfall (demand − capacity, where positive)
  integrated over the ramp.

The start times come from ``data/startup_times.csv`` (containers: gVisor's
``docker run`` data, which include Docker's own overhead; VMs: Mao &
Humphrey's 2011–12 cloud measurements, or Firecracker's specified boot bound),
cited wherever they are shown. Demands, capacity, headroom and parallel
starts are illustrative assumptions: set your own.

A new demand that is not higher than the current one is handled as a
scale-in: instances are removed at once (draining is not modelled), nothing
has to start, and no request is lost.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import ipywidgets as ipw
import numpy as np
import plotly.graph_objects as go

from . import validate
from .calculator import Calculator, check_known, number_box
from .figures import new_figure
from .healing import CONTAINER_ROWS, VM_ROWS, StartTime, instances_needed, start_options, start_time
from .theme import COLORS
from .timescales import format_ms

MAX_RATE = 1e9  # req/s
MAX_INSTANCES = 100_000
MAX_BATCHES = 10_000
MAX_HEADROOM_PCT = 1000.0
MAX_PARALLEL = 10_000

#: Starting values: illustrative assumptions, set your own (the start times come from data).
DEFAULTS: dict[str, float | int | str] = {
    "current_rps": 1000.0,
    "new_rps": 3000.0,
    "capacity_rps": 100.0,
    "headroom_pct": 20.0,
    "parallel_starts": 8,
    "container_start": CONTAINER_ROWS[0],
    "vm_start": VM_ROWS[0],
}


@dataclass(frozen=True)
class ScaleOut:
    """A demand step and the ramp of capacity that follows, for containers and VMs."""

    current_rps: float
    new_rps: float
    capacity_rps: float
    headroom_pct: float
    parallel_starts: int
    before: int  # instances for the current demand
    after: int  # instances for the new demand
    batches: int
    steps: tuple[int, ...]  # instances serving after 0, 1, ..., batches batches
    container: StartTime
    vm: StartTime

    @property
    def add(self) -> int:
        """Instances to start (0 on a scale-in)."""
        return max(0, self.after - self.before)

    @property
    def remove(self) -> int:
        """Instances to remove on a scale-in (0 otherwise)."""
        return max(0, self.before - self.after)

    def ready_s(self, platform: str) -> float:
        """Seconds until every new instance serves: batches × start time."""
        return self.batches * self._start(platform)

    def meets_s(self, platform: str) -> float:
        """Seconds until capacity first meets the new demand (headroom not counted)."""
        ok = np.flatnonzero(np.asarray(self.steps) * self.capacity_rps >= self.new_rps)
        return float(ok[0]) * self._start(platform) if ok.size else math.inf

    def lost(self, platform: str) -> float:
        """Requests not served during the ramp: shortfall × time, summed over the batches."""
        short = np.maximum(0.0, self.new_rps - np.asarray(self.steps[:-1]) * self.capacity_rps)
        return float(short.sum()) * self._start(platform)

    def _start(self, platform: str) -> float:
        validate.choice("platform", platform, ("container", "vm"))
        return self.container.seconds if platform == "container" else self.vm.seconds


def scale_out(
    current_rps: float | str = 1000.0,
    new_rps: float | str = 3000.0,
    capacity_rps: float | str = 100.0,
    headroom_pct: float | str = 20.0,
    parallel_starts: int | str = 8,
    container_start: str = CONTAINER_ROWS[0],
    vm_start: str = VM_ROWS[0],
) -> ScaleOut:
    """Plan the scale-out after a step in demand.

    Parameters
    ----------
    current_rps, new_rps:
        Demand before and after the step (requests/s). A new demand not above
        the current one is a scale-in (see the module docstring).
    capacity_rps:
        Requests/s one instance serves.
    headroom_pct:
        Spare capacity kept on top of the demand (%).
    parallel_starts:
        How many instances can start at once.
    container_start, vm_start:
        Row ids of ``data/startup_times.csv`` (see :data:`widgets.healing.CONTAINER_ROWS`, ``VM_ROWS``).

    Raises
    ------
    ValueError
        If an input is out of range or not a number (the message names it),
        or the fleet or the number of start batches would be too large.
    """
    cur = validate.number("current demand", current_rps, minimum=0, maximum=MAX_RATE, unit="req/s")
    new = validate.number("new demand", new_rps, minimum=0, maximum=MAX_RATE, unit="req/s")
    cap = validate.number("capacity per instance", capacity_rps, minimum=0, maximum=MAX_RATE, allow_zero=False,
                          unit="req/s")
    head = validate.number("headroom", headroom_pct, minimum=0, maximum=MAX_HEADROOM_PCT, unit="%")
    par = validate.integer("parallel starts", parallel_starts, minimum=1, maximum=MAX_PARALLEL)
    container = start_time(container_start, CONTAINER_ROWS, "container start time")
    vm = start_time(vm_start, VM_ROWS, "VM start time")
    before, after = (instances_needed(d * (1 + head / 100), cap) for d in (cur, new))
    if max(before, after) > MAX_INSTANCES:
        raise ValueError(f"the demand needs {max(before, after):,} instances, more than {MAX_INSTANCES:,}: "
                         "raise the capacity per instance or lower the demand")
    add = max(0, after - before)
    batches = math.ceil(add / par)
    if batches > MAX_BATCHES:
        raise ValueError(f"{add:,} instances in batches of {par} make {batches:,} start batches, more than "
                         f"{MAX_BATCHES:,}: raise the parallel starts")
    steps = before + np.minimum(np.arange(batches + 1) * par, add) if add else np.array([after])
    return ScaleOut(cur, new, cap, head, par, before, after, batches, tuple(int(n) for n in steps), container, vm)


def _t(seconds: float) -> str:
    return format_ms(seconds * 1000)


def summarize(s: ScaleOut) -> str:
    """One sentence: the instances, the time to serve the new demand, the requests lost."""
    if s.add == 0:
        change = (f"scales in from {s.before} to {s.after} instances" if s.remove
                  else f"already has the {s.after} instances it needs")
        return (f"The new demand of {s.new_rps:,.0f} req/s is not above the current {s.current_rps:,.0f} req/s: "
                f"the fleet {change} ({s.headroom_pct:g}% headroom), nothing has to start and no request is lost "
                "(removing instances is not modelled as taking time).")
    text = (f"From {s.current_rps:,.0f} to {s.new_rps:,.0f} req/s the fleet grows from {s.before} to {s.after} "
            f"instances ({s.add} to add, {s.headroom_pct:g}% headroom) in {s.batches} batch"
            f"{'es' * (s.batches != 1)} of up to {s.parallel_starts}: containers serve at full size after "
            f"{_t(s.ready_s('container'))}, VMs after {_t(s.ready_s('vm'))}")
    if s.meets_s("vm") < s.ready_s("vm"):
        text += (f" (capacity meets the demand after {_t(s.meets_s('container'))} and "
                 f"{_t(s.meets_s('vm'))})")
    return text + (f"; requests not served during the ramp: {s.lost('container'):,.0f} with containers, "
                   f"{s.lost('vm'):,.0f} with VMs.")


def details(s: ScaleOut) -> str:
    """HTML: the arithmetic, the cited start times and what is assumed."""
    rows = "".join(
        f"<li><b>{html.escape(st.subject)}</b>: {html.escape(_t(st.seconds))}, {html.escape(st.statistic)}, "
        f"{html.escape(st.period)} ({html.escape(st.cite)}). {html.escape(st.note)}</li>"
        for st in (s.container, s.vm))
    factor = 1 + s.headroom_pct / 100
    return (f"<p>Instances: ceil({s.current_rps:g} × {factor:g} / {s.capacity_rps:g}) = {s.before} before, "
            f"ceil({s.new_rps:g} × {factor:g} / {s.capacity_rps:g}) = {s.after} after; {s.add} to add in "
            f"ceil({s.add} / {s.parallel_starts}) = {s.batches} batches. Each batch takes one start time.</p>"
            f"<p>Start times used:</p><ul>{rows}</ul><p><small>Demands, capacity, headroom and parallel starts "
            "are illustrative assumptions: set your own. The container times are <code>docker run</code> times "
            "that include Docker's own overhead; the VM times were measured in 2011–12.</small></p>")


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
    fig = new_figure("Capacity after a step in demand: containers vs VMs starting in batches",
                     "time since the demand step (s, log scale)", "capacity (req/s)", widget=widget, height=440,
                     xaxis={"type": "log"}, yaxis={"rangemode": "tozero"},
                     legend={"orientation": "h", "y": -0.22, "x": 0}, margin={"b": 110})
    for key, what in (("container", "containers"), ("vm", "VMs")):
        fig.add_scatter(x=[], y=[], mode="lines", line={"shape": "hv", "color": COLORS[key], "width": 2.5},
                        name=what, hovertemplate=f"t = %{{x:.3g}} s<br>{what}: %{{customdata}} instances, "
                        "%{y:,.0f} req/s<extra></extra>")
    fig.add_scatter(x=[], y=[], mode="lines", line={"dash": "dash", "color": COLORS["other"], "width": 1.5},
                    name="new demand", hovertemplate="new demand: %{y:,.0f} req/s<extra></extra>")
    fig.add_scatter(x=[], y=[], mode="lines", line={"dash": "dot", "color": COLORS["other"], "width": 1},
                    name="target", hovertemplate="target with headroom: %{y:,.0f} req/s<extra></extra>")
    draw(fig, s)
    return fig


def _text(name: str, description: str, width: str = "230px") -> ipw.Text:
    return number_box(DEFAULTS, name, description, width)


class ScaleOutCalculator(Calculator[ScaleOut]):
    """Step the demand up and see how long containers and VMs take to catch up."""

    def __init__(self, **values: float | int | str) -> None:
        check_known(values, DEFAULTS)
        s = scale_out(**{**DEFAULTS, **values})
        controls: dict[str, ipw.ValueWidget] = {
            "current_rps": _text("current_rps", "current demand (req/s)"),
            "new_rps": _text("new_rps", "new demand (req/s)"),
            "capacity_rps": _text("capacity_rps", "capacity per instance (req/s)", "260px"),
            "headroom_pct": _text("headroom_pct", "headroom (%)", "160px"),
            "parallel_starts": ipw.IntSlider(value=DEFAULTS["parallel_starts"], min=1, max=64,
                                             description="parallel starts", continuous_update=False,
                                             style={"description_width": "initial"}),
            "container_start": ipw.Dropdown(options=start_options(CONTAINER_ROWS), value=DEFAULTS["container_start"],
                                            description="container start", style={"description_width": "initial"},
                                            layout=ipw.Layout(width="460px")),
            "vm_start": ipw.Dropdown(options=start_options(VM_ROWS), value=DEFAULTS["vm_start"],
                                     description="VM start", style={"description_width": "initial"},
                                     layout=ipw.Layout(width="520px")),
        }
        for name, value in values.items():
            control = controls[name]
            control.value = str(value) if isinstance(control, ipw.Text) else value
        super().__init__(
            "scaleout", controls, scale_out, draw, summarize, figure(s, widget=True),
            layout_rows=[["current_rps", "new_rps", "capacity_rps", "headroom_pct"],
                         ["parallel_starts"], ["container_start"], ["vm_start"]],
            details=details,
        )
        self.axis = ipw.ToggleButtons(options=["log", "linear"], value="log", description="time axis",
                                      style={"button_width": "70px"})
        self.axis.observe(self._set_axis, names="value")
        legend = ipw.HTML("<small>Demands, capacity, headroom and parallel starts are illustrative assumptions: "
                          "set your own. The start times come from the course data and are cited in the menus "
                          "and under the figure.</small>")
        legend.add_class("cvm-assumptions")
        self.children = (legend, self.axis, *self.children)

    def _set_axis(self, change: dict) -> None:
        """Switch the time axis between log and linear (the figure only; the model is unchanged)."""
        with self.figure.batch_update():
            self.figure.layout.xaxis.type = change["new"]
            scale = ", log scale" if change["new"] == "log" else ""
            self.figure.layout.xaxis.title.text = f"time since the demand step (s{scale})"
            if self.result is not None:
                draw(self.figure, self.result, change["new"])
