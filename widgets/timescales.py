"""Start-up times across platforms, on one logarithmic scale.

A first calculator: the published start-up and boot times in
``data/startup_times.csv`` (a process, containers, sandboxes, micro-VMs,
cloud VMs), filtered by kind, with the learner's own measurement placed on
the same scale. The point: these differ by orders of magnitude, so only a
log scale shows them together.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import ipywidgets as ipw
import numpy as np
import plotly.graph_objects as go

from . import data, validate
from .calculator import Calculator, mark_number
from .figures import new_figure
from .theme import COLORS

#: Data ``kind`` -> course colour key.
KIND_COLOR = {
    "process": "native",
    "container": "container",
    "sandboxed-container": "sandbox",
    "microvm": "microvm",
    "unikernel-vm": "unikernel",
    "cloud-vm": "vm",
}

#: The largest own measurement accepted: one day, in ms.
MAX_MS = 86_400_000.0


@dataclass(frozen=True)
class Timescale:
    """The rows to plot, and the spread between fastest and slowest."""

    labels: tuple[str, ...]
    values_ms: np.ndarray
    kinds: tuple[str, ...]
    cites: tuple[str, ...]
    mine_ms: float | None

    @property
    def ratio(self) -> float:
        """Slowest / fastest of the published values shown."""
        return float(self.values_ms.max() / self.values_ms.min())

    @property
    def orders(self) -> float:
        """The spread in orders of magnitude (log10 of :attr:`ratio`)."""
        return math.log10(self.ratio)


def available_kinds() -> list[str]:
    """The kinds present in the data, in the order of :data:`KIND_COLOR`."""
    present = set(data.load("startup_times").column("kind"))
    return [k for k in KIND_COLOR if k in present]


def format_ms(ms: float) -> str:
    """A duration in the unit a person would use: '1.2 ms', '3.4 s', '13.5 min'."""
    if ms < 1000:
        return f"{ms:.3g} ms"
    if ms < 120_000:
        return f"{ms / 1000:.3g} s"
    return f"{ms / 60_000:.3g} min"


def timescales(kinds: Sequence[str], my_time_ms: str | float | None = None) -> Timescale:
    """Select published start-up times by kind and add an optional own value.

    Parameters
    ----------
    kinds:
        Kinds to show (see :func:`available_kinds`); at least one.
    my_time_ms:
        Your own measurement in milliseconds (number or text); ``None`` or
        empty text for none.

    Raises
    ------
    ValueError
        If no kind is chosen, a kind is unknown, or the own value is not a
        positive number of at most one day.
    """
    if isinstance(kinds, str) or not isinstance(kinds, Sequence):
        raise ValueError("kinds must be a list of kinds, e.g. ['container', 'cloud-vm']")
    if not kinds:
        raise ValueError("choose at least one kind of platform to show")
    for k in kinds:
        validate.choice("kind", k, KIND_COLOR)
    mine = None
    if my_time_ms is not None and not (isinstance(my_time_ms, str) and not my_time_ms.strip()):
        mine = validate.number("your time", my_time_ms, minimum=0, maximum=MAX_MS,
                               allow_zero=False, unit="ms")
    table = data.load("startup_times")
    rows = sorted((r for r in table if r["kind"] in kinds), key=lambda r: r["value_ms"])
    if not rows:
        raise ValueError(f"the data has no start-up times for {', '.join(kinds)}")
    return Timescale(
        tuple(r["subject"] for r in rows),
        np.array([r["value_ms"] for r in rows], dtype=float),
        tuple(r["kind"] for r in rows),
        tuple(table.cite(r) for r in rows),
        mine,
    )


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
    fig.layout.shapes = [] if t.mine_ms is None else [{
        "type": "line", "xref": "x", "yref": "paper", "x0": t.mine_ms, "x1": t.mine_ms,
        "y0": 0, "y1": 1, "line": {"dash": "dash", "color": COLORS["other"], "width": 2},
        "label": {"text": f"yours: {format_ms(t.mine_ms)}", "textposition": "end",
                  "font": {"color": COLORS["other"]}},
    }]


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
        orientation="h", x=[], y=[], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}<br>%{x:,.4g} ms<br>kind: %{customdata[0]}<br>source: %{customdata[1]}<extra></extra>",
        name="published",
    )
    draw(fig, t)
    return fig


class TimescaleCalculator(Calculator[Timescale]):
    """Pick kinds of platform and place your own start-up time on the scale."""

    def __init__(self, kinds: Sequence[str] | None = None, my_time_ms: str = "") -> None:
        options = available_kinds()
        chosen = list(kinds) if kinds is not None else options
        select = ipw.SelectMultiple(options=options, value=chosen, description="kinds", rows=len(options))
        mine = mark_number(ipw.Text(value=my_time_ms, description="yours (ms)", placeholder="e.g. 30000",
                                    continuous_update=False), optional=True)
        t = timescales(chosen, my_time_ms)
        fig = figure(t, widget=True)
        super().__init__(
            "timescales",
            {"kinds": select, "my_time_ms": mine},
            lambda kinds, my_time_ms: timescales(list(kinds), my_time_ms),
            draw,
            summarize,
            fig,
            layout_rows=[["kinds", "my_time_ms"]],
        )
