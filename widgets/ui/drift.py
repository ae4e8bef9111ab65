"""Configuration drift as figures and a calculator (lesson 06): the fleet simulation and the detector's report."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from ..core.units import format_share
from ..labs.filestate import detect, hotfix, lab
from ..models.drift import DriftRun, rebuild_text, simulate_drift
from ..models.envcheck import EnvReport
from .calculator import Calculator, Number
from .figures import new_figure
from .theme import COLORS

#: The lesson-facing API of this topic: its own names and, re-exported, the model and lab names a lesson
#: uses with them (one import per topic in a lesson).
__all__ = [
    "DRIFT_STATUS",
    "DriftCalculator",
    "detect",
    "draw",
    "drift_html",
    "drift_summary",
    "figure",
    "hotfix",
    "lab",
    "summarize",
]


def summarize(r: DriftRun) -> str:
    """One sentence: drifted shares at the end and at worst, and how fast the audit finds drift."""
    where = f"synthetic, seed {r.seed}" if r.seed is not None else "given by hand"
    vm_kind = "hand-managed VMs" if r.vm_rebuild_days == 0 else f"VMs ({rebuild_text(r.vm_rebuild_days, r.days)})"
    head = (
        f"After {r.days} days and {r.n_changes:,} hand changes ({where}), {format_share(r.final_vm)} of the "
        f"{r.n_servers:,} {vm_kind} differ from their manifest, against at most "
        f"{format_share(float(r.drifted_container.max()))} of the containers "
        f"({rebuild_text(r.container_rebuild_days, r.days)}) and {int(r.snowflakes_vm[-1]):,} distinct VM "
        f"configurations against {int(r.snowflakes_container[-1]):,}"
    )
    if r.audit_days > r.days:
        return f"{head}; no audit falls within the {r.days} days (one every {r.audit_days} days)."
    if r.mttd_vm is None:
        audit = f"an audit every {r.audit_days} days found no drifted VM"
    else:
        audit = f"an audit every {r.audit_days} days finds a drifted VM after {r.mttd_vm:.3g} days on average"
    if r.mttd_container is None:
        audit += ", and no drifted container"
    else:
        audit += f", a drifted container after {r.mttd_container:.3g} days"
    erased = r.episodes_container - r.detected_container
    return f"{head}; {audit} ({erased:,} container drifts ended unseen, erased by a rebuild or the horizon)."


def draw(fig: go.Figure, r: DriftRun) -> None:
    """Redraw the share of each fleet drifted per day."""
    vms, containers = fig.data
    if vms.x is None or len(vms.x) != r.days:  # the days only change with the horizon
        vms.x = containers.x = np.arange(1, r.days + 1)
    vms.y, containers.y = 100 * r.drifted_vm, 100 * r.drifted_container  # arrays: plotly checks them faster
    vms.name = f"VMs ({rebuild_text(r.vm_rebuild_days, r.days)})"
    containers.name = f"containers ({rebuild_text(r.container_rebuild_days, r.days)})"
    fig.layout.xaxis.range = [0.5, r.days + 0.5]
    fig.layout.yaxis.range = [0, max(5.0, 105 * float(max(r.drifted_vm.max(), r.drifted_container.max())))]


def figure(r: DriftRun, *, widget: bool = False) -> go.Figure:
    """Drifted share (%) per day: VMs (blue) and containers (orange)."""
    fig = new_figure(
        "Servers that differ from their manifest (synthetic hand changes)",
        "day (days)",
        "servers drifted (% of fleet)",
        widget=widget,
        height=420,
        legend={"orientation": "h", "y": -0.2, "x": 0},
        margin={"b": 90},
    )
    for key, what in (("vm", "VMs"), ("container", "containers")):
        fig.add_scatter(
            x=[],
            y=[],
            mode="lines",
            line={"color": COLORS[key], "width": 2},
            name=what,
            hovertemplate=f"day %{{x}}<br>{what} drifted: %{{y:.3g}}%<extra></extra>",
        )
    draw(fig, r)
    return fig


class DriftCalculator(Calculator[DriftRun]):
    """Hand changes drift a fleet; rebuilding from the manifest puts it back."""

    name = "drift"
    inputs = tuple(
        Number(k, label, "300px" if len(label) > 12 else "160px")
        for k, label in (
            ("n_servers", "servers"),
            ("days", "days"),
            ("p_change", "change probability per server per day"),
            ("vm_rebuild_days", "VM rebuild every (days, 0 = never)"),
            ("container_rebuild_days", "container rebuild every (days)"),
            ("audit_days", "audit every (days)"),
            ("seed", "seed"),
        )
    )
    rows = (("n_servers", "days", "seed"), ("p_change", "audit_days"), ("vm_rebuild_days", "container_rebuild_days"))
    legend = "Hand changes are synthetic (seeded random). Every input is an illustrative assumption: set your own."
    model = staticmethod(simulate_drift)
    make_figure = staticmethod(lambda r: figure(r, widget=True))
    draw = staticmethod(draw)
    summarize = staticmethod(summarize)


DRIFT_STATUS = {"same": "unchanged", "different": "changed", "missing": "removed", "undeclared": "added"}


def drift_summary(report: EnvReport) -> str:
    """One sentence: how many files are as recorded and what was added, removed or changed."""
    c = report.counts
    if not report.problems():
        return f"All {c['same']} files are exactly as recorded in the manifest: no drift."
    return (
        f"Drift: {c['undeclared']} added, {c['missing']} removed and {c['different']} changed, "
        f"{c['same']} file{'s' * (c['same'] != 1)} as recorded in the manifest."
    )


def drift_html(report: EnvReport) -> str:
    """The drifted files as an HTML table: path, manifest, on disk, drift."""
    problems = report.problems()
    if not problems:
        return "<p>✔ Every file is exactly as recorded in the manifest.</p>"
    rows = "".join(
        f"<tr><td><code>{html.escape(r.name)}</code></td><td>{html.escape(r.declared or '—')}</td>"
        f"<td>{html.escape(r.actual or '—')}</td><td>{DRIFT_STATUS[r.status]}</td></tr>"
        for r in problems
    )
    return (
        # A wide table scrolls inside a region that the keyboard can reach (Tab, then the arrow keys).
        "<div role='region' aria-label='files that drifted' tabindex='0' style='overflow-x:auto'>"
        "<table class='cvm-drift'><thead><tr><th>path</th><th>manifest (mode sha256)</th><th>on disk</th>"
        f"<th>drift</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )
