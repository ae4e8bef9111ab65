"""Figures with a title, labelled axes and a one-sentence summary.

Every figure in the course goes through :func:`new_figure` (title, axis
titles with units, the course theme) and is shown with :func:`show_figure`,
which puts a one-sentence text summary beside it for static HTML and printouts, and makes it the
figure's accessible description for screen readers (:mod:`widgets.ui.access`).

:func:`show_figure` writes the plotly JSON mimetype directly. It never calls
``fig.show()``, whose renderer may embed the 5 MB plotly.js bundle in the
stored notebook (the ``notebook`` renderer) or need a CDN (``notebook_connected``).
"""

from __future__ import annotations

import html
import sys
from typing import Any

import plotly.graph_objects as go
from IPython.display import display

from .access import FigureSummary
from .theme import TEMPLATE


def _import_plotly_renderers() -> None:
    """Import plotly's renderers (needed by every FigureWidget) without jsonschema's IRI grammar.

    plotly imports nbformat, nbformat imports jsonschema, and jsonschema's optional ``rfc3987_syntax``
    (its IRI format checker) compiles a grammar on import: 0.7 s of every lesson's start on the course's
    machine. Nothing here validates IRIs, so that one optional module is hidden during this import only;
    jsonschema then goes without that checker, and the module stays importable afterwards.
    """
    hide = "rfc3987_syntax" not in sys.modules
    if hide:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # an ImportError for jsonschema
    try:
        import plotly.io._renderers  # noqa: F401
    finally:
        if hide and sys.modules.get("rfc3987_syntax", 0) is None:
            del sys.modules["rfc3987_syntax"]


_import_plotly_renderers()
PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"


#: plotly config for every figure: no logo, no "edit in chart studio" links.
CONFIG: dict[str, Any] = {"displaylogo": False, "responsive": True}


def _require_text(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value.strip()


def new_figure(
    title: str,
    x_title: str,
    y_title: str,
    *,
    widget: bool = False,
    height: int = 420,
    **layout: Any,
) -> go.Figure:
    """Create an empty figure in the course theme.

    Parameters
    ----------
    title:
        The figure title (a short statement of what is plotted).
    x_title, y_title:
        Axis titles, with the unit in brackets, e.g. ``"start-up time (ms)"``.
        Pass an empty string only for an axis with categories that need no unit.
    widget:
        Return a :class:`plotly.graph_objects.FigureWidget` (for calculators
        that update in place) instead of a static figure.
    height:
        Height in pixels.
    **layout:
        Further layout properties, passed to ``update_layout``.

    Raises
    ------
    ValueError
        If the title is empty or an axis title is not a string.
    """
    title = _require_text("title", title)
    for name, value in (("x_title", x_title), ("y_title", y_title)):
        if not isinstance(value, str):
            raise ValueError(f"{name} must be a string (the axis label with its unit)")
    cls = go.FigureWidget if widget else go.Figure
    fig = cls()
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title, "x": 0.01, "xanchor": "left"},
        xaxis_title=x_title,
        yaxis_title=y_title,
        height=height,
        **layout,
    )
    return fig


def figure_title(fig: go.Figure) -> str:
    """Return the plain-text title of a figure ('' if it has none)."""
    text = fig.layout.title.text if fig.layout.title else None
    return text or ""


def figure_json(fig: go.Figure) -> dict[str, Any]:
    """Return the plotly JSON of a figure as JupyterLab's renderer expects it."""
    data = fig.to_plotly_json()
    # FigureWidget traces carry a random uid: drop it so stored outputs are stable.
    traces = [{k: v for k, v in trace.items() if k != "uid"} for trace in data["data"]]
    return {"data": traces, "layout": data["layout"], "config": CONFIG}


def summary_html(fig: go.Figure, summary: str) -> str:
    """The HTML of the one-sentence summary shown beside a figure."""
    title = html.escape(figure_title(fig))
    return (
        '<p class="cvm-summary" style="margin:0.2em 0 1em 0;font-size:0.95em">'
        f"<b>Figure: {title}.</b> {html.escape(summary)}</p>"
    )


def show_figure(fig: go.Figure, summary: str) -> None:
    """Display a static figure and its one-sentence summary.

    Parameters
    ----------
    fig:
        A figure made with :func:`new_figure`.
    summary:
        One sentence saying what the figure shows (the point, not the axes).

    Raises
    ------
    ValueError
        If the figure has no title or the summary is empty.
    """
    summary = _require_text("summary", summary)
    if not figure_title(fig):
        raise ValueError("every figure needs a title: build it with new_figure(title, ...)")
    display(
        {PLOTLY_MIME: figure_json(fig), "text/plain": f"Figure: {figure_title(fig)}. {summary}"},
        raw=True,
    )
    display(summary_bundle(summary_html(fig, summary), summary), raw=True)


def widget_view(bundle: dict[str, Any] | tuple[dict[str, Any], dict[str, Any]] | None) -> dict[str, Any]:
    """Only the widget-view part of a widget's ``_repr_mimebundle_()`` (which may be ``(data, metadata)``)."""
    data = (bundle[0] if isinstance(bundle, tuple) else bundle) or {}
    return {k: v for k, v in data.items() if k == WIDGET_VIEW_MIME}


def summary_bundle(summary: str, text: str) -> dict[str, Any]:
    """The summary's output: HTML for a stored notebook and the site, and (in a kernel) a
    :class:`widgets.ui.access.FigureSummary` that shows the same paragraph and makes it the accessible
    description of the figure just before it."""
    return {**widget_view(FigureSummary(html=summary)._repr_mimebundle_()), "text/html": summary, "text/plain": text}
