"""The cgroup lab as a figure and tables (lesson 02): forks counted against a pids limit, the limits here."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from ..labs.cgrouplab import RECORDING, LimitRun, pids_limit_lab
from ..labs.cgroups import CgroupInfo, detect
from .figures import new_figure
from .theme import COLORS

#: The lesson-facing API of this topic: its own names and, re-exported, the model and lab names a lesson
#: uses with them (one import per topic in a lesson).
__all__ = ["details", "detect", "draw", "limit_figure", "limits_html", "pids_limit_lab", "summarize"]


def summarize(run: LimitRun) -> str:
    """One sentence: how many forks pids.max allowed, why that many, and where it was measured."""
    refused = f" and {run.refused} were refused ({run.error}, i.e. EAGAIN)" if run.refused else ""
    where = f"measured here in {run.timings_ms.get('total', 0):.0f} ms" if run.live else run.recorded_on
    return (
        f"With pids.max = {run.limit}, {run.succeeded} of {run.attempts} forks succeeded{refused}: pids.max "
        f"counts every task in the cgroup, the lab process itself ({run.lab_tasks} task) and each child until "
        f"it is reaped, so {run.limit} - {run.lab_tasks} = {run.limit - run.lab_tasks} children fit while "
        f"they stay alive; {where}."
    )


def draw(fig: go.Figure, run: LimitRun) -> None:
    """Update the bars (attempted, allowed, refused) and the dashed pids.max line."""
    fig.data[0].y = [run.attempts, run.succeeded, run.refused]
    fig.layout.yaxis.range = [0, max(run.attempts, run.limit) * 1.15]
    fig.layout.shapes = [
        {
            "type": "line",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "yref": "y",
            "y0": run.limit,
            "y1": run.limit,
            "line": {"dash": "dash", "color": COLORS["other"], "width": 2},
            "label": {"text": f"pids.max = {run.limit} (the lab process counts too)", "textposition": "end"},
        }
    ]
    label = "measured here" if run.live else "recorded " + RECORDING.recorded_on
    fig.layout.title.text = f"Forks under pids.max = {run.limit} ({label})"


def limit_figure(run: LimitRun, *, widget: bool = False) -> go.Figure:
    """Bars of forks attempted, allowed (container orange) and refused (vermillion), with pids.max dashed."""
    fig = new_figure("Forks under a pids limit", "", "forks (count)", widget=widget, height=360, showlegend=False)
    fig.add_bar(
        x=["attempted", "allowed", "refused (EAGAIN)"],
        y=[0, 0, 0],
        texttemplate="%{y}",
        name="forks",
        marker_color=[COLORS["other"], COLORS["container"], COLORS["sandbox"]],
        textposition="outside",
    )
    draw(fig, run)
    return fig


def details(run: LimitRun) -> str:
    """HTML: live or recorded and why, the times, the terminal-style transcript."""
    times = " · ".join(f"{k} {v:.1f} ms" for k, v in run.timings_ms.items())
    return (
        f"<p><b>{'Live' if run.live else 'Recorded'}:</b> {html.escape(run.why)}<br>{html.escape(times)} "
        f"({'measured here' if run.live else 'recorded'}); cgroup removed: {'yes' if run.removed else 'NO'}.</p>"
        f"<pre class='cvm-transcript'>{html.escape(chr(10).join(run.transcript))}</pre>"
    )


def limits_html(info: CgroupInfo) -> str:
    """Your own cgroup limits as an HTML table (resource, limit, in use, read from)."""
    head = f"<p><b>{html.escape(info.reason)}</b></p>"
    rows = "".join(
        f"<tr><td>{html.escape(x.resource)}</td><td>{html.escape(x.value)}</td>"
        f"<td>{html.escape(x.usage)}</td><td><code>{html.escape(x.file)}</code></td></tr>"
        for x in info.limits
    )
    return (
        head
        if not info.limits
        else (
            f'{head}<table class="cvm-limits"><thead><tr><th>resource</th>'
            f"<th>limit</th><th>in use</th><th>read from</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    )
