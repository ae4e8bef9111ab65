"""The thin UI shared by every calculator: controls -> model -> figure.

A calculator is a pure model function plus a drawing function. A subclass *declares* them, and this
module wires them to ipywidgets controls and one plotly ``FigureWidget`` that is created once and
updated in place inside ``batch_update``::

    class TimescaleCalculator(Calculator[Timescale]):
        name = "timescales"
        inputs = (Many("kinds", "kinds", available_kinds), Number("my_time_ms", "your time (ms)", optional=True))
        model = staticmethod(timescales)
        make_figure = staticmethod(lambda t: figure(t, widget=True))
        draw = staticmethod(draw)
        summarize = staticmethod(summarize)

* the controls start at the model's own keyword defaults (:func:`widgets.core.validate.defaults_of`), and
  ``Calculator(**values)`` overrides any of them by name;
* the model runs **once** when the calculator is built, and the figure is made from that result;
* every control change calls ``model(**values)``; a ``ValueError`` (or ``TypeError``) from the model is
  shown as a message in the widget, and the last good figure stays as it was;
* any other exception is caught too (a learner never sees a traceback), shown as an internal error and
  kept in :attr:`Calculator.last_exception` so that tests can fail on it.

When displayed, a calculator also offers the static plotly JSON of its current figure and a text
summary, so a stored notebook shows a real figure even where the widget cannot be rebuilt (no kernel,
GitHub, static HTML).
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

import ipywidgets as ipw
import plotly.graph_objects as go

from ..core import validate
from ..core.validate import ILLUSTRATIVE
from .access import Access
from .figures import PLOTLY_MIME, figure_json, figure_title, widget_view
from .figures import WIDGET_VIEW_MIME as WIDGET_VIEW_MIME  # re-exported: imported from here elsewhere

R = TypeVar("R")
_WIDE = {"description_width": "initial"}
_ERROR_STYLE = "color:#8B0000;background:#FDECEA;border-left:4px solid #D55E00;padding:4px 8px;margin:4px 0"
_INFO_STYLE = "color:#0B3D91;background:#EAF2FB;border-left:4px solid #0072B2;padding:4px 8px;margin:4px 0"


def message_html(text: str, *, kind: str = "error", attempt: int | None = None) -> str:
    """HTML for a message box: ``kind`` is ``"error"`` or ``"info"``.

    ``attempt`` (a calculator's update counter) becomes an invisible ``data-attempt`` attribute, so a
    browser test can wait for *this* message even when it repeats the previous one word for word.
    """
    style, icon = (_ERROR_STYLE, "⚠ ") if kind == "error" else (_INFO_STYLE, "ℹ ")
    data = "" if attempt is None else f' data-attempt="{int(attempt)}"'
    return f'<div class="cvm-message cvm-{kind}"{data} style="{style}">{icon}{html.escape(text)}</div>'


def legend_html(text: str) -> ipw.HTML:
    """The one line above a calculator's controls that says which inputs are data and which are assumptions."""
    legend = ipw.HTML(f"<small>{html.escape(text)}</small>")
    legend.add_class("cvm-assumptions")
    return legend


def mark_number(box: ipw.Text, *, optional: bool = False) -> ipw.Text:
    """Mark a text box as numeric input (CSS class ``cvm-number``) and return it.

    The browser tests type hostile text into every ``.cvm-number`` box. With ``optional`` (class
    ``cvm-optional`` too) empty text is a valid answer ("none"), so those tests do not expect a message.
    """
    box.add_class("cvm-number")
    if optional:
        box.add_class("cvm-optional")
    return box


def _options(options: Sequence[Any] | Callable[[], Sequence[Any]]) -> list[Any]:
    return list(options() if callable(options) else options)


@dataclass(frozen=True)
class Number:
    """A text box for a numeric input: anything a learner types reaches the model, which answers bad input.

    A text box, not a slider, so that hostile input is possible and gets a message. ``optional``: empty
    text is a valid answer ("none").
    """

    name: str
    label: str
    width: str = "220px"
    optional: bool = False
    placeholder: str = ""

    def widget(self, value: Any) -> ipw.ValueWidget:
        text = f"{value:g}" if isinstance(value, int | float) and not isinstance(value, bool) else str(value)
        tip = f"default {text}: {ILLUSTRATIVE}" if text else ILLUSTRATIVE
        return mark_number(
            ipw.Text(
                value=text,
                description=self.label,
                continuous_update=False,
                tooltip=tip,
                placeholder=self.placeholder,
                style=_WIDE,
                layout=ipw.Layout(width=self.width),
            ),
            optional=self.optional,
        )


@dataclass(frozen=True)
class Text:
    """A free-text box (a message, a kernel version): not a number, so the hostile-number sweep skips it."""

    name: str
    label: str
    width: str = "420px"
    placeholder: str = ""
    tooltip: str = ""

    def widget(self, value: Any) -> ipw.ValueWidget:
        return ipw.Text(
            value=str(value),
            description=self.label,
            continuous_update=False,
            tooltip=self.tooltip,
            placeholder=self.placeholder,
            style=_WIDE,
            layout=ipw.Layout(width=self.width),
        )


@dataclass(frozen=True)
class Choice:
    """A dropdown; ``options`` are values or ``(label, value)`` pairs, or a function that returns them."""

    name: str
    label: str
    options: Sequence[Any] | Callable[[], Sequence[Any]]
    width: str = "300px"

    def widget(self, value: Any) -> ipw.ValueWidget:
        return ipw.Dropdown(
            options=_options(self.options),
            value=value,
            description=self.label,
            style=_WIDE,
            layout=ipw.Layout(width=self.width),
        )


@dataclass(frozen=True)
class Many:
    """A multiple choice; the model receives a tuple."""

    name: str
    label: str
    options: Sequence[Any] | Callable[[], Sequence[Any]]
    width: str = "420px"
    rows: int = 5

    def widget(self, value: Any) -> ipw.ValueWidget:
        return ipw.SelectMultiple(
            options=_options(self.options),
            value=tuple(value),
            rows=self.rows,
            description=self.label,
            style=_WIDE,
            layout=ipw.Layout(width=self.width),
        )


@dataclass(frozen=True)
class Slider:
    """A slider for a bounded whole number (``step`` None) or a number (a float ``step``)."""

    name: str
    label: str
    min: float
    max: float
    step: float | None = None
    continuous: bool = False  # update while dragging (only where the model is instant)

    def widget(self, value: Any) -> ipw.ValueWidget:
        kind = ipw.IntSlider if self.step is None else ipw.FloatSlider
        extra = {} if self.step is None else {"step": self.step}
        return kind(
            value=value,
            min=self.min,
            max=self.max,
            description=self.label,
            continuous_update=self.continuous,
            style=_WIDE,
            **extra,
        )


@dataclass(frozen=True)
class Toggle:
    """A check box for a True/False input."""

    name: str
    label: str

    def widget(self, value: Any) -> ipw.ValueWidget:
        return ipw.Checkbox(value=bool(value), description=self.label, indent=False, style=_WIDE)


@dataclass(frozen=True)
class Buttons:
    """A row of toggle buttons: one of a few options, all visible."""

    name: str
    label: str
    options: Sequence[Any]

    def widget(self, value: Any) -> ipw.ValueWidget:
        return ipw.ToggleButtons(options=list(self.options), value=value, description=self.label)


@dataclass(frozen=True)
class Area:
    """A multi-line text box (a program to edit)."""

    name: str
    label: str
    rows: int = 9
    width: str = "420px"

    def widget(self, value: Any) -> ipw.ValueWidget:
        return ipw.Textarea(
            value=str(value),
            description=self.label,
            rows=self.rows,
            continuous_update=False,
            layout=ipw.Layout(width=self.width),
        )


Input = Number | Text | Choice | Many | Slider | Toggle | Buttons | Area


class Calculator(ipw.VBox, Generic[R]):
    """Controls, a model, a figure that is redrawn in place, and a summary (see the module docstring).

    A subclass declares :attr:`name` (a CSS class ``cvm-<name>``, so browser tests can find it),
    :attr:`inputs`, optional :attr:`rows` (rows of input names; default one row each) and :attr:`legend`,
    and the hooks :meth:`model`, :meth:`make_figure`, :meth:`draw`, :meth:`summarize` and, optionally,
    :meth:`details`. ``Calculator(**values)`` starts the controls at ``values`` instead of the defaults.

    Raises
    ------
    ValueError
        If ``values`` names an input the calculator does not have, or the starting values are invalid.
    """

    name: ClassVar[str] = "calculator"
    inputs: ClassVar[tuple[Input, ...]] = ()
    rows: ClassVar[tuple[tuple[str, ...], ...] | None] = None
    legend: ClassVar[str] = ""

    # -- what a subclass declares ------------------------------------------------------------------------
    def model(self, **values: Any) -> R:
        """The pure model: keyword inputs in, a result out; ValueError with a clear message on bad input."""
        raise NotImplementedError

    def make_figure(self, result: R) -> go.FigureWidget:
        """The figure (a ``FigureWidget`` from ``new_figure(..., widget=True)``), drawn for ``result``."""
        raise NotImplementedError

    def draw(self, fig: go.FigureWidget, result: R) -> None:
        """Update the figure's traces and layout (already inside ``fig.batch_update()``)."""
        raise NotImplementedError

    def summarize(self, result: R) -> str:
        """The one-sentence summary of the figure."""
        raise NotImplementedError

    def details(self, result: R) -> str | None:
        """Optional HTML under the summary (the arithmetic, the sources)."""
        return None

    def defaults(self) -> dict[str, Any]:
        """Each input's starting value: the model's keyword default (override for computed defaults)."""
        return validate.defaults_of(self.model)

    # -- the machinery -----------------------------------------------------------------------------------
    def __init__(self, **values: Any) -> None:
        validate.check_known(values, [i.name for i in self.inputs])
        start = {**self.defaults(), **values}
        self.controls: dict[str, ipw.ValueWidget] = {i.name: i.widget(start[i.name]) for i in self.inputs}
        self.status = ipw.HTML("")
        self.status.add_class("cvm-status")
        self.summary = ipw.HTML("")
        self.summary.add_class("cvm-summary")
        self.detail = ipw.HTML("")
        self.detail.add_class("cvm-detail")
        self.error: str | None = None
        self.last_exception: BaseException | None = None
        self.updates = self.attempts = 0
        self.last_update_ms = 0.0
        started = time.perf_counter()
        self.result: R | None = None
        self.result = self.model(**self.values())  # once: bad starting values raise here
        self.figure = self.make_figure(self.result)
        rows = self.rows or tuple((k,) for k in self.controls)
        boxes = [ipw.HBox([self.controls[k] for k in row]) for row in rows]
        head = [legend_html(self.legend)] if self.legend else []
        # Access: names, live regions and the figure's accessible description, set in the browser.
        self.access = Access()
        super().__init__([*head, *boxes, self.status, self.figure, self.summary, self.detail, self.access])
        self.add_class("cvm-calculator")
        self.add_class(f"cvm-{self.name}")
        self._show(self.result, started)
        for control in self.controls.values():
            control.observe(self._on_change, names="value")

    def values(self) -> dict[str, Any]:
        """The current control values, by model argument name."""
        return {k: c.value for k, c in self.controls.items()}

    def _on_change(self, _change: Mapping[str, Any]) -> None:
        self.update()

    def _show(self, result: R, started: float) -> None:
        self.summary.value = html.escape(self.summarize(result))
        self.detail.value = self.details(result) or ""
        self.result, self.error, self.status.value = result, None, ""
        self.attempts += 1
        self.updates += 1
        self.last_update_ms = (time.perf_counter() - started) * 1000
        self.access.updates = self.attempts  # last: the browser has the new summary and figure when it sees this

    def update(self) -> bool:
        """Recompute from the controls and redraw; return True on success.

        On bad input the message is shown, the last good figure is kept and False is returned. Never raises.
        """
        started = time.perf_counter()
        try:
            result = self.model(**self.values())
        except (ValueError, TypeError) as exc:
            return self._fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - a learner never sees a traceback
            self.last_exception = exc
            return self._fail(f"internal error ({type(exc).__name__}: {exc}); please report it")
        try:
            with self.figure.batch_update():
                self.draw(self.figure, result)
            self._show(result, started)
        except Exception as exc:  # noqa: BLE001
            self.last_exception = exc
            return self._fail(f"internal error while drawing ({type(exc).__name__}: {exc})")
        return True

    def _fail(self, message: str) -> bool:
        self.attempts += 1
        self.error = message
        note = " The figure still shows the last valid input." if self.result is not None else ""
        self.status.value = message_html(message + "." * (not message.endswith(".")) + note, attempt=self.attempts)
        self.access.updates = self.attempts
        return False

    # -- display -----------------------------------------------------------------------------------------
    def static_figure(self) -> go.Figure:
        """A plain (non-widget) copy of the current figure."""
        return go.Figure(self.figure)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        data = widget_view(super()._repr_mimebundle_(**kwargs))
        data[PLOTLY_MIME] = figure_json(self.figure)
        data["text/plain"] = (
            f"Interactive calculator: {figure_title(self.figure)}. "
            f"{html.unescape(self.summary.value)} (Run the cell to use the controls.)"
        )
        return data
