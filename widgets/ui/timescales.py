"""The start-up timescale as a figure and a calculator: published times on one log scale, and yours."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from ..core.units import format_ms
from ..models.timescales import KIND_COLOR, Timescale, available_kinds, timescales
from .calculator import Calculator, Many, Number
from .figures import new_figure
from .theme import COLORS


def summarize(t: Timescale) -> str:
    """One sentence: how far apart the fastest and slowest shown are."""
    text = (
        f"The slowest shown ({t.labels[-1]}, {format_ms(t.values_ms[-1])}) takes about "
        f"{t.ratio:,.0f}× as long as the fastest ({t.labels[0]}, {format_ms(t.values_ms[0])}): "
        f"{t.orders:.1f} orders of magnitude."
    )
    if t.mine_ms is not None:
        faster = int((t.values_ms > t.mine_ms).sum())
        text += f" Your {format_ms(t.mine_ms)} is faster than {faster} of the {len(t.labels)} shown."
    return text


def draw(fig: go.Figure, t: Timescale) -> None:
    """Redraw the bars (and the learner's line) for a :class:`Timescale`."""
    bars = fig.data[0]
    bars.x = t.values_ms.tolist()
    bars.y = list(t.labels)
    bars.marker.color = [COLORS[KIND_COLOR[k]] for k in t.kinds]
    bars.text = [format_ms(v) for v in t.values_ms]
    bars.customdata = [[k, c] for k, c in zip(t.kinds, t.cites, strict=True)]
    fig.layout.height = max(320, 60 + 34 * len(t.labels))
    # Shapes are replaced whole (add_vline does not work inside batch_update).
    fig.layout.shapes = (
        []
        if t.mine_ms is None
        else [
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": t.mine_ms,
                "x1": t.mine_ms,
                "y0": 0,
                "y1": 1,
                "line": {"dash": "dash", "color": COLORS["other"], "width": 2},
                "label": {
                    "text": f"yours: {format_ms(t.mine_ms)}",
                    "textposition": "end",
                    "font": {"color": COLORS["other"]},
                },
            }
        ]
    )


def figure(t: Timescale, *, widget: bool = False) -> go.Figure:
    """A horizontal log-scale bar chart of a :class:`Timescale`."""
    fig = new_figure(
        "Published start-up times, fastest to slowest",
        "start-up time (ms, log scale)",
        "",
        widget=widget,
        xaxis_type="log",
        showlegend=False,
        margin={"l": 330},
    )
    fig.add_bar(
        orientation="h",
        x=[],
        y=[],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}<br>%{x:,.4g} ms<br>kind: %{customdata[0]}<br>source: %{customdata[1]}<extra></extra>",
        name="published",
    )
    draw(fig, t)
    return fig


class TimescaleCalculator(Calculator[Timescale]):
    """Pick kinds of platform and place your own start-up time on the scale."""

    name = "timescales"
    inputs = (
        Many("kinds", "kinds", available_kinds, width="300px", rows=len(available_kinds())),
        Number("my_time_ms", "yours (ms)", optional=True, placeholder="e.g. 30000"),
    )
    rows = (("kinds", "my_time_ms"),)
    make_figure = staticmethod(lambda t: figure(t, widget=True))
    draw = staticmethod(draw)
    summarize = staticmethod(summarize)

    def model(self, kinds: Sequence[str], my_time_ms: str = "") -> Timescale:
        return timescales(list(kinds), my_time_ms)

    def defaults(self) -> dict[str, object]:
        return {"kinds": tuple(available_kinds()), "my_time_ms": ""}
