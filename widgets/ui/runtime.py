"""The whole container as tables and figures (lessons 02, 03, 05), and a seccomp filter explorer."""

from __future__ import annotations

import html
from typing import Any

import plotly.graph_objects as go

from ..labs.container import LABEL, ContainerRun, recorded, whole_container
from ..models.bundle import docker_default_capabilities, make_config
from ..models.elf import entrypoint
from ..models.privileges import decode_caps
from ..models.seccomp import ARCHES, Decisions, assemble, decisions
from .calculator import Calculator, Choice, Text
from .figures import new_figure
from .theme import COLORS

__all__ = [
    "FilterCalculator",
    "assemble",
    "checks_html",
    "decisions",
    "docker_default_capabilities",
    "entrypoint",
    "filter_figure",
    "make_config",
    "recorded",
    "stage_figure",
    "stages_html",
    "summarize",
    "whole_container",
]

MEANING = {
    "namespaces": "unshare: new user (single-id map), PID, UTS, IPC, network; PID 1 then unshares mount and cgroup",
    "root filesystem": "overlay of the image's layers (read-only) + an upper directory; pivot_root; old root detached",
    "fresh /proc": "a proc mounted for the new PID namespace: only the container's processes",
    "hostname": "sethostname in the container's own UTS namespace",
    "user namespace": "root inside is one ordinary id outside; unmapped ids do not exist in here",
    "capabilities": "bounding, effective, permitted and inheritable sets cut to the config's list",
    "no_new_privs": "no execve can ever add privileges again (setuid bits, file capabilities ignored)",
    "seccomp": "a BPF filter: the named system calls fail with EPERM, every other call runs",
}


def _short(value: Any) -> str:
    if isinstance(value, dict):
        caps = {k: v for k, v in value.items() if k.startswith("Cap") and isinstance(v, str)}
        rest = {k: v for k, v in value.items() if k not in caps and k not in ("ns", "Uid")}
        parts = [f"{k} {len(decode_caps(v))} caps" for k, v in caps.items() if k in ("CapEff", "CapBnd")]
        parts += [f"{k}: {v if not isinstance(v, list) or len(v) < 12 else f'{len(v)} names'}" for k, v in rest.items()]
        if "ns" in value:
            parts.append("ns " + " ".join(f"{k}:{v.split('[')[-1][:-1]}" for k, v in value["ns"].items()))
        return "; ".join(parts)
    return str(value)


def stages_html(run: ContainerRun) -> str:
    """HTML: one row per stage, what it does, and what the process saw or could do before and after."""
    rows = "".join(
        f"<tr><td><b>{html.escape(s['stage'])}</b><br><small>{html.escape(MEANING.get(s['stage'], ''))}</small></td>"
        f"<td>{html.escape(_short(s['before']))}</td><td>{html.escape(_short(s['after']))}</td>"
        f"<td>{s['ms']:.1f}</td></tr>"
        for s in run.stages
    )
    return (
        f"<table class='cvm-runtime'><tr><th>stage</th><th>before</th><th>after</th><th>ms since start</th></tr>"
        f"{rows}</table><p><small>{'measured here' if run.live else html.escape(LABEL)}</small></p>"
    )


def checks_html(run: ContainerRun) -> str:
    """HTML: each check with expected, observed and ✔/✘."""
    rows = "".join(
        f"<tr><td>{'✔' if c.passed else '✘'}</td><td>{html.escape(c.name)}</td><td>{html.escape(c.expected)}</td>"
        f"<td>{html.escape(c.observed)}</td></tr>"
        for c in run.checks
    )
    return f"<table><tr><th>result</th><th>check</th><th>expected</th><th>observed</th></tr>{rows}</table>"


def summarize(run: ContainerRun) -> str:
    """One sentence: where it ran, what the program printed, and how many checks passed."""
    where = "measured here" if run.live else LABEL
    last = (run.output.strip().splitlines() or ["(nothing)"])[-1]
    ok = sum(c.passed for c in run.checks)
    return (
        f"The image's /bin/hello ran as PID 1 of its own container ({where}); its last line was {last!r}; "
        f"exit {run.exit}; {ok} of {len(run.checks)} checks passed."
    )


def stage_figure(run: ContainerRun) -> go.Figure:
    """Bars: the time each stage took, from unshare to the program's exit."""
    marks = [(s["stage"], s["ms"]) for s in run.stages]
    steps = [(name, t - (marks[i - 1][1] if i else 0.0)) for i, (name, t) in enumerate(marks)]
    fig = new_figure(
        f"The runtime's stages, one by one ({'measured here' if run.live else 'recorded'})",
        "time (ms)",
        "",
        yaxis={"autorange": "reversed"},
        margin={"l": 150},
        showlegend=False,
    )
    fig.add_bar(
        orientation="h",
        y=[s for s, _ in steps],
        x=[max(t, 0.0) for _, t in steps],
        marker_color=COLORS["container"],
        hovertemplate="%{y}: %{x:.2f} ms<extra></extra>",
    )
    return fig


def filter_figure(d: Decisions, *, widget: bool = False) -> go.Figure:
    fig = new_figure(
        "What the seccomp filter does with each system call",
        "",
        "",
        widget=widget,
        showlegend=False,
        yaxis={"visible": False},
        height=320,
    )
    fig.add_bar(x=[], y=[], hovertemplate="%{x}: %{customdata}<extra></extra>")
    draw_filter(fig, d)
    return fig


def draw_filter(fig: go.Figure, d: Decisions) -> None:
    names = list(d.decisions)
    fig.data[0].x, fig.data[0].y = names, [1] * len(names)
    fig.data[0].customdata = [d.decisions[n] for n in names]
    fig.data[0].marker.color = [COLORS["other"] if d.decisions[n] == "allowed" else COLORS["vm"] for n in names]
    fig.data[0].text = ["runs" if d.decisions[n] == "allowed" else d.decisions[n] for n in names]


def summarize_filter(d: Decisions) -> str:
    return (
        f"The {len(d.filter.program)}-instruction filter for {d.filter.arch} makes "
        f"{', '.join(d.denied) or 'no call'} fail with EPERM; the other {len(d.decisions) - len(d.denied)} "
        "calls shown run (the filter was run here the way the kernel runs it)."
    )


def filter_details(d: Decisions) -> str:
    return "<pre>" + html.escape("\n".join(d.filter.listing())) + "</pre>"


class FilterCalculator(Calculator[Decisions]):
    """Type a deny list: the BPF program is assembled, explained, and run on each call."""

    name = "seccomp"
    inputs = (Text("deny", "deny list", placeholder="e.g. unshare mount"), Choice("arch", "architecture", ARCHES))
    legend = "System-call numbers from the Linux headers; the filter is assembled and run here, in Python."
    model = staticmethod(decisions)
    make_figure = staticmethod(lambda d: filter_figure(d, widget=True))
    draw = staticmethod(draw_filter)
    summarize = staticmethod(summarize_filter)
    details = staticmethod(filter_details)
