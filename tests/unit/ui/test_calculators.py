"""Calculators through their widgets: redraw on change, clear messages on
hostile input, the last good figure kept, never an exception."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from tests.unit.support.calculators import HOSTILE_TEXT
from widgets import RenderCheck, TimescaleCalculator, timescales
from widgets.ui.calculator import WIDGET_VIEW_MIME, Calculator, Slider
from widgets.ui.figures import PLOTLY_MIME, new_figure
from widgets.ui.timescales import summarize


class _Boom(Calculator[int]):
    """A calculator whose model fails in an unexpected way for n = 2."""

    name = "test"
    inputs = (Slider("n", "n", 0, 5),)

    def model(self, n: int = 1) -> int:
        if n == 2:
            raise ZeroDivisionError("boom")
        return n

    def make_figure(self, n: int) -> go.FigureWidget:
        fig = new_figure("t", "x", "y", widget=True)
        fig.add_bar(x=[0], y=[n])
        return fig

    def draw(self, fig: go.FigureWidget, n: int) -> None:
        fig.data[0].y = [n]

    def summarize(self, n: int) -> str:
        return f"n={n}"


def test_timescale_own_measurement_and_summary():
    t = timescales(["container", "cloud-vm"], "30000")
    assert t.mine_ms == 30000
    text = summarize(t)
    assert "orders of magnitude" in text and "Your 30 s is faster than" in text
    assert timescales(["container"], "").mine_ms is None


@pytest.mark.parametrize("value", HOSTILE_TEXT)
def test_widget_hostile_text_keeps_last_good_figure(value):
    calc = TimescaleCalculator(kinds=["container", "cloud-vm"])
    before = list(calc.figure.data[0].x)
    summary_before = calc.summary.value
    calc.controls["my_time_ms"].value = value
    if value.strip() == "":
        assert calc.error is None
        return
    assert calc.error and "your time" in calc.error
    assert "cvm-error" in calc.status.value and "last valid input" in calc.status.value
    assert list(calc.figure.data[0].x) == before and calc.summary.value == summary_before
    assert calc.last_exception is None
    calc.controls["my_time_ms"].value = "2500"  # recovers
    assert calc.error is None and calc.status.value == ""
    assert calc.result.mine_ms == 2500


def test_widget_kind_change_redraws():
    calc = TimescaleCalculator()
    n_all = len(calc.figure.data[0].y)
    calc.controls["kinds"].value = ("microvm",)
    assert 0 < len(calc.figure.data[0].y) < n_all
    assert all("Firecracker" in y for y in calc.figure.data[0].y)
    calc.controls["kinds"].value = ()
    assert "choose at least one kind" in calc.status.value
    assert all("Firecracker" in y for y in calc.figure.data[0].y)


def test_render_check_follows_slider():
    calc = RenderCheck(level=3)
    assert list(calc.figure.data[0].y) == [3]
    calc.controls["level"].value = 8
    assert list(calc.figure.data[0].y) == [8] and "8 of 10" in calc.summary.value


def test_bundle_offers_widget_static_figure_and_text():
    calc = RenderCheck()
    bundle = calc._repr_mimebundle_()
    assert WIDGET_VIEW_MIME in bundle and PLOTLY_MIME in bundle
    assert bundle[PLOTLY_MIME]["data"][0]["y"] == [3]
    assert bundle["text/plain"].startswith("Interactive calculator: Widget check")


def test_unexpected_model_errors_never_escape():
    calc = _Boom()
    slider, fig = calc.controls["n"], calc.figure
    slider.value = 2
    assert isinstance(calc.last_exception, ZeroDivisionError)
    assert "internal error" in calc.error and list(fig.data[0].y) == [1]
    slider.value = 3
    assert calc.error is None and list(fig.data[0].y) == [3]
    assert calc.updates == 2 and calc.last_update_ms >= 0


def test_every_failed_update_carries_a_new_attempt_number():
    """The browser sweep waits on data-attempt: two identical messages must still be told apart."""
    import re

    import widgets

    calc = widgets.SizingCalculator()
    box = next(k for k, c in calc.controls.items() if "cvm-number" in c._dom_classes)
    seen = []
    for value in ("abc", "abc!", "-5"):
        calc.controls[box].value = value
        seen.append(int(re.search(r'data-attempt="(\d+)"', calc.status.value).group(1)))
    assert seen == sorted(set(seen)) and len(seen) == 3  # strictly increasing
    assert "cvm-error" in calc.status.value and calc.attempts == seen[-1]
