"""What "a few minutes to provision a VM" is made of: a timeline of stages.

From the request to a usable machine, a VM goes through five stages:

1. the API call and placement on a host;
2. the image transfer to that host (image size / transfer rate);
3. the guest's boot to init;
4. services and the application start;
5. the first login or health check.

The calculator adds them up on a logarithmic time axis and sets the total
beside published totals from ``data/startup_times.csv`` (EC2 and Rackspace
VMs measured by Mao & Humphrey in 2011–12, Firecracker's specified boot bound,
``docker run`` from gVisor's data).

Cited values: the transfer rates measured by Mao & Humphrey
(``data/image_transfer_rates.csv``) and Firecracker's boot-to-init bound
(used by the micro-VM preset). Every other stage value, and the image size,
is an illustrative assumption: set your own.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import ipywidgets as ipw
import plotly.graph_objects as go

from . import data, validate
from .calculator import ILLUSTRATIVE, Calculator, mark_number
from .figures import new_figure
from .theme import COLORS
from .timescales import KIND_COLOR, format_ms

#: The stages, in order.
STAGES = (
    "API call and placement",
    "image transfer to the host",
    "guest boot to init",
    "services and application start",
    "first login / health check",
)

#: Published totals shown beside the model's total: row ids in data/startup_times.csv.
REFERENCE_IDS = (
    "firecracker_boot_to_init",
    "docker_run_alpine_true_runc",
    "rackspace_linux",
    "ec2_linux_m1small",
    "ec2_windows_m1small",
)

#: The row of data/startup_times.csv whose value the micro-VM preset uses for the boot stage.
FIRECRACKER_BOOT_ID = "firecracker_boot_to_init"

CUSTOM = "custom"

#: The longest a stage may take: one hour, in s.
MAX_STAGE_S = 3600.0

#: Preset key -> label. The presets only set the controls' starting values.
PLATFORMS = {"cloud-vm": "cloud VM (2012 study)", "microvm": "micro-VM (Firecracker-style)"}

#: Starting values per preset: illustrative assumptions, set your own. The
#: micro-VM boot time is not here: it is read from the data (see :func:`preset`).
_PRESET_ASSUMPTIONS: dict[str, dict[str, float]] = {
    "cloud-vm": {"api_s": 5, "image_size_mb": 500, "boot_s": 20, "services_s": 10, "health_s": 5},
    "microvm": {"api_s": 0.05, "image_size_mb": 0, "services_s": 0.5, "health_s": 0.1},
}

#: Illustrative default for the custom transfer rate (MB/s): set your own.
DEFAULT_CUSTOM_RATE = 100.0

#: Stage argument names, in the order of :data:`STAGES` (None: computed).
_STAGE_ARGS = ("api_s", None, "boot_s", "services_s", "health_s")
_STAGE_WORDS = {
    "api_s": "placement time",
    "boot_s": "boot time",
    "services_s": "app start time",
    "health_s": "health check time",
}


def firecracker_boot_s() -> tuple[float, str]:
    """Firecracker's specified boot-to-init bound in s, and its citation."""
    table = data.load("startup_times")
    row = table.row(id=FIRECRACKER_BOOT_ID)
    return row["value_ms"] / 1000, table.cite(row)


def preset(platform: str) -> dict[str, float]:
    """The starting stage values of a platform preset (see :data:`PLATFORMS`).

    All are illustrative assumptions, set your own, except the micro-VM boot
    time, which is Firecracker's specified upper bound from the data.
    """
    validate.choice("platform", platform, PLATFORMS)
    values = dict(_PRESET_ASSUMPTIONS[platform])
    if platform == "microvm":
        values["boot_s"] = firecracker_boot_s()[0]
    return {k: values[k] for k in ("api_s", "image_size_mb", "boot_s", "services_s", "health_s")}


def transfer_rates() -> dict[str, tuple[str, float, str]]:
    """Measured transfer rates: row id -> (provider, MB/s, citation)."""
    table = data.load("image_transfer_rates")
    return {r["id"]: (r["provider"], r["rate_mb_per_s"], table.cite(r)) for r in table}


def rate_options() -> list[tuple[str, str]]:
    """Dropdown options ``(label, key)``: the measured rates, then custom."""
    opts = [(f"{p}: {mb_s:g} MB/s ({cite})", k) for k, (p, mb_s, cite) in transfer_rates().items()]
    return [*opts, ("custom (type your own)", CUSTOM)]


@dataclass(frozen=True)
class Reference:
    """A published total from ``data/startup_times.csv``."""

    subject: str
    statistic: str  # mean, upper-bound, stated, ...
    period: str
    seconds: float
    kind: str  # a kind of data/startup_times.csv (colour: timescales.KIND_COLOR)
    cite: str

    @property
    def label(self) -> str:
        """Subject and statistic, e.g. 'EC2 Linux m1.small: mean'."""
        return f"{self.subject}: {self.statistic}"


@dataclass(frozen=True)
class Timeline:
    """The stages from request to usable, and published totals to compare."""

    stages: tuple[tuple[str, float, bool, str], ...]  # (name, seconds, cited, note)
    image_size_mb: float
    rate_mb_s: float
    rate_label: str  # provider, or "your" for a custom rate
    rate_cite: str  # "" for a custom rate
    references: tuple[Reference, ...]

    @property
    def total_s(self) -> float:
        """Request to usable, in s."""
        return math.fsum(s for _, s, _, _ in self.stages)

    @property
    def starts(self) -> tuple[float, ...]:
        """When each stage starts, in s after the request."""
        out, t = [], 0.0
        for _, s, _, _ in self.stages:
            out.append(t)
            t += s
        return tuple(out)

    @property
    def dominant(self) -> tuple[str, float]:
        """The longest stage: (name, seconds)."""
        name, s, _, _ = max(self.stages, key=lambda st: st[1])
        return name, s


def provision_timeline(
    api_s: float | str = _PRESET_ASSUMPTIONS["cloud-vm"]["api_s"],
    image_size_mb: float | str = _PRESET_ASSUMPTIONS["cloud-vm"]["image_size_mb"],
    rate: str = "ec2",
    custom_rate_mb_s: float | str = DEFAULT_CUSTOM_RATE,
    boot_s: float | str = _PRESET_ASSUMPTIONS["cloud-vm"]["boot_s"],
    services_s: float | str = _PRESET_ASSUMPTIONS["cloud-vm"]["services_s"],
    health_s: float | str = _PRESET_ASSUMPTIONS["cloud-vm"]["health_s"],
) -> Timeline:
    """Add up the stages from "request" to "usable".

    Every default is an illustrative assumption, set your own (the cloud-VM
    preset), except the transfer rate, which is measured (Mao & Humphrey 2012).

    Parameters
    ----------
    api_s:
        API call and placement, 0–3600 s (default 5, illustrative assumption, set your own).
    image_size_mb:
        Image to copy to the host, 0–1,000,000 MB; 0 = already on the host
        (default 500, illustrative assumption, set your own).
    rate:
        A measured rate from ``data/image_transfer_rates.csv`` (``"ec2"``,
        ``"azure"``, ``"rackspace"``) or ``"custom"``.
    custom_rate_mb_s:
        Your transfer rate, more than 0 and at most 100,000 MB/s; read only
        when ``rate`` is ``"custom"`` (default 100, illustrative assumption, set your own).
    boot_s:
        Guest boot to init, 0–3600 s (default 20, illustrative assumption, set
        your own; the micro-VM preset uses Firecracker's specified ≤125 ms).
    services_s:
        Services and the application start, 0–3600 s (default 10, illustrative assumption, set your own).
    health_s:
        First login or health check, 0–3600 s (default 5, illustrative assumption, set your own).

    Raises
    ------
    ValueError
        On any invalid input (the message names it), or if every stage is zero.
    """
    values = {
        "api_s": api_s, "boot_s": boot_s, "services_s": services_s, "health_s": health_s,
    }
    secs = {k: validate.number(_STAGE_WORDS[k], v, minimum=0, maximum=MAX_STAGE_S, unit="s")
            for k, v in values.items()}
    size = validate.number("image size", image_size_mb, minimum=0, maximum=1_000_000, unit="MB")
    rates = transfer_rates()
    validate.choice("transfer rate", rate, [*rates, CUSTOM])
    if rate == CUSTOM:
        mb_s = validate.number("custom transfer rate", custom_rate_mb_s, minimum=0, maximum=100_000,
                               allow_zero=False, unit="MB/s")
        rate_label, rate_cite = "your", ""
    else:
        rate_label, mb_s, rate_cite = rates[rate]
    transfer = size / mb_s

    fc_s, fc_cite = firecracker_boot_s()
    stages = []
    for name, arg in zip(STAGES, _STAGE_ARGS, strict=True):
        if arg is None:
            where = (f"the {mb_s:g} MB/s measured for {rate_label} ({rate_cite})" if rate_cite
                     else f"your {mb_s:g} MB/s")
            if size == 0:
                stages.append((name, 0.0, False, f"image already on the host ({ILLUSTRATIVE}): no transfer"))
            else:
                stages.append((name, transfer, False, f"{size:g} MB image ({ILLUSTRATIVE}) at {where}"))
        elif arg == "boot_s" and math.isclose(secs[arg], fc_s):
            stages.append((name, secs[arg], True,
                           f"Firecracker's specified upper bound, InstanceStart to /sbin/init ({fc_cite})"))
        else:
            stages.append((name, secs[arg], False, ILLUSTRATIVE))
    if not any(s > 0 for _, s, _, _ in stages):
        raise ValueError("every stage takes 0 s: give at least one stage a duration")

    table = data.load("startup_times")
    refs = []
    for rid in REFERENCE_IDS:
        row = table.row(id=rid)
        refs.append(Reference(row["subject"], row["statistic"], row["period"] or "", row["value_ms"] / 1000,
                              row["kind"], table.cite(row)))
    return Timeline(tuple(stages), size, mb_s, rate_label, rate_cite, tuple(refs))


def _seconds(s: float) -> str:
    return format_ms(s * 1000)


def summarize(t: Timeline) -> str:
    """One sentence: which stage dominates the total, and the nearest published total."""
    name, s = t.dominant
    text = f"{name[0].upper()}{name[1:]} dominates: {_seconds(s)} of the {_seconds(t.total_s)} total"
    if name == STAGES[1]:
        text += (f", at the {t.rate_mb_s:g} MB/s measured for {t.rate_label} in the 2012 study"
                 if t.rate_cite else f", at your {t.rate_mb_s:g} MB/s")
    ref = min(t.references, key=lambda r: abs(math.log10(r.seconds / t.total_s)))
    text += f". The nearest published total is {ref.subject}, {_seconds(ref.seconds)} ({ref.cite})."
    return text


def note(t: Timeline) -> str:
    """The figure's footnote (two lines): what is cited, what is assumed."""
    cites = list(dict.fromkeys([t.rate_cite, *(r.cite for r in t.references)]))
    return (f"Hatched bars: {ILLUSTRATIVE}. Solid bars: from data. Diamonds: published totals.\n"
            f"Sources: {'; '.join(c for c in cites if c)}.")


def details(t: Timeline) -> str:
    """HTML under the figure: each stage with its source or assumption."""
    rows = "".join(
        f"<tr><td>{html.escape(n)}</td><td>{html.escape(_seconds(s))}</td>"
        f"<td>{'cited' if c else 'illustrative'}</td><td>{html.escape(note_)}</td></tr>"
        for n, s, c, note_ in t.stages
    )
    refs = "".join(f"<li>{html.escape(r.label)}, {html.escape(r.period)}: {html.escape(_seconds(r.seconds))} "
                   f"({html.escape(r.cite)})</li>" for r in t.references)
    return (f"<table class='cvm-stages'><thead><tr><th>stage</th><th>time</th><th></th><th>where from</th>"
            f"</tr></thead><tbody>{rows}</tbody></table><p>Published totals: definitions of 'started' "
            f"differ between rows (see data/startup_times.csv).</p><ul>{refs}</ul>"
            f"<p><i>{html.escape(note(t)).replace(chr(10), '<br>')}</i></p>")


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
    stages.text = [_seconds(s) for _, s, _, _ in t.stages]
    stages.customdata = [[_seconds(b), note_] for b, (*_, note_) in zip(t.starts, t.stages, strict=True)]
    total.y = ["total (your stages)"]
    total.x = [t.total_s]
    total.text = [_seconds(t.total_s)]
    refs.y = [r.label for r in t.references]
    refs.x = [r.seconds for r in t.references]
    refs.text = [_seconds(r.seconds) for r in t.references]
    refs.marker.color = [COLORS[KIND_COLOR[r.kind]] for r in t.references]
    refs.customdata = [[r.period, r.cite] for r in t.references]
    fig.layout.xaxis.range = _range(t, fig.layout.xaxis.type or "log")
    fig.layout.shapes = [{
        "type": "line", "xref": "x", "yref": "paper", "x0": t.total_s, "x1": t.total_s, "y0": 0, "y1": 1,
        "line": {"dash": "dash", "color": COLORS["other"], "width": 1.5},
    }]


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
    fig.add_bar(orientation="h", y=[], x=[], base=[], name="stages",
                marker={"color": COLORS["vm"], "pattern": {"shape": []}},
                textposition="outside", cliponaxis=False,
                hovertemplate="%{y}: %{text}, from %{customdata[0]}<br>%{customdata[1]}<extra></extra>")
    fig.add_bar(orientation="h", y=[], x=[], name="total", marker_color=COLORS["other"],
                textposition="outside", cliponaxis=False, hovertemplate="total: %{text}<extra></extra>")
    fig.add_scatter(mode="markers+text", y=[], x=[], name="published totals", textposition="middle right",
                    cliponaxis=False,
                    marker={"symbol": "diamond", "size": 12, "line": {"width": 1, "color": "white"}},
                    hovertemplate="%{y}: %{text}<br>%{customdata[0]}<br>source: %{customdata[1]}<extra></extra>")
    draw(fig, t)
    return fig


def _text(value: float, description: str, placeholder: str = "") -> ipw.Text:
    return mark_number(ipw.Text(value=f"{value:g}", description=description, continuous_update=False,
                                placeholder=placeholder, tooltip=f"starting value {value:g}: {ILLUSTRATIVE}",
                                style={"description_width": "initial"}, layout=ipw.Layout(width="230px")))


class ProvisioningCalculator(Calculator[Timeline]):
    """Set each stage from request to usable and compare the total with published ones.

    The ``platform`` preset only sets the stage controls' starting values
    (illustrative assumptions, set your own; the micro-VM boot time is
    Firecracker's cited bound).
    """

    def __init__(self, platform: str = "cloud-vm", rate: str = "ec2") -> None:
        start = preset(platform)
        validate.choice("transfer rate", rate, [*transfer_rates(), CUSTOM])
        t = provision_timeline(rate=rate, **start)
        controls: dict[str, ipw.ValueWidget] = {
            "api_s": _text(start["api_s"], "API call, placement (s)"),
            "image_size_mb": _text(start["image_size_mb"], "image size (MB)", "0 = already on the host"),
            "rate": ipw.Dropdown(options=rate_options(), value=rate, description="transfer rate",
                                 style={"description_width": "initial"}, layout=ipw.Layout(width="420px")),
            "custom_rate_mb_s": _text(DEFAULT_CUSTOM_RATE, "custom rate (MB/s)"),
            "boot_s": _text(start["boot_s"], "guest boot to init (s)"),
            "services_s": _text(start["services_s"], "services, app start (s)"),
            "health_s": _text(start["health_s"], "login / health check (s)"),
        }
        controls["custom_rate_mb_s"].disabled = rate != CUSTOM
        self.platform = ipw.Dropdown(options=[(v, k) for k, v in PLATFORMS.items()], value=platform,
                                     description="platform preset", style={"description_width": "initial"})
        self._applying = False
        super().__init__(
            "provisioning",
            controls,
            provision_timeline,
            draw,
            summarize,
            figure(t, widget=True),
            layout_rows=[["rate", "custom_rate_mb_s", "image_size_mb"],
                         ["api_s", "boot_s"], ["services_s", "health_s"]],
            details=details,
        )
        self.axis = ipw.ToggleButtons(options=["log", "linear"], value="log", description="time axis",
                                      style={"button_width": "70px"})
        self.platform.observe(self._apply_preset, names="value")
        self.axis.observe(self._set_axis, names="value")
        controls["rate"].observe(self._toggle_custom, names="value")
        legend = ipw.HTML(f"<small>Stage times are {ILLUSTRATIVE}, except where the table below says "
                          "'cited'; the transfer rates and published totals come from the course data.</small>")
        legend.add_class("cvm-assumptions")
        self.children = (ipw.HBox([self.platform, self.axis]), legend, *self.children)

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
