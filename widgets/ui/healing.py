"""Self-healing as a figure and a calculator (lesson 02): availability over time, and what a failure costs."""

from __future__ import annotations

import html
import math

import plotly.graph_objects as go

from ..core.units import format_ms, format_percent
from ..models.healing import RESTART_POLICIES, VM_POLICIES, HealingRun, simulate_healing
from ..models.starttimes import CONTAINER_ROWS, VM_ROWS, start_options
from .calculator import Calculator, Choice, Number, Slider
from .figures import new_figure
from .theme import COLORS


def _fleet_phrase(r: HealingRun, platform: str) -> str:
    c = platform == "container"
    mttr = r.mttr_container_s if c else r.mttr_vm_s
    repair = r.repair_container_s if c else r.repair_vm_s
    up = r.up_container if c else r.up_vm
    pct = format_percent(r.availability_container if c else r.availability_vm)
    if not math.isfinite(repair):
        why = f"restart policy '{r.restart_policy}'" if c else "no replacement"
        return (
            f"stayed down for good ({why}: {r.n_instances - int(up[-1])} of {r.n_instances} down at the end; "
            f"availability {pct})"
        )
    if mttr is None:
        return f"finished no repair within the horizon (availability {pct})"
    return f"were back in {format_ms(mttr * 1000)} on average (availability {pct})"


def summarize(r: HealingRun) -> str:
    """One sentence: failures, time to repair and availability per fleet, requests lost."""
    where = "synthetic, seed " + str(r.seed) if r.seed is not None else "given by hand"
    lost = f"losing {r.lost_container:,.0f} vs {r.lost_vm:,.0f} requests"
    short = ""
    if r.needed > r.n_instances:
        short = (
            f" Even with every instance up, {r.n_instances} instances carry only "
            f"{r.n_instances * r.capacity_rps:,.0f} of the {r.demand_rps:,.0f} req/s demand."
        )
    if r.n_failures == 0:
        return (
            f"Over {r.hours:g} h none of the {r.n_instances} instances failed ({where}): both fleets stayed "
            f"at 100% availability, {lost}.{short}"
        )
    return (
        f"Over {r.hours:g} h both fleets of {r.n_instances} instances suffered {r.n_failures} failures "
        f"({where}); containers {_fleet_phrase(r, 'container')}, VMs {_fleet_phrase(r, 'vm')}, {lost}.{short}"
    )


def details(r: HealingRun) -> str:
    """HTML: the repair times, where the start times come from, and what is assumed."""

    def repair(s: float, parts: str) -> str:
        return "never" if not math.isfinite(s) else f"{format_ms(s * 1000)} ({parts})"

    rc = repair(r.repair_container_s, f"restart delay {r.restart_delay_s:g} s + start {r.container.seconds:g} s")
    rv = repair(r.repair_vm_s, f"detection {r.vm_detection_s:g} s + start {r.vm.seconds:g} s")
    rows = "".join(
        f"<li><b>{html.escape(s.subject)}</b>: {html.escape(format_ms(s.seconds * 1000))}, {html.escape(s.statistic)}"
        f", {html.escape(s.period)} ({html.escape(s.cite)}). {html.escape(s.note)}</li>"
        for s in (r.container, r.vm)
    )
    return (
        f"<p>Repair time: containers {html.escape(rc)}; VMs {html.escape(rv)}. Instances needed for the "
        f"demand: {r.needed}. Failures are synthetic (seeded random); the failure rate, delays, demand and "
        "capacity are illustrative assumptions: set your own.</p>"
        f"<p>Start times used:</p><ul>{rows}</ul>"
        "<p><small>On crashes 'on-failure' and 'always' behave the same; 'always' also restarts after a "
        "clean exit, which is not modelled. The container start times are <code>docker run</code> times "
        "that include Docker's own overhead; the VM times were measured in 2011–12.</small></p>"
    )


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
    fig = new_figure(
        "Instances up over time: containers restarted, VMs replaced (synthetic failures)",
        "time (min)",
        "instances up (count)",
        widget=widget,
        height=440,
        legend={"orientation": "h", "y": -0.2, "x": 0},
        margin={"b": 100},
    )
    for key, what in (("vm", "VMs"), ("container", "containers")):
        fig.add_scatter(
            x=[],
            y=[],
            mode="lines",
            line={"shape": "hv", "color": COLORS[key], "width": 2},
            name=what,
            hovertemplate=f"t = %{{x:,.2f}} min<br>{what} up: %{{y}}<extra></extra>",
        )
    fig.add_scatter(
        x=[],
        y=[],
        mode="lines",
        line={"dash": "dash", "color": COLORS["other"], "width": 1.5},
        name="needed",
        hoverinfo="skip",
    )
    draw(fig, r)
    return fig


class HealingCalculator(Calculator[HealingRun]):
    """Fail instances at random and watch a container engine and VM automation heal the fleet."""

    name = "healing"
    inputs = (
        Slider("n_instances", "instances", 1, 200),
        Number("failures_per_day", "failures per instance per day"),
        Number("hours", "hours", "140px"),
        Number("seed", "seed", "140px"),
        Choice("restart_policy", "restart policy", RESTART_POLICIES, "220px"),
        Number("restart_delay_s", "restart delay (s)"),
        Choice("container_start", "container start", lambda: start_options(CONTAINER_ROWS), "460px"),
        Choice("vm_policy", "VM policy", [(v, k) for k, v in VM_POLICIES.items()], "260px"),
        Number("vm_detection_s", "detection (s)"),
        Choice("vm_start", "VM start", lambda: start_options(VM_ROWS), "520px"),
        Number("demand_rps", "demand (req/s)"),
        Number("capacity_rps", "capacity per instance (req/s)", "260px"),
    )
    rows = (
        ("n_instances", "failures_per_day", "hours", "seed"),
        ("restart_policy", "restart_delay_s", "container_start"),
        ("vm_policy", "vm_detection_s", "vm_start"),
        ("demand_rps", "capacity_rps"),
    )
    legend = (
        "Failures are synthetic (seeded random). Failure rate, delays, demand and capacity are illustrative "
        "assumptions: set your own. The start times come from the course data and are cited in the menus and "
        "under the figure."
    )
    model = staticmethod(simulate_healing)
    make_figure = staticmethod(lambda r: figure(r, widget=True))
    draw = staticmethod(draw)
    summarize = staticmethod(summarize)
    details = staticmethod(details)
