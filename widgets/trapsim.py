"""The trap-and-emulate explorer: run a toy guest under a monitor and watch it trap.

A thin UI over :mod:`widgets.toycpu`: choose or edit a guest program, pick how
the monitor virtualizes it (trap-and-emulate, binary translation, hardware
assistance) and which sensitive instructions trap; see where the simulated
cycles go, every step of the trace, and whether the guest still behaves as it
does on the bare machine (Popek & Goldberg's *equivalence*).

Also the seeded practice "how many traps will this program cause?" with a
check that recognises the usual mistakes.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass

import ipywidgets as ipw
import plotly.graph_objects as go

from . import toycpu, validate
from .calculator import Calculator, mark_number
from .checks import Feedback, check_number
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


@dataclass(frozen=True)
class Exploration:
    """A virtualized run and the native run it is compared with."""

    run: toycpu.Run
    native: toycpu.Run
    program: toycpu.Program


def explore(program: str, mode: str, trap_popf: bool, trap_rdmode: bool, trap_cost: object) -> Exploration:
    """Parse and run a guest program under the chosen monitor.

    Parameters
    ----------
    program:
        Toy assembly text (see :mod:`widgets.toycpu`).
    mode:
        One of :data:`widgets.toycpu.MODES`.
    trap_popf, trap_rdmode:
        Make POPF / RDMODE trap (a "virtualizable" variant of the CPU).
    trap_cost:
        Simulated cycles per trap (illustrative units), a whole number 0..100000.
    """
    cost = validate.integer("trap cost", trap_cost, minimum=0, maximum=100_000)
    validate.choice("mode", mode, toycpu.MODES)
    parsed = toycpu.parse_program(program)
    trapping = {name for name, on in (("POPF", trap_popf), ("RDMODE", trap_rdmode)) if on}
    run = toycpu.run_virtualized(parsed, mode=mode, trapping=trapping, trap_cost=cost)
    return Exploration(run, run.native, parsed)


def cycles_by_event(run: toycpu.Run) -> dict[str, int]:
    """Simulated cycles per trace event."""
    out: Counter[str] = Counter()
    for step in run.trace:
        out[step.event] += step.cycles
    return dict(out)


def summarize(e: Exploration) -> str:
    """One sentence: traps, cycles against native, and whether the guest behaved."""
    r = e.run
    slower = r.cycles / max(e.native.cycles, 1)
    verdict = ("it behaved exactly as on the bare machine" if r.equivalent
               else "it did NOT behave as on the bare machine")
    return (f"In {r.mode} mode the guest took {r.total_traps} traps or exits and {r.cycles} simulated "
            f"cycles, {slower:.1f}× the {e.native.cycles} of a native run; {verdict}.")


def details(e: Exploration) -> str:
    """HTML: the verdict, divergences and the step-by-step trace."""
    r = e.run
    if r.equivalent:
        head = ('<div class="cvm-verdict" style="border-left:5px solid #009E73;padding:4px 8px">'
                "<b>✔ Equivalent:</b> same output and final state as the native run.</div>")
    else:
        items = "".join(f"<li>{html.escape(d)}</li>" for d in r.divergences)
        head = ('<div class="cvm-verdict" style="border-left:5px solid #D55E00;padding:4px 8px">'
                f"<b>✘ Not equivalent:</b><ul style='margin:2px 0'>{items}</ul></div>")
    rows = "".join(
        f"<tr><td>{s.step}</td><td>{s.pc}</td><td><code>{html.escape(s.instruction)}</code></td>"
        f"<td style='color:{COLORS[EVENTS[s.event][1]]}'>{html.escape(s.event)}</td>"
        f"<td>{html.escape(s.outcome)}</td><td>{s.cycles}</td></tr>"
        for s in r.trace[:TRACE_ROWS]
    )
    more = f"<p><i>… {len(r.trace) - TRACE_ROWS} more steps.</i></p>" if len(r.trace) > TRACE_ROWS else ""
    stop = "" if r.halted else f"<p><b>Stopped:</b> {html.escape(r.stopped_reason)}</p>"
    return (f"{head}{stop}<details><summary>Trace ({len(r.trace)} steps; guest printed "
            f"{list(r.output)})</summary><table class='cvm-trace'><thead><tr><th>step</th><th>pc</th>"
            f"<th>instruction</th><th>event</th><th>what happened</th><th>cycles</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>{more}</details>")


def draw(fig: go.Figure, e: Exploration) -> None:
    """Two bars (native, virtualized) of simulated cycles, stacked by event."""
    native = cycles_by_event(e.native)
    guest = cycles_by_event(e.run)
    for trace, event in zip(fig.data, EVENTS, strict=True):
        trace.x = [native.get(event, 0), guest.get(event, 0)]
    fig.layout.xaxis.title.text = "simulated cycles (illustrative model units)"


def figure(e: Exploration, *, widget: bool = False) -> go.Figure:
    """The stacked-bar figure for an :class:`Exploration`."""
    fig = new_figure("Where the cycles go: the guest on bare hardware vs under a monitor",
                     "simulated cycles (illustrative model units)", "", widget=widget, height=320,
                     barmode="stack", legend={"x": 1.02, "y": 1, "font": {"size": 11}},
                     margin={"l": 170, "r": 20, "t": 60, "b": 60})
    for label, colour in EVENTS.values():
        fig.add_bar(orientation="h", y=["bare machine (native)", "virtualized guest"], x=[0, 0],
                    name=label, marker_color=COLORS[colour],
                    hovertemplate=f"{label}: %{{x}} cycles<extra></extra>")
    draw(fig, e)
    return fig


class TrapExplorer(Calculator[Exploration]):
    """Edit a toy guest program and virtualize it three ways."""

    def __init__(self, example: str = "disable-interrupts-with-popf", mode: str = "trap-and-emulate",
                 trap_popf: bool = False, trap_rdmode: bool = False, trap_cost: int = toycpu.DEFAULT_TRAP_COST):
        validate.choice("example", example, toycpu.EXAMPLES)
        text = toycpu.EXAMPLES[example].text
        controls = {
            "program": ipw.Textarea(value=text, description="program", rows=9,
                                    layout=ipw.Layout(width="420px"), continuous_update=False),
            "mode": ipw.ToggleButtons(options=toycpu.MODES, value=mode, description="monitor"),
            "trap_popf": ipw.Checkbox(value=trap_popf, description="POPF traps", indent=False),
            "trap_rdmode": ipw.Checkbox(value=trap_rdmode, description="RDMODE traps", indent=False),
            "trap_cost": mark_number(ipw.Text(value=str(trap_cost), description="trap cost", continuous_update=False,
                                              layout=ipw.Layout(width="200px"))),
        }
        self.example = ipw.Dropdown(options=list(toycpu.EXAMPLES), value=example, description="example")
        self.example.observe(self._load_example, names="value")
        e = explore(text, mode, trap_popf, trap_rdmode, trap_cost)
        super().__init__("trap-explorer", controls, explore, draw, summarize, figure(e, widget=True),
                         layout_rows=[["mode"], ["trap_popf", "trap_rdmode", "trap_cost"], ["program"]],
                         details=details)
        self.children = (ipw.HBox([self.example]), *self.children)

    def _load_example(self, change: dict) -> None:
        self.controls["program"].value = toycpu.EXAMPLES[change["new"]].text


# -- practice: how many traps? ----------------------------------------------------


def check_traps(answer: object, seed: int, length: int = 8) -> Feedback:
    """Check a learner's count of trap-and-emulate traps for ``random_program(seed)``.

    Recognises two common mistakes: counting each privileged instruction once
    although a loop runs it several times, and counting POPF/RDMODE (sensitive,
    but they do not trap on this CPU).
    """
    program = toycpu.random_program(seed, length)
    expected = toycpu.expected_traps(program)
    static = sum(1 for ins in program.instructions if ins.op in toycpu.PRIVILEGED)
    sensitive = sum(1 for step in toycpu.run_virtualized(program).trace if step.event == "no-trap")
    explanation = (f"{expected} traps: every privileged instruction (OUT, CLI, STI, SETPT, HLT) traps each "
                   "time it runs; POPF and RDMODE do not trap on this CPU.")
    fb = check_number(answer, expected, rel_tol=0, abs_tol=0, explanation=explanation,
                      hint="run the program in your head step by step: how often does the loop body run?")
    if fb.correct or fb.status == "missing":
        return fb
    try:
        given = validate.as_number("your answer", answer)
    except ValueError:
        return fb
    if given == static and static != expected:
        return Feedback("incorrect", f"{given:g} counts each privileged instruction once, but the loop "
                        "runs some of them more than once.", "count executions, not lines")
    if sensitive and given == expected + sensitive:
        return Feedback("incorrect", f"{given:g} includes the {sensitive} POPF/RDMODE executions, which are "
                        "sensitive but do not trap here: that is exactly the x86 problem.",
                        "count only privileged instructions")
    return fb


# -- census: many random guests under each monitor ----------------------------------


@dataclass(frozen=True)
class Census:
    """Exits (traps) per program for many random guests, by monitor mode."""

    seeds: tuple[int, ...]
    exits: dict[str, tuple[int, ...]]
    equivalent: dict[str, float]


def census(n_programs: int = 300, length: int = 12, first_seed: int = 0) -> Census:
    """Run ``n_programs`` seeded random guests under every monitor mode.

    Returns the traps or exits each program took per mode, and the share of
    programs that behaved as on the bare machine (equivalence).
    """
    n = validate.integer("number of programs", n_programs, minimum=1, maximum=10_000)
    length = validate.integer("program length", length, minimum=4, maximum=64)
    first = validate.integer("first seed", first_seed, minimum=0, maximum=10**9)
    seeds = tuple(range(first, first + n))
    exits: dict[str, list[int]] = {m: [] for m in toycpu.MODES}
    same: dict[str, int] = dict.fromkeys(toycpu.MODES, 0)
    for s in seeds:
        program = toycpu.random_program(s, length)
        for mode in toycpu.MODES:
            run = toycpu.run_virtualized(program, mode=mode)
            exits[mode].append(run.total_traps)
            same[mode] += run.equivalent
    return Census(seeds, {m: tuple(v) for m, v in exits.items()}, {m: same[m] / n for m in toycpu.MODES})


def census_figure(c: Census) -> go.Figure:
    """Box plots of exits per program, one per monitor mode."""
    fig = new_figure(f"Traps or VM exits per program, {len(c.seeds)} random guest programs (synthetic)",
                     "monitor", "traps or exits per program (count)", height=380, showlegend=False)
    colours = {"trap-and-emulate": COLORS["vm"], "binary-translation": COLORS["microvm"],
               "hardware-assisted": COLORS["native"]}
    for mode, values in c.exits.items():
        fig.add_box(y=list(values), name=f"{mode}<br>({c.equivalent[mode]:.0%} equivalent)",
                    marker_color=colours[mode], boxmean=True)
    return fig


def census_summary(c: Census) -> str:
    """One sentence comparing the modes' exits and equivalence."""
    mean = {m: sum(v) / len(v) for m, v in c.exits.items()}
    return (f"Trap-and-emulate averaged {mean['trap-and-emulate']:.1f} traps per program but only "
            f"{c.equivalent['trap-and-emulate']:.0%} of the programs behaved correctly; with binary translation "
            f"{c.equivalent['binary-translation']:.0%} did, and with hardware assistance "
            f"{c.equivalent['hardware-assisted']:.0%} did, at {mean['hardware-assisted']:.1f} exits per program "
            "on average.")
