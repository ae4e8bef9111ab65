"""Self-healing as a figure and a calculator (lesson 02): restart vs restart, replacement vs replacement."""

from __future__ import annotations

import html
import math

import plotly.graph_objects as go

from ..core.units import format_ms, format_percent
from ..models.healing import RESTART_CHOICES, Fleet, HealingRun, simulate_healing
from ..models.starttimes import CONTAINER_ROWS, VM_ROWS, start_options
from .calculator import Calculator, Choice, Number, Slider
from .figures import new_figure
from .theme import COLORS

#: The restart choices as the menus show them.
CONTAINER_RESTART_LABELS = {
    "docker": "Docker restart policy (always)",
    "kubernetes": "Kubernetes (CrashLoopBackOff)",
    "none": "none: a crashed container stays down",
}
VM_RESTART_LABELS = {"systemd": "systemd in the VM (Restart=on-failure)", "none": "none: automation replaces the VM"}


def _time(s: float) -> str:
    return "never" if not math.isfinite(s) else format_ms(s * 1000)


def _restart_words(r: HealingRun, platform: str) -> str:
    c = platform == "container"
    rule, start = (r.container_restart, r.container_start) if c else (r.vm_restart, r.process_start)
    f = r.container if c else r.vm
    if rule is None:
        return (
            "nobody restarts it: it stays down"
            if c
            else f"nobody restarts it: the VM is replaced ({_time(f.replace_s)})"
        )
    system = rule.label.split(":")[0]
    return f"{_time(f.restart_s)} ({system} {rule.words}; then {start.subject}, {_time(start.seconds)})"


def _fleet_words(f: Fleet) -> str:
    mttr = "no outage ended" if f.mttr_s is None else f"back in {_time(f.mttr_s)} on average"
    return f"{mttr}, availability {format_percent(f.availability)}"


def summarize(r: HealingRun) -> str:
    """One sentence: the same failures, each fleet's restart and replacement times, availability, losses."""
    where = f"synthetic, seed {r.seed}" if r.seed is not None else "given by hand"
    c, v = r.container, r.vm
    short = ""
    if r.needed > r.n_instances:
        short = (
            f" Even with every instance up, {r.n_instances} instances carry only {r.n_instances * r.capacity_rps:,.0f}"
            f" of the {r.demand_rps:,.0f} req/s demand."
        )
    hosts = (
        f"host failures took down {c.host_failures} node(s) of {c.per_host} containers and {v.host_failures} host(s) "
        f"of {v.per_host} VM(s)"
    )
    return (
        f"Over {r.hours:g} h the same {r.n_crashes} crashes struck both fleets of {r.n_instances} and {hosts} "
        f"({where}). "
        f"A crash costs a container {_restart_words(r, 'container')} and a VM's process {_restart_words(r, 'vm')}; "
        f"a lost host costs {_time(c.replace_s)} for containers and {_time(v.replace_s)} for VMs. Containers: "
        f"{_fleet_words(c)}; VMs: {_fleet_words(v)}; losing {c.lost:,.0f} vs {v.lost:,.0f} requests.{short}"
    )


def details(r: HealingRun) -> str:
    """HTML: the rules and start times with their sources, and what is assumed."""
    rules = "".join(
        f"<li><b>{html.escape(x.label)}</b>: {html.escape(x.words)} ({html.escape(x.cite)})</li>"
        for x in (r.container_restart, r.vm_restart)
        if x is not None
    )
    starts = "".join(
        f"<li><b>{html.escape(s.subject)}</b>: {html.escape(format_ms(s.seconds * 1000))}, {html.escape(s.statistic)}"
        f", {html.escape(s.period)} ({html.escape(s.cite)}). {html.escape(s.note)}</li>"
        for s in (r.container_start, r.process_start, r.vm_start)
    )
    gave = f" systemd gave up {r.vm.gave_up} time(s) (more than 5 starts in 10 s) and the VM was replaced." * bool(
        r.vm.gave_up and r.vm_restart is not None
    )
    return (
        f"<p>Restart after a crash: containers {html.escape(_restart_words(r, 'container'))}; VMs "
        f"{html.escape(_restart_words(r, 'vm'))}.{html.escape(gave)} Replacement after a lost host: detection "
        f"{r.host_detection_s:g} s + a container start, or + a whole VM start. Instances needed: {r.needed}.</p>"
        f"<p>Restart rules:</p><ul>{rules}</ul><p>Start times:</p><ul>{starts}</ul>"
        "<p><small>Failures are synthetic (seeded random); rates, packing per host, detection time, demand and "
        "capacity are illustrative assumptions: set your own. Kubernetes by default waits about five minutes "
        "before it moves pods off an unreachable node, longer than the default detection here. The container "
        "start is a <code>docker run</code> time with Docker's own overhead; the VM times were measured in "
        "2011–12.</small></p>"
    )


def draw(fig: go.Figure, r: HealingRun) -> None:
    """Redraw both fleets' step lines and the line of instances needed."""
    vms, containers, need = fig.data  # containers drawn last, on top: their short dips stay visible
    containers.x, containers.y = r.time_min.tolist(), r.up_container.tolist()
    containers.name = (
        f"containers ({CONTAINER_RESTART_LABELS[r.container_restart.key if r.container_restart else 'none']})"
    )
    vms.x, vms.y = r.time_min.tolist(), r.up_vm.tolist()
    vms.name = f"VMs ({VM_RESTART_LABELS[r.vm_restart.key if r.vm_restart else 'none']})"
    need.x, need.y = [0.0, r.hours * 60], [r.needed, r.needed]
    need.name = f"needed for {r.demand_rps:,.0f} req/s: {r.needed}"
    fig.layout.xaxis.range = [0.0, r.hours * 60]
    low = min(float(r.up_vm.min()), float(r.up_container.min()), float(r.needed))
    fig.layout.yaxis.range = [max(0.0, low - 2), max(r.n_instances, r.needed) * 1.04 + 0.5]


def figure(r: HealingRun, *, widget: bool = False) -> go.Figure:
    """Instances up over time for both fleets (step lines), with the instances needed."""
    fig = new_figure(
        "Instances up over time: the same crashes, and host failures at the same rate (synthetic)",
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
    """Crash and lose hosts at random; watch each platform's own supervisor and automation heal the fleet."""

    name = "healing"
    inputs = (
        Slider("n_instances", "instances", 1, 200),
        Number("crashes_per_day", "crashes per instance per day"),
        Number("host_failures_per_day", "host failures per host per day"),
        Number("hours", "hours", "140px"),
        Number("seed", "seed", "140px"),
        Choice(
            "container_restart", "container restart", [(v, k) for k, v in CONTAINER_RESTART_LABELS.items()], "300px"
        ),
        Choice("container_start", "container start", lambda: start_options(CONTAINER_ROWS), "460px"),
        Number("containers_per_host", "containers per node"),
        Choice("vm_restart", "VM restart", [(v, k) for k, v in VM_RESTART_LABELS.items()], "300px"),
        Choice("vm_start", "VM start", lambda: start_options(VM_ROWS), "520px"),
        Number("vms_per_host", "VMs per host"),
        Number("host_detection_s", "lost host noticed after (s)"),
        Number("demand_rps", "demand (req/s)"),
        Number("capacity_rps", "capacity per instance (req/s)", "260px"),
    )
    rows = (
        ("n_instances", "crashes_per_day", "host_failures_per_day", "hours", "seed"),
        ("container_restart", "container_start", "containers_per_host"),
        ("vm_restart", "vm_start", "vms_per_host"),
        ("host_detection_s", "demand_rps", "capacity_rps"),
    )
    legend = (
        "Failures are synthetic (seeded random): the same crashes hit both fleets, host failures hit each host at "
        "the same rate. Rates, packing, detection, demand and capacity are illustrative assumptions: set your own. "
        "Restart rules and start times come from the course data and are cited under the figure."
    )
    model = staticmethod(simulate_healing)
    make_figure = staticmethod(lambda r: figure(r, widget=True))
    draw = staticmethod(draw)
    summarize = staticmethod(summarize)
    details = staticmethod(details)


__all__ = ["RESTART_CHOICES", "HealingCalculator", "details", "draw", "figure", "simulate_healing", "summarize"]
