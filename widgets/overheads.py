"""Published performance overheads: containers and VMs against native, on one scale.

Lesson 07 "Performance" reads the numbers behind Felter et al.'s comparison of
Docker and KVM with native Linux (``data/felter2014_performance.csv``, from the
authors' data repository) and puts every benchmark on one scale: relative
performance where 1.0 = native and higher is better. Throughput rows are
``value / native``; latency rows (lower is better) are inverted,
``native / value``. A cell the data does not have is skipped, never counted as
zero, and the reason is kept.

Two smaller views use the same idea: gVisor's published raw system-call time
(:func:`syscall_costs`, :func:`syscall_figure`) and the bounds Firecracker's
specification states (:func:`firecracker_bounds`). No number here is invented:
each row carries its citation.
"""

from __future__ import annotations

import html
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from . import data, validate
from .calculator import Calculator, check_known, choice_box
from .figures import new_figure
from .theme import COLORS

#: Platform column -> how a learner reads it.
PLATFORMS: dict[str, str] = {"docker": "Docker", "kvm": "KVM (untuned)", "kvm_tuned": "KVM (tuned)"}
#: Category -> benchmark id prefixes (Felter's rows).
CATEGORIES: dict[str, tuple[str, ...]] = {
    "CPU": ("linpack",),
    "memory": ("stream_", "randomaccess_"),
    "network": ("netperf_", "nuttcp_"),
    "storage": ("fio_",),
}
#: The widget's platform sets.
PLATFORM_SETS: dict[str, tuple[str, ...]] = {
    "Docker + KVM": ("docker", "kvm"),
    "Docker + KVM + tuned KVM": ("docker", "kvm", "kvm_tuned"),
}
SOCKETS = ("two sockets", "one socket")
#: Rows whose data note says "check against the report" (fio's random-read latency, where Docker comes out
#: several times *faster* than native, which no mechanism explains): left out of the chart unless asked for.
FLAGGED = ("leave out", "show")
DEFAULTS: dict[str, str] = {"category": "all", "platforms": "Docker + KVM + tuned KVM", "sockets": "two sockets",
                            "flagged": "leave out"}
_GENERIC_NOTE = "authors' data repository, not checked against the printed tables of RC25482"
_CAUTION = "check against the report"


@dataclass(frozen=True)
class OverheadRow:
    """One benchmark on one platform, relative to native (1.0 = native, higher is better)."""

    benchmark: str
    label: str
    category: str
    platform: str
    relative: float
    native: float
    value: float
    unit: str
    native_sd: float | None
    value_sd: float | None
    higher_is_better: bool
    sockets: str | None
    conditions: str
    citation: str
    where: str
    note: str
    caution: bool

    @property
    def short(self) -> str:
        """The benchmark's name without the metric, e.g. 'Linpack'."""
        return self.label.split(": ")[0]

    @property
    def slowdown(self) -> float:
        """How many times slower than native (1 / :attr:`relative`; below 1 means faster)."""
        return 1.0 / self.relative


@dataclass(frozen=True)
class Overheads:
    """Normalised rows, the cells skipped (benchmark, platform, reason) and the full citations."""

    rows: tuple[OverheadRow, ...]
    skipped: tuple[tuple[str, str, str], ...]
    platforms: tuple[str, ...]
    citations: tuple[str, ...]
    category: str = "all"
    sockets: str = "all"
    left_out: tuple[str, ...] = ()  # benchmark ids flagged in the data and not shown

    def labels(self) -> list[str]:
        """The benchmark labels shown, in order, each once."""
        return list(dict.fromkeys(r.label for r in self.rows))

    def get(self, benchmark: str, platform: str) -> OverheadRow | None:
        """The row for one benchmark on one platform, or None if it was skipped or filtered out."""
        return next((r for r in self.rows if r.benchmark == benchmark and r.platform == platform), None)


def category_of(benchmark: str) -> str:
    """The category ("CPU", "memory", "network", "storage") of a Felter benchmark id."""
    for name, prefixes in CATEGORIES.items():
        if benchmark.startswith(prefixes):
            return name
    raise ValueError(f"benchmark {benchmark!r} is in no category ({', '.join(CATEGORIES)})")


def _sockets(conditions: str) -> str | None:
    text = conditions.lower()
    return next((s for s in SOCKETS if text.startswith(s)), None)


def _label(row: dict) -> str:
    name = row["benchmark"].split(" (")[0] if row["id"] == "linpack" else row["benchmark"]
    text = f"{name}: {row['metric']}"
    if category_of(row["id"]) == "memory" and _sockets(row["conditions"]):
        text += f" ({_sockets(row['conditions'])})"
    return text


def _specific_note(note: str) -> str:
    parts = [p.strip() for p in note.split(";") if p.strip() and p.strip() != _GENERIC_NOTE]
    return "; ".join(parts)


def _why_missing(row: dict, platform: str) -> str:
    why = f"no {PLATFORMS[platform]} value in the data, so it is skipped, not counted as zero"
    if platform == "docker" and "not found" in row["note"]:
        why += f"; Felter's Docker network runs used NAT, and the source note says: {_specific_note(row['note'])}"
    elif platform == "kvm_tuned":
        why += "; tuned KVM (libvirt with topology and vCPU pinning) has a value only for Linpack"
    return why


def _sequence(name: str, value: object) -> list:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise ValueError(f"{name} must be a list, e.g. ['docker', 'kvm'], got {value!r}")
    return list(value)


def normalise(benchmarks: Sequence[str] | None = None,
              platforms: Sequence[str] = ("docker", "kvm", "kvm_tuned")) -> Overheads:
    """Felter's rows relative to native: 1.0 = native, higher is better.

    Parameters
    ----------
    benchmarks:
        Felter benchmark ids (the ``id`` column); ``None`` for all rows.
    platforms:
        Platform columns to normalise: any of ``"docker"``, ``"kvm"``, ``"kvm_tuned"``.

    Returns
    -------
    Overheads
        One row per benchmark and platform with a value; ``value / native`` where higher
        is better, ``native / value`` for latency. Missing cells are listed in ``skipped``.

    Raises
    ------
    ValueError
        If a platform or benchmark is unknown, or a list is empty.
    """
    table = data.load("felter2014_performance")
    ids = [r["id"] for r in table]
    plats = list(dict.fromkeys(validate.choice("platform", p, PLATFORMS) for p in _sequence("platforms", platforms)))
    if not plats:
        raise ValueError("choose at least one platform (docker, kvm, kvm_tuned)")
    chosen = ids if benchmarks is None else [validate.choice("benchmark", b, ids)
                                             for b in _sequence("benchmarks", benchmarks)]
    if not chosen:
        raise ValueError("choose at least one benchmark")
    rows: list[OverheadRow] = []
    skipped: list[tuple[str, str, str]] = []
    for row in (table.row(id=b) for b in dict.fromkeys(chosen)):
        for p in plats:
            native, value = row["native"], row[p]
            if value is None or native is None or value <= 0 or native <= 0:
                skipped.append((row["id"], p, _why_missing(row, p)))
                continue
            relative = value / native if row["higher_is_better"] else native / value
            rows.append(OverheadRow(
                row["id"], _label(row), category_of(row["id"]), p, relative, native, value, row["unit"],
                row["native_sd"], row[f"{p}_sd"],
                row["higher_is_better"], _sockets(row["conditions"]), row["conditions"], table.cite(row), row["where"],
                _specific_note(row["note"]), _CAUTION in row["note"]))
    return Overheads(tuple(rows), tuple(skipped), tuple(plats), tuple(table.citations()))


def worst(overheads: Overheads, platform: str) -> OverheadRow:
    """The largest slowdown of one platform: its row with the lowest relative performance.

    Raises
    ------
    ValueError
        If the platform is unknown or has no rows in ``overheads``.
    """
    validate.choice("platform", platform, PLATFORMS)
    rows = [r for r in overheads.rows if r.platform == platform]
    if not rows:
        raise ValueError(f"no {PLATFORMS[platform]} rows to compare (skipped or not chosen)")
    return min(rows, key=lambda r: r.relative)


def explore(category: str = "all", platforms: str = DEFAULTS["platforms"],
            sockets: str = "two sockets", flagged: str = "leave out") -> Overheads:
    """The widget's model: one category, a set of platforms, the socket set-up for STREAM/RandomAccess,
    and whether rows the data flag for checking (see :data:`FLAGGED`) are shown.

    Raises
    ------
    ValueError
        If a choice is not one of its options (the message names the input).
    """
    validate.choice("category", category, ["all", *CATEGORIES])
    plats = PLATFORM_SETS[validate.choice("platforms", platforms, PLATFORM_SETS)]
    validate.choice("sockets", sockets, SOCKETS)
    show_flagged = validate.choice("flagged rows", flagged, FLAGGED) == "show"
    full = normalise(platforms=plats)
    keep = [r for r in full.rows if (category == "all" or r.category == category)
            and (r.category != "memory" or r.sockets == sockets)]
    left_out = {r.benchmark for r in keep if r.caution and not show_flagged}
    keep = [r for r in keep if r.benchmark not in left_out]
    ids = {r.benchmark for r in keep}
    return Overheads(tuple(keep), tuple(s for s in full.skipped if s[0] in ids), plats, full.citations,
                     category, sockets, tuple(sorted(left_out)))


def summarize(o: Overheads) -> str:
    """One sentence built from the data: median and worst relative performance per platform."""
    parts = []
    for p in o.platforms:
        rel = [r.relative for r in o.rows if r.platform == p]
        if not rel:
            continue
        w = worst(o, p)
        if len(rel) == 1:
            parts.append(f"{PLATFORMS[p]} {w.relative:.2f}× ({w.short}, its only benchmark here)")
        else:
            parts.append(f"{PLATFORMS[p]} median {statistics.median(rel):.2f}× over {len(rel)} benchmarks, "
                         f"worst {w.relative:.2f}× ({w.short})")
    flagged = " ⚠ rows are flagged in the data to check against the report." if any(r.caution for r in o.rows) else ""
    if o.left_out:
        flagged += (f" Left out: {len(o.left_out)} rows the data flag for checking ({', '.join(o.left_out)}: Docker "
                    "several times faster than native); choose 'show' to see them.")
    return (f"Relative to native (1.0×, higher is better), {o.category} benchmarks in Felter et al.'s data: "
            + "; ".join(parts) + "." + flagged)


def _hover(r: OverheadRow) -> list[str]:
    def sd(x: float | None) -> str:
        return "" if x is None else f" (SD {x:,.3g})"

    raw = f"{r.value:,.6g}{sd(r.value_sd)} {r.unit} vs native {r.native:,.6g}{sd(r.native_sd)} {r.unit}"
    how = "value / native" if r.higher_is_better else "native / value (lower is better, inverted)"
    return [raw, how, r.conditions, f"{r.citation}, {r.where}", r.note or "-"]


def draw(fig: go.Figure, o: Overheads) -> None:
    """Redraw the grouped bars (one trace per platform) for an :class:`Overheads`."""
    labels = o.labels()
    shown = [(lab + " ⚠") if any(r.caution for r in o.rows if r.label == lab) else lab for lab in labels]
    for trace, p in zip(fig.data, PLATFORMS, strict=True):
        cells = {r.label: r for r in o.rows if r.platform == p}
        trace.visible = p in o.platforms
        trace.y = shown
        trace.x = [cells[lab].relative if lab in cells else None for lab in labels]
        trace.text = [f"{cells[lab].relative:.2f}×" if lab in cells else "" for lab in labels]
        trace.customdata = [_hover(cells[lab]) if lab in cells else ["not in the data"] + [""] * 4 for lab in labels]
    fig.layout.height = max(340, 120 + len(labels) * (12 * len(o.platforms) + 16))
    cites = sorted({r.citation for r in o.rows})
    fig.layout.annotations = [{
        "text": "Source: " + "; ".join(cites) + " (authors' data repository; hover for cells and conditions)",
        "xref": "paper", "yref": "paper", "x": 0, "y": -0.08, "xanchor": "left", "yanchor": "top",
        "showarrow": False, "font": {"size": 11, "color": COLORS["other"]}}]
    socket = f", memory on {o.sockets}" if o.category in ("all", "memory") else ""
    fig.layout.title.text = f"Relative performance vs native, {o.category} benchmarks{socket} (Felter et al.)"


def figure(o: Overheads, *, widget: bool = False) -> go.Figure:
    """A horizontal grouped bar chart: relative performance (native = 1.0), a dashed line at 1.0."""
    fig = new_figure("Relative performance vs native (Felter et al.)", "relative performance (native = 1.0)", "",
                     widget=widget, margin={"l": 20, "b": 90, "t": 90}, barmode="group",
                     legend={"orientation": "h", "y": 1.0, "x": 0, "yanchor": "bottom"},
                     yaxis_autorange="reversed", yaxis_automargin=True)
    hover = ("%{y}<br><b>%{x:.3f}× native</b><br>%{customdata[0]}<br>%{customdata[1]}<br>"
             "conditions: %{customdata[2]}<br>source: %{customdata[3]}<br>note: %{customdata[4]}<extra>%{fullData.name}"
             "</extra>")
    for p in PLATFORMS:
        marker: dict = {"color": COLORS["container" if p == "docker" else "vm"]}
        if p == "kvm_tuned":  # the same VM blue, hatched: tuned, not another kind of platform
            marker["pattern"] = {"shape": "/", "fillmode": "overlay", "fgcolor": "white"}
        fig.add_bar(orientation="h", name=PLATFORMS[p], x=[], y=[], marker=marker, textposition="outside",
                    cliponaxis=False, hovertemplate=hover)
    fig.layout.shapes = [{"type": "line", "xref": "x", "yref": "paper", "x0": 1, "x1": 1, "y0": 0, "y1": 1,
                          "line": {"dash": "dash", "color": COLORS["native"], "width": 2},
                          "label": {"text": "native = 1.0", "textposition": "end",
                                    "font": {"color": COLORS["native"]}}}]
    draw(fig, o)
    return fig


def details(o: Overheads) -> str:
    """HTML: the cells skipped and why, the rows flagged in the data, and the full citations."""
    by_reason: dict[str, list[str]] = {}
    for b, _p, why in o.skipped:
        by_reason.setdefault(why, []).append(b)
    skipped = "".join(f"<li>{html.escape(', '.join(ids))}: {html.escape(why)}</li>" for why, ids in by_reason.items())
    flagged = "".join(f"<li>{html.escape(r.label)} ({html.escape(PLATFORMS[r.platform])} {r.relative:.2f}×): "
                      f"{html.escape(r.note)}</li>" for r in o.rows if r.caution)
    if o.left_out:
        flagged += (f"<li>left out of the chart: {html.escape(', '.join(o.left_out))} (the data note says to check "
                    "them against the report); choose 'show' to draw them</li>")
    cites = "".join(f"<li>{html.escape(c)}</li>" for c in o.citations)
    return ((f"<details><summary>Cells not in the data ({len(o.skipped)})</summary><ul>{skipped}</ul></details>"
             if skipped else "")
            + (f"<p><b>⚠ Flagged in the data:</b></p><ul>{flagged}</ul>" if flagged else "")
            + f"<small><p>Sources:</p><ul>{cites}</ul></small>")


@dataclass(frozen=True)
class SyscallCost:
    """gVisor's published raw system-call time for one runtime, and its ratio to runc."""

    id: str
    runtime: str
    label: str
    ns: float
    ratio_to_runc: float
    conditions: str
    citation: str
    note: str


def syscall_costs() -> tuple[SyscallCost, ...]:
    """The ``syscall_*`` rows of ``gvisor_benchmarks``, with ratios to runc (derived here)."""
    table = data.load("gvisor_benchmarks")
    rows = [r for r in table if r["id"].startswith("syscall_")]
    runc = next(r["value"] for r in rows if r["runtime"] == "runc")
    out = []
    for r in rows:
        platform = next((c.strip() for c in r["conditions"].split(";") if c.strip().endswith("platform")), "")
        label = r["runtime"] + (f" (gVisor, {platform})" if platform else " (ordinary container)")
        out.append(SyscallCost(r["id"], r["runtime"], label, r["value"], r["value"] / runc, r["conditions"],
                               table.cite(r), r["note"]))
    return tuple(out)


def summarize_syscalls(costs: Sequence[SyscallCost]) -> str:
    """One sentence: each runtime's system-call time as a multiple of runc's."""
    return ("Published raw system-call time (gVisor's data, a GCE VM): "
            + "; ".join(f"{c.label} {c.ns:,.0f} ns ({c.ratio_to_runc:.2f}× runc)" for c in costs) + ".")


def syscall_figure(costs: Sequence[SyscallCost] | None = None) -> go.Figure:
    """A log-scale bar chart of gVisor's published system-call times (ns), with its citation."""
    costs = syscall_costs() if costs is None else tuple(costs)
    fig = new_figure("Raw system-call time: runc vs gVisor (runsc)", "time per system call (ns, log scale)", "",
                     height=300, xaxis_type="log", showlegend=False, margin={"l": 250, "b": 90, "r": 150},
                     yaxis_autorange="reversed")
    fig.add_bar(orientation="h", name="published", x=[c.ns for c in costs], y=[c.label for c in costs],
                marker={"color": [COLORS["container" if c.runtime == "runc" else "sandbox"] for c in costs]},
                text=[f"{c.ns:,.0f} ns ({c.ratio_to_runc:.2f}×)" for c in costs], textposition="outside",
                cliponaxis=False, customdata=[[c.conditions, c.citation] for c in costs],
                hovertemplate="%{y}<br>%{x:,.0f} ns<br>%{customdata[0]}<br>source: %{customdata[1]}<extra></extra>")
    fig.add_annotation(text="Source: " + "; ".join(sorted({c.citation for c in costs})), xref="paper",
                       yref="paper", x=0, y=-0.25, xanchor="left", yanchor="top", showarrow=False,
                       font={"size": 11, "color": COLORS["other"]})
    return fig


@dataclass(frozen=True)
class Bound:
    """A figure Firecracker's specification states, with the kind of bound it is."""

    id: str
    fact: str
    value: float
    unit: str
    bound: str
    phrase: str
    conditions: str
    citation: str
    note: str


def firecracker_bounds() -> tuple[Bound, ...]:
    """The performance bounds in Firecracker's SPECIFICATION.md: guest CPU, network and storage."""
    table = data.load("firecracker_spec")
    words = {"lower": "more than", "upper": "up to", "typical": "typically", "exact": "", "approximate": "about"}
    out = []
    for r in table:
        if r["source"] != "firecracker_spec" or not r["id"].startswith(("fc_guest", "fc_net", "fc_storage")):
            continue
        phrase = " ".join(x for x in (words.get(r["bound"], r["bound"]), f"{r['value']:g} {r['unit']}") if x)
        out.append(Bound(r["id"], r["fact"], r["value"], r["unit"], r["bound"], phrase, r["conditions"],
                         table.cite(r), r["note"]))
    return tuple(out)


class OverheadExplorer(Calculator[Overheads]):
    """Pick a category, the platforms and the socket set-up; read each benchmark relative to native."""

    def __init__(self, **values: str) -> None:
        check_known(values, DEFAULTS)
        start = {**DEFAULTS, **values}
        o = explore(**start)
        controls = {
            "category": choice_box(start, "category", ["all", *CATEGORIES], "category", "220px"),
            "platforms": choice_box(start, "platforms", list(PLATFORM_SETS), "platforms", "320px"),
            "sockets": choice_box(start, "sockets", list(SOCKETS), "STREAM/RandomAccess on", "300px"),
            "flagged": choice_box(start, "flagged", list(FLAGGED), "rows flagged in the data", "260px"),
        }
        super().__init__("overheads", controls, explore, draw, summarize, figure(o, widget=True),
                         layout_rows=[["category", "platforms"], ["sockets", "flagged"]], details=details)
