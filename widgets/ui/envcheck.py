"""The declared-vs-installed environment as a figure and a table (lessons 03 and 06)."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from ..labs.envcheck import LOCK, environment_report
from ..models.envcheck import STATUSES, EnvReport, compare, declared_pins
from .figures import new_figure
from .theme import COLORS

#: The lesson-facing API of this topic: its own names and, re-exported, the model and lab names a lesson
#: uses with them (one import per topic in a lesson).
__all__ = [
    "LOCK",
    "STATUS_TEXT",
    "compare",
    "declared_pins",
    "environment_report",
    "figure",
    "report_html",
    "summarize",
]

STATUS_TEXT = {
    "same": "as declared",
    "different": "another version is installed",
    "missing": "declared, not installed",
    "undeclared": "installed, not declared",
}


def summarize(report: EnvReport) -> str:
    """One sentence: how many packages match and what differs."""
    c = report.counts
    verdict = (
        "this environment is consistent with its manifest"
        if report.consistent
        else "this environment does NOT match its manifest"
    )
    return (
        f"Of {len(report.rows)} packages, {c['same']} are exactly as declared in {report.declared_from}, "
        f"{c['different']} differ in version, {c['missing']} are missing and {c['undeclared']} are installed "
        f"without being declared: {verdict}."
    )


def figure(report: EnvReport) -> go.Figure:
    """A bar per status: how many packages are as declared, differ, are missing or undeclared."""
    c = report.counts
    colours = {
        "same": COLORS["container"],
        "different": COLORS["sandbox"],
        "missing": COLORS["vm"],
        "undeclared": COLORS["other"],
    }
    fig = new_figure(
        f"Declared ({report.declared_from}) vs installed packages", "", "packages (count)", height=320, showlegend=False
    )
    fig.add_bar(
        x=[STATUS_TEXT[s] for s in STATUSES],
        y=[c[s] for s in STATUSES],
        marker_color=[colours[s] for s in STATUSES],
        text=[c[s] for s in STATUSES],
        textposition="outside",
        cliponaxis=False,
    )
    return fig


def report_html(report: EnvReport, limit: int = 40) -> str:
    """The differences as an HTML table (everything that is not 'same')."""
    problems = report.problems()
    if not problems:
        return f"<p>✔ Every package declared in {html.escape(report.declared_from)} is installed at its version.</p>"
    rows = "".join(
        f"<tr><td>{html.escape(r.name)}</td><td>{html.escape(r.declared or '—')}</td>"
        f"<td>{html.escape(r.actual or '—')}</td><td>{STATUS_TEXT[r.status]}</td></tr>"
        for r in problems[:limit]
    )
    more = f"<p><i>… and {len(problems) - limit} more.</i></p>" if len(problems) > limit else ""
    return (
        f"<table class='cvm-envdiff'><thead><tr><th>package</th><th>declared</th><th>installed</th>"
        f"<th>difference</th></tr></thead><tbody>{rows}</tbody></table>{more}"
    )
