"""The KVM lab as a widget: change the guest, run a real VM, count its exits.

Each change builds a tiny real-mode guest (:func:`widgets.kvm.build_guest`),
runs it on ``/dev/kvm`` (:func:`widgets.kvm.run_guest`) and plots its VM exits.
Where KVM is not usable, or ``live="off"``, the same guest runs on the toy CPU
(:func:`widgets.toycpu.simulate_kvm_guest`) and everything is labelled
*simulated*: the exits are the same, the times are not measured.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import ipywidgets as ipw
import plotly.graph_objects as go

from . import kvm, toycpu, validate
from .calculator import Calculator, mark_number
from .figures import new_figure
from .probe import Capability, use_live
from .theme import COLORS

REASONS = ("IO", "HLT")


@dataclass(frozen=True)
class LabRun:
    """One run of the lab: the guest, its result and whether it was live."""

    code: bytes
    run: kvm.GuestRun
    live: bool
    why: str


def kvm_capability() -> Capability:
    """The KVM capability as the probe reports it."""
    status = kvm.kvm_status()
    return Capability("KVM", status.usable, status.reason, status.how_to_enable)


def kvm_lab(message: str, a: object = "", b: object = "", live: str = "auto") -> LabRun:
    """Build the guest and run it on KVM, or on the simulator.

    Parameters
    ----------
    message:
        What the guest prints (printable ASCII, 1 to 200 characters).
    a, b:
        Optional numbers 0..255 the guest adds and prints (both empty: no sum).
    live:
        ``"auto"``, ``"on"`` or ``"off"`` (see :func:`widgets.probe.use_live`).
    """
    empty = [x is None or (isinstance(x, str) and not x.strip()) for x in (a, b)]
    if all(empty):
        add = None
    elif any(empty):
        raise ValueError("give both numbers to add, or neither")
    else:
        add = (validate.integer("a", a, minimum=0, maximum=255), validate.integer("b", b, minimum=0, maximum=255))
        if add[0] + add[1] > 255:
            raise ValueError(f"a + b must be at most 255 (the guest adds in the 8-bit AL register), "
                             f"got {add[0]} + {add[1]} = {add[0] + add[1]}")
    code = kvm.build_guest(message, add=add)
    go_live, why = use_live(live, kvm_capability())
    if go_live:
        try:
            return LabRun(code, kvm.run_guest(code, timeout_s=2.0), True, why)
        except kvm.KvmUnavailable as exc:
            why = f"KVM could not run here ({exc}); showing the simulation."
    printed = message + ("" if add is None else str(add[0] + add[1]))
    return LabRun(code, toycpu.simulate_kvm_guest(printed), False, why)


def summarize(lab: LabRun) -> str:
    """One sentence: what the guest printed and what its exits and time were."""
    r = lab.run
    exits = ", ".join(f"{n} {k}" for k, n in r.exits.items())
    text = f"The guest printed {r.output!r} with {r.total_exits} VM exits ({exits})"
    if lab.live and r.total_ms is not None:
        return text + f"; creating, running and destroying the VM took {r.total_ms:.1f} ms (measured here)."
    return text + " (simulated on the toy CPU: no time is measured)."


def details(lab: LabRun) -> str:
    """HTML: live or simulated, the guest's machine code, the exit log, the times."""
    r = lab.run
    where = "<b>Live:</b> a real VM on /dev/kvm." if lab.live else "<b>Simulated</b> (fallback)."
    times = (f"<p>Measured here: set-up {r.setup_ms:.2f} ms · run {r.run_ms:.2f} ms · total "
             f"{r.total_ms:.2f} ms (including tear-down).</p>" if lab.live and r.total_ms is not None else "")
    code = "\n".join(kvm.disassemble(lab.code)[:12])
    more = " …" if len(kvm.disassemble(lab.code)) > 12 else ""
    log = "\n".join(r.log[:8]) + ("\n…" if len(r.log) > 8 else "")
    return (f"<p>{where} {html.escape(lab.why)}</p>{times}"
            f"<p>Guest output: <code>{html.escape(r.output)}</code></p>"
            f"<details><summary>Guest machine code ({len(lab.code)} bytes){more}</summary>"
            f"<pre>{html.escape(code)}</pre></details>"
            f"<details><summary>First exits</summary><pre>{html.escape(log)}</pre></details>")


def draw(fig: go.Figure, lab: LabRun) -> None:
    """Update the bar of exits by reason."""
    fig.data[0].y = [lab.run.exits.get(k, 0) for k in REASONS]
    fig.data[0].text = [str(lab.run.exits.get(k, 0)) for k in REASONS]
    fig.data[0].marker.color = COLORS["vm"] if lab.live else COLORS["other"]
    fig.layout.yaxis.dtick = max(1, math.ceil(max(lab.run.exits.values(), default=1) / 5))
    label = "measured live on /dev/kvm" if lab.live else "simulated on the toy CPU"
    fig.layout.title.text = f"VM exits of the guest, by reason ({label})"


def figure(lab: LabRun, *, widget: bool = False) -> go.Figure:
    """A bar chart of the guest's VM exits by reason."""
    fig = new_figure("VM exits of the guest, by reason", "exit reason", "VM exits (count)",
                     widget=widget, height=320, showlegend=False)
    fig.add_bar(x=list(REASONS), y=[0, 0], textposition="outside", cliponaxis=False, name="exits")
    draw(fig, lab)
    return fig


class KvmLab(Calculator[LabRun]):
    """Change the guest's message and sum; every change runs a new VM."""

    def __init__(self, message: str = "Hello from a KVM guest!\n", a: str = "", b: str = "", live: str = "auto"):
        controls = {
            "message": ipw.Text(value=message, description="message", continuous_update=False,
                                layout=ipw.Layout(width="420px")),
            "a": mark_number(ipw.Text(value=str(a), description="a", continuous_update=False,
                                      layout=ipw.Layout(width="150px")), optional=True),
            "b": mark_number(ipw.Text(value=str(b), description="+ b", continuous_update=False,
                                      layout=ipw.Layout(width="150px")), optional=True),
        }
        self.live = live
        lab = kvm_lab(message, a, b, live)
        super().__init__("kvm-lab", controls, lambda message, a, b: kvm_lab(message, a, b, self.live),
                         draw, summarize, figure(lab, widget=True), layout_rows=[["message"], ["a", "b"]],
                         details=details)
