"""Emulated, paravirtual and assigned network devices, from published figures (lessons 01 and 07)."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from ..core import data
from .figures import new_figure
from .theme import COLORS

#: The lesson-facing API of this topic: its own names (one import per topic in a lesson).
__all__ = ["device_rows", "devices_table_html", "io_paths_figure", "summarize_io_paths"]

PATH_LABELS = {
    "emulated": "emulated device",
    "paravirtual": "paravirtual (virtio)",
    "assigned": "assigned (passthrough)",
}
PATH_STYLE = {
    "emulated": (COLORS["other"], "x"),
    "paravirtual": (COLORS["vm"], ""),
    "assigned": (COLORS["native"], "/"),
}


def device_rows() -> list[dict[str, object]]:
    """The rows of ``io_virtualization`` with their citation under ``"cite"``."""
    table = data.load("io_virtualization")
    return [{**r, "cite": table.cite(r)} for r in table]


def io_paths_figure() -> go.Figure:
    """Horizontal bars: each published figure as a share of its own study's native figure or line rate.

    A range (low to high) is drawn as the bar to its low end and an error bar to its high end. The rows are
    from different studies: the figure shows the direction of each gap, not one experiment.
    """
    rows = [r for r in device_rows() if r["share"] is not None]
    fig = new_figure(
        "Network I/O of VMs by device path, as a share of native or line rate (different studies, not one test)",
        "share of the same study's native figure or of the line rate (1 = no loss)",
        "",
        height=140 + 55 * len(rows),
        showlegend=False,
        margin={"l": 330},
    )
    for path in PATH_LABELS:
        mine = [r for r in rows if r["path"] == path]
        if not mine:
            continue
        colour, pattern = PATH_STYLE[path]
        highs = [(r["share_high"] or r["share"]) - r["share"] for r in mine]
        fig.add_bar(
            orientation="h",
            y=[f"{PATH_LABELS[path]}: {r['subject']}" for r in mine],
            x=[r["share"] for r in mine],
            error_x={"type": "data", "array": highs, "visible": any(highs)},
            marker={"color": colour, "pattern": {"shape": pattern}},
            text=[f"{r['share']:.0%}" + (f"-{r['share_high']:.0%}" if r["share_high"] else "") for r in mine],
            textposition="inside",
            customdata=[[r["fact"], r["share_of"], r["cite"], r["confidence"]] for r in mine],
            hovertemplate="%{y}<br>%{customdata[0]}<br>relative to %{customdata[1]}<br>%{customdata[2]}"
            " (%{customdata[3]})<extra></extra>",
        )
    fig.update_xaxes(range=[0, 1.05], tickformat=".0%")
    fig.update_yaxes(autorange="reversed")
    return fig


def summarize_io_paths() -> str:
    """One sentence built from the data: the share each path reaches, with the caveat."""
    rows = {r["id"]: r for r in device_rows()}
    emu, bulk, rr, sr, eli = (rows[k] for k in ("intel_emulated_10gbe", "felter_virtio_bulk", "felter_virtio_tcp_rr",
                                                 "dong2010_sriov_line_rate", "gordon2012_eli_share"))  # fmt: skip
    return (
        f"An emulated 10 GbE device reached {emu['share']:.0%}-{emu['share_high']:.0%} of line rate (secondary); a "
        f"virtio guest kept {bulk['share']:.0%} of native's bulk throughput but only {rr['share']:.0%} of its small "
        f"request/response rate, where every message pays a notification (Felter et al.), while an "
        f"SR-IOV virtual function reached {sr['share']:.0%} of line rate and device assignment with exitless "
        f"interrupts {eli['share']:.0%}-{eli['share_high']:.0%} of bare metal: the fewer exits on the data path, "
        "the closer to native (different studies: compare directions, not decimals)."
    )


def devices_table_html() -> str:
    """All rows, including those without a share (density, Firecracker's bound), as an HTML table."""
    out = "".join(
        f"<tr><td>{html.escape(PATH_LABELS[str(r['path'])])}</td><td>{html.escape(str(r['subject']))}</td>"
        f"<td>{html.escape(str(r['fact']))}</td><td>{r['value']:g}"
        + (f"-{r['value_high']:g}" if r["value_high"] is not None else "")
        + f" {html.escape(str(r['unit']))}</td><td>{html.escape(str(r['cite']))}</td></tr>"
        for r in device_rows()
    )
    return f"<table><tr><th>path</th><th>what</th><th>fact</th><th>value</th><th>source</th></tr>{out}</table>"
