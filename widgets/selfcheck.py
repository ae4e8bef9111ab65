"""The environment self-check: versions, rendering, live labs.

In a notebook, :func:`version_table` and :class:`RenderCheck` show that the
packages are current and that widgets and plotly render in this browser. From
a shell, ``python -m widgets.selfcheck`` prints the same report and then one
PASS / FAIL line per item (Python, each package, the data, the lessons,
plotly) and an INFO line per live-lab capability (never a failure: every lab
has a fallback), ending with one verdict line; ``--quiet`` prints only that
line. The exit status is 0 when everything passed, 1 otherwise: this is how an
instructor checks a room of laptops in a minute.
"""

from __future__ import annotations

import html
import platform
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata

import plotly.graph_objects as go

from .core import validate
from .labs.base import Capability
from .labs.capabilities import capabilities
from .labs.probe import where_am_i
from .ui.calculator import Calculator, Slider
from .ui.figures import new_figure
from .ui.theme import COLORS

#: Distribution name -> minimum version (kept equal to pyproject.toml by a test).
REQUIRED: dict[str, str] = {
    "jupyterlab": "4.2",
    "ipywidgets": "8.1",
    "plotly": "6.0",
    "anywidget": "0.9",
    "numpy": "1.26",
    "pyyaml": "6.0",
    "cyclonedx-bom": "7.0",
}


MIN_PYTHON = (3, 11)


@dataclass(frozen=True)
class VersionCheck:
    """One package: what is installed and whether it is new enough."""

    name: str
    installed: str
    required: str
    ok: bool


def _as_tuple(version: str) -> tuple[int, ...]:
    """'8.1.9' -> (8, 1, 9); stops at the first piece that is not a plain number
    ('2.0.0rc1' -> (2, 0, 0))."""
    parts = []
    for piece in version.split("."):
        m = re.match(r"\d+", piece)
        if not m:
            break
        parts.append(int(m.group()))
        if m.end() != len(piece):
            break
    return tuple(parts)


def versions() -> list[VersionCheck]:
    """Check Python and every required package against its minimum version."""
    py = platform.python_version()
    out = [VersionCheck("python", py, ".".join(map(str, MIN_PYTHON)), sys.version_info[:2] >= MIN_PYTHON)]
    for name, minimum in REQUIRED.items():
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            out.append(VersionCheck(name, "missing", minimum, False))
            continue
        out.append(VersionCheck(name, have, minimum, _as_tuple(have) >= _as_tuple(minimum)))
    return out


def version_table(checks: list[VersionCheck] | None = None) -> str:
    """The version checks as an HTML table (green tick or red cross per row)."""
    checks = versions() if checks is None else checks
    rows = "".join(
        f"<tr><td>{html.escape(c.name)}</td><td>{html.escape(c.installed)}</td>"
        f"<td>≥ {html.escape(c.required)}</td><td>{'✔' if c.ok else '✘ update it: make install'}</td></tr>"
        for c in checks
    )
    return (
        '<table class="cvm-versions"><thead><tr><th>package</th><th>installed</th>'
        f"<th>needed</th><th>ok?</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def capability_table(caps: list[Capability] | None = None) -> str:
    """The live-lab capabilities as an HTML table with reasons and remedies."""
    caps = capabilities() if caps is None else caps
    rows = "".join(
        f"<tr><td><b>{html.escape(c.name)}</b></td>"
        f"<td>{'✔ live' if c.available else '✘ fallback'}</td>"
        f"<td>{html.escape(c.detail)}</td><td>{html.escape(c.how_to_enable)}</td>"
        f"<td>{html.escape(', '.join(c.used_by))}</td></tr>"
        for c in caps
    )
    return (
        '<table class="cvm-capabilities"><thead><tr><th>capability</th><th>here</th>'
        "<th>why</th><th>how to enable</th><th>used in lessons</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def render_model(level: int = 3) -> int:
    """The trivial model behind :class:`RenderCheck`: a whole number 1..10."""
    return validate.integer("level", level, minimum=1, maximum=10)


class RenderCheck(Calculator[int]):
    """A slider and a bar that follows it: proves widgets and plotly render.

    The number plotted is only the slider's own value (no data).
    """

    name = "render-check"
    inputs = (Slider("level", "level", 1, 10, continuous=True),)
    model = staticmethod(render_model)

    def make_figure(self, value: int) -> go.FigureWidget:
        fig = new_figure(
            "Widget check: the bar follows the slider",
            "",
            "slider level (no unit)",
            widget=True,
            height=300,
            yaxis_range=[0, 10],
            showlegend=False,
        )
        fig.add_bar(x=["your slider"], y=[value], marker_color=COLORS["container"], name="level")
        return fig

    def draw(self, fig: go.FigureWidget, value: int) -> None:
        fig.data[0].y = [value]

    def summarize(self, value: int) -> str:
        return f"The bar is {value} of 10 units high; if it moves with the slider, widgets and plotly work."


def report(caps: list[Capability] | None = None) -> str:
    """A plain-text self-check report (for ``python -m widgets.selfcheck``)."""
    lines = [f"Course self-check on {platform.system()} {platform.release()} ({platform.machine()})", ""]
    for c in versions():
        lines.append(f"  {'ok ' if c.ok else 'OLD'} {c.name:<11} {c.installed:<10} (needs >= {c.required})")
    lines.append("")
    lines.append("Live labs on this machine:")
    for cap in capabilities() if caps is None else caps:
        lines.append(f"  {'live    ' if cap.available else 'fallback'} {cap.name}: {cap.detail}")
        if cap.how_to_enable and not cap.available:
            lines.append(f"           how to enable: {cap.how_to_enable}")
    lines.append("")
    lines.append(where_am_i().report())
    return "\n".join(lines)


@dataclass(frozen=True)
class CheckItem:
    """One line of the setup check: status "PASS", "FAIL" or "INFO" (live labs never fail)."""

    status: str
    name: str
    detail: str

    def line(self) -> str:
        """The item as one line, e.g. ``PASS  numpy: 2.4.6 (needs >= 1.26)``."""
        return f"{self.status:<5} {self.name}: {self.detail}"


def _guarded(name: str, check: Callable[[], str]) -> CheckItem:
    """Run one check; its sentence is a PASS, any exception a FAIL naming the problem."""
    try:
        return CheckItem("PASS", name, check())
    except Exception as exc:  # noqa: BLE001 - a broken item is a FAIL line, never a crash
        return CheckItem("FAIL", name, f"{type(exc).__name__}: {exc}")


def _data() -> str:
    from .core.data import validate_all

    counts = validate_all()
    return f"{len(counts)} tables, {sum(counts.values())} rows validate against data/datapackage.json"


def _lessons() -> str:
    from .core.course import LESSON_DIR, lessons

    found = lessons()
    if not found:
        raise FileNotFoundError(f"no lessons NN-*.ipynb in {LESSON_DIR}")
    minutes = sum(x.minutes for x in found)
    return (
        f"{len(found)} lessons ({found[0].number:02d}–{found[-1].number:02d}), {minutes} min of teaching and exercises"
    )


def _plotly() -> str:
    import plotly.io as pio

    fig = new_figure("Self-check", "", "level (no unit)", widget=True)
    fig.add_bar(x=["check"], y=[1], marker_color=COLORS["container"])
    if '"type":"bar"' not in pio.to_json(fig).replace(" ", ""):
        raise RuntimeError("a plotly figure did not serialise to JSON")
    return f"a FigureWidget was built and serialised (plotly {metadata.version('plotly')})"


def check_items(checks: list[VersionCheck] | None = None, caps: list[Capability] | None = None) -> list[CheckItem]:
    """Every item of the setup check, in order: Python and packages, data, lessons, plotly, live labs (INFO)."""
    checks = versions() if checks is None else checks
    items = [
        CheckItem(
            "PASS" if c.ok else "FAIL",
            c.name,
            f"{c.installed} (needs >= {c.required})"
            if c.ok
            else f"{c.installed}, needs >= {c.required}: run make install, then restart the kernel",
        )
        for c in checks
    ]
    items += [_guarded("data", _data), _guarded("lessons", _lessons), _guarded("plotly renders", _plotly)]
    for cap in capabilities() if caps is None else caps:
        how = f"; how to enable: {cap.how_to_enable}" if cap.how_to_enable and not cap.available else ""
        where = "live" if cap.available else "fallback (the lessons show a recorded run or a simulation)"
        items.append(CheckItem("INFO", cap.name, f"{where}: {cap.detail}{how}"))
    return items


def summary_line(items: list[CheckItem]) -> str:
    """The final verdict in one line: PASS or FAIL, what failed, and which live labs run here."""
    failed = [i.name for i in items if i.status == "FAIL"]
    judged = [i for i in items if i.status != "INFO"]
    live = ", ".join(f"{i.name} {i.detail.split(':')[0].split(' (')[0]}" for i in items if i.status == "INFO")
    labs = f"; live labs: {live}" if live else ""
    if failed:
        return f"FAIL  setup check: {len(failed)} of {len(judged)} failed ({', '.join(failed)}){labs}"
    return f"PASS  setup check: all {len(judged)} passed{labs}"


def main(argv: list[str] | None = None) -> int:
    """``python -m widgets.selfcheck [--quiet]``: exit 0 if every item passes, 1 if any fails.

    Live-lab capabilities are INFO, never a failure: every lab has a fallback.
    """
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m widgets.selfcheck", description="The course's one-minute setup check."
    )
    parser.add_argument("--quiet", action="store_true", help="print only the final PASS/FAIL line")
    args = parser.parse_args([] if argv is None else argv)
    checks, caps = versions(), capabilities()
    items = check_items(checks, caps)
    if not args.quiet:
        print(report(caps))
        print("\nSummary:")
        for item in items:
            print("  " + item.line())
        print()
    print(summary_line(items))
    return 1 if any(i.status == "FAIL" for i in items) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
