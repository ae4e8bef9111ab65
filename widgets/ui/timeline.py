"""A dated timeline from a data table (milestones, CVEs): points on a time axis.

Dates in the data may be a year ("2000"), a month ("1974-07") or a day; they are
placed at the first day of that period. Secondary rows are drawn hollow and
say so on hover, so a learner sees at a glance which dates are less certain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import plotly.graph_objects as go

from ..core.data import Table
from ..core.units import parse_date
from .figures import new_figure
from .theme import COLORS


def timeline_figure(
    table: Table,
    title: str,
    *,
    label: str = "event",
    date: str = "date",
    kind_of: dict[str, str] | None = None,
    short: dict[str, str] | None = None,
    height: int = 360,
) -> go.Figure:
    """Milestones on a time axis, labels alternating above and below.

    Parameters
    ----------
    table:
        A data table with a date column, a text column and ``confidence``.
    title:
        The figure title.
    label, date:
        Column names for the hover text and the date.
    kind_of:
        Row id -> colour key (``"vm"``, ``"container"``...); default ``"other"``.
    short:
        Row id -> short label written beside the point (default: the first
        four words of ``label``).
    """
    rows = sorted(table, key=lambda r: parse_date(r[date]))
    if not rows:
        raise ValueError("the table has no rows to draw")
    kind_of = kind_of or {}
    short = short or {}
    fig = new_figure(title, "year", "", height=height, showlegend=False, yaxis_visible=False, yaxis_range=[-2.2, 2.2])
    ys: Sequence[float] = [(1.0 if i % 2 == 0 else -1.0) * (1 + 0.35 * (i // 2 % 2)) for i in range(len(rows))]
    xs = [parse_date(r[date]) for r in rows]
    colours = [COLORS[kind_of.get(r.get("id", ""), "other")] for r in rows]
    pad = dt.timedelta(days=max(365, (xs[-1] - xs[0]).days * 0.07))  # room for the end labels
    fig.update_xaxes(range=[xs[0] - pad, xs[-1] + pad])
    fig.add_scatter(x=[xs[0], xs[-1]], y=[0, 0], mode="lines", line={"color": "#999999"}, hoverinfo="skip")
    for x, y, colour in zip(xs, ys, colours, strict=True):
        fig.add_scatter(x=[x, x], y=[0, y], mode="lines", line={"color": colour, "width": 1}, hoverinfo="skip")
    fig.add_scatter(
        x=xs,
        y=ys,
        mode="markers+text",
        text=[short.get(r.get("id", ""), " ".join(str(r[label]).split()[:4])) for r in rows],
        textposition=["top center" if y > 0 else "bottom center" for y in ys],
        marker={
            "size": 11,
            "color": ["white" if r["confidence"] == "secondary" else c for r, c in zip(rows, colours, strict=True)],
            "line": {"color": colours, "width": 2},
        },
        customdata=[[r[date], r["confidence"], r[label]] for r in rows],
        hovertemplate="%{customdata[0]} (%{customdata[1]})<br>%{customdata[2]}<extra></extra>",
    )
    return fig
