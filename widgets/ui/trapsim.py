"""Trap-and-emulate as a figure and an explorer (lesson 01): a toy guest virtualized three ways."""

from __future__ import annotations

import html

import ipywidgets as ipw
import plotly.graph_objects as go

from ..core import validate
from ..models import toycpu, toyprograms
from ..models.traps import Census, Exploration, cycles_by_event, explore
from .calculator import Area, Buttons, Calculator, Number, Toggle
from .figures import new_figure
from .theme import COLORS

#: Trace event -> (legend label, colour key).
EVENTS = {
    "native": ("run natively (kernel mode)", "native"),
    "direct": ("executed directly", "native"),
    "trap": ("trap → monitor emulates", "vm"),
    "vm-exit": ("VM exit → hypervisor", "vm"),
    "no-trap": ("sensitive, did NOT trap (wrong!)", "sandbox"),
    "translated": ("translated call into monitor", "microvm"),
    "guest-mode": ("guest kernel mode, no exit", "microvm"),
}


TRACE_ROWS = 40


def summarize(e: Exploration) -> str:
    """One sentence: traps, cycles against native, and whether the guest behaved."""
    r = e.run
    slower = r.cycles / max(e.native.cycles, 1)
    verdict = (
        "it behaved exactly as on the bare machine" if r.equivalent else "it did NOT behave as on the bare machine"
    )
    return (
        f"In {r.mode} mode the guest took {r.total_traps} traps or exits and {r.cycles} simulated "
        f"cycles, {slower:.1f}× the {e.native.cycles} of a native run; {verdict}."
    )


def details(e: Exploration) -> str:
    """HTML: the verdict, divergences and the step-by-step trace."""
    r = e.run
    if r.equivalent:
        head = (
            '<div class="cvm-verdict" style="border-left:5px solid #009E73;padding:4px 8px">'
            "<b>✔ Equivalent:</b> same output and final state as the native run.</div>"
        )
    else:
        items = "".join(f"<li>{html.escape(d)}</li>" for d in r.divergences)
        head = (
            '<div class="cvm-verdict" style="border-left:5px solid #D55E00;padding:4px 8px">'
            f"<b>✘ Not equivalent:</b><ul style='margin:2px 0'>{items}</ul></div>"
        )
    rows = "".join(
        f"<tr><td>{s.step}</td><td>{s.pc}</td><td><code>{html.escape(s.instruction)}</code></td>"
        f"<td style='color:{COLORS[EVENTS[s.event][1]]}'>{html.escape(s.event)}</td>"
        f"<td>{html.escape(s.outcome)}</td><td>{s.cycles}</td></tr>"
        for s in r.trace[:TRACE_ROWS]
    )
    more = f"<p><i>… {len(r.trace) - TRACE_ROWS} more steps.</i></p>" if len(r.trace) > TRACE_ROWS else ""
    stop = "" if r.halted else f"<p><b>Stopped:</b> {html.escape(r.stopped_reason)}</p>"
    return (
        f"{head}{stop}<details><summary>Trace ({len(r.trace)} steps; guest printed "
        f"{list(r.output)})</summary><table class='cvm-trace'><thead><tr><th>step</th><th>pc</th>"
        f"<th>instruction</th><th>event</th><th>what happened</th><th>cycles</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>{more}</details>"
    )


def draw(fig: go.Figure, e: Exploration) -> None:
    """Two bars (native, virtualized) of simulated cycles, stacked by event."""
    native = cycles_by_event(e.native)
    guest = cycles_by_event(e.run)
    for trace, event in zip(fig.data, EVENTS, strict=True):
        trace.x = [native.get(event, 0), guest.get(event, 0)]
    fig.layout.xaxis.title.text = "simulated cycles (illustrative model units)"


def figure(e: Exploration, *, widget: bool = False) -> go.Figure:
    """The stacked-bar figure for an :class:`Exploration`."""
    fig = new_figure(
        "Where the cycles go: the guest on bare hardware vs under a monitor",
        "simulated cycles (illustrative model units)",
        "",
        widget=widget,
        height=320,
        barmode="stack",
        legend={"x": 1.02, "y": 1, "font": {"size": 11}},
        margin={"l": 170, "r": 20, "t": 60, "b": 60},
    )
    for label, colour in EVENTS.values():
        fig.add_bar(
            orientation="h",
            y=["bare machine (native)", "virtualized guest"],
            x=[0, 0],
            name=label,
            marker_color=COLORS[colour],
            hovertemplate=f"{label}: %{{x}} cycles<extra></extra>",
        )
    draw(fig, e)
    return fig


class TrapExplorer(Calculator[Exploration]):
    """Edit a toy guest program and virtualize it three ways."""

    name = "trap-explorer"
    inputs = (
        Area("program", "program"),
        Buttons("mode", "monitor", toycpu.MODES),
        Toggle("trap_popf", "POPF traps"),
        Toggle("trap_rdmode", "RDMODE traps"),
        Number("trap_cost", "trap cost", "200px"),
    )
    rows = (("mode",), ("trap_popf", "trap_rdmode", "trap_cost"), ("program",))
    model = staticmethod(explore)
    make_figure = staticmethod(lambda e: figure(e, widget=True))
    draw = staticmethod(draw)
    summarize = staticmethod(summarize)
    details = staticmethod(details)

    def __init__(self, example: str = "disable-interrupts-with-popf", **values: object) -> None:
        validate.choice("example", example, toyprograms.EXAMPLES)
        super().__init__(**{"program": toyprograms.EXAMPLES[example].text, **values})
        self.example = ipw.Dropdown(options=list(toyprograms.EXAMPLES), value=example, description="example")
        self.example.observe(self._load_example, names="value")
        self.children = (ipw.HBox([self.example]), *self.children)

    def _load_example(self, change: dict) -> None:
        self.controls["program"].value = toyprograms.EXAMPLES[change["new"]].text


def census_figure(c: Census) -> go.Figure:
    """Box plots of exits per program, one per monitor mode."""
    fig = new_figure(
        f"Traps or VM exits per program, {len(c.seeds)} random guest programs (synthetic)",
        "monitor",
        "traps or exits per program (count)",
        height=380,
        showlegend=False,
    )
    colours = {
        "trap-and-emulate": COLORS["vm"],
        "binary-translation": COLORS["microvm"],
        "hardware-assisted": COLORS["native"],
    }
    for mode, values in c.exits.items():
        fig.add_box(
            y=list(values),
            name=f"{mode}<br>({c.equivalent[mode]:.0%} equivalent)",
            marker_color=colours[mode],
            boxmean=True,
        )
    return fig


def census_summary(c: Census) -> str:
    """One sentence comparing the modes' exits and equivalence."""
    mean = {m: sum(v) / len(v) for m, v in c.exits.items()}
    return (
        f"Trap-and-emulate averaged {mean['trap-and-emulate']:.1f} traps per program but only "
        f"{c.equivalent['trap-and-emulate']:.0%} of the programs behaved correctly; with binary translation "
        f"{c.equivalent['binary-translation']:.0%} did, and with hardware assistance "
        f"{c.equivalent['hardware-assisted']:.0%} did, at {mean['hardware-assisted']:.1f} exits per program "
        "on average."
    )
