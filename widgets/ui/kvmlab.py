"""The KVM lab as a figure and a calculator (lesson 01): change the guest, run a real VM, count its exits to user
space (the returns from KVM_RUN; the kernel handles most hardware exits without returning)."""

from __future__ import annotations

import html
import math

import plotly.graph_objects as go

from ..labs.kvmlab import REASONS, LabRun, kvm_lab
from ..models import guest as kvm
from .calculator import Calculator, Number, Text
from .figures import new_figure
from .theme import COLORS

#: The lesson-facing API of this topic: its own names and, re-exported, the model and lab names a lesson
#: uses with them (one import per topic in a lesson).
__all__ = ["KvmLab", "details", "draw", "figure", "kvm_lab", "summarize"]


def summarize(lab: LabRun) -> str:
    """One sentence: what the guest printed and what its exits and time were."""
    r = lab.run
    exits = ", ".join(f"{n} {k}" for k, n in r.exits.items())
    text = f"The guest printed {r.output!r} with {r.total_exits} exits to user space ({exits})"
    if lab.live and r.total_ms is not None:
        return text + f"; creating, running and destroying the VM took {r.total_ms:.1f} ms (measured here)."
    return text + " (simulated on the toy CPU: no time is measured)."


def details(lab: LabRun) -> str:
    """HTML: live or simulated, the guest's machine code, the exit log, the times."""
    r = lab.run
    where = "<b>Live:</b> a real VM on /dev/kvm." if lab.live else "<b>Simulated</b> (fallback)."
    times = (
        f"<p>Measured here: set-up {r.setup_ms:.2f} ms · run {r.run_ms:.2f} ms · total "
        f"{r.total_ms:.2f} ms (including tear-down).</p>"
        if lab.live and r.total_ms is not None
        else ""
    )
    code = "\n".join(kvm.disassemble(lab.code)[:12])
    more = " …" if len(kvm.disassemble(lab.code)) > 12 else ""
    log = "\n".join(r.log[:8]) + ("\n…" if len(r.log) > 8 else "")
    return (
        f"<p>{where} {html.escape(lab.why)}</p>{times}"
        f"<p>Guest output: <code>{html.escape(r.output)}</code></p>"
        f"<details><summary>Guest machine code ({len(lab.code)} bytes){more}</summary>"
        f"<pre>{html.escape(code)}</pre></details>"
        f"<details><summary>First exits</summary><pre>{html.escape(log)}</pre></details>"
    )


def draw(fig: go.Figure, lab: LabRun) -> None:
    """Update the bar of exits by reason."""
    fig.data[0].y = [lab.run.exits.get(k, 0) for k in REASONS]
    fig.data[0].text = [str(lab.run.exits.get(k, 0)) for k in REASONS]
    fig.data[0].marker.color = COLORS["vm"] if lab.live else COLORS["other"]
    fig.layout.yaxis.dtick = max(1, math.ceil(max(lab.run.exits.values(), default=1) / 5))
    label = "measured live on /dev/kvm" if lab.live else "simulated on the toy CPU"
    fig.layout.title.text = f"Exits to user space of the guest, by reason ({label})"


def figure(lab: LabRun, *, widget: bool = False) -> go.Figure:
    """A bar chart of the guest's exits to user space (returns from KVM_RUN) by reason."""
    fig = new_figure(
        "Exits to user space of the guest, by reason",
        "exit reason",
        "exits to user space (count)",
        widget=widget,
        height=320,
        showlegend=False,
    )
    fig.add_bar(x=list(REASONS), y=[0, 0], textposition="outside", cliponaxis=False, name="exits")
    draw(fig, lab)
    return fig


class KvmLab(Calculator[LabRun]):
    """Change the guest's message and sum; every change runs a new VM (one when it is built)."""

    name = "kvm-lab"
    inputs = (
        Text("message", "message"),
        Number("a", "a", "150px", optional=True),
        Number("b", "+ b", "150px", optional=True),
    )
    rows = (("message",), ("a", "b"))
    make_figure = staticmethod(lambda lab: figure(lab, widget=True))
    draw = staticmethod(draw)
    summarize = staticmethod(summarize)
    details = staticmethod(details)

    def __init__(self, message: str = "Hello from a KVM guest!\n", a: str = "", b: str = "", live: str = "auto"):
        self.live = live
        super().__init__(message=message, a=a, b=b)

    def model(self, message: str = "Hello from a KVM guest!\n", a: object = "", b: object = "") -> LabRun:
        return kvm_lab(message, a, b, self.live)
