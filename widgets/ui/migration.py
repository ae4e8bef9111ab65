"""Dirty pages and live migration as figures and a calculator (lesson 01): what pre-copy chases, round by round."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from ..core import data
from ..labs.kvmdirty import DirtyLab, dirty_lab, dirtying
from ..models.guestmem import DATA_PAGES, PAGE_BYTES, expected_dirty
from ..models.migration import XEN_MAX_FACTOR, XEN_MAX_ROUNDS, Migration, mb, migrate, postcopy, precopy
from .calculator import Calculator, Choice, Number
from .figures import new_figure
from .theme import COLORS

#: The lesson-facing API of this topic: its own names and, re-exported, the model and lab names a lesson
#: uses with them (one import per topic in a lesson).
__all__ = [
    "MigrationCalculator",
    "dirty_figure",
    "dirty_lab",
    "dirtying",
    "expected_dirty",
    "migrate",
    "migration_figure",
    "paper_downtimes",
    "postcopy",
    "precopy",
    "summarize",
    "summarize_dirty",
]


def dirty_figure(lab: DirtyLab) -> go.Figure:
    """Which data pages KVM_GET_DIRTY_LOG reported in each round (a grid: round x page)."""
    r = lab.run
    label = "measured live on /dev/kvm" if lab.live else "the model's pages"
    fig = new_figure(
        f"Pages the guest dirtied, round by round ({label})",
        f"data page (4 KiB each, {DATA_PAGES} in the logged slot)",
        "round",
        height=300,
        showlegend=False,
    )
    xs = [p for pages in r.dirty for p in pages]
    ys = [i + 1 for i, pages in enumerate(r.dirty) for _ in pages]
    fig.add_scatter(
        x=xs, y=ys, mode="markers", marker={"symbol": "square", "size": 7, "color": COLORS["vm"]},
        hovertemplate="round %{y}: page %{x} dirty<extra></extra>",
    )  # fmt: skip
    fig.update_xaxes(range=[-1, DATA_PAGES])
    fig.update_yaxes(dtick=1, autorange="reversed")
    return fig


def summarize_dirty(lab: DirtyLab) -> str:
    """One sentence: dirty pages per round against the working set, and the rate where it was measured."""
    r = lab.run
    exact = r.dirty == expected_dirty(r.working_set, r.rounds)
    rate = (
        f"; the guest dirtied {r.dirty_rate_mb_s:,.0f} MB/s of guest time (measured here)" if r.dirty_rate_mb_s else ""
    )
    return (
        f"In each of {r.rounds} rounds the dirty log reported {', '.join(map(str, r.counts))} pages: "
        f"{'exactly' if exact else 'not'} the {r.working_set}-page working set "
        f"({r.working_set * PAGE_BYTES // 1024} KiB){rate}."
    )


def paper_downtimes() -> list[tuple[str, float, str]]:
    """Downtimes to compare with: Clark et al.'s (ms) and QEMU's default limit, each with its citation."""
    table = data.load("live_migration")
    rows = ("clark2005_quake3_downtime", "clark2005_specweb_downtime", "qemu_downtime_limit")
    return [(table.row(id=i)["fact"], table.row(id=i)["value"], table.cite(table.row(id=i))) for i in rows]


def summarize(m: Migration) -> str:
    """One sentence: rounds, totals, downtime, and whether pre-copy converged."""
    if m.mode == "post-copy":
        return (
            f"Post-copy pauses the guest once for {m.downtime_s * 1e3:,.3g} ms (its CPU and device state), then "
            f"sends all {mb(m.memory_mb)} once in {m.total_s:,.3g} s; until then up to {m.remote_faults_max:,} pages "
            f"of the working set may be fetched over the network on demand, and losing either host loses the VM."
        )
    verdict = "converged" if m.converged else "did not converge"
    return (
        f"Pre-copy of {mb(m.memory_mb)} at {m.bandwidth_mbps:,.4g} Mbit/s with {m.dirty_rate_mb_s:,.4g} MB/s dirtied "
        f"{verdict} after {m.precopy_rounds} round{'s' * (m.precopy_rounds != 1)} ({m.stop_reason}): "
        f"{mb(m.sent_mb)} sent in {m.total_s:,.3g} s, downtime {m.downtime_s * 1e3:,.3g} ms."
    )


def details(m: Migration) -> str:
    """HTML: the rounds as a table, and the published downtimes to compare with."""
    rows = "".join(
        f"<tr><td>{'stop-and-copy' if r.stop_and_copy else r.number}</td><td>{mb(r.sent_mb)}</td>"
        f"<td>{r.seconds:,.4g}</td><td>{mb(r.dirtied_mb) if not r.stop_and_copy else '-'}</td></tr>"
        for r in m.rounds
    )
    refs = "".join(f"<li>{html.escape(f)}: {v:g} ms ({html.escape(c)})</li>" for f, v, c in paper_downtimes())
    return (
        "<table><tr><th>round</th><th>sent</th><th>seconds</th><th>dirtied meanwhile</th></tr>"
        f"{rows}</table><p><small>Pre-copy stops as Xen does: at most {XEN_MAX_ROUNDS} rounds, at most "
        f"{XEN_MAX_FACTOR:g} x the memory sent, or when a round leaves at least as much as it sent. "
        "Compare:</small></p>"
        f"<ul style='font-size:smaller'>{refs}</ul>"
    )


def draw(fig: go.Figure, m: Migration) -> None:
    """Update the bars: data sent in each round, the stop-and-copy (the downtime) marked."""
    labels = [("stop-and-copy" if r.stop_and_copy else f"round {r.number}") for r in m.rounds]
    if m.mode == "post-copy":
        labels = ["pause: CPU and device state", "push (guest running at the destination)"]
    fig.data[0].x = labels
    fig.data[0].y = [r.sent_mb for r in m.rounds]
    fig.data[0].customdata = [r.seconds for r in m.rounds]
    fig.data[0].marker.color = [COLORS["other"] if r.stop_and_copy else COLORS["vm"] for r in m.rounds]
    fig.data[0].marker.pattern.shape = ["x" if r.stop_and_copy else "" for r in m.rounds]
    fig.data[0].text = [f"{r.seconds:,.3g} s" for r in m.rounds]
    fig.layout.title.text = (
        f"{m.mode}: data sent per round, total {m.total_s:,.3g} s, downtime {m.downtime_s * 1e3:,.3g} ms"
        + ("" if m.converged else " (did not converge)")
    )


def migration_figure(m: Migration | None = None, *, widget: bool = False) -> go.Figure:
    """Bars of data sent per round; the stop-and-copy round (guest paused) in grey with a cross pattern."""
    fig = new_figure("Data sent per round", "round", "data sent (MB, log scale)", widget=widget, height=380,
                     yaxis_type="log", showlegend=False)  # fmt: skip
    fig.add_bar(x=[], y=[], textposition="outside", cliponaxis=False, marker={"pattern": {"shape": []}},
                hovertemplate="%{x}: %{y:,.4g} MB in %{customdata:,.4g} s<extra></extra>")  # fmt: skip
    draw(fig, m if m is not None else migrate())
    return fig


class MigrationCalculator(Calculator[Migration]):
    """Migrate a guest: change its memory, the link, how fast and how widely it dirties memory."""

    name = "migration"
    inputs = (
        Choice("mode", "method", ["pre-copy", "post-copy"], width="220px"),
        Number("memory_mb", "guest memory (MB)", "220px"),
        Number("bandwidth_mbps", "link (Mbit/s)", "200px"),
        Number("dirty_rate_mb_s", "dirty rate (MB/s)", "200px"),
        Number("wws_mb", "writable working set (MB, empty = all)", "330px", optional=True),
        Number("threshold_mb", "stop-and-copy threshold (MB)", "280px"),
    )
    rows = (("mode", "memory_mb", "bandwidth_mbps"), ("dirty_rate_mb_s", "wws_mb", "threshold_mb"))
    legend = (
        "Every starting value is an illustrative assumption (a 2,000 MB guest dirtying 50 MB/s on a 1 Gbit/s link); "
        "the round limits are Xen's, from its source code. MB = 10^6 bytes."
    )
    model = staticmethod(migrate)
    make_figure = staticmethod(lambda m: migration_figure(m, widget=True))
    draw = staticmethod(draw)
    summarize = staticmethod(summarize)
    details = staticmethod(details)
