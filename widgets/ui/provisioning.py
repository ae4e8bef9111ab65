"""Provisioning as a figure and a calculator (lesson 01): the stages from request to a usable VM."""

from __future__ import annotations

import html
import math

import ipywidgets as ipw
import plotly.graph_objects as go

from ..core import validate
from ..core.units import format_s
from ..core.validate import ILLUSTRATIVE
from ..models.provisioning import PLATFORMS, STAGES, Timeline, preset, provision_timeline
from ..models.rates import CUSTOM, rate_options, transfer_rates
from ..models.timescales import KIND_COLOR
from .calculator import Calculator, Choice, Number
from .figures import new_figure
from .theme import COLORS


def summarize(t: Timeline) -> str:
    """One sentence: which stage dominates the total, and the nearest published total."""
    name, s = t.dominant
    text = f"{name[0].upper()}{name[1:]} dominates: {format_s(s)} of the {format_s(t.total_s)} total"
    if name == STAGES[1]:
        text += (
            f", at the {t.rate_mb_s:g} MB/s measured for {t.rate_label} in the 2012 study"
            if t.rate_cite
            else f", at your {t.rate_mb_s:g} MB/s"
        )
    ref = min(t.references, key=lambda r: abs(math.log10(r.seconds / t.total_s)))
    text += f". The nearest published total is {ref.subject}, {format_s(ref.seconds)} ({ref.cite})."
    return text


def note(t: Timeline) -> str:
    """The figure's footnote (two lines): what is cited, what is assumed."""
    cites = list(dict.fromkeys([t.rate_cite, *(r.cite for r in t.references)]))
    return (
        f"Hatched bars: {ILLUSTRATIVE}. Solid bars: from data. Diamonds: published totals.\n"
        f"Sources: {'; '.join(c for c in cites if c)}."
    )


def details(t: Timeline) -> str:
    """HTML under the figure: each stage with its source or assumption."""
    rows = "".join(
        f"<tr><td>{html.escape(n)}</td><td>{html.escape(format_s(s))}</td>"
        f"<td>{'cited' if c else 'illustrative'}</td><td>{html.escape(note_)}</td></tr>"
        for n, s, c, note_ in t.stages
    )
    refs = "".join(
        f"<li>{html.escape(r.label)}, {html.escape(r.period)}: {html.escape(format_s(r.seconds))} "
        f"({html.escape(r.cite)})</li>"
        for r in t.references
    )
    return (
        f"<table class='cvm-stages'><thead><tr><th>stage</th><th>time</th><th>kind</th><th>where from</th>"
        f"</tr></thead><tbody>{rows}</tbody></table><p>Published totals: definitions of 'started' "
        f"differ between rows (see data/startup_times.csv).</p><ul>{refs}</ul>"
        f"<p><i>{html.escape(note(t)).replace(chr(10), '<br>')}</i></p>"
    )


def _range(t: Timeline, axis: str = "log") -> list[float]:
    """The x range that shows every non-zero stage, the total and the references.

    For a log axis the range is in log10 s, as plotly expects.
    """
    values = [s for _, s, _, _ in t.stages if s > 0] + [t.total_s] + [r.seconds for r in t.references]
    if axis == "linear":
        return [0.0, max(values) * 1.12]
    return [math.log10(min(values)) - 0.4, math.log10(max(values)) + 0.45]


def draw(fig: go.Figure, t: Timeline) -> None:
    """Redraw the stage bars, the total, the published totals and the total's line."""
    stages, total, refs = fig.data
    stages.y = list(STAGES)
    stages.x = [s for _, s, _, _ in t.stages]
    stages.base = list(t.starts)
    stages.marker.pattern.shape = ["" if c else "/" for _, _, c, _ in t.stages]
    stages.text = [format_s(s) for _, s, _, _ in t.stages]
    stages.customdata = [[format_s(b), note_] for b, (*_, note_) in zip(t.starts, t.stages, strict=True)]
    total.y = ["total (your stages)"]
    total.x = [t.total_s]
    total.text = [format_s(t.total_s)]
    refs.y = [r.label for r in t.references]
    refs.x = [r.seconds for r in t.references]
    refs.text = [format_s(r.seconds) for r in t.references]
    refs.marker.color = [COLORS[KIND_COLOR[r.kind]] for r in t.references]
    refs.customdata = [[r.period, r.cite] for r in t.references]
    fig.layout.xaxis.range = _range(t, fig.layout.xaxis.type or "log")
    fig.layout.shapes = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": t.total_s,
            "x1": t.total_s,
            "y0": 0,
            "y1": 1,
            "line": {"dash": "dash", "color": COLORS["other"], "width": 1.5},
        }
    ]


def figure(t: Timeline, *, widget: bool = False) -> go.Figure:
    """A Gantt-style timeline of the stages on a log time axis, with published totals."""
    fig = new_figure(
        "From request to usable: the stages of provisioning, and published totals",
        "time since the request (s, log scale)",
        "",
        widget=widget,
        height=500,
        xaxis={"type": "log", "dtick": 1},
        yaxis={"autorange": "reversed"},
        showlegend=False,
        margin={"l": 400, "r": 90, "b": 70},
    )
    fig.add_bar(
        orientation="h",
        y=[],
        x=[],
        base=[],
        name="stages",
        marker={"color": COLORS["vm"], "pattern": {"shape": []}},
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: %{text}, from %{customdata[0]}<br>%{customdata[1]}<extra></extra>",
    )
    fig.add_bar(
        orientation="h",
        y=[],
        x=[],
        name="total",
        marker_color=COLORS["other"],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="total: %{text}<extra></extra>",
    )
    fig.add_scatter(
        mode="markers+text",
        y=[],
        x=[],
        name="published totals",
        textposition="middle right",
        cliponaxis=False,
        marker={"symbol": "diamond", "size": 12, "line": {"width": 1, "color": "white"}},
        hovertemplate="%{y}: %{text}<br>%{customdata[0]}<br>source: %{customdata[1]}<extra></extra>",
    )
    draw(fig, t)
    return fig


class ProvisioningCalculator(Calculator[Timeline]):
    """Set each stage from request to usable and compare the total with published ones.

    The ``platform`` preset only sets the stage controls' starting values (illustrative assumptions, set your
    own; the micro-VM boot time is Firecracker's cited bound).
    """

    name = "provisioning"
    inputs = (
        Number("api_s", "API call, placement (s)", "230px"),
        Number("image_size_mb", "image size (MB)", "230px", placeholder="0 = already on the host"),
        Choice("rate", "transfer rate", rate_options, "420px"),
        Number("custom_rate_mb_s", "custom rate (MB/s)", "230px"),
        Number("boot_s", "guest boot to init (s)", "230px"),
        Number("services_s", "services, app start (s)", "230px"),
        Number("health_s", "login / health check (s)", "230px"),
    )
    rows = (("rate", "custom_rate_mb_s", "image_size_mb"), ("api_s", "boot_s"), ("services_s", "health_s"))
    legend = (
        f"Stage times are {ILLUSTRATIVE}, except where the table below says 'cited'; the transfer rates and "
        "published totals come from the course data."
    )
    model = staticmethod(provision_timeline)
    make_figure = staticmethod(lambda t: figure(t, widget=True))
    draw = staticmethod(draw)
    summarize = staticmethod(summarize)
    details = staticmethod(details)

    def __init__(self, platform: str = "cloud-vm", rate: str = "ec2") -> None:
        validate.choice("transfer rate", rate, [*transfer_rates(), CUSTOM])
        self._applying = False
        super().__init__(rate=rate, **preset(platform))
        self.controls["custom_rate_mb_s"].disabled = rate != CUSTOM
        self.platform = ipw.Dropdown(
            options=[(v, k) for k, v in PLATFORMS.items()],
            value=platform,
            description="platform preset",
            style={"description_width": "initial"},
        )
        self.axis = ipw.ToggleButtons(
            options=["log", "linear"], value="log", description="time axis", style={"button_width": "70px"}
        )
        self.platform.observe(self._apply_preset, names="value")
        self.axis.observe(self._set_axis, names="value")
        self.controls["rate"].observe(self._toggle_custom, names="value")
        self.children = (ipw.HBox([self.platform, self.axis]), *self.children)

    def _on_change(self, change: dict) -> None:
        if not self._applying:
            super()._on_change(change)

    def _set_axis(self, change: dict) -> None:
        """Switch the time axis between log and linear (the figure only; the model is unchanged)."""
        log = change["new"] == "log"
        with self.figure.batch_update():
            self.figure.layout.xaxis.type = change["new"]
            self.figure.layout.xaxis.dtick = 1 if log else None
            self.figure.layout.xaxis.title.text = f"time since the request (s{', log scale' if log else ''})"
            if self.result is not None:
                self.figure.layout.xaxis.range = _range(self.result, change["new"])

    def _toggle_custom(self, change: dict) -> None:
        self.controls["custom_rate_mb_s"].disabled = change["new"] != CUSTOM

    def _apply_preset(self, change: dict) -> None:
        """Set every stage control to the preset's starting values, then recompute once."""
        self._applying = True
        try:
            for name, value in preset(change["new"]).items():
                self.controls[name].value = f"{value:g}"
        finally:
            self._applying = False
        self.update()
