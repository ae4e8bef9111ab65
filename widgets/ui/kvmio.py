"""The I/O lab as figures and a calculator (lesson 01): the same message through a UART and through a ring."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from ..labs.kvmio import IoLab, Ring, io_lab, io_sweep, recorded_sweep, send
from ..labs.kvmvm import kvm_backend
from ..models.guestio import MAX_MESSAGE, PATHS, QUEUE_SIZE, doorbells, expected_exits, sample_message
from ..models.iopaths import Sweep, crossover, fit_costs
from .calculator import Calculator, Choice, Number
from .figures import new_figure
from .theme import COLORS

#: The lesson-facing API of this topic: its own names and, re-exported, the model and lab names a lesson
#: uses with them (one import per topic in a lesson).
__all__ = [
    "IoLabCalculator",
    "Ring",
    "costs_sentence",
    "crossover",
    "doorbells",
    "expected_exits",
    "fit_costs",
    "io_lab",
    "io_sweep",
    "kvm_backend",
    "recorded_sweep",
    "sample_message",
    "send",
    "summarize",
    "summarize_sweep",
    "sweep_exits_figure",
    "sweep_times_figure",
]

LABELS = {
    "serial": "emulated UART (one out per byte)",
    "ring-port": "virtio-style ring, port doorbell",
    "ring-mmio": "virtio-style ring, MMIO doorbell",
    "ring-ioeventfd": "ring, doorbell as an ioeventfd (vhost-style)",
}
STYLE = {  # colour, dash, marker: never the colour alone
    "serial": (COLORS["other"], "dash", "square"),
    "ring-port": (COLORS["vm"], "solid", "circle"),
    "ring-mmio": (COLORS["microvm"], "dot", "diamond"),
    "ring-ioeventfd": (COLORS["native"], "dashdot", "triangle-up"),
}
REASONS = ("IO", "MMIO", "HLT")


def _where(sweep: Sweep) -> str:
    return "measured here" if sweep.live else sweep.source


def sweep_exits_figure(sweep: Sweep) -> go.Figure:
    """Exits to user space per message, by length, both axes logarithmic: N + 1 against a constant."""
    fig = new_figure(
        "Exits to user space per message: emulated UART vs virtio-style ring",
        "message length (bytes, log scale)",
        "exits to user space (log scale)",
        xaxis_type="log",
        yaxis_type="log",
        legend={"orientation": "h", "y": -0.25, "x": 0},
    )
    for path in sweep.paths:
        colour, dash, marker = STYLE[path]
        fig.add_scatter(
            x=list(sweep.sizes),
            y=list(sweep.exits[path]),
            name=LABELS[path],
            mode="lines+markers",
            line={"color": colour, "dash": dash},
            marker={"symbol": marker, "size": 8},
            hovertemplate="%{x} bytes: %{y} exits<extra>" + LABELS[path] + "</extra>",
        )
    return fig


def sweep_times_figure(sweep: Sweep) -> go.Figure:
    """Measured (or recorded) time per message, by length, with the fitted per-message + per-byte lines."""
    fig = new_figure(
        f"Time per message ({_where(sweep)}): emulated UART vs virtio-style ring",
        "message length (bytes, log scale)",
        "time from first KVM_RUN to HLT (ms, log scale)",
        xaxis_type="log",
        yaxis_type="log",
        legend={"orientation": "h", "y": -0.25, "x": 0},
    )
    if sweep.times_ms is None:
        fig.add_annotation(text="no times: the model gives the counts only", showarrow=False, x=0.5, y=0.5,
                           xref="paper", yref="paper")  # fmt: skip
        return fig
    costs = fit_costs(sweep)
    for path in sweep.paths:
        colour, dash, marker = STYLE[path]
        fig.add_scatter(
            x=list(sweep.sizes),
            y=list(sweep.times_ms[path]),
            name=f"{LABELS[path]} ({_where(sweep)}, median of {sweep.samples})",
            mode="markers",
            marker={"color": colour, "symbol": marker, "size": 9},
            hovertemplate="%{x} bytes: %{y:.3g} ms<extra></extra>",
        )
        c = costs[path]
        fig.add_scatter(
            x=list(sweep.sizes),
            y=[c.time_us(n) / 1e3 for n in sweep.sizes],
            name=f"fit: {c.per_message_us:.3g} µs + {c.per_byte_us:.3g} µs per byte",
            mode="lines",
            line={"color": colour, "dash": dash, "width": 1.5},
            hoverinfo="skip",
        )
    return fig


def costs_sentence(sweep: Sweep) -> str:
    """The fitted costs of both paths and where they cross, in one sentence."""
    costs = fit_costs(sweep)
    s, r = costs["serial"], costs["ring-port"]
    return (
        f"Fitted ({_where(sweep)}): the UART costs {s.per_message_us:.3g} µs per message plus {s.per_byte_us:.3g} µs "
        f"per byte (one exit each), the ring {r.per_message_us:.3g} µs per message plus {r.per_byte_us:.3g} µs per "
        f"byte (copying, no exit); {crossover(sweep).sentence}."
    )


def summarize_sweep(sweep: Sweep) -> str:
    """One sentence for the exits figure."""
    n = sweep.sizes[-1]
    where = "measured here" if sweep.live else "the model's counts, which every live run must match"
    return (
        f"A {n}-byte message costs {sweep.exits['serial'][-1]:,} exits to user space through the emulated UART "
        f"(one per byte plus the final hlt) and {sweep.exits['ring-port'][-1]} through the ring (one doorbell plus "
        f"the hlt), whatever its length ({where})."
    )


def summarize(lab: IoLab) -> str:
    """One sentence: what arrived, with how many exits, and (live) how long it took."""
    r = lab.run
    exits = ", ".join(f"{n} {k}" for k, n in r.exits.items())
    ok = (
        "arrived intact"
        if r.received == sample_message(r.n_bytes) and r.halted
        else f"did not arrive ({r.stopped_reason})"
    )
    text = f"{r.n_bytes} bytes via {LABELS[r.path]} {ok} with {r.total_exits} exits to user space ({exits})"
    if lab.live and r.run_ms is not None:
        kernel = f"; KVM itself counted {r.kernel['exits']} exits" if r.kernel and "exits" in r.kernel else ""
        return text + f"{kernel}; {r.run_ms:.3g} ms from first KVM_RUN to HLT (measured here)."
    return text + " (the model's counts: nothing measured)."


def details(lab: IoLab) -> str:
    """HTML: live or not, the backend, KVM's own counters, the guest's listing."""
    r = lab.run
    where = "<b>Live:</b> a real VM on /dev/kvm." if lab.live else "<b>Model</b> (fallback): counts only."
    counters = ""
    if r.kernel:
        counters = "<p>KVM's own counters for this run: " + ", ".join(
            f"{html.escape(k)} {v}" for k, v in r.kernel.items() if v
        ) + ". Exits KVM handled inside the kernel never reached this Python loop.</p>"  # fmt: skip
    backend = f"<p><small>{html.escape(kvm_backend()[1])}.</small></p>" if lab.live else ""
    listing = html.escape("\n".join(lab.guest.lines(16)))
    return (
        f"<p>{where} {html.escape(lab.why)}</p>{counters}{backend}"
        f"<details><summary>The guest ({len(lab.guest.code)} bytes of code)</summary><pre>{listing}</pre></details>"
    )


def draw(fig: go.Figure, lab: IoLab) -> None:
    """Update the bars: exits to user space by reason, and all exits KVM counted where it says."""
    r = lab.run
    fig.data[0].y = [r.exits.get(k, 0) for k in REASONS]
    fig.data[0].text = [str(r.exits.get(k, 0)) for k in REASONS]
    fig.data[0].marker.color = COLORS["vm"] if lab.live else COLORS["other"]
    kernel = r.kernel.get("exits") if r.kernel else None
    fig.data[1].y = [kernel]
    fig.data[1].text = ["" if kernel is None else str(kernel)]
    label = "measured live on /dev/kvm" if lab.live else "the model's counts"
    fig.layout.title.text = f"Exits of one {r.n_bytes}-byte message via {LABELS[r.path]} ({label})"


def figure(lab: IoLab, *, widget: bool = False) -> go.Figure:
    """Bars: exits to user space by reason, beside all exits KVM counted (its own statistics)."""
    fig = new_figure("Exits of one message", "", "exits (count)", widget=widget, height=340, showlegend=True,
                     legend={"orientation": "h", "y": -0.2, "x": 0})  # fmt: skip
    fig.add_bar(x=list(REASONS), y=[0, 0, 0], name="exits to user space (returns from KVM_RUN)",
                textposition="outside", cliponaxis=False)  # fmt: skip
    grey = {"color": "#BBBBBB", "pattern": {"shape": "/"}}
    fig.add_bar(x=["all exits KVM counted"], y=[None], name="all exits KVM counted (handled in the kernel too)",
                marker=grey, textposition="outside", cliponaxis=False)  # fmt: skip
    draw(fig, lab)
    return fig


class IoLabCalculator(Calculator[IoLab]):
    """Send a message along a path; every change runs a new VM (the model where KVM is not usable)."""

    name = "io-lab"
    inputs = (
        Choice("path", "path", [(v, k) for k, v in LABELS.items()], width="420px"),
        Number("n_bytes", f"message (1-{MAX_MESSAGE} bytes)", "240px"),
        Number("chunk", "bytes per descriptor", "220px"),
        Number("per_doorbell", f"descriptors per doorbell (1-{QUEUE_SIZE})", "300px"),
    )
    rows = (("path",), ("n_bytes", "chunk", "per_doorbell"))
    legend = (
        "Ring settings matter only for the ring paths. Times and KVM's counters are measured on this machine; "
        "without /dev/kvm the exits are the model's."
    )
    make_figure = staticmethod(lambda lab: figure(lab, widget=True))
    draw = staticmethod(draw)
    summarize = staticmethod(summarize)
    details = staticmethod(details)

    def __init__(self, live: str = "auto", **values: object) -> None:
        self.live = live
        super().__init__(**values)

    def model(
        self, path: str = "ring-port", n_bytes: object = 64, chunk: object = MAX_MESSAGE, per_doorbell: object = 16
    ) -> IoLab:
        if path not in PATHS:
            raise ValueError(f"path must be one of {', '.join(PATHS)}")
        return io_lab(path, n_bytes, chunk, per_doorbell, self.live)
