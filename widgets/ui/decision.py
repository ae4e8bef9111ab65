"""The decision aid as a figure and a calculator (lessons 08, 09): options scored, reasons, a Markdown export."""

from __future__ import annotations

import html
import os
from pathlib import Path

import ipywidgets as ipw
import plotly.graph_objects as go

from ..core.validate import ILLUSTRATIVE
from ..models.decision import Decision, decide, lesson_title, rule_tag, to_markdown
from ..models.rules import CONTAINERS, CVM, MANAGED, MICROVM, OPTIONS, QUESTIONS, RULES, VM
from .calculator import Calculator, Choice
from .figures import new_figure
from .theme import COLORS

#: The lesson-facing API of this topic: its own names and, re-exported, the model and lab names a lesson
#: uses with them (one import per topic in a lesson).
__all__ = [
    "DecisionAid",
    "MANAGED",
    "OPTIONS",
    "OPTION_COLOR",
    "PATTERN",
    "QUESTIONS",
    "RULES",
    "VM",
    "decide",
    "details",
    "draw",
    "figure",
    "summarize",
]

#: Option -> course colour key (theme.COLORS); the managed platform is a container platform, told
#: apart from self-managed containers by a hatched bar (:data:`PATTERN`).
OPTION_COLOR = {VM: "vm", CVM: "other", MANAGED: "container", CONTAINERS: "container", MICROVM: "microvm"}


PATTERN = {MANAGED: "/"}


def summarize(d: Decision) -> str:
    """One sentence: the verdict, its score and the runner-up."""
    best, score, _ = d.ranking[0]
    others = [(o, s) for o, s, x in d.ranking[1:] if not x]
    out = len(d.ranking) - 1 - len(others)
    excl = f"; {out} option{'s' * (out != 1)} excluded by hard constraints" if out else ""
    if not others:
        return f"Verdict: {best} with {score} points, the only option no constraint excludes{excl}."
    rel = "ahead of" if others[0][1] < score else "tied with, and less disruptive than,"
    return f"Verdict: {best} with {score} points, {rel} {others[0][0]} ({others[0][1]}){excl}."


def details(d: Decision) -> str:
    """HTML under the figure: the reasons (strongest first, with links) and what would change the verdict."""
    items = []
    for f in d.reasons:
        r = f.rule
        tag = f"<b>{html.escape(rule_tag(f))}</b> "
        ev = "".join(f"<br><small>Data: {html.escape(e)}</small>" for e in f.evidence)
        items.append(
            f'<li>{tag}<code>{r.id}</code>: {html.escape(r.reason)} <a href="{r.lesson}">'
            f"{html.escape(lesson_title(r.lesson))}</a> ({r.calculator}). "
            f"<i>Would change with: {html.escape(r.changes)}.</i>{ev}</li>"
        )
    flips = (
        "".join(
            f"<li>{html.escape(QUESTIONS[n][0])} → <i>{html.escape(v)}</i>: {html.escape(new)}</li>"
            for n, v, new in d.flips
        )
        or "<li>no single change of answer flips it</li>"
    )
    return (
        f"<p><b>Verdict: {html.escape(d.verdict)}.</b> Points are teaching judgements (1 lean, 2 strong, "
        f"3 decisive), not measurements; the starting answers are an {ILLUSTRATIVE}.</p>"
        f"<p>Why (strongest first):</p><ul>{''.join(items)}</ul>"
        f"<p>What would change it (one answer at a time):</p><ul>{flips}</ul>"
    )


def draw(fig: go.Figure, d: Decision) -> None:
    """Redraw the bars: options by score, the verdict outlined, excluded options faded."""
    bars = fig.data[0]
    opts = [o for o, _, _ in d.ranking]
    bars.y = opts
    bars.x = [s for _, s, _ in d.ranking]
    bars.marker.color = [COLORS[OPTION_COLOR[o]] for o in opts]
    bars.marker.opacity = [0.35 if x else 1.0 for _, _, x in d.ranking]
    bars.marker.pattern.shape = [PATTERN.get(o, "") for o in opts]
    bars.marker.line.width = [3 if o == d.verdict else 0 for o in opts]
    bars.marker.line.color = "#222222"
    bars.text = [f"{s} ◀ verdict" if o == d.verdict else (f"{s} (excluded)" if x else str(s)) for o, s, x in d.ranking]


def figure(d: Decision, *, widget: bool = False) -> go.Figure:
    """A horizontal bar chart of the options' scores, best at the top."""
    fig = new_figure(
        "Platform options scored by the decision rules",
        "score (points: sum of rule weights)",
        "",
        widget=widget,
        height=340,
        showlegend=False,
        margin={"l": 420, "r": 90},
        yaxis={"autorange": "reversed"},
    )
    fig.add_bar(
        orientation="h",
        x=[],
        y=[],
        textposition="outside",
        cliponaxis=False,
        name="score",
        hovertemplate="%{y}<br>%{x} points<extra></extra>",
    )
    draw(fig, d)
    return fig


class DecisionAid(Calculator[Decision]):
    """Answer seven questions; see the options scored, the reasons, and export the decision as Markdown."""

    name = "decision"
    inputs = tuple(Choice(k, words, choices, "520px") for k, (words, choices) in QUESTIONS.items())
    model = staticmethod(decide)
    make_figure = staticmethod(lambda d: figure(d, widget=True))
    draw = staticmethod(draw)
    summarize = staticmethod(summarize)
    details = staticmethod(details)

    def __init__(self, **answers: str) -> None:
        self.markdown = ipw.Textarea(
            value="", placeholder="Press 'Export Markdown'", layout=ipw.Layout(width="100%", height="220px")
        )
        self.markdown.add_class("cvm-output")  # the export to copy: an output, not one of the calculator's inputs
        super().__init__(**answers)
        self.export_button = ipw.Button(description="Export Markdown", icon="download", layout=ipw.Layout(width="auto"))
        self.export_button.on_click(lambda _b: self.export())
        self.exports = 0
        self.export_note = ipw.HTML("")  # says that a press did something, also when the text is the same
        self.export_note.add_class("cvm-export-note")
        self.children = (*self.children, ipw.HBox([self.export_button, self.export_note]), self.markdown)

    def update(self) -> bool:
        """Recompute; an exported text is kept in step with the answers."""
        ok = super().update()
        if ok and self.markdown.value:
            self.export()
        return ok

    def export(self) -> str:
        """Write the current decision's Markdown into the text area and return it."""
        text = to_markdown(self.result) if self.result is not None else ""
        self.markdown.value = text
        self.exports += 1
        self.export_note.value = (
            f"<span aria-live='polite'>Exported ({self.exports}×): {len(text):,} characters below, for the answers "
            "above; copy them into your notes.</span>"
        )
        return text

    def save(self, path: str | os.PathLike[str] = "decision.md") -> Path:
        """Write the current decision's Markdown to ``path`` (only when asked) and return the path.

        Raises
        ------
        ValueError
            If ``path`` is not a file name, or the file cannot be written.
        """
        if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)) or not str(path).strip():
            raise ValueError(f"path must be a file name such as 'decision.md', got {path!r}")
        target = Path(path)
        try:
            target.write_text(self.export(), encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"could not write the decision to {str(target)!r}: {exc.strerror or exc}") from None
        return target
