"""The thin UI shared by every calculator: controls -> model -> figure.

A calculator is a pure model function plus a drawing function. This module
wires them to ipywidgets controls and one plotly ``FigureWidget`` that is
created once and updated in place inside ``batch_update``:

* every control change calls ``model(**values)``;
* a ``ValueError`` (or ``TypeError``) from the model is shown as a message
  in the widget, and the last good figure stays as it was;
* any other exception is caught too (a learner never sees a traceback), shown
  as an internal error and kept in :attr:`Calculator.last_exception` so that
  tests can fail on it.

When displayed, a calculator also offers the static plotly JSON of its
current figure and a text summary, so a stored notebook shows a real figure
even where the widget cannot be rebuilt (no kernel, GitHub, static HTML).
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

import ipywidgets as ipw
import plotly.graph_objects as go

from .figures import PLOTLY_MIME, figure_json, figure_title

R = TypeVar("R")

WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"

#: How every default that is not from data/ is labelled.
ILLUSTRATIVE = "illustrative assumption, set your own"

_STATUS_OK = ""
_ERROR_STYLE = (
    "color:#8B0000;background:#FDECEA;border-left:4px solid #D55E00;"
    "padding:4px 8px;margin:4px 0"
)


def message_html(text: str, *, kind: str = "error", attempt: int | None = None) -> str:
    """HTML for a message box: ``kind`` is ``"error"`` or ``"info"``.

    ``attempt`` (a calculator's update counter) becomes an invisible
    ``data-attempt`` attribute, so a browser test can wait for *this* message
    even when it repeats the previous one word for word.
    """
    style = (
        _ERROR_STYLE
        if kind == "error"
        else "color:#0B3D91;background:#EAF2FB;border-left:4px solid #0072B2;"
        "padding:4px 8px;margin:4px 0"
    )
    icon = "⚠ " if kind == "error" else "ℹ "
    data = "" if attempt is None else f' data-attempt="{int(attempt)}"'
    return f'<div class="cvm-message cvm-{kind}"{data} style="{style}">{icon}{html.escape(text)}</div>'


def number_box(defaults: Mapping[str, float], name: str, description: str, width: str = "220px") -> ipw.Text:
    """A text box for numeric input ``name``, starting at its illustrative default.

    A text box (not a slider) so that anything a learner types reaches the
    model, which answers bad input with a clear message. It carries the CSS
    class ``cvm-number`` (see :func:`mark_number`).
    """
    value = defaults[name]
    return mark_number(ipw.Text(value=f"{value:g}", description=description, continuous_update=False,
                                tooltip=f"default {value:g}: {ILLUSTRATIVE}",
                                style={"description_width": "initial"}, layout=ipw.Layout(width=width)))


def mark_number(box: ipw.Text, *, optional: bool = False) -> ipw.Text:
    """Mark a text box as numeric input (CSS class ``cvm-number``) and return it.

    The browser tests type hostile text into every ``.cvm-number`` box. With
    ``optional`` (class ``cvm-optional`` too) empty text is a valid answer
    ("none"), so those tests do not expect a message for it.
    """
    box.add_class("cvm-number")
    if optional:
        box.add_class("cvm-optional")
    return box


def choice_box(defaults: Mapping[str, object], name: str, options: Any, description: str,
               width: str = "300px") -> ipw.Dropdown:
    """A dropdown for choice input ``name``, starting at its default."""
    return ipw.Dropdown(options=options, value=defaults[name], description=description,
                        style={"description_width": "initial"}, layout=ipw.Layout(width=width))


def check_known(values: Mapping[str, object], defaults: Mapping[str, object]) -> None:
    """Raise ValueError naming any keyword a calculator does not take."""
    unknown = set(values) - set(defaults)
    if unknown:
        raise ValueError(f"unknown input(s) {', '.join(sorted(unknown))}; known: {', '.join(defaults)}")


class Calculator(ipw.VBox, Generic[R]):
    """Controls, a model, a figure that is redrawn in place, and a summary.

    Parameters
    ----------
    name:
        Short machine name, used as a CSS class (``cvm-<name>``) so browser
        tests can find the calculator.
    controls:
        Mapping of model argument name -> ipywidgets control. Every change of
        a control's ``value`` recomputes.
    model:
        Pure function called as ``model(**{name: control.value})``; raises
        ValueError with a clear message on bad input.
    draw:
        ``draw(fig, result)`` updates the figure's traces and layout (it is
        already inside ``fig.batch_update()``).
    summarize:
        ``summarize(result)`` returns the one-sentence summary of the figure.
    figure:
        The ``FigureWidget`` (from ``new_figure(..., widget=True)``), with its
        traces already added.
    layout_rows:
        Optional rows of control names to lay the controls out in; default one
        row per control.
    """

    def __init__(
        self,
        name: str,
        controls: Mapping[str, ipw.ValueWidget],
        model: Callable[..., R],
        draw: Callable[[go.FigureWidget, R], None],
        summarize: Callable[[R], str],
        figure: go.FigureWidget,
        *,
        layout_rows: list[list[str]] | None = None,
        details: Callable[[R], str] | None = None,
    ) -> None:
        self.name = name
        self.controls = dict(controls)
        self.model = model
        self._draw = draw
        self._summarize = summarize
        self._details = details
        self.figure = figure
        self.status = ipw.HTML(_STATUS_OK)
        self.status.add_class("cvm-status")
        self.summary = ipw.HTML("")
        self.summary.add_class("cvm-summary")
        self.detail = ipw.HTML("")
        self.detail.add_class("cvm-detail")
        self.result: R | None = None
        self.error: str | None = None
        self.last_exception: BaseException | None = None
        self.updates = 0
        self.attempts = 0
        self.last_update_ms = 0.0
        rows = layout_rows or [[k] for k in self.controls]
        boxes = [ipw.HBox([self.controls[k] for k in row]) for row in rows]
        super().__init__([*boxes, self.status, self.figure, self.summary, self.detail])
        self.add_class("cvm-calculator")
        self.add_class(f"cvm-{name}")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    # -- behaviour -----------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """The current control values, by model argument name."""
        return {k: c.value for k, c in self.controls.items()}

    def _on_change(self, _change: Mapping[str, Any]) -> None:
        self.update()

    def update(self) -> bool:
        """Recompute from the controls and redraw; return True on success.

        On bad input the message is shown, the last good figure is kept and
        False is returned. Never raises.
        """
        start = time.perf_counter()
        self.attempts += 1
        try:
            result = self.model(**self.values())
        except (ValueError, TypeError) as exc:
            self._fail(str(exc))
            return False
        except Exception as exc:  # noqa: BLE001 - a learner never sees a traceback
            self.last_exception = exc
            self._fail(f"internal error ({type(exc).__name__}: {exc}); please report it")
            return False
        try:
            with self.figure.batch_update():
                self._draw(self.figure, result)
            self.summary.value = html.escape(self._summarize(result))
            if self._details is not None:
                self.detail.value = self._details(result)
        except Exception as exc:  # noqa: BLE001
            self.last_exception = exc
            self._fail(f"internal error while drawing ({type(exc).__name__}: {exc})")
            return False
        self.result = result
        self.error = None
        self.status.value = _STATUS_OK
        self.updates += 1
        self.last_update_ms = (time.perf_counter() - start) * 1000
        return True

    def _fail(self, message: str) -> None:
        self.error = message
        note = " The figure still shows the last valid input." if self.result is not None else ""
        self.status.value = message_html(message + "." * (not message.endswith(".")) + note, attempt=self.attempts)

    # -- display ---------------------------------------------------------------
    def static_figure(self) -> go.Figure:
        """A plain (non-widget) copy of the current figure."""
        return go.Figure(self.figure)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        if isinstance(bundle, tuple):  # (data, metadata)
            bundle = bundle[0]
        data = {k: v for k, v in bundle.items() if k == WIDGET_VIEW_MIME}
        data[PLOTLY_MIME] = figure_json(self.figure)
        data["text/plain"] = (
            f"Interactive calculator: {figure_title(self.figure)}. "
            f"{html.unescape(self.summary.value)} (Run the cell to use the controls.)"
        )
        return data
