"""The course's plot theme: one colour per platform, colour-blind safe, readable on white.

Colours come from the Okabe & Ito palette ("Color Universal Design", 2008),
which stays distinguishable under the common forms of colour blindness. One
colour means one thing everywhere in the course: blue is always a virtual
machine, orange always a container. Three of its colours (orange, sky blue,
reddish purple) are darkened here so that every one has at least the 3:1
contrast against the white page that WCAG 2.1 AA asks of graphics (success
criterion 1.4.11); text colours have at least 4.5:1 (1.4.3). The unit tests
compute both from this module.

Colour never carries information alone: successive lines of a figure get a
different marker and dash, successive bars a different fill pattern
(:data:`SYMBOLS`, :data:`DASHES`, :data:`PATTERNS`, cycled by the template), so
a printout in grey or a reader who cannot tell orange from red still tells
the series apart.

The plotly template is deliberately lean (a handful of layout keys) so that a
stored figure costs a few hundred bytes of theme, not the 7 KB of plotly's
default template.
"""

from __future__ import annotations

import plotly.graph_objects as go

#: Platform name -> colour. Use these keys, never raw hex codes, in lessons.
COLORS: dict[str, str] = {
    "vm": "#0072B2",  # blue
    "container": "#C27C00",  # orange (Okabe-Ito #E69F00, darkened to 3.4:1 on white)
    "native": "#009E73",  # bluish green: a plain process, bare metal
    "microvm": "#3A8FC2",  # sky blue: a lighter VM (Okabe-Ito #56B4E9, darkened to 3.6:1)
    "sandbox": "#D55E00",  # vermillion: a sandboxed container (gVisor, Kata)
    "unikernel": "#C06C9E",  # reddish purple (Okabe-Ito #CC79A7, darkened to 3.6:1)
    "other": "#7F7F7F",  # grey
}

#: Platform name -> a darker shade of its colour for *text* (at least 4.5:1 on white): a table cell or a label
#: written in a platform's colour uses these, never :data:`COLORS`.
TEXT_COLORS: dict[str, str] = {
    "vm": "#0072B2",
    "container": "#8F5B00",
    "native": "#00785A",
    "microvm": "#1F6E9C",
    "sandbox": "#B04E00",
    "unikernel": "#9A4A7A",
    "other": "#5F5F5F",
}

#: The page (and plot) background, and the colours of text on it.
BACKGROUND = "#FFFFFF"
TEXT = "#222222"
AXIS = "#444444"

#: Marker symbols, line dashes and bar fill patterns cycled over a figure's successive traces.
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "star")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid")
PATTERNS = ("", "/", ".", "x", "\\", "+", "-")


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
        "font": {"family": FONT, "size": 13, "color": TEXT},
        "colorway": [COLORS[k] for k in ("vm", "container", "native", "microvm", "sandbox")],
        "paper_bgcolor": BACKGROUND,
        "plot_bgcolor": BACKGROUND,
        "xaxis": {"gridcolor": "#E5E5E5", "linecolor": AXIS, "zeroline": False},
        "yaxis": {"gridcolor": "#E5E5E5", "linecolor": AXIS, "zeroline": False},
        "margin": {"l": 70, "r": 30, "t": 60, "b": 60},
        "hoverlabel": {"font": {"family": FONT}},
    },
    # Trace templates are applied in turn to a figure's 1st, 2nd, ... trace of each type (plotly cycles them):
    # each line series gets its own marker and dash, each bar series its own pattern, beside its colour.
    data={
        "scatter": [{"marker": {"symbol": m}, "line": {"dash": d}} for m, d in zip(SYMBOLS, DASHES, strict=True)],
        "bar": [{"marker": {"pattern": {"shape": p}}} for p in PATTERNS],
    },
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


def text_color(kind: str) -> str:
    """Return the colour for *text* about a platform kind (a shade of :func:`color` with 4.5:1 on white).

    Raises
    ------
    ValueError
        If ``kind`` is not a known platform kind.
    """
    color(kind)
    return TEXT_COLORS[kind]


def relative_luminance(hex_colour: str) -> float:
    """The relative luminance of an sRGB colour ``#RRGGBB`` (WCAG 2.1 definition)."""
    text = hex_colour.lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    if len(text) != 6:
        raise ValueError(f"{hex_colour!r} is not a colour of the form #RRGGBB")
    channels = [int(text[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str = BACKGROUND) -> float:
    """The WCAG 2.1 contrast ratio of two colours, from 1 (none) to 21 (black on white)."""
    hi, lo = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
