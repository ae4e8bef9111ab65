"""Start-up timed live as a figure and a lab (lesson 07): a process, a namespaced process, a KVM guest."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import ipywidgets as ipw
import plotly.graph_objects as go

from ..core import validate
from ..core.units import format_ms
from ..labs.startup import (
    LABEL,
    MEASURED,
    PATHS,
    PUBLISHED,
    RECORDED,
    SHORT,
    StartupBench,
    check_inputs,
    measure,
    published,
    recorded_bench,
)
from .calculator import Calculator, Slider
from .figures import new_figure
from .theme import COLORS

COLOR_KEY = {"process": "native", "namespaces": "container", "container": "container", "kvm": "microvm"}
_IN_SUMMARY = ("firecracker_boot_to_init", "docker_run_alpine_true_runc", "ec2_linux_m1small")
_KIND_COLOR = {"process": "native", "container": "container", "microvm": "microvm", "cloud-vm": "vm"}


KVM_NOTE = (
    "The KVM guest is a few dozen bytes of real-mode code that prints and halts: no operating-system "
    "kernel boots in it. A real VM's start-up is mostly booting its kernel and init."
)


_SLIDER = object()  # StartupLab: "take runs from the slider" / "not measuring"


def summarize(b: StartupBench) -> str:
    """One sentence: the medians by source, then the published figures they compare with."""
    parts = []
    for source, head in ((MEASURED, "Measured here"), (RECORDED, LABEL[0].upper() + LABEL[1:])):
        got = [p for p in b.paths if p.source == source]
        if got:
            parts.append(
                f"{head} (median of {'/'.join(sorted({str(p.runs) for p in got}))} runs): "
                + ", ".join(f"{SHORT[p.name]} {format_ms(p.median_ms)}" for p in got)
            )
    pub = {r["id"]: r for r in published()}
    cited = ", ".join(
        PUBLISHED[i].format(v=("≤" if pub[i]["statistic"] == "upper-bound" else "") + format_ms(pub[i]["value_ms"]))
        for i in _IN_SUMMARY
    )
    early = " (stopped early: the time budget ran out)" if b.stopped_early else ""
    return "; ".join(parts) + f"; published: {cited}{early}."


def draw(fig: go.Figure, b: StartupBench) -> None:
    """Redraw the runs, the medians with their p25–p75 bars (measured / recorded) and the published points."""
    pub = published()
    rows = sorted(
        [(p.median_ms, f"{p.label} ({p.source})") for p in b.paths] + [(r["value_ms"], r["label"]) for r in pub]
    )
    fig.layout.yaxis.categoryarray = [r[1] for r in rows]  # fastest at the bottom
    fig.layout.height = max(380, 80 + 40 * len(rows))
    each = [(t, f"{p.label} ({p.source})", COLORS[COLOR_KEY[p.name]]) for p in b.paths for t in p.times_ms]
    fig.data[0].x, fig.data[0].y = [e[0] for e in each], [e[1] for e in each]
    fig.data[0].marker.color = [e[2] for e in each]
    for trace, source in ((fig.data[1], MEASURED), (fig.data[2], RECORDED)):
        got = [p for p in b.paths if p.source == source]
        trace.x, trace.y = [p.median_ms for p in got], [f"{p.label} ({p.source})" for p in got]
        trace.marker.color = [COLORS[COLOR_KEY[p.name]] for p in got]
        trace.error_x = {
            "type": "data",
            "symmetric": False,
            "array": [p.p75_ms - p.median_ms for p in got],
            "arrayminus": [p.median_ms - p.p25_ms for p in got],
            "color": COLORS["other"],
        }
        trace.customdata = [[p.runs, format_ms(p.p25_ms), format_ms(p.p75_ms), p.reason] for p in got]
    fig.data[3].x, fig.data[3].y = [r["value_ms"] for r in pub], [r["label"] for r in pub]
    fig.data[3].marker.color = [COLORS[_KIND_COLOR[r["kind"]]] for r in pub]
    fig.data[3].customdata = [[r["statistic"], r["conditions"], r["cite"]] for r in pub]


def startup_figure(b: StartupBench, *, widget: bool = False) -> go.Figure:
    """A horizontal log-scale chart: each run, medians with p25–p75 bars, and published figures."""
    fig = new_figure(
        "Start-up time: measured here, recorded, and published",
        "start-up time (ms, log scale)",
        "",
        widget=widget,
        xaxis_type="log",
        margin={"l": 430, "b": 120},
        yaxis_categoryorder="array",
        legend={"orientation": "h", "y": -0.32, "yanchor": "top"},
    )
    fig.add_scatter(
        mode="markers",
        name="each run",
        x=[],
        y=[],
        opacity=0.35,
        marker={"size": 5},
        hovertemplate="%{y}<br>%{x:.3g} ms<extra>one run</extra>",
    )
    for source, symbol in ((MEASURED, "circle"), (RECORDED, "circle-open")):
        fig.add_scatter(
            mode="markers",
            name=f"median, p25–p75 ({source})",
            x=[],
            y=[],
            marker={"symbol": symbol, "size": 12, "line": {"width": 2}},
            hovertemplate="%{y}<br>median %{x:.3g} ms of %{customdata[0]} runs<br>"
            "p25–p75 %{customdata[1]} – %{customdata[2]}<br>%{customdata[3]}<extra></extra>",
        )
    fig.add_scatter(
        mode="markers",
        name="published (cited)",
        x=[],
        y=[],
        marker={"symbol": "diamond", "size": 12},
        hovertemplate="%{y}<br>%{x:,.4g} ms (%{customdata[0]})<br>%{customdata[1]}<br>"
        "source: %{customdata[2]}<extra></extra>",
    )
    draw(fig, b)
    return fig


def details(b: StartupBench) -> str:
    """HTML: per path its source, reason and statistics; the KVM caveat; the citations."""
    rows = "".join(
        f"<tr><td>{html.escape(p.label)}</td><td>{p.source}</td><td>{p.runs}</td><td>{format_ms(p.median_ms)}</td>"
        f"<td>{format_ms(p.p25_ms)} – {format_ms(p.p75_ms)}</td><td>{format_ms(p.min_ms)} – {format_ms(p.max_ms)}"
        f"</td><td>{html.escape(p.reason)}</td></tr>"
        for p in b.paths
    )
    cites = "".join(
        f"<li>{html.escape(r['label'])}: {format_ms(r['value_ms'])} ({r['statistic']}). {html.escape(r['cite'])}</li>"
        for r in published()
    )
    return (
        f"<p>{html.escape(b.note)}</p><table class='cvm-startup-table'><tr><th>path</th><th>source</th>"
        f"<th>runs</th><th>median</th><th>p25 – p75</th><th>min – max</th><th>why</th></tr>{rows}</table>"
        f"<p>{html.escape(KVM_NOTE)}</p><details><summary>Published figures</summary><ul>{cites}</ul></details>"
    )


class StartupLab(Calculator[StartupBench]):
    """A "Run benchmark" button, runs per path, a progress bar, the figure and its summary; it first shows the
    recording (``run_now=True``: measures at once)."""

    name = "startup-lab"
    inputs = (Slider("runs", "runs per path", 3, 50),)
    make_figure = staticmethod(lambda b: startup_figure(b, widget=True))
    draw = staticmethod(draw)
    summarize = staticmethod(summarize)
    details = staticmethod(details)

    def __init__(
        self,
        runs: int = 15,
        live: str = "auto",
        budget_s: float = 20.0,
        timeout_s: float = 5.0,
        paths: Sequence[str] = tuple(PATHS),
        run_now: bool = False,
    ) -> None:
        runs = validate.integer("runs", runs, minimum=3, maximum=50)
        _, self.live, self.budget_s, self.timeout_s, self.paths = check_inputs(
            runs, live, budget_s, timeout_s, paths, None
        )
        self._pending: object = _SLIDER
        self.button = ipw.Button(description="Run benchmark", icon="play", button_style="primary")
        self.progress = ipw.IntProgress(value=0, min=0, max=1, description="progress")
        self.progress_label = ipw.Label(f"Showing the run {LABEL}; press Run benchmark to measure on this machine.")
        super().__init__(runs=runs)
        self.children = (
            ipw.HBox([self.controls["runs"], self.button]),
            ipw.HBox([self.progress, self.progress_label]),
            *self.children[1:],
        )
        self.button.on_click(lambda _button: self.run_benchmark())
        if run_now:
            self.run_benchmark()

    def model(self, runs: object) -> StartupBench:
        return self._model(runs)

    def _model(self, runs: object) -> StartupBench:
        if self._pending is _SLIDER:  # not measuring: keep what is shown
            return self.result or recorded_bench(self.paths)
        return measure(self.paths, self._pending, self.live, self.budget_s, self.timeout_s, self._progress)

    def _on_change(self, change: dict[str, Any]) -> None:
        self.progress_label.value = f"Press Run benchmark to measure {change['new']} runs per path."

    def _progress(self, done: int, total: int, label: str) -> None:
        self.progress.max, self.progress.value = max(total, 1), done
        self.progress_label.value = f"Measuring {label} ({done} of {total})"

    def run_benchmark(self, runs: object = _SLIDER) -> bool:
        """Measure now with ``runs`` (default: the slider's value); the button is disabled meanwhile.

        Returns True on success; on bad input the message is shown and the last figure kept.
        """
        self._pending = self.controls["runs"].value if runs is _SLIDER else runs
        self.button.disabled, self.progress.value = True, 0
        self.progress_label.value = "Measuring…"
        try:
            ok = self.update()
        finally:
            self._pending, self.button.disabled = _SLIDER, False
        if ok and self.result is not None:
            b = self.result
            self.progress.value = self.progress.max
            n = sum(p.runs for p in b.paths if p.source == MEASURED)
            self.progress_label.value = f"Done: {n} timed runs measured here. {b.note}"
        else:
            self.progress_label.value = "Not measured: see the message above."
        return ok
