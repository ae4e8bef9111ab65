"""Lessons in real JupyterLab, in headless Chromium: stored outputs render on
open, every cell runs, widgets and figures render, controls redraw figures."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from tests.browser.lab import CHROMIUM_ARGS, LabServer, find_chromium, open_notebook, run_all

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "screenshots"
CHROMIUM = find_chromium()
REQUIRED = os.environ.get("COURSE_REQUIRE_BROWSER") == "1"

pytestmark = pytest.mark.browser
if CHROMIUM is None:
    reason = ("no system Chromium found (/usr/bin/chromium): install Debian's `chromium` package, "
              "or set COURSE_CHROMIUM; browser tests skipped")
    pytestmark = [pytest.mark.browser, pytest.mark.skipif(not REQUIRED, reason=reason)]


@pytest.fixture(scope="module")
def server():
    if CHROMIUM is None:
        pytest.fail("COURSE_REQUIRE_BROWSER=1 but no Chromium was found")
    lab = LabServer(ROOT / "lessons")
    yield lab
    lab.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    p = context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    p.page_errors = errors
    yield p
    context.close()


def counts(name: str) -> tuple[int, int]:
    """(all cells, code cells whose input is shown: collapsed ones show no prompt)."""
    nb = nbformat.read(ROOT / "lessons" / name, as_version=4)
    shown = [c for c in nb.cells if c.cell_type == "code"
             and not c.metadata.get("jupyter", {}).get("source_hidden")]
    return len(nb.cells), len(shown)


def body_text(page) -> str:
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").text_content()


def plot_y(page, selector: str) -> list:
    return page.evaluate(f"() => Array.from(document.querySelector('{selector} .js-plotly-plot').data[0].y)")


LESSON = "00-start-here.ipynb"


def test_stored_lesson_renders_without_a_kernel_run(page, server):
    n_cells, _ = counts(LESSON)
    open_notebook(page, server, LESSON, n_cells)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 3", timeout=60_000)
    text = body_text(page)
    assert "Error displaying widget" not in text
    assert "Quiz" in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "00-stored.png"), full_page=False)


def test_run_all_then_interact(page, server):
    n_cells, n_code = counts(LESSON)
    open_notebook(page, server, LESSON, n_cells)
    run_all(page, n_code)
    text = body_text(page)
    assert "Error displaying widget" not in text
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    assert page.locator(".cvm-calculator").count() == 2
    assert page.locator(".cvm-quiz").count() == 1
    page.wait_for_function("() => document.querySelectorAll('.cvm-calculator .js-plotly-plot').length == 2")

    # The render check: a keyboard step on the slider moves the bar.
    assert plot_y(page, ".cvm-render-check") == [3]
    handle = page.locator(".cvm-render-check .noUi-handle").first
    handle.focus()
    handle.press("ArrowRight")
    page.wait_for_function(
        "() => document.querySelector('.cvm-render-check .js-plotly-plot').data[0].y[0] === 4")
    assert "4 of 10" in page.locator(".cvm-render-check .cvm-summary").inner_text()

    # The start-up calculator: an own value adds a line; nonsense gets a message, the figure stays.
    box = page.locator(".cvm-timescales input[type=text]").first
    box.fill("30000")
    box.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('.cvm-timescales .cvm-summary').innerText.includes('Your 30 s')")
    shapes = page.evaluate("() => document.querySelector('.cvm-timescales .js-plotly-plot').layout.shapes.length")
    assert shapes == 1
    box.fill("-5")
    box.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('.cvm-timescales .cvm-status').innerText.includes('must not be negative')")
    assert "Your 30 s" in page.locator(".cvm-timescales .cvm-summary").inner_text()

    # The quiz explains a chosen option.
    page.locator(".cvm-quiz .widget-radio-box label").first.click()
    page.wait_for_function("() => document.querySelector('.cvm-quiz-feedback').innerText.length > 10")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "00-after-run.png"), full_page=False)
    assert not page.page_errors, page.page_errors
