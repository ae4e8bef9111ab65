"""Layer diagrams drawn from code: hardware at the bottom, apps at the top.

One function draws the software stacks the course compares (bare metal,
type 1 and type 2 hypervisors, containers, containers in VMs, micro-VMs)
as side-by-side columns of coloured layers, in the course palette, so
diagrams are data that tests can check, not pasted images.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go

from .figures import new_figure
from .theme import COLORS, LABELS

Layer = tuple[str, str]  # (label, platform kind: a key of COLORS)


def stack_figure(title: str, stacks: Mapping[str, Sequence[Layer]], *, height: int = 380) -> go.Figure:
    """Draw software stacks as columns of layers (bottom layer first).

    Parameters
    ----------
    title:
        The figure title.
    stacks:
        Column name -> layers from the bottom up, each ``(label, kind)`` where
        ``kind`` is a key of :data:`widgets.ui.theme.COLORS` (``"vm"``,
        ``"container"``, ``"native"``, ``"other"``...).

    Raises
    ------
    ValueError
        If there are no stacks, a stack is empty or a kind is unknown.
    """
    if not stacks:
        raise ValueError("give at least one stack to draw")
    for name, layers in stacks.items():
        if not layers:
            raise ValueError(f"stack {name!r} has no layers")
        for label, kind in layers:
            if kind not in COLORS:
                raise ValueError(f"layer {label!r} has unknown kind {kind!r}; use one of {', '.join(COLORS)}")
    names = list(stacks)
    depth = max(len(v) for v in stacks.values())
    fig = new_figure(
        title,
        "",
        "",
        height=height,
        barmode="stack",
        showlegend=False,
        bargap=0.25,
        yaxis_visible=False,
        xaxis_side="bottom",
    )
    for level in range(depth):
        layers = [stacks[n][level] if level < len(stacks[n]) else ("", "other") for n in names]
        present = [level < len(stacks[n]) for n in names]
        fig.add_bar(
            x=names,
            y=[1 if p else 0 for p in present],
            text=[label for label, _ in layers],
            customdata=[LABELS[kind] if p else "" for (_, kind), p in zip(layers, present, strict=True)],
            marker={"color": [COLORS[kind] for _, kind in layers], "line": {"color": "white", "width": 2}},
            textposition="inside",
            insidetextanchor="middle",
            textfont={"color": "white", "size": 13},
            hovertemplate="%{text}<br>%{customdata}<extra></extra>",
            name=f"layer {level + 1}",
        )
    return fig


#: The four places a notebook can run, bottom layer first.
ENVIRONMENT_STACKS: dict[str, list[Layer]] = {
    "bare-metal": [("hardware", "other"), ("host OS kernel", "native"), ("your Python kernel", "native")],
    "vm": [("hardware", "other"), ("hypervisor", "vm"), ("guest OS kernel", "vm"), ("your Python kernel", "native")],
    "container": [
        ("hardware", "other"),
        ("host OS kernel (shared)", "native"),
        ("container (namespaces + cgroups)", "container"),
        ("your Python kernel", "native"),
    ],
    "container-in-vm": [
        ("hardware", "other"),
        ("hypervisor", "vm"),
        ("guest OS kernel (shared)", "vm"),
        ("container (namespaces + cgroups)", "container"),
        ("your Python kernel", "native"),
    ],
}


_COLUMN = {
    "bare-metal": "bare metal",
    "vm": "virtual machine",
    "container": "container",
    "container-in-vm": "container in a VM",
}


def environment_figure(kind: str, hypervisor: str = "", engine: str = "") -> go.Figure:
    """The four possible stacks side by side, the detected one marked.

    Parameters
    ----------
    kind:
        The verdict of :func:`widgets.labs.probe.where_am_i` (``"unknown"`` marks none).
    hypervisor, engine:
        Names to write into the detected stack's layers, if known.
    """
    if kind not in (*ENVIRONMENT_STACKS, "unknown"):
        raise ValueError(f"unknown environment kind {kind!r}")
    stacks = {}
    for k, layers in ENVIRONMENT_STACKS.items():
        name = _COLUMN[k] + ("<br><b>▲ you are here</b>" if k == kind else "")
        if k == kind:
            layers = [
                (
                    f"hypervisor: {hypervisor}"
                    if label == "hypervisor" and hypervisor
                    else f"container ({engine})"
                    if label.startswith("container") and engine
                    else label,
                    c,
                )
                for label, c in layers
            ]
        stacks[name] = layers
    return stack_figure("The four places a notebook can run", stacks, height=420)
