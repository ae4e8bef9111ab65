"""The namespace lab as a figure and tables (lesson 02): what the container saw, and each namespace compared."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from ..core import data
from ..labs.nslab import (
    LABEL,
    NS_TYPES,
    TOTAL,
    ContainerRun,
    NsComparison,
    compare_namespaces,
    container_from_scratch,
    inode,
    same_namespace,
)
from .figures import new_figure
from .theme import COLORS

#: The lesson-facing API of this topic: its own names and, re-exported, the model and lab names a lesson
#: uses with them (one import per topic in a lesson).
__all__ = [
    "COLUMNS",
    "checks_html",
    "compare_namespaces",
    "comparison_html",
    "container_from_scratch",
    "draw",
    "namespace_figure",
    "summarize",
]

COLUMNS = (
    "namespace",
    "this Jupyter kernel (Python)",
    "PID 1",
    "child in new namespaces",
    "this vs PID 1",
    "this vs child",
)


def _label(run: ContainerRun) -> str:
    return "measured here" if run.live else LABEL


def summarize(run: ContainerRun) -> str:
    """One sentence: which namespaces the container got, how many checks passed, how long it took."""
    own, shared = ([t for t, h, c in run.namespaces if same_namespace(h, c) == k] for k in ("different", "same"))
    ok, total = sum(c.passed for c in run.checks), run.timings_ms.get(TOTAL, float("nan"))
    return (
        f"The lab container had its own {', '.join(own) or 'none'} namespaces and shared "
        f"{', '.join(shared) or 'none'} with the host; {ok} of {len(run.checks)} checks passed and "
        f"entering the namespaces took {total:.1f} ms from unshare to PID 1's exit ({_label(run)})."
    )


def draw(fig: go.Figure, run: ContainerRun) -> None:
    """Redraw the grid: the host's row, then the container's, coloured by own / shared namespace."""
    table = data.load("namespaces")
    names = {"mnt": "mount", "net": "network", "pid_for_children": "pid", "time_for_children": "time"}
    rows = {r["namespace"]: f"isolates {r['isolates']} ({table.cite(r)})" for r in table}
    groups: dict[str, list[tuple[str, ...]]] = {"host": [], "different": [], "same": [], "unknown": []}
    for t, h, c in run.namespaces:
        about = rows.get(names.get(t, t), "")
        groups["host"].append((t, "host process", inode(h) or "?", f"{h}<br>{about}"))
        groups[same_namespace(h, c)].append((t, "lab container", inode(c) or "?", f"{c}<br>{about}"))
    for trace, pts in zip(fig.data, groups.values(), strict=True):
        trace.x, trace.y = [p[0] for p in pts], [p[1] for p in pts]
        trace.text, trace.hovertext = [p[2][-4:] for p in pts], [p[3] for p in pts]
    fig.layout.title.text = f"Which namespaces the lab container shares with the host ({_label(run)})"


def namespace_figure(run: ContainerRun, *, widget: bool = False) -> go.Figure:
    """A grid: each namespace type, for the host and the container, coloured container (own) vs native (shared)."""
    fig = new_figure(
        "Which namespaces the lab container shares with the host",
        "namespace type (/proc/<pid>/ns)",
        "process",
        widget=widget,
        height=300,
        legend={"orientation": "h", "y": -0.35},
    )
    for name, colour in (
        ("host process (native)", COLORS["native"]),
        ("container: its own namespace", COLORS["container"]),
        ("container: shares the host's", COLORS["native"]),
        ("could not be read", COLORS["other"]),
    ):
        fig.add_scatter(
            x=[],
            y=[],
            mode="markers+text",
            name=name,
            textposition="top center",
            marker={"symbol": "square", "size": 26, "color": colour},
            hoverinfo="text",
            textfont={"size": 9},
            cliponaxis=False,
        )
    fig.update_xaxes(categoryorder="array", categoryarray=list(NS_TYPES))
    fig.update_yaxes(categoryorder="array", categoryarray=["lab container", "host process"])
    draw(fig, run)
    return fig


def checks_html(run: ContainerRun) -> str:
    """HTML: where the run comes from, the checks as a table with ✔/✘, the timings and the transcript."""
    rows = "".join(
        f"<tr><td>{'✔' if c.passed else '✘'}</td><td>{html.escape(c.name)}</td>"
        f"<td>{html.escape(c.expected)}</td><td>{html.escape(c.observed)}</td></tr>"
        for c in run.checks
    )
    errors = "".join(f"<p><b>Error:</b> {html.escape(e)}</p>" for e in run.errors)
    times = " · ".join(f"{html.escape(k)} {v:.2f} ms" for k, v in run.timings_ms.items())
    where = "<b>Live</b>, measured here." if run.live else f"<b>Recorded</b> ({html.escape(LABEL)})."
    return (
        f'<div class="cvm-nslab-checks"><p>{where} {html.escape(run.why)}</p>{errors}'
        "<table><tr><th>result</th><th>check</th><th>expected</th><th>observed</th></tr>"
        f"{rows}</table><p>Timings ({html.escape(_label(run))}): {times}</p>"
        f"<pre>{html.escape(chr(10).join(run.transcript))}</pre></div>"
    )


def comparison_html(comp: NsComparison) -> str:
    """The namespace comparison as an HTML table, with its notes and provenance."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td><code>{html.escape(str(v))}</code></td>" for v in row) + "</tr>" for row in comp.rows
    )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in comp.notes)
    return (
        f"<p>{html.escape(comp.why)}</p><table class='cvm-ns-comparison'><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table><ul>{notes}</ul>"
    )
