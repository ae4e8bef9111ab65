"""Layers as figures and calculators (lessons 03, 07): storage with and without shared layers, and pull times."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from ..core import validate
from ..core.units import format_mb, format_ms
from ..core.validate import ILLUSTRATIVE
from ..models.layers import (
    EXAMPLE_BASES,
    MEASURE,
    PullTime,
    Storage,
    base_layer,
    catalog,
    example_storage,
    pull_time,
)
from ..models.rates import CUSTOM, rate_options
from .calculator import Calculator, Choice, Many, Number, Slider, Toggle
from .figures import new_figure
from .theme import COLORS

#: The lesson-facing API of this topic: its own names and, re-exported, the model and lab names a lesson
#: uses with them (one import per topic in a lesson).
__all__ = [
    "PullCalculator",
    "StorageCalculator",
    "draw_pull",
    "draw_storage",
    "example_storage",
    "pull_figure",
    "storage_figure",
    "summarize_pull",
    "summarize_storage",
]

_BAR = ("containers,<br>layers shared", "containers,<br>no sharing", "VMs")


def summarize_storage(s: Storage) -> str:
    """One sentence: what sharing saves, and what the VMs store."""
    clones = "sharing one base OS disk (linked clones)" if s.linked_clones else "each with its own guest-OS disk"
    return (
        f"Sharing base layers, the {len(s.images)} container images store {format_mb(s.shared_mb)} of {s.measure} "
        f"layers instead of {format_mb(s.unshared_mb)} ({s.savings_pct:.1f}% less); {s.n_vms} VMs {clones} of "
        f"{s.guest_os_gb:g} GB ({ILLUSTRATIVE}) store {format_mb(s.vm_mb)}."
    )


def draw_storage(fig: go.Figure, s: Storage) -> None:
    """Redraw the stacked bars: container segments (base layers, app layers), then the VMs."""
    *cont, vm_os, vm_app = fig.data
    if len(s.segments) > len(cont):
        raise ValueError(f"this figure has room for {len(cont)} layer segments, not {len(s.segments)}")
    for i, tr in enumerate(cont):
        label, shared, unshared, cite = s.segments[i] if i < len(s.segments) else ("", 0.0, 0.0, "")
        tr.name, tr.showlegend = label, bool(label)
        tr.x, tr.y = ([_BAR[0], _BAR[1]], [shared, unshared]) if label else ([], [])
        tr.customdata = [cite or ILLUSTRATIVE] * 2
    vm_os.name = "guest OS disk" + (" (one shared base: linked clones)" if s.linked_clones else "s")
    vm_os.x, vm_os.y = [_BAR[2]], [s.vm_os_mb]
    vm_app.x, vm_app.y = [_BAR[2]], [s.vm_app_mb]
    fig.layout.annotations = [
        {"x": b, "y": y, "text": format_mb(y), "showarrow": False, "yanchor": "bottom"}
        for b, y in zip(_BAR, (s.shared_mb, s.unshared_mb, s.vm_mb), strict=True)
    ]
    fig.layout.yaxis.title.text = f"stored (MB, decimal; container layers {s.measure})"


def storage_figure(s: Storage, *, widget: bool = False, n_segments: int | None = None) -> go.Figure:
    """Stacked bars of MB stored: containers with and without sharing, and VMs."""
    fig = new_figure(
        "What one host stores: container layers shared, not shared, and VMs",
        "",
        "stored (MB)",
        widget=widget,
        height=460,
        barmode="stack",
        legend={"traceorder": "normal"},
    )
    for i in range(n_segments or len(s.segments)):
        fig.add_bar(
            x=[],
            y=[],
            marker={
                "color": COLORS["container"],
                "line": {"color": "white", "width": 1},
                "pattern": {"shape": ("", "/", "x", ".", "-")[i % 5]},
            },
            hovertemplate="%{fullData.name}: %{y:,.1f} MB<br>%{customdata}<extra></extra>",
        )
    fig.add_bar(x=[], y=[], marker_color=COLORS["vm"], hovertemplate=f"%{{y:,.1f}} MB ({ILLUSTRATIVE})<extra></extra>")
    fig.add_bar(
        x=[],
        y=[],
        name="VM apps",
        marker={"color": COLORS["vm"], "pattern": {"shape": "/"}},
        hovertemplate=f"VM apps: %{{y:,.1f}} MB ({ILLUSTRATIVE})<extra></extra>",
    )
    draw_storage(fig, s)
    return fig


class StorageCalculator(Calculator[Storage]):
    """Services on cited base images (shared layers) against N VMs with their own guest OS."""

    name = "storage"
    inputs = (
        *(Slider(key, f"services on {base_layer(rid).name}", 0, 10) for key, rid in EXAMPLE_BASES.items()),
        Number("app_mb", "app layer (MB)", "230px"),
        Slider("n_vms", "VMs", 1, 30),
        Number("guest_os_gb", "guest OS per VM (GB)", "230px"),
        Toggle("linked_clones", "linked clones"),
    )
    rows = (tuple(EXAMPLE_BASES), ("app_mb", "n_vms"), ("guest_os_gb", "linked_clones"))
    model = staticmethod(example_storage)
    make_figure = staticmethod(lambda s: storage_figure(s, widget=True, n_segments=len(EXAMPLE_BASES) + 1))
    draw = staticmethod(draw_storage)
    summarize = staticmethod(summarize_storage)

    @property
    def legend(self) -> str:  # type: ignore[override]
        return (
            f"Base sizes: {MEASURE} sizes from data/image_sizes.csv ({base_layer(EXAMPLE_BASES['n_alpine']).cite}). "
            f"App layer, guest OS and VM sizes: {ILLUSTRATIVE}."
        )


def summarize_pull(p: PullTime) -> str:
    """One sentence: the pull on your host against the VM image copy."""
    have = f"{len(p.cached)} of its {len(p.image.layers)} layers already there" if p.cached else "no layer cached"
    pull_s, vm_s = (format_ms(b[2] * 1000) for b in p.bars[2:])
    return (
        f"Pulling {p.image.name} onto your host ({have}) moves {format_mb(p.pull_mb)} in {pull_s} at "
        f"{p.bandwidth_mbit_s:g} Mbit/s ({ILLUSTRATIVE}); copying a {p.vm_image_gb:g} GB VM image at the "
        f"{p.vm_rate_mb_s:g} MB/s measured for {p.vm_provider} ({p.vm_cite}) takes {vm_s}."
    )


def draw_pull(fig: go.Figure, p: PullTime) -> None:
    """Redraw the horizontal bars of seconds."""
    bars = fig.data[0]
    bars.y, bars.x = [b[0] for b in p.bars], [b[2] for b in p.bars]
    bars.text = [f"{format_ms(s * 1000)} ({format_mb(mb)})" for _, mb, s in p.bars]
    bars.marker.color = [COLORS["container"]] * 3 + [COLORS["vm"]]
    bars.customdata = [f"at {p.bandwidth_mbit_s:g} Mbit/s ({ILLUSTRATIVE})"] * 3 + [
        f"{p.vm_image_gb:g} GB ({ILLUSTRATIVE}) at {p.vm_rate_mb_s:g} MB/s, {p.vm_provider} ({p.vm_cite})"
    ]
    fig.layout.xaxis.range = [0, max(b[2] for b in p.bars) * 1.35 or 1]


def pull_figure(p: PullTime, *, widget: bool = False) -> go.Figure:
    """Horizontal bars: seconds to pull the container image (cold, cached, your host) and to copy a VM image."""
    fig = new_figure(
        "Seconds to get an image onto a host: container pull against VM image copy",
        "time (s)",
        "",
        widget=widget,
        height=340,
        showlegend=False,
        yaxis={"autorange": "reversed"},
        margin={"l": 260, "r": 40},
    )
    fig.add_bar(
        orientation="h",
        x=[],
        y=[],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: %{text}<br>%{customdata}<extra></extra>",
    )
    draw_pull(fig, p)
    return fig


class PullCalculator(Calculator[PullTime]):
    """Pick an image and what the host already has; compare with a VM image copy at a measured rate."""

    name = "pull"
    inputs = (
        Choice("image", "image", lambda: list(catalog()), "420px"),
        Many("already_present", "already on the host", lambda: list(catalog()), "420px"),
        Number("bandwidth_mbit_s", "bandwidth (Mbit/s)", "230px"),
        Number("app_mb", "app layer (MB)", "230px"),
        Number("vm_image_gb", "VM image (GB)", "230px"),
        Choice("vm_rate", "VM image transfer rate", lambda: [o for o in rate_options() if o[1] != CUSTOM], "420px"),
    )
    rows = (("image",), ("already_present",), ("bandwidth_mbit_s", "app_mb"), ("vm_image_gb", "vm_rate"))
    make_figure = staticmethod(lambda p: pull_figure(p, widget=True))
    draw = staticmethod(draw_pull)
    summarize = staticmethod(summarize_pull)

    def model(self, already_present: Sequence[str] = ("alpine:latest",), **values: object) -> PullTime:
        return pull_time(already_present=list(already_present), **values)

    def defaults(self) -> dict[str, object]:
        return validate.defaults_of(pull_time)
