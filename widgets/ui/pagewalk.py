"""Shadow vs nested paging as a figure and a calculator (lesson 01): the memory references of one TLB miss."""

from __future__ import annotations

import plotly.graph_objects as go

from ..core import data
from ..models.pagewalk import PAGE_SIZES, Walk, compare_walks, page_walk
from .calculator import Calculator, Choice
from .figures import new_figure
from .theme import COLORS

#: The lesson-facing API of this topic: its own names and, re-exported, the model and lab names a lesson
#: uses with them (one import per topic in a lesson).
__all__ = ["PageWalkCalculator", "compare_walks", "page_walk", "summarize", "walk_figure"]

LABELS = {
    "native": "native (no VM)",
    "shadow": "shadow page tables (software; PVM)",
    "nested": "nested paging (EPT / NPT)",
}
#: Why the figure explains rather than shows a guest handling its own page fault.
NOT_LIVE = (
    "Not shown live: a guest taking its own page fault needs protected mode with paging, and on this "
    "course's machine /dev/kvm is PVM, which stops such a guest at once (KVM_EXIT_SHUTDOWN). With EPT or "
    "NPT a guest's #PF goes straight to the guest's handler: no exit at all."
)


def summarize(walks: tuple[Walk, ...]) -> str:
    """One sentence: the three counts and the data row they must match."""
    by = {w.mode: w for w in walks}
    n, s, t = by["native"], by["shadow"], by["nested"]
    table = data.load("page_walk")
    nested = table.row(id="nested_4x4_4k")
    return (
        f"One TLB miss costs {n.references} memory references natively and {s.references} with shadow page "
        f"tables (the hypervisor pays instead on every guest page-table write), but {t.references} with nested "
        f"paging ({t.guest_levels} guest levels, each entry and the final address translated through "
        f"{t.host_levels} host levels; the published worst case for 4 KiB pages and 4 levels each is "
        f"{nested['value']:g}, {table.cite(nested)})."
    )


def draw(fig: go.Figure, walks: tuple[Walk, ...]) -> None:
    """Update the stacked bars: guest-table and host-table references per scheme."""
    x = [LABELS[w.mode] for w in walks]
    fig.data[0].x, fig.data[0].y = x, [w.guest_entries for w in walks]
    fig.data[1].x, fig.data[1].y = x, [w.host_entries for w in walks]
    fig.data[1].text = [str(w.references) for w in walks]


def walk_figure(walks: tuple[Walk, ...] | None = None, *, widget: bool = False) -> go.Figure:
    """Stacked bars: references to the guest's (or shadow) table and to the host's nested table."""
    fig = new_figure(
        "Memory references of one TLB miss (architectural worst case)",
        "",
        "memory references",
        widget=widget,
        height=380,
        barmode="stack",
        legend={"orientation": "h", "y": -0.3, "x": 0},
    )
    fig.add_bar(x=[], y=[], name="guest (or shadow) page-table entries", marker={"color": COLORS["vm"]})
    fig.add_bar(x=[], y=[], name="host (nested) page-table entries", textposition="outside", cliponaxis=False,
                marker={"color": COLORS["microvm"], "pattern": {"shape": "/"}})  # fmt: skip
    fig.add_annotation(text=NOT_LIVE, xref="paper", yref="paper", x=0, y=1.0, showarrow=False, align="left",
                       yanchor="bottom", font={"size": 10}, width=640)  # fmt: skip
    fig.update_layout(margin={"t": 110})
    draw(fig, walks if walks is not None else compare_walks())
    return fig


class PageWalkCalculator(Calculator[tuple[Walk, ...]]):
    """Change the page sizes and the levels of paging; compare native, shadow and nested translation."""

    name = "page-walk"
    inputs = (
        Choice("guest_page", "guest page size", list(PAGE_SIZES), width="220px"),
        Choice("host_page", "host page size", list(PAGE_SIZES), width="220px"),
        Choice("guest_levels", "guest paging levels", [4, 5], width="200px"),
        Choice("host_levels", "host paging levels", [4, 5], width="200px"),
    )
    rows = (("guest_page", "host_page"), ("guest_levels", "host_levels"))
    legend = "Counts follow from the x86-64 paging structure; caches make real misses cheaper than these worst cases."
    make_figure = staticmethod(lambda w: walk_figure(w, widget=True))
    draw = staticmethod(draw)
    summarize = staticmethod(summarize)

    def model(
        self, guest_page: str = "4 KiB", host_page: str = "4 KiB", guest_levels: int = 4, host_levels: int = 4
    ) -> tuple[Walk, ...]:
        return compare_walks(guest_levels, host_levels, guest_page, host_page)
