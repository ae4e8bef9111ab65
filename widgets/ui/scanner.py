"""A vulnerability scan as a figure and a table (lesson 06): findings per package and severity."""

from __future__ import annotations

import html
from collections.abc import Mapping

import plotly.graph_objects as go

from ..labs.envcheck import inventory_here
from ..models.scanner import EXAMPLE_IMAGES, Scan, affected, scan
from .figures import new_figure
from .theme import COLORS

#: The lesson-facing API of this topic: its own names and, re-exported, the model and lab names a lesson
#: uses with them (one import per topic in a lesson).
__all__ = [
    "EXAMPLE_IMAGES",
    "affected",
    "findings_figure",
    "findings_html",
    "findings_summary",
    "inventory_here",
    "scan",
    "summarize",
]


def summarize(result: Scan) -> str:
    """One sentence: how many packages, findings and unreadable entries."""
    c = result.counts
    what = (
        f"{c['findings']} finding(s) in {c['affected_packages']} package(s) "
        f"({', '.join(sorted({f.package for f in result.findings}))})"
        if c["findings"]
        else "no findings"
    )
    bad = f"; {c['invalid']} entr(y/ies) could not be read" if c["invalid"] else ""
    return f"{result.label}: {c['packages']} packages checked against {result.advisories} advisories, {what}{bad}."


def findings_summary(scans: Mapping[str, Scan]) -> str:
    """One sentence comparing inventories: does "fewer packages, fewer findings" hold in these data?"""
    if not scans:
        return "No inventories were scanned."
    items = sorted(scans.items(), key=lambda kv: (kv[1].packages, len(kv[1].findings)))
    parts = ", ".join(f"{k} {s.packages} packages / {len(s.findings)} findings" for k, s in items)
    pairs = [(a, b) for i, a in enumerate(items) for b in items[i + 1 :] if a[1].packages < b[1].packages]
    broken = [(a[0], b[0]) for a, b in pairs if len(a[1].findings) > len(b[1].findings)]
    if not pairs:
        verdict = "all have the same number of packages, so package count cannot explain the findings"
    elif broken:
        verdict = (
            f"'fewer packages, fewer findings' does NOT hold here ({broken[0][0]} has fewer packages but "
            f"more findings than {broken[0][1]}): the versions matter more than the count"
        )
    else:
        verdict = (
            "no smaller inventory has more findings than a larger one, but equal package counts can "
            "differ widely: the versions matter as much as the count"
        )
    return f"{parts}: {verdict}."


def findings_figure(scans: Mapping[str, Scan]) -> go.Figure:
    """Packages (x) against findings (y), one bubble per inventory, sized by affected packages.

    Raises
    ------
    ValueError
        If ``scans`` is not a mapping of name -> :class:`Scan`.
    """
    if not isinstance(scans, Mapping) or not all(isinstance(s, Scan) for s in scans.values()):
        raise ValueError("scans must be a mapping of inventory name -> Scan")
    fig = new_figure(
        "Packages vs known-advisory findings per inventory",
        "packages in the inventory (count)",
        "findings (count)",
        height=380,
        showlegend=False,
    )
    names = list(scans)
    fig.add_scatter(
        x=[scans[n].packages for n in names],
        y=[len(scans[n].findings) for n in names],
        mode="markers+text",
        text=names,
        textposition="top center",
        marker={
            "size": [14 + 6 * scans[n].counts["affected_packages"] for n in names],
            "color": [COLORS["sandbox"] if scans[n].findings else COLORS["container"] for n in names],
            "line": {"width": 1, "color": COLORS["other"]},
        },
        customdata=[[scans[n].counts["affected_packages"], scans[n].counts["invalid"]] for n in names],
        hovertemplate="%{text}: %{x} packages, %{y} findings in %{customdata[0]} package(s)"
        "<br>unreadable entries: %{customdata[1]}<extra></extra>",
    )
    fig.update_yaxes(rangemode="tozero")
    fig.update_xaxes(rangemode="tozero")
    return fig


def findings_html(result: Scan, limit: int = 50) -> str:
    """The findings of one scan as an HTML table, each row with its advisory's citation."""
    if not isinstance(result, Scan):
        raise ValueError("findings_html needs a Scan (see scan())")
    bad = "".join(f"<li>{html.escape(n)} = {html.escape(v)}: {html.escape(why)}</li>" for n, v, why in result.invalid)
    bad = f"<p>Not scanned (unreadable):</p><ul>{bad}</ul>" if bad else ""
    if not result.findings:
        return f"<p>✔ {html.escape(result.label)}: no installed version is in a known advisory's range.</p>{bad}"
    rows = "".join(
        f"<tr><td>{html.escape(f.package)}</td><td>{html.escape(f.version)}</td><td>{html.escape(f.advisory)}</td>"
        f"<td>{html.escape('; '.join(f.aliases))}</td><td>{html.escape(' or '.join(f.fixed))}</td>"
        f"<td>{f.published.isoformat()}</td><td>{html.escape(f.summary)}</td><td>{html.escape(f.citation)}</td></tr>"
        for f in result.findings[:limit]
    )
    more = f"<p><i>… and {len(result.findings) - limit} more.</i></p>" if len(result.findings) > limit else ""
    return (
        f"<table class='cvm-scanner'><thead><tr><th>package</th><th>version</th><th>advisory</th>"
        f"<th>aliases</th><th>fixed in</th><th>published</th><th>summary</th><th>source</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>{more}{bad}"
    )
