"""The course's plot theme: one colour per platform, colour-blind safe.

Colours come from the Okabe & Ito palette ("Color Universal Design", 2008),
which stays distinguishable under the common forms of colour blindness. One
colour means one thing everywhere in the course: blue is always a virtual
machine, orange always a container.

The plotly template is deliberately lean (a handful of layout keys) so that a
stored figure costs a few hundred bytes of theme, not the 7 KB of plotly's
default template.
"""

from __future__ import annotations

import plotly.graph_objects as go

#: Platform name -> colour. Use these keys, never raw hex codes, in lessons.
COLORS: dict[str, str] = {
    "vm": "#0072B2",  # blue
    "container": "#E69F00",  # orange
    "native": "#009E73",  # bluish green: a plain process, bare metal
    "microvm": "#56B4E9",  # sky blue: a lighter VM
    "sandbox": "#D55E00",  # vermillion: a sandboxed container (gVisor, Kata)
    "unikernel": "#CC79A7",  # reddish purple
    "other": "#7F7F7F",  # grey
}


#: Human labels for the platform keys (legends, tables).
LABELS: dict[str, str] = {
    "vm": "virtual machine",
    "container": "container",
    "native": "native process",
    "microvm": "micro-VM",
    "sandbox": "sandboxed container",
    "unikernel": "unikernel VM",
    "other": "other",
}


FONT = "Helvetica, Arial, sans-serif"


TEMPLATE = go.layout.Template(
    layout={
        "font": {"family": FONT, "size": 13, "color": "#222222"},
        "colorway": [COLORS[k] for k in ("vm", "container", "native", "microvm", "sandbox")],
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "xaxis": {"gridcolor": "#E5E5E5", "linecolor": "#444444", "zeroline": False},
        "yaxis": {"gridcolor": "#E5E5E5", "linecolor": "#444444", "zeroline": False},
        "margin": {"l": 70, "r": 30, "t": 60, "b": 60},
        "hoverlabel": {"font": {"family": FONT}},
    }
)


def color(kind: str) -> str:
    """Return the course colour for a platform kind.

    Parameters
    ----------
    kind:
        One of the keys of :data:`COLORS` (``"vm"``, ``"container"``, ...).

    Raises
    ------
    ValueError
        If ``kind`` is not a known platform kind.
    """
    try:
        return COLORS[kind]
    except (KeyError, TypeError):
        known = ", ".join(COLORS)
        raise ValueError(f"unknown platform kind {kind!r}: use one of {known}") from None
