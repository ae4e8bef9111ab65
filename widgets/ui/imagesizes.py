"""Sizes of real container images, from the official images' metadata.

``data/image_sizes.csv`` holds the compressed size a pull transfers and, for
some images, the unpacked on-disk size. The two are different measures and
are never mixed: the figure shows them as separate series.
"""

from __future__ import annotations

import plotly.graph_objects as go

from ..core import data
from .figures import new_figure
from .theme import COLORS


def image_sizes_figure() -> go.Figure:
    """Horizontal bars: each image's compressed size and, where known, its on-disk size (MB)."""
    table = data.load("image_sizes")
    rows = sorted(table, key=lambda r: r["size_mb"])
    fig = new_figure(
        "Official container images: compressed (pulled) and on-disk sizes",
        "size (MB, as stated by the source)",
        "",
        height=380,
        barmode="group",
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 170},
    )
    series = (("compressed", COLORS["container"], ""), ("on-disk", COLORS["container"], "/"))
    for measure, colour, pattern in series:
        chosen = [r for r in rows if r["measure"] == measure]
        fig.add_bar(
            orientation="h",
            name=measure,
            x=[r["size_mb"] for r in chosen],
            y=[f"{r['image']}:{r['tag']}" for r in chosen],
            marker={"color": colour, "pattern": {"shape": pattern}, "opacity": 1.0 if not pattern else 0.6},
            text=[f"{r['size_mb']:g} MB" for r in chosen],
            textposition="outside",
            cliponaxis=False,
            customdata=[[r["built"] or "not recorded", table.cite(r)] for r in chosen],
            hovertemplate="%{y}: %{x} MB (" + measure + ")<br>built %{customdata[0]}<br>%{customdata[1]}"
            "<extra></extra>",
        )
    return fig


def image_sizes_summary() -> str:
    """One sentence on the figure, from the data."""
    table = data.load("image_sizes")
    compressed = sorted((r for r in table if r["measure"] == "compressed"), key=lambda r: r["size_mb"])
    small, big = compressed[0], compressed[-1]
    alpine_disk = table.row(id="alpine_3.24.2_on_disk")["size_mb"]
    return (
        f"The official images pull as {small['size_mb']:g} MB ({small['image']}) to {big['size_mb']:g} MB "
        f"({big['image']}) compressed; unpacked on disk they are larger (alpine {alpine_disk:g} MB), "
        "but still megabytes, not gigabytes."
    )
